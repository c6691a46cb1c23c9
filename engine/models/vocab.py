"""The token vocabulary of the lane grid (shared by the codec, the network and the sampler).

A lane holds one token per 16th-note step:

- ``MASK``  — the absorbing state of masked discrete diffusion ("to be generated");
- ``REST``  — silence;
- ``HOLD``  — the note sounding in the previous step continues;
- ``ONSET + p`` — a note of MIDI pitch ``p`` (0..127) starts here (pitched lanes);
- ``DRUM + k`` — drum class ``k`` is struck here (drum lanes; see ``DRUM_CLASSES``).

Pitched and drum lanes share one vocabulary so one network serves both; the sampler
restricts each lane to its legal tokens.
"""

from __future__ import annotations

# Drum classes live in engine.score.drums with the kits that map them back to notes (the
# one place both directions meet: a track's own kit decides which note a class becomes).
from engine.score.drums import (  # noqa: F401 (the codec's names for them)
    DRUM_CLASSES,
    N_DRUM_CLASSES,
    drum_class_of_note,
    stock_note,
)

MASK = 0
REST = 1
HOLD = 2
ONSET = 3  # ONSET + pitch, pitch in 0..127
N_PITCHES = 128
DRUM = ONSET + N_PITCHES  # DRUM + class index

VOCAB_SIZE = DRUM + N_DRUM_CLASSES

# Steps per quarter note: the grid is a 16th-note grid.
STEPS_PER_BEAT = 4
# Positions in a bar the network embeds (a bar of up to 8 quarters); a compound bar's are
# offset by this (grid.COMPOUND_OFFSET).
BAR_STEPS = 32


def onset(pitch: int) -> int:
    return ONSET + pitch


def drum(klass: int) -> int:
    return DRUM + klass


def is_onset(token: int) -> bool:
    return ONSET <= token < DRUM


def is_drum(token: int) -> bool:
    return DRUM <= token < VOCAB_SIZE


def pitch_of(token: int) -> int:
    return token - ONSET


def drum_note_of_class(klass: int) -> int:
    """The class's stock GM note (a track's own kit: :class:`engine.score.drums.DrumKit`)."""
    return stock_note(klass)

