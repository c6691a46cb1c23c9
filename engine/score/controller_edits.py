"""Edits of one controller of a track as a piano roll's controller lane draws it (the
pitch bend, the sustain pedal, the modulation wheel): a stroke replaces that
controller's events over the ticks it covers, an erased range drops them. Every other
controller and every note are left as they were, and the music after the stroke or the
range sounds as before: where the track had another value in force there, it is set
again (a pedal drawn down over two bars is lifted where it was up; a bend drawn to the
end of a phrase returns to the one the track had).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .controller_state import RESET_VALUES, Key, key_of, keys_replaced, state_before
from .edits import Edit, SetTrackProps
from .song import ControlEvent, Song, Track


def controller_events(track: Track, key: Key) -> list[ControlEvent]:
    """``track``'s events of controller ``key`` (("pitchwheel", 0), ("control_change", 64)
    …) in time order (those on one tick in the order they are played)."""
    return sorted((c for c in track.controls if key_of(c) == key), key=lambda c: c.tick)


def _with_controller(song: Song, track_id: int, key: Key, lo: int, hi: int,
                     inside: Sequence[ControlEvent], label: str) -> Edit | None:
    track = song.track(track_id)
    mine = controller_events(track, key)
    controls = keys_replaced(track.controls, [key], lo, hi, inside, state_before(mine, lo))
    if controller_events(replace(track, controls=controls), key) == mine:
        return None
    return SetTrackProps(track_id, (("controls", track.controls),), (("controls", controls),),
                         label)


def draw_controller(song: Song, track_id: int, key: Key, points: Sequence[tuple[int, int]],
                    end: int, label: str) -> Edit | None:
    """The edit that writes ``points`` ((tick, value), as a stroke samples them on the
    grid) as controller ``key``'s events of the track from the first point up to ``end``
    (where the last point's value stops), thinned: a point that repeats the value in
    force is not written. ``None`` when it changes nothing."""
    if not points:
        return None
    ordered = sorted(points)
    lo = ordered[0][0]
    hi = max(end, ordered[-1][0] + 1)
    value = state_before(controller_events(song.track(track_id), key), lo).get(
        key, RESET_VALUES.get(key))
    inside = []
    for tick, v in ordered:
        if v != value:
            inside.append(ControlEvent(tick, key[0], key[1], v))
            value = v
    return _with_controller(song, track_id, key, lo, hi, inside, label)


def erase_controller(song: Song, track_id: int, key: Key, lo: int, hi: int,
                     label: str) -> Edit | None:
    """The edit that drops controller ``key``'s events of the track in ``[lo, hi)``; the
    value in force at ``hi`` is set there again where it was another. ``None`` when
    there are none to drop."""
    if hi <= lo or not any(lo <= c.tick < hi for c in controller_events(song.track(track_id),
                                                                        key)):
        return None
    return _with_controller(song, track_id, key, lo, hi, (), label)


__all__ = ["controller_events", "draw_controller", "erase_controller"]
