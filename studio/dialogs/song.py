"""File ▸ Song Properties: the song's title (saved in projects and MIDI files)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from .forms import lay_out_form


class SongDialog(QDialog):
    """The song's title, prefilled with the current one."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Song Properties")
        self.setMinimumWidth(420)
        text = QLabel("The title is saved in the project, and in a MIDI file as its "
                      "sequence name, which DAWs and notation programs show.", self)
        text.setWordWrap(True)
        self.title = QLineEdit(title, self)
        self.title.setPlaceholderText("Untitled")
        self.title.selectAll()
        form = QFormLayout()
        form.addRow("Title", self.title)
        lay_out_form(self, text, form)


def ask_song_properties(parent: QWidget | None, title: str) -> str | None:
    """The song's new title (surrounding spaces dropped; "" for none), or ``None`` when
    cancelled."""
    dialog = SongDialog(parent, title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.title.text().strip()
