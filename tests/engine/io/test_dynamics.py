"""Dynamics marks from a played part's velocities (the MusicXML export's): a mark where the
level changes clearly, not one per note, and none where it only wavers."""

from __future__ import annotations

from engine.io.dynamics import DYNAMIC_LEVELS, accent, dynamics_marks, says_no_dynamics
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


def test_a_part_whose_velocities_say_no_dynamics_gets_no_mark():
    # What the MusicXML import gives a part without marks (mf with the beat's accents),
    # and notes left at a new note's velocity (96) or mf's 80: nothing to mark.
    imported = [Note(60, t, P // 2, DYNAMIC_LEVELS["mf"] + accent(TM, t))
                for t in range(0, 8 * P, P // 2)]
    assert {n.velocity for n in imported} == {80, 83, 86}
    assert says_no_dynamics(imported, TM) and dynamics_marks(imported, TM) == []
    for velocity in (Note(60, 0, P).velocity, 80):
        flat = eighths([velocity] * 16)
        assert says_no_dynamics(flat, TM) and dynamics_marks(flat, TM) == []
    # A p throughout, or one note off the default, says a dynamic: it keeps its mark.
    soft = [Note(60, t, P // 2, DYNAMIC_LEVELS["p"] + accent(TM, t)) for t in range(0, 8 * P, P)]
    assert dynamics_marks(soft, TM) == [(0, "p")]
    assert dynamics_marks(eighths([96] * 15 + [112]), TM) == [(0, "f")]
    assert dynamics_marks(eighths([64] * 16), TM) == [(0, "mp")]
