"""``load_song``/``save_song`` dispatch and the atomic writer under them."""

from __future__ import annotations

import os
import stat

import pytest

import engine.io.atomic as atomic
from engine.io import FileFormatError, load_song, save_song
from engine.io.atomic import atomic_write
from engine.score import Note, Song, Track


def song() -> Song:
    return Song(tracks=(Track("Bass", 33, notes=(Note(40, 0, 480, 100),)),), title="T")


@pytest.mark.parametrize("name", ["a.mid", "a.MIDI", "a.kar", "a.partita"])
def test_save_and_load_by_extension(tmp_path, name):
    path = tmp_path / name
    save_song(song(), path)
    loaded = load_song(path)
    assert loaded.tracks[0].notes == song().tracks[0].notes and loaded.title == "T"
    assert path.read_bytes().startswith(b"{" if name.endswith("partita") else b"MThd")


def test_unknown_extensions_are_recognised_by_content(tmp_path):
    save_song(song(), tmp_path / "a.mid")
    (tmp_path / "a.mid").rename(tmp_path / "download.bin")
    assert load_song(tmp_path / "download.bin").note_count == 1
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FileFormatError, match=r"^notes\.txt: unknown file type"):
        load_song(tmp_path / "notes.txt")


def test_saving_an_unknown_type_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(FileFormatError, match=r"^a\.wav: cannot save this file type"):
        save_song(song(), tmp_path / "a.wav")
    assert list(tmp_path.iterdir()) == []


def test_a_project_keeps_studio_state_through_save_song(tmp_path):
    from engine.io import load_project

    save_song(song(), tmp_path / "a.partita", studio={"tool": "pencil"})
    assert load_project(tmp_path / "a.partita").studio == {"tool": "pencil"}


def test_missing_files_stay_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_song(tmp_path / "nope.mid")


def test_atomic_write_replaces_keeps_permissions_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.mid"
    real.write_bytes(b"old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.mid"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.mid", "real.mid"]


def test_atomic_write_cleans_up_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "a.mid"
    path.write_bytes(b"old")

    def fail(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_a_full_disk_names_the_file_being_saved(tmp_path, monkeypatch):
    """QA: three CLI commands said only "[Errno 28] No space left on device"."""
    import errno

    from engine.cli.common import error_line

    path = tmp_path / "song.partita"
    path.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as raised:
        atomic_write(path, b"new")
    assert error_line(raised.value) == f"{path}: no space left on device"
    assert path.read_bytes() == b"old" and list(tmp_path.iterdir()) == [path]


def test_atomic_write_removes_only_stale_temporary_files_of_its_own_target(tmp_path):
    # A save killed mid-write leaves .NAME.<hex>.tmp; the next save of NAME removes it
    # once it is old, but never a fresh one (another save may be writing it).
    path = tmp_path / "a.mid"
    stale, fresh = tmp_path / ".a.mid.0123abcd.tmp", tmp_path / ".a.mid.89abcdef.tmp"
    others = [tmp_path / ".b.mid.0123abcd.tmp", tmp_path / ".a.mid.notmine.tmp"]
    for p in (stale, fresh, *others):
        p.write_bytes(b"partial")
    hours_ago = os.stat(stale).st_mtime - 2 * atomic.STALE_TEMP_SECONDS
    for p in (stale, *others):
        os.utime(p, (hours_ago, hours_ago))
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert not stale.exists() and fresh.exists() and all(p.exists() for p in others)


def test_a_file_with_its_write_permission_off_is_never_replaced(tmp_path):
    path = tmp_path / "final.mid"
    path.write_bytes(b"the finished version")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only") as e:
        atomic_write(path, b"new")
    assert e.value.filename == str(path)
    assert path.read_bytes() == b"the finished version"
    assert list(tmp_path.iterdir()) == [path]


def test_the_longest_legal_names_save_and_errors_name_the_users_file(tmp_path):
    for name in ("a" * 251 + ".mid", "日" * 80 + ".mid"):  # 255 and 244 bytes
        path = tmp_path / name
        atomic_write(path, b"x")
        atomic_write(path, b"y")
        assert path.read_bytes() == b"y"
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    with pytest.raises(OSError) as e:
        atomic_write(blocker / "song.mid", b"x")
    assert e.value.filename == str(blocker / "song.mid")  # not .song.mid.1a2b3c4d.tmp


def test_a_name_that_is_not_utf8_saves_and_its_stale_temporaries_go(tmp_path):
    path = tmp_path / os.fsdecode(b"\xdcbung \xe4.mid")  # Latin-1 "Übung ä.mid"
    stale = tmp_path / os.fsdecode(b".\xdcbung \xe4.mid.0123abcd.tmp")
    stale.write_bytes(b"partial")
    hours_ago = os.stat(stale).st_mtime - 2 * atomic.STALE_TEMP_SECONDS
    os.utime(stale, (hours_ago, hours_ago))
    atomic_write(path, b"x")
    atomic_write(path, b"y")
    assert path.read_bytes() == b"y" and os.listdir(tmp_path) == [path.name]
    long = tmp_path / os.fsdecode(b"\xe4" * 120 + "日".encode() * 40 + b".mid")  # 244 bytes
    atomic_write(long, b"z")
    assert long.read_bytes() == b"z"
