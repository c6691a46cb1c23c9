"""A swung jazz tune (the jazz QA's kind of file): generated notes are placed back off the
16th grid with the tune's feel — long-short swung pairs, the part's own release, kept
rhythm kept exactly — and nothing overlaps in a one-line part."""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine import tasks
from engine.models.articulation import release
from engine.models.grid import encode, snap_step
from engine.models.grid_plugin import keep_timing
from engine.models.groove import groove_note, song_grooves
from engine.models.plugin import tiny_random_model
from engine.plugins.api import GenerateOptions
from engine.score import Mask, Note, Region, TimeMap

from .swing_song import BAR, BEAT, PPQ, TRIPLET_AT, swing_song

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    return swing_song(tmp_path_factory.mktemp("swing"))


def one_line_overlaps(notes) -> list[tuple[Note, Note]]:
    ordered = sorted(notes, key=Note.key)
    return [(a, b) for a, b in pairwise(ordered) if b.start < a.end]


def test_the_tune_reads_as_a_2_to_1_swing(song):
    piano = song.find_track("Piano")
    groove = song_grooves(song, Mask.of(Region({piano.id}, 0, 16 * BAR)))[piano.id]
    # The off-beat 8th 80 late (the sax's 8th triplets put its 2nd 16ths at 160).
    assert groove.offsets[2] == 80 and not groove.measured[3]
    # Its lines as a new note is played on them: the 4th 16th lies halfway.
    assert [groove.line_place(s, PPQ) for s in range(5)] == [0, 160, 320, 400, 480]


def test_swung_notes_start_and_end_where_their_lines_sit_in_the_groove(song):
    """QA: an off-beat 16th lost its whole shift (60 ticks, a 32nd) and an on-beat 8th
    stayed 240 long while the next note started at +320."""
    piano = song.find_track("Piano")
    groove = song_grooves(song, Mask.of(Region({piano.id}, 0, 16 * BAR)))[piano.id]
    tm = TimeMap.of(song)
    at = 4 * BAR + BEAT

    def placed(step: int, steps: int, gap: int = 0) -> tuple[int, int]:
        grid = Note(60, at + step * 120, steps * 120)
        n = groove_note(Note(60, grid.start, grid.duration - gap), groove, tm, PPQ, grid.end)
        return n.start - at, n.duration

    assert [placed(0, 2), placed(2, 2)] == [(0, 320), (320, 160)]  # a legato swung pair
    assert [placed(0, 2, 20), placed(2, 2, 20)] == [(0, 293), (320, 147)]  # released
    assert placed(2, 1) == (320, 80)  # a 16th stab on the swung "and": a triplet 16th
    assert placed(2, 1, 60) == (320, 80)  # never below a triplet 16th where it fits
    assert placed(0, 4, 60) == (0, 420)  # a quarter from the beat meets the next beat


def test_a_regenerated_comp_has_no_clipped_stabs_and_straight_lines_meet(song):
    piano = song.find_track("Piano")
    take = tasks.regenerate(song, piano.id, model=tiny_random_model(0),
                            options=GenerateOptions(seed=1, steps=4))
    new = take.new_notes[piano.id]
    assert new and min(n.duration for n in new) >= PPQ // 6
    # Every onset sits on the beat, on a grooved 16th line or the swung off-beat.
    assert {n.start % BEAT for n in new} <= {0, 160, 320, 400}


def test_a_detached_walking_bass_keeps_its_release():
    """QA: quarters 400 long in 480 read as legato (40 past the dotted 8th's line)."""
    walking = [Note(40, i * PPQ, 400) for i in range(8)]
    assert release(walking, PPQ) == 80
    # Held over the next note, or just past a line, is still legato.
    assert release([Note(40, i * 240, 280) for i in range(8)], PPQ) == 0
    assert release([Note(40, i * PPQ, 250) for i in range(8)], PPQ) == 0


def test_a_repainted_walking_bass_is_detached_like_the_bars_around_it(song):
    bass = song.find_track("Acoustic Bass")
    mask = Mask.of(Region({bass.id}, 4 * BAR, 8 * BAR))
    take = tasks.run._run("repaint", song, (), mask, tiny_random_model(0),
                          GenerateOptions(seed=1, steps=4), None, None, "Repaint")
    new = take.new_notes[bass.id]
    # Released like the part (was: 480/240/120, full legato).
    assert new and all(n.duration % 120 for n in new)
    assert 400 in {n.duration for n in new}
    assert not one_line_overlaps(take.after.track(bass.id).notes)


def test_keep_rhythm_matches_notes_on_the_steps_the_encoder_put_them(song):
    """QA: the quarter-note triplet at 6720 (300 long, ending 7020: step 58.5) was matched
    on step 58 but encoded to 59, and came back 360 long over the next note."""
    sax = song.find_track("Tenor Sax")
    triplet = next(n for n in sax.notes if n.start == TRIPLET_AT)
    assert snap_step(triplet.end, PPQ) == 59
    enc = encode(song, lanes={sax.id: 1}, snap_off_grid=True)
    assert enc.tokens[0, 59 - 1] != enc.tokens[0, 59]  # it ends where the next note starts
    bar4 = Mask.of(Region({sax.id}, 3 * BAR, 4 * BAR))
    take = tasks.run._run("repaint", song, (), bar4, tiny_random_model(0),
                          GenerateOptions(seed=1, steps=4, keep_rhythm=True), None, None,
                          "Repaint")
    old = bar4.notes_inside(song)[sax.id]
    new = take.new_notes[sax.id]
    assert [(n.start, n.duration) for n in new] == [(n.start, n.duration) for n in old]
    assert not one_line_overlaps(take.after.track(sax.id).notes)


def test_kept_timing_never_overlaps_in_a_lane():
    replaced = [Note(60, 0, 300), Note(62, 320, 140)]  # on steps 0–3 and 3–4
    lane = [Note(64, 0, 360), Note(65, 360, 120)]
    assert keep_timing([lane], replaced, PPQ) == [Note(64, 0, 300), Note(65, 320, 140)]
    # A note on other steps than the one it replaces keeps its grid length, cut where
    # the next note of its lane starts once that one takes its own (earlier) start.
    out = keep_timing([lane], [Note(60, 0, 200), Note(62, 320, 140)], PPQ)
    assert [(n.start, n.duration) for n in out] == [(0, 320), (320, 140)]
    # A lane that wrote nothing (a piano's second lane over a single-note part) is fine.
    assert keep_timing([lane, []], replaced, PPQ) == [Note(64, 0, 300), Note(65, 320, 140)]


def test_kept_timing_keeps_a_strum_lowest_string_to_lowest():
    down = [Note(45, 0, 440), Note(52, 12, 428), Note(57, 24, 416)]  # one pair of steps
    lanes = [[Note(p, 0, 480)] for p in (64, 48, 55)]  # lanes need not be in pitch order
    out = keep_timing(lanes, down, PPQ)
    assert sorted((n.pitch, n.start, n.duration) for n in out) == [
        (48, 0, 440), (55, 12, 428), (64, 24, 416)]
    up = [Note(45, 24, 416), Note(52, 12, 428), Note(57, 0, 440)]  # an up-strum stays one
    assert [n.start for n in sorted(keep_timing(lanes, up, PPQ), key=lambda n: n.pitch)] == [
        24, 12, 0]
    # A chord of other size spans the same strum; a lone note takes its first string.
    two = keep_timing([[Note(50, 0, 480)], [Note(60, 0, 480)]], down, PPQ)
    assert sorted((n.start, n.duration) for n in two) == [(0, 440), (24, 416)]
    assert keep_timing([[Note(50, 0, 480)]], down, PPQ) == [Note(50, 0, 440)]
