"""Masks: which notes a mask covers (by onset and pitch), the same however it is found."""

from __future__ import annotations

import random

from engine.score import Mask, Note, Region, Song, Track


def random_songs_and_masks(seed: int, count: int = 50):
    """Songs of three random tracks, each with a mask of one to three random regions."""
    rng = random.Random(seed)
    for _ in range(count):
        tracks = tuple(Track(f"T{k}", notes=tuple(
            Note(rng.randrange(30, 90), rng.randrange(0, 8000), rng.randrange(0, 500))
            for _ in range(rng.randrange(0, 60)))) for k in range(3))
        regions = []
        for _ in range(rng.randrange(1, 4)):
            start = rng.randrange(0, 8000)
            lo = rng.randrange(0, 100)
            regions.append(Region(frozenset(rng.sample([t.id for t in tracks], 2)), start,
                                  start + rng.randrange(0, 4000), lo, lo + rng.randrange(0, 28)))
        yield Song(tracks), Mask.of(*regions)


def test_notes_inside_is_exactly_the_notes_whose_onset_and_pitch_the_mask_covers():
    for song, mask in random_songs_and_masks(3):
        tracks = song.tracks
        expected = {t.id: tuple(n for n in t.notes if mask.contains_note(t.id, n))
                    for t in tracks if t.id in mask.track_ids}
        got = mask.notes_inside(song)
        assert got.keys() == expected.keys()
        for tid, notes in expected.items():
            assert [n.id for n in got[tid]] == [n.id for n in notes]  # same notes, same order


def test_notes_outside_is_every_note_the_mask_does_not_cover_in_order():
    for song, mask in random_songs_and_masks(4):
        got = mask.notes_outside(song)
        assert list(got) == [t.id for t in song.tracks]
        for t in song.tracks:
            expected = [n.id for n in t.notes if not mask.contains_note(t.id, n)]
            assert [n.id for n in got[t.id]] == expected


def test_changed_between_sees_edits_inside_the_mask_only():
    for song, mask in random_songs_and_masks(5, count=30):
        assert not mask.changed_between(song, song)
        for track in song.tracks:
            inside = mask.notes_inside(song).get(track.id, ())
            # A copy of the track (a new object, the same notes) is no change.
            same = song.replace_track(Track(track.name, notes=track.notes, id=track.id))
            assert not mask.changed_between(song, same)
            # A note added outside the mask is no change; one moved inside it is.
            far = Note(127, 9000, 10)  # no region reaches pitch 127
            assert not mask.changed_between(song, song.replace_track(
                track.with_notes([*track.notes, far])))
            if inside:
                moved = [Note(n.pitch, n.start, n.duration + 1, n.velocity, id=n.id)
                         if n is inside[0] else n for n in track.notes]
                assert mask.changed_between(song, song.replace_track(track.with_notes(moved)))
        # A masked track deleted is a change, an unmasked one is not.
        for track in song.tracks:
            rest = song.with_tracks(t for t in song.tracks if t is not track)
            assert mask.changed_between(song, rest) == (track.id in mask.track_ids)


def test_holds_already_tells_a_take_that_would_change_nothing():
    for song, mask in random_songs_and_masks(6, count=30):
        inside = mask.notes_inside(song)
        if not any(inside.values()):
            continue
        copies = {tid: [Note(n.pitch, n.start, n.duration, n.velocity) for n in notes]
                  for tid, notes in inside.items()}  # new ids, the same music
        assert mask.holds_already(song, copies)
        tid = next(t for t, v in inside.items() if v)
        moved = dict(copies)
        first = moved[tid][0]
        moved[tid] = [Note(first.pitch, first.start, first.duration + 1, first.velocity),
                      *moved[tid][1:]]
        assert not mask.holds_already(song, moved)
        assert not mask.holds_already(song, {tid: []}) or not inside[tid]
        assert not mask.holds_already(song, {})
