"""Writing articulations and slurs (engine.score.articulation_edits): the studio's
Shift+S, Shift+V … and slurs, each one invertible undo step. Marks are out of a note's
equality, so every check here reads them, not ``song ==``."""

from __future__ import annotations

import pytest

from engine.io.musicxml import musicxml_bytes
from engine.score import Note, Song, Track
from engine.score.articulation_edits import (
    marks_said,
    remove_slurs,
    replaced_marks,
    slur_over,
    slur_spans,
    toggle_articulation,
)

Q = 480


def _song(*marks: frozenset[str]) -> Song:
    """A flute's C D E F G A, quarters, the first ones with ``marks``."""
    notes = tuple(Note(60 + step, i * Q, Q, 80, articulations=marks[i] if i < len(marks)
                       else frozenset())
                  for i, step in enumerate((0, 2, 4, 5, 7, 9)))
    return Song(tracks=(Track("Flute", program=73, notes=notes),))


def _marks(song: Song) -> list[set[str]]:
    return [set(n.articulations) for n in song.tracks[0].notes]


def _slurs(song: Song) -> list[tuple]:
    return [n.slurs for n in song.tracks[0].notes]


def test_staccato_goes_on_the_notes_and_its_inverse_takes_it_back():
    song = _song(frozenset({"accent"}))
    track = song.tracks[0]
    edit = toggle_articulation({track.id: track.notes[:4]}, "staccato")
    assert edit.label == "Staccato on 4 notes"
    after = edit.apply(song)
    assert _marks(after) == [{"accent", "staccato"}, {"staccato"}, {"staccato"},
                             {"staccato"}, set(), set()]
    assert _marks(edit.inverse().apply(after)) == [{"accent"}, *[set()] * 5]


def test_where_every_note_has_it_it_comes_off_and_otherwise_goes_on_the_rest():
    stacc = frozenset({"staccato"})
    song = _song(stacc, stacc)
    track = song.tracks[0]
    off = toggle_articulation({track.id: track.notes[:2]}, "staccato")
    assert off.label == "Staccato off 2 notes"
    assert _marks(off.apply(song))[:2] == [set(), set()]
    # One of three lacks it: it goes on that one, the undo step counts it alone.
    some = toggle_articulation({track.id: track.notes[:3]}, "staccato")
    assert some.label == "Staccato on 1 note"
    assert _marks(some.apply(song))[:3] == [{"staccato"}] * 3


def test_a_note_keeps_one_length_mark_and_one_accent():
    song = _song(frozenset({"tenuto", "accent"}))
    track = song.tracks[0]
    stacc = toggle_articulation({track.id: track.notes[:1]}, "staccato").apply(song)
    assert _marks(stacc)[0] == {"staccato", "accent"}  # the tenuto gave way
    track = stacc.tracks[0]
    marc = toggle_articulation({track.id: track.notes[:1]}, "strong-accent").apply(stacc)
    assert _marks(marc)[0] == {"staccato", "strong-accent"}


def test_nothing_to_mark_is_no_step_and_an_unknown_mark_is_refused():
    song = _song()
    assert toggle_articulation({song.tracks[0].id: []}, "staccato") is None
    with pytest.raises(ValueError, match="not one of"):
        toggle_articulation({song.tracks[0].id: song.tracks[0].notes}, "fermata")


def test_several_tracks_are_one_step():
    song = _song()
    bass = Track("Bass", program=33, notes=(Note(36, 0, Q), Note(43, Q, Q)))
    song = song.with_tracks([*song.tracks, bass])
    flute = song.tracks[0]
    edit = toggle_articulation({flute.id: flute.notes[:2], bass.id: bass.notes}, "tenuto")
    assert edit.label == "Tenuto on 4 notes"
    after = edit.apply(song)
    assert [set(n.articulations) for n in after.tracks[1].notes] == [{"tenuto"}] * 2
    back = edit.inverse().apply(after)
    assert not any(n.articulations for t in back.tracks for n in t.notes)


def test_a_slur_over_notes_marks_the_first_and_last_and_undoes():
    song = _song()
    track = song.tracks[0]
    edit = slur_over(track, track.notes[1:5])
    assert edit.label == "Slur over 4 notes"
    after = edit.apply(song)
    assert _slurs(after) == [(), (("start", 1),), (), (), (("stop", 1),), ()]
    (span,) = slur_spans(after.tracks[0].notes)
    assert (span.number, span.first.pitch, span.last.pitch) == (1, 62, 67)
    assert _slurs(edit.inverse().apply(after)) == [()] * 6
    # Written as MusicXML writes it: paired by number.
    xml = musicxml_bytes(after)[0].decode()
    assert xml.count('<slur number="1" type="start" />') == 1
    assert xml.count('<slur number="1" type="stop" />') == 1


def test_a_slur_over_the_same_notes_again_comes_off():
    song = _song()
    track = song.tracks[0]
    after = slur_over(track, track.notes[:3]).apply(song)
    again = slur_over(after.tracks[0], after.tracks[0].notes[:3])
    assert again.label == "Remove slur over 3 notes"
    assert _slurs(again.apply(after)) == [()] * 6


def test_overlapping_slurs_take_the_next_number_and_a_chord_s_top_note_carries_it():
    song = _song()
    track = song.tracks[0]
    one = slur_over(track, track.notes[:4]).apply(song)
    # A chord under the second slur's last onset: the slur ends on its top note.
    chord = Note(48, 5 * Q, Q)
    one = one.replace_track(one.tracks[0].with_notes([*one.tracks[0].notes, chord]))
    track = one.tracks[0]
    two = slur_over(track, [n for n in track.notes if n.start >= 2 * Q]).apply(one)
    spans = slur_spans(two.tracks[0].notes)
    assert [(s.number, s.first.pitch, s.last.pitch) for s in spans] == [(1, 60, 65),
                                                                       (2, 64, 69)]
    # One after the first ends takes 1 again.
    track = two.tracks[0]
    assert slur_over(track, [n for n in track.notes if n.pitch in (67, 69)]) is not None


def test_a_slur_needs_two_onsets():
    song = _song()
    track = song.tracks[0]
    assert slur_over(track, track.notes[:1]) is None


def test_remove_slurs_takes_every_slur_over_the_selected_notes():
    song = _song()
    track = song.tracks[0]
    song = slur_over(track, track.notes[:3]).apply(song)
    track = song.tracks[0]
    song = slur_over(track, track.notes[3:]).apply(song)
    track = song.tracks[0]
    edit = remove_slurs(song, {track.id: [track.notes[1]]})  # inside the first slur
    assert edit.label == "Remove 1 slur"
    after = edit.apply(song)
    assert _slurs(after) == [(), (), (), (("start", 1),), (), (("stop", 1),)]
    assert _slurs(edit.inverse().apply(after)) == _slurs(song)
    both = remove_slurs(song, {track.id: track.notes})
    assert both.label == "Remove 2 slurs" and _slurs(both.apply(song)) == [()] * 6
    assert remove_slurs(after, {track.id: [after.tracks[0].notes[0]]}) is None


def test_slur_spans_pair_marks_by_number_and_skip_a_stray_mark():
    notes = [Note(60, 0, Q, slurs=(("start", 1),)), Note(62, Q, Q, slurs=(("start", 2),)),
             Note(64, 2 * Q, Q, slurs=(("stop", 1),)), Note(65, 3 * Q, Q, slurs=(("stop", 2),
                                                                              ("start", 1))),
             Note(67, 4 * Q, Q, slurs=(("stop", 3),))]
    assert [(s.number, s.first.pitch, s.last.pitch) for s in slur_spans(notes)] == [
        (1, 60, 64), (2, 62, 65)]


def test_what_a_toggle_replaces_and_a_notes_marks_are_said_in_a_scores_order():
    # The studio says them: "Tenuto on 1 note (was staccato)", "C4 · … · staccato".
    song = _song(frozenset({"staccato", "accent"}), frozenset({"staccatissimo"}))
    track = song.tracks[0]
    assert replaced_marks({track.id: track.notes[:2]}, "tenuto") == [
        "staccato", "staccatissimo"]
    assert replaced_marks({track.id: track.notes[:1]}, "strong-accent") == ["accent"]
    assert replaced_marks({track.id: track.notes[:1]}, "staccato") == []  # taken off
    assert replaced_marks({track.id: track.notes[2:3]}, "tenuto") == []  # none there
    slurred = slur_over(track, track.notes[:3]).apply(song).tracks[0]
    first, _, last = slurred.notes[:3]
    assert marks_said([first]) == "accent, staccato, slur start"
    assert marks_said([last]) == "slur end"
    assert marks_said(slurred.notes[3:4]) == ""
