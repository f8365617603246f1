"""The symbol recognizer: draw a symbol in the browser, get its LaTeX (after write-math.com).

* :mod:`.model`: normalise a drawing (PNG or strokes) to 32x32 and rank the symbols;
* :mod:`.storage`: the labelled drawings, in SQLite;
* :mod:`.server`: the FastAPI app (``create_app``) and its page in ``static/``;
* :mod:`.train`: ``lamina recognizer train``; :mod:`.cli`: the command wiring.

Run it with ``lamina serve`` (needs ``pip install 'lamina[web]'``).
"""

from lamina.apps.recognizer.model import DEFAULT_MODEL, Recognizer

__all__ = ["DEFAULT_MODEL", "Recognizer", "create_app"]


def create_app(model_path=None, data_dir=None, **kwargs):
    """The FastAPI app (see :func:`lamina.apps.recognizer.server.create_app`)."""
    from lamina.apps.recognizer.server import create_app as _create_app

    return _create_app(model_path, data_dir, **kwargs)
