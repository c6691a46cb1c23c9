"""Edits of a song's chord symbols, each one undo step with a label that says what it
did ("Set chord Bb7 at 5.1", "Delete chord Bb7 at 5.1", "Chords for bars 1–12"): the
song's ``chords`` before and after (:class:`~.edits.SetSongProps`), so undo puts back
exactly what was there."""

from __future__ import annotations

from dataclasses import replace

from .chord_symbols import chord_symbol_problem
from .edits import EditError, SetSongProps, set_song_props
from .lead_sheet import lead_sheet_chords, length_holding, lengthened_note, with_lead_sheet
from .song import ChordSymbol, Song
from .timing import TimeMap


def chord_place(tm: TimeMap, tick: int) -> str:
    """Where a chord is, as a musician says it: ``"5.1"`` on a beat (bar 5, beat 1),
    ``"5.2.240"`` between beats (bars numbered as the ruler: a pickup is bar 0)."""
    p = tm.tick_to_position(tick)
    return f"{tm.bar_number(p.bar)}.{p.beat + 1}" if p.tick == 0 else tm.format_position(tick)


def chord_at(song: Song, tick: int) -> ChordSymbol | None:
    """The chord symbol written at ``tick`` (the last, if a file has several there)."""
    return next((c for c in reversed(song.chords) if c.tick == tick), None)


def set_chord(song: Song, tick: int, text: str) -> SetSongProps | None:
    """The chord symbol ``text`` at ``tick``, in place of the one there; an empty text
    deletes the one there (:func:`delete_chord`). One past the song's end lengthens the
    song to the end of its bar, in the same step, and says so. None when nothing changes. Raises
    EditError saying why for a text that is no chord symbol ("H7": H is German for B)."""
    text = text.strip()
    if not text:
        return delete_chord(song, tick)
    problem = chord_symbol_problem(text)
    if problem is not None:
        raise EditError(problem)
    here = [c for c in song.chords if c.tick == tick]
    if [c.text for c in here] == [text]:
        return None
    kept = [c for c in song.chords if c.tick != tick]
    chords = tuple(sorted([*kept, ChordSymbol(tick, text)], key=lambda c: c.tick))
    tm = TimeMap.of(song)
    place = chord_place(tm, tick)
    verb = f"Change chord {here[-1].text} to" if here else "Set chord"
    # A chord past the end lengthens the song to the end of its bar, in the same step.
    length = length_holding(song, tm.bar_to_tick(tm.tick_to_bar(tick) + 1), [tick])
    label = _said(f"{verb} {text} at {place}", song, length, "it")
    return set_song_props(song, label, chords=chords,
                          **({"length": length} if length != song.length else {}))


def delete_chord(song: Song, tick: int) -> SetSongProps | None:
    """Remove the chord symbol at ``tick`` (the chord before then holds on); None when
    there is none."""
    here = chord_at(song, tick)
    if here is None:
        return None
    chords = tuple(c for c in song.chords if c.tick != tick)
    place = chord_place(TimeMap.of(song), tick)
    return set_song_props(song, f"Delete chord {here.text} at {place}", chords=chords)


def set_lead_sheet(song: Song, text: str, from_bar: int = 0) -> SetSongProps | None:
    """The chords of the lead-sheet ``text`` (:mod:`.lead_sheet`'s bar syntax, as
    ``partita convert --chords`` reads it) from 0-based bar ``from_bar``, in place of the
    chords those bars had: "Chords for bars 1–12". Bars past the song's end lengthen it
    to hold them, in the same step, and the label says so ("…; the song is lengthened to
    21 bars to hold the chords"). None when they are as they were.
    Raises EditError naming the symbols that are no chords."""
    try:
        _chords, (start, end) = lead_sheet_chords(song, text, from_bar)
        after = with_lead_sheet(song, text, from_bar)
    except ValueError as e:
        raise EditError(str(e)) from e
    if after.chords == song.chords and after.length == song.length:
        return None
    tm = TimeMap.of(song)
    first, last = tm.bar_number(tm.tick_to_bar(start)), tm.bar_number(tm.tick_to_bar(end - 1))
    bars = f"bar {first}" if first == last else f"bars {first}–{last}"
    label = _said(f"Chords for {bars}", song, after.length, "the chords")
    return set_song_props(song, label, chords=after.chords,
                          **({"length": after.length} if after.length != song.length else {}))


def _said(label: str, song: Song, length: int, what: str) -> str:
    """``label``, and that the song is lengthened to ``length`` to hold ``what``, if so:
    "Chords for bars 20–21; the song is lengthened to 21 bars to hold the chords"."""
    note = lengthened_note(song, replace(song, length=length), what)
    return f"{label}; {note}" if note else label
