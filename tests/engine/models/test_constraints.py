"""Legal pitches: a track with notes keeps its register; an empty one gets its role's."""

from __future__ import annotations

from engine.models import vocab
from engine.models.constraints import (
    OWN_RANGE_MARGIN,
    ROLE_RANGES,
    VOICE_PART_RANGES,
    build_problem,
)
from engine.models.grid import GridSpec, encode
from engine.score import Mask, Note, Region, Song, Track

BAR = 1920


def _allowed_pitches(song: Song, track: Track) -> set[int]:
    mask = Mask.of(Region({track.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    problem = build_problem(enc, song, mask, [track.id])
    lanes = [i for i, t in enumerate(enc.lane_tracks) if t == track.id]
    ok = problem.allowed[lanes][problem.editable[lanes]]
    return {p for p in range(128) if ok[:, vocab.onset(p)].any()}


def test_a_bass_line_is_rewritten_in_its_own_register():
    bass = Track(name="Bass", program=33, notes=tuple(
        Note(36 + (i % 2) * 7, i * 480, 480) for i in range(8)))  # C2 and G2
    pitches = _allowed_pitches(Song(tracks=(bass,)), bass)
    assert min(pitches) == 36 - OWN_RANGE_MARGIN and max(pitches) == 43 + OWN_RANGE_MARGIN


def test_an_empty_track_gets_its_role_range():
    bass = Track(name="Bass", program=33)
    lead = Track(name="Lead", program=81, channel=1, notes=(Note(72, 0, 480),))
    pitches = _allowed_pitches(Song(tracks=(bass, lead), length=2 * BAR), bass)
    assert (min(pitches), max(pitches)) == ROLE_RANGES["bass"]


def test_new_sung_parts_get_their_own_ranges_not_the_whole_choirs():
    # harmonize's SATB voices: a Tenor above the Alto or a Bass in the alto's register
    # was possible with the choir's one range.
    soprano = Track(name="Soprano", program=52, notes=(Note(72, 0, 480),))
    parts = [Track(name=n, program=52, channel=i + 1)
             for i, n in enumerate(("Alto", "Tenor", "Bass"))]
    song = Song(tracks=(soprano, *parts), length=2 * BAR)
    for part in parts:
        pitches = _allowed_pitches(song, part)
        assert (min(pitches), max(pitches)) == VOICE_PART_RANGES[part.name.lower()]
    bass_guitar = Track(name="Bass", program=33)  # a band's Bass keeps the bass role's range
    pitches = _allowed_pitches(Song(tracks=(soprano, bass_guitar), length=2 * BAR), bass_guitar)
    assert (min(pitches), max(pitches)) == ROLE_RANGES["bass"]
