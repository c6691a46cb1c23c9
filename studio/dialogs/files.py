"""File pickers for open / save / export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

OPEN_FILTER = ("Songs (*.partita *.mid *.midi *.kar *.musicxml *.xml *.mxl);;"
               "Partita projects (*.partita);;MIDI files (*.mid *.midi *.kar);;"
               "MusicXML scores (*.musicxml *.xml *.mxl);;All files (*)")
MIDI_FILTER = "MIDI file (*.mid *.midi)"
MUSICXML_FILTERS = {"MusicXML score (*.musicxml *.xml)": "musicxml",
                    "Compressed MusicXML (*.mxl)": "mxl"}


def get_open_path(parent: QWidget | None, start_dir: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open song", start_dir, OPEN_FILTER)
    return Path(path) if path else None


def _save_dialog(parent: QWidget | None, title: str, suggestion: str,
                 filters: dict[str, str]) -> tuple[Path, str] | None:
    """A save dialog that adds the chosen filter's extension itself (``filters``: name
    filter → suffix), so its "already exists, replace?" check sees the final name: a name
    typed without an extension used to get its suffix after the dialog had closed and
    replaced an existing file unasked."""
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters(list(filters))
    wanted = next((f for f, suffix in filters.items()
                   if Path(suggestion).suffix.lower() == f".{suffix}"), next(iter(filters)))
    dialog.selectNameFilter(wanted)
    dialog.setDefaultSuffix(filters[wanted])
    dialog.filterSelected.connect(lambda f: dialog.setDefaultSuffix(filters.get(f, "")))
    dialog.selectFile(suggestion)
    if not dialog.exec():
        return None
    files = dialog.selectedFiles()
    return (Path(files[0]), dialog.selectedNameFilter()) if files and files[0] else None


def _confirm_replace(parent: QWidget | None, path: Path) -> bool:
    """Asked when we add an extension ourselves and that file exists."""
    if not path.exists():
        return True
    answer = QMessageBox.question(
        parent, "Replace the file?", f"“{path.name}” already exists. Replace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def get_save_path(parent: QWidget | None, suggestion: str) -> Path | None:
    chosen = _save_dialog(parent, "Save song", suggestion,
                          {"Partita project (*.partita)": "partita", "MIDI file (*.mid)": "mid"})
    if chosen is None:
        return None
    p, name_filter = chosen
    if not p.suffix:
        p = p.with_suffix(".mid" if name_filter.startswith("MIDI") else ".partita")
        if not _confirm_replace(parent, p):
            return None
    return p


def get_export_midi_path(parent: QWidget | None, suggestion: str) -> Path | None:
    chosen = _save_dialog(parent, "Export MIDI", suggestion, {MIDI_FILTER: "mid"})
    if chosen is None:
        return None
    p = chosen[0]
    if p.suffix.lower() not in (".mid", ".midi"):
        p = p.with_suffix(".mid")
        if not _confirm_replace(parent, p):
            return None
    return p


def get_export_musicxml_path(parent: QWidget | None, suggestion: str) -> Path | None:
    """Where File ▸ Export MusicXML writes: ``.musicxml`` (or ``.xml``), or ``.mxl``."""
    chosen = _save_dialog(parent, "Export MusicXML", suggestion, MUSICXML_FILTERS)
    if chosen is None:
        return None
    p, name_filter = chosen
    if p.suffix.lower() not in (".musicxml", ".xml", ".mxl"):
        p = p.with_name(f"{p.name}.{MUSICXML_FILTERS.get(name_filter, 'musicxml')}")
        if not _confirm_replace(parent, p):
            return None
    return p


def get_pack_dir(parent: QWidget | None) -> Path | None:
    """The folder of a model pack to install (Model Manager ▸ Install Pack…)."""
    path = QFileDialog.getExistingDirectory(parent, "Install a model pack (its folder)")
    return Path(path) if path else None
