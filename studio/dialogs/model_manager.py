"""Generate ▸ Model Manager: every model and plugin the engine found, installing packs, the default.

Lists the registry's entries (name, version, kind, where it came from, status — with the
reason a model is disabled), installs a data-only model pack from a folder through
:meth:`engine.plugins.Registry.install` (its error, if any, is shown in the dialog as one
line), removes a model from the user's folder, re-enables a model disabled after failing,
and sets the default model (kept in
the studio's settings).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.jobs import JobQueue
from engine.plugins import PluginError
from engine.plugins.entry import DISABLED, Entry
from engine.plugins.registry import describe
from studio import dialogs  # its questions, looked up when asked (tests answer them)

from ..models import ModelCatalog

COLUMNS = ("", "Model", "Version", "Kind", "Source", "Status", "Tasks")
LOOKING = "Looking for models…"
REFRESHED = "Models listed again: a plugin folder whose files changed runs its new code."
# A package's modules may be held by other packages and by running jobs: dropping them
# from a running studio is not safe, so it says what brings the new code in.
PACKAGES_KEEP_CODE = (" An installed package (pip) keeps the code the studio started with: "
                      "restart the studio to load a new version of it.")


def status_text(e: Entry) -> str:
    """The Status cell: :func:`describe` without the model's own folder at the start of the
    reason (the Source column shows it; the narrow cell cut off before the reason). A file
    in the folder keeps its name: ``"disabled: partita-plugin.json: not valid JSON…"``."""
    if e.ok:
        return describe(e)
    reason = e.reason
    _, _, source_folder = e.source.partition("folder ")
    for folder in (source_folder, e.location):
        if folder and reason.startswith(folder):
            rest = reason[len(folder):]
            if rest.startswith(": "):
                reason = rest[2:]
                break
            if rest[:1] in ("/", "\\"):
                reason = rest[1:]
                break
    return f"{DISABLED}: {reason}"


class ModelManager(QDialog):
    """The model manager; ``catalog`` is the studio's model list and ``queue`` its job
    queue (removing a model cancels that model's jobs first)."""

    def __init__(self, catalog: ModelCatalog, parent: QWidget | None = None,
                 queue: JobQueue | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.queue = queue
        self.setWindowTitle("Model Manager")
        self.resize(980, 420)
        intro = QLabel("Models generate notes inside the mask. Packs are data only (safe to "
                       "install); code plugins are Python packages — install only those you "
                       "trust (see docs/plugins.md).", self)
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #8b929c;")
        self.table = QTreeWidget(self)
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(COLUMNS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Models")
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_button = QPushButton("Install Pack…", self)
        self.default_button = QPushButton("Set as Default", self)
        self.enable_button = QPushButton("Enable", self)
        self.remove_button = QPushButton("Remove…", self)
        self.remove_button.setToolTip("Delete a model you installed from your models folder")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("List the models again: a plugin folder whose files "
                                       "changed runs its new code; an installed package "
                                       "needs a restart of the studio")
        self._refreshing = False  # Refresh was pressed: say what it reloaded when done
        close = QPushButton("Close", self)
        row = QHBoxLayout()
        for b in (self.install_button, self.default_button, self.enable_button,
                  self.remove_button, self.refresh_button, close):
            # No default button: Enter on the model list opened Install Pack…'s file
            # picker (the first button, made the default). Enter on a focused button
            # still presses it (keyPressEvent).
            b.setAutoDefault(False)
        for b in (self.install_button, self.default_button, self.enable_button,
                  self.remove_button, self.refresh_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self.install_button.clicked.connect(self._pick_pack)
        self.default_button.clicked.connect(self.set_default)
        self.enable_button.clicked.connect(self.enable)
        self.remove_button.clicked.connect(lambda: self.remove())
        self.refresh_button.clicked.connect(self.refresh)
        close.clicked.connect(self.accept)
        self.table.currentItemChanged.connect(lambda *_: self._update_buttons())
        catalog.changed.connect(self.populate)
        self.populate()
        catalog.ensure()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button and does nothing elsewhere (the model list:
        no button is the default); Esc closes, as in any dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- listing -------------------------------------------------------------------------------
    def populate(self) -> None:
        chosen = self._current()  # kept across a refill (Set as Default refills the list)
        self.table.clear()
        if not self.catalog.loaded:
            self._say(LOOKING)
            self._update_buttons()
            return
        if self._refreshing:
            self._refreshing = False
            packages = any(e.origin == "package" for e in self.catalog.entries())
            self._say(REFRESHED + (PACKAGES_KEEP_CODE if packages else ""))
        elif self.status.text() == LOOKING:  # found them (an install's message stays)
            self._say("")
        default = self.catalog.default_name()
        for row, e in enumerate(self.catalog.entries()):
            tasks = ", ".join(e.info.tasks) if e.info else ""
            # The default is the usable entry of that name, never a disabled look-alike
            # (a folder plugin refused as a duplicate of a built-in model).
            item = QTreeWidgetItem(["★" if e.ok and e.name == default else "", e.name,
                                    e.version, e.kind, e.source, status_text(e), tasks])
            item.setData(1, Qt.ItemDataRole.UserRole, e.name)
            item.setData(0, Qt.ItemDataRole.UserRole, row)  # which of the entries it is
            if e.info and e.info.description:
                item.setToolTip(1, e.info.description)
            item.setToolTip(5, e.details or describe(e))  # the full text, folder and all
            if not e.ok:
                for c in range(len(COLUMNS)):
                    item.setForeground(c, QColor("#7b828c"))
                item.setForeground(5, QColor("#e5a13b"))
            self.table.addTopLevelItem(item)
            if e.name == chosen and (self.table.currentItem() is None or e.ok):
                self.table.setCurrentItem(item)
        self._update_buttons()

    def names(self) -> list[str]:
        """Model names in the order listed (for tests and scripts)."""
        return [self.table.topLevelItem(i).text(1) for i in range(self.table.topLevelItemCount())]

    def _current(self) -> str | None:
        item = self.table.currentItem()
        return item.data(1, Qt.ItemDataRole.UserRole) if item else None

    def _current_entry(self) -> Entry | None:
        """The entry of the selected row (two rows may share a name: a usable model and
        a disabled look-alike)."""
        item = self.table.currentItem()
        row = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        entries = self.catalog.entries()
        return entries[row] if isinstance(row, int) and row < len(entries) else None

    def _update_buttons(self) -> None:
        entry = self._current_entry()
        self.default_button.setEnabled(bool(entry and entry.ok))
        self.enable_button.setEnabled(bool(entry and not entry.ok and entry.plugin is not None))
        self.remove_button.setEnabled(bool(entry and entry.origin == "user"))

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #ff6b6b; font-weight: 600;" if error
                                  else "color: #98c379;")

    # -- actions -------------------------------------------------------------------------------
    def _pick_pack(self) -> None:
        folder = dialogs.get_pack_dir(self)
        if folder:
            self.install(folder)

    def install(self, folder: Path) -> bool:
        """Install the pack in ``folder`` into the user's models folder; report the result."""
        try:
            target = self.catalog.registry.install(Path(folder))
        except (PluginError, OSError, ValueError) as e:
            self._say(f"Cannot install {Path(folder).name}: {e}", error=True)
            return False
        self._say(f"Installed {target.name} into {target.parent}")
        self.catalog.refresh()
        return True

    def refresh(self) -> None:
        """Refresh: list the models again (a folder plugin edited since it was imported is
        imported afresh: engine.plugins.discovery); say so when done."""
        self._refreshing = True
        self._say(LOOKING)
        self.catalog.refresh()

    def set_default(self) -> None:
        name = self._current()
        if name:
            self.catalog.set_default(name)
            self._say(f"{name} is now the default model")

    def enable(self) -> None:
        name = self._current()
        if not name:
            return
        try:
            self.catalog.registry.enable(name)
        except PluginError as e:
            self._say(str(e), error=True)
            return
        self.catalog.update()
        self._say(f"{name} enabled")


    def remove(self, ask: bool = True) -> bool:
        """Delete the selected model from the user's models folder, after asking."""
        name = self._current()
        if not name:
            return False
        folder = self.catalog.registry.user_dir
        try:  # refused (a package, a built-in model) before anything is asked or cancelled
            self.catalog.registry.removable(name)
        except PluginError as e:
            self._say(f"Cannot remove {name}: {e}", error=True)
            return False
        jobs = len(self.queue.pending(name)) if self.queue is not None else 0
        if ask and not dialogs.ask_remove_model(self, name, folder, jobs):
            return False
        # Its jobs end first: a queued one would fail later on the model's missing files.
        cancelled = self.queue.cancel_model(name) if self.queue is not None else 0
        try:
            removed = self.catalog.registry.remove(name)
        except (PluginError, OSError) as e:
            self._say(f"Cannot remove {name}: {e}", error=True)
            return False
        self.catalog.refresh()
        self._say(f"Removed {name} ({removed})"
                  + (f"; cancelled {cancelled} of its jobs" if cancelled else ""))
        return True


def show_model_manager(parent: QWidget | None, catalog: ModelCatalog,
                       queue: JobQueue | None = None) -> None:
    dialog = ModelManager(catalog, parent, queue)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # else each stays, listening
    dialog.exec()
