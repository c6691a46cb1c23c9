"""Takes on screen: the A/B/C switcher bar and the preview drawn over both views.

A take is a proposal: its notes are drawn over the score as outlined, semi-transparent
notes (the notes they would replace are dimmed), never mixed up with the song's own.
The bar lists the pending takes of the latest region, after the *Original* (the song
without any take, to compare with: nothing drawn over the score, Space plays the song
as it is); one key switches (``[`` ``]``, 1–9, 0 the Original), Enter accepts (one undo
step), Delete rejects — neither does anything but say so with the Original shown. A
take whose region was edited since it was asked for carries a warning badge and asks
before it is applied; one whose model did not do as asked (notes off the key, parallels,
chorale voices from a general model: :mod:`engine.jobs.take_warnings`) is marked ⚠ too,
the warning in its tooltip; so is one that drops pitch bends with the old notes.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen, QPicture
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from engine.jobs import Take
from engine.pace import time_left
from engine.score import (
    EditGroup,
    InsertTrack,
    Note,
    Song,
    Track,
    counted,
    notes_with_tails,
    plural,
)
from engine.score.mask_geometry import describe, track_spans
from engine.tasks.requests import TITLES

from . import actions
from .arrangement import note_strokes
from .elided_label import ElidedLabel
from .pianoroll.view import MAX_LABELS, box_rects, note_label
from .theme import FocusRing
from .tracklist import HEADER_H, ROW_H

if TYPE_CHECKING:
    from .arrangement import Arrangement
    from .cocompose import CoComposer
    from .pianoroll.view import NoteCanvas

TAKE = QColor("#f4f1e8")
CONFLICT = QColor("#ff6b6b")
VEIL = QColor(20, 22, 26, 150)
PREVIEW_ROW = QColor(244, 241, 232, 14)  # the row of a track a take adds


def settings_text(take: Take, composer: CoComposer) -> str:
    """A model's own settings the take was made with, those not at the model's default
    (``" · style=funk"``, as ``--option`` writes them): two drumkit takes in different
    styles read the same otherwise."""
    # Known before the models are listed (a built-in model's): a take recovered at start
    # read "· ending=auto" until then, its model's default.
    declared = composer.catalog.declared_options(take.model)
    defaults = {o.name: o.default for o in declared}
    changed = {k: v for k, v in take.options.extra.items() if defaults.get(k, object()) != v}
    return (" · " + ", ".join(f"{k}={v}" for k, v in changed.items())) if changed else ""


def warnings_tip(take: Take) -> str:
    """The take's warnings for a tooltip: each message, then where (tracks and bars)."""
    return "\n".join(f"⚠ {w.message}" + (f"\n    {w.detail}" if w.detail else "")
                     for w in take.warnings)


class TakesBar(QWidget):
    """The strip above the piano roll: which takes exist, which one is heard, what to do."""

    listenRequested = Signal(bool)  # solo?

    def __init__(self, composer: CoComposer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.composer = composer
        self.setObjectName("TakesBar")
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFixedHeight(34)
        self.ring = FocusRing(self)  # F6 reaches the bar (studio.panes): seen
        self.title = QLabel("TAKES", self)
        self.title.setObjectName("TakesTitle")
        self.region = ElidedLabel("", self)
        self.region.setObjectName("TakesRegion")
        # No QButtonGroup: Qt lets Tab stop at one checkable button of a group only (it
        # takes Tab from the others when one gets the focus). sync() checks the one on
        # screen, also after a click on it (which would uncheck it).
        self.buttons: list[QToolButton] = []
        self.slots = QHBoxLayout()
        self.slots.setSpacing(3)
        # The song without any take, first as [ from take A reaches it: a take button.
        self.original = QToolButton(self)
        self.original.setObjectName("TakeButton")
        self.original.setText("Original")
        self.original.setCheckable(True)
        self.original.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.original.setAccessibleName("Original, the song without any take")
        self.original.setToolTip("The song without any take, to compare with them (0; [ "
                                 "from take A): the takes wait")
        self.original.clicked.connect(lambda: composer.show_original())
        self.original.clicked.connect(lambda: self.sync())
        self.slots.addWidget(self.original)
        self.badge = QLabel("", self)
        self.badge.setObjectName("ConflictBadge")
        self.badge.hide()
        self.listen = QPushButton("▶ In Context", self)
        self.solo = QPushButton("▶ Solo", self)
        self.accept_button = QPushButton("✓ Accept", self)
        self.accept_button.setObjectName("Primary")
        self.accept_button.setToolTip("Apply this take as one undo step (Enter)")
        self.reject_button = QPushButton("✕ Reject", self)
        self.reject_button.setToolTip("Drop this take (Delete / Backspace)")
        # Screen readers read the names, not the glyphs (▶ ✓ ✕).
        for w, name in ((self.listen, "Play take in context"), (self.solo, "Play take solo"),
                        (self.accept_button, "Accept take"),
                        (self.reject_button, "Reject take")):
            w.setAccessibleName(name)
        self.hint = ElidedLabel("No takes yet — paint a mask (M), then Repaint (Ctrl+R)",
                                self)
        self.hint.setObjectName("TakesHint")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        row.setSpacing(6)
        row.addWidget(self.title)
        row.addLayout(self.slots)
        row.addWidget(self.region, 1)
        row.addWidget(self.badge)
        row.addWidget(self.hint, 1)
        # Tab reaches the buttons while the bar shows them (keyboard QA: it never did); a
        # click does not take the focus from the piano roll (keys.tab_focus_controls), and
        # Enter presses the one tabbed to.
        for w in (self.listen, self.solo, self.accept_button, self.reject_button):
            w.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            w.setAutoDefault(True)
            row.addWidget(w)
        self.listen.clicked.connect(lambda: self.listenRequested.emit(False))
        self.solo.clicked.connect(lambda: self.listenRequested.emit(True))
        self.accept_button.clicked.connect(lambda: composer.accept())
        self.reject_button.clicked.connect(lambda: composer.reject())
        composer.takesChanged.connect(self.sync)  # the composer re-emits every song edit
        # The hint follows the mask too (a recovered mask left "paint a mask").
        composer.document.maskChanged.connect(self.sync)
        # The request's time left follows the running job's progress, once a second at
        # most (a model reports up to hundreds of steps a second).
        self._hint_shown = 0.0
        composer.bridge.progress.connect(self._progressed)
        self.sync()

    def _order_tabs(self) -> None:
        """Tab goes through the bar left to right: Original, the takes, then the actions
        (a take's button, made later, came after ✕ Reject)."""
        chain = [self.original, *self.buttons, self.listen, self.solo, self.accept_button,
                 self.reject_button]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    def _progressed(self) -> None:
        now = time.monotonic()
        if self.hint.isVisible() and now - self._hint_shown >= 1.0:
            self._hint_shown = now
            self.hint.setText(self.hint_text())

    def sync(self) -> None:
        c = self.composer
        s = c.active_set()
        pending = s.pending() if s else []
        while len(self.buttons) > len(pending):
            b = self.buttons.pop()
            b.deleteLater()
        while len(self.buttons) < len(pending):
            i = len(self.buttons)
            b = QToolButton(self)
            b.setObjectName("TakeButton")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.clicked.connect(lambda _c=False, i=i: c.select(i))
            b.clicked.connect(lambda: self.sync())
            self.slots.addWidget(b)
            self.buttons.append(b)
            self._order_tabs()
        current = c.preview_take()
        original = c.original_shown()
        for i, (b, take) in enumerate(zip(self.buttons, pending, strict=True)):
            conflict = c.conflicts(take)
            warned = bool(take.warnings)  # the model did not do as asked (off the key, …)
            recorded = take.task == "record"  # a loop pass: "Pass 2", not a letter
            name = c.take_name(take)
            b.setText((name if recorded else s.letter(take.id))
                      + (" ⚠" if conflict or warned else ""))
            b.setAccessibleName(name
                                + (", edited since" if conflict else "")
                                + (", with a warning" if warned else ""))
            b.setChecked(current is not None and take.id == current.id)
            b.setProperty("conflict", conflict)
            b.setProperty("warned", warned)
            made = ("played" if recorded else f"{take.model}{settings_text(take, c)}, seed "
                                              f"{take.options.seed}")
            b.setToolTip(f"{name}: {plural(take.note_count, 'note')}, {made} "
                         f"({i + 1} / [ ] to switch)"
                         + ("\n⚠ its region was edited since: accepting asks first"
                            if conflict else "")
                         + (f"\n{warnings_tip(take)}" if warned else ""))
            b.style().unpolish(b)
            b.style().polish(b)
        self.original.setChecked(original)
        has = current is not None or original
        for w in (self.original, self.listen, self.solo, self.accept_button,
                  self.reject_button, self.region):
            w.setVisible(has)
        # With the Original shown there is no take to apply or drop (Enter and Delete say so).
        for w in (self.accept_button, self.reject_button):
            w.setEnabled(not original)
        self.listen.setToolTip(actions.tip_with_key(
            "Hear the song as it is, without the takes" if original
            else "Hear the take with the rest of the song", "play"))
        self.solo.setToolTip(actions.tip_with_key(
            "Hear the tracks the take writes as they are now" if original
            else "Hear only the tracks the take writes", "play_take_solo"))
        self.hint.setVisible(not has)
        self.hint.setText(self.hint_text())
        current = current or c.selected_take()  # the Original's: its region's request
        if has and current is not None:
            song = c.document.song
            if current.prep:  # new tracks: name them as the take will
                song = EditGroup(current.prep).apply(current.base_song)
            new = [e.track.name for e in current.prep if isinstance(e, InsertTrack)]
            text = f"{c.request_label(current)} · {describe(current.write_mask, song)}"
            if new:
                text += " · new: " + ", ".join(new)
            waiting = sum(len(c.takes.sets[m].pending()) for m in c.waiting_regions())
            if waiting:  # takes of other regions must not be forgotten
                text += f" · +{waiting} elsewhere (Ctrl+])"
            self.region.setText(text)
            conflict = not original and c.conflicts(current)
            self.badge.setVisible(conflict)
            self.badge.setText("⚠ Edited since this take was made" if conflict else "")
        else:
            self.badge.hide()

    def hint_text(self) -> str:
        """What the bar says when no take is on screen: what is coming, or what to do."""
        c = self.composer
        if c.deferred is not None:
            return (f"Loading models… {TITLES[c.deferred]} starts when they are ready "
                    "(Ctrl+. cancels)")
        if c.jobs_in_flight:
            left = c.time_left()
            about = f" about {time_left(max(1.0, left))} left" if left is not None else ""
            return f"Computing {plural(c.jobs_in_flight, 'take')}…{about} (Ctrl+. cancels)"
        others = c.waiting_regions()
        if others:
            n = sum(len(c.takes.sets[m].pending()) for m in others)
            where = "another region" if len(others) == 1 else f"{len(others)} other regions"
            return (f"{counted(n, 'take', 'wait')} in {where}: Generate ▸ Show Takes of "
                    "Next Region (Ctrl+])")
        if not c.document.song.note_count:  # nothing to mask yet: the other way in
            return ("Empty song — Compose (Ctrl+Shift+N) writes a new piece, or draw notes "
                    "with the brush (B) or a double-click")
        if not c.document.mask.is_empty:  # painted already: the next step, not the first
            return ("No takes on screen — Repaint (Ctrl+R) rewrites the mask, Esc Esc "
                    "clears it")
        return "No takes yet — paint a mask (M), then Repaint (Ctrl+R)"

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.composer.reject()
        elif e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.composer.accept()
        else:
            super().keyPressEvent(e)


# -- preview painters (registered as overlays on the views) ------------------------------------
def new_tracks(take: Take | None) -> tuple[Track, ...]:
    """The tracks a take adds (Compose, or Harmonize with new instruments), in order: they
    are in no song until the take is accepted, so the views draw them as preview rows."""
    if take is None:
        return ()
    return tuple(e.track for e in take.prep if isinstance(e, InsertTrack))


def take_end(take: Take | None) -> int:
    """The last tick ``take`` draws: its region's end or its last note's, whichever is
    later (0 without one). A Continue take's bars lie past the song's end: the views span
    them while it is on screen (:func:`extent_of`)."""
    if take is None:
        return 0
    ends = [n.end for notes in take.notes.values() for n in notes]
    return max([take.mask.span[1], *ends])


def extent_of(composer: CoComposer):
    """For the views' ``extents``: the end of the take on screen, kept per take (the
    arrangement asks at every paint, the take may have thousands of notes)."""
    seen: list[tuple[int, int]] = []

    def extent() -> int:
        take = composer.preview_take()
        if take is None:
            return 0
        if not seen or seen[0][0] != take.id:
            seen[:] = [(take.id, take_end(take))]
        return seen[0][1]

    return extent


def emphasised(take: Take, active: set[int]) -> set[int]:
    """The tracks of ``take`` the piano roll draws strongly: the active (selected) ones it
    writes, or, when it writes none of them — a harmonize take heard with its melody
    selected — all it writes (they were faint dotted outlines, hard to read)."""
    written = set(take.notes)
    return written & active or written


def drum_hits(take: Take, song: Song, active: set[int]) -> list[Note]:
    """The hits of a drum take as the piano roll draws them strongly (:func:`emphasised`),
    for it to scroll to their rows as they arrive; none when it writes a pitched track
    there too (its rows are the pitched part's)."""
    known = {t.id: t for t in (*song.tracks, *new_tracks(take))}
    tracks = [known[tid] for tid in emphasised(take, active) if tid in known]
    if not tracks or not all(t.is_drum for t in tracks):
        return []
    return [n for t in tracks for n in take.notes[t.id]]


def _take_and_colour(composer: CoComposer) -> tuple[Take | None, QColor]:
    take = composer.preview_take()
    if take is None:
        return None, TAKE
    return take, CONFLICT if composer.conflicts(take) else TAKE


def roll_painter(composer: CoComposer):
    """An overlay for the piano roll canvas: the previewed take's notes, outlined.

    Each (take, track)'s notes are kept as arrays, so a paint selects the visible ones and
    builds their rectangles vectorised: this overlay repaints with every scroll step and
    progress event while a take of thousands of notes is on screen."""
    columns: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # per track
    drawn: dict[int, tuple[Note, ...]] = {}  # per track: its notes, the kept tails too
    shown: list[tuple[int, int]] = []  # (take id, song revision) they were made for

    def arrays(tid: int) -> tuple[np.ndarray, ...]:
        if tid not in columns:
            notes = drawn[tid]
            columns[tid] = (np.array([n.start for n in notes], np.float64),
                            np.array([n.end for n in notes], np.float64),
                            np.array([n.pitch for n in notes], np.float64))
        return columns[tid]

    def paint(p: QPainter, canvas: NoteCanvas) -> None:
        take, colour = _take_and_colour(composer)
        if take is None:
            columns.clear()
            drawn.clear()
            shown.clear()
            return
        stamp = (take.id, canvas.roll.document.revision)
        if shown != [stamp]:  # only the take on screen is kept, as the song is now
            # As accepting it writes them: a replaced note sounding on past the region
            # keeps that part (its tail), drawn with the take (every track's at once).
            columns.clear()
            drawn.clear()
            drawn.update(notes_with_tails(canvas.roll.document.song, take.write_mask,
                                          take.notes))
            shown[:] = [stamp]
        song = canvas.roll.document.song
        known = {t.id: t for t in (*song.tracks, *new_tracks(take))}
        strong_ids = emphasised(take, set(canvas.roll.active_track_ids()))
        vp = canvas.vp
        labelled: list[tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        p.save()
        for tid in take.notes:
            if tid not in known:
                continue
            strong = tid in strong_ids
            if strong:
                for start, end, lo, hi in track_spans(take.write_mask, tid):
                    y0 = max(0.0, vp.pitch_to_y(hi))
                    y1 = min(float(canvas.height()), vp.pitch_to_y(lo) + vp.key_h)
                    p.fillRect(QRectF(vp.tick_to_x(start), y0,
                                      vp.tick_to_x(end) - vp.tick_to_x(start), y1 - y0), VEIL)
            fill = QColor(known[tid].colour).lighter(125)
            fill.setAlpha(150 if strong else 40)
            edge = QColor(colour)
            edge.setAlpha(235 if strong else 110)
            pen = QPen(edge, 1.6 if strong else 1.0)
            if not strong:
                pen.setStyle(Qt.PenStyle.DotLine)
            p.setPen(pen)
            p.setBrush(fill)
            start, end, pitch = arrays(tid)
            seen = (end >= vp.left) & (start <= vp.right)
            ppt = vp.px_per_tick
            x = (start[seen] - vp.left) * ppt + 0.5
            y = (127 - pitch[seen]) * vp.key_h - vp.top + 1.5
            w = np.maximum(3.0, (end[seen] - start[seen]) * ppt) - 1.0
            p.drawRects(box_rects(x, y, w, vp.key_h - 2))
            if strong:
                labelled.append((known[tid].is_drum, x, y, w, pitch[seen], start[seen]))
        _paint_labels(p, canvas, labelled)
        s, _ = composer.takes.find(take.id)
        x = max(4.0, vp.tick_to_x(take.mask.span[0]) + 4)
        tag = (f"{composer.take_name(take).upper()} · recorded" if take.task == "record" else
               f"TAKE {s.letter(take.id)} · {take.model}{settings_text(take, composer)}"
               + (" ⚠" if take.warnings else ""))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        width = p.fontMetrics().horizontalAdvance(tag) + 12
        p.drawRoundedRect(QRectF(x, 4, width, 17), 3, 3)
        p.setPen(QColor("#1e2126"))
        p.drawText(QRectF(x, 4, width, 17), Qt.AlignmentFlag.AlignCenter, tag)
        p.restore()

    return paint


def _paint_labels(p: QPainter, canvas: NoteCanvas,
                  labelled: list[tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                       np.ndarray]],
                  ) -> None:
    """The take's notes named as the score's are (wide enough, rows tall enough): the
    names of the notes they replace are not drawn under them (:func:`unlabelled_spans`);
    in a song with spellings of its own, a black key as its neighbours spell it (the
    melody's B♭ ⇒ the alto's B♭: :class:`~engine.score.note_names.NoteNames`)."""
    vp = canvas.vp
    if vp.key_h < 12:
        return
    key = canvas.roll.document.song.key_at(max(0, vp.left))
    names = canvas.note_names()
    named = [(drum, x[i], y[i], w[i], int(pitch[i]), int(start[i]))
             for drum, x, y, w, pitch, start in labelled for i in np.nonzero(w >= 26)[0]]
    if not named or len(named) >= MAX_LABELS:
        return
    p.setFont(canvas.label_font)
    p.setPen(QColor(0, 0, 0, 210))
    for drum, x, y, w, pitch, start in named:
        p.drawText(QRectF(x + 2.5, y, w - 4.5, vp.key_h - 2), Qt.AlignmentFlag.AlignVCenter,
                   names.name_at(pitch, start) if names.spelt and not drum
                   else note_label(pitch, key, drum))


def unlabelled_spans(composer: CoComposer):
    """For :attr:`NoteCanvas.unlabelled`: the spans the take on screen veils (those of the
    tracks it draws strongly), where the song's notes go unnamed — their names read as the
    take's notes'."""
    kept: dict[tuple, tuple[tuple[int, int, int, int], ...]] = {}

    def spans(canvas: NoteCanvas) -> tuple[tuple[int, int, int, int], ...]:
        take = composer.preview_take()
        if take is None:
            return ()
        strong = emphasised(take, set(canvas.roll.active_track_ids()))
        stamp = (take.id, tuple(sorted(strong)))
        if stamp not in kept:
            kept.clear()
            kept[stamp] = tuple((start, end, lo, hi) for tid in sorted(strong)
                                for start, end, lo, hi in track_spans(take.write_mask, tid))
        return kept[stamp]

    return spans


def arrangement_painter(composer: CoComposer):
    """An overlay for the arrangement: the previewed take's notes as outlined strokes.

    The strokes of each (take, track) are recorded once per scale and colour as a
    ``QPicture`` in row coordinates: a take over a long region has thousands of notes, and
    this overlay repaints with every job progress event and every playhead move.
    """
    pictures: dict[tuple[int, int], tuple[tuple, QPicture]] = {}

    def strokes(take: Take, track_id: int, notes: tuple, scale: float,
                colour: QColor) -> QPicture:
        key = (scale, colour.rgba())
        hit = pictures.get((take.id, track_id))
        if hit is not None and hit[0] == key:
            return hit[1]
        picture = note_strokes(notes, scale, QPen(colour, 1.6), min_px=1.5)
        pictures[(take.id, track_id)] = (key, picture)
        return picture

    def paint(p: QPainter, arr: Arrangement) -> None:
        take, colour = _take_and_colour(composer)
        if take is None:
            pictures.clear()
            return
        for stale in [k for k in pictures if k[0] != take.id]:
            del pictures[stale]  # only the take on screen is kept
        tracks = arr.document.song.tracks
        added = new_tracks(take)
        scale = arr.px_per_tick
        p.save()
        p.setClipRect(QRectF(0, HEADER_H, arr.width(), arr.height() - HEADER_H))
        for i, track in enumerate((*tracks, *added)):
            notes = take.notes.get(track.id)
            if notes is None:
                continue
            y = HEADER_H + i * ROW_H - arr.scroll_y
            if y > arr.height() or y + ROW_H < HEADER_H:
                continue
            if i >= len(tracks):  # a row the take adds: marked as not yet in the song
                p.fillRect(QRectF(0, y, arr.width(), ROW_H - 1), PREVIEW_ROW)
            for start, end, _lo, _hi in track_spans(take.write_mask, track.id):
                r = QRectF(arr.x_of(start), y + 2, arr.x_of(end) - arr.x_of(start), ROW_H - 5)
                p.fillRect(r, VEIL)
                p.setPen(QPen(colour, 1.2, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(r)
            if notes:
                p.drawPicture(0, int(y), strokes(take, track.id, notes, scale, colour))
        p.restore()

    return paint
