"""Post-training weight quantization of the denoiser: int8 and int4, group-wise, calibrated.

Every ``nn.Linear`` weight ``W`` (``[N out, K in]``) is cut along its input dimension into
groups of ``group_size`` (``None``: one group per row, i.e. per output channel) and stored
as integer codes ``q = clamp(round(W / s), -2^(b-1), 2^(b-1) - 1)`` with one fp16 scale
``s`` per (row, group). The scale is ``s = α · absmax / qmax`` with the clipping ``α``
chosen per (row, group) to minimise the error of the layer's *output* on calibration
activations, ``dW · H · dWᵀ`` with ``H = Σ xᵀx`` over the layer's inputs (the block of
``H`` that belongs to the group). The inputs are gathered where the sampler goes: real
grids masked at many ratios (1.0 — nothing known, the first step — down to 0.1) and the
denoiser's own inputs along sampler trajectories, so the early, mostly-masked steps weigh
as much as the late ones (the time-step-aware point of Q-Diffusion / TFMQ-DM).

Files, beside ``model.safetensors``: ``model.int8.safetensors`` / ``model.int4.safetensors``
holding, for each linear layer ``NAME``, ``NAME.qweight`` (int8 ``[N, K]``; int4: uint8
``[N, K/2]``, two codes per byte, low nibble first, stored as ``code + 8``) and
``NAME.scales`` (fp16 ``[N, K/group]``); the other tensors (embeddings, norms, biases) in
fp16. The manifest lists each file in ``weights`` with its SHA-256, ``precision``, ``bits``,
``group_size`` and scale layout; :func:`load_quantized` checks the hash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from engine.models import vocab
from engine.models.checkpoint import (
    WEIGHTS_NAME,
    ModelFileError,
    check_weight_shapes,
    load_model,
    read_manifest,
    sha256_of,
    write_json,
    write_tensors,
)
from engine.models.network import AxialDenoiser, NetworkConfig

BITS = {"int8": 8, "int4": 4}
# int8: one scale per output channel — the layout the fast integer GEMM kernels take.
# int4: groups of 32 along the input dimension (4.5 bits per weight with fp16 scales).
DEFAULT_GROUP: dict[str, int | None] = {"int8": None, "int4": 32}
CALIBRATION_RATIOS = (1.0, 0.9, 0.75, 0.6, 0.45, 0.3, 0.15, 0.05)
CLIP_GRID = {8: np.linspace(0.80, 1.0, 11), 4: np.linspace(0.55, 1.0, 19)}


def weights_name(precision: str) -> str:
    """The weights file of a precision: ``model.safetensors``, ``model.int8.safetensors``…"""
    return WEIGHTS_NAME if precision == "fp32" else f"model.{precision}.safetensors"


# -- group-wise quantization of one matrix ---------------------------------------------------


def _groups(w: torch.Tensor, group_size: int | None) -> torch.Tensor:
    """``[N, K]`` → ``[N, K / g, g]`` (``g = K`` when ``group_size`` is None)."""
    n, k = w.shape
    g = k if group_size is None else group_size
    if k % g:
        raise ValueError(f"input dimension {k} is not a multiple of the group size {g}")
    return w.reshape(n, k // g, g)


def quantize_groups(
    w: torch.Tensor, bits: int, group_size: int | None, clip: torch.Tensor | float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric group-wise codes (int8 ``[N, K]``) and scales (fp32 ``[N, K/g]``).

    ``clip`` (scalar or ``[N, K/g]``) shrinks each group's range below its absolute max.
    """
    qmax = 2 ** (bits - 1) - 1
    wg = _groups(w.float(), group_size)
    absmax = wg.abs().amax(-1)
    scale = (absmax * clip / qmax).clamp_min(1e-12)
    # Scales are stored in fp16: quantize against the fp16-rounded value.
    scale = scale.to(torch.float16).float().clamp_min(2**-24)
    q = torch.clamp(torch.round(wg / scale[..., None]), -qmax - 1, qmax)
    return q.reshape(w.shape).to(torch.int8), scale


def dequantize_groups(q: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """Codes ``[N, K]`` and scales ``[N, G]`` → fp32 weights ``[N, K]``."""
    n, k = q.shape
    g = k // scales.shape[1]
    return (q.float().reshape(n, -1, g) * scales.float()[..., None]).reshape(n, k)


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    """int8 codes in ``[-8, 7]``, ``[N, K]`` (K even) → uint8 ``[N, K/2]``, low nibble first."""
    if q.shape[-1] % 2:
        raise ValueError("int4 packing needs an even input dimension")
    u = (q.to(torch.int16) + 8).to(torch.uint8)
    return u[..., 0::2] | (u[..., 1::2] << 4)


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`pack_int4`."""
    lo = (packed & 0x0F).to(torch.int16) - 8
    hi = (packed >> 4).to(torch.int16) - 8
    return torch.stack((lo, hi), dim=-1).flatten(-2).to(torch.int8)


def choose_clip(
    w: torch.Tensor, hessian: torch.Tensor | None, bits: int, group_size: int | None
) -> torch.Tensor:
    """Per (row, group) clipping ``α`` minimising the output error ``dW H dWᵀ`` (the block of
    ``H`` on the group's inputs; plain weight error when ``hessian`` is None)."""
    wg = _groups(w.float(), group_size)
    n, n_groups, g = wg.shape
    if hessian is None:
        blocks = torch.eye(g).expand(n_groups, g, g)
    else:
        h = hessian.float()
        blocks = torch.stack([h[i * g:(i + 1) * g, i * g:(i + 1) * g] for i in range(n_groups)])
    best_err = torch.full((n, n_groups), float("inf"))
    best = torch.ones(n, n_groups)
    for alpha in CLIP_GRID[bits]:
        q, s = quantize_groups(w, bits, group_size, float(alpha))
        dw = wg - _groups(dequantize_groups(q, s), group_size)
        err = torch.einsum("ngi,gij,ngj->ng", dw, blocks, dw)
        better = err < best_err
        best_err = torch.where(better, err, best_err)
        best = torch.where(better, torch.full_like(best, float(alpha)), best)
    return best


# -- calibration ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalibrationInput:
    """One denoiser input: ``tokens`` (B, L, T), ``roles`` (B, L), ``beat_pos`` (B, T)."""

    tokens: torch.Tensor
    roles: torch.Tensor
    beat_pos: torch.Tensor


def masked_inputs(
    pieces: Sequence, steps: int, *, ratios: Sequence[float] = CALIBRATION_RATIOS,
    per_ratio: int = 4, seed: int = 0,
) -> list[CalibrationInput]:
    """Crops of real pieces (``data.Piece``) with a random fraction ``r`` of cells masked,
    ``per_ratio`` crops for every ratio in ``ratios``."""
    rng = np.random.default_rng(seed)
    out = []
    for r in ratios:
        for _ in range(per_ratio):
            p = pieces[int(rng.integers(len(pieces)))]
            width = min(steps, p.n_steps)
            start = int(rng.integers(0, p.n_steps - width + 1))
            tok = p.tokens[:, start:start + width].copy()
            tok[rng.random(tok.shape) < r] = vocab.MASK
            out.append(CalibrationInput(torch.as_tensor(tok)[None],
                                        torch.as_tensor(p.roles)[None],
                                        torch.as_tensor(p.beat_pos[start:start + width])[None]))
    return out


def trajectory_inputs(
    model: nn.Module, roles: Sequence[int], steps: int, *, sampling_steps: int = 8,
    runs: int = 2, seed: int = 0,
) -> list[CalibrationInput]:
    """The denoiser's own inputs along sampler runs from an empty grid (every step, from all
    masked to nearly decided), as Q-Diffusion calibrates on the sampler's trajectory."""
    from engine.models.sampler import sample
    from engine.plugins.api import CancelToken, GenerateOptions

    seen: list[CalibrationInput] = []

    def recorder(tokens: torch.Tensor, roles_t: torch.Tensor, beat: torch.Tensor):
        seen.append(CalibrationInput(tokens.clone(), roles_t.clone(), beat.clone()))
        return model(tokens, roles_t, beat)

    lanes = len(roles)
    beat_pos = np.arange(steps) % 16
    for i in range(runs):
        grid = np.full((lanes, steps), vocab.REST, dtype=np.int64)
        opts = GenerateOptions(steps=sampling_steps, seed=seed + i)
        sample(recorder, grid, np.ones_like(grid, dtype=bool), np.asarray(roles), beat_pos,
               None, opts, lambda p: None, CancelToken(), max_steps=steps)
    return seen


@torch.no_grad()
def input_hessians(model: nn.Module, inputs: Iterable[CalibrationInput]) -> dict[str, torch.Tensor]:
    """``Σ xᵀx / rows`` of the inputs of every linear layer of ``model``, by weight name."""
    sums: dict[str, torch.Tensor] = {}
    rows: dict[str, int] = {}
    hooks = []
    for name, mod in model.named_modules():
        if isinstance(mod, nn.Linear):
            def hook(_m, args, _out, name=name):
                x = args[0].reshape(-1, args[0].shape[-1]).double()
                sums[name] = sums.get(name, 0) + x.T @ x
                rows[name] = rows.get(name, 0) + x.shape[0]
            hooks.append(mod.register_forward_hook(hook))
    try:
        for inp in inputs:
            model(inp.tokens, inp.roles, inp.beat_pos)
    finally:
        for h in hooks:
            h.remove()
    return {f"{n}.weight": (s / rows[n]).float() for n, s in sums.items()}


# -- a whole model -------------------------------------------------------------------------------


def linear_weights(model: nn.Module) -> list[str]:
    """State-dict names of the weights that are quantized (every ``nn.Linear``)."""
    return [f"{n}.weight" for n, m in model.named_modules() if isinstance(m, nn.Linear)]


def quantize_state(
    model: AxialDenoiser, precision: str, *, group_size: int | str | None = "default",
    hessians: dict[str, torch.Tensor] | None = None,
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The tensors of a quantized weights file and its description for the manifest."""
    bits = BITS[precision]
    group = DEFAULT_GROUP[precision] if group_size == "default" else group_size
    state = model.state_dict()
    linears = set(linear_weights(model))
    tensors: dict[str, torch.Tensor] = {}
    clip_mean = []
    for name, value in state.items():
        if name not in linears:
            tensors[name] = value.to(torch.float16) if value.dim() > 1 else value.float()
            continue
        hess = hessians.get(name) if hessians else None
        clip = choose_clip(value, hess, bits, group)
        clip_mean.append(float(clip.mean()))
        q, scales = quantize_groups(value, bits, group, clip)
        tensors[f"{name}.qweight"] = pack_int4(q) if bits == 4 else q
        tensors[f"{name}.scales"] = scales.to(torch.float16)
    info = {
        "precision": precision, "bits": bits, "group_size": group if group else "row",
        "symmetric": True, "scale_dtype": "float16", "layout": (
            "NAME.qweight int8 [out, in]" if bits == 8 else
            "NAME.qweight uint8 [out, in/2], code+8, low nibble first"
        ) + "; NAME.scales float16 [out, in/group]; other tensors float16/float32",
        "calibration": {
            "method": "per-group clipping minimising the layer output error on inputs "
                      "gathered at several mask ratios and along sampler trajectories"
                      if hessians else "per-group clipping minimising the weight error",
            "mean_clip": round(float(np.mean(clip_mean)), 4) if clip_mean else 1.0,
        },
    }
    return tensors, info


@dataclass(frozen=True, slots=True)
class QuantizedLinear:
    """One quantized weight: ``bits``-bit codes ``q`` (int8 ``[N, K]``), fp32 ``scales``
    ``[N, K/g]``."""

    q: torch.Tensor
    scales: torch.Tensor
    bits: int

    @property
    def group_size(self) -> int:
        return self.q.shape[1] // self.scales.shape[1]

    def dequantize(self) -> torch.Tensor:
        return dequantize_groups(self.q, self.scales)


@dataclass(frozen=True, slots=True)
class QuantizedModel:
    """A quantized weights file, read: the network config, the linear layers' codes and
    scales, and every other tensor in fp32."""

    cfg: NetworkConfig
    precision: str
    linears: dict[str, QuantizedLinear]
    others: dict[str, torch.Tensor]
    manifest: dict[str, Any]

    def state_dict(self) -> dict[str, torch.Tensor]:
        """fp32 tensors of an :class:`AxialDenoiser` (weights dequantized)."""
        return {**self.others, **{n: ql.dequantize() for n, ql in self.linears.items()}}

    def to_torch(self) -> AxialDenoiser:
        """An :class:`AxialDenoiser` with the dequantized weights (computes in fp32)."""
        model = AxialDenoiser(self.cfg)
        model.load_state_dict(self.state_dict(), strict=True)
        return model.eval()


def weights_entry(manifest: dict[str, Any], precision: str) -> dict[str, Any] | None:
    """The manifest's ``weights`` entry of a precision (None when absent)."""
    file = weights_name(precision)
    for entry in manifest.get("weights", []):
        if isinstance(entry, dict) and entry.get("file") == file:
            return entry
    return None


def load_quantized(
    folder: str | os.PathLike[str], precision: str, *, check_hash: bool = True
) -> QuantizedModel:
    """Read ``model.<precision>.safetensors`` of a model folder (hash checked)."""
    manifest = read_manifest(folder)
    root = Path(manifest["_path"]).parent
    entry = weights_entry(manifest, precision)
    file = root / weights_name(precision)
    if entry is None:
        raise ModelFileError(root, f"no {precision} weights in its manifest (run "
                                   f"`partita quantize {root} --precision {precision}`)")
    if not file.is_file():
        raise ModelFileError(file, "weights file missing")
    if check_hash and sha256_of(file) != str(entry.get("sha256", "")).lower():
        raise ModelFileError(file, "SHA-256 does not match its manifest (damaged or "
                                   "replaced file)")
    source = entry.get("source_sha256")
    if source and source != manifest["weights"][0].get("sha256"):
        raise ModelFileError(file, "made from other fp32 weights than the model's current "
                                   f"ones (run `partita quantize {root} --precision "
                                   f"{precision}` again)")
    bits = BITS.get(precision)
    if bits is None or entry.get("bits") != bits:
        raise ModelFileError(file, f"manifest says {entry.get('bits')} bits for {precision}")
    cfg = NetworkConfig.from_dict(manifest["network"])
    check_weight_shapes(file, cfg, bits)
    try:
        raw = load_file(str(file))
    except (SafetensorError, OSError) as e:
        raise ModelFileError(file, f"not a readable safetensors file ({e})") from None
    linears, others = {}, {}
    for name, value in raw.items():
        if name.endswith(".scales"):
            continue
        if name.endswith(".qweight"):
            base = name[: -len(".qweight")]
            scales = raw.get(f"{base}.scales")
            if scales is None:
                raise ModelFileError(file, f"{base}: codes without scales")
            q = unpack_int4(value) if bits == 4 else value
            if q.dtype != torch.int8 or q.dim() != 2 or q.shape[1] % scales.shape[-1]:
                raise ModelFileError(file, f"{base}: codes {tuple(q.shape)} do not fit "
                                           f"scales {tuple(scales.shape)}")
            linears[base] = QuantizedLinear(q, scales.float(), bits)
        else:
            others[name] = value.float()
    return QuantizedModel(cfg, precision, linears, others, manifest)


def quantize_model_folder(
    folder: str | os.PathLike[str], precision: str, *, group_size: int | str | None = "default",
    calibration: Sequence[CalibrationInput] | None = None, make_default: bool | None = None,
) -> dict[str, Any]:
    """Write ``model.<precision>.safetensors`` beside the fp32 weights of ``folder`` and add
    it to the manifest (``precisions``, ``weights``); returns the weights entry written.

    ``calibration`` defaults to sampler trajectories of the model itself.
    ``make_default`` puts ``precision`` first in ``precisions`` (the app's default).
    """
    if precision not in BITS:
        raise ValueError(f"unknown precision {precision!r} (use int8 or int4)")
    model, manifest = load_model(folder)
    if calibration is None:
        lanes = min(4, model.cfg.max_lanes)
        calibration = trajectory_inputs(model, [0] * lanes, model.cfg.max_steps)
    hessians = input_hessians(model, calibration) if calibration else None
    tensors, info = quantize_state(model, precision, group_size=group_size, hessians=hessians)
    manifest_file = Path(manifest.pop("_path"))
    root = manifest_file.parent
    file = root / weights_name(precision)
    write_tensors(file, tensors, {"precision": precision, "quantization": json.dumps(info)})
    # The fp32 weights it was made from: a later retrain makes it stale (checked at load).
    source = manifest["weights"][0].get("sha256")
    entry = {"file": file.name, "sha256": sha256_of(file), **info, "source_sha256": source}
    weights = [w for w in manifest["weights"] if w.get("file") != file.name]
    manifest["weights"] = [*weights, entry]
    precisions = [p for p in manifest.get("precisions", ["fp32"]) if p != precision]
    default = make_default if make_default is not None else False
    manifest["precisions"] = [precision, *precisions] if default else [*precisions, precision]
    manifest["default_precision"] = manifest["precisions"][0]
    write_json(manifest_file, manifest)
    return entry


def file_size(folder: str | os.PathLike[str], precision: str) -> int:
    """Bytes of a precision's weights file in a model folder."""
    return (Path(folder) / weights_name(precision)).stat().st_size
