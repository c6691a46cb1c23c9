"""Dynamics from a part's velocities (the MusicXML export's), in musical time: a mark where
a level held for about a beat starts, not one per note, none where it only wavers; an
accent or sfz on a short loud note; a hairpin over a steady ramp."""

from __future__ import annotations

import re

from engine.io.dynamics import (
    DYNAMIC_LEVELS,
    Dynamics,
    accent,
    dynamics_marks,
    dynamics_of,
    says_no_dynamics,
)
from engine.io.musicxml import musicxml_bytes
from engine.io.musicxml_import import read_musicxml
from engine.score import Note, Song, TimeMap, TimeSignature, Track

P = 480
TM = TimeMap.of(Song(time_signatures=(TimeSignature(0, 4, 4),)))
WALTZ = Song(time_signatures=(TimeSignature(0, 3, 4),))
BAR = 3 * P


def eighths(velocities: list[int], start: int = 0) -> list[Note]:
    return [Note(60, start + i * P // 2, P // 2, v) for i, v in enumerate(velocities)]


def test_a_part_at_one_level_has_one_mark_at_its_first_note():
    # Played mf: wavering 82–90 around the mf/f boundary (88), one loud chord of 120.
    played = eighths([84, 90, 86, 89, 82, 88, 85, 90] * 4, start=P)
    played += [Note(p, 17 * P, P, 120) for p in (60, 64, 67)]
    played += eighths([86, 83, 88, 84] * 2, start=18 * P)
    assert dynamics_marks(played, TM) == [(P, "mf")]
    # The chord, a beat long, is no level: it is written as what it is, a loud stab.
    assert dynamics_of(played, TM).accents == ((17 * P, "sfz"),)
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
    assert dynamics_of(eighths([96] * 15 + [112]), TM) == Dynamics(((0, "f"),), ((15 * P // 2,
                                                                                "accent"),))
    assert dynamics_marks(eighths([64] * 16), TM) == [(0, "mp")]


def test_the_notes_before_a_parts_first_mark_get_none():
    # As the import plays a part whose first mark, a p, is at bar 3: mf with the beats'
    # accents before it. No mf at bar 1 (the score had none): the p is the first mark.
    notes = [Note(60, t, P // 2, (DYNAMIC_LEVELS["mf"] if t < 8 * P else DYNAMIC_LEVELS["p"])
                  + accent(TM, t)) for t in range(0, 16 * P, P // 2)]
    assert dynamics_marks(notes, TM) == [(8 * P, "p")]
    # A part played at 90 from its start keeps its mark there.
    assert dynamics_marks(eighths([90] * 16 + [50] * 16), TM) == [(0, "mf"), (8 * P, "p")]


def bar_notes(velocities: list[int], pitch: int = 48) -> list[Note]:
    """One dotted half a bar of 3/4, as a string player's sustained line."""
    return [Note(pitch, i * BAR, BAR, v) for i, v in enumerate(velocities)]


def test_sustained_notes_are_levels_marked_where_they_start():
    """The string-quartet composer's QA, 3/4 with a dotted half a bar: every bar held
    three beats is a level of its own, however few notes say it."""
    tm = TimeMap.of(WALTZ)
    # The last bar's pp was never written (five onsets' median outvoted it).
    assert dynamics_of(bar_notes([96] * 7 + [33]), tm) == Dynamics(((0, "f"), (7 * BAR, "pp")))
    # The ff bar was neither marked nor accented.
    assert dynamics_marks(bar_notes([49, 49, 49, 112, 49, 49, 49, 49]), tm) == [
        (0, "p"), (3 * BAR, "ff"), (4 * BAR, "p")]
    # Violin I: nothing at 96, mp at 127, f on the closing 20 — each bar now its own mark,
    # the one nearest its velocity as played or less the downbeat's lilt: 20 is ppp, and
    # 30 pp (33 as played beats ppp's 16 less the lilt; it was read as ppp, 24, once).
    violin = bar_notes([40, 70, 110, 30, 96, 127, 20], pitch=67)
    assert dynamics_marks(violin, tm) == [(0, "pp"), (BAR, "mp"), (2 * BAR, "ff"),
                                          (3 * BAR, "pp"), (4 * BAR, "f"),
                                          (5 * BAR, "fff"), (6 * BAR, "ppp")]
    # Two bars at 100 are one f, after a p or an mp too (they were an mf, then an f).
    assert dynamics_marks(bar_notes([100, 100]), tm) == [(0, "f")]
    assert dynamics_marks(bar_notes([64, 64, 100, 100]), tm) == [(0, "mp"), (2 * BAR, "f")]


def test_no_mark_contradicts_the_notes_under_it():
    """Every mark is the level nearest the velocities of the notes it stands over, heard
    as played or less the beat's lilt (the lilt is an allowance: a downbeat at 30 is pp,
    33, as played — 24 less the lilt was nearer ppp once)."""
    tm = TimeMap.of(WALTZ)
    levels = {v: m for m, v in DYNAMIC_LEVELS.items() if m != "fp"}
    for velocities in ([40, 70, 110, 30, 96, 127, 20], [96] * 7 + [33], [20, 127] * 4):
        notes = bar_notes(velocities)
        for tick, mark in dynamics_marks(notes, tm):
            velocity = next(n.velocity for n in notes if n.start == tick)
            nearest = {min(levels, key=lambda v: abs(v - heard))
                       for heard in (velocity, velocity - accent(tm, tick))}
            assert min(abs(DYNAMIC_LEVELS[mark] - v) for v in nearest) <= 16, (
                velocities, tick, mark)


def test_a_short_loud_note_is_an_accent_not_a_level_nor_nothing():
    # An mf line of eighths: one eighth at 100 is an accent, one at 120 an sfz; the level
    # stays mf (no f written for one note, nor the mf again after it).
    notes = eighths([80] * 8 + [80, 80, 80, 100] + [80] * 8 + [80, 120] + [80] * 6)
    said = dynamics_of(notes, TM)
    assert said.marks == ((0, "mf"),)
    assert said.accents == ((11 * P // 2, "accent"), (21 * P // 2, "sfz"))
    # Two loud eighths a beat long are a level: marked, and the mf marked again after.
    pair = eighths([64] * 8 + [100, 100] + [64] * 8)
    assert dynamics_of(pair, TM) == Dynamics(((0, "mp"), (4 * P, "f"), (5 * P, "mp")))
    # A softer note alone says nothing: no mark says less than the level around it.
    assert dynamics_of(eighths([96] * 8 + [40] + [96] * 7), TM) == Dynamics(((0, "f"),))


def test_a_velocity_ramp_is_a_hairpin_to_the_mark_it_reaches():
    # p for a bar, rising 4 an eighth to 106 over two bars, then held: a crescendo from
    # the ramp's first note to its last, with ff there — not p, mp, mf, f, ff.
    rising = eighths([50] * 8 + list(range(50, 110, 4)) + [108] * 8)
    assert dynamics_of(rising, TM) == Dynamics(((0, "p"), (23 * P // 2, "ff")), (),
                                               ((4 * P, 23 * P // 2, "crescendo"),))
    falling = eighths([100] * 8 + list(range(100, 40, -5)) + [40] * 8)
    said = dynamics_of(falling, TM)
    assert said.marks == ((0, "f"), (10 * P, "pp"))
    assert [(kind, stop) for _, stop, kind in said.hairpins] == [("diminuendo", 10 * P)]
    # Terraced levels (a mark held a bar each) are marks, not a hairpin.
    terraced = eighths([49] * 8 + [64] * 8 + [80] * 8)
    assert dynamics_of(terraced, TM) == Dynamics(((0, "p"), (4 * P, "mp"), (8 * P, "mf")))


def held_then_eighths(before: int, velocity: int) -> list[Note]:
    """QA's Violin I: a whole note at ``before`` in bar 4 of 4/4, eighths at ``velocity``
    through bar 5."""
    return [Note(67, 12 * P, 4 * P, before), *eighths([velocity] * 8, start=16 * P)]


def test_a_flat_level_after_another_is_marked_on_its_first_note_not_accented():
    """A flat 45 has no downbeat lilt: read less the import's 6, its first eighth was a pp
    of its own — accented after a ppp, the p written an eighth late. The lilt is an
    allowance: the first eighth is heard as played when that is the level the bar holds."""
    for before, mark in ((20, "ppp"), (80, "mf")):
        for velocity in (45, 44, 49):
            said = dynamics_of(held_then_eighths(before, velocity), TM)
            assert said == Dynamics(((12 * P, mark), (16 * P, "p"))), (before, velocity)
    # 44 over two bars is one p (its downbeats, 38 less the lilt, no pp).
    assert dynamics_of(eighths([44] * 16), TM) == Dynamics(((0, "p"),))


def test_a_lilt_is_never_an_accent():
    """A downbeat eighth a little louder than the f that follows it (90: mf less the lilt,
    f as played) starts the f; it is not an accent on an mf, the f an eighth late."""
    notes = eighths([64] * 8 + [90] + [96] * 7)
    assert dynamics_of(notes, TM) == Dynamics(((0, "mp"), (4 * P, "f")))
    # An imported p's lilted downbeats are no accents on a p either (49, 55 and 52).
    imported = [Note(60, t, P // 2, DYNAMIC_LEVELS["p"] + accent(TM, t))
                for t in range(0, 4 * P, P // 2)]
    assert dynamics_of(imported, TM) == Dynamics(((0, "p"),))


def test_a_real_pp_on_a_lilted_downbeat_between_ps_stays():
    """A pp whole note as the import plays it (33 + 6 = 39, within p's margin as played)
    between p's is its own level: its nearest reading, pp less the lilt, holds one."""
    notes = [*eighths([49] * 8), Note(60, 4 * P, 4 * P, 39), *eighths([49] * 8, start=8 * P)]
    assert dynamics_marks(notes, TM) == [(0, "p"), (4 * P, "pp"), (8 * P, "p")]


def test_a_crescendo_from_30_starts_at_pp():
    """A hairpin's ends take their notes' nearest readings: a downbeat at 30 is pp as
    played (33), not ppp less the lilt (24 nearer 16)."""
    notes = eighths(list(range(30, 94, 4)) + [96] * 8)
    said = dynamics_of(notes, TM)
    assert said.marks[0] == (0, "pp") and said.marks[-1][1] == "f"
    assert [kind for _, _, kind in said.hairpins] == ["crescendo"]


def written(song: Song) -> list[str]:
    """The dynamics a score writes, in order: ``|bar``, marks, wedges and accents."""
    xml = musicxml_bytes(song)[0].decode()
    found = re.finditer(r'<measure[^>]*number="(\d+)"|<dynamics[^>]*>\s*<(\w+)'
                        r'|<wedge[^>]*type="(\w+)"|<(accent) ?/>', xml)
    return [f"|{m[1]}" if m[1] else next(g for g in m.groups() if g) for m in found]


def test_the_score_writes_marks_accents_and_hairpins(tmp_path):
    cello = Track("Cello", program=42, notes=tuple(bar_notes([96] * 7 + [33])))
    assert written(Song(tracks=(cello,), time_signatures=WALTZ.time_signatures)) == [
        "|1", "f", "|2", "|3", "|4", "|5", "|6", "|7", "|8", "pp"]
    line = eighths([50] * 8 + list(range(50, 110, 4)) + [108] * 8) + eighths(
        [108] * 3 + [127] + [108] * 4, start=16 * P)
    violin = Track("Violin I", program=40, notes=tuple(line))
    song = Song(tracks=(violin,))
    assert written(song) == ["|1", "p", "|2", "crescendo", "|3", "ff", "stop", "|4", "|5",
                             "accent"]
    # Read back, the marks give their levels; the accent and the hairpin change nothing
    # else (the hairpin is said, not played), and the score reads without error.
    path = tmp_path / "line.musicxml"
    path.write_bytes(musicxml_bytes(song)[0])
    back = read_musicxml(path).tracks[0].notes
    assert back[0].velocity == DYNAMIC_LEVELS["p"] + 6
    assert back[-1].velocity == DYNAMIC_LEVELS["ff"]
