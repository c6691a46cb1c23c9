"""Text in MIDI files: bytes of unknown encoding in, clean ``str`` out (and back); file
names for showing."""

from __future__ import annotations

import os
from pathlib import Path


def decode_text(raw: bytes) -> str:
    """Decode a MIDI text/name payload robustly.

    The SMF spec names no encoding: modern tools write UTF-8, older ones Latin-1 or
    Windows-1252 ("Spår 1" as ``b'Sp\\xe5r 1'``). Valid UTF-8 is taken as UTF-8 (Latin-1
    text is practically never valid UTF-8), else Windows-1252, else Latin-1, which decodes
    anything. NULs (C-string padding) and surrounding whitespace are dropped.
    """
    raw = raw.replace(b"\x00", b"")
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding).strip()
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").strip()


def encode_text(text: str) -> bytes:
    """Encode text for a MIDI file: always UTF-8 (read back exactly by :func:`decode_text`)."""
    return text.encode("utf-8")


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` for showing: a name that is not valid UTF-8 on disk (Latin-1 bytes from
    an old zip, which Python keeps as surrogate escapes, ``'\\udcdc'``) gets U+FFFD for
    the bad bytes. A terminal, JSON or Qt cannot show the escapes (printing them raises);
    the path itself is kept for opening the file."""
    return os.fsencode(Path(path)).decode("utf-8", "replace")
