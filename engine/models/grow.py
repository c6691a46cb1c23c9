"""Growing a trained denoiser into a bigger one that computes the same function.

A short training loan (15 minutes of a GPU) cannot train a bigger network from scratch
past the one we ship, but it can go on from it: this module builds a wider and/or deeper
:class:`AxialDenoiser` whose logits equal the trained one's (to float rounding), so the
extra capacity is trained from where the small model stopped (Net2Net, Chen et al. 2016).

- **Wider** by an integer factor ``k`` (``d_model`` and ``n_heads`` both times ``k``, the
  head width unchanged so rotary positions and attention scale stay the same): every
  residual channel is repeated ``k`` times. LayerNorm sees the same mean and variance, the
  repeated heads attend exactly as the originals, and every layer that reads the residual
  stream splits each weight over its ``k`` copies with random shares that sum to one. The
  random split is what lets the copies drift apart in training (with equal halves they
  would get equal gradients forever).
- **Deeper**: new blocks are appended with their output projections at zero, so each one
  starts as the identity and learns a residual.

More lanes or roles get freshly initialised embedding rows: the trained function never
reads them. Growing ``meters`` from 1 to 2 copies the position table into ``beat_compound``: the old
network read a compound bar's positions modulo 32, so the copy starts where it was and
training tells the meters apart.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from engine.models.network import AxialDenoiser, NetworkConfig

# Settings that do not change the weights' shapes or meaning.
_FREE = ("dropout", "max_steps")


def growth_problem(old: NetworkConfig, new: NetworkConfig) -> str | None:
    """Why ``old`` cannot grow into ``new`` (None when it can)."""
    k, rest = divmod(new.d_model, old.d_model)
    if rest or k < 1:
        return f"d_model {new.d_model} is not a whole multiple of {old.d_model}"
    if new.n_heads != k * old.n_heads:
        return (f"n_heads must grow with d_model (to {k * old.n_heads}) so each head keeps "
                f"its width of {old.d_model // old.n_heads}")
    if new.ff_mult != old.ff_mult:
        return f"ff_mult must stay {old.ff_mult}"
    if new.vocab_size != old.vocab_size:
        return "the vocabulary differs"
    for name in ("n_layers", "max_lanes", "n_roles", "meters"):  # meters: 1 or 2
        if getattr(new, name) < getattr(old, name):
            return f"{name} cannot shrink ({getattr(old, name)} to {getattr(new, name)})"
    return None


def same_shape(old: NetworkConfig, new: NetworkConfig) -> bool:
    """True when ``new`` differs from ``old`` only in settings the weights do not fix."""
    return replace(new, **{f: getattr(old, f) for f in _FREE}) == old


def grow(model: AxialDenoiser, cfg: NetworkConfig, seed: int = 0) -> AxialDenoiser:
    """A network of shape ``cfg`` computing ``model``'s function (see the module doc)."""
    problem = growth_problem(model.cfg, cfg)
    if problem:
        raise ValueError(f"cannot grow {_shape(model.cfg)} into {_shape(cfg)}: {problem}")
    k = cfg.d_model // model.cfg.d_model
    gen = torch.Generator().manual_seed(seed)
    big = AxialDenoiser(cfg)  # fresh rows and new blocks come from the global RNG
    new = big.state_dict()
    old = model.state_dict()

    def split_inputs(w: torch.Tensor) -> torch.Tensor:
        """``w [..., d_in]`` reading a k-times repeated input: random shares summing to 1."""
        shares = torch.rand((k, *w.shape), generator=gen, dtype=w.dtype) + 0.5
        shares = shares / shares.sum(0)
        return torch.cat([w * s for s in shares], dim=-1)

    def repeat_outputs(w: torch.Tensor) -> torch.Tensor:
        return torch.cat([w] * k, dim=0)

    for name, w in old.items():
        leaf = name.rsplit(".", 1)[-1]
        if name == "beat.weight" and cfg.meters > model.cfg.meters:
            # Compound bars start where the old network read them: as the simple positions.
            new[name] = torch.cat([w] * k, dim=1)
            new["beat_compound.weight"] = new[name].clone()
        elif name.startswith(("tok.", "role.", "lane.", "beat.", "beat_compound.")):  # [rows, d]
            new[name][: w.shape[0]] = torch.cat([w] * k, dim=1)
        elif ".norm." in name or name.startswith("norm.") or ".ff.0." in name:  # LayerNorm
            new[name] = w.repeat(k)
        elif name.endswith("qkv.weight"):  # [3·H·dh, d]: the heads repeat, q k v kept apart
            d = model.cfg.d_model
            heads = w.view(3, model.cfg.n_heads, d // model.cfg.n_heads, d)
            new[name] = split_inputs(torch.cat([heads] * k, dim=1)).reshape(3 * k * d, k * d)
        elif name == "head.weight":
            new[name] = split_inputs(w)
        elif name == "head.bias":
            new[name] = w.clone()
        elif leaf == "weight":  # attention out, ff in/out: read and write the stream
            new[name] = repeat_outputs(split_inputs(w))
        elif leaf == "bias":  # ff biases
            new[name] = repeat_outputs(w)
        else:  # pragma: no cover - a parameter this module was not taught
            raise ValueError(f"cannot grow parameter {name!r}")
    for i in range(model.cfg.n_layers, cfg.n_layers):  # identity blocks
        for name in (f"blocks.{i}.time_attn.out.weight", f"blocks.{i}.lane_attn.out.weight",
                     f"blocks.{i}.ff.3.weight", f"blocks.{i}.ff.3.bias"):
            new[name].zero_()
    big.load_state_dict(new)
    return big


def _shape(cfg: NetworkConfig) -> str:
    return f"d{cfg.d_model}×{cfg.n_layers} layers×{cfg.n_heads} heads"
