"""What a control looks like tells its state: an error line is read whole, a disabled
field looks disabled, and a hovered box does not look focused (QA from a songwriter who
used only the GUI)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QDialog, QVBoxLayout

from studio import theme


@pytest.fixture
def themed(qapp):
    """The studio's real style sheet (the test window is otherwise unthemed)."""
    old = qapp.styleSheet()
    qapp.setStyleSheet(theme.STYLE_SHEET)
    yield
    qapp.setStyleSheet(old)


def colours(widget) -> set[int]:
    image = widget.grab().toImage()
    return {QColor(image.pixel(x, y)).rgb() for x in range(image.width())
            for y in range(image.height())}


def test_a_long_instrument_error_is_shown_whole(themed, qtbot):
    from studio.dialogs.generation import InstrumentsDialog

    dialog = InstrumentsDialog(None, "Harmonize", "Instruments to add", "Stings", None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._check()  # OK pressed on a misspelt instrument
    assert dialog.isVisible() and "did you mean" in dialog.error.text()
    error = dialog.error
    # Every line of it on screen: as wide as the label (wrapped), and the dialog grown
    # tall enough for the lines that takes.
    one_line = error.fontMetrics().horizontalAdvance(error.text())
    assert one_line > error.width()  # the message is longer than the dialog is wide
    assert error.wordWrap()
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()),
                    timeout=2000)
    assert error.heightForWidth(error.width()) >= 2 * error.fontMetrics().lineSpacing()
    assert error.geometry().bottom() < dialog.height()


def test_a_disabled_field_looks_disabled(themed, qtbot):
    """The Export dialog's Fixed gain box while Automatic headroom is chosen."""
    from studio.dialogs.export_options import ExportAudioDialog

    dialog = ExportAudioDialog(None, "/tmp", 48000, "", level="normalise", gain_db=-6.0)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.gain.isEnabled()
    live_text = theme.TEXT.rgb()
    assert live_text not in colours(dialog.gain)
    dialog.level.setCurrentIndex(dialog.level.findData("fixed"))
    assert dialog.gain.isEnabled() and live_text in colours(dialog.gain)


def test_a_hovered_box_does_not_wear_the_focus_ring(themed, qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QComboBox(dialog)
    box.addItems(["Piano", "Bass"])
    QVBoxLayout(dialog).addWidget(box)
    dialog.show()
    box.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)  # as the pointer over it
    box.update()
    hovered = colours(box)
    assert theme.ACCENT.rgb() not in hovered
    assert QColor("#5a626e").rgb() in hovered  # a lighter border than at rest
