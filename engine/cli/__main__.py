"""``python -m engine.cli`` (used under ``torchrun -m engine.cli train …``)."""

from engine.cli import main

raise SystemExit(main())
