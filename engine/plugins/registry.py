"""The model registry: every model Partita can use, and why the others are disabled.

>>> registry = Registry()              # discovers lazily, on first use
>>> [e.name for e in registry.available("repaint")]
>>> model = registry.get("drumkit")     # a ModelPlugin, or PluginError with the reason

Discovery order (first one wins a name): built-in models and installed packages (entry
point group ``partita.models``), the repository's ``plugins/`` folder, the user's models
folder (``$PARTITA_MODELS_DIR`` or ``$XDG_DATA_HOME/partita/models``). A plugin that fails
to import, has a bad manifest, the wrong API version, a weights hash mismatch or a
name already taken is listed as disabled with a one-line reason; the others keep working.

Failures at run time: the job queue calls :meth:`Registry.record_failure` when a model
raises or returns notes outside its mask, and :meth:`Registry.record_success` when a job
finishes. Failures count per request: jobs of one ``group`` (the variations of one click)
count once, however many of them fail. After ``failure_limit`` consecutive failed requests
(default 3) the model is disabled with the last error as reason, until
:meth:`Registry.enable` or :meth:`Registry.refresh`. :meth:`Registry.mark_failed` disables a
model at once.

Default model (:meth:`Registry.default`), first usable one that supports the task:
the ``preferred`` argument, then :attr:`Registry.preferred` (the studio sets it to the
saved default), then ``$PARTITA_MODEL``, then the saved default (:meth:`Registry.
save_default`: ``partita models default NAME`` and the studio's *Set as Default* write it,
the file ``default-model`` in the user's models folder), then the built-in models in the
order they are declared, then a model named :data:`~engine.plugins.api.DEFAULT_MODEL` (the
general model installed as a pack), then any other model by name.
:meth:`Registry.default_for` is the same for a request's tracks: a default that cannot
write some of them gives way to the built-in default (:meth:`Registry.builtin_default`),
with a note for the user.

The registry is thread-safe: worker threads report failures while the GUI lists models.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from engine.io.atomic import atomic_write
from engine.score import Song

from .api import DEFAULT_MODEL, ModelOption, ModelPlugin, cannot_write
from .builtin import builtin_options
from .discovery import (
    _disabled,
    check_loads,
    check_plugin,
    discover,
    from_entry_points,
    repo_plugins_dir,
    user_models_dir,
)
from .discovery import find as find_entry
from .entry import DISABLED, OK, Entry
from .errors import ManifestError, PluginError
from .manifest import load_manifest
from .packs import install_pack

__all__ = ["Entry", "ManifestError", "PluginError", "Registry", "describe"]

DEFAULT_FILE = "default-model"  # in the user's models folder: Registry.save_default


class Registry:
    """Discovers models and keeps their status.

    ``plugin_dirs`` defaults to the repository's ``plugins/`` folder (when running from a
    checkout), ``user_dir`` to :func:`~engine.plugins.discovery.user_models_dir`. Tests pass
    their own folders and ``entry_points=False``.
    """

    def __init__(
        self,
        *,
        entry_points: bool = True,
        plugin_dirs: Sequence[Path] | None = None,
        user_dir: Path | None = None,
        failure_limit: int = 3,
    ) -> None:
        if failure_limit < 1:
            raise ValueError("failure_limit must be at least 1")
        self._use_entry_points = entry_points
        if plugin_dirs is None:
            repo = repo_plugins_dir()
            plugin_dirs = [repo] if repo else []
        self._plugin_dirs = [Path(p) for p in plugin_dirs]
        self.user_dir = Path(user_dir) if user_dir is not None else user_models_dir()
        self.failure_limit = failure_limit
        self.preferred: str | None = None
        self._lock = threading.RLock()
        self._entries: list[Entry] | None = None
        self._added: list[Entry] = []
        # What find() read before the models were listed, reused by the listing (one
        # object per model: the built-in ones hold their weights).
        self._read_entry_points: list[Entry] | None = None
        self._read_folders: dict[Path, list[Entry]] = {}
        # The groups (requests) already counted in each model's current run of failures.
        self._failed_groups: dict[str, set[Hashable]] = {}

    # -- discovery ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Discover again (after installing a plugin); run-time failures are forgotten."""
        self._discover(reuse=False)

    def _folders(self) -> list[tuple[Path, str]]:
        return [(p, "folder") for p in self._plugin_dirs] + [(self.user_dir, "user")]

    def _discover(self, reuse: bool) -> None:
        """List every model; with ``reuse``, what :meth:`find` read already is kept."""
        with self._lock:
            read = self._read_entry_points if reuse else None
            loaded = dict(self._read_folders) if reuse else {}
        if read is None:  # imported outside the lock: the studio lists on a worker thread
            read = from_entry_points() if self._use_entry_points else []
        found = discover(False, self._folders(), loaded)
        with self._lock:
            self._entries = self._dedupe([*read, *found, *self._added])
            self._read_entry_points, self._read_folders = None, {}
            self._failed_groups.clear()

    def _entry_points_read(self) -> list[Entry]:
        """The entry points' models, read once before the listing (holds the lock)."""
        if self._read_entry_points is None:
            self._read_entry_points = from_entry_points() if self._use_entry_points else []
        return self._read_entry_points

    def _ensure(self) -> list[Entry]:
        with self._lock:
            if self._entries is None:
                self._discover(reuse=True)
            assert self._entries is not None
            return self._entries

    def find(self, name: str) -> Entry | None:
        """The usable model called ``name``, or None. Before the models are listed it is
        looked up reading only what it must (:func:`~engine.plugins.discovery.find`: the
        built-in models and installed packages, then the plugin folders whose manifest
        gives that name), so a command that names a model waits for no other plugin's
        import; what is read is kept for the listing."""
        with self._lock:
            if self._entries is not None:
                return next((e for e in self._entries if e.name == name and e.ok), None)
            found = find_entry(name, self._entry_points_read(), self._folders(),
                               self._read_folders)
            if found is None:  # added by the application: after every source
                found = next((e for e in self._added if e.name == name and e.ok), None)
            return found

    @staticmethod
    def _dedupe(entries: list[Entry]) -> list[Entry]:
        out: list[Entry] = []
        owner: dict[str, Entry] = {}
        for e in entries:
            first = owner.get(e.name)
            if first is not None and e.location and e.location == first.location:
                continue  # the same plugin found twice (editable install + folder)
            if e.ok and first is not None:
                e = replace(e, status=DISABLED, plugin=None,
                            reason=f"duplicate name {e.name!r}: already provided by "
                                   f"{first.source}")
            elif e.ok:
                owner[e.name] = e
            elif first is not None:
                # A copy of an installed plugin (its folder beside a plain pip install)
                # cannot even import: its module is the package's. Say that, not why.
                e = replace(e, reason=f"not used: {first.source} already provides "
                                      f"{e.name!r} (remove one of the two); it said: "
                                      f"{e.reason}")
            out.append(e)
        return out

    def add(self, plugin: ModelPlugin, source: str = "added by the application") -> Entry:
        """Register a plugin object directly (scripts, tests); it survives :meth:`refresh`."""
        name = getattr(getattr(plugin, "info", None), "name", "") or "?"
        try:
            check_plugin(plugin)
            entry = Entry(name, plugin.info.version, "code", "added", source, plugin=plugin,
                          location=f"added:{id(plugin)}")
        except PluginError as e:
            entry = _disabled(name, "", "code", "added", source, e)
        with self._lock:
            entries = self._ensure()
            self._added.append(entry)
            self._entries = self._dedupe([*entries, entry])
            return self._entries[-1]

    # -- queries -------------------------------------------------------------------------------
    def entries(self) -> tuple[Entry, ...]:
        """Every model found, usable or not, in discovery order."""
        with self._lock:
            return tuple(self._ensure())

    def available(self, task: str | None = None) -> list[Entry]:
        """Usable models (supporting ``task`` when given)."""
        return [e for e in self.entries() if e.ok and (task is None or task in e.info.tasks)]

    def entry(self, name: str) -> Entry:
        """The entry called ``name`` (the usable one when several share it); a usable one
        is found without listing every model (:meth:`find`)."""
        found = self.find(name)
        if found is not None:
            return found
        matches = [e for e in self.entries() if e.name == name]
        if not matches:
            raise PluginError(f"no model named {name!r} ({self._choices()})")
        return next((e for e in matches if e.ok), matches[0])

    def _choices(self) -> str:
        """``"models: a, b; disabled: c"``: the names a user can pick, then the others."""
        usable = sorted({e.name for e in self.entries() if e.ok})
        disabled = sorted({e.name for e in self.entries() if not e.ok} - set(usable))
        text = f"models: {', '.join(usable) or 'none'}"
        return text + (f"; disabled: {', '.join(disabled)}" if disabled else "")

    def check_name_free(self, name: str, folder: Path) -> None:
        """:class:`PluginError` if a usable model not in ``folder`` is called ``name``:
        a pack installed into ``folder`` would only be listed as a disabled duplicate."""
        here = Path(folder).resolve()
        for e in self.entries():
            if e.ok and e.name == name and not (e.location and Path(e.location) == here):
                raise PluginError(f"the name {name!r} is already used by {e.source}; give "
                                  "the pack another name (field 'name' of its manifest)")

    def install(self, folder: Path, force: bool = False) -> Path:
        """Install the data-only model pack in ``folder`` into :attr:`user_dir`; return
        where it went. Refused (:class:`PluginError`) unless the model list would load it
        under a free name: a code plugin (code runs with the user's rights: it is
        installed as a package), a pack that would be listed as disabled, a name another
        model has. An installed pack of that name is replaced only with ``force``."""
        manifest = load_manifest(folder)
        if manifest.kind != "pack":
            project = project_folder(manifest.folder)
            how = (f"`pip install {project}`" if project is not None else
                   "`pip install` the folder holding its pyproject.toml or setup.py")
            raise PluginError(
                f"{manifest.folder}: {manifest.name!r} is a code plugin; code runs with your "
                f"rights, so install it as a package ({how}) or copy it into your models "
                "folder yourself")
        try:  # lists the models first, which registers the built-in pack loaders
            self.check_name_free(manifest.name, self.user_dir / manifest.name)
        except PluginError as e:
            raise PluginError(f"{manifest.folder}: cannot install: {e}") from None
        check_loads(manifest)
        target = install_pack(manifest.folder, self.user_dir, force=force)
        self.refresh()
        return target

    def remove(self, name: str) -> Path:
        """Delete the model ``name`` from :attr:`user_dir` (what ``install`` put there, or a
        folder copied in by hand); return the folder removed. Refused
        (:class:`PluginError`, saying how it is removed instead) for a built-in model, a
        package or a plugin folder elsewhere: :meth:`removable` says so beforehand."""
        folder = self.removable(name)
        shutil.rmtree(folder)
        self.refresh()
        return folder

    def removable(self, name: str) -> Path:
        """The folder :meth:`remove` would delete for ``name``, deleting nothing;
        :class:`PluginError` when it would be refused."""
        found = [e for e in self.entries() if e.name == name]
        if not found:
            raise PluginError(f"no model named {name!r} (see `partita models`)")
        home = self.user_dir.resolve()
        folders = []
        for e in found:
            where = Path(e.location).resolve() if e.location else None
            if e.origin == "user" and where is not None and where.is_relative_to(home) \
                    and where != home:
                folders.append(home / where.relative_to(home).parts[0])  # its own folder
        folders = list(dict.fromkeys(folders))
        if len(folders) > 1:  # which one the user means is theirs to say
            used = next((e.source for e in found if e.ok), "none of them")
            raise PluginError(
                f"{len(folders)} folders in your models folder are named {name!r}: "
                f"{', '.join(f.name for f in folders)} (in use: {used}); delete the one you "
                f"mean from {home}")
        if folders:
            return folders[0]
        e = found[0]
        how = {"builtin": "it ships with Partita",
               "package": f"it is an installed package: `pip uninstall` it ({e.source})"}
        raise PluginError(f"{name!r} is not in your models folder ({self.user_dir}): "
                          + how.get(e.origin, f"it comes from {e.source}; delete it there"))

    def get(self, name: str) -> ModelPlugin:
        """The usable model called ``name``; :class:`PluginError` says why not."""
        e = self.entry(name)
        if not e.ok:
            raise PluginError(f"model {name!r} is disabled: {e.reason}", detail=e.details)
        assert e.plugin is not None
        return e.plugin

    def default(self, task: str | None = None, preferred: str | None = None) -> Entry | None:
        """The model to use when the user has not picked one (order in the module doc).
        Before the models are listed, a choice that is usable, or else a built-in model,
        is found without listing them (:meth:`find`)."""
        with self._lock:
            listed = self._entries is not None
        if not listed:
            quick = self._default_unlisted(task, preferred)
            if quick is not None:
                return quick
        usable = self.available(task)
        if not usable:
            return None
        by_name = {e.name: e for e in usable}
        for choice in self._chosen(preferred):
            if choice in by_name:
                return by_name[choice]
        builtin = [e for e in usable if e.origin == "builtin"]
        if builtin:
            return builtin[0]
        # No built-in model (a build without the shipped weights, or the user's own
        # copy of it installed as a pack): the general model by name, else the first.
        return by_name.get(DEFAULT_MODEL) or min(usable, key=lambda e: e.name)

    def default_for(self, task: str, song: Song, track_ids: Iterable[int],
                    preferred: str | None = None) -> tuple[Entry | None, str]:
        """:meth:`default`, for a request to write ``track_ids`` of ``song``; when that
        model cannot write some of them (:func:`~engine.plugins.api.cannot_write`: the
        user's default is a melody model, the request has drums), the built-in default
        model instead, with a note saying so for the user ("" when there is none). The
        default is the user's choice for requests it can do, not a reason to refuse the
        others; a model the user names for the request is never replaced (not here)."""
        ids = list(track_ids)
        entry = self.default(task, preferred)
        if entry is None or entry.info is None or not cannot_write(entry.info, song, ids):
            return entry, ""
        fallback = self.builtin_default(task)
        if fallback is None or fallback.info is None or fallback.name == entry.name \
                or cannot_write(fallback.info, song, ids):
            return entry, ""  # refused with its reason, as before
        names = ", ".join(repr(t.name) for t in song.tracks
                          if t.id in ids and cannot_write(entry.info, song, [t.id]))
        return fallback, (f"the default model, {entry.name}, cannot write {names}: "
                          f"{fallback.name} writes this request")

    def builtin_default(self, task: str | None = None) -> Entry | None:
        """The model used when nobody chose one: the first usable built-in model that can
        do ``task`` (``partita-base``), else a model named
        :data:`~engine.plugins.api.DEFAULT_MODEL`; None when there is none. Found without
        listing the other models when they are not listed yet."""
        def can(e: Entry | None) -> bool:
            return e is not None and e.ok and e.info is not None and (
                task is None or task in e.info.tasks)

        with self._lock:
            pool = self._entries if self._entries is not None else self._entry_points_read()
            found = next((e for e in pool if e.origin == "builtin" and can(e)), None)
        if found is None:
            named = self.find(DEFAULT_MODEL)
            found = named if can(named) else None
        return found

    def _default_unlisted(self, task: str | None, preferred: str | None) -> Entry | None:
        """:meth:`default`'s answer where it needs no listing: the first usable choice
        that can do ``task``, else the first built-in model that can; None otherwise."""
        def can(e: Entry | None) -> bool:
            return e is not None and e.ok and e.info is not None and (
                task is None or task in e.info.tasks)

        for choice in self._chosen(preferred):
            found = self.find(choice)
            if can(found):
                return found
        with self._lock:
            return next((e for e in self._entry_points_read()
                         if e.origin == "builtin" and can(e)), None)

    def likely_default(self) -> str:
        """The model :meth:`default` will name, said before the models are listed (which
        imports them): the first choice it tries, else the built-in general model. The
        studio shows that model's settings while the models load."""
        return next(iter(self._chosen()), DEFAULT_MODEL)

    def _chosen(self, preferred: str | None = None) -> list[str]:
        """The models the user chose, first choice first: this request's, the session's,
        ``PARTITA_MODEL``, the saved default (those set)."""
        return [c for c in (preferred, self.preferred, os.environ.get("PARTITA_MODEL"),
                            self.saved_default()) if c]

    def declared_options(self, name: str) -> tuple[ModelOption, ...] | None:
        """The settings the usable model ``name`` declares (``ModelInfo.options``), without
        listing the models if they are not listed yet: then a built-in model's are known
        (:mod:`engine.plugins.builtin`) and another's are not (None, as for a name no
        usable model has)."""
        with self._lock:
            entries = self._entries
        if entries is None:
            return builtin_options(name) if self._use_entry_points else None
        entry = next((e for e in entries if e.name == name and e.ok), None)
        return entry.info.options if entry is not None and entry.info is not None else None

    @property
    def default_file(self) -> Path:
        """Where the user's chosen default model is kept (one name, one line)."""
        return self.user_dir / DEFAULT_FILE

    def saved_default(self) -> str | None:
        """The default model the user chose (:meth:`save_default`), if any; an unreadable
        file is no choice."""
        try:
            name = self.default_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name or None

    def save_default(self, name: str | None) -> None:
        """Keep ``name`` as the default model for the command line and the studio alike
        (None forgets the choice). Raises OSError when the folder cannot be written."""
        if name is None:
            self.default_file.unlink(missing_ok=True)
            return
        self.user_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.default_file, f"{name}\n".encode())

    # -- run-time health -------------------------------------------------------------------------
    def record_failure(self, name: str, reason: str,
                       group: Hashable | None = None) -> Entry | None:
        """Count a failed job of model ``name``; disable it at ``failure_limit`` in a row.

        Jobs with the same non-``None`` ``group`` (the variations of one request) count
        once: three variations of one click that all fail are one failure, not three."""
        with self._lock:
            for i, e in enumerate(self._ensure()):
                if e.name == name and e.ok:
                    counted = self._failed_groups.setdefault(name, set())
                    if group is not None and group in counted:
                        e = replace(e, reason=reason)  # this request failed already
                        self._ensure()[i] = e
                        return e
                    if group is not None:
                        counted.add(group)
                    failures = e.failures + 1
                    if failures >= self.failure_limit:
                        e = self._disable(e, failures, reason)
                    else:
                        e = replace(e, failures=failures, reason=reason)
                    self._ensure()[i] = e
                    return e
        return None

    def record_success(self, name: str) -> None:
        """A job of model ``name`` finished: reset its failure count."""
        with self._lock:
            self._failed_groups.pop(name, None)
            for i, e in enumerate(self._ensure()):
                if e.name == name and e.ok and e.failures:
                    self._ensure()[i] = replace(e, failures=0, reason="")

    def mark_failed(self, name: str, reason: str) -> Entry | None:
        """Disable model ``name`` now, with ``reason``."""
        with self._lock:
            for i, e in enumerate(self._ensure()):
                if e.name == name and e.ok:
                    e = self._disable(e, e.failures, reason, limit=False)
                    self._ensure()[i] = e
                    return e
        return None

    def _disable(self, e: Entry, failures: int, reason: str, limit: bool = True) -> Entry:
        why = f"failed {failures} requests in a row, last: {reason}" if limit else reason
        # Keep the plugin object so that enable() can bring it back.
        return replace(e, status=DISABLED, failures=failures, reason=why)

    def enable(self, name: str) -> Entry:
        """Re-enable a model that was disabled at run time (not one that failed to load)."""
        with self._lock:
            for i, e in enumerate(self._ensure()):
                if e.name == name and e.status == DISABLED and e.plugin is not None:
                    self._failed_groups.pop(name, None)
                    self._ensure()[i] = replace(e, status=OK, failures=0, reason="")
                    return self._ensure()[i]
        raise PluginError(f"model {name!r} cannot be enabled: {self.entry(name).reason}")


PROJECT_FILES = ("pyproject.toml", "setup.py")


def project_folder(folder: Path) -> Path | None:
    """The Python project a plugin folder belongs to, what ``pip install`` takes: the
    nearest folder with a ``pyproject.toml`` or ``setup.py``, from ``folder`` up through
    its package to the folder holding it (a manifest shipped inside the package sits a
    folder or more below it; never further: a plugin folder in a checkout is no part of
    the checkout's project). None when there is none."""
    folder = Path(folder)
    while True:
        if any((folder / name).is_file() for name in PROJECT_FILES):
            return folder
        if not (folder / "__init__.py").is_file() or folder.parent == folder:
            return None
        folder = folder.parent


def describe(e: Entry) -> str:
    """``"ok"`` or ``"disabled: <reason>"``."""
    return OK if e.ok else f"{DISABLED}: {e.reason}"

