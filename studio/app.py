"""Application setup and the studio's entry point (``partita studio``)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

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


def run(song: str | os.PathLike[str] | None = None, screenshot: str | None = None) -> int:
    """Open the studio (optionally with ``song``) and run until the window closes.

    With ``screenshot``, the window is rendered to that PNG once the song has loaded and
    the app exits: no dialogs are shown, user settings are not touched, and a bad song
    raises the engine's error (the CLI prints it as one line).
    """
    from PySide6.QtCore import QTimer

    from .mainwindow import MainWindow
    from .settings import Settings

    app = create_app()
    if screenshot:
        if song is not None:
            from engine.io import load_song

            load_song(song)  # fail early, with the engine's message, before any window
        tmp = tempfile.TemporaryDirectory(prefix="partita-shot-")
        from engine.io import RecoveryStore

        win = MainWindow(Settings(Path(tmp.name) / "settings.ini"),
                         RecoveryStore(Path(tmp.name) / "recovery"))
        win.resize(*SCREENSHOT_SIZE)
    else:
        win = MainWindow()
    if song is not None:
        win.open_path(song, ask=False, notices=not screenshot)
    win.show()
    # The status bar's device name or "off"; the synth then loads, the window painted first.
    QTimer.singleShot(0, win.transport.check_audio)
    if not screenshot:
        QTimer.singleShot(PREPARE_AFTER_MS, win.transport.prepare)
    if screenshot:
        out = Path(screenshot)
        result = {"ok": False}

        def shoot() -> None:
            out.parent.mkdir(parents=True, exist_ok=True)
            result["ok"] = win.grab().save(str(out), "PNG")
            win.document.undo_stack.setClean()
            win.close()
            app.quit()

        QTimer.singleShot(400, shoot)
        app.exec()
        # The window's settings are written now, not when Python tears it down (that
        # wrote settings.ini into the removed folder, leaving it in /tmp every run).
        win.settings.sync()
        del win
        tmp.cleanup()
        if not result["ok"]:
            print(f"partita: error: could not write {out}", file=sys.stderr)
            return 1
        print(f"Wrote {out}")
        return 0
    QTimer.singleShot(0, win.offer_recovery)
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    """``python -m studio.app [SONG] [--screenshot PNG]``; ``partita studio`` is the same."""
    from engine.cli import main as cli_main

    return cli_main(["studio", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
