"""Piano-roll gestures on a big song: milliseconds per mouse move while dragging.

    .venv/bin/python benchmarks/bench_pianoroll.py                 # offscreen
    .venv/bin/python benchmarks/bench_pianoroll.py --profile move:2000

The song: ``openmsx-1.mid`` (tests' real MIDI files: 11 tracks, 85 bars, 6,094 notes)
played twice, 170 bars and 12,188 notes; without that file a random song of the same
shape. It opens in the real main window (1600×1000, every track active; 32 bars on
screen, then all 170); N notes are selected (the first N by onset), one of them is grabbed and the
mouse moves M times. Per move two figures:

- *event*: handling the mouse-move event alone (what the canvas computes);
- *frame*: the event plus the repaint it asks for (the piano roll's canvas, keyboard,
  status bar: whatever the event marked dirty, painted as the event loop would).

Gestures: ``move`` (grab a note's body), ``resize`` (its right edge), ``rubber`` (a
rubber band from an empty spot, N unused). The release (the one edit) is timed once.

``--scroll``: instead, the scrolling an orchestral QA timed: 5 tracks active (the others
drawn faint behind them), 16 bars on screen, the wheel's steps (a tenth of the width in
time, three rows in pitch) one after another, each followed by a synchronous repaint of
the piano roll (ruler, keyboard, canvas, velocity lane) and of whatever else in the window
it marked dirty (the arrangement's view box); milliseconds per step, wall clock and the
GUI thread's CPU time (the figure to compare on a busy machine; the best run by it).

Figures only, no targets: the machine is shared, so compare runs made together.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "midi-real" / "openmsx-1.mid"
BAR = 1920  # ticks of a 4/4 bar at 480 PPQ


def big_song():
    """170 bars of 11 tracks: openmsx-1.mid twice over (a random stand-in without it)."""
    from engine.score import Note, Song, Track

    if REAL.exists():
        from engine.io import read_midi

        song = read_midi(REAL)
        shift = -(-song.end // (4 * song.ppq)) * 4 * song.ppq  # to the next 4/4 bar line
        tracks = [t.with_notes([*t.notes, *(Note(n.pitch, n.start + shift, n.duration,
                                                 n.velocity) for n in t.notes)])
                  for t in song.tracks]
        return song.with_tracks(tracks)
    rng = random.Random(3)
    tracks = []
    for t in range(11):
        notes = [Note(40 + 3 * t + rng.randrange(24), 120 * rng.randrange(170 * 16),
                      120 * rng.choice((1, 2, 4)), rng.randrange(40, 127))
                 for _ in range(1108)]
        tracks.append(Track(name=f"Part {t + 1}", channel=t, notes=tuple(notes)))
    return Song(tracks=tuple(tracks), ppq=480)


class Bench:
    def __init__(self, win, moves: int) -> None:
        from studio.app import create_app

        self.app = create_app()
        self.win = win
        self.song = big_song()
        win.set_song(self.song)
        win.resize(1600, 1000)
        win.show()
        self.settle()
        self.moves = moves
        self.bars = 32
        self.roll = win.pianoroll
        win.selection.set_tracks([t.id for t in self.song.tracks])
        self.settle()

    def show_bars(self, bars: int) -> None:
        """Zoom so ``bars`` bars fill the canvas."""
        self.bars = bars
        self.roll.viewport.fit_ticks(0, bars * BAR)
        self.settle()

    def settle(self) -> None:
        for _ in range(10):
            self.app.processEvents()

    def select_first(self, count: int) -> tuple[int, object]:
        """Select the first ``count`` notes by onset; returns the one to grab: a selected
        note on screen, long enough to grab by its body and its right edge."""
        song = self.win.document.song
        ordered = sorted(((n.start, t.id, n) for t in song.tracks for n in t.notes),
                         key=lambda x: (x[0], x[1]))[:count]
        self.win.selection.set_notes([(tid, n.id) for _, tid, n in ordered])
        vp = self.roll.viewport
        wide = [(tid, n) for _, tid, n in ordered if n.duration * vp.px_per_tick >= 20
                and n.start >= 2 * BAR] or [(tid, n) for _, tid, n in ordered]
        tid, note = wide[len(wide) // 2]
        # Rows with the note in the middle of the canvas: it can move up and down.
        vp.center_on_pitches(note.pitch, note.pitch)
        vp.set_left(max(0, note.start - self.bars // 4 * BAR))
        self.settle()
        return tid, note

    def gesture(self, kind: str, count: int, profile: bool = False) -> dict[str, float]:
        from PySide6.QtCore import QEvent, QPointF, Qt
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        canvas, vp = self.roll.canvas, self.roll.viewport
        if kind == "rubber":
            self.win.selection.clear_notes()
            vp.center_on_pitches(60, 60)
            vp.set_left(8 * BAR)
            self.settle()
            start = QPointF(5, 5)
            step = QPointF(6, 3)
        else:
            _, note = self.select_first(count)
            y = vp.pitch_to_y(note.pitch) + vp.key_h / 2
            x = (vp.tick_to_x(note.end) - 2 if kind == "resize"
                 else vp.tick_to_x(note.start) + min(8.0, note.duration * vp.px_per_tick / 3))
            start = QPointF(x, y)
            step = QPointF(3, 0) if kind == "resize" else QPointF(3, 0.5)
        left = Qt.MouseButton.LeftButton

        def send(event_type, at: QPointF, button, buttons) -> None:
            QApplication.sendEvent(canvas, QMouseEvent(
                event_type, at, canvas.mapToGlobal(at), button, buttons,
                Qt.KeyboardModifier.NoModifier))

        send(QEvent.Type.MouseButtonPress, start, left, left)
        self.settle()
        events, frames = [], []
        prof = cProfile.Profile() if profile else None
        for i in range(1, self.moves + 1):
            at = start + step * i
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            send(QEvent.Type.MouseMove, at, Qt.MouseButton.NoButton, left)
            t1 = time.perf_counter()
            self.app.processEvents()  # the repaints the move asked for
            if prof:
                prof.disable()
            t2 = time.perf_counter()
            events.append(t1 - t0)
            frames.append(t2 - t0)
        drag = canvas.drag
        assert drag is not None and drag.started, "the gesture never became a drag"
        t0 = time.perf_counter()
        send(QEvent.Type.MouseButtonRelease, start + step * self.moves, left,
             Qt.MouseButton.NoButton)
        self.app.processEvents()
        release = time.perf_counter() - t0
        if kind != "rubber" and self.win.document.undo_stack.canUndo():
            self.win.document.undo_stack.undo()  # the next gesture sees the same song
        self.settle()
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return {"event": 1000 * statistics.median(events),
                "frame": 1000 * statistics.median(frames),
                "worst": 1000 * max(frames), "release": 1000 * release}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="mouse moves per gesture")
    parser.add_argument("--selected", default="1,100,2000,all",
                        help="notes selected, comma list (all: every note)")
    parser.add_argument("--bars", default="32,170", help="bars on screen, comma list")
    parser.add_argument("--repeat", type=int, default=3, help="runs per gesture (best kept)")
    parser.add_argument("--scroll", action="store_true",
                        help="time scrolling (5 tracks active, 16 bars) instead of gestures")
    parser.add_argument("--profile", metavar="KIND:N",
                        help="cProfile one gesture (e.g. move:2000) instead of the table")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from studio.app import create_app, scratch_window

    create_app()
    with scratch_window("partita-bench-") as win:
        bench = Bench(win, args.moves)
        return scroll(bench, args) if args.scroll else run(bench, args)


def scroll(bench: Bench, args: argparse.Namespace) -> int:
    """Wheel steps through the song, 5 tracks active and 16 bars on screen."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    song, roll, win = bench.song, bench.roll, bench.win
    win.selection.set_tracks([t.id for t in song.tracks[:5]])
    bench.show_bars(16)
    vp = roll.viewport
    vp.center_on_pitches(60, 72)
    bench.settle()
    print(f"Piano-roll scrolling (Qt platform: {os.environ['QT_QPA_PLATFORM']}); song: "
          f"{song.note_count:,} notes, {len(song.tracks)} tracks (5 active), 16 bars on a "
          f"{roll.canvas.width()}x{roll.canvas.height()} px canvas; {args.moves} wheel steps "
          f"a run, best of {args.repeat}")
    print(f"  {'direction':<10} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'frames/s':>9} "
          f"{'CPU p50':>9} {'CPU max':>8}")
    for direction in ("time", "pitch"):
        runs = []
        prof = cProfile.Profile(time.thread_time) if args.profile else None  # CPU time
        for _ in range(args.repeat):
            vp.set_left(0)
            vp.center_on_pitches(60, 72)
            bench.settle()
            times, cpu = [], []
            for i in range(args.moves):
                t0, c0 = time.perf_counter(), time.thread_time()
                if prof:
                    prof.enable()
                # Shift+wheel: later in time; the wheel: down (back up every 10 steps).
                down = -120 if direction == "time" or (i // 10) % 2 == 0 else 120
                roll.canvas.wheelEvent(QWheelEvent(
                    QPointF(300, 200), QPointF(300, 200), QPoint(0, 0), QPoint(0, down),
                    Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.ShiftModifier if direction == "time"
                    else Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
                roll.repaint()
                if prof:
                    prof.disable()
                times.append(1000 * (time.perf_counter() - t0))
                cpu.append(1000 * (time.thread_time() - c0))
            runs.append((sorted(times), sorted(cpu)))
        best, cpu = min(runs, key=lambda r: statistics.median(r[1]))
        med = statistics.median(best)
        print(f"  {direction:<10} {med:10.2f} {best[int(0.9 * (len(best) - 1))]:8.2f} "
              f"{best[-1]:8.1f} {1000 / med:9.0f} {statistics.median(cpu):9.2f} "
              f"{cpu[-1]:8.1f}")
        if prof:
            stats = pstats.Stats(prof).sort_stats("tottime")
            stats.print_stats(25)
    return 0


def run(bench: Bench, args: argparse.Namespace) -> int:
    song = bench.song
    canvas = bench.roll.canvas
    print(f"Piano-roll gestures (Qt platform: {os.environ['QT_QPA_PLATFORM']}); song: "
          f"{song.note_count:,} notes, {len(song.tracks)} tracks, "
          f"{bench.win.document.time_map.bar_count(song.end)} bars; canvas "
          f"{canvas.width()}x{canvas.height()} px; {args.moves} moves, median of each "
          f"gesture, best of {args.repeat}")

    def count(text: str) -> int:
        return song.note_count if text == "all" else int(text)

    bars = [int(b) for b in args.bars.split(",")]
    if args.profile:
        kind, _, n = args.profile.partition(":")
        bench.show_bars(bars[0])
        bench.gesture(kind, count(n or "1"), profile=True)
        return 0
    print(f"  {'bars':>4} {'gesture':<8} {'selected':>8} {'event ms':>9} {'frame ms':>9} "
          f"{'frames/s':>9} {'worst ms':>9} {'release ms':>10}")
    selected = [count(n) for n in args.selected.split(",")]
    for shown in bars:
        bench.show_bars(shown)
        plan = [("move", n) for n in selected] + [("resize", n) for n in selected]
        for kind, n in [*plan, ("rubber", 0)]:
            runs = [bench.gesture(kind, n) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["frame"])
            print(f"  {shown:>4} {kind:<8} {n:>8,} {min(r['event'] for r in runs):9.2f} "
                  f"{best['frame']:9.2f} {1000 / best['frame']:9.0f} {best['worst']:9.1f} "
                  f"{min(r['release'] for r in runs):10.1f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
