"""Does a repainted loop's last bar lead into its first? ``repaint --loop`` against none.

    .venv/bin/python benchmarks/bench_loop.py [--songs 4] [--seeds 10] [--model partita-base]

Songs: 8-bar loops composed by the model (Lead = Synth Lead, Bass, Piano; compose seeds
1..N). Each has its Lead's bars 5-8 repainted with seeds 0..M-1, once as a plain song and
once with ``loop=True`` (:mod:`engine.tasks.loop`). Measured over the seam (the Lead's
last note of bar 8 → its first note of bar 1, as the loop plays them):

- *leap*: the interval in semitones (mean, and the share within a major 3rd);
- *chord tone*: the share of last notes whose pitch class sounds in the other tracks on
  bar 1's downbeat (the harmony it falls into);
- *inside*: the same two measures from bar 4's last note to bar 5's first, the seam
  inside the repaint's own context: what "flowing" looks like for this model.

Figures are counts of generated music, not timings; small samples (songs × seeds takes).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from engine.plugins.api import GenerateOptions
from engine.plugins.registry import Registry
from engine.score import Song, TimeMap
from engine.tasks import SongParams, TrackSpec, compose, repaint
from engine.tasks.loop import loop_seam


def _lead(song: Song):
    return next(t for t in song.tracks if t.name == "Lead")


def _step(song: Song, end_tick: int, start_tick: int) -> tuple[int, bool] | None:
    """The Lead's last note starting before ``end_tick`` → its first at/after
    ``start_tick``: (semitones, whether the last note is a tone sounding in the other
    tracks at ``start_tick``); None when either is missing."""
    notes = sorted(_lead(song).notes, key=lambda n: n.start)
    before = [n for n in notes if n.start < end_tick]
    after = [n for n in notes if n.start >= start_tick]
    if not before or not after:
        return None
    last, first = before[-1], after[0]
    others = {n.pitch % 12 for t in song.tracks if t.name != "Lead" and not t.is_drum
              for n in t.notes if n.start <= start_tick < n.end or n.start == start_tick}
    return abs(last.pitch - first.pitch), last.pitch % 12 in others


def _summary(steps: list[tuple[int, bool]]) -> str:
    if not steps:
        return "no pairs"
    leaps = [s for s, _ in steps]
    near = sum(s <= 4 for s in leaps) / len(leaps)
    tone = sum(t for _, t in steps) / len(steps)
    return (f"leap mean {statistics.mean(leaps):4.1f} st, within a 3rd {near:4.0%}, "
            f"chord tone {tone:4.0%} (n={len(steps)})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=int, default=4)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--model", default="partita-base")
    args = ap.parse_args(argv)
    model = Registry().get(args.model)
    params = SongParams(tracks=(TrackSpec("Lead", 80), TrackSpec("Bass", 33),
                                TrackSpec("Piano", 0)), bars=8)
    seam_steps: dict[bool, list] = {False: [], True: []}
    inside: dict[bool, list] = {False: [], True: []}
    for s in range(1, args.songs + 1):
        song = compose(params, model=model, options=GenerateOptions(seed=s)).after
        tm = TimeMap.of(song)
        lead = _lead(song).id
        for seed in range(args.seeds):
            for loop in (False, True):
                take = repaint(song, [lead], 4, 8, model=model,
                               options=GenerateOptions(seed=seed, loop=loop))
                after = take.after
                seam = loop_seam(after)
                step = _step(after, seam, 0)
                if step is not None:
                    seam_steps[loop].append(step)
                mid = _step(after, tm.bar_to_tick(4), tm.bar_to_tick(4))
                if mid is not None:
                    inside[loop].append(mid)
        print(f"song {s} done", file=sys.stderr)
    for loop in (False, True):
        name = "--loop" if loop else "plain "
        print(f"{name} seam bar 8 → bar 1: {_summary(seam_steps[loop])}")
        print(f"{name} inside bar 4 → 5:   {_summary(inside[loop])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
