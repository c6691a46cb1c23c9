"""Masks: which notes a mask covers (by onset and pitch), the same however it is found."""

from __future__ import annotations

import random

from engine.score import Mask, Note, Region, Song, Track


def test_notes_inside_is_exactly_the_notes_whose_onset_and_pitch_the_mask_covers():
    rng = random.Random(3)
    for _ in range(50):
        tracks = tuple(Track(f"T{k}", notes=tuple(
            Note(rng.randrange(30, 90), rng.randrange(0, 8000), rng.randrange(0, 500))
            for _ in range(rng.randrange(0, 60)))) for k in range(3))
        song = Song(tracks)
        regions = []
        for _ in range(rng.randrange(1, 4)):
            start = rng.randrange(0, 8000)
            lo = rng.randrange(0, 100)
            regions.append(Region(frozenset(rng.sample([t.id for t in tracks], 2)), start,
                                  start + rng.randrange(0, 4000), lo, lo + rng.randrange(0, 28)))
        mask = Mask.of(*regions)
        expected = {t.id: tuple(n for n in t.notes if mask.contains_note(t.id, n))
                    for t in tracks if t.id in mask.track_ids}
        got = mask.notes_inside(song)
        assert got.keys() == expected.keys()
        for tid, notes in expected.items():
            assert [n.id for n in got[tid]] == [n.id for n in notes]  # same notes, same order
