"""The line pull's nats on one cell of a hand-written lane (the walking bass's and the
sung line's tests read the channels the same way)."""

from __future__ import annotations

import numpy as np

from engine.models import line_pull
from engine.models.voice_leading import sounding_pitches


def line_nats_at(tokens: list[int], cell: int, channel: int) -> np.ndarray:
    """The line's nats on the onsets of ``cell`` of a one-lane line, ``channel`` at 1."""
    view = np.array([tokens])
    nats = np.zeros((1, line_pull.N_CHANNELS), dtype=np.float32)
    nats[0, channel] = 1.0
    return line_pull.line_nats(view, sounding_pitches(view), np.array([0]),
                               np.array([cell]), nats)[0]
