"""partita-base's drums in a band: a backbeat where no groove is kept, the kept one where
it is (benchmarks/bench_backbeat.py counts the bars over more seeds)."""

from __future__ import annotations

import pytest

from engine import tasks
from engine.plugins.api import GenerateOptions
from engine.score import DRUM_CHANNEL, Note, Song, Track

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PPQ = 480
BAR = 4 * PPQ
SNARES = (37, 38, 39, 40)
TUNE = (64, 64, 67, 69, 67, 64, 62, 60, 62, 64, 62, 60, 59, 60, 62, 55,
        64, 64, 67, 69, 72, 71, 69, 67, 65, 64, 62, 64, 60, 60, 60, 60)


@pytest.fixture(scope="module")
def base():
    from engine.models.plugin import plugin_from_folder, shipped_model_folder

    return plugin_from_folder(shipped_model_folder("partita-base"))


def pop_song(drums: tuple[Note, ...]) -> Song:
    """A bar of ``drums`` alone, then an 8-bar 4/4 tune with empty Piano and Bass."""
    lead = Track("Lead", program=80, notes=tuple(
        Note(p, BAR + i * PPQ, PPQ, 90) for i, p in enumerate(TUNE)))
    return Song(tracks=(lead, Track("Piano", program=0, channel=1),
                        Track("Bass", program=33, channel=2),
                        Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=drums)),
                ppq=PPQ)


def snare_beats(song: Song) -> list[set[int]]:
    """Per bar of the tune, the 16ths of the bar its snare strikes on."""
    kit = next(t for t in song.tracks if t.is_drum)
    return [{(n.start - b * BAR) * 4 // PPQ for n in kit.notes
             if n.pitch in SNARES and b * BAR <= n.start < (b + 1) * BAR}
            for b in range(1, 9)]


def test_drums_after_a_count_in_lean_to_the_backbeat(base):
    # A songwriter's QA: seed 3 put the snare on all four beats of all 8 bars after a
    # count-in (the model alone: a count-in is no groove to keep).
    song = pop_song(tuple(Note(37, k * PPQ, PPQ // 4, 100) for k in range(4)))
    take = tasks.harmonize(song, song.tracks[0].id, model=base,
                           options=GenerateOptions(seed=3))
    bars = snare_beats(take.after)
    backbeat = [b for b in bars if {4, 12} <= b and not b & {0, 8}]
    assert len(backbeat) >= 6, bars


def test_a_kept_half_time_groove_is_continued_in_half_time(base):
    # One bar of half time before the tune (8th hats, kick on 1, snare on 3): the drums
    # keep it, no backbeat is made up for them.
    groove = tuple([Note(42, e * PPQ // 2, PPQ // 4, 80) for e in range(8)]
                   + [Note(36, 0, PPQ // 4, 100), Note(38, 2 * PPQ, PPQ // 4, 100)])
    song = pop_song(groove)
    take = tasks.harmonize(song, song.tracks[0].id, model=base,
                           options=GenerateOptions(seed=1))
    bars = snare_beats(take.after)
    assert sum(8 in b and not b & {4, 12} for b in bars) >= 6, bars
