"""The track list's volume and pan faders: their value said in a DAW's words ("−6.0 dB",
"L20", "C") in a tooltip that follows a drag and to a screen reader (the accessible
value), and a double-click that resets them (volume to its default, pan to the centre),
as a DAW's mixer strip does.

The volume fader is tapered in dB, as a DAW's and MuseScore's are (:func:`fader_position`,
:func:`fader_volume`); ``Track.volume`` stays the linear gain it is (MIDI CC7 = volume ×
127), so projects and MIDI files are unchanged.
"""

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

from .track_commands import (
    VOLUME_FLOOR_DB,
    VOLUME_STEP_DB,
    pan_side,
    volume_db,
    volume_text,
)

# The volume fader's taper. Its positions were the linear gain's 0–127: one step above
# the bottom was −42 dB, −6 dB sat halfway and −20 dB a tenth of the way up, so most of
# the travel held the loudest few dB. Now a position is a tenth of a dB, linear in dB
# from VOLUME_FLOOR_DB (one step above silence: the quietest level still MIDI volume 1)
# to 0 dB at the top (``Track.volume`` stops at full, so there is no +6 dB above unity):
# −6 dB at 86 % of the travel, −12 dB at 71 %, −20 dB at 52 %.
FADER_STEPS_PER_DB = 10
FADER_TOP = round(-VOLUME_FLOOR_DB * FADER_STEPS_PER_DB) + 1  # 421: 0 dB
# A click on the groove moves the fader VOLUME_STEP_DB (3 dB), as Ctrl+Alt+↑ ↓ do; a
# single step (the arrow keys, were it focused) half a dB.
FADER_PAGE_STEP = round(VOLUME_STEP_DB * FADER_STEPS_PER_DB)
FADER_SINGLE_STEP = FADER_STEPS_PER_DB // 2


def fader_db(position: int) -> float | None:
    """The level at a volume fader's ``position`` (0 … :data:`FADER_TOP`) in dB: None at
    the bottom (silence), :data:`VOLUME_FLOOR_DB` one step up, 0 dB at the top."""
    if position <= 0:
        return None
    return (min(position, FADER_TOP) - FADER_TOP) / FADER_STEPS_PER_DB


def fader_volume(position: int, now: float | None = None) -> float:
    """The ``Track.volume`` (linear gain) at ``position``. ``now``, the track's, is kept
    where the fader shows it (:func:`fader_position` of it): a level between two
    positions (MIDI volume 100 is −2.08 dB, shown at −2.1) is not rounded by a release or a
    readout that did not move it."""
    if now is not None and fader_position(now) == position:
        return now
    db = fader_db(position)
    return 0.0 if db is None else 10 ** (db / 20)


def fader_position(volume: float) -> int:
    """Where the volume fader shows ``volume``: the nearest tenth of a dB, 0 only for
    silence (a level under the floor, MIDI volume 1's −42.1 dB, shows one step up)."""
    db = volume_db(min(volume, 1.0))
    if db is None:
        return 0
    return max(1, min(FADER_TOP, FADER_TOP + round(db * FADER_STEPS_PER_DB)))


def volume_tip(position: int, now: float | None = None) -> str:
    """The volume fader's tooltip at ``position`` (``now``: the track's volume, said
    exactly where the fader shows it): "Volume −6.0 dB (64)"."""
    return f"Volume {volume_text(fader_volume(position, now))}"


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
