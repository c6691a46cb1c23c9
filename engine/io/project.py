"""``.partita`` project files: a versioned JSON document holding a song and studio state.

::

    {"format": "partita", "version": 1, "song": {...}, "studio": {...}}

The song part stores every field of :class:`~engine.score.Song` exactly (integer ticks at
the song's own PPQ, note and track ids included); ``studio`` is the app's own state (view,
selection, mixer layout...), opaque here. Field by field: docs/file-format.md.

Versions: a file records the format version that wrote it. Reading an older version runs
the chain of one-step upgrades in :data:`MIGRATIONS`; a newer version is refused with a
clear message rather than half-read.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import json_problem
from engine.score import (
    ChordSymbol,
    ControlEvent,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeSignature,
    Track,
    adopt_ids,
)
from engine.score.articulations import ARTICULATIONS, MAX_SLUR_NUMBER, SLUR_KINDS, in_order
from engine.score.lyrics import Lyric, lyric_or_none
from engine.score.song import check_grouping, check_key, check_tempo, check_time_signature
from engine.score.spelling import SPELLING_RE, key_name

from .atomic import atomic_write
from .errors import FileFormatError
from .midi_export import MAX_PPQ, MIN_VELOCITY, check_control
from .project_places import friendly, place
from .reading import read_limited
from .sniff import UTF8_BOM, describe_content, looks_like_midi, looks_like_project

FORMAT = "partita"
FORMAT_VERSION = 1
MAX_PROJECT_BYTES = 512 * 1024 * 1024

Document = dict[str, Any]
MIGRATIONS: dict[int, Callable[[Document], Document]] = {}
"""``MIGRATIONS[v]`` turns a version-``v`` document into a version-``v + 1`` one.

When the format changes: bump :data:`FORMAT_VERSION`, add the step from the previous
version here, and keep every older step, so any old file upgrades one step at a time.
"""


@dataclass(frozen=True)
class Project:
    """A loaded project: the song plus the studio's saved state (``{}`` if none)."""

    song: Song
    studio: dict[str, Any] = field(default_factory=dict)
    # What the file held that the song does not keep, a line each (chord symbols past
    # the song's end): said where the file is opened, never a reason to refuse it.
    notes: tuple[str, ...] = ()


# -- saving ------------------------------------------------------------------------------


def save_project(
    song: Song, path: str | os.PathLike[str], studio: dict[str, Any] | None = None
) -> None:
    """Save ``song`` (and the studio's JSON-able state) as a ``.partita`` file, atomically."""
    atomic_write(path, project_bytes(song, studio))


def project_bytes(
    song: Song, studio: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
) -> bytes:
    """The file contents for ``song``; ``extra`` adds top-level keys (autosave metadata)."""
    doc: Document = {"format": FORMAT, "version": FORMAT_VERSION, **(extra or {}),
                     "song": song_to_json(song)}
    if studio:
        doc["studio"] = studio
    return (_dumps(doc) + "\n").encode("utf-8")


def song_to_json(song: Song) -> Document:
    return {
        "title": song.title,
        "ppq": song.ppq,
        "length": song.length,
        "tempos": [{"tick": t.tick, "us_per_beat": t.us_per_beat} for t in song.tempos],
        # Only where the opening tempo was assumed (a score without a metronome mark):
        # other files are as before.
        **({"tempo_assumed": True} if song.tempo_assumed else {}),
        # "groups" only where a grouping is chosen (3+2+2/8): files without one are as before.
        "time_signatures": [
            {"tick": s.tick, "numerator": s.numerator, "denominator": s.denominator,
             **({"groups": list(s.groups)} if s.groups else {})}
            for s in song.time_signatures
        ],
        "key_signatures": [{"tick": k.tick, "key": k.key} for k in song.key_signatures],
        # "seconds" only on a marker locked to its time: other files are as before.
        "markers": [{"tick": m.tick, "text": m.text,
                     **({"seconds": m.seconds} if m.seconds is not None else {})}
                    for m in song.markers],
        # Only in a song with chord symbols: other files are as before.
        **({"chords": [[c.tick, c.text] for c in song.chords]} if song.chords else {}),
        "tracks": [track_to_json(t) for t in song.tracks],
    }


def track_to_json(t: Track) -> Document:
    """One track as the project stores it (notes as ``[pitch, start, duration, velocity,
    id]`` rows)."""
    d: Document = {
        "id": t.id,
        "name": t.name,
        "program": t.program,
        "is_drum": t.is_drum,
        "channel": t.channel,
        "colour": t.colour,
        "mute": t.mute,
        "solo": t.solo,
        "volume": t.volume,
        "pan": t.pan,
        "program_changes": [{"tick": p.tick, "program": p.program} for p in t.program_changes],
        # Bulk lists are rows of fixed columns: compact, and one line per event on disk.
        "controls": [[c.tick, c.kind, c.number, c.value] for c in t.controls],
        "notes": note_rows(t.notes),
    }
    if t.transposition is not None:  # optional: left out, the instrument's usual one
        d["transposition"] = list(t.transposition)
    d.update(notation_rows(t.notes))
    return d


# The side lists a track keeps its notes' notation in (notation_rows).
NOTATION_KEYS = ("spellings", "lyrics", "fermatas", "articulations", "slurs")


def notation_rows(notes: Sequence[Note]) -> Document:
    """The notes' notation, each list only where a note has it (all optional: an older
    Partita reads the file and leaves them out): ``spellings`` (a score's own names, B♭
    not A♯), ``lyrics`` (the syllables sung on them), ``fermatas`` (the notes held),
    ``articulations`` (``[note id, "staccato", "accent"]``) and ``slurs`` (``[note id,
    "start", 1]``, a row a mark)."""
    d: Document = {}
    if spellings := spelling_rows(notes):
        d["spellings"] = spellings
    if lyrics := lyric_rows(notes):
        d["lyrics"] = lyrics
    if fermatas := [n.id for n in notes if n.fermata]:
        d["fermatas"] = fermatas
    if articulations := [[n.id, *in_order(n.articulations)] for n in notes if n.articulations]:
        d["articulations"] = articulations
    if slurs := [[n.id, kind, number] for n in notes for kind, number in n.slurs]:
        d["slurs"] = slurs
    return d


def lyric_rows(notes: Sequence[Note]) -> list[list[int | str]]:
    """The notes' lyrics as rows ``[note id, "Hal", "begin"]`` (a side list, as the
    spellings are: an older Partita reads the file and leaves them out)."""
    return [[n.id, n.lyric.text, n.lyric.syllabic] for n in notes if n.lyric is not None]


def _lyrics(d: Document) -> dict[int, Lyric]:
    """A stored track's lyrics by note id; a row that is not ``[id, text, syllabic]``
    with a syllable of text is skipped, never fatal (notation, as a spelling is)."""
    rows = d.get("lyrics")
    out: dict[int, Lyric] = {}
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, list) and len(row) == 3 and type(row[0]) is int and (
                lyric := lyric_or_none(row[1], row[2])) is not None:
            out[row[0]] = lyric
    return out


def _fermatas(d: Document) -> set[int]:
    """A stored track's note ids with a fermata; an entry not an id is skipped."""
    ids = d.get("fermatas")
    return {i for i in ids if type(i) is int} if isinstance(ids, list) else set()


def _articulations(d: Document) -> dict[int, frozenset[str]]:
    """A stored track's articulations by note id; a name Partita does not know (a newer
    one's) or a row that is not ``[id, name, …]`` is skipped, never fatal (notation)."""
    rows = d.get("articulations")
    out: dict[int, frozenset[str]] = {}
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, list) and row and type(row[0]) is int:
            names = frozenset(m for m in row[1:] if isinstance(m, str) and m in ARTICULATIONS)
            if names:
                out[row[0]] = names
    return out


def _slurs(d: Document) -> dict[int, list[tuple[str, int]]]:
    """A stored track's slur marks by note id; a row that is not ``[id, "start" or
    "stop", number]`` is skipped, never fatal."""
    rows = d.get("slurs")
    out: dict[int, list[tuple[str, int]]] = {}
    for row in rows if isinstance(rows, list) else ():
        if (isinstance(row, list) and len(row) == 3 and type(row[0]) is int
                and row[1] in SLUR_KINDS and type(row[2]) is int
                and 1 <= row[2] <= MAX_SLUR_NUMBER):
            out.setdefault(row[0], []).append((row[1], row[2]))
    return out


def spelling_rows(notes: Sequence[Note]) -> list[list[int | str]]:
    """The notes' own spellings as rows ``[note id, "Bb"]`` (a side list, not a sixth note
    column: an older Partita reads the file and names the notes by their key)."""
    return [[n.id, n.spelling] for n in notes if n.spelling is not None]


def _spellings(d: Document) -> dict[int, str]:
    """A stored track's spellings by note id. Only notation: an entry that is not a
    ``[id, name]`` row, or names no note, is skipped, never fatal."""
    rows = d.get("spellings")
    out: dict[int, str] = {}
    for row in rows if isinstance(rows, list) else ():
        if (isinstance(row, list) and len(row) == 2 and type(row[0]) is int
                and isinstance(row[1], str) and SPELLING_RE.fullmatch(row[1])):
            out[row[0]] = row[1]
    return out


def note_rows(notes: Sequence[Note]) -> list[list[int]]:
    """Notes as the project file's rows ``[pitch, start, duration, velocity, id]`` (read
    back by :func:`track_from_json`)."""
    return [[n.pitch, n.start, n.duration, n.velocity, n.id] for n in notes]


def _dumps(value: Any, indent: str = "") -> str:
    """JSON that diffs well: objects indented, each note/control row on one line."""
    if isinstance(value, dict) and value:
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {_dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and all(isinstance(v, list | dict) for v in value):
        inner = indent + "  "
        rows = [inner + (_int_row(v) if _is_int_row(v) else _dumps(v, inner)) for v in value]
        return "[\n" + ",\n".join(rows) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _is_int_row(value: Any) -> bool:
    return type(value) is list and all(type(v) is int for v in value)  # no bools


def _int_row(row: list[int]) -> str:
    """A note row as json.dumps writes it, without its per-call cost (a big song has tens
    of thousands of rows, and the studio's autosave writes them all)."""
    return "[" + ", ".join(map(str, row)) + "]"


# -- loading -----------------------------------------------------------------------------


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read a ``.partita`` file; ids are kept and registered with ``adopt_ids``.

    Raises :class:`FileFormatError` for a damaged, truncated or wrong-structure file and
    for one written by a newer Partita.
    """
    path = Path(path)
    data = read_limited(path, MAX_PROJECT_BYTES, "too large for a Partita project (over "
                     f"{MAX_PROJECT_BYTES // 2**20} MB)")
    return project_from_bytes(data, path)


def project_from_bytes(data: bytes, path: str | os.PathLike[str] = "<bytes>") -> Project:
    """Parse project file contents; ``path`` only names the file in error messages."""
    doc = parse_document(data, path)
    try:
        song = song_from_json(_field(doc, "song", dict, "file"))
        studio = _field(doc, "studio", dict, "file", default={})
    except _Invalid as e:  # said where the studio shows it: track 1 (Piano), note 2 (…)
        where = place(doc, e.where)
        raise FileFormatError(path, "damaged Partita project: "
                              + (f"{where}: " if where else "") + friendly(e.problem),
                              detail=f"at {e.where} in the file's JSON") from None
    adopt_ids(song)
    song, notes = _without_chords_past_end(song)
    return Project(song, studio, notes)


def _without_chords_past_end(song: Song) -> tuple[Song, tuple[str, ...]]:
    """``song`` without the chord symbols at or past its end (a song keeps none there:
    an edit that entered them would have lengthened it), and the note that says so."""
    from dataclasses import replace

    from engine.score import TimeMap
    from engine.score.edits import plural
    from engine.score.lead_sheet import chords_in_song, chords_past_end

    past = chords_past_end(song)
    if not past:
        return song, ()
    tm = TimeMap.of(song)
    shown = ", ".join(f"{c.text} in bar {tm.bar_number(tm.tick_to_bar(c.tick))}"
                      for c in past[:3]) + (" …" if len(past) > 3 else "")
    last = tm.bar_number(max(0, tm.whole_bars(song.end) - 1))
    note = (f"{plural(len(past), 'chord symbol')} past the song's end (bar {last}) "
            f"dropped: {shown}")
    return replace(song, chords=chords_in_song(song)), (note,)


def parse_document(data: bytes, path: str | os.PathLike[str]) -> Document:
    """Bytes → an upgraded, current-version document (top level checked, song not yet)."""
    if not data.strip():
        raise FileFormatError(path, "empty file")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        if looks_like_midi(data):  # a MIDI file under a project's name: say what it is
            raise FileFormatError(path, "a MIDI file named as a Partita project: rename it "
                                  ".mid to open it") from None
        if looks_like_project(data[:512]):  # JSON with one bad byte (a disk, a transfer)
            line, column = _text_place(data.removeprefix(UTF8_BOM), e.start)
            raise FileFormatError(path, "damaged Partita project: a byte that is not UTF-8 "
                                  f"at line {line}, column {column}") from None
        raise FileFormatError(path, "not a Partita project (not UTF-8 text): it looks like "
                              f"{describe_content(data[:512])}") from None
    except json.JSONDecodeError as e:
        raise FileFormatError(
            path, f"damaged or truncated Partita project: invalid JSON: {json_problem(e)}"
        ) from None
    except RecursionError:
        raise FileFormatError(path, "damaged Partita project (nested too deeply)") from None
    except ValueError:  # Python refuses to convert integers of over 4300 digits
        raise FileFormatError(path, "damaged Partita project (a number in it is too long)"
                              ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FileFormatError(path, 'not a Partita project (no "format": "partita")')
    if "version" not in doc:  # said as such: "bad format version None" read as a bug
        raise FileFormatError(path, "damaged Partita project: no format version (missing "
                              '"version" field)')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FileFormatError(path, f"damaged Partita project: bad format version {version!r}")
    if version > FORMAT_VERSION:
        raise FileFormatError(
            path, f"made by a newer Partita: format version {version}, "
            f"this version reads up to {FORMAT_VERSION}"
        )
    return migrate(doc, path)


def _text_place(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (from 1, in characters as a JSON error counts them) of byte
    ``offset`` of ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def migrate(doc: Document, path: str | os.PathLike[str] = "<bytes>") -> Document:
    """Upgrade a document one version at a time up to :data:`FORMAT_VERSION`."""
    while doc["version"] < FORMAT_VERSION:
        version = doc["version"]
        step = MIGRATIONS.get(version)
        if step is None:
            raise FileFormatError(path, f"cannot upgrade format version {version}")
        try:
            doc = step(doc)
        except (KeyError, TypeError, ValueError) as e:
            raise FileFormatError(
                path, f"damaged Partita project: upgrading from version {version} failed: {e}"
            ) from None
        if doc.get("version") != version + 1:
            raise RuntimeError(f"migration from version {version} did not set version "
                               f"{version + 1}")
    return doc


class _Invalid(ValueError):
    """Wrong structure: ``where`` in the document (``song.tracks[2].notes[15]``) and what
    is wrong there; the message is both, ``"song.tracks[2].notes[15]: …"``."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


_MISSING = object()


def _field(obj: Document, key: str, kind: type | tuple[type, ...], where: str,
           default: Any = _MISSING) -> Any:
    if key not in obj:
        if default is _MISSING:
            raise _Invalid(where, f"missing {key!r}")
        return default
    return _check(obj[key], kind, f"{where}.{key}")


def _seconds(value: float | None, where: str) -> float | None:
    """A locked marker's time: from the song's start on (None: not locked)."""
    if value is not None and value < 0:
        raise _Invalid(f"{where}.seconds", "a time is from the song's start: not negative")
    return None if value is None else float(value)


def _check(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    # JSON true/false are Python bools, which are also ints: never accept them as numbers.
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if kind is int:  # bounded, so later float maths on ticks cannot overflow
        ok = ok and abs(value) < 2**53
    elif kind is float:  # any finite JSON number
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and abs(value) < 2**53 and math.isfinite(value)
    if not ok:
        names = {int: "an integer", float: "a number", str: "text", bool: "true/false",
                 list: "a list", dict: "an object"}
        raise _Invalid(where, f"expected {names.get(kind, kind)}, got {value!r:.40}")
    return value


def _tick(obj: Document, where: str) -> int:
    tick = _field(obj, "tick", int, where)
    if tick < 0:
        raise _Invalid(f"{where}.tick", f"negative tick {tick}")
    return tick


def _rows(obj: Document, key: str, where: str, width: tuple[int, ...]) -> list[list[Any]]:
    rows = _field(obj, key, list, where, default=[])
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) not in width:
            raise _Invalid(f"{where}.{key}[{i}]", f"expected a list of {width[-1]} values")
    return rows


def _objects(obj: Document, key: str, where: str,
             required: bool = False) -> list[tuple[str, Document]]:
    items = (_field(obj, key, list, where) if required
             else _field(obj, key, list, where, default=[]))
    return [(f"{where}.{key}[{i}]", _check(item, dict, f"{where}.{key}[{i}]"))
            for i, item in enumerate(items)]


def song_from_json(doc: Document) -> Song:
    """The song part of a (current-version) document → Song. Raises ``_Invalid``.

    Values a MIDI file cannot hold (a meter of 4/3, an unknown key) are refused with the
    song model's own checks (engine.score.song), so every project that loads can be exported.
    """
    w = "song"
    try:
        tempos = []
        for at, d in _objects(doc, "tempos", w):
            us_per_beat = _field(d, "us_per_beat", int, at)
            _midi_check(check_tempo, at, us_per_beat)
            tempos.append(TempoChange(_tick(d, at), us_per_beat))
        sigs = []
        for at, d in _objects(doc, "time_signatures", w):
            meter = _field(d, "numerator", int, at), _field(d, "denominator", int, at)
            _midi_check(check_time_signature, at, *meter)
            groups = tuple(_check(g, int, f"{at}.groups[{i}]")
                           for i, g in enumerate(_field(d, "groups", list, at, default=[])))
            if groups:
                _midi_check(check_grouping, at, *meter, groups)
            sigs.append(TimeSignature(_tick(d, at), *meter, groups))
        keys = []
        for at, d in _objects(doc, "key_signatures", w):
            key = _known_key(_field(d, "key", str, at))
            _midi_check(check_key, at, key)
            keys.append(KeySignature(_tick(d, at), key))
        markers = [Marker(_tick(d, at), _field(d, "text", str, at),
                          _seconds(_field(d, "seconds", float, at, default=None), at))
                   for at, d in _objects(doc, "markers", w)]
        chords = _chords(doc)
        # The writer always writes "tracks" ([] for an empty song): without it (or misspelt)
        # the file is damaged, and opening it as an empty song made saving over it final.
        tracks = [track_from_json(d, at) for at, d in _objects(doc, "tracks", w,
                                                               required=True)]
        note_ids = [n.id for t in tracks for n in t.notes]
        if len(set(note_ids)) != len(note_ids):
            raise _Invalid("song.tracks", "two notes share one id")
        return Song(
            tracks=tuple(tracks),
            ppq=_ppq(doc),
            tempos=tuple(tempos),
            time_signatures=tuple(sigs),
            key_signatures=tuple(keys),
            markers=tuple(markers),
            chords=chords,
            title=_field(doc, "title", str, w, default=""),
            length=_length(doc),
            tempo_assumed=_field(doc, "tempo_assumed", bool, w, default=False),
        )
    except _Invalid:
        raise
    except ValueError as e:  # the model's own checks (ranges, duplicate track ids)
        raise _Invalid("song", str(e)) from None


def _ppq(doc: Document) -> int:
    """The song's resolution: one a MIDI file's header can hold (1..32767), so a project
    that opens can be exported (a resolution of 10**9 opened, then MIDI export refused
    it; rescaling every tick on export would round what the project keeps exactly)."""
    ppq = _field(doc, "ppq", int, "song")
    if ppq > MAX_PPQ:  # one below 1 is the song model's to refuse
        raise _Invalid("song.ppq", f"{ppq} ticks per quarter note: a song has 1 to "
                       f"{MAX_PPQ} (what a MIDI file can hold)")
    return ppq


def _length(doc: Document) -> int:
    """The song's stored length in ticks (0: as long as its music); a negative one is
    refused, naming the field, never read as 0 without a word."""
    length = _field(doc, "length", int, "song", default=0)
    if length < 0:
        raise _Invalid("song.length", f"{length} is negative: a length is 0 ticks or more")
    return length


def _chords(doc: Document) -> tuple[ChordSymbol, ...]:
    """The song's chord symbols, ``[[tick, text], …]``: an entry that is not one (no
    tick, a negative one, no text) is skipped, not refused — they are the lead sheet's
    annotations, and a file is not unreadable for one of them."""
    rows = doc.get("chords")
    if not isinstance(rows, list):
        return ()
    return tuple(ChordSymbol(row[0], row[1].strip()) for row in rows
                 if isinstance(row, list) and len(row) == 2 and type(row[0]) is int
                 and 0 <= row[0] < 2**53 and isinstance(row[1], str) and row[1].strip())


def _known_key(key: str) -> str:
    """A key as the song keeps it: a spelling no key signature has, as ``"Dbm"`` (what
    Partita once named C♯ minor), is read as the key's usual one (``"C#m"``,
    :func:`~engine.score.spelling.key_name`); one that is no key at all is left for
    :func:`check_key` to refuse."""
    try:
        return key_name(key)
    except ValueError:
        return key


def _midi_check(check: Callable[..., None], where: str, *values: Any) -> None:
    """Run one of the MIDI writer's checks; its ValueError becomes ``_Invalid`` at ``where``."""
    try:
        check(*values)
    except ValueError as e:
        raise _Invalid(where, str(e)) from None


def _number_in(d: Document, key: str, low: float, high: float, where: str,
               default: float) -> float:
    value = float(_field(d, key, float, where, default=default))
    if not low <= value <= high:
        raise _Invalid(f"{where}.{key}", f"{value:g} is outside {low:g}..{high:g}")
    return value


def _id(value: Any, where: str) -> int | None:
    """A stored note or track id; None (a fresh id is issued) for one below 1, which
    Partita never writes: ids only tell objects apart, so nothing audible is lost."""
    return value if _check(value, int, where) >= 1 else None


_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")  # what the studio writes: #rrggbb


def track_from_json(d: Document, w: str) -> Track:
    """A stored track → Track; raises ``ValueError`` naming where (``w``) and what."""
    optional: dict[str, Any] = {}
    if "id" in d and (track_id := _id(d["id"], f"{w}.id")) is not None:
        optional["id"] = track_id
    for key, kind in (("mute", bool), ("solo", bool)):
        if key in d:
            optional[key] = _field(d, key, kind, w)
    # A colour that is not one is only cosmetic: the track keeps the default colour.
    if _COLOUR.fullmatch(colour := _field(d, "colour", str, w, default="")):
        optional["colour"] = colour
    if "transposition" in d:  # [steps, semitones]: a transposing instrument's part
        at = f"{w}.transposition"
        pair = _check(d["transposition"], list, at)
        if len(pair) != 2:
            raise _Invalid(at, "expected [steps, semitones]")
        optional["transposition"] = tuple(_check(v, int, at) for v in pair)
    notes = []
    spellings, lyrics, fermatas = _spellings(d), _lyrics(d), _fermatas(d)
    articulations, slurs = _articulations(d), _slurs(d)
    for i, row in enumerate(_rows(d, "notes", w, (4, 5))):
        at = f"{w}.notes[{i}]"
        values = [_check(v, int, at) for v in row]
        if values[3] == 0:  # silent, and MIDI cannot say it (a note_on of 0 is a note-off)
            values[3] = MIN_VELOCITY
        if len(values) == 5 and _id(values[4], at) is None:
            del values[4]
        note_id = values[4] if len(values) == 5 else None
        try:
            notes.append(Note(*values, spelling=spellings.get(note_id),
                              lyric=lyrics.get(note_id), fermata=note_id in fermatas,
                              articulations=articulations.get(note_id, frozenset()),
                              slurs=tuple(slurs.get(note_id, ()))))
        except ValueError as e:
            raise _Invalid(at, str(e)) from None
    controls = []
    for i, row in enumerate(_rows(d, "controls", w, (4,))):
        at = f"{w}.controls[{i}]"
        tick, kind, number, value = row
        _check(kind, str, at)
        if _check(tick, int, at) < 0:
            raise _Invalid(at, "negative tick")
        _midi_check(check_control, at, kind, _check(number, int, at), _check(value, int, at))
        controls.append(ControlEvent(tick, kind, number, value))
    changes = [ProgramChange(_tick(p, at), _field(p, "program", int, at))
               for at, p in _objects(d, "program_changes", w)]
    if any(not 0 <= p.program <= 127 for p in changes):
        raise _Invalid(f"{w}.program_changes", "programs must be 0..127")
    fields = {
        "name": _field(d, "name", str, w, default="Track"),
        "program": _field(d, "program", int, w, default=0),
        "is_drum": _field(d, "is_drum", bool, w, default=False),
        "channel": _field(d, "channel", int, w, default=0),
        "volume": _number_in(d, "volume", 0.0, 1.0, w, default=1.0),
        "pan": _number_in(d, "pan", -1.0, 1.0, w, default=0.0),
    }
    try:
        return Track(notes=tuple(notes), program_changes=tuple(changes),
                     controls=tuple(controls), **fields, **optional)
    except ValueError as e:
        raise _Invalid(w, str(e)) from None
