"""The piano keyboard at the side of the roll: shows pitch names (drum names for a drum
kit, as a DAW's drum editor does) and previews a pitch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from engine.score.instruments import drum_name
from engine.score.spelling import pitch_name

from .. import theme

if TYPE_CHECKING:
    from .editor import PianoRoll

KEYBOARD_W = 64
BLACK = (1, 3, 6, 8, 10)


class Keyboard(QWidget):
    """Vertical keyboard aligned with the canvas rows; click or drag to audition pitches."""

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.vp = roll.viewport
        self.setFixedWidth(KEYBOARD_W)
        self.vp.changed.connect(self.update)
        self.pressed: int | None = None
        self.hover_pitch: int | None = None
        self._font = QFont(self.font())
        self._font.setPointSizeF(7.0)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w = self.width()
        kh = self.vp.key_h
        lo, hi = self.vp.visible_pitches()
        p.fillRect(self.rect(), theme.WINDOW)
        p.setFont(self._font)
        if self.roll.current_track_is_drum():
            self._paint_drum_rows(p, lo, hi)
            p.end()
            return
        for pitch in range(lo, hi + 1):
            y = self.vp.pitch_to_y(pitch)
            black = pitch % 12 in BLACK
            colour = QColor("#e9ebef") if not black else QColor("#1a1c20")
            if pitch == self.hover_pitch:
                colour = QColor("#bcd8f5") if not black else QColor("#34506e")
            if pitch == self.pressed:
                colour = theme.ACCENT
            row = QRectF(0, y, w, kh)
            if black:
                p.fillRect(QRectF(0, y, w, kh), QColor("#d9dce1"))
                p.fillRect(QRectF(0, y, w * 0.62, kh), colour)
            else:
                p.fillRect(row, colour)
            p.setPen(QPen(QColor("#9ea4ad"), 1))
            if pitch % 12 in (0, 5):
                p.drawLine(0, int(y + kh), w, int(y + kh))
            if pitch % 12 == 0 and kh >= 7:
                p.setPen(QColor("#3a3f47"))
                p.drawText(row.adjusted(0, 0, -4, 0),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           pitch_name(pitch))
        p.setPen(theme.BORDER)
        p.drawLine(w - 1, 0, w - 1, self.height())
        p.end()

    def _paint_drum_rows(self, p: QPainter, lo: int, hi: int) -> None:
        """A kit's keys as named rows: a black key's short body would hide its name."""
        w = self.width()
        kh = self.vp.key_h
        kit = self.roll.current_kit()  # the Orchestra kit's timpani, not toms
        for pitch in range(lo, hi + 1):
            y = self.vp.pitch_to_y(pitch)
            name = drum_name(pitch, short=True, kit=kit)
            colour = QColor("#e9ebef") if name else QColor("#c9cdd4")
            if pitch % 2:
                colour = colour.darker(104)
            if pitch == self.hover_pitch:
                colour = QColor("#bcd8f5")
            if pitch == self.pressed:
                colour = theme.ACCENT
            row = QRectF(0, y, w, kh)
            p.fillRect(row, colour)
            p.setPen(QPen(QColor("#b4b9c1"), 1))
            p.drawLine(0, int(y + kh), w, int(y + kh))
            if kh >= 7 and (name or pitch % 12 == 0):
                p.setPen(QColor("#3a3f47"))
                p.drawText(row.adjusted(3, 0, -3, 0),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           name or pitch_name(pitch))
        p.setPen(theme.BORDER)
        p.drawLine(w - 1, 0, w - 1, self.height())

    def set_hover(self, pitch: int | None) -> None:
        if pitch != self.hover_pitch:
            self.hover_pitch = pitch
            self.update()

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self._press(self.vp.y_to_pitch(e.position().y()))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self.pressed is not None:
            pitch = self.vp.y_to_pitch(e.position().y())
            if pitch != self.pressed:
                self._press(pitch)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        self.pressed = None
        self.update()

    def _press(self, pitch: int) -> None:
        self.pressed = pitch
        self.roll.preview(pitch, self.roll.current_track_id())
        self.update()

    def wheelEvent(self, e) -> None:
        self.roll.wheel(e, None, e.position().y())
