"""The user guide (Help ▸ User Guide): docs/studio.md shown in a window of its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget


def show_user_guide(parent: QWidget | None, path: Path) -> QDialog:
    """Show the guide beside the studio (not modal: read it while trying what it says)."""
    dlg = guide_dialog(parent, path)
    dlg.show()
    return dlg


def guide_dialog(parent: QWidget | None, path: Path) -> QDialog:
    """The Markdown file ``path`` rendered, its links followed (other docs in place, web
    pages in the browser)."""
    dlg = QDialog(parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.setWindowTitle(f"Partita User Guide — {path.name}")
    dlg.resize(860, 760)
    view = QTextBrowser(dlg)
    view.setObjectName("UserGuide")
    view.setOpenExternalLinks(True)
    view.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.close)
    col = QVBoxLayout(dlg)
    col.addWidget(view)
    col.addWidget(buttons)
    return dlg
