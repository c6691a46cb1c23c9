"""MIDI file → :class:`~engine.score.Song`.

The rules (docs/file-format.md has the full list, with what is dropped and why):

- Ticks are kept exactly: the song gets the file's PPQ, nothing is rounded or quantized.
- One song track per (MIDI track, channel) that has notes, in file order then channel
  order; channel 10 (0-based 9) makes a drum track. A named MIDI track without notes
  that sets only one channel's sound at its start — one program change, bank select,
  volume and pan at tick 0, on a channel no track plays notes on — is an empty part (as
  the export writes one), kept as a track without notes; any other track without notes
  makes none (:func:`empty_part_channel`).
- Notes pair first-in-first-out per (MIDI track, channel, pitch), as sequencers do: a
  note-off ends the oldest sounding note of its pitch. A note_on with velocity 0 is a
  note-off; a note-off with nothing sounding is ignored; a note-off on the note-on's tick
  gives a zero-length note (kept); a note still sounding at the end of its track ends there.
- The program in force at a track's first note is ``Track.program`` (its own program
  changes first, else the channel's from another MIDI track); later program changes go to
  ``Track.program_changes``. CC, pitch bend and aftertouch go to ``Track.controls``;
  the CC7/CC10 in force at the first note also set ``Track.volume``/``pan``. A channel's
  controllers and later program changes sent from MIDI tracks without notes on it (a
  set-up track) go to every track that plays on that channel.
- Tempo, time- and key-signature events from any track form the song's maps (the last
  one wins where several share a tick); markers are kept, and so are text events that
  are chord symbols (``C7``, ``Gm7b5/Db``: :func:`~engine.score.parse_chord_symbol`
  reads them; other text is dropped); the first track's name is the title. No set_tempo
  means 120 BPM, no time signature 4/4.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from engine.score import (
    DRUM_CHANNEL,
    TRACK_COLOURS,
    ChordSymbol,
    ControlEvent,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
    listed,
    parse_chord_symbol,
    plural,
)
from engine.score.bar_end import without_overhang
from engine.score.instruments import program_name
from engine.score.lyrics import FERMATA_MARKER, Lyric, lyrics_from_midi
from engine.score.spelling import KEY_SIGNATURES

from .errors import FileFormatError
from .reading import read_limited
from .smf import MAX_FILE_BYTES, Smf, SmfError, SmfTrack, parse_smf
from .sniff import looks_like_project
from .text import decode_text

_CONTROL_KINDS = {0xA0: "polytouch", 0xB0: "control_change", 0xD0: "aftertouch",
                  0xE0: "pitchwheel"}
CC_VOLUME = 7
CC_PAN = 10
# What an empty part's MIDI track may send at its start besides its program: bank select
# (MSB, LSB), volume and pan — its sound, nothing that plays.
EMPTY_TRACK_CCS = frozenset({0, 32, CC_VOLUME, CC_PAN})


# Meta events the song has no place for, by the name the import report gives them
# (docs/file-format.md, "Dropped, and why"). Port, channel prefix and SMPTE offset are
# dropped too, but carry nothing a musician wrote.
DROPPED_METAS = {0x01: "text", 0x02: "copyright", 0x04: "instrument names", 0x05: "lyrics",
                 0x7F: "sequencer-specific data"}


# A track named as a kit ("Drums", "Drum Kit", "Percussion", "Kit", "Snare" …): on a
# channel other than 10 General MIDI reads it as a pitched instrument, and so does the
# import (rightly), but the file's author most likely meant drums (a DAW's export with the
# kit on a sampler channel): said (:class:`PitchedKit`), so the drums do not play as a
# piano unnoticed. Unless its program is itself percussion, which GM plays at pitch (a
# "Percussion" track of marimba, "Steel Drums", "Taiko Drum", timpani).
_KIT_NAME = re.compile(r"\b(drums?|drum ?(kit|set)|drumkit|drumset|kit|percussion|perc|kick|"
                       r"snare|hi-?hats?|hihats?)\b", re.IGNORECASE)
_PITCHED_PERCUSSION = frozenset({*range(8, 16), 47, *range(112, 120)})


def played_channels(smf: Smf) -> set[int]:
    """The channels any track of ``smf`` plays a note on."""
    return {status & 0x0F for trk in smf.tracks for _, status, _, velocity in trk.events
            if 0x90 <= status < 0xA0 and velocity}


def empty_part_channel(trk: SmfTrack, index: int, played: set[int]) -> int | None:
    """The channel of an empty part (a named track without notes, as the export writes
    one), else None.

    Only a MIDI track after the first (the first one's name is the title), with a name,
    no notes, and on one channel no track plays notes on: exactly one program change and
    at most the :data:`EMPTY_TRACK_CCS`, all at tick 0. A set-up track (several channels,
    or a channel with notes elsewhere) and a sequencer's idle channel track (openmsx-4's
    "MIDI Ch. 5", with later program changes and pitch bends) are none."""
    if index == 0 or not any(mtype == 0x03 and decode_text(payload).strip()
                             for _, mtype, payload in trk.metas):
        return None
    channels = {status & 0x0F for _, status, _, _ in trk.events}
    if len(channels) != 1 or channels & played:
        return None
    programs = 0
    for tick, status, d1, _ in trk.events:
        kind = status & 0xF0
        if tick != 0 or not (kind == 0xC0 or (kind == 0xB0 and d1 in EMPTY_TRACK_CCS)):
            return None
        programs += kind == 0xC0
    return channels.pop() if programs == 1 else None


@dataclass(frozen=True, slots=True)
class PitchedKit:
    """A track named as a drum kit, on a channel other than 10: imported as the pitched
    instrument its program is, by the General MIDI rule."""

    number: int  # 1-based, in the song
    name: str
    channel: int  # 0-based, as Track.channel
    program: int

    def text(self) -> str:
        """What happened, without how to change it (each front end says that its way)."""
        return (f"track {self.number} {self.name!r} is named as drums but is on channel "
                f"{self.channel + 1}, so it was imported as a pitched instrument "
                f"({program_name(self.program)}): General MIDI plays drums on channel 10 "
                "only")


def pitched_kits(song: Song) -> tuple[PitchedKit, ...]:
    """The tracks of an imported ``song`` named as drums that are pitched instruments."""
    return tuple(PitchedKit(i, t.name, t.channel, t.program)
                 for i, t in enumerate(song.tracks, 1)
                 if not t.is_drum and t.program not in _PITCHED_PERCUSSION
                 and _KIT_NAME.search(t.name))


@dataclass(frozen=True, slots=True)
class SharedChannel:
    """Tracks of a MIDI file that play on one channel with different sounds (programs,
    or volume and pan). A player gives every track on a channel the program sent last and
    the same pitch bends, volume and pan; the song gives each track its own, so a MIDI
    file Partita writes moves some of them to channels of their own
    (:func:`~engine.io.midi_export.export_channels`): they may sound different from the
    file."""

    channel: int  # 0-based, as Track.channel
    tracks: tuple[tuple[str, int, int], ...]  # (name, program, pitch bends), in song order
    moved: tuple[tuple[str, int], ...]  # (name, 0-based channel a written MIDI file uses)
    played: int | None = None  # the program a player plays them with (sent last), if any

    def text(self) -> str:
        """What happened and what it changes, in one line (each front end says it)."""
        names = listed([f"{name!r} ({program_name(program)})"
                         for name, program, _ in self.tracks])
        played = (f"as {program_name(self.played)} (the program sent last), "
                  if self.played is not None else "")
        bends = [f"{name!r} {n}" for name, _, n in self.tracks if n]
        own = f" (pitch bends: {', '.join(bends)})" if bends else ""
        moved = listed([f"{name!r} on channel {channel + 1}"
                         for name, channel in self.moved])
        return (f"tracks {names} share MIDI channel {self.channel + 1} in the file, where "
                f"a player plays them all {played}with one set of pitch bends, volume and "
                f"pan; Partita gives each track its own program and controllers{own}, so "
                f"they may sound different from the file, and a MIDI file it writes puts "
                f"{moved}")


def shared_channels(song: Song, smf: Smf | None = None) -> tuple[SharedChannel, ...]:
    """The channels of an imported ``song`` whose tracks a written MIDI file puts on
    several channels (their sounds differ); ``smf``, the file it was read from, gives the
    program a player plays them with."""
    from .midi_export import export_channels  # (midi_export imports this module)

    written = export_channels(song.tracks)
    groups: dict[int, list[int]] = {}
    for i, t in enumerate(song.tracks):
        if not t.is_drum and t.notes and written[i] is not None:
            groups.setdefault(t.channel, []).append(i)
    out = []
    for channel, members in groups.items():
        if len({written[i] for i in members}) < 2:
            continue  # kept together: the same sound, nothing changes
        tracks = [song.tracks[i] for i in members]
        first = min(t.notes[0].start for t in tracks)
        out.append(SharedChannel(
            channel,
            tuple((t.name, t.program, sum(c.kind == "pitchwheel" for c in t.controls))
                  for t in tracks),
            tuple((song.tracks[i].name, written[i]) for i in members
                  if written[i] != channel),
            _program_at(smf, channel, first) if smf is not None else None))
    return tuple(out)


def _program_at(smf: Smf, channel: int, tick: int) -> int | None:
    """The program in force on ``channel`` at ``tick``, over all tracks (file order within
    a tick, as a player merges them)."""
    changes = sorted((t, index, at, d1) for index, trk in enumerate(smf.tracks)
                     for at, (t, status, d1, _) in enumerate(trk.events)
                     if status == 0xC0 | channel and t <= tick)
    return changes[-1][-1] if changes else None


@dataclass(frozen=True, slots=True)
class SplitInstrument:
    """Channels of one MIDI track with notes on the same program and bank, read as one
    track each: a MIDI guitar sends each string on a channel of its own (MPE-like, each
    with its own bends), and a musician wants one guitar — Merge Tracks makes it one."""

    name: str  # the MIDI track's name ("" without one)
    numbers: tuple[int, ...]  # 1-based, in the song
    channels: tuple[int, ...]  # 0-based, as Track.channel
    sound: str  # the instrument, as ``info`` names it

    def text(self) -> str:
        """What happened, without how to merge (each front end says that its way)."""
        whose = f"one MIDI track {self.name!r}" if self.name else "one MIDI track"
        return (f"{len(self.channels)} channels of {whose} ({self.sound}, channels "
                f"{_channel_runs(self.channels)}) were read as {len(self.numbers)} tracks "
                f"(tracks {_channel_runs(tuple(n - 1 for n in self.numbers))}), as a MIDI "
                "guitar sends each string on a channel of its own")


# A MIDI guitar sends a string a channel (6), a bass 4, an MPE controller a note a channel,
# on channels in a row; a type-0 file's parts that share a sound (two pianos on channels 4
# and 6, a game score's string parts on 1, 7, 8 and 12) are no such instrument.
SPLIT_MIN_CHANNELS = 4


def split_instruments(song: Song, smf: Smf) -> tuple[SplitInstrument, ...]:
    """The MIDI tracks of ``smf`` whose notes on :data:`SPLIT_MIN_CHANNELS` or more
    channels in a row play one sound (program and bank at their first notes) — a MIDI
    guitar's strings, read as a song track per channel: the song's tracks are made per
    (MIDI track, channel with notes), in that order (:func:`song_from_smf`)."""
    from engine.score.instruments import bank_at, sound_name

    out = []
    number = 0
    played = played_channels(smf)
    for index, trk in enumerate(smf.tracks):
        if empty_part_channel(trk, index, played) is not None:
            number += 1  # an empty part: a song track of its own
            continue
        channels = sorted({status & 0x0F for _, status, _, velocity in trk.events
                           if 0x90 <= status < 0xA0 and velocity})
        mine = list(range(number, number + len(channels)))
        number += len(channels)
        if len(channels) < 2 or mine[-1] >= len(song.tracks):
            continue
        groups: dict[tuple, list[int]] = {}
        for i in mine:
            t = song.tracks[i]
            if not t.is_drum and t.notes:
                sound = (t.program, bank_at(t.controls, t.notes[0].start))
                groups.setdefault(sound, []).append(i)
        name = next((decode_text(payload) for _, mtype, payload in trk.metas
                     if mtype == 0x03), "")
        for (program, bank), members in groups.items():
            run = [song.tracks[i].channel for i in members]
            if len(members) >= SPLIT_MIN_CHANNELS and run == list(range(run[0], run[0] + len(run))):
                out.append(SplitInstrument(
                    name.strip(), tuple(i + 1 for i in members),
                    tuple(song.tracks[i].channel for i in members),
                    sound_name(program, False, bank)))
    return tuple(out)


# The channel messages of a channel without notes, by kind (status high nibble), in the
# order the import report names them.
_CHANNEL_KINDS = {0xE0: "pitch bend", 0xC0: "program change", 0xB0: "controller",
                  0xD0: "aftertouch message", 0xA0: "key aftertouch message"}
_UNPLAYED = "controllers and programs of channels without notes"  # the dropped kind


@dataclass(frozen=True, slots=True)
class UnplayedChannels:
    """Channel messages (pitch bends, program changes, controllers …) sent to MIDI
    channels on which no track plays a note: the song has no track to hold them, so they
    are dropped (a set-up track's controllers for a channel that does play go to its
    tracks instead)."""

    counts: tuple[tuple[str, int], ...]  # (kind, count), in :data:`_CHANNEL_KINDS` order
    channels: tuple[int, ...]  # 0-based, as Track.channel

    def text(self) -> str:
        """``"63 pitch bends and 30 program changes on MIDI channels with no notes (1, 5
        and 8) were dropped"``: what was lost, in one line (each front end says it)."""
        were = "was" if sum(n for _, n in self.counts) == 1 else "were"
        return (f"{listed([plural(n, kind) for kind, n in self.counts])} on MIDI channels "
                f"with no notes ({_channel_runs(self.channels)}) {were} dropped: no track "
                "plays there to hold them")


def _channel_runs(channels: tuple[int, ...]) -> str:
    """``"1, 5, 8, 9 and 12–16"``: 0-based channels as a musician counts them, three or
    more in a row as a range."""
    runs: list[list[int]] = []
    for c in sorted(channels):
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return listed([f"{r[0] + 1}–{r[-1] + 1}" if len(r) > 2 else ", ".join(str(c + 1) for c in r)
                   for r in runs])


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a MIDI file (or a MusicXML score) holds that its song does not keep: writing
    the song back over the file loses these. ``dropped`` is ``(kind, count)`` pairs in a
    fixed order.

    ``warnings``: what a damaged file was missing though the rest was read, one line each
    (``"the file ends after 2 of the 3 tracks its header declares: 2 read"``). They are
    not counted by ``bool()``: saving over the file loses nothing the song has.

    ``pitched_kits``: tracks named as drums that the General MIDI rule made pitched
    instruments (:class:`PitchedKit`): worth a hint, not counted by ``bool()`` either.

    ``shared_channels``: tracks that shared a channel with different sounds, which the
    song (and a MIDI file written from it) gives each its own (:class:`SharedChannel`):
    said when the file is read, not counted by ``bool()``.

    ``approximated``: what a MusicXML score says that the song holds only approximately
    or not at all (grace notes, repeats not played out, lyrics …), one line each
    (:mod:`engine.io.musicxml_import`); said when the score is opened, not counted by
    ``bool()``.

    ``defaulted``: those of ``approximated`` that lose nothing (the score has no
    metronome mark or no dynamics: the song plays a default), a note, not a warning.

    ``unplayed``: the channel messages of channels without notes, by kind
    (:class:`UnplayedChannels`), said when the file is read (they are among ``dropped``
    too, as one count: saving over the file loses them).

    ``split``: one MIDI track's channels of one sound read as several tracks (a MIDI
    guitar's strings, :class:`SplitInstrument`), with the merge suggested; not counted by
    ``bool()``."""

    dropped: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()
    pitched_kits: tuple[PitchedKit, ...] = ()
    shared_channels: tuple[SharedChannel, ...] = ()
    approximated: tuple[str, ...] = ()
    # Of ``approximated``, the lines that lose nothing: what the score does not say and
    # the song plays by a default (no metronome mark: 120 BPM; no dynamics: mf).
    defaulted: tuple[str, ...] = ()
    unplayed: UnplayedChannels | None = None
    split: tuple[SplitInstrument, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.dropped)

    def summary(self, *, unplayed: bool = True) -> str:
        """``"lyrics (3), sysex (1)"``; empty when nothing was dropped. ``unplayed=False``
        leaves out the messages of channels without notes (said on their own line)."""
        return ", ".join(f"{kind} ({count})" for kind, count in self.dropped
                         if unplayed or kind != _UNPLAYED)


def import_report(smf: Smf, kept_lyrics: int = 0) -> ImportReport:
    """Count, per kind, the events of ``smf`` that :func:`song_from_smf` drops; with the
    reader's warnings about a file cut short. ``kept_lyrics``: the lyric events the song
    keeps on its notes (:func:`_sung`), not counted as dropped."""
    counts = dict.fromkeys(DROPPED_METAS.values(), 0)
    counts.update({"sysex": 0, _UNPLAYED: 0,
                   "MIDI port": 0, "SMPTE offset": 0, "pattern tempos (type 2 file)": 0})
    played = played_channels(smf)
    tempo_tracks = 0
    unplayed: dict[int, int] = dict.fromkeys(_CHANNEL_KINDS, 0)
    unplayed_channels: set[int] = set()
    chord_text = _chord_reader(smf)
    for index, trk in enumerate(smf.tracks):
        kept = empty_part_channel(trk, index, played) is not None  # its sound is the part's
        for _tick, mtype, _payload in trk.metas:
            if mtype in DROPPED_METAS and not (mtype == 0x01 and chord_text(_payload)):
                counts[DROPPED_METAS[mtype]] += 1
            elif mtype == 0x21:
                counts["MIDI port"] += 1
            elif mtype == 0x54:
                counts["SMPTE offset"] += 1
        counts["sysex"] += trk.sysex_count
        # Program changes and controllers sent to a channel no track plays on.
        for _, status, _, _ in trk.events:
            if status >= 0xA0 and status & 0x0F not in played and not kept:
                unplayed[status & 0xF0] += 1
                unplayed_channels.add(status & 0x0F)
        tempo_tracks += any(mtype == 0x51 for _, mtype, _ in trk.metas)
    counts[_UNPLAYED] = sum(unplayed.values())
    counts["lyrics"] = max(0, counts["lyrics"] - kept_lyrics)
    if smf.format == 2 and tempo_tracks > 1:  # patterns with tempos of their own: one map
        counts["pattern tempos (type 2 file)"] = tempo_tracks
    return ImportReport(tuple((kind, n) for kind, n in counts.items() if n),
                        tuple(smf.warnings), unplayed=UnplayedChannels(
                            tuple((_CHANNEL_KINDS[k], n) for k, n in unplayed.items() if n),
                            tuple(sorted(unplayed_channels))) if unplayed_channels else None)


def read_midi(path: str | os.PathLike[str]) -> Song:
    """Read a Standard MIDI File (type 0, 1 or 2) into a Song.

    Raises :class:`FileFormatError` if the file is empty, truncated, not MIDI or damaged,
    and ``OSError`` if it cannot be read at all.
    """
    return read_midi_with_report(path)[0]


def read_midi_with_report(path: str | os.PathLike[str]) -> tuple[Song, ImportReport]:
    """:func:`read_midi`, plus what the file holds that the song does not keep."""
    path = Path(path)
    data = read_limited(path, MAX_FILE_BYTES,
                     f"too large for a MIDI file (over {MAX_FILE_BYTES // 2**20} MB)")
    smf = _parse(data, path)
    song = song_from_smf(smf)
    kept = sum(n.lyric is not None for t in song.tracks for n in t.notes)
    return song, replace(import_report(smf, kept), pitched_kits=pitched_kits(song),
                         shared_channels=shared_channels(song, smf),
                         split=split_instruments(song, smf))


def midi_from_bytes(data: bytes, path: str | os.PathLike[str] = "<bytes>") -> Song:
    """Parse MIDI file contents; ``path`` only names the file in error messages."""
    return song_from_smf(_parse(data, path))


def _parse(data: bytes, path: str | os.PathLike[str]) -> Smf:
    if looks_like_project(data[:64]):  # a project under a MIDI name
        raise FileFormatError(path, "a Partita project named as a MIDI file: rename it "
                              ".partita to open it")
    try:
        return parse_smf(data)
    except SmfError as e:
        raise FileFormatError(path, str(e)) from None


def song_from_smf(smf: Smf) -> Song:
    """Give meaning to a parsed file: tracks, notes, programs, controls and global maps."""
    ppq = smf.division
    tempos: list[TempoChange] = []
    sigs: list[TimeSignature] = []
    keys: list[KeySignature] = []
    markers: list[Marker] = []
    marker_tracks: list[int] = []  # the MIDI track each marker is in
    cues: list[Marker] = []  # cue points: hit points, markers locked to their time
    chords: list[ChordSymbol] = []
    names: list[str] = []
    chord_text = _chord_reader(smf)
    for trk in smf.tracks:
        name = None
        for tick, mtype, payload in trk.metas:
            if mtype == 0x51 and len(payload) == 3:
                us = int.from_bytes(payload, "big")
                if us > 0:
                    tempos.append(TempoChange(tick, us))
            elif mtype == 0x58 and len(payload) >= 2:
                num, power = payload[0], payload[1]
                # Drop meters no bar grid can hold (0 beats, a beat shorter than a tick).
                if num > 0 and power <= 6 and 2**power <= 4 * ppq:
                    sigs.append(TimeSignature(tick, num, 2**power))
            elif mtype == 0x59 and len(payload) == 2:
                sf = payload[0] - 256 if payload[0] > 127 else payload[0]
                key = KEY_SIGNATURES.get((sf, payload[1]))
                if key:
                    keys.append(KeySignature(tick, key))
            elif mtype == 0x06:
                markers.append(Marker(tick, decode_text(payload)))
                marker_tracks.append(len(names))
            elif mtype == 0x07:
                cues.append(Marker(tick, decode_text(payload)))
            elif mtype == 0x01 and chord_text(payload):
                chords.append(ChordSymbol(tick, chord_text(payload)))
            elif mtype == 0x03 and name is None:
                name = decode_text(payload)
        names.append(name or "")

    if smf.smpte_fps is not None:
        # SMPTE time: ticks are real time. A "beat" of one second (29.97 fps: 1.001 s)
        # keeps every tick exact; the file's set_tempo events do not apply.
        tempos = [TempoChange(0, 1_001_001 if smf.smpte_fps == 29 else 1_000_000)]

    splits = [_split_track(trk) for trk in smf.tracks]
    state = _ChannelState(splits)
    setup = _setup_events(splits)
    tracks: list[Track] = []
    split_by_channel: list[bool] = []  # made from a MIDI track with several channels
    origins: list[int] = []  # the MIDI track each track's notes came from
    played = played_channels(smf)
    for index, split in enumerate(splits):
        empty = empty_part_channel(smf.tracks[index], index, played)
        if empty is not None:
            colour = TRACK_COLOURS[len(tracks) % len(TRACK_COLOURS)]
            tracks.append(_empty_track(split, empty, colour, names[index]))
            split_by_channel.append(False)
            origins.append(index)
            continue
        channels = sorted(split.notes)
        for channel in channels:
            colour = TRACK_COLOURS[len(tracks) % len(TRACK_COLOURS)]
            tracks.append(_make_track(split, channel, state, setup, index, colour,
                                      names[index], len(channels)))
            split_by_channel.append(len(channels) > 1)
            origins.append(index)
    tracks = _sung(smf, tracks, origins, ppq)
    tracks, markers = _held(tracks, origins, ppq, markers, marker_tracks)

    tracks = _channels_named_apart(tracks, split_by_channel)
    note_end = max((t.end for t in tracks), default=0)
    file_end = max((t.end for t in smf.tracks), default=0)
    song = Song(
        tracks=tuple(tracks),
        ppq=ppq,
        tempos=_last_per_tick(tempos),
        time_signatures=_last_per_tick(sigs),
        key_signatures=_last_per_tick(keys),
        markers=tuple(sorted(markers, key=lambda m: m.tick)),
        chords=tuple(chords),
        title=names[0] if names else "",
    )
    # Keep silence after the last note (a held final bar, a reverb tail) as the length;
    # an end of track a few ticks past a bar line (a DAW's export) is that line: no bar
    # of silence after a 4-bar loop (bar_end.without_overhang, as for a note-off).
    length = without_overhang(TimeMap.of(song), file_end)
    if length > note_end:
        song = replace(song, length=length)
    return _locked_by_cues(song, cues)


def _chord_text(payload: bytes, letters: bool = True) -> str:
    """A text event's text when it is a chord symbol (``"C7"``, ``"Gm7b5/Db"``,
    ``"N.C."``: how chord symbols travel in a MIDI file), else ``""``: a text event
    is also a comment, a credit or a cue ("Intro", "fade out"), which the song drops.
    ``letters``: a bare letter (``"B"``) is read as a chord too."""
    text = decode_text(payload)
    if not letters and _BARE_LETTER.fullmatch(text):
        return ""
    return text if text and parse_chord_symbol(text) is not None else ""


# A rehearsal letter ("B", "E": the sections of a chart) reads as a major chord too.
_BARE_LETTER = re.compile(r"\s*[A-G]\s*")


def _chord_reader(smf: Smf) -> Callable[[bytes], str]:
    """:func:`_chord_text` for ``smf``'s text events: a bare letter is a chord only in a
    file whose other text events include chord symbols beyond bare letters (Rosegarden's
    "D min | Bb | A7 … D"); where the only ones are letters, they are rehearsal letters."""
    letters = any(_chord_text(payload) and not _BARE_LETTER.fullmatch(decode_text(payload))
                  for trk in smf.tracks for _tick, mtype, payload in trk.metas
                  if mtype == 0x01)
    return lambda payload: _chord_text(payload, letters)


def _locked_by_cues(song: Song, cues: list[Marker]) -> Song:
    """``song`` with its markers locked to their times where the file has a cue point
    (MIDI's hit point) of the same text at the same tick — as the export writes a locked
    marker — and a locked marker for each cue point without one (a film program's hits)."""
    if not cues:
        return song
    tm = TimeMap.of(song)
    markers = list(song.markers)
    for cue in cues:
        twin = next((i for i, m in enumerate(markers)
                     if m.tick == cue.tick and m.text == cue.text and not m.locked), None)
        if twin is None:
            markers.append(cue)
            twin = len(markers) - 1
        markers[twin] = replace(markers[twin], seconds=tm.tick_to_seconds(cue.tick))
    return replace(song, markers=tuple(sorted(markers, key=lambda m: m.tick)))


def _sung(smf: Smf, tracks: list[Track], origins: list[int], ppq: int) -> list[Track]:
    """``tracks`` with the file's lyric events (meta 0x05) on the notes they are sung on
    (``Note.lyric``): the note that starts at the event's tick (within a 32nd: karaoke
    files often put the syllable a little early), the highest of a chord, in a pitched
    track of the event's own MIDI track, else of any (a type 1 file's lyrics in a track
    of their own). A trailing hyphen carries the word on (:func:`~engine.score.lyrics.
    lyrics_from_midi`). An event with no note there, or on a note that has one, is
    dropped (and counted as dropped by :func:`import_report`)."""
    slack = max(1, ppq // 8)
    onsets: list[dict[int, Note]] = []  # per track: its highest note at each onset
    for track in tracks:
        top: dict[int, Note] = {}
        if not track.is_drum:
            for n in track.notes:
                if n.start not in top or n.pitch > top[n.start].pitch:
                    top[n.start] = n
        onsets.append(top)
    sung: dict[int, Lyric] = {}  # note id → its syllable
    for index, trk in enumerate(smf.tracks):
        events = [(tick, decode_text(payload)) for tick, mtype, payload in trk.metas
                  if mtype == 0x05]
        if not events:
            continue
        own = [i for i, o in enumerate(origins) if o == index]
        order = own + [i for i in range(len(tracks)) if i not in own]
        for (tick, _), lyric in zip(events, lyrics_from_midi([t for _, t in events]),
                                    strict=True):
            if lyric is None:
                continue
            for i in order:
                near = [n for at in range(tick - slack, tick + slack + 1)
                        if (n := onsets[i].get(at)) is not None and n.id not in sung]
                if near:
                    sung[min(near, key=lambda n: abs(n.start - tick)).id] = lyric
                    break
    if not sung:
        return tracks
    return [t.with_notes(tuple(replace(n, lyric=sung[n.id]) if n.id in sung else n
                               for n in t.notes)) if any(n.id in sung for n in t.notes)
            else t for t in tracks]


def _held(tracks: list[Track], origins: list[int], ppq: int, markers: list[Marker],
          marker_tracks: list[int]) -> tuple[list[Track], list[Marker]]:
    """``tracks`` with the fermatas the export wrote as markers (``"Fermata"``, the
    MIDI track's own, see :data:`~engine.score.lyrics.FERMATA_MARKER`) on their notes
    (``Note.fermata``): the highest note starting at the marker's tick (within a 32nd)
    in a pitched track of that MIDI track. Those markers are taken from ``markers``; one
    with no note there (a conductor track's, a section named so) stays a marker."""
    slack = max(1, ppq // 8)
    held: set[int] = set()  # note ids
    left: list[Marker] = []
    for marker, index in zip(markers, marker_tracks, strict=True):
        note = None
        if marker.text.strip().casefold() == FERMATA_MARKER.casefold():
            near = [n for i, o in enumerate(origins) if o == index and not tracks[i].is_drum
                    for n in tracks[i].notes if abs(n.start - marker.tick) <= slack]
            if near:
                note = max(near, key=lambda n: (-abs(n.start - marker.tick), n.pitch))
        if note is None:
            left.append(marker)
        else:
            held.add(note.id)
    if not held:
        return tracks, markers
    return [t.with_notes(tuple(replace(n, fermata=True) if n.id in held else n
                               for n in t.notes)) if any(n.id in held for n in t.notes)
            else t for t in tracks], left


@dataclass(slots=True)
class _Split:
    """One MIDI track's events by channel: notes as (start, pitch, duration, velocity)."""

    notes: dict[int, list[tuple[int, int, int, int]]]
    controls: dict[int, list[ControlEvent]]
    programs: dict[int, list[tuple[int, int]]]  # (tick, program)


def _split_track(trk: SmfTrack) -> _Split:
    # The per-event loop of import: note events (the bulk) take the shortest path.
    found: list[tuple[int, int, int, int]] = []  # (channel << 7 | pitch, start, dur, vel)
    add_note = found.append
    sounding: dict[int, list[tuple[int, int]]] = {}  # channel << 7 | pitch → [(start, vel)]
    others = []
    for event in trk.events:
        status = event[1]
        if status >= 0xA0:
            others.append(event)
            continue
        tick, _, pitch, velocity = event
        key = (status & 0x0F) << 7 | pitch
        if status >= 0x90 and velocity:
            queue = sounding.get(key)
            if queue is None:
                sounding[key] = [(tick, velocity)]
            else:
                queue.append((tick, velocity))
        else:
            queue = sounding.get(key)
            if queue:  # else an orphan note-off: nothing to end
                start, on_velocity = queue.pop(0)  # first in, first out
                add_note((key, start, tick - start, on_velocity))
    for key, queue in sounding.items():  # still sounding at the end of the track
        for start, on_velocity in queue:
            add_note((key, start, trk.end - start, on_velocity))

    notes: dict[int, list[tuple[int, int, int, int]]] = {}
    for key, start, duration, velocity in found:
        notes.setdefault(key >> 7, []).append((start, key & 0x7F, duration, velocity))
    controls: dict[int, list[ControlEvent]] = {}
    programs: dict[int, list[tuple[int, int]]] = {}
    for tick, status, d1, d2 in others:
        kind = status & 0xF0
        if kind == 0xC0:
            programs.setdefault(status & 0x0F, []).append((tick, d1))
            continue
        if kind == 0xE0:
            number, value = 0, (d2 << 7 | d1) - 8192
        elif kind == 0xD0:
            number, value = 0, d1
        else:
            number, value = d1, d2
        controls.setdefault(status & 0x0F, []).append(
            ControlEvent(tick, _CONTROL_KINDS[kind], number, value)
        )
    return _Split(notes, controls, programs)


@dataclass(slots=True)
class _Setup:
    """A channel's controllers and program changes sent from MIDI tracks that play no
    notes on it (a General MIDI file's set-up track: bank, pedal, reverb, bends)."""

    controls: list[ControlEvent]
    programs: list[tuple[int, int]]


def _setup_events(splits: list[_Split]) -> dict[int, _Setup]:
    out: dict[int, _Setup] = {}
    for split in splits:
        for channel in set(split.controls) | set(split.programs):
            if channel in split.notes:
                continue
            events = out.setdefault(channel, _Setup([], []))
            events.controls += split.controls.get(channel, [])
            events.programs += split.programs.get(channel, [])
    for events in out.values():  # stable: file order where several share a tick
        events.controls.sort(key=lambda c: c.tick)
        events.programs.sort(key=lambda p: p[0])
    return out


class _ChannelState:
    """Program and CC7/CC10 events per channel across all MIDI tracks.

    A channel's state is shared by every track that plays on it, so a set-up track that
    sends each channel its program and volume at tick 0 still gives its note tracks the
    right instrument and level.
    """

    def __init__(self, splits: list[_Split]) -> None:
        self._events: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        for index, split in enumerate(splits):
            for channel, programs in split.programs.items():
                for tick, program in programs:
                    self._events.setdefault((channel, -1), []).append((tick, index, program))
            for channel, controls in split.controls.items():
                for c in controls:
                    if c.kind == "control_change" and c.number in (CC_VOLUME, CC_PAN):
                        self._events.setdefault((channel, c.number), []).append(
                            (c.tick, index, c.value))
        for events in self._events.values():
            events.sort(key=lambda e: (e[0], e[1]))  # stable: file order within a track

    def at(self, channel: int, what: int, tick: int, exclude_track: int) -> tuple[int, int] | None:
        """(tick, value) of the last program (``what=-1``) or CC ``what`` on ``channel`` at
        or before ``tick``, sent by a track other than ``exclude_track``."""
        found = None
        for t, index, value in self._events.get((channel, what), ()):
            if t > tick:
                break
            if index != exclude_track:
                found = (t, value)
        return found


def _make_track(
    split: _Split,
    channel: int,
    state: _ChannelState,
    setup: dict[int, _Setup],
    index: int,
    colour: str,
    midi_name: str,
    parts: int,
) -> Track:
    notes = sorted(split.notes[channel])  # the Track's own (start, pitch, ...) order
    programs = split.programs.get(channel, [])
    first = notes[0][0]
    # The program sounding at the first note: this track's own last change up to then,
    # else the channel's from another track, else 0 (the GM default).
    initial = [p for p in programs if p[0] <= first]
    channel_setup = setup.get(channel, _Setup([], []))
    # On one tick the track's own event comes last, so it is the one in force (a set-up
    # track's CC7 of 50 beside the track's own 100 at tick 0 made the track quiet).
    later = sorted((ProgramChange(t, p) for t, p in [*channel_setup.programs, *programs]
                    if t > first), key=lambda c: c.tick)
    if initial:
        program = initial[-1][1]
    else:
        shared = state.at(channel, -1, first, index)
        program = shared[1] if shared else 0

    # The channel's set-up events sound with this track's notes: they become its own
    # (the pedal, bank and reverb of a separate set-up track were lost).
    controls = sorted([*channel_setup.controls, *split.controls.get(channel, [])],
                      key=lambda c: c.tick)
    volume, pan = 1.0, 0.0
    for number in (CC_VOLUME, CC_PAN):
        own = [c for c in controls if c.kind == "control_change" and c.number == number
               and c.tick <= first]
        if own:
            value = own[-1].value
        else:
            shared = state.at(channel, number, first, index)
            if shared is None:
                continue
            # Copy the channel's setting into this track so it survives export.
            tick, value = shared
            at = sum(1 for c in controls if c.tick <= tick)
            controls.insert(at, ControlEvent(tick, "control_change", number, value))
        if number == CC_VOLUME:
            volume = cc_to_volume(value)
        else:
            pan = cc_to_pan(value)

    is_drum = channel == DRUM_CHANNEL
    return Track(
        name=_track_name(midi_name, program, is_drum, parts, index == 0),
        program=program,
        is_drum=is_drum,
        channel=channel,
        notes=tuple(Note(p, s, d, v) for s, p, d, v in notes),
        colour=colour,
        volume=volume,
        pan=pan,
        program_changes=tuple(later),
        controls=tuple(controls),
    )


def _empty_track(split: _Split, channel: int, colour: str, name: str) -> Track:
    """An empty part (:func:`empty_part_channel`): its name, program, bank, volume and
    pan."""
    controls = tuple(split.controls.get(channel, ()))
    level = {c.number: c.value for c in controls}
    return Track(
        name=name,
        program=split.programs[channel][0][1],
        is_drum=channel == DRUM_CHANNEL,
        channel=channel,
        colour=colour,
        volume=cc_to_volume(level.get(CC_VOLUME, 127)),
        pan=cc_to_pan(level.get(CC_PAN, 64)),
        controls=controls,
    )


def _track_name(midi_name: str, program: int, is_drum: bool, parts: int, first: bool) -> str:
    instrument = program_name(program, is_drum)
    if parts == 1:
        return midi_name or instrument
    # One MIDI track with several channels (type 0 files): one song track per channel.
    # Track 0's name is the song title, so those tracks are named by instrument alone.
    if midi_name and not first:
        return f"{midi_name} ({instrument})"
    return instrument


def _channels_named_apart(tracks: list[Track], split_by_channel: list[bool]) -> list[Track]:
    """Tracks split by channel from one MIDI track (a type-0 file, or a type-1 track on
    several channels) that share a name — four "String Ensemble 1" — get their channel
    in it: "String Ensemble 1 (ch 8)", so a DAW's track list and the stems tell them
    apart."""
    counts: dict[str, int] = {}
    for t in tracks:
        counts[t.name] = counts.get(t.name, 0) + 1
    return [replace(t, name=f"{t.name} (ch {t.channel + 1})")
            if split and counts[t.name] > 1 else t
            for t, split in zip(tracks, split_by_channel, strict=True)]


def cc_to_volume(value: int) -> float:
    """CC7 value → ``Track.volume`` (linear 0..1)."""
    return value / 127


def volume_to_cc(volume: float) -> int:
    return max(0, min(127, round(volume * 127)))


def cc_to_pan(value: int) -> float:
    """CC10 value → ``Track.pan`` (-1..+1, 64 is the centre)."""
    return (value - 64) / (63 if value >= 64 else 64)


def pan_to_cc(pan: float) -> int:
    return max(0, min(127, round(64 + pan * (63 if pan >= 0 else 64))))


def _last_per_tick(events: list) -> tuple:
    """Sort by tick (stably) and keep only the last event on each tick."""
    out: dict[int, object] = {}
    for e in sorted(events, key=lambda e: e.tick):
        out[e.tick] = e
    return tuple(out.values())
