"""Where Partita's shipped files are: the model weights, the demo song, the fine-tuning
config, the studio's user guide.

From a source checkout (``make setup``: an editable install) they are the checkout's own
``assets/``, ``configs/`` and ``docs/``; an installed wheel carries copies in ``engine/shipped/``
(``setup.py`` puts them there), so a non-editable install generates out of the box.
"""

from __future__ import annotations

from pathlib import Path

_ENGINE = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    root = _ENGINE.parent
    looks_like_one = (root / "pyproject.toml").is_file() and (root / "assets").is_dir()
    return root if looks_like_one else None


CHECKOUT: Path | None = _checkout()
"""The source checkout Partita runs from (its ``plugins/``, ``docs/``), else None."""

_ROOT = CHECKOUT if CHECKOUT is not None else _ENGINE / "shipped"


def shipped(*parts: str) -> Path:
    """A shipped file or folder by its path in the checkout: ``shipped("assets", "models")``."""
    return _ROOT.joinpath(*parts)
