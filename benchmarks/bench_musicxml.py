"""MusicXML export speed on the demo song (``assets/demo/demo.mid``: 5 tracks, 32 bars,
1,036 notes, what ``make demo`` plays), a real song (``../shared/data/midi-real/
openmsx-1.mid``: 11 tracks, 85 bars, 6,094 notes), and that song made 200 bars long by
copying its bars (``copy_bars``, as ``partita convert --copy-bars`` does: 14,307 notes).

Prints, per song, the wall-clock and CPU seconds of ``musicxml_bytes`` (quantizing,
notation, writing; music21 already loaded), the best of ``--repeat`` runs. The CPU time
is the fairer number on a shared machine, where the wall clock waits for other work.

    .venv/bin/python benchmarks/bench_musicxml.py [--file PATH] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from engine.io import load_song
from engine.io.musicxml import musicxml_bytes
from engine.score import TimeMap, copy_bars

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets/demo/demo.mid"
REAL = ROOT.parent / "shared/data/midi-real/openmsx-1.mid"
BARS = 200


def lengthened(song, bars: int):
    """``song`` with its bars copied after its end until it has ``bars`` bars."""
    while (have := TimeMap.of(song).whole_bars(song.end)) < bars:
        last = min(have, bars - have) - 1
        song = copy_bars(song, 0, last, have).apply(song)
    return song


def measure(song, repeat: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds of one export, and the score's size in bytes."""
    best_wall = best_cpu = float("inf")
    size = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        data, _ = musicxml_bytes(song)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        size = len(data)
    return best_wall, best_cpu, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=REAL)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    import music21  # noqa: F401  (loaded once, as the studio has it after the first export)

    song = load_song(args.file)
    songs = [(args.file.name, song), (f"{args.file.name} × {BARS} bars", lengthened(song, BARS))]
    if args.file == REAL:
        songs.insert(0, (f"demo ({DEMO.name})", load_song(DEMO)))
    for label, s in songs:
        bars = TimeMap.of(s).whole_bars(s.end)
        wall, cpu, size = measure(s, args.repeat)
        print(f"{label}: {len(s.tracks)} tracks, {bars} bars, {s.note_count} notes: "
              f"{wall:.1f} s ({cpu:.2f} s CPU), {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
