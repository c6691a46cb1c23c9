"""Edit ▸ Insert Bars, Delete Bars, Tempo, Meter and Key, and Add Marker: the window's
commands that change the song's bars, its time (tempo, meter, key) from the playhead's
bar, and its section markers.

:class:`BarCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.edit_bars(inserting=True)``, ``window.set_time_at_playhead()``).
Each change is one undo step; inserting or deleting bars moves the mask and the loop range
with the music, and is refused while takes or generations wait on the bars as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.score import (
    Edit,
    Mask,
    Region,
    Song,
    TimeSignature,
    bar_shift,
    beat_start,
    counted,
    delete_bars,
    insert_bars,
    parse_go_to,
    position_text,
    remove_tempo_change,
    set_song_props,
    set_tempo_at,
    set_time_from_bar,
)
from engine.score.pickup import (
    opening_meter,
    pickup_from_text,
    pickup_of,
    pickup_text,
    set_opening_time,
)
from engine.score.song import BPM_RANGE, Marker

from . import dialogs
from .bars_in_focus import bars_in_focus
from .dialogs.timing import REMOVE_TEMPO
from .markers import marker_position, marker_time
from .undo import ValueCommand

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .cocompose import CoComposer
    from .document import Document
    from .pianoroll import PianoRoll
    from .transport import Transport


class BarCommands:
    """The window's bar and time commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        transport: Transport
        pianoroll: PianoRoll
        composer: CoComposer

        def statusBar(self) -> QStatusBar: ...

    def edit_bars(self, inserting: bool) -> None:
        """Insert empty bars before the playhead's bar, or delete bars (the loop range's
        while the loop is on, else the playhead's: as Ctrl+B picks bars), on every track,
        as one undo step."""
        if not self._no_takes_in_the_way("Insert Bars" if inserting else "Delete Bars"):
            return
        doc = self.document
        tm = doc.time_map
        last = tm.whole_bars(doc.song.end)
        bar, count = tm.tick_to_bar(self.transport.position), 1
        if not inserting:  # a loop range left set with the loop off is not offered (QA)
            start, end, _ = bars_in_focus(tm, self.transport)
            bar = tm.tick_to_bar(start)
            count = max(1, tm.bar_count(end) - bar)
        # The dialog speaks the ruler's numbers (a pickup is bar 0), the edits indices.
        number = tm.bar_number
        answer = dialogs.ask_bars(self, inserting, number(bar), count, number(0),
                                  number(max(last, 1) - 1))
        if answer is None:
            return
        first, count = tm.bar_index(answer[0]), answer[1]
        try:  # built from the song as it is: it applies (the macro below is closed anyway)
            edit = (insert_bars if inserting else delete_bars)(doc.song, first, count)
            shift = bar_shift(doc.song, first, count, inserting)
        except ValueError as e:
            self.statusBar().showMessage(str(e), 6000)
            return
        # The mask moves with the music in the same undo step (a Repaint after inserting
        # must not rewrite the bars that moved away); the loop range moves too.
        regions = [(r, shift.span(r.start, r.end)) for r in doc.mask.regions]
        moved = Mask.of(*(Region(r.track_ids, *span, r.pitch_lo, r.pitch_hi)
                          for r, span in regions if span))
        tr = self.transport
        loop = (tr.loop_start, tr.loop_end, tr.loop_enabled)
        if tr.loop_end > tr.loop_start:  # the loop range moves too (gone with its bars)
            span = shift.span(tr.loop_start, tr.loop_end)
            new_loop = (*span, tr.loop_enabled) if span else (0, 0, False)
        else:
            new_loop = loop
        doc.undo_stack.beginMacro(edit.label)
        try:
            doc.apply(edit)
            doc.set_mask(moved, edit.label)
            if new_loop != loop:
                doc.undo_stack.push(ValueCommand(edit.label, lambda v: tr.set_loop(*v),
                                                 loop, new_loop))
        finally:
            doc.undo_stack.endMacro()
        at = doc.time_map.bar_to_tick(min(first, doc.time_map.whole_bars(doc.song.end)))
        tr.seek(at)
        self.pianoroll.show_bar(first)  # the new bars, or where the deleted ones were
        self.statusBar().showMessage(edit.label + (
            ": paint them and let the model fill them (Repaint)" if inserting else ""), 6000)

    def _no_takes_in_the_way(self, what: str) -> bool:
        """Waiting takes and running generations were written for the bars as they are:
        moving the music under them would put a take in the wrong bars, unnoticed (its
        own region's notes need not change). Refused, saying what to do first."""
        waiting, running = self.composer.unaccepted_count(), self.composer.jobs_in_flight
        if not (waiting or running):
            return True
        held = " and ".join(x for x in (waiting and counted(waiting, "take", "wait"),
                                         running and counted(running, "generation", "run"))
                            if x)
        dialogs.show_notice(self, what, (
            f"{held.capitalize()} for the bars as they are now: moving bars would put "
            "them in the wrong place.\n\nAccept or reject the takes first (Enter, Del), "
            "and let the generations finish or cancel them (Ctrl+.)."))
        return False

    def set_time_at_playhead(self, whole_bar: bool = False) -> None:
        """Ctrl+K: tempo, meter and key from the playhead's bar on, as one undo step; at
        the first bar, a pickup before the meter too (the meter shown is the first full
        bar's). With the playhead off the bar line (on a later beat of it, or on a tempo
        change anywhere), the tempo alone from there, unless ``whole_bar`` (the meter
        read-out's double-click). Where a tempo change is, it can be removed."""
        doc = self.document
        song, tm = doc.song, doc.time_map
        position = self.transport.position
        bar = tm.tick_to_bar(position)
        at = tm.bar_to_tick(bar)
        # A change exactly here (an imported 6.3.120) is the one meant, else the beat's start.
        beat = position if any(t.tick == position for t in song.tempos) else \
            beat_start(tm, position)
        if beat != at and not whole_bar:
            self._set_tempo_at(beat)
            return
        first = bar == 0
        # What the tempo box can show: rounded, and inside the range a user may set (a
        # file may hold 600 BPM or less than 4).
        shown_bpm = min(max(round(tm.tempo_at(at), 1), BPM_RANGE[0]), BPM_RANGE[1])
        # With its grouping: 3+2+2/8 opens as 3+2+2/8.
        shown_meter = opening_meter(song) if first else tm.signature_at(at).meter
        shown_pickup = pickup_text(pickup_of(song), shown_meter) if first else None
        answer = dialogs.ask_time(self, tm.bar_number(bar), shown_bpm, shown_meter,
                                  song.key_at(at) or "", shown_pickup,
                                  _is_tempo_change(song, at))
        if answer is None:
            return
        if answer == REMOVE_TEMPO:
            self._apply_time_edit(remove_tempo_change, song, at)
            return
        bpm, meter, key, pickup = answer
        try:  # a field left as shown changes nothing (an unrounded 123.456, a 600 BPM file)
            same = TimeSignature(0, *meter).meter == shown_meter  # (7, 8) is (7, 8, ())
            changes = {"bpm": None if bpm == shown_bpm else bpm,
                       "meter": None if same else meter, "key": key}
            edit = (set_time_from_bar(song, bar, **changes) if pickup is None else
                    set_opening_time(song, pickup_from_text(pickup, meter), **changes))
        except ValueError as e:
            self.statusBar().showMessage(f"Cannot set the time: {e}", 8000)
            return
        if edit is None:
            return
        doc.apply(edit)
        self.statusBar().showMessage(f"{edit.label} (Ctrl+Z undoes)", 6000)

    def _set_tempo_at(self, tick: int) -> None:
        """The tempo from a beat inside a bar on (or the change there removed)."""
        doc = self.document
        song, tm = doc.song, doc.time_map
        shown_bpm = min(max(round(tm.tempo_at(tick), 1), BPM_RANGE[0]), BPM_RANGE[1])
        answer = dialogs.ask_tempo(self, position_text(tm, tick), shown_bpm,
                                   _is_tempo_change(song, tick))
        if answer is None or answer == shown_bpm:  # as shown: an unrounded tempo stays
            return
        if answer == REMOVE_TEMPO:
            self._apply_time_edit(remove_tempo_change, song, tick)
        else:
            self._apply_time_edit(set_tempo_at, song, tick, float(answer))

    def _apply_time_edit(self, make: Callable[..., Edit | None], *args: Any) -> None:
        try:
            edit = make(*args)
        except ValueError as e:
            self.statusBar().showMessage(f"Cannot set the tempo: {e}", 8000)
            return
        if edit is None:
            return
        self.document.apply(edit)
        self.statusBar().showMessage(f"{edit.label} (Ctrl+Z undoes)", 6000)

    # -- go to -------------------------------------------------------------------------------------
    def go_to(self) -> None:
        """Transport ▸ Go To… (Ctrl+J, or a double-click on the position read-out): the
        playhead to a bar.beat.tick or a time typed; the piano roll shows it."""
        doc = self.document
        song, tm = doc.song, doc.time_map
        bars, end = tm.whole_bars(song.end), max(song.end, tm.bar_to_tick(1))

        def read(text: str) -> int:
            return parse_go_to(tm, text, bars, end)

        text = dialogs.ask_go_to(self, tm.format_position(self.transport.position), read)
        if text is None:
            return
        try:
            tick = read(text)
        except ValueError as e:
            self.statusBar().showMessage(f"Cannot go to {text.strip()}: {e}", 6000)
            return
        self.transport.seek(tick)
        self.pianoroll.follow(tick)
        self.statusBar().showMessage(f"Playhead at {tm.format_position(tick)}", 4000)

    # -- markers ---------------------------------------------------------------------------------
    def add_marker(self, tick: int) -> None:
        """Edit ▸ Add Marker (at the playhead), or a double-click on the ruler's marker
        lane: a section marker at ``tick``, named in a dialog (and locked to its time, a
        film's hit point, where asked), as one undo step. Where a marker is already, it
        is edited instead."""
        doc = self.document
        song, tm = doc.song, doc.time_map
        if any(m.tick == tick for m in song.markers):
            self.edit_marker(tick)
            return
        answer = dialogs.ask_marker(self, marker_position(tm, tick), marker_time(tm, tick),
                                    f"Marker {len(song.markers) + 1}")
        if answer is None or not answer[0]:
            return
        text, locked = answer
        marker = Marker(tick, text, tm.tick_to_seconds(tick) if locked else None)
        markers = sorted((*song.markers, marker), key=lambda m: m.tick)
        label = f"Add Marker “{text}”" + (" locked to its time" if locked else "")
        doc.apply(set_song_props(song, label, markers=tuple(markers)))
        self.statusBar().showMessage(f"{label} (Ctrl+Z undoes)", 6000)

    def edit_marker(self, tick: int) -> None:
        """Rename the marker at ``tick`` (markers sharing it become one), lock it to its
        time or tie it to its bar again, or delete it, as one undo step."""
        doc = self.document
        song, tm = doc.song, doc.time_map
        here = [m for m in song.markers if m.tick == tick]
        if not here:
            return
        old = " / ".join(m.text for m in here)
        # A locked marker keeps the time it was locked to, not its tick's (rounded) one.
        seconds = next((m.seconds for m in here if m.seconds is not None), None)
        was_locked = seconds is not None
        answer = dialogs.ask_marker(self, marker_position(tm, tick),
                                    marker_time(tm, tick, seconds), old, True, was_locked)
        if answer is None or answer == (old, was_locked):
            return
        text, locked = answer
        kept = [m for m in song.markers if m.tick != tick]
        if not text:
            label, markers = f"Delete Marker “{old}”", kept
        else:
            if locked:
                seconds = tm.tick_to_seconds(tick) if seconds is None else seconds
            marker = Marker(tick, text, seconds if locked else None)
            markers = sorted((*kept, marker), key=lambda m: m.tick)
            lock = ("" if locked == was_locked else
                    " locked to its time" if locked else " tied to its bar")
            label = (f"Rename Marker “{old}” to “{text}”{lock}" if text != old else
                     f"Lock Marker “{text}” to its time" if locked else
                     f"Tie Marker “{text}” to its bar")
        doc.apply(set_song_props(song, label, markers=tuple(markers)))
        self.statusBar().showMessage(f"{label} (Ctrl+Z undoes)", 6000)


def _is_tempo_change(song: Song, tick: int) -> bool:
    """A tempo change that can be removed is at ``tick`` (not the song's first tempo)."""
    return tick > 0 and any(t.tick == tick for t in song.tempos) and \
        any(t.tick < tick for t in song.tempos)
