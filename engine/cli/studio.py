"""``partita studio [SONG] [--screenshot PNG]``: open the piano-roll studio.

The engine never imports Qt: the studio package is imported only when this command runs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .common import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "studio",
        help="open the studio (piano roll, tracks, playback)",
        description="Open the Partita studio, optionally with a song (.partita, MIDI or a "
                    "MusicXML score).",
    )
    p.add_argument("song", nargs="?", type=Path,
                   help="a .partita project, a MIDI file or a MusicXML score")
    p.add_argument("--screenshot", type=Path, metavar="PNG",
                   help="render the window to PNG after the song loads, then exit")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    # A script's screenshot wants the one-line error; the interactive studio opens its
    # window and says it in a dialog instead (a desktop launcher has no terminal, so a
    # stale Recent entry or a file on an unmounted drive showed nothing at all).
    if args.screenshot is not None and args.song is not None and not args.song.exists():
        raise CliError(f"{args.song}: no such file")
    if args.screenshot is not None:
        check_screenshot(args.screenshot, args.song)
    if not _has_display():
        if args.screenshot is None:  # Qt would abort with a misleading xcb message
            raise CliError("no display to open the studio on (DISPLAY and WAYLAND_DISPLAY "
                           "are unset): run it under a virtual screen, `xvfb-run -a "
                           "partita studio`")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    try:
        from studio.app import run
    except ImportError as e:  # PySide6 missing, or its system libraries
        raise CliError(f"the studio cannot start: {e} (run `make setup`)") from e
    return run(args.song, str(args.screenshot) if args.screenshot else None)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_screenshot(out: Path, song: Path | None) -> None:
    """Refuse, before the window opens, a ``--screenshot`` path that would destroy
    something: a name that is not ``.png``, the song itself, an existing file that is not
    a PNG (only an earlier screenshot is replaced, as ``convert`` replaces its output),
    a folder, or a file whose write permission is off (QA: ``--screenshot victim.partita``
    replaced the project with a PNG without a word)."""
    from engine.io import same_file
    from engine.io.atomic import refuse_read_only

    if out.suffix.lower() != ".png":
        raise CliError(f"{out}: --screenshot writes a PNG: give a .png file name")
    if song is not None and same_file(song, out):
        raise CliError(f"{out}: refusing to overwrite the song with its screenshot")
    if out.is_dir():
        raise CliError(f"{out}: is a folder, not a file")
    if out.exists():
        try:
            with open(out, "rb") as f:
                head = f.read(len(PNG_SIGNATURE))
        except OSError as e:
            raise CliError(f"{out}: cannot read it to check it is a PNG: "
                           f"{e.strerror or e}") from None
        if head != PNG_SIGNATURE:
            raise CliError(f"{out}: exists and is not a PNG: refusing to replace it with "
                           "a screenshot (choose another name)")
    try:
        refuse_read_only(out)
    except PermissionError as e:
        raise CliError(f"{out}: {e.strerror}") from None


def _has_display() -> bool:
    """A screen Qt can open a window on (or a platform chosen on purpose, e.g. offscreen)."""
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
