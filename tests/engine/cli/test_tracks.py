"""``partita tracks``: the studio's track list without the window."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from engine.cli import main
from engine.io import load_project, load_song, save_song
from engine.score import DRUM_CHANNEL, Note, Song, Track

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "assets" / "demo" / "demo.mid"


def rows(path: Path, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["tracks", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_list_shows_the_mixer_as_the_studio_does(capsys):
    assert main(["tracks", str(DEMO)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{DEMO}: 5 tracks")
    assert "Vol" in text and "Pan" in text
    first = rows(DEMO, capsys)[0]
    song = load_song(DEMO)
    assert first["name"] == song.tracks[0].name == "Drums"
    assert first["volume"] == round(song.tracks[0].volume * 127)
    assert first["channel"] == DRUM_CHANNEL + 1


def test_a_score_keeps_the_mixers_volume_and_pan(tmp_path, capsys):
    # convert to MusicXML and list it again: the part's <volume> and <pan>, not 127 and C.
    score = tmp_path / "demo.musicxml"
    assert main(["convert", str(DEMO), str(score)]) == 0
    assert [(r["volume"], r["pan"]) for r in rows(score, capsys)] == [
        (r["volume"], r["pan"]) for r in rows(DEMO, capsys)] == [
        (114, 0), (95, 0), (121, -16), (108, 6), (76, 19)]


def test_edits_run_in_order_and_write_one_new_song(tmp_path, capsys):
    out = tmp_path / "band.partita"
    assert main(["tracks", str(DEMO), "-o", str(out),
                 "--add", "Flute", "--volume", "Flute=80", "--pan", "Flute=-32",
                 "--add", "Pad=Warm", "--rename", "2=Bass Guitar", "--instrument", "Lead=41",
                 "--mute", "Strings", "--solo", "Piano", "--move", "Drums=5",
                 "--remove", "Piano"]) == 0
    printed = capsys.readouterr().out
    assert "Add track “Flute”" in printed and "Delete track “Piano”" in printed
    before, after = load_song(DEMO), load_song(out)
    assert [t.name for t in after.tracks] == ["Bass Guitar", "Lead", "Strings", "Drums",
                                              "Flute", "Pad"]
    flute, pad = after.tracks[4], after.tracks[5]
    assert (flute.program, round(flute.volume * 127), round(flute.pan * 64)) == (73, 80, -32)
    assert pad.program == 89 and not pad.notes  # Pad 2 (warm), empty
    assert len({t.channel for t in after.tracks if not t.is_drum}) == 5  # channels free
    assert after.find_track("Lead").program == 40  # GM number 41, Violin
    assert after.find_track("Strings").mute
    for name in ("Bass Guitar", "Lead", "Strings", "Drums"):  # notes untouched
        old = before.find_track({"Bass Guitar": "Bass"}.get(name, name))
        assert [n.key() for n in after.find_track(name).notes] == [n.key() for n in old.notes]


def test_a_midi_file_keeps_an_added_empty_track(tmp_path, capsys):
    out = tmp_path / "band.mid"
    assert main(["tracks", str(DEMO), "-o", str(out), "--add", "Flute"]) == 0
    assert capsys.readouterr().err == ""
    flute = load_song(out).tracks[-1]
    assert (flute.name, flute.program, flute.notes) == ("Flute", 73, ())
    assert [t.name for t in load_song(out).tracks] == [
        *(t.name for t in load_song(DEMO).tracks), "Flute"]


def test_an_added_track_is_named_as_compose_names_it(tmp_path):
    # "TR-808" became "Tr-808": a word with a digit keeps the case it was typed in.
    out = tmp_path / "band.partita"
    assert main(["tracks", str(DEMO), "-o", str(out), "--add", "TR-808",
                 "--add", "warm pad"]) == 0
    assert [t.name for t in load_song(out).tracks][-2:] == ["TR-808", "Warm Pad"]


def test_808_is_the_producers_sub_bass_not_a_gm_number(tmp_path):
    # "808" was refused ("GM instrument numbers are 1..128 (got 808)"): the number check
    # ran before the name lookup that bare `compose --tracks 808` uses.
    out = tmp_path / "band.partita"
    assert main(["tracks", str(DEMO), "-o", str(out), "--add", "808", "--add", "Sub=808",
                 "--instrument", "Bass=808"]) == 0
    song = load_song(out)
    assert [(t.name, t.program) for t in song.tracks][-2:] == [("808", 38), ("Sub", 38)]
    assert song.find_track("Bass").program == 38


def test_a_track_can_become_a_drum_kit_and_back(tmp_path, capsys):
    kit, back = tmp_path / "kit.mid", tmp_path / "back.mid"
    assert main(["tracks", str(DEMO), "-o", str(kit), "--instrument", "Strings=Drums"]) == 0
    strings = load_song(kit).find_track("Strings")
    assert strings.is_drum and strings.channel == DRUM_CHANNEL
    assert main(["tracks", str(kit), "-o", str(back), "--instrument", "Strings=Cello"]) == 0
    strings = load_song(back).find_track("Strings")
    assert not strings.is_drum and strings.program == 42 and strings.channel != DRUM_CHANNEL


def test_a_kit_is_chosen_by_name_and_listed_and_exported_as_that_kit(tmp_path, capsys):
    # QA: --instrument Drums='TR-808' gave the standard kit. GM2's kits are programs on
    # channel 10: the track keeps the kit, the list names it, the MIDI file selects it.
    import mido

    out = tmp_path / "kits.mid"
    assert main(["tracks", str(DEMO), "-o", str(out), "--instrument", "Drums=TR-808",
                 "--instrument", "Strings=Brush Kit"]) == 0
    song = load_song(out)
    assert [(t.program, t.channel) for t in map(song.find_track, ("Drums", "Strings"))] == [
        (25, DRUM_CHANNEL), (40, DRUM_CHANNEL)]
    assert {"TR-808 Kit", "Brush Kit"} <= {r["instrument"] for r in rows(out, capsys)}
    assert {(9, 25), (9, 40)} <= {(m.channel, m.program) for t in mido.MidiFile(out).tracks
                                  for m in t if m.type == "program_change"}
    # The same kit again changes nothing; the standard kit is "Drums" again.
    assert main(["tracks", str(out), "-o", str(out), "--instrument", "Drums=808 Kit"]) == 1
    added = tmp_path / "added.partita"
    assert main(["tracks", str(out), "-o", str(added), "--instrument", "Drums=Drums",
                 "--add", "Jazz Kit"]) == 0
    song = load_song(added)
    assert song.find_track("Drums").program == 0
    jazz = song.find_track("Jazz Kit")
    assert (jazz.is_drum, jazz.program, jazz.channel) == (True, 32, DRUM_CHANNEL)


def test_a_project_keeps_its_studio_state_and_drops_takes_of_a_removed_track(
        pending, tmp_path, capsys):
    out = tmp_path / "edited.partita"
    assert main(["tracks", str(pending), "-o", str(out), "--rename", "Lead=Sax",
                 "--remove", "Bass"]) == 0
    assert "a waiting take is dropped" in capsys.readouterr().err
    project = load_project(out)
    assert project.studio["zoom"] == 3
    capsys.readouterr()
    assert main(["takes", str(out), "--json"]) == 0
    assert [r["where"] for r in json.loads(capsys.readouterr().out)] == [
        "Sax · bars 5–8", "Sax · bars 5–8"]  # the Lead's takes, under its new name


def test_transpose_and_quantize_a_whole_track(tmp_path, capsys):
    song = Song(tracks=(Track("Lead", notes=(Note(60, 10, 200), Note(64, 250, 200),
                                             Note(67, 470, 100))),))
    src, out = tmp_path / "lead.partita", tmp_path / "out.partita"
    save_song(song, src)
    assert main(["tracks", str(src), "-o", str(out), "--transpose", "Lead=+12",
                 "--quantize", "Lead=1/8"]) == 0
    assert "Transpose Lead +12; Quantize Lead to 1/8" in capsys.readouterr().out
    notes = load_song(out).tracks[0].notes
    assert [(n.pitch, n.start, n.duration) for n in notes] == [
        (72, 0, 200), (76, 240, 200), (79, 480, 100)]  # eighths at 480 PPQ; lengths kept
    assert main(["tracks", str(out), "-o", str(tmp_path / "x.mid"), "--transpose",
                 "Lead=+60"]) == 1
    assert "G5 would go above G9 (127)" in capsys.readouterr().err



def test_quantize_with_swing_as_an_mpc_swings(tmp_path, capsys):
    """A jazz pianist's played 8ths, swung to 62 % (the off-beats 58 ticks late at 480
    PPQ): the report says it, and info reads the swing back."""
    played = (10, 230, 470, 750, 965, 1205, 1430, 1700) * 2
    song = Song(tracks=(Track("Piano", notes=tuple(
        Note(60 + i % 3, t + 1920 * (i // 8), 200) for i, t in enumerate(played))),))
    src, out = tmp_path / "comp.partita", tmp_path / "out.partita"
    save_song(song, src)
    assert main(["tracks", str(src), "-o", str(out), "--quantize", "Piano=1/8",
                 "--swing", "62"]) == 0
    assert "Quantize Piano to 1/8 with 62 % swing" in capsys.readouterr().out
    starts = [n.start for n in load_song(out).tracks[0].notes]
    assert starts[:8] == [0, 298, 480, 778, 960, 1258, 1440, 1738]
    assert main(["tracks", str(out), "-o", str(tmp_path / "again.mid"), "--quantize",
                 "1=1/8", "--swing", "62%"]) == 1  # swung already
    assert "nothing to change" in capsys.readouterr().err
    assert main(["tracks", str(out), "-o", str(tmp_path / "straight.mid"), "--quantize",
                 "1=1/8"]) == 0
    assert [n.start for n in load_song(tmp_path / "straight.mid").tracks[0].notes][:4] == [
        0, 240, 480, 720]


@pytest.mark.parametrize("swing", [[], ["--swing", "60"]])
def test_a_hat_roll_quantized_onto_one_line_is_one_hit(tmp_path, capsys, swing):
    """A trap bar's closed hats with a 32nd roll and a 16th-triplet roll, quantized to
    1/16 (straight or swung): the roll's hits that land on one line are one hit, as the
    studio's quantize makes them, and the report says how many went; the MIDI file has
    no two note-ons of one drum at one tick."""
    import mido

    hats = (0, 240, 480, 720, 960, 1020, 1080, 1140, 1200, 1440, 1520, 1600, 1680, 1760)
    kit = Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=(
        *(Note(42, t, 30, 90) for t in hats), Note(36, 0, 120, 110), Note(36, 960, 120)))
    src, out = tmp_path / "trap.partita", tmp_path / "q.mid"
    save_song(Song(tracks=(kit,)), src)
    assert main(["tracks", str(src), "-o", str(out), "--quantize", "Drums=1/16",
                 *swing]) == 0
    assert "(3 notes of the same pitch underneath trimmed)" in capsys.readouterr().out
    notes = load_song(out).tracks[0].notes
    assert len(notes) == 13
    assert len({(n.pitch, n.start) for n in notes}) == 13
    onsets = []
    for track in mido.MidiFile(out).tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity:
                onsets.append((tick, msg.note))
    assert len(onsets) == len(set(onsets)) == 13


def test_an_808s_bend_range_is_set_and_kept(tmp_path, capsys):
    """--bend-range 808=12: the 808's wheel glides an octave (RPN 0 in the MIDI file),
    listed as such; a kit has none."""
    song = Song(tracks=(Track("808", 38, channel=1, notes=(Note(24, 0, 480),)),
                        Track("Drums", 25, is_drum=True, channel=DRUM_CHANNEL,
                              notes=(Note(36, 0, 60),))))
    src, out = tmp_path / "beat.partita", tmp_path / "beat.mid"
    save_song(song, src)
    assert main(["tracks", str(src), "-o", str(out), "--bend-range", "808=12"]) == 0
    assert "Bend range of 808 ±12 semitones" in capsys.readouterr().out
    assert [r["bend_range"] for r in rows(out, capsys)] == [12.0, None]
    assert main(["tracks", str(src), "-o", str(tmp_path / "x.mid"), "--bend-range",
                 "Drums=12"]) == 1
    assert "--bend-range Drums=12: 'Drums' is a drum kit" in capsys.readouterr().err
    assert main(["tracks", str(src), "-o", str(tmp_path / "x.mid"), "--bend-range",
                 "808=48"]) == 1
    assert "--bend-range 808=48: 48 is outside 0..24" in capsys.readouterr().err


def test_quantize_with_a_strength_keeps_some_of_the_played_feel(tmp_path, capsys):
    """A pianist's played 16ths at 60 % strength (Logic's Q-Strength): each note 60 % of
    the way to its line, said in the report; with --swing, 60 % of the way to the swung
    line."""
    song = Song(tracks=(Track("Piano", notes=tuple(
        Note(60 + i % 3, t, 100) for i, t in enumerate((10, 100, 250, 370, 480, 590)))),))
    src, out = tmp_path / "played.partita", tmp_path / "out.partita"
    save_song(song, src)
    assert main(["tracks", str(src), "-o", str(out), "--quantize", "Piano=1/16",
                 "--strength", "60"]) == 0
    assert "Quantize Piano to 1/16 at 60 %" in capsys.readouterr().out
    # Lines 0, 120, 240, 360, 480, 600: 10 → 4, 100 → 112, 250 → 244, 590 → 596 …
    assert [n.start for n in load_song(out).tracks[0].notes] == [4, 112, 244, 364, 480,
                                                                 596]
    swung = tmp_path / "swung.partita"
    assert main(["tracks", str(src), "-o", str(swung), "--quantize", "Piano=1/8",
                 "--swing", "66.7", "--strength", "50%"]) == 0
    assert "Quantize Piano to 1/8 with 66.7 % swing at 50 %" in capsys.readouterr().out
    # Swung lines 0, 320, 480, 800: 100 → 50 (to 0), 250 → 285 (to 320).
    assert [n.start for n in load_song(swung).tracks[0].notes][:3] == [5, 50, 285]


def test_a_parts_transposition_is_set_and_a_score_writes_it(tmp_path, capsys):
    """A film composer's clarinet written in A and strings at concert pitch: the
    report says it, the project keeps it and the MusicXML export writes the parts so."""
    import xml.etree.ElementTree as ET

    song = Song(tracks=(Track("Clarinet", 71, notes=(Note(60, 0, 480),)),
                        Track("Kit", 0, True, DRUM_CHANNEL, notes=(Note(36, 0, 120),))))
    src, project, score = (tmp_path / n for n in ("s.partita", "s2.partita", "s.musicxml"))
    save_song(song, src)
    assert rows(src, capsys)[0]["transposition"] == [-1, -2]  # a clarinet's usual B♭
    assert main(["tracks", str(src), "-o", str(project), "--transposition", "Clarinet=A"]) == 0
    assert ("Clarinet: written in A (sounds a minor third lower)"
            in capsys.readouterr().out)
    assert load_song(project).tracks[0].transposition == (-2, -3)
    assert rows(project, capsys)[0]["transposition"] == [-2, -3]
    assert main(["tracks", str(project), "-o", str(score), "--transposition", "1=-14"]) == 0
    assert "Clarinet: written in Bb (sounds a major ninth lower)" in capsys.readouterr().out
    [transpose] = ET.parse(score).getroot().iter("transpose")
    assert (transpose.findtext("diatonic"), transpose.findtext("chromatic"),
            transpose.findtext("octave-change")) == ("-1", "-2", "-1")
    assert load_song(score).tracks[0].notes[0].pitch == 60  # still sounding C4
    assert main(["tracks", str(project), "-o", str(tmp_path / "x.mid"),
                 "--transposition", "Kit=Bb"]) == 1
    assert "'Kit' is a drum kit" in capsys.readouterr().err
    assert main(["tracks", str(project), "-o", str(tmp_path / "x.mid"),
                 "--transposition", "Clarinet=none"]) == 0
    assert "a MIDI file keeps no transpositions" in capsys.readouterr().err


def band_in_bb(tmp_path) -> Path:
    """Lead, Bass and Drums in B♭ major, with a change to G minor at bar 3."""
    from engine.score import KeySignature

    song = Song(tracks=(
        Track("Lead", notes=(Note(70, 0, 480), Note(74, 480, 480))),
        Track("Bass", 33, notes=(Note(46, 0, 960),)),
        Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(36, 0, 120),)),
    ), key_signatures=(KeySignature(0, "Bb"), KeySignature(3840, "Gm")))
    save_song(song, tmp_path / "band.mid")
    return tmp_path / "band.mid"


def test_transposing_every_pitched_track_moves_the_key_signatures_too(tmp_path, capsys):
    # As the studio's ↑/↓ on the whole song: a producer's tracks all up a tone, and the
    # MIDI still said B♭ major. The kit is no pitch: neither needed nor counted.
    src, out = band_in_bb(tmp_path), tmp_path / "up.mid"
    assert main(["tracks", str(src), "-o", str(out), "--transpose", "Lead=+2",
                 "--transpose", "Bass=+1", "--transpose", "Bass=+1"]) == 0
    printed = capsys.readouterr().out
    assert "Transpose Bass +1; Key signatures Bb major → C major, G minor → A minor" in printed
    song = load_song(out)
    assert [k.key for k in song.key_signatures] == ["C", "Am"]
    assert [n.pitch for n in song.find_track("Lead").notes] == [72, 76]
    assert [n.pitch for n in song.find_track("Drums").notes] == [36]  # untouched


def test_transposing_the_whole_song_moves_its_chord_symbols_too(tmp_path, capsys):
    # QA (a singer-songwriter): every pitched track down a tone said "Key signature G
    # major → F major", but the chords stayed G D Em C — in the project, in the score's
    # harmonies, and for the next bass regenerated under them.
    from engine.score import ChordSymbol, KeySignature

    song = Song(tracks=(
        Track("Vocal", 52, notes=tuple(Note(p, i * 1920, 960)
                                       for i, p in enumerate((67, 66, 67, 64)))),
        Track("Bass", 33, notes=tuple(Note(p, i * 1920, 1920)
                                      for i, p in enumerate((43, 42, 40, 36)))),
        Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(36, 0, 120),)),
    ), key_signatures=(KeySignature(0, "G"),), chords=tuple(
        ChordSymbol(i * 1920, text) for i, text in enumerate(["G", "D/F#", "Em", "C"])))
    src = tmp_path / "dk.partita"
    save_song(song, src)
    for out in (tmp_path / "tr.partita", tmp_path / "tr.musicxml"):
        assert main(["tracks", str(src), "-o", str(out), "--transpose", "Vocal=-2",
                     "--transpose", "Bass=-2"]) == 0
        assert ("Transpose Bass -2; Key signature G major → F major; chords transposed too"
                in capsys.readouterr().out)
        moved = load_song(out)
        assert [k.key for k in moved.key_signatures] == ["F"]
        assert [c.text for c in moved.chords] == ["F", "C/E", "Dm", "Bb"]
    assert main(["tracks", str(src), "-o", str(tmp_path / "part.partita"),
                 "--transpose", "Vocal=-2"]) == 0  # a part: both stay, and it is said
    assert ("; key signature and chords unchanged (1 of 2 pitched tracks transposed)"
            in capsys.readouterr().out)
    # No key signature: the chords move with the song all the same.
    bare = tmp_path / "bare.partita"
    save_song(replace(song, key_signatures=()), bare)
    assert main(["tracks", str(bare), "-o", str(tmp_path / "up.partita"),
                 "--transpose", "Vocal=+3", "--transpose", "Bass=+3"]) == 0
    assert "Transpose Bass +3; Chords transposed too" in capsys.readouterr().out
    assert [c.text for c in load_song(tmp_path / "up.partita").chords] == [
        "Bb", "F/A", "Gm", "Eb"]


def test_transposing_part_of_the_song_leaves_the_key_and_says_so(tmp_path, capsys):
    src = band_in_bb(tmp_path)
    for argv, why in (
            (["--transpose", "Lead=+2"], "(1 of 2 pitched tracks transposed)"),
            (["--transpose", "Lead=+2", "--transpose", "Bass=-2"],
             "(2 of 2 pitched tracks transposed, by different intervals)"),
            (["--transpose", "Lead=+2", "--transpose", "Drums=+2"],
             "(1 of 2 pitched tracks transposed)")):
        out = tmp_path / "part.mid"
        assert main(["tracks", str(src), "-o", str(out), *argv]) == 0
        assert f"; key signature unchanged {why}" in capsys.readouterr().out
        assert [k.key for k in load_song(out).key_signatures] == ["Bb", "Gm"]
    # An octave leaves every key as it is: nothing to say.
    assert main(["tracks", str(src), "-o", str(tmp_path / "8va.mid"), "--transpose",
                 "Lead=+12"]) == 0
    assert "key signature" not in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["-o", "{out}", "--quantize", "Lead=1/5"], "no grid '1/5' (grids: Bar, 1/2"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--swing", "80"],
     "--swing 80: give a swing of 50-75 per cent (50 is straight"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--swing", "45"], "--swing 45: give a swing"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--swing", "nan"], "--swing nan: give a"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--swing", "lots"], "--swing lots: give a"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--swing", "60", "--swing", "66"],
     "--swing given twice ('60', then '66')"),  # the 60 was lost silently
    (["-o", "{out}", "--quantize", "Lead=1/4", "--swing", "60"],
     "--quantize Lead=1/4: --swing swings a 1/8 or 1/16 grid, not 1/4"),
    (["-o", "{out}", "--legato", "Lead", "--swing", "60"],
     "--swing 60: it swings a quantize: give --quantize T=1/8 (or 1/16) too"),
    (["--swing", "60"], "--swing 60: it swings a quantize"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--strength", "0"],
     "--strength 0: give a strength of 1-100 per cent (100 moves"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--strength", "120%"], "--strength 120%: give"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--strength", "nan"], "--strength nan: give"),
    (["-o", "{out}", "--quantize", "Lead=1/8", "--strength", "60", "--strength", "80"],
     "--strength given twice ('60', then '80')"),
    (["-o", "{out}", "--legato", "Lead", "--strength", "60"],
     "--strength 60: it is how far a quantize moves the notes: give --quantize T=1/16 too"),
    (["--mute", "1"], "these edits write a new song: give -o OUT"),
    (["-o", "{out}"], "-o needs an edit"),
    (["-o", "{out}", "--volume", "9=3"], "demo.mid: --volume 9: track number 9 is out of "
                                         "range 1..5"),
    (["-o", "{out}", "--volume", "1=300"], "--volume 1=300: 300 is outside 0..127"),
    (["-o", "{out}", "--pan", "1=left"], "'left' is not a whole number (-64..64)"),
    (["-o", "{out}", "--rename", "1"], "--rename '1': give TRACK=VALUE"),
    (["-o", "{out}", "--instrument", "1=kazoo"], "unknown instrument 'kazoo'"),
    (["-o", "{out}", "--add", "200"], "GM instrument numbers are 1..128"),
    (["-o", "{out}", "--mute", "Kazoo"], "no track named 'Kazoo'"),
    (["-o", "{out}", "--mute", "①"], "no track named '①'"),  # was int("①"): a traceback
    # "①" is a digit that int() refuses: a name, never a number, and no traceback.
    (["-o", "{out}", "--rename", "①=x"], "--rename ①: no track named '①'"),
    (["-o", "{out}", "--instrument", "1=①"], "unknown instrument '①'"),
    (["-o", "{out}", "--add", "①"], "--add ①: unknown instrument '①'"),
    (["-o", "{demo}", "--mute", "1"], "refusing to overwrite the input file"),
    (["-o", "{out}", "--unmute", "1"], "nothing to change"),
    (["-o", "{out}", "--rename", "Bass=Bass"], "nothing to change"),
    (["-o", "{out}", "--transposition", "Lead=H"], "'H' is no transposition: give a key"),
    (["-o", "{out}", "--transposition", "Lead=H"], "give a key (Bb, A, Eb, F, D, G (any A-G"),
    (["-o", "{out}", "--transposition", "Lead=+40"],  # QA: "sounds 40 semitones higher"
     "+40 semitones is past any instrument's: parts are written from -38"),
    (["-o", "{out}", "--transposition", "Lead=Eb"], "nothing to change"),  # an alto sax's
    (["-o", "{out}", "--instrument", "Piano=Piano", "--instrument", "Drums=Drums",
      "--instrument", "Bass=34"], "nothing to change"),
])
def test_bad_edits_are_one_clear_line_and_write_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "out.mid"
    argv = [a.replace("{out}", str(out)).replace("{demo}", str(DEMO)) for a in argv]
    before = DEMO.read_bytes()
    assert main(["tracks", str(DEMO), *argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("partita: error:") and message in err[0]
    assert not out.exists() and DEMO.read_bytes() == before


def test_a_digit_that_is_no_number_is_a_plain_name(tmp_path, capsys):
    """``--rename 1=①`` checked whether "①" would shadow a track number with int("①"):
    a traceback. It is a name, as ``--track ①`` then reads it."""
    out = tmp_path / "x.partita"
    assert main(["tracks", str(DEMO), "-o", str(out), "--rename", "1=①"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert load_song(out).find_track("①").name == "①"


def test_names_the_command_line_cannot_pick_and_a_transposed_kit_are_warned_about(
        tmp_path, capsys):
    out = tmp_path / "x.partita"
    assert main(["tracks", str(DEMO), "-o", str(out), "--rename", "Piano=Keys, left",
                 "--rename", "Strings=3", "--rename", "Lead=Bass", "--transpose", "Drums=+2",
                 "--pan", "4=C", "--pan", "Keys, left=20", "--pan", "1=C", "--json"]) == 0
    err = capsys.readouterr().err
    assert "--tracks splits names at commas" in err
    assert "'3' now names this track, and track number 3 is '#3'" in err
    assert "another track has this name" in err and "is a drum kit" in err
    song = load_song(out)
    assert song.tracks[3].pan == 0 and song.tracks[0].pan == 0  # "C", as listed
    assert song.find_track("Keys, left").pan == 20 / 64


def test_adding_a_track_keeps_waiting_takes_that_add_tracks_of_their_own(tmp_path, capsys,
                                                                         monkeypatch):
    """A harmonize take waiting in a project adds tracks with ids of their own: a track
    added before the takes were read back took one of those ids, and the takes were
    dropped ("track 'Alto' is already in the song")."""
    from engine.cli import generate
    from engine.models.plugin import tiny_random_model
    from engine.score import Note, Song, Track

    monkeypatch.setattr(generate, "resolve_model", lambda name, task: tiny_random_model(0))
    melody = tmp_path / "melody.partita"
    save_song(Song(tracks=(Track("Soprano", program=52, notes=tuple(
        Note(67 + i % 3, i * 480, 480) for i in range(8))),)), melody)
    takes = tmp_path / "h.partita"
    assert main(["harmonize", str(melody), "-o", str(takes), "--melody", "1", "--as-takes",
                 "--variations", "2", "--steps", "2", "--seed", "1"]) == 0
    out = tmp_path / "h2.partita"
    # A fresh process, as a user's next command is: ids start over there.
    done = subprocess.run([sys.executable, "-m", "engine.cli", "tracks", str(takes), "-o",
                           str(out), "--add", "Flute"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "dropped" not in done.stderr, done.stderr
    capsys.readouterr()
    assert main(["takes", str(out), "--json"]) == 0
    assert [r["ref"] for r in json.loads(capsys.readouterr().out)] == ["1A", "1B"]


def test_legato_velocity_and_colour_as_the_piano_roll_edits_them(tmp_path, capsys):
    out = tmp_path / "edited.partita"
    assert main(["tracks", str(DEMO), "-o", str(out), "--legato", "Lead",
                 "--velocity", "Piano=x0.5", "--velocity", "Bass=-200",
                 "--velocity", "Strings=64", "--colour", "Lead=#E06C75"]) == 0
    before, after = load_song(DEMO), load_project(out).song
    lead = sorted(after.find_track("Lead").notes, key=lambda n: n.start)
    assert all(a.end == b.start for a, b in itertools.pairwise(lead) if a.start != b.start)
    old_piano = sorted(n.velocity for n in before.find_track("Piano").notes)
    assert sorted(n.velocity for n in after.find_track("Piano").notes) == [
        max(1, round(v * 0.5)) for v in old_piano]
    assert {n.velocity for n in after.find_track("Bass").notes} == {1}  # kept audible
    assert {n.velocity for n in after.find_track("Strings").notes} == {64}
    assert after.find_track("Lead").colour == "#e06c75"
    for bad, said in ((["--velocity", "Piano=loud"], "is not a velocity"),
                      (["--velocity", "Piano=x0"], "above 0"),
                      (["--legato", "Drums"], "is a drum kit"),
                      (["--colour", "Lead=red"], "#RRGGBB")):
        assert main(["tracks", str(DEMO), "-o", str(tmp_path / "x.mid"), *bad]) == 1
        assert said in capsys.readouterr().err


def test_a_colour_written_to_a_midi_file_is_said_to_be_lost(tmp_path, capsys):
    assert main(["tracks", str(DEMO), "-o", str(tmp_path / "c.mid"),
                 "--colour", "Bass=#ff0000"]) == 0
    assert "a MIDI file keeps no track colours" in capsys.readouterr().err


def test_the_output_help_names_a_score_too(capsys):
    with pytest.raises(SystemExit):
        main(["tracks", "--help"])
    assert ".musicxml/.mxl" in capsys.readouterr().out


def test_merge_makes_a_midi_guitars_strings_one_track_and_says_what_it_dropped(
        tmp_path, capsys):
    from tests.engine.io.midi_builders import midi_guitar

    src, out = tmp_path / "gtr.mid", tmp_path / "one.mid"
    src.write_bytes(midi_guitar())
    assert main(["info", str(src)]) == 0
    err = capsys.readouterr().err
    assert ("were read as 6 tracks (tracks 1–6), as a MIDI guitar sends each string on a "
            f"channel of its own; partita tracks {src} -o OUT --merge 1,2,3,4,5,6 makes them "
            "one") in err
    # Each string's bends differ: one channel cannot hold them, so it is refused unasked.
    assert main(["tracks", str(src), "-o", str(out), "--merge", "1,2,3,4,5,6"]) == 1
    err = capsys.readouterr().err
    assert "the tracks' 12 pitch bends are not alike" in err
    assert "give --drop-controllers to merge anyway" in err and not out.exists()
    assert main(["tracks", str(src), "-o", str(out), "--merge", "1,2,3,4,5,6",
                 "--drop-controllers"]) == 0
    captured = capsys.readouterr()
    assert "read as 6 tracks" not in captured.err  # no hint to do what it is doing
    assert ("Merged 6 tracks into 'Lead Gtr' (6 notes added), on "
            "Overdriven Guitar, channel 1, with the first track's volume and pan; kept the 3 "
            "controller events they all sent alike; dropped 12 pitch bends that differed "
            "between them") in captured.err
    (guitar,) = load_song(out).tracks
    assert guitar.name == "Lead Gtr" and len(guitar.notes) == 7
    assert not any(c.kind == "pitchwheel" for c in guitar.controls)
    assert [(c.number, c.value) for c in guitar.controls if c.number in (101, 100, 6)] == [
        (101, 0), (100, 0), (6, 12)]  # the ±12 bend range all strings sent


def test_merge_of_unbent_strings_needs_no_consent_and_drop_needs_a_merge(tmp_path, capsys):
    from tests.engine.io.midi_builders import midi_guitar

    src, out = tmp_path / "gtr.mid", tmp_path / "one.partita"
    src.write_bytes(midi_guitar(bends=False))
    assert main(["tracks", str(src), "-o", str(out), "--merge", "1,2,3,4,5,6"]) == 0
    assert "no pitch bends or controllers lost" in capsys.readouterr().err
    assert len(load_song(out).tracks) == 1
    assert main(["tracks", str(src), "-o", str(out), "--drop-controllers",
                 "--mute", "1"]) == 1
    assert "--drop-controllers is for --merge" in capsys.readouterr().err
    assert main(["tracks", str(src), "-o", str(out), "--merge", "1"]) == 1
    assert "two or more tracks" in capsys.readouterr().err
