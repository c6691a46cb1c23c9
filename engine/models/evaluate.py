"""Evaluation: likelihood on held-out data and musical statistics of generated samples.

``nll_note`` — nats per voice per 16th step: the orderless (any-order autoregressive)
NLL of absorbing diffusion, ``E_σ Σ_k −log p(x_σ(k) | x_σ(<k))``. Writing ``S`` for the
set revealed before the ``k+1``-th cell, that is ``N · E_k E_S [mean over the cells not in
S of −log p(x_i | x_S)]`` with ``k ~ U{0..N−1}`` and ``S`` a uniform subset of size ``k``.
We estimate it with ``n_ratios`` stratified draws of ``k`` per window (``k_j =
⌊(j + u_j) N / K⌋``), one random ``S`` each, scoring every masked cell of the draw: an
unbiased estimate whose standard error we report (from the spread of the draws; it
ignores the gain of stratification, so it is conservative). Every voice-step of every
piece is counted once.

``nll_frame`` — Coconet's framewise protocol: frames (time steps) revealed in a random
order, all voices of the next frame predicted together from the revealed frames. Same
estimator with whole frames as units; same unit (nats per voice per step).

Pieces longer than the model's context use the sampler's windows
(:func:`engine.models.sampler.windows`): the first window is scored whole, each later one
scores its new half given the previous half as fully visible context — the exact
likelihood of the windowed generative process the sampler runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from engine.models import vocab
from engine.models.sampler import windows
from engine.models.voice_leading import moves_into, parallel_hits, sounding_pitches

REFERENCES = {"Music Transformer": 0.335, "Coconet (orderless)": 0.238}


# -- likelihood ----------------------------------------------------------------------------


def _masked_mean_ce(model, tokens: torch.Tensor, roles: torch.Tensor, beat: torch.Tensor,
                    mask: torch.Tensor, scored: torch.Tensor) -> torch.Tensor:
    """Per item: mean CE of the cells masked among ``scored`` (inputs (K, L, W))."""
    logits = model(torch.where(mask, vocab.MASK, tokens), roles, beat).float()
    ce = torch.nn.functional.cross_entropy(logits.permute(0, 3, 1, 2), tokens, reduction="none")
    m = (mask & scored).float()
    return (ce * m).sum((1, 2)) / m.sum((1, 2)).clamp_min(1)


@torch.no_grad()
def orderless_nll(
    model,
    pieces: Sequence,
    *,
    n_ratios: int = 16,
    seed: int = 0,
    frames: bool = False,
    device: torch.device | str = "cpu",
    batch: int = 16,
) -> dict[str, float]:
    """Estimated NLL in nats per cell (voice-step); see the module docstring."""
    rng = np.random.default_rng(seed)
    size = getattr(model, "max_steps", None)
    total = total_var = 0.0
    cells = 0
    for piece in pieces:
        lanes = piece.n_lanes
        for start, end, new_from in windows(piece.n_steps, size):
            tok = torch.as_tensor(piece.tokens[:, start:end], device=device)
            beat = torch.as_tensor(piece.beat_pos[start:end], device=device)
            roles = torch.as_tensor(piece.roles, device=device)
            width = end - start
            scored = torch.zeros(lanes, width, dtype=torch.bool, device=device)
            scored[:, new_from - start :] = True
            units = (end - new_from) if frames else lanes * (end - new_from)
            n_cells = lanes * (end - new_from)
            masks = []
            for j in range(n_ratios):
                k = int((j + rng.random()) * units / n_ratios)  # revealed units, 0..units-1
                hidden = np.ones(units, dtype=bool)
                hidden[rng.permutation(units)[:k]] = False
                if frames:
                    hidden = np.broadcast_to(hidden, (lanes, units))
                m = np.zeros((lanes, width), dtype=bool)
                m[:, new_from - start :] = hidden.reshape(lanes, end - new_from)
                masks.append(m)
            scores = []
            for i in range(0, n_ratios, batch):
                mk = torch.as_tensor(np.stack(masks[i : i + batch]), device=device)
                n = mk.shape[0]
                scores.append(_masked_mean_ce(model, tok.expand(n, -1, -1), roles.expand(n, -1),
                                              beat.expand(n, -1), mk, scored))
            s = torch.cat(scores).double().cpu().numpy()
            total += n_cells * float(s.mean())
            if n_ratios > 1:
                total_var += n_cells**2 * float(s.var(ddof=1)) / n_ratios
            cells += n_cells
    return {"nll": total / max(cells, 1), "stderr": math.sqrt(total_var) / max(cells, 1),
            "cells": cells}


# -- musical statistics --------------------------------------------------------------------


def music_stats(grids: Sequence[np.ndarray]) -> dict[str, Any]:
    """Pitch-class histogram, per-lane ranges, parallel 5ths/8ves rate and note density."""
    pc = np.zeros(12)
    lanes = max((g.shape[0] for g in grids), default=0)
    lo, hi = [128] * lanes, [-1] * lanes
    onsets = cells = motions = parallels = 0
    for g in grids:
        p = sounding_pitches(g)
        ons = (g >= vocab.ONSET) & (g < vocab.DRUM)
        onsets += int(ons.sum())
        cells += g.size
        for pitch in g[ons] - vocab.ONSET:
            pc[pitch % 12] += 1
        for lane in range(g.shape[0]):
            sounding = p[lane][p[lane] >= 0]
            if sounding.size:
                lo[lane], hi[lane] = min(lo[lane], int(sounding.min())), max(hi[lane],
                                                                             int(sounding.max()))
        # Parallels: two voices both move, in the same direction, from a perfect 5th/8ve
        # (or unison) to the same interval class (the rule: parallel_hits; a voice moves
        # from the note before a rest shorter than a beat too), out of every motion of two
        # voices that both move.
        a, b = moves_into(g)
        moving = ((a >= 0) & (b >= 0) & (a != b)).sum(0)
        motions += int((moving * (moving - 1) // 2).sum())
        parallels += len(parallel_hits(g))
    return {
        "pitch_class_histogram": (pc / max(pc.sum(), 1)).round(4).tolist(),
        "ranges": [[lo[i], hi[i]] if hi[i] >= 0 else None for i in range(lanes)],
        "parallel_rate": parallels / max(motions, 1),
        "note_density": onsets / max(cells, 1),
    }


def compare_stats(real: dict[str, Any], generated: dict[str, Any]) -> dict[str, float]:
    """Distances between the statistics of real and generated music."""
    a = np.array(real["pitch_class_histogram"])
    b = np.array(generated["pitch_class_histogram"])
    return {
        "pitch_class_tv_distance": float(0.5 * np.abs(a - b).sum()),
        "parallel_rate_real": real["parallel_rate"],
        "parallel_rate_generated": generated["parallel_rate"],
        "note_density_real": real["note_density"],
        "note_density_generated": generated["note_density"],
    }


def generate_samples(model, like: Sequence, n: int, steps: int = 64, seed: int = 0,
                     sampling_steps: int = 16) -> list[np.ndarray]:
    """``n`` grids generated from nothing, with the lanes/roles/meter of the real pieces."""
    from engine.models.sampler import sample
    from engine.plugins.api import CancelToken, GenerateOptions

    out = []
    for i in range(n):
        ref = like[i % len(like)]
        width = min(steps, ref.n_steps)
        tokens = np.full((ref.n_lanes, width), vocab.REST, dtype=np.int64)
        opts = GenerateOptions(steps=sampling_steps, seed=seed + i, temperature=1.0, top_p=1.0)
        out.append(sample(model, tokens, np.ones_like(tokens, dtype=bool), ref.roles,
                          ref.beat_pos[:width], None, opts, lambda p: None, CancelToken()))
    return out


def evaluate(
    model,
    pieces: Sequence,
    *,
    samples: int = 8,
    n_ratios: int = 16,
    seed: int = 0,
    frame_orderings: int = 8,
) -> dict[str, Any]:
    """The full report: both likelihoods and real-vs-generated statistics."""
    model.eval()
    note = orderless_nll(model, pieces, n_ratios=n_ratios, seed=seed)
    frame = orderless_nll(model, pieces, n_ratios=frame_orderings, seed=seed + 1, frames=True)
    report: dict[str, Any] = {
        "pieces": len(pieces),
        "cells": note["cells"],
        "nll_note": note["nll"], "nll_note_stderr": note["stderr"],
        "nll_frame": frame["nll"], "nll_frame_stderr": frame["stderr"],
        "unit": "nats per voice per 16th step",
        "references_nll_note": REFERENCES,
        "samples": samples,
    }
    if samples > 0:
        real = music_stats([p.tokens for p in pieces])
        gen = music_stats(generate_samples(model, pieces, samples, seed=seed))
        report["stats_real"], report["stats_generated"] = real, gen
        report["stats_distance"] = compare_stats(real, gen)
    return report
