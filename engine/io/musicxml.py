""":class:`~engine.score.Song` → MusicXML, for score editors (MuseScore, Sibelius, Dorico,
Finale), written with music21.

A song says when each note sounds, to the tick; a score says how to read it. The export
keeps what a score holds — the title, one part per track (its name, the instrument its GM
program names, a transposing instrument's part written transposed — the track's own
transposition, else the instrument's usual one —, its short name for later systems, a
keyboard or a harp on a grand staff, a drum kit as a percussion staff (each drum an
instrument of its own, with its General MIDI sound: :func:`_name_drums`), a choir's voice
parts joined by a bracket), the bars with their meters and meter changes (a chosen
grouping as 3+2+2/8), a pickup as an opening bar shorter than its meter, a last bar
shorter than the one before it (the pickup's complement) as a short last measure of that
bar's meter, key signatures (notes spelt in them: B♭, not A♯, in F), tempo marks (whole
numbers, a gradual change as "rit." or "accel." between two marks:
:mod:`~engine.io.tempo_marks`; every tempo change plays as it was; none for an opening
tempo the song only assumed, ``Song.tempo_assumed``), the notes' lyrics,
fermatas, articulations and slurs — and approximates
the rest:

- note starts and ends are quantized beat by beat (:class:`_BeatGrid`): each beat in
  16ths or in eighth-note triplets (:data:`QUARTER_DIVISORS`), whichever fits its notes,
  a note's start and end on the grid of the beat each falls in: a played part reads as
  written rhythm, never a triplet 32nd, and a note shorter than its beat's grid lasts one
  step of it; a beat whose onsets that grid would put together (a trap hi-hat roll, a
  run of 32nds) in 32nds or 16th-note sextuplets (:data:`FINE_DIVISORS`) instead;
- a track that plays swung 8ths or 16ths (:func:`~engine.score.grid_fit.track_timing`,
  ``partita info``'s Timing line; a track with a few swung notes in a swung song, by the
  song's swing) is written as a lead sheet writes swing: its swung off-beats straight,
  before the quantizing, under a "Swing" mark at its part's start that plays them back
  at the ratio it swings (MusicXML's ``<swing>``: :func:`part_swings`); its triplets
  stay triplets;
- a drum hit lasts until the kit's next hit, at most a quarter, one note long (drum
  notes' own lengths are a sampler's matter, not the player's);
- a track's notes that start and end together are one chord; notes that overlap
  otherwise go to voices of the same staff (first free line, as music21's
  ``makeVoices``), at most :data:`MAX_VOICES`;
- a keyboard's or a harp's part (:func:`~engine.score.instruments.grand_staff`) is a
  grand staff when its notes reach past what one staff reads (:func:`_needs_two_staves`),
  its notes split between the staves at middle C (:data:`SPLIT_PITCH`), not by hand;
- two notes of one pitch that land on the same start on one track are one note, and a
  fifth overlapping line cuts one short (the export says how many:
  :func:`write_musicxml`'s warnings);
- velocities are written as dynamics (:func:`~engine.io.dynamics.dynamics_of`): a mark
  where a level held for about a beat starts, not one per note, an accent (or sfz) on a
  short note louder than its level, a hairpin over a steady ramp to the mark it
  reaches; none for a part whose velocities carry none
  (:func:`~engine.io.dynamics.says_no_dynamics`: a score without marks read back, one
  default velocity throughout), nor over a part's first notes at the level the import
  gives notes before a part's first mark;
- each track's volume and pan are its part's ``<midi-instrument>`` ``<volume>`` (a
  percentage of MIDI's full 127) and ``<pan>`` (degrees, -90 hard left … 90 hard right),
  as MuseScore and Finale read them (:func:`_write_mixes`), to 1/100: every MIDI value
  comes back (:func:`volume_from_percent`, :func:`pan_from_degrees`);
- the song's markers (Intro, Verse, Chorus) are rehearsal marks on the top staff, each at
  its tick (mid-bar too: MusicXML places a direction anywhere in a measure), as the import
  reads them back (:func:`_rehearsal_marks`);
- the song's chord symbols are ``<harmony>`` above the top staff at their ticks, the
  symbol as written in its ``<kind text>`` (its root and bass as steps, its kind the
  nearest MusicXML names: :func:`_chord_symbols`), as the import reads them back;
- mute and solo, controls and program changes within a track are not written: a score
  has no place a score editor reads them from.

music21 is imported only when a score is written (it takes a second to load).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import io
import itertools
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from engine.score import Song, TimeMap, TimeSignature, Track, duration_text, plural
from engine.score.articulations import SLUR_KINDS, Slur, check_slurs, in_order
from engine.score.chord_symbols import NO_CHORD, chord_intervals, split_chord_symbol
from engine.score.grid_fit import (
    STEPS_PER_BEAT,
    TOLERANCE,
    TrackTiming,
    line_step,
    line_tick,
    track_timing,
)
from engine.score.instruments import (
    CONCERT,
    drum_name,
    grand_staff,
    orchestral_section,
    program_name,
    voice_part_of,
    voice_part_range,
    written_transposition,
)
from engine.score.lead_sheet import chords_in_song
from engine.score.lyrics import Lyric
from engine.score.note_names import NoteNames
from engine.score.spelling import pitch_name, spelled_name

from .atomic import atomic_write
from .clefs import clef_plan, part_clefs
from .dynamics import dynamics_of
from .errors import FileFormatError
from .midi_export import score_channels
from .midi_import import cc_to_pan, cc_to_volume, pan_to_cc, volume_to_cc
from .sniff import MUSICXML_MEDIA_TYPE
from .tempo_marks import tempo_marks

MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
# Each articulation a note keeps (``Note.articulations``) as music21 writes it.
M21_ARTICULATION = {"staccato": "Staccato", "staccatissimo": "Staccatissimo",
                    "accent": "Accent", "strong-accent": "StrongAccent", "tenuto": "Tenuto",
                    "detached-legato": "DetachedLegato"}  # .mxl: the compressed (zipped) form
# Note positions are quantized to 16ths or eighth-note triplets, one grid a beat
# (:class:`_BeatGrid`; music21's default grid, what its own MIDI import reads played
# music on: 4 or 3 steps a quarter).
QUARTER_DIVISORS = (4, 3)
# The finer grids a beat takes only where its onsets need one (the grid above it chose
# puts two of them on one step, and this one keeps them apart): 32nds or 16th-note
# sextuplets, 8 or 6 steps a quarter (a trap hi-hat roll, a violin's run of 32nds), each
# onset within :data:`FINE_FIT` of a step of it: a strummed chord or a flam, a few ticks
# apart, stays on its 16th. Not 32nd-note triplets (12): a turn's three of them before
# eighth-note triplets in one beat made tuplets music21 completes across the beat line
# (a dotted quarter after them written as a triplet eighth tied to a 7:12 half).
FINE_DIVISORS = (8, 6)
FINE_FIT = Fraction(1, 4)  # of a fine grid's step: how far off it a played onset may be
MAX_DRUM_LENGTH = Fraction(1)  # a drum hit is written at most a quarter long
# The lengths a drum hit is written with, longest first: single notes (a dotted 8th, the
# triplets) down to the 32nd-note triplet (1/12: onsets a beat's grid keeps a 16th
# apart at least, but a bar a meter change cuts short may end off it).
# The dotted 16th and the 32nd for the beats in 32nds (:data:`FINE_DIVISORS`).
DRUM_VALUES = tuple(Fraction(v) for v in ("1", "3/4", "2/3", "1/2", "3/8", "1/3", "1/4",
                                          "1/6", "1/8", "1/12"))
MAX_DENOMINATOR = 64  # a bar shortened by a mid-bar meter change is written in x/64 at most
MAX_VOICES = 4  # lines of one staff (as many as MuseScore gives a staff)
# A score of more bars is refused before it is made: one note at tick 10**12 made music21
# grow to many GB, then fail with a MemoryError of no words. An opera act is ~1,500 bars.
MAX_SCORE_BARS = 10_000
# A grand staff's split: this pitch (middle C) and above on the upper (treble) staff, the
# notes below it on the lower (bass) one — the fixed split a MIDI importer offers, which
# reads plainly where the hands keep to their sides of middle C.
SPLIT_PITCH = 60
# A keyboard part whose notes keep within two ledger lines of one staff is written on that
# staff alone (a piano's left-hand track, a melody): from A3 up on a treble staff, up to
# E4 on a bass staff.
TREBLE_LOWEST, BASS_HIGHEST = 57, 64

# Where a General MIDI drum sits on a five-line percussion staff, and its notehead: the
# usual drum-set notation (kick in the bottom space, snare on the third space, hi-hat and
# cymbals above the staff with x heads, the open hi-hat a closed one's x with an "o" over
# it: :data:`OPEN_HI_HAT`). Other percussion sits on the middle line.
DRUM_DISPLAY: dict[int, tuple[str, str]] = {
    35: ("E4", "normal"), 36: ("F4", "normal"), 37: ("C5", "x"), 38: ("C5", "normal"),
    39: ("B4", "x"), 40: ("C5", "normal"), 41: ("G4", "normal"), 42: ("G5", "x"),
    43: ("A4", "normal"), 44: ("D4", "x"), 45: ("B4", "normal"), 46: ("G5", "x"),
    47: ("D5", "normal"), 48: ("D5", "normal"), 49: ("A5", "x"), 50: ("E5", "normal"),
    51: ("F5", "x"), 52: ("B5", "x"), 53: ("F5", "diamond"), 54: ("E5", "x"),
    55: ("B5", "x"), 56: ("E5", "triangle"), 57: ("A5", "x"), 59: ("F5", "x"),
}
OTHER_DRUM = ("B4", "x")
OPEN_HI_HAT = 46  # written with MusicXML's <open/> ("o") over its x
# The id music21 writes on each drum note, naming its key, for :func:`_name_drums` to
# turn into the note's <instrument> (and take away: ids must be unique in a file).
DRUM_NOTE_ID = "partita-drum-"
DRUM_MIDI_CHANNEL = "10"  # General MIDI's drum channel, 1-based as MusicXML counts

# The short names on the systems after the first, as scores print them: a choir's voice
# parts by their letter, the common instruments as engravers shorten them. A name that
# begins with one of these keeps the rest ("Violin 2": "Vln. 2"); a part that has none
# is shortened by its instrument's (music21's, where one word) or by its own name.
VOICE_ABBREVIATIONS = {"soprano": "S.", "alto": "A.", "tenor": "T.", "bass": "B."}
INSTRUMENT_ABBREVIATIONS = {
    "piano": "Pno.", "keyboard": "Kbd.", "organ": "Org.", "harpsichord": "Hpd.",
    "harp": "Hp.", "celesta": "Cel.", "violin": "Vln.", "viola": "Vla.", "cello": "Vc.",
    "violoncello": "Vc.", "double bass": "Cb.", "contrabass": "Cb.", "strings": "Str.",
    "flute": "Fl.", "piccolo": "Picc.", "oboe": "Ob.", "english horn": "E. Hn.",
    "clarinet": "Cl.", "bass clarinet": "B. Cl.", "bassoon": "Bsn.", "recorder": "Rec.",
    "saxophone": "Sax.", "alto sax": "A. Sax.", "alto saxophone": "A. Sax.",
    "tenor sax": "T. Sax.", "tenor saxophone": "T. Sax.", "horn": "Hn.",
    "french horn": "Hn.", "trumpet": "Tpt.", "trombone": "Tbn.", "tuba": "Tba.",
    "guitar": "Gtr.", "acoustic guitar": "Gtr.", "electric guitar": "E. Gtr.",
    "bass guitar": "B. Gtr.", "electric bass": "B. Gtr.", "timpani": "Timp.",
    "glockenspiel": "Glk.", "vibraphone": "Vib.", "xylophone": "Xyl.", "marimba": "Mar.",
    "percussion": "Perc.", "drums": "Dr.", "drum set": "Dr.", "drum kit": "Dr.",
    "choir": "Ch.", "voice": "V.",
}


# Reports progress: the fraction done (0–1) and what is being done. It may raise to stop
# the export (the studio's Cancel): the exception reaches the caller as it is, and no
# file is written.
ProgressFn = Callable[[float, str], None]
# Of an export's time, the share making the score (music21 quantizing and notating each
# track); the rest is writing its XML, part by part (a 171-bar, 11-track song: 29 s, 10 s).
SCORE_SHARE = 0.75


class _Stopped(Exception):
    """Carries what ``progress`` raised past the catch-all that words music21's errors."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def write_musicxml(song: Song, path: str | os.PathLike[str],
                   progress: ProgressFn | None = None) -> list[str]:
    """Write ``song`` as a MusicXML score, atomically: compressed for ``.mxl``, else
    plain (``.musicxml``, ``.xml``). Returns what the score keeps less well than the song
    (notes merged or cut short, instrument changes; usually none). Raises
    :class:`FileFormatError` when music21 is missing or cannot write the score.
    ``progress`` is told how far it is, between tracks and parts (:data:`ProgressFn`);
    what it raises stops the export with nothing written."""
    path = Path(path)
    if (too_long := too_long_for_a_score(song)) is not None:
        raise FileFormatError(path, f"cannot write MusicXML: {too_long}")
    try:
        data, warnings = musicxml_bytes(song, compressed=path.suffix.lower() == ".mxl",
                                        progress=progress)
    except _Stopped as e:
        raise e.error from None
    except ImportError:
        raise FileFormatError(path, "cannot write MusicXML: it needs music21 (pip install "
                                    "music21)") from None
    except MemoryError:  # its message is empty: "cannot write MusicXML:" said nothing
        raise FileFormatError(path, "cannot write MusicXML: out of memory (the score of "
                              f"{plural(TimeMap.of(song).whole_bars(song.end), 'bar')} "
                              "does not fit)") from None
    except Exception as e:  # music21 raises many kinds; the user gets one line
        raise FileFormatError(path, f"cannot write MusicXML: {e or type(e).__name__}"
                              ) from None
    if progress is not None:
        _report(progress, 1.0, "Writing the file")
    atomic_write(path, data)
    return warnings


def too_long_for_a_score(song: Song) -> str | None:
    """Why ``song`` has too many bars for a score (:data:`MAX_SCORE_BARS`), as words:
    "the song is 694,444,445 bars long (10,046 days 22 h): a score holds at most 10,000
    bars"; None when it fits."""
    tm = TimeMap.of(song)
    bars = tm.whole_bars(song.end)
    if bars <= MAX_SCORE_BARS:
        return None
    return (f"the song is {bars:,} bars long ({duration_text(tm.tick_to_seconds(song.end))})"
            f": a score holds at most {MAX_SCORE_BARS:,} bars")


def _report(progress: ProgressFn, fraction: float, stage: str) -> None:
    try:
        progress(fraction, stage)
    except BaseException as e:
        raise _Stopped(e) from e


def musicxml_bytes(song: Song, compressed: bool = False,
                   progress: ProgressFn | None = None) -> tuple[bytes, list[str]]:
    """The score of ``song`` as MusicXML bytes (``compressed``: an ``.mxl`` archive), and
    its warnings (:func:`write_musicxml`)."""
    from music21 import defaults
    from music21.musicxml.m21ToXml import ScoreExporter

    def step(fraction: float, stage: str) -> None:
        if progress is not None:
            _report(progress, fraction, stage)

    class Exporter(ScoreExporter):
        def parsePartlikeScore(self) -> None:
            if not self.partExporterList:
                self._populatePartExporterList()
            parts = self.partExporterList
            for i, part in enumerate(parts):
                # Each part's instrument has its channel (:func:`_instrument`), shared
                # where the MIDI export shares one: music21 would move a part off a
                # channel an earlier part has, and past 16 warn "we are out of midi
                # channels! help!" and write channel 1 (an orchestra's strings).
                part.midiChannelList.clear()
                part.parse()
                step(SCORE_SHARE + (1 - SCORE_SHARE) * (i + 1) / len(parts),
                     "Writing the score")

    said = defaults.author, defaults.title
    with _no_gc():
        score, warnings = song_to_score(song, step)
        # song_to_score made the notation, in place: no copy, no makeNotation.
        exporter = Exporter(score, makeNotation=False)
        # Else an untitled score is "Music21 Fragment", and every score's composer "Music21".
        defaults.author = defaults.title = ""
        try:
            exporter.parse()
            _round_sound_tempos(exporter.xmlRoot)
            _name_drums(exporter.xmlRoot, song)
            _write_mixes(exporter.xmlRoot, song)
            _mark_swings(exporter.xmlRoot, score.editorial.get("swings", {}))
            xml = exporter.asBytes()
        finally:
            defaults.author, defaults.title = said
    return (_mxl(xml) if compressed else xml), warnings


def _round_sound_tempos(root: Any) -> None:
    """Each ``<sound tempo>`` to 1/100 of a beat a minute: 117.6, not the
    117.60000000000001 music21 computes from a mark's beat (a microsecond a beat)."""
    for sound in root.iter("sound"):
        if "tempo" in sound.attrib:
            sound.set("tempo", f"{float(sound.get('tempo')):.2f}".rstrip("0").rstrip("."))


# -- a kit's drums: a <score-instrument> and <midi-instrument> each ---------------------


def drum_instrument_id(part_id: str, key: int) -> str:
    """The id of a kit part's drum of MIDI ``key``: ``P1-I37`` for the kick (36), numbered
    by its ``<midi-unpitched>`` (the key + 1), as MuseScore numbers its drum set's."""
    return f"{part_id}-I{key + 1}"


def _name_drums(root: Any, song: Song) -> None:
    """Each drum a kit part plays as an instrument of its own, as score editors write a
    drum set (music21 writes one "Drum Set" without a sound; MuseScore, Dorico and Sibelius
    then read generic unpitched notes, played as whatever their position means to them):
    a ``<score-instrument>`` named as General MIDI names the drum, a ``<midi-instrument>``
    on channel 10 with its ``<midi-unpitched>`` (1-based: the key + 1), and on each note
    an ``<instrument>`` naming it. The open hi-hat's note gets its "o" (``<open/>``). A
    kit without notes keeps the one "Drum Set"."""
    from xml.etree.ElementTree import Element, SubElement

    for i, track in enumerate(song.tracks):
        if not track.is_drum:
            continue
        part_id = f"P{i + 1}"  # a kit is never a grand staff: one part, its own id
        part = root.find(f"part[@id='{part_id}']")
        score_part = root.find(f"part-list/score-part[@id='{part_id}']")
        if part is None or score_part is None:
            continue
        used: set[int] = set()
        for n in part.iter("note"):
            tag = n.attrib.pop("id", "")
            if not tag.startswith(DRUM_NOTE_ID):
                continue
            key = int(tag[len(DRUM_NOTE_ID):])
            used.add(key)
            # After its duration (and ties), before <voice> and <type>, as the schema orders it.
            at = max(j for j, child in enumerate(n)
                     if child.tag in ("chord", "unpitched", "duration", "tie"))
            n.insert(at + 1, Element("instrument", id=drum_instrument_id(part_id, key)))
            if key == OPEN_HI_HAT:
                _mark_open(n)
        if not used:
            continue
        old = score_part.findall("score-instrument") + score_part.findall("midi-instrument")
        at = min((list(score_part).index(e) for e in old), default=len(score_part))
        for e in old:
            score_part.remove(e)
        named, sounds = [], []
        for key in sorted(used):
            inst_id = drum_instrument_id(part_id, key)
            named_one = Element("score-instrument", id=inst_id)
            SubElement(named_one, "instrument-name").text = (
                drum_name(key) or f"Percussion (key {key})")
            named.append(named_one)
            sound = Element("midi-instrument", id=inst_id)
            SubElement(sound, "midi-channel").text = DRUM_MIDI_CHANNEL
            # The kit, as General MIDI 2 selects it (1-based, as MuseScore writes a drum
            # set's): a TR-808's hits are the 808's, not the standard kit's.
            SubElement(sound, "midi-program").text = str(track.program + 1)
            SubElement(sound, "midi-unpitched").text = str(key + 1)
            sounds.append(sound)
        # Every <score-instrument> before the <midi-instrument>s, as the schema orders them.
        for j, e in enumerate(named + sounds):
            score_part.insert(at + j, e)


def _mark_open(n: Any) -> None:
    """An "o" over note ``n`` (an open hi-hat): ``<technical><open/>`` in its
    ``<notations>`` (MusicXML 4.0's open mark), which come after its beams and before
    any lyric."""
    from xml.etree.ElementTree import Element, SubElement

    notations = n.find("notations")
    if notations is None:
        notations = Element("notations")
        after = [j for j, child in enumerate(n) if child.tag in ("lyric", "play", "listen")]
        n.insert(after[0] if after else len(n), notations)
    technical = notations.find("technical")
    if technical is None:
        technical = SubElement(notations, "technical")
    SubElement(technical, "open")


# -- the mix: <midi-instrument>'s <volume> and <pan> ------------------------------------

MIX_DECIMALS = 2  # 114/127 is 89.77 %: enough for every MIDI value to come back exactly
HARD_RIGHT_DEGREES = 90  # MusicXML's <pan>: -90 hard left, 0 centre, 90 hard right
PAN_STEPS = 64  # the studio's and the CLI's pan: -64 … +64, so Track.pan in 1/64ths


def _write_mixes(root: Any, song: Song) -> None:
    """Each track's volume and pan in its part's ``<midi-instrument>`` (``P1`` is the
    first track's: :func:`_part`), where MuseScore and Finale read them; music21 writes
    neither. They close the element, after ``<midi-program>``, as the schema orders it."""
    from xml.etree.ElementTree import SubElement

    for i, track in enumerate(song.tracks):
        for midi in root.iterfind(f"part-list/score-part[@id='P{i + 1}']/midi-instrument"):
            SubElement(midi, "volume").text = volume_percent(track.volume)
            SubElement(midi, "pan").text = pan_degrees(track.pan)


def _decimal(x: float) -> str:
    """``x`` to :data:`MIX_DECIMALS`, without trailing zeros: 89.77, 100, -22.5, 0."""
    return f"{round(x, MIX_DECIMALS) + 0.0:.{MIX_DECIMALS}f}".rstrip("0").rstrip(".")


def volume_percent(volume: float) -> str:
    """``Track.volume`` (0..1, MIDI 0..127) as a ``<volume>``: a percentage, rounded up to
    1/100 (MIDI 114 is 89.7638 %: 89.77), so 127 × it is the MIDI value or a hair over:
    MuseScore, which drops the fraction, reads 114 too (89.76 would be 113.995: 113)."""
    hundredths = math.ceil(round(volume * 100 * 10**MIX_DECIMALS, 6))  # 7 %: no 7.01
    return _decimal(hundredths / 10**MIX_DECIMALS)


def pan_degrees(pan: float) -> str:
    """``Track.pan`` (-1 left .. +1 right) as a ``<pan>``: degrees, -90 hard left, to
    1/100 (the studio's -16 of 64: -22.5)."""
    return _decimal(pan * HARD_RIGHT_DEGREES)


def volume_from_percent(percent: float) -> float:
    """A ``<volume>`` (0..100 %) as ``Track.volume``: the nearest MIDI value, a half
    rounded as the MIDI export rounds it (to the even one: 50 % is 63.5, so 64), so 89.77
    is 114 again (and so is 89.76, as another program may round it)."""
    return cc_to_volume(volume_to_cc(percent / 100))


def pan_from_degrees(degrees: float) -> float:
    """A ``<pan>`` (-180..180 degrees) as ``Track.pan``: -90 hard left, 90 hard right,
    an angle behind the listener at its side's place in front (135 is 45). Then the
    nearer of the studio's step (1/64: -45 is -32) and a MIDI pan's (CC10: 63 steps
    right of the centre, 64 left), so a pan set in either comes back exactly."""
    if abs(degrees) > HARD_RIGHT_DEGREES:
        degrees = (180 if degrees > 0 else -180) - degrees
    pan = degrees / HARD_RIGHT_DEGREES
    return min(round(pan * PAN_STEPS) / PAN_STEPS, cc_to_pan(pan_to_cc(pan)),
               key=lambda step: abs(step - pan))


# -- swing: straight 8ths under a "Swing" mark ---------------------------------------------

SWING_WORDS = "Swing"  # the mark over a swung part's first bar, as a lead sheet prints it
# The feels (TrackTiming.feel) written straight under a swing mark. Not "swung 8ths and
# 16ths": 8th-note triplets in every beat read so (a 16th late by a third of it, an 8th
# by two), and stay triplets.
SWUNG_FEELS = ("swung 8ths", "swung 16ths")
# A swing this near 2:1 (a triplet swing: 66.7 %) is written 2:1, as a score says it;
# another as its whole per cent (64 %: 16:9), which the import plays back.
TRIPLET_SWING, TRIPLET_SWING_NEAR = 2 / 3, 0.02


@dataclass(frozen=True, slots=True)
class PartSwing:
    """How a swung track is written: its swung notes' straight ``(start, end)`` ticks, by
    note id, and the swing its part's mark plays them back with: ``first``:``second``, an
    on-beat note's length to its off-beat's (MusicXML's ``<swing>``), of ``unit``
    (``"eighth"`` or ``"16th"``, its ``<swing-type>``)."""

    straight: Mapping[int, tuple[int, int]]
    first: int
    second: int
    unit: str


def part_swings(song: Song) -> dict[int, PartSwing]:
    """The parts written swung, by track index: each track that plays swung 8ths or 16ths
    (:data:`SWUNG_FEELS`: :func:`~engine.score.grid_fit.track_timing`, the reading
    ``partita info`` prints),
    and, in a song one of them swings, another track with notes on that swing's off-beats
    (a comping piano's few swung 8ths, too few to read a swing from: read by the swing of
    the track with the most swung notes). None in a straight song: it is written as
    before."""
    tm = TimeMap.of(song)
    timings = [track_timing(t, tm, song.ppq) for t in song.tracks]
    swung = [t for t in timings if t.swung and t.feel in SWUNG_FEELS]
    if not swung:
        return {}
    lead = max(swung, key=lambda t: len(t.swung)).swing
    out = {}
    for i, (track, timing) in enumerate(zip(song.tracks, timings, strict=True)):
        if not (timing.swung and timing.feel in SWUNG_FEELS):
            if timing.swung or not timing.off_grid:  # a feel of its own (laid back), or none
                continue
            timing = track_timing(track, tm, song.ppq, swing=lead)
            if not timing.swung:
                continue
        straight = _straightened(track, timing, tm, song.ppq)
        if straight:
            out[i] = PartSwing(straight, *_swing_ratio(timing.swing, song.ppq))
    return out


def _straightened(track: Track, timing: TrackTiming, tm: TimeMap, ppq: int
                  ) -> dict[int, tuple[int, int]]:
    """The straight ``(start, end)`` of the track's notes that the swing moves, by id: a
    swung note's start on the line its swing plays late (the off-beat 8th, two thirds
    into the beat, on the half beat), and the ends in a swung beat on the 16th they come
    to once the beat is played straight (:func:`_straight_in_beat`), so a swung pair
    reads as two 8ths, not a quarter-and-eighth triplet. Triplets stay: their notes, a
    quarter-note triplet's middle note (swung by its place, but the triplet note after it
    lies a triplet quarter later) and the ends in the beats they play in."""
    tolerance = max(1.0, TOLERANCE * ppq / STEPS_PER_BEAT)
    offsets = timing.swing

    def straight_start(tick: int) -> int | None:
        _, in_bar = tm.metric_position(tick)
        base = line_step(in_bar, ppq)
        for s in range(max(0, base - 2), base + 3):
            off = offsets[s % STEPS_PER_BEAT] if s % STEPS_PER_BEAT else 0  # a beat's late
            if off > 0 and abs(in_bar - line_tick(s, ppq) - off) <= tolerance:
                return tick - (in_bar - line_tick(s, ppq))
        return None

    onsets = sorted({n.start for n in track.notes})
    triplets = {n.start for n in track.notes if n.id in timing.triplets}
    kept = set(triplets)
    for tick in {n.start for n in track.notes if n.id in timing.swung}:
        j = bisect.bisect_right(onsets, tick)
        if j < len(onsets) and onsets[j] in triplets and \
                abs(3 * (onsets[j] - tick) - 2 * ppq) <= 3 * tolerance:
            kept.add(tick)
    kept_ticks = sorted(kept)

    def straight_end(tick: int) -> int | None:
        _, in_bar = tm.metric_position(tick)
        in_beat = in_bar % ppq
        beat = tick - in_beat
        j = bisect.bisect_right(kept_ticks, beat)
        if not in_beat or (j < len(kept_ticks) and kept_ticks[j] < beat + ppq):
            return None  # on the beat, or in a beat a triplet plays in
        return beat + _straight_in_beat(in_beat, offsets, ppq)

    out = {}
    for n in track.notes:
        if n.start in kept:
            continue
        start = straight_start(n.start) if n.id in timing.swung else None
        end = straight_end(n.end)
        if (start is not None and start != n.start) or (end is not None and end != n.end):
            start = n.start if start is None else start
            out[n.id] = (start, max(start + 1, n.end if end is None else end))
    return out


def _straight_in_beat(in_beat: int, offsets: Sequence[int], ppq: int) -> int:
    """Where ``in_beat`` ticks into a beat swung by ``offsets`` comes once the beat is
    played straight: each swung line back on its 16th and the ticks between two lines
    in proportion, then the nearest 16th (a swung beat is written in 8ths and 16ths)."""
    lines = [line_tick(s, ppq) for s in range(STEPS_PER_BEAT + 1)]
    # each line played late, short of the next (a swing reads less than a 16th late)
    played = [line + (min(max(0, offsets[s]), lines[s + 1] - line - 1)
                      if 0 < s < STEPS_PER_BEAT else 0)
              for s, line in enumerate(lines)]
    s = min(max(0, bisect.bisect_right(played, in_beat) - 1), STEPS_PER_BEAT - 1)
    at = lines[s] + (in_beat - played[s]) * (lines[s + 1] - lines[s]) / (played[s + 1] - played[s])
    return lines[min(range(len(lines)), key=lambda k: abs(lines[k] - at))]


def _swing_ratio(offsets: Sequence[int], ppq: int) -> tuple[int, int, str]:
    """``(first, second, unit)`` of a swing (:attr:`TrackTiming.swing`): of 8ths where
    its off-beat 8ths are late, else of 16ths; 2:1 near a triplet swing
    (:data:`TRIPLET_SWING_NEAR`), else the on-beat note's whole per cent of the pair
    to the off-beat's, in lowest terms (64 %: 16:9)."""
    if offsets[2] > 0:
        share, unit = 0.5 + offsets[2] / ppq, "eighth"
    else:
        late = [o for o in (offsets[1], offsets[3]) if o > 0]
        share, unit = 0.5 + 2 * sum(late) / len(late) / ppq, "16th"
    if abs(share - TRIPLET_SWING) <= TRIPLET_SWING_NEAR:
        return 2, 1, unit
    percent = min(99, max(51, round(share * 100)))
    common = math.gcd(percent, 100 - percent)
    return percent // common, (100 - percent) // common, unit


def _mark_swings(root: Any, swings: Mapping[int, PartSwing]) -> None:
    """A "Swing" mark at the start of each swung part (:func:`part_swings`), that plays
    its straight off-beats swung: ``<direction>`` of ``<words>Swing</words>`` and a
    ``<sound><swing>`` of its ratio (MusicXML 3.1 and on; MuseScore writes and reads its
    swing so; music21 writes no ``<swing>``), before the first bar's notes."""
    from xml.etree.ElementTree import Element, SubElement

    for i, swing in sorted(swings.items()):
        measure = root.find(f"part[@id='P{i + 1}']/measure")
        if measure is None:
            continue
        direction = Element("direction", placement="above")
        SubElement(SubElement(direction, "direction-type"), "words").text = SWING_WORDS
        ratio = SubElement(SubElement(direction, "sound"), "swing")
        SubElement(ratio, "first").text = str(swing.first)
        SubElement(ratio, "second").text = str(swing.second)
        SubElement(ratio, "swing-type").text = swing.unit
        at = next((j for j, child in enumerate(measure)
                   if child.tag in ("note", "backup", "forward")), len(measure))
        measure.insert(at, direction)
    if not swings:
        return
    # Every other part says it plays straight (a <sound> of its own, no words on its
    # staff): a reader takes a mark in the top part alone for every part, as a lead
    # sheet means it, and a straight piano under a swung sax came back swung.
    swung = {f"P{i + 1}" for i in swings}
    for part in root.findall("part"):
        measure = part.find("measure")
        if part.get("id") in swung or measure is None:
            continue
        sound = Element("sound")
        SubElement(SubElement(sound, "swing"), "straight")
        at = next((j for j, child in enumerate(measure)
                   if child.tag in ("note", "backup", "forward")), len(measure))
        measure.insert(at, sound)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cycle collector paused while a score is built: music21 makes hundreds of
    thousands of objects, and the collector's passes over them were a quarter of the
    export's time (a 200-bar song); they are collected once, at the end, still on the
    exporting thread. That collection stops every thread (0.7–1.1 s for a 171-bar,
    11-track song): it is the score's own garbage (music21 leaves reference cycles
    everywhere), which some collection has to walk; collecting it step by step instead
    took as long at the end (1.15 s against 1.06 s, the 85-bar song) and left gen-1
    collections of up to 0.1 s on the way, so it stays one pause the caller can place
    (the studio's progress dialog is still up then)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
            gc.collect()


def _mxl(xml: bytes) -> bytes:
    """A compressed MusicXML archive: the score and the container file that names it."""
    container = ('<?xml version="1.0" encoding="UTF-8"?>\n<container><rootfiles>'
                 '<rootfile full-path="score.musicxml" '
                 'media-type="application/vnd.recordare.musicxml+xml"/>'
                 '</rootfiles></container>\n')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        # The media type first and stored, as the MusicXML spec asks of an archive.
        z.writestr(_entry("mimetype", zipfile.ZIP_STORED), MUSICXML_MEDIA_TYPE)
        z.writestr(_entry("META-INF/container.xml"), container)
        z.writestr(_entry("score.musicxml"), xml)
    return buf.getvalue()


# Every entry's date in an archive we write: zip's earliest. An entry named by a string
# gets the time it was written, so the same song and seed gave another .mxl each run (QA).
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _entry(name: str, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """An archive entry that is the same bytes every run: its date fixed, its
    compression and permissions (rw-r--r--, for whoever unzips it) set."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


# -- the bars -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Bar:
    start: int  # ticks
    offset: Fraction  # quarter notes from the score's start
    length: Fraction  # quarter notes it holds
    meter: TimeSignature  # the meter it is written in (a pickup's: the bar's after it)
    pickup: bool = False
    short_end: bool = False  # a last bar shorter than its meter (the bar's before it)


def _bars(song: Song) -> list[_Bar]:
    """The song's bars as the score writes them, up to its end (:meth:`TimeMap.bar_count`).
    A pickup (:meth:`TimeMap.pickup_shift`) is written in the meter of the bar it leads
    into, shorter than it; a last bar shorter than the bar before it, in a meter of its
    own of the same unit in a song with a pickup (3/8 after 6/8: the pickup's
    complement), in that bar's meter, cut short as
    score editors write it; a bar cut short by a meter change mid-bar in a meter of its own
    length."""
    tm = TimeMap.of(song)
    count = tm.bar_count(song.end)
    starts = [tm.bar_to_tick(b) for b in range(count + 1)]
    bars, offset = [], Fraction(0)
    for b in range(count):
        start, end = starts[b], starts[b + 1]
        length = Fraction(end - start, song.ppq)
        sig = tm.signature_at(start)
        pickup = b == 0 and count > 1 and tm.pickup_shift(0) > 0
        before = bars[-1].meter if bars else sig
        # The pickup's complement, in a song with a pickup; a change to a shorter meter
        # of another unit (6/8 after 4/4), or without a pickup, is a meter change.
        short_end = (b == count - 1 and b > 1 and bars[0].pickup and sig.tick == start
                     and end - start == tm.bar_length_for(sig) and not sig.groups
                     and sig.denominator == before.denominator
                     and sig.numerator < before.numerator)
        if pickup:
            sig = tm.signature_at(starts[1])
            length = _meter_length(_meter_of_length(length))  # a 64th at the finest
        elif short_end:
            sig = before
        elif end - start != tm.bar_length_for(sig):
            sig = _meter_of_length(length)
            length = _meter_length(sig)
        bars.append(_Bar(start, offset, length, sig, pickup, short_end))
        offset += length
    return bars


def _meter_of_length(quarters: Fraction) -> TimeSignature:
    """A meter whose bar holds ``quarters`` (3/4 for 3, 5/8 for 2.5): the longest unit
    that says it, rounded to a 64th when none does (a tick count off every grid)."""
    for denominator in (4, 8, 16, 32, MAX_DENOMINATOR):
        beats = quarters * denominator / 4
        if beats.denominator == 1:
            return TimeSignature(0, max(1, int(beats)), denominator)
    return TimeSignature(0, max(1, round(quarters * MAX_DENOMINATOR / 4)), MAX_DENOMINATOR)


def _meter_length(sig: TimeSignature) -> Fraction:
    return Fraction(sig.numerator * 4, sig.denominator)


class _Clock:
    """Ticks → quarter notes from the score's start, bar by bar (a bar written in another
    length than its ticks, see :func:`_bars`, keeps the bars after it in place)."""

    def __init__(self, song: Song, bars: Sequence[_Bar]) -> None:
        self.ppq = song.ppq
        self.bars = bars
        self.starts = [b.start for b in bars]
        self.offsets = [b.offset for b in bars]
        self.end = bars[-1].offset + bars[-1].length

    def at(self, tick: int) -> Fraction:
        bar = self.bars[max(0, bisect.bisect_right(self.starts, tick) - 1)]
        return bar.offset + min(Fraction(tick - bar.start, self.ppq), bar.length)

    def bar_of(self, offset: Fraction) -> int:
        """The index of the bar holding ``offset`` (quarter notes)."""
        return max(0, bisect.bisect_right(self.offsets, offset) - 1)


# -- the score ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Chord:
    """Notes of one track that start and end together, once quantized (one note or more)."""

    start: Fraction
    length: Fraction
    pitches: tuple[int, ...]


@dataclass
class _Losses:
    merged: dict[str, int] = field(default_factory=dict)  # notes merged into another
    cut: dict[str, int] = field(default_factory=dict)  # notes cut short for a fifth voice


def song_to_score(song: Song, step: ProgressFn | None = None) -> tuple[Any, list[str]]:
    """``song`` as a music21 ``Score`` with its notation made (measures, ties, voices,
    rests, beams, tuplets, accidentals), and the warnings :func:`write_musicxml` returns.
    ``step`` is told after each track (up to :data:`SCORE_SHARE`, by notes done). The
    swung parts (:func:`part_swings`) are written straight, and kept in the score's
    ``editorial.swings`` for their marks (:func:`_mark_swings`)."""
    from music21 import metadata, stream

    bars = _bars(song)
    clock = _Clock(song, bars)
    tm = TimeMap.of(song)
    score = stream.Score()
    score.metadata = metadata.Metadata()
    if song.title.strip():
        score.metadata.title = song.title.strip()
    losses = _Losses()
    keys = [(clock.at(k.tick), k.key) for k in song.key_signatures]
    # The tempo and rehearsal marks go on the top staff, as a score prints them once.
    tempos = (_tempos(song, tm, bars, clock) + _rehearsal_marks(song, clock)
              + _chord_symbols(song, clock))
    notes_done, all_notes = 0, max(1, song.note_count)
    names = NoteNames(song)  # each note's own spelling, else its neighbours', else the key's
    held = held_under_fermatas(song)
    # The staves of the parts of one section in a row so far (a choir's voice parts, an
    # orchestra's woodwinds …), and that section.
    section: list[Any] = []
    in_section: str | None = None
    channels = score_channels(song.tracks) if song.tracks else [0]
    swings = part_swings(song)
    if swings:
        score.editorial.swings = swings
    for i, track in enumerate(song.tracks or (Track("Music"),)):  # a score has a staff
        name = _part_name(track)
        short = _abbreviation(track)
        straight = swings[i].straight if i in swings else {}
        grid = _beat_grid(track, clock, _places(track, clock, straight))
        chords, merged, spelt, notated = _chords(track, clock, names, held, straight, grid)
        if merged:
            losses.merged[name] = merged
        grand = (bool(song.tracks) and grand_staff(track.name, track.program, track.is_drum)
                 and _needs_two_staves(chords, _shift(track)))
        staves = []
        for s, notes in enumerate(_hands(chords, _shift(track)) if grand else (chords,)):
            voices, cut = _voices(notes)
            if cut:
                losses.cut[name] = losses.cut.get(name, 0) + cut
            staff = s + 1 if grand else None
            part = _part(track, voices, bars, clock, keys,
                         tempos if i == 0 and s == 0 else [], i + 1, staff, short,
                         _dynamics(track, tm, grid, straight) if s == 0 else None, spelt,
                         notated, channels[i])
            _notate(part, track.is_drum)
            score.insert(0, part)
            staves.append(part)
        if grand:
            score.insert(0, _brace(staves, name, short))
        here = _section(track, grand)
        if here != in_section:
            _bracket(score, section, in_section)
            section, in_section = [], here
        if here is not None:
            section += staves
        notes_done += len(track.notes)
        if step is not None:
            step(SCORE_SHARE * notes_done / all_notes, f"Notating {name}")
    _bracket(score, section, in_section)
    return score, _warnings(song, losses)


@dataclass(frozen=True, slots=True)
class _Dynamics:
    """A part's :class:`~engine.io.dynamics.Dynamics`, in quarters from the song's start:
    its marks, accents (``"accent"`` or ``"sfz"``) and hairpins."""

    marks: list[tuple[Fraction, str]]
    accents: list[tuple[Fraction, str]]
    hairpins: list[tuple[Fraction, Fraction, str]]


def _dynamics(track: Track, tm: TimeMap, grid: _BeatGrid,
              straight: Mapping[int, tuple[int, int]] | None = None) -> _Dynamics:
    """The track's dynamics (:func:`~engine.io.dynamics.dynamics_of`: a mark where a
    level starts, an accent on a short loud note, a hairpin over a ramp; none for a part
    whose velocities say none), each at its note's quantized place (``grid``, as
    :func:`_chords` puts it; a swung note's straight one: ``straight``,
    :attr:`PartSwing.straight`)."""
    moved = {n.start: straight[n.id][0] for n in track.notes if n.id in (straight or {})}

    def at(tick: int) -> Fraction:
        return grid.at(grid.clock.at(moved.get(tick, tick)))

    said = dynamics_of(track.notes, tm)
    return _Dynamics([(at(t), mark) for t, mark in said.marks],
                     [(at(t), kind) for t, kind in said.accents],
                     [(at(a), at(b), kind) for a, b, kind in said.hairpins])


def _is_voice_part(track: Track) -> bool:
    """A choir's part: a track named Soprano, Alto, Tenor or Bass that sings (a bass
    guitar named Bass does not: :func:`~engine.score.instruments.voice_part_range`)."""
    return voice_part_range(track.name, track.program, track.is_drum) is not None


def _section(track: Track, grand: bool) -> str | None:
    """The section of the score a track's part is bracketed with: ``"choir"`` for a
    voice part, else its orchestral section
    (:func:`~engine.score.instruments.orchestral_section`: woodwinds, brass, percussion,
    strings), none for a grand staff (its brace is its own) or another instrument."""
    if grand:
        return None
    if _is_voice_part(track):
        return "choir"
    return orchestral_section(track.program, track.is_drum)


def _bracket(score: Any, staves: list[Any], section: str | None) -> None:
    """Join two or more parts of one section in a row with a bracket
    (``<part-group>``), as a score prints them: a choir's voice parts with their bar
    lines apart, so words fit under them; an orchestra's woodwinds, brass, percussion and
    strings with their bar lines through the section, as an orchestral score draws them."""
    if len(staves) < 2 or section is None:
        return
    from music21 import layout

    score.insert(0, layout.StaffGroup(staves, symbol="bracket",
                                      barTogether=section != "choir"))


def _needs_two_staves(chords: list[_Chord], shift: int = 0) -> bool:
    """Whether notes, written (``shift``: semitones from sounding to written, a celesta's
    -12), reach below a treble staff's and above a bass staff's reach
    (:data:`TREBLE_LOWEST`, :data:`BASS_HIGHEST`): one staff would take them only with
    ledger lines on ledger lines."""
    pitches = [p + shift for c in chords for p in c.pitches]
    return bool(pitches) and min(pitches) < TREBLE_LOWEST and max(pitches) > BASS_HIGHEST


def _hands(chords: list[_Chord], shift: int = 0) -> tuple[list[_Chord], list[_Chord]]:
    """A grand staff's notes: the upper staff's (:data:`SPLIT_PITCH` and above, written:
    ``shift`` from sounding) and the lower's; a chord across the split is a chord on
    each, at the same time."""
    upper, lower = [], []
    for c in chords:
        high = tuple(p for p in c.pitches if p + shift >= SPLIT_PITCH)
        low = c.pitches[:len(c.pitches) - len(high)]  # the pitches are sorted
        if high:
            upper.append(_Chord(c.start, c.length, high))
        if low:
            lower.append(_Chord(c.start, c.length, low))
    return upper, lower


def _brace(staves: list[Any], name: str, short: str) -> Any:
    """The brace that makes two staves one instrument: music21 writes them as one
    ``<part>`` of ``<staves>2</staves>``, as a score editor writes a piano."""
    from music21 import layout

    return layout.StaffGroup(staves, name=name, abbreviation=short,
                             symbol="brace", barTogether=True)


def _warnings(song: Song, losses: _Losses) -> list[str]:
    warnings = []
    for lost, what in ((losses.merged, "fell on a note of the same pitch once quantized to "
                                      "16ths and triplets, and became one with it"),
                       (losses.cut, f"cut short where more than {MAX_VOICES} overlapping "
                                    "lines met on one staff")):
        if lost:
            where = ", ".join(f"{plural(n, 'note')} of {name!r}" for name, n in lost.items())
            warnings.append(f"{where}: {what}")
    changing = [repr(t.name) for t in song.tracks if t.program_changes]
    if changing:
        warnings.append(f"{'tracks' if len(changing) > 1 else 'track'} {', '.join(changing)} "
                        f"{'change' if len(changing) > 1 else 'changes'} instrument "
                        "mid-song: the score names the first")
    return warnings


def _part_name(track: Track) -> str:
    return track.name.strip() or program_name(track.program, track.is_drum)


def _part(track: Track, voices: list[list[_Chord]], bars: Sequence[_Bar], clock: _Clock,
          keys: list[tuple[Fraction, str]], tempos: list[tuple[Fraction, Any]],
          number: int, staff: int | None = None, short: str | None = None,
          marks: _Dynamics | None = None,
          spelt: Mapping[tuple[Fraction, int], str] | None = None,
          notated: Mapping[tuple[Fraction, int], _Notated] | None = None,
          channel: int | None = None) -> Any:
    """One track as a music21 ``Part`` of measures: its notes split at the bar lines and
    tied, in voices where they overlap, the gaps filled with rests. ``number``: its place
    in the score, which names its ids (music21 draws random ones: the same song would
    not give the same file). ``staff`` 1 or 2: the upper (treble) or lower (bass) staff
    of a grand staff, a ``PartStaff`` of the part (:func:`_brace` joins the two).
    ``marks``: its dynamics (:func:`_dynamics`), under the (upper) staff. ``spelt``: the
    name of the note at ``(start, pitch)`` (:func:`_chords`); one not in it is named by
    the key. ``notated``: the lyric and fermata of the note there. ``channel``: the MIDI
    channel it plays on (0-based: :func:`~engine.io.midi_export.score_channels`)."""
    from music21 import bar as bar_line
    from music21 import clef, dynamics, stream

    part = (stream.Part(id=f"P{number}") if staff is None
            else stream.PartStaff(id=f"P{number}-Staff{staff}"))
    part.partName = _part_name(track)
    part.partAbbreviation = short if short is not None else _abbreviation(track)
    part.atSoundingPitch = True  # a transposing instrument's notes are written transposed
    measures = []
    scaffolds: dict[tuple, Any] = {}
    for i, bar in enumerate(bars):
        m = stream.Measure(number=i if bars[0].pickup else i + 1)
        if i and bar.meter.meter == bars[i - 1].meter.meter:
            # Said once, where it changes; but every measure holds its meter while the
            # notation is made (music21 would look each one up through the whole part),
            # one object for all the bars of a meter (each costs a millisecond to make),
            # then _notate takes these away.
            ts = scaffolds.get(bar.meter.meter)
            if ts is None:
                ts = scaffolds[bar.meter.meter] = _time_signature(bar.meter)
                ts.editorial.scaffold = True
        else:
            ts = _time_signature(bar.meter)
        m.timeSignature = ts
        measures.append(m)
    measures[-1].rightBarline = bar_line.Barline("final")
    first = measures[0]
    inst = _instrument(track, channel)
    inst.partId, inst.instrumentId = f"P{number}", f"P{number}-I1"
    first.insert(0, inst)
    changes: list[tuple[Fraction, Any]] = []
    if staff is not None:  # a grand staff's two keep their clefs
        first.clef = clef.TrebleClef() if staff == 1 else clef.BassClef()
    elif track.is_drum:
        first.clef = clef.PercussionClef()
    else:
        changes = _clefs(track, voices,
                         lambda at: _meter_length(bars[clock.bar_of(at)].meter))
        first.clef = changes[0][1]
    if bars[0].pickup:
        first.paddingLeft = float(_meter_length(bars[0].meter) - bars[0].length)
        first.showNumber = stream.enums.ShowNumber.NEVER  # MusicXML: implicit="yes"
    if bars[-1].short_end:
        measures[-1].paddingRight = float(_meter_length(bars[-1].meter) - bars[-1].length)
    for at, key in keys if not track.is_drum else ():  # a drum staff has no key
        b = clock.bar_of(at)
        measures[b].insert(float(at - bars[b].offset), _key(key))
    for at, mark in tempos:
        b = clock.bar_of(at)
        measures[b].insert(float(at - bars[b].offset), mark)
    for at, value in marks.marks + [a for a in marks.accents if a[1] == "sfz"] if marks else ():
        b = clock.bar_of(at)
        measures[b].insert(float(at - bars[b].offset), dynamics.Dynamic(value))
    key_at = _key_lookup(keys)
    # pieces[bar][voice] = [(offset in the bar, length, chord, tie)]
    pieces: list[dict[int, list[tuple[Fraction, Fraction, _Chord, str | None]]]] = [
        {} for _ in bars]
    for v, voice in enumerate(voices):
        for chord in voice:
            for b, at, length, tie in _split_at_bar_lines(chord, bars, clock):
                if track.is_drum:  # a hit ends at the bar line: drums are not tied over
                    length = next((d for d in DRUM_VALUES if d <= length), length)
                    pieces[b].setdefault(v, []).append((at, length, chord, None))
                    break
                pieces[b].setdefault(v, []).append((at, length, chord, tie))
    # A grand staff's lines are voices in every bar, the lower staff's numbered from 5, as
    # score editors write them: in the one <part>, each staff's lines keep their numbers
    # (music21 renumbers a bar's lines that are not voices, differently bar by bar).
    first_voice = None if staff is None else 1 if staff == 1 else 5
    slur_marks: list[_SlurMark] = []
    for m, bar, held in zip(measures, bars, pieces, strict=True):
        _fill(m, bar, held, track.is_drum, key_at, first_voice, spelt or {}, notated or {},
              slur_marks)
        if m.editorial.get("triplets") and not track.is_drum:
            _complete_tuplets(m)
    _set_clefs(measures, bars, clock, changes)
    part.editorial.clef_changes = len(changes) > 1  # for _stems
    if marks:
        _accents_and_hairpins(part, measures, bars, clock, marks)
    for slur in _slurs(slur_marks):
        part.insert(0, slur)
    for bar, m in zip(bars, measures, strict=True):
        part.coreInsert(float(bar.offset), m)
    part.coreElementsChanged()
    return part


def _accents_and_hairpins(part: Any, measures: Sequence[Any], bars: Sequence[_Bar],
                          clock: _Clock, marks: _Dynamics) -> None:
    """An ``<accent/>`` on each note struck where ``marks`` has an accent (a chord's
    notes, in every voice) that has none written yet (its own, ``Note.articulations``,
    an accent or a strong one: never two), and each hairpin as a ``<wedge>`` from its
    first note to its last, where the mark it reaches stands (anchored at those places,
    not on notes: a wedge's stop written after its note would end it a note late)."""
    from music21 import articulations, dynamics, spanner

    for at, kind in marks.accents:
        if kind != "accent":
            continue
        b = clock.bar_of(at)
        offset = float(at - bars[b].offset)
        for element in measures[b].recurse().notes:
            if (element.offset == offset and not element.isRest
                    and (element.tie is None or element.tie.type == "start")
                    and not any(isinstance(a, articulations.Accent)  # a strong one too
                                for a in element.articulations)):  # the note's own
                element.articulations.append(articulations.Accent())
    for start, stop, kind in marks.hairpins:
        ends = []
        for at in (start, stop):
            b = clock.bar_of(at)
            anchor = spanner.SpannerAnchor()
            measures[b].insert(float(at - bars[b].offset), anchor)
            ends.append(anchor)
        wedge = dynamics.Crescendo if kind == "crescendo" else dynamics.Diminuendo
        part.insert(0, wedge(*ends))


def _split_at_bar_lines(chord: _Chord, bars: Sequence[_Bar], clock: _Clock):
    """``(bar, offset in the bar, length, tie)`` for each piece of ``chord`` in a bar."""
    start, end = chord.start, chord.start + chord.length
    b = clock.bar_of(start)
    first = True
    while start < end and b < len(bars):
        bar = bars[b]
        stop = min(end, bar.offset + bar.length)
        last = stop >= end or b + 1 == len(bars)
        tie = None if first and last else "start" if first else "stop" if last else "continue"
        yield b, start - bar.offset, stop - start, tie
        start, b, first = stop, b + 1, False


def _fill(m: Any, bar: _Bar, held: dict[int, list], drums: bool, key_at: Any,
          first_voice: int | None = None,
          spelt: Mapping[tuple[Fraction, int], str] | None = None,
          notated: Mapping[tuple[Fraction, int], _Notated] | None = None,
          slurs: list[_SlurMark] | None = None) -> None:
    """Put one bar's pieces of notes into measure ``m``: in voices when more than one line
    sounds in it (always, numbered from ``first_voice``, when it is given), every voice's
    gaps filled with rests; an empty bar is one bar rest. Rests are split and notes tied
    where the meter's beats are to be seen (:func:`_rest_pieces`, :func:`_note_pieces`).
    A note's lyric, articulations and slur marks (gathered in ``slurs``, for
    :func:`_slurs`) go on its first piece (of notes tied over bar lines and beat
    groups), its fermata over its last."""
    from music21 import stream
    from music21 import tie as m21tie

    if set(held) - {0} or first_voice is not None:  # a voice each
        containers = []
        for v in sorted(set(held) | {0}):
            voice = stream.Voice(id=str(v + (first_voice or 1)))
            containers.append((voice, held.get(v, [])))
            m.insert(0, voice)
    else:
        containers = [(m, held.get(0, []))]
    for container, line in containers:
        at = Fraction(0)
        for offset, length, chord, tie in sorted(line, key=lambda p: p[0]):
            if offset > at:
                _insert_rests(container, bar, at, offset)
            pieces = [(offset, length)] if drums else _note_pieces(bar, offset, length)
            for i, (piece_at, piece_length) in enumerate(pieces):
                element = (_drums(chord.pitches) if drums
                           else _pitched(chord.pitches, key_at(chord.start),
                                         [(spelt or {}).get((chord.start, p))
                                          for p in chord.pitches]))
                element.duration = _duration(piece_length)
                # The bar's first piece starts the note unless a tie from the bar
                # before carries it on; its last ends it unless it is tied over the bar line.
                begins = i == 0 and tie in (None, "start")
                ends = i == len(pieces) - 1 and tie in (None, "stop")
                if not (begins and ends):
                    element.tie = m21tie.Tie("start" if begins else "stop" if ends
                                             else "continue")
                if notated:  # a drum hit's are its articulations (an accent)
                    here = bar.offset + piece_at
                    _notate_marks(element, [notated[k] for p in reversed(chord.pitches)
                                            if (k := (chord.start, p)) in notated],
                                  first=begins, last=ends,
                                  span=(here, here + piece_length), slurs=slurs)
                container.coreInsert(float(piece_at), element)
                if piece_at.denominator % 3 == 0 or piece_length.denominator % 3 == 0:
                    m.editorial.triplets = True  # tuplets to complete and bracket (_notate)
            at = offset + length
        if at < bar.length:
            _insert_rests(container, bar, at, bar.length,
                          one_bar=len(containers) == 1)
        container.coreElementsChanged()


def _insert_rests(container: Any, bar: _Bar, start: Fraction, end: Fraction,
                  one_bar: bool = False) -> None:
    """The rests from ``start`` to ``end`` of ``bar`` (:func:`_rest_pieces`); ``one_bar``:
    a line alone in its bar, whose rest over all of a whole bar is the bar rest."""
    whole = start == 0 and end == bar.length and not (bar.pickup or bar.short_end)
    if whole:  # a bar's rest, in any meter, is one rest
        container.coreInsert(0.0, _rest(end, one_bar))
        return
    for at, length in _rest_pieces(bar, start, end):
        container.coreInsert(float(at), _rest(length))


# -- where rests split and notes tie: the beats a meter shows ---------------------------
#
# As Gould's "Behind Bars" has it, and as MuseScore writes them: a bar's rest is one
# rest; other rests are split at each beat — at each group of a meter counted in groups
# (6/8's two dotted quarters, 7/8's 2+2+3, a chosen 3+2+2), at the middle of a 4/4 bar
# (its halves), at every beat of another simple meter (3/4, 2/4, 2/2) — a rest filling a
# whole beat is one (a dotted quarter in 6/8), and within a beat each rest is a plain
# value starting where that value falls (an eighth rest, then a quarter, from the second
# eighth of 4/4; a 16th and an eighth, not a dotted eighth, after a 16th). A note is
# tied over each group line of a meter counted in groups (whole groups together written
# as one value where one value says them: a half over 2+2 of 7/8, a dotted half over
# 6/8), and over the middle of a 4/4 bar when it starts off a beat; a note that starts
# on a 16th off-beat (the "e" or the "a", or a 32nd's) in a meter of quarters or halves
# is tied at the next beat, so the beat stays seen at the 16th level (16th~dotted 8th,
# not a dotted quarter from the "e"); other syncopations (a quarter on the off-beat
# eighth, a half on beat 2 of 4/4) stay one note, and so do a triplet's notes among
# triplets (a note from a beat of triplets into one of 16ths is tied at the beat line
# between; so is one between a beat of 32nds and one of sextuplets).

# Rest values, longest first: plain ones (whole … 64th) and triplet ones (a half-note
# triplet … a 32nd-note triplet: a bar a meter change cuts short may end off the grid).
PLAIN_VALUES = tuple(Fraction(4, 2**k) for k in range(7))
TRIPLET_VALUES = tuple(Fraction(8, 3 * 2**k) for k in range(6))


def _groups(sig: TimeSignature) -> tuple[Fraction, ...] | None:
    """Where each group of a meter counted in groups starts, in quarters from its bar
    line, and its end (6/8: 0, 1.5, 3; 11/8: 0, 1, 2, 3, 4, 5.5); None for a meter counted
    in single beats (4/4, 3/4, 2/8), or in units shorter than a 16th (a bar a meter change
    cut short, 37/64: not a meter anyone counts)."""
    if set(sig.pulses) == {1} or sig.denominator > 16:
        return None
    unit = Fraction(4, sig.denominator)
    return (*(unit * s for s in sig.pulse_starts), _meter_length(sig))


def _beats(sig: TimeSignature) -> tuple[Fraction, ...]:
    """Where a rest is split, in quarters from the bar line, and the bar's end: each
    group (:func:`_groups`); the halves of 4/4; each beat of another meter of halves or
    quarters (3/4, 2/2); nowhere in a bar of single eighths or shorter (3/8, 2/8), which
    is one beat."""
    groups = _groups(sig)
    if groups is not None:
        return groups
    length = _meter_length(sig)
    if (sig.numerator, sig.denominator) == (4, 4):
        return Fraction(0), Fraction(2), length
    if sig.denominator >= 8:
        return Fraction(0), length
    unit = Fraction(4, sig.denominator)
    return tuple(unit * i for i in range(sig.numerator + 1))


def _pickup_shift(bar: _Bar) -> Fraction:
    """How far into its meter's bar a bar starts: a pickup is the end of one."""
    return _meter_length(bar.meter) - bar.length if bar.pickup else Fraction(0)


def _on_plain_values(offset: Fraction) -> bool:
    """Whether ``offset`` is on the 32nds (the 16ths, and a fine beat's 32nds): where
    plain values, no tuplet, reach from a beat."""
    return (offset * 8).denominator == 1


def _on_fine_step(offset: Fraction) -> bool:
    """Whether ``offset`` is a step of a fine grid alone (:data:`FINE_DIVISORS`): a
    32nd's or a sextuplet's, off the 16ths and the eighth-note triplets."""
    return (any((offset * d).denominator == 1 for d in FINE_DIVISORS)
            and (offset * 4).denominator != 1 and (offset * 3).denominator != 1)


def _by_beats(lo: Fraction, hi: Fraction) -> list[tuple[Fraction, Fraction]]:
    """``lo``–``hi`` cut at each beat line (quarter) between: where a fine beat meets a
    beat of another grid, each beat's part is written in its own values."""
    lines = range(math.floor(lo) + 1, math.ceil(hi))
    return list(itertools.pairwise([lo, *map(Fraction, lines), hi]))


def _rest_pieces(bar: _Bar, start: Fraction, end: Fraction) -> list[tuple[Fraction, Fraction]]:
    """The rests, ``(offset in the bar, length)``, that fill ``start``–``end`` of ``bar``:
    split at its beats (:func:`_beats`), a whole beat one rest, within one each a plain
    (or, on the triplets, a triplet) value that starts on a multiple of itself from the
    beat, the longest that fits (see the rules above); a rest from or to a fine beat's
    step (:func:`_on_fine_step`) between two grids, beat by beat (:func:`_by_beats`)."""
    shift = _pickup_shift(bar)
    lo, hi = start + shift, end + shift
    beats = _beats(bar.meter)
    spans = [(lo, hi)]
    if not (_on_plain_values(lo) and _on_plain_values(hi)) and (
            _on_fine_step(lo) or _on_fine_step(hi)):
        spans = _by_beats(lo, hi)
    out = []
    for a, b in spans:
        values = (PLAIN_VALUES if _on_plain_values(a) and _on_plain_values(b)
                  else TRIPLET_VALUES)
        for beat, next_beat in itertools.pairwise(beats):
            at, stop = max(a, beat), min(b, next_beat)
            if at >= stop:
                continue
            if at == beat and stop == next_beat:
                out.append((at, stop - at))
                continue
            while at < stop:
                value = next((v for v in values if v <= stop - at
                              and ((at - beat) / v).denominator == 1), stop - at)
                out.append((at, value))
                at += value
    if hi > beats[-1]:  # past its meter's bar (not so, but never lose time)
        out.append((max(lo, beats[-1]), hi - max(lo, beats[-1])))
    return [(at - shift, length) for at, length in out]


def _note_pieces(bar: _Bar, offset: Fraction,
                 length: Fraction) -> list[tuple[Fraction, Fraction]]:
    """A note's piece in ``bar`` as the tied notes it is written as, ``(offset in the
    bar, length)``: split at the beat after its start where it starts on a 16th off-beat
    (the "e" or "a") in a meter of quarters or halves; over each group line of a meter
    counted in groups, whole groups joined where one value (up to two dots) says them;
    over the middle of 4/4 when it starts off a beat (the beat it is tied at, then); at
    the beat after an off-beat start when no one value says the piece before the next cut
    (eighth~half, short value first); a note from a beat of triplets into one of 16ths
    (or back) at the beat line where the grid changes, a triplet's note among triplets
    whole (see the rules above)."""
    shift = _pickup_shift(bar)
    start, end = offset + shift, offset + length + shift
    after = Fraction(math.floor(start) + 1)  # the next beat line (of quarters)
    if not (_on_plain_values(start) and _on_plain_values(end)):
        if _on_fine_step(start) or _on_fine_step(end):
            return [(a - shift, b - a) for a, b in _fine_tuplet_pieces(start, end)]
        # from a beat of triplets into one of 16ths, or the other way: tied at the beat
        # line where the grid changes (a triplet's notes among triplets stay whole)
        cut = (after if _on_plain_values(end) else Fraction(math.ceil(end) - 1)
               if _on_plain_values(start) else None)
        if cut is None or not start < cut < end:
            return [(offset, length)]
        return [(offset, cut - start), (cut - shift, end - cut)]
    cuts = []
    if bar.meter.denominator <= 4 and (start * 2).denominator != 1 and after < end:
        cuts.append(after)  # at the 16th level the beat stays seen: 16th~dotted 8th
    groups = _groups(bar.meter)
    if groups is not None:
        cuts += [g for g in groups if start < g < end and g not in cuts]
    elif (bar.meter.numerator, bar.meter.denominator) == (4, 4):
        tied_from = cuts[-1] if cuts else start
        if tied_from.denominator != 1 and tied_from < 2 < end:
            cuts.append(Fraction(2))
    first_end = min(cuts, default=end)
    if start.denominator != 1 and after < first_end and not _one_value(first_end - start):
        # A syncopation no one value says is written short value first, tied at the beat
        # (a copyist's eighth~half from the "and" of 1 in 3/4, not half~eighth, which
        # hid beat 2: a choir director's QA, an alto's C♯4 from 7.1.240 to the bar's end).
        cuts.append(after)
    if not cuts:
        return [(offset, length)]
    edges = [start, *sorted(cuts), end]
    pieces = list(itertools.pairwise(edges))
    if groups is not None:
        pieces = _join_whole_groups(pieces, set(groups))
    return [(a - shift, b - a) for a, b in pieces]


def _fine_tuplet_pieces(start: Fraction, end: Fraction) -> list[tuple[Fraction, Fraction]]:
    """A note that starts or ends on a fine grid's step (a sextuplet's, or a 32nd's
    beside a beat of triplets), as ``(start, end)`` pieces: tied at each beat line
    (:func:`_by_beats`), and within a beat one value where one says it (a triplet's, or
    a plain one, dotted or not), else tuplet values each on a multiple of itself from the
    beat, the longest first, as a rest is split (5/6 of a beat from a sextuplet's second
    16th: 1/6~1/3~1/3)."""
    out = []
    for a, b in _by_beats(start, end):
        if b - a in TRIPLET_VALUES or _one_value(b - a):
            out.append((a, b))
            continue
        beat = Fraction(math.floor(a))
        while a < b:
            value = next((v for v in TRIPLET_VALUES if v <= b - a
                          and ((a - beat) / v).denominator == 1), b - a)
            out.append((a, a + value))
            a += value
    return out


def _join_whole_groups(pieces: list[tuple[Fraction, Fraction]],
                       groups: set[Fraction]) -> list[tuple[Fraction, Fraction]]:
    """Pieces that fill whole groups in a row joined, from the first, into the longest
    that one note value says (a half over 2+2, not a dotted quarter and a quarter)."""
    out: list[tuple[Fraction, Fraction]] = []
    i = 0
    while i < len(pieces):
        a, b = pieces[i]
        j = i
        if a in groups and b in groups:
            for k in range(len(pieces) - 1, i, -1):
                if pieces[k][1] in groups and _one_value(pieces[k][1] - a):
                    j = k
                    break
        out.append((a, pieces[j][1]))
        i = j + 1
    return out


def _one_value(length: Fraction) -> bool:
    """Whether one note value, plain or with one or two dots, lasts ``length`` quarters."""
    def power_of_two(n: int) -> bool:
        return n & (n - 1) == 0

    return any(power_of_two(plain.numerator) and power_of_two(plain.denominator)
               for plain in (length, length * 2 / 3, length * 4 / 7))


def _notate_marks(element: Any, marks: Sequence[_Notated], first: bool, last: bool,
                  span: tuple[Fraction, Fraction] | None = None,
                  slurs: list[_SlurMark] | None = None) -> None:
    """Write the lyric (the top note's, of a chord) under ``element`` where it is a note's
    ``first`` piece, with the articulations of its notes (a chord's, once each) and its
    slur marks (into ``slurs``, paired by :func:`_slurs`); and a fermata over it where it
    is the ``last`` of one that has one — or, for a note held on past the close it was
    held under, the piece sounding at that close's end (``span``: the piece's start and
    end, in quarters)."""
    from music21 import articulations, expressions, note

    lyric = next((m.lyric for m in marks if m.lyric is not None), None)
    if first and lyric is not None:  # raw: a syllable's own hyphen is no <syllabic>
        element.lyrics.append(note.Lyric(lyric.text, number=1, syllabic=lyric.syllabic,
                                         applyRaw=True))
    if first:
        for name in in_order({a for m in marks for a in m.articulations}):
            element.articulations.append(getattr(articulations, M21_ARTICULATION[name])())
        if slurs is not None and span is not None:
            slurs += [_SlurMark(span[0], kind, number, element)
                      for kind, number in check_slurs(s for m in marks for s in m.slurs)]

    def over(m: _Notated) -> bool:
        if m.fermata_end is None or span is None:
            return last
        return span[0] < m.fermata_end <= span[1] or (last and m.fermata_end > span[1])

    if any(m.fermata and over(m) for m in marks):
        fermata = expressions.Fermata()
        fermata.type = "upright"  # music21's default is "inverted", drawn under the staff
        element.expressions.append(fermata)


@dataclass(frozen=True, slots=True)
class _SlurMark:
    """A slur mark written on a note's first piece: where it is (quarters from the
    score's start), ``"start"`` or ``"stop"``, the slur's number, and the element."""

    at: Fraction
    kind: str
    number: int
    element: Any


def _slurs(marks: Sequence[_SlurMark]) -> list[Any]:
    """music21 ``Slur`` spanners of one staff's slur marks, each start paired with the
    next stop of its number in time (a stop before a start on one note: the slur before
    ends where the next begins). A mark without its other end (a slur from one staff of
    a grand staff to the other) is left out."""
    from music21 import spanner

    out, open_ = [], {}
    for mark in sorted(marks, key=lambda m: (m.at, SLUR_KINDS.index(m.kind))):
        if mark.kind == "start":
            open_[mark.number] = mark.element
        elif (begin := open_.pop(mark.number, None)) is not None \
                and begin is not mark.element:
            out.append(spanner.Slur(begin, mark.element))
    return out


def _rest(length: Fraction, whole_bar: bool = False) -> Any:
    """A rest; ``whole_bar``: the bar rest of an empty bar, in any meter (MusicXML's
    measure rest, written as a whole rest centred in the bar)."""
    from music21 import duration, note

    r = note.Rest()
    d = _duration(length)
    if whole_bar and d.type == "complex":  # 5/4: a bar rest, not a half and a dotted half
        d = duration.Duration(type="whole")
        d.linked = False
        d.quarterLength = float(length)
    r.duration = d
    # Said of every rest, so the exporter never looks its bar up (slow on a long part).
    r.fullMeasure = whole_bar
    return r


def _duration(length: Fraction) -> Any:
    from music21 import duration

    return duration.Duration(length)


def _complete_tuplets(m: Any) -> None:
    """Complete the tuplets of a measure with triplets and join those that became whole
    notes again, as music21's ``makeNotation`` does (``splitElementsToCompleteTuplets``,
    then ``consolidateCompletedTuplets`` of tied notes), line by line. Their steps, with
    each note's neighbour taken from its line: music21 looks it up through every stream
    that holds the note, most of the notation's time (a second of a 6,000-note song's
    export). Never on drums (it would split a hit into two strokes: music21 ties no
    unpitched chord)."""
    for line in (m, *m.voices):
        _split_to_complete_tuplets(line)
        _consolidate_completed_tuplets(line)


def _split_to_complete_tuplets(line: Any) -> None:
    """music21's ``splitElementsToCompleteTuplets`` on one line (a measure's own notes or
    a voice's): a note after an unfinished tuplet, longer than what finishes it, is split
    there and tied."""
    from music21.common.numberTools import opFrac

    notes = list(line.notesAndRests)
    following = list(notes)  # the line as it is now, the split-off pieces included
    last_tuplet, partial_sum = None, 0.0
    for gn in notes:
        tuplets = gn.duration.tuplets
        if tuplets and gn.duration.expressionIsInferred and (
                last_tuplet is None or last_tuplet == tuplets[0]):
            last_tuplet = tuplets[0]
            partial_sum = opFrac(gn.quarterLength + partial_sum)
        else:
            last_tuplet, partial_sum = None, 0.0
            continue
        to_complete = opFrac(tuplets[0].totalTupletLength() - partial_sum)
        if to_complete == 0.0:
            last_tuplet, partial_sum = None, 0.0
            continue
        i = next(i for i, x in enumerate(following) if x is gn) + 1
        after = following[i] if i < len(following) else None
        if after is None or after.offset != opFrac(gn.offset + gn.quarterLength):
            continue
        if after.duration.expressionIsInferred and 0 < to_complete < after.quarterLength:
            _, right = after.splitAtQuarterLength(to_complete, addTies=True)
            line.insert(after.offset + to_complete, right)
            following.insert(i + 1, right)


def _consolidate_completed_tuplets(line: Any) -> None:
    """music21's ``consolidateCompletedTuplets`` (``onlyIfTied``) on one line: tied notes
    of one pitch (or rests) that fill a whole tuplet become one note without it."""
    from music21.common.numberTools import opFrac

    notes = list(line.notesAndRests)
    group: list[Any] = []  # None: a note in the tuplet that does not join the rest
    partial_sum, last_tuplet, target = 0.0, None, None
    for i, gn in enumerate(notes):
        partial_sum = opFrac(partial_sum + gn.quarterLength)
        prev = notes[i - 1] if group else None
        if prev is None or (
                ((gn.isRest and prev.isRest)
                 or (not gn.isRest and not prev.isRest and gn.pitches == prev.pitches))
                and opFrac(prev.offset + prev.quarterLength) == gn.offset
                and len(gn.duration.tuplets) == 1
                and gn.duration.tuplets[0] == last_tuplet):
            if group:
                group.append(gn)
            else:
                partial_sum = gn.quarterLength
                if gn.duration.tuplets:  # else not in a tuplet: keep looking
                    last_tuplet = gn.duration.tuplets[0]
                    target = last_tuplet.totalTupletLength()
                    group.append(gn)
        elif group:
            group.append(None)
        if partial_sum == target:
            if group and all(g is not None and g.duration.expressionIsInferred
                             and len(g.duration.tuplets) < 2
                             and (g.isRest or g.tie is not None) for g in group):
                line.streamStatus.tuplets = False
                for other in group[1:]:
                    line.remove(other)
                group[0].duration.clear()
                group[0].duration.tuplets = ()
                group[0].quarterLength = target
            group, partial_sum, last_tuplet, target = [], 0.0, None, None


def _notate(part: Any, drums: bool = False) -> None:
    """What a score editor reads besides notes and rests, as music21's ``makeNotation``
    and its writer make it (less the measures, ties, rests and complete tuplets
    :func:`_part` made): accidentals, beams and their stems, tuplet brackets, and a
    length no single note has as tied notes (5/16: a quarter tied to a 16th; a drum hit
    has a length one note has, :func:`_drum_lengths`). Then the scaffold meters go."""
    from music21 import stream
    from music21.stream import makeNotation

    measures = list(part.getElementsByClass(stream.Measure))
    makeNotation.makeAccidentalsInMeasureStream(part)
    makeNotation.makeBeams(part, inPlace=True, setStemDirections=False)
    _stems(part, measures[0].clef)
    for m in measures:
        if m.editorial.get("triplets"):
            for line in (m, *m.voices):
                makeNotation.makeTupletBrackets(line, inPlace=True)
    part.splitAtDurations(recurse=True)  # last, as music21's writer does it
    for m in measures:
        ts = m.timeSignature
        if ts is not None and ts.editorial.get("scaffold"):
            m.remove(ts)
    part.streamStatus.accidentals = part.streamStatus.beams = True


def _stems(part: Any, part_clef: Any) -> None:
    """Point the stems of each beamed group one way, as music21's ``makeBeams`` does
    (``setStemDirectionForBeamGroups``), with the clef in force at the group's first
    note: the part's (:func:`_part` writes one, at its start) till a change
    (:func:`_set_clefs`, in a measure or one of its voices, which start with it) —
    music21 looks the clef up from each group, through the whole part (most of
    ``makeBeams``' time)."""
    from music21 import clef, stream
    from music21.stream import makeNotation

    if not part.editorial.get("clef_changes"):  # one clef for every group: the part's
        for group in makeNotation.iterateBeamGroups(part, skipNoBeams=True, recurse=True):
            _stem_group(group, part_clef)
        return
    in_force = part_clef
    for m in part.getElementsByClass(stream.Measure):
        marks = sorted(((c.offset, c) for line in (m, *m.voices)
                        for c in line.getElementsByClass(clef.Clef)), key=lambda mark: mark[0])
        for group in makeNotation.iterateBeamGroups(m, skipNoBeams=True, recurse=True):
            if group:  # a beam's stop with no start before it yields none
                _stem_group(group, next(
                    (c for at, c in reversed(marks) if at <= group[0].offset), in_force))
        if marks:
            in_force = marks[-1][1]


def _stem_group(group: list[Any], group_clef: Any) -> None:
    """Point one beamed group's stems one way, for ``group_clef`` (music21's
    ``setStemDirectionOneGroup``, the clef given)."""
    stems = {n.stemDirection for n in group
             if n.stemDirection in ("up", "down", "unspecified")}
    consistent = "unspecified" not in stems and len(stems) < 2
    pitches = [p for n in group for p in n.pitches]
    if pitches:
        direction = group_clef.getStemDirectionForPitches(pitches)
        for n in group:
            if n.stemDirection == "unspecified" or (
                    n.stemDirection in ("up", "down") and not consistent):
                n.stemDirection = direction


def _time_signature(sig: TimeSignature) -> Any:
    """The meter, its beams grouped as Partita counts it (:func:`_groups`): 11/8's
    eighths beamed 2+2+2+2+3, 13/16's 16ths 2+2+2+2+2+3, a chosen 3+2+2/8 as chosen
    (music21 beams 11/8 and 13/16 as one group: eleven eighths under one beam)."""
    from music21 import meter

    ts = meter.TimeSignature(sig.text)
    if _groups(sig) is not None and sig.denominator >= 8:
        ts.beamSequence.partition([f"{p}/{sig.denominator}" for p in sig.pulses])
    return ts


def _key(key: str) -> Any:
    from music21 import key as m21key

    minor = key.endswith("m")
    tonic = (key[:-1] if minor else key).replace("b", "-")
    return m21key.Key(tonic, "minor" if minor else "major")


def _key_lookup(keys: list[tuple[Fraction, str]]):
    """``offset → the key in force there`` (None before the first, or without any)."""
    offsets = [at for at, _ in keys]

    def key_at(offset: Fraction) -> str | None:
        i = bisect.bisect_right(offsets, offset) - 1
        return keys[i][1] if i >= 0 else None

    return key_at


def _tempos(song: Song, tm: TimeMap, bars: Sequence[_Bar], clock: _Clock,
            ) -> list[tuple[Fraction, Any]]:
    """The song's tempo changes as a score writes them
    (:func:`~engine.io.tempo_marks.tempo_marks`): a metronome mark in whole numbers where
    the tempo holds or a ramp starts or settles, "rit." or "accel." where a ramp starts,
    "a tempo" where its tempo comes back. Every change keeps its exact tempo in
    ``<sound tempo>``: a ramp's steps, and a mark whose whole number is the one printed
    already, as playback-only marks (a score editor plays them, shows nothing). An
    opening tempo the song only assumed (``Song.tempo_assumed``: a score read without a
    metronome mark at its start) is not written: the score had none there, and a score
    editor plays 120 where none is."""
    from music21 import expressions

    out: list[tuple[Fraction, Any]] = []
    printed = None  # the mark last printed: (its number, its beat)
    for mark in tempo_marks(song.tempos, tm):
        if mark.tick == 0 and song.tempo_assumed:
            continue
        at = clock.at(mark.tick)
        if mark.words:
            words = expressions.TextExpression(mark.words)
            words.style.fontStyle = "italic"
            words.placement = "above"
            out.append((at, words))
        beat = _beat(bars[clock.bar_of(at)].meter)
        shown = mark.written and (round(mark.bpm / beat), beat) != printed
        if shown:
            printed = (round(mark.bpm / beat), beat)
        out.append((at, _tempo(mark.bpm, beat, shown)))
    return out


def _rehearsal_marks(song: Song, clock: _Clock) -> list[tuple[Fraction, Any]]:
    """The song's markers as rehearsal marks at their exact ticks (not quantized: a
    marker says where a section starts, and the import gives back the same tick)."""
    from music21 import expressions

    return [(clock.at(m.tick), expressions.RehearsalMark(m.text.strip()))
            for m in song.markers if m.text.strip()]


# MusicXML's chord kinds (<kind>) by the semitones above the root they hold.
_KINDS = {
    (0, 4, 7): "major", (0, 3, 7): "minor", (0, 4, 8): "augmented", (0, 3, 6): "diminished",
    (0, 4, 7, 10): "dominant-seventh", (0, 4, 7, 11): "major-seventh",
    (0, 3, 7, 10): "minor-seventh", (0, 3, 6, 9): "diminished-seventh",
    (0, 4, 8, 10): "augmented-seventh", (0, 3, 6, 10): "half-diminished-seventh",
    (0, 3, 7, 11): "minor-major-seventh", (0, 4, 7, 9): "major-sixth",
    (0, 3, 7, 9): "minor-sixth", (0, 2, 4, 7, 10): "dominant-ninth",
    (0, 2, 4, 7, 11): "major-ninth", (0, 2, 3, 7, 10): "minor-ninth",
    (0, 2, 4, 5, 7, 10): "dominant-11th", (0, 2, 4, 7, 9, 10): "dominant-13th",
    (0, 5, 7): "suspended-fourth", (0, 2, 7): "suspended-second", (0, 7): "power",
}
# A tone a chord adds to its kind, by semitones above the root → its <degree-value> and
# <degree-alter> (from the major scale: 9 -1 is the ♭9, 7 -1 the dominant 7th).
_ADDED_DEGREES = {1: (9, -1), 2: (9, 0), 3: (9, 1), 4: (3, 0), 5: (11, 0), 6: (11, 1),
                  7: (5, 0), 8: (13, -1), 9: (13, 0), 10: (7, -1), 11: (7, 0)}
# A kind's tone → the degree it is (the one a <degree> alters or subtracts).
_KIND_DEGREES = {0: 1, 2: 9, 3: 3, 4: 3, 5: 11, 6: 5, 7: 5, 8: 5, 9: 7, 10: 7, 11: 7}


def _chord_symbols(song: Song, clock: _Clock) -> list[tuple[Fraction, Any]]:
    """The song's chord symbols as music21 ones at their exact ticks: the text as
    written is the ``<kind text>`` a score editor prints (``Gm7b5/Db`` is G, ``m7b5``
    over D♭), the kind the MusicXML one whose tones it holds most of (for playback, and
    for readers that ignore the text); ``N.C.`` is no chord. A symbol that names no root
    is left out."""
    from music21 import harmony

    out: list[tuple[Fraction, Any]] = []
    for c in chords_in_song(song):  # one past the end has no measure to stand in
        if NO_CHORD.fullmatch(c.text):
            out.append((clock.at(c.tick), harmony.NoChord(kindStr=c.text.strip())))
            continue
        parts = split_chord_symbol(c.text)
        if parts is None:
            continue
        root, kind, bass = parts
        held = set(chord_intervals(kind) or (0, 4, 7))
        # The kind sharing most tones with the chord, each it lacks counting against it.
        best = max(_KINDS, key=lambda k: len(held & set(k)) - 2 * len(set(k) - held))
        symbol = harmony.ChordSymbol(root=_m21_name(root), kind=_KINDS[best], kindStr=kind,
                                     bass=_m21_name(bass) if bass else None)
        for step in _degrees(held, best):
            symbol.addChordStepModification(harmony.ChordStepModification(*step),
                                            updatePitches=False)
        out.append((clock.at(c.tick), symbol))
    return out


def _degrees(held: set[int], kind: tuple[int, ...]) -> list[tuple[str, int, int]]:
    """How a chord of the tones ``held`` (semitones above the root) differs from the
    MusicXML ``kind`` written for it, as ``<degree>``s ``(type, value, alter)``: a tone of
    the kind a semitone off is altered (``C7b5``: 5 -1), one missing subtracted
    (``C7no5``), the others added (``C7b9``: 9 -1), so a reader that ignores
    ``<kind text>`` still plays and prints the tensions."""
    extra = sorted(held - set(kind))
    steps = []
    for tone in sorted(set(kind) - held):
        near = next((e for e in extra if abs(e - tone) == 1), None)
        if near is not None:
            extra.remove(near)
            steps.append(("alter", _KIND_DEGREES[tone], near - tone))
        else:
            steps.append(("subtract", _KIND_DEGREES[tone], 0))
    for tone in extra:
        value, alter = _ADDED_DEGREES[tone]
        if value == 13 and 10 not in held and 11 not in held:
            value = 6  # no seventh: a sixth (C6 is C E G A)
        steps.append(("add", value, alter))
    return steps


def _m21_name(name: str) -> str:
    """``"Bb"`` → ``"B-"``: a note name as music21 spells it."""
    return name[0] + name[1:].replace("b", "-")


def _beat(sig: TimeSignature) -> float:
    """A metronome mark's beat, in quarters: the dotted quarter in a compound meter of
    eighths (6/8 at 120 quarters a minute is ♩. = 80), else the quarter."""
    return 1.5 if sig.compound and sig.denominator == 8 else 1.0


def _tempo(bpm: float, beat: float, shown: bool) -> Any:
    """A metronome mark of ``beat`` that plays ``bpm`` (quarters a minute) in ``<sound
    tempo>`` (to 1/100: :func:`_round_sound_tempos`); ``shown``, it prints the whole number,
    else nothing (a playback-only mark)."""
    from music21 import duration, tempo

    if not shown:
        return tempo.MetronomeMark(numberSounding=bpm)
    return tempo.MetronomeMark(number=round(bpm / beat), referent=duration.Duration(beat),
                               numberSounding=bpm / beat)


def _instrument(track: Track, channel: int | None = None) -> Any:
    """The music21 instrument of a track's GM program (its transposition: a B♭ trumpet
    is written a tone higher), named as General MIDI names it where music21 knows only a
    generic one (a synth lead is a "Sampler" there); a kit is a percussion part.
    ``channel``: its MIDI channel (0-based), else music21's choice."""
    from music21 import instrument

    if track.is_drum:
        inst = instrument.UnpitchedPercussion()
        inst.instrumentName = "Drum Set"
        inst.midiChannel = 9
        return inst
    inst = instrument.instrumentFromMidiProgram(track.program)
    if type(inst).__name__ in ("Sampler", "Instrument", "StringInstrument"):
        inst.instrumentName = program_name(track.program, False)
    inst.midiProgram = track.program
    inst.midiChannel = channel
    inst.transposition = _interval(_transposition(track))
    return inst


def _transposition(track: Track) -> tuple[int, int]:
    """The interval the track's part is written at (its stored one, else its
    instrument's usual one: :func:`~engine.score.instruments.written_transposition`)."""
    return written_transposition(track.transposition, track.program, track.is_drum,
                                 track.name)


def _shift(track: Track) -> int:
    """Semitones from the track's sounding notes to its written ones (a celesta's -12)."""
    return -_transposition(track)[1]


def _interval(transposition: tuple[int, int]) -> Any:
    """``(diatonic steps, chromatic semitones)`` as music21's written → sounding
    ``Interval`` (None at concert pitch): the score's ``<transpose>``."""
    if transposition == CONCERT:
        return None
    from music21 import interval

    steps, semitones = transposition
    generic = steps + 1 if steps >= 0 else steps - 1  # 0 steps is a unison, 1 a second
    return interval.intervalFromGenericAndChromatic(generic, semitones)


# The music21 clef of each of :data:`engine.io.clefs.CLEFS`.
_M21_CLEFS = {"treble": "TrebleClef", "bass": "BassClef", "alto": "AltoClef",
              "tenor": "TenorClef", "treble8vb": "Treble8vbClef", "bass8vb": "Bass8vbClef"}


def _clefs(track: Track, voices: list[list[_Chord]],
           bar_length: Callable[[Fraction], Fraction]) -> list[tuple[Fraction, Any]]:
    """Where the part's clef is set, ``[(offset, music21 clef)]``, the first at 0
    (:mod:`engine.io.clefs`): its instrument's clef (a cello the bass clef, a viola the
    alto clef), else its voice part's, else its register's — and a change for each
    passage out of that clef's reach (a cello's to the tenor clef). The clef of the
    written notes: a tenor sax's part is written a ninth above where it sounds, in the
    treble clef."""
    from music21 import clef

    shift = _shift(track)
    written = [(c.start, c.length, [p + shift for p in c.pitches])
               for voice in voices for c in voice]
    home, changes = part_clefs(track.program, track.name, shift,
                               [p for *_, ps in written for p in ps])
    plan = clef_plan(home, changes, written, bar_length)
    marks = [(at, getattr(clef, _M21_CLEFS[name])()) for at, name in plan]
    for _, mark in marks:
        if isinstance(mark, clef.Bass8vbClef):
            # music21 puts its bottom line on the bass clef's G2 (not G1), which would
            # point a bass guitar's beamed stems as if its notes lay an octave lower.
            mark.lowestLine = clef.BassClef().lowestLine - 7
    return marks


def _set_clefs(measures: Sequence[Any], bars: Sequence[_Bar], clock: _Clock,
               clefs: Sequence[tuple[Fraction, Any]]) -> None:
    """Put each clef change in its measure: at a bar line in the measure's attributes,
    mid-bar just before the note it changes at, in the line (voice) that has a note or
    rest starting there, so the MusicXML writes it in that place in the bar (in the
    measure itself it would be written after a ``<forward>`` over the bar's start)."""
    from music21 import stream

    for at, mark in clefs[1:]:
        b = clock.bar_of(at)
        m, offset = measures[b], float(at - bars[b].offset)
        if offset == 0:
            m.clef = mark
            continue
        line = next((v for v in m.getElementsByClass(stream.Voice)
                     if any(e.offset == offset for e in v.notesAndRests)), m)
        line.insert(offset, mark)


def _abbreviation(track: Track) -> str:
    """The name on the systems after the first: a voice part's letter ("S.", "A."), a
    common instrument's short name (:data:`INSTRUMENT_ABBREVIATIONS`), what follows it
    kept ("Violin 2": "Vln. 2"); a part named for its GM instrument, music21's short
    name for that ("Pno."); else a short name whole, a longer one's first three letters
    ("Mel."). An instrument's short name for a named part (music21's "Ch" for each of
    four choir parts) would not tell the parts apart."""
    name = " ".join(_part_name(track).split())
    key = name.casefold()
    if _is_voice_part(track):  # "Alto 2", "Ten.": the part's letter, its number kept
        number = re.search(r"\s(\d+|i{1,3}|iv)\.?$", key)
        letter = VOICE_ABBREVIATIONS[voice_part_of(name) or key]
        return f"{letter} {number.group(1).upper()}" if number else letter
    for long in sorted(INSTRUMENT_ABBREVIATIONS, key=len, reverse=True):  # "alto sax" first
        if key == long or key.startswith(long + " "):
            return f"{INSTRUMENT_ABBREVIATIONS[long]}{name[len(long):]}"
    if key == program_name(track.program, track.is_drum).casefold():
        short = _instrument(track).instrumentAbbreviation or ""
        if short.isalpha():
            return f"{short}."
    return name if len(name) <= 5 else f"{name[:3].rstrip()}."


# -- the notes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Notated:
    """What a score writes on a note besides its pitch and length: the syllable sung on
    it, whether a fermata holds it, its articulations and slur marks (``Note.lyric``,
    ``Note.fermata``, ``Note.articulations``, ``Note.slurs``)."""

    lyric: Lyric | None
    fermata: bool
    # Where a note held under another part's fermata sounds on past it: the quarter the
    # close ends at, whose piece the fermata goes over (None: the note's last piece).
    fermata_end: Fraction | None = None
    articulations: frozenset[str] = frozenset()  # Note.articulations
    slurs: tuple[Slur, ...] = ()  # Note.slurs


def held_under_fermatas(song: Song) -> dict[int, int]:
    """The notes the export gives a fermata besides their own, by id: those of the other
    pitched parts that sound at the end of a note with one — struck with it or held into
    its end, ending with it or later — so every singer of a chorale sees the hold the
    melody has (a choir director's A, T and B parts had none); each with the tick that
    close ends at, where its fermata goes (not over the last of a note tied on past it:
    bwv269's bass had its fermata in bar 9, two bars after the soprano's). The song keeps
    its fermatas as they are."""
    closes = [(i, n.start, n.end) for i, t in enumerate(song.tracks) if not t.is_drum
              for n in t.notes if n.fermata]
    held: dict[int, int] = {}
    for i, track in enumerate(song.tracks):
        if track.is_drum or not track.notes or not closes:
            continue
        notes = sorted(track.notes, key=lambda n: n.start)
        starts = [n.start for n in notes]
        longest = max(n.duration for n in notes)
        for j, start, end in closes:
            if j == i:
                continue
            # the notes struck before its end (or with it, a fermata on no length), the
            # latest back to the longest's reach
            hi = bisect.bisect_right(starts, max(end - 1, start))
            lo = bisect.bisect_left(starts, end - longest)
            for n in notes[lo:hi]:
                if n.end >= end and not n.fermata:
                    held[n.id] = min(held.get(n.id, end), end)  # the first close it holds
    return held


def _chords(track: Track, clock: _Clock, names: NoteNames | None = None,
            held: Mapping[int, int] | None = None,
            straight: Mapping[int, tuple[int, int]] | None = None,
            grid: _BeatGrid | None = None,
            ) -> tuple[list[_Chord], int, dict[tuple[Fraction, int], str],
                       dict[tuple[Fraction, int], _Notated]]:
    """A track's notes quantized beat by beat (:class:`_BeatGrid`, the track's own unless
    ``grid`` is given), notes that then start and end together gathered into chords; how
    many notes fell on a note of the same pitch and start (one note, the longer, is
    kept); the name ``names`` gives each note, by its quantized ``(start, pitch)`` (the
    first's, of two); and the lyric, fermata, articulations and slur marks of the notes
    with any (a fermata also, ``held``, held under another part's:
    :func:`held_under_fermatas`), by the same key. ``straight``:
    the straight ``(start, end)`` of swung notes, by id, quantized instead of their own
    (:attr:`PartSwing.straight`)."""
    places = _places(track, clock, straight)
    if grid is None:
        grid = _beat_grid(track, clock, places)
    end = clock.end
    lengths: dict[tuple[Fraction, int], Fraction] = {}
    spelt: dict[tuple[Fraction, int], str] = {}
    notated: dict[tuple[Fraction, int], _Notated] = {}
    merged = 0
    for n in sorted(track.notes, key=lambda n: n.start):
        at, until = places[n.id]
        start, stop = grid.at(at), grid.at(until)
        if start >= end:  # a note quantized onto the end (the song's last tick)
            start = end - min(grid.step(end), end)
        if stop <= start:  # shorter than its beat's grid: one step of it
            stop = start + grid.step(start)
        length = min(stop - start, end - start)
        key = (start, n.pitch)
        if names is not None and not track.is_drum:
            spelt.setdefault(key, names.spelling(n))
        close = (held or {}).get(n.id)
        if (n.lyric is not None or n.fermata or close is not None or n.articulations
                or n.slurs):
            past = close is not None and not n.fermata and n.end > close
            notated.setdefault(key, _Notated(n.lyric, n.fermata or close is not None,
                                             grid.at(clock.at(close)) if past else None,
                                             n.articulations, n.slurs))
        if key in lengths:  # the same pitch twice at one start: one note, the longer
            merged += 1
            length = max(length, lengths[key])
        lengths[key] = length
    if track.is_drum:
        lengths = _drum_lengths(lengths, end, grid)
    grouped: dict[tuple[Fraction, Fraction], list[int]] = {}
    for (start, pitch), length in lengths.items():
        grouped.setdefault((start, length), []).append(pitch)
    chords = [_Chord(start, length, tuple(sorted(pitches)))
              for (start, length), pitches in grouped.items() if length > 0]
    return chords, merged, spelt, notated


def _places(track: Track, clock: _Clock,
            straight: Mapping[int, tuple[int, int]] | None = None
            ) -> dict[int, tuple[Fraction, Fraction]]:
    """Each note's ``(start, end)`` in quarters from the score's start, by id, before the
    quantizing: a swung note's straight one (``straight``)."""
    return {n.id: tuple(clock.at(t) for t in (straight or {}).get(n.id, (n.start, n.end)))
            for n in track.notes}


def _beat_grid(track: Track, clock: _Clock,
               places: Mapping[int, tuple[Fraction, Fraction]]) -> _BeatGrid:
    """The track's :class:`_BeatGrid`, of its notes at ``places`` (:func:`_places`)."""
    return _BeatGrid(clock, ((*places[n.id], n.pitch) for n in track.notes))


# A note's end counts for half its start in choosing a beat's grid: a player's release
# is looser than the attack (a legato end a hair early, a staccato one anywhere).
END_WEIGHT = 0.5


class _BeatGrid:
    """Where a track's notes are written, beat by beat: each beat (a quarter from its
    bar's counting, :func:`_pickup_shift`) in 16ths or in eighth-note triplets
    (:data:`QUARTER_DIVISORS`): the one that keeps its notes of one pitch apart (a
    drummer's 16th-triplet fill on the triplets, not two hits on one 16th), then the one
    its notes' starts and ends (:data:`END_WEIGHT`) fit nearer, the 16ths on a tie; a
    beat a bar line cuts short (7/8's last eighth) in 16ths. A beat whose onsets that
    grid puts together takes a finer one that keeps more of them apart, where they sit
    on it (:func:`_fine_divisor`: a roll of 32nds in 32nds); a short beat only 32nds.
    A note's start and end are each put on the grid of the beat they fall in, so a note
    never starts on one grid and ends on the other within a beat (music21's
    ``quantize`` rounded a start and a length each to the nearer grid: a triplet-32nd
    rest after a 16th that started on a triplet)."""

    def __init__(self, clock: _Clock,
                 notes: Iterable[tuple[Fraction, Fraction, int]]) -> None:
        self.clock = clock
        # Kept: a note's place is looked up a few times, and Fraction's arithmetic was
        # most of the quantizing's time.
        self._beats: dict[Fraction, tuple[Fraction, Fraction, Fraction]] = {}
        self._snapped: dict[tuple[Fraction, int], Fraction] = {}
        grids = range(len(QUARTER_DIVISORS))
        misfit: dict[Fraction, list[float]] = {}  # a beat's misfit on each grid
        onsets: dict[Fraction, set[tuple[Fraction, int]]] = {}
        for start, end, pitch in notes:
            onsets.setdefault(self._beat(start)[0], set()).add((start, pitch))
            for at, weight in ((start, 1.0), (end, END_WEIGHT)):
                errors = misfit.setdefault(self._beat(at)[0], [0.0] * len(grids))
                for k, d in enumerate(QUARTER_DIVISORS):
                    errors[k] += weight * abs(float(at) - float(self._snap(at, d)))

        def merged(beat: Fraction, k: int) -> int:
            played = onsets.get(beat, set())
            return len(played) - len({(self._snap(at, QUARTER_DIVISORS[k]), pitch)
                                      for at, pitch in played})

        # (a misfit to 1e-9 quarter: float sums that are equal in exact arithmetic tie)
        self.divisors = {beat: QUARTER_DIVISORS[min(grids, key=lambda k: (
                             merged(beat, k), round(errors[k], 9), k))]
                         for beat, errors in misfit.items()}
        for beat, played in onsets.items():
            fine = self._fine_divisor({at for at, _ in played}, self.divisors[beat])
            if fine is not None:
                self.divisors[beat] = fine

    def _fine_divisor(self, starts: set[Fraction], divisor: int) -> int | None:
        """The finer grid (:data:`FINE_DIVISORS`) a beat of onsets at ``starts`` is
        written in, or None to keep ``divisor``: one that keeps more of them apart than
        ``divisor`` does, each within :data:`FINE_FIT` of its step; the one that keeps
        the most apart, then the nearest fit, the coarser on a tie (a sextuplet fits 32nds
        apart too, but off them)."""
        def apart(d: int) -> int:
            return len({self._snap(at, d) for at in starts})

        coarse = apart(divisor)
        if coarse == len(starts):  # the beat's own grid keeps every onset
            return None
        best: tuple[int, Fraction] | None = None
        chosen = None
        for d in FINE_DIVISORS:
            off = [abs(at - self._snap(at, d)) for at in starts]
            kept = apart(d)
            if kept <= coarse or max(off) * d > FINE_FIT:
                continue
            rank = (-kept, sum(off))
            if best is None or rank < best:
                best, chosen = rank, d
        return chosen

    def _beat(self, offset: Fraction) -> tuple[Fraction, Fraction, Fraction]:
        """The beat ``offset`` falls in: where it starts as its bar counts it, and the
        part of it in its bar (its start and end: a pickup's first beat, a bar's
        last eighth, are shorter)."""
        found = self._beats.get(offset)
        if found is None:
            bar = self.clock.bars[self.clock.bar_of(offset)]
            origin = bar.offset - _pickup_shift(bar)
            beat = origin + math.floor(offset - origin)
            found = self._beats[offset] = (beat, max(beat, bar.offset),
                                           min(beat + 1, bar.offset + bar.length))
        return found

    def _snap(self, offset: Fraction, divisor: int) -> Fraction:
        found = self._snapped.get((offset, divisor))
        if found is None:
            found = self._snapped[offset, divisor] = self._snap_anew(offset, divisor)
        return found

    def _snap_anew(self, offset: Fraction, divisor: int) -> Fraction:
        beat, lo, hi = self._beat(offset)
        if hi - lo < 1 and divisor % 3 == 0:  # a tuplet does not fit a short beat
            divisor = QUARTER_DIVISORS[0]
        into = offset - beat
        # the nearest step, a half step rounded up (a run of 32nds keeps its notes apart)
        steps = (2 * into.numerator * divisor + into.denominator) // (2 * into.denominator)
        return min(max(beat + Fraction(steps, divisor), lo), hi)

    def divisor(self, offset: Fraction) -> int:
        """The steps a quarter of the beat at ``offset`` is written in (4: 16ths)."""
        beat, lo, hi = self._beat(offset)
        divisor = self.divisors.get(beat, QUARTER_DIVISORS[0])
        if hi - lo < 1 and divisor % 3 == 0:  # a tuplet does not fit a short beat
            return QUARTER_DIVISORS[0]
        return divisor

    def at(self, offset: Fraction) -> Fraction:
        """``offset`` on its beat's grid."""
        return self._snap(offset, self.divisor(offset))

    def step(self, offset: Fraction) -> Fraction:
        """One step of the grid of the beat at ``offset``: a 16th or an eighth-note
        triplet (a 32nd or a sextuplet's 16th in a fine beat)."""
        return Fraction(1, self.divisor(offset))

    def on_its_fine_grid(self, offset: Fraction) -> bool:
        """Whether ``offset`` is a step of a beat in a fine grid (:data:`FINE_DIVISORS`)."""
        return self.divisor(offset) in FINE_DIVISORS and self.at(offset) == offset


def _drum_lengths(lengths: dict, end: Fraction, grid: _BeatGrid | None = None) -> dict:
    """Each hit lasts until the kit's next hit, at most :data:`MAX_DRUM_LENGTH`, as the
    longest single note that fits (:data:`DRUM_VALUES`: a stroke is never tied notes):
    the hits of one moment are one chord, and the rhythm reads as the kit plays it.
    ``grid``: the track's, whose fine beats' steps count as on the grid too (a 32nd
    after a roll's 32nd)."""
    onsets = sorted({start for start, _ in lengths})
    following = dict(zip(onsets, [*onsets[1:], end][:len(onsets)], strict=True))

    def value(start: Fraction, gap: Fraction) -> Fraction:
        # The longest that fits and ends on the grid too (a 16th after a 16th, not a
        # triplet 8th: the rest after it reads plainly).
        return next((v for v in DRUM_VALUES if v <= gap and (
            _on_grid(start + v) or (grid is not None and grid.on_its_fine_grid(start + v)))),
            gap)

    return {(start, pitch): value(start, min(following[start] - start, MAX_DRUM_LENGTH))
            for start, pitch in lengths}


def _on_grid(offset: Fraction) -> bool:
    """Whether ``offset`` is on the 16ths or the eighth-note triplets."""
    return (offset * 4).denominator == 1 or (offset * 3).denominator == 1


def _voices(chords: list[_Chord]) -> tuple[list[list[_Chord]], int]:
    """The chords as lines that do not overlap (the first free one, the higher chord
    first at one start: voice 1 is the upper line), at most :data:`MAX_VOICES`; a chord
    that finds none free cuts the line that frees soonest short. Returns the lines and
    how many notes were cut short."""
    voices: list[list[_Chord]] = []
    cut = 0
    for chord in sorted(chords, key=lambda c: (c.start, -c.pitches[-1], -c.length)):
        for voice in voices:
            if voice[-1].start + voice[-1].length <= chord.start:
                voice.append(chord)
                break
        else:
            if len(voices) < MAX_VOICES:
                voices.append([chord])
                continue
            voice = min(voices, key=lambda v: v[-1].start + v[-1].length)
            last = voice[-1]
            cut += len(last.pitches)
            if last.start == chord.start:  # the same start: one chord, the shorter
                voice[-1] = _Chord(chord.start, min(chord.length, last.length),
                                   tuple(sorted({*last.pitches, *chord.pitches})))
            else:
                last.length = chord.start - last.start
                voice.append(chord)
    return voices, cut


def _pitched(pitches: Sequence[int], key: str | None,
             spellings: Sequence[str | None] = ()) -> Any:
    """A note or chord, each pitch spelt as ``spellings`` says (a note's own, or its
    neighbours': :class:`~engine.score.note_names.NoteNames`), else as the key writes it
    (B♭ in F, F♯ in D)."""
    from music21 import chord, note, pitch

    spelt = [pitch.Pitch((spelled_name(p, s) if s else pitch_name(p, key)).replace("b", "-"))
             for p, s in itertools.zip_longest(pitches, spellings[:len(pitches)])]
    return note.Note(spelt[0]) if len(spelt) == 1 else chord.Chord(spelt)


def _drums(keys: Sequence[int]) -> Any:
    """Drum hits as unpitched notes on their staff positions (:data:`DRUM_DISPLAY`), each
    with its key in its id (:data:`DRUM_NOTE_ID`, for :func:`_name_drums`), stems up: the
    kit is one line of hits."""
    from music21 import note, percussion

    hits = []
    for k in keys:
        where, head = DRUM_DISPLAY.get(k, OTHER_DRUM)
        hit = note.Unpitched(displayName=where)
        hit.notehead = head
        hit.id = f"{DRUM_NOTE_ID}{k}"
        hits.append(hit)
    element = hits[0] if len(hits) == 1 else percussion.PercussionChord(hits)
    element.stemDirection = "up"
    return element
