"""A line's pull on its next notes from the notes it has around them: the sampler's
``line_pull`` (a walking bass: :func:`engine.models.chord_follow.walk_bass`; a written
tune: :func:`engine.models.chord_follow.sing_line`).

Per cell, ``N_CHANNELS`` nats, each read against the notes its lane has decided so far
(the sampler reads them again at every step, so it holds whichever neighbour is drawn
first): the note sounding just before the cell (back through its holds) and the one
struck where the cell's note would end (past the holds the constraints force), and the
notes beyond those two:

- ``REPEAT``: taken from an onset of either neighbour's pitch (a new pitch each beat);
- ``BOUNCE``: taken from an onset of the pitch two notes back (or on), where the note
  between is another or still undecided (F C F C);
- ``STEP``: added to onsets a half or whole step from a neighbour, ``SMALL_LEAP_SHARE``
  of it to those a 3rd or 4th from it (a bassist walks by step, with small leaps);
- ``LEAP``: taken from onsets more than a perfect 5th from a neighbour;
- ``INTO_NEXT``: added to onsets a half or whole step from the next note, in pitch (an
  approach note: D2 → E♭2, not E♭3);
- ``FROM_BEFORE``: added to onsets a half or whole step from the note before (a chord's
  root, in the octave next to the note that approached it);
- ``PASSING``: added to onsets between the note before and the one after, a half or
  whole step from each (F2 G2 A2, A2 B2 C3, G2 G♯2 A2): a passing tone (a walking
  bass's chromatic notes win back there what they lose elsewhere).

A tune's channels read its notes in the order they are sung, past a rest (or cells still
undecided) of up to :data:`BREATH` cells (a breath keeps the line going; a longer rest
starts a new phrase), the two struck before the cell and the two after it:

- ``RUN``: taken from an onset that would strike one pitch a third time running (the
  two notes before it that pitch, the one before and the one after, or the two after): a
  tune repeats a note, it does not drone on it;
- ``MELODIC``: added to onsets a half or whole step from the note before or after,
  ``SMALL_LEAP_SHARE`` of it to a 3rd; taken from a leap past the 5th, twice over
  from one past the octave (a tune moves mostly by step, leaps now and then);
- ``GAP_FILL``: after a leap of a 4th or more, added to onsets a step or a 3rd back the
  other way, taken from those going on the same way by more than a step; read both ways
  (the leap into the cell's note, the note after it already drawn).
"""

from __future__ import annotations

import numpy as np

from . import vocab

REPEAT, BOUNCE, STEP, LEAP, INTO_NEXT, FROM_BEFORE, RUN, MELODIC, GAP_FILL, PASSING = range(10)
N_CHANNELS = 10
# The share of STEP a move of a minor 3rd to a perfect 4th gets (of MELODIC, a 3rd).
SMALL_LEAP_SHARE = 0.5
# Semitones: the widest move that is not a leap past the 5th; an octave; the smallest
# leap a tune fills in (a 4th).
_FIFTH = 7
_OCTAVE = 12
_GAP = 5
# Cells of rest a tune's line reads past (a 16th grid: a beat's breath).
BREATH = 4
_TUNE = (RUN, MELODIC, GAP_FILL)

_PITCHES = np.arange(vocab.N_PITCHES)


def line_nats(view: np.ndarray, pitch: np.ndarray, lane: np.ndarray, col: np.ndarray,
              nats: np.ndarray) -> np.ndarray:
    """(m, N_PITCHES) nats added to the onsets of cells (``lane``, ``col``: columns of
    ``view``) by their ``nats`` (m, N_CHANNELS) (the module's docstring). ``view`` (L, W):
    the lanes' tokens, a still-masked cell as ``MASK`` (undecided); ``pitch`` (L, W): the
    pitch sounding in each cell, -1 for none (:func:`engine.models.sampler.sounding_pitches`
    of ``view``)."""
    out = np.zeros((len(lane), vocab.N_PITCHES), dtype=np.float32)
    width = view.shape[1]
    cols = np.arange(width)
    # Per column, the first column at or after it that is not a hold, and the last at or
    # before it (where the note sounding there was struck).
    nxt = np.minimum.accumulate(np.where(view != vocab.HOLD, cols, width)[:, ::-1],
                                axis=1)[:, ::-1]
    last = np.maximum.accumulate(np.where(view != vocab.HOLD, cols, -1), axis=1)

    def struck(ln: int, c: int) -> int:
        """The pitch struck at the first column at or after ``c`` that is not a hold."""
        j = nxt[ln, c] if c < width else width
        return int(view[ln, j]) - vocab.ONSET if j < width and vocab.ONSET <= view[
            ln, j] < vocab.DRUM else -1

    def note(ln: int, c: int) -> bool:
        """Whether a note is (or may be) struck at column ``c``: an onset, or undecided."""
        return 0 <= c < width and (view[ln, c] == vocab.MASK
                                   or vocab.ONSET <= view[ln, c] < vocab.DRUM)

    for i in np.flatnonzero(nats.any(-1)).tolist():
        ln, c, w = int(lane[i]), int(col[i]), nats[i]
        before = int(pitch[ln, c - 1]) if c > 0 else -1
        start = int(last[ln, c - 1]) if c > 0 else -1  # where that note is struck
        before2 = int(pitch[ln, start - 1]) if note(ln, start) and start > 0 else -1
        after = struck(ln, c + 1)
        j = nxt[ln, c + 1] if c + 1 < width else width
        after2 = struck(ln, j + 1) if note(ln, j) else -1
        row = out[i]
        for near, far in ((before, before2), (after, after2)):
            if far >= 0 and far != near:
                row[far] -= w[BOUNCE]
            if near < 0:
                continue
            row[near] -= w[REPEAT]
            move = np.abs(_PITCHES - near)
            row += w[STEP] * ((move >= 1) & (move <= 2))
            row += w[STEP] * SMALL_LEAP_SHARE * ((move >= 3) & (move <= 5))
            row -= w[LEAP] * (move > _FIFTH)
        if after >= 0:
            move = np.abs(_PITCHES - after)
            row += w[INTO_NEXT] * ((move >= 1) & (move <= 2))
        if before >= 0:
            move = np.abs(_PITCHES - before)
            row += w[FROM_BEFORE] * ((move >= 1) & (move <= 2))
        if before >= 0 and after >= 0 and w[PASSING]:
            lo, hi = sorted((before, after))
            row += w[PASSING] * ((_PITCHES - lo >= 1) & (_PITCHES - lo <= 2)
                                 & (hi - _PITCHES >= 1) & (hi - _PITCHES <= 2))
        if w[list(_TUNE)].any():
            row += _tune_nats(view[ln], c, w)
    return out


def _sung(line: np.ndarray, c: int, way: int) -> list[int]:
    """The pitches of up to two notes struck before (``way`` -1) or after (+1) column
    ``c`` of one lane's ``line``, nearest first, past holds and a gap of up to
    :data:`BREATH` rests or undecided cells (a note drawn beside two others of its pitch
    a beat away is the third of a run, whatever is drawn between later)."""
    out: list[int] = []
    gap = 0
    k = c + way
    while 0 <= k < len(line) and len(out) < 2:
        token = int(line[k])
        if vocab.ONSET <= token < vocab.DRUM:
            out.append(token - vocab.ONSET)
            gap = 0
        elif token in (vocab.REST, vocab.MASK):
            gap += 1
            if gap > BREATH:
                break
        elif token != vocab.HOLD:
            break
        k += way
    return out


def _tune_nats(line: np.ndarray, c: int, w: np.ndarray) -> np.ndarray:
    """(N_PITCHES,) a tune's nats (RUN, MELODIC, GAP_FILL) on the onsets of column ``c``
    of one lane's ``line``, against the notes sung around it (the module's docstring)."""
    row = np.zeros(vocab.N_PITCHES, dtype=np.float32)
    before, after = _sung(line, c, -1), _sung(line, c, 1)
    # A third strike running: two before, one each side, two after.
    for pair in (before, after, [*before[:1], *after[:1]]):
        if len(pair) == 2 and pair[0] == pair[1]:
            row[pair[0]] -= w[RUN]
    for near in (before[:1] + after[:1]):
        move = np.abs(_PITCHES - near)
        row += w[MELODIC] * ((move >= 1) & (move <= 2))
        row += w[MELODIC] * SMALL_LEAP_SHARE * ((move >= 3) & (move <= 4))
        row -= w[MELODIC] * ((move > _FIFTH).astype(np.float32) + (move > _OCTAVE))
    if not w[GAP_FILL]:
        return row
    if len(before) == 2 and abs(before[0] - before[1]) >= _GAP:  # a leap into the note
        row += w[GAP_FILL] * _fill(np.sign(before[0] - before[1]), _PITCHES - before[0])
    if before and after:  # this note a leap from the one before, the next drawn
        leap = _PITCHES - before[0]
        back = after[0] - _PITCHES
        row += w[GAP_FILL] * np.where(np.abs(leap) >= _GAP, _fill(np.sign(leap), back), 0.0)
    return row


def _fill(leap: np.ndarray | int, move: np.ndarray) -> np.ndarray:
    """1 for a ``move`` a step or a 3rd back against a ``leap``'s direction (its sign),
    -1 for one on the same way by more than a step, else 0."""
    back = (np.sign(move) == -np.sign(leap)) & (np.abs(move) >= 1) & (np.abs(move) <= 4)
    on = (np.sign(move) == np.sign(leap)) & (np.abs(move) > 2)
    return back.astype(np.float32) - on
