"""``lamina lecture list`` / ``lamina lecture run`` and ``lamina.lectures``."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from lamina import lectures
from lamina.cli import main

REPO_LECTURES = Path(__file__).resolve().parents[1] / "examples" / "lectures"

FAKE = '''"""Lecture {number}: a fake lecture called {name}."""
import json
from pathlib import Path


def main(out_dir, quick=False):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.txt").write_text(json.dumps({{"quick": quick}}))
    print("fake lecture ran")
    return {{"quick": quick, "out": str(out)}}
'''


@pytest.fixture
def fake_dir(tmp_path, monkeypatch):
    """A lectures directory with two lectures and files that must not be listed."""
    folder = tmp_path / "lectures"
    folder.mkdir()
    (folder / "second_one.py").write_text(FAKE.format(number=10, name="second_one"))
    (folder / "first_one.py").write_text(FAKE.format(number=2, name="first_one"))
    (folder / "no_main.py").write_text('"""Lecture 1: not runnable."""\nx = 1\n')
    (folder / "nested_main.py").write_text("class A:\n    def main(self):\n        pass\n")
    (folder / "broken.py").write_text("def main(:\n")
    (folder / "__init__.py").write_text("")
    (folder / "_helper.py").write_text("def main(out_dir, quick=False):\n    return {}\n")
    monkeypatch.setenv(lectures.ENV_VAR, str(folder))
    return folder


def test_list_shows_every_lecture_script_of_the_repository(capsys, monkeypatch):
    monkeypatch.delenv(lectures.ENV_VAR, raising=False)
    assert main(["lecture", "list"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines()]
    expected = set()
    for path in REPO_LECTURES.glob("*.py"):
        tree = ast.parse(path.read_text())
        if path.stem != "__init__" and any(
                isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            expected.add(path.stem)
    assert set(listed) == expected
    assert {"perceptron_logic_gates", "backprop_by_hand", "activation_functions",
            "universal_approximation", "gradient_descent", "optimizers",
            "loss_choice"} <= expected
    assert listed[0] == "perceptron_logic_gates"  # ordered by lecture number
    assert "Lecture 2: backpropagation by hand" in out


def test_list_only_scripts_with_a_top_level_main_in_number_order(fake_dir, capsys):
    assert main(["lecture", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["first_one", "second_one"]  # 2 before 10
    assert lines[0].endswith("Lecture 2: a fake lecture called first_one.")
    assert list(lectures.available(fake_dir)) == ["first_one", "second_one"]


def test_run_passes_out_and_quick(fake_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["lecture", "run", "second_one", "--out", str(out), "--quick"]) == 0
    assert (out / "summary.txt").read_text() == '{"quick": true}'
    printed = capsys.readouterr().out
    assert "fake lecture ran" in printed and str(out) in printed
    assert lectures.run("first_one", tmp_path / "o2") == {"quick": False,
                                                          "out": str(tmp_path / "o2")}


def test_run_defaults_to_runs_lectures_name(fake_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["lecture", "run", "first_one"]) == 0
    assert (tmp_path / "runs" / "lectures" / "first_one" / "summary.txt").exists()


def test_run_leaves_sys_path_and_modules_as_they_were(fake_dir, tmp_path):
    path, modules = list(sys.path), set(sys.modules)
    lectures.run("first_one", tmp_path)
    assert sys.path == path
    assert not {m for m in sys.modules if m.startswith("lamina_lecture_")} - modules


def test_names_ignore_case_dashes_and_py_suffix(fake_dir):
    assert lectures.find("First-One.py").name == "first_one"


def test_unknown_name_suggests_the_closest(capsys, monkeypatch):
    monkeypatch.delenv(lectures.ENV_VAR, raising=False)
    assert main(["lecture", "run", "perceptron"]) == 2
    err = capsys.readouterr().err
    assert "Unknown lecture: 'perceptron'" in err
    assert "Did you mean 'perceptron_logic_gates'?" in err
    assert "'loss_choice'" in err  # the valid names are listed
    with pytest.raises(ValueError, match="Did you mean 'gradient_descent'"):
        lectures.find("gradient_decsent")


def test_env_var_that_is_not_a_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(lectures.ENV_VAR, str(tmp_path / "missing"))
    assert main(["lecture", "list"]) == 2
    err = capsys.readouterr().err
    assert "$LAMINA_LECTURES is set to" in err and "not a directory" in err


def test_scripts_not_found_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv(lectures.ENV_VAR, raising=False)
    missing = tmp_path / "nowhere" / "examples" / "lectures"
    monkeypatch.setattr(lectures, "_candidates", lambda: [("a test", missing)])
    with pytest.raises(lectures.LecturesNotFoundError,
                       match="lecture scripts were not found.*nowhere.*LAMINA_LECTURES"):
        lectures.lectures_dir()


def test_directory_without_lectures(tmp_path, monkeypatch):
    monkeypatch.setenv(lectures.ENV_VAR, str(tmp_path))
    with pytest.raises(lectures.LecturesNotFoundError, match="No lecture scripts"):
        lectures.find("anything")


def test_lecture_without_subcommand_prints_help(capsys):
    assert main(["lecture"]) == 0
    assert "list" in capsys.readouterr().out


def test_a_real_lecture_through_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(lectures.ENV_VAR, raising=False)
    out = tmp_path / "backprop"
    assert main(["lecture", "run", "backprop_by_hand", "--out", str(out), "--quick"]) == 0
    assert "Lecture 2" in (out / "summary.txt").read_text()
    assert (out / "network.png").stat().st_size > 0
    assert "finished in" in capsys.readouterr().out


def test_command_line_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lamina.cli", "lecture", "list"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "perceptron_logic_gates" in done.stdout
