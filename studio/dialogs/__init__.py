"""Every dialog the studio shows, behind small functions.

The main window calls these through the module (``dialogs.ask_save_changes(…)``), so
tests can replace a dialog with a canned answer; nothing else in the studio opens
modal dialogs directly.
"""

from __future__ import annotations

from .files import get_export_midi_path, get_open_path, get_save_path, get_stems_dir
from .messages import ask_save_changes, show_error, show_info, show_notice
from .recovery import ask_recover
from .shortcuts import show_shortcuts

__all__ = [
    "ask_recover",
    "ask_save_changes",
    "get_export_midi_path",
    "get_open_path",
    "get_save_path",
    "get_stems_dir",
    "show_error",
    "show_info",
    "show_notice",
    "show_shortcuts",
]
