"""The window's size on the screen it opens on, and how its height is shared.

A laptop's 1280×720 (or a 2560×1440 screen at 200 %) is smaller than the size the
studio was laid out at: the window, its dialogs and the piano roll's share are fitted to
the screen rather than fixed in pixels."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1500, 920)  # the first window, on a screen with room for it
SCREEN_SHARE = 0.9  # at most this much of the screen's width and height (the frame fits)
# The track list and arrangement above the piano roll: this share of the height between
# the toolbar and the status bar, at most TOP_MOST px (five tracks) — on a short screen
# the piano roll gets the most (an octave and more), on a tall one all the rest.
TOP_SHARE = 0.36
TOP_MOST = 300


def available(widget: QWidget) -> QRect:
    """The available geometry (no task bar) of the screen ``widget`` is on, or opens on."""
    screen = (QGuiApplication.screenAt(widget.geometry().center()) or widget.screen()
              or QGuiApplication.primaryScreen())
    return screen.availableGeometry()


def fitted(current: QRect, room: QRect, share: float = SCREEN_SHARE) -> QRect:
    """``current`` as it is when it fits inside ``room``; else at most ``share`` of the
    room's width and height, centred in it."""
    if room.contains(current):
        return QRect(current)
    size = current.size().boundedTo(QSize(int(room.width() * share),
                                          int(room.height() * share)))
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(room.center())
    return rect


def fit_to_screen(widget: QWidget, share: float = SCREEN_SHARE) -> None:
    """Shrink and centre a window that would not fit the screen it opens on; one that
    fits keeps its size and place. Before it is shown its frame is unknown: the share
    leaves room for it."""
    rect = fitted(widget.geometry(), available(widget), share)
    if rect != widget.geometry():
        widget.resize(rect.size())
        widget.move(rect.topLeft())


def top_height(total: int) -> int:
    """The height of the pane above the piano roll when both share ``total`` px."""
    return min(TOP_MOST, round(total * TOP_SHARE))
