"""checked_result: the one check of a model's result, shared by takes and CLI tasks."""

from __future__ import annotations

import pytest

from engine.plugins import PluginError
from engine.plugins.result import InvalidResult, checked_result, written_mask
from engine.score import Mask, Note, Region, Song, Track


@pytest.fixture
def song_and_mask():
    piano = Track("Piano", notes=tuple(Note(60, b * 480, 240) for b in range(8)))
    bass = Track("Bass", program=33, notes=tuple(Note(36, b * 960, 480) for b in range(4)))
    drums = Track("Drums", is_drum=True, channel=9, notes=(Note(36, 0, 60),))
    song = Song((piano, bass, drums))
    return song, piano, bass, drums, Mask.of(Region({piano.id, bass.id}, 960, 1920))


def check(song, mask, result):
    return checked_result(result, model="qa", song=song, mask=mask)


def test_a_bad_result_is_a_plugin_error_the_cli_prints_as_one_line():
    assert issubclass(InvalidResult, PluginError)  # the CLI prints it as one line
    assert issubclass(InvalidResult, ValueError)


@pytest.mark.parametrize("result, message", [
    (None, "model 'qa' returned NoneType, expected a mapping"),
    ([], "model 'qa' returned list, expected a mapping"),
    (42, "model 'qa' returned int, expected a mapping"),
])
def test_a_result_that_is_no_mapping_is_refused(song_and_mask, result, message):
    song, *_, mask = song_and_mask
    with pytest.raises(InvalidResult, match=message):
        check(song, mask, result)


def test_notes_that_are_not_notes_are_refused(song_and_mask):
    song, piano, _bass, _drums, mask = song_and_mask
    with pytest.raises(InvalidResult, match=r"'qa' returned tuple for 'Piano' \(track 1\), "
                                            "expected Note"):
        check(song, mask, {piano.id: [(60, 960, 10, 90)]})
    with pytest.raises(InvalidResult, match="are int, not a sequence"):
        check(song, mask, {piano.id: 7})


@pytest.mark.parametrize("notes", [(), (Note(40, 960, 10),)])
def test_a_track_outside_the_mask_is_refused_even_empty(song_and_mask, notes):
    # Said by name and number as `partita tracks` lists them: QA read "wrote track 1" in
    # the CLI and "track 2" in the studio for the same track (internal ids).
    song, _piano, _bass, drums, mask = song_and_mask
    with pytest.raises(InvalidResult, match=r"wrote 'Drums' \(track 3\), which is not in "
                                            "the mask"):
        check(song, mask, {drums.id: notes})
    with pytest.raises(InvalidResult, match="wrote track id 99999, which is not a track of "
                                            "the song"):
        check(song, mask, {99999: notes})


def test_notes_outside_the_mask_are_counted_in_words(song_and_mask):
    song, piano, *_, mask = song_and_mask
    with pytest.raises(InvalidResult, match=r"'qa': 1 note falls outside the mask "
                                            r"\(first: 'Piano' \(track 1\) at 2\.1\.080, "
                                            r"pitch 61\)"):
        check(song, mask, {piano.id: (Note(60, 960, 10), Note(61, 2000, 10))})
    with pytest.raises(InvalidResult, match=r"'qa': 2 notes fall outside the mask .*at 1\.1\.000,"):
        check(song, mask, {piano.id: (Note(62, 2000, 10), Note(61, 0, 10))})


def test_a_generator_is_read_once_and_the_notes_come_back_sorted(song_and_mask):
    song, piano, *_, mask = song_and_mask
    notes = (Note(64, 1440, 10), Note(60, 960, 10))
    clean = check(song, mask, {piano.id: (n for n in notes)})
    assert clean == {piano.id: (notes[1], notes[0])}


def test_ids_that_clash_with_kept_notes_are_renewed(song_and_mask):
    song, piano, bass, _drums, mask = song_and_mask
    outside = piano.notes[0]  # tick 0: outside the mask
    in_left_out_track = bass.notes[1]  # tick 960: inside the mask, but bass is not answered
    twin = Note(61, 1000, 10, id=outside.id)
    clean = check(song, mask, {piano.id: (twin, Note(62, 1100, 10, id=twin.id),
                                          Note(63, 1200, 10, id=in_left_out_track.id))})
    ids = [n.id for n in clean[piano.id]]
    assert len(set(ids)) == 3
    assert not {outside.id, in_left_out_track.id} & set(ids)


def test_only_the_tracks_answered_for_are_rewritten(song_and_mask):
    _song, piano, bass, _drums, mask = song_and_mask
    assert written_mask(mask, {piano.id: ()}).track_ids == {piano.id}
    assert written_mask(mask, {}).track_ids == frozenset()
    assert written_mask(mask, [piano.id, bass.id]) == mask


def test_a_silent_note_in_a_result_is_written_at_the_softest_velocity():
    # A plugin's velocity-0 note entered the song, and a saved project reopened it as 1.
    from engine.score import Mask, Note, Region, Song, Track

    lead = Track("Lead")
    song = Song((lead,))
    mask = Mask.of(Region({lead.id}, 0, 480))
    out = checked_result({lead.id: [Note(60, 0, 120, 0)]}, model="qa", song=song, mask=mask)
    assert [n.velocity for n in out[lead.id]] == [1]


def test_a_note_held_past_the_songs_end_is_cut_there(song_and_mask):
    """A tie into the bar after the region is music; a note held for minutes past the
    song's end made a repaint lengthen it from 32 bars to 57, and one held to the last
    bar line grew a MIDI file ending mid-bar (QA: each DAW clip 0.77 s longer)."""
    song, piano, _, _, mask = song_and_mask
    assert song.end == 3600  # mid-bar: the last bar line is 3840
    out = check(song, mask, {piano.id: [Note(61, 960, 100_000), Note(64, 1500, 400)]})
    assert [(n.start, n.end) for n in out[piano.id]] == [(960, 3600), (1500, 1900)]
    # A request that lengthens the song (a mask past its end) may fill what it asked for.
    longer = Mask.of(Region({piano.id}, 960, 3840))
    assert check(song, longer, {piano.id: [Note(61, 960, 9000)]})[piano.id][0].end == 3840
    tie = check(song, Mask.of(Region({piano.id}, 0, 960)), {piano.id: [Note(62, 720, 600)]})
    assert tie[piano.id][0].end == 1320  # past its region, inside the song: kept


def test_notes_of_one_pitch_that_overlap_are_settled_as_the_built_in_models_are(
        song_and_mask):
    """QA: two identical E4 at one onset, and an E4 overlapping them, entered the song
    from a plugin (MIDI cuts such notes short or leaves them hanging)."""
    song, piano, _, _, mask = song_and_mask
    e4 = [Note(64, 1000, 200, 70), Note(64, 1000, 200, 90), Note(64, 1100, 300, 80)]
    out = check(song, mask, {piano.id: e4})
    # One note at 1000 (the louder), cut where the next E4 is struck; that one stays.
    assert [(n.start, n.end, n.velocity) for n in out[piano.id]] == [(1000, 1100, 90),
                                                                    (1100, 1400, 80)]
    # A note the mask keeps is never changed: a new one over its onset ends there.
    held = check(song, mask, {piano.id: [Note(60, 1800, 400)]})
    assert [(n.start, n.end) for n in held[piano.id]] == [(1800, 1920)]
    assert check(song, mask, {piano.id: [Note(65, 1000, 0)]})[piano.id][0].duration == 1
