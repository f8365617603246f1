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
                       help="where to save the model (default: symbols.lamina in the data "
                            "directory, which lamina serve then uses)")
    train.add_argument("--with-drawings", action="store_true",
                       help="add the drawings stored by the page to the training data")
    train.add_argument("--data-dir", metavar="DIR", default=None,
                       help="the server's data directory holding drawings.sqlite3")
    train.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    train.add_argument("--n-per-class", type=int, default=None,
                       help="override the recipe's generated images per class")
    train.add_argument("--seed", type=int, default=None, help="override the recipe's seed")

    calibrate = actions.add_parser(
        "calibrate", help="fit the model's temperature and look-alike sharing on held-out "
                          "data; report the ECE",
        description="Temperature scaling, then look-alike sharing (α/∝, ×/x/X share the "
                    "probability): both fitted on held-out data (the stored drawings when "
                    "there are enough, else generated symbols, plus hand-like drawings of the "
                    "look-alikes), report the expected calibration error before and after, "
                    "and store both in the JSON beside the model, which lamina serve then "
                    "applies.")
    calibrate.add_argument("--model", metavar="PATH", default=None,
                           help="the model (default: the one lamina serve would load)")
    calibrate.add_argument("--data-dir", metavar="DIR", default=None,
                           help="the server's data directory holding drawings.sqlite3")
    calibrate.add_argument("--per-class", type=int, default=20,
                           help="generated images per class and set when drawings are few, "
                                "and look-alike drawings per symbol and set")

    serve = subparsers.add_parser(
        "serve", help="serve the symbol recognizer and image pages and API (FastAPI + uvicorn)",
        description="Serve the symbol recognizer (draw a symbol in the browser, get its "
                    "LaTeX) and, at /imaging, the image-to-image CNNs.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument("--model", metavar="PATH", default=None,
                       help="a trained model (.lamina); default: the one `lamina "
                            "recognizer train` saved in the data directory, else the shipped "
                            "one")
    serve.add_argument("--data-dir", metavar="DIR", default=None,
                       help="where drawings.sqlite3 lives (default ~/.local/share/lamina/"
                            "recognizer, or $LAMINA_DATA_HOME/recognizer)")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--token", default=None,
                       help="the token the page and API need to store drawings (default: none "
                            "on loopback; on any other address a random one, printed at start)")
    serve.add_argument("--allow-host", metavar="NAME", action="append", default=None,
                       help="a name the server answers to (Host header), beyond localhost and "
                            "the loopback addresses; repeat for more")
    serve.add_argument("--max-storage", metavar="MB", type=float, default=1024.0,
                       help="disk space the stored drawings may take, in MB (1024); then 507")
    serve.add_argument("--writes-per-minute", metavar="N", type=float, default=60.0,
                       help="drawings one client address may store per minute (60); then 429")


def _missing_web(error: ImportError) -> int:
    import sys

    print(f"lamina serve needs the web extra ({error.name} is missing): "
          "pip install 'lamina[web]'", file=sys.stderr)
    return 1


def _announce(host: str, port: int, token: str | None) -> None:
    """Print where the page is; with a token, the address that carries it (as Jupyter does)."""
    query = f"?token={token}" if token else ""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    name = f"[{shown}]" if ":" in shown else shown
    print(f"lamina: the symbol recognizer is at http://{name}:{port}/{query}", flush=True)
    print(f"lamina: the image page (denoise, upscale, colorize, inpaint) is at "
          f"http://{name}:{port}/imaging{query}", flush=True)
    if token:
        print("lamina: storing drawings needs this token: open the address above (or send "
              "'Authorization: Bearer <token>'); on another machine use this one's name or "
              "address in it", flush=True)


def _calibrate(args) -> int:
    from pathlib import Path

    from lamina.apps.recognizer.calibration import calibrate, describe, write_calibration
    from lamina.apps.recognizer.model import DEFAULT_MODEL, TRAINED_MODEL_NAME, Recognizer
    from lamina.apps.recognizer.server import default_data_dir
    from lamina.apps.recognizer.train import stored_drawings

    data_dir = Path(default_data_dir() if args.data_dir is None else args.data_dir)
    model = args.model
    if model is None:
        trained = data_dir / TRAINED_MODEL_NAME
        model = trained if trained.is_file() else DEFAULT_MODEL
    recognizer = Recognizer.load(model)
    drawings = stored_drawings(data_dir, len(recognizer.classes))
    report = calibrate(recognizer, drawings, per_class=args.per_class)
    path = write_calibration(model, report)
    print(f"lamina: {describe(report)}; written to {path}", flush=True)
    return 0


def run_recognizer_command(args) -> int | None:
    """Run ``args.command`` if it is one of ours; None otherwise."""
    import sys

    if args.command == "recognizer":
        if getattr(args, "recognizer_command", None) == "calibrate":
            return _calibrate(args)
        if getattr(args, "recognizer_command", None) != "train":
            print("usage: lamina recognizer train [--out PATH] [--with-drawings]\n"
                  "       lamina recognizer calibrate [--model PATH]", file=sys.stderr)
            return 2
        from lamina.apps.recognizer.train import train

        overrides = {name: getattr(args, name) for name in ("epochs", "n_per_class", "seed")
                     if getattr(args, name) is not None}
        train(args.out, with_drawings=args.with_drawings, data_dir=args.data_dir, **overrides)
        return 0
    if args.command == "serve":
        try:
            import uvicorn  # noqa: F401 - the web extra is there (serving.run uses it)

            from lamina.apps.recognizer.server import create_app
        except ImportError as error:
            return _missing_web(error)
        try:
            app = create_app(args.model, args.data_dir, host=args.host, token=args.token,
                             allowed_hosts=args.allow_host,
                             writes_per_minute=args.writes_per_minute,
                             max_storage=int(args.max_storage * 1024 * 1024))
        except FileNotFoundError as error:
            print(f"lamina serve: {error}", file=sys.stderr)
            return 1
        except ImportError as error:
            return _missing_web(error)
        _announce(args.host, args.port, app.state.token)
        if app.state.model_path is not None:
            print(f"lamina: the model is {app.state.model_path}", flush=True)
        from lamina.apps.recognizer.serving import run

        run(app, host=args.host, port=args.port, access_log=args.access_log)
        return 0
    return None
