"""Few-step parallel decoding of a masked grid (MaskGIT / MAGNeT style).

:func:`sample` fills the editable cells of a lane × time token grid with a denoiser:

1. Editable cells become ``MASK``; every other cell is kept exactly.
2. At each of ``options.steps`` steps the denoiser predicts every masked cell; a token is
   drawn for each (temperature, top-p, legal tokens only) and the most confident draws are
   committed — as many as the schedule (cosine by default) says — the rest stay masked.
   Confidence is the draw's log-probability plus Gumbel noise that fades over the steps,
   so early steps explore and late steps commit the sure cells.
3. Optional Coconet-style resampling passes re-mask a decreasing fraction of the generated
   cells and decode them again with the context now complete.

Legality: ``allowed`` (per lane, or per lane and step) restricts the tokens; ``MASK`` is
never produced; ``HOLD`` only follows an onset, a drum hit or a hold on its lane (and a
cell left of a kept ``HOLD`` cannot be a ``REST``).

Windowing: a denoiser with a ``max_steps`` attribute sees at most that many steps. A longer
grid is decoded window by window, left to right, with windows of ``W = max_steps`` steps
and a hop of ``W // 2``: the first window generates its editable cells, each later window
sees the previous half-window as decided context and generates the new half (the last
window is aligned to the end of the grid). Each cell is generated exactly once, with at
least ``W // 2`` steps of left context, and a 200-bar song costs ``~2·T/W`` window passes.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable

import numpy as np
import torch

from engine.models import vocab
from engine.plugins.api import CancelToken, GenerateOptions, Progress, ProgressCallback

Denoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

_NEG = -1e9


def mask_schedule(step: int, total: int, kind: str = "cosine") -> float:
    """Fraction of the generated cells still masked after ``step`` of ``total`` steps."""
    x = min(max(step / total, 0.0), 1.0)
    if kind == "cosine":
        return math.cos(math.pi / 2 * x)
    if kind == "linear":
        return 1.0 - x
    raise ValueError(f"unknown mask schedule {kind!r} (use 'cosine' or 'linear')")


def windows(total: int, size: int | None) -> list[tuple[int, int, int]]:
    """``(start, end, new_from)`` windows covering ``0..total``; ``new_from`` is where the
    cells this window generates begin (earlier cells were decided by the previous window)."""
    if not size or total <= size:
        return [(0, total, 0)]
    hop = max(1, size // 2)
    out = [(0, size, 0)]
    while out[-1][1] < total:
        start = min(out[-1][0] + hop, total - size)
        out.append((start, start + size, out[-1][1]))
    return out


def sample(
    denoiser: Denoiser,
    tokens: np.ndarray,
    editable: np.ndarray,
    roles: np.ndarray,
    beat_pos: np.ndarray,
    allowed: np.ndarray | None,
    options: GenerateOptions,
    progress: ProgressCallback,
    cancel: CancelToken,
    *,
    schedule: str = "cosine",
    max_steps: int | None = None,
) -> np.ndarray:
    """Generate the editable cells of ``tokens`` (L, T); returns a new (L, T) int64 grid.

    ``max_steps`` overrides the denoiser's own ``max_steps`` attribute (the window size).
    Same ``options.seed`` and inputs ⇒ same output. Raises ``Cancelled`` within one step
    of ``cancel`` being set.
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    editable = np.asarray(editable, dtype=bool)
    lanes, steps = tokens.shape
    if editable.shape != tokens.shape:
        raise ValueError(f"editable shape {editable.shape} != tokens shape {tokens.shape}")
    if len(roles) != lanes or len(beat_pos) != steps:
        raise ValueError("roles must have one id per lane and beat_pos one per step")
    n_steps = max(1, int(options.steps))
    passes = max(0, int(options.resample_passes))
    pass_steps = max(1, n_steps // 2)
    size = max_steps or getattr(denoiser, "max_steps", None)
    wins = [w for w in windows(steps, size) if editable[:, w[2] : w[1]].any()]
    total = len(wins) * (n_steps + passes * pass_steps)

    seed = options.seed if options.seed is not None else secrets.randbits(63)
    gen = torch.Generator().manual_seed(int(seed))
    allowed_t = None if allowed is None else torch.as_tensor(np.asarray(allowed, dtype=bool))
    grid = torch.as_tensor(tokens.copy())
    grid[torch.as_tensor(editable)] = vocab.MASK
    roles_t = torch.as_tensor(np.asarray(roles, dtype=np.int64))[None]
    beat_t = torch.as_tensor(np.asarray(beat_pos, dtype=np.int64))
    done = 0

    def tick(message: str) -> None:
        nonlocal done
        cancel.raise_if_cancelled()
        done += 1
        progress(Progress(done, total, message))

    cancel.raise_if_cancelled()
    for start, end, new_from in wins:
        # Cells this window decides: editable ones from ``new_from`` on.
        gen_mask = torch.zeros(lanes, end - start, dtype=torch.bool)
        gen_mask[:, new_from - start :] = torch.as_tensor(editable[:, new_from:end])
        allow_w = _window_allowed(allowed_t, start, end)
        view = grid[:, start:end].clone()
        # The cells just outside the window constrain HOLD/REST at its edges.
        left = grid[:, start - 1] if start > 0 else torch.full((lanes,), vocab.REST)
        right = grid[:, end] if end < steps else torch.full((lanes,), vocab.REST)
        ctx = dict(denoiser=denoiser, roles=roles_t, beat=beat_t[None, start:end],
                   allowed=allow_w, options=options, gen=gen, schedule=schedule, cancel=cancel,
                   edges=(left, right))
        view = _decode(view, gen_mask, n_steps, tick, **ctx)
        for p in range(passes):
            frac = 0.5 * (passes - p) / passes  # 1/2, then less, of the generated cells
            pick = gen_mask & (torch.rand(gen_mask.shape, generator=gen) < frac)
            view[pick] = vocab.MASK
            view = _decode(view, pick, pass_steps, tick, **ctx)
        grid[:, start:end] = view
    return grid.numpy().astype(np.int64)


def _window_allowed(allowed: torch.Tensor | None, start: int, end: int) -> torch.Tensor | None:
    if allowed is None:
        return None
    if allowed.dim() == 2:
        return allowed[:, None, :]
    return allowed[:, start:end]


@torch.no_grad()
def _decode(
    grid: torch.Tensor,
    gen_mask: torch.Tensor,
    n_steps: int,
    tick: Callable[[str], None],
    *,
    denoiser: Denoiser,
    roles: torch.Tensor,
    beat: torch.Tensor,
    allowed: torch.Tensor | None,
    options: GenerateOptions,
    gen: torch.Generator,
    schedule: str,
    cancel: CancelToken,
    edges: tuple[torch.Tensor, torch.Tensor],
) -> torch.Tensor:
    """Decode the masked cells ``gen_mask`` of one window ``grid`` (L, W) in ``n_steps``."""
    grid = grid.clone()
    n_gen = int(gen_mask.sum())
    temperature = max(float(options.temperature), 1e-4)
    for s in range(1, n_steps + 1):
        masked = grid == vocab.MASK
        masked &= gen_mask
        n_masked = int(masked.sum())
        if n_masked == 0:
            tick("decoding")
            continue
        cancel.raise_if_cancelled()
        logits = denoiser(grid[None], roles, beat)[0].float()  # (L, W, V)
        logits = logits + _legal_bias(grid, allowed, edges)
        draw, logp = _draw(logits / temperature, options.top_p, gen)
        keep_masked = math.floor(n_gen * mask_schedule(s, n_steps, schedule))
        n_commit = max(1, n_masked - keep_masked) if s < n_steps else n_masked
        noise = -torch.log(-torch.log(torch.rand(logp.shape, generator=gen).clamp_min(1e-20)))
        conf = logp + noise * temperature * (1.0 - s / n_steps)
        conf = torch.where(masked, conf, torch.full_like(conf, -math.inf))
        chosen = torch.zeros_like(masked).view(-1)
        chosen[conf.view(-1).topk(n_commit).indices] = True
        chosen = chosen.view(masked.shape)
        grid = torch.where(chosen, draw, grid)
        grid = _repair_holds(grid, chosen, logits, edges[0])
        tick("decoding")
    return grid


def _legal_bias(
    grid: torch.Tensor, allowed: torch.Tensor | None, edges: tuple[torch.Tensor, torch.Tensor]
) -> torch.Tensor:
    """Additive logit bias (0 or -inf-ish) for the tokens each cell may take now."""
    lanes, w = grid.shape
    ok = torch.ones(lanes, w, vocab.VOCAB_SIZE, dtype=torch.bool)
    if allowed is not None:
        ok &= allowed
    ok[..., vocab.MASK] = False
    structural = torch.ones_like(ok)
    structural[..., vocab.HOLD] = _left(grid, edges[0]) != vocab.REST  # MASK left: fine now
    right = torch.cat([grid[:, 1:], edges[1][:, None]], dim=1)
    structural[..., vocab.REST] = right != vocab.HOLD
    both = ok & structural
    # A cell the structure leaves no allowed token for keeps the user's constraint only.
    ok = torch.where(both.any(-1, keepdim=True), both, ok)
    ok[..., vocab.REST] |= ~ok.any(-1)
    return torch.where(ok, 0.0, _NEG)


def _left(grid: torch.Tensor, left_edge: torch.Tensor) -> torch.Tensor:
    """The token left of every cell (``left_edge`` for the first column)."""
    return torch.cat([left_edge[:, None], grid[:, :-1]], dim=1)


def _draw(logits: torch.Tensor, top_p: float, gen: torch.Generator):
    """One token per cell from ``softmax(logits)`` restricted to the top-p nucleus."""
    logp = torch.log_softmax(logits, dim=-1)
    if 0.0 < top_p < 1.0:
        sorted_lp, order = logp.sort(dim=-1, descending=True)
        cum = sorted_lp.exp().cumsum(-1)
        cut = cum - sorted_lp.exp() > top_p  # keep the smallest prefix reaching top_p
        sorted_lp = sorted_lp.masked_fill(cut, _NEG)
        logp = torch.full_like(logp, _NEG).scatter(-1, order, sorted_lp)
        logp = torch.log_softmax(logp, dim=-1)
    flat = logp.reshape(-1, logp.shape[-1]).exp()
    draw = torch.multinomial(flat, 1, generator=gen).view(logp.shape[:-1])
    return draw, logp.gather(-1, draw[..., None])[..., 0]


def _repair_holds(
    grid: torch.Tensor, chosen: torch.Tensor, logits: torch.Tensor, left_edge: torch.Tensor
) -> torch.Tensor:
    """Replace just-drawn HOLDs that follow a REST by their best other legal token."""
    grid = grid.clone()
    for _ in range(grid.shape[1]):  # chains of bad holds are fixed left to right
        bad = chosen & (grid == vocab.HOLD) & (_left(grid, left_edge) == vocab.REST)
        if not bad.any():
            break
        alt = logits.clone()
        alt[..., vocab.HOLD] = _NEG
        alt[..., vocab.MASK] = _NEG
        grid = torch.where(bad, alt.argmax(-1), grid)
    return grid
