"""Entering and changing the song's chord symbols: a double-click on the ruler's chord row
types one (or changes the one there), Delete removes the selected one, Edit ▸ Chords for
Bars… (Ctrl+Shift+K) types a lead sheet's bars from the playhead's bar.

:class:`ChordCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.edit_chord(tick)``). Each change is one undo step, an engine
edit of the song's chords (:mod:`engine.score.chord_edits`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint

from engine.score import TimeMap
from engine.score.chord_edits import (
    chord_at,
    chord_place,
    delete_chord,
    set_chord,
    set_lead_sheet,
)
from engine.score.edits import Edit, EditError
from engine.score.lead_sheet import lead_sheet_text

from . import dialogs
from .pianoroll.ruler import beat_of

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .document import Document
    from .pianoroll import PianoRoll
    from .transport import Transport


class ChordCommands:
    """The window's chord-symbol commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        transport: Transport
        pianoroll: PianoRoll

        def statusBar(self) -> QStatusBar: ...

    def edit_chord(self, tick: int, at: QPoint | None = None) -> None:
        """Type the chord symbol at ``tick`` in a small editor (at ``at``, a global point:
        under the place double-clicked): a new one, the one there changed, or — emptied —
        deleted, as one undo step."""
        song = self.document.song
        here = chord_at(song, tick)
        answer = dialogs.ask_chord(self, chord_place(TimeMap.of(song), tick),
                                   here.text if here else "", at)
        if answer is None:
            return
        try:
            edit = set_chord(self.document.song, tick, answer)
        except EditError as e:  # the editor refuses these first; a stale answer is not
            self.statusBar().showMessage(f"Cannot set the chord: {e}", 8000)
            return
        if not answer:
            self.pianoroll.ruler.select_chord(None)
        self._apply_chord_edit(edit)

    def edit_chord_at_playhead(self) -> None:
        """Edit ▸ Chord Symbols ▸ Edit Chord at Playhead (Ctrl+Alt+K): the chord row takes
        no focus, so this types the chord written on the playhead's beat (where the
        playhead stands on a chord off the beat: that one), else a new one on the beat."""
        position = self.transport.position
        tick = position if chord_at(self.document.song, position) else beat_of(
            self.document.time_map, position)
        ruler = self.pianoroll.ruler
        self.edit_chord(tick, ruler.chord_editor_point(tick) if ruler.isVisible() else None)

    def step_chord(self, step: int) -> None:
        """Alt+] / Alt+[: the playhead to the next (previous) chord symbol, selected in the
        ruler as a click selects it (Enter edits it, Delete removes it) and said."""
        song = self.document.song
        position = self.transport.position
        ticks = sorted({c.tick for c in song.chords})
        if not ticks:
            self.statusBar().showMessage(
                "The song has no chord symbols: Ctrl+Alt+K types one at the playhead, "
                "Ctrl+Shift+K a lead sheet's bars", 6000)
            return
        tick = (next((t for t in ticks if t > position), None) if step > 0
                else next((t for t in reversed(ticks) if t < position), None))
        if tick is None:
            self.statusBar().showMessage(
                f"No chord symbol {'after' if step > 0 else 'before'} the playhead", 4000)
            return
        self.transport.seek(tick)
        self.pianoroll.reveal(tick, tick)
        self.pianoroll.ruler.select_chord(tick)
        chord = chord_at(song, tick)
        assert chord is not None
        self.statusBar().showMessage(
            f"Chord {chord.text} at {chord_place(TimeMap.of(song), tick)} "
            "(Enter edits it, Delete removes it)", 6000)

    def delete_chord_at(self, tick: int) -> None:
        """Delete the chord symbol at ``tick`` (the one before then holds on)."""
        self._apply_chord_edit(delete_chord(self.document.song, tick))

    def chords_for_bars(self) -> None:
        """Edit ▸ Chords for Bars… (Ctrl+Shift+K): a lead sheet's bars typed from the
        playhead's bar (another chosen in the dialog), opening on those bars' chords; they
        replace the chords of the bars typed, as one undo step."""
        song = self.document.song
        tm = TimeMap.of(song)
        last_chord = tm.tick_to_bar(song.chords[-1].tick) if song.chords else -1
        here = tm.tick_to_bar(self.transport.position)
        bars = max(tm.whole_bars(song.end), last_chord + 1, here + 1)

        def text_of(number: int) -> str:
            bar = tm.bar_index(number)
            return lead_sheet_text(song, bar, last_chord + 1 - bar) if last_chord >= bar else ""

        def read(text: str, number: int) -> Edit | None:
            if not text.strip():
                raise ValueError("Type the bars' chords (F7 | Bb7 | …), or Cancel.")
            return set_lead_sheet(song, text, tm.bar_index(number))

        answer = dialogs.ask_lead_sheet(self, tm.bar_number(0), tm.bar_number(bars - 1),
                                        tm.bar_number(here), text_of, read)
        if answer is None:
            return
        text, number = answer
        try:
            edit = read(text, number)
        except ValueError as e:
            self.statusBar().showMessage(f"Cannot set the chords: {e}", 8000)
            return
        if edit is None:
            self.statusBar().showMessage("The chords are as they were", 4000)
            return
        self._apply_chord_edit(edit)

    def _apply_chord_edit(self, edit: Edit | None) -> None:
        if edit is None:
            return
        self.document.apply(edit)
        self.statusBar().showMessage(f"{edit.label} (Ctrl+Z undoes)", 6000)
