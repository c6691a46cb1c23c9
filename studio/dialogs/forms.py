"""The layout the small form dialogs share: an explanation, the fields, OK / Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)


class _SelectOnFocus(QObject):
    """A number field selects its text when it gets the focus from the keyboard or as the
    dialog opens, as on Tab: typing "5" in a dialog that opened on "1" replaced nothing
    (the field kept 1; a tempo of 104 became "0104.0 BPM"). A click still places the
    cursor."""

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if (e.type() == QEvent.Type.FocusIn and isinstance(obj, QAbstractSpinBox)
                and isinstance(e, QFocusEvent)
                and e.reason() != Qt.FocusReason.MouseFocusReason):
            QTimer.singleShot(0, obj.selectAll)  # after the field's own focus handling
        return False


class _GrowToFit(QObject):
    """The dialog grows taller when a wrapped line below the form (an error naming what
    was meant) needs more lines than it had: a top-level window does not follow its
    labels' height-for-width by itself, and the second line was cut off."""

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if e.type() == QEvent.Type.LayoutRequest and isinstance(obj, QDialog):
            QTimer.singleShot(0, obj, lambda: _grow(obj))  # once the layout has the text
        return False


def _grow(dialog: QDialog) -> None:
    needed = dialog.heightForWidth(dialog.width())
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


def lay_out_form(dialog: QDialog, text: QWidget, form: QFormLayout,
                 below: Sequence[QWidget] = (),
                 on_ok: Callable[[], None] | None = None) -> None:
    """``text`` above ``form``, then ``below`` (an error line …), then OK / Cancel; OK runs
    ``on_ok`` (a check before accepting) or accepts."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(on_ok or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addLayout(form)
    for widget in below:
        layout.addWidget(widget)
    layout.addWidget(buttons)
    dialog.installEventFilter(_GrowToFit(dialog))
    selecting = _SelectOnFocus(dialog)
    for spin in dialog.findChildren(QAbstractSpinBox):
        spin.installEventFilter(selecting)
