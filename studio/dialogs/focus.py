"""The keyboard focus goes back where it was when a modal question closes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

P = ParamSpec("P")
R = TypeVar("R")


def _alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget) and widget.isVisible()


def returns_focus(ask: Callable[P, R]) -> Callable[P, R]:
    """``ask`` (a function that runs a modal dialog), giving the focus back to the widget
    that had it once the dialog closes, its window active again: QA (offscreen) found the
    window inactive and nothing focused after the Harmonize question, so 1–3, Space and
    Enter did nothing until the window was clicked. Window managers usually reactivate
    the parent, but do not always, and never put the focus back inside it themselves."""

    @functools.wraps(ask)
    def asking(*args: P.args, **kwargs: P.kwargs) -> R:
        parent = args[0] if args and isinstance(args[0], QWidget) else None
        back = focus_now(parent)
        try:
            return ask(*args, **kwargs)
        finally:
            back()

    return asking


def focus_now(fallback: QWidget | None = None) -> Callable[[], None]:
    """Where the keys are now: call the result to give them back there (the window made
    active again, the widget focused) once a dialog has closed — a question's
    (:func:`returns_focus`) or a progress window's (``ProgressJob``). Where no window is
    active now, or the one that is has closed by then (a message box opened as a
    progress window closed: QA found no window active after Export Audio & Stems' "Export
    finished"), ``fallback``'s window gets them back, at the widget it last focused."""
    window, had = QApplication.activeWindow(), QApplication.focusWidget()

    def back() -> None:
        target, widget = window, had
        if not _alive(target) and fallback is not None and shiboken6.isValid(fallback):
            target = fallback.window()
            widget = target.focusWidget() if _alive(target) else None
        if _alive(target):
            target.activateWindow()
            if _alive(widget) and widget.isEnabled() and widget.window() is target:
                widget.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    return back
