"""``partita train`` and ``partita eval``: train a model from a YAML config, score a model.

    partita train configs/chorale-jsb.yaml            train (or resume) into runs/<name>/
    partita train --data DIR --name my-style          fine-tune partita-base on your MIDI files
    torchrun --nproc_per_node 2 -m engine.cli train configs/tiny.yaml   data-parallel
    partita eval --data jsb.json --split valid --model chorale-jsb [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.resources import shipped

from .common import CliError, json_text, model_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train or fine-tune a model from a YAML config",
        description="Train the model a YAML config describes (configs/*.yaml) into "
                    "RUNS/<name>/: train.log, last/ (resumable state) and best/ (the model "
                    "with the best validation loss). Run it again to resume after a stop. "
                    "Under torchrun it trains data-parallel.",
    )
    p.add_argument("config", metavar="CONFIG", type=Path, nargs="?",
                   help="a training config (.yaml); with --data and no CONFIG: "
                        "configs/partita-base-finetune.yaml")
    p.add_argument("--data", metavar="DIR", type=Path,
                   help="fine-tune on the MIDI files in DIR (and its subfolders) instead of "
                        "the config's data")
    p.add_argument("--from", dest="init_from", metavar="MODEL",
                   help="model to start from (name or folder; default with --data: "
                        "partita-base)")
    p.add_argument("--runs", metavar="DIR", type=Path, default=Path("runs"),
                   help="where runs are written (default: ./runs)")
    p.add_argument("--steps", type=int, help="train exactly N steps (instead of the config's "
                                            "steps or time budget)")
    p.add_argument("--minutes", type=float, metavar="M",
                   help="a time budget: the schedule is fitted to end in M minutes")
    p.add_argument("--name", help="the model's name (a-z, 0-9, '.', '_', '-'); default: the "
                                  "config's, or with --data the folder's")
    p.set_defaults(func=run_train)

    p = subparsers.add_parser(
        "eval",
        help="score a model on a data split (NLL and musical statistics)",
        description="Negative log-likelihood (nats per voice per 16th step; note-wise "
                    "orderless and Coconet's frame-wise protocol) of a model on one split "
                    "of a JSB-format JSON file, and statistics of generated samples "
                    "against the real music.",
    )
    p.add_argument("--data", metavar="FILE", type=Path, required=True,
                   help="JSB-format JSON file ({split: [chorale, ...]})")
    p.add_argument("--split", required=True, help="split to score, e.g. valid")
    p.add_argument("--model", default="chorale-jsb",
                   help="shipped model, installed model pack (by name) or model folder "
                        "(default: chorale-jsb)")
    p.add_argument("--samples", type=int, default=8, help="samples to generate for statistics")
    p.add_argument("--ratios", type=int, default=16,
                   help="stratified mask draws per window for the NLL estimate (default 16)")
    p.add_argument("--limit", type=int, metavar="N",
                   help="score only the first N pieces (N ≥ 1)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the mask draws and samples (default 0: the same figures "
                        "on every run)")
    p.add_argument("--precision", default="auto", choices=("auto", "fp32", "int8", "int4"),
                   help="weights to score (default: the model's shipped precision)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(func=run_eval)


FINE_TUNE_CONFIG = shipped("configs", "partita-base-finetune.yaml")


def run_train(args: argparse.Namespace) -> int:
    from engine.models.train import ConfigError, TrainConfig, train

    if args.config is None:
        if args.data is None:
            raise CliError("give a training config (configs/*.yaml), or --data DIR to "
                           "fine-tune partita-base on your MIDI files")
        args.config = FINE_TUNE_CONFIG
    if args.steps is not None and args.steps < 1:
        raise CliError(f"--steps must be at least 1 (got {args.steps})")
    if args.minutes is not None and not args.minutes > 0:
        raise CliError(f"--minutes must be more than 0 (got {args.minutes:g})")
    try:
        cfg = TrainConfig.load(args.config)
    except ConfigError as e:
        raise CliError(str(e)) from None
    if args.data is not None:
        if not args.data.is_dir():
            raise CliError(f"{args.data}: not a folder of MIDI files")
        transpose = cfg.data.get("transpose", 0) if cfg.data.get("kind") == "midi" else 0
        cfg.data = {"kind": "midi", "path": str(args.data), "transpose": transpose,
                    # The folder's name only: a model pack is shared, your paths are not.
                    "description": f"user MIDI files in '{Path(args.data).resolve().name}'"}
        cfg.init_from = args.init_from or cfg.init_from or "partita-base"
        if not args.name:  # not the base config's name ("partita-base" is the shipped one)
            cfg.name = folder_model_name(args.data)
            print(f"partita: training {cfg.name!r} (--name to choose another name)",
                  file=sys.stderr)
    elif args.init_from:
        cfg.init_from = args.init_from
    if cfg.init_from:
        cfg.init_from = str(model_folder(cfg.init_from))
    if args.steps is not None:
        cfg.steps, cfg.minutes = args.steps, 0.0
    if args.minutes is not None:
        cfg.minutes = args.minutes
    if args.name:
        cfg.name = args.name
    try:  # --name and --steps as carefully as the file's own values
        cfg = cfg.checked(str(args.config) if not args.name else "--name")
    except ConfigError as e:
        raise CliError(str(e)) from None
    if args.data is not None:
        cfg.manifest = _fine_tuned_manifest(cfg.manifest, Path(cfg.init_from), args.data)
    try:
        summary = train(cfg, args.runs)
    except ConfigError as e:  # found once the data and the starting model are read
        raise CliError(f"{args.config}: {e}") from None
    except KeyboardInterrupt:
        print(f"partita: the run is saved in {args.runs / cfg.name}: the same command "
              "resumes it", file=sys.stderr)
        raise
    best = summary.get("best_valid")
    if best is not None:
        folder = Path(summary["run"]) / "best"
        print(f"{cfg.name}: step {summary['step']}, best validation loss {best:.4f} "
              f"(nats per cell); model in {folder}")
        print(f"  use it:     partita repaint SONG -o OUT --model {folder} …\n"
              f"  smaller:    partita quantize {folder} --precision int8\n"
              f"  install it: partita models install {folder}   (then --model {cfg.name}, "
              "and in the studio's model list)")
    return 0


def folder_model_name(folder: Path) -> str:
    """A model name from a folder's name: ``"My Jazz Songs"`` → ``"my-jazz-songs"``."""
    import re

    slug = re.sub(r"[^a-z0-9._-]+", "-", folder.resolve().name.lower()).strip("-._")[:64]
    return slug or "my-model"


def _fine_tuned_manifest(manifest: dict, base_folder: Path, data: Path) -> dict:
    """A model fine-tuned on the user's files is a new model: its own first version and a
    description saying what it came from, not the base config's ("short CPU training")."""
    from engine.models.checkpoint import read_manifest

    base = read_manifest(base_folder)
    name, version = base.get("name", base_folder.name), base.get("version", "?")
    return {**{k: v for k, v in manifest.items()
               if k not in ("version", "description", "author", "licence")},
            "version": "0.1.0",
            "description": f"{name} {version} fine-tuned on the MIDI files of "
                           f"'{Path(data).resolve().name}'",
            "fine_tuned_from": {"name": name, "version": version},
            # Yours, not ours: the base model's author and licence say nothing of your files.
            "author": "", "licence": ""}


def run_eval(args: argparse.Namespace) -> int:
    import torch

    from engine.models.checkpoint import read_manifest
    from engine.models.evaluate import evaluate
    from engine.models.runtime import load_denoiser, resolve_precision

    if args.limit is not None and args.limit < 1:
        raise CliError(f"--limit must be at least 1 (got {args.limit})")
    if args.samples < 0:
        raise CliError(f"--samples must be 0 or more (got {args.samples})")
    if args.ratios < 1:
        raise CliError(f"--ratios must be at least 1 (got {args.ratios})")
    if args.seed < 0:
        raise CliError(f"--seed must be 0 or more (got {args.seed})")
    pieces = _load_pieces(args.data, args.split)  # a wrong file fails before the model loads
    if args.limit is not None:
        pieces = pieces[: args.limit]
    if not pieces:
        raise CliError(f"{args.data}: split {args.split!r} is empty")
    torch.set_num_threads(1)
    folder = model_folder(args.model)
    manifest = read_manifest(folder)
    precision = resolve_precision(folder, args.precision)
    model = load_denoiser(folder, precision, threads=1)
    report = evaluate(model, pieces, samples=args.samples, n_ratios=args.ratios, seed=args.seed)
    report = {"model": manifest.get("name"), "model_path": str(folder),
              "precision": precision, "data": str(args.data), "split": args.split, **report}
    if args.json:
        print(json_text(report))
        return 0
    _print_report(report)
    return 0


def _load_pieces(path: Path, split: str) -> list:
    from engine.io.errors import FileFormatError
    from engine.models.data import load_jsb

    try:
        return load_jsb(path, split)
    except UnicodeDecodeError:
        raise FileFormatError(path, "not a JSB-format JSON file ({split: [chorale, ...]}): "
                              "it is not text") from None


def _print_report(r: dict) -> None:
    out = sys.stdout.write
    out(f"model      {r['model']} ({r['model_path']}), precision {r['precision']}\n")
    out(f"data       {r['data']} [{r['split']}]: {r['pieces']} pieces, {r['cells']} "
        "voice-steps\n")
    out(f"nll_note   {r['nll_note']:.4f} ± {r['nll_note_stderr']:.4f}  ({r['unit']})\n")
    out(f"nll_frame  {r['nll_frame']:.4f} ± {r['nll_frame_stderr']:.4f}\n")
    refs = ", ".join(f"{k} {v}" for k, v in r["references_nll_note"].items())
    out(f"reference  {refs} (nll_note)\n")
    if r.get("samples"):
        d = r["stats_distance"]
        out(f"samples    {r['samples']} generated\n")
        out(f"  pitch-class distance (TV)  {d['pitch_class_tv_distance']:.3f}\n")
        out(f"  parallel 5ths/8ves rate    real {d['parallel_rate_real']:.4f}  "
            f"generated {d['parallel_rate_generated']:.4f}\n")
        out(f"  note density (onsets/cell) real {d['note_density_real']:.3f}  "
            f"generated {d['note_density_generated']:.3f}\n")
        ranges = zip(r["stats_real"]["ranges"], r["stats_generated"]["ranges"], strict=False)
        for i, (a, b) in enumerate(ranges):
            out(f"  lane {i} range               real {_rng(a)}  generated {_rng(b)}\n")


def _rng(r: list[int] | None) -> str:
    return "-" if not r else f"{r[0]}..{r[1]}"
