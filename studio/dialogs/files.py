"""File pickers for open / save / export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

OPEN_FILTER = "Songs (*.partita *.mid *.midi *.kar);;Partita projects (*.partita);;" \
              "MIDI files (*.mid *.midi *.kar);;All files (*)"
SAVE_FILTER = "Partita project (*.partita);;MIDI file (*.mid)"
MIDI_FILTER = "MIDI file (*.mid *.midi)"


def get_open_path(parent: QWidget | None, start_dir: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open song", start_dir, OPEN_FILTER)
    return Path(path) if path else None


def get_save_path(parent: QWidget | None, suggestion: str) -> Path | None:
    path, chosen = QFileDialog.getSaveFileName(parent, "Save song", suggestion, SAVE_FILTER)
    if not path:
        return None
    p = Path(path)
    if not p.suffix:
        p = p.with_suffix(".mid" if chosen.startswith("MIDI") else ".partita")
    return p


def get_export_midi_path(parent: QWidget | None, suggestion: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export MIDI", suggestion, MIDI_FILTER)
    if not path:
        return None
    p = Path(path)
    return p if p.suffix.lower() in (".mid", ".midi") else p.with_suffix(".mid")


def get_stems_dir(parent: QWidget | None, start_dir: str) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, "Export audio and stems to folder",
                                            start_dir)
    return Path(path) if path else None
