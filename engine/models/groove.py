"""Micro-timing for generated notes: the swing (or lay-back) of the music around them.

The token grid has 16th-note steps, so every generated note starts on a 16th line. A
swung loop's off-beat 16ths sit late — a producer's hip-hop loop at 96 PPQ had them 8
ticks late (a triplet 16th feel) — and a regenerated kit or a continuation that lands
them dead on the grid no longer grooves with the bars it sits in (QA: 0 of 161
regenerated hits swung, the loop's own 68 of 165).

Like velocity and articulation, timing is not a model token. A :class:`Groove` is, for
each 16th position of a beat — on the beat, 2nd 16th, off-beat 8th, 4th 16th — how many
ticks the notes there sit off their grid line: the median of the onsets that the song has
at that position within :data:`READ_BARS` bars of the mask (the part's own when it has
:data:`MIN_NOTES` there, else every part's; a take's replaced notes count: they are the
player's timing; a strummed chord counts once, on its first string:
:func:`engine.score.grid_fit.groove_onsets`). A position gets an offset only where the
music clearly swings: enough onsets, most of them (:data:`CONSISTENT`) within
:data:`TOLERANCE` of a median at least :data:`MIN_OFFSET` off the line. Straight music —
every quantized file — reads as no groove at all, and then nothing here changes a tick.

An 8th-note swing at 2:1 (triplet 8ths) puts the off-beat 8th two thirds into the beat,
nearer the 4th 16th's line than its own: read naively it is a 4th 16th played early. When
a beat's off-beat 8ths are (nearly) missing and its 4th 16ths are consistently a quarter
of a 16th early or more, they are read as late off-beat 8ths instead
(:func:`fit_groove`), and :meth:`Groove.grid_tick` snaps them there when the window is
encoded, so the model hears straight 8ths where the player swung them.

:func:`apply_groove` moves each new note's start and its grid end to where their lines
sit in the groove (:meth:`Groove.place`; a line the music did not show lies between the
ones it did), the note keeping its share of that span: swung 8ths come out long-short
(320 + 160 at 480 PPQ) and a legato note still meets the next one; notes stay inside the
mask (a note swung past its region's end is cut there) and kept notes never move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from engine.score import Mask, Note, Region, Song, TimeMap

# The reading of a groove is the song model's (``partita info`` names what this places);
# its thresholds are re-exported here, where the placing code's readers look for them.
from engine.score.grid_fit import (  # noqa: F401
    CONSISTENT,
    EIGHTH_SWING_ALONE,
    EIGHTH_SWING_EARLY,
    MIN_NOTES,
    MIN_OFFSET,
    TOLERANCE,
    fit_offsets,
    grid_offset,
    groove_onsets,
    line_step,
    line_tick,
    position_offsets,
)
from engine.score.overlaps import resolve_overlaps

from . import vocab

POSITIONS = vocab.STEPS_PER_BEAT  # 16ths in a quarter-note beat
READ_BARS = 8  # how far around the mask the groove is read
SHORTEST = 6  # a grooved note lasts at least PPQ/6 (a triplet 16th) where its span allows


def next_line(line: int, tm: TimeMap, ppq: int) -> int:
    """The tick of the 16th line after the grid line at tick ``line``."""
    _, in_bar = tm.metric_position(line)
    return line - in_bar + line_tick(line_step(in_bar, ppq) + 1, ppq)


@dataclass(frozen=True, slots=True)
class Groove:
    """Per 16th position of a beat, the ticks its notes sit after their grid line, and
    whether the music showed it (``measured``: a 2:1 swing's 16ths between its 8ths have
    no notes to say; they are placed between their neighbours, :meth:`line_place`)."""

    offsets: tuple[int, ...] = (0,) * POSITIONS
    measured: tuple[bool, ...] = field(default=(True,) * POSITIONS, compare=False)

    def __bool__(self) -> bool:
        return any(self.offsets)

    def grid_tick(self, tick: int, tm: TimeMap, ppq: int) -> int:
        """The grid line whose place in the groove is nearest ``tick`` (the earlier on a
        tie): where a played note belongs on the grid. Without the groove that is the
        nearest line; with a 2:1 swing, a note two thirds into the beat is the off-beat
        8th, not the 4th 16th its tick is nearer to."""
        _, in_bar = tm.metric_position(tick)
        base = (2 * in_bar * vocab.STEPS_PER_BEAT + ppq) // (2 * ppq)
        best = min(range(max(0, base - 2), base + 3),
                   key=lambda s: (abs(in_bar - line_tick(s, ppq) - self.offsets[s % POSITIONS]),
                                  s))
        return tick - in_bar + line_tick(best, ppq)

    def line_place(self, step: int, ppq: int) -> int:
        """Where the ``step``-th 16th line from a bar's start sits in the groove (ticks
        from the bar's start): its offset where the music showed one; a line it did not
        (the 2nd and 4th 16ths of a 2:1 swing) lies proportionally between the nearest
        lines that it did, so a swung 8th's two 16ths share it (0, 160, 320, 400 at 480
        PPQ) instead of the 4th 16th crowding the late off-beat."""
        position = step % POSITIONS
        if self.measured[position]:
            return line_tick(step, ppq) + self.offsets[position]
        before = next((s for s in range(step - 1, step - POSITIONS, -1)
                       if self.measured[s % POSITIONS]), None)
        after = next((s for s in range(step + 1, step + POSITIONS)
                      if self.measured[s % POSITIONS]), None)
        if before is None or after is None or not (self.offsets[before % POSITIONS]
                                                   or self.offsets[after % POSITIONS]):
            return line_tick(step, ppq) + self.offsets[position]
        a, b = self.line_place(before, ppq), self.line_place(after, ppq)
        return a + round((b - a) * (step - before) / (after - before))

    def offset_at(self, line: int, tm: TimeMap, ppq: int) -> int:
        """The offset of the grid line at tick ``line``: where the encoder reads its notes
        (:meth:`grid_tick`; a line the music did not show reads on the line)."""
        position, _ = grid_offset(line, tm, ppq)
        return self.offsets[position]

    def place(self, line: int, tm: TimeMap, ppq: int) -> int:
        """The tick where the grid line at tick ``line`` sits in the groove, where a new
        note on it is played (:meth:`line_place`)."""
        _, in_bar = tm.metric_position(line)
        return line - in_bar + self.line_place(line_step(in_bar, ppq), ppq)

    def is_monotonic(self, ppq: int) -> bool:
        """Whether the grooved lines keep their order (a note never passes the next)."""
        places = [line_tick(s, ppq) + self.offsets[s % POSITIONS] for s in range(2 * POSITIONS)]
        return all(a < b for a, b in pairwise(places))


# -- reading ----------------------------------------------------------------------------------


def fit_groove(by_position: Sequence[Sequence[int]], ppq: int) -> tuple[Groove, tuple[bool, ...]]:
    """The groove ``by_position`` offsets (:func:`position_offsets`) show, and per
    position whether it had enough consistent onsets to say (an unsure position reads 0):
    :func:`engine.score.grid_fit.fit_offsets`, the one reading of a groove (an 8th swing
    included: early 4th 16ths with the off-beat 8th line nearly empty are the off-beat
    8ths, late)."""
    offsets, known = fit_offsets(by_position, ppq)
    return Groove(offsets, known), known


def song_grooves(song: Song, mask: Mask) -> dict[int, Groove]:
    """Per track of ``song``, the groove around ``mask`` where it has one (tracks that
    read straight are left out: an empty mapping is straight music). A position's offset
    is the track's own where its onsets there say, else every track's; where the two do
    not fit together (the grooved lines would pass each other), the track's own alone,
    else every track's. A drummer's 2:1 swung hats over a band's straight 8ths read the
    band's off-beats as theirs "4th 16ths early" and lost their swing (a drummer's QA:
    regenerated hats came back straight in 3 of 3 takes)."""
    if mask.is_empty or not song.tracks:
        return {}
    tm = TimeMap.of(song)
    lo, hi = tm.bars_around(*mask.span, READ_BARS)
    # A strum speaks once, on its first string (engine.score.grid_fit.groove_onsets).
    onsets = {t.id: [tick for tick in groove_onsets(t.notes, song.ppq) if lo <= tick < hi]
              for t in song.tracks}
    every = [tick for ticks in onsets.values() for tick in ticks]
    shared, _ = fit_groove(position_offsets(every, tm, song.ppq), song.ppq)
    out = {}
    for tid, ticks in onsets.items():
        own, known = fit_groove(position_offsets(ticks, tm, song.ppq), song.ppq)
        groove = Groove(tuple(o if k else s for o, k, s in
                              zip(own.offsets, known, shared.offsets, strict=True)),
                        tuple(k or s for k, s in zip(known, shared.measured, strict=True)))
        if not groove.is_monotonic(song.ppq):
            groove = next((g for g in (own, shared) if g and g.is_monotonic(song.ppq)),
                          Groove())
        if groove:
            out[tid] = groove
    return out


def swings(grooves: Mapping[int, Groove], ppq: int) -> bool:
    """Whether the music around a mask swings its 8ths: one of ``grooves``
    (:func:`song_grooves`) has its off-beat 8th later than its beat by
    :data:`MIN_OFFSET` of a 16th or more. A laid-back groove (every line alike late) or
    a 16th swing (hip-hop) does not: a bass written under chord symbols walks only in a
    swung 8ths' feel (:func:`engine.models.chord_follow.walk_bass`)."""
    least = MIN_OFFSET * ppq / POSITIONS
    half = POSITIONS // 2  # the off-beat 8th's 16th
    return any(g.offsets[half] - g.offsets[0] >= least for g in grooves.values())


# -- applying -------------------------------------------------------------------------------------


def groove_note(note: Note, groove: Groove, tm: TimeMap, ppq: int,
                grid_end: int | None = None) -> Note:
    """``note`` (a generated one: its start on a grid line) in the groove: its start and
    its grid end (``grid_end``, the line it lasted to on the grid before its release;
    by default the first line at or after its end) each moved to where their lines sit
    in the groove (:meth:`Groove.place`), its length the same share of that span as of
    the grid's — a swung pair of 8ths is 320 + 160 ticks long at 480 PPQ, legato or
    released alike. A note the groove would move before the song's start stays."""
    start = groove.place(note.start, tm, ppq)
    if start < 0:
        return note
    if grid_end is None:
        grid_end = groove_end_line(note.end, tm, ppq)
    span, grooved = grid_end - note.start, groove.place(grid_end, tm, ppq) - start
    if span <= 0 or grooved <= 0:
        return replace(note, start=start)
    # The share the articulation gave it, never below half the grooved span nor, where
    # the span allows, a triplet 16th: the piano's 16th stabs on a 2:1 swung off-beat
    # (an 80-tick span, the comp released 60 before its lines) came out 40 long.
    duration = max(round(note.duration * grooved / span), (grooved + 1) // 2,
                   ppq // SHORTEST)
    return replace(note, start=start, duration=min(duration, grooved))


def groove_end_line(tick: int, tm: TimeMap, ppq: int) -> int:
    """The tick of the first grid line at or after ``tick``."""
    _, in_bar = tm.metric_position(tick)
    step = -(-in_bar * vocab.STEPS_PER_BEAT // ppq)
    while line_tick(step, ppq) < in_bar:
        step += 1
    return tick - in_bar + line_tick(step, ppq)


def apply_groove(
    song: Song,
    result: Mapping[int, Iterable[Note]],
    grooves: Mapping[int, Groove],
    mask: Mask,
    kept: Mapping[int, Iterable[Note]],
    grid: Mapping[int, Iterable[Note]] | None = None,
) -> dict[int, tuple[Note, ...]]:
    """``result`` with each track's new notes in its groove (:func:`groove_note`). A note
    whose grooved start would leave its region stays where it is; one whose grooved end
    would pass the region's end is swung and cut there (:func:`clip_to_region`); one
    sounding note per pitch still holds with the ``kept`` notes. ``grid``: the same notes
    (by id) as the grid wrote them, before their release."""
    grid_ends = {n.id: n.end for notes in (grid or {}).values() for n in notes}
    out: dict[int, tuple[Note, ...]] = {}
    tm = TimeMap.of(song)
    for tid, notes in result.items():
        notes = tuple(notes)
        groove = grooves.get(tid)
        if not groove or not notes:
            out[tid] = notes
            continue
        moved = []
        for n in notes:
            g = groove_note(n, groove, tm, song.ppq, grid_ends.get(n.id))
            region = next((r for r in mask.regions if r.contains_note(tid, n)), None)
            inside = region is not None and region.contains_note(tid, g)
            moved.append(clip_to_region(g, n, region) if inside else n)
        out[tid] = resolve_overlaps(moved, kept.get(tid, ()))
    return out


def clip_to_region(grooved: Note, note: Note, region: Region) -> Note:
    """``grooved`` (``note`` in the groove, starting inside ``region``) ending no later
    than the region's end, or than ``note`` ended where that was later (the decoder ends a
    note at the step its region ends in). Left unswung instead, the take's last 4-and (a
    song's ragged mid-bar end: the 8th's grooved end passed it) sat straight at 240 among
    notes swung at 307 (a jazz pianist's QA)."""
    end = max(note.end, region.end)
    return grooved if grooved.end <= end else replace(grooved, duration=end - grooved.start)
