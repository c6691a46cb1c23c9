"""Errors of the plugin system (re-exported by :mod:`engine.plugins.registry`)."""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import Path

from engine.errors import PartitaError

# Code that is not a plugin's: Partita's engine and Python's standard library (a manifest
# that is not JSON fails in json, not in the plugin).
_ENGINE = Path(__file__).resolve().parents[1]
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


class PluginError(PartitaError):
    """A plugin or model pack cannot be used; the message is one line a user can act on.

    Messages name the file or plugin first, e.g. ``"…/drumkit/partita-plugin.json: field
    'api_version': …"``; the CLI prints them as ``partita: error: <message>``. ``detail``
    is for the plugin's author: the traceback of the plugin's own exception, where its
    code raised one (``partita --verbose`` prints it).
    """

    def __init__(self, message: str = "", *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class ManifestError(PluginError):
    """A ``partita-plugin.json`` manifest is missing, not JSON, or has a bad field."""


def one_line(e: BaseException) -> str:
    """``"ValueError: first line of the message"``."""
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def failure(e: BaseException, doing: str) -> str:
    """One line saying why a plugin's code failed while ``doing`` (e.g. "importing"); a
    plugin calling ``sys.exit()`` is named as such."""
    if isinstance(e, SystemExit):
        return f"called sys.exit({e.code!r}) while {doing}"
    return one_line(e)


def plugin_traceback(e: BaseException) -> str:
    """The traceback of the exception a plugin's own code raised that led to ``e`` (``e``
    itself, or its cause through :class:`PluginError` wrappers): the file and line inside
    the plugin. "" when no plugin code raised (a bad manifest, a wrong API version)."""
    while isinstance(e, PluginError):
        if e.__cause__ is None:
            return ""
        e = e.__cause__
    frames = traceback.extract_tb(e.__traceback__)
    if not any(_plugin_code(f.filename) for f in frames):
        return ""
    return "".join(traceback.format_exception(e))


def _plugin_code(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen importlib…>, <string>
        return False
    where = Path(filename).resolve()
    if where.is_relative_to(_ENGINE):
        return False
    # An installed plugin may live in a site-packages inside the standard library's folder.
    return not where.is_relative_to(_STDLIB) or bool(
        {"site-packages", "dist-packages"} & set(where.parts))
