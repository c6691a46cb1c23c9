"""The track list's volume and pan faders: their value said in a DAW's words ("−6.0 dB",
"L20", "C") in a tooltip that follows a drag and to a screen reader (the accessible
value), and a double-click that resets them (volume to its default, pan to the centre),
as a DAW's mixer strip does."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleInterface,
    QAccessibleValueChangeEvent,
    QMouseEvent,
)
from PySide6.QtWidgets import (
    QAccessibleWidget,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolTip,
    QWidget,
)

from .track_commands import pan_side, volume_text


def volume_tip(value: int) -> str:
    """The volume fader's tooltip at ``value`` (of 0–127): "Volume −6.0 dB (64)"."""
    return f"Volume {volume_text(value / 127)}"


def pan_tip(value: int) -> str:
    """The pan fader's tooltip at ``value``: "Pan L20"."""
    return f"Pan {pan_side(value)}"


class _SaidValue(QAccessibleWidget):
    """A fader as a screen reader hears it: its value in its own words ("−6.0 dB (64)",
    "L20"), not Qt's bare number ("64", "-20": which end is left?)."""

    def __init__(self, slider: MixerSlider) -> None:
        super().__init__(slider, QAccessible.Role.Slider)
        self._slider = slider

    def text(self, t: QAccessible.Text) -> str:
        if t == QAccessible.Text.Value:
            return self._slider.said()
        return super().text(t)


def _accessible(_key: str, obj: QObject) -> QAccessibleInterface | None:
    return _SaidValue(obj) if isinstance(obj, MixerSlider) else None


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

    def said(self, value: int | None = None) -> str:
        """The value in words ("Volume −6.0 dB (64)", "Pan L20"): the fader's own when
        None."""
        return self._said(self.value() if value is None else value)

    def tip(self, value: int | None = None) -> str:
        """The tooltip at ``value`` (the fader's own when None)."""
        return f"{self._said(self.value() if value is None else value)}\n{self._hint}"

    def set_quietly(self, value: int) -> None:
        """Show ``value`` (the song's) without emitting a change."""
        was = self.blockSignals(True)
        self.setValue(value)
        self.blockSignals(was)
        self.setToolTip(self.tip())
        # A change from the keyboard (Ctrl+Alt+↑, Ctrl+Alt+0) comes this way: said too.
        QAccessible.updateAccessibility(QAccessibleValueChangeEvent(self, value))

    def _show_value(self, value: int) -> None:
        self.setToolTip(self.tip(value))
        QAccessible.updateAccessibility(QAccessibleValueChangeEvent(self, value))
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


QAccessible.installFactory(_accessible)  # every MixerSlider says its value in words
