"""The progress window of a long job the studio runs on a worker (an export, a read)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget


def progress_dialog(parent: QWidget | None, title: str, text: str, *, maximum: int = 1000,
                    show_after_ms: int = 0) -> QProgressDialog:
    """Window-modal, with Cancel, in thousandths (``maximum`` 0: a busy bar), shown
    ``show_after_ms`` after it is made (0: at once), and left open at the end (the job
    closes it when its work is in place)."""
    dlg = QProgressDialog(text, "Cancel", 0, maximum, parent)
    dlg.setWindowTitle(title)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(show_after_ms)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setValue(0)  # starts the timer that shows it after show_after_ms
    return dlg
