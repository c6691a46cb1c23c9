""":class:`~engine.score.Song` → Standard MIDI File (type 1), written with mido.

Layout: a conductor track (title, time and key signatures, tempo map, markers, chord
symbols as text events, the song's length as its end), then one MIDI track per song
track, on the channel :func:`export_channels` gives it, holding its name, program, program
changes, controls and notes. A track without notes (a part not yet written) holds only its
name, program (with bank select), volume and pan, on a channel of its own that no track
with notes needs: the reader reads such a track back as an empty part. When the channels
run out it is not written (:func:`export_warnings` says so).

Events that share a tick are ordered so that reading the file back
(:mod:`engine.io.midi_import`) gives exactly the same song:

1. note-offs of notes that started earlier (in note order, so first-in-first-out pairing
   ends the same notes: same-pitch overlaps survive),
2. controls (bank select before the program change it qualifies),
3. program changes,
4. note-ons, each zero-length note's note-off right after its own note-on.

Notes are written as they are played: a note's articulation (``Note.articulations``) sets
its length and velocity (:func:`~engine.score.articulations.sounding`: a staccato quarter
is an eighth long), the song keeps the written ones.

One thing MIDI cannot say: two notes of one pitch on one channel where the later one ends
first (one nested inside the other). Any reader pairs those note-offs one way or the other;
ours (first-in-first-out) gives back the same starts and ends, matched differently.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mido

from engine.score import DRUM_CHANNEL, ControlEvent, Song, Track
from engine.score.articulations import sounding
from engine.score.instruments import kit_name, program_name
from engine.score.lead_sheet import chords_in_song
from engine.score.lyrics import FERMATA_MARKER, midi_lyric_text
from engine.score.song import default_pulses, grouping_text

from .atomic import atomic_write
from .errors import FileFormatError
from .midi_import import CC_PAN, CC_VOLUME, EMPTY_TRACK_CCS, pan_to_cc, volume_to_cc
from .text import encode_text

MAX_PPQ = 0x7FFF  # the header's division field has 15 bits for ticks per quarter note
MIN_VELOCITY = 1  # a note_on of velocity 0 is a note-off in MIDI
MAX_DELTA = 0x0FFFFFFF  # a delta time is at most 4 bytes of 7 bits (readers refuse more)
CC_BANK = frozenset({0, 32})  # bank select MSB/LSB: part of a channel's instrument
PITCHED_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)
CONTROL_KINDS = ("control_change", "pitchwheel", "aftertouch", "polytouch")

# Sort groups for events on the same tick (see the module docstring).
_OFF, _CONTROL, _PROGRAM, _ON = 0, 1, 2, 3

_Event = tuple[tuple[int, ...], str, dict[str, Any]]


def write_midi(song: Song, path: str | os.PathLike[str]) -> list[str]:
    """Write ``song`` as a type-1 MIDI file, atomically (no partial file on any error).

    Returns the :func:`export_warnings`: what the file holds less well than the song (an
    empty list when nothing). Raises :class:`FileFormatError` when the song holds
    something a MIDI file cannot (e.g. a PPQ above 32767, a time signature of 3/5).
    """
    path = Path(path)
    try:
        data = midi_to_bytes(song)
    except (ValueError, TypeError) as e:
        raise FileFormatError(path, f"cannot write MIDI: {e}") from None
    atomic_write(path, data)
    return export_warnings(song)


def midi_to_bytes(song: Song) -> bytes:
    """The bytes of ``song`` as a type-1 Standard MIDI File."""
    if song.ppq > MAX_PPQ:
        raise ValueError(f"a resolution of {song.ppq} PPQ does not fit (at most {MAX_PPQ})")
    mf = mido.MidiFile(type=1, ticks_per_beat=song.ppq)
    mf.tracks.append(_conductor(song))
    for track, channel in zip(song.tracks, export_channels(song.tracks), strict=True):
        if channel is None:
            continue
        try:
            mf.tracks.append(_track(track, channel, song.end))
        except (ValueError, TypeError) as e:
            raise ValueError(f"track {track.name!r}: {e}") from None
    buf = io.BytesIO()
    mf.save(file=buf)
    return buf.getvalue()


def export_channels(tracks: Sequence[Track]) -> list[int | None]:
    """The MIDI channel each track is written on; ``None`` for a track that is not
    written: one without notes when no channel is left for it.

    Drum tracks go to channel 10 (0-based 9). A pitched track keeps its channel unless
    that is channel 10 (players would swap its instrument for drums) or an earlier track
    with another instrument has it; then it moves to a free channel. Only when the 15
    pitched channels run out do tracks share one: tracks with the same instrument first
    (lossless), else ones of the same GM family, fewest on a channel first
    (:func:`export_warnings` says so).
    """
    out: list[int | None] = [None] * len(tracks)
    pitched: list[_Group] = []
    kept: dict[int, _Group] = {}
    moved: dict[tuple[int, tuple], _Group] = {}
    for i, t in enumerate(tracks):
        if not t.notes:
            continue
        if t.is_drum:
            out[i] = DRUM_CHANNEL
            continue
        sound = _sound(t)
        group = kept.get(t.channel)
        if group is not None and group.sound == sound:
            group.members.append(i)  # already shares the channel, with the same instrument
        elif group is None and t.channel != DRUM_CHANNEL:
            kept[t.channel] = _Group(sound, [i], t.channel)
            pitched.append(kept[t.channel])
        elif (t.channel, sound) in moved:  # shared its channel with this one: still does
            moved[(t.channel, sound)].members.append(i)
        else:
            moved[(t.channel, sound)] = _Group(sound, [i])
            pitched.append(moved[(t.channel, sound)])
    while len(pitched) > len(PITCHED_CHANNELS):
        _merge_one(pitched)
    free = [c for c in PITCHED_CHANNELS if c not in {g.channel for g in pitched}]
    for group in pitched:
        channel = group.channel if group.channel is not None else free.pop(0)
        for i in group.members:
            out[i] = channel
    _place_empty(tracks, out, free)
    return out


def score_channels(tracks: Sequence[Track]) -> list[int]:
    """The MIDI channel each track's part plays on in a score (MusicXML's
    ``<midi-channel>``, 0-based here): the one the MIDI export writes it on
    (:func:`export_channels`: drums on 10, identical instruments sharing, families past
    16); a track without notes that the export has no channel left for shares one with a
    track of its instrument, else of its family, else the first pitched channel (a part
    of a score plays somewhere, even a silent one)."""
    out = export_channels(tracks)
    for i, t in enumerate(tracks):
        if out[i] is not None:
            continue
        if t.is_drum:
            out[i] = DRUM_CHANNEL
            continue
        pitched = [(u, c) for u, c in zip(tracks, out, strict=True)
                   if c is not None and not u.is_drum]
        same = [c for u, c in pitched if u.program == t.program]
        kin = [c for u, c in pitched if u.program // 8 == t.program // 8]
        out[i] = (same or kin or [PITCHED_CHANNELS[0]])[0]
    return [c if c is not None else PITCHED_CHANNELS[0] for c in out]


def _place_empty(tracks: Sequence[Track], out: list[int | None], free: list[int]) -> None:
    """Give each track without notes a channel no other written track uses (its own if
    free), after every track with notes has one: the reader tells an empty part from a
    set-up track's controllers by its channel having no notes in the file."""
    drums_free = DRUM_CHANNEL not in out
    for i, t in enumerate(tracks):
        if t.notes:
            continue
        if t.is_drum:
            if drums_free:
                out[i], drums_free = DRUM_CHANNEL, False
        elif free:
            out[i] = t.channel if t.channel in free else free[0]
            free.remove(out[i])


def export_warnings(song: Song) -> list[str]:
    """What a MIDI file of ``song`` cannot keep apart: tracks with different instruments
    on one channel (more than 15 pitched instruments, or drum tracks with different
    kits; a General MIDI player plays every track on a channel with the program sent
    last), tracks without notes that no channel is left for, which it does not write,
    and a meter's chosen grouping (3+2+2/8), which no MIDI event holds."""
    channels = export_channels(song.tracks)
    sharing: dict[int, list[Track]] = {}
    for track, channel in zip(song.tracks, channels, strict=True):
        if channel is not None and track.notes:
            sharing.setdefault(channel, []).append(track)
    empty = [repr(t.name) for t, c in zip(song.tracks, channels, strict=True) if c is None]
    warnings = []
    if empty:
        many = len(empty) > 1
        warnings.append(
            f"{'tracks' if many else 'track'} {', '.join(empty)} {'have' if many else 'has'} "
            f"no notes and no MIDI channel is left for {'them' if many else 'it'}: a MIDI "
            "file keeps an empty track only on a channel of its own (save a .partita "
            "project to keep them)")
    for prop, state, result in (("mute", "muted", "{it} will play"),
                                ("solo", "soloed", "every track will play")):
        on = [repr(t.name) for t in song.tracks if getattr(t, prop) and t.notes]
        if on:
            many = len(on) > 1
            warnings.append(
                f"{'tracks' if many else 'track'} {', '.join(on)} {'are' if many else 'is'} "
                f"{state}: a MIDI file has no {prop}, so "
                f"{result.format(it='they' if many else 'it')} (save a .partita project to "
                "keep mute and solo)")
    grouped = {s.text: s for s in song.time_signatures if s.groups}
    if grouped:
        many = len(grouped) > 1
        usual = ", ".join(  # what each is read back as (the verifier: "7/8" for 8/8 too)
            f"{s.numerator}/{s.denominator} as "
            f"{grouping_text(default_pulses(s.numerator, s.denominator))}"
            for s in grouped.values())
        warnings.append(
            f"{'meters' if many else 'meter'} {', '.join(grouped)}: a MIDI file has no beat "
            f"grouping, so read back {'they count' if many else 'it counts'} the usual beats "
            f"({usual}; save a .partita project to keep the grouping)")
    for channel, tracks in sorted(sharing.items()):
        sounds = {_sound(t) for t in tracks}
        if len(sounds) > 1:
            names = ", ".join(repr(t.name) for t in tracks)
            if len({s[:-1] for s in sounds}) > 1:  # instruments differ (maybe levels too)
                instruments = ", ".join(dict.fromkeys(  # kits by name: "TR-808 Kit"
                    kit_name(t.program) if t.is_drum else program_name(t.program)
                    for t in tracks))
                what, sent = f"instruments or banks ({instruments})", "program"
            else:
                what, sent = "volume or pan", "volume and pan"
            warnings.append(
                f"MIDI channel {channel + 1} is shared by tracks {names} with different "
                f"{what}: a General MIDI player plays them all with the {sent} sent last "
                "(MIDI has 16 channels, one for drums; save a .partita project to keep "
                "every track's own)")
    return warnings


@dataclass
class _Group:
    """Tracks that will share one channel; ``channel`` is None until one is free."""

    sound: tuple
    members: list[int]
    channel: int | None = None


def _sound(track: Track) -> tuple:
    """What a channel must be set to for ``track`` to sound right: its program, program
    changes, bank selects, volume and pan. Tracks with equal sounds can share a channel
    losslessly."""
    banks = tuple((c.tick, c.number, c.value) for c in track.controls
                  if c.kind == "control_change" and c.number in CC_BANK)
    changes = tuple((p.tick, p.program) for p in track.program_changes)
    # Volume and pan too: they are per channel (CC7/CC10), so two tracks at different
    # levels on one channel would both play at whichever was sent last.
    mixer = (volume_to_cc(track.volume), pan_to_cc(track.pan))
    return track.is_drum, track.program, changes, banks, mixer


def _merge_one(groups: list[_Group]) -> None:
    """Fold one group into another, losing as little as possible: a group of the same
    sound if any (the latest such pair), else the latest group into the one of the closest
    instrument family with the fewest tracks."""
    for late in reversed(range(len(groups))):
        for early in range(late):
            if groups[early].sound == groups[late].sound:
                _fold(groups, late, early)
                return
    late = max(range(len(groups)), key=lambda g: (groups[g].channel is None, g))
    family = groups[late].sound[1] // 8

    def damage(g: int) -> tuple[bool, int, int]:
        return groups[g].sound[1] // 8 != family, len(groups[g].members), g

    early = min((g for g in range(len(groups)) if g != late), key=damage)
    _fold(groups, late, early)


def _fold(groups: list[_Group], source: int, target: int) -> None:
    into = groups[target]
    into.members = sorted(into.members + groups[source].members)
    if into.channel is None:
        into.channel = groups[source].channel
    del groups[source]


def _text(text: str) -> str:
    # mido encodes meta text as Latin-1; hand it the UTF-8 bytes spelled as Latin-1.
    return encode_text(text).decode("latin-1")


def _conductor(song: Song) -> mido.MidiTrack:
    events: list[_Event] = []
    if song.title:
        events.append(((0, 0, 0), "track_name", {"name": _text(song.title)}))
    for i, sig in enumerate(song.time_signatures):
        # MIDI clocks per metronome click: the counted beat (36 for 6/8's dotted quarter,
        # as the MIDI spec's own example), 24 per quarter.
        click = 96 // sig.denominator * (3 if sig.compound else 1)
        events.append(((sig.tick, 1, i), "time_signature",
                       {"numerator": sig.numerator, "denominator": sig.denominator,
                        "clocks_per_click": max(1, min(255, click))}))
    for i, key in enumerate(song.key_signatures):
        events.append(((key.tick, 2, i), "key_signature", {"key": key.key}))
    for i, tempo in enumerate(song.tempos):
        events.append(((tempo.tick, 3, i), "set_tempo", {"tempo": tempo.us_per_beat}))
    for i, marker in enumerate(song.markers):
        events.append(((marker.tick, 4, i), "marker", {"text": _text(marker.text)}))
        if marker.locked:
            # MIDI's cue point is "something happening on a film or video screen at this
            # point": a hit point. Written beside the marker (which every DAW shows), it
            # tells a reader the marker is locked to its time.
            events.append(((marker.tick, 4, i), "cue_marker", {"text": _text(marker.text)}))
    for i, chord in enumerate(chords_in_song(song)):  # none past the end: no bars to hold it
        # A chord symbol is a text event (0x01), as many programs write one; a marker
        # would show in a DAW as a section (and read back as one).
        events.append(((chord.tick, 5, i), "text", {"text": _text(chord.text)}))
    # The conductor's end_of_track carries the song's length to the reader (that one must
    # be written), and ends with the other tracks (each at the song's end).
    return _as_track(events, end=song.end, must_end=song.length >= song.end)


def _track(track: Track, channel: int, song_end: int) -> mido.MidiTrack:
    """One track's events; its end_of_track at the song's end, so a DAW makes every
    track's clip the song's length (not each its own, ending at its last note)."""
    if not track.notes:  # an empty part: only what the reader keeps of one
        track = _sound_only(track)
    events: list[_Event] = [((0, -1, 0), "track_name", {"name": _text(track.name)})]
    first = track.notes[0].start if track.notes else 0
    events.append(((0, _PROGRAM, -1), "program_change",
                   {"channel": channel, "program": track.program}))
    for i, pc in enumerate(track.program_changes):
        _check_range(pc.program, 0, 127, "program")
        events.append(((pc.tick, _PROGRAM, i), "program_change",
                       {"channel": channel, "program": pc.program}))
    controls = _with_mix(track, first)
    for i, c in enumerate(controls):
        events.append(((c.tick, _CONTROL, i), *_control_message(c, channel)))
    held: set[int] = set()  # the ticks a fermata marker was written at
    for i, n in enumerate(track.notes):  # track.notes is in canonical (start, pitch, ...) order
        fields = {"channel": channel, "note": n.pitch}
        # As it is played: a staccato note half its written length, an accent louder (MIDI
        # has no articulations; a DAW plays what the notes say).
        duration, velocity = sounding(n)
        velocity = max(MIN_VELOCITY, velocity)  # 0 would end another note of this pitch
        if n.lyric is not None:  # the syllable just before the note it is sung on
            events.append(((n.start, _ON, i, -1), "lyrics",
                           {"text": _text(midi_lyric_text(n.lyric))}))
        if n.fermata and n.start not in held:  # MIDI has no fermata: a marker names it
            held.add(n.start)  # one a chord (the reader puts it on the top note)
            events.append(((n.start, _ON, i, -2), "marker", {"text": FERMATA_MARKER}))
        events.append(((n.start, _ON, i, 0), "note_on", {**fields, "velocity": velocity}))
        end = n.start + duration
        off_key = (end, _ON, i, 1) if duration == 0 else (end, _OFF, i)
        events.append((off_key, "note_off", {**fields, "velocity": 64}))
    return _as_track(events, end=song_end)


def _sound_only(track: Track) -> Track:
    """An empty track as the reader reads one back (:mod:`engine.io.midi_import`): its
    program, with the bank selects, volume and pan at its start; later program changes
    and other controllers would make it look like a set-up track's, and nothing plays
    them."""
    return replace(track, program_changes=(), controls=tuple(
        c for c in track.controls if c.tick == 0 and c.kind == "control_change"
        and c.number in EMPTY_TRACK_CCS))


def _with_mix(track: Track, first: int) -> list[ControlEvent]:
    """The track's controls, with CC7/CC10 at the first note set from volume/pan.

    ``volume``/``pan`` are the authority for the level at the start: the CC7/CC10 that the
    reader would take them from gets their value, or one is added at tick 0 if the track
    has none and is not at the default (full volume, centre).
    """
    controls = list(track.controls)
    for number, value, default in ((CC_VOLUME, volume_to_cc(track.volume), track.volume == 1.0),
                                   (CC_PAN, pan_to_cc(track.pan), track.pan == 0.0)):
        at = None
        for i, c in enumerate(controls):
            if c.tick > first:
                break
            if c.kind == "control_change" and c.number == number:
                at = i
        if at is not None:
            c = controls[at]
            controls[at] = ControlEvent(c.tick, c.kind, c.number, value)
        elif not default:
            controls.insert(0, ControlEvent(0, "control_change", number, value))
    return controls


def _control_message(c: ControlEvent, channel: int) -> tuple[str, dict[str, Any]]:
    check_control(c.kind, c.number, c.value)
    if c.kind == "pitchwheel":
        return c.kind, {"channel": channel, "pitch": c.value}
    if c.kind == "control_change":
        return c.kind, {"channel": channel, "control": c.number, "value": c.value}
    if c.kind == "aftertouch":
        return c.kind, {"channel": channel, "value": c.value}
    return c.kind, {"channel": channel, "note": c.number, "value": c.value}


# -- what a MIDI file can hold (tempo, meter and key: the song model's own checks) --------


def check_control(kind: str, number: int, value: int) -> None:
    """Raise ValueError unless MIDI can hold this control event (see ``ControlEvent``)."""
    if kind not in CONTROL_KINDS:
        raise ValueError(f"unknown control kind {kind!r:.40}")
    if kind == "pitchwheel":
        _check_range(value, -8192, 8191, "pitch bend")
    else:
        _check_range(value, 0, 127, f"{kind} value")
    if kind == "control_change":
        _check_range(number, 0, 127, "controller number")
    elif kind == "polytouch":
        _check_range(number, 0, 127, "polytouch note")


def _check_range(value: Any, low: int, high: int, what: str) -> None:
    if not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} {value!r} is outside {low}..{high}")


def _delta(tick: int, last: int) -> int:
    """Ticks from the previous event to one at ``tick``; ValueError if MIDI cannot say it."""
    delta = tick - last
    if delta > MAX_DELTA:
        raise ValueError(f"the gap before tick {tick:,} is {delta:,} ticks: a MIDI file "
                         f"allows at most {MAX_DELTA:,} between events")
    return delta


def _as_track(events: list[_Event], end: int = 0, must_end: bool = False) -> mido.MidiTrack:
    """Sort events by their keys and turn absolute ticks into mido's delta times; the
    track's end_of_track comes at ``end`` if that is after the last event — and if MIDI
    can say the gap to it, unless ``must_end`` (the song's length): then it is an error.

    Channel messages skip mido's per-field checks (most of the export time): the song
    model and :func:`_control_message` have already checked every value, and mido still
    checks that each delta time is a non-negative integer when it writes (but not that it
    fits in 4 bytes: :func:`_delta` does).
    """
    events.sort(key=lambda e: e[0])
    trk = mido.MidiTrack()
    last = 0
    for key, kind, fields in events:
        tick = key[0]
        if kind in ("track_name", "time_signature", "key_signature", "set_tempo", "marker",
                    "cue_marker", "lyrics", "text"):
            trk.append(mido.MetaMessage(kind, time=_delta(tick, last), **fields))
        else:
            trk.append(mido.Message(kind, skip_checks=True, time=_delta(tick, last), **fields))
        last = tick
    if end > last and (must_end or end - last <= MAX_DELTA):
        trk.append(mido.MetaMessage("end_of_track", time=_delta(end, last)))
    return trk
