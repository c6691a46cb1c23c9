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
        back = focus_now()
        try:
            return ask(*args, **kwargs)
        finally:
            back()

    return asking


def focus_now() -> Callable[[], None]:
    """Where the keys are now: call the result to give them back there (the window made
    active again, the widget focused) once a dialog has closed — a question's
    (:func:`returns_focus`) or a progress window's (``ProgressJob``)."""
    window, had = QApplication.activeWindow(), QApplication.focusWidget()

    def back() -> None:
        if _alive(window):
            window.activateWindow()
            if _alive(had) and had.isEnabled() and had.window() is window:
                had.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    return back
