"""Finding plugins: entry points, plugin folders and the user's models folder.

Each function returns :class:`~engine.plugins.entry.Entry` values, one per model, ok or
disabled with a reason; nothing here raises for a broken plugin. Three sources:

- the entry point group ``partita.models`` (installed packages, the built-in models
  included). An entry point's object may be a :class:`ModelPlugin`, a factory (class or
  function) returning one, or a list of either;
- plugin folders (the repository's ``plugins/``): each subfolder with a
  ``partita-plugin.json``; a code plugin's ``entry`` module is imported from that folder;
- the user's models folder (:func:`user_models_dir`), holding installed packs and code
  plugin folders laid out the same way.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata as md
import importlib.util
import inspect
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

from engine.resources import CHECKOUT

from .api import (
    API_VERSION,
    FIRST_API_VERSION,
    PRECISIONS,
    SAMPLING,
    TASKS,
    ModelInfo,
    ModelOption,
    ModelPlugin,
)
from .entry import DISABLED, Entry
from .errors import PluginError, failure, plugin_traceback
from .manifest import (
    INSTRUMENTS,
    MANIFEST_NAME,
    MODEL_MANIFEST_NAME,
    Manifest,
    load_manifest,
    name_problem,
    package_manifest,
    plugin_folder,
)
from .packs import check_api_version, check_weights, load_pack, pack_loader, verify_pack
from .probe import asked, fingerprint, forget, import_problem

GROUP = "partita.models"
BUILTIN_DIST = "partita"
_import_lock = threading.Lock()
# The folder plugins' top modules this process imported: their file and the fingerprint of
# their folder then (probe.fingerprint). A plugin whose files have changed since is
# imported afresh by the next listing (the studio's Refresh), not served from sys.modules.
_folder_imports: dict[str, tuple[Path, str]] = {}


def user_models_dir() -> Path:
    """``$PARTITA_MODELS_DIR``, else ``$XDG_DATA_HOME/partita/models``, else
    ``~/.local/share/partita/models``."""
    override = os.environ.get("PARTITA_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "partita" / "models"


def repo_plugins_dir() -> Path | None:
    """The source checkout's ``plugins/`` folder, when running from one."""
    folder = CHECKOUT / "plugins" if CHECKOUT is not None else None
    return folder if folder is not None and folder.is_dir() else None


# -- checking plugin objects ---------------------------------------------------------------


# A model's own option: typed on command lines, `--option NAME=VALUE`.
_OPTION_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")

# What a plugin's own code may raise while Partita imports or builds it. SystemExit too: a
# plugin calling sys.exit() must not end Partita (Ctrl-C still does).
PLUGIN_CODE_ERRORS = (Exception, SystemExit)


@contextlib.contextmanager
def plugin_code() -> Iterator[None]:
    """Run a plugin's import or set-up code: what it prints goes to stderr, so that it
    cannot corrupt a command's output (``partita models --json``)."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def _not_a_plugin(obj: object) -> str:
    """Why ``obj`` is not a :class:`ModelPlugin`, naming what it lacks."""
    missing = [a for a in ("info", "generate") if not hasattr(obj, a)]
    what = f"{type(obj).__name__} object" if not inspect.isclass(obj) else f"class {obj.__name__}"
    lacks = f": it lacks {' and '.join(repr(m) for m in missing)}" if missing else ""
    return f"{what} is not a ModelPlugin{lacks} (needs .info, a ModelInfo, and .generate())"


def check_plugin(plugin: object) -> ModelPlugin:
    """Validate a plugin object against the protocol; raise :class:`PluginError` if not."""
    if not isinstance(plugin, ModelPlugin):
        raise PluginError(_not_a_plugin(plugin))
    info = plugin.info
    if not isinstance(info, ModelInfo):
        raise PluginError(f"{type(plugin).__name__}.info is not a ModelInfo")
    if not isinstance(info.name, str) or not info.name:
        raise PluginError(f"{type(plugin).__name__}.info.name is empty" if not info.name
                          else f"{type(plugin).__name__}.info.name must be text (got "
                               f"{info.name!r:.40})")
    # The rules a manifest is held to, for a model that comes with none (an entry point):
    # its name is typed on command lines and names its folders.
    problem = name_problem(info.name)
    if problem:
        raise PluginError(f"{type(plugin).__name__}.info.name: {problem}")
    problem = info_field_problem(info)
    if problem:
        raise PluginError(f"model {info.name!r}: {problem}")
    odd = [i for i in info.instruments if i not in INSTRUMENTS]
    if odd or not info.instruments:
        raise PluginError(f"model {info.name!r}: instruments must be some of "
                          f"{', '.join(INSTRUMENTS)} (got {', '.join(map(repr, odd)) or 'none'})")
    odd_option = next((o for o in info.options if not isinstance(o, ModelOption)), None)
    if odd_option is not None:  # a dict: "'dict' object has no attribute 'name'" said it
        raise PluginError(f"model {info.name!r}: each of its options must be a ModelOption "
                          f"(got {type(odd_option).__name__} {odd_option!r:.60}): write "
                          "ModelOption(name, default, label, …)")
    names = [o.name for o in info.options]
    untypable = next((n for n in names if n and not _OPTION_NAME_RE.fullmatch(n)), None)
    if untypable is not None:  # `--option my style!=x` cannot name it
        raise PluginError(f"model {info.name!r}: option name {untypable!r} cannot be typed "
                          "in --option NAME=VALUE: use letters, digits, '_' and '-'")
    bad = next((o for o in info.options if not o.name or o.problem(o.default)), None)
    if bad is not None or len(set(names)) != len(names):
        raise PluginError(f"model {info.name!r}: its options must have names of their own "
                          "and defaults they allow"
                          + (f" ({bad.name or 'unnamed'}: {bad.problem(bad.default)})"
                             if bad is not None and bad.name else ""))
    if not info.precisions or any(p not in PRECISIONS for p in info.precisions) or (
            info.default_precision not in info.precisions):
        raise PluginError(f"model {info.name!r}: precisions must be some of "
                          f"{', '.join(PRECISIONS)}, the default one of them (got "
                          f"{', '.join(info.precisions) or 'none'}, default "
                          f"{info.default_precision})")
    odd = [s for s in info.sampling if s not in SAMPLING]
    if odd:
        raise PluginError(f"model {info.name!r}: sampling names the standard settings it "
                          f"honours, some of {', '.join(SAMPLING)} (got "
                          f"{', '.join(map(repr, odd))})")
    if info.api_version != API_VERSION:
        unstated = (f" (ModelInfo(api_version=…) not given: {FIRST_API_VERSION}, the first "
                    "API, is assumed)" if info.api_version == FIRST_API_VERSION else "")
        raise PluginError(
            f"model {info.name!r} is written for plugin API {info.api_version}, "
            f"this Partita supports API {API_VERSION}{unstated}"
        )
    unknown = [t for t in info.tasks if t not in TASKS]
    if unknown:
        raise PluginError(f"model {info.name!r} declares unknown task {unknown[0]!r}")
    if not callable(getattr(plugin, "generate", None)):
        raise PluginError(f"model {info.name!r}: generate is not callable")
    return plugin


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def info_field_problem(info: ModelInfo) -> str | None:
    """Why a field of ``info`` has the wrong type or no value (None when none has): the
    type checks a manifest's fields get, for a ``ModelInfo`` written in code. Without
    them ``api_version="1"`` was refused as "written for plugin API 1, this Partita
    supports API 1", and ``instruments="melody"`` as "got 'm', 'e', …"."""
    if not _whole(info.api_version):
        return f"api_version must be a whole number (got {info.api_version!r:.40})"
    if not isinstance(info.version, str) or not info.version.strip():
        return f"version must be non-empty text, e.g. \"0.1.0\" (got {info.version!r:.40})"
    for field in ("tasks", "precisions", "instruments", "options", "sampling"):
        value = getattr(info, field)
        if isinstance(value, str):  # ("melody") without its comma is a string
            return (f"{field} must be a tuple, not the text {value!r:.40}: write "
                    f"({value!r:.40},) — with the comma — or a list")
        if not isinstance(value, tuple):
            return f"{field} must be a tuple or a list (got {type(value).__name__})"
    for field in ("tasks", "precisions", "instruments"):
        odd = next((v for v in getattr(info, field) if not isinstance(v, str)), None)
        if odd is not None:
            return f"{field} must hold text (got {odd!r:.40})"
    if not info.tasks:
        return f"tasks must name at least one of {', '.join(TASKS)} (got none)"
    if not _whole(info.max_lanes) or info.max_lanes < 0:
        return (f"max_lanes must be a whole number ≥ 0, 0 for no limit (got "
                f"{info.max_lanes!r:.40})")
    for field in ("description", "default_precision", "licence", "author"):
        if not isinstance(getattr(info, field), str):
            return f"{field} must be text (got {getattr(info, field)!r:.40})"
    return None


def plugins_from_object(obj: object, depth: int = 0) -> list[object]:
    """Flatten an entry point object: a plugin, a factory, or a list of them."""
    if isinstance(obj, ModelPlugin) and not inspect.isclass(obj):
        return [obj]
    if isinstance(obj, list | tuple):
        return [p for item in obj for p in plugins_from_object(item, depth + 1)]
    if callable(obj) and depth < 2:
        return plugins_from_object(obj(), depth + 1)
    if hasattr(obj, "generate") or hasattr(obj, "info"):  # meant as a plugin
        raise PluginError(_not_a_plugin(obj))
    raise PluginError(f"{type(obj).__name__} object is neither a ModelPlugin, a factory of "
                      "one, nor a list of them")


def _location(plugin: object) -> str:
    try:
        return str(Path(inspect.getfile(type(plugin))).resolve())
    except (TypeError, OSError):
        return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


def _entries_for(
    obj: object, *, kind: str, origin: str, source: str, fallback: tuple[str, str],
    manifest: Manifest | None = None, location: str | None = None, what: str = "",
) -> list[Entry]:
    """Entries for the models an object yields; one disabled entry if it yields none."""
    name, version = fallback
    try:
        with plugin_code():
            plugins = plugins_from_object(obj)
        if not plugins:
            raise PluginError(f"{what or source} provides no models")
    except PLUGIN_CODE_ERRORS as e:
        return [_disabled(name, version, kind, origin, source, e)]
    out = []
    for p in plugins:
        pname = getattr(getattr(p, "info", None), "name", "") or name
        pversion = getattr(getattr(p, "info", None), "version", "") or version
        try:
            check_plugin(p)
        except Exception as e:
            out.append(_disabled(pname, pversion, kind, origin, source, e))
            continue
        out.append(Entry(pname, pversion, kind, origin, source, plugin=p,
                         location=location or _location(p)))
    # A one-model folder plugin whose manifest disagrees with its code would confuse users.
    if manifest is not None and len(out) == 1 and out[0].ok:
        problem = manifest_mismatch(manifest, out[0].info)
        if problem:
            e = PluginError(f"{manifest.path}: {problem}")
            return [_disabled(manifest.name, manifest.version, kind, origin, source, e)]
    return out


def manifest_mismatch(manifest: Manifest, info: ModelInfo) -> str:
    """How a code plugin's manifest disagrees with its model's ``info`` ("" if it does
    not): the name and version, and the ``tasks`` and ``instruments`` the manifest
    declares. A version of its own in each was listed as one and verified as the other."""
    if info.name != manifest.name:
        return (f"manifest name {manifest.name!r} differs from the model's info.name "
                f"{info.name!r}")
    if info.version != manifest.version:
        return (f"manifest version {manifest.version!r} differs from the model's "
                f"info.version {info.version!r}: give both the same version")
    for field in ("tasks", "instruments"):
        declared, actual = getattr(manifest, field), getattr(info, field)
        if field in manifest.declared and set(declared) != set(actual):
            return (f"manifest {field} {list(declared)} differ from the model's "
                    f"info.{field} {list(actual)}")
    return ""


def _disabled(name: str, version: str, kind: str, origin: str, source: str,
              error: BaseException, location: str = "") -> Entry:
    reason = str(error) if isinstance(error, PluginError) else failure(error, "loading")
    # Where the plugin's own code raised (its file and line); none where Partita refused
    # it for what it declares (the reason says all).
    details = plugin_traceback(error)
    return Entry(name, version, kind, origin, source, status=DISABLED, reason=reason,
                 details=details, location=location)


# -- entry points --------------------------------------------------------------------------


def from_entry_points(group: str = GROUP) -> list[Entry]:
    """Models from installed packages' ``partita.models`` entry points."""
    out: list[Entry] = []
    for ep in sorted(md.entry_points(group=group), key=_ep_order):
        dist = ep.dist.name if ep.dist else "?"
        dist_version = ep.dist.version if ep.dist else ""
        builtin = dist == BUILTIN_DIST
        origin = "builtin" if builtin else "package"
        source = f"built-in ({ep.value})" if builtin else f"package {dist} {dist_version}"
        # A package's shipped manifest and the files it lists are checked before its code
        # is imported, as a folder plugin's are (the module's file is found unimported).
        shipped = None if builtin else _shipped_manifest(_module_file(ep.module))
        try:
            if shipped is not None:
                _check_shipped_files(shipped)
            with plugin_code():
                obj = ep.load()
        except PluginError as e:
            out.append(_disabled(ep.name, dist_version, "code", origin, source, e))
            continue
        except PLUGIN_CODE_ERRORS as e:
            err = PluginError(f"cannot import {ep.value}: {failure(e, 'importing')}")
            err.__cause__ = e
            out.append(_disabled(ep.name, dist_version, "code", origin, source, err))
            continue
        found = _entries_for(obj, kind="code", origin=origin, source=source,
                             fallback=(ep.name, dist_version), what=ep.value)
        if not builtin:
            found = [_shipped_checked(e, shipped, alone=len(found) == 1) for e in found]
        out += found
    return out


def _module_file(module: str) -> Path | None:
    """The file of ``module`` (``pkg.sub``), found without running any of its code (its
    package's ``__init__`` neither); None where that cannot be told."""
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level name: nothing is imported
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.has_location:
        return None
    path = Path(spec.origin)
    for part in rest:
        if path.name != "__init__.py":
            return None
        if (path.parent / part / "__init__.py").is_file():
            path = path.parent / part / "__init__.py"
        elif (path.parent / f"{part}.py").is_file():
            path = path.parent / f"{part}.py"
        else:
            return None
    return path


def _shipped_manifest(module_file: Path | str | None) -> Manifest | None:
    """The manifest a package ships beside its code (:func:`plugin_folder`), if any: a
    broken one is left for ``partita models verify NAME`` to name."""
    if module_file is None or not Path(module_file).is_file():
        return None
    try:
        return load_manifest(plugin_folder(module_file))
    except PluginError:
        return None


def _check_shipped_files(manifest: Manifest) -> None:
    """The checks a folder plugin's manifest gets before its code runs: the plugin API it
    states, and the SHA-256 of each data file it lists (hashed once per file version:
    :func:`~engine.plugins.packs.file_sha256`). A package's damaged weights were listed
    "ok" and run, where the same folder plugin was disabled."""
    check_api_version(manifest)
    check_weights(manifest)


def _shipped_checked(entry: Entry, checked: Manifest | None, alone: bool) -> Entry:
    """``entry`` (a package's model), disabled as ``partita models verify NAME`` would
    refuse it: a manifest beside its code (where its class is, if not where the entry
    point is: ``checked``) that states another plugin API, lists a damaged data file, or
    — the package's only model — disagrees with its ``ModelInfo``."""
    if not entry.ok or entry.info is None:
        return entry
    manifest = _shipped_manifest(entry.location)
    if manifest is None:
        return entry
    try:
        if checked is None or manifest.path != checked.path:
            _check_shipped_files(manifest)
        problem = manifest_mismatch(manifest, entry.info) if alone else ""
        if problem:
            raise PluginError(f"{manifest.path}: {problem}")
    except PluginError as e:
        return _disabled(entry.name, entry.version, entry.kind, entry.origin, entry.source,
                         e, entry.location)
    return entry


def _ep_order(ep: md.EntryPoint) -> tuple[int, str, str]:
    dist = ep.dist.name if ep.dist else ""
    return (0 if dist == BUILTIN_DIST else 1, dist, ep.name)


# -- folders -------------------------------------------------------------------------------


def plugin_folders(folder: Path) -> list[Path]:
    """The plugin subfolders of ``folder``, in discovery order (missing folder: none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    # A model folder Partita wrote (`runs/<name>/best`) has a manifest.json, and
    # load_manifest reads either: one copied in by hand is listed as installed is.
    return [sub for sub in sorted(p for p in folder.iterdir()
                                  if p.is_dir() and not p.name.startswith("."))
            if (sub / MANIFEST_NAME).is_file() or (sub / MODEL_MANIFEST_NAME).is_file()
            or package_manifest(sub) is not None]


def from_folder(folder: Path, origin: str = "folder",
                loaded: dict[Path, list[Entry]] | None = None) -> list[Entry]:
    """Models from every plugin subfolder of ``folder`` (missing folder: none);
    ``loaded`` holds subfolders already read (:func:`find`), used as they are."""
    loaded = loaded if loaded is not None else {}
    out: list[Entry] = []
    for sub in plugin_folders(folder):
        out += loaded[sub] if sub in loaded else from_plugin_folder(sub, origin)
    return out


def find(name: str, entries: Iterable[Entry], folders: Iterable[tuple[Path, str]],
         loaded: dict[Path, list[Entry]]) -> Entry | None:
    """The usable model called ``name`` as :func:`discover` would rank it, reading as little
    as it can: ``entries`` (the entry points', read first), then, folder by folder, only
    the plugin folders whose manifest gives that name — the others are neither imported
    nor tried (a plugin whose import hangs costs a command that names another model
    nothing). ``loaded`` receives each folder read. None when no folder plugin of that
    name is usable either (a model that a plugin of another name provides is then found
    by listing them all)."""
    found = next((e for e in entries if e.name == name and e.ok), None)
    if found is not None:
        return found
    for folder, origin in folders:
        for sub in plugin_folders(folder):
            try:
                if load_manifest(sub).name != name:
                    continue
            except PluginError:
                continue  # listed as disabled by the full listing, named by folder
            if sub not in loaded:
                loaded[sub] = from_plugin_folder(sub, origin)
            found = next((e for e in loaded[sub] if e.name == name and e.ok), None)
            if found is not None:
                return found
    return None


def from_plugin_folder(folder: Path, origin: str = "folder") -> list[Entry]:
    """Models of one plugin folder (a code plugin or a pack)."""
    source = f"{'user folder' if origin == 'user' else 'folder'} {folder}"
    where = str(folder.resolve())  # a broken one can still be removed from the user folder
    try:
        manifest = load_manifest(folder)
    except PluginError as e:
        return [_disabled(folder.name, "", "?", origin, source, e, where)]
    fallback = (manifest.name, manifest.version)
    try:
        check_api_version(manifest)  # before importing anything written for another API
        check_weights(manifest)  # a pack's, or a code plugin's data: before its code runs
        if manifest.kind == "pack":
            _, plugin = load_pack(folder)
            return _entries_for(plugin, kind="pack", origin=origin, source=source,
                                fallback=fallback, location=str(folder.resolve()))
        with plugin_code():
            obj = load_entry(manifest.root, manifest.entry)
    except Exception as e:
        return [_disabled(*fallback, manifest.kind, origin, source, e, where)]
    return _entries_for(obj, kind="code", origin=origin, source=source, fallback=fallback,
                        manifest=manifest, what=manifest.entry)


def load_entry(folder: Path, entry: str) -> object:
    """Import ``module:attr`` from a plugin folder (without installing it)."""
    module_name, _, attr = entry.partition(":")
    try:
        module = _import_from_folder(Path(folder), module_name)
    except PluginError:
        raise
    except PLUGIN_CODE_ERRORS as e:
        raise PluginError(f"{folder}: importing {module_name!r} failed: "
                          f"{failure(e, 'importing')}") from e
    obj: object = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise PluginError(f"{folder}: {module_name} has no attribute {attr!r}") from e
    return obj


def _import_from_folder(folder: Path, module_name: str) -> ModuleType:
    top = module_name.split(".")[0]
    if (folder / top / "__init__.py").is_file():
        file, search = folder / top / "__init__.py", [str(folder / top)]
    elif (folder / f"{top}.py").is_file():
        file, search = folder / f"{top}.py", None
    else:
        raise PluginError(f"{folder}: module {top!r} (from 'entry') is not in the folder")
    with _import_lock:
        existing = sys.modules.get(top)
        now = fingerprint(folder, top)
        mine = _folder_imports.get(top)
        if existing is not None and mine is not None and mine[0] == file.resolve() \
                and mine[1] != now:  # imported from this folder, edited since: again
            _drop_modules(top)
            existing = None
        if existing is not None:
            # Already imported, e.g. through an editable install of this same folder.
            existing_file = getattr(existing, "__file__", None) or ""
            if not existing_file or Path(existing_file).resolve() != file.resolve():
                raise PluginError(
                    f"{folder}: module name {top!r} is already taken by {existing_file or top}"
                )
        else:
            problem = import_problem(folder, top)  # hangs or ends the process: not here
            if problem:
                raise PluginError(f"{folder}: {problem}")
            spec = importlib.util.spec_from_file_location(top, file,
                                                          submodule_search_locations=search)
            if spec is None or spec.loader is None:
                raise PluginError(f"{file}: cannot be imported")
            module = importlib.util.module_from_spec(spec)
            sys.modules[top] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                _drop_modules(top)
                raise
            _folder_imports[top] = (file.resolve(), now)
        return importlib.import_module(module_name)


def _drop_modules(top: str) -> None:
    """Forget the module ``top`` and its submodules, so that the next import runs the
    files as they are now (the objects made from the old ones live on where they are held:
    a job running the old model finishes with it)."""
    for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
        del sys.modules[name]
    _folder_imports.pop(top, None)


def discover(entry_points: bool, folders: Iterable[tuple[Path, str]],
             loaded: dict[Path, list[Entry]] | None = None) -> list[Entry]:
    """All entries, in precedence order: entry points, then each folder in turn
    (``loaded``: as :func:`from_folder`)."""
    out = from_entry_points() if entry_points else []
    for folder, origin in folders:
        out += from_folder(folder, origin, loaded)
    return out


def check_loads(manifest: Manifest) -> list[Entry] | None:
    """Load ``manifest``'s folder as the model list would (the same checks, the same
    message, but a code plugin's import is tried again even after a time-out): its
    models, or :class:`PluginError`. A pack no registered loader reads has
    only its files checked (None). Pack loaders register when their package is imported
    (the built-in one: with the entry points, on a registry's first listing)."""
    if manifest.kind == "pack" and not pack_loader(manifest.architecture):
        verify_pack(manifest.folder)
        return None
    if manifest.kind == "code":  # asked for: a plugin skipped after a time-out is tried
        forget(manifest.root, manifest.entry.partition(":")[0].split(".")[0])
    with asked():  # a time-out is the command's error, said as such
        entries = from_plugin_folder(manifest.root)
    broken = [e for e in entries if not e.ok]
    if broken:
        reason = broken[0].reason
        folder = str(manifest.root)
        raise PluginError(reason if reason.startswith(folder) else f"{folder}: {reason}",
                          detail=broken[0].details)
    return entries
