"""Song ↔ token grid: lanes × 16th-note steps (the representation every model sees).

A track spreads over one or more monophonic *lanes*; each lane holds one token per step
(see :mod:`engine.models.vocab`): ``REST``, ``HOLD`` (the previous note goes on),
``ONSET + pitch`` or, on drum lanes, ``DRUM + class`` (a hit; drum lanes never ``HOLD``).
A class is written back as the notes the track's own kit strikes for it
(:class:`engine.score.drums.DrumKit`, read from the window: a clap backbeat stays a clap).
Polyphonic tracks use several lanes, assigned by the rule in :mod:`engine.models.voices`.
The track's role (:func:`engine.score.instruments.role_id`) and the step's position in
its bar (``beat_pos``) are conditioning inputs, not tokens.

Step ``i`` of a song lies at tick ``round(i * ppq / 4)``: exact 16ths when the PPQ is a
multiple of 4, the nearest tick otherwise. :func:`encode` → :func:`decode` gives back
every note that lies on the grid exactly (start, duration, pitch and velocity). Notes that
do not — triplets, micro-timing, zero length, more voices than lanes, drum notes other
than the ones the track's kit strikes for their class, or longer than one step — are listed in
:attr:`EncodedSong.off_grid`; with ``snap_off_grid=True`` they are also placed, rounded to
the nearest steps, where a lane has room (as context for a model; they then decode in
their rounded form). Nothing is ever dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.plugins.api import CannotGenerate
from engine.score import Note, Song, TimeMap, TimeSignature, Track
from engine.score.drums import DrumKit
from engine.score.instruments import role_id, role_of, voice_part_range
from engine.score.overlaps import resolve_overlaps  # the rule every result is held to
from engine.score.strums import struck_together, strummed

from . import vocab
from .chorale import chorale_to_song, chorale_to_tokens, song_to_chorale, tokens_to_chorale
from .groove import Groove
from .voices import match_voices, outer_voices

_STOCK_KIT = DrumKit.stock()
MAX_BEAT_POS = vocab.BAR_STEPS - 1  # capped here: meters up to 8/4 have distinct positions
# A compound bar of eighths' positions are offset by this, so 6/8 is not 3/4 to the model
# (both are 12 steps a bar), nor 12/8 6/4. A network with one row per position reads them
# modulo 32, as before. 6/4, 9/4 keep the simple positions: counted in dotted halves or in
# quarters, the corpus's are mostly 3+3 quarters (minim and crotchet), not a slide.
COMPOUND_OFFSET = vocab.BAR_STEPS
DEFAULT_VELOCITY = 80

# Most lanes a track of each role may use, and how many a model writes into an empty one.
ROLE_LANES: tuple[tuple[str, int], ...] = (
    ("melody", 1), ("bass", 1), ("chords", 3), ("piano", 4), ("strings", 3), ("drums", 3),
    ("voice", 2),
)
# Most lanes a written track gets for the chords it strikes, past its role's cap (a pad of
# four-note chords, as a piano's). openmsx-1's pad (chords role: 3 lanes) strikes 4 notes
# at 59 of its 139 onsets; regenerated in 3 lanes it came back with no four-note chord.
CHORD_LANES = 4
# A guitar's chords get a lane per string: a strummed open E is six notes, and in four
# lanes a regenerated strum lost two strings. Six lanes of one track fit the model's
# budget (partita-base: 12 lanes; a written track keeps its lanes and the context shares
# CONTEXT_LANES beside them, at least two) and a 6-string guitar never strikes more.
GUITAR_STRINGS = 6
GUITARS = range(24, 32)  # GM guitars, acoustic to harmonics (the bass family is not)
# The chord size a track plays: this percentile of its notes per onset (its big chords,
# not a stray cluster where a pad's next chord starts under the last one's tail).
CHORD_PERCENTILE = 90
# Solo instruments of polyphonic roles: one lane when written from scratch (as many as
# the part's own notes need when it has some). The timpani (47) is one player with two
# mallets: written as a string section, a film cue's came back with three-note chords.
SOLO_PROGRAMS: frozenset[int] = frozenset({40, 41, 42, 43, 47, 52, 53, 54, 110})


@dataclass(frozen=True, slots=True)
class GridSpec:
    """Lane budget of a model: at most ``max_lanes`` in all, ``role_lanes`` per track."""

    max_lanes: int = 12
    role_lanes: tuple[tuple[str, int], ...] = ROLE_LANES

    def cap(self, track: Track) -> int:
        """Most lanes ``track`` may use."""
        return dict(self.role_lanes).get(role_of(track.program, track.is_drum), 1)

    def lanes_to_write(self, track: Track, polyphony: int = 0, chord: int = 0) -> int:
        """Lanes to give a track the model writes: its cap, one for solo instruments and
        for a voice part (a track named Soprano, Alto, Tenor or Bass sings one line,
        whatever plays it: harmonize's SATB voices on an organ melody's organ wrote
        three-note chords each); a pitched track whose ``chord`` size (:func:`chord_size`
        of its notes) is past its cap gets that many, up to :data:`CHORD_LANES` (a
        guitar: :data:`GUITAR_STRINGS`), so it can play its own chords again."""
        if voice_part_range(track.name, track.program, track.is_drum) is not None:
            return 1
        cap = self.cap(track)
        if not track.is_drum and track.program in SOLO_PROGRAMS:
            return max(1, min(cap, polyphony))
        if track.is_drum or cap < 2:  # a melody or bass with a double stop stays a line
            return cap
        most = GUITAR_STRINGS if track.program in GUITARS else CHORD_LANES
        return max(cap, min(most, self.max_lanes, chord))


@dataclass(frozen=True, slots=True, eq=False)
class EncodedSong:
    """A window of a song as a token grid, with everything needed to decode it."""

    tokens: np.ndarray  # (L, T) int64
    lane_tracks: tuple[int, ...]  # track id of each lane
    roles: np.ndarray  # (L,) int64 role ids
    drum_lanes: np.ndarray  # (L,) bool
    beat_pos: np.ndarray  # (T,) int64: metric position (beat_positions)
    step_ticks: np.ndarray  # (T + 1,) int64: tick of each step, then the window's end
    velocities: np.ndarray  # (L, T) int64: velocity of the note starting in a cell, else 0
    note_ids: np.ndarray  # (L, T) int64: id of the note sounding in a cell, else 0
    off_grid: Mapping[int, tuple[Note, ...]]  # per track: notes not represented exactly
    clipped: Mapping[int, tuple[Note, ...]] = field(default_factory=dict)  # cut by the window
    ppq: int = 480
    kits: Mapping[int, DrumKit] = field(default_factory=dict)  # per drum track: its notes

    def kit(self, track_id: int) -> DrumKit:
        """The notes drum track ``track_id``'s classes are written as (stock if unknown)."""
        return self.kits.get(track_id) or _STOCK_KIT

    @property
    def n_lanes(self) -> int:
        return int(self.tokens.shape[0])

    @property
    def n_steps(self) -> int:
        return int(self.tokens.shape[1])

    @property
    def start_tick(self) -> int:
        return int(self.step_ticks[0])

    @property
    def end_tick(self) -> int:
        return int(self.step_ticks[-1])


# -- the step ↔ tick map -------------------------------------------------------------------


def step_tick(step: int, ppq: int) -> int:
    """Tick of global step ``step`` (round half up when the PPQ is not a multiple of 4)."""
    return (step * ppq + 2) // vocab.STEPS_PER_BEAT


def first_step_at(tick: int, ppq: int) -> int:
    """Smallest step whose tick is ≥ ``tick``."""
    s = max(0, (tick * vocab.STEPS_PER_BEAT) // ppq - 1)
    while step_tick(s, ppq) < tick:
        s += 1
    return s


def compound_positions(sig: TimeSignature) -> bool:
    """Whether a bar of ``sig`` takes the compound positions: 6/8, 9/8, 12/8, x/16.
    The notated meter decides, not a chosen grouping (``TimeSignature.groups``): the
    network reads 16th positions in the bar, and the corpus it learnt from wrote no
    groupings, so a 2+2+2/8 bar is a 6/8 bar to it, as 3+2+2/8 is any 7/8 bar."""
    notated = TimeSignature(sig.tick, sig.numerator, sig.denominator)
    return notated.compound and sig.denominator >= 8


def beat_positions(song: Song, ticks: np.ndarray) -> np.ndarray:
    """Metric position of each tick: its step index within the bar (meter changes
    respected, capped at 31), plus ``COMPOUND_OFFSET`` in a compound bar of eighths (6/8,
    9/8, 12/8: :func:`compound_positions`).
    A pickup's steps are the last ones of the bar it leads into (``TimeMap.metric_position``),
    as the training corpus writes a pickup: at the end of a full first bar."""
    ticks = np.asarray(ticks, dtype=np.int64)
    if len(ticks) == 0:
        return np.zeros(0, dtype=np.int64)
    tm = TimeMap.of(song)
    first, last = tm.tick_to_bar(int(ticks[0])), tm.tick_to_bar(int(ticks[-1]))
    bar_starts = np.array([tm.bar_to_tick(b) for b in range(first, last + 1)], dtype=np.int64)
    # Each bar's felt meter, and its start shifted back by a pickup's missing part.
    felt = [tm.metric_position(int(t)) for t in bar_starts]
    origins = bar_starts - np.array([shift for _, shift in felt], dtype=np.int64)
    compound = np.array([compound_positions(sig) for sig, _ in felt])
    bar = np.searchsorted(bar_starts, ticks, side="right") - 1
    pos = (2 * (ticks - origins[bar]) * vocab.STEPS_PER_BEAT + song.ppq) // (2 * song.ppq)
    return np.minimum(pos, MAX_BEAT_POS) + COMPOUND_OFFSET * compound[bar]


def step_in_bar(beat_pos: np.ndarray) -> np.ndarray:
    """The step index within the bar of metric positions (``beat_positions``)."""
    return np.asarray(beat_pos) % COMPOUND_OFFSET


# -- encode --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Lanes:
    """Mutable per-track lane state while encoding."""

    tokens: np.ndarray
    velocities: np.ndarray
    note_ids: np.ndarray

    def put(self, lane: int, a: int, b: int, token: int, note: Note, onset: bool) -> None:
        if onset:
            self.tokens[lane, a] = token
            self.tokens[lane, a + 1 : b] = vocab.HOLD
            self.velocities[lane, a] = note.velocity
        else:
            self.tokens[lane, a:b] = vocab.HOLD
        self.note_ids[lane, a:b] = note.id


def _cell_index(ticks: Sequence[int]) -> dict[int, int]:
    """Step tick → index in the window (the test for "on the grid")."""
    return {t: i for i, t in enumerate(ticks)}


def snap_step(tick: int, ppq: int) -> int:
    """The step whose tick is nearest ``tick``, the later on a tie: where an off-grid
    note's start and end are placed (through a groove's :meth:`~engine.models.groove.
    Groove.grid_tick` first, in a swung track), and where *keep rhythm* looks for them
    (:func:`engine.models.grid_plugin.keep_timing`): one rule, so a note is matched on the
    steps it was encoded on (a 300-tick triplet from 6720 ends on step 59, not 58)."""
    s = tick * vocab.STEPS_PER_BEAT // ppq
    return min((s - 1, s, s + 1, s + 2), key=lambda c: (abs(step_tick(c, ppq) - tick), -c))


def _nearest_cell(tick: int, s0: int, n_cells: int, ppq: int) -> int:
    """Index of the window's step nearest ``tick`` (:func:`snap_step`), within its
    ``n_cells`` + 1 step lines from step ``s0``."""
    return min(max(snap_step(tick, ppq) - s0, 0), n_cells)


def _polyphony(notes: Iterable[Note]) -> int:
    """Most notes sounding at once (a note ending where another starts does not overlap
    it): a sweep over the sorted onsets (+1) and ends (−1), ends first at one tick."""
    notes = list(notes)
    if not notes:
        return 0
    ticks = np.array([n.start for n in notes] + [n.end for n in notes])
    steps = np.repeat(np.array([1, -1]), len(notes))
    return max(0, int(np.cumsum(steps[np.lexsort((steps, ticks))]).max()))


def chord_size(notes: Iterable[Note], ppq: int) -> int:
    """Notes a track strikes together in its chords: the :data:`CHORD_PERCENTILE` of its
    notes per chord (notes starting on one tick, or strummed: :func:`~engine.score.
    strums.struck_together` — a strummed E's six strings are one chord, not six), 0
    without notes."""
    sizes = [len(chord) for chord in struck_together(notes, ppq)]
    if not sizes:
        return 0
    return int(np.percentile(sizes, CHORD_PERCENTILE, method="lower"))


def strike_ticks(notes: Iterable[Note], ppq: int) -> dict[int, int]:
    """Note id → the tick its strummed or rolled chord is struck on (the chord's first
    note's start: :func:`~engine.score.strums.struck_together`), for the notes of each
    strum. An off-grid note snaps to the step of its strike, not its own: a strum's six
    strings 20 ticks apart are one chord on one step (rounded one by one, the last three
    fell on the next 16th, and a regenerated strum's pitches came back unordered across
    it); *keep rhythm* looks for them there (:func:`engine.models.grid_plugin.
    keep_timing`)."""
    return {n.id: chord[0].start for chord in struck_together(notes, ppq) if strummed(chord)
            for n in chord}


def default_lanes(song: Song, spec: GridSpec, start_tick: int, end_tick: int) -> dict[int, int]:
    """Lanes per track for plain encoding: enough for the window's polyphony, within caps.

    Tracks without notes in the window get none; when the total exceeds
    ``spec.max_lanes``, the tracks with most lanes give one up first (later tracks first).
    """
    lanes: dict[int, int] = {}
    for track in song.tracks:
        notes = [n for n in track.notes if (n.start < end_tick and n.end > start_tick)
                 or (n.duration == 0 and start_tick <= n.start < end_tick)]
        if not notes:
            continue
        if track.is_drum:
            per_step: dict[int, set[int]] = {}
            for n in notes:
                per_step.setdefault(n.start, set()).add(vocab.drum_class_of_note(n.pitch))
            need = max(len(s) for s in per_step.values())
        else:
            need = max(1, _polyphony(n for n in notes if n.duration > 0))
        lanes[track.id] = min(spec.cap(track), need)
    return fit_budget(lanes, spec.max_lanes)


def fit_budget(lanes: Mapping[int, int], budget: int, keep: Iterable[int] = ()) -> dict[int, int]:
    """Shrink a lane plan to ``budget`` lanes: widest tracks (later first) lose one at a time.

    Tracks in ``keep`` lose lanes only once every other track is gone.
    """
    plan = {k: v for k, v in lanes.items() if v > 0}
    keep = set(keep)
    order = list(plan)
    while sum(plan.values()) > budget:
        pool = [t for t in order if t in plan and t not in keep] or [t for t in order if t in plan]
        widest = max(pool, key=lambda t: (plan[t], order.index(t)))
        plan[widest] -= 1
        if plan[widest] == 0:
            del plan[widest]
    return plan


def encode(
    song: Song,
    spec: GridSpec | None = None,
    start_tick: int = 0,
    end_tick: int | None = None,
    *,
    lanes: Mapping[int, int] | None = None,
    snap_off_grid: bool = False,
    grooves: Mapping[int, Groove] | None = None,
) -> EncodedSong:
    """The window ``[start_tick, end_tick)`` of ``song`` as a token grid.

    ``lanes`` (track id → lane count) chooses the tracks and their lanes, in song order;
    by default every track with notes in the window gets :func:`default_lanes`. The
    window starts at the first step at or after ``start_tick`` and runs to the first step
    at or after ``end_tick`` (default: the song's end). ``grooves`` (track id →
    :class:`~engine.models.groove.Groove`): a track's off-grid notes snap to the step
    whose place in its groove is nearest (a 2:1 swung off-beat 8th to the off-beat 8th,
    not to the 4th 16th its tick is nearer to), not to the nearest step.
    """
    spec = spec or GridSpec()
    ppq = song.ppq
    if ppq < vocab.STEPS_PER_BEAT:  # the song's property, not the model's fault
        raise CannotGenerate(f"the song's resolution ({ppq} PPQ) is too coarse for a "
                             "16th-note grid: convert or re-export it at 96 PPQ or more")
    end_tick = song.end if end_tick is None else end_tick
    s0 = first_step_at(start_tick, ppq)
    s1 = max(s0, first_step_at(end_tick, ppq))
    ticks = (np.arange(s0, s1 + 1, dtype=np.int64) * ppq + 2) // vocab.STEPS_PER_BEAT
    w0, w1 = int(ticks[0]), int(ticks[-1])
    T = s1 - s0
    plan = default_lanes(song, spec, w0, w1) if lanes is None else dict(lanes)

    lane_tracks: list[int] = []
    tracks = [t for t in song.tracks if plan.get(t.id, 0) > 0]
    for t in tracks:
        lane_tracks += [t.id] * plan[t.id]
    L = len(lane_tracks)
    tokens = np.full((L, T), vocab.REST, dtype=np.int64)
    velocities = np.zeros((L, T), dtype=np.int64)
    note_ids = np.zeros((L, T), dtype=np.int64)
    off_grid: dict[int, tuple[Note, ...]] = {}
    clipped: dict[int, tuple[Note, ...]] = {}
    # One kit per drum track for the whole window: the notes it keeps and the ones a model
    # writes there are read and written alike.
    kits = {t.id: DrumKit.of_track(t, w0, w1) for t in tracks if t.is_drum}

    tm = TimeMap.of(song) if grooves else None
    row = 0
    for track in tracks:
        n = plan[track.id]
        state = _Lanes(tokens[row : row + n], velocities[row : row + n], note_ids[row : row + n])
        groove = (grooves or {}).get(track.id)
        to_grid = (lambda t, g=groove: g.grid_tick(t, tm, ppq)) if groove else _same_tick
        if track.is_drum:
            off, cut = _encode_drums(track, state, ticks, snap_off_grid, kits[track.id],
                                     to_grid, (s0, ppq))
        else:
            off, cut = _encode_pitched(track, state, ticks, snap_off_grid, to_grid, (s0, ppq))
        if off:
            off_grid[track.id] = tuple(sorted(off, key=Note.key))
        if cut:
            clipped[track.id] = tuple(sorted(cut, key=Note.key))
        row += n
    # Tracks given no lanes: their notes in the window are not represented at all.
    for track in song.tracks:
        if track.id not in plan or plan[track.id] <= 0:
            lost = [x for x in track.notes if w0 <= x.start < w1]
            if lost:
                off_grid[track.id] = tuple(lost)

    roles = np.array([role_id(t.program, t.is_drum) for t in tracks for _ in range(plan[t.id])],
                     dtype=np.int64)
    drums = np.array([t.is_drum for t in tracks for _ in range(plan[t.id])], dtype=bool)
    return EncodedSong(
        tokens=tokens,
        lane_tracks=tuple(lane_tracks),
        roles=roles,
        drum_lanes=drums,
        beat_pos=beat_positions(song, ticks[:-1]),
        step_ticks=ticks,
        velocities=velocities,
        note_ids=note_ids,
        off_grid=off_grid,
        clipped=clipped,
        ppq=ppq,
        kits=kits,
    )


def _same_tick(tick: int) -> int:
    return tick


def _encode_pitched(
    track: Track, state: _Lanes, ticks: np.ndarray, snap: bool,
    to_grid: Callable[[int], int],
    steps: tuple[int, int],  # (the window's first step, the PPQ): where notes snap
) -> tuple[list[Note], list[Note]]:
    """Place a pitched track's notes; returns (off-grid notes, window-clipped notes).

    Exact notes are placed first at every step; with ``snap``, off-grid notes rounded to
    the nearest steps (of ``to_grid(tick)``: a groove's reading) then take the lanes
    left, through the same voice assignment.
    """
    w0, w1 = int(ticks[0]), int(ticks[-1])
    T = len(ticks) - 1
    n_lanes = state.tokens.shape[0]
    by_step: dict[int, list[tuple[Note, int, bool, bool]]] = {}  # (note, end, onset?, exact?)
    off: list[Note] = []
    cut: list[Note] = []
    tick_list = ticks.tolist()
    cell = _cell_index(tick_list)
    s0, ppq = steps
    strikes = strike_ticks(track.notes, ppq) if snap else {}
    for note in track.notes:
        if (note.start < w0 and note.end <= w0) or note.start >= w1:
            continue  # outside the window
        a, b = cell.get(note.start), cell.get(note.end)
        if note.duration > 0 and note.start < w0 and (b is not None or note.end > w1):
            cut.append(note)  # sounds into the window from before it: context only
            by_step.setdefault(0, []).append((note, T if b is None else b, False, True))
        elif note.duration > 0 and a is not None and note.end > w1:
            cut.append(note)  # starts on the grid, cut at the window's end
            by_step.setdefault(a, []).append((note, T, True, True))
        elif note.duration > 0 and a is not None and b is not None:
            by_step.setdefault(a, []).append((note, b, True, True))
        else:
            off.append(note)
            if snap:
                a = _nearest_cell(to_grid(strikes.get(note.id, note.start)), s0, T, ppq)
                b = max(_nearest_cell(to_grid(note.end), s0, T, ppq), a + 1)
                if a < T:
                    by_step.setdefault(a, []).append((note, b, note.start >= w0, False))

    last: list[int | None] = [None] * n_lanes
    busy = [0] * n_lanes  # first free cell of each lane
    for step in sorted(by_step):
        free = [lane for lane in range(n_lanes) if busy[lane] <= step]
        kept = []
        for exact in (True, False):  # exact notes first, then rounded ones in the lanes left
            group = sorted((g for g in by_step[step] if g[3] == exact),
                           key=lambda g: (-g[0].pitch, -g[0].duration, g[0].id))
            keep = outer_voices([g[0].pitch for g in group], len(free) - len(kept))
            kept += [group[i] for i in keep]
            if exact:
                off += [g[0] for i, g in enumerate(group) if i not in keep]
        kept.sort(key=lambda g: (-g[0].pitch, -g[0].duration, g[0].id))
        chosen = match_voices([g[0].pitch for g in kept], [(lane, last[lane]) for lane in free])
        for (note, end, onset, _), lane in zip(kept, chosen, strict=True):
            state.put(lane, step, end, vocab.onset(note.pitch), note, onset)
            busy[lane], last[lane] = end, note.pitch
    return off, cut


def _encode_drums(
    track: Track, state: _Lanes, ticks: np.ndarray, snap: bool, kit: DrumKit,
    to_grid: Callable[[int], int],
    steps: tuple[int, int],  # (the window's first step, the PPQ): where notes snap
) -> tuple[list[Note], list[Note]]:
    """Place drum hits by class order per step; returns (off-grid notes, []).

    A class's notes at one step are exact when they are the ones ``kit`` strikes for it
    (a layered kick: both its notes), one step long and, layered, equally loud: the
    class token then stands for all of them and decodes to them again.
    """
    w0, w1 = int(ticks[0]), int(ticks[-1])
    n_lanes = state.tokens.shape[0]
    tick_list = ticks.tolist()
    cell = _cell_index(tick_list)
    s0, ppq = steps
    at_tick: dict[tuple[int, int], list[Note]] = {}  # (start, class) → its notes there
    for note in track.notes:
        if w0 <= note.start < w1:
            at_tick.setdefault((note.start, kit.class_of(note.pitch)), []).append(note)
    by_step: dict[int, list[tuple[int, bool, Note]]] = {}
    off: list[Note] = []
    for (start, klass), notes in at_tick.items():
        notes.sort(key=lambda n: (n.pitch != kit.main_note(klass), n.pitch, n.id))
        a = cell.get(start)
        exact = (
            a is not None
            and sorted(n.pitch for n in notes) == sorted(kit.notes(klass))
            and all(n.duration == ticks[a + 1] - ticks[a] for n in notes)
            and len({n.velocity for n in notes}) == 1
        )
        if exact:
            by_step.setdefault(a, []).append((klass, False, notes[0]))
            continue
        off += notes
        if not snap:
            continue
        a = _nearest_cell(to_grid(start), s0, len(tick_list) - 1, ppq)
        if a < len(ticks) - 1:
            by_step.setdefault(a, []).append((klass, True, notes[0]))
    for step, hits in sorted(by_step.items()):
        lane = 0
        seen: set[int] = set()
        for klass, approx, note in sorted(hits, key=lambda h: (h[0], h[1], h[2].id)):
            if klass in seen or lane >= n_lanes:
                if not approx:
                    # a second hit of one class (snapped here too), or no lane left
                    off += list(at_tick[(note.start, klass)])
                continue
            seen.add(klass)
            state.put(lane, step, step + 1, vocab.drum(klass), note, True)
            lane += 1
    return off, []


# -- decode --------------------------------------------------------------------------------


def decode(
    encoded: EncodedSong,
    tokens: np.ndarray,
    where: np.ndarray | None = None,
    default_velocity: int = DEFAULT_VELOCITY,
) -> dict[int, tuple[Note, ...]]:
    """Notes per track id from a token grid shaped like ``encoded.tokens``.

    A note starts at an ``ONSET``/``DRUM`` cell and lasts through the ``HOLD`` cells after
    it (drum hits last one step; a class sounds as the notes its track's kit strikes for
    it: :meth:`EncodedSong.kit`). With ``where`` (bool ``(L, T)``) only notes starting in a
    selected cell are returned, and they end at the first unselected cell. A note whose
    cell still holds the encoded token keeps its encoded velocity; others get
    ``default_velocity``. Leading ``HOLD`` s (a note from before the window) and ``MASK``
    decode to nothing. Every lane's notes come back as they are, so lanes of one track may
    give one pitch twice at once (an encoded song's overlaps round-trip exactly); for
    generated notes, :func:`resolve_overlaps` leaves one sounding note per pitch.
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    if tokens.shape != encoded.tokens.shape:
        raise ValueError(f"tokens shape {tokens.shape} != encoded {encoded.tokens.shape}")
    sel = np.ones(tokens.shape, dtype=bool) if where is None else np.asarray(where, dtype=bool)
    ticks = encoded.step_ticks
    out: dict[int, list[Note]] = {tid: [] for tid in encoded.lane_tracks}
    L, T = tokens.shape
    for lane in range(L):
        row, ok = tokens[lane], sel[lane]
        is_drum = bool(encoded.drum_lanes[lane])
        kit = encoded.kit(encoded.lane_tracks[lane]) if is_drum else None
        starts = np.flatnonzero(ok & (row >= vocab.ONSET))
        for a in starts:
            a = int(a)
            tok = int(row[a])
            if is_drum != vocab.is_drum(tok):
                continue  # a token of the other kind: not playable on this lane
            b = a + 1
            if not is_drum:
                while b < T and ok[b] and row[b] == vocab.HOLD:
                    b += 1
            same = encoded.tokens[lane, a] == tok and encoded.velocities[lane, a] > 0
            vel = int(encoded.velocities[lane, a]) if same else default_velocity
            pitches = (kit.notes(tok - vocab.DRUM) if kit is not None
                       else (vocab.pitch_of(tok),))
            start = int(ticks[a])
            out[encoded.lane_tracks[lane]] += [Note(p, start, int(ticks[b]) - start, vel)
                                               for p in pitches]
    return {tid: tuple(sorted(notes, key=Note.key)) for tid, notes in out.items()}


__all__ = [
    "CHORD_LANES",
    "COMPOUND_OFFSET",
    "DEFAULT_VELOCITY",
    "GUITARS",
    "GUITAR_STRINGS",
    "MAX_BEAT_POS",
    "ROLE_LANES",
    "SOLO_PROGRAMS",
    "EncodedSong",
    "GridSpec",
    "beat_positions",
    "chorale_to_song",
    "chorale_to_tokens",
    "chord_size",
    "compound_positions",
    "decode",
    "default_lanes",
    "encode",
    "first_step_at",
    "fit_budget",
    "resolve_overlaps",
    "snap_step",
    "song_to_chorale",
    "step_in_bar",
    "step_tick",
    "strike_ticks",
    "tokens_to_chorale",
]
