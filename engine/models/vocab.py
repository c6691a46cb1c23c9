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

MASK = 0
REST = 1
HOLD = 2
ONSET = 3  # ONSET + pitch, pitch in 0..127
N_PITCHES = 128
DRUM = ONSET + N_PITCHES  # DRUM + class index

# GM drum classes: (name, representative GM note used when decoding, GM notes mapped here).
DRUM_CLASSES: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("kick", 36, (35, 36)),
    ("snare", 38, (37, 38, 39, 40)),
    ("closed hat", 42, (42, 44)),
    ("open hat", 46, (46,)),
    ("low tom", 45, (41, 43, 45)),
    ("high tom", 48, (47, 48, 50)),
    ("crash", 49, (49, 52, 55, 57)),
    ("ride", 51, (51, 53, 59)),
    ("percussion", 56, tuple(range(54, 82))),  # everything else: bells, congas, shakers
)
N_DRUM_CLASSES = len(DRUM_CLASSES)
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


_DRUM_NOTE_TO_CLASS = {n: k for k, (_, _, notes) in enumerate(DRUM_CLASSES) for n in notes}


def drum_class_of_note(gm_note: int) -> int:
    """GM drum note → drum class (unknown notes count as 'percussion')."""
    return _DRUM_NOTE_TO_CLASS.get(gm_note, N_DRUM_CLASSES - 1)


def drum_note_of_class(klass: int) -> int:
    return DRUM_CLASSES[klass][1]
