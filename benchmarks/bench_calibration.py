"""How much calibration matters: NLL of int8/int4 weights made with different calibration sets.

    .venv/bin/python benchmarks/bench_calibration.py [--model chorale-jsb] [--chorales 16]

Compares, on the JSB valid split (same masks for every row, so differences are paired):

- no calibration: each group's clipping minimises the *weight* error;
- a single mask ratio (0.5): the output error on inputs that all look like mid-sampling;
- the default: mask ratios 1.0 … 0.05 plus the sampler's own trajectories.

Prints one line per (precision, calibration) with the NLL change against fp32.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.models import perf  # noqa: E402
from engine.models import quantize as Q  # noqa: E402
from engine.models.checkpoint import load_model, read_manifest  # noqa: E402
from engine.models.data import load_jsb  # noqa: E402
from engine.models.plugin import model_folder  # noqa: E402
from engine.models.runtime import load_denoiser  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "jsb" / "jsb16th_train_valid.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="chorale-jsb")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--chorales", type=int, default=16)
    ap.add_argument("--ratios", type=int, default=8, help="mask draws per window for the NLL")
    args = ap.parse_args()
    torch.set_num_threads(1)

    folder = model_folder(args.model)
    model, _ = load_model(folder)
    valid = load_jsb(args.data, "valid")[: args.chorales]
    train = load_jsb(args.data, "train")
    steps = model.cfg.max_steps
    fp32 = perf.nll(model, valid, args.ratios)["nll_note"]
    print(f"{args.model}: fp32 nll_note {fp32:.4f} on {len(valid)} valid chorales")
    setups = {
        "no calibration (weight error)": [],
        "single mask ratio 0.5": Q.masked_inputs(train, steps, ratios=(0.5,), per_ratio=24),
        "ratios 1.0..0.05 + trajectories": (
            Q.masked_inputs(train, steps, per_ratio=3)
            + Q.trajectory_inputs(model, [perf.VOICE_ROLE] * 4, steps, runs=2)),
    }
    manifest = Path(read_manifest(folder)["_path"])
    for name, calib in setups.items():
        for precision in ("int8", "int4"):
            with tempfile.TemporaryDirectory() as tmp:
                for f in (manifest, folder / "model.safetensors"):
                    shutil.copy2(f, Path(tmp) / f.name)
                Q.quantize_model_folder(tmp, precision, calibration=calib)
                nll = perf.nll(load_denoiser(tmp, precision, threads=1), valid,
                               args.ratios)["nll_note"]
            print(f"  {precision}  {name:34} {nll:.4f}  {100 * (nll / fp32 - 1):+.2f} %")


if __name__ == "__main__":
    main()
