"""File ▸ New, Open, Save, Save As, Export MIDI, MusicXML and Audio, Song Properties, the recent
files, and crash recovery: the window's file commands, kept apart from its editing and
layout.

:class:`FileCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.save()``, ``window.open_path(…)``), working on the window's
document, settings, autosaver and co-composer. Every question goes through
:mod:`studio.dialogs`; a bad file is one dialog with the engine's message, never a lost song.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from engine.render.files import title_file_stem
from engine.score import Song, TimeMap, plural
from engine.score.spelling import key_text

from . import dialogs
from .autosave import original_is_newer
from .document import FileRead, display_path, new_song, read_file
from .number_entry import number_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu, QProgressDialog, QStatusBar

    from engine.io import Recovery
    from engine.render import RenderReport

    from .autosave import Autosaver
    from .cocompose import CoComposer
    from .document import Document
    from .recording import Recorder
    from .selection import Selection
    from .settings import Settings
    from .transport import Transport
    from .worker import Worker


class FileCommands:
    """The window's file commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        settings: Settings
        selection: Selection
        transport: Transport
        autosaver: Autosaver
        composer: CoComposer
        recorder: Recorder
        recent_menu: QMenu
        export_worker: Worker
        open_worker: Worker
        _open_dialog: QProgressDialog | None  # a file being read (open_in_background)
        _export_dialog: QProgressDialog | None  # an export running (None once it ended)
        _saved_takes: object
        _work_note: str
        _settings_warned: bool
        _export_folders: dict[Path | None, Path]

        def statusBar(self) -> QStatusBar: ...
        def studio_state(self, deferred: bool = False) -> dict: ...
        def _song_reset(self, from_file: bool = True) -> None: ...
        def _tell_interrupted(self, lost: object) -> None: ...

    def maybe_save(self) -> bool:
        """Ask before losing unsaved work; True when it is fine to go on."""
        # A recording running ends here, its take written: it is unsaved work to ask about
        # (before close, Open and New, which would otherwise lose it or put it elsewhere).
        self.recorder.stop()
        if not self.document.is_modified:
            return self._maybe_discard_takes()
        answer = dialogs.ask_save_changes(self, self.document.display_name,
                                          self.composer.jobs_in_flight, self._takes_unsaved())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _mark_clean(self) -> None:
        """What the window shows is now what a file holds (opened, or saved as a project)."""
        self.autosaver.mark_clean()
        self._saved_takes = self.composer.pending_key()

    def _takes_unsaved(self) -> int:
        """Generated takes not yet accepted that closing would lose: none when the
        project file holds them (only the mask may have moved since)."""
        count = self.composer.unaccepted_count()
        if count and self.composer.pending_key() == self._saved_takes:
            return 0  # the project file holds them
        return count

    def _maybe_discard_takes(self) -> bool:
        """Ask before dropping generated takes nobody accepted, or generations still
        running (when "save changes?" was not asked: that question already says the
        session's work goes). Takes the project file holds are not asked about (only the
        mask may have moved since)."""
        count = self._takes_unsaved()
        running = self.composer.jobs_in_flight  # their takes would be lost unseen
        if count == 0 and running == 0:
            return True
        answer = dialogs.ask_discard_takes(self, count, running)
        if answer == "save":  # as a project: a MIDI file cannot keep takes
            from engine.io import file_kind

            path = self.document.path
            return self.save() if path and file_kind(path) == "project" else self.save_as()
        return answer == "discard"

    def new_file(self) -> None:
        """File ▸ New: "save changes?" first, then the New Song dialog (tracks, title,
        tempo, meter, key, length), opened on the last choices; Cancel keeps the song."""
        if not self.maybe_save():
            return
        setup = dialogs.ask_new_song(self, self.settings.new_song_setup())
        if setup is None:
            return
        self.settings.set_new_song_setup(setup)
        song = new_song(setup)
        self.document.studio_state = {}
        self.document.reset(song)
        self._song_reset()
        self.statusBar().showMessage(f"New song: {new_song_summary(setup.template, song)}",
                                     5000)

    def open_file(self) -> None:
        if not self.maybe_save():
            return
        path = dialogs.get_open_path(self, self.settings.last_dir())
        if path is not None:
            self.open_in_background(path, ask=False)

    def open_in_background(self, path: str | Path, ask: bool = True,
                           then: Callable[[], object] | None = None) -> None:
        """File ▸ Open, Open Recent, a drop and the command line's song: as
        :meth:`open_path`, but the file is read on :attr:`open_worker` behind a "Reading
        NAME…" dialog with Cancel (shown once the read takes half a second: a big score
        takes seconds), so the window stays responsive; Cancel keeps the current song.
        "Save changes?" is asked first. ``then`` runs once the read it starts is over,
        however it ended (the start-up's recovery offer: the file read after it would
        replace the work it brought back)."""
        from .dialogs.reading import read_in_background

        if self._open_dialog is not None:  # one read at a time (a second drop: ignored)
            self.statusBar().showMessage(
                f"Still reading {self._open_dialog.labelText().removeprefix('Reading ')}",
                4000)
            return
        if ask and not self.maybe_save():
            return
        path = Path(path)

        def over() -> None:
            self._open_dialog = None
            if then is not None:
                then()

        def done(read: FileRead) -> None:
            self._open_dialog = None
            self._opened(read)
            over()

        def failed(error: BaseException) -> None:
            self._open_dialog = None
            self._open_failed(error, path)
            over()

        def cancelled() -> None:
            self.statusBar().showMessage(
                f"Opening {display_path(path.name)} cancelled: the song is as it was", 5000)
            over()

        self._open_dialog = read_in_background(self, path, done, failed, self.open_worker,
                                               on_cancel=cancelled)

    def open_path(self, path: str | Path, ask: bool = True, notices: bool = True) -> bool:
        """Open a song, read on the GUI thread (the demo, a screenshot's song; File ▸ Open
        and the command line's song read in the background: :meth:`open_in_background`);
        on a bad file show the
        engine's message and keep the current song. ``notices``: say what the file was
        missing or approximates (not for a screenshot, which shows no dialog: a modal one
        would wait for a click forever)."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            with _busy(path):
                read = read_file(path)
        except Exception as e:
            self._open_failed(e, path)
            return False
        self._opened(read, notices)
        return True

    def _open_failed(self, error: BaseException, path: Path) -> None:
        """A file that could not be opened: the engine's message, the song kept (anything
        but a file's problem is a bug, raised). A file that is not there comes off Open
        Recent (else its entry fails the same way at every click); one that is there but
        cannot be read stays, for when the user has mended it."""
        if not _is_user_error(error):
            raise error
        if isinstance(error, FileNotFoundError):  # the whole path: the folder or drive it was on
            message = (f"{display_path(path)}: no such file (moved, renamed or deleted, or "
                       "on a drive that is not mounted)")
            if self.settings.remove_recent_file(path):
                self._rebuild_recent_menu()
                message += "; it has been taken off Open Recent"
        else:
            message = _message(error, path)
        dialogs.show_error(self, "Cannot open file", message)

    def _opened(self, read: FileRead, notices: bool = True) -> None:
        """The song read from a file is the window's: the recent files, the view reset,
        the status bar's summary and the import's notice."""
        path = read.path
        self.document.take(read)
        self.settings.add_recent_file(path)
        self.settings.set_last_dir(path.parent)
        self._rebuild_recent_menu()
        self._song_reset()
        song = self.document.song
        note = f" · {read.timing}: kept exactly" if read.timing else ""  # swing, triplets
        unplayed = read.report.unplayed if read.report is not None else None
        if unplayed:  # a set-up track's bends for channels nobody plays: said, not asked
            note += f" · {unplayed.text()}"
        note += "".join(f" · {n}" for n in read.notes)  # chords past the end, dropped
        report = self.document.import_report
        if notices and report is not None:  # no tempo mark, no dynamics: nothing lost
            note += "".join(f" · {n}" for n in report.defaulted)
        note += f" · {self._work_note}" if self._work_note else ""  # what came back, or not
        problem = self.settings.sync()  # once per session: a read-only config is silent
        if problem and not self._settings_warned:
            self._settings_warned = True
            note += f" · ⚠ {problem}"
        self.statusBar().showMessage(
            f"Opened {display_path(path.name)}: {plural(len(song.tracks), 'track')}, "
            f"{plural(song.note_count, 'note', grouped=True)}{note}", 10000 if note else 5000)
        # A MIDI file cut short (what it was missing) and the rest below: a modal only
        # for what the song loses or must be told; what a score leaves to a default is
        # in the status bar above.
        lost = [line for line in report.approximated if line not in report.defaulted] \
            if report is not None else []
        if notices and report is not None and (report.warnings or report.pitched_kits
                                               or report.shared_channels
                                               or report.split or lost):
            # and a kit General MIDI made a piano (named as drums, not on channel 10),
            # tracks that shared a channel (each now has its own program and bends), and
            # what a MusicXML score's song approximates (grace notes, repeats, …)
            kits = [f"{kit.text()}. If it is a drum kit, choose Drum Kit in its instrument "
                    "list in the track list (Ctrl+Alt+I on that track)."
                    for kit in report.pitched_kits]
            shared = [f"{s.text()}." for s in report.shared_channels]
            # a MIDI guitar's strings, a track each: one merge makes them one guitar
            split = [f"{s.text()}. Track ▸ Merge Tracks… makes them one."
                     for s in report.split]
            self._show_file_warnings(
                path, [*report.warnings, *kits, *shared, *split, *lost],
                done="opened")

    def save(self) -> bool:
        from engine.io import file_kind

        # A file opened without an extension (recognised by its contents) is saved under
        # a name that says what it is: Save As, ".partita" suggested.
        # The shipped demo is Partita's, not the user's: Ctrl+S asks where to keep it. A
        # score opened from MusicXML is the score editor's: Ctrl+S asks too (.partita
        # suggested), rather than write Partita's quantized score over it.
        path = self.document.path
        if path is None or file_kind(path) is None or _shipped(path.parent) \
                or self.document.from_score:
            return self.save_as()
        return self._save_to(path)

    def save_as(self) -> bool:
        doc = self.document
        name = doc.path.with_suffix(".partita").name if doc.path else \
            f"{title_file_stem(doc.song.title)}.partita"
        path = dialogs.get_save_path(self, str(self._suggested_folder() / name))
        return self._save_to(path) if path is not None else False

    def _suggested_folder(self) -> Path:
        """Where Save As and every export suggest writing: the song's folder (an untitled
        song's: the last one a file was opened from or saved to), unless that is Partita's
        own or not writable (:func:`save_folder`: then Documents)."""
        doc = self.document
        return save_folder(doc.path.parent if doc.path else Path(self.settings.last_dir()))

    def _save_to(self, path: Path) -> bool:
        go_on = self._confirm_overwrite(path)
        if go_on is not None:
            return go_on
        self.document.studio_state = self.studio_state()
        try:
            warnings = self.document.save(path)
        except Exception as e:
            if not _is_user_error(e):
                raise
            dialogs.show_error(self, "Cannot save file", _message(
                e, path, "use Save As… to save the song elsewhere (nothing is lost: it is "
                "still open)"))
            return False
        from engine.io import file_kind

        if file_kind(path) == "project":  # MIDI keeps neither the mask nor the takes
            self._mark_clean()
        self.settings.add_recent_file(path)
        self.settings.set_last_dir(path.parent)
        self._rebuild_recent_menu()
        self.statusBar().showMessage(f"Saved {display_path(path)}", 4000)
        self._show_file_warnings(path, warnings)
        return True

    def _confirm_overwrite(self, path: Path) -> bool | None:
        """Ask before a save destroys work: the file changed on disk since it was read, or
        it is the MIDI file the song came from and holds what the song does not keep.
        None: go on saving; otherwise what the save returns (Cancel, or Save As…)."""
        from engine.io import same_file

        doc = self.document
        name = display_path(path.name)
        if doc.path is not None and same_file(path, doc.path) and doc.changed_on_disk():
            answer = dialogs.ask_overwrite_changed(self, name)
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                return False
        return self._confirm_over_import(path)

    def _confirm_over_import(self, path: Path) -> bool | None:
        """Ask before writing over the MIDI file the song was imported from (what it holds
        that Partita does not keep is lost). None: go on writing; else what the save
        returns (Cancel, or Save as a project)."""
        dropped = self.document.drops_on_save(path)
        if dropped is None:
            return None
        answer = dialogs.ask_save_over_midi(self, display_path(path.name), dropped.summary(),
                                            self._midi_losses())
        if answer == "project":
            return self.save_as()  # suggests the .partita name
        return None if answer == "anyway" else False

    def _midi_losses(self) -> list[str]:
        """What of this session a MIDI file does not keep, said before it is written:
        the export's warnings (empty tracks, mute and solo, levels on a shared channel),
        waiting takes and the mask."""
        from engine.io.midi_export import export_warnings

        losses = export_warnings(self.document.song)
        takes = self.composer.unaccepted_count()
        if takes:
            losses.append(f"{plural(takes, 'take')} not yet accepted (a .partita project "
                          "keeps them)")
        if not self.document.mask.is_empty:
            losses.append("the painted mask")
        return losses

    def _show_file_warnings(self, path: Path, warnings: list[str], done: str = "saved") -> None:
        """What a written file keeps less well than the song (MIDI's 16 channels, a muted
        track, ...): asked once per file and set of warnings, not at every Ctrl+S."""
        said: dict[Path, list[str]] = getattr(self, "_warnings_said", {})
        self._warnings_said = said
        if not warnings or said.get(path) == warnings:
            return
        said[path] = list(warnings)
        # Each one a sentence: the engine's lines start in lower case, to follow a
        # "warning:" on the command line ("tracks 'MIDI 06' … share MIDI channel 2").
        dialogs.show_warning(self, f"{display_path(path.name)}: {done}, with a warning",
                             "\n\n".join(w[:1].upper() + w[1:] for w in warnings))

    def _export_base(self, what: str, suffix: str) -> Path | None:
        """The file an export of the song as ``what`` suggests (in :meth:`_suggested_folder`,
        as Save As), or None when the song has no notes (said, as the audio export says it)."""
        doc = self.document
        if doc.song.note_count == 0:
            dialogs.show_error(self, f"Cannot export {what}",
                               "The song has no notes: there is nothing to export. Add "
                               "some notes, then export again.")
            return None
        name = doc.path.with_suffix(suffix).name if doc.path else \
            f"{title_file_stem(doc.song.title)}{suffix}"
        return self._suggested_folder() / name

    def export_midi(self) -> None:
        from engine.io import file_kind

        doc = self.document
        base = self._export_base("MIDI", ".mid")
        if base is None:
            return
        if doc.path is not None and file_kind(doc.path) == "midi":
            base = base.with_name(f"{doc.path.stem} (export).mid")  # never the opened file
        path = dialogs.get_export_midi_path(self, str(base))
        if path is None:
            return
        if self._confirm_over_import(path) is not None:
            return  # cancelled, or saved as a project instead
        try:
            warnings = doc.export(path)
        except Exception as e:
            if not _is_user_error(e):
                raise
            dialogs.show_error(self, "Cannot export MIDI",
                               _message(e, path, "export it to another folder"))
            return
        self.statusBar().showMessage(f"Exported {display_path(path)}", 4000)
        self._show_file_warnings(path, warnings, "exported")

    def export_musicxml(self) -> None:
        """File ▸ Export MusicXML: a score for a score editor, written off the GUI thread
        with a progress dialog that can cancel it (a long song takes seconds: music21
        quantizes it and makes its notation)."""
        from .dialogs.export import export_musicxml

        doc = self.document
        base = self._export_base("MusicXML", ".musicxml")
        if base is None:
            return
        if doc.from_score or doc.score_source is not None:
            # Never the score editor's own file, even once the song is a project of the
            # same name beside it (lift.musicxml saved as lift.partita).
            base = base.with_name(f"{base.stem} (export).musicxml")
        path = dialogs.get_export_musicxml_path(self, str(base))
        if path is None:
            return

        def done(warnings: list[str]) -> None:
            self.statusBar().showMessage(f"Exported {display_path(path)}", 4000)
            self._show_file_warnings(path, warnings, "exported")

        def failed(error: BaseException) -> None:  # write_musicxml says what, in one line
            dialogs.show_error(self, "Cannot export MusicXML",
                               _message(error, path, "export it to another folder"))

        # The song is immutable: the export writes it as it is now.
        self._export_dialog = export_musicxml(self, doc.song, path, done, failed,
                                              self.export_worker)
        self._export_dialog.destroyed.connect(self._forget_export_dialog)

    def export_stems(self) -> None:
        """File ▸ Export Audio & Stems: the folder, sample rate, bit depth, level, SoundFont,
        where the files end, dry stems or not and whether rehearsal mixes go with them are
        asked (prefilled with the last export's, remembered for the next), then rendered."""
        from engine.render.files import BIT_DEPTH_NAMES, bar_one_note

        from .dialogs.export import (
            clipped_note,
            export_stems,
            mix_and_stems_notes,
            silent_mix_note,
        )
        from .dialogs.export_options import rate_name

        settings = self.settings
        doc = self.document
        # This song's last export folder, else "<song> audio" beside the song (in
        # Documents for the shipped demo, as Save As): never another song's folder,
        # whose mix.wav a quick Enter would replace.
        last = self._export_folders.get(doc.path)
        # The {song} of the stem names: the file's name without its extension, as render
        # takes it from IN (an unsaved song: its title, as the folder's name).
        song_name = doc.path.stem if doc.path else title_file_stem(doc.song.title)
        suggested = last or self._suggested_folder() / f"{song_name} audio"
        choice = dialogs.ask_export_audio(self, str(suggested), settings.export_sample_rate(),
                                          settings.export_soundfont(), settings.export_end(),
                                          *settings.export_rehearsal(),
                                          settings.export_bit_depth(),
                                          settings.export_dry_stems(),
                                          *settings.export_level(),
                                          settings.export_stem_names(), song_name,
                                          self._export_ranges())
        if choice is None:
            return
        self._export_folders[doc.path] = choice.folder
        settings.set_export_sample_rate(choice.sample_rate)
        settings.set_export_soundfont(choice.soundfont)
        settings.set_export_end(choice.end)
        settings.set_export_bit_depth(choice.bit_depth)
        settings.set_export_dry_stems(choice.dry_stems)
        settings.set_export_rehearsal(choice.rehearsal, choice.count_in)
        settings.set_export_level(choice.level, choice.gain_db)
        settings.set_export_stem_names(choice.stem_names)
        folder = choice.folder
        song = self.document.song  # the song exported (a later edit does not move bar 1)

        def done(report: RenderReport) -> None:
            from engine.render.ranges import range_text

            of = ("" if report.span is None else  # the range said, as the dialog chose it
                  f" of {range_text(song, report.span)}")
            msg = (f"Wrote {plural(len(report.paths), 'file')}{of} to {folder} "
                   f"({number_text(report.duration_seconds, 1)} s of "
                   f"{BIT_DEPTH_NAMES[report.bit_depth]} audio at "
                   f"{rate_name(report.sample_rate)}, {report.synth}).")
            self.statusBar().showMessage(msg, 8000)
            bar_one = (bar_one_note(song, report.sample_rate)  # a pickup: where bar 1 is
                       if report.span is None else None)  # (a range starts at its bar)
            if bar_one:
                msg += f"\n\n{bar_one[0].upper()}{bar_one[1:]}."
            for note in mix_and_stems_notes(song, report):
                msg += f"\n\n{note}"
            if silent_mix_note(song, report):  # written, but almost surely not what was meant
                dialogs.show_warning(self, "Export finished — the mix is silent", msg)
            elif clipped_note(report):  # written: the gain is the user's to lower
                dialogs.show_warning(self, "Export finished — files clip", msg)
            else:
                dialogs.show_info(self, "Export finished", msg)

        said: list[BaseException] = []  # an error shown before the export started

        def failed(error: BaseException) -> None:
            said.append(error)
            dialogs.show_error(self, "Cannot export audio", str(error))

        self._export_dialog = export_stems(self, self.document.song, folder, done, failed,
                                           self.export_worker,
                                           sample_rate=choice.sample_rate,
                                           soundfont=choice.soundfont, end=choice.end,
                                           rehearsal=choice.rehearsal,
                                           count_in=int(choice.count_in),
                                           bit_depth=choice.bit_depth,
                                           dry_stems=choice.dry_stems, span=choice.span,
                                           gain_db=choice.fixed_gain_db,
                                           stem_template=choice.stem_names,
                                           song_name=song_name)
        if self._export_dialog is not None:
            self._export_dialog.destroyed.connect(self._forget_export_dialog)
        elif not said:  # the Replace question cancelled: not the last export's "Wrote 6 files"
            self.statusBar().showMessage(f"Nothing exported: the files in {folder} are as "
                                         "they were", 6000)

    def _export_ranges(self) -> list[tuple[str, tuple[int, int]]]:
        """The ranges Export Audio & Stems offers besides the whole song: the loop range
        while the loop is on (as the bar commands take it: bars_in_focus), and the whole
        bars of the selected notes' onsets; none when the studio has neither. Each is
        named as the command line's ``--bars`` names it (``ranges.range_text``): a loop
        off the bar lines by its beats or positions ("1.2.000–4.3.280"), as its files
        are that span exactly, not the whole bars it touches."""
        from engine.render.ranges import range_text

        song, tr = self.document.song, self.transport
        tm = TimeMap.of(song)
        ranges = []
        if tr.loop_enabled and tr.loop_end > tr.loop_start and tr.loop_start < song.end:
            span = (tr.loop_start, tr.loop_end)
            ranges.append((f"Loop range ({range_text(song, span)})", span))
        onsets = [n.start for notes in self.selection.selected_notes(song).values()
                  for n in notes]
        if onsets:
            span = (tm.bar_to_tick(tm.tick_to_bar(min(onsets))),
                    tm.bar_to_tick(tm.tick_to_bar(max(onsets)) + 1))
            ranges.append((f"Selected bars ({range_text(song, span)})", span))
        return ranges

    def _forget_export_dialog(self) -> None:
        self._export_dialog = None  # deleted once its job ended (ProgressJob)

    def edit_song_properties(self) -> None:
        """File ▸ Song Properties: the song's title, as one undo step (the window's title
        shows it; projects and MIDI files keep it)."""
        from engine.score import set_song_props

        doc = self.document
        title = dialogs.ask_song_properties(self, doc.song.title)
        if title is None or title == doc.song.title:
            return
        label = f"Set Title “{title}”" if title else "Clear Title"
        doc.apply(set_song_props(doc.song, label, title=title))
        self.statusBar().showMessage(f"{label} (Ctrl+Z undoes)", 6000)

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        for i, f in enumerate(files):
            name = display_path(Path(f).name).replace("&", "&&")
            act = menu.addAction(f"&{(i + 1) % 10}  {name}")
            act.setToolTip(display_path(f))
            act.setStatusTip(display_path(f))
            act.triggered.connect(lambda _c=False, f=f: self.open_in_background(f))
        if files:
            menu.addSeparator()
            menu.addAction("&Clear List", self._clear_recent)
        else:  # an open, empty submenu says why it is empty (a greyed one said nothing)
            menu.addAction("(no recent files)").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._rebuild_recent_menu()

    # -- recovery --------------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """Ask about work a crashed session left; True when a song was recovered."""
        pending = self.autosaver.pending()
        self._tell_damaged_copies()
        self._tell_interrupted_elsewhere()
        if not pending:
            return False
        action, recovery = dialogs.ask_recover(self, pending)
        if action == "discard":
            problems = self.autosaver.store.discard_all(pending)
            if problems:  # a read-only folder: the files stay and will be offered again
                dialogs.show_error(self, "Cannot discard the recovered work",
                                   "\n".join(problems))
            return False
        if action != "recover" or recovery is None:
            return False
        try:
            project = recovery.load()
        except Exception as e:
            if not _is_user_error(e):
                raise
            dialogs.show_error(self, "Cannot recover", self._unrecoverable(recovery, e))
            return False
        saved = _saved_version(recovery)
        stepped = saved is not None and saved.song != project.song
        if stepped:
            # One undo step from the file as last saved to the recovered work: Ctrl+Z
            # shows what the crash would have lost, Ctrl+Shift+Z brings it back (the
            # finer steps before the crash are not kept).
            from engine.score import ReplaceSong

            self.document.take(saved)
            self.document.apply(ReplaceSong(saved.song, project.song, "Recover Unsaved Work"))
        else:
            self.document.reset(project.song, recovery.document, modified=True)
            self.document.recovered_from(recovery.document)
        self.document.studio_state = dict(project.studio or {})
        if recovery.interrupted and not self.document.studio_state.get("interrupted"):
            # The record written as they started (the copy may predate them).
            self.document.studio_state["interrupted"] = list(recovery.interrupted)
        if original_is_newer(recovery):
            self.document.forget_disk_state()  # Ctrl+S must ask before overwriting it
        self._song_reset(from_file=False)
        # This session's copy first; the crashed session's goes only once that is written
        # (a full disk: the old copy is the only one, and stays).
        written, problem = self.autosaver.take_over(recovery)
        self.statusBar().showMessage(
            "Recovered unsaved work: save it to keep it" + (
                " (Ctrl+Z shows the file as last saved)" if stepped else "") + (
                f" (its autosave could not be deleted and will be offered again: {problem})"
                if problem else "") + (
                "" if written else " · ⚠ this session cannot autosave, so the crashed "
                f"session's copy is kept at {display_path(recovery.path)} until it can"),
            8000 if written else 20000)
        return True

    def _unrecoverable(self, recovery: Recovery, error: BaseException) -> str:
        """What the dialog says of a copy that cannot be loaded (one a newer Partita
        wrote, one damaged past its metadata): the song it is of (its file's whole path,
        else its title), not the autosave's own name ("20261128-…-v5.partita: made by a
        newer Partita"), and where the copy now is: set aside into the recovery folder's
        "damaged" folder, as a damaged copy is, so it is not offered at every start and
        is kept for a Partita that reads it. One that cannot be moved stays, said so."""
        from engine.io import DamagedRecovery, FileFormatError

        song = (display_path(recovery.document) if recovery.document is not None
                else f'the unsaved song "{recovery.title}"' if recovery.title
                else "an unsaved song")
        problem = error.problem if isinstance(error, FileFormatError) else str(error)
        try:
            kept = self.autosaver.store.set_aside(
                DamagedRecovery(recovery.path, recovery.document, recovery.saved_at)).path
            where = f"It is kept at {display_path(kept)}, and not offered again."
        except OSError as e:
            where = (f"It stays at {display_path(recovery.path)} and will be offered again "
                     f"(it could not be moved aside: {e.strerror or e}).")
        return f"The autosave of {song} cannot be recovered: {problem}. {where}"

    def _tell_damaged_copies(self) -> None:
        """Autosaves that cannot be read (a disk error, a copy cut short) are said once,
        each named, and moved aside into the recovery folder's "damaged" folder, never
        deleted (QA: they were skipped without a word). One that cannot be moved stays
        where it is, and is said again at the next start."""
        from .dialogs.recovery import describe_damaged

        store = self.autosaver.store
        try:
            damaged = store.damaged()
        except OSError:
            return
        lines = []
        for copy in damaged:
            with contextlib.suppress(OSError):
                copy = store.set_aside(copy)
            lines.append(describe_damaged(copy) + ".")
        if lines:
            dialogs.show_warning(self, "Damaged autosave", "\n\n".join(lines))

    def _tell_interrupted_elsewhere(self) -> None:
        """Generations a session had in flight when it ended with nothing unsaved (no
        copy to recover): said once, then forgotten."""
        store = self.autosaver.store
        ended = store.interruptions()
        if not ended:
            return
        self._tell_interrupted([line for r in ended for line in r.interrupted])
        store.discard_all(ended)


def _saved_version(recovery: Recovery) -> FileRead | None:
    """The file a recovery copy was made from, as last saved: None for a song never
    saved, a file since changed by someone else (the copy's edits were not made on it)
    or gone, or one that no longer reads."""
    path = recovery.document
    if path is None or original_is_newer(recovery) or not Path(path).is_file():
        return None
    try:
        with _busy(Path(path)):
            return read_file(path)
    except Exception as e:
        if not _is_user_error(e):
            raise
        return None


def save_folder(folder: Path) -> Path:
    """Where Save As suggests saving a song from ``folder``: there, unless it is one of
    Partita's own (the shipped demo's) or one the user cannot write to (an install, a
    read-only share, a folder since deleted); then the user's Documents, else home."""
    if not _shipped(folder) and os.access(folder, os.W_OK):
        return folder
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def _shipped(folder: Path) -> bool:
    """Whether ``folder`` is in the files Partita ships (engine.resources)."""
    from engine.resources import shipped

    return folder.resolve().is_relative_to(shipped("assets").resolve())


@contextlib.contextmanager
def _busy(path: Path) -> Iterator[None]:
    """The wait cursor while :meth:`FileCommands.open_path` reads a MusicXML score on the
    GUI thread (a screenshot's song, Help ▸ Open Demo Song; music21 loads, then
    parses it: a second or more); other files open at once."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engine.io import file_kind

    slow = file_kind(path) == "musicxml"
    if slow:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        if slow:
            QApplication.restoreOverrideCursor()


def new_song_summary(template: str, song: Song) -> str:
    """What File ▸ New made from ``template``, for the status bar: "Band, 4 bars of 4/4
    at 92.5 BPM in A minor"."""
    tm = TimeMap.of(song)
    bpm = round(song.tempos[0].bpm, 1)
    key = f" in {key_text(song.key_signatures[0].key)}" if song.key_signatures else ""
    return (f"{template if song.tracks else 'no tracks'}, "
            f"{plural(tm.tick_to_bar(song.length), 'bar')} of {song.time_signatures[0].text}"
            f" at {number_text(bpm, 1 if bpm % 1 else 0)} BPM{key}")


def _is_user_error(e: BaseException) -> bool:
    """Errors about the file or the song (shown in a dialog); anything else is a bug."""
    from engine.io import FileFormatError

    return isinstance(e, (FileFormatError, OSError, ValueError))


def _message(e: BaseException, path: Path, way_out: str | None = None) -> str:
    """The engine's one-line message; OS errors get the file name added. Writing
    (``way_out``: what to do instead, "use Save As…"), an error that is the folder's
    (gone, read-only) or the name's (too long) says so and the way out, not the file's
    name and the OS's words (QA: "song.partita: No such file or directory" for a
    folder deleted while the song was open)."""
    from engine.io import FileFormatError
    from engine.io.errors import write_problem
    from engine.io.reading import os_problem

    if isinstance(e, OSError) and not type(e).__module__.startswith("engine"):
        problem = write_problem(e, path) if way_out else None
        if problem:
            problem = problem.replace(str(path.parent), display_path(path.parent))
            return f"{display_path(path.name)}: {problem} — {way_out}"
        # The whole path (which song.partita?) and the engine's words: "is a folder, not
        # a file", not the OS's "Is a directory" (QA).
        return f"{display_path(path.absolute())}: {os_problem(e)}"
    if isinstance(e, FileFormatError) and e.path.name == path.name:
        return f"{display_path(path.absolute())}: {e.problem}"
    return str(e)
