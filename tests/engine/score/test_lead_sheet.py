"""Chord symbols typed as a lead sheet's bars: ``F7 | Bb7 | % | C7 Bb7``."""

from __future__ import annotations

import pytest

from engine.score import ChordSymbol, Note, Song, TimeSignature, Track
from engine.score.lead_sheet import lead_sheet_bars, lead_sheet_chords, with_lead_sheet

BAR = 1920


def tune(bars: int = 12, **kw) -> Song:
    return Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, 480),)),), length=bars * BAR,
                **kw)


def test_a_twelve_bar_blues_is_one_chord_a_bar_from_bar_one():
    chords, span = lead_sheet_chords(
        tune(), "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7")
    assert [c.text for c in chords] == ["F7", "Bb7", "F7", "F7", "Bb7", "Bb7", "F7", "F7",
                                        "C7", "Bb7", "F7", "C7"]
    assert [c.tick for c in chords] == [i * BAR for i in range(12)]
    assert span == (0, 12 * BAR)


def test_several_chords_split_a_bars_beats_evenly():
    chords, _ = lead_sheet_chords(tune(), "F7 C7 | Dm7 G7 C Am7 | C G F")
    assert [(c.tick, c.text) for c in chords] == [
        (0, "F7"), (960, "C7"),  # beats 1 and 3
        (BAR, "Dm7"), (BAR + 480, "G7"), (BAR + 960, "C"), (BAR + 1440, "Am7"),
        (2 * BAR, "C"), (2 * BAR + 480, "G"), (2 * BAR + 960, "F")]  # 4 beats / 3
    waltz, _ = lead_sheet_chords(tune(time_signatures=(TimeSignature(0, 3, 4),)), "C G7 C")
    assert [c.tick for c in waltz] == [0, 480, 960]


def test_repeat_and_hold_on():
    assert lead_sheet_bars("F7 | % | - | | Bb7 - C7 -") == [
        ["F7"], ["F7"], [], [], ["Bb7", "-", "C7", "-"]]
    chords, span = lead_sheet_chords(tune(), "F7 | % | - | | Bb7 - C7 -")
    assert [(c.tick, c.text) for c in chords] == [
        (0, "F7"), (BAR, "F7"), (4 * BAR, "Bb7"), (4 * BAR + 960, "C7")]
    assert span == (0, 5 * BAR)
    assert lead_sheet_bars("| F7 | Bb7 |") == [["F7"], ["Bb7"]]  # bar lines round it
    # Bar lines alone are empty bars, each keeping the chord before going.
    assert lead_sheet_bars(" | ") == [[], []]
    assert lead_sheet_bars("-") == [[]]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_lead_sheet_with_no_chord_and_no_bar_is_refused(text):
    with pytest.raises(ValueError, match="give at least one chord or %"):
        lead_sheet_bars(text)


def test_unknown_symbols_are_refused_by_name():
    with pytest.raises(ValueError, match="not a chord symbol: Hm7, Intro"):
        lead_sheet_bars("F7 | Hm7 | Intro | Hm7")
    with pytest.raises(ValueError, match="no bar before it"):
        lead_sheet_bars("% | F7")
    assert lead_sheet_bars("N.C. | Gm7b5/Db | BbΔ") == [["N.C."], ["Gm7b5/Db"], ["BbΔ"]]


def test_it_replaces_the_chords_of_the_bars_it_names_from_a_bar_on():
    song = tune(chords=tuple(ChordSymbol(i * BAR, "C") for i in range(6)))
    out = with_lead_sheet(song, "F7 | - ", from_bar=2)
    assert [(c.tick // BAR, c.text) for c in out.chords] == [
        (0, "C"), (1, "C"), (2, "F7"), (4, "C"), (5, "C")]


def test_bars_past_the_end_lengthen_the_song_to_hold_them():
    out = with_lead_sheet(tune(13), "F7 | Bb7", from_bar=19)
    assert out.end == 21 * BAR
    assert [(c.tick // BAR, c.text) for c in out.chords] == [(19, "F7"), (20, "Bb7")]
    assert with_lead_sheet(tune(13), "F7 | Bb7").length == 13 * BAR


def test_chords_in_the_songs_last_bar_leave_its_length_unless_they_are_past_its_end():
    song = Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, 3 * BAR + 480),)),))
    assert with_lead_sheet(song, "F7 | Bb7 | F7 | C7").length == 0  # the 4 bars it has
    # A chord after the last note (beat 3 of bar 4): the bar is filled out to hold it.
    out = with_lead_sheet(song, "F7 C7", from_bar=3)
    assert out.end == 4 * BAR
