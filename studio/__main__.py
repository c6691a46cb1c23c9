"""``python -m studio``: the same as ``partita studio``."""

from .app import main

raise SystemExit(main())
