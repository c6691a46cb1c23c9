"""Toolbar icons: a disabled action's icon looks disabled."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from studio.theme import DISABLED_ICON_OPACITY, icon


def opacity(ic: QIcon, mode: QIcon.Mode) -> int:
    image = ic.pixmap(QSize(20, 20), mode).toImage()
    return sum(image.pixelColor(x, y).alpha()
               for x in range(image.width()) for y in range(image.height()))


def test_a_disabled_icon_is_drawn_faded(qapp):
    """QA: Undo, Redo and Save looked the same enabled and disabled."""
    for name in ("undo", "redo", "save"):
        ic = icon(name)
        normal, disabled = opacity(ic, QIcon.Mode.Normal), opacity(ic, QIcon.Mode.Disabled)
        assert normal and disabled <= normal * (DISABLED_ICON_OPACITY + 0.05)
