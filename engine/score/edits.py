"""Small invertible edits: the one mechanism behind undo/redo and applying takes.

Every edit is an immutable value with ``apply(song) -> Song``, ``inverse() -> Edit`` and a
``label`` for menus ("Undo Move 3 notes"). ``edit.inverse().apply(edit.apply(song)) ==
song`` holds for every edit, ids included. Applying an edit to a song it does not fit
(a note that is no longer there, a track that was deleted) raises :class:`EditError`
instead of silently doing something else.

Helpers at the bottom build common edits (move, resize, transpose, quantize, quantize with
swing, legato, split, join, replace the notes inside a mask).
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol, runtime_checkable

from engine.errors import PartitaError

from .articulations import joined_slurs
from .overlaps import write_over
from .positions import position_text
from .region import Mask
from .song import (
    BPM_RANGE,
    DEFAULT_TEMPO_US,
    MAX_DENOMINATOR,
    MAX_NUMERATOR,
    ControlEvent,
    KeySignature,
    Marker,
    Meter,
    Note,
    Song,
    TempoChange,
    TimeSignature,
    Track,
    new_note_id,
)
from .spelling import kept_spelling, spelling_of, transpose_key
from .timing import TimeMap


class EditError(PartitaError, ValueError):
    """An edit does not fit the song it is applied to."""


@runtime_checkable
class Edit(Protocol):
    """An invertible change of a song: ``inverse().apply(apply(song))`` gives it back."""

    @property
    def label(self) -> str: ...  # read-only: the frozen edits' field satisfies it

    def apply(self, song: Song) -> Song: ...

    def inverse(self) -> Edit: ...


def plural(n: int, word: str, grouped: bool = False) -> str:
    """``"1 note"``, ``"2 notes"``: a count and its noun (for labels and messages);
    ``grouped``: the thousands separated (``"12,345 notes"``)."""
    count = f"{n:,}" if grouped else str(n)
    return f"{count} {word}" if n == 1 else f"{count} {word}s"


def listed(items: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"Alto, Tenor and Bass"``: words in a sentence's list."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def counted(n: int, noun: str, verb: str) -> str:
    """``"1 take waits"``, ``"2 takes wait"``: a count, its noun and a verb that agrees."""
    return f"{plural(n, noun)} {verb}s" if n == 1 else f"{plural(n, noun)} {verb}"


@dataclass(frozen=True, slots=True)
class ChangeNotes:
    """Remove some notes of one track and add others (add, delete, move, resize, ...)."""

    track_id: int
    removed: tuple[Note, ...] = ()
    added: tuple[Note, ...] = ()
    label: str = "Edit notes"

    def apply(self, song: Song) -> Song:
        try:
            track = song.track(self.track_id)
        except KeyError as e:
            raise EditError(f"{self.label}: the track is gone") from e
        gone = {n.id: n for n in self.removed}
        kept = []
        for n in track.notes:
            if n.id in gone:
                if n != gone.pop(n.id):
                    raise EditError(f"{self.label}: note {n.id} changed since the edit was made")
            else:
                kept.append(n)
        if gone:
            raise EditError(f"{self.label}: {plural(len(gone), 'note')} to remove not found")
        present = {n.id for n in kept}
        clash = [n.id for n in self.added if n.id in present]
        if clash:
            raise EditError(f"{self.label}: note ids {clash[:3]} already exist")
        return song.replace_track(track.with_notes([*kept, *self.added]))

    def inverse(self) -> ChangeNotes:
        return ChangeNotes(self.track_id, self.added, self.removed, self.label)


@dataclass(frozen=True, slots=True)
class InsertTrack:
    track: Track
    index: int
    label: str = "Add track"

    def apply(self, song: Song) -> Song:
        if any(t.id == self.track.id for t in song.tracks):
            raise EditError(f"{self.label}: track {self.track.name!r} is already in the song")
        if not 0 <= self.index <= len(song.tracks):
            raise EditError(f"{self.label}: position {self.index} is out of range")
        tracks = list(song.tracks)
        tracks.insert(self.index, self.track)
        return song.with_tracks(tracks)

    def inverse(self) -> DeleteTrack:
        return DeleteTrack(self.track, self.index, self.label)


@dataclass(frozen=True, slots=True)
class DeleteTrack:
    track: Track
    index: int
    label: str = "Delete track"

    def apply(self, song: Song) -> Song:
        if self.index >= len(song.tracks) or song.tracks[self.index] != self.track or (
            song.tracks[self.index].id != self.track.id
        ):
            raise EditError(f"{self.label}: track {self.track.name!r} changed or moved")
        return song.with_tracks(t for i, t in enumerate(song.tracks) if i != self.index)

    def inverse(self) -> InsertTrack:
        return InsertTrack(self.track, self.index, self.label)


@dataclass(frozen=True, slots=True)
class MoveTrack:
    from_index: int
    to_index: int
    label: str = "Move track"

    def apply(self, song: Song) -> Song:
        n = len(song.tracks)
        if not (0 <= self.from_index < n and 0 <= self.to_index < n):
            raise EditError(f"{self.label}: position out of range")
        tracks = list(song.tracks)
        tracks.insert(self.to_index, tracks.pop(self.from_index))
        return song.with_tracks(tracks)

    def inverse(self) -> MoveTrack:
        return MoveTrack(self.to_index, self.from_index, self.label)


_TRACK_PROPS = {f.name for f in fields(Track) if f.init} - {"notes", "id"}
_SONG_PROPS = {f.name for f in fields(Song)} - {"tracks", "ppq"}


@dataclass(frozen=True, slots=True)
class SetTrackProps:
    """Change track properties (name, program, colour, mute, volume, ...), not notes."""

    track_id: int
    before: tuple[tuple[str, Any], ...]
    after: tuple[tuple[str, Any], ...]
    label: str = "Change track"

    def apply(self, song: Song) -> Song:
        try:
            track = song.track(self.track_id)
        except KeyError as e:
            raise EditError(f"{self.label}: the track is gone") from e
        for name, value in self.before:
            if getattr(track, name) != value:
                raise EditError(f"{self.label}: {name} changed since the edit was made")
        return song.replace_track(replace(track, **dict(self.after)))

    def inverse(self) -> SetTrackProps:
        return SetTrackProps(self.track_id, self.after, self.before, self.label)


@dataclass(frozen=True, slots=True)
class SetSongProps:
    """Change song-wide properties: tempo map, meter map, keys, markers, title, length."""

    before: tuple[tuple[str, Any], ...]
    after: tuple[tuple[str, Any], ...]
    label: str = "Change song"

    def apply(self, song: Song) -> Song:
        for name, value in self.before:
            if getattr(song, name) != value:
                raise EditError(f"{self.label}: {name} changed since the edit was made")
        return replace(song, **dict(self.after))

    def inverse(self) -> SetSongProps:
        return SetSongProps(self.after, self.before, self.label)


@dataclass(frozen=True, slots=True)
class ReplaceSong:
    """The whole song for another: one undo step between two versions that no finer
    edit connects (the file as last saved, and the work a crashed session left)."""

    before: Song
    after: Song
    label: str = "Replace song"

    def apply(self, song: Song) -> Song:
        if song is not self.before and song != self.before:
            raise EditError(f"{self.label}: the song changed since the edit was made")
        return self.after

    def inverse(self) -> ReplaceSong:
        return ReplaceSong(self.after, self.before, self.label)


@dataclass(frozen=True, slots=True)
class EditGroup:
    """Several edits applied as one undo step."""

    edits: tuple[Edit, ...]
    label: str = "Edit"

    def apply(self, song: Song) -> Song:
        for e in self.edits:
            song = e.apply(song)
        return song

    def inverse(self) -> EditGroup:
        return EditGroup(tuple(e.inverse() for e in reversed(self.edits)), self.label)


# -- builders -------------------------------------------------------------------------------
# Notes are rebuilt with ``Note(...)``, not ``dataclasses.replace``: a third of the cost,
# and transposing a 20,000-note song is one keypress.


def set_track_props(song: Song, track_id: int, label: str = "", **changes: Any) -> SetTrackProps:
    unknown = set(changes) - _TRACK_PROPS
    if unknown:
        raise ValueError(f"unknown track properties: {sorted(unknown)}")
    if isinstance(changes.get("name"), str):
        # NFC, as most systems type text: a name typed on macOS comes decomposed (NFD,
        # "Flöte" as o + a combining diaeresis), another string for the same name.
        changes["name"] = unicodedata.normalize("NFC", changes["name"])
    track = song.track(track_id)
    before = tuple((k, getattr(track, k)) for k in changes)
    return SetTrackProps(
        track_id, before, tuple(changes.items()), label or f"Change {', '.join(changes)}"
    )


def set_song_props(song: Song, label: str = "", **changes: Any) -> SetSongProps:
    unknown = set(changes) - _SONG_PROPS
    if unknown:
        raise ValueError(f"unknown song properties: {sorted(unknown)}")
    changes = with_tempo_chosen(song, relocked_markers(song, changes))
    before = tuple((k, getattr(song, k)) for k in changes)
    return SetSongProps(before, tuple(changes.items()), label or f"Change {', '.join(changes)}")


def with_tempo_chosen(song: Song, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` to ``song`` with its assumed opening tempo (``Song.tempo_assumed``)
    chosen where they change it (a tempo set at bar 1, bars deleted from before a later
    mark): a score written from the song then marks it. Every builder of a tempo edit
    comes through here (:func:`set_song_props`, the bar edits)."""
    if not song.tempo_assumed or "tempo_assumed" in changes or "tempos" not in changes:
        return changes
    first = min(changes["tempos"], key=lambda t: t.tick, default=None)
    opening = first.us_per_beat if first is not None and first.tick == 0 else DEFAULT_TEMPO_US
    if opening == song.tempos[0].us_per_beat:
        return changes
    return {**changes, "tempo_assumed": False}


def relocked_markers(song: Song, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` to ``song`` with its markers locked to time moved to the ticks nearest
    their times under the tempo map the changes make (a "markers" change added where one
    moves): a tempo edit moves the bars under a film's hit point, not the hit point.
    Every builder of a tempo edit comes through here, so its undo step holds the
    markers' moves too. A marker lands on the nearest tick: within half a tick of its
    time (0.5 ms at 120 BPM and 480 PPQ), and its time is kept exactly."""
    tempos = changes.get("tempos", song.tempos)
    markers = changes.get("markers", song.markers)
    if tuple(tempos) == song.tempos or not any(m.locked for m in markers):
        return changes
    after = TimeMap.of(replace(song, tracks=(), tempos=tempos))
    moved = tuple(sorted((replace(m, tick=after.seconds_to_tick(m.seconds))
                          if m.seconds is not None else m for m in markers),
                         key=lambda m: m.tick))
    if moved == tuple(song.markers):
        return {k: v for k, v in changes.items() if k != "markers"}
    return {**changes, "markers": moved}


def markers_pushed_past_music(before: Song, after: Song) -> list[Marker]:
    """The locked markers an edit moved past the last note (a slower tempo pushes a
    film's hit point later): the song now runs on to them (:attr:`Song.end`), past the
    music, so its stems end in silence before the last hit. Said, for the composer to
    lengthen the cue or move the hit."""
    was = {(m.text, m.seconds): m.tick for m in before.markers if m.locked}
    end = after.notes_end
    return [m for m in after.markers
            if m.locked and m.tick > end and was.get((m.text, m.seconds)) != m.tick]


def set_time_from_bar(
    song: Song, bar: int, *, bpm: float | None = None, meter: Meter | None = None,
    key: str | None = None,
) -> SetSongProps | None:
    """Tempo, meter and/or key from 0-based ``bar`` on, as a sequencer sets them (None:
    leave it; ``key=""``: drop the key change at this bar). ``None`` when nothing changes.
    ``meter`` is ``(numerator, denominator)`` or, grouped, ``(7, 8, (3, 2, 2))``; a new
    grouping of the same numerator and denominator is a change of its own.

    Each lands on the bar's first tick and holds until the next change of its kind; one
    equal to what is in force before the bar is dropped, so setting the tempo of the bar
    before removes a tempo change. Notes, tempo and key changes keep their ticks; later
    meter changes keep their bar numbers (a changed bar length moves them), so no bar is
    ever cut short.
    """
    tm = TimeMap.of(song)
    if bar < 0:
        raise ValueError(f"bar {tm.bar_number(bar)} is before the first bar "
                         f"(bar {tm.first_bar_number})")
    at = tm.bar_to_tick(bar)
    changes: dict[str, Any] = {}
    if bpm is not None:
        if not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
            raise ValueError(f"tempo {bpm:g} BPM is outside {BPM_RANGE[0]:g}..{BPM_RANGE[1]:g}")
        changes["tempos"] = _set_at(song.tempos, TempoChange(at, round(60_000_000 / bpm)),
                                    lambda e: e.us_per_beat)
    if meter is not None:
        num, den = meter[:2]
        if not 1 <= num <= MAX_NUMERATOR or den < 1 or den > MAX_DENOMINATOR or den & (den - 1):
            raise ValueError(f"{num}/{den} is not a meter (numerator 1..{MAX_NUMERATOR}, "
                             f"denominator a power of two up to {MAX_DENOMINATOR})")
        changes["time_signatures"] = _meters_from(song, tm, bar, TimeSignature(0, *meter))
    if key:  # an unknown key is refused here (KeySignature), so a song always saves
        changes["key_signatures"] = _set_at(song.key_signatures, KeySignature(at, key),
                                            lambda e: e.key)
    elif key is not None:  # "": no key change at this bar
        changes["key_signatures"] = tuple(e for e in song.key_signatures if e.tick != at)
    changes = {k: v for k, v in changes.items() if v != getattr(song, k)}
    if not changes:
        return None
    names = [{"tempos": "tempo", "time_signatures": "meter", "key_signatures": "key"}[k]
             for k in changes]
    what = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    if "time_signatures" in changes and song.length > 0:
        length = _length_in_bars(song, tm, changes["time_signatures"])
        if length != song.length:
            changes["length"] = length
    # Numbered as the ruler numbers the bar once the edit is made: a short first bar
    # made a pickup renumbers every bar (bar 2 becomes bar 1).
    after = TimeMap(song.ppq, song.tempos, changes.get("time_signatures",
                                                       song.time_signatures))
    return set_song_props(song, f"Set {what} at bar {after.bar_number(bar)}", **changes)


def set_tempo_at(song: Song, tick: int, bpm: float) -> SetSongProps | None:
    """The tempo from ``tick`` on, a bar line or any beat (a ritardando's 78 BPM on beat 3
    of bar 6), until the next change; one equal to the tempo in force before is no change
    (any there is removed). ``None`` when nothing changes; ValueError for a tempo out of
    range. Notes and meters keep their ticks."""
    if not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
        raise ValueError(f"tempo {bpm:g} BPM is outside {BPM_RANGE[0]:g}..{BPM_RANGE[1]:g}")
    if tick < 0:
        raise ValueError("a tempo change is at or after the song's start")
    tempos = _set_at(song.tempos, TempoChange(tick, round(60_000_000 / bpm)),
                     lambda e: e.us_per_beat)
    if tempos == song.tempos:
        return None
    at = position_text(TimeMap.of(song), tick)
    return set_song_props(song, f"Set tempo at {at}", tempos=tempos)


def remove_tempo_change(song: Song, tick: int) -> SetSongProps:
    """The tempo change at ``tick`` removed: the tempo before it holds on. ValueError
    where there is none, or for the song's first tempo (a song always has one: set it)."""
    at = position_text(TimeMap.of(song), tick)
    if not any(t.tick == tick for t in song.tempos):
        raise ValueError(f"there is no tempo change at {at}")
    if not any(t.tick < tick for t in song.tempos):
        raise ValueError("the song's first tempo is not a change: set it instead")
    tempos = tuple(t for t in song.tempos if t.tick != tick)
    return set_song_props(song, f"Remove tempo change at {at}", tempos=tempos)


def _length_in_bars(song: Song, tm: TimeMap, meters: tuple) -> int:
    """A set length under new meters: the music's bars as the new meters count them, then
    as many empty bars as the song had after its music (File ▸ New's 8 bars, bars added
    at the end). 8 empty bars of 4/4 set to 3/4 are 8 bars of 3/4, not 10⅔; a song whose
    music ends in its last bar — nearly every song, its last note a few ticks before the
    bar line — ends with its music under the new meters too (the bar count kept instead
    left silent bars: 3/4 from bar 10 and 4/4 again from bar 11 made the demo's 32 bars
    40, 7 of them silent). Notes that reach the length decide the end: it stays."""
    notes_end = song.notes_end
    if song.length <= notes_end or song.length != tm.whole_bars_end(song.length):
        return song.length
    empty = tm.whole_bars(song.length) - tm.whole_bars(notes_end)
    new = TimeMap(song.ppq, song.tempos, meters)
    return new.bar_to_tick(new.whole_bars(notes_end) + empty)


def _set_at(events: tuple, new: Any, value: Any) -> tuple:
    """``events`` (sorted by tick) with ``new`` at its tick, replacing one there; none
    there when the event in force before says the same."""
    others = [e for e in events if e.tick != new.tick]
    before = [e for e in others if e.tick < new.tick]
    if before and value(before[-1]) == value(new):
        return tuple(others)
    return tuple(sorted([*others, new], key=lambda e: e.tick))


def _meters_from(song: Song, tm: TimeMap, bar: int, new: TimeSignature) -> tuple:
    """The meter map with ``new``'s meter from ``bar``: earlier changes as they were,
    later ones at their bar numbers under the new bar lengths."""
    at = tm.bar_to_tick(bar)
    out = [s for s in song.time_signatures if s.tick < at]
    if not out or out[-1].meter != new.meter:
        out.append(replace(new, tick=at))
    anchor_bar, anchor_tick, holding = bar, at, new
    for s in song.time_signatures:
        b = tm.tick_to_bar(s.tick)
        if s.tick <= at or s.meter == holding.meter:
            continue  # before the bar, replaced by it, or saying what is in force
        anchor_tick += (b - anchor_bar) * tm.bar_length_for(holding)
        anchor_bar, holding = b, s
        out.append(replace(s, tick=anchor_tick))
    return tuple(out)


def add_notes(track_id: int, notes: Iterable[Note], label: str = "") -> ChangeNotes:
    notes = tuple(notes)
    return ChangeNotes(track_id, (), notes, label or f"Add {plural(len(notes), 'note')}")


RECORDED_FLAM_S = 0.03  # a recorded key this soon after a note of its pitch replaces it


def add_notes_replacing(song: Song, track_id: int, notes: Iterable[Note],
                        label: str = "", flam_s: float = 0.0) -> ChangeNotes:
    """Add ``notes`` to a track, each written in turn over what sounds there at its pitch:
    a note of that pitch starting inside it is replaced (a passage entered or recorded
    twice is not doubled: a doubled note plays twice), one held from before ends where it
    starts (a whole note C, then C on beat 3: two halves). Later ``notes`` are written over
    earlier ones the same way (a key recorded in two passes of a loop); other pitches stay.
    Notes of ``notes`` replaced by later ones are not added. The walk is
    :func:`~.overlaps.write_over`, the piano roll's rule too (:func:`~.overlaps.make_room`).

    ``flam_s`` (a recording's: :data:`RECORDED_FLAM_S`): a note of the pitch starting at
    most that long before a new one — or a 32nd note, whichever is shorter at the tempo
    there — is replaced too, not cut to a sliver (pianist QA: C4 recorded over the
    piano's C4 on beat 1, 9 ms late, left a 7-tick C4 before it: a flam, a click)."""
    notes = tuple(notes)
    track = song.track(track_id)
    pitches = {n.pitch for n in notes}
    flam = None
    if flam_s > 0:
        tm = TimeMap.of(song)

        def flam(n: Note) -> int:
            early = n.start - tm.seconds_to_tick(max(0.0, tm.tick_to_seconds(n.start) - flam_s))
            return min(early, song.ppq // 8)

    after = {n.id: n for n in write_over(track.notes, notes, flam)}
    before = {n.id: n for n in track.notes if n.pitch in pitches}
    changed = {i for i, n in before.items() if i not in after or after[i].key() != n.key()}
    removed = tuple(n for i, n in before.items() if i in changed)  # replaced or trimmed
    added = tuple(n for i, n in after.items() if i not in before or i in changed)
    return ChangeNotes(track_id, removed, added, label or f"Add {plural(len(notes), 'note')}")


def remove_notes(track_id: int, notes: Iterable[Note], label: str = "") -> ChangeNotes:
    notes = tuple(notes)
    return ChangeNotes(track_id, notes, (), label or f"Delete {plural(len(notes), 'note')}")


def update_notes(
    track_id: int, before: Sequence[Note], after: Sequence[Note], label: str
) -> ChangeNotes:
    """Replace notes by changed versions of themselves (same ids)."""
    return ChangeNotes(track_id, tuple(before), tuple(after), label)


def move_notes(track_id: int, notes: Sequence[Note], dticks: int, dpitch: int = 0) -> ChangeNotes:
    """Shift notes in time and pitch; clamps to tick 0 and pitch 0..127 as a group."""
    if not notes:
        return ChangeNotes(track_id, label="Move notes")
    dticks = max(dticks, -min(n.start for n in notes))
    dpitch = max(min(dpitch, 127 - max(n.pitch for n in notes)), -min(n.pitch for n in notes))
    moved = tuple(Note(n.pitch + dpitch, n.start + dticks, n.duration, n.velocity, n.id,
                       n.spelling, n.lyric, n.fermata, n.articulations, n.slurs)
                  for n in notes)
    return update_notes(track_id, notes, moved, f"Move {plural(len(notes), 'note')}")


def transpose_notes(track_id: int, notes: Sequence[Note], semitones: int,
                    spell: int = 0) -> ChangeNotes:
    """``notes`` ``semitones`` higher or lower. A note moved off its pitch class loses its
    spelling (``Note.spelling``), and is named by the rule; ``spell`` +1 / −1 spells the
    ones moved onto a black key as sharps / flats instead (step entry's # and −: B then −
    is B♭, kept so in the project and the score)."""
    edit = move_notes(track_id, notes, 0, semitones)
    if spell:
        edit = replace(edit, added=tuple(
            replace(n, spelling=kept_spelling(spelling_of(n.pitch, prefer=spell)))
            for n in edit.added))
    return replace(edit, label=f"Transpose {plural(len(notes), 'note')}")


def transposes_whole_song(song: Song, moved: Mapping[int, int]) -> bool:
    """Whether moving ``moved`` (track id → how many of its notes) by one interval moves
    every note of every pitched track: a transposition of the whole song, as a score
    editor's Transpose of the full score (a drum kit's keys are drums, not pitches: it
    neither counts nor is needed). The studio's ↑/↓ and ``partita tracks --transpose``
    decide by this whether the key signatures move too."""
    pitched = [t for t in song.tracks if not t.is_drum]
    return (sum(moved.get(t.id, 0) for t in pitched) == sum(moved.values())
            and all(moved.get(t.id, 0) == len(t.notes) for t in pitched))


def transpose_key_signatures(song: Song, semitones: int) -> SetSongProps | None:
    """The edit moving every key signature and chord symbol of ``song`` by ``semitones``:
    the keys spelt with the fewer accidentals (:func:`~.spelling.transpose_key`; a
    producer transposed a loop up a tone and the exported MIDI still said C minor), each
    chord's root and slash bass as the new key writes them
    (:func:`~.chord_symbols.transposed_chord_symbol`: a songwriter's whole song down a
    tone said F major over the old G D Em C, and the next bass regenerated followed them
    a tone above the band). ``None`` when the song has neither, or the interval is whole
    octaves (they stay)."""
    from .chord_symbols import transposed_chord_symbol

    if semitones % 12 == 0 or not (song.key_signatures or song.chords):
        return None
    keys = tuple(KeySignature(k.tick, transpose_key(k.key, semitones))
                 for k in song.key_signatures)
    after = dict(zip(song.key_signatures, keys, strict=True))

    def key_after(tick: int) -> str | None:
        return next((after[k].key for k in reversed(song.key_signatures) if k.tick <= tick),
                    None)

    chords = tuple(replace(c, text=transposed_chord_symbol(
        c.text, semitones, song.key_at(c.tick), key_after(c.tick))) for c in song.chords)
    changes = {name: value for name, value in (("key_signatures", keys), ("chords", chords))
               if value != getattr(song, name)}
    if not changes:  # only N.C. and texts that name no pitch
        return None
    what = " and ".join({"key_signatures": "key signature", "chords": "chords"}[k]
                        for k in changes)
    return set_song_props(song, f"Transpose {what}", **changes)


def resize_notes(
    track_id: int, notes: Sequence[Note], dticks: int, min_duration: int = 1
) -> ChangeNotes:
    resized = tuple(Note(n.pitch, n.start, max(min_duration, n.duration + dticks), n.velocity,
                         n.id, n.spelling, n.lyric, n.fermata, n.articulations, n.slurs)
                    for n in notes)
    return update_notes(track_id, notes, resized, f"Resize {plural(len(notes), 'note')}")


def resize_note_starts(
    track_id: int, notes: Sequence[Note], dticks: int, min_duration: int = 1
) -> ChangeNotes:
    """Move notes' starts by ``dticks``, their ends staying (a piano roll's left-edge
    drag); a start stays at tick 0 or later and at least ``min_duration`` before its end."""
    def start(n: Note) -> int:
        return max(0, min(n.start + dticks, n.end - min(min_duration, n.duration)))

    resized = tuple(Note(n.pitch, start(n), n.end - start(n), n.velocity, n.id, n.spelling,
                         n.lyric, n.fermata, n.articulations, n.slurs) for n in notes)
    return update_notes(track_id, notes, resized, f"Resize {plural(len(notes), 'note')}")


def quantize_notes(
    track_id: int, notes: Sequence[Note], grid: int, strength: float = 1.0, ends: bool = False,
    line: Callable[[int], int] | None = None, end_limit: int | None = None,
) -> ChangeNotes:
    """Pull onsets (and optionally ends) towards a grid of ``grid`` ticks counted from
    tick 0, or towards ``line(tick)``, the nearest grid line as the caller counts it (from
    each bar line, when bars are not whole grid steps long: 7/8 in quarters, a pickup).
    A note moved later ends no later than ``end_limit`` (the song's last bar line: a
    played-in last note a little early, ending on it, made the song a bar longer).
    ``strength``: the share of the way each onset moves (Logic's Q-Strength, Ableton's
    Amount: 0.6 keeps some of a played feel), above 0 and at most 1."""
    from .snap import strength_text

    if grid <= 0:
        raise ValueError("quantize grid must be positive")
    if not 0 < strength <= 1:  # a NaN is refused too
        raise ValueError(f"quantize strength {strength:g} is outside 0-100 %")

    def snap(t: int) -> int:
        target = line(t) if line is not None else round(t / grid) * grid
        return round(t + (target - t) * strength)

    out = []
    for n in notes:
        start = snap(n.start)
        end = snap(n.end) if ends else start + n.duration
        end = start + max(grid if ends else 1, end - start)
        if end_limit is not None and end > max(end_limit, n.end) and start < end_limit:
            end = max(end_limit, n.end)  # no further than the limit, or than it was
        out.append(Note(n.pitch, max(0, start), end - start, n.velocity, n.id, n.spelling,
                        n.lyric, n.fermata, n.articulations, n.slurs))
    return update_notes(track_id, notes, out,
                        f"Quantize {plural(len(notes), 'note')}{strength_text(strength)}")


def swing_notes(
    track_id: int, notes: Sequence[Note], grid: int, swing: float,
    line: Callable[[int], int] | None = None, end_limit: int | None = None,
    strength: float = 1.0,
) -> ChangeNotes:
    """Quantize with swing, as an MPC or a DAW's Q-Swing: onsets to the nearest line of a
    grid of ``grid`` ticks whose every second line sits later, ``swing`` of the way
    through its pair of lines (0.5 straight, 2/3 a triplet swing, at most 0.75;
    :mod:`.snap`), as the groove module reads a swing back. ``line(tick)`` is the nearest
    swung line as the caller counts it (:func:`.snap.quantize_line` with the swing: from
    each bar line); without it, lines from tick 0. Each note keeps its length, except
    that it ends no later than the next of ``notes`` of its pitch starts (a straight 8th
    before a swung one of its pitch overlapped it); ``end_limit`` and ``strength`` (each
    onset moves that share of the way to its swung line) as :func:`quantize_notes`."""
    from .snap import MAX_SWING, STRAIGHT, strength_text, swing_shift, swing_text

    if grid <= 0:
        raise ValueError("quantize grid must be positive")
    if not STRAIGHT <= swing <= MAX_SWING:
        raise ValueError(f"swing {swing_text(swing)} is outside 50-75 %")
    if line is None:
        shift = min(swing_shift(grid, swing), grid - 1)

        def line(tick: int) -> int:
            k = tick // grid
            places = (k * grid + (shift if k % 2 else 0),
                      (k + 1) * grid + (shift if (k + 1) % 2 else 0))
            return min(places, key=lambda p: (abs(p - tick), p))

    quantized = quantize_notes(track_id, notes, grid, strength, line=line,
                               end_limit=end_limit).added
    starts: dict[int, list[int]] = {}
    for n in quantized:
        starts.setdefault(n.pitch, []).append(n.start)
    for ticks in starts.values():
        ticks.sort()
    out = []
    for n in quantized:
        ticks = starts[n.pitch]
        # Past the notes of this pitch starting with it: ending there would leave nothing.
        # Two notes swung onto one line stay two here; make_room (overlaps.py) makes them
        # one, as every quantize of the studio and the command line is committed.
        i = bisect.bisect_right(ticks, n.start)
        end = min(n.end, ticks[i]) if i < len(ticks) else n.end
        out.append(replace(n, duration=end - n.start))
    return update_notes(track_id, notes, out, f"Quantize {plural(len(notes), 'note')} with "
                                               f"{swing_text(swing)} swing"
                                               f"{strength_text(strength)}")


def legato_notes(track_id: int, notes: Sequence[Note]) -> ChangeNotes:
    """Each note ends where the next of ``notes`` starts (a chord's notes all end at the
    next onset after theirs): gaps close and overlaps shorten, as a DAW's legato does.
    The last onset's notes keep their length; only the notes that change are in the edit."""
    onsets = sorted({n.start for n in notes})
    following = dict(itertools.pairwise(onsets))
    before, after = [], []
    for n in notes:
        end = following.get(n.start)
        if end is not None and end != n.end:
            before.append(n)
            after.append(replace(n, duration=end - n.start))
    return update_notes(track_id, before, after, f"Legato {plural(len(after), 'note')}")


def split_notes(track_id: int, notes: Sequence[Note], tick: int) -> ChangeNotes:
    """Cut every note that sounds across ``tick`` in two there: the first part keeps the
    note's id, the second is a new note with its pitch and velocity."""
    crossing = [n for n in notes if n.start < tick < n.end]
    # The syllable is sung where the note starts, the fermata held where it ends; the
    # articulations and slur marks are on its attack.
    heads = [replace(n, duration=tick - n.start, fermata=False) for n in crossing]
    tails = [replace(n, start=tick, duration=n.end - tick, id=new_note_id(), lyric=None,
                     articulations=frozenset(), slurs=())
             for n in crossing]
    return ChangeNotes(track_id, tuple(crossing), (*heads, *tails),
                       f"Split {plural(len(crossing), 'note')}")


def join_notes(track_id: int, notes: Sequence[Note]) -> ChangeNotes:
    """Join repeated notes: each run of ``notes`` of one pitch, with no other of ``notes``
    starting between them, becomes one note from the first start to the last end, with
    the first one's velocity and id. A melody C–D–C keeps its two Cs apart."""
    ordered = sorted(notes, key=lambda n: (n.start, n.pitch))
    onsets = [n.start for n in ordered]
    removed: list[Note] = []
    added: list[Note] = []
    for pitch in sorted({n.pitch for n in ordered}):
        same = [n for n in ordered if n.pitch == pitch]
        run = [same[0]]
        for n in [*same[1:], None]:
            if n is not None and not _other_onset_between(onsets, ordered, run[-1], n):
                run.append(n)
                continue
            if len(run) > 1:
                first = run[0]
                end = max(m.end for m in run)
                removed += run
                added.append(replace(first, duration=end - first.start,
                                     fermata=any(m.fermata for m in run),
                                     slurs=joined_slurs(m.slurs for m in run)))
            if n is not None:
                run = [n]
    return ChangeNotes(track_id, tuple(removed), tuple(added),
                       f"Join {plural(len(removed), 'note')} into {len(added)}")


def _other_onset_between(onsets: list[int], ordered: list[Note], a: Note, b: Note) -> bool:
    """Whether a note of another pitch starts after ``a`` and before ``b``."""
    lo, hi = bisect.bisect_right(onsets, a.start), bisect.bisect_left(onsets, b.start)
    return any(ordered[i].pitch != a.pitch for i in range(lo, hi))


def duplicate_notes(track_id: int, notes: Sequence[Note], dticks: int) -> ChangeNotes:
    copies = tuple(replace(n, start=n.start + dticks, id=new_note_id())
                   for n in notes)
    return add_notes(track_id, copies, f"Duplicate {plural(len(notes), 'note')}")


def mask_tails(song: Song, mask: Mask, inside: Mapping[int, Iterable[Note]] | None = None
               ) -> dict[int, tuple[tuple[Note, Note], ...]]:
    """Per track, the notes ``mask`` covers that sound on past it, each with its *tail*:
    the part after the mask, as a note of its own (same pitch and velocity).

    A note belongs to the mask by its onset, so replacing it took its tail too: repainting
    an alto's bars 6–7 silenced the alto on bar 8's cadence chord, where its last note
    was held (QA). The tail is what sounds outside the mask, so it stays. Tails shorter
    than a 16th are a player's late release over the bar line, not music (re-struck,
    they would be blips); drum hits have no tail worth keeping. ``inside``: the caller's
    ``mask.notes_inside(song)``, when it has it."""
    out: dict[int, tuple[tuple[Note, Note], ...]] = {}
    shortest = max(1, song.ppq // 4)
    inside = mask.notes_inside(song) if inside is None else inside
    for track_id, notes in inside.items():
        if song.track(track_id).is_drum:
            continue
        pairs = []
        for n in notes:
            end = mask.covered_until(track_id, n.start, n.pitch)
            if n.end - end >= shortest:
                pairs.append((n, replace(n, start=end, duration=n.end - end, id=new_note_id(),
                                         lyric=None, articulations=frozenset(), slurs=())))
        if pairs:
            out[track_id] = tuple(pairs)
    return out


def split_at_mask_ends(song: Song, mask: Mask) -> Song:
    """``song`` with each note ``mask`` covers that sounds on past it cut at the mask's
    end, its tail a note of its own (:func:`mask_tails`): what a model must hear as the
    music after the mask (the tail was read as silence there)."""
    edits = [ChangeNotes(tid, tuple(n for n, _ in pairs),
                         tuple(x for n, tail in pairs
                               for x in (replace(n, duration=tail.start - n.start), tail)))
             for tid, pairs in mask_tails(song, mask).items()]
    return EditGroup(tuple(edits)).apply(song) if edits else song


def _with_tails(notes: tuple[Note, ...], tails: Iterable[tuple[Note, Note]],
                ppq: int) -> tuple[Note, ...]:
    """New notes with the replaced notes' tails kept: a new note of the tail's pitch that
    sounds up to it (to within a 16th: its release) is held on through it, as the old
    note was; otherwise the tail is struck again where the mask ends."""
    out = list(notes)
    for _, tail in tails:
        i = next((i for i, n in enumerate(out) if n.pitch == tail.pitch
                  and n.start < tail.start <= n.end + ppq // 4), None)
        if i is None:
            out.append(tail)
        else:
            out[i] = replace(out[i], duration=max(out[i].end, tail.end) - out[i].start)
    return tuple(out)


def with_syllables(notes: Iterable[Note], replaced: Iterable[Note]) -> tuple[Note, ...]:
    """New ``notes`` with the syllables of the ``replaced`` notes they stand in for: where
    a replaced note sang one, the new note starting at that onset sings it (the top one,
    where several start there: the tune; where a chord sang several, the top note's),
    unless it carries a syllable of its own. A take that keeps the rhythm (the same onsets) keeps
    every word; another keeps those whose onsets it still strikes, and the others go
    (:func:`dropped_syllables` says which). A singer-songwriter's repaint of a vocal's
    bars 5–6 with its rhythm kept took the song's lyrics from 26 syllables to 18."""
    notes = tuple(notes)
    sung: dict[int, Any] = {}
    for n in sorted(replaced, key=lambda n: -n.pitch):
        if n.lyric is not None:
            sung.setdefault(n.start, n.lyric)
    if not sung:
        return notes
    out = list(notes)
    taken = {n.start for n in notes if n.lyric is not None}
    for i in sorted(range(len(out)), key=lambda i: -out[i].pitch):
        n = out[i]
        if n.start in sung and n.start not in taken:
            out[i] = Note(n.pitch, n.start, n.duration, n.velocity, n.id, n.spelling,
                          sung[n.start], n.fermata, n.articulations, n.slurs)
            taken.add(n.start)
    return tuple(out)


def dropped_syllables(before: Song, after: Song, mask: Mask) -> dict[int, tuple[Note, ...]]:
    """Per track id, the notes ``mask`` covers in ``before`` whose syllables ``after``
    sings no more: no note of the track starts there with that syllable
    (:func:`with_syllables` keeps the others). Only tracks that lose some are listed."""
    out: dict[int, tuple[Note, ...]] = {}
    for track_id, notes in mask.notes_inside(before).items():
        sung = [n for n in notes if n.lyric is not None]
        if not sung:
            continue
        try:
            now = after.track(track_id).notes
        except KeyError:
            now = ()
        kept = {(n.start, n.lyric) for n in now if n.lyric is not None}
        lost = tuple(n for n in sung if (n.start, n.lyric) not in kept)
        if lost:
            out[track_id] = lost
    return out


def notes_with_tails(song: Song, mask: Mask, new_notes: Mapping[int, Iterable[Note]]
                     ) -> dict[int, tuple[Note, ...]]:
    """Per track of ``new_notes``, the notes a take puts in place of the ones ``mask``
    covers: the new notes, with the syllables of the notes they replace
    (:func:`with_syllables`), and the tails of the replaced notes that sounded on past the
    mask (:func:`mask_tails`), held on by a new note that reaches one or struck again —
    what :func:`replace_in_mask` writes, for a preview to draw."""
    inside = mask.notes_inside(song)
    tails = mask_tails(song, mask, inside)
    return {tid: _with_tails(with_syllables(notes, inside.get(tid, ())), tails.get(tid, ()),
                             song.ppq)
            for tid, notes in new_notes.items()}


def replace_in_mask(
    song: Song, mask: Mask, new_notes: Mapping[int, Iterable[Note]], label: str = "Apply take"
) -> EditGroup:
    """The edit that swaps the notes inside ``mask`` for ``new_notes`` (per track id).

    New notes outside the mask are rejected: a take may only write where it was allowed.
    A new note starting where a replaced note sang a syllable sings it
    (:func:`with_syllables`). A replaced note that sounded on past the mask keeps that
    part (:func:`mask_tails`), held on by a new note of its pitch that reaches it. A
    track written where the mask covers every pitch also loses the pitch bends there
    (:func:`clear_pitch_bends`): they belonged to the notes being replaced.
    """
    inside = mask.notes_inside(song)
    tails = mask_tails(song, mask, inside)
    edits: list[Edit] = []
    for track_id, notes in new_notes.items():
        notes = tuple(notes)
        stray = [n for n in notes if not mask.contains_note(track_id, n)]
        if stray:
            verb = "falls" if len(stray) == 1 else "fall"
            raise EditError(f"{label}: {plural(len(stray), 'note')} {verb} outside the mask")
        old = inside.get(track_id, ())
        notes = _with_tails(with_syllables(notes, old), tails.get(track_id, ()), song.ppq)
        if old or notes:
            edits.append(ChangeNotes(track_id, old, notes, label))
        track = song.track(track_id)
        spans = [(r.start, r.end) for r in mask.regions
                 if track_id in r.track_ids and r.full_pitch_range]
        controls = clear_pitch_bends(track.controls, spans)
        if controls != track.controls:
            edits.append(SetTrackProps(track_id, (("controls", track.controls),),
                                       (("controls", controls),), label))
    for track_id, old in inside.items():
        if track_id not in new_notes and old:
            kept = tuple(tail for _, tail in tails.get(track_id, ()))
            edits.append(ChangeNotes(track_id, old, kept, label))
    return EditGroup(tuple(edits), label)


def clear_pitch_bends(
    controls: Sequence[ControlEvent], spans: Iterable[tuple[int, int]]
) -> tuple[ControlEvent, ...]:
    """``controls`` without the pitch bends inside the tick ``spans`` ``[start, end)``.

    New notes there start unbent (a bend in effect on entry is reset at the span's start),
    and the bend in effect at each span's end is put back there, so whatever follows
    sounds as before. Bends are per channel: a region limited to some pitches keeps them.
    """
    original = sorted(controls, key=lambda c: c.tick)
    bends = [c for c in original if c.kind == "pitchwheel"]

    def bend_before(tick: int) -> int:
        return next((c.value for c in reversed(bends) if c.tick < tick), 0)

    out = original
    for start, end in _merged(spans):
        kept = [c for c in out if not (c.kind == "pitchwheel" and start <= c.tick < end)]
        if bend_before(start):
            kept.append(ControlEvent(start, "pitchwheel", 0, 0))
        if bend_before(end) and not any(c.tick == end for c in bends):
            kept.append(ControlEvent(end, "pitchwheel", 0, bend_before(end)))
        out = sorted(kept, key=lambda c: c.tick)
    return tuple(out) if out != original else tuple(controls)


def dropped_controls(edit: Edit) -> dict[int, dict[str, int]]:
    """Per track id, how many control events (by kind: ``"pitchwheel"`` …) ``edit`` takes
    out of the track (:func:`replace_in_mask`'s pitch bends inside the region, which
    belonged to the old notes); the bend it puts back at a span's edge is not one less.
    Only tracks that lose some are listed."""
    out: dict[int, dict[str, int]] = {}
    for e in edit.edits if isinstance(edit, EditGroup) else (edit,):
        if isinstance(e, EditGroup):
            for track_id, kinds in dropped_controls(e).items():
                mine = out.setdefault(track_id, {})
                for kind, n in kinds.items():
                    mine[kind] = mine.get(kind, 0) + n
            continue
        if not isinstance(e, SetTrackProps):
            continue
        before, after = dict(e.before).get("controls"), dict(e.after).get("controls")
        if before is None or after is None:
            continue
        left: dict[ControlEvent, int] = {}
        for c in after:
            left[c] = left.get(c, 0) + 1
        kinds: dict[str, int] = {}
        for c in before:
            if left.get(c):
                left[c] -= 1
            else:
                kinds[c.kind] = kinds.get(c.kind, 0) + 1
        if kinds:
            out[e.track_id] = kinds
    return out


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
