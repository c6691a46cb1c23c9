"""Chord symbols: read as a jazz arranger writes them, kept on the song in tick order, and
moved with their bars by Insert / Delete / Copy Bars."""

from __future__ import annotations

import pytest

from engine.score import ChordSymbol, Note, Song, Track, parse_chord_symbol
from engine.score.time_edits import copy_bars, delete_bars, insert_bars

BAR = 1920
C, Db, D, E, F, G, A, Bb, B = 0, 1, 2, 4, 5, 7, 9, 10, 11


@pytest.mark.parametrize(("text", "root", "bass", "tones"), [
    ("C", C, C, (0, 4, 7)),
    ("C7", C, C, (0, 4, 7, 10)),
    ("Bbmaj7", Bb, Bb, (10, 2, 5, 9)),
    ("F#m7b5", 6, 6, (6, 9, 0, 4)),
    ("G7/B", G, B, (7, 11, 2, 5)),
    ("Gm7b5/Db", G, Db, (7, 10, 1, 5)),
    ("Cdim", C, C, (0, 3, 6)),
    ("Cdim7", C, C, (0, 3, 6, 9)),
    ("Csus4", C, C, (0, 7, 5)),
    ("C6", C, C, (0, 4, 7, 9)),
    ("C9", C, C, (0, 4, 7, 10, 2)),
    ("C13", C, C, (0, 4, 7, 10, 2, 9)),  # the 11th left out, as it is voiced
    ("Cm7", C, C, (0, 3, 7, 10)),
    ("C-7", C, C, (0, 3, 7, 10)),
    ("CΔ7", C, C, (0, 4, 7, 11)),
    ("Cø7", C, C, (0, 3, 6, 10)),
    ("Cm(maj7)", C, C, (0, 3, 7, 11)),
    ("C7#9", C, C, (0, 4, 7, 10, 3)),
    ("C7b9", C, C, (0, 4, 7, 10, 1)),
    ("Cmaj7#11", C, C, (0, 4, 7, 11, 6)),
    ("C6/9", C, C, (0, 4, 7, 2, 9)),
    ("Cadd9", C, C, (0, 4, 7, 2)),
    ("C+", C, C, (0, 4, 8)),
    ("C5", C, C, (0, 7)),
    ("E♭m7", 3, 3, (3, 6, 10, 1)),
    ("E7sus4", E, E, (4, 11, 2, 9)),
])
def test_a_chord_symbol_reads_as_its_root_bass_and_tones(text, root, bass, tones):
    chord = parse_chord_symbol(text)
    assert chord is not None, text
    assert (chord.root, chord.bass, chord.tones) == (root, bass, tones)
    assert not chord.no_chord


@pytest.mark.parametrize(("text", "same_as"), [
    # The triangle as a Mac types it (Option-J: U+2206) and iReal Pro's caret are maj7,
    # alone too, as a jazz chart means it.
    ("Bb∆7", "Bbmaj7"), ("Bb^7", "Bbmaj7"), ("Bb^", "Bbmaj7"), ("BbΔ", "Bbmaj7"),
    ("Bb△", "Bbmaj7"), ("C^9", "Cmaj9"), ("C^7#11", "Cmaj7#11"), ("C-^7", "Cm(maj7)"),
    ("C-7", "Cm7"), ("C−7", "Cm7"), ("C–7", "Cm7"), ("C-", "Cm"), ("C+", "Caug"),
    ("C+7", "Caug7"), ("Cø", "Cm7b5"), ("Cø7", "Cm7b5"), ("C°", "Cdim"), ("C°7", "Cdim7"),
    ("Cº7", "Cdim7"), ("C69", "C6/9"),
])
def test_the_signs_of_lead_sheets_and_chart_apps_read_as_the_chord_they_name(text, same_as):
    assert parse_chord_symbol(text) == parse_chord_symbol(same_as) is not None, text


@pytest.mark.parametrize("text", ["N.C.", "NC", "N.C", "no chord"])
def test_no_chord_has_no_root_and_no_tones(text):
    chord = parse_chord_symbol(text)
    assert chord is not None and chord.no_chord
    assert (chord.root, chord.bass, chord.tones) == (None, None, ())


@pytest.mark.parametrize("text", ["Intro", "Chorus", "Coda", "fade out", "", "c7", "H7"])
def test_other_text_is_no_chord_symbol(text):
    # A MIDI file's text events are comments and cues as well: only chords are read.
    assert parse_chord_symbol(text) is None


def test_a_song_keeps_its_chords_in_tick_order_one_a_tick():
    song = Song(chords=[ChordSymbol(BAR, "F7"), ChordSymbol(0, "C7"), ChordSymbol(BAR, "F9")])
    assert song.chords == (ChordSymbol(0, "C7"), ChordSymbol(BAR, "F9"))
    assert Song().chords == ()


BLUES = ["C7", "F7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"]


def blues() -> Song:
    return Song(tracks=(Track("Lead", notes=tuple(Note(60, i * BAR, BAR) for i in range(12))),),
                chords=tuple(ChordSymbol(i * BAR, c) for i, c in enumerate(BLUES)))


def rows(song: Song) -> list[tuple[int, str]]:
    return [(c.tick // BAR, c.text) for c in song.chords]


def test_inserted_bars_move_the_chords_after_them():
    song = blues()
    after = insert_bars(song, 4, 2).apply(song)  # two bars before bar 5
    assert rows(after)[:4] == rows(song)[:4]
    assert rows(after)[4:] == [(bar + 2, text) for bar, text in rows(song)[4:]]
    # The new bars have no chord of their own: bar 4's C7 holds on into them.
    assert insert_bars(song, 4, 2).inverse().apply(after) == song


def test_deleted_bars_take_their_chords_and_what_follows_holds():
    song = blues()
    after = delete_bars(song, 8, 1).apply(song)  # bar 9's G7 goes; F7 C7 G7 move up
    assert rows(after) == [*rows(song)[:8], (8, "F7"), (9, "C7"), (10, "G7")]
    # Bars 8–9 deleted (C7, G7): the F7 of bar 10 now starts on bar 8's line.
    after = delete_bars(song, 7, 2).apply(song)
    assert rows(after) == [*rows(song)[:7], (7, "F7"), (8, "C7"), (9, "G7")]


def test_a_chord_written_inside_deleted_bars_is_restated_where_they_were():
    song = Song(tracks=blues().tracks,
                chords=(ChordSymbol(0, "C7"), ChordSymbol(BAR + 960, "A7")))
    after = delete_bars(song, 1, 1).apply(song)  # bar 2, where A7 starts mid-bar
    # A7 held on into bar 3: it is what sounds from the bar line on.
    assert after.chords == (ChordSymbol(0, "C7"), ChordSymbol(BAR, "A7"))


def test_copied_bars_take_their_chords_when_every_track_is_copied():
    song = blues()
    after = copy_bars(song, 8, 9, 0).apply(song)  # bars 9–10 (G7 F7) onto bars 1–2
    assert rows(after) == [(0, "G7"), (1, "F7"), *rows(song)[2:]]
    # Copied where the chord before them holds (C7 F7 onto bars 8–9, after a C7): the
    # copy still starts with its C7, as a repeated section's lead sheet does (drawn
    # dimmed, the same chord again); bar 10's own F7 stays as written.
    after = copy_bars(song, 0, 1, 7).apply(song)
    assert rows(after)[6:] == [(6, "C7"), (7, "C7"), (8, "F7"), (9, "F7"), (10, "C7"),
                               (11, "G7")]
    # Copied into the middle of a chord (bar 1 onto bar 9, G7 F7 after): the G7 that
    # held there is set again after the copy.
    song = Song(tracks=song.tracks, chords=(ChordSymbol(0, "C7"), ChordSymbol(8 * BAR, "G7")))
    after = copy_bars(song, 0, 0, 9).apply(song)
    assert rows(after) == [(0, "C7"), (8, "G7"), (9, "C7"), (10, "G7")]
    # One track's notes copied: the chords are the bars', and stay.
    lead = song.tracks[0].id
    assert copy_bars(song, 0, 1, 8, [lead]).apply(song).chords == song.chords


@pytest.mark.parametrize(("text", "names"), [
    ("Bbmaj7", ("B♭maj7", "B♭Δ7")),
    ("F#m7b5", ("F♯m7♭5", "F♯ø7")),
    ("Gm7b5/Db", ("Gm7♭5/D♭", "Gø7/D♭")),
    ("C7b9", ("C7♭9",)),
    ("Cdim7", ("Cdim7", "C°7")),
    ("Ebmaj7/Bb", ("E♭maj7/B♭", "E♭Δ7/B♭")),
    ("Bbsus4", ("B♭sus4",)),
    ("N.C.", ("N.C.",)),
    ("Intro", ("Intro",)),
])
def test_a_chord_symbol_is_shown_with_flat_and_sharp_signs_and_shorter_in_signs(text, names):
    from engine.score.chord_symbols import chord_display_names

    assert chord_display_names(text) == names


@pytest.mark.parametrize(("text", "semitones", "keys", "moved"), [
    ("G", -2, ("G", "F"), "F"),
    ("C", -2, ("G", "F"), "Bb"),  # IV of F: a flat in the flat key
    ("Em7/B", -2, ("G", "F"), "Dm7/A"),
    ("D7/F#", 3, ("G", "Bb"), "F7/A"),
    ("B♭m7♭5", 2, ("F", "G"), "Cm7♭5"),  # its signs kept
    ("Cmaj7", 1, (None, None), "Dbmaj7"),  # no key: a minor 2nd up
    ("F#7", -1, (None, None), "F7"),
    ("C6/9", 2, ("C", "D"), "D6/9"),  # 6/9 is the kind, not a slash bass
    ("N.C.", 5, ("C", "F"), "N.C."),
    ("Intro", 5, ("C", "F"), "Intro"),
])
def test_a_transposed_chord_symbol_moves_its_root_and_bass_in_the_new_key(
        text, semitones, keys, moved):
    from engine.score.chord_symbols import transposed_chord_symbol

    assert transposed_chord_symbol(text, semitones, *keys) == moved
    if moved != text:  # what it writes reads back a chord of the tones moved
        a, b = parse_chord_symbol(text), parse_chord_symbol(moved)
        assert b.tones == tuple((t + semitones) % 12 for t in a.tones)
        assert b.bass == (a.bass + semitones) % 12
