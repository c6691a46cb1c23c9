"""What a file is by its first bytes, for files whose name does not say (no extension, or
the other format's)."""

from __future__ import annotations

import os
import re
import zipfile
import zlib

UTF8_BOM = b"\xef\xbb\xbf"


def looks_like_midi(head: bytes) -> bool:
    """A Standard MIDI File starts with its header chunk."""
    return head[:4] == b"MThd"


def looks_like_project(head: bytes) -> bool:
    """A Partita project is JSON: an object, after a UTF-8 BOM and blanks, if any."""
    return not looks_like_midi(head) and head.removeprefix(UTF8_BOM).lstrip()[:1] == b"{"


MUSICXML_MEDIA_TYPE = b"application/vnd.recordare.musicxml"


def looks_like_musicxml(head: bytes) -> bool:
    """A MusicXML score: XML whose root (within ``head``, past the XML declaration and
    the DOCTYPE: read a kilobyte) is ``<score-partwise>`` or ``<score-timewise>``; or a
    compressed one (``.mxl``), a ZIP archive whose first, stored file names its media
    type, as the MusicXML standard asks."""
    if head.startswith(b"PK\x03\x04"):
        return MUSICXML_MEDIA_TYPE in head[:160]
    text = head.removeprefix(UTF8_BOM).lstrip()
    return text.startswith(b"<") and (b"<score-partwise" in text or b"<score-timewise" in text)


def is_musicxml_archive(path: str | os.PathLike[str]) -> bool:
    """A compressed MusicXML score without the ``mimetype`` entry the standard asks for
    (music21's corpus, some older editors): a ZIP archive whose ``META-INF/container.xml``
    names a root file that is a MusicXML score. (An EPUB has a container too: its root
    file is no score.)"""
    try:
        with zipfile.ZipFile(path) as z:
            if "META-INF/container.xml" not in z.namelist():
                return False
            with z.open("META-INF/container.xml") as f:
                container = f.read(64 * 1024)
            found = re.search(rb'full-path\s*=\s*["\']([^"\']+)["\']', container)
            if found is None:
                return False
            with z.open(found.group(1).decode("utf-8", "replace")) as f:
                return looks_like_musicxml(f.read(1024))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError, RuntimeError,
            zlib.error):
        return False  # damaged, encrypted, or the container names a file not in it


# Magic numbers of the files most often opened by mistake as MIDI (first bytes → what).
_KINDS = (
    (b"PK\x03\x04", "a ZIP archive (MuseScore's .mscz is one: export it as MusicXML or "
                     "MIDI)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"ID3", "an MP3 audio file"),
    (b"\xff\xfb", "an MP3 audio file"),
    (b"\xff\xf3", "an MP3 audio file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_RIFF_KINDS = {b"WAVE": "a WAV audio file", b"RMID": "a RIFF MIDI file (.rmi): a MIDI "
               "file wrapped in RIFF, which Partita does not unwrap", b"sfbk":
               "a SoundFont (.sf2): choose it as the SoundFont, not as a song",
               b"AVI ": "an AVI video"}


def describe_content(head: bytes) -> str:
    """What a file that is not the kind expected looks like, by its first bytes, for a
    message: ``"a ZIP archive …"``, ``"a MusicXML score …"``, ``"text"``, ``"binary
    data"`` (never the bytes themselves: a musician reads this)."""
    if head[:4] == b"RIFF" and head[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[head[8:12]]
    if head.startswith(b"PK\x03\x04") and looks_like_musicxml(head):
        return "a compressed MusicXML score: name it .mxl to open it"
    if looks_like_midi(head):
        return "a MIDI file: name it .mid to open it"
    for magic, kind in _KINDS:
        if head.startswith(magic):
            return kind
    text = head.removeprefix(UTF8_BOM).lstrip()
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(text) - 3:  # not just a character cut at the end of ``head``
            return "binary data"
    lowered = text[:400].lower()
    if b"<score-partwise" in lowered or b"<score-timewise" in lowered \
            or (lowered.startswith(b"<?xml") and b"musicxml" in lowered):
        return "a MusicXML score: name it .musicxml to open it"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML): download the MIDI file itself, not the page"
    if looks_like_project(head):
        return "a Partita project"
    if lowered.startswith(b"x:") or b"\nk:" in lowered:
        return "ABC notation text"
    return "text" if text and all(c >= 0x20 or c in b"\t\r\n" for c in text[:64]) \
        else "binary data"
