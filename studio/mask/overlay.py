"""Drawing the mask over the piano roll and the arrangement: amber tint, hatching, edge.

The mask is a translucent hatched layer (so the notes under it stay readable) with a
solid amber edge; the area a gesture is about to paint or erase is previewed with a
dashed outline. Colours differ from the blue selection and loop on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

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
            # A pitch band is marked so it is not mistaken for bars; where the words do not
            # fit (a narrow span), the note sign alone, else nothing: never a clipped word.
            if lo > 0 or hi < 127:
                room = r.width() - 6
                label = next((t for t in ("♪ band", "♪") if p.fontMetrics().horizontalAdvance(t)
                              <= room), None)
                if label:
                    p.setPen(MASK)
                    p.drawText(r.adjusted(4, 2, -2, -2), Qt.AlignmentFlag.AlignTop
                               | Qt.AlignmentFlag.AlignRight, label)
    if preview is not None:
        rect, erasing = preview
        if not erasing:
            p.fillRect(rect, MASK_FILL)
        _edge(p, rect, ERASE if erasing else MASK, dashed=True)
    p.restore()
