"""Which bars a bar command means when it is given none: Ctrl+B (select the bar's notes),
Ctrl+Shift+B (mask these bars) and Ctrl+Alt+B (these bars on this track).

One rule for the three (they had three, and disagreed): the bars of the selected notes'
onsets — a note held over a bar line does not bring the next bar — else the loop range
while the loop is on (L), else the playhead's bar. A loop range left set with the loop
off does not count: the playhead moved there since (Shift+→ to bar 9, Ctrl+B) is what
the keys mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.score import Note, TimeMap

if TYPE_CHECKING:
    from .transport import Transport


def bars_in_focus(tm: TimeMap, transport: Transport,
                  notes: Iterable[Note] = ()) -> tuple[int, int, str]:
    """``(start, end, where)``: the ticks the bars are taken from (``[start, end)``: the
    onsets of ``notes``, else the loop range while looping, else the playhead's bar) and
    what they are, said ("the selected notes", "the loop range", "the playhead's bar")."""
    onsets = [n.start for n in notes]
    if onsets:
        return min(onsets), max(onsets) + 1, "the selected notes"
    if transport.loop_enabled and transport.loop_end > transport.loop_start:
        return transport.loop_start, transport.loop_end, "the loop range"
    bar = tm.tick_to_bar(transport.position)
    return tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1), "the playhead's bar"


def bars_text(tm: TimeMap, start: int, end: int) -> str:
    """The bars ``[start, end)`` reaches, as the ruler numbers them: "bar 9", "bars 9–12"."""
    first, last = (tm.bar_number(tm.tick_to_bar(t)) for t in (start, max(start, end - 1)))
    return f"bars {first}–{last}" if last > first else f"bar {first}"


__all__ = ["bars_in_focus", "bars_text"]
