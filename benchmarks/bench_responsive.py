"""Does the window stay responsive while a model generates?

    .venv/bin/python benchmarks/bench_responsive.py            # offscreen
    xvfb-run -a .venv/bin/python benchmarks/bench_responsive.py

Opens the 21,600-note song of ``bench_studio.py``'s big-song figures (200 bars, 8 tracks)
in the real main window, asks the default model for takes through the real job queue, and
scrolls the piano roll one step every 16 ms until the takes are in. Printed: how long each
scroll frame kept the GUI thread (over 100 ms is a visible stall), how long the takes took,
and the full garbage collections meanwhile (each one holds every thread). Two requests: a
small repaint (4 bars × 2 tracks) and a large one (120 bars × 4 tracks), each with the
panel's three variations.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def probe(win, app, bars: tuple[int, int], tracks: int) -> dict[str, float]:
    """Scroll while a repaint of ``bars`` × the first ``tracks`` tracks runs."""
    from engine.score import Mask, Region

    doc = win.document
    song = doc.song
    bar = 4 * song.ppq
    doc.set_mask(Mask.of(Region(frozenset(t.id for t in song.tracks[:tracks]),
                                bars[0] * bar, bars[1] * bar)))
    vp = win.pianoroll.viewport
    span = max(1.0, vp.max_left())
    gaps: list[float] = []
    full: list[float] = []  # full garbage collections meanwhile: seconds each
    began: list[float] = []

    def collected(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began.append(time.perf_counter())
            elif began:
                full.append(time.perf_counter() - began.pop())

    gc.callbacks.append(collected)
    t0 = time.perf_counter()
    jobs = win.composer.request("repaint")
    assert jobs, "the repaint was not submitted"
    last = time.perf_counter()
    i = 0
    while win.composer.jobs_in_flight:
        vp.set_left((i * 97 * 8) % span)
        win.pianoroll.repaint()
        app.processEvents()
        now = time.perf_counter()
        gaps.append(now - last)
        i += 1
        time.sleep(max(0.0, 0.016 - (time.perf_counter() - now)))
        last = time.perf_counter()  # a gap is the time the GUI thread was not free
    took = time.perf_counter() - t0
    gc.callbacks.remove(collected)
    takes = win.composer.active_set()
    ms = sorted(1000 * g for g in gaps)
    result = {
        "seconds": took,
        "takes": len(takes.takes) if takes else 0,
        "frames": len(ms),
        "p50": statistics.median(ms) if ms else 0.0,
        "p95": ms[int(0.95 * (len(ms) - 1))] if ms else 0.0,
        "max": ms[-1] if ms else 0.0,
        "over100": sum(m > 100 for m in ms),
        "gc": len(full),
        "gc_max": 1000 * max(full, default=0.0),
    }
    win.composer.discard()
    doc.set_mask(Mask())
    for _ in range(5):
        app.processEvents()
    return result


def alone() -> None:
    """One take of each request with no window: the model plugin called directly, best of
    5 (small) and of 1 (large)."""
    from bench_studio import dense_song

    from engine.models.runtime import model_plugin
    from engine.plugins.api import CancelToken, GenerateOptions
    from engine.score import Mask, Region

    song = dense_song()
    bar = 4 * song.ppq
    plugin = model_plugin(ROOT / "assets" / "models" / "partita-base")

    def best(tracks: int, bars: tuple[int, int], runs: int) -> float:
        mask = Mask.of(Region(frozenset(t.id for t in song.tracks[:tracks]),
                              bars[0] * bar, bars[1] * bar))
        times = []
        for seed in range(runs):
            t0 = time.perf_counter()
            plugin.generate(song, mask, GenerateOptions(steps=8, seed=seed),
                            lambda *a, **k: None, CancelToken())
            times.append(time.perf_counter() - t0)
        return min(times)

    best(2, (20, 24), 1)  # loads the weights
    print("One take with no window (partita-base, the plugin called directly):")
    print(f"  repaint 4 bars × 2 tracks  : {best(2, (20, 24), 5):.3f} s (best of 5)")
    print(f"  repaint 120 bars × 4 tracks: {best(4, (11, 131), 1):.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each request")
    parser.add_argument("--request", choices=("small", "large", "both"), default="both")
    parser.add_argument("--alone", action="store_true",
                        help="time one take of each request with no window instead")
    args = parser.parse_args()
    if args.alone:
        alone()
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY")
                          else "xcb")
    from bench_studio import dense_song

    from studio.app import create_app, scratch_window

    app = create_app()
    with scratch_window("partita-bench-") as win:
        win.set_song(dense_song())
        win.resize(1600, 1000)
        win.show()
        win.catalog.ensure()
        while not win.catalog.loaded:
            app.processEvents()
            time.sleep(0.01)
        print(f"Responsiveness while generating (Qt platform: {os.environ['QT_QPA_PLATFORM']}, "
              f"{len(os.sched_getaffinity(0))} cores, model {win.catalog.default_name('repaint')})")
        print("  request                      takes  seconds  frames  gap p50   p95    max  >100ms"
              "  full GCs (max ms)")
        requests = [("small", "repaint 4 bars × 2 tracks", (20, 24), 2),
                    ("large", "repaint 120 bars × 4 tracks", (11, 131), 4)]
        for size, label, bars, tracks in requests:
            if args.request not in (size, "both"):
                continue
            for _ in range(args.runs):
                r = probe(win, app, bars, tracks)
                print(f"  {label:<28} {r['takes']:5d} {r['seconds']:8.2f} {r['frames']:7d} "
                      f"{r['p50']:6.0f} {r['p95']:6.0f} {r['max']:6.0f} {r['over100']:6d}"
                      f"  {r['gc']:3d} ({r['gc_max']:.0f})")
        win.composer.shutdown()
        return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    raise SystemExit(main())
