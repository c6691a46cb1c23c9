"""Voice leading: which notes the voices of a chorale (or any one-line parts) may move to.

The sampler asks at every step, against the cells decided so far, whether a token would
cross the voice above or below (:func:`crossing_motion`), move in parallel fifths or
octaves with another voice (:func:`parallel_motion`), or sound a note against its
chromatic alteration (:func:`clash_motion`, :func:`false_relations`); the take warnings and
the benchmarks count what was written (:func:`written_parallels`,
:func:`written_clashes`). Pure numpy over token grids (``vocab``), no torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.plugins.api import CannotGenerate
from engine.score import Note, Song
from engine.score.instruments import part_range
from engine.score.spelling import scale_pitch_classes, tonic_of

from . import vocab
from .grid import encode

PERFECT = (0, 7)  # |interval| mod 12 of unisons/octaves and fifths, whichever voice is on top


def sounding_pitches(tokens: np.ndarray) -> np.ndarray:
    """(L, W) pitch sounding in each cell: an onset's pitch, carried through its
    ``HOLD``\\ s; -1 for rests, drum hits, masked cells and holds whose onset is not in
    ``tokens``."""
    width = tokens.shape[1]
    onset = (tokens >= vocab.ONSET) & (tokens < vocab.DRUM)
    start = tokens != vocab.HOLD  # every cell but a hold starts (or breaks) a note
    last = np.maximum.accumulate(np.where(start, np.arange(width), -1), axis=1)
    value = np.where(onset, tokens - vocab.ONSET, -1)
    return np.where(last >= 0, np.take_along_axis(value, np.maximum(last, 0), 1), -1)


# A rest shorter than this many 16ths (a beat) between two notes of a voice does not part
# them: the next note moves from the one before it, as a theory teacher hears and marks
# consecutive fifths and octaves. A beat's rest or more is a breath: the line starts again.
BRIDGED_REST = vocab.STEPS_PER_BEAT


def carried_pitches(tokens: np.ndarray, pitch: np.ndarray | None = None) -> np.ndarray:
    """(L, W) the pitch each lane last sang in each cell: :func:`sounding_pitches`, and
    in a run of ``REST`` cells right after a note, that note's pitch for the run's first
    :data:`BRIDGED_REST` − 1 cells (a 16th, an eighth or a dotted eighth rest). What a
    voice's next note moves from (:func:`parallel_hits`); -1 where nothing is carried
    (a longer rest, a masked cell). ``pitch``: the caller's ``sounding_pitches(tokens)``,
    when it has it (the sampler's parallels check runs at every step)."""
    pitch = sounding_pitches(tokens) if pitch is None else pitch
    cols = np.arange(tokens.shape[1])
    last_sound = np.maximum.accumulate(np.where(pitch >= 0, cols, -1), axis=1)
    # Only across decided rests: a masked cell (or a drum hit) breaks the run.
    last_other = np.maximum.accumulate(np.where(tokens != vocab.REST, cols, -1), axis=1)
    carry = ((tokens == vocab.REST) & (last_sound >= 0) & (last_other == last_sound)
             & (cols - last_sound < BRIDGED_REST))
    carried = np.take_along_axis(pitch, np.maximum(last_sound, 0), 1)
    return np.where(carry, carried, pitch)


ORDER_MIN_NOTES = 4  # a part with this many notes is ranked by them, not by its range


def voice_order(song: Song, lane_tracks: Sequence[int]) -> np.ndarray:
    """(L,) each lane's place from the top among the parts that sing one line — pitched
    tracks of one lane, ranked by the median of their notes, or for a part with fewer
    than :data:`ORDER_MIN_NOTES` (one being written) the middle of its part's range
    (Soprano, Alto, Tenor, Bass; a flute melody above them) — or -1 for lanes in no such
    order (a piano's chord lanes, drums): what :func:`crossing_motion` keeps in order.
    By range alone a melody named "Voice" on Choir Aahs (36–84, the whole choir's) sat
    under the Alto (55–74): the alto, kept above a tune in C5–B♭5, could strike nothing
    and held one note for 15 beats (a teacher's QA)."""
    counts = {t: list(lane_tracks).count(t) for t in lane_tracks}
    single = [t for t in dict.fromkeys(lane_tracks)
              if counts[t] == 1 and not song.track(t).is_drum]

    def middle(track_id: int) -> float:
        track = song.track(track_id)
        if len(track.notes) >= ORDER_MIN_NOTES:
            return float(np.median([n.pitch for n in track.notes]))
        return sum(part_range(track.name, track.program)) / 2

    mid = {t: middle(t) for t in single}
    rank = {t: i for i, t in enumerate(sorted(single, key=lambda t: -mid[t]))}
    return np.array([rank.get(t, -1) for t in lane_tracks], dtype=np.int64)


def crossing_motion(padded: np.ndarray, lane: np.ndarray, col: np.ndarray,
                    order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens in cell (``lane``, ``col``) would cross a neighbouring voice, given
    the cells decided so far: ``(onsets, hold)`` like :func:`parallel_motion`. A voice of
    ``order`` (:func:`voice_order`) sounds no higher than the nearest voice above it that
    sounds there, and no lower than the nearest below. QA counted alto–tenor crossings at
    six times Bach's rate in chorale takes."""
    pitch = sounding_pitches(padded)
    onsets = np.zeros((len(lane), vocab.N_PITCHES), dtype=bool)
    hold = np.zeros(len(lane), dtype=bool)
    voices = np.flatnonzero(order >= 0)
    if len(voices) < 2:
        return onsets, hold
    by_rank = voices[np.argsort(order[voices])]  # lanes from the top voice down
    rows = np.arange(len(by_rank))[:, None]
    rank = order[lane][None, :]
    m = np.arange(len(lane))

    def bounds(at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pitches of the nearest voices above and below that sound in padded
        column ``at`` of each cell (none: past the top, under the bottom)."""
        here = pitch[by_rank][:, at]  # (V, m)
        sounds = here >= 0
        up_row = np.where(sounds & (rows < rank), rows, -1).max(0)
        down_row = np.where(sounds & (rows > rank), rows, len(by_rank)).min(0)
        up = np.where(up_row >= 0, here[np.maximum(up_row, 0), m], vocab.N_PITCHES)
        down = np.where(down_row < len(by_rank),
                        here[np.minimum(down_row, len(by_rank) - 1), m], -1)
        return up, down

    up, down = bounds(col + 1)
    # An onset (or a hold) sounds on through the holds already drawn after it: it keeps
    # its order there too (holds drawn first let an alto's D4 struck later run on over
    # the soprano's next note, C♯4; a hold drawn between an alto's G♯4 and its later
    # holds ran it over her F♯4).
    at = col + 2
    held = np.ones(len(lane), dtype=bool)
    while True:
        held &= at < padded.shape[1]
        held[held] &= padded[lane[held], at[held]] == vocab.HOLD
        if not held.any():
            break
        u, d = bounds(np.minimum(at, padded.shape[1] - 1))
        up = np.where(held, np.minimum(up, u), up)
        down = np.where(held, np.maximum(down, d), down)
        at = at + 1
    ranked = order[lane] >= 0
    before = pitch[lane, col]  # what a HOLD would keep sounding
    hold = ranked & (before >= 0) & ((before > up) | (before < down))
    p = np.arange(vocab.N_PITCHES)[None, :]
    onsets = ranked[:, None] & ((p > up[:, None]) | (p < down[:, None]))
    return onsets, hold


def parallel_motion(padded: np.ndarray, lane: np.ndarray, col: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which tokens in cell (``lane``, ``col``) would make parallel fifths or octaves
    (unisons) with another lane, given the cells decided so far: ``(onsets, hold, rest)``
    — (m, 128) onset pitches, moving in parallel into the cell or out of it into the
    lane's next onset already decided, (m,) whether a ``HOLD`` would (it keeps the
    previous pitch and so moves out of the cell from there) and (m,) whether a ``REST``
    would (a rest shorter than a beat parts no notes: the one before it moves on to the
    next, :func:`carried_pitches`). ``padded`` is the window with one cell of context
    each side (cell ``c`` of the window at column ``c + 1``). Only motion between known
    pitches counts, across a rest shorter than a beat too (QA: with rests breaking the
    chain, a voice escaped a forbidden hold into its parallel by resting a 16th before
    it): both voices move from one perfect interval class to the same one, in the same
    direction or contrary (consecutive fifths or octaves by contrary motion are as bare to
    the ear, and the textbook rule forbids them too)."""
    pitch = sounding_pitches(padded)
    carried = carried_pitches(padded, pitch)
    width = padded.shape[1]
    cols = np.arange(width)
    p = np.arange(vocab.N_PITCHES)[None, :]
    onsets = np.zeros((len(lane), vocab.N_PITCHES), dtype=bool)
    hold = np.zeros(len(lane), dtype=bool)
    rest = np.zeros(len(lane), dtype=bool)
    here = col + 1  # this cell's padded column
    before = carried[lane, col]  # what this lane sang last: what an onset here moves from
    held = pitch[lane, col]  # what a HOLD here keeps sounding

    def first_not(token: int, start: np.ndarray) -> np.ndarray:
        """(m,) this lane's first column from ``start`` on that is not ``token``."""
        table = np.minimum.accumulate(np.where(padded != token, cols, width)[:, ::-1],
                                      axis=1)[:, ::-1]
        return np.where(start < width, table[lane, np.minimum(start, width - 1)], width)

    def onset_at(k: np.ndarray) -> np.ndarray:
        """(m,) the pitch this lane strikes at column ``k``; -1 for none."""
        tok = padded[lane, np.minimum(k, width - 1)]
        return np.where((k < width) & (tok >= vocab.ONSET) & (tok < vocab.DRUM),
                        tok - vocab.ONSET, -1)

    # A note here (struck or held) moves where its decided holds end, or past a decided
    # rest shorter than a beat after them.
    k = first_not(vocab.HOLD, here + 1)
    resting = (k < width) & (padded[lane, np.minimum(k, width - 1)] == vocab.REST)
    past = first_not(vocab.REST, k)
    k = np.where(resting & (past - k < BRIDGED_REST), past, k)
    after = onset_at(k)
    # A rest here: the note before it (its rest begun at `since`) moves to the next onset
    # decided after the rest, if the rest stays shorter than a beat.
    since = np.maximum.accumulate(np.where(pitch >= 0, cols, -1), axis=1)[lane, col] + 1
    j = first_not(vocab.REST, here + 1)
    rest_to = np.where((before >= 0) & (j - since < BRIDGED_REST), onset_at(j), -1)
    km, jm = np.maximum(k - 1, 0), np.maximum(j - 1, 0)
    for other in range(padded.shape[0]):
        mine = lane != other
        # Into the cell: this voice goes before → p while the other goes o0 → o1.
        o0, o1 = carried[other, col], pitch[other, here]
        iv = np.abs(before - o0) % 12
        into = mine & (before >= 0) & (o0 >= 0) & (o1 >= 0) & (o0 != o1) & np.isin(iv, PERFECT)
        r = np.flatnonzero(into)  # few rows: work on those only
        onsets[r] |= (p != before[r, None]) & (np.abs(p - o1[r, None]) % 12 == iv[r, None])
        # Out of the cell (held on to this lane's next onset): p → after, while the other
        # goes o_from → o2 at the same step.
        o_from, o2 = carried[other, km], pitch[other, np.minimum(k, width - 1)]
        iv2 = np.abs(after - o2) % 12
        out = (mine & (after >= 0) & (o_from >= 0) & (o2 >= 0) & (o_from != o2)
               & np.isin(iv2, PERFECT))
        r = np.flatnonzero(out)
        onsets[r] |= ((p != after[r, None])
                      & (np.abs(p - o_from[r, None]) % 12 == iv2[r, None]))
        hold |= (out & (held >= 0) & (held != after)
                 & (np.abs(held - o_from) % 12 == iv2))
        # Across a rest here: before → rest_to, while the other goes r_from → r2.
        r_from, r2 = carried[other, jm], pitch[other, np.minimum(j, width - 1)]
        iv3 = np.abs(rest_to - r2) % 12
        rest |= (mine & (rest_to >= 0) & (r_from >= 0) & (r2 >= 0) & (r_from != r2)
                 & (before != rest_to) & np.isin(iv3, PERFECT)
                 & (np.abs(before - r_from) % 12 == iv3))
    return onsets, hold, rest


def parallel_pairs(padded: np.ndarray, contrary: bool = False) -> np.ndarray:
    """(k, 3) ``(lane_a, lane_b, column)`` of every parallel fifth or octave in the padded
    window: both lanes move into ``column`` (a padded column; a lane from the note before
    a rest shorter than a beat, :func:`carried_pitches`), in the same direction (or
    either, with ``contrary``: consecutive fifths and octaves, as ``parallel_motion``
    forbids them), from one perfect interval class to the same one (``lane_a < lane_b``).
    The statistics count parallels in the same direction only, as published ones do."""
    return parallel_hits(padded, contrary)


def parallel_hits(tokens: np.ndarray, contrary: bool = False) -> np.ndarray:
    """:func:`parallel_pairs` over ``tokens`` (L, W): the rule itself, which the sampler,
    the statistics (:func:`engine.models.evaluate.music_stats`) and the command line's
    check of a take (:func:`written_parallels`) share. A voice moves into a column where
    it sounds a pitch other than the one it sang last (:func:`carried_pitches`: across a
    rest shorter than a beat, the note before the rest)."""
    a, b = moves_into(tokens)
    moves = (a >= 0) & (b >= 0) & (a != b)
    iv0 = np.abs(a[:, None] - a[None, :]) % 12
    iv1 = np.abs(b[:, None] - b[None, :]) % 12
    same_dir = contrary | (np.sign(b - a)[:, None] == np.sign(b - a)[None, :])
    hit = (moves[:, None] & moves[None, :] & same_dir & (iv0 == iv1) & np.isin(iv0, PERFECT))
    hit &= np.triu(np.ones(hit.shape[:2], dtype=bool), 1)[:, :, None]
    i, j, t = np.nonzero(hit)
    return np.stack([i, j, t + 1], axis=1)


def moves_into(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(from, to)``, each (L, W − 1): per lane and column from 1 on, the pitch the lane
    sang last before it (:func:`carried_pitches`) and the pitch it sounds there (-1:
    none). A lane moves into a column where both are known and differ."""
    pitch = sounding_pitches(tokens)
    return carried_pitches(tokens, pitch)[:, :-1], pitch[:, 1:]


@dataclass(frozen=True, slots=True)
class Parallel:
    """Two tracks moving in parallel (or consecutive) ``"fifths"`` or ``"octaves"`` into
    ``tick``."""

    tick: int
    track_a: int
    track_b: int
    interval: str


def written_parallels(song: Song, new_notes: Mapping[int, Iterable[Note]]) -> list[Parallel]:
    """The parallel fifths and octaves between two parts of ``song`` that arrive on one of
    ``new_notes`` (per track id, notes of ``song``): what a model asked to avoid them
    (``GenerateOptions.avoid_parallels``) should not have written. Read as the built-in
    models avoid them: on the 16th-note grid (:func:`~engine.models.grid.encode`),
    consecutive fifths and octaves by contrary motion counted too (:func:`parallel_pairs`).
    A part is a track that plays one line at a time (a melody, a bass, a chorale's
    voices); the voices of chords are left alone, since which voice of one chord moves to
    which of the next is a reading, not a fact."""
    ids = {n.id for notes in new_notes.values() for n in notes}
    starts = [n.start for notes in new_notes.values() for n in notes]
    if not ids:
        return []
    # From the bar before the first new note (what it moves from) to the last one.
    start = max(0, min(starts) - 4 * song.ppq)
    try:
        enc = encode(song, start_tick=start, end_tick=max(starts) + 1, snap_off_grid=True)
    except CannotGenerate:  # a resolution coarser than the grid: nothing to read it on
        return []
    pitch = sounding_pitches(enc.tokens)
    onset = (enc.tokens >= vocab.ONSET) & (enc.tokens < vocab.DRUM)
    arrives = onset & np.isin(enc.note_ids, list(ids))
    lanes = enc.lane_tracks
    # Parts are one-line tracks (a melody, a bass, a chorale's voices): which voice of a
    # chord goes where is a reading (a model may read it otherwise, or see only its top).
    parts = {t for t in lanes if lanes.count(t) == 1}
    found: dict[tuple[int, int, int], Parallel] = {}
    for a, b, col in parallel_hits(enc.tokens, contrary=True):
        if lanes[a] == lanes[b] or not (arrives[a, col] or arrives[b, col]) or not (
                lanes[a] in parts and lanes[b] in parts):
            continue  # one track's voices, or a chord's: not two parts
        tick = int(enc.step_ticks[col])
        key = (tick, *sorted((lanes[a], lanes[b])))
        interval = "octaves" if (pitch[a, col] - pitch[b, col]) % 12 == 0 else "fifths"
        found.setdefault(key, Parallel(tick, key[1], key[2], interval))
    return [found[k] for k in sorted(found)]


# -- false relations (a note and its chromatic alteration sounding together) ----------------


def false_relations(key: str) -> np.ndarray:
    """(12, 12) the pitch-class pairs two voices may not sound together in ``key``: a
    semitone (mod 12) with a note outside the key — its scale, and in minor both forms of
    the 6th and 7th degrees — and in minor the 6th or 7th against its own raised form (F
    with F♯, G with G♯ in A minor). A grid has no spelling, so C♯ against D reads as D♭
    against D: either way a chromatic note rubbing a semitone against another voice, which
    Bach's chorales keep to passing moments (1.7 sixteenths a chorale, 76 JSB valid ones
    read in their context key). A semitone between two notes of the key stays free: a
    diatonic suspension (B under C, E under F) or a leading tone under its tonic."""
    tonic, minor = tonic_of(key)
    scale = set(scale_pitch_classes(key)) | ({(tonic + 9) % 12} if minor else set())
    table = np.zeros((12, 12), dtype=bool)
    for a in range(12):
        for b in ((a + 1) % 12, (a - 1) % 12):
            table[a, b] = a not in scale or b not in scale
    if minor:
        for low in (8, 10):  # ♭6 against ♮6, ♭7 against the leading tone
            a, b = (tonic + low) % 12, (tonic + low + 1) % 12
            table[a, b] = table[b, a] = True
    return table


def clash_motion(padded: np.ndarray, lane: np.ndarray, col: np.ndarray, table: np.ndarray,
                 voices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens in cell (``lane``, ``col``) would sound a pair of ``table``
    (:func:`false_relations`) against another of the ``voices`` (L,) lanes, given the
    cells decided so far: ``(onsets, hold)`` like :func:`crossing_motion`. A note here
    sounds through the lane's decided holds after it, and is judged against every pitch
    the other voices sound there (kept notes and the written notes drawn so far); a
    ``HOLD`` keeps the note before it. Lanes outside ``voices`` are free."""
    pitch = sounding_pitches(padded)
    width = padded.shape[1]
    cols = np.arange(width)
    here = col + 1
    onsets = np.zeros((len(lane), vocab.N_PITCHES), dtype=bool)
    hold = np.zeros(len(lane), dtype=bool)
    mine = voices[lane]
    if not mine.any() or voices.sum() < 2:
        return onsets, hold
    table_p = table[np.arange(vocab.N_PITCHES) % 12]  # (128, 12): pitch × pitch class
    # The lane's note sounds from here up to its next cell that is not a decided HOLD.
    after = np.minimum.accumulate(np.where(padded != vocab.HOLD, cols, width)[:, ::-1],
                                  axis=1)[:, ::-1]
    end = np.where(here + 1 < width, after[lane, np.minimum(here + 1, width - 1)], width)
    held = pitch[lane, col]
    for d in range(int((end - here).max(initial=0))):
        at = here + d
        live = mine & (at < end)
        for other in np.flatnonzero(voices):
            q = pitch[other, np.minimum(at, width - 1)]
            r = live & (lane != other) & (q >= 0)
            if not r.any():
                continue
            bad = table[:, np.maximum(q, 0) % 12].T  # (m, 12): classes clashing with q
            onsets[r] |= table_p[:, np.maximum(q[r], 0) % 12].T
            hold |= r & (held >= 0) & bad[np.arange(len(lane)), np.maximum(held, 0) % 12]
    return onsets, hold


def clash_cells(tokens: np.ndarray, table: np.ndarray, voices: np.ndarray) -> np.ndarray:
    """(k, 3) ``(lane_a, lane_b, column)`` where two of the ``voices`` lanes sound a pair
    of ``table`` (:func:`false_relations`) together (``lane_a < lane_b``)."""
    pitch = sounding_pitches(tokens)
    rows = np.flatnonzero(voices)
    found = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            both = (pitch[a] >= 0) & (pitch[b] >= 0)
            hit = both & table[pitch[a] % 12, pitch[b] % 12]
            found += [(a, b, c) for c in np.flatnonzero(hit)]
    return np.array(found, dtype=np.int64).reshape(-1, 3)


def written_clashes(song: Song, new_notes: Mapping[int, Iterable[Note]],
                    key: str | None) -> int:
    """How many 16th steps of ``song`` sound a new note (of ``new_notes``, per track id)
    against another part's pitch a pair of :func:`false_relations` of ``key`` apart (a
    semitone with a note outside the key): what a chorale written with
    ``avoid_parallels`` keeps out. Parts are one-line tracks, as for
    :func:`written_parallels`; 0 without a key."""
    notes = [n for ns in new_notes.values() for n in ns]
    if key is None or not notes:
        return 0
    start = max(0, min(n.start for n in notes) - 4 * song.ppq)
    try:
        enc = encode(song, start_tick=start, end_tick=max(n.end for n in notes),
                     snap_off_grid=True)
    except CannotGenerate:
        return 0
    lanes = enc.lane_tracks
    parts = np.array([lanes.count(t) == 1 for t in lanes])
    ids = {n.id for n in notes}
    # Each cell's note: its onset's id, carried through the holds.
    start_col = np.maximum.accumulate(
        np.where(enc.tokens != vocab.HOLD, np.arange(enc.tokens.shape[1]), 0), axis=1)
    new = np.isin(np.take_along_axis(enc.note_ids, start_col, 1), list(ids))
    cols = {int(c) for a, b, c in clash_cells(enc.tokens, false_relations(key), parts)
            if new[a, c] or new[b, c]}
    return len(cols)
