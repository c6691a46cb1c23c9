"""Text in MIDI files: bytes of unknown encoding in, clean ``str`` out (and back); file
names for showing."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

# How Shift-JIS text (cp932) is told from Windows-1252 text that cp932 also decodes: kana
# anywhere ("Aメロ"), or a run of ideographs, CJK punctuation or full/half-width forms
# that touches no ASCII letter ("右手", "ﾋﾟｱﾉ"). European text read as cp932 gives lone
# ideographs inside words ("Mélodie" → "M駘odie", "Don’t" → "Don稚") or lone half-width
# katakana ("Übung" → "ﾜbung").
_KANA = re.compile("[\u3041-\u30ff]")
_CJK_RUN = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]+")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")


def decode_text(raw: bytes) -> str:
    """Decode a MIDI text/name payload robustly.

    The SMF spec names no encoding: modern tools write UTF-8, older ones Latin-1 or
    Windows-1252 ("Spår 1" as ``b'Sp\\xe5r 1'``), Japanese ones Shift-JIS (cp932: "ピアノ"
    as ``b'\\x83s\\x83A\\x83m'``, which Windows-1252 reads as "ƒsƒAƒm"). Valid UTF-8 is
    taken as UTF-8 (Latin-1 text is practically never valid UTF-8), else cp932 where it
    reads as Japanese (:func:`_reads_as_japanese`), else Windows-1252, else Latin-1, which
    decodes anything. NULs (C-string padding) and surrounding whitespace are dropped.
    """
    raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        pass
    try:
        japanese = raw.decode("cp932")
    except UnicodeDecodeError:
        japanese = None
    if japanese is not None and _reads_as_japanese(japanese):
        return japanese.strip()
    try:
        return raw.decode("cp1252").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


def _reads_as_japanese(text: str) -> bool:
    """Whether ``text``, bytes decoded as cp932, is Japanese rather than European text in
    Windows-1252 that cp932 also decodes: no control, private-use (cp932's user-defined
    area: "Flöte" → "Fl\\ue49ce") or unassigned characters, and kana, or ideographs that
    stand apart from Latin letters (see :data:`_KANA`)."""
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cn") for ch in text):
        return False
    if _KANA.search(text):
        return True
    for run in _CJK_RUN.finditer(text):
        around = text[max(run.start() - 1, 0):run.start()] + text[run.end():run.end() + 1]
        touches_a_word = any(ch.isascii() and ch.isalpha() for ch in around)
        lone_half_width = len(run.group()) == 1 and _HALF_WIDTH_KANA.fullmatch(run.group())
        if not touches_a_word and not lone_half_width:
            return True
    return False


def encode_text(text: str) -> bytes:
    """Encode text for a MIDI file: always UTF-8 (read back exactly by :func:`decode_text`)."""
    return text.encode("utf-8")


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` for showing: a name that is not valid UTF-8 on disk (Latin-1 bytes from
    an old zip, which Python keeps as surrogate escapes, ``'\\udcdc'``) gets U+FFFD for
    the bad bytes. A terminal, JSON or Qt cannot show the escapes (printing them raises);
    the path itself is kept for opening the file."""
    return os.fsencode(Path(path)).decode("utf-8", "replace")
