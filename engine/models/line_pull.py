"""A line's pull on its next notes from the notes it has around them: the sampler's
``line_pull`` (a walking bass: :func:`engine.models.chord_follow.walk_bass`).

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
  root, in the octave next to the note that approached it).
"""

from __future__ import annotations

import numpy as np

from . import vocab

REPEAT, BOUNCE, STEP, LEAP, INTO_NEXT, FROM_BEFORE = range(6)
N_CHANNELS = 6
# The share of STEP a move of a minor 3rd to a perfect 4th gets.
SMALL_LEAP_SHARE = 0.5
# Semitones: the widest move that is not a leap past the 5th.
_FIFTH = 7

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
    return out
