"""A pickup (anacrusis) set in one step, as a score editor's New Score wizard sets one.

A song has a pickup when its first bar is shorter than the bar after it
(:meth:`TimeMap.pickup_shift`); Ctrl+K made one in two steps (the first bar set to 1/4,
then the next bar to 4/4). :func:`set_opening_time` makes the same two meter changes,
with the tempo and key of the first bar, as one undo step. Lengths are in whole notes
(``Fraction(1, 4)`` is a quarter), as a musician names a pickup: "a quarter-note pickup".
"""

from __future__ import annotations

from fractions import Fraction

from .edits import Edit, EditGroup, set_time_from_bar
from .song import MAX_DENOMINATOR, Meter, Song, TimeSignature
from .timing import TimeMap

NO_PICKUP = Fraction(0)
_NONE_WORDS = ("", "0", "none", "no")


def pickup_from_text(text: str, meter: Meter) -> Fraction:
    """A pickup's length as a musician types it: a note value, ``"1/4"`` or ``"3/8"``, or
    a count of the meter's note value (``"1"`` in 4/4 is a quarter, ``"2"`` in 6/8 two
    eighths); ``""``, ``"0"`` or ``"none"``: no pickup. ValueError saying what is wrong."""
    typed = text.strip().lower()
    if typed in _NONE_WORDS:
        return NO_PICKUP
    try:
        num, slash, den = typed.partition("/")
        length = Fraction(int(num), int(den) if slash else meter[1])
    except (ValueError, ZeroDivisionError):
        length = Fraction(-1)
    unit = length.denominator
    if length <= 0 or unit & (unit - 1) or unit > MAX_DENOMINATOR:
        raise ValueError(f"pickup {text.strip()!r}: give a note value like 1/4 or 3/8, or "
                         "a number of beats like 1")
    return length


def pickup_meter(pickup: Fraction, meter: Meter) -> tuple[int, int]:
    """The meter of a first bar ``pickup`` long before bars of ``meter``: in the meter's
    note value where it fits (2/8 before 6/8, 3/4 before 4/4), else its own (1/8 before
    4/4). ValueError when it is no pickup: a bar long or longer, or in shorter notes than
    the meter's and over half a bar (such a bar is read as a bar of its own)."""
    num, den = meter[:2]
    bar = Fraction(num, den)
    if not 0 < pickup < bar:
        raise ValueError(f"a pickup is shorter than a bar of {num}/{den}")
    beats = pickup * den
    if beats.denominator == 1:
        return int(beats), den
    if 2 * pickup > bar:
        raise ValueError(f"a {pickup} pickup before {num}/{den} would read as a bar of its "
                         "own: one in shorter notes than the meter's is at most half a bar")
    return pickup.numerator, pickup.denominator


def pickup_of(song: Song) -> Fraction:
    """How long the song's pickup is (``NO_PICKUP`` without one)."""
    tm = TimeMap.of(song)
    return Fraction(tm.bar_to_tick(1), 4 * song.ppq) if tm.has_pickup else NO_PICKUP


def opening_meter(song: Song) -> Meter:
    """The meter of the song's first full bar (the one after a pickup)."""
    tm = TimeMap.of(song)
    return tm.signature_at(tm.bar_to_tick(1) if tm.has_pickup else 0).meter


def pickup_text(pickup: Fraction, meter: Meter) -> str:
    """``"1/4"``, ``"2/8"`` in 6/8 (the meter's note value where it fits); "" for none."""
    if not pickup:
        return ""
    try:
        num, den = pickup_meter(pickup, meter)
    except ValueError:  # a file's own pickup (4/4 restated after 7/8): as it is long
        num, den = pickup.numerator, pickup.denominator
    return f"{num}/{den}"


def set_opening_time(song: Song, pickup: Fraction, *, bpm: float | None = None,
                     meter: Meter | None = None, key: str | None = None) -> Edit | None:
    """Tempo and key of the first bar (None: leave it, as :func:`set_time_from_bar`), the
    meter of the first full bar (None: the one it has) and a pickup of ``pickup`` before
    it (``NO_PICKUP``: none, the first bar a full one), as one undo step. A pickup is the
    first bar in its own meter (:func:`pickup_meter`) and the meter from the next bar:
    what setting the two by hand makes. Notes keep their ticks. ``None`` when nothing
    changes; ValueError for a pickup or tempo that cannot be."""
    had = pickup_of(song)
    full = TimeSignature(0, *meter).meter if meter else opening_meter(song)  # (4, 4, ())
    if not pickup and not had:  # no pickup before or after: the first bar's time
        return set_time_from_bar(song, 0, bpm=bpm, meter=meter, key=key)
    first = pickup_meter(pickup, full) if pickup else None
    steps: list[tuple[int, dict]] = [(0, {"bpm": bpm, "key": key})]
    if (pickup, full) != (had, opening_meter(song)):  # else the meters stay as written
        steps += ([(0, {"meter": first}), (1, {"meter": full})] if first else
                  [(1, {"meter": full}), (0, {"meter": full})])
    edits: list[Edit] = []
    current = song
    for bar, kwargs in steps:
        edit = set_time_from_bar(current, bar, **kwargs)
        if edit is not None:
            edits.append(edit)
            current = edit.apply(current)
    if not edits:
        return None
    if len(edits) == 1 and current.time_signatures == song.time_signatures:
        return edits[0]  # the tempo or key alone: its own label
    also = [name for name, prop in (("tempo", "tempos"), ("key", "key_signatures"))
            if getattr(current, prop) != getattr(song, prop)]
    meter_text = TimeSignature(0, *full).text
    label = (f"Set a {pickup_text(pickup, full)} pickup before {meter_text}" if pickup else
             f"Remove the pickup ({meter_text} from the first bar)")
    return EditGroup(tuple(edits), label + (f" and the {' and '.join(also)}" if also else ""))


__all__ = ["NO_PICKUP", "opening_meter", "pickup_from_text", "pickup_meter", "pickup_of",
           "pickup_text", "set_opening_time"]
