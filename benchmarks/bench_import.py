"""MIDI import/export speed on a 10-minute, 25,000-note, 9-track song.

Generates the file in a temporary directory (fixed seed, so every run measures the same
bytes), then times ``engine.io.read_midi`` and ``engine.io.write_midi``, and for reference
mido's own parser on the same file. Target: import well under a second.

    .venv/bin/python benchmarks/bench_import.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import mido

from engine.io import read_midi, write_midi
from engine.score import ControlEvent, Note, Song, TempoChange, Track

MINUTES = 10
NOTES = 25_000
TRACKS = 9
PPQ = 480
BPM = 120


def make_song(seed: int = 0) -> Song:
    """Nine parts (one drum kit) with phrase-like notes, chords, pitch bends and CCs."""
    rng = random.Random(seed)
    beats = MINUTES * BPM
    total = beats * PPQ
    tracks = []
    for i in range(TRACKS):
        drum = i == TRACKS - 1
        notes = []
        for _ in range(NOTES // TRACKS + (1 if i < NOTES % TRACKS else 0)):
            start = rng.randrange(0, total // 60) * 60  # on a 32nd-triplet-ish grid
            length = 0 if drum and rng.random() < 0.1 else rng.choice((60, 120, 240, 480, 960))
            pitch = rng.choice((36, 38, 42, 46, 49)) if drum else rng.randrange(36, 96)
            notes.append(Note(pitch, start, length, rng.randrange(40, 127)))
        controls = [ControlEvent(0, "control_change", 7, 100)]
        if not drum:
            for _ in range(300):
                controls.append(ControlEvent(rng.randrange(total), "pitchwheel", 0,
                                             rng.randrange(-8192, 8192)))
                controls.append(ControlEvent(rng.randrange(total), "control_change", 1,
                                             rng.randrange(128)))
            controls.sort(key=lambda c: c.tick)
        tracks.append(Track(name=f"Part {i + 1}", program=(i * 11) % 128, is_drum=drum,
                            channel=9 if drum else i, notes=tuple(notes),
                            controls=tuple(controls)))
    return Song(tracks=tuple(tracks), ppq=PPQ, tempos=(TempoChange(0, 60_000_000 // BPM),),
                title="bench")


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per run (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    song = make_song()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.mid"
        write_midi(song, path)
        loaded = read_midi(path)
        assert loaded.note_count == song.note_count, "import lost notes"
        seconds = mido.MidiFile(path).length
        print(f"file: {path.stat().st_size / 1024:.0f} KiB, {loaded.note_count} notes, "
              f"{len(loaded.tracks)} tracks, {seconds / 60:.1f} min")
        rows = [
            ("engine.io.read_midi", timed(lambda: read_midi(path), args.repeat)),
            ("engine.io.write_midi", timed(lambda: write_midi(loaded, path), args.repeat)),
            ("mido.MidiFile (parse only, reference)",
             timed(lambda: mido.MidiFile(path), args.repeat)),
        ]
    for name, (wall, cpu) in rows:
        print(f"{name:38s} wall best {min(wall) * 1000:6.0f} ms, median "
              f"{statistics.median(wall) * 1000:6.0f} ms | CPU best {min(cpu) * 1000:6.0f} ms "
              f"({len(wall)} runs)")


if __name__ == "__main__":
    main()
