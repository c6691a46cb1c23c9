"""Does a model write in the meter it is given? 3/4 against 6/8 (both 12 sixteenths a bar).

    .venv/bin/python benchmarks/bench_meters.py [--model partita-base] [--seeds 6]
                                                [--cache runs/cache/music21-folk]

A waltz leans on the 2nd and 3rd quarter (the bar's 16th steps 4 and 8), a jig on its
2nd dotted beat (step 6). For each meter this composes ``--seeds`` pieces of 8 bars
(Flute, Piano, Bass, `tasks.compose`, the model's default precision or ``--precision``)
and prints where in the bar the pitched notes start: the share of onsets on each 8th of
the bar, the share off the 8ths, and the *jig lean* = onsets on step 6 / the mean of
steps 4 and 8 (above 1: heard as 6/8; below 1: as 3/4). With ``--cache`` the same
figures for the real pieces of those meters in a corpus cache (``python -m
engine.models.corpus``) are printed first, as the target. Figures are counts over seeded
runs: paired across models, not timings.
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

METERS = ((3, 4), (6, 8))
BAR = 12  # 16th steps in a bar of either


def profile(counts: np.ndarray) -> str:
    """One line: share of onsets per 8th of the bar, off the 8ths, and the jig lean."""
    total = max(1, counts.sum())
    eighths = " ".join(f"{counts[s] / total:4.2f}" for s in range(0, BAR, 2))
    off = counts[1::2].sum() / total
    lean = counts[6] / max(1e-9, (counts[4] + counts[8]) / 2)
    return f"8ths {eighths} | off {off:4.2f} | jig lean {lean:4.2f} ({int(total)} onsets)"


def corpus_counts(cache: Path) -> dict[tuple[int, int], np.ndarray]:
    """Onsets per step of the bar in the cache's 12-step pieces, 3/4-like and 6/8."""
    out = {m: np.zeros(BAR) for m in METERS}
    for split in ("train", "valid"):
        for p in load_pieces(cache / f"{split}.npz"):
            pos = step_in_bar(p.beat_pos)
            if pos.max() != BAR - 1:
                continue  # not a 12-step bar
            meter = (6, 8) if (p.beat_pos >= COMPOUND_OFFSET).all() else (3, 4)
            onset = (p.tokens >= vocab.ONSET) & (p.tokens < vocab.DRUM)
            out[meter] += np.bincount(np.broadcast_to(pos, onset.shape)[onset], minlength=BAR)
    return out


def model_counts(model, meter: tuple[int, int], seeds: int, bars: int,
                 precision: str = "auto") -> np.ndarray:
    counts = np.zeros(BAR)
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
                    counts[(in_bar // sixteenth) % BAR] += 1
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
    args = ap.parse_args()
    if args.cache:
        for meter, counts in corpus_counts(args.cache).items():
            print(f"corpus {meter[0]}/{meter[1]}: {profile(counts)}")
    for name in args.model or ["partita-base"]:
        model = plugin_from_folder(shipped_model_folder(name))
        for meter in METERS:
            counts = model_counts(model, meter, args.seeds, args.bars, args.precision)
            print(f"{name} {meter[0]}/{meter[1]}: {profile(counts)}")


if __name__ == "__main__":
    main()
