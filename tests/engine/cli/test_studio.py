"""``partita studio --screenshot``: a path that would destroy a file is refused before the
window opens (no Qt needed for that)."""

from __future__ import annotations

import os

import pytest

from engine.cli import main
from engine.cli.studio import PNG_SIGNATURE
from engine.io import save_song
from engine.score import Note, Song, Track


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victim.partita"
    save_song(Song(tracks=(Track("Piano", 0, notes=(Note(60, 0, 480),)),)), path)
    return path


def refused(capsys, *argv) -> str:
    assert main(["studio", *map(str, argv)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("partita: error: "), err
    return err[0].removeprefix("partita: error: ")


def test_the_song_itself_is_never_replaced_by_its_screenshot(victim, capsys):
    before = victim.read_bytes()  # it was silently replaced with a PNG (QA)
    assert refused(capsys, victim, "--screenshot", victim) == (
        f"{victim}: --screenshot writes a PNG: give a .png file name")
    link = victim.with_name("shot.png")
    link.symlink_to(victim)  # the song under a .png name: the same file
    assert refused(capsys, victim, "--screenshot", link) == (
        f"{link}: refusing to overwrite the song with its screenshot")
    assert victim.read_bytes() == before


def test_an_existing_file_is_replaced_only_when_it_is_a_png(victim, tmp_path, capsys):
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    assert refused(capsys, victim, "--screenshot", notes) == (
        f"{notes}: exists and is not a PNG: refusing to replace it with a screenshot "
        "(choose another name)")
    assert notes.read_text() == "not a picture"
    folder = tmp_path / "dir.png"
    folder.mkdir()
    assert refused(capsys, victim, "--screenshot", folder) == (
        f"{folder}: is a folder, not a file")


def test_a_write_protected_png_is_kept_as_convert_keeps_one(victim, tmp_path, capsys):
    old = tmp_path / "old.png"
    old.write_bytes(PNG_SIGNATURE + b"rest")
    os.chmod(old, 0o444)
    assert refused(capsys, victim, "--screenshot", old) == (
        f"{old}: the file is read-only (its write permission is off): choose another name")
    assert old.read_bytes() == PNG_SIGNATURE + b"rest"
