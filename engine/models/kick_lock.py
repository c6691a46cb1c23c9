"""An 808 strikes with the kick: the lean of a trap or house sub bass to the kit's kicks.

In trap and house the 808 (a sub bass on a synth bass patch) and the kick are one sound
split in two: the bass strikes where the kick does, mostly, and holds between. A bass
that :func:`locks_to_kick` (a track named 808 or Sub, or on GM's Synth Bass 1 or 2) gets
:func:`kick_pull`: nats added to its onsets on the 16ths a kick of a kit it is not
written with strikes, and taken from its onsets elsewhere — a lean, as a kit's drums
lean to the backbeat; the density control still sets how many notes it strikes
(:mod:`engine.models.sampler`). A kit written in the same take is written first
(:meth:`engine.models.grid_plugin.GridModelPlugin.generate`), so the bass hears its new
kicks. Left to the model, an 808 regenerated over a trap beat (the drumkit plugin's)
struck 33-52 % of its notes on a kick.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from engine.score import Song, Track
from engine.score.drums import drum_class_of_note
from engine.score.instruments import sub_bass_part

# GM's Synth Bass 1 and 2 (programs 38 and 39): what "808" and "Sub Bass" name.
SYNTH_BASSES = frozenset({38, 39})
_KICK = drum_class_of_note(36)
# Nats added to a locked bass's onsets on a kick's 16th, and taken from them elsewhere.
KICK_LOCK = 3.0
KICK_AWAY = 2.0


def locks_to_kick(track: Track) -> bool:
    """Whether a pitched track is a sub bass that strikes with the kick: an 808 by its
    name (:func:`~engine.score.instruments.sub_bass_part`: 808, Sub Bass, 808s; not a
    "Sub Pad"), or one on a synth bass patch."""
    return not track.is_drum and (track.program in SYNTH_BASSES
                                  or sub_bass_part(track.name, track.program))


def kick_cells(song: Song, step_ticks: np.ndarray, write: Collection[int]) -> np.ndarray:
    """(T,) bool: the cells (``step_ticks``: T + 1 step lines) a kick of a kit not in
    ``write`` strikes on, each hit on its nearest step."""
    lines = np.asarray(step_ticks)
    out = np.zeros(len(lines) - 1, dtype=bool)
    starts = np.array([n.start for t in song.tracks if t.is_drum and t.id not in write
                       for n in t.notes if drum_class_of_note(n.pitch) == _KICK], dtype=int)
    if not starts.size or len(lines) < 2:
        return out
    starts = starts[(starts >= lines[0]) & (starts < lines[-1])]
    at = np.clip(np.searchsorted(lines, starts, side="right") - 1, 0, len(out) - 1)
    later = starts - lines[at] > (lines[at + 1] - lines[at]) / 2
    at = at + later
    out[at[at < len(out)]] = True
    return out


def kick_pull(song: Song, step_ticks: np.ndarray, write: Collection[int]) -> np.ndarray:
    """(T,) nats for a locked bass's onsets in each cell: :data:`KICK_LOCK` where a kick
    strikes (:func:`kick_cells`), minus :data:`KICK_AWAY` elsewhere; zeros where no kick
    strikes in the window (no kit: nothing to lock to)."""
    kicks = kick_cells(song, step_ticks, write)
    if not kicks.any():
        return np.zeros(len(kicks), dtype=np.float32)
    return np.where(kicks, KICK_LOCK, -KICK_AWAY).astype(np.float32)
