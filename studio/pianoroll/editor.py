"""The piano-roll editor: assembles ruler, keyboard, canvas, velocity lane and scroll bars.

It edits the *active* tracks (the ones selected in the track list) and shows every
other track ghosted behind them. All changes go to the document as engine edits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMenu,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from engine.score import Edit, EditError, Note, plural
from engine.score.overlaps import make_room
from engine.score.snap import DEFAULT_SNAP, Snap, snap_by_name, snap_tick

from ..document import Document
from ..selection import Selection
from .controllers import LANES, VELOCITY, ControllerLane, LaneKind
from .keyboard import KEYBOARD_W, Keyboard
from .noteindex import NoteIndex
from .ruler import Ruler
from .tools import Tool
from .velocity import VelocityLane, lane_height
from .view import NoteCanvas
from .viewport import Viewport, qt_int

ZOOM_STEP = 1.25
HITS_SHOWN = 0.9  # drum rows on screen holding this share of the most they could: stay
KIT_CORE = (36, 49)  # an empty kit's rows shown: Kick (Bass Drum 1) up to Crash Cymbal 1


class PianoRoll(QWidget):
    """Piano roll for the selected track(s). Signals report what the window should act on."""

    previewRequested = Signal(int, int)  # pitch, track id (-1: none)
    seekRequested = Signal(int)
    loopDragged = Signal(int, int)
    loopToggled = Signal()
    markerAddRequested = Signal(int)  # tick
    markerEditRequested = Signal(int)  # tick of the marker(s) to rename or delete
    chordEditRequested = Signal(int, QPoint)  # tick, and where its editor opens (global)
    chordDeleteRequested = Signal(int)  # tick
    hovered = Signal(int, int)
    message = Signal(str)
    toolChanged = Signal(object)
    snapChanged = Signal(object)
    laneChanged = Signal(object)  # the LaneKind shown under the notes

    def __init__(self, document: Document, selection: Selection,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.index = NoteIndex()
        self.viewport = Viewport(document.song.ppq, self)
        self.tool = Tool.SELECT
        self.snap: Snap = snap_by_name(DEFAULT_SNAP)
        self.note_length = document.song.ppq // 4
        self._length_used = False  # the Brush's length came from a note drawn or resized
        self._length_snap: Snap | None = None  # the grid that note was drawn or resized on
        self._ppq = document.song.ppq
        self.draw_velocity = 96
        self.playhead = 0
        self.loop: tuple[int, int, bool] = (0, 0, False)
        # Ticks the canvas's overlays reach past the song (the take on screen): scrollable.
        self.extents: list[Callable[[], int]] = []

        self.ruler = Ruler(self)
        self.keyboard = Keyboard(self)
        self.canvas = NoteCanvas(self)
        self.velocity = VelocityLane(self)
        self.controllers = ControllerLane(self)
        self.controllers.hide()
        self.lane: LaneKind = VELOCITY
        # Painted widgets say what they are to screen readers (they expose no children).
        for widget, name, what in (
                (self.ruler, "Ruler", "Section markers, bar numbers, meter and tempo; "
                                      "click to move the playhead, drag to set the loop"),
                (self.keyboard, "Keyboard", "Pitches; click a key to hear it"),
                (self.canvas, "Piano roll", "The selected tracks' notes; B draws, P selects, "
                                            "M paints the mask"),
                (self.velocity, "Velocity lane", "One stem per note; drag to set velocities"),
                (self.controllers, "Controller lane",
                 "The current track's pitch bend, sustain pedal or mod wheel; drag to draw, "
                 "right-drag to erase")):
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(what)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.vbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.ruler.sync_height()
        corner = self._corner = QLabel("", self)
        corner.setFixedSize(KEYBOARD_W, self.ruler.height())
        corner.setStyleSheet("background:#262a30;")
        # The lane's selector, where the keyboard ends: what the lane shows, as a DAW's
        # controller lane names its controller (View ▸ Controller Lane, Ctrl+Alt+V).
        lane_button = self.lane_button = QToolButton(self)
        lane_button.setFixedWidth(KEYBOARD_W)
        # As tall as the lane beside it, which sets the row's height (lane_height()).
        lane_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        lane_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        lane_button.setToolTip("What the lane under the notes shows: velocity, pitch bend, "
                               "sustain pedal or mod wheel (Ctrl+Alt+V)")
        lane_button.setAccessibleName("Controller lane choice")
        lane_button.setStyleSheet("QToolButton{background:#262a30; color:#8b929c; "
                                  "font-size:10px; border:none;}"
                                  "QToolButton::menu-indicator{image:none;}")
        menu = QMenu(lane_button)
        for kind in LANES:
            action = menu.addAction(kind.title)
            action.setCheckable(True)
            action.setData(kind.name)
            action.triggered.connect(lambda _on=False, k=kind: self.set_lane(k))
        menu.aboutToShow.connect(lambda: [a.setChecked(a.data() == self.lane.name)
                                          for a in menu.actions()])
        lane_button.setMenu(menu)
        lane_button.setText(self._lane_text(VELOCITY))
        for w in (self.ruler, self.velocity, self.controllers, self.hbar, self.vbar,
                  lane_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.keyboard, 1, 0)
        grid.addWidget(self.canvas, 1, 1)
        grid.addWidget(self.vbar, 1, 2)
        grid.addWidget(lane_button, 2, 0)
        grid.addWidget(self.velocity, 2, 1)
        grid.addWidget(self.controllers, 2, 1)
        grid.addWidget(self.hbar, 3, 1)

        self.ruler.seekRequested.connect(self.seekRequested)
        self.ruler.loopDragged.connect(self.loopDragged)
        self.ruler.loopToggled.connect(self.loopToggled)
        self.ruler.markerAddRequested.connect(self.markerAddRequested)
        self.ruler.markerEditRequested.connect(self.markerEditRequested)
        self.ruler.chordEditRequested.connect(self.chordEditRequested)
        self.ruler.chordDeleteRequested.connect(self.chordDeleteRequested)
        self.canvas.hovered.connect(self._on_hover)
        self.hbar.valueChanged.connect(lambda v: self.viewport.set_left(float(v)))
        self.vbar.valueChanged.connect(lambda v: self.viewport.set_top(float(v)))
        self.viewport.changed.connect(self._sync_scrollbars)
        document.songChanged.connect(self._on_song_changed)
        document.maskChanged.connect(self.canvas.update)
        selection.tracksChanged.connect(self.refresh)
        selection.notesChanged.connect(self.refresh)
        self._on_song_changed()

    # -- state ---------------------------------------------------------------------------------
    def active_track_ids(self) -> list[int]:
        known = {t.id for t in self.document.song.tracks}
        return [t for t in self.selection.track_ids if t in known]

    def current_track_id(self) -> int | None:
        ids = self.active_track_ids()
        return ids[0] if ids else None

    def current_track_is_drum(self) -> bool:
        """Whether the track the keyboard and note labels speak for is a drum kit."""
        return self.current_kit() is not None

    def current_kit(self) -> int | None:
        """The kit (its GM2 program: ``drum_name``'s ``kit``) of the track the keyboard
        and note labels speak for, None when it is no drum track."""
        tid = self.current_track_id()
        return next((t.program for t in self.document.song.tracks
                     if t.id == tid and t.is_drum), None)

    def selected(self) -> dict[int, list[Note]]:
        """Selected notes of the active tracks, per track."""
        active = set(self.active_track_ids())
        return {tid: notes for tid, notes in self.selection.selected_notes(
            self.document.song).items() if tid in active}

    def set_tool(self, tool: Tool) -> None:
        if tool is not self.tool:
            self.tool = tool
            self.toolChanged.emit(tool)

    @staticmethod
    def _lane_text(kind: LaneKind) -> str:
        return {"Pitch Bend": "Pitch\nBend ▾", "Sustain Pedal": "Sustain\nPedal ▾",
                "Mod Wheel": "Mod\nWheel ▾"}.get(kind.title, f"{kind.title} ▾")

    def set_lane(self, kind: LaneKind) -> None:
        """Show ``kind`` in the lane under the notes: the velocity stems or a controller."""
        if kind is self.lane:
            return
        self.velocity.cancel_gesture()
        self.lane = kind
        self.controllers.set_kind(kind)
        self.velocity.setVisible(kind is VELOCITY)
        self.controllers.setVisible(kind is not VELOCITY)
        self.lane_button.setText(self._lane_text(kind))
        self.laneChanged.emit(kind)

    def next_lane(self) -> None:
        """The next lane in the selector's order (after Mod Wheel, Velocity again)."""
        self.set_lane(LANES[(LANES.index(self.lane) + 1) % len(LANES)])

    def set_snap(self, snap: Snap) -> None:
        self.snap = snap
        step = snap.ticks(self.document.song.ppq)
        if step and (not self._length_used or step < self._kept_length_grid()):
            # A grid finer than the one the last length was drawn on draws that grid's
            # notes, as a DAW's draw tool follows the grid: at 1/32 a hat row clicked cell
            # by cell kept 1/16 notes and every second click selected the note just drawn
            # (producer QA). The grid turned off and back, or coarser, keeps the length.
            self.note_length = step
            self._length_used = False
        self.snapChanged.emit(snap)
        self.refresh()

    def _kept_length_grid(self) -> int:
        """The finest grid step the Brush's last used length outlives: the grid it was
        drawn on (its own length, when drawn with the grid off), and never a step
        shorter than itself."""
        ppq = self.document.song.ppq
        drawn_on = self._length_snap.ticks(ppq) if self._length_snap is not None else 0
        return min(drawn_on, self.note_length) if drawn_on else self.note_length

    def use_length(self, ticks: int) -> None:
        """The Brush draws the length of the note last drawn or resized (until a finer
        grid is chosen: :meth:`set_snap`)."""
        self.note_length = max(1, ticks)
        self._length_used = True
        self._length_snap = self.snap

    def draw_length(self, track_id: int) -> int:
        """The length the Brush draws on ``track_id``: on a kit a fixed hit, one grid step
        and at most a 16th (a 16th with the grid off), as a drum editor strikes (Logic's
        Drum Machine Designer, Ableton's Drum Rack); elsewhere the last used length. A hi-hat
        row took a resized piano note's length (a Closed HH hit 1560 ticks long)."""
        song = self.document.song
        if not song.track(track_id).is_drum:
            return self.note_length
        step = self.snap.ticks(song.ppq)
        sixteenth = max(1, song.ppq // 4)
        return min(step, sixteenth) if step else sixteenth

    def min_length(self, free: bool = False) -> int:
        step = 0 if free else self.snap.ticks(self.document.song.ppq)
        return step if step else max(1, self.document.song.ppq // 16)

    def snap_tick(self, tick: float, mode: str = "round", free: bool = False) -> int:
        """``tick`` on the grid; ``free`` (Alt held while drawing or dragging) bypasses it."""
        if free:
            return max(0, round(tick))
        return snap_tick(self.snap, self.document.time_map, tick, mode)

    def set_playhead(self, tick: int) -> None:
        if tick != self.playhead:
            old, self.playhead = self.playhead, tick
            self.canvas.update()
            self.ruler.update()
            if self.controllers.isVisible():  # the strips the playhead left and reaches
                self.controllers.update_playhead(old, tick)

    def set_loop(self, start: int, end: int, enabled: bool) -> None:
        self.loop = (start, end, enabled)
        self.refresh()

    # -- edits ---------------------------------------------------------------------------------
    def commit(self, edit: Edit) -> bool:
        """Apply ``edit`` as one undo step; an edit that no longer fits is reported, not raised."""
        try:
            self.document.apply(edit)
        except EditError as e:
            self.message.emit(str(e))
            return False
        return True

    def commit_notes(self, edit: Edit, say: bool = True) -> tuple[bool, str]:
        """Commit notes the user writes (drawn, moved, copied, pasted, resized) as
        :meth:`commit` does, with the engine's one-sounding-note-per-pitch rule: a note of
        their pitch they land on is trimmed or removed in the same undo step (two E4s
        that overlap are cut short by any MIDI player). Returns whether it was applied
        and what was trimmed, said ("" when nothing was; ``say``: in the status bar)."""
        edit, trimmed = make_room(self.document.song, edit)
        if not self.commit(edit):
            return False, ""
        said = (f"{plural(trimmed, 'note')} of the same pitch underneath trimmed"
                if trimmed else "")
        if said and say:
            self.message.emit(f"{edit.label}: {said}")
        return True, said

    def preview(self, pitch: int, track_id: int | None) -> None:
        self.previewRequested.emit(pitch, -1 if track_id is None else track_id)

    # -- view ----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = lane_height(self.height())
        if self.velocity.height() != height:
            self.velocity.setFixedHeight(height)
            self.controllers.setFixedHeight(height)

    def refresh(self) -> None:
        self.canvas.update()
        self.ruler.update()
        self.velocity.update()
        self.controllers.update()
        self.keyboard.update()

    def _on_song_changed(self) -> None:
        song = self.document.song
        self.index.keep_only({t.id for t in song.tracks})
        if song.ppq != self._ppq:  # another file's resolution: the same musical length
            self.note_length = max(1, round(self.note_length * song.ppq / self._ppq))
            self._ppq = song.ppq
        self.viewport.set_ppq(song.ppq)
        self.update_extent()
        if self.ruler.sync_height():  # the markers' lane came or went
            self._corner.setFixedHeight(self.ruler.height())
        self.refresh()

    def show_empty_chord_row(self, on: bool) -> None:
        """Show the ruler's chord row in a song without chords too (View ▸ Chord Row)."""
        if self.ruler.set_show_empty_chord_row(on):
            self._corner.setFixedHeight(self.ruler.height())

    def update_extent(self) -> None:
        """The scroll range: the song, and what the overlays draw past its end (a
        Continue take's new bars, :attr:`extents`)."""
        self.viewport.set_song_ticks(
            max([self.document.end, *(extent() for extent in self.extents)]))

    def _on_hover(self, tick: int, pitch: int) -> None:
        self.keyboard.set_hover(pitch if pitch >= 0 else None)
        self.hovered.emit(tick, pitch)

    def _sync_scrollbars(self) -> None:
        vp = self.viewport
        for bar, maximum, page, value in (
            (self.hbar, vp.max_left(), vp.width / vp.px_per_tick, vp.left),
            (self.vbar, vp.max_top(), vp.height, vp.top),
        ):
            bar.blockSignals(True)
            bar.setRange(0, qt_int(maximum))
            bar.setPageStep(max(1, qt_int(page)))
            bar.setSingleStep(max(1, qt_int(page / 20)))
            bar.setValue(qt_int(value))
            bar.blockSignals(False)

    def zoom_in(self) -> None:
        self.viewport.zoom_x(ZOOM_STEP, self.zoom_anchor())

    def zoom_out(self) -> None:
        self.viewport.zoom_x(1 / ZOOM_STEP, self.zoom_anchor())

    def zoom_anchor(self) -> float | None:
        """Where + and − zoom time around, as a DAW does: the playhead when it is on
        screen, else the selected notes' centre when that is, else the view's centre
        (``None``). Zooming around the centre took the work off screen: the playhead and
        the notes at bar 1, + twice showed bars 4–14. (Ctrl+wheel zooms at the pointer.)"""
        vp = self.viewport
        if vp.left <= self.playhead <= vp.right:
            return vp.tick_to_x(self.playhead)
        notes = [n for part in self.selected().values() for n in part]
        if notes:
            centre = (min(n.start for n in notes) + max(n.end for n in notes)) / 2
            if vp.left <= centre <= vp.right:
                return vp.tick_to_x(centre)
        return None

    def zoom_in_vertical(self) -> None:
        self.viewport.zoom_y(ZOOM_STEP)

    def zoom_out_vertical(self) -> None:
        self.viewport.zoom_y(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole song and centre the active tracks' pitch range."""
        self.viewport.fit_ticks(0, max(self.document.end, self.document.time_map.bar_to_tick(4)))
        self.center_on_notes()

    def zoom_to(self, start: int, end: int, pitches: tuple[int, int] | None = None) -> None:
        """Zoom to Selection (Z): ticks ``start``–``end`` fill the width, with a sixteenth of
        them spare each side (a 16th at least, so the first and last notes' edges show),
        and, given, the rows ``pitches`` (lowest, highest) fill the height."""
        pad = max((end - start) // 16, self.document.song.ppq // 4)
        self.viewport.fit_ticks(max(0, start - pad), end + pad)
        if pitches is not None:
            self.viewport.fit_pitches(*pitches)

    def center_on_notes(self) -> None:
        song = self.document.song
        pitches = [n.pitch for tid in self.active_track_ids() for n in song.track(tid).notes]
        if not pitches and self.current_track_is_drum():
            pitches = list(KIT_CORE)  # an empty kit: not the pitched tracks' rows
        if not pitches:
            pitches = [n.pitch for t in song.tracks for n in t.notes] or [60]
        self.viewport.center_on_pitches(min(pitches), max(pitches))

    def reveal_active_notes(self) -> None:
        """When none of the active tracks' notes in the visible bars are on screen (a part
        above or below the rows shown), scroll to them: selecting a track shows its part."""
        song, vp = self.document.song, self.viewport
        notes = [n for tid in self.active_track_ids() for n in song.track(tid).notes]
        if not notes:
            if self.current_track_is_drum():
                self.reveal_kit()
            return
        in_time = [n for n in notes if n.start < vp.right and n.end > vp.left] or notes
        if all(song.track(tid).is_drum for tid in self.active_track_ids()):
            self.reveal_hits(in_time)
            return
        low, high = vp.visible_pitches()
        if any(low <= n.pitch <= high for n in in_time):
            return
        pitches = [n.pitch for n in in_time]
        vp.center_on_pitches(min(pitches), max(pitches))

    def reveal_kit(self) -> None:
        """An empty kit made current: scroll to the rows a beat starts on, Kick to Crash
        (:data:`KIT_CORE`), unless they are on screen already (a new Band song's drum
        track opened on Hi Wood Block … Pedal Hi-Hat, the kick and snare below the view)."""
        low, high = self.viewport.visible_pitches()
        if low > KIT_CORE[0] or high < KIT_CORE[1]:
            self.viewport.center_on_pitches(*KIT_CORE)

    def reveal_hits(self, notes: Sequence[Note]) -> None:
        """Drum hits (a kit made current, a drum take arriving): scroll the rows to where
        most of them are — the kick, snare and hi-hat rows of a groove, not the crash and
        tom rows above them with a hit or two — unless the rows on screen hold nearly as
        many as any rows of that height could (:data:`HITS_SHOWN`)."""
        if not notes:
            return
        vp = self.viewport
        low, high = vp.visible_pitches()
        rows = max(1, high - low + 1)
        counts = np.bincount([n.pitch for n in notes], minlength=128)[:128]
        running = np.concatenate([[0], np.cumsum(counts)])
        windows = running[rows:] - running[:-rows] if rows < 128 else running[-1:]
        best = int(np.argmax(windows))
        shown = running[min(127, high) + 1] - running[max(0, low)]
        if shown >= HITS_SHOWN * windows[best]:
            return
        hit = np.flatnonzero(counts[best:best + rows]) + best
        vp.center_on_pitches(int(hit[0]), int(hit[-1]))

    def reveal(self, start: float, end: float, pitches: tuple[int, int] | None = None) -> None:
        """Scroll what the keyboard just wrote or moved into view: the ticks ``start``–
        ``end`` and, given, the pitch rows ``pitches`` (lowest, highest). Where they are
        cut off, the view's left edge goes a tenth of it before ``start`` (less where the
        span would not fit then) and the rows are centred on them; what is on screen stays
        put (a span wider or taller than the view: any part of it on screen)."""
        vp = self.viewport
        width = vp.right - vp.left
        fits = end - start <= width
        gone = end < vp.left or start >= vp.right  # a playhead on the right edge is unseen
        if gone or (fits and (start < vp.left or end > vp.right)):
            vp.set_left(start - min(0.1 * width, width - (end - start)) if fits else start)
        if pitches is None:
            return
        low, high = vp.visible_pitches()
        lowest, highest = pitches
        fits = highest - lowest <= high - low
        if (fits and (lowest < low or highest > high)) or highest < low or lowest > high:
            vp.center_on_pitches(lowest, highest)

    def reveal_notes(self, notes: list[Note]) -> None:
        """:meth:`reveal` the span and pitches of ``notes``."""
        if notes:
            self.reveal(min(n.start for n in notes), max(n.end for n in notes),
                        (min(n.pitch for n in notes), max(n.pitch for n in notes)))

    def show_bar(self, bar: int) -> None:
        """Scroll so ``bar`` starts a little right of the left edge."""
        tick = self.document.time_map.bar_to_tick(bar)
        self.viewport.set_left(tick - self.document.song.ppq)

    def in_gesture(self) -> bool:
        """A mouse gesture is under way on the roll: a drag, rubber band, Brush stroke or
        mask stroke on the canvas, a velocity or controller stroke, a loop drag on the ruler."""
        return (self.canvas.in_gesture() or self.velocity.in_gesture()
                or self.controllers.in_gesture() or self.ruler.in_gesture())

    def follow(self, tick: int) -> None:
        """Keep the playhead on screen during playback (page-wise, as DAWs do); not while
        the user edits (:meth:`in_gesture`), as in Logic and Ableton: a page turned under a
        drag moved the note a page away. The next position after the release pages on."""
        if self.in_gesture():
            return
        vp = self.viewport
        if tick < vp.left or tick > vp.right - 0.05 * (vp.right - vp.left):
            vp.set_left(tick - 0.05 * (vp.right - vp.left))

    def wheel(self, e: QWheelEvent, x: float | None, y: float | None) -> None:
        """Wheel: scroll pitches; Shift: scroll time; Ctrl: zoom time; Ctrl+Shift: zoom pitch."""
        mods = e.modifiers()
        delta = e.angleDelta()
        dy = delta.y() or delta.x()
        vp = self.viewport
        if mods & Qt.KeyboardModifier.ControlModifier:
            factor = ZOOM_STEP ** (dy / 120)
            if mods & Qt.KeyboardModifier.ShiftModifier:
                vp.zoom_y(factor, y)
            else:
                vp.zoom_x(factor, x)
        elif mods & Qt.KeyboardModifier.ShiftModifier or (delta.x() and not delta.y()):
            # A tenth of the width, in whole pixels: the canvas then moves what it has
            # painted and paints only the strip that comes into view.
            vp.set_left(vp.left - round(dy / 120 * 0.1 * vp.width) / vp.px_per_tick)
        else:
            vp.set_top(vp.top - dy / 120 * 3 * vp.key_h)
        e.accept()
