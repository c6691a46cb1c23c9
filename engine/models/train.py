"""Training loop of the denoiser: masked (absorbing-state) discrete diffusion.

Each step draws a batch of crops with random training masks (:mod:`engine.models.data`)
and minimises the cross-entropy of the masked cells, averaged per item then over the
batch. For the ``random`` masks (ratio ``r ~ U(0,1)``) the per-item mean over the ~``r·N``
masked cells is ``(1/r)·Σ CE / N``: the absorbing-diffusion ELBO weight ``1/r`` up to
using the realised masked count, so no extra weight is applied (docs/model-training.md).

Run layout (``runs/<name>/``): ``train.log`` (config, then one line per log/validation),
``last/`` (model + optimizer + state, written every ``val_every`` steps; a killed run
resumes from it), ``best/`` (the model folder with the best validation loss so far).

Reproducible: batch ``k`` of rank ``r`` is a function of ``(seed, k, r)`` only, so a
resumed run sees the data an uninterrupted one would. Under ``torchrun`` it trains
data-parallel (DDP; gloo on CPU, NCCL on GPU); rank 0 validates, logs and saves.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch
import torch.distributed as dist
import yaml

from engine.errors import PartitaError
from engine.models import checkpoint, data, grow
from engine.models.evaluate import orderless_nll
from engine.models.grid import COMPOUND_OFFSET
from engine.models.network import AxialDenoiser, NetworkConfig, parameter_count
from engine.plugins.manifest import name_problem
from engine.score.instruments import ROLE_IDS, ROLES


class ConfigError(PartitaError, ValueError):
    """A training config file is missing a field or has a bad value."""


@dataclass
class TrainConfig:
    """A training run, as written in a YAML file under ``configs/``."""

    name: str
    data: dict[str, Any]  # kind: jsb|cache|midi; path; train_split; valid_split; transpose
    model: dict[str, Any] = field(default_factory=dict)  # NetworkConfig fields
    steps: int = 10000
    minutes: float = 0.0  # a time budget: when > 0, ``steps`` is fitted to it after warm-up
    batch_size: int = 8
    crop_steps: int = 128
    crop_min_steps: int = 0  # when > 0, each batch's crop length is drawn in [min, crop_steps]
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    seed: int = 0
    log_every: int = 25
    val_every: int = 250
    val_ratios: int = 4  # stratified mask ratios per validation piece
    threads: int = 1  # CPU threads per process (the machine is shared)
    workers: int = 0  # batch-building processes (a GPU outpaces one Python loop; 0 = inline)
    init_from: str = ""  # model folder to fine-tune from
    masks: dict[str, float] = field(default_factory=lambda: dict(data.MASK_KINDS))
    relabel_roles: float = 0.0  # probability of band roles for an item (data.relabel_roles)
    # Parameter-name prefixes to train (empty: all), e.g. ["beat"] to teach a model new
    # meters while every other weight stays as it was.
    trainable: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)  # description, version, ...

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainConfig:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{path}: cannot read the config ({e.strerror})") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: a training config is a YAML mapping")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"{path}: unknown field {unknown[0]!r}")
        for key in ("name", "data"):
            if key not in raw:
                raise ConfigError(f"{path}: field {key!r} is missing")
        if not isinstance(raw["data"], dict):
            raise ConfigError(f"{path}: field 'data' must be a mapping (kind, path, ...)")
        return cls(**raw).checked(str(path))

    def checked(self, where: str) -> TrainConfig:
        """This config with its numbers as numbers (YAML reads ``3e-4`` as text), or a
        :class:`ConfigError` naming ``where`` and the first value a run cannot use (a
        typo caught here costs a second, not an hour of training)."""
        problem = name_problem(str(self.name))
        if problem:
            raise ConfigError(f"{where}: name {problem}")
        values = {}
        for key, (kind, low, high) in _NUMBERS.items():
            value = getattr(self, key)
            if isinstance(value, str):  # "3e-4", "1_000"
                with contextlib.suppress(ValueError):
                    value = float(value.replace("_", ""))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    math.isfinite(value) and (kind is float or value == int(value))):
                raise ConfigError(f"{where}: {key} must be {_kind_text(kind)}, not {value!r}")
            value = kind(value)
            if not low <= value <= high:
                raise ConfigError(f"{where}: {key} {value!r} is outside {low}..{high}")
            values[key] = value
        unknown = sorted(set(self.model) - set(NetworkConfig.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"{where}: model: unknown field {unknown[0]!r} (fields: "
                              f"{', '.join(NetworkConfig.__dataclass_fields__)})")
        if not isinstance(self.trainable, list) or not all(
                isinstance(t, str) and t for t in self.trainable):
            raise ConfigError(f"{where}: trainable must be a list of parameter names, "
                              "e.g. [beat]")
        if self.data.get("meters", "any") not in METER_FILTERS:
            raise ConfigError(f"{where}: data: meters must be one of "
                              f"{', '.join(METER_FILTERS)}, not {self.data['meters']!r}")
        bad = sorted(set(self.masks) - set(data.MASK_KINDS))
        if bad:
            raise ConfigError(f"{where}: masks: unknown kind {bad[0]!r} (kinds: "
                              f"{', '.join(data.MASK_KINDS)})")
        if any(not isinstance(w, (int, float)) or w < 0 for w in self.masks.values()) or (
                self.masks and sum(self.masks.values()) <= 0):
            raise ConfigError(f"{where}: masks: weights must be numbers ≥ 0, not all 0")
        return replace(self, **values)


# Numeric fields: (type, lowest, highest) a run can use.
_NUMBERS: dict[str, tuple[type, float, float]] = {
    "steps": (int, 1, 10**9), "minutes": (float, 0, 10**6), "batch_size": (int, 1, 65536),
    "crop_steps": (int, 16, 1 << 16), "crop_min_steps": (int, 0, 1 << 16),
    "lr": (float, 1e-9, 10.0), "warmup": (int, 0, 10**9), "weight_decay": (float, 0, 10.0),
    "grad_clip": (float, 1e-9, 1e9), "seed": (int, -(2**63), 2**63 - 1),
    "log_every": (int, 1, 10**9), "val_every": (int, 1, 10**9), "val_ratios": (int, 1, 1024),
    "threads": (int, 1, 1024), "workers": (int, 0, 256), "relabel_roles": (float, 0, 1),
}


def _kind_text(kind: type) -> str:
    return "a whole number" if kind is int else "a number"


# -- data ----------------------------------------------------------------------------------

# ``data: meters:``: every piece, or only those with a compound bar (6/8, 12/8, …) or none.
METER_FILTERS = ("any", "compound", "simple")


def _of_meters(pieces: list[data.Piece], meters: str) -> list[data.Piece]:
    if meters == "any":
        return pieces
    want = meters == "compound"
    return [p for p in pieces if bool((p.beat_pos >= COMPOUND_OFFSET).any()) == want]


def load_split(spec: dict[str, Any], split: str) -> list[data.Piece]:
    """The pieces of one split of a config's ``data`` section (a folder of MIDI files is
    read once for both splits: :func:`_training_data`)."""
    kind = spec.get("kind", "jsb")
    if kind == "jsb":
        return data.load_jsb(spec["path"], spec.get(f"{split}_split", split))
    if kind == "cache":
        try:
            return data.load_pieces(Path(spec["path"]) / f"{split}.npz")
        except ValueError as e:  # an older encoding
            raise ConfigError(str(e)) from None
    raise ConfigError(f"unknown data kind {kind!r} (use jsb, cache or midi)")


def step_batch(cfg: TrainConfig, pieces: list[data.Piece], step: int, rank: int) -> data.Batch:
    """Batch ``step`` of ``rank``: a pure function of ``(seed, step, rank)``."""
    rng = np.random.default_rng([cfg.seed, step, rank])
    crop_steps = cfg.crop_steps
    if 0 < cfg.crop_min_steps < cfg.crop_steps:
        crop_steps = int(rng.integers(cfg.crop_min_steps, cfg.crop_steps + 1))
    return data.make_batch(pieces, rng, cfg.batch_size, crop_steps,
                           int(cfg.data.get("transpose", 0)), cfg.masks, cfg.relabel_roles)


class _StepBatches(torch.utils.data.IterableDataset):
    """Batches from ``start`` on, built in DataLoader workers: worker ``i`` of ``n`` builds
    steps ``start + i``, ``start + i + n``, ... and the loader takes one from each worker in
    turn, so batches arrive in step order and the run stays deterministic."""

    def __init__(self, cfg: TrainConfig, pieces: list[data.Piece], start: int, rank: int):
        self.cfg, self.pieces, self.start, self.rank = cfg, pieces, start, rank

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        worker, n = (info.id, info.num_workers) if info else (0, 1)
        step = self.start + worker
        while True:
            yield step_batch(self.cfg, self.pieces, step, self.rank)
            step += n


def _batches(cfg: TrainConfig, pieces: list[data.Piece], start: int, rank: int):
    batches = _StepBatches(cfg, pieces, start, rank)
    if cfg.workers <= 0:
        yield from batches  # inline: the one "worker" builds every step
    else:
        yield from torch.utils.data.DataLoader(
            batches, batch_size=None, num_workers=cfg.workers, prefetch_factor=4,
            collate_fn=lambda b: b)


# -- the loss ------------------------------------------------------------------------------


def batch_loss(model: torch.nn.Module, batch: data.Batch, device: torch.device) -> torch.Tensor:
    """Mean over items of the mean cross-entropy of each item's masked cells."""
    tokens = torch.as_tensor(batch.tokens, device=device)
    mask = torch.as_tensor(batch.mask, device=device)
    logits = model(torch.as_tensor(batch.inputs(), device=device),
                   torch.as_tensor(batch.roles, device=device),
                   torch.as_tensor(batch.beat_pos, device=device))
    ce = torch.nn.functional.cross_entropy(logits.permute(0, 3, 1, 2), tokens, reduction="none")
    per_item = (ce * mask).sum((1, 2)) / mask.sum((1, 2)).clamp_min(1)
    return per_item.mean()


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    x = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, x))))


def validation_loss(model: AxialDenoiser, pieces: list[data.Piece], cfg: TrainConfig,
                    device: torch.device) -> float:
    """Orderless NLL estimate (nats per cell) on the first window of every valid piece."""
    crops = [data.Piece(p.tokens[:, : model.max_steps], p.roles,
                        p.beat_pos[: model.max_steps], p.name) for p in pieces]
    return orderless_nll(model, crops, n_ratios=cfg.val_ratios, seed=1234, device=device)["nll"]


# -- the loop ------------------------------------------------------------------------------


class _Log:
    """Lines to ``train.log`` (and to stderr when no progress bar shows them)."""

    def __init__(self, path: Path | None, echo: bool) -> None:
        self.path, self.echo = path, echo

    def __call__(self, line: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(f"{stamp} {line}\n")
        if self.echo:
            print(line, file=sys.stderr, flush=True)


def _distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    rank = dist.get_rank() if dist.is_initialized() else 0
    return rank, world



def _training_data(cfg: TrainConfig, main: bool) -> tuple[list, list, str]:
    """``(train, valid, report)``: the pieces (valid on rank 0 only) and, for a folder of
    MIDI files, a log line saying which files were used and which were left out."""
    report = ""
    if cfg.data.get("kind") == "midi":
        folder = data.read_midi_folder(cfg.data["path"], cfg.data.get("max_lanes", 12))
        train_pieces, valid_pieces = folder.split()
        report = folder.report()
    else:
        train_pieces = load_split(cfg.data, "train")
        valid_pieces = load_split(cfg.data, "valid") if main else []
    meters = cfg.data.get("meters", "any")
    train_pieces = _of_meters(train_pieces, meters)
    valid_pieces = _of_meters(valid_pieces, meters)
    if cfg.data.get("twelve_eight"):  # 6/8 pieces read in 12/8 too (data.as_twelve_eight)
        train_pieces += [p for p in map(data.as_twelve_eight, train_pieces) if p is not None]
        valid_pieces += [p for p in map(data.as_twelve_eight, valid_pieces) if p is not None]
    if not train_pieces:
        raise ConfigError(f"{cfg.name}: its data has no training pieces")
    return train_pieces, valid_pieces if main else [], report


def _identity(cfg: TrainConfig) -> dict[str, Any]:
    """What makes a run this run: its data, its starting model and its network. A rerun
    that differs in these is another run, not a resume."""
    spec = dict(cfg.data)
    if "path" in spec:
        spec["path"] = os.path.abspath(spec["path"])
    return {"data": spec, "init_from": os.path.abspath(cfg.init_from) if cfg.init_from else "",
            "model": dict(cfg.model), **({"trainable": cfg.trainable} if cfg.trainable else {})}


def _resume(run: Path, cfg: TrainConfig, model: AxialDenoiser,
            optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """The state of the run in ``run``, restored into ``model`` and ``optimizer``; refused
    when ``cfg`` asks for another run (new files in --data would be silently ignored)."""
    try:
        state = checkpoint.load_state(run / "last", model, optimizer)
    except (checkpoint.ModelFileError, RuntimeError, ValueError) as e:
        raise ConfigError(f"{run / 'last'}: cannot resume ({e}); delete that folder to start "
                          f"the run over (the best model so far stays in {run / 'best'})"
                          ) from None
    old, new = state.get("identity"), _identity(cfg)
    if old is not None and old != new:
        what = [k for k in ("data", "init_from", "model", "trainable")
                if old.get(k) != new.get(k)]
        names = {"data": "training data", "init_from": "starting model", "model": "network",
                 "trainable": "set of trained parameters"}
        raise ConfigError(f"{run} holds a run with another {' and '.join(names[k] for k in what)}"
                          f"; give this one another name (--name), or delete {run} to start "
                          "over")
    return state


def _claim(run: Path) -> IO[str] | None:
    """An exclusive lock on the run folder, held until the returned handle is closed (or
    the process ends): two trainers of one run would write the same checkpoints. Nothing
    where the platform has no ``flock``."""
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    handle = (run / ".lock").open("a")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConfigError(f"{run} is being trained by another process; wait for it, or "
                          "give this run another name (--name)") from None
    return handle


def _initial_model(cfg: TrainConfig, net_cfg: NetworkConfig) -> AxialDenoiser:
    """A fresh network, or ``init_from``'s weights; a bigger ``model`` section grows them."""
    model = AxialDenoiser(net_cfg)
    if not cfg.init_from:
        return model
    source, _ = checkpoint.load_model(cfg.init_from)
    if "meters" not in cfg.model:  # a config older than meters keeps the model's
        net_cfg = replace(net_cfg, meters=source.cfg.meters)
        model = AxialDenoiser(net_cfg)
    if grow.same_shape(source.cfg, net_cfg):
        model.load_state_dict(source.state_dict())
        return model
    problem = grow.growth_problem(source.cfg, net_cfg)
    if problem:
        raise ConfigError(f"{cfg.init_from}: its network cannot start this config's "
                          f"'model' ({problem}); fine-tune with the config it was trained "
                          "with (configs/partita-base-finetune.yaml for partita-base, "
                          "configs/chorale-jsb-finetune.yaml for chorale-jsb) or a wider one")
    return grow.grow(source, net_cfg, seed=cfg.seed)


def train(
    cfg: TrainConfig,
    runs_dir: str | os.PathLike[str] = "runs",
    *,
    stop_after: int | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Train (or resume) ``cfg``; returns a summary. ``stop_after`` ends this call after
    that many steps (a simulated kill, for tests) without finishing the schedule."""
    rank, world = _distributed()
    torch.set_num_threads(max(1, int(cfg.threads)))
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")
    if cuda:  # TF32 matmuls: ~free accuracy-wise for this loss, several times the throughput
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    run = Path(runs_dir) / cfg.name
    main = rank == 0
    # Data and the starting network first: a run that cannot start leaves no folder.
    train_pieces, valid_pieces, data_report = _training_data(cfg, main)
    net_cfg = NetworkConfig.from_dict(cfg.model)
    torch.manual_seed(cfg.seed)
    try:
        model = _initial_model(cfg, net_cfg)
    except ValueError as e:  # a shape the network cannot take (ConfigError passes through)
        if isinstance(e, ConfigError):
            raise
        raise ConfigError(f"{cfg.name}: its 'model' section: {e}") from None
    model.to(device)
    trained = _trainable(model, cfg)
    optimizer = torch.optim.AdamW(trained, lr=cfg.lr, betas=(0.9, 0.98),
                                  weight_decay=cfg.weight_decay)
    claim = None
    if main:
        run.mkdir(parents=True, exist_ok=True)
        claim = _claim(run)  # held while this call trains: one trainer per run folder
    use_bar = main and sys.stderr.isatty()
    log = _Log(run / "train.log" if main else None, echo=main and not use_bar)
    state: dict[str, Any] = {"step": 0, "best_valid": None, "seconds": 0.0,
                             "identity": _identity(cfg)}
    if (run / "last" / checkpoint.STATE_NAME).is_file():
        try:
            state = _resume(run, cfg, model, optimizer)
        except ConfigError:
            if claim is not None:
                claim.close()
            raise
        if state.get("steps"):  # a time-budgeted run resumes with the schedule it fitted
            cfg = replace(cfg, steps=int(state["steps"]))
        log(f"resumed at step {state['step']} (best valid {state['best_valid']})")
    else:
        log(f"config {json.dumps(asdict(cfg))}")
        if data_report:
            log(data_report)
        log(f"model {parameter_count(model):,} parameters, device {device}, world {world}")
    wrapped: torch.nn.Module = model
    if world > 1:
        wrapped = torch.nn.parallel.DistributedDataParallel(model)

    info = _manifest_info(cfg, train_pieces, parameter_count(model))
    start_step, t0 = int(state["step"]), time.monotonic() - float(state.get("seconds", 0.0))
    call_t0 = time.monotonic()
    end = cfg.steps if stop_after is None else min(cfg.steps, start_step + stop_after)
    bar = None
    if use_bar:
        from tqdm import tqdm

        bar = tqdm(total=cfg.steps, initial=start_step, desc=cfg.name, unit="step",
                   file=sys.stderr, dynamic_ncols=True)
    recent: list[float] = []
    model.train()
    budgeted = cfg.minutes > 0 and not state.get("steps")
    refit_at: int | None = None
    steady_from = (start_step, call_t0)
    step = done = start_step
    over_budget = False
    batches = _batches(cfg, train_pieces, start_step, rank)
    try:
        while step < end:
            torch.manual_seed(cfg.seed * 1_000_003 + step * 101 + rank)  # dropout
            batch = next(batches)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, cfg)
            loss = batch_loss(wrapped, batch, device)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, cfg.grad_clip)
            optimizer.step()
            done = step = step + 1  # at once: a Ctrl+C from here on saves this step too
            value = float(loss.detach())
            recent.append(value)
            if on_step is not None:
                on_step(step, value)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{np.mean(recent[-50:]):.3f}")
            first_fit = budgeted and done == max(cfg.warmup, 50)
            if first_fit or (refit_at is not None and done == refit_at):
                since, share = ((start_step, call_t0), 0.9) if first_fit else (steady_from, 0.97)
                rate = (done - since[0]) / max(1e-9, time.monotonic() - since[1])
                left = cfg.minutes * 60 - (time.monotonic() - t0)
                cfg = replace(cfg, steps=_fit_to_budget(done, rate, left, world, device, share))
                end = cfg.steps if stop_after is None else min(cfg.steps, start_step + stop_after)
                state = {**state, "steps": cfg.steps}
                info["training"]["steps"] = cfg.steps
                if bar is not None:
                    bar.total = cfg.steps
                if main:
                    what = (f"time budget {cfg.minutes:g} min" if first_fit
                            else f"time budget refitted at step {done}")
                    log(f"{what}: {rate:.2f} step/s, {cfg.steps} steps")
                # The first rate includes start-up (CUDA, loader workers): on a GPU it read 28.7
                # step/s against a steady 30.2, and an 8.2-minute budget ended at 7.0. Fit once
                # more on the steady rate, early, while the cosine is still near its peak.
                budgeted = False
                refit_at = done + max(50, (cfg.steps - done) // 8) if first_fit else None
                steady_from = (done, time.monotonic())
            if main and done % cfg.log_every == 0:
                rate = (done - start_step) / max(1e-9, time.monotonic() - call_t0)
                eta = (cfg.steps - done) / max(rate, 1e-9)
                log(f"step {done}/{cfg.steps} loss {np.mean(recent[-cfg.log_every:]):.4f} "
                    f"lr {lr_at(done - 1, cfg):.2e} {rate:.2f} step/s eta {eta / 60:.1f} min")
            if cfg.minutes > 0 and world == 1 and time.monotonic() - t0 > cfg.minutes * 60:
                end, over_budget = done, True  # slower than measured: validate, save, stop
            if done % cfg.val_every == 0 or done == end:
                if main:
                    state = _validate_and_save(model, optimizer, valid_pieces, cfg, device, run,
                                               state, done, time.monotonic() - t0, info, log)
                    model.train()
                if world > 1:
                    dist.barrier()
    except KeyboardInterrupt:
        # Ctrl+C: keep the steps done since the last save (up to val_every of them); the
        # same command resumes here. The best model stays the last validated one.
        if main and done > int(state["step"]):
            state = {**state, "step": done, "seconds": time.monotonic() - t0}
            checkpoint.save_state(run / "last", model, optimizer, state, info)
            log(f"interrupted at step {done}: saved to resume")
        if claim is not None:  # free at once: a notebook keeps the interrupted frame alive
            claim.close()
        raise
    batches.close()  # stops the loader's workers
    if bar is not None:
        bar.close()
    if main and (end == cfg.steps or over_budget):
        log(f"finished: {end} steps, best valid {state['best_valid']}, "
            f"{(time.monotonic() - t0) / 60:.1f} min")
    summary = {"step": end, "best_valid": state.get("best_valid"),
               "last_loss": recent[-1] if recent else None, "run": str(run)}
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    if claim is not None:
        claim.close()
    return summary


def _trainable(model: AxialDenoiser, cfg: TrainConfig) -> list[torch.nn.Parameter]:
    """The parameters ``cfg.trainable`` names (all when it names none); the others are
    frozen, so the optimizer neither moves nor decays them."""
    if not cfg.trainable:
        return list(model.parameters())
    named = dict(model.named_parameters())
    chosen = [n for n in named if any(n == t or n.startswith(t + ".") for t in cfg.trainable)]
    if not chosen:
        raise ConfigError(f"{cfg.name}: trainable {cfg.trainable} names no parameter of the "
                          f"network (its parameters start with: "
                          f"{', '.join(sorted({n.split('.')[0] for n in named}))})")
    for name, p in named.items():
        p.requires_grad_(name in chosen)
    return [named[n] for n in chosen]


def _fit_to_budget(done: int, rate: float, seconds_left: float, world: int,
                   device: torch.device, share: float = 0.9) -> int:
    """The schedule's total steps for a time budget, from the step rate measured so far;
    ``1 - share`` of the time left is kept for validations and saves (the refit's rate
    already includes the validations). Under DDP every rank must agree, so rank 0's
    figure is broadcast."""
    fitted = torch.tensor([done + int(share * rate * max(0.0, seconds_left))], device=device)
    if world > 1:
        dist.broadcast(fitted, 0)
    return max(done + 1, int(fitted))


def _validate_and_save(model, optimizer, valid_pieces, cfg, device, run, state, done,
                       seconds, info, log) -> dict[str, Any]:
    model.eval()
    with torch.no_grad():
        val = validation_loss(model, valid_pieces, cfg, device) if valid_pieces else math.nan
    best = state.get("best_valid")
    improved = best is None or (not math.isnan(val) and val < best)
    state = {**state, "step": done, "seconds": seconds}
    if improved:
        state["best_valid"] = val
        checkpoint.save_model(run / "best", model, {
            **info, "metrics": {"valid_loss": round(val, 4), "step": done,
                                "train_minutes": round(seconds / 60, 1)}})
    checkpoint.save_state(run / "last", model, optimizer, state, info)
    log(f"valid step {done} loss {val:.4f}{' (best)' if improved else ''} "
        f"best {state['best_valid']:.4f}")
    return state


def _manifest_info(cfg: TrainConfig, pieces: list[data.Piece], n_params: int) -> dict[str, Any]:
    lanes = max((p.n_lanes for p in pieces), default=0)
    seen = {int(r) for p in pieces for r in p.roles}
    if cfg.relabel_roles > 0:
        seen |= {ROLE_IDS[r] for r in data.RELABEL_ROLES}
    roles = sorted(seen)
    info: dict[str, Any] = {
        "name": cfg.name, "version": "0.1.0",
        "description": f"Axial-transformer masked diffusion model ({n_params:,} parameters)",
        "training_data": {"kind": cfg.data.get("kind", "jsb"),
                          "source": cfg.data.get("description", cfg.data.get("path", "")),
                          "pieces": len(pieces), "transpose": cfg.data.get("transpose", 0)},
        "grid": {"steps_per_beat": 4, "max_steps": int(cfg.model.get("max_steps", 128)),
                 "lanes": lanes},
        "training_roles": [ROLES[r] for r in roles],
        "training": {"steps": cfg.steps, "batch_size": cfg.batch_size,
                     "crop_steps": cfg.crop_steps, "lr": cfg.lr, "seed": cfg.seed,
                     "masks": cfg.masks, "loss": "masked CE, mean per item (ELBO weighting)",
                     **({"trainable": cfg.trainable} if cfg.trainable else {})},
    }
    info.update(cfg.manifest)
    return info
