"""Insert and delete whole bars: the music after moves, on every track and in the song's
tempo, meter and key maps — a score editor's *Insert Measures* and a DAW's *Insert /
Delete Time*. Both build one invertible edit out of the edits of :mod:`.edits`; so does
:func:`copy_bars` (copy and paste of whole bars).

The rules, chosen so that the bars around keep their meaning:

- **Insert** ``count`` bars of the meter in force at ``bar``, before it. Notes starting at
  or after the bar line move later; a note sounding across it is cut there and its rest
  starts again after the new bars (the new bars stay empty, ready to be written or
  generated). Tempo, meter and key changes *at* the bar line stay (they hold for the new
  bars too); later ones move. A track's program changes and controllers, markers and
  chord symbols at or after it move with the music (the new bars have no chord symbol
  of their own: the one before them holds on). A sustain pedal (or sostenuto, hold 2) down and a
  pitch bend in force at the bar line are released and reset there and set again after
  the new bars: the note cut there must not ring on through them, nor new notes written
  in them sound held or bent.
  Before a pickup (bar 0), as a sequencer inserts time before an upbeat: ``count``
  full bars of the first full bar's meter, the pickup's notes on the last beats of the
  last of them (a 1/4 pickup before 4/4: three beats of rest, then the upbeat on beat 4
  of the new bar 1). The song then opens with full bars, no pickup, and every later bar
  is numbered ``count`` higher (the old bar 1 is bar 2): two bars of the pickup's own
  short meter would have read as a short bar 1 and renumbered every bar by two.
- **Delete** bars ``bar`` .. ``bar + count - 1``: their notes go, a note sounding into
  them from before is shortened by the bars removed (so it still ends where its music
  ends), a note sounding out of them keeps the part after them. Tempo, meter and key
  changes, chord symbols and markers inside them go (but a marker on the first deleted
  bar's line stays there, naming the music that now follows it, unless the next bar line
  has its own; and the chord in force after them is written there); what
  is in force after the deleted bars (tempo, meter, key, a track's program and controller
  values) holds from the bar line on, and everything later moves earlier. Deleting the
  song's last bars leaves nothing after them to hold for: the tempo, meter and key
  changes, markers and program changes inside them go with them (an "84 BPM from bar 13"
  restated at the end of a 12-bar song would be a change no music plays). A controller or
  pitch bend left as the deleted bars left it is restated at the bar line, though: a
  sustain pedal pressed before them and released inside, or a bend back to 0 there, would
  otherwise stay down or bent for good (and for bars added later).
- **Copy** (:func:`bar_copy`) bar by bar onto the bar lines where the copy lands, the
  copied tracks' notes, rests and controllers replacing theirs there; a copy of every
  track copies the bars' chord symbols too (a verse repeated with its changes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from .controller_state import released_in_gap, restated, span_replaced, state_before
from .edits import (
    ChangeNotes,
    Edit,
    EditGroup,
    SetSongProps,
    SetTrackProps,
    plural,
    relocked_markers,
    with_tempo_chosen,
)
from .song import ChordSymbol, ControlEvent, Marker, Note, Song, Track, new_note_id
from .timing import TimeMap

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class BarShift:
    """Where ticks go when bars are inserted (``inserted`` ticks at ``at``) or deleted
    (``[at, until)``): for what lies beside the music and moves with it — the studio's
    mask and loop range."""

    at: int
    until: int  # == at when inserting
    inserted: int = 0

    def tick(self, t: int) -> int:
        if self.inserted:
            return t + self.inserted if t >= self.at else t
        return t - (self.until - self.at) if t >= self.until else min(t, self.at)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` moved: a span ending where bars are inserted stays before
        them; one inside deleted bars is gone (None)."""
        first = self.tick(start)
        last = self.tick(end - 1) + 1 if self.inserted else self.tick(end)
        return (first, last) if last > first else None


def bar_shift(song: Song, bar: int, count: int, inserting: bool) -> BarShift:
    """How :func:`insert_bars` (``inserting``) or :func:`delete_bars` with the same
    arguments moves ticks. ``ValueError`` names what does not fit."""
    tm = TimeMap.of(song)
    last = tm.whole_bars(song.end)
    if count < 1:
        raise ValueError(f"bars to {'insert' if inserting else 'delete'} must be 1 or more "
                         f"(got {count})")
    if inserting:
        if not 0 <= bar <= last:
            raise ValueError(f"bar {tm.bar_number(bar)} is outside the song "
                             f"({tm.bar_numbers_text(last + 1)})")
        at = tm.bar_to_tick(bar)
        if bar == 0 and tm.has_pickup:  # full bars, the pickup ending the last of them
            full = tm.bar_length_for(tm.signature_at(tm.bar_to_tick(1)))
            return BarShift(0, 0, count * full - tm.bar_to_tick(1))
        return BarShift(at, at, count * tm.bar_length_for(tm.signature_at(at)))
    if last == 0:
        raise ValueError("the song has no bars to delete")
    if not 0 <= bar < last:
        raise ValueError(f"bar {tm.bar_number(bar)} is outside the song "
                         f"({tm.bar_numbers_text(last)})")
    return BarShift(tm.bar_to_tick(bar), tm.bar_to_tick(bar + min(count, last - bar)))


def insert_bars(song: Song, bar: int, count: int = 1) -> Edit:
    """``count`` empty bars before 0-based ``bar`` (the bar after the song's last one
    appends them). ``ValueError`` names what does not fit."""
    shift = bar_shift(song, bar, count, inserting=True)
    at, span, later = shift.at, shift.inserted, shift.tick

    edits: list[Edit] = []
    for track in song.tracks:
        removed, added = [], []
        for n in track.notes:
            if n.start >= at:
                removed.append(n)
                added.append(replace(n, start=n.start + span))
            elif n.end > at:  # sounding across the bar line: cut, the rest after the gap
                removed.append(n)
                added.append(replace(n, duration=at - n.start, fermata=False))
                added.append(replace(n, start=at + span, duration=n.end - at, id=new_note_id(),
                                     lyric=None, articulations=frozenset(), slurs=()))
        _track_edits(edits, track, removed, added, lambda events: _moved(events, later),
                     lambda controls: released_in_gap(_moved(controls, later), at, span,
                                                      follows=at < song.end))
    meters = song.time_signatures
    pickup = bar == 0 and TimeMap.of(song).has_pickup
    if pickup:  # the first full bar's meter from the start: no short bar is left
        meters = (replace(meters[1], tick=0), *meters[2:])
    changes = {
        "tempos": _moved(song.tempos, lambda t: t + span if t > at else t),
        "time_signatures": _moved(meters, lambda t: t + span if t > at else t),
        "key_signatures": _moved(song.key_signatures, lambda t: t + span if t > at else t),
        # A marker locked to its time keeps it: not moved with the music (_song_edit).
        "markers": _markers_moved(song.markers, later),
        # Chord symbols move with the bars they are written over; the new bars have none
        # written (the chord before them holds on into them, as a lead sheet reads).
        "chords": _moved(song.chords, later),
        "length": _inserted_length(song, at, span),
    }
    if pickup:
        label = (f"Insert {plural(count, 'bar')} before the pickup (its notes end bar "
                 f"{count} now)")
    else:
        label = f"Insert {plural(count, 'bar')} at bar {TimeMap.of(song).bar_number(bar)}"
    _song_edit(edits, song, changes, label)
    return EditGroup(tuple(edits), label)


def delete_bars(song: Song, bar: int, count: int = 1) -> Edit:
    """Remove 0-based bars ``bar`` .. ``bar + count - 1`` and close the gap.
    ``ValueError`` names what does not fit."""
    shift = bar_shift(song, bar, count, inserting=False)
    tm = TimeMap.of(song)
    t0, t1 = shift.at, shift.until
    count = tm.tick_to_bar(t1 - 1) + 1 - bar
    follows = song.end > t1  # music (or a set length) after the deleted bars

    def closed(t: int) -> int:  # nothing after for an event of the deleted bars to hold for
        return _GONE if not follows and t0 <= t < t1 else shift.tick(t)

    edits: list[Edit] = []
    for track in song.tracks:
        removed, added = [], []
        for n in track.notes:
            if n.end <= t0 and n.start < t0:
                continue
            if n.start < t0:  # sounds into the deleted bars: shortened by them
                removed.append(n)
                kept = (t0 - n.start) + max(0, n.end - t1)
                added.append(replace(n, duration=kept))
            elif n.start < t1:  # inside: gone, but for any part after the deleted bars
                removed.append(n)
                if n.end > t1:
                    added.append(replace(n, start=t0, duration=n.end - t1))
            else:
                removed.append(n)
                added.append(replace(n, start=closed(n.start)))
        _track_edits(edits, track, removed, added, lambda events: _moved(events, closed),
                     None if follows else lambda c: _released_controls(c, t0, t1, closed))
    changes = {
        "tempos": _closed_map(song.tempos, t0, t1, lambda e: e.us_per_beat, follows=follows),
        "time_signatures": _closed_map(song.time_signatures, t0, t1,
                                       lambda e: e.meter,
                                       tm.bar_length_for, follows=follows),
        "key_signatures": _closed_map(song.key_signatures, t0, t1, lambda e: e.key,
                                      follows=follows),
        # A chord holds until the next, as a key does: the one in force after the cut is
        # written at the bar line, unless it is the one already sounding.
        "chords": _closed_map(song.chords, t0, t1, lambda e: e.text, follows=follows),
    }
    # A deleted bar's markers go too, but one on the first's bar line names the section
    # that starts there, and its music still starts there ("Chorus" at bar 13, bar 13
    # deleted: the chorus's bar 2 is now bar 13) — unless a marker after the cut takes the
    # bar line (the whole section went), or nothing follows (it would mark the end).
    stays = follows and not any(m.tick == t1 for m in song.markers)
    # A marker locked to its time is the picture's, not the bars': it stays at its time.
    kept = [m for m in song.markers
            if m.locked or not t0 <= m.tick < t1 or (m.tick == t0 and stays)]
    changes["markers"] = _markers_moved(kept, closed)
    changes["length"] = (t0 + max(0, song.length - t1)) if song.length > t0 else song.length
    first, last = tm.bar_number(bar), tm.bar_number(bar + count - 1)
    label = f"Delete bar {first}" if count == 1 else f"Delete bars {first}–{last}"
    _song_edit(edits, song, changes, label)
    return EditGroup(tuple(edits), label)


@dataclass(frozen=True, slots=True)
class BarCopy:
    """What :func:`bar_copy` does: the edit, and what did not fit where a bar copied onto
    is shorter than the bar copied (3/4 bars taking 4/4 ones: a note cut at the bar line
    or left out), one line a bar, for the user."""

    edit: Edit
    warnings: tuple[str, ...] = ()


def copy_bars(song: Song, first: int, last: int, to: int,
              track_ids: Sequence[int] | None = None) -> Edit:
    """:func:`bar_copy`'s edit."""
    return bar_copy(song, first, last, to, track_ids).edit


def bar_copy(song: Song, first: int, last: int, to: int,
             track_ids: Sequence[int] | None = None) -> BarCopy:
    """0-based bars ``first`` .. ``last`` (of ``track_ids``, else every track) copied to
    bar ``to`` — a score editor's copy and paste of measures. The copy is of the bars,
    rests included: in each track copied, it replaces what the track had where it lands
    (a note starting there is removed, one sounding into it ends where it begins: a
    pasted part never doubles or overlaps what was there; a track resting in the copied
    bars leaves those bars empty), a note held past the copied bars is cut at their end,
    and the song grows to hold the copy.

    Bar by bar, onto the bar lines there: each bar's notes from the start of the bar it
    is copied onto, whatever the meters (4/4 bars copied onto 3/4 ones stay on the
    downbeats); a note that the bar there is too short for is cut at its end or left
    out, and :attr:`BarCopy.warnings` names it. A pickup copied lands at the end of bar
    ``to``, the bar after it on ``to + 1``.

    A track's controllers and pitch bend in the copied bars are copied with its notes
    (the pedal, bends, volume and expression: the music as it was played), the values
    in force where the copied bars begin are set where the copy begins (the pedal down
    there, a bend in force), and those the track had after the copy are set again at
    its end. Tempo, meter and key are not copied; chord symbols are when every track is
    (they are the bars', not a track's), replacing those where the copy lands.
    ``ValueError`` names what does not fit."""
    tm = TimeMap.of(song)
    bars = max(1, tm.whole_bars(song.end))
    number = tm.bar_number
    span = (f"bar {number(first)}" if first == last
            else f"bars {number(first)}–{number(last)}")
    if not 0 <= first <= last < bars:
        verb = "is not" if first == last else "are not all"
        raise ValueError(f"{span} {verb} in the song ({tm.bar_numbers_text(bars)})")
    if not 0 <= to <= bars:
        raise ValueError(f"bar {number(to)} is after the song's end "
                         f"({tm.bar_numbers_text(bars)}; bar {number(bars)} appends)")
    pairs = [_BarPair.of(tm, first + k, to + k) for k in range(last - first + 1)]
    t1 = pairs[-1].s1
    lo, hi = pairs[0].lo, pairs[-1].d1  # where the copy lands
    wanted = None if track_ids is None else set(track_ids)
    edits: list[Edit] = []
    copied = 0
    misfits: dict[int, list[str]] = {}  # a bar copied onto (index in pairs): what did not fit
    for track in song.tracks:
        if wanted is not None and track.id not in wanted:
            continue
        notes = []
        for n in track.notes:
            if not pairs[0].s0 <= n.start < t1:
                continue
            k = next(k for k, p in enumerate(pairs) if n.start < p.s1)
            pair, end = pairs[k], min(n.end, t1)
            start = n.start + pair.shift
            if not pair.lo <= start < pair.d1:
                misfits.setdefault(k, []).append(_note_text(song, tm, track, n, "left out"))
                continue
            e = next(p for p in pairs if end <= p.s1)  # the bar the note ends in
            stop = min(end + e.shift, e.d1)
            if stop < end + e.shift and n.end <= t1:  # (one held on ends with the copy)
                misfits.setdefault(pairs.index(e), []).append(
                    _note_text(song, tm, track, n, "cut at the bar line"))
            notes.append(replace(n, start=start, duration=stop - start, id=new_note_id()))
        removed, kept = [], []
        for n in track.notes:
            if lo <= n.start < hi:
                removed.append(n)
            elif n.start < lo < n.end:  # sounds into the copy: ends where it begins
                removed.append(n)
                kept.append(replace(n, duration=lo - n.start))
        if removed or notes:
            edits.append(ChangeNotes(track.id, tuple(removed), tuple(kept + notes),
                                     "Copy notes"))
        controls = _copied_controls(track, pairs, lo, hi)
        if controls != track.controls:
            edits.append(SetTrackProps(track.id, (("controls", track.controls),),
                                       (("controls", controls),), "Copy controllers"))
        copied += len(notes)
    label = f"Copy {span} to bar {number(to)}"
    changes: dict[str, Any] = {}
    if hi > song.end:  # rests at the end of the copied bars are bars too
        changes["length"] = hi
    if wanted is None:
        changes["chords"] = _copied_chords(song, pairs, lo, hi)
    _song_edit(edits, song, changes, label)
    if not copied:
        raise ValueError(f"{span} hold no notes to copy")
    warnings = tuple(_misfit_text(tm, pairs[k], names) for k, names in sorted(misfits.items()))
    return BarCopy(EditGroup(tuple(edits), f"{label} ({plural(copied, 'note')})"), warnings)


@dataclass(frozen=True, slots=True)
class _BarPair:
    """A bar copied (``[s0, s1)``) and the bar it is copied onto (``[d0, d1)``): its
    ticks land ``shift`` later, from ``lo`` on (a pickup's notes at the end of the bar)."""

    s0: int
    s1: int
    d0: int
    d1: int
    shift: int
    source: int  # the bars, 0-based
    target: int

    @classmethod
    def of(cls, tm: TimeMap, source: int, target: int) -> _BarPair:
        s0, d0 = tm.bar_to_tick(source), tm.bar_to_tick(target)
        shift = (d0 - tm.pickup_shift(target)) - (s0 - tm.pickup_shift(source))
        return cls(s0, tm.bar_to_tick(source + 1), d0, tm.bar_to_tick(target + 1), shift,
                   source, target)

    @property
    def lo(self) -> int:
        return max(self.d0, self.s0 + self.shift)


def _copied_controls(track: Track, pairs: Sequence[_BarPair], lo: int,
                     hi: int) -> tuple[ControlEvent, ...]:
    """``track``'s controls with those of the copied bars put where the copy lands
    (:func:`~.controller_state.span_replaced`). What a bar copied onto is too short for
    is set at its end instead (a pedal released on the copied bar's last beat is released
    before the next bar's music), or, in the last bar, by what the track had after."""
    copied: list[ControlEvent] = []
    ordered = sorted(track.controls, key=lambda c: c.tick)
    for i, pair in enumerate(pairs):
        spilled: dict[tuple[str, int], int] = {}
        for c in ordered:
            if not pair.s0 <= c.tick < pair.s1:
                continue
            tick = c.tick + pair.shift
            if pair.lo <= tick < pair.d1:
                copied.append(c if tick == c.tick else replace(c, tick=tick))
            elif tick >= pair.d1 and c.kind in ("control_change", "pitchwheel"):
                spilled[(c.kind, c.number)] = c.value
        if i + 1 < len(pairs):
            copied += [ControlEvent(pair.d1, kind, number, value)
                       for (kind, number), value in spilled.items()]
    start = state_before(track.controls, lo - pairs[0].shift)
    return span_replaced(track.controls, lo, hi, copied, start)


def _copied_chords(song: Song, pairs: Sequence[_BarPair], lo: int,
                   hi: int) -> tuple[ChordSymbol, ...]:
    """The song's chord symbols with those in ``[lo, hi)`` replaced by the copied bars',
    each bar's onto the bar it is copied onto (one past its end left out). The chord in
    force where the copied bars begin is written where the copy begins, and the one the
    song had after the copy at its end, as a lead sheet's repeat would need them."""
    def in_force(t: int) -> ChordSymbol | None:
        return next((c for c in reversed(song.chords) if c.tick <= t), None)

    copied = [replace(c, tick=c.tick + pair.shift) for pair in pairs for c in song.chords
              if pair.s0 <= c.tick < pair.s1 and pair.lo <= c.tick + pair.shift < pair.d1]
    start, after = in_force(pairs[0].s0), in_force(hi)
    if start is not None and not any(c.tick == lo for c in copied):
        copied.insert(0, ChordSymbol(lo, start.text))
    if after is not None and after.tick < hi < song.end:  # (one at hi stays as it is)
        copied.append(ChordSymbol(hi, after.text))
    kept = [c for c in song.chords if not lo <= c.tick < hi]
    merged = sorted(kept + copied, key=lambda c: c.tick)
    # a chord restated as the one already sounding says nothing, but where the copy
    # begins: a repeated section starts with its chord, as a lead sheet's verse 2 does
    return tuple(c for i, c in enumerate(merged)
                 if i == 0 or c.text != merged[i - 1].text or c in kept or c.tick == lo)


_MISFITS_NAMED = 4


def _note_text(song: Song, tm: TimeMap, track: Track, n: Note, what: str) -> str:
    """"Strings' D5 at 16.4 cut at the bar line", "Piano's C4 at 16.4 left out": a note
    of the copied bars, where it is in them."""
    from .instruments import drum_name
    from .spelling import pitch_name, spelled_name

    name = ((drum_name(n.pitch, short=True) if track.is_drum else None)
            or (spelled_name(n.pitch, n.spelling) if n.spelling
                else pitch_name(n.pitch, song.key_at(n.start))))
    p = tm.tick_to_position(n.start)
    where = f"{tm.bar_number(p.bar)}.{p.beat + 1}" + (f".{p.tick:03d}" if p.tick else "")
    owner = f"{track.name}'" if track.name.endswith("s") else f"{track.name}'s"
    return f"{owner} {name} at {where} {what}"


def _misfit_text(tm: TimeMap, pair: _BarPair, names: list[str]) -> str:
    """"bar 24 (3/4) is shorter than bar 16 (4/4), copied onto it: …" with the notes."""
    more = len(names) - _MISFITS_NAMED
    listed = ", ".join(names[:_MISFITS_NAMED]) + (f" and {more} more" if more > 0 else "")
    return (f"bar {tm.bar_number(pair.target)} ({tm.signature_at(pair.d0).text}) is "
            f"shorter than bar {tm.bar_number(pair.source)} "
            f"({tm.signature_at(pair.s0).text}), copied onto it: {listed}")


# -- helpers -----------------------------------------------------------------------------------


def _inserted_length(song: Song, at: int, span: int) -> int:
    """A set length grows with the new bars; bars added after the music need one (no
    note holds them open); otherwise the moved notes make the song longer themselves."""
    if song.length > at:
        return song.length + span
    if at >= song.end:
        return at + span
    return song.length


_GONE = -1  # where :func:`_moved` sends an event that goes (dropped)


def _moved(events: Sequence[E], tick: Callable[[int], int]) -> tuple[E, ...]:
    """Timed events (each with a ``tick``) moved by ``tick()``, order kept; one it sends
    to :data:`_GONE` is dropped."""
    return tuple(e if tick(e.tick) == e.tick else replace(e, tick=tick(e.tick))
                 for e in events if tick(e.tick) != _GONE)


def _markers_moved(markers: Sequence[Marker], tick: Callable[[int], int]) -> tuple:
    """The markers moved with the music by ``tick()`` (:func:`_moved`), but for those
    locked to their time: they keep their ticks (the time there is the same unless the
    tempo map changes, and then :func:`relocked_markers` moves them), in tick order."""
    moved = [m if m.locked else replace(m, tick=tick(m.tick)) for m in markers
             if m.locked or tick(m.tick) != _GONE]
    return tuple(sorted(moved, key=lambda m: m.tick))


def _closed_map(events: Sequence[Any], t0: int, t1: int, value: Callable[[Any], Any],
                bar_length: Callable[[Any], int] | None = None, *,
                follows: bool = True) -> tuple:
    """A tempo/meter/key map with ``[t0, t1)`` cut out: what was in force at ``t1`` holds
    from ``t0`` (unless it is what held before ``t0`` anyway, or nothing ``follows`` the
    cut for it to hold for), later events move earlier.
    For meters (``bar_length`` given) the same meter is restated at ``t0`` unless ``t0``
    is on the bar lines it already draws: a meter event starts a bar, so dropping one
    off that grid would move every bar line before the cut."""
    before = [e for e in events if e.tick < t0]
    at_t1 = [e for e in events if e.tick <= t1]
    after = [replace(e, tick=e.tick - (t1 - t0)) for e in events if e.tick > t1]
    out = list(before)
    if at_t1 and (follows or not before):  # a song keeps a first tempo, meter and key
        holding = at_t1[-1]
        redundant = bool(before) and value(before[-1]) == value(holding)
        if redundant and bar_length is not None:
            redundant = (t0 - before[-1].tick) % bar_length(before[-1]) == 0
        if not redundant:
            out.append(replace(holding, tick=t0))
    return tuple(out + after)


def _released_controls(controls: Sequence[ControlEvent], t0: int, t1: int,
                       closed: Callable[[int], int]) -> tuple[ControlEvent, ...]:
    """A track's controls when the song's last bars ``[t0, t1)`` are deleted: those inside
    go (``closed``), but each controller and the pitch bend that they leave other than it
    was at ``t0`` is restated there at the value they leave it at — a pedal pressed before
    the cut and released inside it is released at the new end, not held down for good. A
    controller that nothing set before the cut (and whose reset value is not known) is
    left unset."""
    leaving = state_before([c for c in controls if t0 <= c.tick < t1], t1)
    again = restated(t0, leaving, state_before(controls, t0), leaving)
    moved = _moved(controls, closed)
    at = next((i for i, c in enumerate(moved) if c.tick >= t0), len(moved))
    return (*moved[:at], *again, *moved[at:])


def _track_edits(edits: list[Edit], track: Track, removed: list[Note], added: list[Note],
                 move: Callable[[Sequence[Any]], tuple],
                 move_controls: Callable[[Sequence[Any]], tuple] | None = None) -> None:
    if removed or added:
        edits.append(ChangeNotes(track.id, tuple(removed), tuple(added), "Move notes"))
    changes = {"program_changes": move(track.program_changes),
               "controls": (move_controls or move)(track.controls)}
    changes = {k: v for k, v in changes.items() if v != getattr(track, k)}
    if changes:
        edits.append(SetTrackProps(track.id, tuple((k, getattr(track, k)) for k in changes),
                                   tuple(changes.items()), "Move events"))


def _song_edit(edits: list[Edit], song: Song, changes: dict[str, Any], label: str) -> None:
    changes = {k: v for k, v in with_tempo_chosen(song, relocked_markers(song, changes)).items()
               if v != getattr(song, k)}
    if changes:
        edits.append(SetSongProps(tuple((k, getattr(song, k)) for k in changes),
                                  tuple(changes.items()), label))
