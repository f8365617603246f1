"""The README's applications snippet runs as written and prints what its comment says."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_applications_snippet_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    (snippet,) = [b for b in blocks if "lamina.applications" in b]
    scope = {}
    exec(compile(snippet, str(README), "exec"), scope)  # noqa: S102 - our own README
    assert capsys.readouterr().out.strip() == "138357544 25636712"
    assert scope["small"].output_shape == (None, 10)
