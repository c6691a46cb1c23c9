"""Quick masks: one keystroke for the regions a musician asks for most.

Pure functions from the song (and what is selected) to a :class:`Mask`; the window
pushes the result as one undoable mask change. Spans are whole bars except
"selection", which is the selected notes' own bounding box.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from engine.score import Mask, Note, Region, Song, TimeMap
from engine.score.mask_geometry import normalise, paint

from ..pianoroll.viewport import EMPTY_SONG_BARS


def song_end_tick(song: Song, tm: TimeMap | None = None) -> int:
    """The end of the song's last bar (:data:`EMPTY_SONG_BARS` for an empty song)."""
    tm = tm or TimeMap.of(song)
    return tm.bar_to_tick(tm.whole_bars(song.end) or EMPTY_SONG_BARS)


def this_track(song: Song, track_ids: Iterable[int]) -> Mask:
    """The whole song on the given (current) track(s)."""
    return normalise(Mask.of(Region(frozenset(track_ids), 0, song_end_tick(song))))


def these_bars(song: Song, start: int, end: int, track_ids: Iterable[int] | None = None) -> Mask:
    """Whole bars covering ticks ``[start, end)`` on ``track_ids`` (default: every track)."""
    tm = TimeMap.of(song)
    ids = frozenset(t.id for t in song.tracks) if track_ids is None else frozenset(track_ids)
    first = tm.tick_to_bar(max(0, start))
    last = tm.tick_to_bar(max(start, end - 1))
    return normalise(Mask.of(Region(ids, tm.bar_to_tick(first), tm.bar_to_tick(last + 1))))


def selection(selected: Mapping[int, Sequence[Note]]) -> Mask:
    """Each track's selected notes' bounding box (onsets and pitches)."""
    regions = []
    for tid, notes in selected.items():
        if notes:
            regions.append(Region({tid}, min(n.start for n in notes),
                                  max(n.start for n in notes) + 1,
                                  min(n.pitch for n in notes), max(n.pitch for n in notes)))
    return normalise(Mask.of(*regions))


def added(mask: Mask, extra: Mask) -> Mask:
    """``mask`` with ``extra`` painted over it, as a stroke adds to the mask there."""
    for region in extra.regions:
        mask = paint(mask, region)
    return mask


def after_here(song: Song, tick: int, track_ids: Iterable[int]) -> Mask:
    """From the bar holding ``tick`` to the end of the song, on ``track_ids``."""
    tm = TimeMap.of(song)
    start = tm.bar_to_tick(tm.tick_to_bar(max(0, tick)))
    end = max(song_end_tick(song, tm), start + tm.bar_length_for(tm.signature_at(start)))
    return normalise(Mask.of(Region(frozenset(track_ids), start, end)))


def other_tracks(song: Song, track_ids: Iterable[int]) -> Mask:
    """The whole song on every track except ``track_ids``."""
    keep = frozenset(track_ids)
    ids = frozenset(t.id for t in song.tracks) - keep
    return normalise(Mask.of(Region(ids, 0, song_end_tick(song))))
