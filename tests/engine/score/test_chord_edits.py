"""Editing a song's chord symbols: one undo step each, labelled with what it did, and a
text that is no chord refused with the reason."""

from __future__ import annotations

import pytest

from engine.score import ChordSymbol, Note, Song, TimeSignature, Track
from engine.score.chord_edits import chord_place, delete_chord, set_chord, set_lead_sheet
from engine.score.chord_symbols import chord_symbol_problem
from engine.score.edits import EditError
from engine.score.lead_sheet import lead_sheet_text, with_lead_sheet
from engine.score.timing import TimeMap

BAR, Q = 1920, 480


def tune(chords=(), bars: int = 12, **kw) -> Song:
    return Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, Q),)),), length=bars * BAR,
                chords=tuple(ChordSymbol(t, c) for t, c in chords), **kw)


def test_set_chord_writes_replaces_and_undoes():
    song = tune([(0, "F7"), (4 * BAR, "C7")])
    edit = set_chord(song, 4 * BAR, "Bb7")
    assert edit is not None and edit.label == "Change chord C7 to Bb7 at 5.1"
    changed = edit.apply(song)
    assert changed.chords == (ChordSymbol(0, "F7"), ChordSymbol(4 * BAR, "Bb7"))
    assert edit.inverse().apply(changed) == song
    added = set_chord(changed, 2 * BAR + Q, " F#m7b5/C ")
    assert added is not None and added.label == "Set chord F#m7b5/C at 3.2"
    assert [c.tick for c in added.apply(changed).chords] == [0, 2 * BAR + Q, 4 * BAR]
    assert set_chord(changed, 4 * BAR, "Bb7") is None  # as it is: no undo step
    nc = set_chord(song, BAR + 100, "N.C.")
    assert nc is not None and nc.label == "Set chord N.C. at 2.1.100"


def test_an_unknown_symbol_is_refused_with_the_reason():
    song = tune([(0, "F7")])
    with pytest.raises(EditError, match="German name of B: write B7"):
        set_chord(song, 0, "H7")
    assert "write Bb7" in chord_symbol_problem("bb7")
    assert "no chord kind" in chord_symbol_problem("Cxyz")
    assert "after the slash" in chord_symbol_problem("C7/H")
    assert chord_symbol_problem("Gm7b5/Db") is None and chord_symbol_problem("N.C.") is None


def test_an_empty_text_or_delete_removes_the_chord():
    song = tune([(0, "F7"), (BAR, "Bb7")])
    for edit in (set_chord(song, BAR, ""), delete_chord(song, BAR)):
        assert edit is not None and edit.label == "Delete chord Bb7 at 2.1"
        assert edit.apply(song).chords == (ChordSymbol(0, "F7"),)
    assert delete_chord(song, 2 * BAR) is None


def test_a_pickup_numbers_the_place_as_the_ruler():
    song = tune(time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4)))
    assert chord_place(TimeMap.of(song), Q) == "1.1"
    assert chord_place(TimeMap.of(song), 0) == "0.1"


def test_a_lead_sheet_replaces_the_chords_of_its_bars_in_one_step():
    song = tune([(0, "C"), (8 * BAR, "G7")])
    edit = set_lead_sheet(song, "F7 | Bb7 | F7 | % | Bb7 | Bb7 | F7 | F7", 0)
    assert edit is not None and edit.label == "Chords for bars 1–8"
    after = edit.apply(song)
    assert [c.text for c in after.chords] == ["F7", "Bb7", "F7", "F7", "Bb7", "Bb7", "F7",
                                              "F7", "G7"]  # bar 9's chord is kept
    assert edit.inverse().apply(after) == song
    one = set_lead_sheet(song, "Dm7 G7", 4)
    assert one is not None and one.label == "Chords for bar 5"
    with pytest.raises(EditError, match="H7"):
        set_lead_sheet(song, "F7 | H7", 0)


def test_the_lead_sheet_text_of_bars_reads_back_to_the_same_chords():
    text = "F7 | Bb7 C7 | % | - | C - F G | Dm7 - G7 - | - G | N.C."
    song = with_lead_sheet(tune(), text)
    written = lead_sheet_text(song, 0, 8)
    assert written == ("F7 | Bb7 C7 | Bb7 C7 | - |\n"
                       "C - F G | Dm7 G7 | - G | N.C. |")
    assert with_lead_sheet(song, written).chords == song.chords
    assert set_lead_sheet(song, written) is None  # unchanged: no undo step
    # From a later bar, and in 6/8 (two dotted beats).
    assert lead_sheet_text(song, 4, 2) == "C - F G | Dm7 G7 |"
    jig = with_lead_sheet(tune(time_signatures=(TimeSignature(0, 6, 8),)), "D - | G A")
    assert lead_sheet_text(jig, 0, 2) == "D | G A |"


def test_a_lead_sheet_past_the_end_lengthens_the_song_in_the_same_undo_step():
    # A lead sheet says the form: an 8-bar new song given 32 bars of chords is 32 bars.
    song = tune(bars=8)
    edit = set_lead_sheet(song, " | ".join(["F7"] * 32))
    assert edit is not None
    assert edit.label == ("Chords for bars 1–32; the song is lengthened to 32 bars to hold "
                          "the chords")
    longer = edit.apply(song)
    assert longer.end == 32 * BAR and len(longer.chords) == 32
    assert edit.inverse().apply(longer) == song  # one step: the chords and the length
    # Within the song: the length is left alone, and not mentioned.
    inside = set_lead_sheet(song, "F7 | Bb7", from_bar=2)
    assert inside is not None and inside.label == "Chords for bars 3–4"
    assert inside.apply(song).length == song.length
    # Bars past the end with no chord in them are bars of the form still.
    held = set_lead_sheet(longer, "- | -", from_bar=32)
    assert held is not None and held.apply(longer).end == 34 * BAR


def test_a_chord_typed_past_the_end_lengthens_the_song_to_its_bar():
    song = tune(bars=8)
    edit = set_chord(song, 9 * BAR + 2 * Q, "Bb7")
    assert edit is not None
    assert edit.label == "Set chord Bb7 at 10.3; the song is lengthened to 10 bars to hold it"
    after = edit.apply(song)
    assert after.end == 10 * BAR and after.chords == (ChordSymbol(9 * BAR + 2 * Q, "Bb7"),)
    assert edit.inverse().apply(after) == song


def test_a_chord_after_the_last_note_in_the_last_bar_fills_the_bar_out():
    song = Song(tracks=(Track("Sax", 66, notes=(Note(65, 0, 3 * BAR + Q),)),))
    edit = set_chord(song, 3 * BAR + 3 * Q, "C7")
    assert edit is not None and edit.label == (
        "Set chord C7 at 4.4; the song is lengthened to the end of bar 4 to hold it")
    assert edit.apply(song).end == 4 * BAR
    within = set_chord(song, 3 * BAR, "F7")
    assert within is not None and within.label == "Set chord F7 at 4.1"
