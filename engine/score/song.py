"""The song model: immutable, pure data.

A :class:`Song` holds :class:`Track` s, which hold :class:`Note` s. Every time value is an
integer tick at the song's resolution (``ppq``), so nothing is ever rounded: new songs
use 480 PPQ, imported songs keep the source file's PPQ.

Objects are frozen; change a song with the invertible edits in :mod:`engine.score.edits`
(or ``dataclasses.replace`` in engine code that builds new songs). Note and track ids are
stable identities for editors and undo; they do not take part in equality, so two songs
with the same music compare equal whatever their ids.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .articulations import Slur, check_articulations, check_slurs
from .lyrics import Lyric
from .spelling import MIDI_KEYS, check_spelling, spelling_pitch_class

# What a MIDI file can hold, so every song can be saved and exported as it is.
MAX_TEMPO_US = 0xFFFFFF  # set_tempo holds 3 bytes of microseconds per beat
MAX_NUMERATOR = 255  # time_signature: one byte of beats
MAX_DENOMINATOR = 64  # a power of two, stored as its exponent (our reader stops at 64)


def check_time_signature(numerator: int, denominator: int) -> None:
    """Raise ValueError unless a MIDI file can hold the meter ``numerator/denominator``."""
    d = denominator
    if not 1 <= numerator <= MAX_NUMERATOR or not 1 <= d <= MAX_DENOMINATOR or d & (d - 1):
        raise ValueError(f"time signature {numerator}/{d} is not one MIDI can hold "
                         f"(1..{MAX_NUMERATOR} beats of 1, 2, 4 … {MAX_DENOMINATOR})")


def check_grouping(numerator: int, denominator: int, groups: tuple[int, ...]) -> None:
    """Raise ValueError unless ``groups`` is a way to count a bar of ``numerator/denominator``:
    two or more positive groups adding up to the numerator, in a meter of eighths or
    shorter (a bar of quarters is counted in quarters; 3+2+2 is a grouping of eighths)."""
    written = grouping_text(groups)
    if denominator < 8:
        raise ValueError(f"{numerator}/{denominator} is counted in its own beats: a grouping "
                         "like 3+2+2 is for meters of eighths or shorter (x/8, x/16 …)")
    if len(groups) < 2 or any(not isinstance(g, int) or g < 1 for g in groups):
        raise ValueError(f"a grouping is two or more groups of at least one beat (not {written})")
    if sum(groups) != numerator:
        raise ValueError(f"groups {written} add up to {sum(groups)}, not the {numerator} "
                         f"beats of {numerator}/{denominator}")


def grouping_text(groups: Iterable[int]) -> str:
    """``(3, 2, 2)`` → ``"3+2+2"`` (:func:`grouping_from_text` reads it back)."""
    return "+".join(map(str, groups))


def grouping_from_text(text: str) -> tuple[int, ...]:
    """``"3+2+2"`` → ``(3, 2, 2)`` (``"7"`` → ``(7,)``); ValueError for anything else.
    Only the writing is checked: whether it counts a bar is :func:`check_grouping`'s."""
    if not re.fullmatch(r"\s*\d+(\s*\+\s*\d+)*\s*", text):
        raise ValueError(f"give a grouping like 3+2+2 (not {text.strip()!r:.40})")
    return tuple(int(part) for part in text.split("+"))


def check_key(key: str) -> None:
    """Raise ValueError unless ``key`` is one MIDI can hold, spelled as mido does."""
    if key not in MIDI_KEYS:
        raise ValueError(f"unknown key {key!r:.40} (keys are spelled like C, F#m, Bb)")


MAX_TRANSPOSITION = 48  # semitones: four octaves, past any instrument's (a contrabass
# clarinet in B♭ sounds two octaves and a tone below its part)


def check_transposition(transposition: tuple[int, int]) -> None:
    """Raise ValueError unless ``(diatonic, chromatic)`` is an interval an instrument is
    written at: whole numbers, in one direction, up to :data:`MAX_TRANSPOSITION`
    semitones, the steps within two semitones of what the semitones span (a tone is one
    step, not three)."""
    if len(transposition) != 2 or any(type(v) is not int for v in transposition):
        raise ValueError(f"transposition {transposition!r:.40} is not (steps, semitones)")
    steps, semitones = transposition
    if abs(semitones) > MAX_TRANSPOSITION or steps * semitones < 0 or \
            abs(semitones - round(steps * 12 / 7)) > 2:
        raise ValueError(f"transposition of {steps} steps, {semitones} semitones is not an "
                         "interval an instrument is written at")


def check_tempo(us_per_beat: int) -> None:
    """Raise ValueError unless a MIDI file can hold a tempo of ``us_per_beat`` µs per beat."""
    if not 0 < us_per_beat <= MAX_TEMPO_US:
        raise ValueError(f"tempo of {us_per_beat} µs per beat is not one MIDI can hold "
                         f"(1..{MAX_TEMPO_US})")


def nominal_us_per_beat(us_per_beat: int) -> float:
    """:attr:`TempoChange.nominal_us` of ``us_per_beat``."""
    exact = 60_000_000 / us_per_beat
    for decimals in range(4):
        bpm = round(exact, decimals)
        if bpm > 0 and round(60_000_000 / bpm) == us_per_beat:
            return 60_000_000 / bpm
    return float(us_per_beat)


# Tempos a user can set (Ctrl+K, convert --tempo, compose --tempo): MIDI holds down to
# 3.6 BPM, and above 1000 BPM a 16th is shorter than 15 ms.
BPM_RANGE = (4.0, 1000.0)

DEFAULT_PPQ = 480
DEFAULT_TEMPO_US = 500_000  # 120 BPM, the MIDI default
DRUM_CHANNEL = 9  # 0-based: "channel 10" in a musician's terms

_note_ids = itertools.count(1)
_track_ids = itertools.count(1)


def new_note_id() -> int:
    """A process-wide unique note id."""
    return next(_note_ids)


def new_track_id() -> int:
    """A process-wide unique track id."""
    return next(_track_ids)


def _bump_ids(note_id: int = 0, track_id: int = 0) -> None:
    """Make sure freshly issued ids never collide with ids loaded from a file."""
    global _note_ids, _track_ids
    n = next(_note_ids)
    _note_ids = itertools.count(max(n, note_id + 1))
    t = next(_track_ids)
    _track_ids = itertools.count(max(t, track_id + 1))


def id_mark() -> tuple[int, int]:
    """The next note id and track id to be issued (none is used up), for
    :func:`rewind_ids`."""
    global _note_ids, _track_ids
    n, t = next(_note_ids), next(_track_ids)
    _note_ids, _track_ids = itertools.count(n), itertools.count(t)
    return n, t


def rewind_ids(mark: tuple[int, int]) -> None:
    """Issue ids from ``mark`` (:func:`id_mark`) again. Only for songs independent of
    every one made since the mark and never edited together with them: a CLI batch
    (``partita harmonize A.mid B.mid --out-dir DIR``) writes each song's project with the
    ids the one-song command, in a process of its own, gives it — the same bytes."""
    global _note_ids, _track_ids
    _note_ids, _track_ids = itertools.count(mark[0]), itertools.count(mark[1])


@dataclass(frozen=True, slots=True)
class Note:
    """One note. ``start`` and ``duration`` are ticks; ``duration`` may be 0 (as in MIDI).

    ``spelling`` is the name its score wrote it with, when one did (a MusicXML file's B♭,
    a step-entry A♯: :func:`~.spelling.kept_spelling`), else None and the note is named by
    its key and neighbours (:mod:`.note_names`). Like the id it is notation, not sound: it
    takes no part in equality. A spelling that does not name the pitch (``replace(note,
    pitch=…)`` by a semitone: a transposition, a drag) is dropped, so an edited pitch is
    named by the rule; an octave keeps it.

    ``lyric`` is the syllable sung on it (:class:`~.lyrics.Lyric`, one verse) and
    ``fermata`` whether a fermata is written over it: notation too, out of equality. A
    moved note keeps both; a split gives the lyric to the first part and the fermata to
    the last; a deleted note takes them with it. A fermata is not played longer: the
    harmonizer reads it as a phrase's close (:func:`~engine.models.constraints.phrase_edges`).

    ``articulations`` (``"staccato"``, ``"accent"`` …) and ``slurs`` (``("start", 1)``
    where slur 1 begins, ``("stop", 1)`` where it ends) are a score's marks on it
    (:mod:`.articulations`), notation out of equality too, kept as a fermata is; a split
    leaves them on the first part (the attack), a join keeps the first note's.
    The articulations are played (:func:`~.articulations.performed`: a staccato note half
    its length, an accented one louder); ``duration`` and ``velocity`` stay as written."""

    pitch: int
    start: int
    duration: int
    velocity: int = 96
    id: int = field(default_factory=new_note_id, compare=False)
    spelling: str | None = field(default=None, compare=False)
    lyric: Lyric | None = field(default=None, compare=False)
    fermata: bool = field(default=False, compare=False)
    articulations: frozenset[str] = field(default=frozenset(), compare=False)
    slurs: tuple[Slur, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"note pitch {self.pitch} is outside 0..127")
        if not 0 <= self.velocity <= 127:
            raise ValueError(f"note velocity {self.velocity} is outside 0..127")
        if self.start < 0 or self.duration < 0:
            raise ValueError(f"note at {self.start} has negative start or duration")
        if (type(self.start) is not int and self.start != int(self.start)) or (
                type(self.duration) is not int and self.duration != int(self.duration)):
            raise ValueError(f"note at {self.start} (length {self.duration}): ticks are "
                             "whole numbers")
        if self.spelling is not None:
            check_spelling(self.spelling)
            if spelling_pitch_class(self.spelling) != self.pitch % 12:
                object.__setattr__(self, "spelling", None)  # frozen: set once, normalised
        if self.lyric is not None and type(self.lyric) is not Lyric:
            raise ValueError(f"note lyric {self.lyric!r:.30} is not a Lyric")
        if self.fermata is not False and self.fermata is not True:
            raise ValueError(f"note fermata {self.fermata!r:.20} is not True or False")
        # frozen: set once, normalised (a set of names; slur marks in one order)
        if self.articulations or type(self.articulations) is not frozenset:
            object.__setattr__(self, "articulations", check_articulations(self.articulations))
        if self.slurs or type(self.slurs) is not tuple:
            object.__setattr__(self, "slurs", check_slurs(self.slurs))

    @property
    def end(self) -> int:
        return self.start + self.duration

    def key(self) -> tuple[int, int, int, int]:
        """Sort/compare key without the id: (start, pitch, duration, velocity)."""
        return (self.start, self.pitch, self.duration, self.velocity)


def clamp_velocity(velocity: int) -> int:
    """``velocity`` kept within 1..127: what MIDI allows a sounding note (0 is a note-off),
    for velocities played, drawn, shifted or scaled."""
    return max(1, min(127, velocity))


def notes_signature(notes: Mapping[int, Iterable[Note]]) -> frozenset[tuple[int, tuple]]:
    """Notes per track as music, without ids: equal for two takes that sound the same."""
    return frozenset((tid, n.key()) for tid, track_notes in notes.items() for n in track_notes)


@dataclass(frozen=True, slots=True)
class ProgramChange:
    """A program (instrument) change inside a track, after its first program."""

    tick: int
    program: int


@dataclass(frozen=True, slots=True)
class ControlEvent:
    """A channel event we do not edit but must not lose (CC, pitch bend, aftertouch).

    ``kind`` is ``"control_change"``, ``"pitchwheel"``, ``"aftertouch"`` or
    ``"polytouch"``; ``number`` is the controller number or the polytouch note (else 0).
    """

    tick: int
    kind: str
    number: int
    value: int


@dataclass(frozen=True, slots=True)
class TempoChange:
    tick: int
    us_per_beat: int  # microseconds per quarter note, as MIDI stores it

    def __post_init__(self) -> None:
        check_tempo(self.us_per_beat)

    @property
    def bpm(self) -> float:
        return 60_000_000 / self.us_per_beat

    @property
    def nominal_us(self) -> float:
        """The µs a beat lasts at the tempo as it was typed: MIDI keeps whole µs, so 90 BPM
        is stored as 666,667 µs (89.99996 BPM), and 16 bars of it ran 42.666688 s — a stem
        one sample past the DAW's bar line at 48 kHz. A ``us_per_beat`` that is the rounding
        of a BPM with at most 3 decimals (the one with fewest) is that BPM's exact beat
        (666,666.67 µs); any other is itself. The stored value, and MIDI export, stay."""
        return nominal_us_per_beat(self.us_per_beat)


# A meter without its place: ``(numerator, denominator)``, or with a chosen grouping,
# ``(7, 8, (3, 2, 2))`` (``TimeSignature(tick, *meter)`` makes either).
Meter = tuple[int, int] | tuple[int, int, tuple[int, ...]]


def default_pulses(numerator: int, denominator: int) -> tuple[int, ...]:
    """The beats a musician counts in a bar of ``numerator/denominator`` when no grouping
    is written, in notated units: 4/4 → 1 1 1 1, 6/8 → 3 3, an odd meter of eighths groups
    twos before a three (5/8 → 2 3, 7/8 → 2 2 3), an even one of eight or more threes
    before twos (8/8 → 3 3 2, 10/8 → 3 3 2 2: written so because it is not 4/4 or 5/4;
    each of its eighths counted a beat made the drumkit's kick and snare alternate)."""
    n = numerator
    if n % 3 == 0 and n > 3 and denominator >= 4:  # compound: dotted beats
        return (3,) * (n // 3)
    if denominator >= 8 and n >= 5 and n % 2:
        return (2,) * ((n - 3) // 2) + (3,)
    if denominator >= 8 and n >= 8:
        return (3, 3) + (2,) * ((n - 6) // 2)
    return (1,) * n


# Beyond this many eighths a bar's groupings in twos and threes are too many to offer.
MAX_OFFERED_GROUPING = 16


def groupings_of(numerator: int) -> tuple[tuple[int, ...], ...]:
    """The usual ways to count ``numerator`` eighths in twos and threes, as Balkan and
    prog musicians group them (7 → 3+2+2, 2+3+2, 2+2+3), fewer groups first, threes
    first among those; none past :data:`MAX_OFFERED_GROUPING` (type those out)."""
    if numerator > MAX_OFFERED_GROUPING:
        return ()

    def ways(n: int) -> list[tuple[int, ...]]:
        if n == 0:
            return [()]
        return [(g, *rest) for g in (3, 2) if g <= n for rest in ways(n - g)]

    found = [w for w in ways(numerator) if len(w) > 1]
    return tuple(sorted(found, key=lambda w: (len(w), [-g for g in w])))


@dataclass(frozen=True, slots=True)
class TimeSignature:
    """A meter from ``tick`` on. ``groups`` is how a bar of eighths (or shorter) is
    counted when the musician chose it: 7/8 as 3+2+2 (a Kalamatianos) is ``(3, 2, 2)``;
    empty means the usual counting (:func:`default_pulses`). A grouping that says what
    the default says is stored empty, so 2+2+3/8 and 7/8 are one meter."""

    tick: int
    numerator: int = 4
    denominator: int = 4
    groups: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        check_time_signature(self.numerator, self.denominator)
        groups = tuple(self.groups)
        if groups:
            check_grouping(self.numerator, self.denominator, groups)
            if groups == default_pulses(self.numerator, self.denominator):
                groups = ()
        object.__setattr__(self, "groups", groups)  # frozen: set once, normalised

    @classmethod
    def from_text(cls, text: str, tick: int = 0) -> TimeSignature:
        """A meter as musicians write it: ``"7/8"``, or grouped, ``"3+2+2/8"``. Raises
        ValueError with what is wrong."""
        beats, slash, unit = text.partition("/")
        try:
            parts = grouping_from_text(beats)
            if not slash or not unit.strip().isdecimal():
                raise ValueError
        except ValueError:
            raise ValueError("give a time signature like 3/4, or grouped like 3+2+2/8") from None
        return cls(tick, sum(parts), int(unit), parts if len(parts) > 1 else ())

    @property
    def text(self) -> str:
        """How a musician writes it: ``"7/8"``, ``"3+2+2/8"`` (:meth:`from_text` reads it)."""
        beats = grouping_text(self.groups) if self.groups else str(self.numerator)
        return f"{beats}/{self.denominator}"

    @property
    def meter(self) -> tuple[int, int, tuple[int, ...]]:
        """What the bar is, without where it starts: ``(7, 8, (3, 2, 2))``; two changes
        with the same meter say the same thing."""
        return self.numerator, self.denominator, self.groups

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8, 6/4 …: the beat a musician counts is three of the notated unit
        (a chosen grouping is counted as written, so 2+2+2/8 is not compound)."""
        return not self.groups and set(self.pulses) == {3}

    @property
    def pulses(self) -> tuple[int, ...]:
        """The beats a musician counts, in notated units: the grouping when one is chosen
        (3+2+2/8 → 3 2 2), else :func:`default_pulses` (4/4 → 1 1 1 1, 6/8 → 3 3,
        7/8 → 2 2 3)."""
        return self.groups or default_pulses(self.numerator, self.denominator)

    @property
    def pulse_starts(self) -> tuple[int, ...]:
        """Where each counted beat starts, in notated units from the bar line: 6/8 → 0 3,
        7/8 → 0 2 4, 3+2+2/8 → 0 3 5, 4/4 → 0 1 2 3."""
        starts, at = [], 0
        for pulse in self.pulses:
            starts.append(at)
            at += pulse
        return tuple(starts)


@dataclass(frozen=True, slots=True)
class KeySignature:
    tick: int
    key: str  # mido spelling: "C", "F#m", "Bb", ...

    def __post_init__(self) -> None:
        check_key(self.key)


@dataclass(frozen=True, slots=True)
class Marker:
    """A section marker or hit point at ``tick``. One with ``seconds`` is locked to that
    time (from the song's start), not to its bar: a tempo edit moves it to the tick
    nearest its time, as a DAW's "lock to SMPTE" keeps a film's hit point on its frame
    (:func:`engine.score.edits.relocked_markers`). The time is kept, not worked out again
    from the tick, so that edit after edit never moves it by the tick's rounding."""

    tick: int
    text: str
    seconds: float | None = None

    @property
    def locked(self) -> bool:
        return self.seconds is not None


@dataclass(frozen=True, slots=True)
class ChordSymbol:
    """A lead sheet's chord symbol at ``tick``, as written (``"C7"``, ``"Gm7b5/Db"``,
    ``"N.C."``): it holds until the next. The text is what is kept and shown; its root,
    bass and tones are read from it when needed
    (:func:`~engine.score.chord_symbols.parse_chord_symbol`)."""

    tick: int
    text: str


# A small palette so new tracks get distinct, readable colours.
TRACK_COLOURS = (
    "#e06c75", "#61afef", "#98c379", "#e5c07b", "#c678dd", "#56b6c2", "#d19a66", "#be5046",
    "#7f848e", "#ff79c6", "#8be9fd", "#50fa7b",
)


@dataclass(frozen=True, slots=True)
class Track:
    """One instrument part. ``channel`` is 0-based (9 is the GM drum channel)."""

    name: str = "Track"
    program: int = 0
    is_drum: bool = False
    channel: int = 0
    notes: tuple[Note, ...] = ()
    colour: str = "#61afef"
    mute: bool = False
    solo: bool = False
    volume: float = 1.0  # linear gain 0..1 (MIDI CC7 = volume * 127)
    pan: float = 0.0  # -1 (left) .. +1 (right) (MIDI CC10)
    program_changes: tuple[ProgramChange, ...] = ()
    controls: tuple[ControlEvent, ...] = ()
    # A transposing instrument's written → sounding interval, as MusicXML's <transpose>
    # says it: (diatonic steps, chromatic semitones), octaves included: a clarinet in A
    # (-2, -3), in B♭ (-1, -2), a horn in F (-4, -7), a tenor sax (-8, -14); (0, 0) at
    # concert pitch. The notes stay at sounding pitch; a score shows them written this
    # much higher. None: not said, the usual one of the instrument
    # (:func:`~engine.score.instruments.written_transposition`).
    transposition: tuple[int, int] | None = None
    id: int = field(default_factory=new_track_id, compare=False)
    # ``end`` once computed (-1: not yet): a job asks a long song's end several times, and
    # each answer reads every note.
    _end: int = field(default=-1, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.program <= 127:
            raise ValueError(f"track {self.name!r}: program {self.program} is outside 0..127")
        if not 0 <= self.channel <= 15:
            raise ValueError(f"track {self.name!r}: channel {self.channel} is outside 0..15")
        if not 0 <= self.volume <= 1:
            raise ValueError(f"track {self.name!r}: volume {self.volume:g} is outside 0..1")
        if not -1 <= self.pan <= 1:
            raise ValueError(f"track {self.name!r}: pan {self.pan:g} is outside -1..1")
        # Keep notes in one canonical order so equality means "same music" (and a tuple,
        # whatever was passed: a frozen track must hash).
        ordered = tuple(sorted(self.notes, key=Note.key))
        if type(self.notes) is not tuple or any(
                a is not b for a, b in zip(ordered, self.notes, strict=True)):
            object.__setattr__(self, "notes", ordered)
        for name in ("program_changes", "controls"):
            if type(getattr(self, name)) is not tuple:
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.transposition is not None:
            object.__setattr__(self, "transposition", tuple(self.transposition))
            check_transposition(self.transposition)

    def with_notes(self, notes: Iterable[Note]) -> Track:
        return replace(self, notes=tuple(notes))

    def onset_range(self, start: int, end: int) -> range:
        """Indices into ``notes`` of the notes starting in ``[start, end)``: notes are kept
        in onset order, so this is two binary searches, not a scan of a long track."""
        return range(bisect.bisect_left(self.notes, start, key=_onset),
                     bisect.bisect_left(self.notes, end, key=_onset))

    def note_by_id(self, note_id: int) -> Note | None:
        for n in self.notes:
            if n.id == note_id:
                return n
        return None

    @property
    def end(self) -> int:
        if self._end < 0:
            object.__setattr__(self, "_end", max((n.end for n in self.notes), default=0))
        return self._end


def _onset(note: Note) -> int:
    return note.start


def _tick(event: ChordSymbol) -> int:
    return event.tick


@dataclass(frozen=True, slots=True)
class Song:
    """A whole piece: tracks plus the global maps, all in ticks at ``ppq``."""

    tracks: tuple[Track, ...] = ()
    ppq: int = DEFAULT_PPQ
    tempos: tuple[TempoChange, ...] = (TempoChange(0, DEFAULT_TEMPO_US),)
    time_signatures: tuple[TimeSignature, ...] = (TimeSignature(0, 4, 4),)
    key_signatures: tuple[KeySignature, ...] = ()
    markers: tuple[Marker, ...] = ()
    title: str = ""
    # Length the user asked for (e.g. empty bars at the end); 0 means "up to the last note".
    length: int = 0
    # The lead sheet's chord symbols, in tick order (one a tick: the last written wins).
    chords: tuple[ChordSymbol, ...] = ()
    # The opening tempo (120 BPM) was assumed, not chosen: a score read without a
    # metronome mark at its start. A score written from the song prints no mark for it
    # (a score editor plays 120 where none is); any edit of the opening tempo chooses it.
    tempo_assumed: bool = False

    def __post_init__(self) -> None:
        if self.ppq <= 0:
            raise ValueError(f"resolution must be positive, got {self.ppq} PPQ")
        tempos = tuple(sorted(self.tempos, key=lambda t: t.tick)) or (
            TempoChange(0, DEFAULT_TEMPO_US),
        )
        if tempos[0].tick != 0:
            tempos = (TempoChange(0, DEFAULT_TEMPO_US), *tempos)
        sigs = tuple(sorted(self.time_signatures, key=lambda t: t.tick)) or (TimeSignature(0),)
        if sigs[0].tick != 0:
            sigs = (TimeSignature(0), *sigs)
        object.__setattr__(self, "tempos", tempos)
        object.__setattr__(self, "time_signatures", sigs)
        for name in ("tracks", "key_signatures", "markers"):  # tuples, whatever was passed
            if type(getattr(self, name)) is not tuple:
                object.__setattr__(self, name, tuple(getattr(self, name)))
        chords = tuple({c.tick: c for c in sorted(self.chords, key=_tick)}.values())
        if chords != self.chords or type(self.chords) is not tuple:
            object.__setattr__(self, "chords", chords)
        ids = [t.id for t in self.tracks]
        if len(set(ids)) != len(ids):
            raise ValueError("two tracks share one id")

    # -- lookups ---------------------------------------------------------------------------
    def track(self, track_id: int) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(f"no track with id {track_id}")

    def track_index(self, track_id: int) -> int:
        for i, t in enumerate(self.tracks):
            if t.id == track_id:
                return i
        raise KeyError(f"no track with id {track_id}")

    def find_track(self, name_or_index: str | int) -> Track:
        """A track by 1-based number or (case-insensitive) name, as users type them.

        A name wins over a number: ``"808"`` is the track named 808 when there is one (a
        producer's "808" bass), else track number 808; ``"#2"`` is always track number 2.
        An ``int`` is a number.
        """
        # isdecimal, not isdigit: "①" and "²" are digits int() refuses (a traceback).
        s = str(name_or_index).strip()
        forced = s.startswith("#") and s[1:].strip().isdecimal()
        number = s[1:].strip() if forced else s
        matches = ([] if forced or isinstance(name_or_index, int)
                   else [t for t in self.tracks if name_key(t.name) == name_key(s)])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise KeyError(f"{len(matches)} tracks are named {s!r}: give its number instead "
                           "(#N)")
        if number.isdecimal():
            i = int(number) - 1
            if 0 <= i < len(self.tracks):
                return self.tracks[i]
            if not self.tracks:
                raise KeyError(f"there is no track {number}: the song has no tracks")
            raise KeyError(f"track number {number} is out of range 1..{len(self.tracks)}"
                           + ("" if forced else " (and no track is named so)"))
        names = ", ".join(repr(t.name) for t in self.tracks)
        raise KeyError(f"no track named {s!r} (tracks: {names})")

    def key_at(self, tick: int) -> str | None:
        """The key signature in force at ``tick`` (None before the first, or without any)."""
        keys = [k.key for k in self.key_signatures if k.tick <= tick]
        return keys[-1] if keys else None

    @property
    def note_count(self) -> int:
        return sum(len(t.notes) for t in self.tracks)

    @property
    def notes_end(self) -> int:
        """Tick of the last note-off, 0 without notes. The song's :attr:`end` may be later:
        a set length runs on past it (File ▸ New's 8 empty bars, bars added at the end)."""
        return max((t.end for t in self.tracks), default=0)

    @property
    def end(self) -> int:
        """Tick where the song ends: the last note-off, the set length or the last marker
        locked to its time, whichever is later. A film's hit point past the last note (a
        slower tempo pushed it there) is still part of the cue: the song, its playback, its
        stems and a MIDI file all reach it. A section marker is not (a song cropped or
        cleared before its "Outro" played on in silence to it)."""
        return max(self.length, self.notes_end,
                   max((m.tick for m in self.markers if m.locked), default=0))

    def replace_track(self, track: Track) -> Song:
        i = self.track_index(track.id)
        return replace(self, tracks=(*self.tracks[:i], track, *self.tracks[i + 1 :]))

    def with_tracks(self, tracks: Iterable[Track]) -> Song:
        return replace(self, tracks=tuple(tracks))

    def audible_ids(self) -> list[int]:
        """Tracks heard in the mix: not muted, and soloed whenever any track is soloed."""
        soloing = any(t.solo for t in self.tracks)
        return [t.id for t in self.tracks if not t.mute and (t.solo or not soloing)]

    def max_ids(self) -> tuple[int, int]:
        """Largest note id and track id in use (for id allocation after loading)."""
        note_max = max((n.id for t in self.tracks for n in t.notes), default=0)
        track_max = max((t.id for t in self.tracks), default=0)
        return note_max, track_max


def name_key(name: str) -> str:
    """A track name as names are matched: case-blind (``casefold``) and in one Unicode
    form, NFC, so "Flöte" typed on macOS (o and a combining diaeresis, NFD) is the track
    "Flöte"; surrounding whitespace ignored."""
    return unicodedata.normalize("NFC", name.strip()).casefold()


def track_labels(song: Song) -> dict[int, str]:
    """Each track's name as the user tells it from the others, by track id: its name; a
    name that several tracks share gets the track's number (``"Piano (3)"``), a blank one
    is ``"track 3"``."""
    names = [t.name.strip() for t in song.tracks]
    return {track.id: (f"track {number}" if not name
                       else f"{name} ({number})" if names.count(name) > 1 else name)
            for number, (track, name) in enumerate(zip(song.tracks, names, strict=True), 1)}


def track_label(song: Song, track_id: int) -> str:
    """One track's name as the user tells it from the others (:func:`track_labels`): what
    a message that names a track says ("Recorded 16 notes into track 3", not "into ")."""
    return track_labels(song)[track_id]


def adopt_ids(song: Song) -> Song:
    """Register a loaded song's ids so that new notes/tracks never reuse them."""
    _bump_ids(*song.max_ids())
    return song
