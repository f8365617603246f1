"""The recognizer's commands: ``lamina recognizer train`` and ``lamina serve``.

``lamina/cli.py`` wires them in with :func:`add_recognizer_commands` (building the parsers) and
:func:`run_recognizer_command` (running one; it returns None for other commands).
"""

from __future__ import annotations

__all__ = ["add_recognizer_commands", "run_recognizer_command"]


def add_recognizer_commands(subparsers) -> None:
    """Add ``recognizer train`` and ``serve`` to the ``lamina`` command's subparsers."""
    recognizer = subparsers.add_parser(
        "recognizer", help="the symbol recognizer: train its model",
        description="Draw a symbol, get its LaTeX: the recognizer's model.")
    actions = recognizer.add_subparsers(dest="recognizer_command")
    train = actions.add_parser(
        "train", help="train the symbol CNN on generated data (fixed seed)",
        description="Train the symbol CNN on generated symbols and report top-1/top-3 accuracy "
                    "on held-out generated data and on the stored drawings.")
    train.add_argument("--out", metavar="PATH", default=None,
                       help="where to save the model (default: the shipped model's path)")
    train.add_argument("--with-drawings", action="store_true",
                       help="add the drawings stored by the page to the training data")
    train.add_argument("--data-dir", metavar="DIR", default=None,
                       help="the server's data directory holding drawings.sqlite3")
    train.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    train.add_argument("--n-per-class", type=int, default=None,
                       help="override the recipe's generated images per class")
    train.add_argument("--seed", type=int, default=None, help="override the recipe's seed")

    serve = subparsers.add_parser(
        "serve", help="serve the symbol recognizer page and API (FastAPI + uvicorn)",
        description="Serve the symbol recognizer: draw a symbol in the browser, get its LaTeX.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument("--model", metavar="PATH", default=None,
                       help="a trained model (.lamina); default: the shipped one")
    serve.add_argument("--data-dir", metavar="DIR", default=None,
                       help="where drawings.sqlite3 lives (default ~/.local/share/lamina/"
                            "recognizer, or $LAMINA_DATA_HOME/recognizer)")
    serve.add_argument("--access-log", action="store_true", help="log every request")


def _missing_web(error: ImportError) -> int:
    import sys

    print(f"lamina serve needs the web extra ({error.name} is missing): "
          "pip install 'lamina[web]'", file=sys.stderr)
    return 1


def run_recognizer_command(args) -> int | None:
    """Run ``args.command`` if it is one of ours; None otherwise."""
    import sys

    if args.command == "recognizer":
        if getattr(args, "recognizer_command", None) != "train":
            print("usage: lamina recognizer train [--out PATH] [--with-drawings]",
                  file=sys.stderr)
            return 2
        from lamina.apps.recognizer.train import train

        overrides = {name: getattr(args, name) for name in ("epochs", "n_per_class", "seed")
                     if getattr(args, name) is not None}
        train(args.out, with_drawings=args.with_drawings, data_dir=args.data_dir, **overrides)
        return 0
    if args.command == "serve":
        try:
            import uvicorn

            from lamina.apps.recognizer.server import create_app
        except ImportError as error:
            return _missing_web(error)
        try:
            app = create_app(args.model, args.data_dir)
        except FileNotFoundError as error:
            print(f"lamina serve: {error}", file=sys.stderr)
            return 1
        except ImportError as error:
            return _missing_web(error)
        print(f"lamina: the symbol recognizer is at http://{args.host}:{args.port}/", flush=True)
        uvicorn.run(app, host=args.host, port=args.port, access_log=args.access_log,
                    log_level="info")
        return 0
    return None
