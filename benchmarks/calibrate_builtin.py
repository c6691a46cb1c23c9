"""The built-in synth's loudness against a SoundFont's, per GM program, and the gains
that match them.

    .venv/bin/python benchmarks/calibrate_builtin.py [--soundfont SF2] [--sample-rate 44100]

Renders :func:`engine.render.calibration.reference_phrase` (a few notes at velocity 100
in the instrument's register) of every GM program and of the drum kit through both
synths, and prints built-in minus SoundFont in LU (BS.1770 integrated loudness:
:mod:`engine.render.loudness`): per family the median, lowest and highest of its
programs, and the levels that would bring every program to 0 — each family's ``gain=``
(its median program matched) and ``PROGRAM_TRIM_DB`` in ``engine/render/tones.py``, and
``LEVEL`` in ``drums.py``; paste them in and run it again to check (about 45 s with
FluidR3). The SoundFont is the one ``partita render`` finds (FluidR3_GM.sf2 where
fluid-soundfont-gm is installed).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.render import drums, tones
from engine.render.calibration import (
    DRUMS,
    FAMILY_NAMES,
    builtin_minus_soundfont,
)
from engine.render.soundfont import find_soundfont
from engine.score.instruments import program_name


def group(program: int) -> int | str:
    """The programs sharing one timbre's gain: the family, or the choir patches."""
    return "Choir" if program in tones.CHOIR_PROGRAMS else program // 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soundfont", type=Path, default=None)
    parser.add_argument("--sample-rate", type=int, default=44100)
    args = parser.parse_args()
    soundfont = find_soundfont(args.soundfont)
    if soundfont is None:
        print("no SoundFont found: install fluid-soundfont-gm or pass --soundfont",
              file=sys.stderr)
        return 1
    print(f"built-in minus {soundfont.name}, LU (K-weighted, gated), {args.sample_rate} Hz")
    diffs = [builtin_minus_soundfont(p, soundfont, args.sample_rate) for p in range(128)]
    silent = [p for p, d in enumerate(diffs) if not math.isfinite(d)]
    groups: dict[int | str, list[int]] = {}
    for p in range(128):
        if p not in silent:
            groups.setdefault(group(p), []).append(p)
    print(f"{'programs':<22} {'median':>6} {'min':>6} {'max':>6}  gain now → matched")
    medians: dict[int | str, float] = {}
    for key, programs in groups.items():
        values = [diffs[p] for p in programs]
        medians[key] = median = statistics.median(values)
        gain = tones.timbre_for(programs[0]).gain
        name = key if isinstance(key, str) else FAMILY_NAMES[key]
        worst = max(programs, key=lambda p: abs(diffs[p]))
        print(f"{name:<22} {median:+6.1f} {min(values):+6.1f} {max(values):+6.1f}  "
              f"{gain:.3f} → {gain * 10 ** (-median / 20):.3f}   furthest: "
              f"{program_name(worst, False)} {diffs[worst]:+.1f}")
    for p in silent:
        print(f"{program_name(p, False)}: silent in {soundfont.name}: not calibrated")
    trims = [0.0 if p in silent else
             round(tones.PROGRAM_TRIM_DB[p] - (diffs[p] - medians[group(p)]), 1)
             for p in range(128)]
    print("PROGRAM_TRIM_DB: tuple[float, ...] = (")
    for i in range(0, 128, 8):
        print("    " + ", ".join(f"{t + 0.0:.1f}" for t in trims[i:i + 8]) + ",")
    print(")")
    diff = builtin_minus_soundfont(DRUMS, soundfont, args.sample_rate)
    print(f"{'Drums (LEVEL)':<22} {diff:+6.1f}  {drums.LEVEL:.3f} → "
          f"{drums.LEVEL * 10 ** (-diff / 20):.3f}")
    within = sum(abs(d) <= 1.5 for d in diffs if math.isfinite(d))
    print(f"{within} of {128 - len(silent)} programs within ±1.5 LU; "
          f"largest {max((abs(d) for d in diffs if math.isfinite(d)), default=0):.1f} LU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
