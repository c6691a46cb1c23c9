"""The model list as the studio sees it: the engine registry, discovered off the GUI thread.

Discovering models imports their code (the built-in ones import torch: seconds), so the
studio does it lazily — the first time a model is needed (the mask tool, a generation,
the model list, the model manager) — on a worker thread, and never at start-up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from engine.plugins import Entry, ModelOption, Registry
from engine.tasks import CHORALE_MODEL

from . import heap
from .settings import Settings
from .worker import Worker


class ModelCatalog(QObject):
    """A registry plus its load state. ``changed`` fires when the list (or a status) changes."""

    changed = Signal()
    failed = Signal(str)
    defaultChanged = Signal(str)  # the user set a new default model (its name)

    def __init__(self, registry: Registry | None, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry if registry is not None else Registry()
        self.settings = settings
        # One default for the studio and the command line (partita models default): a
        # choice this studio kept in its own settings before is moved there once, so a
        # later `--clear` is not undone by the old copy.
        older = settings.take_default_model()
        saved = self.registry.saved_default()
        if older and saved is None:
            saved = older  # this session's, even where the file cannot be written
            with contextlib.suppress(OSError):
                self.registry.save_default(older)
        self.registry.preferred = saved
        self._entries: tuple[Entry, ...] = ()
        self.loaded = False
        self.loading = False
        self._waiting: list[Callable[[], None]] = []
        self._worker = Worker(1, self)

    def ensure(self) -> None:
        """Start discovering models in the background (once)."""
        if self.loaded or self.loading:
            return
        self.loading = True
        self._worker.start(self.registry.entries, on_done=self._loaded, on_error=self._error)

    def refresh(self) -> None:
        """Discover again (after installing a pack; the Model Manager's Refresh): a folder
        plugin whose files changed since it was imported is imported afresh, its package
        and submodules dropped from ``sys.modules`` first (engine.plugins.discovery); an
        installed package keeps its code until the studio restarts."""
        self.loaded = False
        self.loading = True
        self._worker.start(lambda: (self.registry.refresh(), self.registry.entries())[1],
                           on_done=self._loaded, on_error=self._error)

    def when_ready(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` now if the models are known, else once they are."""
        if self.loaded:
            fn()
        else:
            self._waiting.append(fn)
            self.ensure()

    def _loaded(self, entries: tuple[Entry, ...]) -> None:
        self._entries = tuple(entries)
        self.loaded, self.loading = True, False
        heap.settle()  # torch and the models are here for good
        self.changed.emit()
        waiting, self._waiting = self._waiting, []
        for fn in waiting:
            fn()

    def _error(self, e: BaseException) -> None:
        self.loading = False
        self._waiting.clear()
        self.failed.emit(f"Cannot list models: {e}")

    def update(self) -> None:
        """Re-read statuses (a model was disabled after failing)."""
        if self.loaded:
            self._entries = self.registry.entries()
            self.changed.emit()

    # -- queries -------------------------------------------------------------------------------
    def entries(self) -> tuple[Entry, ...]:
        return self._entries

    def usable(self, name: str) -> Entry | None:
        return next((e for e in self._entries if e.name == name and e.ok), None)

    def chorale_entry(self, task: str | None = None) -> Entry | None:
        """The chorale model Auto runs for four-part chorale writing, when it is installed
        and usable (and can ``task``, when one is named); else None (Auto: the default)."""
        entry = self.usable(CHORALE_MODEL)
        if entry is None or entry.plugin is None:
            return None
        if task is not None and (entry.info is None or task not in entry.info.tasks):
            return None
        return entry

    def declared_options(self, name: str) -> tuple[ModelOption, ...]:
        """The settings model ``name`` declares: a usable model's once the models are
        found; before, a built-in model's (known without loading it, so without torch);
        none for any other."""
        if self.loaded:
            entry = self.usable(name)
            return entry.info.options if entry is not None and entry.info is not None else ()
        return self.registry.declared_options(name) or ()

    def default_name(self, task: str | None = None) -> str | None:
        if not self.loaded:
            return None
        e = self.registry.default(task)
        return e.name if e else None

    def set_default(self, name: str) -> None:
        self.registry.preferred = name  # this session's, whatever the file says
        try:  # shared with the command line
            self.registry.save_default(name)
        except OSError as e:
            self.failed.emit(f"{self.registry.default_file}: cannot keep the default "
                             f"model after this session: {e.strerror or e}")
        self.changed.emit()
        self.defaultChanged.emit(name)

    def wait(self, msecs: int = 10000) -> bool:
        return self._worker.wait(msecs)

    def stop(self) -> None:
        """The window is closing: a discovery still running (importing torch: seconds on
        a slow disk) is let go, not waited for (the close waited 5 s, then the result
        came to a deleted window: "Signal source has been deleted"); nothing waits on it."""
        self._waiting.clear()
        self._worker.cancel_all()
