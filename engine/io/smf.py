"""Standard MIDI File bytes → raw events: a small, bounded and fast parser.

This is the only place that looks at MIDI bytes on the way in. It turns a file into its
header fields and, per track chunk, two lists in file order: channel events as plain
tuples ``(tick, status, data1, data2)`` and meta events as ``(tick, type, payload)``.
Meaning (notes, programs, tempo) is given to them in :mod:`engine.io.midi_import`.

Why not ``mido.MidiFile`` for reading (mido still writes our files): mido reads one byte
at a time through Python calls (≈0.4 s for a 25,000-note file before any of our own
work), reads on past a track's declared end in a damaged file, and cannot skip unknown
chunks. Here the whole file is one ``bytes`` object, every size is checked against what
is really there before use (a header claiming a 4 GB chunk costs nothing), every loop step
consumes at least one byte (no hangs), and a damaged file fails with one line saying where.
A file cut short after its music is read as far as it goes, as MuseScore and DAWs do: the
complete tracks, and the events of the last track up to the end of the file, with a
warning in :attr:`Smf.warnings` saying what is missing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from engine.errors import PartitaError

from .sniff import describe_content

MAX_FILE_BYTES = 32 * 1024 * 1024  # far above any real song; keeps memory use bounded
SMPTE_FPS = (24, 25, 29, 30)  # 29 means 29.97 (drop-frame)


class SmfError(PartitaError, ValueError):
    """The bytes are not a readable Standard MIDI File (message: the problem, one line)."""


@dataclass(slots=True)
class SmfTrack:
    """One ``MTrk`` chunk: events in file order with absolute ticks."""

    events: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Channel events ``(tick, status, data1, data2)``; ``data2`` is 0 for 1-byte messages."""
    metas: list[tuple[int, int, bytes]] = field(default_factory=list)
    """Meta events ``(tick, type, payload)``, end_of_track excluded."""
    end: int = 0
    """Tick of end_of_track (or of the last event when the track has none)."""
    sysex_count: int = 0


@dataclass(slots=True)
class Smf:
    """A parsed file: header fields plus the declared tracks."""

    format: int
    division: int
    """Ticks per quarter note; for SMPTE-timed files, ticks per second (fps × ticks/frame)."""
    tracks: list[SmfTrack]
    smpte_fps: int | None = None
    """Frames per second of an SMPTE-timed file (24, 25, 29 = 29.97, 30); None for PPQ."""
    warnings: list[str] = field(default_factory=list)
    """What a file cut short was missing though the rest was read, one line each."""


def parse_smf(data: bytes) -> Smf:
    """Parse a whole Standard MIDI File. Raises :class:`SmfError` on anything malformed.

    Data after the declared tracks is ignored (some files carry a second copy of
    themselves); unknown chunk types between tracks are skipped, as the SMF spec asks.
    A file that ends before its declared tracks do keeps what it holds (the complete
    tracks, the last one's events up to the cut) and says what is missing in
    :attr:`Smf.warnings`; with no readable track at all it is an error.
    """
    if not data:
        raise SmfError("empty file")
    if data[:4] != b"MThd":
        raise SmfError("not a MIDI file: it does not start with 'MThd', as every MIDI "
                       f"file does; it looks like {describe_content(data[:512])}")
    if len(data) < 14:
        raise SmfError(f"truncated MIDI header ({len(data)} bytes)")
    (header_len,) = struct.unpack_from(">I", data, 4)
    if header_len < 6:
        raise SmfError(f"MIDI header chunk is too short ({header_len} bytes, needs 6)")
    if 8 + header_len > len(data):
        raise SmfError("truncated MIDI header")
    fmt, ntracks, division = struct.unpack_from(">HHH", data, 8)
    if fmt > 2:
        raise SmfError(f"unknown MIDI file type {fmt} (known: 0, 1, 2)")
    smpte_fps = None
    if division & 0x8000:
        smpte_fps = 256 - (division >> 8)
        ticks_per_frame = division & 0xFF
        if smpte_fps not in SMPTE_FPS or ticks_per_frame == 0:
            raise SmfError(f"invalid SMPTE time division 0x{division:04X}")
        division = (30 if smpte_fps == 29 else smpte_fps) * ticks_per_frame
    elif division == 0:
        raise SmfError("the header gives a resolution of 0 ticks per quarter note")

    tracks: list[SmfTrack] = []
    warnings: list[str] = []
    pos = 8 + header_len
    size = len(data)
    while len(tracks) < ntracks:
        number = len(tracks) + 1
        if pos + 8 > size:
            if not tracks:
                raise SmfError(
                    f"truncated: the header declares {ntracks} tracks but the file ends "
                    f"after {len(tracks)}"
                )
            # The tracks already read are whole: keep them and say what is missing.
            warnings.append(_missing(len(tracks), ntracks))
            break
        kind = data[pos : pos + 4]
        (length,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8
        if kind != b"MTrk" and not all(0x20 <= c < 0x7F for c in kind):
            raise SmfError(f"damaged: no track chunk where track {number} should start")
        if pos + length > size:
            cut = (f"track {number} of {ntracks} declares {length} bytes but only "
                   f"{size - pos} remain")
            # The last track of a file cut short (often just its end-of-track bytes
            # missing): its events up to the cut are music the user wants.
            last = _parse_track(data[pos:], number, cut=True) if kind == b"MTrk" else None
            if last is not None and (last.events or last.metas):
                tracks.append(last)
                warnings.append(f"{cut}: the file ends inside it; its events up to there "
                                "were read")
            if not tracks:
                raise SmfError(f"truncated: {cut}")
            if len(tracks) < ntracks:
                warnings.append(_missing(len(tracks), ntracks))
            break
        if kind == b"MTrk":
            tracks.append(_parse_track(data[pos : pos + length], number))
        # else: an unknown chunk type ("alien chunk"): skip it
        pos += length
    return Smf(fmt, division, tracks, smpte_fps, warnings)


def _missing(read: int, declared: int) -> str:
    return (f"the file ends after {read} of the {declared} tracks its header declares: "
            f"{read} read")


def _varlen(chunk: bytes, pos: int, number: int) -> tuple[int, int]:
    """Read a variable-length quantity (at most 4 bytes); return (value, new position)."""
    value = 0
    for _ in range(4):
        b = chunk[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if b < 0x80:
            return value, pos
    raise SmfError(f"damaged: track {number} has a length field longer than 4 bytes")


def _parse_track(chunk: bytes, number: int, cut: bool = False) -> SmfTrack:
    """One track's events; ``cut``: the file ends inside the chunk, so an event cut short
    at its end is where the track stops, not damage."""
    # The hot loop of MIDI import: plain ints and tuples, no per-event objects or calls
    # for the common cases (1-byte delta, channel message, running status).
    events: list[tuple[int, int, int, int]] = []
    push = events.append
    metas: list[tuple[int, int, bytes]] = []
    sysex = 0
    n = len(chunk)
    pos = 0
    tick = 0
    status = 0
    try:
        while pos < n:
            b = chunk[pos]
            pos += 1
            if b & 0x80:
                delta = b & 0x7F
                for _ in range(3):
                    b = chunk[pos]
                    pos += 1
                    delta = (delta << 7) | (b & 0x7F)
                    if not b & 0x80:
                        break
                else:
                    raise SmfError(f"damaged: track {number} has a delta time longer than 4 bytes")
                tick += delta
            else:
                tick += b
            b = chunk[pos]
            pos += 1
            if b < 0x80:  # running status: reuse the last channel status byte
                if not status:
                    raise SmfError(
                        f"damaged: track {number} has data byte 0x{b:02X} at byte {pos - 1} "
                        "with no status byte before it"
                    )
                d1 = b
            elif b < 0xF0:
                status = b
                d1 = chunk[pos]
                pos += 1
            elif b == 0xFF:
                mtype = chunk[pos]
                length, pos = _varlen(chunk, pos + 1, number)
                if pos + length > n:
                    raise IndexError
                if mtype == 0x2F:  # end_of_track: anything after it is not part of the song
                    return SmfTrack(events, metas, tick, sysex)
                metas.append((tick, mtype, chunk[pos : pos + length]))
                pos += length
                continue  # meta events leave running status alone (real files rely on it)
            elif b == 0xF0 or b == 0xF7:
                length, pos = _varlen(chunk, pos, number)
                if pos + length > n:
                    raise IndexError
                pos += length
                sysex += 1
                continue
            else:
                raise SmfError(
                    f"damaged: track {number} has undefined status byte 0x{b:02X} "
                    f"at byte {pos - 1}"
                )
            if 0xC0 <= status < 0xE0:  # program change, channel aftertouch: one data byte
                d2 = 0
            else:
                d2 = chunk[pos]
                pos += 1
            if (d1 | d2) & 0x80:
                raise SmfError(
                    f"damaged: track {number} has a status byte where a data byte belongs "
                    f"(byte {pos - 1})"
                )
            push((tick, status, d1, d2))
    except IndexError:
        if not cut:
            raise SmfError(f"damaged: track {number} ends in the middle of an event") from None
        # The end is the last whole event's tick, not that of a delta read before the cut.
        tick = max(events[-1][0] if events else 0, metas[-1][0] if metas else 0)
    return SmfTrack(events, metas, tick, sysex)
