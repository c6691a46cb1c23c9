"""Errors of the plugin system (re-exported by :mod:`engine.plugins.registry`)."""

from __future__ import annotations

from engine.errors import PartitaError


class PluginError(PartitaError):
    """A plugin or model pack cannot be used; the message is one line a user can act on.

    Messages name the file or plugin first, e.g. ``"…/drumkit/partita-plugin.json: field
    'api_version': …"``; the CLI prints them as ``partita: error: <message>``.
    """


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
