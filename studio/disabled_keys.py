"""The key of a greyed command says why it does nothing.

A disabled QAction's shortcut does nothing at all: Ctrl+Enter, Ctrl+Backspace, ] and 0 with
no take on screen said nothing, so a keyboard (or screen-reader) user could not tell a key
that missed from a command that could not run (keyboard QA). The menu item stays greyed —
the menus stay honest — while a stand-in with the same keys, live only while the action is
disabled, says why in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget


def say_why_when_disabled(window: QWidget, action: QAction, why: Callable[[], str],
                          say: Callable[[str], None]) -> QAction:
    """A stand-in for ``action`` in ``window``: its keys (followed as they change: step
    entry lends 0 to its rest), enabled only while ``action`` is not (a disabled action's
    key is no rival to an enabled one's, so the two never clash), saying ``why()``."""
    stand_in = QAction(window)
    stand_in.setObjectName(f"{action.objectName()}_why")
    stand_in.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    stand_in.triggered.connect(lambda _checked=False: say(why()))
    window.addAction(stand_in)

    def follow() -> None:
        if stand_in.shortcuts() != action.shortcuts():
            stand_in.setShortcuts(action.shortcuts())
        stand_in.setEnabled(not action.isEnabled())

    action.changed.connect(follow)
    follow()
    return stand_in
