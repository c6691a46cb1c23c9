"""The status bar: its messages end in "…" where they are cut, not mid-letter."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStatusBar, QWidget

MESSAGE_MARGIN = 16  # the status bar's own padding around a message (Qt's messageRect)


class ElidingStatusBar(QStatusBar):
    """A status bar whose temporary messages end in "…" when they are wider than the room
    the permanent widgets leave (at 1280 px the take keys were cut to "0 the original,
    D"): a message says its first words whole, so it says the most important first.
    :meth:`currentMessage` is the whole text, as it was shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self._message = ""  # the whole text of the message shown
        self._shown = ""  # ... as it was elided
        self._until: float | None = None  # when it goes (None: when replaced)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:
        super().addPermanentWidget(widget, stretch)
        self._permanent.append(widget)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._message = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        self._show()

    def currentMessage(self) -> str:
        shown = super().currentMessage()
        # A menu's status tip is shown by Qt itself, past showMessage: that one is whole.
        return self._message if shown and shown == self._shown else shown

    def room(self) -> int:
        """The width a message has: up to the first permanent widget shown."""
        lefts = [w.geometry().left() for w in self._permanent if w.isVisible()]
        return max(0, min(lefts, default=self.width()) - MESSAGE_MARGIN)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if self._message and super().currentMessage() == self._shown:
            self._show()

    def _show(self) -> None:
        left = 0
        if self._until is not None:
            left = max(1, round((self._until - time.monotonic()) * 1000))
        room = self.room()
        self._shown = self._message if not self.isVisible() or room <= 0 else (
            self.fontMetrics().elidedText(self._message, Qt.TextElideMode.ElideRight, room))
        super().showMessage(self._shown, left)
