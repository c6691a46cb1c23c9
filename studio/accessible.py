"""Names screen readers say for controls a visible label does not name."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget


def set_name(widget: QWidget, name: str) -> None:
    """Name ``widget`` for screen readers. A list (combo box) also gets a hidden label for
    it: on Linux Qt says a list's value as its name and takes the name from a label's
    relation (AT-SPI's labelled-by), so the instrument list of Drums was read as "Drum Kit
    (GM)", not "Instrument of Drums"."""
    widget.setAccessibleName(name)
    if not isinstance(widget, QComboBox):
        return
    label = widget.property("accessibleLabel")
    if not isinstance(label, QLabel):
        label = QLabel(widget.parentWidget())
        label.hide()
        label.setBuddy(widget)
        widget.setProperty("accessibleLabel", label)
    label.setText(name)
