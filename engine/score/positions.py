"""Positions as a musician types them: ``"6.3"`` (bar 6, beat 3), ``"6.3.120"`` (and 120
ticks), ``"12"`` (bar 12's downbeat), or a time, ``"0:12.480"``, ``"12.48s"``, ``"1:02"``
— what a DAW's Go To Position (and the CLI's ``--from-bar 6.3``) reads.

Bars are numbered as :meth:`TimeMap.bar_number` numbers them (a pickup is bar 0), beats in
the meter's unit from 1, as the position read-out shows them (:meth:`TimeMap.format_position`).
A decimal comma is a decimal point ("12,48s"), so a German keyboard's numbers read too.
"""

from __future__ import annotations

import re

from .timing import TimeMap

_POSITION = re.compile(r"(\d+)(?:[.,](\d+)(?:[.,](\d+))?)?")
# [[h:]m:]s with an optional fraction, or seconds with an "s": 1:02, 0:12.480, 12.48s
_CLOCK = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+(?:[.,]\d*)?)")
_SECONDS = re.compile(r"(\d+(?:[.,]\d*)?)\s*s(?:ec(?:onds?)?)?", re.IGNORECASE)


def beat_start(tm: TimeMap, tick: int) -> int:
    """Where the beat holding ``tick`` starts (the meter's unit, counted from the bar's
    start as the read-out counts them)."""
    bar_at = tm.bar_to_tick(tm.tick_to_bar(tick))
    unit = tm.beat_length_for(tm.signature_at(tick))
    return bar_at + (tick - bar_at) // unit * unit


def position_text(tm: TimeMap, tick: int) -> str:
    """``"6.3"`` for a beat's start, ``"6.3.120"`` off it: the shortest bar.beat.tick."""
    p = tm.tick_to_position(tick)
    text = f"{tm.bar_number(p.bar)}.{p.beat + 1}"
    return f"{text}.{p.tick}" if p.tick else text


def clock_text(seconds: float) -> str:
    """``"0:12.480"``: minutes and seconds to the millisecond, as the time read-out shows
    them (59.9996 s is ``"1:00.000"``, not ``"0:60.000"``)."""
    minutes, ms = divmod(round(seconds * 1000), 60_000)
    return f"{minutes}:{ms / 1000:06.3f}"


def duration_text(seconds: float) -> str:
    """A long span of time as words, to two units: ``"45 s"``, ``"3 min 20 s"``, ``"3 h
    20 min"``, ``"16 days 12 h"`` (a song's length where it is too long to render)."""
    s = round(max(0.0, seconds))
    for unit, size, smaller, small_size in (("day", 86400, "h", 3600), ("h", 3600, "min", 60),
                                            ("min", 60, "s", 1)):
        if s >= size:
            whole, rest = divmod(s, size)
            word = f"{whole:,} {unit}{'s' if unit == 'day' and whole != 1 else ''}"
            part = rest // small_size
            return f"{word} {part} {smaller}" if part else word
    return f"{s} s"


def parse_position(tm: TimeMap, text: str, bars: int) -> int:
    """The tick of ``"bar[.beat[.tick]]"`` in a song of ``bars`` bars (one past the last,
    its end, too: only its downbeat, none of its beats, which are after the end).
    ValueError saying what is wrong: a bar outside the song, a beat the bar does not have
    (a pickup or a bar a meter change cuts short has fewer)."""
    m = _POSITION.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{text.strip()!r}: give a bar, bar.beat or bar.beat.tick (6, "
                         "6.3, 6.3.120) or a time (0:12.480, 12.48s)")
    number, beat, tick = (None if g is None else int(g) for g in m.groups())
    bar = tm.bar_index(number)
    last = max(bars, 1)
    # "12.48" with no such beat (or bar) was more likely a time, typed without its "s".
    hint = _time_hint(m) if beat is not None and tick is None else ""
    if not 0 <= bar <= last:
        raise ValueError(f"bar {number} is not in the song "
                         f"({tm.bar_numbers_text(last)}){hint}")
    start, after = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
    if bar == last and (beat or 1, tick or 0) != (1, 0):
        raise ValueError(f"bar {number} is the song's end: type {number} for it, or a beat "
                         f"of bar {tm.bar_number(last - 1)}")
    if beat is None:
        return start
    unit = tm.beat_length_for(tm.signature_at(start))
    beats = -(-(after - start) // unit)
    if not 1 <= beat <= beats:
        which = f"bar {number} (the pickup)" if tm.has_pickup and bar == 0 else f"bar {number}"
        has = "has only beat 1" if beats == 1 else f"has beats 1–{beats}"
        raise ValueError(f"{which} {has}{hint}")
    if tick is not None and not 0 <= tick < unit:
        raise ValueError(f"a beat of bar {number} has ticks 0–{unit - 1}")
    return start + (beat - 1) * unit + (tick or 0)


def _time_hint(m: re.Match[str]) -> str:
    """"; for a time, type 0:12.48 or 12.48s": what "12.48" was meant as, more likely
    than a beat bar 12 does not have."""
    minutes, seconds = divmod(int(m.group(1)), 60)
    sep, fraction = m.string[m.end(1)], m.group(2)  # "." or a decimal comma, as typed
    return (f"; for a time, type {minutes}:{seconds:02d}{sep}{fraction} or "
            f"{m.group(1)}{sep}{fraction}s")


def parse_seconds(text: str) -> float | None:
    """Seconds from a time typed as a clock (``"1:02"``, ``"0:12.480"``, ``"1:00:05"``)
    or with an ``s`` (``"12.48s"``, ``"12,48 s"``); None when ``text`` is no time (a
    bare ``"12"`` is a bar). ValueError for a clock's minutes or seconds over 59."""
    typed = text.strip()
    if m := _SECONDS.fullmatch(typed):
        return float(m.group(1).replace(",", "."))
    m = _CLOCK.fullmatch(typed)
    if m is None or ":" not in typed:
        return None
    hours, minutes, seconds = m.groups()
    secs = float(seconds.replace(",", "."))
    if secs >= 60 or (hours is not None and int(minutes) >= 60):
        raise ValueError(f"{typed!r}: minutes and seconds go up to 59")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + secs


def parse_go_to(tm: TimeMap, text: str, bars: int, end: int) -> int:
    """The tick a Go To means: a time (:func:`parse_seconds`) or a bar.beat.tick
    (:func:`parse_position`), at most the song's ``end`` (the bar after the last, where
    the last is cut short, is the end). ValueError saying what is wrong."""
    seconds = parse_seconds(text)
    if seconds is None:  # the bar after the last is the end, however short the last
        return min(parse_position(tm, text, bars), end)
    length = tm.tick_to_seconds(end)
    if seconds > length + 1e-9:
        raise ValueError(f"{text.strip()} is after the song's end "
                         f"({int(length // 60)}:{length % 60:06.3f})")
    return min(tm.seconds_to_tick(seconds), end)
