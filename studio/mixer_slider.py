"""The track list's volume and pan faders: their value said in a DAW's words ("−6.0 dB",
"L20", "C") in a tooltip that follows a drag, and a double-click that resets them (volume
to its default, pan to the centre), as a DAW's mixer strip does."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QToolTip, QWidget

from .track_commands import volume_text


def volume_tip(value: int) -> str:
    """The volume fader's tooltip at ``value`` (of 0–127): "Volume −6.0 dB (64)"."""
    return f"Volume {volume_text(value / 127)}"


def pan_side(value: int) -> str:
    """A pan of −64 … +64 as a DAW's mixer shows it: "L20", "C", "R64"."""
    return "C" if value == 0 else f"{'L' if value < 0 else 'R'}{abs(value)}"


def pan_tip(value: int) -> str:
    """The pan fader's tooltip at ``value``: "Pan L20"."""
    return f"Pan {pan_side(value)}"


class MixerSlider(QSlider):
    """A horizontal fader whose tooltip says its value (``said``, with ``hint`` on a line
    below it) and shows beside the handle while it is dragged, so the row stays compact
    and the level is in sight as it moves. Emits ``pressed`` at every press (before it
    moves the handle) and ``reset_requested`` at a double-click, which moves nothing
    itself: the owner sets the default, as one undo step."""

    pressed = Signal()
    reset_requested = Signal()

    def __init__(self, minimum: int, maximum: int, said: Callable[[int], str], hint: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(minimum, maximum)
        self._said = said
        self._hint = hint
        self.valueChanged.connect(self._show_value)
        self.sliderPressed.connect(lambda: self._show_value(self.value()))

    def tip(self, value: int | None = None) -> str:
        """The tooltip at ``value`` (the fader's own when None)."""
        return f"{self._said(self.value() if value is None else value)}\n{self._hint}"

    def set_quietly(self, value: int) -> None:
        """Show ``value`` (the song's) without emitting a change."""
        was = self.blockSignals(True)
        self.setValue(value)
        self.blockSignals(was)
        self.setToolTip(self.tip())

    def _show_value(self, value: int) -> None:
        self.setToolTip(self.tip(value))
        if self.isSliderDown():  # dragged: the value follows the handle
            QToolTip.showText(self.mapToGlobal(self._handle_centre()), self._said(value),
                              self)

    def _handle_centre(self) -> QPoint:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        return QPoint(handle.center().x(), handle.top())

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self.pressed.emit()
        super().mousePressEvent(e)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        # Not the base class's: it takes a double-click for a second press, one more page
        # step on the groove.
        if e.button() == Qt.MouseButton.LeftButton:
            self.reset_requested.emit()
            e.accept()
        else:
            super().mouseDoubleClickEvent(e)
