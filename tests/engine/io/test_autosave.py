"""Autosave/recovery: what a crashed session leaves is found, loaded and discarded."""

from __future__ import annotations

import os
from pathlib import Path

from engine.io import RecoveryStore, load_project
from engine.io.autosave import default_recovery_dir
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


def test_sessions_of_running_processes_are_left_alone(tmp_path):
    other = RecoveryStore(tmp_path)
    other.save(song(), None)
    # Pretend another, still running Partita (our parent process) wrote it.
    text = other.path.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {os.getppid()}')
    other.path.write_text(text)
    store = RecoveryStore(tmp_path)
    assert store.pending() == []
    assert len(store.pending(include_running=True)) == 1


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
