"""``partita info`` and ``partita convert`` through ``engine.cli.main``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from engine.cli import main
from engine.io import load_song, save_song
from engine.score import (
    DRUM_CHANNEL,
    ChordSymbol,
    Note,
    Song,
    TempoChange,
    TimeSignature,
    Track,
)


@pytest.fixture
def midi(tmp_path):
    song = Song(
        tracks=(Track("Bass", 33, channel=1, notes=(Note(40, 0, 480), Note(52, 480, 480))),
                Track("Kit", 0, True, DRUM_CHANNEL, notes=(Note(36, 0, 60),))),
        tempos=(TempoChange(0, 500_000), TempoChange(1920, 400_000)),
        time_signatures=(TimeSignature(0, 4, 4), TimeSignature(1920, 3, 4)),
        title="Groove",
        length=1920 + 1440,  # a 4/4 bar, then a 3/4 bar
    )
    path = tmp_path / "groove.mid"
    save_song(song, path)
    return path


def test_info_shows_tracks_and_song_facts(midi, capsys):
    assert main(["info", str(midi)]) == 0
    out = capsys.readouterr().out
    assert "groove.mid: MIDI file, 2 tracks, 3 notes" in out
    assert "Groove" in out and "120 BPM, 150 BPM from bar 2" in out
    assert "4/4, 3/4 from bar 2" in out and "PPQ     480" in out
    bass = next(line for line in out.splitlines() if "Bass" in line).split()
    assert bass == ["1", "Bass", "Electric", "Bass", "(finger)", "2", "2", "E2–E3"]
    assert "Drum Kit" in out and "yes" in out
    kit = next(line for line in out.splitlines() if "Drum Kit" in line)
    assert kit.endswith("Kick")  # a kit's range is the drums it plays, by name


def test_info_and_tracks_mark_a_part_not_at_concert_pitch(tmp_path, capsys):
    """As the studio's track header does: "in Bb" beside a clarinet, "8vb" a double bass;
    only --json said it before."""
    song = Song(tracks=(Track("Clarinet", 71, notes=(Note(62, 0, 480),)),
                        Track("Horn in F", 60, channel=1, notes=(Note(60, 0, 480),)),
                        Track("Double Bass", 43, channel=2, notes=(Note(40, 0, 480),)),
                        Track("Flute", 73, channel=3, notes=(Note(72, 0, 480),))))
    path = tmp_path / "winds.partita"
    save_song(song, path)
    for command in ("info", "tracks"):
        assert main([command, str(path)]) == 0
        out = capsys.readouterr().out
        lines = {name: next(line for line in out.splitlines() if f"  {name}  " in line)
                 for name in ("Clarinet", "Horn in F", "Double Bass", "Flute")}
        assert "Clarinet (in Bb)" in lines["Clarinet"]
        assert "French Horn (in F)" in lines["Horn in F"]
        assert "Contrabass (8vb)" in lines["Double Bass"]
        assert "Flute  " in lines["Flute"] and "(" not in lines["Flute"]
    assert main(["info", str(path), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert [t["transposition"] for t in facts["tracks"]] == [[-1, -2], [-4, -7], [-7, -12],
                                                             [0, 0]]


def test_info_json(midi, capsys):
    assert main(["info", str(midi), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["notes"] == 3 and facts["ppq"] == 480 and facts["bars"] == 2
    assert facts["seconds"] == pytest.approx(3.2)  # four beats at 120 BPM, three at 150
    assert [t["bpm"] for t in facts["tempos"]] == [120, 150]
    assert facts["tracks"][1] == {
        "number": 2, "name": "Kit", "instrument": "Drum Kit", "program": 0, "bank": [0, 0],
        "channel": 10, "drum": True, "notes": 1, "lowest": 36, "highest": 36,
        "transposition": [0, 0], "lyrics": 0, "bend_range": None,
        "drums": [{"key": 36, "name": "Bass Drum 1", "notes": 1}]}


def test_info_lists_a_lead_sheets_chords(tmp_path, capsys):
    blues = ["C7", "F7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"]
    song = Song(tracks=(Track("Lead", notes=(Note(60, 0, 480),)),),
                chords=tuple(ChordSymbol(i * 1920, c) for i, c in enumerate(blues)),
                length=12 * 1920)
    path = tmp_path / "blues.partita"
    save_song(song, path)
    assert main(["info", str(path)]) == 0
    assert "  Chords  C7 F7 C7 C7 F7 F7 C7 C7 G7 F7 C7 G7 (12)\n" in capsys.readouterr().out
    assert main(["info", str(path), "--json"]) == 0
    chords = json.loads(capsys.readouterr().out)["chords"]
    assert chords[8] == {"tick": 8 * 1920, "bar": 9, "position": "9", "text": "G7"}
    # A long tune's chords: the first 16, and how many in all.
    save_song(replace(song, chords=tuple(ChordSymbol(i * 960, c)
                                          for i, c in enumerate(blues * 2))), path)
    assert main(["info", str(path)]) == 0
    assert " G7 F7 C7 G7 C7 F7 C7 C7 … (24)\n" in capsys.readouterr().out
    # A song without chords has no Chords line.
    save_song(replace(song, chords=()), path)
    assert main(["info", str(path)]) == 0
    assert "Chords" not in capsys.readouterr().out


def test_info_says_which_tracks_carry_lyrics_and_how_many_syllables(tmp_path, capsys):
    # QA (a singer-songwriter): info never mentioned the words of a song that had them.
    from engine.score.lyrics import Lyric

    verse = ("When", "the", "night", "has", "come")
    vocal = Track("Vocal", 52, notes=tuple(Note(67, i * 480, 480, lyric=Lyric(w))
                                           for i, w in enumerate(verse)))
    backing = Track("Backing", 52, channel=1, notes=(Note(64, 0, 960, lyric=Lyric("Oo")),
                                                     Note(62, 960, 960)))
    piano = Track("Piano", channel=2, notes=(Note(60, 0, 1920),))
    path = tmp_path / "stand.partita"
    save_song(Song(tracks=(vocal, backing, piano)), path)
    assert main(["info", str(path)]) == 0
    assert "  Lyrics  Vocal: 5 syllables, Backing: 1 syllable\n" in capsys.readouterr().out
    assert main(["info", str(path), "--json"]) == 0
    assert [t["lyrics"] for t in json.loads(capsys.readouterr().out)["tracks"]] == [5, 1, 0]
    # A MusicXML score keeps them too; a song without words has no Lyrics line.
    score = tmp_path / "stand.musicxml"
    save_song(Song(tracks=(vocal, piano)), score)
    assert main(["info", str(score)]) == 0
    assert "  Lyrics  Vocal: 5 syllables\n" in capsys.readouterr().out
    save_song(Song(tracks=(piano,)), path)
    assert main(["info", str(path)]) == 0
    assert "Lyrics" not in capsys.readouterr().out


def test_convert_midi_to_project_and_back(midi, tmp_path, capsys):
    project = tmp_path / "groove.partita"
    assert main(["convert", str(midi), str(project)]) == 0
    assert "wrote" in capsys.readouterr().out
    again = tmp_path / "again.mid"
    assert main(["convert", str(project), str(again)]) == 0
    assert load_song(again) == load_song(midi)


def expect_user_error(argv, capsys, problem):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("partita: error: ") and problem in err
    assert "\n" not in err and "Traceback" not in err


def test_convert_refuses_to_overwrite_its_input(midi, capsys):
    before = midi.read_bytes()
    expect_user_error(["convert", str(midi), str(midi)], capsys, "refusing to overwrite")
    assert midi.read_bytes() == before


def test_convert_takes_its_output_as_the_generating_commands_do(midi, tmp_path, capsys):
    """A choir director typed `convert IN -o OUT`, as harmonize takes it, and was refused."""
    out = tmp_path / "o.partita"
    assert main(["convert", str(midi), "-o", str(out)]) == 0
    assert load_song(out) == load_song(midi)
    expect_user_error(["convert", str(midi), str(tmp_path / "a.mid"), "-o", str(out)], capsys,
                      "OUT given twice")
    expect_user_error(["convert", str(midi)], capsys, "give the file to write")


def test_convert_errors_create_no_output(tmp_path, capsys):
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0")  # tracks missing
    out = tmp_path / "out.partita"
    expect_user_error(["convert", str(broken), str(out)], capsys, "broken.mid: truncated")
    expect_user_error(["convert", str(tmp_path / "nope.mid"), str(out)], capsys,
                      "nope.mid: no such file")
    expect_user_error(["convert", str(broken), str(tmp_path / "x.wav")], capsys,
                      "cannot write .wav")
    # A missing folder is made only when there is a song to write into it.
    expect_user_error(["convert", str(broken), str(tmp_path / "no" / "x.mid")], capsys,
                      "broken.mid: truncated")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mid"]


def test_info_on_a_bad_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "song.mid"
    bad.write_bytes(b"PK\x03\x04zip")
    expect_user_error(["info", str(bad)], capsys, f"{bad}: not a MIDI file")


def test_a_kit_imported_as_a_piano_is_said_with_the_command_that_makes_it_a_kit(
        tmp_path, capsys):
    from tests.engine.io.test_midi_import_report import band_with_a_kit_on_channel_3

    band = tmp_path / "band.mid"
    band_with_a_kit_on_channel_3(band)
    assert main(["info", str(band), "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"partita: note: {band}: track 2 'Drums' is named as drums but is on channel 3, "
        "so it was imported as a pitched instrument (Acoustic Grand Piano): General MIDI "
        "plays drums on channel 10 only; if it is a drum kit: partita tracks "
        f"{band} -o OUT --instrument Drums=Drums")
    assert err[1].endswith("--instrument 'perc kit=Drums'") and len(err) == 2
    # The command as said, run: the kit is one, and nothing is said about it any more.
    fixed = tmp_path / "fixed.mid"
    assert main(["tracks", str(band), "-o", str(fixed), "--instrument", "Drums=Drums",
                 "--instrument", "perc kit=Drums"]) == 0
    assert "named as drums" not in capsys.readouterr().err  # it is being made a kit
    assert main(["info", str(fixed)]) == 0
    assert "named as drums" not in capsys.readouterr().err
    assert load_song(fixed).find_track("Drums").is_drum


def test_info_names_a_pickup(tmp_path, capsys):
    from engine.score import Note, Song, TimeSignature, Track

    song = Song(tracks=(Track(notes=(Note(60, 0, 480), Note(62, 480, 1920))),), ppq=480,
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)))
    save_song(song, tmp_path / "pickup.mid")
    assert main(["info", str(tmp_path / "pickup.mid")]) == 0
    # The first full bar is bar 1, as a score numbers it: the pickup is bar 0.
    printed = capsys.readouterr().out
    assert "Meter   1/4 pickup, 4/4 from bar 1" in printed
    # The length as a score counts it: the pickup is not one of the bars.
    assert "(2.5 s), 1 bar + pickup\n" in printed
    assert main(["info", str(tmp_path / "pickup.mid"), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["pickup_ticks"] == 480 and facts["bars"] == 2  # every bar, in the file
    no_pickup = replace(song, time_signatures=(TimeSignature(0, 4, 4),))
    save_song(no_pickup, tmp_path / "plain.mid")
    assert main(["info", str(tmp_path / "plain.mid")]) == 0
    assert "(2.5 s), 2 bars\n" in capsys.readouterr().out  # 5 beats of 4/4: 2 bars
    assert [s["bar"] for s in facts["time_signatures"]] == [0, 1]
    eighth = replace(song, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(240, 4, 4)))
    save_song(eighth, tmp_path / "eighth.mid")
    assert main(["info", str(tmp_path / "eighth.mid")]) == 0
    assert "Meter   1/8 pickup, 4/4 from bar 1" in capsys.readouterr().out
    again = replace(song, time_signatures=(TimeSignature(0, 6, 8), TimeSignature(1440, 6, 8),
                                           TimeSignature(2880, 3, 4)))
    save_song(again, tmp_path / "again.mid")
    assert main(["info", str(tmp_path / "again.mid")]) == 0
    assert "Meter   6/8, 3/4 from bar 3" in capsys.readouterr().out  # 6/8 restated: no change


def test_a_project_converted_to_a_project_keeps_its_studio_state(midi, tmp_path):
    src, dst = tmp_path / "a.partita", tmp_path / "b.partita"
    save_song(load_song(midi), src, studio={"zoom": 2.0, "loop": [0, 1920]})
    assert main(["convert", str(src), str(dst)]) == 0
    assert json.loads(dst.read_text())["studio"] == {"zoom": 2.0, "loop": [0, 1920]}


def test_info_cuts_long_names_and_counts_in_the_singular(tmp_path, capsys):
    path = tmp_path / "long.partita"
    save_song(Song(tracks=(Track("X" * 200, notes=(Note(60, 0, 480),)),)), path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "long.partita: Partita project, 1 track, 1 note" in out
    assert "s), 1 bar\n" in out  # the Length row
    row = next(line for line in out.splitlines() if "XXX" in line)
    assert "X" * 31 + "… " in row and len(row) < 100
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tracks"][0]["name"] == "X" * 200


def test_convert_warns_when_instruments_must_share_a_midi_channel(tmp_path, capsys):
    channels = [c for c in range(16) if c != DRUM_CHANNEL]
    tracks = [Track(f"T{i}", program=i, channel=c, notes=(Note(60, 0, 480),))
              for i, c in enumerate(channels)]
    src = tmp_path / "many.partita"
    save_song(Song(tracks=(*tracks, Track("Extra", program=99, notes=(Note(62, 0, 480),)))),
              src)
    assert main(["convert", str(src), str(tmp_path / "many.mid")]) == 0
    captured = capsys.readouterr()
    assert "wrote" in captured.out and "(16 tracks, 16 notes)" in captured.out
    assert captured.err.startswith(f"partita: warning: {tmp_path / 'many.mid'}: MIDI channel ")
    assert "'Extra'" in captured.err


def test_a_midi_file_cut_short_is_read_and_what_it_misses_said_on_stderr(midi, tmp_path,
                                                                          capsys):
    data = midi.read_bytes()
    ntracks = int.from_bytes(data[10:12], "big")
    midi.write_bytes(data[:10] + (ntracks + 1).to_bytes(2, "big") + data[12:])
    assert main(["convert", str(midi), str(tmp_path / "whole.partita")]) == 0
    assert load_song(tmp_path / "whole.partita").note_count == 3
    assert capsys.readouterr().err == (
        f"partita: warning: {midi}: the file ends after {ntracks} of the {ntracks + 1} "
        f"tracks its header declares: {ntracks} read\n")


def test_convert_says_1_track_not_1_tracks(tmp_path, capsys):
    src = tmp_path / "one.partita"
    save_song(Song(tracks=(Track("Solo", notes=(Note(60, 0, 480),)),)), src)
    assert main(["convert", str(src), str(tmp_path / "one.mid")]) == 0
    assert "(1 track, 1 note)" in capsys.readouterr().out
    save_song(Song(tracks=(Track("Solo", notes=(Note(60, 0, 480),)), Track("Empty"))), src)
    assert main(["convert", str(src), str(tmp_path / "two.mid")]) == 0
    assert "(2 tracks, 1 note)" in capsys.readouterr().out  # the empty part is kept
    full = tuple(Track(f"T{c}", program=c, channel=c, notes=(Note(60, 0, 480),))
                 for c in range(16))  # every channel taken: none left for an empty track
    save_song(Song(tracks=(*full, Track("Empty"))), src)
    assert main(["convert", str(src), str(tmp_path / "full.mid")]) == 0
    assert "(16 tracks, 16 notes; 1 empty track left out)" in capsys.readouterr().out


def test_convert_refuses_a_song_midi_cannot_hold_and_keeps_the_old_file(tmp_path, capsys):
    src, out = tmp_path / "long.partita", tmp_path / "long.mid"
    save_song(Song(tracks=(Track("Solo", notes=(Note(60, 0, 480),)),), length=2**40), src)
    save_song(Song(tracks=(Track("Old", notes=(Note(62, 0, 480),)),)), out)
    before = out.read_bytes()
    expect_user_error(["convert", str(src), str(out)], capsys,
                      "long.mid: cannot write MIDI: the gap before tick")
    assert out.read_bytes() == before


def test_an_error_does_not_import_modules_the_command_did_not_use(tmp_path):
    # Collecting the engine's error types once imported torch: 3 s for every error.
    code = ("import sys; from engine.cli import main; "
            f"assert main(['info', {str(tmp_path / 'nope.mid')!r}]) == 1; "
            "print(sorted(m for m in ('torch', 'engine.models.checkpoint', 'music21') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert run.stdout.strip() == "[]" and "nope.mid: no such file" in run.stderr


def test_convert_sets_tempo_meter_and_key_from_a_bar(midi, tmp_path, capsys):
    out = tmp_path / "faster.mid"
    assert main(["convert", str(midi), str(out), "--tempo", "90", "--meter", "6/8",
                 "--key", "Bbm", "--from-bar", "2"]) == 0
    assert "Set tempo, meter and key at bar 2" in capsys.readouterr().out
    song, before = load_song(out), load_song(midi)
    assert [(t.tick, round(t.bpm)) for t in song.tempos] == [(0, 120), (1920, 90)]
    assert [(s.tick, s.numerator, s.denominator) for s in song.time_signatures] == [
        (0, 4, 4), (1920, 6, 8)]
    assert [(k.tick, k.key) for k in song.key_signatures] == [(1920, "Bbm")]
    assert [t.notes for t in song.tracks] == [t.notes for t in before.tracks]
    # From bar 1 by default; 'none' drops a key change.
    again = tmp_path / "again.mid"
    assert main(["convert", str(out), str(again), "--key", "none", "--from-bar", "2"]) == 0
    assert load_song(again).key_signatures == ()
    # Keys as people write them are read too.
    assert main(["convert", str(out), str(again), "--key", "Bb minor",
                 "--from-bar", "2"]) == 0
    assert [k.key for k in load_song(again).key_signatures] == ["Bbm"]
    # A minor key by its usual name, or by one no signature has (Partita once said "Db
    # minor"): C# minor, 4 sharps, and the command says so.
    for typed in ("C# minor", "Db minor"):
        capsys.readouterr()
        assert main(["convert", str(midi), str(again), "--key", typed]) == 0
        assert "Set key at bar 1 (key signature C# minor)" in capsys.readouterr().out
        assert [k.key for k in load_song(again).key_signatures] == ["C#m"]
    assert main(["info", str(again)]) == 0
    assert "C# minor" in capsys.readouterr().out
    # What the song has already is said, not written as if done (a prog composer's QA).
    assert main(["convert", str(out), str(again), "--meter", "6/8", "--tempo", "90",
                 "--from-bar", "2"]) == 0
    assert capsys.readouterr().err == (f"partita: note: {out}: --tempo 90 --meter 6/8 "
                                       "--from-bar 2: the song has that already, nothing "
                                       "changed\n")


def test_convert_meter_keeps_a_songs_pickup(tmp_path, capsys):
    # A choir director's QA: --meter 2/2 on a hymn with a 1/4 pickup made the pickup a
    # whole bar and moved every bar line after it; the pickup stays, the meter from bar 1.
    from engine.io import save_song
    from engine.score import Note, Song, TimeMap, TimeSignature, Track

    hymn = tmp_path / "hymn.partita"
    save_song(Song(tracks=(Track("Tune", notes=tuple(Note(60, 480 * i, 480)
                                                     for i in range(17))),),
                   time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4))), hymn)
    out = tmp_path / "cut.partita"
    assert main(["convert", str(hymn), str(out), "--meter", "2/2"]) == 0
    song = load_song(out)
    assert [(s.tick, s.numerator, s.denominator) for s in song.time_signatures] == [
        (0, 1, 4), (480, 2, 2)]
    assert TimeMap.of(song).has_pickup
    assert main(["convert", str(hymn), str(out), "--meter", "2/2", "--from-bar", "0"]) == 0
    assert load_song(out).time_signatures == song.time_signatures  # bar 0 is the pickup


@pytest.mark.parametrize("flags, problem", [
    (["--meter", "six"], "--meter 'six': give a time signature like 3/4"),
    (["--meter", "4/3"], "--meter '4/3': time signature 4/3 is not one MIDI can hold"),
    (["--meter", "3+2/4"], "--meter '3+2/4': 5/4 is counted in its own beats"),
    (["--meter", "3+3+2/8+"], "--meter '3+3+2/8+': give a time signature like 3/4, or grouped"),
    (["--tempo", "0"], "tempo 0 BPM is outside"),
    (["--key", "H"], "--key 'H': give a key a MIDI file can declare, like C"),
    (["--tempo", "90", "--from-bar", "0"], "--from-bar 0: bars count from 1"),
    # QA: the second --from-bar was taken for the first's --meter too, silently.
    (["--meter", "4/4", "--from-bar", "1", "--tempo", "80", "--from-bar", "2"],
     "--from-bar given twice (1, then 2): --tempo, --meter and --key all start at one bar"),
    # QA: alone it was ignored, and a second --tempo, --copy-bars … kept silently.
    (["--from-bar", "2"], "--from-bar 2: give --tempo, --meter, --key or --chords to start there"),
    (["--tempo", "120", "--tempo", "90"], "--tempo given twice (120, then 90): it takes one"),
    (["--copy-bars", "1-2:3", "--copy-bars", "1:4"],
     "--copy-bars given twice ('1-2:3', then '1:4')"),
    (["--insert-bars", "2", "--insert-bars", "3"], "--insert-bars given twice"),
    (["--delete-bars", "2", "--delete-bars", "3"], "--delete-bars given twice"),
    (["--title", "A", "--title", "B"], "--title given twice ('A', then 'B')"),
])
def test_convert_refuses_an_impossible_time(midi, tmp_path, capsys, flags, problem):
    out = tmp_path / "x.mid"
    expect_user_error(["convert", str(midi), str(out), *flags], capsys, problem)
    assert not out.exists()


def test_a_meter_set_and_set_back_leaves_the_demo_ending_with_its_music(tmp_path, capsys):
    # QA: 3/4 from bar 10, then 4/4 from bar 11 gave 40 bars, 96.7 s: the music ended in
    # bar 33 and 22 s of silence followed (the demo's last note ends 10 ticks before its
    # last bar line, so its bar count was kept).
    demo = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
    o1, o2 = tmp_path / "o1.partita", tmp_path / "o2.partita"
    assert main(["convert", str(demo), str(o1), "--meter", "3/4", "--from-bar", "10"]) == 0
    assert main(["convert", str(o1), str(o2), "--meter", "4/4", "--from-bar", "11"]) == 0
    capsys.readouterr()
    assert main(["info", str(o2)]) == 0
    assert "1:16.7 (76.7 s), 33 bars" in capsys.readouterr().out


def test_convert_and_info_take_a_grouped_meter(midi, tmp_path, capsys):
    project, out = tmp_path / "dance.partita", tmp_path / "dance.mid"
    assert main(["convert", str(midi), str(project), "--meter", "3+2+2/8",
                 "--from-bar", "2"]) == 0
    assert "Set meter at bar 2" in capsys.readouterr().out
    assert [s.text for s in load_song(project).time_signatures] == ["4/4", "3+2+2/8"]
    assert main(["info", str(project)]) == 0
    assert "4/4, 3+2+2/8 from bar 2" in capsys.readouterr().out
    assert main(["info", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["time_signatures"][1]["meter"] == "3+2+2/8"
    # A MIDI file keeps 7/8 but not how it is counted, and says so.
    assert main(["convert", str(project), str(out)]) == 0
    assert (f"partita: warning: {out}: meter 3+2+2/8: a MIDI file has no beat grouping"
            in capsys.readouterr().err)
    assert [s.text for s in load_song(out).time_signatures] == ["4/4", "7/8"]


def test_info_names_a_grouped_pickup(tmp_path, capsys):
    path = tmp_path / "pickup.partita"
    save_song(Song(tracks=(Track(notes=(Note(60, 0, 240),)),),
                   time_signatures=(TimeSignature(0, 2, 8), TimeSignature(480, 7, 8, (3, 2, 2)))),
              path)
    assert main(["info", str(path)]) == 0
    assert "2/8 pickup, 3+2+2/8 from bar 1" in capsys.readouterr().out


def test_info_keeps_a_track_name_with_newlines_on_its_row(tmp_path, capsys):
    path = tmp_path / "odd.mid"
    save_song(Song(tracks=(Track("Line1\nLine2\tTabbed", notes=(Note(60, 0, 480),)),)), path)
    assert main(["info", str(path)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "Line1" in line]
    assert len(rows) == 1 and "Line1 Line2 Tabbed" in rows[0]


def test_convert_from_a_bar_after_the_end_is_refused_and_info_says_beats(tmp_path, capsys):
    demo = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
    out = tmp_path / "x.mid"
    assert main(["convert", str(demo), str(out), "--key", "A", "--from-bar", "500"]) == 1
    assert "demo.mid: --from-bar 500 is after the song's last bar (32)" in capsys.readouterr().err
    assert not out.exists()
    song = load_song(demo)
    from engine.score import TimeMap

    beat3 = TimeMap.of(song).position_to_tick(19, 2)  # a tempo change on 20.3
    save_song(replace(song, tempos=(*song.tempos[:1], TempoChange(beat3, 600_000))), out)
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    assert "100 BPM from bar 20.3" in capsys.readouterr().out


def test_convert_says_what_a_midi_file_holds_that_the_song_does_not_keep(tmp_path, capsys):
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track += [mido.Message("sysex", data=[0x41, 0x10, 0x42], time=0),
              mido.MetaMessage("text", text="made by hand", time=0),
              mido.Message("note_on", note=60, velocity=90, time=0),
              mido.Message("note_off", note=60, velocity=0, time=480)]
    mid.tracks.append(track)
    src = tmp_path / "gs.mid"
    mid.save(src)
    assert main(["convert", str(src), str(tmp_path / "gs.partita")]) == 0
    err = capsys.readouterr().err
    assert "gs.mid: not kept (Partita holds no such events):" in err
    assert "sysex (1)" in err and "text (1)" in err
    # Every command that writes the song says it (repaint and tracks were silent), once;
    # one that only reads it does not.
    assert main(["tracks", str(src), "-o", str(tmp_path / "t.mid"), "--rename", "1=Lead"]) == 0
    assert capsys.readouterr().err.count("gs.mid: not kept") == 1
    assert main(["tracks", str(src)]) == 0
    assert "not kept" not in capsys.readouterr().err


def test_convert_inserts_and_deletes_bars(midi, tmp_path, capsys):
    out = tmp_path / "longer.mid"
    assert main(["convert", str(midi), str(out), "--insert-bars", "2:3"]) == 0
    assert capsys.readouterr().out.startswith("Insert 3 bars at bar 2\n")
    before, after = load_song(midi), load_song(out)
    assert [n.start for n in after.tracks[0].notes] == [
        n.start + (3 * 1920 if n.start >= 1920 else 0) for n in before.tracks[0].notes]
    back = tmp_path / "back.mid"
    assert main(["convert", str(out), str(back), "--delete-bars", "2-4"]) == 0
    assert [n.start for n in load_song(back).tracks[0].notes] == [
        n.start for n in before.tracks[0].notes]
    assert main(["convert", str(midi), str(out), "--delete-bars", "7"]) == 1
    assert "--delete-bars 7: bar 7 is outside the song (bars 1–2)" in capsys.readouterr().err


def test_deleting_the_last_bars_takes_their_tempo_changes_with_them(tmp_path, capsys):
    # The demo slows to 96 and 84 BPM in bars 31-32: cut after bar 12, the 12-bar song
    # keeps its 104 BPM, with no "84 BPM from bar 13" past its end.
    demo = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
    out = tmp_path / "cut.mid"
    assert main(["convert", str(demo), str(out), "--delete-bars", "13-32"]) == 0
    cut = load_song(out)
    assert [(t.tick, round(t.bpm)) for t in cut.tempos] == [(0, 104)]
    assert [m.text for m in cut.markers] == ["Intro", "Verse"]
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    # (not "84" anywhere: the temporary folder's name may hold it, pytest-1384 did)
    tempo = next(line for line in info.splitlines() if line.strip().startswith("Tempo"))
    assert "12 bars" in info and tempo.split() == ["Tempo", "104", "BPM"]


def test_convert_numbers_bars_after_a_pickup_as_a_score_does(midi, tmp_path, capsys):
    """With a pickup, bar 0 is the pickup and bar 1 the first full bar (MuseScore's,
    Sibelius's, Dorico's numbers); the song file keeps its ticks as they were."""
    song = Song(tracks=(Track(notes=tuple(Note(60 + i, i * 480, 480) for i in range(9))),),
                ppq=480, time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)))
    src, out = tmp_path / "pickup.partita", tmp_path / "out.partita"
    save_song(song, src)
    assert main(["convert", str(src), str(out), "--insert-bars", "1"]) == 0
    assert capsys.readouterr().out.startswith("Insert 1 bar at bar 1\n")
    # Before the first full bar: the pickup stays, the rest moves a bar later.
    assert [n.start for n in load_song(out).tracks[0].notes] == [0] + [
        480 * i + 1920 for i in range(1, 9)]
    assert main(["convert", str(src), str(out), "--delete-bars", "0"]) == 0
    assert capsys.readouterr().out.startswith("Delete bar 0\n")
    assert main(["convert", str(src), str(out), "--copy-bars", "1:2"]) == 0
    assert capsys.readouterr().out.startswith("Copy bar 1 to bar 2 (4 notes)")
    assert main(["convert", str(src), str(out), "--tempo", "90", "--from-bar", "1"]) == 0
    assert capsys.readouterr().out.startswith("Set tempo at bar 1\n")
    assert [t.tick for t in load_song(out).tempos][-1] == 480  # the first full bar
    assert main(["convert", str(src), str(out), "--delete-bars", "3"]) == 1
    assert "--delete-bars 3: bar 3 is outside the song (bars 0–2)" in capsys.readouterr().err
    # Without a pickup there is no bar 0, and the message says what the bars are.
    assert main(["convert", str(midi), str(out), "--delete-bars", "0"]) == 1
    assert ("--delete-bars 0: bars count from 1 (bars 1–2; bar 0 is a pickup, and this "
            "song has none)") in capsys.readouterr().err


def test_convert_copies_bars_and_sets_the_title(midi, tmp_path, capsys):
    out = tmp_path / "twice.mid"
    before = load_song(midi)
    first = before.tracks[0]
    assert main(["convert", str(midi), str(out), "--copy-bars", "1-2:3",
                 "--tracks", first.name, "--title", "Twice"]) == 0
    assert capsys.readouterr().out.startswith("Copy bars 1–2 to bar 3 (")
    after = load_song(out)
    assert after.title == "Twice"
    at = 1920 + 1440  # bar 3: after a 4/4 bar and a 3/4 bar
    copied = [(n.pitch, n.start - at) for n in after.tracks[0].notes if n.start >= at]
    assert copied == [(n.pitch, n.start) for n in first.notes]
    assert after.tracks[1].notes == before.tracks[1].notes  # not among --tracks
    assert main(["convert", str(midi), str(out), "--copy-bars", "1-2"]) == 1
    assert "give A[-B]:C, e.g. 1-8:9" in capsys.readouterr().err
    assert main(["convert", str(midi), str(out), "--tracks", "1"]) == 1
    assert "--tracks says which tracks --copy-bars copies" in capsys.readouterr().err


def test_copied_bars_land_on_the_bar_lines_with_their_rests_and_pedal(tmp_path, capsys):
    """QA: 4/4 bars copied onto 3/4 ones overwrote the next section's downbeat, a track
    resting in the copied bars kept its old notes there, and the pedal stayed behind."""
    from engine.score import ControlEvent

    bar, bar3 = 1920, 1440
    piano = Track("Piano", notes=(Note(60, 0, 480), Note(64, 1440, 480),  # beat 4: no room
                                  Note(67, bar, bar), Note(72, 2 * bar + 2 * bar3, 480)),
                  controls=(ControlEvent(0, "control_change", 64, 127),
                            ControlEvent(bar + 960, "control_change", 64, 0)))
    bass = Track("Bass", channel=1, notes=(Note(40, 2 * bar, 480),))  # rests in bars 1–2
    song = Song((piano, bass), ppq=480, time_signatures=(
        TimeSignature(0, 4, 4), TimeSignature(2 * bar, 3, 4),
        TimeSignature(2 * bar + 2 * bar3, 4, 4)))
    src, out = tmp_path / "e1.partita", tmp_path / "e2.partita"
    save_song(song, src)
    assert main(["convert", str(src), str(out), "--copy-bars", "1-2:3"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Copy bars 1–2 to bar 3 (2 notes)\n")
    assert captured.err.splitlines() == [
        "partita: warning: --copy-bars 1-2:3: bar 3 (3/4) is shorter than bar 1 (4/4), "
        "copied onto it: Piano's E4 at 1.4 left out",
        "partita: warning: --copy-bars 1-2:3: bar 4 (3/4) is shorter than bar 2 (4/4), "
        "copied onto it: Piano's G4 at 2.1 cut at the bar line"]
    after = load_song(out)
    at = 2 * bar
    assert [(n.pitch, n.start - at, n.duration) for n in after.tracks[0].notes
            if n.start >= at] == [(60, 0, 480), (67, bar3, bar3),
                                  (72, 2 * bar3, 480)]  # bar 5's downbeat as it was
    assert after.tracks[1].notes == ()  # the bass rests there too now
    assert [(c.tick, c.value) for c in after.tracks[0].controls] == [
        (0, 127), (bar + 960, 0), (at, 127), (at + bar3 + 960, 0)]


def test_a_file_without_its_extension_is_read_as_what_it_is(midi, tmp_path, capsys):
    project = tmp_path / "p.partita"
    assert main(["convert", str(midi), str(project)]) == 0
    bare = project.rename(tmp_path / "bare")
    assert main(["info", str(bare)]) == 0
    assert "bare: Partita project, 2 tracks" in capsys.readouterr().out
    misnamed = tmp_path / "m.partita"
    misnamed.write_bytes(midi.read_bytes())
    assert main(["info", str(misnamed)]) == 1
    assert "a MIDI file named as a Partita project: rename it .mid" in capsys.readouterr().err
    wrong = tmp_path / "p.mid"
    wrong.write_bytes(bare.read_bytes())
    assert main(["info", str(wrong)]) == 1
    assert "a Partita project named as a MIDI file: rename it .partita" in (
        capsys.readouterr().err)
    bom = tmp_path / "bom"  # a project with a UTF-8 BOM, as an editor may save it
    bom.write_bytes(b"\xef\xbb\xbf" + bare.read_bytes())
    assert main(["info", str(bom)]) == 0
    assert "bom: Partita project" in capsys.readouterr().out


def test_info_lists_the_markers(midi, tmp_path, capsys):
    from engine.score.song import Marker

    assert main(["info", str(midi)]) == 0
    assert "Markers" not in capsys.readouterr().out  # a song without: no row
    song = replace(load_song(midi), markers=(
        Marker(0, "Intro"), Marker(1920 + 480, "Break\nhere"), Marker(1920, "Verse 1")))
    path = tmp_path / "marked.mid"
    save_song(song, path)
    assert main(["info", str(path)]) == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if "Markers" in line]
    assert row.split("Markers", 1)[1].strip() == "Intro (1), Verse 1 (2), Break here (2.2)"
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["markers"] == [
        {"tick": 0, "bar": 1, "position": "1", "text": "Intro", "seconds": 0.0,
         "locked": False},
        {"tick": 1920, "bar": 2, "position": "2", "text": "Verse 1", "seconds": 2.0,
         "locked": False},
        {"tick": 2400, "bar": 2, "position": "2.2", "text": "Break\nhere", "seconds": 2.4,
         "locked": False}]
    many = replace(song, markers=tuple(Marker(i * 480, f"M{i}") for i in range(12)))
    save_song(many, path)
    assert main(["info", str(path)]) == 0
    assert "M6 (2.3), M7 (3), … (12 in all)" in capsys.readouterr().out


def test_convert_locks_markers_to_their_times_before_a_tempo_change(tmp_path, capsys):
    from engine.score.song import Marker

    # A film's hit at 6.2.222 (10.731 s at 120 BPM), and a section marker on bar 5.
    song = Song(ppq=480, markers=(Marker(7680, "Verse"), Marker(10302, "Hit")),
                length=20 * 1920)
    plain, locked = tmp_path / "plain.partita", tmp_path / "locked.partita"
    save_song(song, plain)
    assert main(["convert", str(plain), str(locked), "--lock-markers", "--tempo", "110",
                 "--from-bar", "5"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Lock 2 markers to their times", "Set tempo at bar 5"]
    assert main(["info", str(locked), "--json"]) == 0
    markers = json.loads(capsys.readouterr().out)["markers"]
    assert [(m["text"], m["locked"]) for m in markers] == [("Verse", True), ("Hit", True)]
    assert markers[1]["seconds"] == pytest.approx(10.731, abs=0.001)  # kept its time
    assert markers[1]["position"] == "6.2.003"  # the bars moved under it
    assert main(["info", str(locked)]) == 0
    assert "Hit (6.2.003, locked at 0:10.731)" in capsys.readouterr().out
    # Unlocked, a marker moves with its bar: back to 120 BPM, the hit stays at 6.2.003.
    again = tmp_path / "again.partita"
    assert main(["convert", str(locked), str(again), "--unlock-markers", "--tempo",
                 "120", "--from-bar", "5"]) == 0
    assert "Tie 2 markers to their bars" in capsys.readouterr().out
    assert [m.tick for m in load_song(again).markers] == [7680, 10083]
    with pytest.raises(SystemExit):  # one or the other, as argparse says
        main(["convert", str(plain), str(again), "--lock-markers", "--unlock-markers"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_info_says_a_locked_markers_own_time_and_a_pushed_hit_is_warned_of(tmp_path, capsys):
    from engine.score.song import Marker

    # 2 bars of music; a hit on 0.1.400 (0.4167 s) and one at the music's end (4 s).
    song = Song((Track(notes=(Note(60, 0, 2 * 1920),)),), ppq=480,
                markers=(Marker(400, "Early"), Marker(2 * 1920, "Hit")))
    plain, slow, fast = (tmp_path / f"{n}.partita" for n in ("plain", "slow", "fast"))
    save_song(song, plain)
    assert main(["convert", str(plain), str(slow), "--lock-markers", "--tempo", "20"]) == 0
    capsys.readouterr()
    # At 20 BPM a tick is 6.25 ms: the time kept is said, not its tick's (0:00.419).
    assert main(["info", str(slow), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["markers"][0]["seconds"] == 0.417
    assert main(["info", str(slow)]) == 0
    assert "Early (1.1.067, locked at 0:00.417)" in capsys.readouterr().out
    # Twice as fast, the hit lands past the last note: said, and the song runs on to it,
    # the project and a MIDI file of it alike.
    assert main(["convert", str(plain), str(fast), "--lock-markers", "--tempo", "240"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"partita: warning: {fast}: marker 'Hit' (locked at 0:04.000) is past the last note "
        "(0:02.000): the song runs on to it; lengthen the music or move the marker"]
    midi = tmp_path / "fast.mid"
    assert main(["convert", str(fast), str(midi)]) == 0
    capsys.readouterr()
    for path in (fast, midi):
        assert main(["info", str(path), "--json"]) == 0
        facts = json.loads(capsys.readouterr().out)
        assert (facts["seconds"], facts["bars"]) == (4.0, 4)


def test_convert_reads_a_beat_after_a_decimal_comma(tmp_path, capsys):
    song = Song((Track(notes=(Note(60, 0, 8 * 1920),)),), ppq=480)
    plain, out = tmp_path / "plain.partita", tmp_path / "out.partita"
    save_song(song, plain)
    assert main(["convert", str(plain), str(out), "--tempo", "90", "--from-bar", "6,3"]) == 0
    assert "Set tempo at 6.3" in capsys.readouterr().out
    assert [t.tick for t in load_song(out).tempos] == [0, 5 * 1920 + 2 * 480]


def test_convert_writes_a_musicxml_score_by_its_extension(midi, tmp_path, capsys):
    music21 = pytest.importorskip("music21")
    score = tmp_path / "groove.musicxml"
    assert main(["convert", str(midi), str(score), "--key", "Bb"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Set key at bar 1 (key signature Bb major)", f"wrote {score} (2 tracks, 3 notes)"]
    # Notating a long song takes seconds: its progress is said as the tracks go by.
    progress = err.splitlines()
    assert f"convert {score}: 50 % (Notating Bass)" in progress
    assert progress[-1].startswith(f"convert {score}: 100 % · done in ")
    # -q, as render and the generation commands take it: no progress, the rest said
    for quiet in ("-q", "--quiet"):
        assert main(["convert", str(midi), str(score), "--key", "Bb", quiet]) == 0
        out, err = capsys.readouterr()
        assert err == "" and out.splitlines()[-1] == f"wrote {score} (2 tracks, 3 notes)"
    # tracks writes a score with the same progress, and takes the same -q
    renamed = tmp_path / "renamed.musicxml"
    assert main(["tracks", str(midi), "-o", str(renamed), "--rename", "1=Low"]) == 0
    assert f"tracks {renamed}: 50 % (Notating Low)" in capsys.readouterr().err.splitlines()
    assert main(["tracks", str(midi), "-o", str(renamed), "--rename", "1=Low", "-q"]) == 0
    assert "%" not in capsys.readouterr().err
    parsed = music21.converter.parse(score)
    assert [p.partName for p in parsed.parts] == ["Bass", "Kit"]
    assert [str(k) for k in parsed.parts[0].recurse().getElementsByClass("KeySignature")
            ] == ["B- major"]
    assert [ts.ratioString for ts in parsed.parts[0].recurse().getElementsByClass(
        "TimeSignature")] == ["4/4", "3/4"]
    assert main(["convert", str(midi), str(tmp_path / "groove.mxl")]) == 0
    assert (tmp_path / "groove.mxl").read_bytes()[:2] == b"PK"  # compressed
    capsys.readouterr()
    # A score is read back too: info names it a score.
    assert main(["info", str(score)]) == 0
    assert capsys.readouterr().out.startswith(f"{score}: MusicXML score, 2 tracks")


def test_convert_reads_a_musicxml_score_and_says_what_it_approximates(tmp_path, capsys):
    from tests.engine.io.test_musicxml_import import satb, write

    score = tmp_path / "hymn.mxl"
    write(satb(), score)
    with_grace = tmp_path / "grace.musicxml"
    music21 = pytest.importorskip("music21")
    tune = music21.stream.Part([music21.stream.Measure([
        music21.meter.TimeSignature("2/4"), music21.note.Note("B4").getGrace(),
        music21.note.Note("A4", quarterLength=2)])])
    write(music21.stream.Score([tune]), with_grace)
    for out in (tmp_path / "hymn.mid", tmp_path / "hymn.partita"):
        assert main(["convert", str(score), str(out)]) == 0
        captured = capsys.readouterr()
        assert captured.out == f"wrote {out} (4 tracks, 18 notes)\n"
        assert captured.err == ""  # nothing approximated in this one
        song = load_song(out)
        assert [t.name for t in song.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
        assert song.key_signatures[0].key == "D" and round(song.tempos[0].bpm) == 90
    assert main(["info", str(tmp_path / "hymn.mid")]) == 0
    assert "1/4 pickup, 3/4 from bar 1" in capsys.readouterr().out
    assert main(["convert", str(with_grace), str(tmp_path / "grace.mid")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"partita: note: {with_grace}: 1 grace note left out: the song plays the "\
           "written notes only" in err
    assert f"partita: note: {with_grace}: no metronome mark: the song plays at 120 BPM "\
           "(Ctrl+K in the studio, convert --tempo, to change it)" in err
    broken = tmp_path / "broken.mxl"
    broken.write_bytes(score.read_bytes()[:200])
    expect_user_error(["convert", str(broken), str(tmp_path / "x.mid")], capsys,
                      "broken.mxl: damaged compressed MusicXML (.mxl)")
    assert not (tmp_path / "x.mid").exists()


def test_a_score_that_cannot_be_written_is_one_line_and_no_file(midi, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    expect_user_error(["convert", str(midi), str(tmp_path / "file" / "no" / "x.musicxml")],
                      capsys, f"{tmp_path / 'file'} is a file, not a folder")
    locked = tmp_path / "locked.musicxml"
    locked.write_text("mine")
    locked.chmod(0o444)
    expect_user_error(["convert", str(midi), str(locked)], capsys, "read-only")
    assert locked.read_text() == "mine"
    expect_user_error(["convert", str(midi), str(tmp_path / "x.pdf")], capsys,
                      "use .partita, .mid or .midi, or .musicxml or .mxl for a score")


def test_convert_sets_a_pickup_in_one_step(tmp_path, capsys):
    # A hymn that opens on a quarter-note pickup: one option, where it took two runs
    # (--meter 1/4, then --meter 4/4 --from-bar 2).
    src, out = tmp_path / "hymn.partita", tmp_path / "pickup.partita"
    save_song(Song(tracks=(Track("Tune", 0, notes=(Note(67, 0, 480), Note(72, 480, 960))),),
                   length=4 * 1920), src)
    assert main(["convert", str(src), str(out), "--pickup", "1/4"]) == 0
    assert "Set a 1/4 pickup before 4/4" in capsys.readouterr().out
    song = load_song(out)
    assert [(s.tick, s.text) for s in song.time_signatures] == [(0, "1/4"), (480, "4/4")]
    assert main(["info", str(out)]) == 0
    assert "1/4 pickup" in capsys.readouterr().out
    # 6/8 with two eighths before it, counted in beats of the meter; then none again.
    six = tmp_path / "six.partita"
    assert main(["convert", str(out), str(six), "--pickup", "2", "--meter", "6/8"]) == 0
    assert [s.text for s in load_song(six).time_signatures] == ["2/8", "6/8"]
    assert main(["convert", str(six), str(out), "--pickup", "none"]) == 0
    assert [s.text for s in load_song(out).time_signatures] == ["6/8"]
    capsys.readouterr()
    assert main(["convert", str(src), str(out), "--pickup", "1/4", "--from-bar", "3"]) == 1
    assert "a pickup comes before the first full bar" in capsys.readouterr().err
    assert main(["convert", str(src), str(out), "--pickup", "4/4"]) == 1
    assert "a pickup is shorter than a bar of 4/4" in capsys.readouterr().err


def test_convert_says_which_tracks_shared_a_channel_and_where_they_go(tmp_path, capsys):
    from tests.engine.io.test_midi_import_report import two_instruments_on_channel_6

    src, out = tmp_path / "shared.mid", tmp_path / "out.mid"
    two_instruments_on_channel_6(src)
    assert main(["convert", str(src), str(out)]) == 0
    err = capsys.readouterr().err
    assert (f"partita: note: {src}: tracks 'Sax' (Tenor Sax) and 'Guitar' (Electric "
            "Guitar (jazz)) share MIDI channel 6 in the file") in err
    assert "puts 'Guitar' on channel 1" in err
    from engine.io import read_midi

    assert [t.channel for t in read_midi(out).tracks] == [5, 1, 0]  # as said


def test_a_file_name_that_is_not_utf8_is_shown_read_and_written(midi, tmp_path, capsys):
    # Übung.mid from an old zip: Latin-1 bytes, which Python names with a surrogate escape
    # ('\udcdc'); printing it or encoding it for a temporary name raised.
    latin1 = tmp_path / os.fsdecode(b"\xdcbung.mid")
    latin1.write_bytes(midi.read_bytes())
    assert main(["info", str(latin1)]) == 0
    assert "\ufffdbung.mid: MIDI file, 2 tracks" in capsys.readouterr().out
    assert main(["info", str(latin1), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file"].endswith("\ufffdbung.mid")
    project = tmp_path / os.fsdecode(b"\xdcbung.partita")
    assert main(["convert", str(latin1), str(project)]) == 0
    assert "?bung.partita" in capsys.readouterr().out  # as ls shows it, not a traceback
    assert load_song(project) == load_song(latin1)
    assert set(os.listdir(tmp_path)) == {latin1.name, project.name, "groove.mid"}


def test_info_and_tracks_tables_align_names_by_the_columns_a_terminal_gives_them(
        tmp_path, capsys):
    # Kana, ideographs and emoji take two columns, a combining mark none: padding by
    # len() pushed the Instrument column of each such row out of line.
    from engine.cli.files import _width

    names = ("ピアノ右手", "Bass", "Flo\u0308te", "🎹 Keys", "長い名前" * 10)
    song = Song(tracks=tuple(Track(n, 33, channel=i, notes=(Note(40, 0, 480),))
                             for i, n in enumerate(names)), length=1920)
    path = tmp_path / "wide.partita"
    save_song(song, path)
    for command in ("info", "tracks"):
        assert main([command, str(path)]) == 0
        rows = [line for line in capsys.readouterr().out.splitlines()
                if "Electric Bass" in line or "Instrument" in line]
        assert len(rows) == 6
        starts = {_width(line[:line.index("Instrument" if "Instrument" in line
                                          else "Electric Bass")]) for line in rows}
        assert len(starts) == 1, rows
        assert any(line.endswith("…") or "…  " in line for line in rows)  # 32 columns


def test_info_says_what_is_off_the_16th_grid(tmp_path, capsys):
    # A jazz QA: a swung tune with a triplet fill, and info said nothing of either.
    from tests.engine.score.swing_tune import write_swing_tune

    path = write_swing_tune(tmp_path / "swing.mid")
    assert main(["info", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("  Timing  162 notes off the 16th grid (158 swung 8ths in Sax and Piano; 4 triplet "
            "notes in Sax): kept exactly; the model reads them rounded to 16ths and plays its "
            "own notes with the swing") in lines
    assert main(["info", str(path), "--json"]) == 0
    timing = json.loads(capsys.readouterr().out)["timing"]
    assert (timing["off_grid"], timing["swung"], timing["triplets"], timing["other"]) == (
        162, 158, 4, 0)
    assert [(t["name"], t["swing"], t["swung"], t["triplets"]) for t in timing["tracks"]] == [
        ("Sax", "swung 8ths", 62, 4), ("Piano", "swung 8ths", 96, 0)]


def test_info_on_a_song_on_the_grid_has_no_timing_line(midi, capsys):
    assert main(["info", str(midi)]) == 0
    assert "Timing" not in capsys.readouterr().out
    assert main(["info", str(midi), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["timing"]["off_grid"] == 0


@pytest.fixture
def cue(tmp_path):
    """A film cue: a 1/4 pickup, 4/4 bars 1–2, then 7/8; 84 BPM, 78 on beat 3 of bar 2."""
    q = 480
    song = Song(
        tracks=(Track("Strings", 48, notes=(Note(67, 0, q), Note(72, q, 4 * q),
                                            Note(74, 9 * q, q))),),
        tempos=(TempoChange(0, 714_286), TempoChange(7 * q, 769_231)),
        time_signatures=(TimeSignature(0, 1, 4), TimeSignature(q, 4, 4),
                         TimeSignature(9 * q, 7, 8)),
        length=9 * q + 7 * q // 2,
    )
    path = tmp_path / "cue.mid"
    save_song(song, path)
    return path


def test_convert_inserts_a_full_bar_before_a_pickup(cue, tmp_path, capsys):
    """QA: --insert-bars 0:1 inserted a second 1/4 bar: every later bar numbered two higher."""
    out = tmp_path / "i0.mid"
    assert main(["convert", str(cue), str(out), "--insert-bars", "0:1"]) == 0
    assert "Insert 1 bar before the pickup (its notes end bar 1 now)" in capsys.readouterr().out
    song = load_song(out)
    assert [(s.tick, s.meter[:2]) for s in song.time_signatures] == [(0, (4, 4)),
                                                                     (3 * 1920, (7, 8))]
    assert main(["info", str(out)]) == 0
    assert "4/4, 7/8 from bar 4" in capsys.readouterr().out


def test_convert_sets_a_tempo_on_a_beat_with_from_bar_bar_beat(cue, tmp_path, capsys):
    """QA: --from-bar 6.3 was refused ("invalid int value")."""
    out = tmp_path / "t.mid"
    assert main(["convert", str(cue), str(out), "--tempo", "72", "--from-bar", "2.3"]) == 0
    assert "Set tempo at 2.3" in capsys.readouterr().out
    assert [(t.tick, round(t.bpm)) for t in load_song(out).tempos] == [(0, 84), (7 * 480, 72)]
    new = tmp_path / "n.mid"  # a beat with no change yet; 1.1 is the bar line, as 1
    assert main(["convert", str(cue), str(new), "--tempo", "90", "--from-bar", "1.2"]) == 0
    assert [t.tick for t in load_song(new).tempos] == [0, 2 * 480, 7 * 480]
    line = tmp_path / "l.mid"
    assert main(["convert", str(cue), str(line), "--meter", "3/4", "--from-bar", "2.1"]) == 0
    assert "Set meter at bar 2" in capsys.readouterr().out


@pytest.mark.parametrize("flags, problem", [
    (["--meter", "3/4", "--from-bar", "2.3"],
     "--from-bar 2.3: --meter starts on a bar line (--from-bar 2); only --tempo starts on a beat"),
    (["--tempo", "72", "--from-bar", "2.9"], "--from-bar 2.9: bar 2 has beats 1–4"),
    (["--tempo", "72", "--from-bar", "2.x"], "--from-bar '2.x': give a bar, or bar.beat"),
])
def test_convert_refuses_a_beat_that_is_not_one(cue, tmp_path, capsys, flags, problem):
    expect_user_error(["convert", str(cue), str(tmp_path / "x.mid"), *flags], capsys, problem)


def test_info_names_general_midi_2_drums(tmp_path, capsys):
    # Guitarist QA: a GM2 file's shaker and castanets were "Key 82" and "Key 85".
    kit = Track("Perc", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(k, i * 240, 60) for i, k in enumerate((82, 82, 82, 85, 85, 27, 87))))
    path = tmp_path / "perc.mid"
    save_song(Song(tracks=(kit,)), path)
    assert main(["info", str(path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "Perc" in line)
    assert row.endswith("Shaker, Castanets, High Q, Open Surdo")
    assert main(["info", str(path), "--json"]) == 0
    drums = json.loads(capsys.readouterr().out)["tracks"][0]["drums"]
    assert [d["name"] for d in drums] == ["Shaker", "Castanets", "High Q", "Open Surdo"]


def test_info_names_an_orchestra_kits_timpani_and_concert_drums(tmp_path, capsys):
    # QA: GM2's Orchestra kit (program 48) tunes timpani on 41-53, where the standard
    # kit has its toms and hats: an orchestral percussion part was listed as "Lo Fl Tom,
    # Closed HH, Hi Fl Tom, Kick".
    keys = (41, 41, 41, 42, 42, 43, 36, 57, 38, 88)
    perc = Track("Timpani", 48, True, DRUM_CHANNEL,
                 notes=tuple(Note(k, i * 240, 60) for i, k in enumerate(keys)))
    kit = Track("Kit", 0, True, DRUM_CHANNEL, notes=(Note(41, 0, 60), Note(36, 240, 60)))
    path = tmp_path / "orchestra.mid"
    save_song(Song(tracks=(perc, kit)), path)
    assert main(["info", str(path)]) == 0
    rows = capsys.readouterr().out.splitlines()
    row = next(line for line in rows if "Timpani" in line)
    assert "Orchestra Kit" in row
    assert row.endswith("Timp F2, Timp F#2, Timp G2, Concert BD +3 more")
    # the standard kit's keys keep their names
    assert next(line for line in rows if "  Kit " in line).endswith("Lo Fl Tom, Kick")
    assert main(["info", str(path), "--json"]) == 0
    timpani, standard = json.loads(capsys.readouterr().out)["tracks"]
    assert [d["name"] for d in timpani["drums"]] == [
        "Timpani F2", "Timpani F#2", "Timpani G2", "Concert Bass Drum 1", "Concert Cymbal 2",
        "Concert Snare Drum", "Applause"]
    assert [d["name"] for d in standard["drums"]] == ["Low Floor Tom", "Bass Drum 1"]


def test_info_and_convert_say_the_bends_of_channels_without_notes_once(tmp_path, capsys):
    # Guitarist QA: a set-up track's bends and programs for channels nobody plays went
    # without a word (convert said "controllers and programs of channels without notes").
    import mido

    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    mf.tracks.append(mido.MidiTrack([
        mido.Message("pitchwheel", pitch=200, channel=4),
        mido.Message("pitchwheel", pitch=0, channel=4),
        mido.Message("program_change", program=25, channel=4),
        mido.MetaMessage("lyrics", text="la"),
        mido.Message("note_on", note=60, velocity=90),
        mido.Message("note_off", note=60, time=480)]))
    path = tmp_path / "setup.mid"
    mf.save(path)
    said = (f"partita: note: {path}: 2 pitch bends and 1 program change on MIDI channels "
            "with no notes (5) were dropped: no track plays there to hold them")
    assert main(["info", str(path)]) == 0
    assert said in capsys.readouterr().err.splitlines()
    assert main(["convert", str(path), str(tmp_path / "out.mid")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert said in err  # the lyric is kept on its note (Note.lyric): not said as dropped
    assert not any("lyrics" in line for line in err)


def test_info_names_the_bank_and_the_kit(tmp_path, capsys):
    # Guitarist QA: a GS file's Distortion Guitar on bank 8 read as the plain one, and a
    # Power kit as "Drum Kit".
    from engine.score import ControlEvent

    gtr = Track("Lead Gtr", 30, notes=(Note(64, 480, 480),), controls=(
        ControlEvent(0, "control_change", 0, 8), ControlEvent(0, "control_change", 32, 0),
        ControlEvent(960, "control_change", 0, 0)))  # after its first note: not its sound
    kits = [Track(f"Kit {p}", p, True, DRUM_CHANNEL, notes=(Note(36, 0, 60),))
            for p in (16, 25, 48, 5)]
    path = tmp_path / "gs.mid"
    save_song(Song(tracks=(gtr, *kits)), path)
    assert main(["info", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["tracks"]
    assert [(r["instrument"], r["bank"]) for r in rows] == [
        ("Distortion Guitar (bank 8)", [8, 0]), ("Power Kit", [0, 0]), ("TR-808 Kit", [0, 0]),
        ("Orchestra Kit", [0, 0]), ("Drum Kit (program 5)", [0, 0])]
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Distortion Guitar (bank 8)" in out and "TR-808 Kit" in out


def test_convert_to_a_name_too_long_says_whether_the_name_or_the_path(midi, tmp_path, capsys):
    # "file name too long" was said of a path whose every name was short.
    name = tmp_path / ("n" * 300 + ".partita")
    assert main(["convert", str(midi), str(name)]) == 1
    assert "the file name is too long (308 bytes; at most 255)" in capsys.readouterr().err
    deep = tmp_path.joinpath(*["d" * 200] * 25, "x.partita")
    assert main(["convert", str(midi), str(deep)]) == 1
    assert "x.partita: the path is too long (" in capsys.readouterr().err


def test_info_tells_a_midi_guitars_string_tracks_apart_by_channel(tmp_path, capsys):
    # QA: six "Lead Gtr (Overdriven Guitar) (c…", one per string, none told apart.
    from tests.engine.io.midi_builders import midi_guitar

    path = tmp_path / "gtr.mid"
    path.write_bytes(midi_guitar())
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    for ch in range(1, 7):
        assert f"Lead Gtr (Overdriven Gui… (ch {ch})  Overdriven Guitar" in out


def test_convert_sets_chords_from_a_lead_sheet(tmp_path, capsys):
    song = Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, 480),)),), length=12 * 1920)
    path, out = tmp_path / "tune.partita", tmp_path / "blues.partita"
    save_song(song, path)
    blues = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 C7"
    assert main(["convert", str(path), str(out), "--chords", blues]) == 0
    assert "Chords in bars 1–11: 12 chord symbols" in capsys.readouterr().out
    chords = load_song(out).chords
    assert [c.text for c in chords][-2:] == ["F7", "C7"]
    assert chords[-1].tick == 10 * 1920 + 960
    # From a bar on, in place of the chords those bars had.
    assert main(["convert", str(out), str(out.with_name("b.partita")), "--chords",
                 "G7 | %", "--from-bar", "9"]) == 0
    again = load_song(out.with_name("b.partita")).chords
    assert [(c.tick // 1920, c.text) for c in again][7:10] == [(7, "F7"), (8, "G7"),
                                                                 (9, "G7")]
    expect_user_error(["convert", str(path), str(tmp_path / "x.partita"), "--chords",
                       "F7 | H7"], capsys, "--chords: not a chord symbol: H7")
    assert not (tmp_path / "x.partita").exists()


def test_convert_chords_past_the_end_lengthen_the_song_and_say_so(tmp_path, capsys):
    song = Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, 480),)),), length=13 * 1920)
    path, out = tmp_path / "blues.partita", tmp_path / "long.mid"
    save_song(song, path)
    assert main(["convert", str(path), str(out), "--chords", "F7 | Bb7",
                 "--from-bar", "20"]) == 0
    assert ("Chords in bars 20–21: 2 chord symbols; the song is lengthened to 21 bars to "
            "hold the chords") in capsys.readouterr().out
    back = load_song(out)
    assert [(c.tick // 1920, c.text) for c in back.chords] == [(19, "F7"), (20, "Bb7")]
    assert back.end == 21 * 1920
    # Bar lines alone are bars that keep the chord going; nothing at all is refused.
    assert main(["convert", str(path), str(tmp_path / "held.partita"), "--chords",
                 " | "]) == 0
    # (This song has no chords: two bars of none is what it has, and that is said.)
    assert "bars 1–2 have those chords already, nothing changed" in capsys.readouterr().err
    chorded = tmp_path / "chorded.partita"
    assert main(["convert", str(path), str(chorded), "--chords", "F7 | Bb7 | C7"]) == 0
    capsys.readouterr()
    assert main(["convert", str(chorded), str(tmp_path / "held.partita"), "--chords", " | ",
                 "--from-bar", "2"]) == 0
    assert "Chords in bars 2–3: 0 chord symbols (the chord before holds on)" in \
        capsys.readouterr().out
    assert main(["convert", str(chorded), str(tmp_path / "held.partita"), "--chords",
                 " | "]) == 0
    assert "Chords in bars 1–2: 0 chord symbols (no chord in them)" in capsys.readouterr().out
    expect_user_error(["convert", str(path), str(tmp_path / "x.partita"), "--chords", ""],
                      capsys, "give at least one chord or %")


def test_an_mxl_is_the_same_bytes_every_run(midi, tmp_path, capsys, monkeypatch):
    """QA: a score written twice from the same song (and seed) differed: each zip entry
    carried the time it was written."""
    import time
    import zipfile

    written = []
    for now in (1_700_000_000.0, 1_700_000_100.0):  # two runs, minutes apart (the same
        # day: the score's own <encoding-date> is the day it was written)
        monkeypatch.setattr(time, "time", lambda now=now: now)
        out = tmp_path / f"{len(written)}.mxl"
        assert main(["convert", str(midi), str(out)]) == 0
        written.append(out.read_bytes())
    assert written[0] == written[1]
    with zipfile.ZipFile(tmp_path / "0.mxl") as z:
        assert [i.filename for i in z.infolist()] == [
            "mimetype", "META-INF/container.xml", "score.musicxml"]
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("name", ["fifo.mid", "fifo.musicxml", "fifo"])
def test_info_refuses_a_named_pipe_at_once_instead_of_waiting_on_it(tmp_path, capsys, name):
    fifo = tmp_path / name  # opened to be read, it waited for a writer forever (QA)
    os.mkfifo(fifo)
    assert main(["info", str(fifo)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"partita: error: {fifo}: a named pipe (FIFO), not a file: Partita reads only files")


def test_a_folder_given_as_a_song_is_a_folder_not_a_file(tmp_path, capsys):
    folder = tmp_path / "song.partita"
    folder.mkdir()
    assert main(["info", str(folder)]) == 1  # the OS's "Is a directory" before
    assert capsys.readouterr().err.strip() == f"partita: error: {folder}: is a folder, not a file"


def test_info_says_a_pitch_wheels_range_where_it_is_not_the_usual_two(tmp_path, capsys):
    # Docs QA: the README said info reads back a --bend-range; only tracks --json did.
    from engine.score.bend_range import bend_range_edit

    sub = Track("808", 38, notes=(Note(36, 0, 480),))
    lead = Track("Lead", 81, channel=1, notes=(Note(72, 0, 480),))
    song = Song(tracks=(sub, lead))
    song = bend_range_edit(song, sub.id, 12).apply(song)
    path = tmp_path / "bent.mid"
    save_song(song, path)
    assert main(["info", str(path)]) == 0
    assert "  Bend    808: ±12 semitones\n" in capsys.readouterr().out
    assert main(["info", str(path), "--json"]) == 0
    assert [t["bend_range"] for t in json.loads(capsys.readouterr().out)["tracks"]] == [12, 2]
    save_song(Song(tracks=(lead,)), path)  # the usual ±2: no line
    assert main(["info", str(path)]) == 0
    assert "Bend" not in capsys.readouterr().out
