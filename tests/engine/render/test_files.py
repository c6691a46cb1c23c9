"""Stem file names: numbered in track order, unique, safe on every file system."""

from engine.render.files import stem_names
from engine.score import Song, Track


def test_stem_names_are_numbered_safe_and_unique():
    tracks = (Track("Piano"), Track("Piano"), Track('Lead: "A/B" <1>?'), Track("  ..."),
              Track("", is_drum=True, channel=9), Track("Bass."))
    names = list(stem_names(Song(tracks=tracks)).values())
    assert names == ["01 - Piano (1).wav", "02 - Piano (2).wav", "03 - Lead_ _A_B_ _1_.wav",
                     "04 - Acoustic Grand Piano.wav", "05 - Drum Kit.wav", "06 - Bass.wav"]


def test_a_stem_is_never_named_as_a_windows_device():
    # --stem-names '{track}' of a track called "CON" wrote CON.wav, the console on
    # Windows; a title was kept from that already (title_file_stem): the same check.
    from engine.render.files import title_file_stem

    song = Song(tracks=(Track("CON"), Track("Lpt1.old"), Track("Console")))
    assert list(stem_names(song, "{track}").values()) == ["CON_.wav", "Lpt1.old_.wav",
                                                          "Console.wav"]
    assert next(iter(stem_names(song).values())) == "01 - CON_.wav"
    assert title_file_stem("AC/DC: Live") == "AC-DC - Live"  # a title: a person's dashes
    assert title_file_stem("con") == "con song"


def test_stems_of_tracks_sharing_a_name_are_named_as_the_command_line_names_them():
    from engine.score import track_labels

    # freedink-3.mid: three tracks called Piano, told apart everywhere as "Piano (2)" …
    song = Song(tracks=(Track("Piano"), Track("Bass"), Track("Piano "), Track("Piano")))
    names = list(stem_names(song).values())
    assert names == ["01 - Piano (1).wav", "02 - Bass.wav", "03 - Piano (3).wav",
                     "04 - Piano (4).wav"]
    assert [f"{i:02d} - {label}.wav" for i, label in enumerate(track_labels(song).values(), 1)
            ] == names


def test_many_tracks_get_wider_numbers():
    names = list(stem_names(Song(tracks=tuple(Track(f"T{i}") for i in range(120)))).values())
    assert names[0] == "001 - T0.wav" and names[-1] == "120 - T119.wav"


def test_stale_stems_are_other_stems_only(tmp_path):
    from engine.render.files import stale_stems

    assert stale_stems(tmp_path / "missing", ["01 - Piano.wav"]) == []
    for name in ("01 - Piano.wav", "03 - Piano.wav", "05 - Strings.WAV", "notes.txt",
                 "mix.wav", "1 - Short.wav"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "07 - Folder.wav").mkdir()
    stale = stale_stems(tmp_path, ["01 - Piano.wav", "02 - Bass.wav"])
    assert [p.name for p in stale] == ["03 - Piano.wav", "05 - Strings.WAV"]


def test_wavs_with_the_longest_legal_names_are_written_and_errors_name_them(tmp_path):
    import numpy as np
    import pytest

    from engine.render.files import write_wavs

    audio = np.zeros((100, 2), np.float32)
    long = tmp_path / ("a" * 251 + ".wav")  # 255 bytes: its temporary name must be shorter
    assert write_wavs([(long, audio)], 44100) == [long]
    assert long.stat().st_size > 0
    final = tmp_path / "final.wav"
    final.write_bytes(b"keep")
    final.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_wavs([(tmp_path / "other.wav", audio), (final, audio)], 44100)
    assert final.read_bytes() == b"keep" and not (tmp_path / "other.wav").exists()
    with pytest.raises(IsADirectoryError) as e:
        write_wavs([(tmp_path, audio)], 44100)
    assert e.value.filename == str(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(OSError) as e:
        write_wavs([(blocker / "x.wav", audio)], 44100)
    assert "partial" not in str(e.value)


def test_stem_and_rehearsal_names_fit_a_file_name_in_bytes_and_stay_apart(tmp_path):
    # 70 emoji are 280 bytes of UTF-8, 85 kana 255: "file name too long" from
    # render --stems and --rehearsal. The cut is between characters; a name starting
    # alike for longer than fits is told apart by its number (stems) or " (2)".
    import numpy as np

    from engine.render.files import rehearsal_names, write_wavs
    from engine.score import Note

    note = (Note(60, 0, 480),)
    song = Song(tracks=tuple(Track(name, notes=note) for name in (
        "🎹" * 70, "ピアノ" * 28 + "ピ", "ピアノ" * 28 + "ア", "Bass\x85 1\x9f")))
    stems, rehearsals = list(stem_names(song).values()), list(rehearsal_names(song).values())
    for name in stems + rehearsals:
        assert len(name.encode()) <= 255
    assert stems[0] == "01 - " + "🎹" * 61 + ".wav"  # a 62nd would make 257 bytes
    assert stems[1] == "02 - " + ("ピアノ" * 27 + "ピアノピ")[:80] + ".wav"
    assert stems[3] == "04 - Bass_ 1_.wav"  # C1 controls, as a Latin-1 name can hold
    assert len(set(rehearsals)) == 4
    assert rehearsals[1].startswith("Rehearsal - ピアノ") and rehearsals[1].endswith("ノ.wav")
    assert rehearsals[2] == rehearsals[1].removesuffix(".wav") + " (2).wav"
    audio = np.zeros((10, 2), np.float32)
    written = write_wavs([(tmp_path / n, audio) for n in stems + rehearsals], 44100)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_a_render_removes_what_a_killed_render_left_in_its_folders(tmp_path):
    # QA: a kill -9 of `partita render big.partita -o mix.wav --stems st` left 609 MB of
    # hidden stems and WAVs for ever, a later complete render into the same folders too.
    import os
    import time

    from engine.render import render_files

    from .conftest import small_song

    stems, hour_ago = tmp_path / "st", time.time() - 3700
    stems.mkdir()
    left = [tmp_path / ".mix.wav.0123abcd.raw", stems / ".01 - Piano.wav.89abcdef.raw",
            stems / ".02 - Bass.wav.deadbeef.partial", tmp_path / ".mix.wav.00ff00ff.partial"]
    live = stems / ".01 - Piano.wav.13572468.raw"  # another render's, running now
    theirs = [tmp_path / ".mix.wav.raw", stems / "notes.0123abcd.raw"]  # not our names
    for path in (*left, live, *theirs):
        path.write_bytes(b"\0" * 1000)
        if path != live:
            os.utime(path, (hour_ago, hour_ago))
    render_files(small_song(), tmp_path / "mix.wav", stems, synth="builtin")
    assert not any(p.exists() for p in left)
    assert live.exists() and all(p.exists() for p in theirs)
    assert (tmp_path / "mix.wav").is_file() and len(list(stems.glob("*.wav"))) == 3
