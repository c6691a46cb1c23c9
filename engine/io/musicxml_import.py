"""MusicXML score (``.musicxml``, ``.xml``, compressed ``.mxl``) → :class:`~engine.score.Song`,
read with music21, for a tune or a choir score written in MuseScore, Sibelius, Dorico or
Finale (a MIDI round trip loses the key, the pickup and the part names).

The rules (docs/file-format.md, "MusicXML import", has the full list):

- Each part is a track, named as the part; a part on several staves (a piano's grand
  staff) is one track. Its program is the part's ``<midi-program>``, else the one music21
  knows for its instrument, else a piano; a piano or a section's sound (String Ensemble
  1) on a part named after one instrument ("Viola") is that instrument
  (:func:`~engine.score.instruments.part_program`). A part of unpitched notes (a drum set) is a
  drum track: each note is the General MIDI drum the file's ``<midi-unpitched>`` gives
  its instrument, else the part's one instrument's (a triangle part), else the drum its
  staff position and notehead stand for in the usual drum-set notation
  (:data:`~engine.io.musicxml.DRUM_DISPLAY`, what the export writes).
- Time is in the project's PPQ (480: a triplet is exact). Meters, key signatures (spelt as
  the engine spells them: ``"Bb"``, ``"F#m"``), metronome marks (none at the start: 120
  BPM assumed, said, ``Song.tempo_assumed``) and rehearsal marks (as markers) are kept,
  and the chord symbols (``<harmony>``) of the first part with any, as their text
  (``Gm7b5/Db``); a meter of eighths whose time signature writes no grouping is counted
  as its bars' beams agree on (:func:`beamed_groupings`: MuseScore's 11/8 beamed
  3+3+3+2). An opening measure shorter than its meter is a pickup
  (:meth:`~engine.score.TimeMap.has_pickup`); a measure cut short later (a bar split at a
  repeat) is a bar of its own length, so every bar line falls where the score has it.
  Transposing instruments are read at sounding pitch, the part's transposition kept on its
  track (``Track.transposition``) for the export.
- Articulations (staccato, staccatissimo, accent, strong accent, tenuto, detached-legato)
  and slurs are kept on their notes (``Note.articulations``, ``Note.slurs``:
  :mod:`engine.score.articulations`), others said.
- Tied notes are one note (one pitch tied in two voices at once too); grace notes are
  left out (said). Repeats are not played out: each bar is read once, as written
  (said). Ornaments, technical marks (bowings, fingerings) and text directions are left
  out, counted by kind in the report; a tempo word is played only where a
  ``<sound tempo>`` or a metronome mark gives its number.
- Each part's ``<midi-instrument>`` ``<volume>`` and ``<pan>`` (either alone too) are its
  track's volume and pan (:func:`part_mixes`); a part without them is at full volume,
  centred.
- A swing mark (``<sound><swing>``, as MuseScore writes its swing, or a "Swing" words
  direction: 2:1) makes its part's straight off-beat 8ths (16ths) play swung at its
  ratio from its bar on, a mark in the top part alone every part's (a lead sheet's),
  said (:func:`play_swing`).
- Velocities follow the dynamics marks (``pppp`` … ``ffff``, MuseScore's levels), ``mf``
  where a part has none yet, with the bar's first beat a little louder and its other
  counted beats a little less so (:func:`~engine.io.dynamics.accent`), so a score
  without dynamics does not play every note at one level.

What is approximated or left out is said in the import report's ``approximated`` lines
(:class:`~engine.io.midi_import.ImportReport`). music21 is imported only when a score is
read (it takes a second to load).
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import os
import re
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from engine.score import (
    DEFAULT_PPQ,
    DRUM_CHANNEL,
    TRACK_COLOURS,
    ChordSymbol,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
    listed,
    plural,
)
from engine.score.articulations import MAX_SLUR_NUMBER, Slur, check_slurs, joined_slurs
from engine.score.instruments import (
    CONCERT,
    GM2_KITS,
    USUAL_TRANSPOSITIONS,
    drum_name,
    part_program,
    program_name,
)
from engine.score.lyrics import Lyric, lyric_or_none
from engine.score.song import (
    BPM_RANGE,
    MAX_NUMERATOR,
    check_transposition,
    default_pulses,
    grouping_text,
)
from engine.score.spelling import KEY_SIGNATURES, SPELLING_RE, kept_spelling

from .dynamics import DEFAULT_LEVEL, DYNAMIC_LEVELS, accent
from .errors import FileFormatError
from .midi_import import ImportReport
from .musicxml import DRUM_DISPLAY, M21_ARTICULATION, _no_gc, pan_from_degrees, volume_from_percent
from .reading import read_limited
from .sniff import UTF8_BOM, describe_content

# Part names score writers put where the score has none (music21 writes this one for a
# part whose name is hidden): the part is named after its instrument instead.
PLACEHOLDER_PART_NAMES = frozenset({"MusicXML Part"})
MAX_SCORE_BYTES = 128 * 1024 * 1024  # the score's XML (a big orchestral score is ~30 MB)
PPQ = DEFAULT_PPQ
OTHER_DRUM = 38  # an unpitched note on a position no drum-set notation names: a snare
# The usual drum-set notation read back (the export's DRUM_DISPLAY): a staff position and
# notehead → the General MIDI drum, the first that has them (C5 normal is the snare, not
# the electric one); and a position alone → the drum with a normal head there, else any.
DRUM_AT: dict[tuple[str, str | None], int] = {}
for _key, (_where, _head) in DRUM_DISPLAY.items():
    DRUM_AT.setdefault((_where, _head), _key)
for _key, (_where, _head) in sorted(DRUM_DISPLAY.items(), key=lambda kv: kv[1][1] != "normal"):
    DRUM_AT.setdefault((_where, None), _key)
DRUM_AT[("G5", "circle-x")] = 46  # the open hi-hat as Partita wrote it before its "o"
# A drum note whose <instrument> names its key is read at a made-up place that says the
# key (:func:`_drum_place`): octaves from this one up, no staff reaches there.
DRUM_PLACE_OCTAVE = 20


def read_musicxml(path: str | os.PathLike[str]) -> Song:
    """Read a MusicXML score into a Song (:func:`read_musicxml_with_report`)."""
    return read_musicxml_with_report(path)[0]


def read_musicxml_with_report(path: str | os.PathLike[str]) -> tuple[Song, ImportReport]:
    """Read a MusicXML score (plain or compressed, by its content) into a Song, with what
    the song holds only approximately or not at all (``ImportReport.approximated``).

    Raises :class:`FileFormatError` naming the file and the problem when it is not a
    MusicXML score, is cut short or damaged, or music21 is missing; ``OSError`` when it
    cannot be read at all."""
    path = Path(path)
    data = read_limited(path, MAX_SCORE_BYTES, f"too large for a MusicXML score (over "
                                            f"{MAX_SCORE_BYTES // 2**20} MB)")
    root = score_root(data, path)
    _drop_drawn_offsets(root)
    _play_sounding_tempos(root)
    drums = drum_keys(root)  # before music21 reads the tree: it moves the drum notes
    swings = swing_marks(root)
    groupings = beamed_groupings(root)
    try:
        from music21.musicxml.xmlToM21 import MusicXMLImporter
    except ImportError:
        raise FileFormatError(path, "cannot read MusicXML: it needs music21 (pip install "
                                    "music21)") from None
    try:
        with warnings.catch_warnings(), _no_gc():
            warnings.simplefilter("ignore")  # music21's notes on what it guesses
            importer = MusicXMLImporter()
            importer.xmlRootToScore(root, importer.stream)
            score = importer.stream
            written, changes = part_transpositions(root), transposition_changes(root)
            _concert_pitch(score, {p.get("id") or "" for p in root.iter("part")} - set(written),
                           changes)
            score.toSoundingPitch(inPlace=True)  # a B♭ trumpet's part sounds a tone lower
            song, said = score_to_song(score, drums, kit_parts(root), written,
                                       part_mixes(root), groupings, part_programs(root))
            said += grouping_lines(song, groupings)
            said += _changed_transpositions(root, written, changes)
            part_ids = [_part_id(p[0]) for p in _players(score)]
            song = with_kits(song, kit_programs(root), part_ids)
            song, swung = play_swing(song, swings, part_ids)
            said += swung
    except FileFormatError:
        raise
    except Exception as e:  # music21 raises many kinds; the user gets one line
        raise FileFormatError(path, f"cannot read this MusicXML score: {e}") from None
    return song, ImportReport(approximated=tuple(said), defaulted=tuple(
        line for line in said if line.startswith(_DEFAULTED)))


# The report's lines that lose nothing (ImportReport.defaulted): a plain hymn tune has no
# metronome mark and no dynamics, and the song plays 120 BPM and mf for them; the studio
# showed them in a modal "opened, with a warning" dialog (a choir director's QA).
_DEFAULTED = ("no metronome mark:", "no dynamics marks")


# -- swing: a "Swing" mark plays the straight off-beats swung ------------------------------

TRIPLET_SWING = Fraction(2, 3)  # 2:1, what a "Swing" mark without a ratio plays
SWING_WORDS = re.compile(r"\b(swing|swung)\b", re.IGNORECASE)  # "Swing", "Medium Swing"
STRAIGHT_WORDS = re.compile(r"\b(straight|even)\s*(8|eighth|16|sixteenth)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SwingMark:
    """A swing mark of a part: from its ``measure`` (0-based, the n-th of the part) on,
    the on-beat note of a pair of ``unit`` notes (``"eighth"``, ``"16th"``) lasts
    ``share`` of the pair (2/3 at 2:1); ``share`` None: straight again."""

    measure: int
    share: Fraction | None
    unit: str = "eighth"


def swing_marks(root: ET.Element) -> dict[str, list[SwingMark]]:
    """The swing marks of each part, by its id, in order: each ``<sound><swing>`` (in a
    direction or alone in a measure; ``<straight/>`` ends the swing), and a words
    direction without one that says "Swing" or "Swung" (2:1, of 16ths if it says 16) or
    "Straight 8ths" / "Even 8ths"."""
    out: dict[str, list[SwingMark]] = {}
    for part in root.findall("part"):
        marks = []
        for index, measure in enumerate(part.findall("measure")):
            for element in measure:
                sound = element if element.tag == "sound" else element.find("sound")
                swing = sound.find("swing") if sound is not None else None
                if swing is not None:
                    marks.append(_swing_mark(index, swing))
                    continue
                words = " ".join(w.text or "" for w in element.findall("direction-type/words"))
                if SWING_WORDS.search(words):
                    marks.append(SwingMark(index, TRIPLET_SWING,
                                           "16th" if "16" in words else "eighth"))
                elif STRAIGHT_WORDS.search(words):
                    marks.append(SwingMark(index, None))
        if marks:
            out[part.get("id") or ""] = marks
    return out


def _swing_mark(measure: int, swing: ET.Element) -> SwingMark:
    """A ``<swing>`` as a :class:`SwingMark`: ``<straight/>``, or ``<first>``:``<second>``
    of its ``<swing-type>`` (8ths when it names none; 2:1 when its numbers are not
    positive whole numbers)."""
    if swing.find("straight") is not None:
        return SwingMark(measure, None)
    unit = "16th" if (swing.findtext("swing-type") or "").strip() == "16th" else "eighth"
    try:
        first, second = int(swing.findtext("first") or ""), int(swing.findtext("second") or "")
    except ValueError:
        return SwingMark(measure, TRIPLET_SWING, unit)
    if first <= 0 or second <= 0:
        return SwingMark(measure, TRIPLET_SWING, unit)
    return SwingMark(measure, Fraction(first, first + second), unit)


def play_swing(song: Song, marks: dict[str, list[SwingMark]], part_ids: Sequence[str]
               ) -> tuple[Song, list[str]]:
    """``song`` with the straight off-beats of each part that a swing mark is in force
    for played swung (:func:`swing_notes`), and the report's lines. A part's own marks
    rule it; when the top part alone has marks (a lead sheet's "Swing", MuseScore's
    system text), they rule every part."""
    if not marks:
        return song, []
    top = part_ids[0] if part_ids else ""
    everywhere = set(marks) == {top}
    tm = TimeMap.of(song)
    tracks, lines = [], []
    for track, part_id in zip(song.tracks, part_ids, strict=True):
        own = marks.get(part_id) or (marks.get(top, []) if everywhere else [])
        changes = [(tm.bar_to_tick(m.measure), m) for m in own]
        notes, moved = swing_notes(track.notes, changes, tm, song.ppq)
        tracks.append(replace(track, notes=notes) if moved else track)
        if moved:
            said = {(m.share, m.unit) for _, m in changes if m.share is not None}
            lines.append(f"{plural(moved, 'note')} of {track.name!r} on straight off-beat "
                         f"{'8ths or 16ths' if len({u for _, u in said}) > 1 else _units(said)} "
                         f"played swung, as the score's swing mark says "
                         f"({', '.join(_ratio_text(share) for share, _ in sorted(said))})")
    return replace(song, tracks=tuple(tracks)), lines


def _units(said: set[tuple[Fraction, str]]) -> str:
    return "16ths" if {u for _, u in said} == {"16th"} else "8ths"


def _ratio_text(share: Fraction) -> str:
    """``"2:1, 66.7 %"``: a swing's ratio and its on-beat note's share of the pair."""
    percent = f"{float(share) * 100:.1f}".removesuffix(".0")
    return f"{share.numerator}:{share.denominator - share.numerator}, {percent} %"


def swing_notes(notes: Sequence[Note], changes: Sequence[tuple[int, SwingMark]],
                tm: TimeMap, ppq: int) -> tuple[tuple[Note, ...], int]:
    """``notes`` played with the swing in force where each starts (``changes``: from
    which tick each :class:`SwingMark` rules), and how many now start later. A pair of
    8ths (16ths) swings where the notes that start in it start on its beat or its
    middle: its middle moves to ``share`` of the pair, and the starts and ends between
    in proportion, as a score editor's swing playback plays it; a pair a triplet or a 16th
    plays in stays as written."""
    ticks = [tick for tick, _ in changes]

    def swing_at(tick: int) -> SwingMark | None:
        i = bisect.bisect_right(ticks, tick) - 1
        return changes[i][1] if i >= 0 and changes[i][1].share is not None else None

    def pair(tick: int, unit: int) -> tuple[int, int]:
        _, in_bar = tm.metric_position(tick)
        return tick - in_bar % unit, in_bar % unit

    unit_of = {"eighth": ppq, "16th": ppq // 2}
    uneven: set[tuple[int, int]] = set()  # (pair start, its length): a pair that stays
    for n in notes:
        mark = swing_at(n.start)
        if mark is not None:
            unit = unit_of[mark.unit]
            start, at = pair(n.start, unit)
            if at not in (0, unit // 2):
                uneven.add((start, unit))

    def swung(tick: int, mark: SwingMark) -> int:
        unit = unit_of[mark.unit]
        start, at = pair(tick, unit)
        if (start, unit) in uneven or not at:
            return tick
        share, half = mark.share, unit // 2
        played = (at * 2 * share if at <= half
                  else share * unit + (at - half) * 2 * (1 - share))
        return start + round(played)

    out, moved = [], 0
    for n in notes:
        mark = swing_at(n.start)
        if mark is None:
            out.append(n)
            continue
        start = swung(n.start, mark)
        end = swung(n.end, mark) if n.duration else start  # a note of no length keeps none
        moved += start != n.start
        out.append(replace(n, start=start, duration=max(int(n.duration > 0), end - start)))
    return tuple(out), moved


# -- a meter's grouping, from its beams ---------------------------------------------------


@dataclass
class _BeamedBars:
    """What the full bars of one meter show of its grouping: each beam's span, in the
    meter's unit from its bar line, and how each bar that its beams fill end to end is
    beamed (its groups' lengths)."""

    spans: list[tuple[Fraction, Fraction]] = field(default_factory=list)
    tilings: Counter[tuple[Fraction, ...]] = field(default_factory=Counter)
    written: bool = False  # a bar's <time> writes a grouping (3+2+2): the file's word rules


def beamed_groupings(root: ET.Element) -> dict[tuple[int, int], tuple[int, ...]]:
    """Per meter ``(numerator, denominator)`` of eighths or 16ths counted in twos and
    threes (7/8, 11/8, 13/16; not compound 6/8) whose ``<time>`` writes no grouping, the
    grouping its bars' eighth-note beams (``<beam number="1">``) show: MuseScore writes an
    11/8 beamed 3+3+3+2 as ``<beats>11</beats>`` and the beams alone. A meter has one
    where every bar its beams fill end to end is beamed in the same groups and no beam of
    any full bar of it, in any part, crosses a line between two of them (a bar of
    dotted quarters has no beams, and says nothing); one the default counting already
    says is left out. Read from the file: music21 keeps no beam of a note it reads."""
    bars: dict[tuple[int, int], _BeamedBars] = {}
    for part in root.findall("part"):
        divisions, meter = Fraction(1), None
        for measure in part.findall("measure"):
            time = measure.find("attributes/time")
            if time is not None:
                meter, written = _written_meter(time)
                if meter is not None and written:
                    bars.setdefault(meter, _BeamedBars()).written = True
                    meter = None  # its grouping is the file's: nothing to infer
            found = _beam_spans(measure, divisions)
            if found is None:
                continue
            spans, length, divisions = found
            if meter is None or not _counted_in_groups(*meter):
                continue
            unit = Fraction(meter[1], 4)  # the meter's notes in a quarter
            if length * unit != meter[0] or not spans:
                continue  # a pickup or a bar cut short: its beams start off the bar line
            seen = bars.setdefault(meter, _BeamedBars())
            in_units = sorted({(start * unit, end * unit) for start, end in spans})
            seen.spans += in_units
            tiling = _tiling(in_units, meter[0])
            if tiling is not None:
                seen.tilings[tiling] += 1
    out = {}
    for (numerator, denominator), seen in bars.items():
        grouping = _agreed_grouping(seen, numerator, denominator)
        if grouping:
            out[(numerator, denominator)] = grouping
    return out


def _written_meter(time: ET.Element) -> tuple[tuple[int, int] | None, bool]:
    """A ``<time>``'s meter ``(numerator, denominator)`` and whether it writes a grouping
    (``<beats>3+2+2</beats>``, or 3/8+2/8+2/8 as several beats); None for one without a
    meter (senza misura) or of several units (3/8+2/4)."""
    beats = [(b.text or "").strip() for b in time.findall("beats")]
    types = {(t.text or "").strip() for t in time.findall("beat-type")}
    try:
        groups = [int(g) for b in beats for g in b.split("+")]
        denominator = int(types.pop()) if len(types) == 1 else None
    except ValueError:
        return None, False
    if denominator is None or not groups:
        return None, False
    return (sum(groups), denominator), len(groups) > 1


def _counted_in_groups(numerator: int, denominator: int) -> bool:
    """A meter of eighths or 16ths whose usual counting has a group of two (5/8, 7/8,
    11/8, 7/16): one a beaming may count otherwise. Not 6/8 or 9/8 (dotted beats), nor
    3/8 or 4/8 (single beats)."""
    return denominator in (8, 16) and 2 in default_pulses(numerator, denominator)


def _beam_spans(measure: ET.Element, divisions: Fraction
                ) -> tuple[list[tuple[Fraction, Fraction]], Fraction, Fraction] | None:
    """A measure's eighth-note beams, each from its first note's start to its last note's
    end, in quarters from the bar line; how long the measure is (its longest voice); and
    the ``<divisions>`` in force after it. Grace notes are left out (they take no time),
    and a beam that starts or ends in another measure. None for a measure whose
    durations are not numbers."""
    spans, open_ = [], {}  # a voice → where its open beam starts
    at = longest = chord_at = Fraction(0)
    try:
        for element in measure:
            if element.tag == "attributes" and element.findtext("divisions"):
                divisions = Fraction(element.findtext("divisions").strip())
            elif element.tag in ("backup", "forward"):
                step = Fraction((element.findtext("duration") or "0").strip()) / divisions
                at += step if element.tag == "forward" else -step
                longest = max(longest, at)
            elif element.tag == "note" and element.find("grace") is None:
                length = Fraction((element.findtext("duration") or "0").strip()) / divisions
                if element.find("chord") is None:
                    chord_at, at = at, at + length
                longest = max(longest, chord_at + length)
                beam = next((b for b in element.findall("beam")
                             if b.get("number", "1") == "1"), None)
                voice = (element.findtext("voice") or "1").strip()
                kind = (beam.text or "").strip() if beam is not None else ""
                if kind == "begin":
                    open_[voice] = chord_at
                elif kind == "end" and voice in open_:
                    spans.append((open_.pop(voice), chord_at + length))
    except (ValueError, ZeroDivisionError):
        return None
    return spans, longest, divisions


def _tiling(spans: Sequence[tuple[Fraction, Fraction]], length: int
            ) -> tuple[Fraction, ...] | None:
    """The lengths of ``spans`` (sorted) where they fill a bar of ``length`` units end to
    end, one after another; else None."""
    lengths, at = [], Fraction(0)
    for start, end in spans:
        if start != at:
            return None
        lengths.append(end - start)
        at = end
    return tuple(lengths) if at == length else None


def _agreed_grouping(seen: _BeamedBars, numerator: int, denominator: int) -> tuple[int, ...]:
    """The grouping the bars of one meter agree on (:func:`beamed_groupings`); empty for
    none, or for the one the meter is counted in anyway."""
    if seen.written or not seen.tilings:
        return ()
    tiling = seen.tilings.most_common(1)[0][0]
    if any(g.denominator != 1 for g in tiling):
        return ()  # a group ends within an eighth (a triplet's): no grouping of the meter
    lines = set(itertools.accumulate(tiling))
    if any(start < line < end for start, end in seen.spans for line in lines):
        return ()  # a beam over a group line: the bars are beamed in more ways than one
    try:
        return TimeSignature(0, numerator, denominator, tuple(int(g) for g in tiling)).groups
    except ValueError:  # one group (eleven under one beam): no grouping
        return ()


def with_groupings(sigs: Sequence[TimeSignature],
                   groupings: dict[tuple[int, int], tuple[int, ...]]) -> list[TimeSignature]:
    """``sigs`` with each meter that the score writes no grouping for counted in the
    groups its beams show (:func:`beamed_groupings`)."""
    return [replace(s, groups=groupings[(s.numerator, s.denominator)])
            if not s.groups and (s.numerator, s.denominator) in groupings else s
            for s in sigs]


def grouping_lines(song: Song, groupings: dict[tuple[int, int], tuple[int, ...]]
                   ) -> list[str]:
    """The report's line for each meter the song counts in the groups its beams show."""
    used = {s.meter for s in song.time_signatures}
    return [f"{n}/{d} read as {grouping_text(g)} from its beams (the time signature "
            f"writes no grouping)" for (n, d), g in sorted(groupings.items())
            if (n, d, g) in used]


# -- the file -------------------------------------------------------------------------------


def score_root(data: bytes, path: str | os.PathLike[str]) -> ET.Element:
    """The ``<score-partwise>`` element of a score's bytes: unzipped when they are an
    ``.mxl`` archive, a timewise score turned partwise. A clear
    :class:`FileFormatError` for anything else (never a parser's traceback)."""
    if len(data) > MAX_SCORE_BYTES:
        raise FileFormatError(path, f"too large for a MusicXML score (over "
                                    f"{MAX_SCORE_BYTES // 2**20} MB)")
    if not data.strip():
        raise FileFormatError(path, "empty file: not a MusicXML score")
    if data[:4] == b"PK\x03\x04":
        data = _unzipped(data, path)
    elif data[:2] == b"PK":
        raise FileFormatError(path, "damaged compressed MusicXML (.mxl): not a complete ZIP "
                                    "archive")
    text = data.removeprefix(UTF8_BOM).lstrip()
    # Finale and older editors write UTF-16 (with its byte-order mark): the parser reads it.
    if not text.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError(path, f"not a MusicXML score: it looks like "
                                    f"{describe_content(data[:512])}")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        where = re.sub(r"^.*?:\s*", "", str(e)) if ": line" in str(e) else str(e)
        raise FileFormatError(path, f"damaged MusicXML: the XML is cut short or malformed "
                                    f"({where})") from None
    tag = _local(root.tag)
    if tag == "score-timewise":
        return _partwise(root)
    if tag != "score-partwise":
        raise FileFormatError(path, f"not a MusicXML score: an XML file whose root is "
                                    f"<{tag}>, not <score-partwise>")
    return root


def _unzipped(data: bytes, path: str | os.PathLike[str]) -> bytes:
    """The score inside an ``.mxl`` archive: the file its ``META-INF/container.xml``
    names, else its first ``.musicxml`` or ``.xml`` file outside ``META-INF``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            name = _rootfile(z) if "META-INF/container.xml" in names else None
            if name is None or name not in names:
                name = next((n for n in names if not n.startswith("META-INF/")
                             and n.lower().endswith((".musicxml", ".xml"))), None)
            if name is None:
                raise FileFormatError(path, "a ZIP archive with no MusicXML score in it "
                                            "(MuseScore's .mscz is one: export it as "
                                            "MusicXML from MuseScore)")
            if z.getinfo(name).file_size > MAX_SCORE_BYTES:
                raise FileFormatError(path, f"too large for a MusicXML score (over "
                                            f"{MAX_SCORE_BYTES // 2**20} MB)")
            return z.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as e:
        raise FileFormatError(path, f"damaged compressed MusicXML (.mxl): the archive is cut "
                                    f"short or damaged ({e})") from None


def _rootfile(z: zipfile.ZipFile) -> str | None:
    """The score a compressed MusicXML archive's container names."""
    try:
        container = ET.fromstring(z.read("META-INF/container.xml"))
    except ET.ParseError:
        return None
    for element in container.iter():
        if _local(element.tag) == "rootfile" and element.get("full-path"):
            return element.get("full-path")
    return None


def _local(tag: str) -> str:
    """An element's name without a namespace."""
    return tag.rsplit("}", 1)[-1]


def _partwise(root: ET.Element) -> ET.Element:
    """A timewise score (measures of parts) as the partwise one (parts of measures) music21
    reads: the same elements, regrouped."""
    out = ET.Element("score-partwise", root.attrib)
    out.extend(child for child in root if child.tag != "measure")
    parts: dict[str | None, ET.Element] = {}
    for measure in root.findall("measure"):
        for part in measure.findall("part"):
            pid = part.get("id")
            if pid not in parts:
                parts[pid] = ET.SubElement(out, "part", {"id": pid or ""})
            ET.SubElement(parts[pid], "measure", measure.attrib).extend(list(part))
    return out


def _drop_drawn_offsets(root: ET.Element) -> None:
    """Take away the ``<offset>`` of each direction that moves only where it is drawn:
    MusicXML's offset sounds only with ``sound="yes"``, but music21 moves every mark by
    it, and a mark drawn past its measure's end makes the measure that much longer in
    its part (a dynamics mark under the next bar line put a violin a beat behind)."""
    for direction in root.iter("direction"):
        offset = direction.find("offset")
        if offset is not None and offset.get("sound") != "yes":
            direction.remove(offset)


# A metronome mark's beat unit, in quarters (a dot adds half, two three quarters).
BEAT_UNIT_QUARTERS = {"whole": 4.0, "half": 2.0, "quarter": 1.0, "eighth": 0.5,
                      "16th": 0.25, "32nd": 0.125}


def _play_sounding_tempos(root: ET.Element) -> None:
    """Give each metronome mark the tempo its ``<sound tempo>`` plays, where it has one:
    the number printed may be rounded (Partita's export prints ♩ = 118 for 117.6, and
    keeps 117.6 in ``<sound>``), and music21 reads only the printed one."""
    for direction in root.iter("direction"):
        sound = direction.find("sound")
        marks = direction.findall("direction-type/metronome")
        if sound is None or len(marks) != 1:
            continue
        units, number = marks[0].findall("beat-unit"), marks[0].find("per-minute")
        quarters = BEAT_UNIT_QUARTERS.get((units[0].text or "").strip()) if units else None
        try:
            tempo = float(sound.get("tempo", ""))
        except ValueError:
            continue
        if len(units) != 1 or number is None or quarters is None or not tempo > 0:
            continue  # a metric modulation (two beat units), or no tempo to play
        quarters *= 2 - 0.5 ** len(marks[0].findall("beat-unit-dot"))
        number.text = repr(round(tempo / quarters, 4))


def drum_keys(root: ET.Element) -> dict[str, dict[tuple[str, str | None], int]]:
    """Per part id, the General MIDI drum of each staff position and notehead the part's
    unpitched notes use (``("G5", "x") → 42``, and ``("G5", None)`` for the position
    alone), from the instrument each note names and that instrument's
    ``<midi-unpitched>`` (music21 keeps only a part's first instrument), for the notes
    that name none. A note that names one is that instrument's drum whatever its place
    (two drums may share one: a crash 1 and 2, a shaker among the other percussion on
    the middle line): music21 does not keep a note's ``<instrument>``, so the note is
    moved, in ``root``, to a place that says its key (:func:`_drum_place`), which maps
    to it. Call it before music21 reads ``root``."""
    unpitched: dict[str, dict[str | None, int]] = {}
    for score_part in root.iter("score-part"):
        keys: dict[str | None, int] = {}
        for midi in score_part.findall("midi-instrument"):
            text = (midi.findtext("midi-unpitched") or "").strip()
            if text.isdecimal() and 1 <= int(text) <= 128:  # int("²") is an error
                keys[midi.get("id")] = int(text) - 1
        unpitched[score_part.get("id") or ""] = keys
    out: dict[str, dict[tuple[str, str | None], int]] = {}
    for part in root.findall("part"):
        keys = unpitched.get(part.get("id") or "", {})
        if not keys:
            continue
        only = next(iter(keys.values())) if len(set(keys.values())) == 1 else None
        found: dict[tuple[str, str | None], int] = {}
        for n in part.iter("note"):
            where = n.find("unpitched")
            if where is None:
                continue
            named = n.find("instrument")
            key = keys.get(named.get("id")) if named is not None else only
            if key is None:
                continue
            at = f"{where.findtext('display-step', '').strip()}" \
                 f"{where.findtext('display-octave', '').strip()}"
            head = (n.findtext("notehead") or "normal").strip()
            found.setdefault((at, head), key)
            found.setdefault((at, None), key)
            if named is not None:
                place = _drum_place(key)
                for tag, text in (("display-step", place[0]), ("display-octave", place[1:])):
                    child = where.find(tag)
                    if child is None:
                        child = ET.SubElement(where, tag)
                    child.text = text
                found[(place, None)] = key
        if only is not None:
            found[("", None)] = only  # any other note of a one-drum part
        out[part.get("id") or ""] = found
    return out


def _drum_place(key: int) -> str:
    """A staff place no score uses that says MIDI ``key`` (:data:`DRUM_PLACE_OCTAVE`):
    a step and an octave a key, C20 for 0, D20 for 1, C21 for 7."""
    return f"{'CDEFGAB'[key % 7]}{DRUM_PLACE_OCTAVE + key // 7}"


def part_mixes(root: ET.Element) -> dict[str, dict[str, float]]:
    """Per part id, the track's ``volume`` and ``pan`` its ``<score-part>``'s (first)
    ``<midi-instrument>`` gives: ``<volume>`` a percentage of MIDI's full 127, ``<pan>``
    degrees (-90 hard left), each read to the nearest value a song holds
    (:func:`~engine.io.musicxml.volume_from_percent`,
    :func:`~engine.io.musicxml.pan_from_degrees`). Either may be missing (a part with
    none is left out); one that is no number or out of its range (a volume of 120 %) is
    as if missing."""
    out: dict[str, dict[str, float]] = {}
    for score_part in root.iter("score-part"):
        mix: dict[str, float] = {}
        for midi in score_part.findall("midi-instrument"):
            volume = _number(midi.findtext("volume"), 0, 100)
            if volume is not None:
                mix.setdefault("volume", volume_from_percent(volume))
            pan = _number(midi.findtext("pan"), -180, 180)
            if pan is not None:
                mix.setdefault("pan", pan_from_degrees(pan))
        if mix:
            out[score_part.get("id") or ""] = mix
    return out


def _number(text: str | None, low: float, high: float) -> float | None:
    """``text`` as a number from ``low`` to ``high``, else None."""
    try:
        x = float((text or "").strip())
    except ValueError:
        return None
    return x if low <= x <= high else None  # NaN is neither


def kit_programs(root: ET.Element) -> dict[str, int]:
    """Per part id, the General MIDI 2 kit its drums are played with: the
    ``<midi-program>`` (1-based) of its first ``<midi-instrument>`` with a
    ``<midi-unpitched>``, where that is a kit's (a TR-808: 26; MuseScore writes 1, the
    standard kit). music21 keeps none of it for an unpitched part."""
    out = {}
    for score_part in root.iter("score-part"):
        for midi in score_part.findall("midi-instrument"):
            text = (midi.findtext("midi-program") or "").strip()
            if midi.find("midi-unpitched") is not None and text.isdecimal():
                if int(text) - 1 in GM2_KITS:
                    out[score_part.get("id") or ""] = int(text) - 1
                break
    return out


def part_programs(root: ET.Element) -> dict[str, int]:
    """Per part id, the General MIDI program (0-based) of its first ``<midi-instrument>``
    with a ``<midi-program>`` and no ``<midi-unpitched>`` (a pitched sound), as the file
    gives it. music21 trusts the instrument's name over it: an "Electric Piano" named
    part playing program 5 or 6 (Electric Piano 1, 2) came back as its Electric Grand
    Piano (3). A ``<midi-bank>`` is not read: a track plays GM's bank 1."""
    out = {}
    for score_part in root.iter("score-part"):
        for midi in score_part.findall("midi-instrument"):
            text = (midi.findtext("midi-program") or "").strip()
            if midi.find("midi-unpitched") is None and text.isdecimal():
                if 1 <= int(text) <= 128:
                    out[score_part.get("id") or ""] = int(text) - 1
                break
    return out


def with_kits(song: Song, kits: dict[str, int], part_ids: Sequence[str]) -> Song:
    """``song`` with each drum track on the kit its part names (:func:`kit_programs`)."""
    tracks = [replace(t, program=kits[pid]) if t.is_drum and kits.get(pid, 0) != t.program
              else t for t, pid in zip(song.tracks, part_ids, strict=True)]
    return replace(song, tracks=tuple(tracks)) if tracks != list(song.tracks) else song


def kit_parts(root: ET.Element) -> set[str]:
    """The ids of the parts that declare several instruments (a drum set's drums)."""
    return {sp.get("id") or "" for sp in root.iter("score-part")
            if len(sp.findall("score-instrument")) > 1}


def part_transpositions(root: ET.Element) -> dict[str, tuple[int, int]]:
    """Per part id, the ``<transpose>`` of its first measure, written → sounding, as
    ``Track.transposition`` keeps it: ``(diatonic steps, chromatic semitones)``, its
    octaves included (a tenor sax's -1, -2 and an octave down: -8, -14). A part without
    one is written at the pitch it sounds (a later one, an instrument change:
    :func:`transposition_changes`). Read from the file: music21 keeps a transposition
    that differs from its instrument's usual one on a second instrument."""
    out = {}
    for part in root.findall("part"):
        first = part.find("measure")
        found = _transposes(first) if first is not None else []
        if found:
            out[part.get("id") or ""] = found[0]
    return out


def transposition_changes(root: ET.Element) -> dict[str, tuple[int, str]]:
    """Per part id, where its transposition first changes after its first measure (an
    instrument change: a flute part that turns clarinet in B♭ at bar 20): the measure's
    index in the part and its number as the score prints it. A ``<transpose>`` that
    restates the one in force is no change."""
    out = {}
    for part in root.findall("part"):
        measures = part.findall("measure")
        first = _transposes(measures[0]) if measures else []
        now = first[0] if first else CONCERT
        for i, measure in enumerate(measures[1:], 1):
            if any(t != now for t in _transposes(measure)):
                out[part.get("id") or ""] = (i, measure.get("number") or str(i + 1))
                break
    return out


def _transposes(measure: ET.Element) -> list[tuple[int, int]]:
    """A measure's ``<transpose>`` elements as ``(diatonic steps, chromatic semitones)``,
    octaves included; one with a number that is none left out (music21 says what it
    makes of it)."""
    out = []
    for t in measure.findall("attributes/transpose"):
        try:
            octaves = int((t.findtext("octave-change") or "0").strip())
            out.append((int((t.findtext("diatonic") or "0").strip()) + 7 * octaves,
                        int((t.findtext("chromatic") or "0").strip()) + 12 * octaves))
        except ValueError:
            continue
    return out


def _changed_transpositions(root: ET.Element, written: dict[str, tuple[int, int]],
                            changes: dict[str, tuple[int, str]]) -> list[str]:
    """The report's line for each part whose transposition changes after its first
    measure: a track keeps one, its first bar's."""
    names = {sp.get("id") or "": (sp.findtext("part-name") or "").strip()
             for sp in root.iter("score-part")}
    lines = []
    for part_id, (_, number) in changes.items():
        semitones = written.get(part_id, CONCERT)[1]
        first = ("concert pitch" if not semitones else
                 f"sounding {plural(abs(semitones), 'semitone')} "
                 f"{'below' if semitones < 0 else 'above'} the written notes")
        written_as = "at concert pitch" if not semitones else "transposed as bar 1 is"
        lines.append(f"{names.get(part_id) or part_id!r} changes transposition at bar "
                     f"{number} (an instrument change): its notes sound as the score has "
                     f"them, but its track keeps bar 1's ({first}) for the whole part, so a "
                     f"score written from the song is {written_as} throughout")
    return lines


def _concert_pitch(score: Any, untransposed: set[str],
                   changes: dict[str, tuple[int, str]]) -> None:
    """The instruments of ``untransposed`` parts at concert pitch, as the file has them:
    music21 gives an instrument it knows by program or name its usual transposition
    (a "Clarinet in C" part a B♭ clarinet's), which would sound it a tone low. Up to
    where such a part's transposition ``changes`` (:func:`transposition_changes`): the
    instrument from there on is the file's."""
    from music21 import stream

    for staff in score.parts:
        part_id = _part_id(staff)
        if part_id not in untransposed:
            continue
        until = math.inf
        if part_id in changes:
            measures = list(staff.getElementsByClass(stream.Measure))
            index = changes[part_id][0]
            until = measures[index].offset if index < len(measures) else math.inf
        for inst in staff.recurse().getElementsByClass("Instrument"):
            if inst.getOffsetInHierarchy(staff) < until:
                inst.transposition = None


# -- the score --------------------------------------------------------------------------------


@dataclass
class _Said:
    """What the import counts to say in its report."""

    off_grid: int = 0  # notes that start or end between two ticks
    graces: int = 0
    lyrics: int = 0  # syllables a note cannot keep: verses after the first, a drum's
    chord_symbols: int = 0
    unisons: int = 0
    microtones: int = 0  # quarter tones and other pitches between two keys
    fermatas: int = 0  # on notes a song cannot keep one on (a drum's)
    other_articulations: dict[str, int] = field(default_factory=dict)  # "Spiccato" → notes
    technical: Counter[str] = field(default_factory=Counter)  # "UpBow" → notes
    ornaments: Counter[str] = field(default_factory=Counter)  # "trill" → notes
    fp: int = 0  # fp marks, played as p
    other_drums: dict[str, int] = field(default_factory=dict)  # "F6" → notes
    other_dynamics: Counter[str] = field(default_factory=Counter)  # "sf" → marks
    words: dict[tuple[int, str], None] = field(default_factory=dict)  # text directions
    jumps: dict[tuple[int, str], None] = field(default_factory=dict)  # "D.C. al Fine" words
    meters: set[str] = field(default_factory=set)  # ones a song cannot hold
    modes: set[str] = field(default_factory=set)  # church modes read as major
    # parts declaring a piano (or nothing) or a section's sound read as the instrument
    # their names name: (the part's name, the program, the one declared)
    named: list[tuple[str, int, int]] = field(default_factory=list)

    @staticmethod
    def tick(offset: Any) -> int:
        """Quarter notes from the score's start (music21's float or Fraction) → ticks,
        the nearest where it falls between two."""
        return round(Fraction(offset) * PPQ)


def score_to_song(score: Any, drums: dict[str, dict] | None = None,
                  kits: set[str] = frozenset(),
                  transpositions: dict[str, tuple[int, int]] | None = None,
                  mixes: dict[str, dict[str, float]] | None = None,
                  groupings: dict[tuple[int, int], tuple[int, ...]] | None = None,
                  programs: dict[str, int] | None = None,
                  ) -> tuple[Song, list[str]]:
    """A music21 ``Score`` (at sounding pitch) as a Song, and the report's lines.
    ``drums``: :func:`drum_keys`; ``kits``: :func:`kit_parts`; ``transpositions``:
    :func:`part_transpositions` (a part not in it is at concert pitch); ``mixes``:
    :func:`part_mixes` (a part not in it at full volume, centred); ``groupings``:
    :func:`beamed_groupings` (the grouping of a meter whose time signature writes none);
    ``programs``: :func:`part_programs` (a part not in it plays music21's program for its
    instrument)."""
    from music21 import stream

    said = _Said()
    players = _players(score)
    first = players[0][0] if players else stream.Part()
    bars = _bar_lines(score)
    sigs, end = _meters(first, bars, said)
    sigs = with_groupings(sigs, groupings or {})
    tm = TimeMap(PPQ, (), tuple(sigs) or (TimeSignature(0),))  # no measures: 4/4
    tempos = _tempos(score, said, tm, bars)
    _words(score, said, bars)
    tracks = []
    channel = 0
    for i, staves in enumerate(players):
        part_id = _part_id(staves[0])
        track = _track(staves, (drums or {}).get(part_id, {}), part_id in kits, said, tm,
                       bars, TRACK_COLOURS[i % len(TRACK_COLOURS)], channel,
                       (transpositions or {}).get(part_id, CONCERT),
                       (programs or {}).get(part_id))
        track = replace(track, **(mixes or {}).get(part_id, {}))
        if not track.is_drum:
            channel = (channel + 1) % 16
            if channel == DRUM_CHANNEL:
                channel += 1
        tracks.append(track)
    keys = _keys(next((s[0] for s, t in zip(players, tracks, strict=True) if not t.is_drum),
                      first), said, bars)
    song = Song(tracks=tuple(tracks), ppq=PPQ, tempos=tuple(tempos),
                time_signatures=tuple(sigs), key_signatures=tuple(keys),
                markers=tuple(_markers(score, said, bars)), title=_title(score),
                chords=_chord_symbols(score, said, bars),
                # Rests after the last note (a bar's rest at the end) are the song's too.
                length=end if end > max((t.end for t in tracks), default=0) else 0,
                # no mark at the start: 120 assumed, and no mark written for it
                tempo_assumed=not tempos or tempos[0].tick > 0)
    return song, _lines(score, song, said)


def _players(score: Any) -> list[list[Any]]:
    """The score's parts as tracks: the staves music21 makes of one part of several
    staves (``PartStaff`` objects ``P1-Staff1``, ``P1-Staff2``) together, any other part
    alone."""
    from music21 import stream

    out: list[list[Any]] = []
    last = None
    for part in score.parts:
        group = (str(part.id).rsplit("-Staff", 1)[0] if isinstance(part, stream.PartStaff)
                 else None)
        if group is not None and group == last:
            out[-1].append(part)
        else:
            out.append([part])
        last = group
    return out


def _part_id(staff: Any) -> str:
    """The part's id in the file (``P1``), which music21 keeps on the staff of a grand
    staff and on the part's instrument."""
    from music21 import stream

    if isinstance(staff, stream.PartStaff):
        return str(staff.id).rsplit("-Staff", 1)[0]
    inst = staff.getInstrument(returnDefault=False)
    return str(getattr(inst, "partId", "") or "")


# -- time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BarLines:
    """Where each measure (by its place in the parts, the n-th of each) starts and how
    long it is, in quarter notes: one set of bar lines for every part."""

    starts: list[Fraction]
    lengths: list[Fraction]

    @property
    def end(self) -> Fraction:
        return self.starts[-1] + self.lengths[-1] if self.starts else Fraction(0)


def _own_measures(staff: Any) -> tuple[list[Fraction], list[Fraction]]:
    """Where a staff's measures start and how long each is in that staff alone (music21
    lays each part's measures end to end, each as long as what it holds)."""
    from music21 import stream

    measures = list(staff.getElementsByClass(stream.Measure))
    starts = [Fraction(m.offset) for m in measures]
    ends = [*starts[1:], starts[-1] + Fraction(measures[-1].highestTime)] if measures else []
    return starts, [e - s for s, e in zip(starts, ends, strict=True)]


def _bar_lines(score: Any) -> _BarLines:
    """The score's bar lines: each measure as long as most parts have it — a part on
    several staves (a piano's grand staff) one vote, not one a staff — of as many, the
    one its time signature says where every part's says the same, else the first
    part's. One part's measure cut short or over-full (an uneven pickup, a tremolo
    written at full length, a tuplet miscounted) changes no bar line: the notes of each
    measure are placed from its bar line (:class:`_Clock`), as a score editor reads a
    score, so no part drifts out of time with the others."""
    players = _players(score)
    notated = _notated_lengths(players)
    votes: list[Counter[Fraction]] = []
    for staves in players:
        own = [_own_measures(s)[1] for s in staves]
        for i in range(max(map(len, own))):
            if i == len(votes):
                votes.append(Counter())
            # a staff's measure is the part's: its staves' most common length
            lengths = Counter(ln[i] for ln in own if i < len(ln))
            votes[i][_most_common(lengths, notated[i] if i < len(notated) else None)] += 1
    lengths = [_most_common(v, notated[i] if i < len(notated) else None)
               for i, v in enumerate(votes)]
    starts = [Fraction(0)]
    for length in lengths[:-1]:
        starts.append(starts[-1] + length)
    return _BarLines(starts if lengths else [], lengths)


def _most_common(lengths: Counter[Fraction], notated: Fraction | None) -> Fraction:
    """The length most of ``lengths`` have; of as many, ``notated`` where it is one of
    them, else the first counted (the first part's, its first staff's)."""
    top = max(lengths.values())
    tied = [length for length, count in lengths.items() if count == top]
    return notated if notated in tied else tied[0]


def _notated_lengths(players: Sequence[Sequence[Any]]) -> list[Fraction | None]:
    """Per measure, how long the time signature in force makes it, in quarters, where
    every part's first staff says the same (None where they differ, or say none)."""
    from music21 import stream

    said: list[list[Fraction | None]] = []
    for staves in players:
        length, own = None, []
        for m in staves[0].getElementsByClass(stream.Measure):
            if m.timeSignature is not None:
                length = Fraction(m.timeSignature.barDuration.quarterLength)
            own.append(length)
        said.append(own)
    return [lengths[0] if len(set(lengths)) == 1 else None
            for lengths in itertools.zip_longest(*said)]


class _Clock:
    """Where an element of one staff sounds: its measure's bar line (:func:`_bar_lines`)
    plus its offset in that measure, kept inside the measure."""

    def __init__(self, staff: Any, bars: _BarLines) -> None:
        self.own = _own_measures(staff)[0][:len(bars.starts)]
        self.bars = bars

    def at(self, offset: Any) -> Fraction:
        """A music21 offset in the staff (``flat.elementOffset``) → quarter notes."""
        offset = Fraction(offset)
        i = bisect.bisect_right(self.own, offset) - 1
        if i < 0:
            return offset
        return self.bars.starts[i] + min(offset - self.own[i], self.bars.lengths[i])


def _meters(part: Any, bars: _BarLines, said: _Said) -> tuple[list[TimeSignature], int]:
    """The song's meters, from the time signatures of ``part`` (the first) and the
    score's bar lines, and where its last measure ends (ticks). A measure shorter or
    longer than its meter is a bar of its own length, the meter restated after it (the
    last one too: a 3/8 bar ending a piece in 6/8, the pickup's complement); an opening
    one shorter than its meter is a pickup (:meth:`TimeMap.pickup_shift`). A measure the
    score does not count (``implicit="yes"``: the second half of a bar split at a repeat)
    is one bar with the short measure before it, so the bars are numbered as the
    score's measures are."""
    from music21 import stream

    measures = list(part.getElementsByClass(stream.Measure))
    if not bars.starts:
        return [], 0
    meter: tuple[int, int, tuple[int, ...]] | None = None
    joined: list[tuple[Fraction, Fraction, tuple[int, int, tuple[int, ...]]]] = []
    for i, (start, length) in enumerate(zip(bars.starts, bars.lengths, strict=True)):
        m = measures[i] if i < len(measures) else None
        if m is not None and m.timeSignature is not None:
            meter = _meter(m.timeSignature, said) or meter
        if meter is None:
            meter = (4, 4, ())  # a score without a time signature: the MIDI default
        if joined and m is not None and m.showNumber == stream.enums.ShowNumber.NEVER:
            at, before, its_meter = joined[-1]
            if before + length <= Fraction(4 * its_meter[0], its_meter[1]):
                joined[-1] = (at, before + length, its_meter)
                continue
        joined.append((start, length, meter))
    sigs: list[TimeSignature] = []
    written = None  # the meter of the last TimeSignature appended
    short_first = False
    last = len(joined) - 1
    for i, (start, length, meter) in enumerate(joined):
        full = Fraction(4 * meter[0], meter[1])
        if 0 < length != full:
            # A pickup, or a last bar short of its meter (its complement), in the unit of
            # its meter (2/8 in 6/8), as the export writes it back: a short measure.
            own = _pickup_meter(length, meter) if i == 0 or (i == last and length < full) \
                else _meter_covering(length)
            if i == 0:
                short_first = length < full
            sigs.append(TimeSignature(said.tick(start), own.numerator, own.denominator))
            written = None  # the meter is said again at the next measure
        elif meter != written:
            sigs.append(TimeSignature(said.tick(start), *meter))
            written = meter
    sigs = list({s.tick: s for s in sigs}.values())  # the last one said at a tick
    if short_first and len(sigs) > 1 and TimeMap(PPQ, (), tuple(sigs)).pickup_shift(0) == 0:
        # A pickup no shorter meter reads as one (5/8 before 3/4): the meter of the bar
        # it leads into restated at its end, as notation programs write one to MIDI.
        sigs[0] = TimeSignature(0, *sigs[1].meter)
    return sigs, said.tick(bars.end)


def _pickup_meter(length: Fraction, meter: tuple[int, int, tuple[int, ...]]) -> TimeSignature:
    """A pickup's own meter: its length in the unit of the meter it leads into (1/4 before
    3/4, 2/8 before 6/8), else the shortest unit that says it."""
    beats = length * meter[1] / 4
    if beats.denominator == 1:
        return TimeSignature(0, int(beats), meter[1])
    return _meter_covering(length)


def _meter_covering(quarters: Fraction) -> TimeSignature:
    """The meter of a bar ``quarters`` long in the longest unit that says it (3/4 for 3,
    5/8 for 2.5); one a 64th longer at most where none does (a measure of 119/24 quarters
    in a corpus score): the meter restated at the measure's end cuts it there, where a
    shorter one would leave a sliver of a bar."""
    sixty_fourths = math.ceil(quarters * 16)
    denominator = 64
    while sixty_fourths % 2 == 0 and denominator > 4:
        sixty_fourths //= 2
        denominator //= 2
    return TimeSignature(0, max(1, min(sixty_fourths, MAX_NUMERATOR)), denominator)


def _meter(ts: Any, said: _Said) -> tuple[int, int, tuple[int, ...]] | None:
    """A music21 time signature as a meter a song holds (``3+2+2/8`` keeps its grouping);
    None, and said, for one it cannot (5/6)."""
    parts = [p.split("/") for p in str(ts.ratioString).split("+")]
    groups: tuple[int, ...] = ()
    numerator, denominator = int(ts.numerator), int(ts.denominator)
    if len(parts) > 1 and all(len(p) == 2 and p[0].isdecimal() and p[1].strip().isdecimal()
                              for p in parts) \
            and len({p[1] for p in parts}) == 1:
        groups = tuple(int(p[0]) for p in parts)
        numerator, denominator = sum(groups), int(parts[0][1])
    for g in (groups, ()):
        try:
            return TimeSignature(0, numerator, denominator, g).meter
        except ValueError:
            continue
    said.meters.add(str(ts.ratioString))
    return None


def _tempos(score: Any, said: _Said, tm: TimeMap, bars: _BarLines) -> list[TempoChange]:
    """The metronome marks of every part (the top one's first where two share a beat; a
    written mark, ♩ = 100, before a tempo only the playback hears, a "Tempo di Marcia"
    with ``<sound tempo="120">``), in quarters a minute; the first one, when it is in the
    pickup or on the first full bar's downbeat, holds from the start (a score editor
    writes it over bar 1, after the pickup)."""
    found: dict[int, tuple[bool, TempoChange]] = {}  # tick → (a written number, tempo)
    for part in score.parts:
        flat, clock = part.flatten(), _Clock(part, bars)
        for mark in flat.getElementsByClass("MetronomeMark"):
            bpm = mark.getQuarterBPM()
            if not bpm or not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
                continue
            tick = said.tick(clock.at(flat.elementOffset(mark)))
            written = mark.number is not None  # else music21's "playback only" mark
            if tick not in found or (written and not found[tick][0]):
                found[tick] = (written, TempoChange(tick, round(60_000_000 / bpm)))
    tempos = sorted((t for _, t in found.values()), key=lambda t: t.tick)
    tempos = [t for i, t in enumerate(tempos)  # a mark restated is no change
              if i == 0 or t.us_per_beat != tempos[i - 1].us_per_beat]
    if tempos and tm.has_pickup and 0 < tempos[0].tick <= tm.bar_to_tick(1):
        tempos[0] = TempoChange(0, tempos[0].us_per_beat)
    return tempos


def _keys(staff: Any, said: _Said, bars: _BarLines) -> list[KeySignature]:
    """The key signatures of a pitched part's first staff (at sounding pitch: the concert
    key, not a B♭ trumpet's), spelt as the engine spells keys; a mode other than minor is
    read by its signature, as major."""
    flat, clock = staff.flatten(), _Clock(staff, bars)
    keys: list[KeySignature] = []
    for k in flat.getElementsByClass("KeySignature"):
        mode = getattr(k, "mode", None) or "major"
        if mode not in ("major", "minor"):
            said.modes.add(mode)
        name = KEY_SIGNATURES.get((int(k.sharps), int(mode == "minor")))
        if name is None:
            continue
        tick = said.tick(clock.at(flat.elementOffset(k)))
        if keys and keys[-1].tick == tick:
            keys.pop()
        if not keys or keys[-1].key != name:
            keys.append(KeySignature(tick, name))
    return keys


# The words of a jump ("D.C. al Fine", "D.S. al Coda", "To Coda", "Fine").
JUMP_WORDS = re.compile(r"\b(d\.\s*c\.|d\.\s*s\.|da capo|dal segno|fine|to coda|al coda)(?!\w)",
                        re.IGNORECASE)


def _words(score: Any, said: _Said, bars: _BarLines) -> None:
    """Gather the text directions of every part ("Recitativ.", "dolce", "Larghetto"), each
    text once at a tick (a system text written in every part), for the report, those
    that say where to jump ("D.C. al Fine", music21 reads only some) apart; not a swing
    mark's words (:func:`swing_marks` plays them), nor a glyph alone."""
    from music21 import expressions, repeat

    for part in score.parts:
        flat, clock = part.flatten(), _Clock(part, bars)
        for mark in flat.getElementsByClass(expressions.TextExpression):
            text = " ".join(str(mark.content or "").split())
            if not any(c.isalnum() for c in text) or isinstance(mark, repeat.RepeatExpression) \
                    or SWING_WORDS.search(text) or STRAIGHT_WORDS.search(text):
                continue  # a symbol font's glyph (a segno drawn as text), a swing mark
            at = (said.tick(clock.at(flat.elementOffset(mark))), text)
            (said.jumps if JUMP_WORDS.search(text) else said.words)[at] = None


def _markers(score: Any, said: _Said, bars: _BarLines) -> list[Marker]:
    """Rehearsal marks (A, B, "Verse") as markers, once each."""
    found: dict[tuple[int, str], Marker] = {}
    for part in score.parts:
        flat, clock = part.flatten(), _Clock(part, bars)
        for mark in flat.getElementsByClass("RehearsalMark"):
            text = str(mark.content or "").strip()
            if text:
                tick = said.tick(clock.at(flat.elementOffset(mark)))
                found.setdefault((tick, text), Marker(tick, text))
    return sorted(found.values(), key=lambda m: m.tick)


def _chord_symbols(score: Any, said: _Said, bars: _BarLines) -> tuple[ChordSymbol, ...]:
    """The chord symbols (``<harmony>``) of the first part that has any, as their text:
    a lead sheet's one row of chords. Another part's that differ at a tick (a guitar's
    and a bass's parts alike carry them, the same) are counted, for the report."""
    from music21 import harmony

    rows: list[dict[int, str]] = []
    for part in score.parts:
        flat, clock = part.flatten(), _Clock(part, bars)
        row = {said.tick(clock.at(flat.elementOffset(el))): _chord_text(el)
               for el in flat.getElementsByClass(harmony.ChordSymbol)}
        if row:
            rows.append({tick: text for tick, text in row.items() if text})
    if not rows:
        return ()
    said.chord_symbols += sum(1 for row in rows[1:] for tick, text in row.items()
                              if rows[0].get(tick) != text)
    return tuple(ChordSymbol(tick, text) for tick, text in sorted(rows[0].items()))


# A MusicXML kind without its text: how a lead sheet writes it.
_KIND_TEXT = {"major": "", "minor": "m", "augmented": "+", "diminished": "dim",
              "dominant-seventh": "7", "major-seventh": "maj7", "minor-seventh": "m7",
              "diminished-seventh": "dim7", "augmented-seventh": "+7",
              "half-diminished-seventh": "m7b5", "minor-major-seventh": "m(maj7)",
              "major-sixth": "6", "minor-sixth": "m6", "dominant-ninth": "9",
              "major-ninth": "maj9", "minor-ninth": "m9", "dominant-11th": "11",
              "major-11th": "maj11", "minor-11th": "m11", "dominant-13th": "13",
              "major-13th": "maj13", "minor-13th": "m13", "suspended-second": "sus2",
              "suspended-fourth": "sus4", "suspended-fourth-seventh": "7sus4", "power": "5"}


def _chord_text(symbol: Any) -> str:
    """A music21 chord symbol as a lead sheet writes it: its root and the kind's own text
    (``<kind text="m7b5">``, as MuseScore, Sibelius and Dorico write it), else the
    kind's usual writing and its added, altered and left-out degrees; then the bass
    when it is not the root (``Gm7b5/Db``). ``"N.C."`` (or the file's text) for no chord;
    ``""`` for one without a root. Roots are read as music21 gives them, at sounding
    pitch in a transposing part."""
    from music21 import harmony

    if isinstance(symbol, harmony.NoChord):
        return str(symbol.chordKindStr or "").strip() or "N.C."
    root, bass = symbol.root(), symbol.bass()
    if root is None:
        return ""
    kind = str(symbol.chordKindStr or "").strip()
    if not kind:
        kind = _KIND_TEXT.get(symbol.chordKind, "")
        for mod in symbol.getChordStepModifications():
            alter = int(mod.interval.semitones) if mod.interval is not None else 0
            sign = "#" * max(0, alter) + "b" * max(0, -alter)
            # an added tension altered is written as the tension: 7(b9) is "7b9"
            kind += {"add": f"{sign}{mod.degree}" if sign else f"add{mod.degree}",
                     "alter": f"{sign}{mod.degree}",
                     "subtract": f"no{mod.degree}"}.get(mod.modType, "")
    text = _plain_name(root.name) + kind
    if bass is not None and bass.name != root.name:
        text += "/" + _plain_name(bass.name)
    return text


def _plain_name(name: str) -> str:
    """music21's ``"B-"`` → ``"Bb"``."""
    return name.replace("-", "b")


def _title(score: Any) -> str:
    md = score.metadata
    title = str((md.title or md.movementName or "") if md is not None else "").strip()
    return "" if title == "Music21 Fragment" else title  # music21's name for no title


# -- the notes ------------------------------------------------------------------------------


def _track(staves: Sequence[Any], drums: dict, kit: bool, said: _Said, tm: TimeMap,
           bars: _BarLines, colour: str, channel: int,
           written: tuple[int, int] = CONCERT, program: int | None = None) -> Track:
    """One part (its staves) as a track: its notes, ties joined, velocities from its
    dynamics. ``written``: the part's transposition (:func:`part_transpositions`).
    ``drums``: the part's :func:`drum_keys`; ``kit``: it declares several
    instruments (a drum set, whose first one is not every note's). ``program``: the
    file's own ``<midi-program>`` (:func:`part_programs`), else music21's."""
    from music21 import clef, harmony, instrument, note, stream

    inst = staves[0].getInstrument(returnDefault=False)
    if program is None:
        program = _program(inst, str(staves[0].partName or ""))
    flats = [s.flatten() for s in staves]
    clocks = {id(flat): _Clock(s, bars) for s, flat in zip(staves, flats, strict=True)}
    staff_of = {id(flat): i for i, flat in enumerate(flats)}
    elements = [(flat, el) for flat in flats for el in flat.notes
                if not isinstance(el, harmony.Harmony)]
    # A part without notes is a kit by its instrument or its percussion clef (Partita's
    # own export of an empty kit: music21 reads its "Drum Set" back as a plain Instrument).
    is_drum = any(isinstance(m, note.Unpitched) for _, el in elements for m in _members(el)) \
        or (not elements and (isinstance(inst, instrument.UnpitchedPercussion) or any(
            isinstance(c, clef.PercussionClef) for c in flats[0].getElementsByClass(clef.Clef))))
    part_name = str(staves[0].partName or "").strip()
    named = None if is_drum else part_program(program, part_name)
    if named is not None:
        # A piano by default only (the file's, or music21's for no instrument), or a
        # section's sound: a corpus quartet's "Violin 1" and "Violoncello" declare a
        # piano and played one; mozart/k155's Viola a string ensemble, in treble clef.
        said.named.append((part_name, named, program))
        program = named
    # The drum of a part of one percussion instrument music21 knows by name (a triangle),
    # when the file gives no <midi-unpitched> of its own.
    percussion = None if drums or kit else getattr(inst, "percMapPitch", None)
    # The voice each note is written in, by staff: a tie carries on in its own voice.
    voices = {id(n): (i, str(v.id)) for i, staff in enumerate(staves)
              for v in staff.recurse().getElementsByClass(stream.Voice) for n in v.notes}
    events = []  # (start, end, key, tie, …, the staff and voice)
    for flat, el in elements:
        if el.duration.isGrace:
            said.graces += 1
            continue
        # The first verse's syllable and a fermata, on a chord its top note's (the tune).
        lyric = None if is_drum else _first_verse(el.lyrics)
        said.lyrics += len(el.lyrics) - (lyric is not None)
        fermata = any(type(x).__name__ == "Fermata" for x in el.expressions)
        said.ornaments.update(_ornament(x) for x in el.expressions
                              if type(x).__name__ != "Fermata")
        if fermata and is_drum:
            said.fermatas += 1
        # Articulations on each note of a chord (each is played so); slurs on its top note.
        marks = _articulations(el, said)
        slurs = () if is_drum else _slur_marks(el)
        start = clocks[id(flat)].at(flat.elementOffset(el))
        end = start + Fraction(el.duration.quarterLength)
        members = _members(el)
        top = max(members, key=lambda m: m.pitch.midi) if not is_drum and members else None
        for m in members:
            key = _drum_key(m, drums, percussion, said) if is_drum else m.pitch.midi
            if not is_drum and (m.pitch.alter != int(m.pitch.alter) or (
                    m.pitch.microtone is not None and m.pitch.microtone.cents)):
                said.microtones += 1  # music21's midi: the nearest key
            if not 0 <= key <= 127:
                continue
            tie = m.tie if m.tie is not None else el.tie
            events.append((start, end, key, tie.type if tie is not None else None,
                           None if is_drum else _spelling(m.pitch),
                           lyric if m is top else None, fermata and not is_drum, marks,
                           slurs if m is top else (),
                           voices.get(id(el), (staff_of[id(flat)], None))))
    levels = _levels(staves, flats, said, bars)
    notes = [Note(key, start, max(0, end - start), _velocity(levels, start, tm),
                  spelling=spelling, lyric=lyric, fermata=fermata, articulations=marks,
                  slurs=slurs)
             for start, end, key, spelling, lyric, fermata, marks, slurs
             in _joined(events, said)]
    name = part_name
    if name in PLACEHOLDER_PART_NAMES:  # a name the writing program made up: no name
        name = ""
    name = name or (str(inst.instrumentName or "").strip() if inst is not None else "") \
        or program_name(program, is_drum)
    return Track(name=name, program=0 if is_drum else program, is_drum=is_drum,
                 channel=DRUM_CHANNEL if is_drum else channel, notes=tuple(notes),
                 colour=colour, program_changes=tuple(_program_changes(staves[0], program,
                                                                       said, bars)),
                 transposition=None if is_drum else _transposition(written, program))


def _transposition(written: tuple[int, int], program: int) -> tuple[int, int] | None:
    """The part's written → sounding interval (its ``<transpose>``) as the track keeps it
    (``Track.transposition``), so an export writes the part as the score did: a clarinet
    in A stays in A. Concert pitch is said as (0, 0) where the instrument is usually
    written transposed (a clarinet part in C), else left to the instrument (None)."""
    try:
        check_transposition(written)
    except ValueError:  # no instrument's: played as music21 reads it, written at concert
        written = CONCERT
    if written == CONCERT and program not in USUAL_TRANSPOSITIONS:
        return None
    return written


def _program(inst: Any, part_name: str) -> int:
    """The part's General MIDI program where the file gives no ``<midi-program>``
    (:func:`part_programs`): its instrument's (the one music21 knows for the
    instrument's name), else the one music21 knows for
    the part's name (a part named "Flute" and nothing more), else a piano."""
    from music21 import instrument

    program = getattr(inst, "midiProgram", None)
    if program is None and part_name.strip():
        try:
            program = instrument.fromString(part_name.strip()).midiProgram
        except Exception:  # InstrumentException: a name music21 does not know
            program = None
    return int(program) if program is not None and 0 <= program <= 127 else 0


def _members(el: Any) -> Iterable[Any]:
    """The notes of a chord, or the note itself."""
    return el.notes if hasattr(el, "notes") else (el,)


def _drum_key(hit: Any, drums: dict, percussion: int | None, said: _Said) -> int:
    """The General MIDI drum of an unpitched note: the one the file's instruments give
    its staff position and notehead, else the part's one instrument's (a triangle part),
    else the usual drum-set notation's, else a snare (counted, to say)."""
    if hasattr(hit, "displayStep"):
        where = f"{hit.displayStep}{hit.displayOctave}"
    else:  # a pitched note in a drum part: its written place
        where = hit.pitch.nameWithOctave.replace("-", "").replace("#", "")
    head = str(getattr(hit, "notehead", None) or "normal")
    for spot in ((where, head), (where, None), ("", None)):
        if spot in drums:
            return drums[spot]
    if percussion is not None and 0 <= percussion <= 127:
        return int(percussion)
    for spot in ((where, head), (where, None)):
        if spot in DRUM_AT:
            return DRUM_AT[spot]
    said.other_drums[where] = said.other_drums.get(where, 0) + 1
    return OTHER_DRUM


def _spelling(p: Any) -> str | None:
    """The name a score wrote a pitch with, as a note keeps it (``Note.spelling``): B♭ as
    ``"Bb"``; None for a natural white key, or a microtone (named as the key it plays)."""
    if p.alter != int(p.alter):
        return None
    name = p.name.replace("-", "b")
    return kept_spelling(name) if SPELLING_RE.fullmatch(name) else None


def _first_verse(lyrics: Sequence[Any]) -> Lyric | None:
    """The syllable of a note's first verse (the lowest ``number``), as the note keeps it;
    None where it has none, or its text is empty (an extender's placeholder)."""
    if not lyrics:
        return None
    first = min(lyrics, key=lambda ly: ly.number or 1)
    text = str(first.text or "")
    return lyric_or_none(text, first.syllabic or "single")


def _joined(events: list[tuple[Fraction, Fraction, int, str | None, str | None,
                               Lyric | None, bool, frozenset[str], tuple[Slur, ...],
                               Any]],
            said: _Said) -> list[tuple[int, int, int, str | None, Lyric | None, bool,
                                       frozenset[str], tuple[Slur, ...]]]:
    """``(start, end, key, spelling, lyric, fermata, articulations, slurs)`` in ticks: a
    note tied to the next of its pitch that starts where it ends (in any voice or staff
    of the part: the last field of an event says which, and a tie carries on in its own
    voice where two of that pitch end there) is one note with it, the first's syllable,
    any piece's fermata (written on the last) and articulations, and the pieces' slur
    marks (less a slur over the tie alone:
    :func:`~engine.score.articulations.joined_slurs`); the same key twice at one moment
    (a unison of two voices) is one note, the longer, spelt as the first is, with
    either's syllable, fermata, articulations and slur marks. Two ties of one pitch open
    at once (the same note tied in both hands, or in two voices) each carry on: a tie's
    end is never struck again."""
    joined: list[list] = []
    open_: dict[int, list[int]] = {}  # key → indices in joined of notes a tie carries on
    # where a note is struck: a tie carried on into the same key struck in another voice
    # ends there, as a score editor plays it (the key struck again, not held through)
    struck = {(said.tick(e[0]), e[2]) for e in events if e[3] in (None, "start")}
    for start, end, key, tie, spelling, lyric, fermata, marks, slurs, voice in sorted(
            events, key=lambda e: (e[0], e[2])):
        tied = [i for i in open_.get(key, ()) if said.tick(joined[i][1]) == said.tick(start)]
        if tied and (said.tick(start), key) in struck:
            open_[key].remove(tied[0])  # a unison with the new stroke, below
        elif tie in ("stop", "continue") and tied:
            i = next((i for i in tied if joined[i][8] == voice), tied[0])
            joined[i][5] = joined[i][5] or fermata
            joined[i][6] = joined[i][6] | marks
            joined[i][7] = joined_slurs((joined[i][7], slurs))
            joined[i][1], joined[i][8] = end, voice
            if tie == "stop":
                open_[key].remove(i)
            continue
        joined.append([start, end, key, spelling, lyric, fermata, marks, slurs, voice])
        if tie in ("start", "continue"):
            open_.setdefault(key, []).append(len(joined) - 1)
    out: dict[tuple[int, int], tuple] = {}
    for start, end, key, spelling, lyric, fermata, marks, slurs, _ in joined:
        s, e = said.tick(start), said.tick(end)
        if (start * PPQ).denominator != 1 or (end * PPQ).denominator != 1:
            said.off_grid += 1
        if (s, key) in out:
            said.unisons += 1
            first = out[(s, key)]
            e = max(e, first[1])
            spelling, lyric, fermata = first[3], first[4] or lyric, first[5] or fermata
            marks, slurs = first[6] | marks, tuple({*first[7], *slurs})
        out[(s, key)] = (s, e, key, spelling, lyric, fermata, marks, slurs)
    return list(out.values())


# music21's articulation classes a note keeps (``Note.articulations``): the export's, read
# back (by class name: music21's staccatissimo and spiccato are kinds of staccato).
M21_ARTICULATIONS = {m21: name for name, m21 in M21_ARTICULATION.items()}


def _articulations(el: Any, said: _Said) -> frozenset[str]:
    """The articulations written on a note or chord that a note keeps; the others
    (a spiccato, a stress, a breath mark …) and the technical marks (an up-bow, a
    fingering) counted by name, to say."""
    from music21 import articulations

    kept = set()
    for a in el.articulations:
        name = type(a).__name__
        if name in M21_ARTICULATIONS:
            kept.add(M21_ARTICULATIONS[name])
        elif isinstance(a, articulations.TechnicalIndication):  # a bowing, a fingering
            said.technical[name] += 1
        else:
            said.other_articulations[name] = said.other_articulations.get(name, 0) + 1
    return frozenset(kept)


def _ornament(expression: Any) -> str:
    """What kind of ornament a note's expression is, as the report counts them: "trill",
    "turn", "mordent", "tremolo", else its class's name ("arpeggio mark")."""
    from music21 import expressions

    for kind, cls in (("trill", expressions.Trill), ("turn", expressions.Turn),
                      ("mordent", expressions.GeneralMordent),
                      ("tremolo", expressions.Tremolo)):
        if isinstance(expression, cls):
            return kind
    return _spaced(type(expression).__name__)


def _slur_marks(el: Any) -> tuple[Slur, ...]:
    """The slur marks of a note or chord: ``("start", n)`` where slur ``n`` (its MusicXML
    number) begins on it, ``("stop", n)`` where one ends."""
    from music21 import spanner

    marks = []
    for slur in el.getSpannerSites():
        if not isinstance(slur, spanner.Slur):
            continue
        first, last = slur.isFirst(el), slur.isLast(el)
        if first == last:  # a slur over this note alone, or passing it: no mark
            continue
        try:
            number = int(slur.idLocal)
        except (TypeError, ValueError):
            number = 1
        number = number if 1 <= number <= MAX_SLUR_NUMBER else 1
        marks.append(("start" if first else "stop", number))
    return check_slurs(marks)


def _levels(staves: Sequence[Any], flats: Sequence[Any], said: _Said,
            bars: _BarLines) -> list[tuple[int, int]]:
    """``(tick, velocity)`` of each dynamics mark of the part's staves, in time order (a
    mark under a piano's upper staff holds for both hands)."""
    levels = []
    for staff, flat in zip(staves, flats, strict=True):
        clock = _Clock(staff, bars)
        for mark in flat.getElementsByClass("Dynamic"):
            value = str(mark.value)
            if value in DYNAMIC_LEVELS:
                levels.append((said.tick(clock.at(flat.elementOffset(mark))),
                               DYNAMIC_LEVELS[value]))
                said.fp += value == "fp"
            else:
                said.other_dynamics[value] += 1
    return sorted(levels, key=lambda lv: lv[0])


def _velocity(levels: list[tuple[int, int]], tick: int, tm: TimeMap) -> int:
    """The level of the last dynamics mark at or before ``tick`` (mf before any), with
    the beat's accent."""
    i = bisect.bisect_right(levels, tick, key=lambda lv: lv[0]) - 1
    level = levels[i][1] if i >= 0 else DEFAULT_LEVEL
    return max(1, min(127, level + accent(tm, tick)))


def _program_changes(staff: Any, program: int, said: _Said,
                     bars: _BarLines) -> list[ProgramChange]:
    """A part's instrument changes (a flute part switching to piccolo) as program
    changes, where music21 gives the new instrument a program."""
    flat, clock = staff.flatten(), _Clock(staff, bars)
    changes: list[ProgramChange] = []
    for inst in flat.getElementsByClass("Instrument"):
        tick = said.tick(clock.at(flat.elementOffset(inst)))
        new = inst.midiProgram
        if tick > 0 and new is not None and 0 <= new <= 127 and new != (
                changes[-1].program if changes else program):
            changes.append(ProgramChange(tick, int(new)))
    return changes


# -- the report -----------------------------------------------------------------------------


def _lines(score: Any, song: Song, said: _Said) -> list[str]:
    """What the import approximated or left out, one line each (none for a plain score)."""
    lines = []
    if song.tempo_assumed:
        tm = TimeMap.of(song)
        until = (f" until bar {tm.bar_number(tm.tick_to_bar(song.tempos[1].tick))}'s mark"
                 if len(song.tempos) > 1 else "")
        lines.append(f"no metronome mark: the song plays at 120 BPM{until} (Ctrl+K in the "
                     "studio, convert --tempo, to change it)")
    repeats = _repeats(score) + [
        f"{n} {text!r}" for text, n in sorted(Counter(t for _, t in said.jumps).items())]
    if repeats:
        lines.append(f"{listed(repeats)} not played out: the bars are read once, as "
                     "written, and a score written from the song has none of them")
    lines += _tempo_word_lines(song, said)
    if said.graces:
        lines.append(f"{plural(said.graces, 'grace note')} left out: the song plays the "
                     "written notes only")
    unmarked = [t.name for t, marked in zip(song.tracks, _dynamics_marked(score), strict=False)
                if not marked and t.notes]
    if unmarked and len(unmarked) == sum(1 for t in song.tracks if t.notes):
        lines.append("no dynamics marks: velocities are mf (80), the bar's first beat a "
                     "little louder")
    elif unmarked:
        names = ", ".join(repr(n) for n in unmarked[:4]) + (
            f" and {len(unmarked) - 4} more" if len(unmarked) > 4 else "")
        lines.append(f"no dynamics marks in {names}: velocities are mf (80), the bar's "
                     "first beat a little louder")
    if said.fp:
        lines.append(f"{plural(said.fp, 'fp mark')} played as p from the mark on: the "
                     "forte attack is not played, and a score written from the song has p")
    if said.other_dynamics:
        lines.append(f"{plural(sum(said.other_dynamics.values()), 'dynamics mark')} other "
                     f"than pppp–ffff not played ({_counts(said.other_dynamics, 'mark')}): "
                     "velocities change only at pppp–ffff marks")
    wedges = len(list(score.recurse().getElementsByClass("DynamicWedge")))
    if wedges:
        lines.append(f"{plural(wedges, 'hairpin')} (crescendo, diminuendo) not played: "
                     "velocities change only at dynamics marks")
    for where, count in sorted(said.other_drums.items()):
        lines.append(f"{plural(count, 'drum note')} on {where}, a staff position no drum "
                     f"is known for, played as {drum_name(OTHER_DRUM)}")
    if said.unisons:
        lines.append(f"{plural(said.unisons, 'note')} sounding in unison with a note of the "
                     "same part (two voices or staves) played once")
    if said.microtones:
        lines.append(f"{plural(said.microtones, 'note')} between two keys (quarter tones) "
                     "played on the nearest key")
    if said.fermatas:
        lines.append(f"{plural(said.fermatas, 'fermata')} over drum notes left out")
    if said.other_articulations:
        names = ", ".join(_spaced(name) for name in sorted(said.other_articulations))
        lines.append(f"{plural(sum(said.other_articulations.values()), 'articulation')} "
                     f"not kept ({names}): a note keeps "
                     f"{', '.join(M21_ARTICULATIONS.values())}")
    if said.ornaments:
        lines.append(f"{_counts(said.ornaments)} not kept: the song plays the notes as "
                     "written, and a score written from it has none")
    if said.technical:
        lines.append(f"{plural(sum(said.technical.values()), 'technical mark')} not kept "
                     f"({_counts(Counter({_spaced(k): n for k, n in said.technical.items()}))})"
                     ": no bowings or fingerings in the song")
    if said.off_grid:
        lines.append(f"{plural(said.off_grid, 'note')} starting or ending between two ticks "
                     f"({PPQ} a quarter), as a septuplet does or a triplet that the file "
                     "writes in halves and quarters, moved to the nearest tick")
    if said.meters:
        lines.append(f"time signatures a song cannot hold ({', '.join(sorted(said.meters))}) "
                     "read as the meter before them")
    for declared in sorted({d for _, _, d in said.named}):
        named = [(name, program) for name, program, d in said.named if d == declared]
        one = len(named) == 1
        lines.append(
            f"{plural(len(named), 'part')} declaring "
            f"{'a piano (or no instrument)' if declared == 0 else program_name(declared)}"
            f" read as the {'instrument its name names' if one else 'instruments their names name'}"
            ": " + ", ".join(f"{name!r} as {program_name(program)}" for name, program in named))
    if said.modes:
        lines.append(f"key signatures in {', '.join(sorted(said.modes))} read as the major "
                     "key of the same signature")
    if said.lyrics:  # a note keeps one verse's syllable
        lines.append(f"{plural(said.lyrics, 'syllable')} of lyrics not kept: a note keeps "
                     "its first verse's (verses 2 and on, and any under drums, are left out)")
    if said.chord_symbols:
        lines.append(f"{plural(said.chord_symbols, 'chord symbol')} of other parts not kept, "
                     "where they differ from the first's: a song keeps one row of chords")
    return lines


def _spaced(name: str) -> str:
    """A music21 class name as words: ``"UpBow"`` → ``"up bow"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _counts(counts: Counter[str], noun: str = "") -> str:
    """``"45 trills and 2 turns"``, most first; ``noun``: one noun for every kind, named
    after the count (``"3 sf and 1 fz"`` for marks that are their own names)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if noun:
        return listed([f"{n} {kind}" for kind, n in ranked])
    return listed([plural(n, kind) for kind, n in ranked])


# A text direction that names a tempo ("Larghetto", "Allegro ma non troppo"): music21's
# tempo words (its defaultTempoValues) and the words that change one.
TEMPO_WORDS = re.compile(
    r"\b(larghissimo|largamente|grave|largo|lento|adagio|larghetto|adagietto|andante|"
    r"andantino|maestoso|moderato|allegretto|animato|allegro|allegrissimo|vivace|"
    r"vivacissimo|presto|prestissimo|langsam|schnell|tempo i|a tempo|tempo primo|"
    r"rit|ritard|ritardando|rall|rallentando|accel|accelerando|più mosso|meno mosso)\b",
    re.IGNORECASE)
MAX_NAMED_WORDS = 4  # the report names so many texts, then "and N more"


def _tempo_word_lines(song: Song, said: _Said) -> list[str]:
    """The report's lines for the text directions: the tempo words where no metronome
    mark sets a tempo (not played: no word is read as a number of beats a minute), and
    the other texts (not kept; a tempo word with a mark plays the mark's tempo)."""
    tm = TimeMap.of(song)
    ticks = {t.tick for t in song.tempos}

    def played(tick: int) -> bool:  # a mark there (the first from the start: _tempos)
        return tick in ticks or (0 in ticks and tm.has_pickup and tick <= tm.bar_to_tick(1))

    unplayed = [(tick, text) for tick, text in said.words
                if TEMPO_WORDS.search(text) and not played(tick)]
    others = [text for tick, text in said.words if (tick, text) not in set(unplayed)]
    lines = []
    if unplayed:
        named = [f"{text!r} at bar {tm.bar_number(tm.tick_to_bar(tick))}"
                 for tick, text in sorted(unplayed)]
        lines.append(f"{plural(len(unplayed), 'tempo word')} without a metronome mark not "
                     f"played ({_first_few(named)}): the song keeps the tempo before "
                     "each, 120 BPM before any (Ctrl+K in the studio, convert --tempo, "
                     "to set one)")
    if others:
        distinct = list(dict.fromkeys(repr(text) for text in others))
        lines.append(f"{plural(len(others), 'text direction')} not kept "
                     f"({_first_few(distinct)}): a song holds no words over its notes")
    return lines


def _first_few(items: list[str]) -> str:
    """``"'a', 'b', 'c', 'd' and 3 more"``."""
    if len(items) <= MAX_NAMED_WORDS:
        return ", ".join(items)
    return f"{', '.join(items[:MAX_NAMED_WORDS])} and {len(items) - MAX_NAMED_WORDS} more"


def _dynamics_marked(score: Any) -> list[bool]:
    """Per track (:func:`_players`), whether any of its staves has a dynamics mark."""
    return [any(True for s in staves for _ in s.recurse().getElementsByClass("Dynamic"))
            for staves in _players(score)]


def _repeats(score: Any) -> list[str]:
    """What in the score repeats, counted in its first part (every part has the same):
    ``["8 repeat barlines", "14 volta brackets", "1 segno"]`` — repeat barlines,
    volta brackets, and each kind of jump mark (D.C., D.S., Fine, segno, coda)."""
    from music21 import bar, repeat, spanner, stream

    parts = list(score.parts)[:1]
    found = []
    measures = [m for p in parts for m in p.getElementsByClass(stream.Measure)]
    barlines = sum(isinstance(b, bar.Repeat) for m in measures
                   for b in (m.leftBarline, m.rightBarline))
    if barlines:
        found.append(plural(barlines, "repeat barline"))
    voltas = sum(isinstance(s, spanner.RepeatBracket) for p in parts
                 for s in p.recurse().getElementsByClass("RepeatBracket"))
    if voltas:
        found.append(plural(voltas, "volta bracket"))
    marks = Counter(_JUMP_NAMES.get(type(r).__name__, "jump mark") for p in parts
                    for r in p.recurse().getElementsByClass(repeat.RepeatExpression))
    found += [plural(n, kind) if kind in ("segno", "coda") else f"{n} {kind}"
              for kind, n in sorted(marks.items())]
    return found


# music21's repeat expressions as a score names them (the count before: "2 D.C.").
_JUMP_NAMES = {"Segno": "segno", "Coda": "coda", "Fine": "Fine", "DaCapo": "D.C.",
               "DaCapoAlFine": "D.C. al Fine", "DaCapoAlCoda": "D.C. al Coda",
               "DalSegno": "D.S.", "DalSegnoAlFine": "D.S. al Fine",
               "DalSegnoAlCoda": "D.S. al Coda", "AlSegno": "al Segno", "AlCoda": "al Coda"}
