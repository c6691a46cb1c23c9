"""Dynamics marks from a played part's velocities (the MusicXML export's): a mark where the
level changes clearly, not one per note, and none where it only wavers."""

from __future__ import annotations

from engine.io.dynamics import DYNAMIC_LEVELS, accent, dynamics_marks
from engine.score import Note, Song, TimeMap, TimeSignature

P = 480
TM = TimeMap.of(Song(time_signatures=(TimeSignature(0, 4, 4),)))


def eighths(velocities: list[int], start: int = 0) -> list[Note]:
    return [Note(60, start + i * P // 2, P // 2, v) for i, v in enumerate(velocities)]


def test_a_part_at_one_level_has_one_mark_at_its_first_note():
    # Played mf: wavering 82–90 around the mf/f boundary (88), one loud chord of 120.
    played = eighths([84, 90, 86, 89, 82, 88, 85, 90] * 4, start=P)
    played += [Note(p, 17 * P, P, 120) for p in (60, 64, 67)]
    played += eighths([86, 83, 88, 84] * 2, start=18 * P)
    assert dynamics_marks(played, TM) == [(P, "mf")]
    assert dynamics_marks([], TM) == []


def test_a_clear_change_of_level_is_marked_where_it_starts():
    notes = eighths([50] * 16) + eighths([97] * 8, start=8 * P) + eighths([32] * 8, start=12 * P)
    assert dynamics_marks(notes, TM) == [(0, "p"), (8 * P, "f"), (12 * P, "pp")]


def test_the_beats_accent_the_import_adds_is_not_a_level():
    # As an imported p plays: downbeats 6 louder, other beats 3 — still p throughout.
    notes = [Note(60, t, P // 2, DYNAMIC_LEVELS["p"] + accent(TM, t)) for t in range(0, 8 * P,
                                                                                    P // 2)]
    assert {n.velocity for n in notes} == {49, 52, 55}
    assert dynamics_marks(notes, TM) == [(0, "p")]
