"""How a song's notes sit against the 16th grid the models read: what is off it, and why.

The models see a song as 16th-note steps (docs/model-representation.md). A note that
starts between two lines — a swung 8th, a triplet, a pushed or dragged beat — is kept
exactly where it is outside a take's region and read rounded to the nearest line inside
it; the generated notes are 16ths, moved by the swing the groove module reads
(:mod:`engine.models.groove`). A jazz QA opened a swung tune with triplet fills and
nothing said so. :func:`grid_fit` says it, per track, in four kinds:

* **strummed**: the later notes of a strummed or rolled chord (a guitar's strings 10–40
  ticks apart: :func:`engine.score.strums.struck_together`), which the models read on
  the step their chord is struck on. A guitarist's strums had been called triplets;

* **swung**: notes on a 16th position of the beat that the track consistently plays
  late or early (its off-beat 8ths two thirds into the beat; its 2nd and 4th 16ths late;
  its beats laid back): the feel a take puts back on its own notes. Read by
  :func:`fit_offsets`, the one reading of a groove (:mod:`engine.models.groove` places a
  take's notes by it), over the whole track;
* **triplets**: notes on a line that divides the beat in three or six, where the beat is
  not the swing's (a triplet fill in a swung tune: its notes at a third and two thirds of
  the beat are triplets, the swing's two-thirds 8th alone in a beat is swing);
* **other**: the rest off the grid — 32nds, quintuplets, a performance's free timing.

The first note of a strum is read as any note (a strum on a swung 8th is swung); the
swing is read from the onsets of the chords, not of their later strings
(:func:`groove_onsets`, which the groove module reads too: a straight strummed guitar
had been placed laid back, a swung one straight).

Only onsets count: a note that starts on a line and ends between two is articulation
(its length), which the articulation module reads. On the grid means the grid's own
rounding: step ``i`` lies at tick ``round(i * ppq / 4)`` from the song's start.
Pure: the command line's ``info``, the studio's open message and the take warnings read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from .edits import listed, plural
from .song import Note, Song, Track, track_labels
from .strums import struck_together, strummed
from .timing import TimeMap

STEPS_PER_BEAT = 4  # 16ths in a quarter note: the grid's step
# How a groove is read (here for the song model, and for engine.models.groove, which
# places notes by it): a position swings where MIN_NOTES onsets or more sit, CONSISTENT of
# them within TOLERANCE (of a 16th) of a median at least MIN_OFFSET off the line; 4th 16ths
# EIGHTH_SWING_EARLY early with fewer than EIGHTH_SWING_ALONE of their count on the
# off-beat 8th line are swung 8ths, late.
MIN_NOTES = 8
MIN_OFFSET = 1 / 8
TOLERANCE = 1 / 8
CONSISTENT = 0.6
EIGHTH_SWING_EARLY = 1 / 4
EIGHTH_SWING_ALONE = 1 / 4

SWUNG, TRIPLET, OTHER, STRUMMED = "swung", "triplet", "other", "strummed"
TRIPLET_LINES = (1, 2, 4, 5)  # sixths of a beat off the 16th lines (3 sixths is the 8th)


@dataclass(frozen=True, slots=True)
class TrackTiming:
    """One track's notes off the 16th grid, by kind (note ids), and the swing it plays:
    per 16th position of the beat, the ticks its notes there sit off the line (all 0:
    straight)."""

    track_id: int
    label: str  # as the user tells it from the others (:func:`track_labels`)
    swing: tuple[int, ...] = (0,) * STEPS_PER_BEAT
    feel: str = ""  # the swing in words (:func:`feel_of`)
    swung: frozenset[int] = frozenset()
    triplets: frozenset[int] = frozenset()
    other: frozenset[int] = frozenset()
    strummed: frozenset[int] = frozenset()

    @property
    def off_grid(self) -> int:
        return len(self.swung) + len(self.triplets) + len(self.other) + len(self.strummed)

    def kind(self, note_id: int) -> str | None:
        """:data:`SWUNG`, :data:`TRIPLET`, :data:`OTHER`, :data:`STRUMMED`, or None for a
        note on the grid."""
        return (SWUNG if note_id in self.swung else TRIPLET if note_id in self.triplets
                else OTHER if note_id in self.other
                else STRUMMED if note_id in self.strummed else None)


@dataclass(frozen=True, slots=True)
class GridFit:
    """A song's notes off the 16th grid: one :class:`TrackTiming` per track that has any."""

    tracks: tuple[TrackTiming, ...] = ()
    by_id: Mapping[int, TrackTiming] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return bool(self.tracks)

    @property
    def off_grid(self) -> int:
        return sum(t.off_grid for t in self.tracks)

    @property
    def swung(self) -> int:
        return sum(len(t.swung) for t in self.tracks)

    @property
    def triplets(self) -> int:
        return sum(len(t.triplets) for t in self.tracks)

    @property
    def other(self) -> int:
        return sum(len(t.other) for t in self.tracks)

    @property
    def strummed(self) -> int:
        return sum(len(t.strummed) for t in self.tracks)

    def kind(self, track_id: int, note_id: int) -> str | None:
        timing = self.by_id.get(track_id)
        return timing.kind(note_id) if timing is not None else None

    def summary(self) -> str:
        """``"212 notes off the 16th grid (200 swung 8ths in Sax and Piano; 12 triplet
        notes in Sax)"``, then ``"…; 3 notes of other micro-timing in Drums"`` and ``"…;
        40 strummed/rolled chord notes in Acoustic"``; "" when every note starts on a
        line."""
        if not self.tracks:
            return ""
        parts = []
        feels: dict[str, list[TrackTiming]] = {}
        for t in self.tracks:
            if t.swung:
                feels.setdefault(t.feel, []).append(t)
        for feel, tracks in feels.items():
            parts.append(f"{sum(len(t.swung) for t in tracks):,} {feel} in {_names(tracks)}")
        if self.triplets:
            parts.append(f"{plural(self.triplets, 'triplet note', grouped=True)} in "
                         f"{_names([t for t in self.tracks if t.triplets])}")
        if self.other:
            other = [t for t in self.tracks if t.other]
            parts.append(f"{plural(self.other, 'note', grouped=True)} of "
                         f"{'other ' if parts else ''}micro-timing in {_names(other)}")
        if self.strummed:
            parts.append(f"{plural(self.strummed, STRUM_NOTE, grouped=True)} in "
                         f"{_names([t for t in self.tracks if t.strummed])}")
        return (f"{plural(self.off_grid, 'note', grouped=True)} off the 16th grid "
                f"({'; '.join(parts)})")

    def text(self) -> str:
        """:meth:`summary`, and what becomes of them: the line ``partita info`` prints."""
        if not self.tracks:
            return ""
        feels = {t.feel for t in self.tracks if t.swung}
        swing = ("" if not feels else " and plays its own notes with the swing"
                 if any(f.startswith("swung") for f in feels)
                 else " and plays its own notes with the same feel")
        strums = " (a strum's strings on its chord's)" if self.strummed else ""
        return (f"{self.summary()}: kept exactly; the model reads them rounded to 16ths"
                f"{strums}{swing}")

    def to_json(self, song: Song) -> dict[str, Any]:
        """The figures, per track by its number (from 1) and name."""
        numbers = {t.id: i for i, t in enumerate(song.tracks, 1)}
        return {
            "off_grid": self.off_grid, "swung": self.swung, "triplets": self.triplets,
            "other": self.other, "strummed": self.strummed,
            "tracks": [{"number": numbers[t.track_id], "name": t.label,
                        "off_grid": t.off_grid, "swing": t.feel, "swing_ticks": list(t.swing),
                        "swung": len(t.swung), "triplets": len(t.triplets),
                        "other": len(t.other), "strummed": len(t.strummed)}
                       for t in self.tracks],
        }


NAMES_SHOWN = 4  # tracks named in a summary, then "and N more"
STRUM_NOTE = "strummed/rolled chord note"  # a strum's later strings, as they are said


def _names(tracks: Sequence[TrackTiming]) -> str:
    names = [t.label for t in tracks[:NAMES_SHOWN]]
    if len(tracks) > NAMES_SHOWN:
        names.append(f"{len(tracks) - NAMES_SHOWN} more")
    return listed(names)


def grid_fit(song: Song, track_ids: Iterable[int] | None = None) -> GridFit:
    """How the notes of ``song`` (its tracks ``track_ids``, else all) sit against the
    16th grid: the tracks with notes off it, by kind (module docstring)."""
    tm, labels = TimeMap.of(song), track_labels(song)
    wanted = None if track_ids is None else set(track_ids)
    out = [t for track in song.tracks if wanted is None or track.id in wanted
           if (t := track_timing(track, tm, song.ppq, labels[track.id])).off_grid]
    return GridFit(tuple(out), {t.track_id: t for t in out})


def track_timing(track: Track, tm: TimeMap, ppq: int, label: str = "",
                 swing: Sequence[int] | None = None) -> TrackTiming:
    """One track's notes off the grid (:func:`grid_fit`). ``swing``: read them against
    this swing (another track's: a comping part with a few swung 8ths in a swung tune)
    rather than the one its own notes show."""
    off = [n for n in track.notes if not on_grid(n.start, ppq)]
    if not off:
        return TrackTiming(track.id, label or track.name)
    # A strum's later strings: its own kind, and no part of the swing (the chord's is).
    later = strum_strings(track.notes, ppq)
    strum_ids = {n.id for n in off if n.id in later}
    off = [n for n in off if n.id not in later]
    swing = (read_swing(groove_onsets(track.notes, ppq), tm, ppq) if swing is None
             else tuple(swing))
    tolerance = max(1.0, TOLERANCE * ppq / STEPS_PER_BEAT)
    kinds: dict[int, tuple[bool, bool]] = {}  # onset → (swung, on a triplet line)
    beats_with_triplets = set()  # the beats (their ticks) a triplet figure plays in
    for tick in {n.start for n in off}:
        _, in_bar = tm.metric_position(tick)
        in_beat = in_bar % ppq
        swung = _swung(in_bar, swing, ppq, tolerance)
        triplet = any(abs(6 * in_beat - k * ppq) <= 6 * tolerance for k in TRIPLET_LINES)
        kinds[tick] = swung, triplet
        if triplet and not swung:
            beats_with_triplets.add(tick - in_beat)
    swung_ids, triplet_ids, other_ids = set(), set(), set()
    for n in off:
        swung, triplet = kinds[n.start]
        if triplet and (not swung or _beat_of(n.start, tm, ppq) in beats_with_triplets):
            triplet_ids.add(n.id)
        elif swung:
            swung_ids.add(n.id)
        else:
            other_ids.add(n.id)
    swing = swing if swung_ids else (0,) * STEPS_PER_BEAT
    return TrackTiming(track.id, label or track.name, swing, feel_of(swing, ppq),
                       frozenset(swung_ids), frozenset(triplet_ids), frozenset(other_ids),
                       frozenset(strum_ids))


def strum_strings(notes: Iterable[Note], ppq: int) -> set[int]:
    """The ids of ``notes`` that are a strummed or rolled chord's later strings
    (:func:`engine.score.strums.strummed`): the notes after its first tick."""
    return {n.id for chord in struck_together(notes, ppq) if strummed(chord)
            for n in chord if n.start != chord[0].start}


def groove_onsets(notes: Iterable[Note], ppq: int) -> list[int]:
    """The onsets of ``notes`` a groove is read from, in order: each chord's once, a strum
    on its first string's tick (:func:`strum_strings` are left out). A straight strummed
    guitar's strings, 12–30 ticks apart, had read as laid-back beats or pushed 2nd 16ths
    (and, through every part's reading, moved a regenerated bass and kit with them), and a
    swung one's up-strums had drowned its swing."""
    notes = list(notes)
    later = strum_strings(notes, ppq)
    return sorted({n.start for n in notes if n.id not in later})


def feel_of(swing: Sequence[int], ppq: int) -> str:
    """A swing (:func:`read_swing`) in words: ``"swung 8ths"``, ``"swung 16ths"``,
    ``"swung 8ths and 16ths"`` (off-beats late), ``"laid-back notes"`` (beats late),
    ``"pushed notes"`` (early), ``"triplet-feel notes"`` (2nd 16ths late and 4th early,
    on a third and two thirds of the beat: a 12/8 feel written in 4/4), ``"grooved
    notes"`` (other mixes); "" straight."""
    late = {p for p, o in enumerate(swing) if o > 0}
    early = {p for p, o in enumerate(swing) if o < 0}
    if early and late:
        tolerance = max(1.0, TOLERANCE * ppq / STEPS_PER_BEAT)
        places = [line_tick(p, ppq) + o for p, o in enumerate(swing) if o]
        thirds = all(min(abs(3 * t - k * ppq) for k in (1, 2)) <= 3 * tolerance
                     for t in places)
        return "triplet-feel notes" if thirds else "grooved notes"
    if early:
        return "pushed notes"
    if late == {0}:
        return "laid-back notes"
    eighths, sixteenths = 2 in late, bool(late & {1, 3})
    words = [w for w, on in (("8ths", eighths), ("16ths", sixteenths)) if on]
    return "swung " + " and ".join(words) if words else ""


def on_grid(tick: int, ppq: int) -> bool:
    """Whether ``tick`` lies on a 16th line of the grid (``round(i * ppq / 4)``)."""
    step = (STEPS_PER_BEAT * tick) // ppq
    return any(line_tick(s, ppq) == tick for s in (step, step + 1))


def line_tick(step: int, ppq: int) -> int:
    """Tick of the ``step``-th 16th line from a bar's start (the grid's rounding)."""
    return (step * ppq + 2) // STEPS_PER_BEAT  # as engine.models.grid rounds it


def line_step(in_bar: int, ppq: int) -> int:
    """The 16th line nearest ``in_bar`` ticks from a bar's start."""
    return (2 * in_bar * STEPS_PER_BEAT + ppq) // (2 * ppq)


def grid_offset(tick: int, tm: TimeMap, ppq: int) -> tuple[int, int]:
    """``(position, offset)``: the 16th position in the beat (0–3) of the grid line
    nearest ``tick`` and how many ticks ``tick`` lies after it. Positions count from the
    bar's start (a pickup's from the full bar it leads into), so 7/8's bars each start on
    the beat."""
    _, in_bar = tm.metric_position(tick)
    step = line_step(in_bar, ppq)
    return step % STEPS_PER_BEAT, in_bar - line_tick(step, ppq)


def _beat_of(tick: int, tm: TimeMap, ppq: int) -> int:
    _, in_bar = tm.metric_position(tick)
    return tick - in_bar % ppq


def _swung(in_bar: int, swing: Sequence[int], ppq: int, tolerance: float) -> bool:
    """Whether a note ``in_bar`` ticks into its bar sits where the swing puts a line."""
    base = line_step(in_bar, ppq)
    return any(swing[s % STEPS_PER_BEAT]
               and abs(in_bar - line_tick(s, ppq) - swing[s % STEPS_PER_BEAT]) <= tolerance
               for s in range(max(0, base - 2), base + 3))


def read_swing(onsets: Iterable[int], tm: TimeMap, ppq: int) -> tuple[int, ...]:
    """Per 16th position of the beat, the ticks ``onsets`` there consistently sit off
    their line (0 where they do not: straight, or too few to say), 2:1 swung 8ths
    included: :func:`fit_offsets` of :func:`position_offsets`."""
    return fit_offsets(position_offsets(onsets, tm, ppq), ppq)[0]


def position_offsets(onsets: Iterable[int], tm: TimeMap, ppq: int) -> list[list[int]]:
    """Per 16th position, the offsets of ``onsets`` (ticks) from their nearest grid line."""
    out: list[list[int]] = [[] for _ in range(STEPS_PER_BEAT)]
    for tick in onsets:
        position, offset = grid_offset(tick, tm, ppq)
        out[position].append(offset)
    return out


def clear_offset(offsets: Sequence[int], ppq: int) -> int | None:
    """The offset a position's onsets agree on, or None: at least :data:`MIN_NOTES`,
    :data:`CONSISTENT` of them within :data:`TOLERANCE` of their median. 0 for a median
    under :data:`MIN_OFFSET` (straight)."""
    if len(offsets) < MIN_NOTES:
        return None
    sixteenth = ppq / STEPS_PER_BEAT
    middle = median(offsets)
    if abs(middle) < MIN_OFFSET * sixteenth:
        return 0
    near = sum(abs(v - middle) <= max(1.0, TOLERANCE * sixteenth) for v in offsets)
    return round(middle) if near >= CONSISTENT * len(offsets) else None


def fit_offsets(by_position: Sequence[Sequence[int]], ppq: int
                ) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """The offsets ``by_position`` (:func:`position_offsets`) show, and per position
    whether it had enough consistent onsets to say (an unsure position reads 0). Reads an
    8th swing: early 4th 16ths with the off-beat 8th line (nearly) empty are the off-beat
    8ths, late. The one reading of a groove: :func:`engine.models.groove.fit_groove` places
    notes by it, ``partita info`` and the take warnings name it."""
    clear = [clear_offset(v, ppq) for v in by_position]
    offsets = [c or 0 for c in clear]
    known = [c is not None for c in clear]
    if (clear[3] is not None and clear[3] <= -EIGHTH_SWING_EARLY * ppq / STEPS_PER_BEAT
            and len(by_position[2]) < EIGHTH_SWING_ALONE * len(by_position[3])):
        offsets[2], offsets[3] = clear[3] + line_tick(1, ppq), 0
        known[2], known[3] = True, False
    return tuple(offsets), tuple(known)


__all__ = ["OTHER", "STRUMMED", "STRUM_NOTE", "SWUNG", "TRIPLET", "GridFit", "TrackTiming",
           "clear_offset", "fit_offsets", "grid_fit", "grid_offset", "groove_onsets", "line_step",
           "line_tick", "on_grid", "position_offsets", "read_swing", "strum_strings",
           "track_timing"]
