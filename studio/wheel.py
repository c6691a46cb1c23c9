"""The mouse wheel over a scrolled list or panel scrolls it, as in a DAW.

Passing over a list, a number field or a fader on the way must not change it: one notch
over the track list changed a program, one over the Generate panel its model, key,
precision, steps or temperature, each silently. A control takes the wheel only while it
has the keyboard focus (tabbed to or typed in: the user is working with it); otherwise
the wheel goes to the scroll area around it. The track list and the Generate panel share
:class:`WheelScrolls`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

NO_WHEEL_FOCUS = Qt.FocusPolicy.WheelFocus.value & ~Qt.FocusPolicy.StrongFocus.value


def _scroll_area(w: QWidget) -> QAbstractScrollArea | None:
    """The scroll area ``w`` is scrolled in (its viewport holds it), if any."""
    parent = w.parentWidget()
    while parent is not None and not w.isWindow():
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(w):
            return parent
        w, parent = parent, parent.parentWidget()
    return None


class WheelScrolls(QObject):
    """An event filter for the controls of a scrolled list or panel (see the module);
    removed with its owner, as its child."""

    def watch(self, *controls: QWidget) -> None:
        for w in controls:
            # A spin box or a list took the focus from the wheel itself (a real wheel
            # turn focuses before it is delivered): the wheel alone never focuses them.
            policy = w.focusPolicy().value
            if policy & NO_WHEEL_FOCUS:
                w.setFocusPolicy(Qt.FocusPolicy(policy & ~NO_WHEEL_FOCUS))
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget)
                or watched.hasFocus()):
            return False
        area = _scroll_area(watched)
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)
        return True
