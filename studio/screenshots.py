"""Screenshots of co-composition for the docs: the mask, then the takes of a real model.

``.venv/bin/python -m studio.screenshots [--out docs/images] [--model NAME]`` (run under
``xvfb-run -a -s "-screen 0 1600x1000x24"`` on a machine without a display) opens the
demo song, masks four bars of the lead, runs Repaint with the default model (three
takes), and writes ``mask.png`` (the mask, the jobs running) and ``takes.png`` (take B
previewed over the score). User settings are not touched.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from engine.resources import shipped

DEMO = shipped("assets", "demo", "demo.mid")


def _wait(app, until, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            return True
        time.sleep(0.02)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.screenshots")
    parser.add_argument("--out", default="docs/images",
                        help="folder for studio.png, mask.png, takes.png")
    parser.add_argument("--model", default=None, help="model name (default: the default one)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for takes")
    args = parser.parse_args(argv)

    from .app import SCREENSHOT_SIZE, create_app, scratch_window

    app = create_app()
    with scratch_window("partita-shots-") as win:
        win.resize(*SCREENSHOT_SIZE)
        win.open_path(DEMO, ask=False)
        win.show()
        return _shoot(app, win, Path(args.out), args)


def _shoot(app, win, out: Path, args: argparse.Namespace) -> int:
    """Grab the demo open, then mask four bars of the demo's lead, ask for takes, and grab
    the window twice more."""
    from engine.score import Mask, Region

    from .pianoroll import Tool

    out.mkdir(parents=True, exist_ok=True)
    app.processEvents()

    song = win.document.song
    tm = win.document.time_map
    lead = next(t for t in song.tracks if t.name == "Lead")
    win.selection.set_tracks([lead.id])
    # The README's picture: the demo open, the Lead's first verse in the roll.
    win.pianoroll.viewport.fit_ticks(tm.bar_to_tick(4), tm.bar_to_tick(16))
    win.pianoroll.center_on_notes()
    _wait(app, lambda: False, 0.3)
    win.grab().save(str(out / "studio.png"), "PNG")
    print(f"Wrote {out / 'studio.png'}")
    win.pianoroll.set_tool(Tool.MASK)
    first, last = 8, 12  # bars 9–12
    win.document.set_mask(Mask.of(Region({lead.id}, tm.bar_to_tick(first),
                                         tm.bar_to_tick(last))), "Paint mask")
    win.pianoroll.viewport.fit_ticks(tm.bar_to_tick(first - 3), tm.bar_to_tick(last + 3))
    win.pianoroll.center_on_notes()
    win.transport.seek(tm.bar_to_tick(first))
    if not _wait(app, lambda: win.catalog.loaded, 60):
        print("error: models did not load", file=sys.stderr)
        return 1
    panel = win.generate_panel
    if args.model and not panel.set_model(args.model):
        print(f"error: no usable model {args.model!r}", file=sys.stderr)
        return 1
    panel.variations.setValue(3)
    panel.seed.setValue(2024)
    jobs = win.composer.request("repaint")
    if not jobs:
        print(f"error: {win.statusBar().currentMessage()}", file=sys.stderr)
        return 1
    _wait(app, lambda: any(r.bar.value() > 0 for r in win.jobs_panel.rows.values()), 60)
    _wait(app, lambda: False, 0.3)
    win.grab().save(str(out / "mask.png"), "PNG")
    print(f"Wrote {out / 'mask.png'}")

    if not _wait(app, lambda: (s := win.composer.active_set()) is not None and len(s) >= 3
                 and not win.jobs_panel.running(), args.timeout):
        print("error: the takes did not arrive in time", file=sys.stderr)
        return 1
    win.composer.select(1)  # take B
    win.pianoroll.set_tool(Tool.SELECT)
    _wait(app, lambda: False, 0.3)
    win.grab().save(str(out / "takes.png"), "PNG")
    print(f"Wrote {out / 'takes.png'}")
    return 0  # scratch_window lets the takes go: they were only for the picture


if __name__ == "__main__":
    raise SystemExit(main())
