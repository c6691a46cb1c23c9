"""A one-line label that ends in "…" where it is too narrow, its whole text in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def elided_list(names: list[str], metrics: QFontMetrics, width: int, noun: str) -> str:
    """``names`` joined by commas where they fit in ``width`` pixels; else as many of the
    first as fit, then "…" and how many there are: "Violin I, Violin II, … (24 tracks)"
    (cut at the end instead, the count of a large selection was what went)."""
    whole = ", ".join(names)
    if len(names) < 2 or metrics.horizontalAdvance(whole) <= width:
        return whole
    count = f"… ({len(names)} {noun}s)"
    shown = names[0]  # one name at least, however narrow
    for k in range(2, len(names)):
        more = ", ".join(names[:k])
        if metrics.horizontalAdvance(f"{more}, {count}") > width:
            break
        shown = more
    return f"{shown}, {count}"


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its room is narrow, its whole text in the
    tooltip: the takes bar's hints and region held the window 1,100 px wide, and a Jobs
    row's title and region pushed its ✕ out of the panel.

    With ``most`` (pixels) it asks for its text's width up to that, and gives it up to
    nothing where a window is narrower: a status bar's permanent label, laid out at its
    size, would otherwise widen the window to its whole text (24 selected tracks' names
    held it 2,099 px wide)."""

    def __init__(self, text: str, parent: QWidget | None = None,
                 most: int | None = None) -> None:
        super().__init__(text, parent)
        self.most = most
        self.setSizePolicy(QSizePolicy.Policy.Ignored if most is None
                           else QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setToolTip(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return hint if self.most is None else QSize(min(hint.width(), self.most),
                                                    hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, e: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             rect.width())
        self.style().drawItemText(QPainter(self), rect, int(self.alignment()), self.palette(),
                                  self.isEnabled(), text, self.foregroundRole())
