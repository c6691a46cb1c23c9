"""No lost work: damaged studio state, huge songs, odd file names, what a MIDI import
dropped, files changed on disk, failing autosave, takes not yet accepted."""

from __future__ import annotations

import json
import os
import time

import mido
import pytest
from PySide6.QtWidgets import QApplication

from engine.io import RecoveryStore, load_song, save_song
from engine.jobs import Take
from engine.score import EditGroup, Mask, Note, Song, Track, add_notes
from studio.pianoroll.viewport import (
    MAX_KEY_H,
    MAX_PX_PER_BEAT,
    MIN_KEY_H,
    MIN_PX_PER_BEAT,
    QT_INT_MAX,
)
from studio.settings import Settings
from studio.tracklist import TrackHeader

from .conftest import make_song


def edit_something(win) -> None:
    win.document.apply(add_notes(win.document.song.tracks[0].id, [Note(72, 0, 240, 100)]))


def project_with_studio(path, studio: dict):
    """A project whose "studio" section says ``studio`` (as a damaged file might)."""
    save_song(make_song(), path)
    data = json.loads(path.read_text())
    data["studio"] = studio
    path.write_text(json.dumps(data))
    return path


# -- 1. damaged studio state -----------------------------------------------------------------------
@pytest.mark.parametrize("studio", [
    {"px_per_beat": 0, "key_height": 0},
    {"px_per_beat": 40, "key_height": 0},
    {"px_per_beat": -1, "key_height": -5},
    {"px_per_beat": 1e308, "key_height": 100000, "playhead": 10**15},
    {"px_per_beat": 1e-300, "scroll": [1e308, 1e308]},
    {"px_per_beat": "x", "scroll": ["x", None], "loop": [0, 10**15, True]},
])
def test_a_damaged_studio_section_opens_with_a_sane_view(window, tmp_path, studio):
    path = project_with_studio(tmp_path / "damaged.partita", studio)
    assert window.open_path(path)
    assert not window.grab().isNull()  # paints (pytest-qt fails on errors in paintEvent)
    vp = window.pianoroll.viewport
    assert MIN_PX_PER_BEAT <= vp.px_per_beat <= MAX_PX_PER_BEAT
    assert MIN_KEY_H <= vp.key_h <= MAX_KEY_H
    assert 0 <= vp.left <= vp.max_left() and 0 <= vp.top <= vp.max_top()
    assert 0 <= window.transport.position <= window.document.end
    assert window.transport.loop_end < QT_INT_MAX


def test_a_note_far_beyond_qt_int_range_scrolls_and_paints(window):
    far = 2**52
    song = Song(tracks=(Track(name="Far", notes=(Note(60, 0, 480, 90), Note(62, far, 480, 90))),))
    window.set_song(song)
    window.pianoroll.fit()
    assert not window.grab().isNull()
    hbar = window.pianoroll.hbar
    assert 0 < hbar.maximum() <= QT_INT_MAX
    hbar.setValue(hbar.maximum())
    window.pianoroll.viewport.set_left(float(far))
    assert not window.grab().isNull()


# -- 2. many tracks ------------------------------------------------------------------------------
def test_only_the_rows_on_screen_get_track_headers(window, qtbot):
    tracks = tuple(Track(name=f"T{i}", channel=i % 9, notes=(Note(60, 0, 480, 90),))
                   for i in range(400))
    window.set_song(Song(tracks=tracks))
    made = window.tracklist.findChildren(TrackHeader)
    assert 0 < len(made) < 40
    bar = window.tracklist.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    last = window.document.song.tracks[-1].id
    assert window.tracklist.header(last).name.text() == "T399"
    assert len(window.tracklist.findChildren(TrackHeader)) < 40


def test_opening_1000_tracks_is_quick(window, tmp_path):
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    for i in range(1000):
        t = mido.MidiTrack([mido.Message("note_on", channel=i % 9, note=60, velocity=90),
                            mido.Message("note_off", channel=i % 9, note=60, time=480)])
        mf.tracks.append(t)
    path = tmp_path / "many.mid"
    mf.save(path)
    started = time.monotonic()
    assert window.open_path(path)
    QApplication.processEvents()
    # It took 21 s with one full header per track; only the visible rows have one now.
    from studio.tracklist import TrackHeader

    headers = len(window.tracklist.findChildren(TrackHeader))
    assert 0 < headers < 100, headers
    assert time.monotonic() - started < 30  # a loose guard: the count above is the check


# -- 3. file names that are not UTF-8 -----------------------------------------------------------
def test_recent_files_keep_a_non_utf8_name(tmp_path):
    name = os.fsdecode(b"caf\xe9-\xff.mid")
    path = str((tmp_path / name).resolve())
    settings = Settings(tmp_path / "s.ini")
    settings.add_recent_file(path)
    settings.set_last_dir(tmp_path / name)
    settings.sync()
    again = Settings(tmp_path / "s.ini")
    assert again.recent_files() == [path]
    assert again.last_dir() == str(tmp_path / name)


def test_recent_files_from_older_settings_still_read(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    settings._s.setValue("files/recent", ["/music/café.mid", "/music/b.mid"])
    assert settings.recent_files() == ["/music/café.mid", "/music/b.mid"]


def test_a_non_utf8_file_reopens_from_open_recent(window, tmp_path, song_file, dialogs,
                                                  qtbot):
    path = tmp_path / os.fsdecode(b"caf\xe9.mid")
    path.write_bytes(song_file.read_bytes())
    assert window.open_path(path)
    assert "caf\ufffd.mid" in window.windowTitle()
    action = window.recent_menu.actions()[0]
    assert "caf\ufffd.mid" in action.text()
    window.set_song(make_song())
    action.trigger()
    qtbot.waitUntil(lambda: window.document.path == path, timeout=5000)  # read off-thread
    assert "show_error" not in dialogs.names()


# -- 4. saving over a MIDI file that held what the song does not keep ----------------------------
@pytest.fixture
def karaoke(tmp_path):
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    t = mido.MidiTrack()
    mf.tracks.append(t)
    t.append(mido.MetaMessage("copyright", text="(c) Me"))
    t.append(mido.Message("sysex", data=[0x7E, 0x7F, 0x09, 0x01]))
    for i, syllable in enumerate(["Hel", "lo ", "world"]):
        t.append(mido.MetaMessage("lyrics", text=syllable, time=0 if i == 0 else 480))
        t.append(mido.Message("note_on", note=60 + i, velocity=90))
        t.append(mido.Message("note_off", note=60 + i, time=480))
    path = tmp_path / "song.kar"
    mf.save(path)
    return path


def test_saving_over_the_midi_file_asks_about_what_it_would_remove(window, karaoke, dialogs):
    before = karaoke.read_bytes()
    assert window.open_path(karaoke)
    edit_something(window)
    dialogs.answers["ask_save_over_midi"] = "cancel"
    assert not window.save()
    ((_, (name, dropped, _losing)),) = [c for c in dialogs.calls
                                        if c[0] == "ask_save_over_midi"]
    assert name == "song.kar"
    assert dropped == "copyright (1), sysex (1)"  # the lyrics are kept on their notes
    assert karaoke.read_bytes() == before and window.document.is_modified

    dialogs.answers["ask_save_over_midi"] = "anyway"
    assert window.save()
    assert load_song(karaoke) == window.document.song
    edit_something(window)
    assert window.save()  # asked only the first time
    assert dialogs.names().count("ask_save_over_midi") == 2


def test_saving_over_a_plain_opened_midi_file_asks_too(window, tmp_path, dialogs):
    # Nothing a report counts, but the file is still rewritten in Partita's MIDI form
    # (controller-only channels, note-off velocities): an import is never the save target
    # without asking.
    path = tmp_path / "plain.mid"
    save_song(make_song(), path)
    before = path.read_bytes()
    assert window.open_path(path)
    edit_something(window)
    assert not window.save()  # the stubbed dialog answers Cancel
    ((_, (name, dropped, _losing)),) = [c for c in dialogs.calls
                                        if c[0] == "ask_save_over_midi"]
    assert (name, dropped) == ("plain.mid", "")
    assert path.read_bytes() == before and window.document.is_modified


def test_saving_over_the_midi_file_says_what_the_session_would_lose_first(window, tmp_path,
                                                                          dialogs):
    from engine.score import Mask, Region, set_track_props

    path = tmp_path / "plain.mid"
    save_song(make_song(), path)
    assert window.open_path(path)
    song = window.document.song
    window.document.apply(set_track_props(song, song.tracks[1].id, mute=True))
    window.document.set_mask(Mask.of(Region({song.tracks[0].id}, 0, 1920)))
    assert not window.save()  # Cancel: nothing written
    ((_, (_name, _dropped, losing)),) = [c for c in dialogs.calls
                                         if c[0] == "ask_save_over_midi"]
    assert any("is muted" in line for line in losing)
    assert losing[-1] == "the painted mask"


def test_save_as_a_project_keeps_the_midi_file(window, karaoke, dialogs, tmp_path):
    before = karaoke.read_bytes()
    assert window.open_path(karaoke)
    edit_something(window)
    dialogs.answers["ask_save_over_midi"] = "project"
    dialogs.answers["get_save_path"] = lambda _parent, suggestion: tmp_path / "song.partita"
    assert window.save()
    ((_, (suggestion,)),) = [c for c in dialogs.calls if c[0] == "get_save_path"]
    assert suggestion.endswith("song.partita")
    assert karaoke.read_bytes() == before
    assert window.document.path == tmp_path / "song.partita"


def test_save_as_a_new_midi_name_asks_nothing(window, karaoke, dialogs, tmp_path):
    assert window.open_path(karaoke)
    dialogs.answers["get_save_path"] = tmp_path / "other.mid"
    assert window.save_as()
    assert "ask_save_over_midi" not in dialogs.names()


# -- 5. the file changed on disk ------------------------------------------------------------------
def rewrite_elsewhere(path) -> None:
    """Another program saves a different song over ``path``."""
    other = make_song()
    save_song(Song(tracks=other.tracks[:1], ppq=other.ppq), path)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_saving_over_a_file_changed_on_disk_asks(opened, song_file, dialogs):
    win = opened
    edit_something(win)
    rewrite_elsewhere(song_file)
    theirs = song_file.read_bytes()
    dialogs.answers["ask_save_over_midi"] = "anyway"
    dialogs.answers["ask_overwrite_changed"] = "cancel"
    assert not win.save()
    assert song_file.read_bytes() == theirs
    dialogs.answers["ask_overwrite_changed"] = "overwrite"
    assert win.save()
    assert load_song(song_file) == win.document.song
    assert dialogs.names().count("ask_overwrite_changed") == 2
    edit_something(win)
    assert win.save()  # our own save is not a change by someone else
    assert dialogs.names().count("ask_overwrite_changed") == 2


def test_changed_on_disk_offers_save_as(opened, song_file, dialogs, tmp_path):
    edit_something(opened)
    rewrite_elsewhere(song_file)
    theirs = song_file.read_bytes()
    dialogs.answers["ask_overwrite_changed"] = "save_as"
    dialogs.answers["get_save_path"] = tmp_path / "mine.mid"
    assert opened.save()
    assert song_file.read_bytes() == theirs
    assert load_song(tmp_path / "mine.mid") == opened.document.song


def test_recovering_over_a_newer_file_warns_and_asks_before_saving(opened, song_file, dialogs,
                                                                  tmp_path, qtbot):
    from studio.dialogs.recovery import describe
    from studio.mainwindow import MainWindow

    edit_something(opened)
    assert opened.autosaver.save_now()
    rewrite_elsewhere(song_file)  # newer work saved after the crash
    # The crashed session left its autosave: a new session finds it.
    win = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(win)
    texts = []
    dialogs.answers["ask_recover"] = lambda _p, pending: (
        texts.extend(describe(r) for r in pending) or ("recover", pending[0]))
    assert win.offer_recovery()
    assert "newer" in texts[0]
    theirs = song_file.read_bytes()
    assert not win.save()  # ask_overwrite_changed: cancel
    assert "ask_overwrite_changed" in dialogs.names()
    assert song_file.read_bytes() == theirs
    win.document._dirty = False
    win.close()


# -- 6. autosave failing ---------------------------------------------------------------------
def test_a_failing_autosave_stays_visible_until_it_works(opened, tmp_path, dialogs):
    win = opened
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the recovery folder should be")
    win.autosaver.store = RecoveryStore(blocker)
    edit_something(win)
    assert not win.autosaver.save_now()
    win.statusBar().showMessage("something else", 1000)
    assert win.status_autosave.isVisible()
    assert "Autosave is failing" in win.status_autosave.text()
    assert "not-a-folder" in win.status_autosave.toolTip()
    assert (f"cannot write the recovery folder {blocker}" in win.status_autosave.toolTip()
            and "set $PARTITA_STATE_DIR" in win.status_autosave.toolTip())
    edit_something(win)
    assert not win.autosaver.save_now()
    assert dialogs.names().count("show_notice") == 1  # told once per session
    win.autosaver.store = RecoveryStore(tmp_path / "recovery-ok")
    edit_something(win)
    assert win.autosaver.save_now()
    assert not win.status_autosave.isVisible()


# -- 7. takes not yet accepted ------------------------------------------------------------------
def add_pending_take(win) -> None:
    song = win.document.song
    mask = Mask()
    take = Take(id=1, job_id=1, model="test", task="repaint", mask=mask, base_song=song,
                base_revision=win.document.revision, notes={}, edit=EditGroup(()),
                created=0.0, label="Repaint")
    win.composer.takes.for_mask(mask).add(take)
    win.composer.active = mask


def test_closing_with_takes_not_accepted_asks(opened, dialogs):
    add_pending_take(opened)
    dialogs.answers["ask_discard_takes"] = "cancel"
    assert not opened.close()
    assert dialogs.calls[-1] == ("ask_discard_takes", (1, 0))
    dialogs.answers["ask_discard_takes"] = "discard"
    assert opened.close()


def test_unsaved_changes_question_covers_the_takes(opened, dialogs):
    add_pending_take(opened)
    edit_something(opened)
    dialogs.answers["ask_save_changes"] = "discard"
    opened.new_file()
    assert "ask_save_changes" in dialogs.names()
    assert "ask_discard_takes" not in dialogs.names()
    # ... and says they are at stake (QA: it spoke of the changes only).
    assert dict(dialogs.calls)["ask_save_changes"] == ("song.mid", 0, 1)


def test_the_save_changes_box_names_the_takes_not_accepted(qapp):
    from studio.dialogs.messages import save_changes_box

    box = save_changes_box(None, "mytune.partita", takes=3)
    assert box.text() == "Save changes to “mytune.partita” and 3 takes not accepted before closing?"
    assert "Save keeps the takes" in box.informativeText()
    plain = save_changes_box(None, "mytune.partita")
    assert plain.text() == "Save changes to “mytune.partita” before closing?"
    assert "take" not in plain.informativeText()


def test_a_name_typed_without_extension_still_asks_before_replacing(qapp, tmp_path):
    # The real save dialog: "existing" + the .partita it adds is a file that exists.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox

    from studio.dialogs.files import get_save_path

    (tmp_path / "existing.partita").write_text("{}")
    asked: list[str] = []

    def visible(kind):
        return [w for w in qapp.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    def when(condition, action, tries=100):
        if condition():
            action()
        elif tries:
            QTimer.singleShot(50, lambda: when(condition, action, tries - 1))

    def type_name():
        edit = visible(QFileDialog)[0].findChild(QLineEdit, "fileNameEdit")
        edit.setText("existing")
        when(lambda: visible(QMessageBox), answer)
        edit.returnPressed.emit()

    def answer():
        for box in visible(QMessageBox):
            asked.append(box.text())
            box.reject()  # No: do not replace
        for dialog in visible(QFileDialog):
            dialog.reject()

    when(lambda: visible(QFileDialog), type_name)
    assert get_save_path(None, str(tmp_path / "Untitled.partita")) is None
    assert asked and "existing.partita" in asked[0]
    assert (tmp_path / "existing.partita").read_text() == "{}"


def test_after_recovering_a_midi_song_saving_over_the_file_still_asks(window, karaoke, dialogs,
                                                                      tmp_path, qtbot):
    from studio.mainwindow import MainWindow

    before = karaoke.read_bytes()
    old = time.time() - 100  # written well before the autosave (recovery compares times)
    os.utime(karaoke, (old, old))
    assert window.open_path(karaoke)
    edit_something(window)
    assert window.autosaver.save_now()  # ... and the app crashes
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
    assert other.offer_recovery()
    assert not other.save()  # the stubbed question answers Cancel
    ((_, (name, dropped, _losing)),) = [c for c in dialogs.calls
                                        if c[0] == "ask_save_over_midi"]
    assert name == "song.kar" and "copyright (1)" in dropped
    assert karaoke.read_bytes() == before
    other.document._dirty = False
    other.close()


def test_export_midi_never_suggests_the_opened_file_and_asks_before_replacing_it(
        window, karaoke, dialogs, tmp_path):
    before = karaoke.read_bytes()
    assert window.open_path(karaoke)
    suggested = []
    dialogs.answers["get_export_midi_path"] = lambda _p, s: suggested.append(s) or karaoke
    window.export_midi()
    assert suggested[0].endswith("song (export).mid")
    assert "ask_save_over_midi" in dialogs.names()  # answered Cancel
    assert karaoke.read_bytes() == before


def test_a_project_without_an_extension_opens_whole_and_saves_under_a_new_name(
        window, tmp_path, dialogs):
    path = tmp_path / "noext"
    save_song(make_song(), tmp_path / "p.partita", studio={"snap": "1/8"})
    (tmp_path / "p.partita").rename(path)
    assert window.open_path(path)
    assert window.document.studio_state.get("snap") == "1/8"  # read as the project it is
    edit_something(window)
    dialogs.answers["get_save_path"] = None  # Save As offered: cancelled here
    assert not window.save()
    ((_, (suggestion,)),) = [c for c in dialogs.calls if c[0] == "get_save_path"]
    assert suggestion.endswith("noext.partita")
    assert window.document.is_modified


def test_an_empty_open_recent_says_so_and_keys_without_a_track_say_why(window):
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == ["(no recent files)"] and not actions[0].isEnabled()
    window.selection.set_tracks([])
    window.actions.rename_track.trigger()
    assert window.statusBar().currentMessage().startswith("No track selected")


def test_recovering_keeps_the_crashed_copy_until_this_session_has_written_its_own(
        opened, tmp_path, qtbot, dialogs):
    # QA: the crashed session's copy was deleted before the new one was written; with a
    # full disk ("Autosave is failing") a second crash lost the recovered work for good.
    import errno

    from studio.mainwindow import MainWindow

    edit_something(opened)
    assert opened.autosaver.save_now()
    crashed = opened.autosaver.store.path
    unsaved = opened.document.song
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    store = other.autosaver.store

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    store.save = disk_full  # this store only (monkeypatch also holds the dialogs' stubs)
    dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
    assert other.offer_recovery()
    assert other.document.song == unsaved
    assert crashed.exists() and not store.path.exists()  # the only copy is kept
    message = other.statusBar().currentMessage()
    assert "cannot autosave" in message and str(crashed) in message
    assert not other.status_autosave.isHidden()  # "⚠ Autosave is failing"
    # A second crash now: the next start still offers the work.
    assert [r.path for r in RecoveryStore(tmp_path / "recovery", "third").pending(
        include_running=True)] == [crashed]
    # The disk has room again: the next copy is this session's, and the old one goes.
    del store.save
    edit_something(other)
    assert other.autosaver.save_now()
    assert store.path.exists() and not crashed.exists()
    other.document._dirty = False
    other.close()


def test_a_recovered_copy_kept_goes_once_the_work_is_saved(opened, tmp_path, qtbot, dialogs,
                                                            monkeypatch):
    import errno

    from studio.mainwindow import MainWindow

    edit_something(opened)
    assert opened.autosaver.save_now()
    crashed = opened.autosaver.store.path
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    monkeypatch.setattr(other.autosaver.store, "save", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, "No space left on device")))
    dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
    assert other.offer_recovery() and crashed.exists()
    dialogs.answers["get_save_path"] = tmp_path / "kept.partita"
    assert other.save_as()  # the work is in a project now
    assert not crashed.exists()
    other.close()


def test_a_damaged_autosave_is_said_once_and_kept(opened, tmp_path, qtbot, dialogs):
    # QA: a copy that could not be read was skipped without a word.
    from studio.mainwindow import MainWindow

    edit_something(opened)
    assert opened.autosaver.save_now()
    crashed = opened.autosaver.store.path
    crashed.write_bytes(crashed.read_bytes()[:300])  # cut short
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(other)
    assert not other.offer_recovery()
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    kept = tmp_path / "recovery" / "damaged" / crashed.name
    assert title == "Damaged autosave"
    assert message.startswith("An autosave of song.mid (")
    assert f"is damaged and could not be recovered; it is kept at {kept}" in message
    assert kept.is_file() and "ask_recover" not in dialogs.names()
    assert not other.offer_recovery()  # told once
    assert dialogs.names().count("show_warning") == 1 and kept.is_file()
    other.close()


def saved_in(win, folder, dialogs, name="song.partita"):
    """Save the window's song as a project in ``folder``, then edit it (unsaved work)."""
    folder.mkdir()
    dialogs.answers["get_save_path"] = folder / name
    assert win.save_as()
    edit_something(win)
    return folder / name


def test_saving_into_a_folder_deleted_meanwhile_names_the_folder_and_the_way_out(
        window, tmp_path, dialogs):
    # QA: "song.partita: No such file or directory" blamed the file.
    import shutil

    saved_in(window, tmp_path / "gone", dialogs)
    shutil.rmtree(tmp_path / "gone")
    assert not window.save()
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert title == "Cannot save file"
    assert message.startswith(f"song.partita: the folder {tmp_path / 'gone'} no longer exists"
                              " — use Save As…")
    assert window.document.is_modified  # nothing lost: still open, still unsaved


def test_saving_into_a_folder_that_cannot_be_written_names_the_folder(
        window, tmp_path, dialogs, monkeypatch):
    import errno

    ro = tmp_path / "ro"
    path = saved_in(window, ro, dialogs)
    real_access = os.access

    def read_only(p, mode, *a, **k):  # as a read-only folder is to a user (root writes all)
        return False if str(p) == str(ro) else real_access(p, mode, *a, **k)

    def refused(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "access", read_only)
    monkeypatch.setattr(window.document, "save", refused)
    assert not window.save()
    ((_, (_title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert message.startswith(f"song.partita: the folder {ro} cannot be written in "
                              "(read-only, or no permission) — use Save As…")


def test_a_name_too_long_to_save_says_so(window, tmp_path, dialogs):
    name = "n" * 300 + ".partita"
    dialogs.answers["get_save_path"] = tmp_path / name
    assert not window.save_as()
    ((_, (_title, message)),) = [c for c in dialogs.calls if c[0] == "show_error"]
    assert "the file name is too long (308 bytes; at most 255) — use Save As…" in message
