"""Snap-to-grid: the note values a musician picks (1/4 … 1/32, triplets) and snapping
(the studio's grid and `partita tracks --quantize`), straight or swung (Quantize…,
`--swing`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .timing import TimeMap


@dataclass(frozen=True, slots=True)
class Snap:
    """A grid value: ``division`` notes per whole note (0 = off, -1 = one bar)."""

    name: str
    division: int
    triplet: bool = False

    def exact_ticks(self, ppq: int) -> float:
        """One grid step as a fraction of ticks: an eighth-note triplet at 256 PPQ is
        85⅓ ticks, and lines counted with 85 drift off the beat across a bar."""
        if self.division <= 0:
            return 0.0
        whole = ppq * 4
        return whole * 2 / (self.division * 3) if self.triplet else whole / self.division

    def ticks(self, ppq: int) -> int:
        """Ticks per grid step at ``ppq``, whole (0 when snapping is off; bars handled by
        callers): a new note's length, the smallest a note is drawn."""
        return max(1, int(self.exact_ticks(ppq))) if self.division > 0 else 0


SNAPS: tuple[Snap, ...] = (
    Snap("Off", 0),
    Snap("Bar", -1),
    Snap("1/2", 2),
    Snap("1/4", 4),
    Snap("1/8", 8),
    Snap("1/16", 16),
    Snap("1/32", 32),
    Snap("1/4T", 4, True),
    Snap("1/8T", 8, True),
    Snap("1/16T", 16, True),
    Snap("1/32T", 32, True),
)
DEFAULT_SNAP = "1/16"

# Swing as an MPC (and Logic's Q-Swing) counts it: where the second line of each pair of
# grid lines sits in the pair's span, 50 % straight, 66.7 % a triplet swing (2:1), 75 %
# the most (a dotted note and the next value down). On 8ths and 16ths, the grids whose
# swing the groove module reads back (engine.models.groove, engine.score.grid_fit).
STRAIGHT = 0.5
MAX_SWING = 0.75
SWING_GRIDS = ("1/8", "1/16")
# Every grid a quantize takes (the studio's Quantize…, `--quantize`): all but Off.
QUANTIZE_GRIDS = tuple(s.name for s in SNAPS if s.division != 0)


def check_swing(snap: Snap, swing: float) -> None:
    """Raise ValueError unless ``swing`` (a fraction) is one ``snap`` can take."""
    if not STRAIGHT <= swing <= MAX_SWING:
        raise ValueError(f"swing {swing_text(swing)} is outside 50-75 % (50 % is straight, "
                         "66.7 % a triplet swing)")
    if swing != STRAIGHT and snap.name not in SWING_GRIDS:
        raise ValueError(f"swing needs a 1/8 or 1/16 grid, not {snap.name}")


def swing_text(swing: float) -> str:
    """``0.62`` → ``"62 %"``, ``2/3`` → ``"66.7 %"``."""
    return f"{round(swing * 100, 1):g} %"


def strength_text(strength: float) -> str:
    """A quantize's strength as a label ends: ``0.6`` → ``" at 60 %"``; nothing at full
    strength (a plain quantize says no more than it did)."""
    return "" if strength >= 1 else f" at {round(strength * 100, 1):g} %"


def swing_shift(step: float, swing: float) -> int:
    """Ticks a swung line sits after its straight place: a pair of lines spans two
    ``step``s and its second line sits ``swing`` of the way in (0.62 of a 1/8 pair at 480
    PPQ: 298, 58 after the off-beat's 240)."""
    return round((2 * swing - 1) * step)


def note_value_name(ticks: int, ppq: int) -> str:
    """A length as a musician names it: "1/4", "dotted 1/8", "1/8 triplet", "whole",
    "double dotted 1/2"; else in beats ("1.3 beats") or ticks ("37 ticks")."""
    whole = 4 * ppq
    for division in (1, 2, 4, 8, 16, 32, 64):
        plain = f"{'whole' if division == 1 else f'1/{division}'}"
        for factor, name in ((1, plain), (1.5, f"dotted {plain}"),
                             (1.75, f"double dotted {plain}"),
                             (2 / 3, f"{plain} triplet")):
            if ticks * division == round(whole * factor) and (whole * factor) % 1 == 0:
                return name
    if ticks % whole == 0:
        return f"{ticks // whole} whole notes"
    beats = ticks / ppq
    return f"{round(beats, 2):g} beats" if beats >= 0.1 else f"{ticks} ticks"


def snap_by_name(name: str) -> Snap:
    for s in SNAPS:
        if s.name == name:
            return s
    raise KeyError(f"unknown snap value {name!r}")


def step_at(snap: Snap, tm: TimeMap, tick: int) -> int:
    """Length of one grid step around ``tick`` (a bar for "Bar"; a 1/16 when off)."""
    if snap.division == -1:
        return tm.bar_length_for(tm.signature_at(tick))
    if snap.division == 0:
        return max(1, tm.ppq // 4)
    return snap.ticks(tm.ppq)


def snap_tick(snap: Snap, tm: TimeMap, tick: float, mode: str = "round") -> int:
    """Snap ``tick`` to the grid, counted from the start of its bar (meter changes are exact;
    a pickup's grid counts from where the full bar it ends would start, so its lines fall
    on the beats: a dotted-quarter pickup's quarter lines are at 240 and 720, not 0, 480).

    ``mode`` is ``"round"`` (nearest line) or ``"floor"`` (line at or before).
    """
    if snap.division == 0:
        return max(0, round(tick))
    t = max(0, int(tick))
    bar = tm.tick_to_bar(t)
    bar_start, bar_end = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
    origin = bar_start - tm.pickup_shift(bar)
    step = step_at(snap, tm, t) if snap.division < 0 else snap.exact_ticks(tm.ppq)
    offset = tick - origin
    if mode != "round":
        # The last line (rounded to a tick, as drawn) at or before the tick: a tick on a
        # rounded line (85 of 85⅓) stays on it, it does not fall back a whole step.
        k = int(offset // step)
        while origin + round((k + 1) * step) <= tick:
            k += 1
        return max(0, bar_start, origin + round(k * step))
    # The next bar line is a grid line too: a 7/8 bar is not whole quarter notes long, and
    # a pickup or a bar cut short by a meter change is shorter than its meter says.
    line = origin + round(round(offset / step) * step)
    if line > bar_end or bar_end - tick < abs(tick - line):
        line = bar_end
    if line < bar_start or tick - bar_start < abs(tick - line):
        line = bar_start  # a pickup's own start is a line too
    return max(0, line)


def grid_shift(snap: Snap, tm: TimeMap, tick: int, steps: int) -> int:
    """Ticks that move ``tick`` by ``steps`` grid lines (negative: back), keeping its
    place against the grid: nudging a note by ← →, a duplicate placed after a selection.
    Line by line as drawn, so a step never skips a line nor drifts off triplet lines (85 +
    85 … at 256 PPQ missed 171, 256), and a bar's short last step (7/8 in quarters, a
    pickup) is one step: → then ← comes back."""
    if snap.division <= 0:  # bars, or no snap: whole steps of step_at
        return steps * step_at(snap, tm, tick)
    base = line = snap_tick(snap, tm, tick, "floor")
    for _ in range(abs(steps)):
        line = _next_line(snap, tm, line) if steps > 0 else _previous_line(snap, tm, line)
    return line - base


def grid_shift_past(snap: Snap, tm: TimeMap, tick: int, end: int) -> int:
    """``grid_shift(snap, tm, tick, k)`` for the fewest steps ``k`` (one at least) that
    move ``tick`` to ``end`` or later: where Duplicate puts a copy of a selection from
    ``tick`` to ``end``. The steps walk every line in turn, so that is the first line at or
    after ``tick``'s line moved by ``end - tick``, found by snapping there, not by walking
    k steps for each k (a 200-bar selection walked 2 million lines: 33 s)."""
    if snap.division <= 0:  # whole steps of step_at
        step = step_at(snap, tm, tick)
        return max(1, -(-(end - tick) // step)) * step
    base = snap_tick(snap, tm, tick, "floor")
    target = max(base + 1, base + end - tick)  # one step at least
    line = snap_tick(snap, tm, target, "floor")
    return (line if line >= target else _next_line(snap, tm, line)) - base


def _next_line(snap: Snap, tm: TimeMap, line: int) -> int:
    bar = tm.tick_to_bar(line)
    start, end = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
    return next((t for t in grid_ticks(snap, tm, start, end) if t > line), end)


def _previous_line(snap: Snap, tm: TimeMap, line: int) -> int:
    if line <= 0:
        return 0
    bar = tm.tick_to_bar(line - 1)
    start, end = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
    return max(t for t in grid_ticks(snap, tm, start, end) if t < line)


def grid_ticks(snap: Snap, tm: TimeMap, start: int, end: int) -> list[int]:
    """The grid's lines in ``[start, end)`` of the bar starting at ``start``, as
    :func:`snap_tick` snaps to them (triplets at 256 PPQ: 0, 85, 171, 256 …)."""
    step = snap.exact_ticks(tm.ppq)
    if step <= 0:
        return []
    origin = start - tm.pickup_shift(tm.tick_to_bar(start))  # a pickup: the full bar's
    lines = [origin + round(k * step) for k in range(int((end - origin) / step) + 1)]
    return sorted({start} | {t for t in lines if start <= t < end})


def swung_place(snap: Snap, tm: TimeMap, line: int, swing: float) -> int:
    """Where the grid line at tick ``line`` sits with ``swing``: every second line of its
    bar, counted from the bar's start (a pickup's from the full bar's, so an 8th pickup is
    the swung "and" of 4), later by :func:`swing_shift`, never onto the next line."""
    step = snap.exact_ticks(tm.ppq)
    bar = tm.tick_to_bar(line)
    origin = tm.bar_to_tick(bar) - tm.pickup_shift(bar)
    if swing == STRAIGHT or step <= 0 or round((line - origin) / step) % 2 == 0:
        return line
    return min(line + swing_shift(step, swing), _next_line(snap, tm, line) - 1)


def swung_tick(snap: Snap, tm: TimeMap, tick: int, swing: float) -> int:
    """The swung line (:func:`swung_place`) nearest ``tick``, the earlier on a tie: a note
    played on a 2:1 swung off-beat goes there, not to the straight line it is nearer. A
    tick already on a swung line stays (Quantize with swing twice changes nothing). A swung
    line lies at most half a step after its own, so only the lines at or before ``tick``
    and the next can be nearest."""
    floor = snap_tick(snap, tm, tick, "floor")
    places = (swung_place(snap, tm, floor, swing),
              swung_place(snap, tm, _next_line(snap, tm, floor), swing))
    return min(places, key=lambda p: (abs(p - tick), p))


def quantize_line(snap: Snap, tm: TimeMap, song_end: int,
                  swing: float = STRAIGHT) -> Callable[[int], int]:
    """The grid line a note starting at ``tick`` is quantized to: the nearest
    (:func:`snap_tick`; with ``swing``, the nearest swung line, :func:`swung_tick`), except
    that a note never moves onto or past the end of the song's last bar (rounding the last
    notes up to the next bar line made the song a bar longer): it takes the line at or
    before it instead. Raises ValueError for a swing ``snap`` cannot take
    (:func:`check_swing`)."""
    check_swing(snap, swing)
    last = tm.whole_bars_end(song_end)

    def line(tick: int) -> int:
        if swing != STRAIGHT:
            nearest = swung_tick(snap, tm, tick, swing)
            if nearest < last or tick >= last:
                return nearest
            return swung_place(snap, tm, snap_tick(snap, tm, tick, "floor"), swing)
        nearest = snap_tick(snap, tm, tick)
        return nearest if nearest < last or tick >= last else snap_tick(snap, tm, tick, "floor")

    return line
