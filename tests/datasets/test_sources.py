"""The loader's search order, checksums, cache and downloads, on the tiny fake release."""

import errno
import gzip
import io
import os
import warnings

import numpy as np
import pytest

from lamina.datasets import ChecksumError, IdxFormatError, _sources, cache_dir
from tests.datasets.fakes import ARRAYS, NAMES, TINY, assert_tiny, idx_bytes, write_release


@pytest.fixture
def reads(monkeypatch):
    """The IDX files the loader opens, in order."""
    opened = []

    def spy(path, *args):
        opened.append(str(path))
        return read_bytes(path, *args)

    read_bytes = _sources.read_bytes
    monkeypatch.setattr(_sources, "read_bytes", spy)
    return opened


def _cache_files():
    root = cache_dir() / "datasets"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# ---------------------------------------------------------------- path=


@pytest.mark.parametrize("gz", [True, False])
def test_path_with_gzipped_or_raw_files(tmp_path, gz, reads):
    assert_tiny(_sources.load(TINY, path=write_release(tmp_path / "d", gz=gz)))
    assert len(reads) == 4 and all(r.startswith(str(tmp_path / "d")) for r in reads)


def test_path_accepts_the_dataset_subdirectory(tmp_path):
    write_release(tmp_path / "data" / "tiny-mnist")
    assert_tiny(_sources.load(TINY, path=str(tmp_path / "data")))


def test_path_without_the_files_says_which_are_expected(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"tiny: path='.*empty' does not hold Tiny-MNIST: "
                       r"no Tiny-MNIST files in .*empty or .*empty/tiny-mnist\. Expected "
                       r"train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz, "
                       r"t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz"):
        _sources.load(TINY, path=tmp_path / "empty")


def test_path_with_some_files_lists_the_missing_ones(tmp_path):
    write_release(tmp_path / "d", skip=("x_test", "y_test"))
    with pytest.raises(FileNotFoundError, match=r"has only some of the files; missing: "
                       r"t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"):
        _sources.load(TINY, path=tmp_path / "d")


def test_path_that_does_not_exist_or_is_a_plain_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere does not exist"):
        _sources.load(TINY, path=tmp_path / "nowhere")
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"x")
    with pytest.raises(FileNotFoundError, match=r"is a file; pass the directory that holds"):
        _sources.load(TINY, path=tmp_path / "train-images-idx3-ubyte.gz")


def test_path_to_a_keras_style_npz(tmp_path):
    np.savez(tmp_path / "tiny.npz", **ARRAYS)
    assert_tiny(_sources.load(TINY, path=tmp_path / "tiny.npz"))
    np.savez(tmp_path / "bad.npz", x_train=ARRAYS["x_train"])
    with pytest.raises(ValueError, match=r"bad\.npz: missing arrays \['y_train', 'x_test', "
                       r"'y_test'\]"):
        _sources.load(TINY, path=tmp_path / "bad.npz")
    np.savez(tmp_path / "float.npz", **{**ARRAYS, "x_test": ARRAYS["x_test"] / 255.0})
    with pytest.raises(ValueError, match=r"x_test has shape \(4, 3, 2\) and dtype float64; "
                       r"expected \(4, 3, 2\) uint8"):
        _sources.load(TINY, path=tmp_path / "float.npz")


# ---------------------------------------------------------------- checksums and bad files


def test_checksum_mismatch_names_the_file_and_both_md5s(tmp_path):
    d = write_release(tmp_path / "d")
    changed = ARRAYS["x_test"].copy()
    changed[0, 0, 0] ^= 1  # one pixel differs: still a valid IDX file
    (d / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(changed)))
    expected = TINY.files[2].md5
    with pytest.raises(ChecksumError, match=rf"t10k-images-idx3-ubyte\.gz: checksum mismatch: "
                       rf"the MD5 of its decompressed content is [0-9a-f]{{32}}, but the published "
                       rf"MD5 of Tiny-MNIST's t10k-images-idx3-ubyte is {expected}"):
        _sources.load(TINY, path=d)
    assert _cache_files() == []


def test_regzipped_copies_pass_the_checksum(tmp_path):
    # Debian re-gzips the release: the .gz differs, the content (what is checked) does not.
    d = tmp_path / "d"
    d.mkdir()
    for key, array in ARRAYS.items():
        (d / f"{NAMES[key]}.gz").write_bytes(gzip.compress(idx_bytes(array), 9, mtime=123456))
    assert_tiny(_sources.load(TINY, path=d))


def test_corrupted_gzip_in_a_source_is_an_error_naming_it(tmp_path):
    d = write_release(tmp_path / "d")
    data = (d / "train-labels-idx1-ubyte.gz").read_bytes()
    (d / "train-labels-idx1-ubyte.gz").write_bytes(data[:-6])
    with pytest.raises(IdxFormatError, match=r"train-labels-idx1-ubyte\.gz: corrupted gzip"):
        _sources.load(TINY, path=d)
    assert _cache_files() == []


# ---------------------------------------------------------------- search order


def test_path_comes_before_env_cache_and_debian(tmp_path, monkeypatch, reads):
    for name in ("env", "debian"):
        write_release(tmp_path / name)
    monkeypatch.setenv("LAMINA_DATA", str(tmp_path / "env"))
    (cache_dir() / "datasets").mkdir(parents=True)
    np.savez(cache_dir() / "datasets" / "tiny.npz", **ARRAYS)
    _sources.load(TINY, path=write_release(tmp_path / "mine"), debian_dir=tmp_path / "debian")
    assert {os.path.dirname(r) for r in reads} == {str(tmp_path / "mine")}


def test_env_comes_before_cache_and_debian(tmp_path, monkeypatch, reads):
    write_release(tmp_path / "env" / "tiny-mnist")
    write_release(tmp_path / "debian")
    monkeypatch.setenv("LAMINA_DATA", str(tmp_path / "env"))
    assert_tiny(_sources.load(TINY, debian_dir=tmp_path / "debian"))
    assert {os.path.dirname(r) for r in reads} == {str(tmp_path / "env" / "tiny-mnist")}
    reads.clear()
    assert_tiny(_sources.load(TINY, debian_dir=tmp_path / "debian"))  # cache exists now
    assert {os.path.dirname(r) for r in reads} == {str(tmp_path / "env" / "tiny-mnist")}


def test_cache_comes_before_debian_and_is_written_from_it(tmp_path, reads):
    debian = write_release(tmp_path / "debian")
    assert_tiny(_sources.load(TINY, debian_dir=debian))
    assert len(reads) == 4 and _cache_files() == ["tiny.npz"]
    reads.clear()
    assert_tiny(_sources.load(TINY, debian_dir=debian))
    assert reads == []  # served from the .npz
    with np.load(cache_dir() / "datasets" / "tiny.npz", allow_pickle=False) as cached:
        assert sorted(cached.files) == ["x_test", "x_train", "y_test", "y_train"]


def test_idx_files_in_the_cache_directory_are_used(tmp_path, reads):
    write_release(cache_dir() / "datasets" / "tiny-mnist", gz=False)
    assert_tiny(_sources.load(TINY, debian_dir=write_release(tmp_path / "debian")))
    assert {os.path.dirname(r) for r in reads} == {str(cache_dir() / "datasets" / "tiny-mnist")}


def test_env_without_the_files_falls_through_to_debian(tmp_path, monkeypatch):
    (tmp_path / "env").mkdir()
    monkeypatch.setenv("LAMINA_DATA", str(tmp_path / "env"))
    assert_tiny(_sources.load(TINY, debian_dir=write_release(tmp_path / "debian")))


def test_damaged_cache_is_ignored_with_a_warning_and_rebuilt(tmp_path):
    target = cache_dir() / "datasets" / "tiny.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.warns(UserWarning, match=r"ignoring the damaged cache file .*tiny\.npz"):
        assert_tiny(_sources.load(TINY, debian_dir=write_release(tmp_path / "debian")))
    assert_tiny(_sources.load(TINY))  # the rebuilt cache alone is enough now


def test_nothing_found_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_DATA", str(tmp_path / "env"))
    with pytest.raises(FileNotFoundError) as info:
        _sources.load(TINY, debian_dir=tmp_path / "debian")
    message = str(info.value)
    assert message.startswith("tiny: Tiny-MNIST was not found. Looked in:\n")
    assert f"$LAMINA_DATA: {tmp_path / 'env'} does not exist" in message
    assert f"Debian package dataset-tiny-mnist: {tmp_path / 'debian'} does not exist" in message
    assert "sudo apt-get install dataset-tiny-mnist" in message
    assert "tiny.load_data(download=True)" in message
    assert "tiny.load_data(path=DIR)    where DIR holds train-images-idx3-ubyte.gz" in message


# ---------------------------------------------------------------- caching failures


def test_full_disk_while_caching_leaves_no_file_and_still_loads(tmp_path, monkeypatch):
    def full_disk(file, arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_sources, "_write_npz", full_disk)
    with pytest.warns(UserWarning, match=r"tiny: could not cache the arrays in .*tiny\.npz "
                      r"\(\[Errno 28\] No space left on device\); the data is loaded anyway"):
        arrays = _sources.load(TINY, debian_dir=write_release(tmp_path / "debian"))
    assert_tiny(arrays)
    assert _cache_files() == []  # neither tiny.npz nor its temporary file


def test_unwritable_cache_directory_only_warns(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_bytes(b"")
    monkeypatch.setenv("LAMINA_CACHE", str(tmp_path / "a-file"))  # mkdir fails under it
    with pytest.warns(UserWarning, match=r"could not cache the arrays"):
        assert_tiny(_sources.load(TINY, debian_dir=write_release(tmp_path / "debian")))


def test_cache_dir_default_and_override(tmp_path, monkeypatch):
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("LAMINA_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "lamina"


# ---------------------------------------------------------------- downloads (faked, offline)


class _Server:
    """Serves bytes by URL in place of urllib; records the URLs asked for."""

    def __init__(self, files):
        self.files, self.asked = files, []

    def __call__(self, url):
        self.asked.append(url)
        if url not in self.files:
            raise OSError(f"HTTP Error 404: Not Found ({url})")
        return io.BytesIO(self.files[url])


def _published(mirror):
    return {f"{mirror}{NAMES[k]}.gz": gzip.compress(idx_bytes(a), mtime=0)
            for k, a in ARRAYS.items()}


def test_no_download_unless_allowed(tmp_path):
    with pytest.raises(FileNotFoundError):
        _sources.load(TINY)  # the autouse fixture fails the test if it tried


def test_download_checks_md5_then_falls_back_to_the_next_mirror(monkeypatch, capsys):
    files = _published(TINY.mirrors[1])
    bad = f"{TINY.mirrors[0]}train-images-idx3-ubyte.gz"
    files[bad] = gzip.compress(b"\x00\x00\x08\x03 something else")
    server = _Server(files)
    monkeypatch.setattr(_sources, "_urlopen", server)
    assert_tiny(_sources.load(TINY, download=True))
    assert server.asked[:2] == [bad, f"{TINY.mirrors[1]}train-images-idx3-ubyte.gz"]
    folder = cache_dir() / "datasets" / "tiny-mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.gz" for n in NAMES.values())
    assert "tiny: downloading https://mirror-one.invalid/tiny/" in capsys.readouterr().err


def test_failed_download_leaves_no_partial_file_and_explains(monkeypatch):
    files = {url: data[:5] for url, data in _published(TINY.mirrors[0]).items()}
    monkeypatch.setattr(_sources, "_urlopen", _Server(files))
    with pytest.raises(OSError, match=r"tiny: could not download train-images-idx3-ubyte\.gz "
                       r"into .*\n  https://mirror-one\.invalid/tiny/train-images-idx3-ubyte\.gz: "
                       r"checksum mismatch: the MD5 of the download is [0-9a-f]{32}, the published "
                       r"MD5 is [0-9a-f]{32}\n  https://mirror-two.*404"):
        _sources.load(TINY, download=True)
    assert os.listdir(cache_dir() / "datasets" / "tiny-mnist") == []


def test_no_warning_when_everything_works(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_tiny(_sources.load(TINY, debian_dir=write_release(tmp_path / "debian")))
