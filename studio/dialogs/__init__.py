"""Every dialog the studio shows, behind small functions.

The main window calls these through the module (``dialogs.ask_save_changes(…)``), so
tests can replace a dialog with a canned answer; nothing else in the studio opens
modal dialogs directly.
"""

from __future__ import annotations

from .bend_range import ask_bend_range
from .chords import ask_chord, ask_lead_sheet
from .export_options import ask_export_audio
from .files import (
    get_export_midi_path,
    get_export_musicxml_path,
    get_open_path,
    get_pack_dir,
    get_save_path,
)
from .focus import returns_focus
from .generation import ask_instruments, confirm_take_conflict
from .go_to import ask_go_to
from .guide import show_user_guide
from .marker import ask_marker
from .merge import ask_drop_controllers, ask_merge_tracks
from .messages import (
    ask_discard_takes,
    ask_overwrite_changed,
    ask_remove_model,
    ask_replace_export,
    ask_replace_stale,
    ask_save_changes,
    ask_save_over_midi,
    pick_colour,
    show_error,
    show_info,
    show_notice,
    show_warning,
)
from .model_manager import show_model_manager
from .new_song import ask_new_song
from .quantize import ask_quantize
from .recovery import ask_recover
from .shortcuts import show_shortcuts
from .song import ask_song_properties
from .timing import ask_bars, ask_tempo, ask_time
from .transposition import ask_transposition

__all__ = [
    "ask_bars",
    "ask_bend_range",
    "ask_chord",
    "ask_discard_takes",
    "ask_drop_controllers",
    "ask_export_audio",
    "ask_go_to",
    "ask_instruments",
    "ask_lead_sheet",
    "ask_marker",
    "ask_merge_tracks",
    "ask_new_song",
    "ask_overwrite_changed",
    "ask_quantize",
    "ask_recover",
    "ask_remove_model",
    "ask_replace_export",
    "ask_replace_stale",
    "ask_save_changes",
    "ask_save_over_midi",
    "ask_song_properties",
    "ask_tempo",
    "ask_time",
    "ask_transposition",
    "confirm_take_conflict",
    "get_export_midi_path",
    "get_export_musicxml_path",
    "get_open_path",
    "get_pack_dir",
    "get_save_path",
    "pick_colour",
    "show_error",
    "show_info",
    "show_model_manager",
    "show_notice",
    "show_shortcuts",
    "show_user_guide",
    "show_warning",
]

# Every modal question gives the focus back to the widget that had it (the piano roll)
# when it closes (focus.returns_focus); the user guide is a window of its own, not one.
for _name in __all__:
    if _name != "show_user_guide":
        globals()[_name] = returns_focus(globals()[_name])
