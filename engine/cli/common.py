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
