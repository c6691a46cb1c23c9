"""Chord symbols typed as a lead sheet writes its bars: ``"F7 | Bb7 | F7 | % | C7 Bb7"``.

Bars are separated by ``|``; a bar of several chords splits its beats evenly (two in 4/4:
beats 1 and 3); ``%`` repeats the bar before; ``-`` (a bar or a beat's slot) or an empty
bar keeps the chord before going. :func:`lead_sheet_chords` places them from a bar on;
:func:`with_lead_sheet` puts them in a song in place of the chords those bars had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .chord_symbols import parse_chord_symbol
from .song import ChordSymbol, Song
from .timing import TimeMap

REPEAT = "%"
HOLD_ON = "-"


def lead_sheet_bars(text: str) -> list[list[str]]:
    """The chord slots of each bar of ``text``: ``"F7 | Bb7 C7 | % | -"`` →
    ``[["F7"], ["Bb7", "C7"], ["Bb7", "C7"], []]`` (a ``-`` slot is kept, to hold its beats;
    a bar of ``-`` alone or nothing is empty: ``" | "`` is two such bars). Raises
    ValueError naming every symbol that is no chord (``"F7 | Hm7"``: Hm7), for a ``%``
    with no bar before it, and for a text with no chord and no bar (``""``)."""
    bars: list[list[str]] = []
    unknown: list[str] = []
    written = text.split("|")
    if not "".join(written).strip():  # no chord, no "%", no "-": bars only where "|" are
        if len(written) == 1:
            raise ValueError("no chord and no bar: give at least one chord or % "
                             "(F7 | Bb7 | %; '-' or an empty bar holds the chord before on)")
    else:  # bar lines around the first and last bar open and close no bar: "| F7 |"
        written = written[1:] if not written[0].strip() else written
        written = written[:-1] if not written[-1].strip() else written
    for bar in written:
        slots = bar.split()
        if slots == [REPEAT]:
            if not bars:
                raise ValueError("'%' in the first bar: there is no bar before it to repeat")
            bars.append(list(bars[-1]))
            continue
        if all(s == HOLD_ON for s in slots):
            slots = []
        unknown += [s for s in slots if s != HOLD_ON and parse_chord_symbol(s) is None
                    and s not in unknown]
        bars.append(slots)
    if unknown:
        raise ValueError(f"not a chord symbol: {', '.join(unknown)} (write C7, Bbmaj7, "
                         "F#m7b5, G7/B, N.C.; '%' repeats a bar, '-' holds a chord on)")
    return bars


def lead_sheet_chords(song: Song, text: str, from_bar: int = 0
                      ) -> tuple[tuple[ChordSymbol, ...], tuple[int, int]]:
    """The chord symbols of ``text`` (:func:`lead_sheet_bars`) placed from 0-based bar
    ``from_bar`` in ``song``'s meters — each bar's slots on its beats, split evenly (at
    the nearest beat, or the nearest tick where a bar has fewer beats than slots) — and
    the ticks ``(start, end)`` of the bars they fill."""
    bars = lead_sheet_bars(text)
    tm = TimeMap.of(song)
    out = []
    for n, slots in enumerate(bars):
        bar = from_bar + n
        start, end = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
        beats = tm.pulse_offsets(bar) or [0]
        for i, slot in enumerate(slots):
            if slot == HOLD_ON:
                continue
            if len(slots) <= len(beats):
                at = beats[i * len(beats) // len(slots)]
            else:  # more chords than beats: the bar's ticks split evenly
                at = i * (end - start) // len(slots)
            out.append(ChordSymbol(start + at, slot))
    span = (tm.bar_to_tick(from_bar), tm.bar_to_tick(from_bar + len(bars)))
    return tuple(out), span


def with_lead_sheet(song: Song, text: str, from_bar: int = 0) -> Song:
    """``song`` with the chords of ``text`` from 0-based bar ``from_bar`` on, in place of
    the chord symbols the bars it names had (the others stay). Bars past the song's end
    lengthen it to hold them (:func:`length_holding`): a lead sheet says the form, and a
    song keeps no chord past its end."""
    chords, (start, end) = lead_sheet_chords(song, text, from_bar)
    kept = [c for c in song.chords if not start <= c.tick < end]
    return replace(song, chords=tuple(sorted([*kept, *chords], key=lambda c: c.tick)),
                   length=length_holding(song, end, [c.tick for c in chords]))


def length_holding(song: Song, end: int, ticks: Sequence[int] = ()) -> int:
    """``song``'s set length, or ``end`` (a bar line) where chords entered in bars up to
    ``end`` reach past the song: bars after its last (an 8-bar new song given 32 bars of
    chords is 32 bars long), or a chord at one of ``ticks`` after the last note of its
    last bar. Bars within the song's last bar leave its length alone."""
    tm = TimeMap.of(song)
    past = end > tm.whole_bars_end(song.end) or any(t >= song.end for t in ticks)
    return max(end, song.length) if past else song.length


def lengthened_note(before: Song, after: Song, what: str = "the chords") -> str:
    """``"the song is lengthened to 20 bars to hold the chords"`` when ``after`` ends
    later than ``before`` (bars numbered as the ruler: a pickup is bar 0; ``"… to the end
    of bar 4 …"`` where its last bar is only filled out), else ``""``."""
    if after.end <= before.end:
        return ""
    tm = TimeMap.of(after)
    bars = tm.whole_bars(after.end)
    last = tm.bar_number(bars - 1)
    if bars == tm.whole_bars(before.end):
        return f"the song is lengthened to the end of bar {last} to hold {what}"
    return f"the song is lengthened to {last} bars to hold {what}"


def chords_past_end(song: Song) -> tuple[ChordSymbol, ...]:
    """The chord symbols at or after the song's end: a song keeps none there (a file
    that has them loses them on loading, and no export writes them)."""
    return tuple(c for c in song.chords if c.tick >= song.end)


def chords_in_song(song: Song) -> tuple[ChordSymbol, ...]:
    """The chord symbols before the song's end: the ones an export writes."""
    return tuple(c for c in song.chords if c.tick < song.end)


def lead_sheet_text(song: Song, from_bar: int, bars: int, per_line: int = 4) -> str:
    """The chord symbols of ``bars`` bars from 0-based ``from_bar`` written as a lead
    sheet, so that :func:`with_lead_sheet` reads them back where they are: ``"F7 | Bb7 |
    F7 | - |"`` — a bar with no chord starting in it ``-``, chords off the even split held
    apart by ``-`` slots (``"C - F -"`` is beats 1 and 3 of a 4/4 bar's 4 slots: ``"C F"``
    says the same, and is written). ``per_line`` bars a line, each line ending in ``|``
    (a line break alone is no bar line). A chord on no beat nor an even split of its bar
    is written in its order, at the nearest place the text can say."""
    tm = TimeMap.of(song)
    words = []
    for bar in range(from_bar, from_bar + bars):
        start, end = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
        here = {c.tick - start: c.text for c in song.chords if start <= c.tick < end}
        words.append(_bar_slots(here, tm.pulse_offsets(bar) or [0], end - start))
    lines = [" | ".join(words[i:i + per_line]) + " |" for i in range(0, len(words), per_line)]
    return "\n".join(lines)


def _bar_slots(chords: dict[int, str], beats: list[int], length: int) -> str:
    """One bar's slots for ``chords`` (offset in the bar → text): the fewest even slots
    whose places (as :func:`lead_sheet_chords` places them) hold every chord."""
    if not chords:
        return HOLD_ON
    for n in range(1, max(len(beats), 16) + 1):
        places = ([beats[i * len(beats) // n] for i in range(n)] if n <= len(beats)
                  else [i * length // n for i in range(n)])
        if set(chords) <= set(places):
            return " ".join(chords.get(at, HOLD_ON) for at in places)
    return " ".join(chords[at] for at in sorted(chords))


def chords_span_end(song: Song) -> int:
    """Where the song's last chord symbol stops being in force: the end of its bar. Past
    it the key alone applies — a tune's last note after the lead sheet's last bar (a
    blues head's F in bar 13 after ``Gm7 C7``) closes on the home chord, and a
    continuation's new bars follow no chord; ruled to the song's end, the last C7 put
    C2–C5 in the piano under the final F."""
    if not song.chords:
        return 0
    tm = TimeMap.of(song)
    return tm.bar_to_tick(tm.tick_to_bar(song.chords[-1].tick) + 1)


def chord_symbol_bars(song: Song, start: int, end: int) -> tuple[int, int, bool] | None:
    """The first and last bar (indices) of ``[start, end)`` in which a chord symbol is in
    force (an N.C. too: it says the band lays out), and whether one is all through the
    span; None where none is (no chords, or the span lies before the first or past the
    last one's bar)."""
    first = next((c.tick for c in song.chords if parse_chord_symbol(c.text) is not None),
                 None)
    if first is None:
        return None
    lo, hi = max(start, first), min(end, chords_span_end(song))
    if lo >= hi:
        return None
    tm = TimeMap.of(song)
    return tm.tick_to_bar(lo), tm.tick_to_bar(hi - 1), lo == start and hi == end
