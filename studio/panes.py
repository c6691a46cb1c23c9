"""F6 / Shift+F6: the keyboard focus from pane to pane (as in a DAW or a file manager).

The panes, in this order and round again: the piano roll, the track list, the arrangement,
the takes bar, the Generate panel and the Jobs panel. A closed dock is passed over. Tab
went control by control: from the Generate panel back to the piano roll took 11 presses
(keyboard QA); Esc in the Generate panel goes back to the piano roll at once
(:class:`EscapeToNotes`, the panel's own: the window's Esc is Select None). A panel shown
by *View ▸ Generate / Jobs* (Ctrl+Alt+G / J) takes the focus, and hidden gives it back to
the piano roll (:meth:`Panes.dock_toggled`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from .mainwindow import MainWindow


def first_tab_stop(root: QWidget) -> QWidget | None:
    """The first control under ``root`` that Tab reaches (shown and enabled), or None."""
    w = root.nextInFocusChain()
    for _ in range(len(root.window().findChildren(QWidget)) + 1):
        if w is root:
            return None
        if (root.isAncestorOf(w) and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                and w.isVisible() and w.isEnabled()):
            return w
        w = w.nextInFocusChain()
    return None


class EscapeToNotes(QObject):
    """Esc anywhere in a dock (the Generate panel): the keys back to the piano roll, the
    selection and mask kept. Caught as the dock's own key (its ShortcutOverride), before
    the window's Esc, Select None: that one stays what it is, from the menu too (it had
    only moved the focus while the panel had it)."""

    def __init__(self, dock: QWidget, back: QWidget) -> None:
        super().__init__(dock)
        self.back = back
        dock.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if (event.type() not in kinds or not isinstance(event, QKeyEvent)
                or event.key() != Qt.Key.Key_Escape
                or event.modifiers() != Qt.KeyboardModifier.NoModifier):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # a key of the panel's: it comes as a key press, not a shortcut
        else:  # no control in the panel took it (an open list's popup would)
            self.back.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True


class Panes:
    """The window's panes and where the focus lands in each."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.escape = EscapeToNotes(window.generate_dock, window.pianoroll.canvas)

    def roots(self) -> list[QWidget]:
        w = self.window
        return [w.pianoroll, w.tracklist, w.arrangement, w.takes_bar, w.generate_dock,
                w.jobs_dock]

    def target(self, root: QWidget) -> QWidget | None:
        """The widget of ``root`` that takes the focus: the piano roll's notes, the pane
        itself for the track list, arrangement and takes bar (their keys are its own or
        the window's), Repaint in the Generate panel, a panel's first control else."""
        w = self.window
        if root is w.pianoroll:
            return w.pianoroll.canvas
        if root in (w.tracklist, w.arrangement, w.takes_bar):
            return root
        repaint = w.generate_panel.buttons["repaint"]
        if root is w.generate_dock and repaint.isVisible() and repaint.isEnabled():
            return repaint
        return first_tab_stop(root)

    def current(self) -> int | None:
        """The index of the pane holding the focus, or None (the toolbar, nothing)."""
        focus = QApplication.focusWidget()
        if focus is None:
            return None
        return next((i for i, root in enumerate(self.roots())
                     if focus is root or root.isAncestorOf(focus)), None)

    def dock_toggled(self, dock: QWidget, shown: bool) -> None:
        """*View ▸ Generate / Jobs* (Ctrl+Alt+G / J) showed or hid ``dock``: the keys go to
        it as F6 would take them there (the focus stayed where it was: a keyboard user then
        had to F6 round to the panel just asked for), or, hidden, back to the piano roll."""
        target = self.target(dock) if shown else None
        (target or self.window.pianoroll.canvas).setFocus(Qt.FocusReason.ShortcutFocusReason)

    def step(self, step: int) -> None:
        """Give the focus to the next pane (``step`` 1) or the previous one (-1); from
        outside every pane, to the piano roll."""
        roots = self.roots()
        i = self.current()
        if i is None:
            i = -step  # the piano roll comes first
        for _ in range(len(roots)):
            i = (i + step) % len(roots)
            if not roots[i].isVisible():
                continue
            target = self.target(roots[i])
            if target is not None:
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
