"""Does a model write in the meter it is given? 3/4 against 6/8, 6/4 against 12/8.

    .venv/bin/python benchmarks/bench_meters.py [--model partita-base] [--seeds 6]
                                                [--cache runs/cache/music21-folk]

A waltz leans on the 2nd and 3rd quarter (the bar's 16th steps 4 and 8), a jig on its
2nd dotted beat (step 6). For each meter this composes ``--seeds`` pieces of 8 bars
(Flute, Piano, Bass, `tasks.compose`, the model's default precision or ``--precision``)
and prints where in the bar the pitched notes start: the share of onsets on each 8th of
the bar, the share off the 8ths, and the *lean* = onsets on step 6 / the mean of steps 4
and 8 (above 1: heard as 6/8; below 1: as 3/4), and alike for 6/4 against 12/8 (steps 6,
18 against 4, 8, 16, 20). With ``--cache`` the same figures for the real pieces of those
meters in a corpus cache (``python -m engine.models.corpus``) are printed first, as the
target. Figures are counts over seeded runs: paired across models, not timings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.models import vocab  # noqa: E402
from engine.models.data import load_pieces  # noqa: E402
from engine.models.grid import COMPOUND_OFFSET, step_in_bar  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import TimeMap  # noqa: E402

PAIRS = {"3/4:6/8": ((3, 4), (6, 8)), "6/4:12/8": ((6, 4), (12, 8))}


def profile(counts: np.ndarray) -> str:
    """One line: share of onsets per 8th of the bar, off the 8ths, and the compound lean:
    mean onsets on the dotted beats that are no quarter beat (6/8: step 6; 12/8: 6, 18)
    over the mean on the quarter beats that are no dotted beat (3/4: 4, 8; 6/4: 4, 8, 16,
    20); the jig lean of 6/8 against 3/4."""
    bar = len(counts)
    total = max(1, counts.sum())
    eighths = " ".join(f"{counts[s] / total:4.2f}" for s in range(0, bar, 2))
    off = counts[1::2].sum() / total
    dotted, quarters = set(range(6, bar, 6)), set(range(4, bar, 4))
    lean = (np.mean([counts[s] for s in dotted - quarters])
            / max(1e-9, np.mean([counts[s] for s in quarters - dotted])))
    return f"8ths {eighths} | off {off:4.2f} | lean {lean:4.2f} ({int(total)} onsets)"


def corpus_counts(cache: Path, pair: str) -> dict[tuple[int, int], np.ndarray]:
    """Onsets per step of the bar in the cache's pieces of the pair's bar length, simple
    and compound."""
    simple, compound = PAIRS[pair]
    bar = simple[0] * 16 // simple[1]
    out = {m: np.zeros(bar) for m in (simple, compound)}
    for split in ("train", "valid"):
        for p in load_pieces(cache / f"{split}.npz"):
            pos = step_in_bar(p.beat_pos)
            if pos.max() != bar - 1:
                continue
            meter = compound if (p.beat_pos >= COMPOUND_OFFSET).all() else simple
            onset = (p.tokens >= vocab.ONSET) & (p.tokens < vocab.DRUM)
            out[meter] += np.bincount(np.broadcast_to(pos, onset.shape)[onset], minlength=bar)
    return out


def model_counts(model, meter: tuple[int, int], seeds: int, bars: int,
                 precision: str = "auto") -> np.ndarray:
    bar = meter[0] * 16 // meter[1]
    counts = np.zeros(bar)
    specs = tuple(tasks.track_specs(["Flute", "Piano", "Bass"]))
    for seed in range(1, seeds + 1):
        params = tasks.SongParams(tracks=specs, bars=bars, meter=meter)
        options = GenerateOptions(seed=seed, precision=precision)
        song = tasks.compose(params, model=model, options=options).after
        tm = TimeMap.of(song)
        sixteenth = song.ppq // 4
        for track in song.tracks:
            for n in track.notes:
                in_bar = n.start - tm.bar_to_tick(tm.tick_to_bar(n.start))
                if in_bar % sixteenth == 0:
                    counts[(in_bar // sixteenth) % bar] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append",
                    help="shipped model name or model folder (repeatable; default partita-base)")
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--precision", default="auto", help="fp32, int8, int4 (default: the "
                    "model's own)")
    ap.add_argument("--cache", type=Path, help="a corpus cache folder: real pieces as target")
    ap.add_argument("--pairs", default="3/4:6/8,6/4:12/8",
                    help=f"meter pairs of one bar length (of {', '.join(PAIRS)})")
    args = ap.parse_args()
    for pair in args.pairs.split(","):
        if args.cache:
            for meter, counts in corpus_counts(args.cache, pair).items():
                print(f"corpus {meter[0]}/{meter[1]}: {profile(counts)}")
        for name in args.model or ["partita-base"]:
            model = plugin_from_folder(shipped_model_folder(name))
            for meter in PAIRS[pair]:
                counts = model_counts(model, meter, args.seeds, args.bars, args.precision)
                print(f"{name} {meter[0]}/{meter[1]}: {profile(counts)}")


if __name__ == "__main__":
    main()
