"""Where in a damaged project a problem is, in a musician's words.

The reader finds a problem at a JSON path (``song.tracks[0].notes[1]``), which a user
never sees: :func:`place` says it as the studio shows the song — ``track 1 (Piano), note
2 (bar 1, beat 2)`` — reading names and times from the document itself, as far as they
can be read from a file that is damaged. The path stays on the error for developers
(``FileFormatError.detail``, shown by ``partita --verbose``).
"""

from __future__ import annotations

import re
from typing import Any

from engine.score import TempoChange, TimeMap, TimeSignature

_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
# A list of the song → what one item of it is called (numbered from 1, as the studio does).
_ITEMS = {"tempos": "tempo change", "time_signatures": "meter change",
          "key_signatures": "key change", "markers": "marker", "tracks": "track",
          "notes": "note", "controls": "controller event",
          "program_changes": "program change", "groups": "group"}
# A field → its name for people ("ppq" is a file's resolution).
_FIELDS = {"ppq": "resolution (ppq)", "us_per_beat": "tempo", "numerator": "meter",
           "denominator": "meter", "is_drum": "drum setting", "id": "id",
           "program": "instrument", "title": "title", "length": "length", "tick": "time"}
_RANGE = re.compile(r"(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)")


def place(doc: Any, where: str) -> str:
    """``where`` (a path the reader gives: ``song.tracks[0].notes[1]``, ``file.song``) in
    words: ``"track 1 (Piano), note 2 (bar 1, beat 2)"``; ``""`` for the song or the file
    as a whole. What the document cannot tell (a name, a time) is left out."""
    steps = [(m.group(1), None if m.group(2) is None else int(m.group(2)))
             for m in _STEP.finditer(where)]
    words: list[str] = []
    node: Any = doc
    timing = _timing(doc)
    for name, index in steps:
        if name == "file" or (name == "song" and node is doc):  # the whole: said by none
            node = doc.get("song") if name == "song" and isinstance(doc, dict) else node
            continue
        node = node.get(name) if isinstance(node, dict) else None
        if index is None:
            words.append(_FIELDS.get(name, name.replace("_", " ")))
            continue
        item = node[index] if isinstance(node, list) and index < len(node) else None
        words.append(f"{_ITEMS.get(name, name)} {index + 1}{_detail(name, item, timing)}")
        node = item
    return ", ".join(words)


def friendly(problem: str) -> str:
    """A reader's problem text for people: ranges as ``0–127`` (``-1 to 1``), a note's
    "note pitch …" as "pitch …" and a track's "track 'Piano': …" as "…" (the place
    already says which)."""
    problem = re.sub(r"^note (?=pitch|velocity)|^track '.*?': ", "", problem)
    return _RANGE.sub(lambda m: (f"{m[1]}–{m[2]}" if not m[1].startswith("-")
                                 else f"{m[1]} to {m[2]}"), problem)


def _detail(list_name: str, item: Any, timing: TimeMap | None) -> str:
    """What tells an item apart beyond its number: a track's name, a note's or an event's
    bar and beat."""
    if list_name == "tracks" and isinstance(item, dict):
        name = item.get("name")
        return f" ({name.strip()})" if isinstance(name, str) and name.strip() else ""
    tick = None
    if list_name in ("notes", "controls") and isinstance(item, list) and item:
        tick = item[1] if list_name == "notes" and len(item) > 1 else item[0]
    elif isinstance(item, dict):
        tick = item.get("tick")
    if timing is None or not isinstance(tick, int) or isinstance(tick, bool) \
            or not 0 <= tick < 2**53:
        return ""
    try:
        pos = timing.tick_to_position(tick)
    except (ValueError, ZeroDivisionError):
        return ""
    return f" (bar {timing.bar_number(pos.bar)}, beat {pos.beat + 1})"


def _timing(doc: Any) -> TimeMap | None:
    """The document's bars and beats, if its resolution and meters can be read."""
    song = doc.get("song") if isinstance(doc, dict) else None
    if not isinstance(song, dict):
        return None
    ppq = song.get("ppq")
    if not isinstance(ppq, int) or not 0 < ppq < 2**31:
        return None
    try:
        sigs = sorted((TimeSignature(s["tick"], s["numerator"], s["denominator"])
                       for s in song.get("time_signatures") or ()), key=lambda s: s.tick)
        if not sigs or sigs[0].tick != 0:
            sigs.insert(0, TimeSignature(0, 4, 4))
        return TimeMap(ppq, (TempoChange(0, 500_000),), tuple(sigs))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
