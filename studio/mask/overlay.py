"""Drawing the mask over the piano roll and the arrangement: amber tint, hatching, edge.

The mask is a translucent hatched layer (so the notes under it stay readable) with a
solid amber edge; the area a gesture is about to paint or erase is previewed with a
dashed outline. Colours differ from the blue selection and loop on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from engine.score import Mask
from engine.score.mask_geometry import track_spans

from ..tracklist import HEADER_H, ROW_H

if TYPE_CHECKING:
    from ..arrangement import Arrangement
    from ..pianoroll.view import NoteCanvas

MASK = QColor("#ffa630")
MASK_FILL = QColor(255, 166, 48, 34)
MASK_HATCH = QColor(255, 166, 48, 70)
MASK_FAINT = QColor(255, 166, 48, 14)
ERASE = QColor("#ff6b6b")
LABEL_TEXT = QColor("#1e2126")  # the window's dark on the amber tag of a pitch band
LABEL_INSET = 3.0  # px between a clip's edge and its band tag (beyond the 1.5 px edge)
LABEL_PAD_X, LABEL_PAD_Y = 3.0, 0.0  # px around the tag's words


def _fill(p: QPainter, r: QRectF, strong: bool = True) -> None:
    p.fillRect(r, MASK_FILL if strong else MASK_FAINT)
    if strong:
        p.fillRect(r, QBrush(MASK_HATCH, Qt.BrushStyle.BDiagPattern))


def _edge(p: QPainter, r: QRectF, colour: QColor = MASK, dashed: bool = False) -> None:
    pen = QPen(colour, 1.5)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(r.adjusted(0.75, 0.75, -0.75, -0.75))


def paint_roll(p: QPainter, canvas: NoteCanvas, mask: Mask,
               preview: tuple[QRectF, bool] | None = None) -> None:
    """The mask on the piano roll: hatched where it covers an active track, a faint
    column where it covers only other tracks."""
    vp = canvas.vp
    h = canvas.height()
    active = set(canvas.roll.active_track_ids())
    faint: list[tuple[int, int]] = []
    for tid in mask.track_ids:
        for start, end, lo, hi in track_spans(mask, tid):
            x0, x1 = vp.tick_to_x(start), vp.tick_to_x(end)
            if x1 < 0 or x0 > canvas.width():
                continue
            if tid not in active:
                faint.append((start, end))
                continue
            y0 = max(-2.0, vp.pitch_to_y(hi))
            y1 = min(h + 2.0, vp.pitch_to_y(lo) + vp.key_h)
            r = QRectF(x0, y0, x1 - x0, y1 - y0)
            _fill(p, r)
            _edge(p, r)
    for start, end in set(faint):
        x0, x1 = vp.tick_to_x(start), vp.tick_to_x(end)
        p.fillRect(QRectF(x0, 0, x1 - x0, h), MASK_FAINT)
    if preview is not None:
        rect, erasing = preview
        if not erasing:
            p.fillRect(rect, MASK_FILL)
        _edge(p, rect, ERASE if erasing else MASK, dashed=True)


def band_label_rect(clip: QRectF, metrics: QFontMetricsF) -> tuple[QRectF, str] | None:
    """Where a masked pitch band's tag goes in its clip, and its text: "♪ band", or the
    note sign alone where the words do not fit (a narrow span), top right, wholly inside
    the clip; None where not even the sign fits (a thin row): never a clipped word (QA:
    the words ran out of the clip's top)."""
    height = metrics.height() + 2 * LABEL_PAD_Y
    if height > clip.height() - 2 * LABEL_INSET:
        return None
    for text in ("♪ band", "♪"):
        width = metrics.horizontalAdvance(text) + 2 * LABEL_PAD_X
        if width <= clip.width() - 2 * LABEL_INSET:
            return QRectF(clip.right() - LABEL_INSET - width, clip.top() + LABEL_INSET,
                          width, height), text
    return None


def _band_label(p: QPainter, clip: QRectF) -> None:
    """A pitch band is marked so it is not mistaken for bars: dark words on a solid amber
    tag (amber words on the hatching over a brown clip could not be read, QA)."""
    font = QFont(p.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    placed = band_label_rect(clip, QFontMetricsF(font))
    if placed is None:
        return
    rect, text = placed
    p.save()
    p.setFont(font)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(MASK)
    p.drawRoundedRect(rect, 2, 2)
    p.setPen(LABEL_TEXT)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    p.restore()


def paint_arrangement(p: QPainter, arr: Arrangement, mask: Mask,
                      preview: tuple[QRectF, bool] | None = None) -> None:
    """The mask on the arrangement: each masked track row, over the masked bars."""
    song = arr.document.song
    p.save()
    p.setClipRect(QRectF(0, HEADER_H, arr.width(), arr.height() - HEADER_H))
    for i, track in enumerate(song.tracks):
        if track.id not in mask.track_ids:
            continue
        y = HEADER_H + i * ROW_H - arr.scroll_y
        for start, end, lo, hi in track_spans(mask, track.id):
            x0, x1 = arr.x_of(start), arr.x_of(end)
            r = QRectF(x0, y + 1, max(2.0, x1 - x0), ROW_H - 3)
            _fill(p, r)
            _edge(p, r)
            if lo > 0 or hi < 127:
                _band_label(p, r)
    if preview is not None:
        rect, erasing = preview
        if not erasing:
            p.fillRect(rect, MASK_FILL)
        _edge(p, rect, ERASE if erasing else MASK, dashed=True)
    p.restore()
