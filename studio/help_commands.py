"""Help ▸ Open Demo Song, User Guide and About: the shipped demo song and user guide,
found as :mod:`engine.resources` finds them (the checkout's ``assets/`` and ``docs/``, or
the copies an installed wheel carries)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from engine.resources import shipped

from . import dialogs

if TYPE_CHECKING:
    from .mainwindow import MainWindow

DEMO_SONG = shipped("assets", "demo", "demo.mid")
USER_GUIDE = shipped("docs", "studio.md")
GUIDE_ELSEWHERE = ("docs/studio.md in Partita's source (the repository or its sdist); "
                   "this install does not include it")


def user_guide() -> Path | None:
    """The user guide's file, None where this install lacks it."""
    return USER_GUIDE if USER_GUIDE.is_file() else None


def guide_text() -> str:
    """Where the user guide is, for About: never a bare relative path."""
    return "Help ▸ User Guide" + (f" ({path})" if (path := user_guide()) else
                                  f": {GUIDE_ELSEWHERE}")


def open_demo(win: MainWindow) -> bool:
    """Open the demo song that ships with Partita (asking first about unsaved work)."""
    return win.open_path(DEMO_SONG)


def show_user_guide(win: MainWindow) -> None:
    path = user_guide()
    if path is None:
        dialogs.show_info(win, "User Guide", f"The user guide is {GUIDE_ELSEWHERE}. "
                          "Help ▸ Keyboard Shortcuts (F1) lists every key and gesture.")
        return
    dialogs.show_user_guide(win, path)
