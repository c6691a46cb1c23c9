"""One line of the model list: a discovered model, usable or disabled, and why."""

from __future__ import annotations

from dataclasses import dataclass

from .api import ModelInfo, ModelPlugin

OK = "ok"
DISABLED = "disabled"

# Where a model came from, in discovery (and precedence) order.
ORIGINS = ("builtin", "package", "folder", "user", "added")


@dataclass(frozen=True, slots=True)
class Entry:
    """A model the registry knows about.

    ``status`` is ``"ok"`` (``plugin`` is set and usable) or ``"disabled"`` (``reason`` says
    why in one line; ``details`` is the traceback of the exception the plugin's own code
    raised, if it raised one: for a details view and ``partita --verbose``). ``origin`` is
    one of :data:`ORIGINS`; ``source`` says where in words (package, folder path, …).
    ``location`` identifies the code or pack folder, so that one plugin found twice (an
    editable install that is also in ``plugins/``) is listed once.
    """

    name: str
    version: str
    kind: str  # "code" | "pack"
    origin: str
    source: str
    status: str = OK
    reason: str = ""
    details: str = ""
    plugin: ModelPlugin | None = None
    location: str = ""
    failures: int = 0  # consecutive failed jobs (reset by a successful one)

    @property
    def ok(self) -> bool:
        return self.status == OK and self.plugin is not None

    @property
    def info(self) -> ModelInfo | None:
        return self.plugin.info if self.plugin is not None else None

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly summary (``partita models --json``)."""
        info = self.info
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "origin": self.origin,
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "failures": self.failures,
            "description": info.description if info else "",
            "tasks": list(info.tasks) if info else [],
            "instruments": list(info.instruments) if info else [],
            "precisions": list(info.precisions) if info else [],
            "sampling": list(info.sampling) if info else [],
            "licence": info.licence if info else "",
            "author": info.author if info else "",
            "options": [{"name": o.name, "default": o.default, "choices": list(o.choices),
                         "minimum": o.minimum, "maximum": o.maximum, "help": o.help}
                        for o in (info.options if info else ())],
        }
