"""Crash recovery: offer the sessions a previous run left behind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.score import plural

from ..autosave import original_is_newer

if TYPE_CHECKING:
    from engine.io import DamagedRecovery, Recovery
from ..document import display_path


def describe(recovery: Recovery, now: datetime | None = None) -> str:
    """"demo.mid (3 tracks, 30 notes) — autosaved 14:03:27, 02/03/2026 (5 minutes ago)"
    for one recovery entry, with a warning when the file on disk was saved after the
    autosave. A song never saved is named by its title ("My First Song"), else "Untitled
    song"; its tracks and notes tell apart copies of one name (QA: 14 rows of "Untitled
    song" and a time). The copy follows edits within a second or so (studio.autosave), so
    its time is when the work stopped: to the second, and how long ago (``now``: the
    current time)."""
    text = (f"{recovered_name(recovery)}{_counts(recovery)} — autosaved "
            f"{saved_when(recovery.saved_at)} ({ago(recovery.saved_at, now)})")
    if original_is_newer(recovery):
        text += " (the file on disk is newer than this autosave)"
    return text


def recovered_name(recovery: Recovery) -> str:
    """The song's file name, else its title, else "Untitled song"."""
    if recovery.document is not None:
        return display_path(recovery.document.name)
    return recovery.title or "Untitled song"


def _counts(recovery: Recovery) -> str:
    """" (3 tracks, 30 notes)"; "" for a copy of an older version that does not say."""
    if recovery.tracks is None or recovery.notes is None:
        return ""
    return f" ({plural(recovery.tracks, 'track')}, {plural(recovery.notes, 'note', True)})"


def describe_damaged(damaged: DamagedRecovery, now: datetime | None = None) -> str:
    """"An autosave of demo.mid (14:03:27, 02/03/2026, 5 minutes ago) is damaged and could
    not be recovered; it is kept at PATH": one copy :meth:`engine.io.RecoveryStore.damaged`
    found (a song never saved, or whose name cannot be read: "of an unsaved song")."""
    name = (display_path(damaged.document.name) if damaged.document is not None
            else "an unsaved song")
    return (f"An autosave of {name} ({saved_when(damaged.saved_at)}, "
            f"{ago(damaged.saved_at, now)}) is damaged and could not be recovered; it is "
            f"kept at {display_path(damaged.path)}")


def saved_when(then: datetime) -> str:
    """"14:03:27, 02/03/2026": the local time, to the second, and the date as the locale
    writes it in figures ("2026/03/02" in Japanese, "02.03.26" in German). strftime's
    month names followed the C library's locale, not the studio's English: "2 11月 2026"
    under ja_JP. The C locale (LANG=C, a bare system) has no date of its own: Qt wrote
    "27 11 2026", figures without separators (QA), so it gets ISO's "2026-11-27"."""
    local = then.astimezone()
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return f"{local:%H:%M:%S}, {local:%Y-%m-%d}"
    date = QDate(local.year, local.month, local.day)
    return f"{local:%H:%M:%S}, {locale.toString(date, QLocale.FormatType.ShortFormat)}"


def ago(then: datetime, now: datetime | None = None) -> str:
    """How long before ``now`` (default: the current time) ``then`` was, in words:
    "12 seconds ago", "5 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = max(0, int(((now or datetime.now(UTC)) - then).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' * (count != 1)} ago"
    return "just now" if seconds < 2 else f"{seconds} seconds ago"


def ask_recover(parent: QWidget | None,
                pending: Sequence[Recovery]) -> tuple[str, Recovery | None]:
    """Ask what to do with unsaved work from a session that ended abruptly.

    Returns ``("recover", recovery)``, ``("discard", None)`` (delete them all) or
    ``("later", None)`` (keep them for next time).
    """
    dlg = RecoveryDialog(parent, pending)
    dlg.exec()
    return dlg.result_chosen


class RecoveryDialog(QDialog):
    """The copies a previous run left, newest first, to recover one of, discard all
    (asked first: it deletes every copy) or decide later (:func:`ask_recover`)."""

    def __init__(self, parent: QWidget | None, pending: Sequence[Recovery]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work")
        self._count = len(pending)
        text = QLabel("Partita closed without saving last time. "
                      + ("This song can be recovered:" if len(pending) == 1 else
                         f"These {len(pending)} songs can be recovered, newest first:"), self)
        text.setWordWrap(True)
        items = self.items = QListWidget(self)
        # Named, and labelled by the line above it: a screen reader said only "list".
        items.setAccessibleName("Songs to recover")
        text.setBuddy(items)
        for r in pending:
            item = QListWidgetItem(describe(r))
            item.setData(Qt.ItemDataRole.UserRole, r)
            items.addItem(item)
        items.setCurrentRow(0)
        # Wide enough for a whole row (name, counts, time, how long ago), up to 900 px: the
        # part that tells two copies apart was cut off at 480.
        row_width = items.sizeHintForColumn(0) + 2 * items.frameWidth() + 40
        self.resize(max(480, min(900, row_width)), 300)
        buttons = QDialogButtonBox(self)
        self.recover = buttons.addButton("Recover", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard = QPushButton("Discard all")
        buttons.addButton(self.discard, QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Decide later", QDialogButtonBox.ButtonRole.RejectRole)
        self.result_chosen: tuple[str, Recovery | None] = ("later", None)
        self.recover.clicked.connect(self._recover)
        self.discard.clicked.connect(self._discard)
        later.clicked.connect(self.reject)
        items.itemDoubleClicked.connect(lambda _i: self.recover.click())
        col = QVBoxLayout(self)
        col.addWidget(text)
        col.addWidget(items, 1)
        col.addWidget(buttons)

    def _recover(self) -> None:
        self.result_chosen = ("recover",
                              self.items.currentItem().data(Qt.ItemDataRole.UserRole))
        self.accept()

    def _discard(self) -> None:
        # Asked, No the default: Discard all is one Tab from Recover and deletes every
        # copy for good (keyboard QA).
        what = "this autosaved copy" if self._count == 1 else (
            f"all {self._count} autosaved copies")
        box = QMessageBox(QMessageBox.Icon.Warning, "Discard all?",
                          f"Delete {what} for good? The work in them cannot be recovered "
                          "afterwards.", QMessageBox.StandardButton.NoButton, self)
        delete = box.addButton("&Delete", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&No, Keep Them", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        if box.clickedButton() is delete:
            self.result_chosen = ("discard", None)
            self.accept()
