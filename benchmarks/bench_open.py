"""File ▸ Open of an orchestral score: how long the window's event loop stalls.

    .venv/bin/python benchmarks/bench_open.py            # offscreen
    .venv/bin/python benchmarks/bench_open.py --no-models

The score: 200 bars, 14 tracks, 6,469 notes at 480 PPQ, 4/4 → 3/4 → 4/4 → 6/8 → 4/4, nine
tempos, D major (the shape of an orchestral QA's mock-up; random notes of the scale),
written to a temporary MIDI file. The real main window (1600×1000) lists the models first
(torch and the network loaded, as after start-up), then opens the score through
File ▸ Open's path (read on the worker) three times, the demo song between, while a 5 ms
timer on the GUI thread notes every gap. Printed per open: the time to the song on
screen, the GUI thread's CPU time for it and the three longest gaps (a gap is the time
the window could not answer). Figures only: compare runs made together.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo" / "demo.mid"
PPQ = 480
METERS = ((0, 4, 4), (50, 3, 4), (90, 4, 4), (130, 6, 8), (160, 4, 4))  # (bar, n, d)
TEMPOS = ((0, 92), (20, 88), (50, 104), (70, 96), (90, 112), (130, 84), (150, 90),
          (160, 100), (190, 80))  # (bar, BPM)
PARTS = (("Flute", 73, 74, 93), ("Oboe", 68, 69, 88), ("Clarinet", 71, 62, 84),
         ("Bassoon", 70, 46, 67), ("Horn", 60, 53, 74), ("Trumpet", 56, 60, 79),
         ("Trombone", 57, 45, 67), ("Tuba", 58, 31, 50), ("Timpani", 47, 38, 50),
         ("Violin I", 40, 67, 93), ("Violin II", 40, 60, 84), ("Viola", 41, 55, 76),
         ("Cello", 42, 40, 67), ("Contrabass", 43, 28, 50))
WEIGHTS = (1.2, 0.9, 0.9, 0.8, 0.7, 0.5, 0.5, 0.4, 0.3, 1.6, 1.4, 1.2, 1.2, 0.8)


def orchestral_score(notes: int = 6469):
    """The 200-bar, 14-track score (see the module docstring)."""
    from engine.score import (
        TRACK_COLOURS,
        KeySignature,
        Note,
        Song,
        TempoChange,
        TimeSignature,
        Track,
    )

    rng = random.Random(7)
    starts, tick = [], 0
    for bar in range(200):
        n, d = next((n, d) for b, n, d in reversed(METERS) if b <= bar)
        starts.append(tick)
        tick += PPQ * 4 * n // d
    end = tick
    counts = [round(notes * w / sum(WEIGHTS)) for w in WEIGHTS]
    counts[-1] += notes - sum(counts)
    tracks = []
    for i, ((name, program, lo, hi), count) in enumerate(zip(PARTS, counts, strict=True)):
        scale = [p for p in range(lo, hi + 1) if p % 12 in (2, 4, 6, 7, 9, 11, 1)]
        step = end / count
        ns = [Note(rng.choice(scale), int(k * step) // 120 * 120,
                   min(rng.choice((120, 240, 480, 960)), max(60, int(step))),
                   rng.randrange(50, 110)) for k in range(count)]
        tracks.append(Track(name=name, program=program, channel=i if i < 9 else i + 1,
                            notes=tuple(ns), colour=TRACK_COLOURS[i % len(TRACK_COLOURS)]))
    return Song(tracks=tuple(tracks), ppq=PPQ,
                time_signatures=tuple(TimeSignature(starts[b], n, d) for b, n, d in METERS),
                tempos=tuple(TempoChange(starts[b], round(60_000_000 / bpm))
                             for b, bpm in TEMPOS),
                key_signatures=(KeySignature(0, "D"),))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-models", action="store_true",
                        help="open with no model listed (torch not loaded)")
    parser.add_argument("--opens", type=int, default=3, help="opens of the score")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer

    from engine.io import write_midi
    from studio.app import create_app, scratch_window

    app = create_app()
    with tempfile.TemporaryDirectory() as tmp, scratch_window("partita-bench-") as win:
        score = Path(tmp) / "orch.mid"
        write_midi(orchestral_score(), score)
        win.resize(1600, 1000)
        win.show()
        if not args.no_models:
            win.catalog.ensure()
            while not win.catalog.loaded:
                app.processEvents()
                time.sleep(0.01)
        for _ in range(20):
            app.processEvents()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(5)
        print(f"File ▸ Open of a 200-bar, 14-track, 6,469-note score (Qt platform: "
              f"{os.environ['QT_QPA_PLATFORM']}, models "
              f"{'not loaded' if args.no_models else 'loaded'})")
        for path in [DEMO, *[score, DEMO] * args.opens][:-1]:
            gaps.clear()
            c0, t0 = time.thread_time(), time.perf_counter()
            last[0] = t0
            done: list[float] = []
            win.document.undo_stack.setClean()  # nothing to save: no question
            win.open_in_background(path, ask=False,
                                   then=lambda done=done: done.append(time.perf_counter()))
            while not done:
                app.processEvents()
                time.sleep(0.002)
            settle = time.perf_counter() + 0.3  # the first paints
            while time.perf_counter() < settle:
                app.processEvents()
                time.sleep(0.002)
            if path == score:
                longest = sorted(gaps, reverse=True)[:3]
                print(f"  opened in {1000 * (done[0] - t0):4.0f} ms; GUI thread CPU "
                      f"{1000 * (time.thread_time() - c0):4.0f} ms; longest gaps "
                      + ", ".join(f"{1000 * g:.0f}" for g in longest) + " ms")
        timer.stop()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
