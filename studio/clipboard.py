"""Copy and paste of notes, across tracks and bars.

Copied notes are kept relative to the earliest copied onset, with the track they came
from — or, copied from a bar selection (Ctrl+B), relative to the bar line it began at,
so that a part that comes in late in the bars (strings from the fifth of eight) is
pasted as late in the bars at the playhead; such a copy takes the tracks' controllers in
those bars too (the pedal, bends, volume, expression) and what was in force where they
begin (the pedal down, a bend), and pasting puts them in the bars pasted over in place of
the target's own, setting again after the paste what the target had there.

Pasting puts them at a tick: notes from one track go into the current track when it
is of their kind, else to the next track of their kind from the current one down; notes
from several tracks go back into their own tracks where those still exist, and the notes
of tracks that are gone (another song, a deleted track) go to the other tracks from the
current one down, in order — a drum track's only to a drum track, a pitched track's only
to a pitched one (a kit's keys are drums, not pitches). What finds no track is left out,
and :attr:`Pasted.message` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from engine.score import (
    ControlEvent,
    Edit,
    EditGroup,
    Note,
    SetTrackProps,
    Song,
    add_notes,
    new_note_id,
    plural,
    track_labels,
)
from engine.score.controller_state import Key, span_replaced, state_before


@dataclass(frozen=True, slots=True)
class Source:
    """A track notes were copied from, as it was then."""

    id: int
    name: str  # as the user told it from the others then (a blank one: "track 2")
    is_drum: bool


@dataclass(frozen=True, slots=True)
class Clip:
    """Copied notes: ``(source track id, note with start relative to the clip)``, and the
    tracks they came from in the song's order."""

    notes: tuple[tuple[int, Note], ...]
    length: int  # span from the first onset (a bar copy: its first bar line) to the last
    # note-off (a bar copy: its last bar line)
    sources: tuple[Source, ...]
    # A bar copy's controllers, relative as the notes are, and each source's controllers
    # where the bars begin.
    controls: tuple[tuple[int, ControlEvent], ...] = ()
    starts: dict[int, dict[Key, int]] = field(default_factory=dict)
    bars: bool = False  # copied from a bar selection

    @property
    def track_ids(self) -> list[int]:
        return list(dict.fromkeys(tid for tid, _ in self.notes))


@dataclass(frozen=True, slots=True)
class Pasted:
    """What a paste does: the edit, the ``(track, note id)`` keys it adds, and where the
    notes go (or why some do not), for the status bar."""

    edit: Edit
    keys: list[tuple[int, int]]
    message: str


def copy_notes(selected: dict[int, list[Note]], song: Song,
               bars: tuple[int, int] | None = None) -> Clip | None:
    """A clip of the selected notes of ``song`` (``None`` when nothing is selected).
    ``bars``: the ticks ``[start, end)`` of the bars the selection was made of (Ctrl+B):
    the notes are kept from ``start``, and the tracks' controllers in the bars with them."""
    pairs = [(tid, n) for tid, notes in selected.items() for n in notes]
    if not pairs:
        return None
    origin = bars[0] if bars else min(n.start for _, n in pairs)
    end = bars[1] if bars else max(n.end for _, n in pairs)
    rel = tuple((tid, replace(n, start=n.start - origin)) for tid, n in pairs)
    labels = track_labels(song)
    sources = tuple(Source(t.id, labels[t.id], t.is_drum) for t in song.tracks if t.id in selected)
    if bars is None:
        return Clip(rel, end - origin, sources)
    tracks = [song.track(s.id) for s in sources]
    controls = tuple((t.id, replace(c, tick=c.tick - origin)) for t in tracks
                     for c in t.controls if origin <= c.tick < end)
    starts = {t.id: state_before(t.controls, origin) for t in tracks}
    return Clip(rel, end - origin, sources, controls, starts, bars=True)


def controls_left_behind(selected: dict[int, list[Note]], song: Song) -> int:
    """How many controller events (pedal, bends, …) the selected tracks have where the
    selected notes are: a copy of notes (not bars) leaves them behind, and says so."""
    notes = [n for v in selected.values() for n in v]
    if not notes:
        return 0
    start, end = min(n.start for n in notes), max(n.end for n in notes)
    return sum(1 for tid in selected for c in song.track(tid).controls if start <= c.tick < end)


def paste_targets(song: Song, clip: Clip,
                  current_track: int | None) -> tuple[dict[int, int], list[Source]]:
    """Which track each source track's notes go to, and the sources left out.

    One source: the current track when it is of the source's kind (drums / pitched), else
    the next track of that kind from the current one down (a kit's hits pasted into a bass
    line went in as low notes). Several: each to itself where it still exists; the
    missing ones, in order, to the next track of their kind from the current one down
    that no source takes."""
    known = {t.id for t in song.tracks}
    below = song.tracks[song.track_index(current_track):] if current_track in known else ()
    if len(clip.sources) == 1:
        (source,) = clip.sources
        target = next((t.id for t in below if t.is_drum is source.is_drum), None)
        return ({source.id: target}, []) if target is not None else ({}, [source])
    targets = {s.id: s.id for s in clip.sources if s.id in known}
    free = {kind: [t.id for t in below if t.is_drum is kind and t.id not in targets]
            for kind in (False, True)}
    left_out = []
    for s in clip.sources:
        if s.id in targets:
            continue
        if free[s.is_drum]:
            targets[s.id] = free[s.is_drum].pop(0)
        else:
            left_out.append(s)
    return targets, left_out


def paste_edit(song: Song, clip: Clip, at: int, current_track: int | None) -> Pasted:
    """Paste ``clip`` at tick ``at`` (see :func:`paste_targets` for which tracks).

    Fresh note ids are given to every pasted note, so pasting twice gives two copies.
    """
    targets, left_out = paste_targets(song, clip, current_track)
    per_track: dict[int, list[Note]] = {}
    for tid, n in clip.notes:
        if tid in targets:
            per_track.setdefault(targets[tid], []).append(
                replace(n, start=n.start + at, id=new_note_id()))
    edits: list[Edit] = [add_notes(tid, notes) for tid, notes in per_track.items()]
    count = sum(len(v) for v in per_track.values())
    controls = _pasted_controls(song, clip, at, targets) if clip.bars else []
    edits += controls
    label = f"Paste {plural(count, 'note')}"
    keys = [(tid, n.id) for tid, notes in per_track.items() for n in notes]
    return Pasted(EditGroup(tuple(edits), label), keys,
                  _message(song, clip, targets, left_out, count, current_track,
                           bool(controls)))


def _pasted_controls(song: Song, clip: Clip, at: int,
                     targets: dict[int, int]) -> list[SetTrackProps]:
    """A bar copy's controllers put in the bars it is pasted over, in place of each
    target track's own there (two pedals' events mixed would be neither's), the state
    where the copied bars began set at ``at``, and the target's after them again at the
    end (:func:`~engine.score.controller_state.span_replaced`)."""
    edits = []
    for source, target in targets.items():
        track = song.track(target)
        copied = [replace(c, tick=c.tick + at) for tid, c in clip.controls if tid == source]
        controls = span_replaced(track.controls, at, at + clip.length, copied,
                                 clip.starts.get(source, {}))
        if controls != track.controls:
            edits.append(SetTrackProps(target, (("controls", track.controls),),
                                       (("controls", controls),), "Paste controllers"))
    return edits


def _names(names: Iterable[str]) -> str:
    return ", ".join(names)


def _message(song: Song, clip: Clip, targets: dict[int, int], left_out: list[Source],
             count: int, current_track: int | None = None, controls: bool = False) -> str:
    """"Pasted 5 notes into Lead (Bass's), Piano; 386 left out: no drum track from the
    current one down for Drums"; one track's notes that could not go into the current
    track say why: "Pasted 8 notes into Drums (Piano is not a drum track)"; a bar copy's
    controllers pasted too: "Pasted 40 notes and their controllers into Strings"."""
    several = len(clip.sources) > 1
    current = next((t for t in song.tracks if t.id == current_track), None)
    labels = track_labels(song)  # (a blank name: "track 2")
    passed = ""  # the current track, passed over for its kind
    if not several and current is not None and current.is_drum is not clip.sources[0].is_drum:
        kind = "a drum kit" if current.is_drum else "not a drum track"
        passed = f" ({labels[current.id]} is {kind})"
    into = []
    for t in song.tracks:  # in the song's order
        came = [s for s in clip.sources if targets.get(s.id) == t.id]
        if several and came and came[0].id != t.id:  # a track that is gone: whose notes
            into.append(f"{labels[t.id]} ({_names(s.name for s in came)}'s)")
        elif came:
            into.append(labels[t.id])
    what = plural(count, "note") + (" and their controllers" if controls else "")
    said = f"Pasted {what} into {_names(into)}" if count else "Nothing pasted"
    if not left_out:
        return said + passed
    gone = {s.id for s in left_out}
    dropped = sum(1 for tid, _ in clip.notes if tid in gone)
    where = " from the current one down" if several or current is not None else ""
    why = [f"no {kind}{where} for {_names(names)}"
           for kind, names in (("track", [s.name for s in left_out if not s.is_drum]),
                               ("drum track", [s.name for s in left_out if s.is_drum]))
           if names]
    return f"{said}; {dropped:,} left out: {'; '.join(why)}{passed}"
