"""Edit ▸ Cut, Copy, Paste, Duplicate, Delete, the selecting commands, Quantize (and
Quantize…, with swing and strength), Legato, Split, Join, nudging, lengthening, velocity
and transposing, Loop the Selection, Zoom to Selection and the snap keys: the window's
note editing commands, kept apart from its layout.

:class:`NoteCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.quantize()``, ``window.nudge(1)``), working on the selected
notes of the piano roll (else, for some, the current tracks' notes) through its undo
stack (``pianoroll.commit``); what a command did, or why it did nothing, goes to the
status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.score import Edit, EditGroup, Mask, Note, Song, plural
from engine.score.snap import (
    STRAIGHT,
    Snap,
    grid_shift,
    grid_shift_past,
    quantize_line,
    snap_by_name,
    snap_tick,
    step_at,
    strength_text,
    swing_text,
)
from engine.score.spelling import key_text

from . import dialogs
from .bars_in_focus import bars_in_focus, bars_text
from .clipboard import Clip, controls_left_behind, copy_notes, paste_edit
from .pianoroll.tools import (
    delete_edit,
    duplicate_edit,
    join_edit,
    legato_edit,
    lengthen_edit,
    move_edit,
    quantize_edit,
    split_edit,
    transpose_edit,
    velocity_shift_edit,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar

    from .cocompose import CoComposer
    from .document import Document
    from .pianoroll import PianoRoll
    from .selection import Selection
    from .settings import Settings
    from .step_entry import StepEntry
    from .transport import Transport


# Alt+↑ / Alt+↓ move velocities by this much: half a dynamic level as MuseScore plays them
# (mf 80, f 96), fine enough to shape a line, 16 presses from silent to loudest.
VELOCITY_STEP = 8


class NoteCommands:
    """The window's note editing commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        selection: Selection
        settings: Settings
        transport: Transport
        pianoroll: PianoRoll
        composer: CoComposer
        step_entry: StepEntry
        snap_box: QComboBox
        lcd_position: QLabel
        clip: Clip | None
        bar_selection: tuple[int, int, frozenset[tuple[int, int]]] | None

        def statusBar(self) -> QStatusBar: ...

    def _selected(self) -> dict:
        return self.pianoroll.selected()

    def _reveal_selection(self) -> None:
        """The notes a keyboard edit just moved or wrote (selected), scrolled into view
        as step entry's and Ctrl+→'s are: Shift+→ or Shift+↑ must not move them out of
        sight."""
        self.pianoroll.reveal_notes([n for v in self._selected().values() for n in v])

    def copy(self) -> None:
        selected, song = self._selected(), self.document.song
        keys = {(tid, n.id) for tid, notes in selected.items() for n in notes}
        # Notes Ctrl+B selected (and no others) are a copy of bars: measured from the bar
        # line, not from the first note (strings coming in at the fifth of eight bars were
        # pasted on the first), with the bars' controllers.
        bars = self.bar_selection
        span = bars[:2] if bars is not None and keys == bars[2] else None
        clip = copy_notes(selected, song, span)
        if clip is None:
            return
        self.clip = clip
        said, left = f"Copied {plural(len(clip.notes), 'note')}", 0
        if clip.bars:
            said += f" of {bars_text(self.document.time_map, *span)}"
        elif left := controls_left_behind(selected, song):
            said += (f" (not the {plural(left, 'controller event')} among them: Ctrl+B "
                     "selects bars, whose pedal and bends are copied too)")
        self.statusBar().showMessage(said, 4000 if left or clip.bars else 2000)

    def cut(self) -> None:
        if not self._selected():
            self._say_nothing_selected("cut")
            return
        self.copy()
        self.delete_selection()

    def paste(self) -> None:
        if self.clip is None:
            return
        at = self.pianoroll.snap_tick(self.transport.position, "floor")
        pasted = paste_edit(self.document.song, self.clip, at,
                            self.pianoroll.current_track_id())
        # Where the notes went, or why some or all did not: pasting into the wrong tracks
        # (a kit's hits in a bass line) must not go unseen.
        self.statusBar().showMessage(pasted.message, 8000)
        done, trimmed = (self.pianoroll.commit_notes(pasted.edit, say=False) if pasted.keys
                         else (False, ""))
        if trimmed:
            self.statusBar().showMessage(f"{pasted.message}; {trimmed}", 8000)
        if done:
            into = {tid for tid, _ in pasted.keys}
            if len(self.clip.sources) == 1 and not into & set(self.pianoroll.active_track_ids()):
                # One track's notes passed the current track for its kind (drums into a
                # piano): the track they went to is edited, so they can be seen and moved.
                self.selection.set_tracks(into)
            self.selection.set_notes(pasted.keys)
            self._reveal_selection()
            if not self.transport.is_playing:
                # On to the grid line after the pasted notes, so pasting again follows
                # them (as a DAW's insert marker moves) instead of stacking copies.
                end = at + self.clip.length
                after = self.pianoroll.snap_tick(end, "floor")
                if after < end:
                    after += grid_shift(self.pianoroll.snap, self.document.time_map, after, 1)
                self.transport.seek(after)

    def duplicate(self) -> None:
        notes = self._selected()
        if not notes:
            return
        all_notes = [n for v in notes.values() for n in v]
        start = min(n.start for n in all_notes)
        end = max(n.end for n in all_notes)
        tm = self.document.time_map
        if self.pianoroll.snap.division == -1:  # whole bars later, whatever their lengths
            b = tm.tick_to_bar(start)
            offset = start - tm.bar_to_tick(b)
            k = 1
            while tm.bar_to_tick(b + k) + offset < end:
                k += 1
            dticks = tm.bar_to_tick(b + k) + offset - start
        else:  # whole grid steps, the fewest that clear the selection
            dticks = grid_shift_past(self.pianoroll.snap, tm, start, end)
        edit, keys = duplicate_edit(notes, dticks)
        if self.pianoroll.commit_notes(edit)[0]:
            self.selection.set_notes(keys)
            self._reveal_selection()

    def delete_selection(self) -> None:
        # A take on screen: Delete drops it, as the guide says, whatever is selected (the
        # guide's own keys leave the masked notes selected, drawn dimmed under the take:
        # QA pressed Delete and lost them, "Take A on screen" still said).
        if self.composer.preview_take() is not None:
            self.composer.reject()
            return
        notes = self._selected()
        if notes:
            count = sum(len(v) for v in notes.values())
            if self.pianoroll.commit(delete_edit(notes)):
                self.statusBar().showMessage(
                    f"Deleted {plural(count, 'note')} (Ctrl+Z brings them back)", 4000)
        elif self.composer.choosing():  # the Original on screen: say there is no take
            self.composer.reject()
        else:  # a key that did nothing, unsaid, reads as a broken key
            self._say_nothing_selected("delete")

    def _say_nothing_selected(self, verb: str) -> None:
        self.statusBar().showMessage(
            f"Nothing selected: click a note or drag a box around notes to {verb} them", 5000)

    def select_all(self) -> None:
        """Ctrl+A: every note of the current tracks, counted in the status bar as
        Ctrl+Shift+A counts its own (a key that changes what is selected unsaid reads as
        broken when the notes are off screen)."""
        self._select_all_notes()
        tracks = self.pianoroll.active_track_ids()
        if not len(self.selection):
            self.statusBar().showMessage("No notes in the current track to select", 4000)
            return
        on = f" on {plural(len(tracks), 'track')}" if len(tracks) > 1 else ""
        self.statusBar().showMessage(f"Selected {plural(len(self.selection), 'note')}{on}",
                                     4000)

    def _select_all_notes(self) -> None:
        song = self.document.song
        self.selection.set_notes((tid, n.id) for tid in self.pianoroll.active_track_ids()
                                 for n in song.track(tid).notes)

    def _notes_in_order(self) -> list[tuple[int, int, int, int]]:
        """``(start, pitch, track id, note id)`` of the current tracks' notes in time order,
        lowest pitch first at one onset; none is said in the status bar."""
        song = self.document.song
        notes = sorted((n.start, n.pitch, tid, n.id) for tid in self.pianoroll.active_track_ids()
                       for n in song.track(tid).notes)
        if not notes:
            self.statusBar().showMessage("No notes in the current track to select", 4000)
        return notes

    def select_step(self, direction: int) -> None:
        """Ctrl+→ / Ctrl+←: the next (previous) note of the current tracks in time order,
        lowest pitch first at one onset — from the selected note, else from the playhead —
        selected alone, heard, and put on screen: with arrows, Alt+arrows and Delete a
        line is edited note by note without the mouse."""
        notes = self._notes_in_order()
        if not notes:
            return
        keys = [(tid, nid) for *_, tid, nid in notes]
        chosen = [i for i, k in enumerate(keys) if self.selection.contains(*k)]
        if chosen:
            i = chosen[-1] + 1 if direction > 0 else chosen[0] - 1
        else:  # the first note at or after the playhead, or the last one before it
            at = self.transport.position
            first_after = next((i for i, (start, *_) in enumerate(notes) if start >= at),
                               len(notes))
            i = first_after if direction > 0 else first_after - 1
        if not 0 <= i < len(notes):
            self.statusBar().showMessage("No more notes that way", 3000)
            return
        _start, pitch, tid, nid = notes[i]
        self.selection.set_notes([(tid, nid)])
        note = next(n for n in self.document.song.track(tid).notes if n.id == nid)
        self.pianoroll.reveal_notes([note])
        self.pianoroll.preview(pitch, tid)
        if self.step_entry.on and not self.transport.is_playing:
            # As a score editor's cursor: the next letter goes after the note just reached.
            self.transport.seek(note.end)

    # Alt+Shift+← →'s range as it was last set: its anchor and moving end (onset ticks),
    # the selection it grew from and the one it made (a selection changed since starts
    # a new range).
    _extending: tuple[int, int, frozenset, frozenset] | None = None

    def extend_selection(self, direction: int) -> None:
        """Alt+Shift+→ / Alt+Shift+←: the selection grown to the next (previous) onset of the
        current tracks, every note from where it began to there taken in (a chord whole),
        as MuseScore's Shift+→ grows a range; the other way shrinks it back towards where
        it began, then grows it on that side. With nothing selected it starts at the
        playhead, as Ctrl+→ does."""
        notes = self._notes_in_order()
        if not notes:
            return
        onsets = sorted({start for start, *_ in notes})
        selected = self.selection.notes
        last = self._extending
        if last is not None and last[3] == selected and last[1] in onsets:
            anchor, cursor, base, _made = last
            i = onsets.index(cursor) + direction
        else:
            base = selected
            starts = [start for start, _p, tid, nid in notes if (tid, nid) in selected]
            if starts:  # on from the selection's last onset (back from its first)
                anchor = min(starts) if direction > 0 else max(starts)
                edge = max(starts) if direction > 0 else min(starts)
                i = onsets.index(edge) + direction
            else:  # from the playhead: the first onset at or after it, the last before it
                at = self.transport.position
                i = next((k for k, t in enumerate(onsets) if t >= at), len(onsets))
                i = i if direction > 0 else i - 1
                anchor = onsets[i] if 0 <= i < len(onsets) else 0
        if not 0 <= i < len(onsets):
            self.statusBar().showMessage("No more notes that way", 3000)
            return
        cursor = onsets[i]
        lo, hi = min(anchor, cursor), max(anchor, cursor)
        self.selection.set_notes(base | {(tid, nid) for start, _p, tid, nid in notes
                                         if lo <= start <= hi})
        self._extending = (anchor, cursor, base, self.selection.notes)
        reached = [(pitch, tid, nid) for start, pitch, tid, nid in notes if start == cursor]
        self.pianoroll.reveal_notes([n for _p, tid, nid in reached
                                     for n in self.document.song.track(tid).notes
                                     if n.id == nid])
        pitch, tid, _nid = reached[0]
        self.pianoroll.preview(pitch, tid)
        self.statusBar().showMessage(f"Selected {plural(len(self.selection), 'note')}", 3000)

    def select_bars(self) -> None:
        """Ctrl+B: the current tracks' notes that start in the playhead's bar — while the
        loop is on (L), in the loop range — selected: a phrase picked without the mouse,
        to transpose, copy, quantize or mask (Alt+Shift+← → then grow or shrink it)."""
        tm = self.document.time_map
        # Not from the selection: it is what Ctrl+B replaces (bars_in_focus's other rules).
        start, end, where = bars_in_focus(tm, self.transport)
        bars = bars_text(tm, start, end)
        song = self.document.song
        ids = self.pianoroll.active_track_ids()
        keys = [(tid, n.id) for tid in ids for n in song.track(tid).notes if start <= n.start < end]
        self.selection.set_notes(keys)
        self.bar_selection = (start, end, frozenset(keys))  # a copy of it is of these bars
        if not keys:
            self.statusBar().showMessage(f"No notes of the current track start in {bars} "
                                         f"({where})", 4000)
            return
        self._reveal_selection()
        self.statusBar().showMessage(f"Selected {plural(len(keys), 'note')} in {bars}", 4000)

    def select_all_tracks(self) -> None:
        """Every track editable in the piano roll, all notes selected: then ↑ ↓, nudges,
        Quantize or Delete act on the whole song (as Ctrl+A in a DAW's arrangement)."""
        song = self.document.song
        if not song.tracks:
            return
        self.selection.set_tracks(t.id for t in song.tracks)
        self._select_all_notes()
        self.statusBar().showMessage(
            f"Selected {plural(len(self.selection), 'note')} on "
            f"{plural(len(song.tracks), 'track')} (click a track to edit it alone)", 5000)

    def _selected_or_all(self) -> dict:
        notes = self._selected()
        if notes:
            return notes
        song = self.document.song
        return {tid: list(song.track(tid).notes) for tid in self.pianoroll.active_track_ids()
                if song.track(tid).notes}

    def quantize(self) -> None:
        snap = self.pianoroll.snap
        if snap.division == 0:  # snap off: quantize to sixteenths
            snap = snap_by_name("1/16")
        self._quantize(snap, STRAIGHT)  # at full strength: Q is predictable

    def quantize_with_options(self) -> None:
        """Edit ▸ Quantize… (Shift+Q): the grid, swing and strength asked (the last ones
        offered, kept in the settings), then the selection quantized so, one undo step."""
        chosen = dialogs.ask_quantize(self, *self.settings.quantize_choice())
        if chosen is None:
            return
        grid, swing, strength = chosen
        self.settings.set_quantize_choice(grid, swing, strength)
        self._quantize(snap_by_name(grid), swing / 100, strength / 100)

    def _quantize(self, snap: Snap, swing: float, strength: float = 1.0) -> None:
        notes = self._selected_or_all()
        if not notes:
            return
        tm = self.document.time_map
        end = self.document.song.end  # the song keeps its length
        edit = quantize_edit(notes, step_at(snap, tm, 0), quantize_line(snap, tm, end, swing),
                             end_limit=tm.whole_bars_end(end), swing=swing, strength=strength)
        swung = "" if swing == STRAIGHT else f" with {swing_text(swing)} swing"
        moved = sum(len(part.added) for part in getattr(edit, "edits", (edit,)))
        if not moved:  # no empty undo step
            self.statusBar().showMessage(
                f"Already on the {snap.name} grid{swung}" if strength >= 1 else
                f"No note moved{strength_text(strength)}: each is on the {snap.name} "
                f"grid{swung} or a tick from it", 4000)
            return
        # Two notes of a pitch pulled onto one grid line are one (the rule of a drag).
        done, trimmed = self.pianoroll.commit_notes(edit, say=False)
        if done:  # what moved, and to which grid: said
            count = plural(moved, "note")
            whole = "" if self.selection.notes else (
                " (nothing selected: the whole track)" if len(notes) == 1
                else " (nothing selected: the whole tracks)")
            trimmed = f"; {trimmed}" if trimmed else ""
            self.statusBar().showMessage(
                f"Quantized {count} to {snap.name}{swung}{strength_text(strength)}{whole}"
                f"{trimmed}", 4000)

    def _pitched_only(self, notes: dict, what: str) -> dict | None:
        """``notes`` without drum tracks, said when there were some: joining or lengthening
        hits would wipe a hi-hat pattern (each key of a kit is a drum, struck). None when
        only drums were selected (said: the caller stops there)."""
        song = self.document.song
        pitched = {tid: v for tid, v in notes.items() if not song.track(tid).is_drum}
        if len(pitched) < len(notes):
            self.statusBar().showMessage(f"{what}: drum tracks left as they are (a kit's "
                                         "hits are struck, not held)", 5000)
            if not pitched:
                return None
        return pitched

    def legato(self) -> None:
        notes = self._pitched_only(self._selected(), "Legato")
        if notes is None:
            return
        edit, changed = legato_edit(notes) if notes else (None, 0)
        if not changed:
            self.statusBar().showMessage(
                "Legato: select the notes to join up (each then ends where the next starts)"
                if not notes else "Legato: the selected notes already end where the next "
                "starts", 5000)
            return
        if self.pianoroll.commit(edit):
            self.statusBar().showMessage(edit.label, 4000)

    def split_notes(self) -> None:
        """Cut at the playhead: the selected notes, else every note of the current
        track(s) sounding there (as a DAW's split at the cursor)."""
        at = self.transport.position
        selected = notes = self._selected()
        if not selected:
            song = self.document.song
            notes = {tid: [n for n in song.track(tid).notes if n.start < at < n.end]
                     for tid in self.pianoroll.active_track_ids()}
        edit, keys = split_edit(notes, at)
        if not keys:
            self.statusBar().showMessage(
                f"No note to split: none {'selected ' if selected else ''}sounds "
                f"across the playhead ({self.lcd_position.text()})", 5000)
            return
        if self.pianoroll.commit(edit):
            self.selection.set_notes(keys)
            self.statusBar().showMessage(edit.label, 4000)

    def join_notes(self) -> None:
        notes = self._pitched_only(self._selected(), "Join")
        if notes is None:
            return
        edit, keys = join_edit(notes) if notes else (None, [])
        if not keys:
            self.statusBar().showMessage(
                "Join: select notes of one pitch played one after another to make them "
                "one note", 5000)
            return
        if self.pianoroll.commit(edit):
            self.selection.set_notes(keys)
            self.statusBar().showMessage(edit.label, 4000)

    def step_snap(self, direction: int) -> None:
        """The next (+1) or previous (−1) grid in the Snap box's order — Off, Bar, 1/2 …
        1/32, then the triplets 1/4T … 1/32T — from the keyboard (the box takes no
        focus), so every grid it has is reached; at either end it stays, said."""
        box = self.snap_box
        i = box.currentIndex() + direction
        if not 0 <= i < box.count():
            self.statusBar().showMessage(
                f"Snap: {box.currentText()}, the {'last' if direction > 0 else 'first'} "
                "grid", 3000)
            return
        box.setCurrentIndex(i)
        self.statusBar().showMessage(f"Snap: {box.currentText()}", 3000)

    def nudge(self, direction: int, bar: bool = False, fine: bool = False) -> None:
        """← → (a grid step; with the grid Off a 1/128), Shift+← → (a bar), Ctrl+Alt+Shift+
        ← → (``fine``: one tick) move the selected notes; nothing selected, ← → and
        Shift+← → move the playhead (a grid step, a 1/16 with the grid Off)."""
        notes = self._selected()
        tm = self.document.time_map
        if not notes and fine:
            self.statusBar().showMessage("Select the notes to nudge by a tick", 4000)
            return
        if not notes:  # nothing to move: the playhead moves, a grid step or a bar
            at = self.transport.position
            if bar:
                b = tm.tick_to_bar(at)
                on_line = tm.bar_to_tick(b) == at
                b = b + direction if on_line or direction > 0 else b
                target = tm.bar_to_tick(max(0, b))
            else:
                target = at + grid_shift(self.pianoroll.snap, tm, at, direction)
            self.transport.seek(max(0, target))
            self.pianoroll.reveal(self.transport.position, self.transport.position)
            return
        start = min(n.start for v in notes.values() for n in v)
        if bar:  # the same place in the bar before or after (bars differ in length)
            b = tm.tick_to_bar(start)
            if b + direction < 0:
                return
            delta = tm.bar_to_tick(b + direction) + (start - tm.bar_to_tick(b)) - start
        elif fine:
            delta = direction
        elif self.pianoroll.snap.division == 0:
            # Grid Off: a 1/128 (15 ticks at 480 PPQ), a push or a lag heard as feel, not a
            # 1/16 step, which is a grid's move: DAWs nudge finely with no grid.
            delta = direction * max(1, tm.ppq // 32)
        else:  # a grid step, exact on triplet grids at any PPQ
            delta = grid_shift(self.pianoroll.snap, tm, start, direction)
        if delta and self.pianoroll.commit_notes(move_edit(notes, delta, 0))[0]:
            self._reveal_selection()

    def lengthen(self, direction: int) -> None:
        """Alt+→ / Alt+←: the selected notes a grid step longer or shorter (never shorter
        than a step, or than they are if already shorter)."""
        notes = self._pitched_only(self._selected(), "Lengthen" if direction > 0
                                   else "Shorten")
        if notes is None:
            return
        if not notes:
            self.statusBar().showMessage("Select the notes to lengthen or shorten", 4000)
            return
        tm = self.document.time_map
        snap = self.pianoroll.snap
        if snap.division == 0:  # snap off: sixteenths
            snap = snap_by_name("1/16")
        # Each note's end goes to the next grid line after it (the last one before it);
        # a note that would end on or before its start stays as it is.
        def new_end(n: Note) -> int:
            if direction < 0:
                return snap_tick(snap, tm, n.end - 1, "floor")
            line = snap_tick(snap, tm, n.end, "floor")
            return line + grid_shift(snap, tm, line, 1)

        edit = lengthen_edit(notes, new_end)
        if edit is None:
            self.statusBar().showMessage(
                f"The selected notes are a {snap.name} step long already", 4000)
            return
        self.pianoroll.commit_notes(edit)

    def loop_selection(self) -> None:
        """Ctrl+Shift+L: loop the whole bars the selected notes touch (then Mask These
        Bars, Delete Bars and playback use them): a loop range without the mouse."""
        notes = [n for v in self._selected().values() for n in v]
        if not notes:
            self.statusBar().showMessage("Select notes first: their bars become the loop",
                                         4000)
            return
        tm = self.document.time_map
        first = tm.tick_to_bar(min(n.start for n in notes))
        last = tm.tick_to_bar(max(max(n.end - 1, n.start) for n in notes))  # a 0-length note
        self.transport.set_loop(tm.bar_to_tick(first), tm.bar_to_tick(last + 1), True)
        first, last = tm.bar_number(first), tm.bar_number(last)  # as the ruler numbers them
        self.statusBar().showMessage(
            f"Looping bars {first}–{last}" if last > first else f"Looping bar {first}", 4000)

    def transpose(self, semitones: int) -> None:
        notes = self._selected()
        if not notes:
            return
        song = self.document.song
        kits = {tid for tid in notes if song.track(tid).is_drum}
        if kits and len(kits) < len(notes):
            # With pitched parts, a kit stays as it is: each of its keys is another drum
            # (on a kit alone, ↑ ↓ move hits to the next drum, as in a drum editor).
            notes = {tid: v for tid, v in notes.items() if tid not in kits}
            self.statusBar().showMessage(
                "Drum tracks left out of the transposition (each key is another drum)", 5000)
        pitches = [n.pitch for v in notes.values() for n in v]
        if min(pitches) + semitones < 0 or max(pitches) + semitones > 127:
            # A partial move would change the music's intervals: refused and said.
            what = "an octave" if abs(semitones) == 12 else "a semitone"
            way = "up" if semitones > 0 else "down"
            edge = "G9, the highest MIDI note" if semitones > 0 else "C-1, the lowest"
            self.statusBar().showMessage(
                f"No room to transpose {what} {way}: a selected note would pass {edge}", 5000)
            return
        edit = transpose_edit(notes, semitones, self.step_entry.spell(notes, semitones))
        keys = _keys_transposed(song, notes, semitones)
        if keys is not None:  # the whole song moved: its key signatures with it
            edit = EditGroup((edit, keys), edit.label)
        if not self.pianoroll.commit_notes(edit)[0]:  # a note moved onto its new pitch wins
            return
        if keys is not None:
            self.statusBar().showMessage(_keys_said(song, keys), 5000)
        self._reveal_selection()
        if self.step_entry.on:
            self.step_entry.moved(semitones)  # spelled so (# −), named as it is now
            # Sharpening or moving the note just entered: heard, as the entry was.
            moved = [(tid, n) for tid, v in notes.items() for n in v]
            if len(moved) == 1:
                tid, n = moved[0]
                self.pianoroll.preview(n.pitch + semitones, tid)

    def change_velocity(self, delta: int) -> None:
        """Alt+↑ / Alt+↓: the selected notes ``delta`` louder or softer, each kept within
        1..127, as one undo step; the status bar says where they are now."""
        notes = self._selected()
        if not notes:
            self.statusBar().showMessage("Select the notes to make louder or softer", 4000)
            return
        edit, moved = velocity_shift_edit(notes, delta)
        if edit is None:  # no empty undo step
            edge = "127, the loudest" if delta > 0 else "1, the softest"
            self.statusBar().showMessage(f"The selected notes are at velocity {edge}", 4000)
            return
        if self.pianoroll.commit(edit):
            now = sorted({n.velocity for v in self._selected().values() for n in v})
            level = f"velocity {now[0]}" if len(now) == 1 else f"velocities {now[0]}–{now[-1]}"
            self.statusBar().showMessage(
                f"Velocity {delta:+d}: {plural(moved, 'note')}, now {level}", 4000)

    def zoom_to_selection(self) -> None:
        """Z: the selected notes (nothing selected: the painted mask) fill the piano roll,
        their time and their pitch rows; F shows the whole song again."""
        song = self.document.song
        notes = [n for v in self.selection.selected_notes(song).values() for n in v]
        if notes:
            self.pianoroll.zoom_to(min(n.start for n in notes), max(n.end for n in notes),
                                   (min(n.pitch for n in notes), max(n.pitch for n in notes)))
            self.statusBar().showMessage(f"Zoomed to {plural(len(notes), 'selected note')}",
                                         3000)
            return
        mask = self.document.mask
        if mask.is_empty:
            self.statusBar().showMessage(
                "Zoom to Selection: select notes or paint a mask first (F shows the whole "
                "song)", 4000)
            return
        start, end = mask.span
        self.pianoroll.zoom_to(start, end, mask_pitches(mask, song))
        self.statusBar().showMessage("Zoomed to the mask", 3000)


def mask_pitches(mask: Mask, song: Song) -> tuple[int, int] | None:
    """The rows a mask covers: its pitch bands, and where a part is masked at every pitch,
    the notes it covers there (none: None, the rows stay)."""
    known = {t.id: t for t in song.tracks}
    pitches: list[int] = []
    for r in mask.regions:
        if r.is_empty:
            continue
        if not r.full_pitch_range:
            pitches += [r.pitch_lo, r.pitch_hi]
            continue
        for tid in r.track_ids & known.keys():
            track = known[tid]
            pitches += [track.notes[i].pitch for i in track.onset_range(r.start, r.end)]
    return (min(pitches), max(pitches)) if pitches else None


def _keys_transposed(song: Song, notes: dict, semitones: int) -> Edit | None:
    """The edit moving the song's key signatures by ``semitones`` when ``notes`` are every
    note of every pitched track (engine ``transposes_whole_song``), else None: a part
    keeps the key, as in a score editor."""
    from engine.score import transpose_key_signatures, transposes_whole_song

    if not transposes_whole_song(song, {tid: len(v) for tid, v in notes.items()}):
        return None
    return transpose_key_signatures(song, semitones)


def _keys_said(song: Song, keys: Edit) -> str:
    """What moved with the whole song, for the status bar: "Key signature and chords
    transposed too: G major → F major", "Chords transposed too"."""
    after = keys.apply(song)
    moved = [what for what, name in (("Key signature", "key_signatures"),
                                     ("chords", "chords"))
             if getattr(after, name) != getattr(song, name)]
    said = " and ".join(moved).capitalize() + " transposed too"
    if "Key signature" not in moved:
        return said
    return (f"{said}: {key_text(song.key_signatures[0].key)} → "
            f"{key_text(after.key_signatures[0].key)}")
