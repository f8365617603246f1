import pytest

import lamina
from lamina.cli import main


def test_info_prints_versions(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"lamina {lamina.__version__}" in out
    assert "numpy " in out and "default float float32" in out


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"lamina {lamina.__version__}"
