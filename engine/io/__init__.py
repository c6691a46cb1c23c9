"""Files: MIDI import/export, ``.partita`` projects, MusicXML import and export, autosave
and crash recovery.

The two calls most code needs::

    song = load_song("song.mid")        # .mid/.midi/.kar → MIDI, .partita → project,
                                        # .musicxml/.xml/.mxl → a score
    save_song(song, "song.partita")     # by extension; atomic: never a half-written file
    save_song(song, "song.musicxml")    # a score (.musicxml/.xml, .mxl)

Everything that can go wrong with a file's contents raises :class:`FileFormatError`, whose
message is one line naming the file and the problem; problems reaching the file at all
(missing, no permission) stay ``OSError``. Formats and import rules: docs/file-format.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.score import Song

from .atomic import same_file
from .autosave import DamagedRecovery, Recovery, RecoveryStore
from .errors import FileFormatError
from .midi_export import midi_to_bytes, write_midi
from .midi_import import ImportReport, midi_from_bytes, read_midi, read_midi_with_report
from .musicxml import MUSICXML_SUFFIXES, write_musicxml
from .musicxml_import import read_musicxml, read_musicxml_with_report
from .project import FORMAT_VERSION, Project, load_project, save_project
from .reading import regular_file_size
from .sniff import (
    is_musicxml_archive,
    looks_like_midi,
    looks_like_musicxml,
    looks_like_project,
)

MIDI_SUFFIXES = (".mid", ".midi", ".kar")
PROJECT_SUFFIX = ".partita"
# The songs Partita opens (and saves).
SUFFIXES = (*MIDI_SUFFIXES, PROJECT_SUFFIX, *MUSICXML_SUFFIXES)


def file_kind(path: str | os.PathLike[str]) -> str | None:
    """``"midi"``, ``"project"`` or ``"musicxml"`` (a score) by the file's extension (any
    case), else None."""
    suffix = Path(path).suffix.lower()
    if suffix in MIDI_SUFFIXES:
        return "midi"
    if suffix == PROJECT_SUFFIX:
        return "project"
    if suffix in MUSICXML_SUFFIXES:
        return "musicxml"
    return None


def content_kind(path: str | os.PathLike[str]) -> str | None:
    """``"midi"``, ``"project"`` or ``"musicxml"``: by the extension, else by the file's
    first bytes (a file saved without one); None when neither tells."""
    kind = file_kind(path)
    if kind is None:
        try:
            regular_file_size(path)  # a named pipe is never opened: it would wait
            with open(path, "rb") as f:
                head = f.read(1024)  # a score's root comes after its DOCTYPE
        except (OSError, FileFormatError):
            return None
        if looks_like_midi(head):
            kind = "midi"
        elif looks_like_project(head):
            kind = "project"
        elif looks_like_musicxml(head) or (head.startswith(b"PK\x03\x04")
                                           and is_musicxml_archive(path)):
            kind = "musicxml"
    return kind


def load_song(path: str | os.PathLike[str]) -> Song:
    """Open a MIDI file, a Partita project or a MusicXML score as a Song.

    The extension decides; a file with another extension is recognised by its first bytes.
    Project ids are kept (and registered with :func:`engine.score.adopt_ids`); use
    :func:`load_project` to get the studio state of a project too, and
    :func:`read_midi_with_report` / :func:`read_musicxml_with_report` for what an
    imported file held that the song does not keep.
    """
    kind = content_kind(path)
    if kind is None:
        regular_file_size(path)  # a missing file or a folder says so (OSError), a FIFO too
        open(path, "rb").close()  # an unreadable one (OSError)
        raise FileFormatError(
            path, "unknown file type (Partita opens .mid, .midi, .kar and .partita files, "
                  "and MusicXML scores: .musicxml, .xml, .mxl)"
        )
    if kind == "musicxml":
        return read_musicxml(path)
    return read_midi(path) if kind == "midi" else load_project(path).song


def save_song(
    song: Song, path: str | os.PathLike[str], studio: dict[str, Any] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> list[str]:
    """Save by extension: ``.partita`` (with optional studio state), MIDI (type 1) or a
    MusicXML score (``.musicxml``/``.xml``, compressed ``.mxl``; the studio state is not
    kept, and its timing is quantized: docs/file-format.md).

    The write is atomic: on any error the previous file, if there was one, is untouched.
    Returns warnings, one line each, about what the file keeps less well than the song
    (:func:`~engine.io.midi_export.export_warnings`,
    :func:`~engine.io.musicxml.write_musicxml`); usually none. ``progress`` is told how
    far a score is (the fraction done and what is being done: a long song's score takes
    seconds); the other kinds are written at once.
    """
    kind = file_kind(path)
    if kind == "project":
        save_project(song, path, studio)
        return []
    if kind == "midi":
        return write_midi(song, path)
    if kind == "musicxml":
        return write_musicxml(song, path, progress=progress)
    raise FileFormatError(
        path, "cannot save this file type: use .partita, .mid or .midi, or .musicxml or "
        ".mxl for a score (audio: `partita render`, or Export Audio & Stems in the studio)"
    )


__all__ = [
    "FORMAT_VERSION",
    "MIDI_SUFFIXES",
    "MUSICXML_SUFFIXES",
    "PROJECT_SUFFIX",
    "SUFFIXES",
    "DamagedRecovery",
    "FileFormatError",
    "ImportReport",
    "Project",
    "Recovery",
    "RecoveryStore",
    "content_kind",
    "file_kind",
    "load_project",
    "load_song",
    "midi_from_bytes",
    "midi_to_bytes",
    "read_midi",
    "read_midi_with_report",
    "read_musicxml",
    "read_musicxml_with_report",
    "same_file",
    "save_project",
    "save_song",
    "write_midi",
    "write_musicxml",
]
