"""What a file is by its first bytes, for files whose name does not say (no extension, or
the other format's)."""

from __future__ import annotations

UTF8_BOM = b"\xef\xbb\xbf"


def looks_like_midi(head: bytes) -> bool:
    """A Standard MIDI File starts with its header chunk."""
    return head[:4] == b"MThd"


def looks_like_project(head: bytes) -> bool:
    """A Partita project is JSON: an object, after a UTF-8 BOM and blanks, if any."""
    return not looks_like_midi(head) and head.removeprefix(UTF8_BOM).lstrip()[:1] == b"{"
