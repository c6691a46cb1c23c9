"""The feel a new groove must fit: the song's swing and its hats' subdivision.

Read from the notes around the mask (kept and replaced alike: the replaced ones are the
player's timing) with the public score types only, so the plugin stays a plugin.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from engine.score import Mask, Note, Song, TimeMap
from engine.score.drums import DrumKit, drum_class_of_note

from .groove import BarSpec, nearest_step, swingable

WINDOW_BARS = 8  # bars read on either side of the mask
MIN_OFFBEATS = 8  # off-beat onsets needed before a swing is trusted
MIN_HATS = 8  # hats needed before their subdivision is
HAT_CLASSES = frozenset(drum_class_of_note(n) for n in (42, 46))  # closed/pedal, open


def swing_of(beat_offsets: Iterable[int], ppq: int) -> float | None:
    """Where the off-beat 8th falls, as a fraction of the beat (2/3 for a 2:1 shuffle),
    when ``beat_offsets`` (onsets' ticks into their quarter-note beat) clearly swing;
    None for straight music.

    The off-beat onsets (3/8 to 7/8 of the beat) swing when 60 % of them sit within a
    16th's quarter of a median that lies late of the straight off-beat (by a 32nd's
    quarter, ppq/32, or more) but early of the 4th 16th (by ppq/16 or more: a hat on the
    4th 16th exactly is a straight dotted figure, not a swing)."""
    offs = [o for o in beat_offsets if 3 * ppq // 8 <= o < 7 * ppq // 8]
    if len(offs) < MIN_OFFBEATS:
        return None
    mid = statistics.median_low(offs)
    if not ppq // 2 + ppq // 32 <= mid <= 3 * ppq // 4 - ppq // 16:
        return None
    if sum(abs(o - mid) <= ppq // 16 for o in offs) < 0.6 * len(offs):
        return None
    return mid / ppq


def beat_offsets(notes: Iterable[Note], tmap: TimeMap, ppq: int) -> list[int]:
    """Each onset's ticks into its quarter-note beat, for notes in swingable bars."""
    out = []
    for n in notes:
        sig, in_bar = tmap.metric_position(n.start)
        if swingable(sig):
            out.append(in_bar % ppq)
    return out


def song_swing(song: Song, mask: Mask, drum_ids: Sequence[int]) -> float | None:
    """The swing of the music around ``mask``: the masked drum tracks' own where they
    have enough off-beats to tell, else every unmuted track's."""
    tmap, ppq = TimeMap.of(song), song.ppq
    lo, hi = tmap.bars_around(*mask.span, WINDOW_BARS)
    window = {t.id: [n for n in t.notes if lo <= n.start < hi]
              for t in song.tracks if not t.mute}
    own = beat_offsets((n for tid in drum_ids for n in window.get(tid, ())), tmap, ppq)
    if swing := swing_of(own, ppq):
        return swing
    if len([o for o in own if 3 * ppq // 8 <= o < 7 * ppq // 8]) >= MIN_OFFBEATS:
        return None  # the drums' own feel is straight: a swung piano does not change it
    return swing_of(beat_offsets((n for ns in window.values() for n in ns), tmap, ppq), ppq)


def hat_every(notes: Iterable[Note], kit: DrumKit, tmap: TimeMap, ppq: int,
              swing: float | None) -> int | None:
    """The hat spacing, in 16th steps, that a track's hats play (1: 16ths, 2: 8ths, 4:
    quarters), or None when it plays too few hats to tell. Swung 8ths count as 8ths."""
    steps = []
    for n in notes:
        if kit.class_of(n.pitch) in HAT_CLASSES:
            sig, in_bar = tmap.metric_position(n.start)
            bar = BarSpec(sig.numerator, sig.denominator, sig.groups, swing=swing)
            steps.append(nearest_step(bar, in_bar, ppq) % 4)
    if len(steps) < MIN_HATS:
        return None
    share = lambda hit: sum(map(hit, steps)) / len(steps)  # noqa: E731
    if share(lambda s: s % 2 == 1) >= 0.2:
        return 1
    return 2 if share(lambda s: s == 2) >= 0.2 else 4
