"""Names screen readers say for controls a visible label does not name, and what they are
told as it happens."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QComboBox, QLabel, QWidget


def set_name(widget: QWidget, name: str, label: QLabel | None = None) -> None:
    """Name ``widget`` for screen readers. A list (combo box) also gets a label for it:
    on Linux Qt says a list's value as its name and takes the name from a label's relation
    (AT-SPI's labelled-by), so the instrument list of Drums was read as "Drum Kit (GM)",
    not "Instrument of Drums". ``label``: the visible one of its row (its Alt letter's),
    made its buddy, so the list is labelled once; else a hidden one is made."""
    widget.setAccessibleName(name)
    if not isinstance(widget, QComboBox):
        return
    if label is not None:
        label.setBuddy(widget)
        return
    label = widget.property("accessibleLabel")
    if not isinstance(label, QLabel):
        label = QLabel(widget.parentWidget())
        label.hide()
        label.setBuddy(widget)
        widget.setProperty("accessibleLabel", label)
    label.setText(name)


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say ``text`` now, for ``widget`` (the one with the focus): a
    status bar message is shown, not said, and a painted view (the piano roll) has no
    text of its own to read out."""
    QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))
