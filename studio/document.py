"""The open document: the current (immutable) song, its file, modified state and undo stack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.io.text import display_path
from engine.score import Edit, Mask, Song, TimeMap
from engine.score.grid_fit import grid_fit
from engine.tasks.templates import SongSetup

from .undo import EditCommand, ValueCommand

if TYPE_CHECKING:
    from engine.io import ImportReport


def disk_stamp(path: Path | None) -> tuple[int, int] | None:
    """(mtime in ns, size) of the file at ``path``; None when there is none."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def new_song(setup: SongSetup | None = None) -> Song:
    """What File ▸ New gives: the song ``setup`` asks for (its dialog's answer,
    :mod:`engine.tasks.templates`); by default, as the studio starts, one piano track, 8
    empty bars at 120 BPM, 4/4. Raises the engine's ``TaskError`` for a field that does
    not fit."""
    return (setup or SongSetup()).song()


@dataclass(frozen=True)
class FileRead:
    """What :func:`read_file` read: the song, the project's studio state and, for an
    import (MIDI, MusicXML), what the file holds that the song does not keep."""

    path: Path
    kind: str | None
    song: Song
    state: dict[str, Any]
    report: ImportReport | None
    # "212 notes off the 16th grid (…)": triplets, swing and other timing the song keeps
    # exactly and the models read rounded (engine.score.grid_fit); "" when none.
    timing: str = ""
    # What a project held that the song does not keep (chord symbols past its end).
    notes: tuple[str, ...] = ()


def read_file(path: str | Path) -> FileRead:
    """Read a ``.partita`` project, a MIDI file or a MusicXML score, touching no Qt object
    (File ▸ Open runs it on a worker thread: a big score takes seconds). Raises the
    engine's ``FileFormatError`` (or ``OSError``)."""
    from engine.io import (
        content_kind,
        load_project,
        load_song,
        read_midi_with_report,
        read_musicxml_with_report,
    )

    path = Path(path)
    report, notes = None, ()
    kind = content_kind(path)  # a file saved without an extension: by its contents
    if kind == "project":
        project = load_project(path)
        song, state, notes = project.song, dict(project.studio or {}), project.notes
    elif kind == "midi":
        (song, report), state = read_midi_with_report(path), {}
    elif kind == "musicxml":
        (song, report), state = read_musicxml_with_report(path), {}
    else:
        song, state = load_song(path), {}
    return FileRead(path, kind, song, state, report, grid_fit(song).summary(), notes)


class Document(QObject):
    """Holds the song being edited; every change goes through :meth:`apply`.

    Views never keep their own copy of the music: they re-read :attr:`song` when
    ``songChanged`` fires. ``revision`` increases on every change (caches key on it).

    :attr:`mask` is the painted area a generation may rewrite: editor state beside the
    song, changed through undoable commands (:meth:`set_mask`), announced by
    ``maskChanged``; it never makes the document modified.
    """

    songChanged = Signal()
    maskChanged = Signal()
    message = Signal(str)  # a notice for the status bar (a stroke that changed nothing)
    pathChanged = Signal()
    modifiedChanged = Signal(bool)

    def __init__(self, song: Song | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._song = song if song is not None else new_song()
        self._clean_song = self._song
        self._mask = Mask()
        self._time_map: TimeMap | None = None
        self._path: Path | None = None
        self._dirty = False  # modified without an undo step (e.g. a recovered session)
        self.revision = 0
        # Bumped by every reset (new / open / recover): work begun before one (a recording)
        # belongs to an earlier song, even where the new one has the same track ids.
        self.resets = 0
        self._end = 0
        self._end_revision = -1
        self.studio_state: dict[str, Any] = {}
        # What the MIDI file (or MusicXML score) at ``import_source`` holds that the song
        # does not keep.
        self.import_report: ImportReport | None = None
        self.import_source: Path | None = None
        # The MusicXML score the song was opened from, kept through Save As (and in the
        # project: studio state "score"): its exports never suggest writing over it.
        self.score_source: Path | None = None
        # The file as it was when last read or written, to notice another program's changes.
        self._disk: tuple[int, int] | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._holding = False  # in go_to_step: the views hear of the song once, at the end

    # -- state --------------------------------------------------------------------------------
    @property
    def song(self) -> Song:
        return self._song

    @property
    def time_map(self) -> TimeMap:
        if self._time_map is None:
            self._time_map = TimeMap.of(self._song)
        return self._time_map

    @property
    def end(self) -> int:
        """``song.end`` (which scans every note), cached per revision."""
        if self._end_revision != self.revision:
            self._end = self._song.end
            self._end_revision = self.revision
        return self._end

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def is_modified(self) -> bool:
        # Mask changes are undo steps too, but only a different song is unsaved work.
        if self._dirty:
            return True
        return not self.undo_stack.isClean() and self._song != self._clean_song

    @property
    def mask(self) -> Mask:
        return self._mask

    @property
    def saved_step(self) -> int | None:
        """The undo stack's index whose song is the file's on disk (the undo history marks
        it "saved"); None when no step is: a song never saved, a recovered one not saved
        since, or the saved state's steps replaced by later edits made after undoing."""
        if self._path is None or self._dirty:
            return None
        index = self.undo_stack.cleanIndex()
        return index if index >= 0 else None

    @property
    def display_name(self) -> str:
        return display_path(self._path.name) if self._path else "Untitled"

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self._clean_song = self._song
        self._emit_modified()

    def _emit_modified(self) -> None:
        self.modifiedChanged.emit(self.is_modified)

    def _set_song(self, song: Song) -> None:
        old = self._song
        self._song = song
        if (song.ppq, song.tempos, song.time_signatures) != (old.ppq, old.tempos,
                                                             old.time_signatures):
            self._time_map = None
        self.revision += 1
        if self._holding:
            return
        self.songChanged.emit()
        self._emit_modified()

    def _set_mask(self, mask: Mask) -> None:
        if mask != self._mask:
            self._mask = mask
            if not self._holding:
                self.maskChanged.emit()

    def restore_mask(self, mask: Mask) -> None:
        """Put back the mask a project saved (after :meth:`reset`; not an undo step)."""
        self._set_mask(mask)

    # -- editing ------------------------------------------------------------------------------
    def apply(self, edit: Edit) -> None:
        """Apply ``edit`` as one undo step. Raises ``EditError`` (song untouched) if it does
        not fit the current song."""
        result = edit.apply(self._song)
        self.undo_stack.push(EditCommand(self, edit, result))

    def go_to_step(self, index: int) -> None:
        """Undo or redo to the undo stack's ``index`` in one go (Edit ▸ Undo History): the
        song is the one as many Ctrl+Z (or redos) give, the steps run in the same order,
        and the views hear of it once. Announced at every step, the views' updates cost
        2 ms a step (the track list restyled its headers each time), ten times the edits'
        own: 1,780 steps back took 4 s."""
        song, mask = self._song, self._mask
        self._holding = True
        try:
            self.undo_stack.setIndex(index)
        finally:
            self._holding = False
        if self._song is not song:
            self.songChanged.emit()
        if self._mask != mask:
            self.maskChanged.emit()
        self._emit_modified()

    def set_mask(self, mask: Mask, label: str = "Paint mask") -> bool:
        """Change the mask as one undo step (``label`` names it in the Edit menu);
        False when nothing changes."""
        if mask == self._mask:
            return False
        # On the same stack as the song's edits (Ctrl+Z walks back through painting and
        # editing in the order they happened), though it never changes the song.
        self.undo_stack.push(ValueCommand(label, self._set_mask, self._mask, mask))
        return True

    def reset(self, song: Song, path: Path | None = None, modified: bool = False) -> None:
        """Replace the whole song (new / open / recover): clears undo history."""
        self.undo_stack.clear()
        self._song = song
        self._clean_song = song
        self._mask = Mask()
        self._time_map = None
        self.revision += 1
        self.resets += 1
        self._path = Path(path) if path else None
        self._disk = disk_stamp(self._path)
        self.import_report = self.import_source = self.score_source = None
        self._dirty = modified
        self.undo_stack.setClean()
        self.pathChanged.emit()
        self.songChanged.emit()
        self.maskChanged.emit()
        self._emit_modified()

    # -- files --------------------------------------------------------------------------------
    def load(self, path: str | Path) -> None:
        """Open a ``.partita`` project, a MIDI file or a MusicXML score. Raises the engine's
        ``FileFormatError`` (or ``OSError``) and leaves the current song untouched on
        failure."""
        self.take(read_file(path))

    def take(self, read: FileRead) -> None:
        """Make the song :func:`read_file` read the document's (on the GUI thread)."""
        self.studio_state = read.state
        self.reset(read.song, read.path)
        score = read.state.get("score")
        if read.kind == "musicxml":
            self.score_source = read.path
        elif isinstance(score, str) and score:
            self.score_source = Path(score)
        if read.report is not None:  # even an empty one: the file is an import
            self.import_report, self.import_source = read.report, read.path

    def recovered_from(self, path: Path | None) -> None:
        """After :meth:`reset` with a recovered song: when its file is a MIDI file, saving
        over it must ask as it did before the crash (what the file holds that the song
        does not keep is read again from the file)."""
        from engine.io import file_kind, read_midi_with_report

        if path is None or file_kind(path) != "midi" or not Path(path).is_file():
            return
        try:
            report = read_midi_with_report(path)[1]
        except Exception:  # unreadable now: still an import, the question lists nothing
            from engine.io.midi_import import ImportReport

            report = ImportReport()
        self.import_report, self.import_source = report, Path(path)

    # -- the file on disk ---------------------------------------------------------------------
    def changed_on_disk(self) -> bool:
        """True when the document's file was changed (or replaced) since it was opened or
        last saved here: saving would overwrite someone else's work."""
        now = disk_stamp(self._path)
        return now is not None and now != self._disk

    def forget_disk_state(self) -> None:
        """Treat the file on disk as changed by someone else (a recovered song whose file
        is newer than the autosave)."""
        self._disk = None

    def drops_on_save(self, path: Path) -> ImportReport | None:
        """When ``path`` is the MIDI file this song was imported from (and not yet saved
        over): that file's import report, saying what saving over it removes (it may list
        nothing: the file is still rewritten in Partita's own MIDI form). Else None (a
        score opened from MusicXML is never the target of Save: :meth:`from_score`)."""
        from engine.io import file_kind, same_file

        source = self.import_source
        if self.import_report is None or source is None or not same_file(source, path) \
                or file_kind(source) == "musicxml":
            return None
        return self.import_report

    @property
    def from_score(self) -> bool:
        """Whether the song's file is a MusicXML score (opened, not yet saved elsewhere):
        Save writes a project beside it (Save As), never Partita's quantized score over
        the score editor's."""
        from engine.io import content_kind

        return self._path is not None and content_kind(self._path) == "musicxml"

    def save(self, path: str | Path | None = None) -> list[str]:
        """Save to ``path`` (or the current file). A ``.partita`` project also keeps the
        studio state (zoom, snap, loop, …); MIDI keeps the music. Returns what the file
        keeps less well than the song (e.g. MIDI channels shared), one line each."""
        from engine.io import same_file, save_song

        target = Path(path) if path else self._path
        if target is None:
            raise ValueError("no file name to save to")
        warnings = save_song(self._song, target, studio=self.studio_state)
        self._path = target
        self._disk = disk_stamp(target)
        if self.import_source is not None and same_file(self.import_source, target):
            self.import_report = self.import_source = None  # the file no longer has them
        self._dirty = False
        self._clean_song = self._song
        self.undo_stack.setClean()
        self.pathChanged.emit()
        self._emit_modified()
        return warnings

    def export(self, path: str | Path) -> list[str]:
        """Write a copy (e.g. Export MIDI) without changing the document's file or state;
        returns its warnings, as :meth:`save` does."""
        from engine.io import save_song

        return save_song(self._song, Path(path))

