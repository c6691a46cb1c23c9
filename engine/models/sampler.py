"""Few-step parallel decoding of a masked grid (MaskGIT / MAGNeT style).

:func:`sample` fills the editable cells of a lane × time token grid with a denoiser:

1. Editable cells become ``MASK``; every other cell is kept exactly.
2. At each of ``options.steps`` steps the denoiser predicts every masked cell; a token is
   drawn for each (temperature, top-p, legal tokens only) and the most confident draws are
   committed — as many as the schedule (cosine by default) says — the rest stay masked.
   Confidence is the log-probability of the drawn token's kind (rest, hold, onset, drum
   hit: "a note starts here", whatever its pitch) plus Gumbel noise (MaskGIT's choice
   temperature) that fades over the steps, so early steps explore and late steps commit
   the sure cells.
3. Optional Coconet-style resampling passes re-mask a decreasing fraction of the generated
   cells and decode them again with the context now complete.

Density: a denoiser trained briefly (or asked to fill a region of a busy part) tends to
rank ``REST`` as the surest token everywhere, and confidence-ordered unmasking then
commits rests first until the region comes back silent. So the sampler can steer the
number of onsets: given a target rate per lane (``onset_rate``: onsets per editable cell,
e.g. the track's own density around the region, :func:`context_onset_rate`) it adds, at
every step, one bias per lane group to the onset logits, found by bisection so that the
expected onsets of the still-masked cells make up what the target still lacks. The bias
is bounded (``BIAS_CAP`` nats), so a model that is sure of silence still writes little.
``options.density`` (0..1) scales the target by ``4 ** (2·density − 1)``: 0 → a quarter,
0.5 → the context's own, 1 → four times.

Legality: ``allowed`` (per lane, or per lane and step) restricts the tokens; ``MASK`` is
never produced; ``HOLD`` only follows an onset, a drum hit or a hold on its lane (and a
cell left of a kept ``HOLD`` cannot be a ``REST``).

Windowing: a denoiser with a ``max_steps`` attribute sees at most that many steps. The
editable steps are decoded in spans, left to right (:func:`decode_windows`): when they fit
in one window of ``W = max_steps`` steps they are one span, else spans of ``W // 2``; each
span is decoded in a window of ``W`` steps centred on it where the grid allows, so a
generated cell sees context on *both* sides (a repainted bar hears what follows it, not
only what precedes it), and each later span sees the spans before it as decided context.
Each cell is generated exactly once; a 200-bar song costs ``~2·T/W`` window passes.
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
# Gumbel noise scale on the ranking at the first step (MaskGIT's choice temperature),
# fading linearly to 0: early steps commit a varied set of cells, not just the sure rests.
CHOICE_TEMPERATURE = 4.5
# Most nats the density control may add to (or take from) the onset logits: the model's
# own belief still matters (auto targets), and an explicit density can push harder.
BIAS_CAP = 4.0
EXPLICIT_BIAS_CAP = 8.0
# Onsets per step of a track when nothing in the window says otherwise (a new song).
DEFAULT_RATE = {"pitched": 0.2, "drums": 0.5}


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


def decode_windows(
    total: int, size: int | None, lo: int = 0, hi: int | None = None
) -> list[tuple[int, int, int, int]]:
    """``(start, end, g0, g1)``: windows of at most ``size`` steps and the span ``g0..g1``
    each one generates. The spans tile ``lo..hi`` left to right (one span when it fits in a
    window, else spans of ``size // 2``), each centred in its window where the grid
    allows."""
    hi = total if hi is None else hi
    if not size or total <= size:
        return [(0, total, lo, hi)]
    span = hi - lo if hi - lo <= size else max(1, size // 2)
    out = []
    for g0 in range(lo, hi, span):
        g1 = min(g0 + span, hi)
        start = min(max(0, (g0 + g1) // 2 - size // 2), total - size)
        out.append((start, start + size, g0, g1))
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
    onset_rate: np.ndarray | None = None,
    lane_groups: np.ndarray | None = None,
) -> np.ndarray:
    """Generate the editable cells of ``tokens`` (L, T); returns a new (L, T) int64 grid.

    ``max_steps`` overrides the denoiser's own ``max_steps`` attribute (the window size).
    ``onset_rate`` (L,): target onsets (or drum hits) per editable cell of each lane, NaN
    for no target; lanes of one ``lane_groups`` id (e.g. one track) share one bias and one
    target (the sum of theirs). Without targets, ``options.density`` biases the onset
    logits by a fixed ``6·(density − 0.5)`` nats. Same ``options.seed`` and inputs ⇒ same
    output. Raises ``Cancelled`` within one step of ``cancel`` being set.
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
    cols = np.flatnonzero(editable.any(0))
    lo, hi = (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, 0)
    wins = [w for w in decode_windows(steps, size, lo, hi) if editable[:, w[2] : w[3]].any()]
    total = len(wins) * (n_steps + passes * pass_steps)

    seed = options.seed if options.seed is not None else secrets.randbits(63)
    gen = torch.Generator().manual_seed(int(seed))
    allowed_t = None if allowed is None else torch.as_tensor(np.asarray(allowed, dtype=bool))
    grid = torch.as_tensor(tokens.copy())
    grid[torch.as_tensor(editable)] = vocab.MASK
    roles_t = torch.as_tensor(np.asarray(roles, dtype=np.int64))[None]
    beat_t = torch.as_tensor(np.asarray(beat_pos, dtype=np.int64))
    density = _Density.of(onset_rate, lane_groups, lanes, options.density)
    done = 0

    def tick(message: str) -> None:
        nonlocal done
        cancel.raise_if_cancelled()
        done += 1
        progress(Progress(done, total, message))

    cancel.raise_if_cancelled()
    for start, end, g0, g1 in wins:
        # Cells this window decides: the editable ones of its span.
        gen_mask = torch.zeros(lanes, end - start, dtype=torch.bool)
        gen_mask[:, g0 - start : g1 - start] = torch.as_tensor(editable[:, g0:g1])
        allow_w = _window_allowed(allowed_t, start, end)
        view = grid[:, start:end].clone()
        # The cells just outside the window constrain HOLD/REST at its edges.
        left = grid[:, start - 1] if start > 0 else torch.full((lanes,), vocab.REST)
        right = grid[:, end] if end < steps else torch.full((lanes,), vocab.REST)
        ctx = dict(denoiser=denoiser, roles=roles_t, beat=beat_t[None, start:end],
                   allowed=allow_w, options=options, gen=gen, schedule=schedule, cancel=cancel,
                   edges=(left, right), density=density)
        view = _decode(view, gen_mask, gen_mask, n_steps, tick, **ctx)
        for p in range(passes):
            frac = 0.5 * (passes - p) / passes  # 1/2, then less, of the generated cells
            pick = gen_mask & (torch.rand(gen_mask.shape, generator=gen) < frac)
            view[pick] = vocab.MASK
            view = _decode(view, pick, gen_mask, pass_steps, tick, **ctx)
        grid[:, start:end] = view
    return grid.numpy().astype(np.int64)


def _window_allowed(allowed: torch.Tensor | None, start: int, end: int) -> torch.Tensor | None:
    if allowed is None:
        return None
    if allowed.dim() == 2:
        return allowed[:, None, :]
    return allowed[:, start:end]


class _Density:
    """Onset targets per lane group, or a fixed onset bias (see the module docstring)."""

    def __init__(self, rate: torch.Tensor | None, groups: torch.Tensor, n_groups: int,
                 fixed: float, cap: float) -> None:
        self.rate, self.groups, self.n_groups = rate, groups, n_groups
        self.fixed, self.cap = fixed, cap

    @classmethod
    def of(cls, rate: np.ndarray | None, groups: np.ndarray | None, lanes: int,
           density: float | None) -> _Density:
        scale = None if density is None else min(max(float(density), 0.0), 1.0)
        g = np.arange(lanes) if groups is None else np.asarray(groups, dtype=np.int64)
        if len(g) != lanes:
            raise ValueError("lane_groups must have one id per lane")
        _, g = np.unique(g, return_inverse=True)
        fixed = 0.0 if scale is None else 6.0 * (scale - 0.5)
        if rate is None or not np.isfinite(np.asarray(rate, dtype=float)).any():
            return cls(None, torch.as_tensor(g), int(g.max(initial=-1)) + 1, fixed, 0.0)
        r = np.asarray(rate, dtype=np.float64)
        if r.shape != (lanes,):
            raise ValueError("onset_rate must have one rate per lane")
        if scale is not None:
            r = r * 4.0 ** (2.0 * scale - 1.0)
        cap = BIAS_CAP if scale is None else EXPLICIT_BIAS_CAP
        return cls(torch.as_tensor(np.clip(r, 0.0, 1.0)), torch.as_tensor(g),
                   int(g.max()) + 1, 0.0, cap)

    def bias(self, logits: torch.Tensor, masked: torch.Tensor, scope: torch.Tensor,
             grid: torch.Tensor) -> torch.Tensor:
        """(L, 1, 1) onset-logit bias for this step: the fixed one, or per group the bias
        whose expected onsets over the masked cells complete the group's target in
        ``scope`` (the cells this decode generates)."""
        lanes = logits.shape[0]
        if self.rate is None:
            return torch.full((lanes, 1, 1), self.fixed)
        steered = torch.isfinite(self.rate)
        rate = torch.where(steered, self.rate, 0.0)
        onset = logits[..., vocab.ONSET :].logsumexp(-1)
        other = logits[..., : vocab.ONSET].logsumexp(-1)
        margin = (onset - other).clamp(-60.0, 60.0)  # log-odds of an onset per cell
        grouped = torch.zeros(self.n_groups, dtype=torch.float64)
        want = grouped.index_add(0, self.groups, rate.double() * scope.sum(1).double())
        decided = scope & ~masked & (grid >= vocab.ONSET)
        have = grouped.index_add(0, self.groups, decided.sum(1).double())
        open_cells = grouped.index_add(0, self.groups, masked.sum(1).double())
        need = (want - have).clamp(min=0.0)
        need = torch.minimum(need, open_cells)
        lo = torch.full((self.n_groups,), -self.cap, dtype=torch.float64)
        hi = torch.full((self.n_groups,), self.cap, dtype=torch.float64)
        m = margin.double()
        for _ in range(24):  # bisection: expected onsets grow with the bias
            mid = (lo + hi) / 2
            p = torch.sigmoid(m + mid[self.groups][:, None]) * masked
            expected = grouped.index_add(0, self.groups, p.sum(1))
            low = expected < need
            lo = torch.where(low, mid, lo)
            hi = torch.where(low, hi, mid)
        b = ((lo + hi) / 2)[self.groups].float()
        return torch.where(steered, b, 0.0)[:, None, None]


@torch.no_grad()
def _decode(
    grid: torch.Tensor,
    gen_mask: torch.Tensor,
    scope: torch.Tensor,
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
    density: _Density,
) -> torch.Tensor:
    """Decode the masked cells ``gen_mask`` of one window ``grid`` (L, W) in ``n_steps``;
    ``scope`` ⊇ ``gen_mask`` holds every cell this window generates (density targets)."""
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
        logits = (logits + _legal_bias(grid, allowed, edges)) / temperature
        onset_bias = density.bias(logits, masked, scope, grid)
        logits = torch.cat([logits[..., : vocab.ONSET], logits[..., vocab.ONSET :] + onset_bias],
                           dim=-1)
        draw, logp = _draw(logits, options.top_p, gen)
        keep_masked = math.floor(n_gen * mask_schedule(s, n_steps, schedule))
        n_commit = max(1, n_masked - keep_masked) if s < n_steps else n_masked
        noise = -torch.log(-torch.log(torch.rand(logp.shape, generator=gen).clamp_min(1e-20)))
        conf = logp + noise * CHOICE_TEMPERATURE * (1.0 - s / n_steps)
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
    """One token per cell from ``softmax(logits)`` restricted to the top-p nucleus, and the
    log-probability of its kind (the ranking confidence)."""
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
    # Confidence is that of the drawn token's *kind* (rest, hold, any onset, any drum hit):
    # a cell sure to hold a note of uncertain pitch is as sure as a sure rest, so rests
    # are not committed first merely because pitch spreads an onset's probability.
    kinds = torch.stack([logp[..., vocab.REST], logp[..., vocab.HOLD],
                         logp[..., vocab.ONSET : vocab.DRUM].logsumexp(-1),
                         logp[..., vocab.DRUM :].logsumexp(-1)], dim=-1)
    kind = torch.where(draw >= vocab.DRUM, 3, torch.where(draw >= vocab.ONSET, 2, draw - 1))
    return draw, kinds.gather(-1, kind.clamp(0, 3)[..., None])[..., 0]


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


def context_onset_rate(
    tokens: np.ndarray,
    editable: np.ndarray,
    lane_groups: np.ndarray,
    drum_lanes: np.ndarray,
) -> np.ndarray:
    """Target onsets per editable cell for each lane, from the music around it.

    ``tokens`` is the window *before* the notes being replaced are cleared. A group (a
    track: lanes with one ``lane_groups`` id) that has editable cells gets its own onsets
    per step in the window — the replaced notes count, editable steps it had no notes in
    do not (the new bars of a continuation) — spread evenly over its lanes. A group with
    no notes in the window (a new or empty track) takes the mean of the other groups of
    its kind (pitched or drums) that have notes, else :data:`DEFAULT_RATE`. Lanes without
    editable cells get NaN (no target).
    """
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    steps = tokens.shape[1]
    onsets = tokens >= vocab.ONSET
    rate_of: dict[object, float] = {}
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        count = int(onsets[lanes].sum())
        edit_steps = editable[lanes].any(0)
        empty_edit = not onsets[lanes][:, edit_steps].any()
        ref = steps - (int(edit_steps.sum()) if empty_edit else 0)
        rate_of[g] = count / ref if count and ref > 0 else 0.0
    out = np.full(len(groups), np.nan)
    for g, rate in rate_of.items():
        lanes = groups == g
        if not editable[lanes].any():
            continue
        kind = bool(drums[lanes].any())
        if rate == 0.0:
            peers = [r for h, r in rate_of.items()
                     if h != g and r > 0 and bool(drums[groups == h].any()) == kind]
            rate = float(np.mean(peers)) if peers else DEFAULT_RATE["drums" if kind else
                                                                    "pitched"]
        out[lanes] = rate / int(lanes.sum())
    return out
