"""The layout the small form dialogs share: an explanation, the fields, OK / Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget


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
