"""Application setup and the studio's entry point (``partita studio``)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mainwindow import MainWindow

SCREENSHOT_SIZE = (1600, 1000)
PREPARE_AFTER_MS = 300  # the synth loads this long after the window shows (it is painted)


def create_app(argv: list[str] | None = None):
    """The QApplication (created once), themed."""
    from PySide6.QtWidgets import QApplication

    from .theme import apply_theme

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Partita")
        app.setOrganizationName("Partita")
        app.setApplicationDisplayName("Partita")
        app.setDesktopFileName("partita")
        apply_theme(app)
    return app


@contextlib.contextmanager
def scratch_window(prefix: str = "partita-scratch-") -> Iterator[MainWindow]:
    """A main window whose settings and autosaves live in a temporary folder, for a
    screenshot or a benchmark: the user's own are never read or touched. On the way out
    the window is closed without questions (its edits and takes let go), its settings
    written, and the folder removed — written later, when Python tears the window down,
    they made the folder again, leaving one in /tmp per run."""
    from engine.io import RecoveryStore

    from .mainwindow import MainWindow
    from .settings import Settings

    create_app()
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    win = MainWindow(Settings(Path(tmp.name) / "settings.ini"),
                     RecoveryStore(Path(tmp.name) / "recovery"))
    try:
        yield win
    finally:
        win.document.undo_stack.setClean()
        win.composer.reset()
        win.close()
        win.settings.sync()
        tmp.cleanup()


def run(song: str | os.PathLike[str] | None = None, screenshot: str | None = None) -> int:
    """Open the studio (optionally with ``song``) and run until the window closes.

    With ``screenshot``, the window is rendered to that PNG once the song has loaded and
    the app exits: no dialogs are shown, user settings are not touched, and a bad song
    raises the engine's error (the CLI prints it as one line).
    """
    from PySide6.QtCore import QTimer

    from .mainwindow import MainWindow

    app = create_app()
    if screenshot:
        if song is not None:
            from engine.io import load_song

            load_song(song)  # fail early, with the engine's message, before any window
        return _screenshot(song, Path(screenshot))
    from .logfile import start_log

    start_log()  # a desktop launch has no terminal: errors go to a file (never fails)
    win = MainWindow()
    win.show()
    # The status bar's device name or "off"; the synth then loads, the window painted first.
    QTimer.singleShot(0, win.transport.check_audio)
    QTimer.singleShot(PREPARE_AFTER_MS, win.transport.prepare)
    QTimer.singleShot(PREPARE_AFTER_MS, win.midi.prepare)  # (after it: the same timeout)
    if song is None:
        QTimer.singleShot(0, win.offer_recovery)
    else:  # read behind the window (a big score takes seconds), then the recovery offer
        QTimer.singleShot(0, lambda: win.open_in_background(song, ask=False,
                                                            then=win.offer_recovery))
    return app.exec()


def _screenshot(song: str | os.PathLike[str] | None, out: Path) -> int:
    """``partita studio [SONG] --screenshot PNG``: the window with ``song``, as a PNG."""
    from PySide6.QtCore import QTimer

    app = create_app()
    ok = False
    with scratch_window("partita-shot-") as win:
        win.resize(*SCREENSHOT_SIZE)
        if song is not None:
            win.open_path(song, ask=False, notices=False)
        win.show()
        QTimer.singleShot(0, win.transport.check_audio)

        def shoot() -> None:
            nonlocal ok
            out.parent.mkdir(parents=True, exist_ok=True)
            ok = win.grab().save(str(out), "PNG")
            app.quit()

        QTimer.singleShot(400, shoot)
        app.exec()
    if not ok:
        print(f"partita: error: could not write {out}", file=sys.stderr)
        return 1
    print(f"Wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m studio.app [SONG] [--screenshot PNG]``; ``partita studio`` is the same."""
    from engine.cli import main as cli_main

    return cli_main(["studio", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
