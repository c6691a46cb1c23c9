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
Each bar of a track also gets at least :data:`BAR_FLOOR` of its share (a bar short of it
gets the higher bias that brings it there), so notes do not gather in a few bars and leave
the others silent. A track whose notes are being replaced gets a target per cell
instead (``onset_rate`` (L, T), :func:`shaped_targets`): each bar the onsets its old notes
had there, one bias per track and bar and no floor, so the part keeps its shape — busy
where it was busy — and the plugin has it rest (``REST`` only) in the bars it rested in.
``options.density`` (0..1) scales the target by
``4 ** (2·density − 1)``: 0 → a quarter, 0.5 → the context's own, 1 → four times.

Sustain: the density sets how many notes start, not how long they last, and the model
left alone ended a regenerated pad's notes after a sixteenth (a film composer's whole-note
pad came back as blips). Given a target share of sounding cells per lane (``sustain``:
onsets and holds per editable cell, the track's own around the region,
:func:`context_sustain`), each step adds one bias per lane group to the ``HOLD`` logits,
found by bisection as the onset bias is, so the expected sounding cells make up what the
target still lacks, a hold taking its share from the rest (the onsets keep theirs): notes
get the length the part had (bounded by ``SUSTAIN_CAP``).

Legality: ``allowed`` (per lane, or per lane and step) restricts the tokens; ``MASK`` is
never produced; ``HOLD`` only follows an onset, a drum hit or a hold on its lane (and a
cell left of a kept ``HOLD`` cannot be a ``REST``). With ``options.avoid_parallels`` no
onset, hold or rest may move two lanes in parallel fifths or octaves with the cells decided
so far, across a rest shorter than a beat too
(:func:`engine.models.voice_leading.parallel_motion`); of a pair that cells drawn in the
same step make, one is re-masked and drawn again (up to ``EXTRA_PASSES`` passes after the
last step). Lanes of one ``lane_groups`` id (one track) never strike one pitch (or drum
class) together: an onset is illegal where another lane of its group sounds that pitch
(or strikes that class), and of two such draws in one step the less confident draws again
without it (:meth:`_Window._give_way`) — the decoder would merge them into one note, so a
four-note chord with ``keep_rhythm`` came back with two. With ``clashes`` (and
``voice_order``) no voice sounds a false relation against another
(:func:`engine.models.voice_leading.clash_motion`), unless nothing else is left. The
voice-leading checks read a masked cell that can only hold (or only rest) as that token.

Chords: lanes drawn in one step are drawn independently, so a piano's lanes would start
their notes at different times; a masked cell's onsets get ``CHORD_BIAS`` nats where
another lane of its track already starts a note in that column (the density target still
sets how many notes there are: they move into chords, not multiply). A track given a
``together`` target (the share of its onsets that strike with another of its lanes, in
the notes it replaces: :func:`context_together`) gets its own bias instead, each step:
the nats, within ±:data:`TOGETHER_CAP`, added to the onsets of its cells where another
lane strikes in the column and taken from those where none does and none is still open
(a note struck alone under the others' held chord), found by bisection so that the
decided and expected onsets strike together the target's share of the time, and at least
:data:`TOGETHER_FLOOR` × the target's log-odds; of a column's cells committed in one step,
one that drew a rest beside a sibling that drew an onset is drawn again with its onsets ×
e^κ (:meth:`_Window._join_chords`; one that drew a hold keeps it: its note sounds on). A
pad whose lanes settled on holds early struck its later notes alone under them: 1.6 notes
per onset where the part played 2.7.

Register: ``logit_bias`` (L, V) nats are added to each lane's logits (the constraints'
soft pull of a track toward its own register, :func:`engine.models.constraints.register_pull`).
``line_pull`` (L, T, :data:`~engine.models.line_pull.N_CHANNELS`) nats move a cell's
onsets by the notes its lane has around it — the one sounding in the cell before and the
one struck where the note would end (past the holds the constraints force), and the
notes beyond them (:mod:`engine.models.line_pull`): a walking bass rarely strikes one
pitch on two beats running nor bounces between two, walks mostly by step, approaches a
chord's root from a step away in pitch (:func:`engine.models.chord_follow.walk_bass`);
a written tune strikes no pitch a third time running, moves mostly by step and fills in
its leaps (:func:`engine.models.chord_follow.sing_line`). Read at each step from the cells
decided so far, it holds whichever of two neighbouring beats is drawn first.
``held_clash`` (L, T, 12) names, per cell, the pitch classes a note may not sound on into
it (a tune's note held over a change of chord onto a tone that rubs with the new one):
no hold that would, no onset whose decided holds would, unless nothing else is left;
a hold drawn beside the note it holds, in one step, is drawn again without it.

Windowing: a denoiser with a ``max_steps`` attribute sees at most that many steps. The
editable steps are decoded in spans, left to right (:func:`decode_windows`): when they fit
in one window of ``W = max_steps`` steps with ``W // 8`` steps of context each side (as
far as the grid goes) they are one span, else spans of ``W // 2``; each
span is decoded in a window of ``W`` steps centred on it where the grid allows, so a
generated cell sees context on *both* sides (a repainted bar hears what follows it, not
only what precedes it), and each later span sees the spans before it as decided context.
Where nothing right of a span is known yet (a new piece, a continuation), centring buys
nothing, so the span runs from ``W // 4`` steps of decided context to the window's end.
Each cell is generated exactly once; a 200-bar song costs ``~2·T/W`` window passes
(``~4·T/(3·W)`` when it is written from nothing).

Cost: each step runs the denoiser once over the window, then works on the still-masked
cells only (their legal tokens, density bias, draw and ranking), in numpy on one thread:
the sampler's own share of a step stays small beside the network's, whatever the
runtime's thread pool does.
"""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Callable

import numpy as np
import torch

from engine.models import vocab
from engine.plugins.api import CancelToken, GenerateOptions, Progress, ProgressCallback
from engine.score.instruments import role_of

from .grid import SOLO_PROGRAMS, step_in_bar
from .line_pull import N_CHANNELS, line_nats
from .rule_drums import ORCHESTRA_KIT, TIMPANI_PROGRAM
from .voice_leading import (
    clash_cells,
    clash_motion,
    crossing_motion,
    parallel_motion,
    parallel_pairs,
    sounding_pitches,
)
from .voicing import keep_shape, off_shape

Denoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

# Gumbel noise scale on the ranking at the first step (MaskGIT's choice temperature),
# fading linearly to 0: early steps commit a varied set of cells, not just the sure rests.
CHOICE_TEMPERATURE = 4.5
# Nats added to a masked cell's onsets where another lane of its track starts a note:
# lanes drawn in one step are drawn independently, so chords came apart (_chord_cells).
# The demo's piano harmonized and regenerated with partita-base, seeds 1–8: mean notes
# per chord 1.79 → 2.12 (the demo's own: 2.77), as many notes, no more m2/TT/M7 in them.
CHORD_BIAS = 2.5
# Most nats the strike-together control may add to (or take from) a cell's onsets.
TOGETHER_CAP = 6.0
# The strike-together bias is at least this many times the target share's log-odds: for
# openmsx-1's pad (0.90 of its onsets in chords, 4 lanes) regenerated, seed 1, notes per
# onset 1.65 (no target) -> 2.05 (the balance alone) -> 2.31 (floor 1x) -> 2.47 (2x);
# 2.53 with the bias pinned at TOGETHER_CAP.
TOGETHER_FLOOR = 2.0
# Fewest onsets of a track for its strike-together share to be a target (fewer: a sketch).
TOGETHER_MIN_ONSETS = 8
# Passes after the last step for the cells re-masked there to avoid parallels (the last
# one's draws stand: at 2, valid chorale 2 kept soprano–bass fifths three chords running,
# 2 of 48 takes of benchmarks/bench_chorale.py --seeds 4; at 4, 0 of 48).
EXTRA_PASSES = 4
# Most nats the density control may add to (or take from) the onset logits: the model's
# own belief still matters (auto targets), and an explicit density can push harder.
BIAS_CAP = 4.0
# Every bar of a track gets at least this part of its share of the onset target.
BAR_FLOOR = 0.75
EXPLICIT_BIAS_CAP = 8.0
# Most nats the sustain control may add to (or take from) the HOLD logits.
SUSTAIN_CAP = 4.0
# Where in the bar a part strikes (rhythm_profiles): most nats a position's onsets gain
# or lose, the fewest striking steps a track needs for its own rhythm to say it, and the
# steps of its overall rate each position's rate is smoothed with.
RHYTHM_CAP = 2.0
RHYTHM_MIN_ONSETS = 16
RHYTHM_PRIOR = 4.0
_PITCH_CLASS = np.arange(vocab.N_PITCHES) % 12  # each onset pitch's class
# Most nats a kit's drum mix (kit_shares) adds to or takes from one drum's hits.
MIX_CAP = 6.0
# Onsets (notes, over all its lanes) per step of a new track when nothing in the window
# says how busy the music is (a new song), by role. A kit's 0.75 is a rock beat's 12 hits
# a bar (eighth hats, two kicks, two snares): at 0.5 composed grooves had 8 hits a bar
# and a backbeat in 67 % of bars; at 0.75, 12 and 98 % (8 bars of Piano, Bass, Drums,
# seeds 1-6; the demo's own kit plays 13.5). The pitched rates sit between the demo's
# tracks and the medians over the twelve real multi-track files and the demo (notes per
# 16th in the bars a track plays: melody 0.41, bass 0.34, piano 0.43, chords 0.36,
# strings 0.21; benchmarks/bench_texture.py): one 0.2 for every role wrote a piano of
# 3 notes a bar.
ROLE_RATE = {"melody": 0.3, "bass": 0.22, "chords": 0.35, "piano": 0.45, "strings": 0.2,
             "voice": 0.25, "drums": 0.75}
# An orchestra's percussion plays sparingly: phrase ends, the downbeats of strong bars, a
# roll into a climax. A new Orchestra kit takes its rule-made part's rate
# (:func:`~engine.models.rule_drums.orchestral_percussion`: 24-28 hits in 16 bars of 4/4)
# and a new timpani part about as few notes, not a drum kit's groove and a melody's line:
# at those, a 14-part orchestra composed over 16 bars (seeds 3-5) got 175-180 kit hits
# (60 bass drums, 66 snares) and 69-70 timpani notes.
ORCHESTRA_RATE = 0.1
TIMPANI_RATE = 0.08
# Instruments that hold their chords (GM string ensembles and synth strings 48-51, pads
# 88-95): a new one sounds this share of the time in each lane. Left to the model, a
# producer's new "Pad 2 (warm)" beside a beat wrote 20 notes in 4 bars, their median a
# beat long, 1.4 notes an onset: blips, not a pad.
HELD_PROGRAMS = frozenset(range(48, 52)) | frozenset(range(88, 96))
HELD_SUSTAIN = 0.85
HELD_TOGETHER = 0.9  # ... and strikes this share of its onsets with another of its lanes
# Without roles: the melody's rate for pitched lanes, the kit's for drum lanes.
DEFAULT_RATE = {"pitched": ROLE_RATE["melody"], "drums": ROLE_RATE["drums"]}
# A track that is empty where others play takes its role's rate scaled by how busy the
# others are against theirs (the geometric mean of their ratios), softened (square root)
# and bounded: a jig's melody at 5 notes a bar no longer gives its bass as many, each on
# the melody's own onsets (the folk QA's harmonized jig: 43 of 44).
PEER_SCALE = (0.6, 1.6)


PINNED_FIRST = 1e6  # added to a pinned cell's ranking confidence (see _pinned)


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
    total: int, size: int | None, lo: int = 0, hi: int | None = None,
    blank: np.ndarray | None = None,
) -> list[tuple[int, int, int, int]]:
    """``(start, end, g0, g1)``: windows of at most ``size`` steps and the span ``g0..g1``
    each one generates. The spans tile ``lo..hi`` left to right: one span when it fits in
    a window with ``size // 8`` steps of context each side (where the grid has them: 8
    new bars after a song must still hear its end), else spans of ``size // 2``, each
    centred in its window where the grid allows. ``blank`` (T,) marks steps masked on
    every lane: a window whose steps from its span on are all blank has no known music
    to centre on, so its span starts ``size // 4`` steps in (the decided music before
    it) and runs to the window's end — a new piece of ``T`` steps costs ``~4·T/(3·W)``
    windows instead of ``2·T/W``."""
    hi = total if hi is None else hi
    if not size or total <= size:
        return [(0, total, lo, hi)]
    margin = size // 8  # least context a lone window keeps each side, where the grid has it
    if hi - lo + min(lo, margin) + min(total - hi, margin) <= size:
        start = min(max(0, (lo + hi) // 2 - size // 2), total - size)
        return [(start, start + size, lo, hi)]
    out = []
    g0 = lo
    while g0 < hi:
        start = min(max(0, g0 - size // 4), total - size)
        if blank is not None and blank[g0 : start + size].all():
            g1 = min(start + size, hi)
        else:
            g1 = min(g0 + max(1, size // 2), hi)
            start = min(max(0, (g0 + g1) // 2 - size // 2), total - size)
        out.append((start, start + size, g0, g1))
        g0 = g1
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
    logit_bias: np.ndarray | None = None,
    voice_order: np.ndarray | None = None,
    sustain: np.ndarray | None = None,
    together: np.ndarray | None = None,
    clashes: np.ndarray | None = None,
    onset_bias: np.ndarray | None = None,
    drum_share: np.ndarray | None = None,
    firm: np.ndarray | None = None,
    pitch_pull: np.ndarray | None = None,
    shapes: np.ndarray | None = None,
    line_pull: np.ndarray | None = None,
    held_clash: np.ndarray | None = None,
) -> np.ndarray:
    """Generate the editable cells of ``tokens`` (L, T); returns a new (L, T) int64 grid.

    ``max_steps`` overrides the denoiser's own ``max_steps`` attribute (the window size).
    ``onset_rate`` (L,): target onsets (or drum hits) per editable cell of each lane, NaN
    for no target, or (L, T) one per cell (a shape: one bias per group and bar); lanes of
    one ``lane_groups`` id (e.g. one track) share one bias and one target (the sum of
    theirs) and never strike one pitch at one step. ``logit_bias`` (L, V): nats added to
    each lane's logits. ``voice_order`` (L,): with ``options.avoid_parallels``, the voices
    that keep their order top to bottom (:func:`~engine.models.voice_leading.voice_order`;
    -1: free). ``sustain`` (L,) or (L, T): target sounding cells (onsets and holds) per
    editable cell of each lane (or cell), NaN for none, shared by a group as
    ``onset_rate`` is. ``together`` (L,): the share of its group's onsets that strike
    with another lane of the group (:func:`context_together`), NaN for none (the fixed
    ``CHORD_BIAS``). ``clashes`` (12, 12): with ``voice_order``, the pitch-class pairs
    two of its voices may not sound together
    (:func:`~engine.models.voice_leading.false_relations`). ``onset_bias`` (L, T,
    1 + drum classes): nats added to each cell's pitched onsets (``[..., 0]``) and drum
    hits before the density control counts them (where in the bar a part, or a kit's
    drum, strikes: :func:`rhythm_bias`). ``drum_share`` (L, drum classes): each drum
    lane's kit's mix of drums (:func:`kit_shares`), NaN rows for none: each step the
    drums' hits are weighted (within ±:data:`MIX_CAP` nats, the cell's chance of a hit
    kept) so the kit's hits come out in that mix. ``firm`` (L,) bool: lanes whose onset
    target is a replaced part's own (:func:`replaced_lanes`), which the density may
    push as an explicit density does (±:data:`EXPLICIT_BIAS_CAP`, else ±:data:`BIAS_CAP`).
    ``pitch_pull`` (L, T, 12): nats added to each cell's onsets by pitch class (a bass's
    lean to the chord the parts that stay sound there:
    :func:`~engine.models.constraints.build_problem`). ``shapes`` (L,) int: the chord
    shape each lane's track keeps (:func:`~engine.models.voicing.lane_shapes`: power
    chords, root lowest or not; 0 free). ``line_pull`` (L, T, N_CHANNELS): nats moving
    each cell's onsets by the notes its lane has decided around it (a walking bass's
    beats: the module's docstring). ``held_clash`` (L, T, 12) bool: the pitch classes
    a note may not be held into each cell with (the module's docstring).
    Without targets, ``options.density`` biases the onset
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
    wins = [w for w in decode_windows(steps, size, lo, hi, editable.all(0))
            if editable[:, w[2] : w[3]].any()]
    total = len(wins) * (n_steps + passes * pass_steps)

    seed = options.seed if options.seed is not None else secrets.randbits(63)
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    allowed = None if allowed is None else np.asarray(allowed, dtype=bool)
    grid = tokens.copy()
    grid[editable] = vocab.MASK
    roles_t = torch.as_tensor(np.asarray(roles, dtype=np.int64))[None]
    beat = np.asarray(beat_pos, dtype=np.int64)
    groups = _group_ids(lane_groups, lanes)
    density = _Density.of(onset_rate, groups, options.density, firm)
    sounding = None if sustain is None else np.asarray(sustain, dtype=np.float64)
    if sounding is not None and sounding.shape not in ((lanes,), (lanes, steps)):
        raise ValueError("sustain must have one share per lane (or per cell)")
    bias = None if logit_bias is None else np.asarray(logit_bias, dtype=np.float32)
    strike = None if together is None else np.asarray(together, dtype=np.float64)
    if strike is not None and strike.shape != (lanes,):
        raise ValueError("together must have one share per lane")
    pull = None if pitch_pull is None else np.asarray(pitch_pull, dtype=np.float32)
    if pull is not None and pull.shape != (lanes, steps, 12):
        raise ValueError("pitch_pull must have 12 pitch classes per cell")
    line = None if line_pull is None else np.asarray(line_pull, dtype=np.float32)
    if line is not None and line.shape != (lanes, steps, N_CHANNELS):
        raise ValueError(f"line_pull must have {N_CHANNELS} values per cell")
    rubs = None if held_clash is None else np.asarray(held_clash, dtype=bool)
    if rubs is not None and rubs.shape != (lanes, steps, 12):
        raise ValueError("held_clash must have 12 pitch classes per cell")
    mix = None if drum_share is None else np.asarray(drum_share, dtype=np.float64)
    if mix is not None and mix.shape != (lanes, vocab.N_DRUM_CLASSES):
        raise ValueError("drum_share must have one share per lane and drum class")
    shaped = None if shapes is None else np.asarray(shapes, dtype=np.int64)
    if shaped is not None and shaped.shape != (lanes,):
        raise ValueError("shapes must have one shape per lane")
    rhythm = None if onset_bias is None else np.asarray(onset_bias, dtype=np.float32)
    if rhythm is not None and rhythm.shape != (lanes, steps, 1 + vocab.N_DRUM_CLASSES):
        raise ValueError("onset_bias must have a pitched and a per-drum bias per cell")
    done = 0

    def tick(message: str, advance: bool = True) -> None:
        nonlocal done
        cancel.raise_if_cancelled()
        done += advance
        progress(Progress(done, total, message))

    # Cells pinned to a note (a final cadence's): decided with the first window that
    # sees them, so the music leading into them is drawn against them even where a span
    # ends between the two (a hymn's bass took the octave with the melody into its pinned
    # last note in every seed: the penultimate chord was the previous span's).
    pins = _pinned_cells(allowed, editable)
    cancel.raise_if_cancelled()
    for start, end, g0, g1 in wins:
        # Cells this window decides: the editable ones of its span.
        gen_mask = np.zeros((lanes, end - start), dtype=bool)
        gen_mask[:, g0 - start : g1 - start] = editable[:, g0:g1]
        gen_mask |= pins[:, start:end] & (grid[:, start:end] == vocab.MASK)
        view = grid[:, start:end].copy()
        # The cells just outside the window constrain HOLD/REST at its edges. A note held
        # into the window shows as its onset, so the window knows the pitch it holds.
        left = np.full(lanes, vocab.REST)
        if start > 0:
            held = sounding_pitches(grid[:, :start])[:, -1]
            left = np.where((grid[:, start - 1] == vocab.HOLD) & (held >= 0),
                            vocab.ONSET + held, grid[:, start - 1])
        right = grid[:, end] if end < steps else np.full(lanes, vocab.REST)
        win = _Window(denoiser, roles_t, torch.as_tensor(beat[None, start:end].copy()),
                      allowed, start, left, right, options, rng, schedule, density, tick,
                      groups, bias, voice_order, sounding, strike, clashes, rhythm, mix,
                      pull, shaped, line, rubs)
        win.decode(view, gen_mask, gen_mask, n_steps)
        for p in range(passes):
            frac = 0.5 * (passes - p) / passes  # 1/2, then less, of the generated cells
            pick = gen_mask & (rng.random(gen_mask.shape) < frac)
            view[pick] = vocab.MASK
            win.decode(view, pick, gen_mask, pass_steps)
        grid[:, start:end] = view
    return grid


def _group_ids(lane_groups: np.ndarray | None, lanes: int) -> np.ndarray:
    """(L,) group index 0..n-1 of each lane (each lane its own group without ``lane_groups``)."""
    if lane_groups is None:
        return np.arange(lanes)
    g = np.asarray(lane_groups, dtype=np.int64)
    if len(g) != lanes:
        raise ValueError("lane_groups must have one id per lane")
    return np.unique(g, return_inverse=True)[1].reshape(-1)


class _Density:
    """Onset targets per lane group, or a fixed onset bias (see the module docstring)."""

    def __init__(self, rate: np.ndarray | None, groups: np.ndarray, n_groups: int,
                 fixed: float, cap: np.ndarray) -> None:
        self.rate, self.groups, self.n_groups = rate, groups, n_groups
        self.fixed, self.cap = fixed, cap  # cap: per group

    @classmethod
    def of(cls, rate: np.ndarray | None, g: np.ndarray, density: float | None,
           firm: np.ndarray | None = None) -> _Density:
        """``g``: the lanes' group indices (:func:`_group_ids`). ``rate``: (L,) per lane,
        or (L, T) per cell (a shape: :func:`shaped_targets`). ``firm``: lanes whose
        target is a replaced part's own (:func:`replaced_lanes`)."""
        lanes = len(g)
        scale = None if density is None else min(max(float(density), 0.0), 1.0)
        fixed = 0.0 if scale is None else 6.0 * (scale - 0.5)
        n_groups = int(g.max(initial=-1)) + 1
        if rate is None or not np.isfinite(np.asarray(rate, dtype=float)).any():
            return cls(None, g, n_groups, fixed, np.zeros(n_groups))
        r = np.asarray(rate, dtype=np.float64)
        if r.ndim not in (1, 2) or len(r) != lanes:
            raise ValueError("onset_rate must have one rate per lane (or per cell)")
        if scale is not None:
            r = r * 4.0 ** (2.0 * scale - 1.0)
        # A replaced part's own onsets (its shape, bar by bar) or an explicit density is a
        # firm target; a context's rate leaves the model's belief more say. A pad held to
        # its shape at BIAS_CAP struck 63 more notes than its 355 (bars of one chord took
        # a second where the model leant to re-strike).
        cap = np.full(n_groups, BIAS_CAP if scale is None else EXPLICIT_BIAS_CAP)
        if firm is not None:
            cap[np.unique(g[np.asarray(firm, dtype=bool)])] = EXPLICIT_BIAS_CAP
        return cls(np.clip(r, 0.0, 1.0), g, n_groups, 0.0, cap)

    def bias(self, margin: np.ndarray, lane: np.ndarray, col: np.ndarray,
             scope_lane: np.ndarray, scope_col: np.ndarray, scope_onset: np.ndarray,
             bar: np.ndarray | None = None, scope_bar: np.ndarray | None = None
             ) -> np.ndarray:
        """Onset-logit bias of each masked cell for this step: the fixed one, or per group
        the bias whose expected onsets over the masked cells complete the group's target
        in the scope (the cells this decode generates); with ``bar``/``scope_bar`` (the
        bar of each cell), raised where needed so that every bar gets at least
        :data:`BAR_FLOOR` of its share. A group with a target per cell (a shape) gets one
        bias per bar instead, each completing that bar's own target: a bar whose target
        is nothing gets the lowest bias, so the part rests where it rested.

        ``margin``: log-odds of an onset of each masked cell, on lane ``lane`` at grid
        column ``col``; ``scope_lane``/``scope_col``/``scope_onset``: lane and grid
        column of each scope cell and whether it holds a decided onset."""
        if self.rate is None:
            return np.full(len(lane), self.fixed)
        per_cell = self.rate.ndim == 2
        rate = np.nan_to_num(self.rate, nan=0.0)
        steered = np.isfinite(self.rate).any(-1) if per_cell else np.isfinite(self.rate)
        scope_rate = rate[scope_lane, scope_col] if per_cell else rate[scope_lane]
        g_scope, g = self.groups[scope_lane], self.groups[lane]
        m = np.clip(margin.astype(np.float64), -60.0, 60.0)
        if per_cell and bar is not None and scope_bar is not None:
            # Each bar its own target: the replaced part's shape (module docstring).
            bars = int(max(bar.max(initial=0), scope_bar.max(initial=0))) + 1
            gb = g * bars + bar
            b = self._solve(m, gb, g_scope * bars + scope_bar, scope_rate, scope_onset,
                            self.n_groups * bars, 1.0)[gb]
            return np.where(steered[lane], b, 0.0)
        b = self._solve(m, g, g_scope, scope_rate, scope_onset, self.n_groups, 1.0)[g]
        if BAR_FLOOR > 0 and bar is not None and scope_bar is not None:
            # Confidence-ordered decoding gathered a track's notes in some bars and left
            # others silent (a composed flute mute in its last three bars): a bar short
            # of its share gets the bias that brings it to the floor, if that is higher.
            bars = int(max(bar.max(initial=0), scope_bar.max(initial=0))) + 1
            gb = g * bars + bar
            floor = self._solve(m, gb, g_scope * bars + scope_bar, scope_rate,
                                scope_onset, self.n_groups * bars, BAR_FLOOR)
            b = np.maximum(b, floor[gb])
        return np.where(steered[lane], b, 0.0)

    def _solve(self, m: np.ndarray, g: np.ndarray, g_scope: np.ndarray,
               scope_rate: np.ndarray, scope_onset: np.ndarray, n: int,
               share: float) -> np.ndarray:
        """Per group, the bias (within ±cap) whose expected onsets over its masked cells
        (log-odds ``m``) make up ``share`` of its target in the scope, less what is
        decided."""
        want = share * np.bincount(g_scope, weights=scope_rate, minlength=n)
        have = np.bincount(g_scope, weights=scope_onset, minlength=n)
        open_cells = np.bincount(g, minlength=n).astype(np.float64)
        need = np.minimum(np.maximum(want - have, 0.0), open_cells)
        cap = np.repeat(self.cap, n // self.n_groups)  # per group, or per group and bar
        return _group_bias(g, n, need, cap, lambda b: _sigmoid(m + b))


class _Window:
    """Decoding inside one window: the model, the fixed inputs and the shared RNG."""

    def __init__(self, denoiser: Denoiser, roles: torch.Tensor, beat: torch.Tensor,
                 allowed: np.ndarray | None, start: int, left: np.ndarray, right: np.ndarray,
                 options: GenerateOptions, rng: np.random.Generator, schedule: str,
                 density: _Density, tick: Callable[..., None], groups: np.ndarray,
                 logit_bias: np.ndarray | None, voice_order: np.ndarray | None = None,
                 sustain: np.ndarray | None = None, together: np.ndarray | None = None,
                 clashes: np.ndarray | None = None,
                 onset_bias: np.ndarray | None = None,
                 drum_share: np.ndarray | None = None,
                 pitch_pull: np.ndarray | None = None,
                 shapes: np.ndarray | None = None,
                 line_pull: np.ndarray | None = None,
                 held_clash: np.ndarray | None = None) -> None:
        self.denoiser, self.roles, self.beat = denoiser, roles, beat
        self.groups, self.logit_bias, self.onset_bias = groups, logit_bias, onset_bias
        self.drum_share = (drum_share if drum_share is not None
                           and np.isfinite(drum_share).any() else None)
        self.pitch_pull = pitch_pull
        self.line_pull = line_pull
        self.held_clash = held_clash
        self.shared = np.bincount(groups)[groups] > 1  # lanes whose track has other lanes
        # The chord shape each lane's track keeps (engine.models.voicing); None: all free.
        self.shapes = (np.where(self.shared, shapes, 0) if shapes is not None
                       and (np.asarray(shapes)[self.shared] > 0).any() else None)
        self.allowed, self.start = allowed, start
        self._forced: np.ndarray | None = None  # _forced_kinds of this window, once read
        self.left, self.right = left, right
        self.top_p = float(options.top_p)
        self.temperature = max(float(options.temperature), 1e-4)
        self.avoid_parallels = bool(options.avoid_parallels)
        self.voice_order = (np.asarray(voice_order, dtype=np.int64)
                            if voice_order is not None and self.avoid_parallels else None)
        self.rng, self.schedule, self.density, self.tick = rng, schedule, density, tick
        # False relations between voices (a note against its chromatic alteration).
        self.clashes = clashes if self.voice_order is not None else None
        self.sustain = (None if sustain is None or not np.isfinite(sustain).any()
                        else np.clip(sustain, 0.0, 1.0))
        self.chord_gain = math.exp(CHORD_BIAS)
        self.kappa = np.zeros(0)  # the strike-together bias per group, set each step
        # Per group, its strike-together target (NaN: none, the fixed chord gain).
        n_groups = int(groups.max(initial=-1)) + 1
        self.together = np.full(n_groups, np.nan)
        if together is not None:
            for g in range(n_groups):
                shares = together[(groups == g) & self.shared & np.isfinite(together)]
                if shares.size:
                    self.together[g] = float(np.clip(shares[0], 0.0, 1.0))
        # Bar of each window column: a new bar wherever the position in the bar goes back
        # (a window may start inside a bar; a bar line may fall between two steps).
        pos = step_in_bar(beat[0].numpy())
        self.bar_of_col = np.concatenate([[0], np.cumsum(pos[1:] <= pos[:-1])])

    def _static_allowed(self, lane: np.ndarray, col: np.ndarray) -> np.ndarray:
        """(n, V) tokens the constraints allow in these cells (never ``MASK``)."""
        if self.allowed is None:
            ok = np.ones((len(lane), vocab.VOCAB_SIZE), dtype=bool)
        elif self.allowed.ndim == 2:
            ok = self.allowed[lane]
        else:
            ok = self.allowed[lane, self.start + col]
        ok[:, vocab.MASK] = False
        return ok

    def logits(self, grid: np.ndarray) -> np.ndarray:
        """(L·W, V) float32 logits of every cell of the window."""
        with torch.no_grad():
            out = self.denoiser(torch.from_numpy(grid[None].copy()), self.roles, self.beat)
        out = out[0].float().numpy()
        return out.reshape(-1, out.shape[-1])

    def decode(self, grid: np.ndarray, gen_mask: np.ndarray, scope: np.ndarray,
               n_steps: int) -> None:
        """Decode the masked cells ``gen_mask`` of the window ``grid`` (L, W) in place in
        ``n_steps``; ``scope`` ⊇ ``gen_mask`` holds every cell this window generates."""
        width = grid.shape[1]
        cells = np.flatnonzero(gen_mask)  # every cell this decode may write, row-major
        lane, col = np.divmod(cells, width)
        static = self._static_allowed(lane, col)
        pinned = _pinned(static)
        scope_cells = np.flatnonzero(scope)
        scope_lane, scope_col = np.divmod(scope_cells, width)
        n_gen = len(cells)
        flat = grid.reshape(-1)  # a view: writes go to grid
        # With avoid_parallels, cells re-masked at the last step get up to EXTRA_PASSES
        # more passes.
        last_pass = n_steps + (EXTRA_PASSES if self.avoid_parallels else 0)
        for s in range(1, last_pass + 1):
            open_ = flat[cells] == vocab.MASK
            n_masked = int(open_.sum())
            if n_masked == 0:
                if s > n_steps:
                    break
                self.tick("writing notes")
                continue
            idx, ln, cl = cells[open_], lane[open_], col[open_]
            logits = self.logits(grid)[idx]  # (m, V): only the cells still masked
            ok = self._legal(grid, static[open_], ln, cl)
            # Unnormalised probabilities of the legal tokens; an onset bias b multiplies
            # the onset tokens' weights by e^b.
            if self.temperature != 1.0:
                logits /= self.temperature
            if self.logit_bias is not None:
                logits += self.logit_bias[ln]
            if self.pitch_pull is not None:
                logits[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] += (
                    self.pitch_pull[ln, self.start + cl][:, _PITCH_CLASS])
            if self.line_pull is not None:
                logits[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] += self._line(
                    grid, ln, cl)
            if self.onset_bias is not None:
                where = self.onset_bias[ln, self.start + cl]  # (m, 1 + drum classes)
                logits[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] += where[:, :1]
                logits[:, vocab.DRUM :] += where[:, 1:]
            weights = np.where(ok, logits, -np.inf)
            weights -= weights.max(-1, keepdims=True)
            np.exp(weights, out=weights)
            if self.shared.any():
                weights[:, vocab.ONSET : vocab.DRUM] *= self._chord_gain(
                    grid, weights, ln, cl, scope_lane, scope_col)[:, None]
            with np.errstate(divide="ignore"):
                margin = (np.log(weights[:, vocab.ONSET :].sum(-1))
                          - np.log(weights[:, : vocab.ONSET].sum(-1)))
            bias = self.density.bias(margin, ln, self.start + cl, scope_lane,
                                     self.start + scope_col, flat[scope_cells] >= vocab.ONSET,
                                     self.bar_of_col[cl], self.bar_of_col[scope_col])
            weights[:, vocab.ONSET :] *= np.exp(bias).astype(np.float32)[:, None]
            if self.sustain is not None:
                # Holds against rests only: the onsets keep the share the density gave them.
                other = weights[:, : vocab.ONSET].sum(-1)
                weights[:, vocab.HOLD] *= np.exp(self._hold_bias(
                    weights, ln, self.start + cl, scope_lane, self.start + scope_col,
                    flat[scope_cells], self.bar_of_col[cl],
                    self.bar_of_col[scope_col])).astype(np.float32)
                now = weights[:, : vocab.ONSET].sum(-1)
                weights[:, : vocab.ONSET] *= np.divide(
                    other, now, out=np.ones_like(now), where=now > 0)[:, None]
            if self.drum_share is not None:
                # The kit's mix of drums; each cell keeps the chance of a hit it had.
                hits = weights[:, vocab.DRUM :]
                before = hits.sum(-1)
                hits *= np.exp(self._mix_bias(weights, ln, scope_lane,
                                              flat[scope_cells])).astype(np.float32)
                after = hits.sum(-1)
                hits *= np.divide(before, after, out=np.ones_like(after),
                                  where=after > 0)[:, None]
            draw, logp = _draw(weights, self.top_p, self.rng)
            keep_masked = math.floor(n_gen * mask_schedule(s, n_steps, self.schedule))
            n_commit = max(1, n_masked - keep_masked) if s < n_steps else n_masked
            conf = logp + self.rng.gumbel(size=n_masked) * CHOICE_TEMPERATURE * max(
                0.0, 1.0 - s / n_steps)
            # Cells the constraints pin to a note of one or two pitch classes (a final
            # cadence's) come first: the music leading into them is drawn against them (a
            # bass drawn before its pinned tonic moved in octaves with the melody into it).
            pins = pinned[open_]
            conf[pins] += PINNED_FIRST
            n_commit = max(n_commit, int(pins.sum()))
            chosen = np.argsort(-conf, kind="stable")[:n_commit]
            draw[chosen] = self._give_way(draw[chosen], ln[chosen], cl[chosen],
                                          weights[chosen])
            draw[chosen] = self._join_chords(draw[chosen], ln[chosen], cl[chosen],
                                             weights[chosen])
            if self.line_pull is not None:
                draw[chosen] = self._redraw_line(grid, idx[chosen], draw[chosen], ln[chosen],
                                                 cl[chosen], weights[chosen])
            flat[idx[chosen]] = draw[chosen]
            if self.held_clash is not None:
                self._repair_held_clashes(grid, ln[chosen], cl[chosen], weights[chosen])
            self._repair_holds(grid, ln[chosen], cl[chosen], weights[chosen])
            # (After the repair: it may strike a note too.) Only the shaped lanes' cells: a
            # track's lanes share their shape, so no other cell bears on them.
            shaped = (chosen[self.shapes[ln[chosen]] > 0] if self.shapes is not None
                      else chosen[:0])
            if shaped.size:
                before = grid.copy()
                before.reshape(-1)[idx[shaped]] = vocab.MASK
                # Where the step's legal notes hold none of the shape (they were read before
                # this step's other draws), the model's own within the cell's constraints.
                own = logits[shaped] - logits[shaped].max(-1, keepdims=True)
                own = np.where(static[open_][shaped], np.exp(own), 0.0)
                flat[idx[shaped]] = keep_shape(flat[idx[shaped]], ln[shaped], cl[shaped],
                                               before, self.groups, self.shapes,
                                               weights[shaped],
                                               lambda w: _draw(w, self.top_p, self.rng)[0],
                                               own)
            if self.avoid_parallels and s < last_pass:
                self._defer_parallels(grid, idx[chosen], conf[chosen])
                if self.voice_order is not None:
                    self._defer_crossings(grid, idx[chosen], conf[chosen], cells)
                if self.clashes is not None:
                    self._defer_clashes(grid, idx[chosen], conf[chosen])
            # Passes after the last step redraw a few re-masked cells: no progress made.
            self.tick("writing notes" if s <= n_steps else "voice leading", advance=s <= n_steps)

    def _line(self, grid: np.ndarray, lane: np.ndarray, col: np.ndarray) -> np.ndarray:
        """(m, N_PITCHES) nats added to these masked cells' onsets by ``line_pull``,
        against the notes decided around them (:func:`~engine.models.line_pull.line_nats`;
        a masked cell that can only hold reads as a hold)."""
        view = self._padded(self._motion_view(grid))  # window column c is column c + 1
        return line_nats(view, sounding_pitches(view), lane, col + 1,
                         self.line_pull[lane, self.start + col])

    def _redraw_line(self, grid: np.ndarray, cells: np.ndarray, draw: np.ndarray,
                     lane: np.ndarray, col: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``draw`` (cells ``cells`` of the flat window, in decreasing confidence) with
        each onset whose ``line_pull`` a more confident draw of this step changed (the
        beat before or after it, or the one beyond, drawn beside it) drawn again with
        the pull as it is now: as if drawn after it. Two neighbouring beats drawn in one
        step had not seen each other (a walking bass struck E2 on three beats running)."""
        draw = draw.copy()
        rows = np.flatnonzero(self.line_pull[lane, self.start + col].any(-1))
        if not rows.size:
            return draw
        flat = grid.reshape(-1)
        seen = self._line(grid, lane[rows], col[rows])  # before this step's draws
        for k, r in enumerate(rows.tolist()):
            now = self._line(grid, lane[r : r + 1], col[r : r + 1])[0]
            more = now - seen[k]
            pitch = draw[r] - vocab.ONSET
            if 0 <= pitch < vocab.N_PITCHES and more.any():
                w = weights[r].copy()
                w[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] *= np.exp(more)
                draw[r] = _draw(w[None], self.top_p, self.rng)[0][0]
            flat[cells[r]] = draw[r]
        flat[cells[rows]] = vocab.MASK  # the caller commits them
        return draw

    def _hold_bias(self, weights: np.ndarray, lane: np.ndarray, col: np.ndarray,
                   scope_lane: np.ndarray, scope_col: np.ndarray, scope_token: np.ndarray,
                   bar: np.ndarray, scope_bar: np.ndarray) -> np.ndarray:
        """(m,) nats for the HOLD of each masked cell against its REST: per group with a
        ``sustain`` target, the bias (within ±:data:`SUSTAIN_CAP`) whose expected sounding
        cells make up the target's share of the scope less what is decided there (a
        target per cell, a shape: per group and bar, so a note is not held into a bar
        the part rested in). The onsets keep their probability (``weights``: the cells'
        unnormalised token probabilities, the onset bias in): a hold takes its share from
        the rest only."""
        share = self.sustain
        per_cell = share.ndim == 2
        steered = np.isfinite(share).any(-1) if per_cell else np.isfinite(share)
        share = np.nan_to_num(share, nan=0.0)
        n = int(self.groups.max()) + 1
        g, g_scope = self.groups[lane], self.groups[scope_lane]
        if per_cell:
            bars = int(max(bar.max(initial=0), scope_bar.max(initial=0))) + 1
            g, g_scope, n = g * bars + bar, g_scope * bars + scope_bar, n * bars
        decided = _sounding(scope_token)
        want = np.bincount(g_scope, weights=share[scope_lane, scope_col] if per_cell
                           else share[scope_lane], minlength=n)
        need = want - np.bincount(g_scope, weights=decided, minlength=n)
        total = weights.sum(-1).astype(np.float64)
        hold = weights[:, vocab.HOLD].astype(np.float64)
        onset = weights[:, vocab.ONSET : vocab.DRUM].sum(-1).astype(np.float64)
        rest = np.maximum(total - hold - onset, 0.0)
        p_onset = onset / np.maximum(total, 1e-30)

        def p_sound(bias: np.ndarray) -> np.ndarray:
            h = hold * np.exp(bias)
            return p_onset + (1.0 - p_onset) * h / np.maximum(h + rest, 1e-30)

        bias = _group_bias(g, n, need, SUSTAIN_CAP, p_sound)
        return np.where(steered[lane], bias[g], 0.0)

    def _mix_bias(self, weights: np.ndarray, lane: np.ndarray, scope_lane: np.ndarray,
                  scope_token: np.ndarray) -> np.ndarray:
        """(m, drum classes) nats for each masked cell's drum hits: per kit with a
        ``drum_share``, each drum's log ratio of the hits it still lacks for the kit's mix
        (of the hits decided in the scope and expected in the masked cells) to those its
        masked cells are expected to give, within ±:data:`MIX_CAP` (a model left alone
        turned openmsx-3's 28 snares and 72 kicks in 8 bars into 100 and 40)."""
        share = self.drum_share
        out = np.zeros((len(lane), vocab.N_DRUM_CLASSES))
        steered = np.isfinite(share[lane, 0])
        if not steered.any():
            return out
        p = weights[:, vocab.DRUM :] / np.maximum(weights.sum(-1), 1e-30)[:, None]
        decided = scope_token >= vocab.DRUM
        for g in np.unique(self.groups[lane[steered]]):
            cells = steered & (self.groups[lane] == g)
            kinds = scope_token[decided & (self.groups[scope_lane] == g)] - vocab.DRUM
            have = np.bincount(kinds, minlength=vocab.N_DRUM_CLASSES)
            expected = p[cells].sum(0).astype(np.float64)
            want = share[lane[cells][0]] * (have.sum() + expected.sum()) - have
            out[cells] = np.clip(np.log(np.maximum(want, 1e-3) / np.maximum(expected, 1e-6)),
                                 -MIX_CAP, MIX_CAP)
        return out

    def _chord_gain(self, grid: np.ndarray, weights: np.ndarray, lane: np.ndarray,
                    col: np.ndarray, scope_lane: np.ndarray, scope_col: np.ndarray
                    ) -> np.ndarray:
        """(m,) factor on each masked cell's pitched onsets: ``CHORD_BIAS`` where another
        lane of its track strikes in its column, or for a group with a ``together``
        target e^κ there and e^−κ where its note would strike alone (every other lane
        of the column decided, none striking), κ per group such that the scope's decided
        and expected onsets strike together the target's share (module docstring).
        ``weights``: the cells' unnormalised token probabilities; ``scope_lane`` /
        ``scope_col``: every cell this window generates (window columns)."""
        chord = self._chord_cells(grid, lane, col)
        gain = np.where(chord, self.chord_gain, 1.0)
        steered = np.isfinite(self.together)
        if not steered.any():
            return gain
        n = len(self.together)
        onset = (grid >= vocab.ONSET) & (grid < vocab.DRUM)
        masked = grid == vocab.MASK
        on_g = np.zeros((n, grid.shape[1]), dtype=np.int32)
        open_g = np.zeros_like(on_g)
        np.add.at(on_g, self.groups, onset)
        np.add.at(open_g, self.groups, masked)
        g = self.groups[lane]
        alone = ~chord & (open_g[g, col] == 1)  # only this cell is still open in its column
        # Decided onsets of the scope: struck with another lane, or alone for good.
        sg = self.groups[scope_lane]
        struck = onset[scope_lane, scope_col]
        others = on_g[sg, scope_col] - 1
        with_others = struck & (others > 0)
        by_itself = struck & (others == 0) & (open_g[sg, scope_col] == 0)
        tau = np.nan_to_num(self.together)
        # Σ(1−τ)·p(chord cells) − Σ τ·p(alone cells) ≥ τ·(alone onsets) − (1−τ)·(together ones)
        need = (tau * np.bincount(sg, weights=by_itself, minlength=n)
                - (1.0 - tau) * np.bincount(sg, weights=with_others, minlength=n))
        pitched = weights[:, vocab.ONSET : vocab.DRUM].sum(-1).astype(np.float64)
        rest = np.maximum(weights.sum(-1) - pitched, 1e-30)
        with np.errstate(divide="ignore"):
            m = np.clip(np.log(pitched) - np.log(rest), -60.0, 60.0)
        t = tau[g]

        def gained(k: np.ndarray) -> np.ndarray:
            return np.where(chord, (1.0 - t) * _sigmoid(m + k),
                            np.where(alone, -t * _sigmoid(m - k), 0.0))

        self.kappa = _group_bias(g, n, need, TOGETHER_CAP, gained)
        # At least TOGETHER_FLOOR × the target's log-odds: the balance above weighs the
        # cells open now, and a column's lanes mostly settle (on holds) before its onset.
        with np.errstate(divide="ignore"):
            floor = TOGETHER_FLOOR * (np.log(tau) - np.log1p(-tau))
        self.kappa = np.clip(np.maximum(self.kappa, floor), -TOGETHER_CAP, TOGETHER_CAP)
        kappa = self.kappa[g]
        own = np.where(chord, np.exp(kappa), np.where(alone, np.exp(-kappa), 1.0))
        return np.where(self.shared[lane] & steered[g], own, gain)

    def _join_chords(self, draw: np.ndarray, lane: np.ndarray, col: np.ndarray,
                     weights: np.ndarray) -> np.ndarray:
        """``draw`` (cells committed together, in decreasing confidence) with each cell of
        a group steered to strike together (κ > 0) that drew a rest where another cell of
        its group and column drew an onset drawn again with its onsets × e^κ, as if drawn
        after it: lanes drawn in one step would otherwise rarely strike together (a
        column's cells mostly settle in one step). A cell that drew a hold keeps it (its
        note sounds on under the chord). Pitches a sibling strikes there, and the
        semitones next to them, stay out."""
        if not self.kappa.size:
            return draw
        g = self.groups[lane]
        steered = self.shared[lane] & (self.kappa[g] > 0)
        pitched = (draw >= vocab.ONSET) & (draw < vocab.DRUM)
        key = g * (int(col.max(initial=0)) + 1) + col
        struck = np.unique(key[pitched & steered])
        redo = np.flatnonzero(steered & (draw == vocab.REST) & np.isin(key, struck))
        if not redo.size:
            return draw
        draw = draw.copy()
        w = weights[redo].astype(np.float64)
        w[:, vocab.ONSET : vocab.DRUM] *= np.exp(self.kappa[g[redo]])[:, None]
        for i, r in enumerate(redo):
            sib = np.flatnonzero(pitched & (key == key[r]))
            for p in draw[sib] - vocab.ONSET:
                lo, hi = max(p - 1, 0), min(p + 2, vocab.N_PITCHES)
                w[i, vocab.ONSET + lo : vocab.ONSET + hi] = 0.0
        ok = w.sum(-1) > 0
        if ok.any():
            draw[redo[ok]] = _draw(w[ok], self.top_p, self.rng)[0]
        return draw

    def _chord_cells(self, grid: np.ndarray, lane: np.ndarray, col: np.ndarray) -> np.ndarray:
        """(m,) whether another lane of each cell's track starts a note in its column: a
        chord tone there is what a pianist would play (lanes drawn in one step are drawn
        independently, so without this a track's notes came apart: the demo's piano,
        mostly 3- and 4-note chords, came back as single notes and dyads)."""
        onset = (grid >= vocab.ONSET) & (grid < vocab.DRUM)
        per_group = np.zeros((int(self.groups.max()) + 1, grid.shape[1]), dtype=np.int32)
        np.add.at(per_group, self.groups, onset)
        others = per_group[self.groups[lane], col] - onset[lane, col]
        return self.shared[lane] & (others > 0)

    def _defer_parallels(self, grid: np.ndarray, new: np.ndarray, conf: np.ndarray) -> None:
        """Re-mask one new cell of each parallel fifth/octave that cells drawn together in
        this step made — the less confident of the cells moved into, else of the cells
        that sound before the move (back through holds to their onset) — so a later pass
        redraws it against its decided neighbours (:func:`parallel_motion`)."""
        width = grid.shape[1]
        rank = np.full(grid.size, np.inf)
        rank[new] = conf
        flat = grid.reshape(-1)
        seen = self._motion_view(grid)
        for a, b, t in parallel_pairs(self._padded(seen), contrary=True):
            into = [lane * width + t - 1 for lane in (a, b) if t - 1 < width]
            before = []
            for lane in (a, b):  # back through holds and a short rest to the onset
                c = t - 2
                while 0 <= c < width:
                    before.append(lane * width + c)
                    if seen[lane, c] not in (vocab.HOLD, vocab.REST):
                        break
                    c -= 1
            for cells in (into, before):
                cells = [x for x in cells if np.isfinite(rank[x])]
                if cells:
                    flat[min(cells, key=lambda x: rank[x])] = vocab.MASK
                    break

    def _defer_crossings(self, grid: np.ndarray, new: np.ndarray, conf: np.ndarray,
                         written: np.ndarray) -> None:
        """Re-mask one cell of each pair of voices crossed after this step, so a later pass
        redraws it against its neighbour (:func:`crossing_motion`): of two new cells (each
        was legal against the cells decided before it, not against the other) the less
        confident; of a new cell crossing a neighbour decided before, the neighbour where
        this decode wrote it (``written``, flat cells). The new cell crossed only because
        its own constraints left it no note in order (an opening alto held to the third
        B3 under a tenor already on D4): the neighbour, redrawn, can still go under it."""
        width = grid.shape[1]
        rank = np.full(grid.size, np.inf)
        rank[new] = conf
        ours = np.zeros(grid.size, dtype=bool)
        ours[written] = True
        flat = grid.reshape(-1)
        pitch = sounding_pitches(self._padded(self._motion_view(grid)))[:, 1:-1]
        order = self.voice_order
        voices = np.flatnonzero(order >= 0)
        by_rank = voices[np.argsort(order[voices])]
        for upper, lower in itertools.pairwise(by_rank):
            crossed = np.flatnonzero((pitch[upper] >= 0) & (pitch[lower] >= 0)
                                     & (pitch[upper] < pitch[lower]))
            for c in crossed:
                pair = (upper * width + c, lower * width + c)
                cells = [x for x in pair if np.isfinite(rank[x])]
                if len(cells) == 1:
                    cells = [x for x in pair if x not in cells and ours[x]
                             and flat[x] != vocab.MASK] or cells
                if cells:
                    flat[min(cells, key=lambda x: rank[x])] = vocab.MASK

    def _defer_clashes(self, grid: np.ndarray, new: np.ndarray, conf: np.ndarray) -> None:
        """Re-mask the less confident new cell of each pair of voices drawn in this step
        that sound a false relation together (:func:`clash_motion`): of the cells where
        they clash, else back through their holds to the onsets."""
        width = grid.shape[1]
        rank = np.full(grid.size, np.inf)
        rank[new] = conf
        flat = grid.reshape(-1)
        seen = self._motion_view(grid)
        for a, b, c in clash_cells(self._padded(seen), self.clashes, self.voice_order >= 0):
            cells = []
            for lane in (a, b):  # the cell, back through its holds to the onset
                k = c - 1
                while 0 <= k < width:
                    cells.append(lane * width + k)
                    if seen[lane, k] != vocab.HOLD:
                        break
                    k -= 1
            cells = [x for x in cells if np.isfinite(rank[x]) and flat[x] != vocab.MASK]
            if cells:
                flat[min(cells, key=lambda x: rank[x])] = vocab.MASK

    def _padded(self, grid: np.ndarray) -> np.ndarray:
        """The window with the cells just outside it: column ``c + 1`` is window column c."""
        return np.concatenate([self.left[:, None], grid, self.right[:, None]], axis=1)

    def _forced_kinds(self, width: int) -> np.ndarray:
        """(L, ``width``) per cell of this window the one token the constraints leave
        it, where that is ``HOLD`` or ``REST`` (kept rhythm's holds and rests, a bar the
        replaced part rested in); ``MASK`` elsewhere."""
        forced = np.full((len(self.groups), width), vocab.MASK, dtype=np.int64)
        if self.allowed is None:
            return forced
        ok = (self.allowed[:, None] if self.allowed.ndim == 2
              else self.allowed[:, self.start : self.start + width]).copy()
        ok[..., vocab.MASK] = False
        one = ok.sum(-1) == 1
        for token in (vocab.HOLD, vocab.REST):
            forced[np.broadcast_to(one & ok[..., token], forced.shape)] = token
        return forced

    def _motion_view(self, grid: np.ndarray) -> np.ndarray:
        """``grid`` as the voice-leading checks read it: a still-masked cell that can
        only hold (or only rest) reads as that token, so a note is judged by where it
        will move. With *keep rhythm* a replaced note's holds are fixed before they are
        drawn: read as unknown, a bass's C3 and its next onset B2 were each legal alone
        and the kept hold between them then moved in octaves with the soprano's C5 → B4
        (QA: a parallel in 3 of 6 keep-rhythm repaints of a chorale's bass, none
        without)."""
        width = grid.shape[1]
        if self._forced is None or self._forced.shape[1] != width:
            self._forced = self._forced_kinds(width)
        return np.where((grid == vocab.MASK) & (self._forced != vocab.MASK), self._forced,
                        grid)

    def _legal(self, grid: np.ndarray, ok: np.ndarray, lane: np.ndarray,
               col: np.ndarray) -> np.ndarray:
        """(m, V) tokens each cell may take now: the constraints, and ``HOLD`` only after a
        note (a still-masked cell on the left is fine), ``REST`` not before a kept
        ``HOLD``; with ``options.avoid_parallels``, no onset, hold or rest moving in
        parallel fifths or octaves with the cells decided so far (:func:`parallel_motion`:
        across a rest shorter than a beat too), nor crossing the
        voice above or below (:func:`crossing_motion`); no onset of a pitch
        (or drum class) another lane of the track sounds there."""
        padded = self._padded(grid)
        both = ok.copy()
        both[:, vocab.HOLD] &= padded[lane, col] != vocab.REST
        both[:, vocab.REST] &= padded[lane, col + 2] != vocab.HOLD
        if self.shared[lane].any():
            both &= ~self._struck_by_siblings(padded, lane, col)
            both &= ~self._semitone_clash(padded, lane, col)
            if self.shapes is not None:
                both &= ~off_shape(padded, lane, col, self.groups, self.shapes)
        # Voice leading reads the holds and rests already certain (_motion_view).
        seen = self._padded(self._motion_view(grid))
        structure = both.copy()  # before the voice leading's own rules
        if self.avoid_parallels:
            onsets, hold, rest = parallel_motion(seen, lane, col)
            both[:, vocab.ONSET : vocab.DRUM] &= ~onsets
            both[:, vocab.HOLD] &= ~hold
            both[:, vocab.REST] &= ~rest
        if self.voice_order is not None:  # voices keep their order (no crossing)
            onsets, hold = crossing_motion(seen, lane, col, self.voice_order)
            crossed = np.zeros_like(both)
            crossed[:, vocab.ONSET : vocab.DRUM] = onsets
            crossed[:, vocab.HOLD] = hold
            ordered, in_order = both & ~crossed, structure & ~crossed
            # Where keeping the order and shunning parallels leaves nothing, a parallel
            # slips through (said as such by the take's warnings) before a voice crosses
            # (heard, and said by nothing): hymn34's alto went over the soprano's C♯4.
            # Only where the order itself leaves nothing does a voice cross: three voices
            # left on one D, the tenor's only other way out was the octave with the alto
            # into the last chord (a docs QA's harmonize).
            both = np.where(ordered.any(-1, keepdims=True), ordered,
                            np.where(in_order.any(-1, keepdims=True), in_order, both))
        if self.clashes is not None:  # no false relation, unless nothing else is left
            onsets, hold = clash_motion(seen, lane, col, self.clashes, self.voice_order >= 0)
            free = both.copy()
            free[:, vocab.ONSET : vocab.DRUM] &= ~onsets
            free[:, vocab.HOLD] &= ~hold
            both = np.where(free.any(-1, keepdims=True), free, both)
        if self.held_clash is not None:  # no note held into a chord it rubs with
            onsets, hold = self._held_clashes(seen, lane, col)
            free = both.copy()
            free[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] &= ~onsets
            free[:, vocab.HOLD] &= ~hold
            both = np.where(free.any(-1, keepdims=True), free, both)
        # A cell the structure leaves no allowed token for keeps the user's constraint only.
        ok = np.where(both.any(-1, keepdims=True), both, ok)
        ok[:, vocab.REST] |= ~ok.any(-1)
        return ok

    def _held_clashes(self, seen: np.ndarray, lane: np.ndarray, col: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """(m, N_PITCHES) onsets and (m,) holds of these cells that would sound a note on
        into a cell whose ``held_clash`` names its pitch class: an onset through the holds
        decided after it, a hold through itself and them, holding the note sounding
        before it. ``seen``: the padded motion view (window column c is c + 1)."""
        onsets = np.zeros((len(lane), vocab.N_PITCHES), dtype=bool)
        hold = np.zeros(len(lane), dtype=bool)
        clash = self.held_clash
        assert clash is not None
        width = seen.shape[1] - 2
        rows = np.flatnonzero(clash[lane, self.start : self.start + width].any((-1, -2)))
        if not rows.size:
            return onsets, hold
        pitch = sounding_pitches(seen)
        for r in rows.tolist():
            ln, c = int(lane[r]), int(col[r])
            into = np.zeros(12, dtype=bool)  # through the holds decided after the cell
            k = c + 1
            while k < width and seen[ln, k + 1] == vocab.HOLD:
                into |= clash[ln, self.start + k]
                k += 1
            onsets[r] = into[_PITCH_CLASS]
            before = int(pitch[ln, c])  # the note sounding in the cell before
            held_into = into | clash[ln, self.start + c]
            hold[r] = before >= 0 and bool(held_into[before % 12])
        return onsets, hold

    def _repair_held_clashes(self, grid: np.ndarray, lane: np.ndarray, col: np.ndarray,
                             weights: np.ndarray) -> None:
        """Replace just-drawn HOLDs that hold a note drawn beside them in this step into a
        chord it rubs with (``held_clash``) by their most likely other legal token."""
        holds = np.flatnonzero(grid[lane, col] == vocab.HOLD)
        if not holds.size:
            return
        alt = weights[holds].copy()
        alt[:, [vocab.MASK, vocab.HOLD]] = 0.0
        for _ in range(len(holds)):  # a chain of holds: the first that rubs goes
            seen = self._padded(self._motion_view(grid))
            _, bad = self._held_clashes(seen, lane[holds], col[holds])
            bad &= grid[lane[holds], col[holds]] == vocab.HOLD
            bad &= alt.sum(-1) > 0
            if not bad.any():
                break
            r = int(np.flatnonzero(bad)[0])
            grid[lane[holds[r]], col[holds[r]]] = int(alt[r].argmax())

    def _struck_by_siblings(self, padded: np.ndarray, lane: np.ndarray, col: np.ndarray
                            ) -> np.ndarray:
        """(m, V) onset and drum tokens that another lane of each cell's group already
        sounds in that cell's column (a decided onset or a note held there)."""
        pitch = sounding_pitches(padded)[:, 1:-1]
        cell = padded[:, 1:-1]
        token = np.where(pitch >= 0, vocab.ONSET + pitch,
                         np.where(cell >= vocab.DRUM, cell, -1))  # (L, W), -1: nothing
        taken = np.zeros((len(lane), vocab.VOCAB_SIZE), dtype=bool)
        for other in np.flatnonzero(self.shared):
            t = token[other, col]
            r = np.flatnonzero((self.groups[lane] == self.groups[other]) & (lane != other)
                               & (t >= 0))
            taken[r, t[r]] = True
        return taken

    def _semitone_clash(self, padded: np.ndarray, lane: np.ndarray, col: np.ndarray
                        ) -> np.ndarray:
        """(m, V) onsets a semitone from a note another lane of each cell's track strikes
        in that column: a chord track's notes struck together make no minor-second
        cluster (a songwriter's QA found one in 31–69 % of a continued piano's three-note
        chords, none in the song). A note held on is free to meet a passing one."""
        cell = padded[:, 1:-1]
        struck = np.where((cell >= vocab.ONSET) & (cell < vocab.DRUM), cell - vocab.ONSET, -1)
        near = np.zeros((len(lane), vocab.VOCAB_SIZE), dtype=bool)
        for other in np.flatnonzero(self.shared):
            p = struck[other, col]
            r = np.flatnonzero((self.groups[lane] == self.groups[other]) & (lane != other)
                               & (p >= 0))
            for step in (-1, 1):
                q = p[r] + step
                ok = (q >= 0) & (q < vocab.N_PITCHES)
                near[r[ok], vocab.ONSET + q[ok]] = True
        return near

    def _give_way(self, draw: np.ndarray, lane: np.ndarray, col: np.ndarray,
                  weights: np.ndarray) -> np.ndarray:
        """``draw`` (cells in decreasing confidence) with each onset or drum hit that a
        more confident cell of the same group and column drew too drawn again without it
        (and without the tokens it lost before): as if drawn after that cell."""
        draw = draw.copy()
        if not self.shared[lane].any():
            return draw
        weights = weights.copy()
        for _ in range(vocab.VOCAB_SIZE):  # each round takes a token from every clashing row
            key = (self.groups[lane] * (int(col.max()) + 1) + col) * vocab.VOCAB_SIZE + draw
            struck = draw >= vocab.ONSET
            _, first = np.unique(np.where(struck, key, -1 - np.arange(len(draw))),
                                 return_index=True)
            clash = np.ones(len(draw), dtype=bool)
            clash[first] = False  # np.unique keeps the first (most confident) of equal keys
            clash &= struck
            clash[clash] &= weights[clash].sum(-1) > weights[clash, draw[clash]]
            if not clash.any():
                break
            r = np.flatnonzero(clash)
            weights[r, draw[r]] = 0.0
            draw[r] = _draw(weights[r], self.top_p, self.rng)[0]
        return draw

    def _repair_holds(self, grid: np.ndarray, lane: np.ndarray, col: np.ndarray,
                      weights: np.ndarray) -> None:
        """Replace just-drawn HOLDs that follow a REST by their most likely other legal
        token (``weights``: the cells' token probabilities, unnormalised)."""
        alt = weights.copy()
        alt[:, [vocab.MASK, vocab.HOLD]] = 0.0
        best = alt.argmax(-1)
        best[alt[np.arange(len(alt)), best] <= 0] = vocab.REST
        for _ in range(grid.shape[1]):  # chains of bad holds are fixed left to right
            padded = self._padded(grid)
            bad = (padded[lane, col + 1] == vocab.HOLD) & (padded[lane, col] == vocab.REST)
            if not bad.any():
                break
            grid[lane[bad], col[bad]] = best[bad]


def _pinned_cells(allowed: np.ndarray | None, editable: np.ndarray) -> np.ndarray:
    """(L, T) the editable cells :func:`_pinned` by ``allowed`` (per cell, or per lane)."""
    if allowed is None:
        return np.zeros(editable.shape, dtype=bool)
    lanes, steps = editable.shape
    if allowed.ndim == 2:
        return _pinned(allowed)[:, None] & editable
    return _pinned(allowed.reshape(lanes * steps, -1)).reshape(lanes, steps) & editable


def _pinned(static: np.ndarray) -> np.ndarray:
    """(n,) cells that must strike a pitched note (no rest, no hold) of at most two pitch
    classes: what a final cadence asks of its voices."""
    pitches = static[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    classes = np.zeros((len(static), 12), dtype=bool)
    for pc in range(12):
        classes[:, pc] = pitches[:, pc::12].any(1)
    n = classes.sum(1)
    return ~static[:, vocab.REST] & ~static[:, vocab.HOLD] & (n >= 1) & (n <= 2)


def _group_bias(g: np.ndarray, n: int, need: np.ndarray, cap: float | np.ndarray,
                probability: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """(n,) per group, the bias within ±``cap`` whose summed ``probability`` over the
    group's cells (``g``: each cell's group; ``probability(bias)``: of each cell, given
    its bias, growing with it) reaches ``need``: bisection, to ~1e-3 nats."""
    lo, hi = np.full(n, -cap), np.full(n, cap)
    for _ in range(16):
        mid = (lo + hi) / 2
        low = np.bincount(g, weights=probability(mid[g]), minlength=n) < need
        lo = np.where(low, mid, lo)
        hi = np.where(low, hi, mid)
    return (lo + hi) / 2


def _sounding(tokens: np.ndarray) -> np.ndarray:
    """Whether each cell sounds a pitched note: its onset or a hold."""
    return (tokens == vocab.HOLD) | ((tokens >= vocab.ONSET) & (tokens < vocab.DRUM))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# The kind of each token for the ranking confidence: rest, hold, onset, drum hit.
_KIND = np.zeros(vocab.VOCAB_SIZE, dtype=np.int64)
_KIND[vocab.HOLD] = 1
_KIND[vocab.ONSET : vocab.DRUM] = 2
_KIND[vocab.DRUM :] = 3


def _draw(weights: np.ndarray, top_p: float, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray]:
    """One token per row, drawn in proportion to ``weights`` (unnormalised probabilities)
    restricted to the top-p nucleus, and the log-probability of its kind (the ranking
    confidence)."""
    rows = np.arange(len(weights))
    if 0.0 < top_p < 1.0:  # keep the smallest prefix of the sorted tokens reaching top_p
        ranked = -np.sort(-weights, axis=-1)
        cum = np.cumsum(ranked, -1)
        kept = 1 + (cum[:, :-1] <= top_p * cum[:, -1:]).sum(-1)
        weights = np.where(weights >= ranked[rows, kept - 1][:, None], weights, 0.0)
    cdf = np.cumsum(weights, -1)
    total = cdf[:, -1]
    draw = np.minimum((cdf <= (rng.random(len(weights)) * total)[:, None]).sum(-1),
                      weights.shape[-1] - 1)
    # Never a token of zero weight (the draw landing exactly on a flat stretch of the cdf).
    flat = weights[rows, draw] <= 0
    draw[flat] = weights[flat].argmax(-1)
    # Confidence is that of the drawn token's *kind* (rest, hold, any onset, any drum hit):
    # a cell sure to hold a note of uncertain pitch is as sure as a sure rest, so rests
    # are not committed first merely because pitch spreads an onset's probability.
    onset = cdf[:, vocab.DRUM - 1] - cdf[:, vocab.ONSET - 1]
    kinds = np.stack([weights[:, vocab.REST], weights[:, vocab.HOLD], onset,
                      total - cdf[:, vocab.DRUM - 1]], -1)
    chosen = kinds[rows, _KIND[draw]] / total
    return draw.astype(np.int64), np.log(np.maximum(chosen, 1e-30))


def default_onset_rate(program: int, is_drum: bool) -> float:
    """Onsets per step a new track of this instrument writes when nothing around it says
    otherwise (:data:`ROLE_RATE`; a solo string instrument plays a line, at the melody's;
    a pad or an ensemble holds its chords, at the strings'; an Orchestra kit and a timpani
    part play sparingly, :data:`ORCHESTRA_RATE` and :data:`TIMPANI_RATE`)."""
    if is_drum and program == ORCHESTRA_KIT:
        return ORCHESTRA_RATE
    if not is_drum and program == TIMPANI_PROGRAM:
        return TIMPANI_RATE
    role = role_of(program, is_drum)
    if role == "strings" and program in SOLO_PROGRAMS:
        role = "melody"
    if not is_drum and program in HELD_PROGRAMS:
        role = "strings"
    return ROLE_RATE[role]


def held_together(together: np.ndarray, programs: list[int], lane_groups: np.ndarray
                  ) -> np.ndarray:
    """``together`` (:func:`context_together`) with :data:`HELD_TOGETHER` for the lanes
    of a pad or an ensemble (:data:`HELD_PROGRAMS`; ``programs`` per lane, -1 for a kit's:
    a GM2 Orchestra Kit is program 48 too) that has none — a new part: it strikes its notes
    as chords (the fixed chord bias alone left a new pad 1.4–1.75 notes an onset)."""
    out = np.array(together, dtype=np.float64)
    groups = np.asarray(lane_groups)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        held = programs[int(np.flatnonzero(lanes)[0])] in HELD_PROGRAMS
        if held and lanes.sum() > 1 and np.isnan(out[lanes]).all():
            out[lanes] = HELD_TOGETHER
    return out


def default_sustain(program: int, is_drum: bool) -> float:
    """The share of the time each lane of a new track of this instrument sounds when
    nothing around it says otherwise: :data:`HELD_SUSTAIN` for a pad or an ensemble
    (:data:`HELD_PROGRAMS`), NaN for the rest (the model's own note lengths)."""
    return HELD_SUSTAIN if not is_drum and program in HELD_PROGRAMS else math.nan


def context_onset_rate(
    tokens: np.ndarray,
    editable: np.ndarray,
    lane_groups: np.ndarray,
    drum_lanes: np.ndarray,
    defaults: np.ndarray | None = None,
) -> np.ndarray:
    """Target onsets per editable cell for each lane, from the music around it.

    ``tokens`` is the window *before* the notes being replaced are cleared. A group (a
    track: lanes with one ``lane_groups`` id) that has editable cells gets its own onsets
    per step in the window — the replaced notes count, editable steps it had no notes in
    do not (the new bars of a continuation) — spread evenly over its lanes. A group with
    no notes in the window (a new or empty track) takes its default rate (``defaults``,
    per lane, e.g. :func:`default_onset_rate` of its track; else :data:`DEFAULT_RATE` of
    its kind), scaled by how busy the groups with notes are against their own defaults
    (see :data:`PEER_SCALE`). Lanes without editable cells get NaN (no target).
    """
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    defaults = (np.where(drums, DEFAULT_RATE["drums"], DEFAULT_RATE["pitched"])
                if defaults is None else np.asarray(defaults, dtype=float))
    onsets = tokens >= vocab.ONSET
    rate_of: dict[object, float] = {}
    default_of: dict[object, float] = {}
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        rate_of[g] = _own_rate(onsets[lanes], editable[lanes])
        default_of[g] = float(defaults[lanes][0])
    ratios = [math.log(r / default_of[g]) for g, r in rate_of.items()
              if r > 0 and default_of[g] > 0]
    busy = math.exp(float(np.mean(ratios))) if ratios else 1.0
    scale = min(max(math.sqrt(busy), PEER_SCALE[0]), PEER_SCALE[1])
    out = np.full(len(groups), np.nan)
    for g, rate in rate_of.items():
        lanes = groups == g
        if not editable[lanes].any():
            continue
        if rate == 0.0:
            rate = default_of[g] * scale
        out[lanes] = rate / int(lanes.sum())
    return out


def context_together(
    tokens: np.ndarray,
    editable: np.ndarray,
    lane_groups: np.ndarray,
    drum_lanes: np.ndarray,
) -> np.ndarray:
    """Per lane, the share of its group's pitched onsets in ``tokens`` (the window before
    the replaced notes are cleared) that strike in a column where another lane of the
    group strikes too: how much a track plays its notes as chords. NaN for a lane without
    editable cells, a drum lane, a group of one lane, or one with fewer than
    :data:`TOGETHER_MIN_ONSETS` onsets (an empty track: the fixed chord bias)."""
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    onset = (tokens >= vocab.ONSET) & (tokens < vocab.DRUM)
    out = np.full(len(groups), np.nan)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        if lanes.sum() < 2 or not editable[lanes].any() or drums[lanes].all():
            continue
        struck = onset[lanes]
        if struck.sum() < TOGETHER_MIN_ONSETS:
            continue
        per_col = struck.sum(0)
        out[lanes] = float(per_col[per_col > 1].sum() / per_col.sum())
    return out


def context_sustain(
    tokens: np.ndarray,
    editable: np.ndarray,
    lane_groups: np.ndarray,
    drum_lanes: np.ndarray,
    defaults: np.ndarray | None = None,
) -> np.ndarray:
    """Target sounding cells (onsets and holds) per editable cell for each lane: how much
    of the time its track sounds in the window, read as :func:`context_onset_rate` reads
    its onsets (``tokens`` before the replaced notes are cleared: they count; editable
    steps it had no notes in do not), spread over the group's lanes. A track with no notes
    in the window (a new part) takes its lanes' ``defaults`` (:func:`default_sustain`:
    NaN, the model's own note lengths, but for a pad). NaN for a lane without editable
    cells or a drum lane."""
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    sounding = _sounding(tokens)
    out = np.full(len(groups), np.nan)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        if not editable[lanes].any() or drums[lanes].all():
            continue
        share = _own_rate(sounding[lanes], editable[lanes])
        if share > 0:
            out[lanes] = share / int(lanes.sum())
        elif defaults is not None:
            out[lanes] = np.asarray(defaults, dtype=float)[lanes]
    return out


def _own_rate(cells: np.ndarray, editable: np.ndarray) -> float:
    """A track's ``cells`` (its lanes × the window's steps: onsets, or sounding cells) per
    step of the window, 0 with none. The cells being replaced count; editable steps it had
    none in (a continuation's new bars) are left out of the steps."""
    count = int(cells.sum())
    edit_steps = editable.any(0)
    empty_edit = not cells[:, edit_steps].any()
    ref = cells.shape[1] - (int(edit_steps.sum()) if empty_edit else 0)
    return count / ref if count and ref > 0 else 0.0


def replaced_lanes(tokens: np.ndarray, editable: np.ndarray, lane_groups: np.ndarray,
                   known: np.ndarray | None = None) -> np.ndarray:
    """(L,) bool: the lanes of tracks whose notes are being replaced — some lane of the
    track has an onset (or a hit) in its editable cells (of the ``known`` steps) in
    ``tokens``, the window before they are cleared. Their targets are their own
    (:func:`shaped_targets`)."""
    tokens = np.asarray(tokens)
    groups = np.asarray(lane_groups)
    cells = np.asarray(editable, dtype=bool)
    if known is not None:
        cells = cells & np.asarray(known, dtype=bool)[None, :]
    struck = ((tokens >= vocab.ONSET) & cells).any(-1)
    return np.isin(groups, groups[struck])


def shaped_targets(
    tokens: np.ndarray,
    editable: np.ndarray,
    lane_groups: np.ndarray,
    beat_pos: np.ndarray,
    rate: np.ndarray,
    sustain: np.ndarray,
    known: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(L, T) onset and sustain targets per cell, and the editable cells that must rest:
    a track whose notes are being replaced (``tokens`` is the window *before* they are
    cleared) keeps their shape bar by bar — each bar's editable cells share the onsets
    (and sounding cells) its replaced notes had in them, so a busy bar stays busy and a
    bar the part rested in (a tacet bar, a breakdown: none of its notes sounds there)
    rests. QA regenerated the bass of a 171-bar song with one target for the whole song
    and every bar at least :data:`BAR_FLOOR` of it: its 15 silent bars came back filled,
    notes per bar correlated −0.10 with the part's own. Other tracks (an empty one being
    harmonized, composed or continued), and steps not ``known`` (past the music's end:
    nothing was written there yet), keep ``rate`` and ``sustain`` (L,) as they are."""
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    lanes, steps = tokens.shape
    known = np.ones(steps, dtype=bool) if known is None else np.asarray(known, dtype=bool)
    pos = step_in_bar(np.asarray(beat_pos))
    bar = np.concatenate([[0], np.cumsum(pos[1:] <= pos[:-1])]).astype(np.int64)
    out_rate = np.repeat(np.asarray(rate, dtype=np.float64)[:, None], steps, 1)
    out_sustain = np.repeat(np.asarray(sustain, dtype=np.float64)[:, None], steps, 1)
    rests = np.zeros((lanes, steps), dtype=bool)
    onsets = tokens >= vocab.ONSET
    sounding = _sounding(tokens) | onsets  # a drum hit sounds too
    cols = np.flatnonzero(known)
    replaced = replaced_lanes(tokens, editable, groups, known)
    for g in dict.fromkeys(groups.tolist()):
        rows = np.flatnonzero(groups == g)
        cells = editable[rows] & known[None, :]
        if not replaced[rows].any():
            continue  # nothing replaced: the track's rate around it
        n = np.bincount(bar, weights=cells.sum(0), minlength=bar[-1] + 1)
        struck = np.bincount(bar, weights=(onsets[rows] & cells).sum(0), minlength=len(n))
        held = np.bincount(bar, weights=(sounding[rows] & cells).sum(0), minlength=len(n))
        each = np.divide(struck, n, out=np.zeros_like(n), where=n > 0)
        each_held = np.divide(held, n, out=np.zeros_like(n), where=n > 0)
        out_rate[np.ix_(rows, cols)] = each[bar[cols]]
        if np.isfinite(out_sustain[rows]).any():  # a drum lane has no sustain target
            out_sustain[np.ix_(rows, cols)] = each_held[bar[cols]]
        rests[rows] = cells & (held[bar] == 0)[None, :]
    return out_rate, out_sustain, rests


def rhythm_bias(
    tokens: np.ndarray,
    lane_groups: np.ndarray,
    beat_pos: np.ndarray,
    drum_lanes: np.ndarray,
    at_groups: np.ndarray,
    at_beat_pos: np.ndarray,
    cap: float = RHYTHM_CAP,
) -> np.ndarray:
    """(L', T', 1 + N_DRUM_CLASSES) nats for the onsets of each cell of a window (its
    lanes' ``at_groups``, its steps' ``at_beat_pos``): where in the bar its track strikes
    in ``tokens`` (a wider window, before the replaced notes are cleared: they count) —
    ``[..., 0]`` for a pitched track's onsets, ``[..., 1 + k]`` for a kit's hits of drum
    class ``k``. Per pitched track (a chord is one strike), or drum class of a kit, with
    :data:`RHYTHM_MIN_ONSETS` striking steps or more: a position's striking rate against
    its overall rate, smoothed with :data:`RHYTHM_PRIOR` steps of that rate, as a log ratio
    within ±``cap`` (:data:`RHYTHM_CAP`); 0 elsewhere. The shape targets say how many notes a bar
    gets, not where: a pad whose chords fell on the downbeat (284 of its 378 notes, held a
    bar) came back striking on every beat, its notes half as long
    (``benchmarks/bench_shape.py``), and a kit's 8th-note hats came back in 16ths with the
    snare off the backbeat (a drummer's QA)."""
    tokens = np.asarray(tokens)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    pos = step_in_bar(np.asarray(beat_pos))
    at_pos = step_in_bar(np.asarray(at_beat_pos))
    at_groups = np.asarray(at_groups)
    size = int(max(pos.max(initial=0), at_pos.max(initial=0))) + 1
    steps_at = np.bincount(pos, minlength=size)
    out = np.zeros((len(at_groups), len(at_pos), 1 + vocab.N_DRUM_CLASSES), dtype=np.float32)

    def profile(struck: np.ndarray) -> np.ndarray | None:
        n = int(struck.sum())
        if n < RHYTHM_MIN_ONSETS:
            return None
        overall = n / len(pos)
        rate = ((np.bincount(pos[struck], minlength=size) + RHYTHM_PRIOR * overall)
                / (steps_at + RHYTHM_PRIOR))
        return np.clip(np.log(rate / overall), -cap, cap).astype(np.float32)

    for g in dict.fromkeys(groups.tolist()):
        rows, at_rows = groups == g, at_groups == g
        if not drums[rows].any():
            nats = profile(((tokens[rows] >= vocab.ONSET) & (tokens[rows] < vocab.DRUM)).any(0))
            if nats is not None:
                out[at_rows, :, 0] = nats[at_pos]
            continue
        # A drum with too few hits to say is held down where the kit does not strike, as
        # its own drums are: left alone, the drums it never plays became the likelier
        # there (a stock cowbell came into a kit of kick, clap and maracas).
        kit = profile((tokens[rows] >= vocab.DRUM).any(0))
        quiet = None if kit is None else np.minimum(kit, 0.0)
        for k in range(vocab.N_DRUM_CLASSES):
            nats = profile((tokens[rows] == vocab.drum(k)).any(0))
            nats = quiet if nats is None else nats
            if nats is not None:
                out[at_rows, :, 1 + k] = nats[at_pos]
    return out


def kit_shares(tokens: np.ndarray, lane_groups: np.ndarray, drum_lanes: np.ndarray,
               at_groups: np.ndarray) -> np.ndarray:
    """(L', drum classes) for the lanes of a window (their ``at_groups``): each drum
    lane's kit's share of its hits by drum class in ``tokens`` (a wider window, before
    the replaced hits are cleared: they count); NaN rows for pitched lanes and for kits
    with fewer than :data:`RHYTHM_MIN_ONSETS` hits (a sketch says too little)."""
    tokens = np.asarray(tokens)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    at_groups = np.asarray(at_groups)
    out = np.full((len(at_groups), vocab.N_DRUM_CLASSES), np.nan)
    for g in dict.fromkeys(groups[drums].tolist()):
        hits = tokens[groups == g]
        kinds = hits[hits >= vocab.DRUM] - vocab.DRUM
        if len(kinds) >= RHYTHM_MIN_ONSETS:
            out[at_groups == g] = np.bincount(kinds, minlength=vocab.N_DRUM_CLASSES) / len(kinds)
    return out
