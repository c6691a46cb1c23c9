"""The user guide (Help ▸ User Guide): docs/studio.md shown in a window of its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QResizeEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..window_fit import fit_to_screen

GUIDE_SIZE = QSize(860, 760)  # on a screen with room for it; else fitted to the screen


def show_user_guide(parent: QWidget | None, path: Path) -> QDialog:
    """Show the guide beside the studio (not modal: read it while trying what it says)."""
    dlg = guide_dialog(parent, path)
    dlg.show()
    return dlg


def guide_dialog(parent: QWidget | None, path: Path) -> QDialog:
    """The Markdown file ``path`` rendered, its links followed (other docs in place, web
    pages in the browser). As tall as the screen allows (a 720-line screen had its Close
    button below the bottom edge), its pictures as wide as the text."""
    dlg = QDialog(parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.setWindowTitle(f"Partita User Guide — {path.name}")
    dlg.resize(GUIDE_SIZE)
    if parent is not None:  # the screen the studio is on
        dlg.move(parent.geometry().center() - dlg.rect().center())
    fit_to_screen(dlg)
    view = GuideView(dlg)
    view.setObjectName("UserGuide")
    view.setOpenExternalLinks(True)
    view.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.close)
    col = QVBoxLayout(dlg)
    col.addWidget(view)
    col.addWidget(buttons)
    return dlg


class GuideView(QTextBrowser):
    """A text browser whose images are scaled down to its width (a 1600 px screenshot
    scrolled the guide sideways), never up; again at every resize and page followed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sourceChanged.connect(self.fit_images)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.fit_images()

    def fit_images(self) -> None:
        doc = self.document()
        room = max(50, self.viewport().width() - 2 * round(doc.documentMargin()) - 4)
        cursor = QTextCursor(doc)
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    natural = self._natural_size(image.name())
                    if not natural.isEmpty():
                        width = min(natural.width(), room)
                        if round(image.width()) != width:
                            image.setWidth(width)
                            image.setHeight(natural.height() * width / natural.width())
                            cursor.setPosition(fragment.position())
                            cursor.setPosition(fragment.position() + fragment.length(),
                                               QTextCursor.MoveMode.KeepAnchor)
                            cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def _natural_size(self, name: str) -> QSize:
        url = QUrl(name)
        kind = QTextDocument.ResourceType.ImageResource
        image = self.document().resource(kind, url) or self.loadResource(kind, url)
        if isinstance(image, (QImage, QPixmap)):
            return image.size()
        return QSize()
