"""Files: open, save / reopen, bad files, closing with unsaved work, drag and drop,
autosave and crash recovery."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QProgressDialog
from shiboken6 import isValid

from engine.io import RecoveryStore, load_project, load_song, save_song
from engine.score import Note, Song, Track, add_notes
from studio.autosave import DEBOUNCE_S, MAX_DELAY_S
from tests.studio.conftest import make_song


def edit_something(win) -> None:
    track = win.document.song.tracks[0]
    win.document.apply(add_notes(track.id, [Note(72, 3000, 240, 100)]))


def test_save_as_project_and_reopen_is_equal(opened, tmp_path, dialogs):
    win = opened
    edit_something(win)
    win.set_snap("1/8T")
    target = tmp_path / "out.partita"
    dialogs.answers["get_save_path"] = target
    assert win.save_as()
    assert win.windowTitle() == "Test song — out.partita — Partita"
    saved = win.document.song
    win.set_snap("1/4")
    assert win.open_path(target)
    assert win.document.song == saved
    assert win.pianoroll.snap.name == "1/8T"  # studio state travels with the project
    assert str(target.resolve()) in win.settings.recent_files()


def test_ctrl_s_on_a_midi_file_writes_midi(opened, song_file, dialogs):
    win = opened
    edit_something(win)
    dialogs.answers["ask_save_over_midi"] = "anyway"  # the opened file: asked first
    assert win.save()
    assert not win.document.is_modified
    assert load_song(song_file) == win.document.song


def test_bad_file_shows_the_engine_message_and_keeps_the_song(opened, tmp_path, dialogs):
    win = opened
    song = win.document.song
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"PK\x03\x04 definitely not midi")
    assert not win.open_path(bad)
    ((_, (_, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert "broken.mid" in message and "\n" not in message
    assert win.document.song is song
    assert win.windowTitle() == "Test song — song.mid — Partita"


def test_a_folder_opened_as_a_song_is_said_in_the_engines_words_with_its_path(
        opened, tmp_path, dialogs):
    folder = tmp_path / "sub" / "song.partita"
    folder.mkdir(parents=True)
    assert not opened.open_path(folder)
    ((_, (_, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    # Was "song.partita: Is a directory": the OS's words, and which song.partita?
    assert message == f"{folder}: is a folder, not a file"


def test_a_midi_file_cut_short_opens_with_what_it_holds_and_says_what_is_missing(
        window, song_file, dialogs):
    # It was refused ("the file ends after 3") though every note was there.
    data = song_file.read_bytes()
    ntracks = int.from_bytes(data[10:12], "big")
    cut = song_file.with_name("cut.mid")
    cut.write_bytes(data[:10] + (ntracks + 1).to_bytes(2, "big") + data[12:])
    assert window.open_path(cut)
    assert window.document.song.note_count == make_song().note_count
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "cut.mid: opened, with a warning"
    assert message == (f"The file ends after {ntracks} of the {ntracks + 1} tracks its "
                       f"header declares: {ntracks} read")


def test_a_kit_imported_as_a_piano_is_said_on_opening_with_how_to_make_it_a_kit(
        window, tmp_path, dialogs):
    from tests.engine.io.test_midi_import_report import band_with_a_kit_on_channel_3

    band = tmp_path / "band.mid"
    band_with_a_kit_on_channel_3(band)
    assert window.open_path(band)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "band.mid: opened, with a warning"
    first, second = message.split("\n\n")
    assert first.startswith("Track 2 'Drums' is named as drums but is on channel 3, so it")
    assert first.endswith(". If it is a drum kit, choose Drum Kit in its instrument list in "
                          "the track list (Ctrl+Alt+I on that track).")
    assert second.startswith("Track 6 'perc kit' is named as drums")


def test_closing_with_unsaved_changes_asks(opened, dialogs):
    win = opened
    edit_something(win)
    dialogs.answers["ask_save_changes"] = "cancel"
    assert not win.close()
    assert win.isVisible()
    assert dialogs.names().count("ask_save_changes") == 1
    dialogs.answers["ask_save_changes"] = "discard"
    assert win.close()


def test_drop_a_midi_file_opens_it(window, song_file, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(song_file))])
    event = QDropEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    # Read off-thread, then the window's new song (its views, a full collection: studio.heap):
    # 5 s as the other reads here; 2 s ran out under load late in a full run.
    qtbot.waitUntil(lambda: window.document.path == song_file, timeout=5000)
    assert len(window.document.song.tracks) == 3


def test_a_musicxml_score_opens_by_menu_and_drop_and_save_never_writes_over_it(
        window, tmp_path, qtbot, dialogs):
    from studio.dialogs.files import OPEN_FILTER
    from tests.engine.io.test_musicxml_import import satb, write

    assert "*.musicxml *.xml *.mxl" in OPEN_FILTER.split(";;")[0]  # File ▸ Open's "Songs"
    score = tmp_path / "hymn.mxl"
    write(satb(), score)
    before = score.read_bytes()
    dialogs.answers["get_open_path"] = score
    window.open_file()
    qtbot.waitUntil(lambda: window.document.path == score, timeout=5000)  # read off-thread
    song = window.document.song
    assert [t.name for t in song.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert song.key_signatures[0].key == "D" and window.document.time_map.has_pickup
    assert "show_warning" not in dialogs.names()  # nothing approximated: nothing to say
    # Ctrl+S asks where (a project beside the score), never writes the score over.
    edit_something(window)
    target = tmp_path / "hymn.partita"
    dialogs.answers["get_save_path"] = target
    assert window.save()
    ((_, (suggested,)),) = [c for c in dialogs.calls if c[0] == "get_save_path"]
    assert suggested == str(tmp_path / "hymn.partita")
    assert score.read_bytes() == before and load_project(target).song == window.document.song
    # Dropped on the window, a score with something approximated says it on opening.
    music21 = __import__("music21")
    tune = music21.stream.Part([music21.stream.Measure([
        music21.meter.TimeSignature("2/4"), music21.note.Note("B4").getGrace(),
        music21.note.Note("A4", quarterLength=2)])])
    grace = tmp_path / "grace.musicxml"
    write(music21.stream.Score([tune]), grace)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(grace))])
    window.dropEvent(QDropEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.document.path == grace, timeout=5000)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "grace.musicxml: opened, with a warning"
    assert "1 grace note left out: the song plays the written notes only" in message.split(
        "\n\n")


def reader_watched(monkeypatch, block: threading.Event | None = None) -> list[str]:
    """Replace the file reader by one noting the thread it runs on (and, given ``block``,
    waiting for it before it reads)."""
    import studio.document

    threads: list[str] = []
    real = studio.document.read_file

    def read(path):
        threads.append(threading.current_thread().name)
        if block is not None:
            assert block.wait(10)
        return real(path)

    monkeypatch.setattr(studio.document, "read_file", read)
    return threads


def test_open_reads_a_score_off_the_gui_thread_behind_a_reading_dialog(
        window, tmp_path, qtbot, dialogs, monkeypatch):
    from studio.dialogs.reading import SHOW_AFTER_MS
    from tests.engine.io.test_musicxml_import import satb, write

    threads = reader_watched(monkeypatch)
    score = tmp_path / "hymn.mxl"
    write(satb(), score)
    dialogs.answers["get_open_path"] = score
    window.open_file()
    dlg = window._open_dialog
    assert dlg.labelText() == "Reading hymn.mxl…" and dlg.minimumDuration() == SHOW_AFTER_MS
    qtbot.waitUntil(lambda: window.document.path == score, timeout=5000)
    assert threads and threading.main_thread().name not in threads
    assert window._open_dialog is None
    # Deleted, not only closed: each open left a QProgressDialog under the window.
    qtbot.waitUntil(lambda: not window.findChildren(QProgressDialog), timeout=2000)
    assert not isValid(dlg)
    assert window.statusBar().currentMessage().startswith("Opened hymn.mxl: 4 tracks")
    # Unsaved work: "Save changes?" comes first, and Cancel there reads nothing.
    edit_something(window)
    dialogs.answers["ask_save_changes"] = "cancel"
    window.open_in_background(score)
    assert len(threads) == 1 and window._open_dialog is None


def test_then_runs_once_the_background_read_is_over_however_it_ended(
        window, tmp_path, qtbot, dialogs, song_file):
    """The studio started with a song reads it behind the window, then offers the work a
    crash left (read after the offer, the file replaced what it brought back)."""
    calls: list[object] = []
    window.open_in_background(song_file, ask=False, then=lambda: calls.append(
        window.document.path))
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert calls == [song_file]  # after the song is the window's
    bad = tmp_path / "broken.musicxml"
    bad.write_text("<score-partwise><part-list>")
    window.open_in_background(bad, ask=False, then=lambda: calls.append("after failure"))
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=5000)
    assert calls[1] == "after failure" and "show_error" in dialogs.names()


def test_cancel_while_a_file_is_read_keeps_the_song(opened, song_file, tmp_path, qtbot,
                                                    dialogs, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    win = opened
    song = win.document.song
    go = threading.Event()
    threads = reader_watched(monkeypatch, go)
    other = tmp_path / "other.mid"
    other.write_bytes(song_file.read_bytes())
    dialogs.answers["get_open_path"] = other
    win.open_file()
    dlg = win._open_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)  # shown once the read takes 0.5 s
    assert win.isEnabled()  # the event loop runs: the window repaints, the dialog moves
    [button] = dlg.findChildren(QPushButton)
    assert button.text() == "Cancel"
    button.click()
    go.set()
    assert win.open_worker.wait(10000)
    qtbot.wait(200)  # deliver whatever the worker sent
    qtbot.waitUntil(lambda: not isValid(dlg), timeout=5000)  # deleted back in the loop
    assert win._open_dialog is None
    assert win.document.song is song and win.document.path == song_file
    assert {"show_error", "show_notice", "show_warning"}.isdisjoint(dialogs.names())
    assert "cancelled: the song is as it was" in win.statusBar().currentMessage()
    # The next Open is not held up by the cancelled one.
    win.open_file()
    qtbot.waitUntil(lambda: win.document.path == other, timeout=5000)
    assert len(threads) == 2


def test_a_bad_file_opened_from_the_menu_says_why_and_keeps_the_song(opened, tmp_path,
                                                                    qtbot, dialogs):
    win = opened
    song = win.document.song
    bad = tmp_path / "broken.musicxml"
    bad.write_text("<score-partwise><part-list>")
    dialogs.answers["get_open_path"] = bad
    win.open_file()
    qtbot.waitUntil(lambda: "show_error" in dialogs.names(), timeout=5000)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot open file" and "broken.musicxml" in message
    assert win.document.song is song and win._open_dialog is None


def test_a_missing_file_from_the_command_line_is_a_dialog_in_a_usable_window(
        window, tmp_path, qtbot, dialogs):
    # `partita studio MISSING.partita` from a desktop launcher (a stale Recent entry, a
    # file on an unmounted drive): no terminal shows a one-line error, so the window
    # opens and the background read says it, naming the whole path.
    win = window
    song = win.document.song
    missing = tmp_path / "usb drive" / "MISSING.partita"
    over = []
    win.open_in_background(missing, ask=False, then=lambda: over.append(True))
    qtbot.waitUntil(lambda: bool(over), timeout=5000)  # the recovery offer still follows
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot open file"
    assert message.startswith(f"{missing}: no such file") and "not mounted" in message
    assert win.document.song is song and win._open_dialog is None and win.isEnabled()
    assert str(missing) not in win.settings.recent_files()
    other = tmp_path / "other.mid"  # the window goes on: the next file opens
    save_song(make_song(), other)
    win.open_in_background(other, ask=False)
    qtbot.waitUntil(lambda: win.document.path == other, timeout=5000)


def _recent_entry(win, path):
    """The File ▸ Open Recent action that opens ``path`` (None when it is not listed)."""
    want = str(path.resolve())
    return next((a for a in win.recent_menu.actions() if a.toolTip() == want), None)


def test_a_recent_file_that_is_gone_comes_off_open_recent(window, tmp_path, qtbot, dialogs):
    from studio.settings import Settings

    win = window
    gone, kept = tmp_path / "gone.mid", tmp_path / "kept.mid"
    for path in (gone, kept):
        save_song(make_song(), path)
        assert win.open_path(path, ask=False)
    gone.unlink()  # moved or deleted since it was opened
    _recent_entry(win, gone).trigger()
    qtbot.waitUntil(lambda: "show_error" in dialogs.names(), timeout=5000)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot open file"
    assert message.startswith(f"{gone}: no such file")
    assert message.endswith("it has been taken off Open Recent")
    assert win.document.path == kept  # the song stays
    assert _recent_entry(win, gone) is None and _recent_entry(win, kept) is not None
    assert win.settings.recent_files() == [str(kept.resolve())]
    win.settings.sync()  # the next session does not offer it either
    assert Settings(tmp_path / "settings.ini").recent_files() == [str(kept.resolve())]
    # Missing again (the command line names it): the same dialog, with nothing to take off.
    dialogs.calls.clear()
    win.open_in_background(gone, ask=False)
    qtbot.waitUntil(lambda: "show_error" in dialogs.names(), timeout=5000)
    ((_, (_, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert "Open Recent" not in message


def test_a_recent_file_that_cannot_be_read_stays_on_open_recent(window, tmp_path, qtbot,
                                                                dialogs):
    win = window
    broken = tmp_path / "broken.mid"
    save_song(make_song(), broken)
    assert win.open_path(broken, ask=False)
    broken.write_bytes(b"PK\x03\x04 definitely not midi")  # there, but not readable
    dialogs.calls.clear()
    _recent_entry(win, broken).trigger()
    qtbot.waitUntil(lambda: "show_error" in dialogs.names(), timeout=5000)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot open file" and "Open Recent" not in message
    # The user may mend it: it is still one click away.
    assert _recent_entry(win, broken) is not None
    assert win.settings.recent_files() == [str(broken.resolve())]


def test_autosave_then_recover_after_a_crash(opened, tmp_path, qtbot, dialogs):
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = opened
    edit_something(win)
    assert win.autosaver.save_now()
    recovery_file = win.autosaver.store.path
    assert recovery_file.exists()
    unsaved = win.document.song
    # A "crash": the next session starts while the file is still there.
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    def recover(_parent, pending):
        assert [r.path for r in pending] == [recovery_file]
        return ("recover", pending[0])

    dialogs.answers["ask_recover"] = recover
    assert other.offer_recovery()
    assert other.document.song == unsaved
    assert other.document.is_modified
    assert other.windowTitle() == "Test song — song.mid* — Partita"
    assert not recovery_file.exists()  # adopted by the new session's own file
    other.document._dirty = False
    other.document.undo_stack.setClean()
    other.close()


def test_a_copy_from_a_newer_partita_names_its_song_and_is_set_aside(opened, tmp_path,
                                                                     qtbot, dialogs):
    import json

    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = opened
    edit_something(win)
    assert win.autosaver.save_now()
    copy = win.autosaver.store.path
    doc = json.loads(copy.read_bytes())
    doc["version"] = 5  # what a newer Partita wrote
    copy.write_text(json.dumps(doc))
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    dialogs.answers["ask_recover"] = lambda _parent, pending: ("recover", pending[0])
    assert not other.offer_recovery()
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot recover"
    kept = copy.parent / "damaged" / copy.name
    # It said "20261128-….partita: made by a newer Partita", and again at every start.
    assert message == (
        f"The autosave of {win.document.path} cannot be recovered: made by a newer "
        "Partita: format version 5, this version reads up to 1. It is kept at "
        f"{kept}, and not offered again.")
    assert kept.exists() and not copy.exists()
    assert other.autosaver.store.pending() == []
    other.close()


def test_undo_after_a_recovery_shows_the_file_as_last_saved_and_redo_brings_it_back(
        opened, tmp_path, qtbot, dialogs):
    # The finer undo steps die with the crashed session; one step is kept between the file
    # on disk and the recovered work, so the user can see what the crash would have lost.
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = opened
    on_disk = win.document.song
    edit_something(win)
    assert win.autosaver.save_now()
    unsaved = win.document.song
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    dialogs.answers["ask_recover"] = lambda _parent, pending: ("recover", pending[0])
    assert other.offer_recovery()
    doc = other.document
    assert doc.song == unsaved and doc.is_modified
    assert doc.undo_stack.undoText() == "Recover Unsaved Work"
    assert "Ctrl+Z shows the file as last saved" in other.statusBar().currentMessage()
    doc.undo_stack.undo()
    assert doc.song == on_disk and not doc.is_modified
    doc.undo_stack.redo()
    assert doc.song == unsaved and doc.is_modified
    assert doc.path == win.document.path and doc.import_report is not None  # still asks
    doc.undo_stack.undo()  # clean again: close without a question
    other.close()


def test_a_recovered_song_never_saved_has_no_step_to_undo(window, tmp_path, qtbot, dialogs):
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    track = window.document.song.tracks[0]
    window.document.apply(add_notes(track.id, [Note(72, 0, 240, 100)]))
    assert window.autosaver.save_now()
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    dialogs.answers["ask_recover"] = lambda _parent, pending: ("recover", pending[0])
    assert other.offer_recovery()
    assert other.document.song == window.document.song and other.document.is_modified
    assert not other.document.undo_stack.canUndo()
    other.document._dirty = False
    other.close()


def test_an_edit_is_autosaved_at_once_and_recovered_after_a_crash(opened, qtbot):
    # QA: a note drawn, the studio killed a second later, the recovery without the note:
    # the copy was written every 30 seconds. Now it follows the edit.
    win = opened
    assert win.autosaver.timer.interval() >= 30_000  # not the slow timer's doing
    edit_something(win)
    unsaved = win.document.song
    store = win.autosaver.store
    qtbot.waitUntil(lambda: store.path.exists(), timeout=round(DEBOUNCE_S * 1000) + 3000)
    # A crash: nothing is closed; the next session finds the copy, with the edit.
    (recovery,) = RecoveryStore(store.directory).pending()
    assert recovery.load().song == unsaved
    # Another edit: the copy follows it too.
    track = win.document.song.tracks[0]
    win.document.apply(add_notes(track.id, [Note(74, 3240, 240, 100)]))
    qtbot.waitUntil(lambda: load_project(store.path).song == win.document.song, timeout=4000)


def test_autosave_waits_for_a_pause_but_not_for_ever_nor_sooner_than_it_can_write(opened):
    saver = opened.autosaver
    saver.changed()  # an edit: a copy half a second later
    assert saver.debounce.isActive() and saver.debounce.interval() == round(DEBOUNCE_S * 1000)
    saver.changed()  # another: the wait starts again
    assert saver.debounce.interval() == round(DEBOUNCE_S * 1000)
    # Edits that never pause (a held arrow key) still get a copy MAX_DELAY_S after the first.
    saver._first_change = time.monotonic() - (MAX_DELAY_S - 0.1)
    saver.changed()
    assert saver.debounce.interval() <= 100
    # A slow write (0.6 s: a huge song on a slow disk) spaces the next one out: writing
    # takes at most a fifth of the time, even in a run of edits.
    saver._first_change = None
    saver.last_write_s, saver._written_at = 0.6, time.monotonic()
    saver.changed()
    assert 2800 <= saver.debounce.interval() <= 3000
    saver.debounce.stop()


class GatedStore(RecoveryStore):
    """A recovery store whose first write waits for ``gate`` (a write still running)."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        self.gate = threading.Event()
        self.writes = 0

    def save(self, song, document=None, studio=None):
        self.gate.wait(10)
        self.writes += 1
        return super().save(song, document, studio)


def test_an_edit_made_while_a_copy_is_written_gets_its_own_copy(opened, tmp_path, qtbot):
    win = opened
    saver = win.autosaver
    saver.store = store = GatedStore(tmp_path / "gated")
    saver.debounce_s = 0.01
    edit_something(win)
    qtbot.waitUntil(lambda: saver._busy, timeout=3000)  # the first copy is being written
    track = win.document.song.tracks[0]
    win.document.apply(add_notes(track.id, [Note(74, 3240, 240, 100)]))
    qtbot.waitUntil(lambda: saver._again, timeout=3000)  # its copy waits for that one
    store.gate.set()
    qtbot.waitUntil(lambda: store.writes == 2 and not saver._busy, timeout=5000)
    assert load_project(store.path).song == win.document.song


# The studio in its own process, in its own event loop (QTest.qWait would hold the GIL the
# worker thread writing the copy needs): a note drawn, and the process killed 1 s later.
CRASH = """
import os, signal, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from studio.app import create_app
from studio.mainwindow import MainWindow
from studio.settings import Settings
from engine.io import RecoveryStore
from engine.score import Note, Song, Track, add_notes
app = create_app()
folder = Path(sys.argv[1])
win = MainWindow(Settings(folder / "settings.ini"), RecoveryStore(folder / "recovery"))
win.show()
win.set_song(Song(tracks=(Track("Piano", notes=(Note(60, 0, 480, 90),)),)))

def draw():
    track = win.document.song.tracks[0]
    win.document.apply(add_notes(track.id, [Note(64, 480, 480, 90)]))
    QTimer.singleShot(1000, lambda: os.kill(os.getpid(), signal.SIGKILL))

QTimer.singleShot(300, draw)
app.exec()
"""


def test_a_note_drawn_a_second_before_the_studio_is_killed_is_recovered(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PARTITA_STATE_DIR": str(tmp_path),
           "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path)], capture_output=True,
                         text=True, timeout=120, env=env)
    assert run.returncode == -9, run.stderr  # SIGKILL: nothing ran at exit
    (recovery,) = RecoveryStore(tmp_path / "recovery").pending()
    assert [n.pitch for n in recovery.load().song.tracks[0].notes] == [60, 64]


def test_the_recovery_dialog_says_how_recent_the_copy_is():
    from studio.dialogs.recovery import ago, describe, saved_when

    now = datetime(2026, 3, 2, 14, 5, 30, tzinfo=UTC)
    assert ago(now - timedelta(seconds=1), now) == "just now"
    assert ago(now - timedelta(seconds=12), now) == "12 seconds ago"
    assert ago(now - timedelta(minutes=1, seconds=5), now) == "1 minute ago"
    assert ago(now - timedelta(hours=3), now) == "3 hours ago"
    assert ago(now - timedelta(days=2, hours=1), now) == "2 days ago"

    class Copy:  # what describe reads of a Recovery
        document = None
        saved_at = now - timedelta(minutes=5, seconds=3)
        title, tracks, notes = "", 1, 0

    local = Copy.saved_at.astimezone()
    date = saved_when(Copy.saved_at)[len("00:00:00, "):]  # test_locale_numbers: which
    assert describe(Copy(), now) == (f"Untitled song (1 track, 0 notes) — autosaved "
                                     f"{local:%H:%M:%S}, {date} (5 minutes ago)")


def test_the_recovery_dialog_names_an_unsaved_song_by_its_title_and_tells_copies_apart(
        tmp_path):
    from studio.dialogs.recovery import describe

    def crashed(title: str, notes: int, tracks: int = 3) -> None:
        parts = [Track(f"T{i}") for i in range(tracks - 1)]
        notes_track = Track("Lead", notes=tuple(Note(60 + i % 12, i * 240, 240)
                                                for i in range(notes)))
        RecoveryStore(tmp_path).save(Song((*parts, notes_track), title=title))

    crashed("My First Song", 30)
    crashed("", 1, tracks=1)
    crashed("", 1200, tracks=2)
    rows = sorted(describe(r).split(" — ")[0] for r in RecoveryStore(tmp_path).pending())
    assert rows == ["My First Song (3 tracks, 30 notes)", "Untitled song (1 track, 1 note)",
                    "Untitled song (2 tracks, 1,200 notes)"]


def test_the_recovery_dialog_is_wide_enough_for_a_whole_row(qapp, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog, QListWidget

    from studio.dialogs.recovery import ask_recover

    RecoveryStore(tmp_path).save(Song((Track("Lead", notes=(Note(60, 0, 480),)),),
                                      title="My First Song"))
    seen = []
    monkeypatch.setattr(QDialog, "exec", lambda dlg: seen.append(dlg) or 0)
    assert ask_recover(None, RecoveryStore(tmp_path).pending()) == ("later", None)
    (dlg,) = seen
    rows = dlg.findChild(QListWidget)
    assert rows.item(0).text().startswith("My First Song (1 track, 1 note) — autosaved")
    assert dlg.width() >= rows.sizeHintForColumn(0)  # "(just now)" not cut off


def test_saving_discards_the_autosave(opened, dialogs):
    win = opened
    dialogs.answers["ask_save_over_midi"] = "anyway"
    edit_something(win)
    win.autosaver.save_now()
    assert win.autosaver.store.path.exists()
    win.save()
    assert not win.autosaver.store.path.exists()


def test_exporting_more_instruments_than_midi_channels_says_which_share(opened, tmp_path,
                                                                         dialogs):
    from engine.score import Song, Track

    win = opened
    tracks = tuple(Track(f"T{p}", program=p, notes=(Note(60, 0, 480),)) for p in range(17))
    win.document.reset(Song(tracks), None)
    target = tmp_path / "many.mid"
    dialogs.answers["get_export_midi_path"] = target
    win.export_midi()
    assert target.is_file()
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "many.mid: exported, with a warning" and "is shared by tracks" in message
    win.export_midi()  # the same file, the same warnings: said once, not at every save
    assert len([c for c in dialogs.calls if c[0] == "show_warning"]) == 1
    win.document.reset(Song((*tracks, Track("Muted", mute=True, notes=(Note(62, 0, 480),)))),
                       None)
    win.export_midi()  # something new to say
    notices = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert len(notices) == 2 and "'Muted' is muted" in notices[1][1][1]


def test_discarding_recoveries_it_cannot_delete_says_so(opened, tmp_path, qtbot, dialogs,
                                                        monkeypatch):
    import errno
    from pathlib import Path

    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = opened
    edit_something(win)
    assert win.autosaver.save_now()
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    dialogs.answers["ask_recover"] = ("discard", None)

    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    with monkeypatch.context() as patch:  # only unlink: the dialogs stay stubbed
        patch.setattr(Path, "unlink", read_only)
        assert not other.offer_recovery()  # no traceback: the user is told, the file stays
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot discard the recovered work" and "Read-only" in message
    assert win.autosaver.store.path.exists()
    other.close()


def test_the_timer_autosaves_on_a_worker_thread_and_a_clean_save_wins(opened, qtbot,
                                                                      monkeypatch, dialogs):
    import threading

    win = opened
    saver = win.autosaver
    edit_something(win)
    on_main: list[bool] = []
    real = saver.store.save

    def save(*args, **kwargs):
        on_main.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:  # not monkeypatch.undo(): dialogs stay stubbed
        patch.setattr(saver.store, "save", save)
        with qtbot.waitSignal(saver.saved, timeout=10000):
            saver.save_in_background()
        assert on_main == [False] and saver.store.path.exists()
        saver.save_in_background()  # nothing new since: nothing written
        assert on_main == [False]
        # A clean save while a write is in flight: the copy does not outlive it.
        edit_something(win)
        saver.save_in_background()
        dialogs.answers["ask_save_over_midi"] = "anyway"
        assert win.save()
        qtbot.wait(200)
    assert not saver.store.path.exists()


def test_settings_that_cannot_be_kept_are_said_once(qtbot, tmp_path, dialogs, no_audio,
                                                     song_file):
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    blocker = tmp_path / "config"
    blocker.write_text("a file where the config folder should be")
    win = MainWindow(Settings(blocker / "studio.ini"), RecoveryStore(tmp_path / "r"))
    qtbot.addWidget(win)
    try:
        assert win.open_path(song_file)
        message = win.statusBar().currentMessage()
        assert "settings cannot be saved" in message and "studio.ini" in message
        assert win.open_path(song_file)
        assert "settings cannot be saved" not in win.statusBar().currentMessage()  # once
    finally:
        win.document.undo_stack.setClean()
        win.document._dirty = False
        win.close()


def test_export_musicxml_never_suggests_the_score_the_song_came_from(window, tmp_path,
                                                                      dialogs):
    from tests.engine.io.test_musicxml_import import satb, write

    score = tmp_path / "lift.musicxml"
    write(satb(), score)
    assert window.open_path(score)
    dialogs.answers["get_export_musicxml_path"] = None  # cancelled: only the suggestion
    window.export_musicxml()
    # Saved as a project of the same name beside it (Ctrl+S), then reopened later: the
    # export still suggests a copy, never lift.musicxml itself.
    edit_something(window)
    dialogs.answers["get_save_path"] = tmp_path / "lift.partita"
    assert window.save()
    window.export_musicxml()
    assert window.open_path(tmp_path / "lift.partita")
    window.export_musicxml()
    suggested = [args[0] for name, args in dialogs.calls if name == "get_export_musicxml_path"]
    assert suggested == [str(tmp_path / "lift (export).musicxml")] * 3


def test_a_file_name_that_is_not_utf8_drops_opens_saves_and_exports(window, song_file,
                                                                      tmp_path, qtbot,
                                                                      dialogs):
    # Übung.mid from an old zip: Latin-1 bytes on disk, a surrogate escape in Python.
    latin1 = tmp_path / os.fsdecode(b"\xdcbung.mid")
    latin1.write_bytes(song_file.read_bytes())
    mime = QMimeData()  # as a file manager drags it: the raw byte percent-encoded
    mime.setUrls([QUrl.fromEncoded(b"file://" + quote(os.fsencode(latin1)).encode())])
    window.dropEvent(QDropEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.document.path == latin1, timeout=5000)  # as the drop above
    assert "\ufffdbung.mid" in window.windowTitle()
    edit_something(window)
    project = tmp_path / os.fsdecode(b"\xdcbung.partita")
    dialogs.answers["get_save_path"] = project
    assert window.save_as()
    assert load_project(project).song == window.document.song
    exported = tmp_path / os.fsdecode(b"\xdcbung (export).mid")
    dialogs.answers["get_export_midi_path"] = exported
    window.export_midi()
    assert exported.is_file()
    assert not [c for c in dialogs.calls if c[0] == "show_error"]


def test_opening_a_swung_tune_says_what_is_off_the_grid_once(window, tmp_path, dialogs):
    # A jazz QA: "Opened swing.mid: 3 tracks, 290 notes" and not a word of the swing or
    # the triplet fill. Said in the status bar, no dialog.
    from tests.engine.score.swing_tune import write_swing_tune

    assert window.open_path(write_swing_tune(tmp_path / "swing.mid"))
    assert window.statusBar().currentMessage() == (
        "Opened swing.mid: 3 tracks, 290 notes · 162 notes off the 16th grid (158 swung 8ths "
        "in Sax and Piano; 4 triplet notes in Sax): kept exactly")
    assert not [c for c in dialogs.calls if c[0] != "get_open_path"]


def test_opening_a_file_says_the_bends_of_channels_without_notes_dropped(window, tmp_path,
                                                                       dialogs):
    # Guitarist QA: a set-up track's bends for channels nobody plays went without a word.
    import mido

    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    mf.tracks.append(mido.MidiTrack([
        mido.Message("pitchwheel", pitch=200, channel=4),
        mido.Message("note_on", note=60, velocity=90),
        mido.Message("note_off", note=60, time=480)]))
    mf.save(tmp_path / "setup.mid")
    assert window.open_path(tmp_path / "setup.mid")
    assert window.statusBar().currentMessage() == (
        "Opened setup.mid: 1 track, 1 note · 1 pitch bend on MIDI channels with no notes (5) "
        "was dropped: no track plays there to hold them")
    assert not [c for c in dialogs.calls if c[0] != "get_open_path"]


def test_a_song_on_the_grid_opens_with_the_plain_message(opened):
    assert "off the 16th grid" not in opened.statusBar().currentMessage()


def test_opening_songs_one_after_another_holds_only_the_last_ones_notes(window, tmp_path):
    # A soak QA: 61 opens of a 6,094-note file kept every opened song's notes in the piano
    # roll's index (RSS 116 → 193 MB); each open gives its tracks new ids.
    path = tmp_path / "song.mid"
    save_song(Song(tracks=(Track("A", notes=(Note(60, 0, 480),)),
                           Track("B", notes=(Note(64, 0, 480),)))), path)
    for _ in range(5):
        window.open_path(path)
        window.pianoroll.canvas.repaint()
    cached = set(window.pianoroll.index._cache)
    assert cached <= {t.id for t in window.document.song.tracks}


def test_a_plain_hymn_tune_opens_with_its_defaults_in_the_status_bar_not_a_dialog(
        window, tmp_path, qtbot, dialogs):
    """A choir director's QA: a hymn tune with no metronome mark and no dynamics opened
    with a modal "opened, with a warning" for them; the song loses nothing there (120 BPM
    and mf are played), so the status bar says it. A real loss still asks."""
    music21 = __import__("music21")
    from tests.engine.io.test_musicxml_import import write

    tune = music21.stream.Part([music21.stream.Measure([
        music21.meter.TimeSignature("3/4"), music21.note.Note("D4"),
        music21.note.Note("F4"), music21.note.Note("A4")])])
    hymn = tmp_path / "hymn.musicxml"
    write(music21.stream.Score([tune]), hymn)
    dialogs.answers["get_open_path"] = hymn
    window.open_file()
    qtbot.waitUntil(lambda: window.document.path == hymn, timeout=5000)
    assert "show_warning" not in dialogs.names()
    shown = window.statusBar().currentMessage()
    assert "no metronome mark: the song plays at 120 BPM" in shown
    assert "no dynamics marks: velocities are mf" in shown
    # A grace note left out is a loss: asked, without the defaults among it.
    grace = music21.stream.Part([music21.stream.Measure([
        music21.meter.TimeSignature("2/4"), music21.note.Note("B4").getGrace(),
        music21.note.Note("A4", quarterLength=2)])])
    lost = tmp_path / "grace.musicxml"
    write(music21.stream.Score([grace]), lost)
    dialogs.answers["get_open_path"] = lost
    window.open_file()
    qtbot.waitUntil(lambda: window.document.path == lost, timeout=5000)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "grace.musicxml: opened, with a warning"
    assert message.split("\n\n") == [
        "1 grace note left out: the song plays the written notes only"]
