"""Studio performance figures: start-up time, piano-roll frame rate, memory.

    .venv/bin/python benchmarks/bench_studio.py            # offscreen (software raster)
    xvfb-run -a .venv/bin/python benchmarks/bench_studio.py  # through a real X server

Targets (docs/studio.md): window shown ≤ 2 s after launch; a 10,000-note song scrolls
and zooms at ≥ 60 frames/s; RSS ≤ 250 MB with no model loaded. Then, always, on a
21,600-note song (docs/studio.md "Big songs"): the GUI thread's time for an edit's
arrangement rebuild, a paint with a take on screen, and an autosave. A frame is one
synchronous repaint of the whole piano roll (ruler, keyboard, canvas, velocity lane)
after a programmatic scroll or zoom step.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo" / "demo.mid"


def big_song(notes: int = 10_000, tracks: int = 4):
    """``notes`` notes over ``tracks`` tracks, 16ths and 8ths, ~200 bars at 480 PPQ."""
    from engine.score import TRACK_COLOURS, Note, Song, Track

    rng = random.Random(7)
    per = notes // tracks
    out = []
    for t in range(tracks):
        base = 36 + 12 * t
        ns, tick = [], 0
        for _ in range(per):
            dur = rng.choice((120, 240, 240, 480))
            ns.append(Note(base + rng.randrange(24), tick, dur, rng.randrange(40, 127)))
            tick += rng.choice((0, 120, 120, 240))
        out.append(Track(name=f"Part {t + 1}", program=t * 8, channel=t, notes=tuple(ns),
                         colour=TRACK_COLOURS[t]))
    return Song(tracks=tuple(out))


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


# -- start-up (measured in a fresh process) ---------------------------------------------------
def child_startup(t0: float, song: str | None) -> None:
    """Launch like ``partita studio``: print seconds from launch to the first painted frame,
    with ``song`` to the frame painted once it is read — in the background, after the
    window shows, as :func:`studio.app.run` reads the command line's song."""
    from studio.app import create_app

    app = create_app()
    from PySide6.QtCore import QTimer

    from studio.app import scratch_window

    with scratch_window("partita-bench-") as win:
        win.show()

        def shown() -> None:
            win.repaint()
            print(f"{time.time() - t0:.3f}")
            app.quit()

        if song:  # the read's end, however it ended (``then``), as the studio's start-up
            QTimer.singleShot(0, lambda: win.open_in_background(song, ask=False, then=shown))
        else:
            QTimer.singleShot(0, shown)
        app.exec()


def startup(song: Path | None, runs: int = 3) -> float:
    best = []
    for _ in range(runs):
        t0 = time.time()
        args = [sys.executable, __file__, "--child-startup", str(t0)]
        if song:
            args += ["--song", str(song)]
        out = subprocess.run(args, capture_output=True, text=True, check=True,
                             env=os.environ.copy()).stdout.split()
        best.append(float(out[-1]))
    return min(best)


# -- frame rate -------------------------------------------------------------------------------
def frame_rate(win, app, step, seconds: float = 2.0) -> tuple[float, float, int]:
    """Frames per second while ``step(i)`` changes the view and the window repaints.

    Returns (frames per wall-clock second, frames per CPU second of this process, frames):
    the second figure is what one free core would give on a busy, shared machine.
    """
    roll = win.pianoroll
    frames = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        step(frames)
        roll.repaint()
        app.processEvents()  # the arrangement overview and scroll bars follow
        frames += 1
    return (frames / (time.perf_counter() - t0), frames / (time.process_time() - c0), frames)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child-startup", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--song", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=2.0, help="per frame-rate test")
    args = parser.parse_args()
    if args.child_startup is not None:
        child_startup(args.child_startup, args.song)
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY")
                          else "xcb")
    platform = os.environ["QT_QPA_PLATFORM"]
    print(f"Studio benchmark (Qt platform: {platform})")
    print(f"  start-up, empty song      : {startup(None):.2f} s  (target ≤ 2 s)")
    if DEMO.exists():
        print(f"  start-up, with demo.mid   : {startup(DEMO):.2f} s")

    from studio.app import create_app

    app = create_app()

    from studio.app import scratch_window

    with scratch_window("partita-bench-") as win:
        song = big_song()
        win.set_song(song)
        win.resize(1600, 1000)
        win.show()
        for _ in range(20):
            app.processEvents()
        roll = win.pianoroll
        vp = roll.viewport
        win.selection.set_tracks([t.id for t in song.tracks[:2]])  # two active, two ghosted
        vp.fit_ticks(0, 16 * 1920)  # 16 bars on screen
        vp.center_on_pitches(40, 80)
        print(f"  song: {song.note_count:,} notes, {len(song.tracks)} tracks, "
              f"{win.document.time_map.bar_count(song.end)} bars; piano roll "
              f"{roll.canvas.width()}x{roll.canvas.height()} px")

        span = vp.max_left()

        def scroll(i: int) -> None:
            vp.set_left((i * 97 * 8) % span)

        def zoom(i: int) -> None:
            vp.zoom_x(1.08 if (i // 30) % 2 == 0 else 1 / 1.08, 400)

        def show(label: str, result: tuple[float, float, int], extra: str = "") -> None:
            fps, cpu_fps, n = result
            print(f"  {label:<26}: {fps:6.1f} frames/s wall, {cpu_fps:6.1f} per CPU-second "
                  f"({n} frames{extra})")

        print("  (target ≥ 60 frames/s)")
        show("scroll, 16 bars visible", frame_rate(win, app, scroll, args.seconds))
        show("zoom in/out (2–160 bars)", frame_rate(win, app, zoom, args.seconds))
        vp.fit_ticks(0, song.end)
        vp.key_h = 6
        vp.set_top(0)
        visible = sum(len(roll.index.window(t, vp.left, vp.right)) for t in song.tracks)
        show("whole song on screen", frame_rate(
            win, app, lambda i: vp.set_top((i * 7) % max(1.0, vp.max_top())), args.seconds),
            f", {visible:,} notes visible")
        current, peak = rss_mb()
        print(f"  memory (RSS) with 10k-note song: {current:.0f} MB now, {peak:.0f} MB peak "
              "(target ≤ 250 MB)")
        print(f"  torch imported: {'torch' in sys.modules}")
        big_song_work(win, app)
        return 0


def dense_song(bars: int = 200):
    """``bars`` bars of 8 tracks, 108 notes a bar (21,600 at 200 bars): a long, busy song."""
    from engine.score import DRUM_CHANNEL, TRACK_COLOURS, Note, Song, Track

    rng = random.Random(1)
    specs = [("Lead", 73, 72, 16), ("Piano", 0, 60, 24), ("Strings", 48, 60, 8),
             ("Guitar", 25, 55, 16), ("Bass", 33, 36, 8), ("Brass", 61, 60, 8),
             ("Sax", 65, 64, 12), ("Drums", 0, 36, 16)]
    tracks = []
    for i, (name, program, base, per_bar) in enumerate(specs):
        drum = name == "Drums"
        notes = []
        for b in range(bars):
            for k in range(per_bar):
                if drum:
                    notes.append(Note((36, 42, 38, 42)[k % 4], b * 1920 + k * 120, 120))
                else:
                    notes.append(Note(base + rng.randrange(14), b * 1920 + 120 * rng.randrange(16),
                                      120 * rng.choice((1, 2, 2, 4)), rng.randrange(60, 110)))
        tracks.append(Track(name=name, program=program, is_drum=drum,
                            channel=DRUM_CHANNEL if drum else i,
                            colour=TRACK_COLOURS[i % len(TRACK_COLOURS)], notes=tuple(notes)))
    return Song(tracks=tuple(tracks), ppq=480)


def big_song_work(win, app) -> None:
    """GUI-thread time of what grows with the song (best of 3)."""
    from engine.jobs import make_take
    from engine.score import Mask, Note, Region, add_notes

    song = dense_song()
    win.set_song(song)
    for _ in range(5):
        app.processEvents()
    doc, arr = win.document, win.arrangement
    print(f"  dense song: {song.note_count:,} notes, {len(song.tracks)} tracks, 200 bars")

    def best(fn, runs: int = 3) -> float:
        times = []
        for i in range(runs):
            t0 = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t0)
        return 1000 * min(times)

    piano = song.tracks[1].id

    def edit(i: int) -> None:
        doc.apply(add_notes(piano, [Note(90, 480 * i, 240)]))
        arr.grab()  # the rebuild the next paint does

    print(f"  edit + arrangement rebuild: {best(edit):6.0f} ms")
    song = doc.song
    mask = Mask.of(Region(frozenset(t.id for t in song.tracks[:4]), 11 * 1920, 131 * 1920))
    new = {tid: tuple(Note(min(127, n.pitch + 1), n.start, n.duration) for n in notes)
           for tid, notes in mask.notes_inside(song).items()}
    take = make_take(job_id=0, model="bench", task="repaint", mask=mask, song=song,
                     revision=doc.revision, result=new)
    win.composer.takes.add(take)
    win.composer.active = mask
    win.composer.takesChanged.emit()
    ms = best(lambda i: (arr.grab(), win.pianoroll.canvas.grab()), runs=4)
    print(f"  paint with a take on screen ({take.note_count:,} notes): {ms:6.0f} ms")

    times = []
    for i in range(3):
        doc.apply(add_notes(piano, [Note(91, 480 * i, 240)]))  # something to save
        t0 = time.perf_counter()
        win.autosaver.save_in_background()
        times.append(time.perf_counter() - t0)
        win.autosaver.wait()
        app.processEvents()
    gui = 1000 * min(times)
    print(f"  autosave, GUI thread: {gui:6.1f} ms (the file is written on a worker thread)")
    win.composer.reset()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
