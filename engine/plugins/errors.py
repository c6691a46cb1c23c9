"""Errors of the plugin system (re-exported by :mod:`engine.plugins.registry`)."""

from __future__ import annotations


class PluginError(Exception):
    """A plugin or model pack cannot be used; the message is one line a user can act on.

    Messages name the file or plugin first, e.g. ``"…/drumkit/partita-plugin.json: field
    'api_version': …"``; the CLI prints them as ``partita: error: <message>``.
    """


class ManifestError(PluginError):
    """A ``partita-plugin.json`` manifest is missing, not JSON, or has a bad field."""
