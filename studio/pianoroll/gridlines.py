"""Where the bar, beat and grid lines fall on screen (shared by canvas, ruler and lane)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.score import TimeMap
from engine.score.snap import Snap, grid_ticks

from .viewport import Viewport

MIN_SUB_PX = 7.0  # grid lines closer than this are dropped
MIN_BEAT_PX = 5.0
MIN_BAR_PX = 14.0  # bar numbers need room; thin them out when zoomed far out


@dataclass
class GridLines:
    bars: list[tuple[float, int]] = field(default_factory=list)  # (x, 0-based bar index)
    beats: list[float] = field(default_factory=list)
    subs: list[float] = field(default_factory=list)
    label_every: int = 1  # label every n-th bar


@dataclass(frozen=True, slots=True)
class _BarTicks:
    """One bar's lines in ticks, whatever the zoom: its start, counted beats and grid."""

    start: int
    number: int  # as the ruler counts bars (a pickup is bar 0)
    beat: int  # the counted beat's length (6/8: a dotted quarter)
    beats: tuple[int, ...]  # the beats after the downbeat
    sub: float  # the grid step (0: none)
    subs: tuple[int, ...]  # the grid lines that are not on a beat


class _Bars:
    """:class:`_BarTicks` per bar of one time map and snap, made once: every paint of
    the canvas, ruler and velocity lane (three a scroll step) asked the time map for
    each bar's meter, beats and grid lines again, a third of a scroll step's time."""

    def __init__(self) -> None:
        self.tm: TimeMap | None = None
        self.snap: Snap | None = None
        self.bars: dict[int, _BarTicks] = {}

    def get(self, tm: TimeMap, snap: Snap, bar: int) -> _BarTicks:
        if tm is not self.tm or snap != self.snap:  # the song's meters changed, or the grid
            self.tm, self.snap, self.bars = tm, snap, {}
        hit = self.bars.get(bar)
        if hit is None:
            hit = self.bars[bar] = _bar_ticks(tm, snap, bar)
        return hit


_BARS = _Bars()


def _bar_ticks(tm: TimeMap, snap: Snap, bar: int) -> _BarTicks:
    start = tm.bar_to_tick(bar)
    sig, _ = tm.metric_position(start)  # a pickup: the meter of the bar it leads into
    end = tm.bar_to_tick(bar + 1)
    # The counted beats: 6/8's dotted quarters, 7/8's 2+2+3 (their 8ths are sub-lines).
    pulses = [start + o for o in tm.pulse_offsets(bar)]
    notated = tm.beat_length_for(sig)
    beat = notated * min(sig.pulses)
    if snap.division > 0:  # the lines notes snap to (exact: triplets at any PPQ)
        sub, lines = snap.exact_ticks(tm.ppq), grid_ticks(snap, tm, start, end)
    else:
        sub = notated // (4 if max(sig.pulses) == 1 else 2)
        lines = list(range(start, end, sub)) if sub > 0 else []
    on_beat = set(pulses) | {start}
    return _BarTicks(start, tm.bar_number(bar), beat, tuple(t for t in pulses if t > start),
                     sub, tuple(t for t in lines if round(t) not in on_beat))


def grid_lines(tm: TimeMap, vp: Viewport, snap: Snap) -> GridLines:
    """Lines for the visible tick window; sub-beat lines follow the snap value."""
    out = GridLines()
    ppt = vp.px_per_tick
    t0, t1 = vp.left, vp.right
    first = tm.tick_to_bar(int(max(0, t0)))
    last = tm.tick_to_bar(int(max(0, t1))) + 1
    # Thin the bar lines by the longest bar in view: a short pickup at the left edge
    # halved every bar's lines and numbers.
    longest = max(tm.bar_length_for(s) for s in tm.signatures_in(int(max(0, t0)),
                                                                 int(max(1, t1))))
    bar_px = longest * ppt
    every = 1
    while bar_px * every < MIN_BAR_PX:
        every *= 2
    out.label_every = every
    for bar in range(first, last + 1):
        b = _BARS.get(tm, snap, bar)
        if (b.number - 1) % every == 0:  # 1, 3, 5 …: a pickup is bar 0
            out.bars.append(((b.start - t0) * ppt, bar))
        if every > 1:
            continue
        if b.beat * ppt >= MIN_BEAT_PX:
            out.beats += [(t - t0) * ppt for t in b.beats]
        if b.sub and b.sub * ppt >= MIN_SUB_PX and b.sub < b.beat:
            out.subs += [(t - t0) * ppt for t in b.subs]
    return out
