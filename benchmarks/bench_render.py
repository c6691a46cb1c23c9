"""Render speed: the demo song to a mix and stems, with each synth, in × real time.

Run: ``.venv/bin/python benchmarks/bench_render.py [SONG] [--sample-rate N] [--repeat N]``

Prints one line per synth: audio length, wall-clock time for mix + stems (synthesis and
writing 24-bit WAVs to a temporary folder) and the speed, plus the CPU time, which
stays meaningful on a busy machine where wall-clock time does not. The SoundFont is loaded once
before timing (the studio keeps it loaded); its load time is printed separately.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from engine.io import load_song
from engine.render import find_soundfont, render_files
from engine.render.soundfont import _load_synth

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo" / "demo.mid"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("song", nargs="?", type=Path, default=DEMO)
    parser.add_argument("--sample-rate", type=int, default=44100)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    song = load_song(args.song)
    print(f"{args.song.name}: {len(song.tracks)} tracks, {song.note_count} notes, "
          f"{args.sample_rate} Hz, {os.cpu_count()} CPUs, best of {args.repeat}")

    synths = ["builtin"]
    path = find_soundfont()
    if path is not None:
        t0 = time.perf_counter()
        _load_synth(path, args.sample_rate)
        print(f"SoundFont {path.name}: loaded in {time.perf_counter() - t0:.2f} s")
        synths.insert(0, "soundfont")
    for synth in synths:
        best, best_cpu = None, float("inf")
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                cpu = time.process_time()
                report = render_files(song, Path(tmp) / "mix.wav", Path(tmp) / "stems",
                                      sample_rate=args.sample_rate, synth=synth)
                best_cpu = min(best_cpu, time.process_time() - cpu)
            if best is None or report.render_seconds < best.render_seconds:
                best = report
        print(f"{best.synth:26s} {best.duration_seconds:5.1f} s of audio, mix + "
              f"{len(best.stem_paths)} stems in {best.render_seconds:5.2f} s = "
              f"{best.speed:5.1f}× real time (CPU {best_cpu:5.2f} s = "
              f"{best.duration_seconds / best_cpu:5.1f}×)")


if __name__ == "__main__":
    main()
