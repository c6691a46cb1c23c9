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


def _allowed_pitches(song: Song, track: Track, band: tuple[int, int] = (0, 127),
                     **kw) -> set[int]:
    mask = Mask.of(Region({track.id}, 0, 2 * BAR, *band))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    problem = build_problem(enc, song, mask, [track.id], **kw)
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


def _bass() -> Track:
    return Track(name="Bass", program=33, notes=tuple(
        Note(36 + (i % 2) * 7, i * 480, 240) for i in range(8)))  # register 31..48


def test_the_users_pitch_range_replaces_the_register():
    bass = _bass()
    song = Song(tracks=(bass,))
    # Far above the bass register: the explicit range wins, it does not leave nothing.
    assert _allowed_pitches(song, bass, pitch_range=(84, 96)) == set(range(84, 97))
    # Overlapping it: the range, not just its overlap with the register.
    assert _allowed_pitches(song, bass, pitch_range=(40, 70)) == set(range(40, 71))
    assert _allowed_pitches(song, bass, pitch_range=(96, 84)) == set(range(84, 97))


def test_pitch_range_with_a_key_and_the_fallbacks():
    bass = _bass()
    song = Song(tracks=(bass,))
    c_major = {p for p in range(60, 73) if p % 12 in (0, 2, 4, 5, 7, 9, 11)}
    assert _allowed_pitches(song, bass, pitch_range=(60, 72), key="C") == c_major
    # No pitch of the key in the range: the range wins over the key.
    assert _allowed_pitches(song, bass, pitch_range=(61, 61), key="C") == {61}
    # A mask band inside the range: the band ∩ the range.
    assert _allowed_pitches(song, bass, (80, 90), pitch_range=(84, 96)) == set(range(84, 91))
    # A band the range misses: the band with the register (a note outside the band would
    # not be in the mask), else the band alone.
    assert _allowed_pitches(song, bass, (40, 50), pitch_range=(84, 96)) == set(range(40, 49))
    assert _allowed_pitches(song, bass, (60, 62), pitch_range=(84, 96)) == {60, 61, 62}


def test_pitch_range_leaves_drum_lanes_alone():
    drums = Track(name="Drums", is_drum=True, channel=9, notes=(Note(36, 0, 120),))
    song = Song(tracks=(drums,), length=2 * BAR)
    mask = Mask.of(Region({drums.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={drums.id: 1}, snap_off_grid=True)
    plain = build_problem(enc, song, mask, [drums.id])
    ranged = build_problem(enc, song, mask, [drums.id], pitch_range=(84, 96))
    assert (plain.allowed == ranged.allowed).all()
    assert ranged.allowed[:, :, vocab.DRUM : vocab.DRUM + vocab.N_DRUM_CLASSES].any()
