"""Applications built on lamina. ``lamina.apps.recognizer``: draw a symbol, get its LaTeX;
``lamina.apps.style``: neural style transfer and texture synthesis (Gatys et al.)."""
