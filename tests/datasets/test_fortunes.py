"""fortunes: Debian's fortune files read offline, parsed, split with stratification."""

from pathlib import Path

import numpy as np
import pytest

from lamina.datasets import fortunes

REAL = Path(fortunes.DEBIAN_DIR)
needs_fortunes = pytest.mark.skipif(not (REAL / "computers").is_file(),
                                    reason="Debian's fortunes are not installed "
                                           "(apt-get install fortunes)")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("LAMINA_FORTUNES", raising=False)


def write(directory, name, entries, separator="%\n"):
    text = separator.join(entry + "\n" for entry in entries)
    (directory / name).write_bytes(text.encode("latin-1"))


@pytest.fixture
def fake(tmp_path):
    write(tmp_path, "alpha", [f"alpha text {i}" for i in range(10)])
    write(tmp_path, "beta", [f"beta text {i}" for i in range(5)])
    (tmp_path / "alpha.dat").write_bytes(b"\x00\x01binary index")
    return tmp_path


def test_parse_splits_on_percent_lines_strips_and_resolves_overstrikes():
    text = "first\n  line two \n%\n\n%\r\n_\bb_\bo_\bl_\bd text\n%   \nso ___\bmany\n"
    assert fortunes.parse(text) == ["first\n  line two", "bold text", "so many"]
    assert fortunes.parse("100% sure\n%\n") == ["100% sure"]  # % inside a line stays


def test_load_texts_reads_latin1_in_category_order(fake):
    write(fake, "gamma", ["caf\xe9 au lait", "na\xefve"])
    x, y = fortunes.load_texts(["gamma", "beta"], path=fake)
    assert x.dtype == object and y.dtype == np.int64
    assert x[:2].tolist() == ["caf\xe9 au lait", "na\xefve"]
    assert y.tolist() == [0, 0] + [1] * 5


def test_load_data_is_stratified_seeded_and_disjoint(fake):
    (xa, ya), (xb, yb) = fortunes.load_data(["alpha", "beta"], seed=3, path=fake)
    assert np.bincount(yb).tolist() == [2, 1]   # round(0.2 * 10), round(0.2 * 5)
    assert np.bincount(ya).tolist() == [8, 4]
    assert not set(xa) & set(xb) and len(set(xa) | set(xb)) == 15
    assert all(text.startswith(("alpha", "beta")[label]) for text, label in zip(xa, ya))
    (xc, _), _ = fortunes.load_data(["alpha", "beta"], seed=3, path=fake)
    (xd, _), _ = fortunes.load_data(["alpha", "beta"], seed=4, path=fake)
    assert xc.tolist() == xa.tolist() and xd.tolist() != xa.tolist()
    (xe, _), (xt, _) = fortunes.load_data(["alpha"], test_split=0.0, path=fake)
    assert len(xe) == 10 and len(xt) == 0


def test_environment_variable_points_to_another_directory(fake, monkeypatch):
    monkeypatch.setenv("LAMINA_FORTUNES", str(fake))
    x, _ = fortunes.load_texts(["beta"])
    assert len(x) == 5


def test_missing_package_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install fortunes"):
        fortunes.load_data(path=tmp_path / "nowhere")


def test_bad_categories_and_files(fake):
    with pytest.raises(ValueError, match=r"no category 'delta' .* alpha, beta"):
        fortunes.load_texts(["delta"], path=fake)
    for bad in (["../alpha"], ["alpha/"], [""], [3]):
        with pytest.raises(ValueError, match="is not a category name"):
            fortunes.load_texts(bad, path=fake)
    with pytest.raises(TypeError, match="a list or tuple of category names"):
        fortunes.load_texts("alpha", path=fake)
    with pytest.raises(ValueError, match="more than once"):
        fortunes.load_texts(["alpha", "alpha"], path=fake)
    with pytest.raises(ValueError, match="categories is empty"):
        fortunes.load_texts([], path=fake)
    (fake / "empty").write_text("%\n%\n")
    with pytest.raises(ValueError, match="holds no entries"):
        fortunes.load_texts(["empty"], path=fake)
    with pytest.raises(ValueError, match=r"test_split must be a number in \[0, 1\)"):
        fortunes.load_data(["alpha"], test_split=1.0, path=fake)


def test_oversized_file_is_refused_before_reading(fake, monkeypatch):
    monkeypatch.setattr(fortunes, "MAX_FILE_BYTES", 50)
    with pytest.raises(ValueError, match="refusing to read it"):
        fortunes.load_texts(["alpha"], path=fake)


@needs_fortunes
def test_real_default_task_has_the_issues_sizes():
    x, y = fortunes.load_texts()
    assert np.bincount(y).tolist() == [1051, 703, 625, 720]
    assert round(np.bincount(y).max() / len(y), 3) == 0.339   # majority class
    assert all(isinstance(t, str) and t == t.strip() and t for t in x)
    assert not any("\b" in t for t in x)
    (x_train, y_train), (x_test, y_test) = fortunes.load_data()
    assert len(x_train) + len(x_test) == 3099
    assert np.bincount(y_test).tolist() == [210, 141, 125, 144]
