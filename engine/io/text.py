"""Text in MIDI files: bytes of unknown encoding in, clean ``str`` out (and back)."""

from __future__ import annotations


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
