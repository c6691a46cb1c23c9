"""Shared CLI plumbing: the user-error type and progress display."""

from __future__ import annotations

import importlib
import sys


class CliError(Exception):
    """A problem the user can fix; printed as one line without a traceback."""


# Engine exception types that are the user's problem (bad file, bad option), by import path.
# Modules register theirs here so the CLI prints them as one clean line.
_USER_ERROR_PATHS = [
    "engine.io.errors:FileFormatError",
    "engine.score.edits:EditError",
    "engine.plugins.registry:PluginError",
    "engine.models.checkpoint:ModelFileError",
    "engine.models.tasks:TaskError",
    "engine.render.errors:RenderError",
]


def user_errors() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [CliError, FileNotFoundError, IsADirectoryError,
                                        PermissionError]
    for path in _USER_ERROR_PATHS:
        module, _, name = path.partition(":")
        try:
            types.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(types)


def progress_bar(total: int, desc: str, unit: str = "it"):
    """A tqdm bar on stderr that hides itself when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())


def model_folder(name: str):
    """The folder of a model whose weights a command reads (eval, bench, quantize, train
    ``--init-from``): a shipped model's name, an installed model pack's name (as
    ``partita models list`` shows it), or a model folder's path."""
    from pathlib import Path

    from engine.models.plugin import model_folder as shipped_or_path

    folder = shipped_or_path(name)
    if folder.exists() or not name or "/" in name:
        return folder
    from engine.plugins.registry import Registry

    entries = [e for e in Registry().entries() if e.name == name]
    for entry in entries:
        if entry.kind == "pack" and entry.location:
            return Path(entry.location)
    if entries:
        raise CliError(f"model {name!r} is a code plugin: it has no weights folder to "
                       "read (only shipped models and model packs do)")
    return folder
