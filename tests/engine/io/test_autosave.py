"""Autosave/recovery: what a crashed session leaves is found, loaded and discarded."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from pathlib import Path

import pytest

from engine.io import RecoveryStore, load_project
from engine.io.autosave import _process_start, default_recovery_dir
from engine.score import Note, Song, Track


def song(pitch: int = 60) -> Song:
    return Song(tracks=(Track("Piano", notes=(Note(pitch, 0, 480),)),))


def test_a_crashed_sessions_autosave_is_pending_for_the_next_session(tmp_path):
    crashed = RecoveryStore(tmp_path)
    crashed.save(song(60), tmp_path / "tune.partita", {"zoom": 3})
    crashed.save(song(62), tmp_path / "tune.partita", {"zoom": 4})  # replaces, not adds

    pending = RecoveryStore(tmp_path).pending()
    assert len(pending) == 1
    r = pending[0]
    assert r.document == (tmp_path / "tune.partita").absolute()
    assert r.saved_at.tzinfo is not None and r.session == crashed.session
    recovered = r.load()
    assert recovered.song == song(62) and recovered.studio == {"zoom": 4}


def test_own_session_is_not_pending_and_discard_removes_it(tmp_path):
    store = RecoveryStore(tmp_path)
    path = store.save(song(), None)
    assert path.exists() and store.pending() == []
    store.discard()
    assert not path.exists()
    store.discard()  # nothing left: still fine


def test_untitled_songs_and_discarding_another_sessions_file(tmp_path):
    RecoveryStore(tmp_path).save(song(), None)
    store = RecoveryStore(tmp_path)
    (r,) = store.pending()
    assert r.document is None
    store.discard(r)
    assert store.pending() == []


def test_a_copy_says_its_songs_title_tracks_and_notes_to_tell_it_from_others(tmp_path):
    two = Track("Bass", notes=(Note(40, 0, 480), Note(43, 480, 480)))
    RecoveryStore(tmp_path).save(Song(tracks=(*song().tracks, two), title="My First\nSong"))
    RecoveryStore(tmp_path).save(Song(tracks=(Track("Drums"),)))
    titled, untitled = sorted(RecoveryStore(tmp_path).pending(), key=lambda r: r.notes)[::-1]
    assert (titled.title, titled.tracks, titled.notes) == ("My First Song", 2, 3)
    assert (untitled.title, untitled.tracks, untitled.notes) == ("", 1, 0)


def test_the_generations_in_flight_are_recorded_before_they_run_and_named_after_a_crash(
        tmp_path):
    """A model that ended the process at its first step beat the copy (written on a
    worker thread), so the next start could not say which generation had been running."""
    crashed = RecoveryStore(tmp_path)
    crashed.save(song(), None)
    crashed.note_running(["Repaint — Lead · bars 5–8 (bad-plugin)"])
    assert crashed.running_path.exists() and crashed.pending() == []
    (r,) = RecoveryStore(tmp_path).pending()
    assert r.interrupted == ("Repaint — Lead · bars 5–8 (bad-plugin)",)
    assert RecoveryStore(tmp_path).interruptions() == []  # its copy tells it
    RecoveryStore(tmp_path).discard(r)
    assert not crashed.path.exists() and not crashed.running_path.exists()

    # Nothing unsaved, so no copy: the record alone says what did not finish.
    quiet = RecoveryStore(tmp_path)
    quiet.note_running(["Compose — bars 1–8 (bad-plugin)", "Continue — bars 9–12 (x)"])
    store = RecoveryStore(tmp_path)
    assert store.pending() == []
    (ended,) = store.interruptions()
    assert ended.interrupted == ("Compose — bars 1–8 (bad-plugin)", "Continue — bars 9–12 (x)")
    store.discard_all([ended])
    assert store.interruptions() == [] and not quiet.running_path.exists()

    # A generation that ended, a clean close: no record left; a clean save keeps it.
    live = RecoveryStore(tmp_path)
    live.note_running(["Repaint — Piano · bar 1 (partita-base)"])
    live.save(song(), None)
    live.discard()  # a clean save while it runs
    assert live.running_path.exists()
    live.note_running([])
    assert not live.running_path.exists()
    live.note_running([])  # nothing left: still fine


def rewrite_recovery_meta(store: RecoveryStore, drop: tuple[str, ...] = (), **changes) -> None:
    """Edit the "recovery" object of ``store``'s file: set ``changes``, delete ``drop``."""
    doc = json.loads(store.path.read_bytes())
    doc["recovery"].update(changes)
    for key in drop:
        doc["recovery"].pop(key, None)
    store.path.write_text(json.dumps(doc))


def test_sessions_of_running_processes_are_left_alone(tmp_path):
    other = RecoveryStore(tmp_path)
    other.save(song(), None)
    # Pretend another, still running Partita (our parent process) wrote it.
    rewrite_recovery_meta(other, pid=os.getppid(), started=_process_start(os.getppid()))
    store = RecoveryStore(tmp_path)
    assert store.pending() == []
    assert len(store.pending(include_running=True)) == 1


def test_autosaves_of_older_versions_without_a_start_time_are_judged_by_the_pid(tmp_path):
    other = RecoveryStore(tmp_path)
    other.save(song(), None)
    rewrite_recovery_meta(other, pid=os.getppid(), drop=("started",))
    assert RecoveryStore(tmp_path).pending() == []  # written since the parent started
    if _process_start(os.getppid()) is not None:
        # Written long before the process that now has that pid started: a reused pid.
        rewrite_recovery_meta(other, saved_at="2001-01-01T10:00:00+00:00")
        assert [r.session for r in RecoveryStore(tmp_path).pending()] == [other.session]


@pytest.mark.skipif(_process_start(os.getpid()) is None, reason="no process start times here")
def test_a_reused_pid_does_not_hide_a_crashed_sessions_autosave(tmp_path):
    # After a reboot the crashed session's pid may belong to any live process.
    crashed = RecoveryStore(tmp_path)
    crashed.save(song(), None)
    rewrite_recovery_meta(crashed, pid=os.getppid(), started="another-boot/12345")
    assert [r.session for r in RecoveryStore(tmp_path).pending()] == [crashed.session]


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin",
                    reason="file names there must be valid Unicode")
def test_a_document_whose_name_is_not_utf8_is_autosaved_and_recovered(tmp_path):
    document = tmp_path / os.fsdecode(b"caf\xe9.mid")  # Latin-1 é: any bytes go on Linux
    RecoveryStore(tmp_path / "rec").save(song(), document)
    (r,) = RecoveryStore(tmp_path / "rec").pending()
    assert os.fsencode(r.document) == os.fsencode(document)
    assert r.load().song == song()


def test_discard_reports_what_it_cannot_delete_instead_of_raising(tmp_path, monkeypatch):
    RecoveryStore(tmp_path).save(song(), None)
    RecoveryStore(tmp_path).save(song(), None)
    store = RecoveryStore(tmp_path)
    pending = store.pending()

    def read_only(self, missing_ok=False):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    problem = store.discard(pending[0])
    assert problem is not None and pending[0].path.name in problem
    assert "Read-only" in problem and "\n" not in problem
    assert len(store.discard_all(pending)) == 2
    monkeypatch.undo()
    assert store.discard(pending[0]) is None and store.discard_all(pending) == []
    assert store.pending() == []


def test_recovery_files_are_ordinary_projects_and_unreadable_ones_are_skipped(tmp_path):
    store = RecoveryStore(tmp_path)
    store.save(song(), None)
    assert load_project(store.path).song == song()
    (tmp_path / "broken.partita").write_text("{not json")
    assert len(RecoveryStore(tmp_path).pending()) == 1


def test_default_directory_follows_env_and_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    assert default_recovery_dir() == tmp_path / "state" / "recovery"
    assert RecoveryStore().directory == tmp_path / "state" / "recovery"
    monkeypatch.delenv("PARTITA_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_recovery_dir() == tmp_path / "xdg" / "partita" / "recovery"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert default_recovery_dir() == Path.home() / ".local" / "state" / "partita" / "recovery"


def test_a_killed_saves_temp_file_is_removed_when_pending_work_is_listed(tmp_path):
    # A session killed mid-save left .SESSION.partita.XXXXXXXX.tmp; that session never
    # saves its name again, so only the next start's look at the folder can remove it.
    from engine.io.atomic import STALE_TEMP_SECONDS

    old = time.time() - STALE_TEMP_SECONDS - 60
    killed = tmp_path / ".20240101-120000-0badcafe.partita.1a2b3c4d.tmp"
    live = tmp_path / ".20240102-090000-5eed5eed.partita.9f8e7d6c.tmp"  # being written
    mine = tmp_path / "notes.tmp"  # not a name atomic_write gives: left alone
    for path in (killed, live, mine):
        path.write_bytes(b"{")
    os.utime(killed, (old, old))
    os.utime(mine, (old, old))
    assert RecoveryStore(tmp_path).pending() == []
    assert not killed.exists()
    assert live.exists() and mine.exists()


def test_a_damaged_copy_is_listed_named_and_set_aside_never_deleted(tmp_path):
    # QA: a copy that could not be read was skipped without a word: work lost unseen.
    crashed = RecoveryStore(tmp_path)
    path = crashed.save(song(), tmp_path / "tune.partita")
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # cut short (a disk error)
    blank = tmp_path / "20260101-000000-00000000.partita"
    blank.write_bytes(b"\0" * 64)  # nothing readable left: named by the file's time
    day_ago = time.time() - 86400
    os.utime(blank, (day_ago, day_ago))
    store = RecoveryStore(tmp_path)
    assert store.pending() == []
    damaged = store.damaged()
    assert [d.path for d in damaged] == [path, blank]  # newest first
    assert damaged[0].document == (tmp_path / "tune.partita").absolute()
    assert damaged[1].document is None
    assert abs(damaged[1].saved_at.timestamp() - day_ago) < 1
    moved = store.set_aside(damaged[0])
    assert moved.path == tmp_path / "damaged" / path.name
    assert moved.path.read_bytes() == data[:len(data) // 2] and not path.exists()
    assert [d.path for d in store.damaged()] == [blank]  # told once: no more listed
    assert store.pending() == []
