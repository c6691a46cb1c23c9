"""Notes ▸ Articulation and the slurs: the selected notes' staccato (Shift+S), accent
(Shift+V), strong accent (Shift+O), tenuto (Shift+N), staccatissimo and detached legato
toggled, a slur over them (Shift+L) and the slurs over them removed.

:class:`ArticulationCommands` is a mixin of :class:`~studio.mainwindow.MainWindow`, as
:class:`~studio.note_commands.NoteCommands` is: each command is one undo step through
the piano roll (``pianoroll.commit``) of an engine edit
(:mod:`engine.score.articulation_edits`), said in the status bar and to a screen reader
("Staccato on 4 notes", "Tenuto on 1 note (was staccato)"); with nothing to do it says
why and leaves no step. The Articulation menu's items are ticked while every selected
note has their mark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.score.articulation_edits import (
    TITLES,
    remove_slurs,
    replaced_marks,
    slur_over,
    toggle_articulation,
)

from .accessible import announce
from .actions import ARTICULATION_ACTIONS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .actions import Actions
    from .document import Document
    from .pianoroll import PianoRoll
    from .step_entry import StepEntry


class ArticulationCommands:
    """The window's articulation and slur commands (a mixin)."""

    if TYPE_CHECKING:
        actions: Actions
        document: Document
        pianoroll: PianoRoll
        step_entry: StepEntry

        def statusBar(self) -> QStatusBar: ...

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)
        # Said too: the focus stays in the painted piano roll, whose status bar message a
        # screen reader does not read out (QA: Shift+S said nothing).
        announce(self.pianoroll.canvas, text)

    def toggle_articulation(self, mark: str) -> None:
        """``mark`` on the selected notes, or off them all where all have it; the marks
        of its kind it replaces said ("Tenuto on 1 note (was staccato)")."""
        selected = self.pianoroll.selected()
        edit = toggle_articulation(selected, mark)
        if edit is None:
            self._say(f"{TITLES[mark]}: select the notes to mark")
        elif self.pianoroll.commit(edit):
            was = ", ".join(TITLES[m].lower() for m in replaced_marks(selected, mark))
            self._say(f"{edit.label} (was {was})" if was else edit.label)
        self.show_marks_checked()  # the menu item's own tick undone where nothing changed

    def show_marks_checked(self) -> None:
        """Notes ▸ Articulation's items ticked where every selected note has the mark."""
        notes = [n for v in self.pianoroll.selected().values() for n in v]
        for name, mark in ARTICULATION_ACTIONS.items():
            self.actions.all[name].setChecked(
                bool(notes) and all(mark in n.articulations for n in notes))

    def slur(self) -> None:
        """A slur over the selected notes of one track (over just these again: off); in
        step entry, with the note just entered selected, over the notes entered since the
        last rest or slur (:meth:`~studio.step_entry.StepEntry.slur_run`)."""
        selected = {tid: v for tid, v in self.pianoroll.selected().items() if v}
        onsets = {n.start for v in selected.values() for n in v}
        if self.step_entry.on and len(onsets) < 2:
            run = self.step_entry.slur_run()
            if run is None:
                self._say("Slur: enter two notes or more after the last rest, then Shift+L")
                return
            selected = dict([run])
        if len(selected) != 1:
            self._say("Slur: select the notes of one track to slur" if not selected else
                      "Slur: select notes of one track (a slur is over one part's notes)")
            return
        [(tid, notes)] = selected.items()
        try:
            edit = slur_over(self.document.song.track(tid), notes)
        except ValueError as e:
            self._say(f"Slur: {e}")
            return
        if edit is None:
            self._say("Slur: select notes at two onsets or more (a slur is over a phrase)")
        elif self.pianoroll.commit(edit):
            self._say(edit.label)

    def remove_slurs(self) -> None:
        """Every slur over one of the selected notes off, one undo step."""
        selected = self.pianoroll.selected()
        edit = remove_slurs(self.document.song, selected) if selected else None
        if edit is None:
            self._say("No slur over the selected notes" if selected else
                      "Remove slurs: select the notes under them")
        elif self.pianoroll.commit(edit):
            self._say(edit.label)
