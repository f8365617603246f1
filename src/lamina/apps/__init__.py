"""Applications built on lamina. ``lamina.apps.recognizer``: draw a symbol, get its LaTeX."""
