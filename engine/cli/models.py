"""``partita models``: list the models, verify a plugin folder, install a model pack.

    partita models [--json]             every model: source, version, status (and why not)
    partita models verify PATH|NAME     check a pack or plugin (folder or name); exit 1 if broken
    partita models install PATH         verify a pack and copy it to the user's models folder
    partita models remove NAME          delete a model from the user's models folder
    partita models default [NAME]       the default model: say it, or set it (--clear)

``--json`` (before or after the action) prints the list, or the default model, as JSON;
verify, install and remove print one line and refuse it with their own usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from engine.plugins.discovery import check_loads, user_models_dir
from engine.plugins.entry import Entry
from engine.plugins.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    load_manifest,
    plugin_folder,
)
from engine.plugins.registry import Registry
from engine.score import plural

from .common import json_text


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "models", help="list, verify, install and remove models, and set the default",
        description="List the models Partita can use (built-in, installed packages, "
        "plugin folders, your models folder), verify a model pack or plugin, install a "
        "pack, remove one, or say or set the default model.",
    )
    p.add_argument("--json", action="store_true",
                   help="print the list (or what `models default` says) as JSON")
    p.set_defaults(func=_list)
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")

    ls = sub.add_parser("list", help="list models (the default)")
    # SUPPRESS: without --json here, `models --json list` keeps the --json given before
    # `list` (a sub-command's own default would overwrite it).
    ls.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                    help="print the list as JSON")
    ls.set_defaults(func=_list)
    json_help = "print it as JSON"

    v = sub.add_parser("verify", help="check a model pack or plugin (folder or name)")
    v.add_argument("path", type=Path, help="plugin folder (or its partita-plugin.json), or "
                                           "the name of a shipped model, an installed pack "
                                           "or a code plugin (a package: its import and, "
                                           "where it ships a manifest, its data files)")
    _refuse_json(v)
    v.set_defaults(func=_verify)

    i = sub.add_parser("install", help="install a model pack into your models folder")
    i.add_argument("path", type=Path, help="pack folder (or its partita-plugin.json)")
    i.add_argument("--force", action="store_true", help="replace an installed pack of that name")
    i.add_argument("--dir", type=Path, default=None,
                   help="models folder (default: $PARTITA_MODELS_DIR, else "
                   "$XDG_DATA_HOME/partita/models, else ~/.local/share/partita/models)")
    _refuse_json(i)
    i.set_defaults(func=_install)

    r = sub.add_parser("remove", help="delete a model from your models folder")
    r.add_argument("name", help="the model's name (as `partita models` lists it)")
    r.add_argument("--dir", type=Path, default=None,
                   help="models folder (default: $PARTITA_MODELS_DIR, else "
                   "$XDG_DATA_HOME/partita/models, else ~/.local/share/partita/models)")
    _refuse_json(r)
    r.set_defaults(func=_remove)

    d = sub.add_parser("default", help="say or set the default model (the studio's too)")
    d.add_argument("name", nargs="?", help="the model to use when none is named")
    d.add_argument("--clear", action="store_true",
                   help="forget the choice (partita-base, or $PARTITA_MODEL, again)")
    d.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json_help)
    d.set_defaults(func=_default)


def _refuse_json(action: argparse.ArgumentParser) -> None:
    """``--json`` after an action that prints one line is refused with that action's usage
    (after ``models`` it would be taken and ignored: ``_no_json`` refuses it there)."""
    action.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    action.set_defaults(action_parser=action)


def _no_json(args: argparse.Namespace) -> None:
    if getattr(args, "json", False):
        args.action_parser.error("--json is for the model list and `models default`; "
                                 f"{args.models_command} prints one line")


def _list(args: argparse.Namespace) -> int:
    registry = Registry()
    entries = registry.entries()
    default = registry.default()
    if args.json:
        rows = [dict(e.as_dict(), default=e is default) for e in entries]
        print(json_text({"models": rows, "user_dir": str(registry.user_dir)}))
        return 0
    if not entries:
        print(f"No models found. Install a pack with `partita models install PATH` "
              f"(into {registry.user_dir}).")
        return 0
    rows = [("", "NAME", "VERSION", "KIND", "SOURCE", "STATUS")]
    for e in entries:
        status = "ok" if e.ok else f"disabled: {e.reason}"
        rows.append(("*" if e is default else "", e.name, e.version or "-", e.kind, e.source,
                     status))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)) + "  " + r[5])
    for e in entries:  # a model's own settings: --option NAME=VALUE
        if e.ok and e.info and e.info.options:
            said = ", ".join(_option_text(o) for o in e.info.options)
            print(f"\n{e.name} options (--option NAME=VALUE): {said}")
    ok = sum(e.ok for e in entries)
    print(f"\n{ok} of {plural(len(entries), 'model')} usable" +
          (f"; * = default ({default.name})" if default else "; no usable model") +
          f". Your models folder: {registry.user_dir}")
    return 0


def _option_text(option) -> str:
    """``style=auto|rock|funk`` or ``phrase_bars=4 (1-16)``: the first value the default."""
    if option.choices:
        values = [option.default, *(c for c in option.choices if c != option.default)]
        return f"{option.name}={'|'.join(map(str, values))}"
    span = (f" ({option.minimum:g}-{option.maximum:g})"
            if option.minimum is not None and option.maximum is not None else "")
    default = str(option.default).lower() if isinstance(option.default, bool) else option.default
    return f"{option.name}={default}{span}"


def _verify(args: argparse.Namespace) -> int:
    from engine.plugins import probe
    from engine.plugins.packs import hashing_afresh

    def announce(folder: Path, module: str, limit: float) -> None:
        # The import is tried in a child process that may take the whole limit: say so,
        # naming the plugin as its manifest does (its folder may be called anything).
        try:
            name = load_manifest(folder).name
        except (ManifestError, OSError):
            name = folder.name
        print(f"partita: importing {name}… (up to {limit:g} s)", file=sys.stderr,
              flush=True)

    _no_json(args)
    # A time-out is this command's error, said once; every file is hashed again (the
    # listing trusts a hash kept for the file's size and time).
    with probe.asked(announce), hashing_afresh():
        return _verify_asked(args)


def _verify_asked(args: argparse.Namespace) -> int:
    from .common import is_model_path, model_folder

    path = args.path
    if not path.exists() and not is_model_path(str(path)):  # a model's name
        entry = _code_plugin(str(path))
        if entry is not None and entry.origin in ("package", "builtin", "added"):
            return _verify_installed(entry)
        path = Path(entry.location) if entry is not None else model_folder(str(path))
    manifest = load_manifest(path)
    entries = _loaded(manifest)
    if entries is None:
        print(f"ok: pack {manifest.name} {manifest.version} — {_weights_match(manifest)} "
              f"(note: this Partita has no loader for architecture "
              f"{manifest.architecture!r} yet, so it will be listed as disabled)")
    elif manifest.kind == "pack":
        print(f"ok: pack {manifest.name} {manifest.version} — {_weights_match(manifest)}")
    else:
        names = ", ".join(e.name for e in entries)
        data = f"; {_weights_match(manifest)}" if manifest.weights else ""
        print(f"ok: code plugin {manifest.name} {manifest.version} — models: {names}{data}")
    return 0


def _code_plugin(name: str) -> Entry | None:
    """The code plugin called ``name`` (the usable one, else the first listed), or None
    for a name that only a shipped model or a pack has, or none at all; for a folder
    plugin, with ``location`` its folder."""
    from engine.models.plugin import shipped_model_folder

    if shipped_model_folder(name) != Path(name):
        return None  # a shipped model: its folder is verified
    registry = Registry()
    entry = registry.find(name) or next(
        (e for e in registry.entries() if e.name == name), None)
    if entry is None or entry.kind != "code":
        return None
    if entry.origin in ("folder", "user"):
        where = Path(entry.location)
        folder = where if where.is_dir() else plugin_folder(where)
        return replace(entry, location=str(folder))
    return entry


def _verify_installed(entry: Entry) -> int:
    """``models verify NAME`` of a code plugin installed as a package: what can be
    checked without a plugin folder — that it imports and declares a valid ModelInfo (as
    listing it does), and, where the package ships a manifest beside its code, that the
    manifest agrees and the data files it lists match their SHA-256."""
    from engine.plugins import PluginError
    from engine.plugins.discovery import manifest_mismatch
    from engine.plugins.packs import check_api_version, check_weights

    if not entry.ok:
        raise PluginError(f"{entry.name} ({entry.source}): {entry.reason}",
                          detail=entry.details)
    said = f"ok: code plugin {entry.name} {entry.version} ({entry.source}) — imports"
    try:
        manifest = load_manifest(plugin_folder(entry.location))
    except ManifestError:
        print(f"{said}, and its ModelInfo is valid; no {MANIFEST_NAME} beside its code, "
              "so no data files to check")
        return 0
    assert entry.info is not None and manifest.path is not None
    check_api_version(manifest)
    problem = manifest_mismatch(manifest, entry.info)
    if problem:
        raise PluginError(f"{manifest.path}: {problem}")
    check_weights(manifest)
    data = f"; {_weights_match(manifest)}" if manifest.weights else ""
    print(f"{said}, and its ModelInfo is valid and agrees with {manifest.path}{data}")
    return 0


def _loaded(manifest: Manifest) -> list[Entry] | None:
    import engine.models.plugin  # noqa: F401  (registers the built-in pack loaders)

    return check_loads(manifest)


def _weights(manifest: Manifest) -> str:
    return ", ".join(w.file for w in manifest.weights)


def _weights_match(manifest: Manifest) -> str:
    """"model.safetensors matches its SHA-256", "a, b match their SHA-256"."""
    verb = "matches its" if len(manifest.weights) == 1 else "match their"
    return f"{_weights(manifest)} {verb} SHA-256"


def _not_done_by(name: str, tasks: list[str], registry: Registry) -> list[str]:
    """What the new default ``name`` cannot do, and which model does it instead (asked
    after it is saved, so the answer is the one a request gets): "arp cannot harmonize:
    harmonize will use partita-base (the next model in line)"."""
    instead: dict[str, list[str]] = {}  # the model used → the tasks it takes over
    for task in tasks:
        entry = registry.default(task)
        instead.setdefault(entry.name if entry is not None else "", []).append(task)
    lines = []
    for model, them in instead.items():
        either = _listed(them, "or")
        lines.append(f"{name} cannot {either}: " + (
            f"{_listed(them, 'and')} will use {model} (the next model in line)" if model
            else f"no installed model can {either}"))
    return lines


def _listed(words: list[str], conjunction: str) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return words[0] if len(words) == 1 else \
        f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _default(args: argparse.Namespace) -> int:
    """Say the default model and where it comes from, or keep a new one (the studio's
    *Set as Default* keeps the same file, so both use it)."""
    from .common import CliError

    registry = Registry()
    if args.clear or args.name:
        if args.clear and args.name:
            raise CliError("models default: give a NAME or --clear, not both")
        if args.name:
            entry = next((e for e in registry.entries() if e.name == args.name), None)
            if entry is None:
                names = ", ".join(e.name for e in registry.entries()) or "none"
                raise CliError(f"models default: no model named {args.name!r} "
                               f"(models: {names})")
            if not entry.ok:
                raise CliError(f"models default: {args.name} is disabled: {entry.reason}")
            tasks = set(entry.info.tasks) if entry.info else set()
            left = [t for t in ("compose", "regenerate", "continue", "repaint", "harmonize")
                    if t not in tasks]
            if entry.info and "any" not in entry.info.instruments and not (
                    set(entry.info.instruments) - {"drums"}):
                fallback = registry.builtin_default()
                instead = (f"{fallback.name} writes" if fallback is not None and
                           fallback.name != args.name else "nothing writes")
                print(f"partita: warning: {args.name} writes only drum tracks: {instead} a "
                      "request for pitched parts with no --model",
                      file=sys.stderr)
        else:
            left = []
        try:
            registry.save_default(args.name)
        except OSError as e:
            raise CliError(f"{registry.default_file}: cannot write: {e.strerror or e}") \
                from None
        for line in _not_done_by(args.name, left, registry):
            print(f"partita: warning: {line}", file=sys.stderr)
    chosen = registry.saved_default()
    entry = registry.default()
    if entry is None:
        if getattr(args, "json", False):
            print(json_text({"name": None, "why": "no usable model"}))
        else:
            print("no usable model (see `partita models`)")
        return 0
    wanted = os.environ.get("PARTITA_MODEL")
    if wanted and entry.name == wanted:
        why = "$PARTITA_MODEL, which comes before the saved choice"
    elif chosen and entry.name == chosen:
        why = f"your choice, kept in {registry.default_file}"
    elif chosen:
        why = f"{chosen}, your choice, is not usable now"
    else:
        why = "none chosen: the built-in general model"
    if wanted and entry.name != wanted:
        # Said as generation commands say it: a mistyped name read as "none chosen"
        print(f"partita: warning: PARTITA_MODEL={wanted}: no usable model of that name "
              f"(see `partita models`); using {entry.name}", file=sys.stderr)
        why = f"$PARTITA_MODEL={wanted} names no usable model; {why}"
    if getattr(args, "json", False):
        print(json_text({"name": entry.name, "why": why}))
    else:
        print(f"{entry.name} ({why})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    _no_json(args)
    registry = Registry(user_dir=args.dir or user_models_dir())
    folder = registry.remove(args.name)
    print(f"removed {args.name} ({folder})")
    left = [e for e in registry.entries()  # refreshed by remove
            if e.name == args.name and e.ok]
    if left:  # a package or a built-in of that name was the one in use all along
        print(f"partita: note: {args.name!r} is still provided by {left[0].source}",
              file=sys.stderr)
    return 0


def _install(args: argparse.Namespace) -> int:
    _no_json(args)
    registry = Registry(user_dir=args.dir or user_models_dir())
    manifest = load_manifest(args.path)
    target = registry.install(manifest.folder, force=args.force)
    print(f"installed {manifest.name} {manifest.version} into {target}")
    return 0
