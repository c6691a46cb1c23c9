"""What the built-in models declare, known without loading them.

Listing the built-in models imports their code, and with it torch (seconds), so the
studio lists them in the background, after it has started. The settings they declare
are defined here instead, in plain data, so that the studio can offer them from the
start (the Generate panel's *Ending*): this is their one definition, which the grid
models (:class:`engine.models.grid_plugin.GridModelPlugin`: the built-in ones, and packs
of their architecture) declare and honour.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from engine.resources import shipped

from .api import DEFAULT_MODEL, ModelOption

SHIPPED_MODELS = shipped("assets", "models")  # a folder per model, with its manifest.json

# How a piece ends (``GenerateOptions.extra["ending"]``): see
# engine.models.constraints.final_cadence and piece_close.
ENDING = ModelOption(
    "ending", "auto", "Ending", choices=("auto", "close", "open"),
    help="auto: a piece written whole (4 bars or more) and a melody harmonized to its end "
         "close on the home chord; close: a continuation to the end closes too; open: "
         "nothing is made to close")

GRID_OPTIONS = (ENDING,)  # the settings every grid model declares


def builtin_folders() -> list[Path]:
    """The shipped models' folders, the default model's first."""
    folders = sorted(p.parent for p in SHIPPED_MODELS.glob("*/manifest.json"))
    folders.sort(key=lambda p: p.name != DEFAULT_MODEL)
    return folders


@functools.cache
def builtin_names() -> tuple[str, ...]:
    """The built-in models' names, read from their manifests (no model is loaded)."""
    names = []
    for folder in builtin_folders():
        try:
            name = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["name"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged manifest: the model list says what is wrong with it
        if isinstance(name, str):
            names.append(name)
    return tuple(names)


def builtin_options(name: str) -> tuple[ModelOption, ...] | None:
    """The settings the built-in model ``name`` declares (every one is a grid model);
    None for a name no built-in model has."""
    return GRID_OPTIONS if name in builtin_names() else None
