"""Velocities for generated notes, taken from the dynamics around them.

Velocity is not a model token. Each track's new notes follow a *reference*, the first of:

1. the notes they replace (a repaint or regenerate: the musician wrote that passage at
   that level), read locally — the median of those within half a bar of each new note,
   so a crescendo inside the region stays one;
2. the track's kept notes just before and just after the region, the level going from the
   one to the other across the region (so a crescendo carries on through it);
3. the whole track's kept notes; 4. the other tracks near the region and
   during it: a new part under a melody (harmonize's comping, a track filled from empty)
   sits :data:`UNDER_MELODY` below the melody note sounding where each of its notes
   starts (where none sounds, the melody's median within half a bar), and its accents
   never lift it to that note's level, as an arranger keeps the accompaniment under the
   soloist's accents too — but a choir's voice part (Alto, Tenor, Bass under a Soprano)
   sings at the melody's level, one dynamic for all four; under drums alone, at the
   kit's level; 5. a default.

A note takes the reference's level where it starts, plus an *accent* by metric weight
(down-beat > beat > 8th > 16th; compound meters count dotted-quarter beats) with a little
seeded jitter, scaled so the new notes spread as much as the reference does about its
level. Drums also keep the kit's balance (a hat as far below a kick as in the reference).
The same seed gives the same take.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.score import Note, Song, TimeMap
from engine.score.instruments import voice_part_range

from . import vocab

CONTEXT_BARS = 4  # how far around the region the other tracks' dynamics are read
EDGE_BARS = 2  # how far before / after the region the track's own level is read
DEFAULT_LEVEL = 84  # mezzo-forte-ish, when there is nothing to read
DEFAULT_SPREAD = 6.0  # std of velocities about their level, when there is nothing to read
# A reference flatter than MIN_SPREAD still gets some life (never one constant); a wilder
# one is capped so accents stay musical.
MIN_SPREAD, MAX_SPREAD = 2.0, 24.0
MAX_ACCENT = 2.5  # a note sits at most this many spreads from its level
RANGE_MARGIN = 10  # and at most this far outside the reference's range
JITTER = 0.25  # seeded jitter, in metric-weight units (beat − 8th = 0.4)
# A new part under a melody sits this far below it (a little over half a dynamic step:
# MuseScore's mp to mf is 16). At the melody's own level, harmonize's piano comping had
# 49–55 of ~109 notes louder than the melody note sounding with them (the QA's 27 of 93).
# 10 under the median of an accented melody (100 on the beats, 82 off), with the melody's
# peak as the only ceiling, the comping still sounded over its off-beat notes: 11–27 of
# ~135 notes in a blues, 10–20 of ~420 in rhythm changes (benchmarks/bench_chords.py).
UNDER_MELODY = 10

LevelCurve = Callable[[int], float]


@dataclass(frozen=True, slots=True)
class Reference:
    """The dynamics one track's new notes follow."""

    level: LevelCurve  # level at a tick
    spread: float  # std of the reference's velocities about that level
    balance: Mapping[int, float]  # drums: per drum class, offset from the level
    bounds: tuple[int, int] = (1, 127)  # the velocities the new notes may take
    # The loudest a note struck at a tick may be (a melody note sounding over it), if any.
    ceiling: Callable[[int], int | None] | None = None

    def velocity(self, tick: int, offset: float, accent: float) -> int:
        """The velocity at ``tick`` of a note ``offset`` from the level (the kit's balance)
        and ``accent`` spreads above it, within the bounds (and the ceiling there)."""
        v = round(self.level(tick) + offset + self.spread * accent)
        hi = self.bounds[1]
        top = self.ceiling(tick) if self.ceiling is not None else None
        if top is not None:
            hi = min(hi, top)
        return max(min(v, hi), min(self.bounds[0], hi), 1)


# -- meter ----------------------------------------------------------------------------------------


def metric_weight(song: Song, tick: int, tm: TimeMap | None = None) -> float:
    """+1 on the bar's first beat, +0.4 on other beats, 0 on 8ths, -0.5 on 16ths.

    The beats are those a musician counts (``TimeSignature.pulses``): 6/8 leans on 1 and
    4, not on every 8th, and 7/8 on its 2+2+3 groups; a pickup's notes weigh as the end of
    the bar they lead into, not as a downbeat."""
    tm = tm or TimeMap.of(song)
    sig, in_bar = tm.metric_position(tick)
    unit = tm.beat_length_for(sig)
    sub = unit if max(sig.pulses) > 1 else song.ppq // 2 or 1
    if in_bar == 0:
        return 1.0
    if in_bar % unit == 0 and in_bar // unit in sig.pulse_starts:
        return 0.4
    return 0.0 if in_bar % sub == 0 else -0.5


def accent_pattern(
    song: Song, notes: Sequence[Note], tm: TimeMap, rng: np.random.Generator
) -> np.ndarray:
    """Per note, its metric accent plus a little jitter, in units of the spread: centred on
    the median note (which then sits at the level), unit std, within ±MAX_ACCENT."""
    weights = np.array([metric_weight(song, n.start, tm) for n in notes], dtype=np.float64)
    weights += rng.uniform(-JITTER, JITTER, size=len(notes))
    if len(notes) < 2:
        return np.zeros(len(notes))
    z = (weights - np.median(weights)) / max(float(weights.std()), 1e-9)
    return np.clip(z, -MAX_ACCENT, MAX_ACCENT)


# -- drums ----------------------------------------------------------------------------------------


def drum_accent(pitch: int) -> float:
    """A typical kit's balance: kicks and snares a little above hats and cymbals."""
    klass = vocab.drum_class_of_note(pitch)
    return {0: 4.0, 1: 3.0, 2: -4.0}.get(klass, 0.0)


def drum_balance(notes: Sequence[Note]) -> dict[int, float]:
    """Per drum class played in ``notes``, its median velocity less the kit's median."""
    if not notes:
        return {}
    kit = float(np.median([n.velocity for n in notes]))
    by_class: dict[int, list[int]] = {}
    for n in notes:
        by_class.setdefault(vocab.drum_class_of_note(n.pitch), []).append(n.velocity)
    return {k: float(np.median(v)) - kit for k, v in by_class.items()}


def balance_offset(balance: Mapping[int, float], pitch: int, is_drum: bool) -> float:
    """How far a note of ``pitch`` sits from its track's level (0 off the kit)."""
    if not is_drum:
        return 0.0
    return balance.get(vocab.drum_class_of_note(pitch), drum_accent(pitch))


# -- level curves ---------------------------------------------------------------------------------


def local_level(ticks: np.ndarray, velocities: np.ndarray, radius: int) -> LevelCurve:
    """The median of the velocities within ``radius`` ticks, else of the nearest ones."""
    order = np.argsort(ticks, kind="stable")
    ticks, velocities = ticks[order], velocities[order]
    known: dict[int, float] = {}  # a long take asks for thousands of notes, many at one tick

    def level(tick: int) -> float:
        if tick not in known:
            lo = np.searchsorted(ticks, tick - radius, side="left")
            hi = np.searchsorted(ticks, tick + radius, side="right")
            if lo < hi:
                near = velocities[lo:hi]
            else:
                dist = np.abs(ticks - tick)
                near = velocities[dist == dist.min()]
            known[tick] = _median(near)
        return known[tick]

    return level


def _median(values: np.ndarray) -> float:
    """``np.median`` of a short array, without its overhead (it is called per note)."""
    s = sorted(values.tolist())
    m = len(s) // 2
    return float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2


def edge_level(
    ticks: np.ndarray, velocities: np.ndarray, span: tuple[int, int]
) -> LevelCurve:
    """From the median level before ``span`` to the median after it, linearly across it
    (one side only: that level throughout)."""
    before, after = velocities[ticks < span[0]], velocities[ticks >= span[1]]
    start = float(np.median(before if len(before) else after))
    end = float(np.median(after if len(after) else before))
    length = max(1, span[1] - span[0])

    def level(tick: int) -> float:
        f = min(max((tick - span[0]) / length, 0.0), 1.0)
        return start + f * (end - start)

    return level


def constant_level(ticks: np.ndarray, velocities: np.ndarray) -> LevelCurve:
    median = float(np.median(velocities))
    return lambda tick: median


# -- references -----------------------------------------------------------------------------------


def fit_reference(
    notes: Sequence[Note],
    curve: Callable[[np.ndarray, np.ndarray], LevelCurve],
    is_drum: bool,
) -> Reference:
    """The reference read from ``notes`` with the level ``curve`` (their velocities less
    the kit's balance, for a kit), and their spread about it."""
    balance = drum_balance(notes) if is_drum else {}
    ticks = np.array([n.start for n in notes], dtype=np.int64)
    velocities = np.array(
        [n.velocity - balance_offset(balance, n.pitch, is_drum) for n in notes],
        dtype=np.float64,
    )
    level = curve(ticks, velocities)
    residual = velocities - np.array([level(int(t)) for t in ticks])
    spread = float(np.clip(residual.std(), MIN_SPREAD, MAX_SPREAD))
    written = [n.velocity for n in notes]
    bounds = (max(1, min(written) - RANGE_MARGIN), min(127, max(written) + RANGE_MARGIN))
    return Reference(level, spread, balance, bounds)


def track_reference(
    song: Song,
    track_id: int,
    replaced: Mapping[int, Sequence[Note]],
    keep: Mapping[int, Sequence[Note]],
    span: tuple[int, int],
    tm: TimeMap,
) -> Reference:
    """The reference for ``track_id``'s new notes (see the module's docstring)."""
    is_drum = song.track(track_id).is_drum
    own_replaced = replaced.get(track_id, ())
    if own_replaced:
        radius = tm.bar_length_for(tm.signature_at(span[0])) // 2
        return fit_reference(own_replaced, lambda t, v: local_level(t, v, radius), is_drum)
    own = keep.get(track_id, ())
    edges = _around(own, span, EDGE_BARS, tm)
    if edges:
        return fit_reference(edges, lambda t, v: edge_level(t, v, span), is_drum)
    if own:
        return fit_reference(own, constant_level, is_drum)
    # The other tracks that stay, around the region and during it: a new part under a
    # melody played at 110 took the default 85 (the melody sounds inside the span only).
    lo, hi = tm.bars_around(*span, CONTEXT_BARS)
    others = [n for tid, notes in keep.items() if tid != track_id for n in notes
              if lo <= n.start < hi]
    # The pitched ones are the melody a new part is placed under (a kit is no melody).
    melody = [n for tid, notes in keep.items() if tid != track_id
              and not song.track(tid).is_drum for n in notes if lo <= n.start < hi]
    if melody:
        radius = tm.bar_length_for(tm.signature_at(span[0])) // 2
        reference = fit_reference(melody, lambda t, v: local_level(t, v, radius), False)
        track = song.track(track_id)
        if voice_part_range(track.name, track.program, track.is_drum) is not None:
            # A choir sings one dynamic: Alto, Tenor and Bass at the Soprano's level (10
            # under it printed pp and mp under a p and an f in the score: a choir
            # director's QA), not under it as a band's comping sits under a soloist.
            return reference
        return under_melody(reference, melody)
    if others:
        # Another instrument's level, not its kit balance: a kit falls back to drum_accent.
        return fit_reference(others, constant_level, False)
    return Reference(lambda tick: float(DEFAULT_LEVEL), DEFAULT_SPREAD, {})


def under_melody(melody: Reference, notes: Sequence[Note] = ()) -> Reference:
    """A new part's reference under the ``melody``'s (read from its ``notes``): at each
    tick :data:`UNDER_MELODY` under the loudest melody note sounding there (the
    melody's local level where none does), its spread (the accents' size) the melody's,
    and no note as loud as the melody note it sounds under, an accent neither."""
    lo, hi = melody.bounds
    sounding = sounding_velocity(notes)

    def level(tick: int) -> float:
        over = sounding(tick)
        return (melody.level(tick) if over is None else over) - UNDER_MELODY

    def ceiling(tick: int) -> int | None:
        over = sounding(tick)
        return None if over is None else max(1, over - 1)

    return Reference(level, melody.spread, {},
                     (max(1, lo - UNDER_MELODY), max(1, hi - UNDER_MELODY)), ceiling)


def sounding_velocity(notes: Sequence[Note]) -> Callable[[int], int | None]:
    """The velocity of the loudest of ``notes`` sounding at a tick, None where none is."""
    order = sorted(notes, key=lambda n: n.start)
    starts = np.array([n.start for n in order], dtype=np.int64)
    longest = max((n.duration for n in order), default=0)

    def at(tick: int) -> int | None:
        hi = int(np.searchsorted(starts, tick, side="right"))
        lo = int(np.searchsorted(starts, tick - longest, side="left"))
        over = [n.velocity for n in order[lo:hi] if n.end > tick]
        return max(over) if over else None

    return at


def _around(notes: Sequence[Note], span: tuple[int, int], bars: int,
            tm: TimeMap) -> list[Note]:
    """The ``notes`` starting within ``bars`` whole bars before or after ``span``."""
    lo, hi = tm.bars_around(*span, bars)
    return [n for n in notes if lo <= n.start < span[0] or span[1] <= n.start < hi]


# -- the entry point ------------------------------------------------------------------------------


def assign_velocities(
    song: Song,
    new_notes: Mapping[int, Sequence[Note]],
    keep: Mapping[int, Sequence[Note]],
    span: tuple[int, int],
    seed: int | None,
    replaced: Mapping[int, Sequence[Note]] | None = None,
    heard_at: Mapping[int, Callable[[int], int]] | None = None,
) -> dict[int, tuple[Note, ...]]:
    """``new_notes`` with velocities fitted to their context.

    ``keep``: per track, the notes that stay (outside the mask); ``replaced``: per track,
    the notes the new ones replace (inside the mask); ``span``: the region's (start, end)
    ticks; ``heard_at``: per track whose new notes are on the grid and will be swung, the
    tick a note struck at a grid tick is heard at (the melody note over it is the one
    sounding there: an off-beat 8th's on the grid at 240 sounds under the melody's swung
    8th at 317, not its beat note). Accents stay by the grid's metric place.
    """
    tm = TimeMap.of(song)
    rng = np.random.default_rng(None if seed is None else [int(seed) & (2**63 - 1), 1])
    out: dict[int, tuple[Note, ...]] = {}
    for track_id in sorted(new_notes):
        notes = sorted(new_notes[track_id], key=Note.key)
        ref = track_reference(song, track_id, replaced or {}, keep, span, tm)
        is_drum = song.track(track_id).is_drum
        accents = accent_pattern(song, notes, tm, rng)
        heard = (heard_at or {}).get(track_id, lambda tick: tick)
        out[track_id] = tuple(
            replace(n, velocity=ref.velocity(
                heard(n.start), balance_offset(ref.balance, n.pitch, is_drum), a))
            for n, a in zip(notes, accents, strict=True)
        )
    return out
