"""A song's tempo map as a score writes it: metronome marks where the tempo holds, and
"rit." or "accel." over a gradual change, not one mark per tempo change.

A played or sequenced song slows down as dozens of tempo changes a beat or less apart,
each a little slower (a ritardando); a score editor given each as a mark prints a wall of
"♩ = 117.3". :func:`tempo_marks` groups them as a musician writes them: a mark where a
ramp starts, the word over it, a mark where it settles (and "a tempo" where the tempo
before it comes back); the steps between are kept for the playback only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.score import TempoChange, TimeMap

MIN_RAMP_CHANGES = 3  # two steps the same way at least: one change is a new tempo, not a ramp
RITARDANDO, ACCELERANDO, A_TEMPO = "rit.", "accel.", "a tempo"


@dataclass(frozen=True, slots=True)
class TempoMark:
    """One tempo change as a score writes it."""

    tick: int
    bpm: float  # quarters a minute, exactly as it plays
    written: bool = True  # False: a step inside a ramp, heard but not printed
    words: str = ""  # "rit." or "accel." where a ramp starts, "a tempo" where one ends

    @property
    def shown(self) -> int:
        """The whole number a metronome mark prints (in quarters a minute)."""
        return round(self.bpm)


def tempo_marks(tempos: Sequence[TempoChange], tm: TimeMap) -> list[TempoMark]:
    """A mark for every change of ``tempos`` (a tempo restated is no change): a **ramp**
    — :data:`MIN_RAMP_CHANGES` or more changes, each but the last held less than a bar,
    moving the same way — is a written mark with "rit." or "accel." at its first change,
    unwritten steps, and a written mark at its last (where it settles; a ramp that goes on
    the other way from there starts at that mark). Every other change (held a bar or
    more, or a single quick change) is a written mark; the one right after a ramp, back
    at the whole number the tempo had before it, says "a tempo"."""
    changes = [t for i, t in enumerate(tempos)
               if i == 0 or t.us_per_beat != tempos[i - 1].us_per_beat]
    n = len(changes)

    def brief(i: int) -> bool:  # held less than a bar: a step, if its neighbours agree
        if i + 1 >= n:
            return False
        sig, _ = tm.metric_position(changes[i].tick)
        return changes[i + 1].tick - changes[i].tick < tm.bar_length_for(sig)

    def way(i: int) -> int:  # +1 faster, -1 slower, from change i to the next
        return 1 if changes[i + 1].bpm > changes[i].bpm else -1

    marks = [TempoMark(t.tick, t.bpm) for t in changes]
    landing, before = -1, None  # the last ramp's last change, and the tempo before it
    i = 0
    while i < n:
        j = i
        while brief(j) and (j == i or way(j) == way(i)):
            j += 1
        if j - i + 1 >= MIN_RAMP_CHANGES:
            marks[i] = TempoMark(changes[i].tick, changes[i].bpm,
                                 words=ACCELERANDO if way(i) > 0 else RITARDANDO)
            for k in range(i + 1, j):
                marks[k] = TempoMark(changes[k].tick, changes[k].bpm, written=False)
            landing, before = j, changes[i - 1].bpm if i else None
            # A ramp that turns at its last change (faster, then slower) starts another there.
            i = j if brief(j) else j + 1
            continue
        if i == landing + 1 and before is not None and marks[i].shown == round(before):
            marks[i] = TempoMark(changes[i].tick, changes[i].bpm, words=A_TEMPO)
        i += 1
    return marks
