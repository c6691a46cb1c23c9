"""Merge Tracks: several tracks' notes made one track's, as a DAW's Merge (Track ▸ Merge
Tracks…, ``partita tracks --merge``).

What a MIDI guitar sends (one channel per string, MPE-like) is read as one track per
channel; a musician wants one guitar. A track has one channel, and its pitch bends,
aftertouch and controllers are that channel's (``Track.controls``): the song has no
per-note channel to keep six strings' bends apart, so the rule is:

- the notes all go to the first track, with its instrument, channel, mix (bank, volume,
  pan, later program changes) and name — channels the importer split from one MIDI track
  ("Lead Gtr (Overdriven Guitar) (ch 1)", …: every merged track has its "(ch N)") get
  that MIDI track's name again, "Lead Gtr";
- a controller every merged track sends alike (the strings' bend range, a pedal sent to
  all) is kept once;
- a controller the tracks send differently (each string's bends) cannot be kept: one
  channel's bends would bend every string. They are dropped, all of them, and counted in
  :attr:`TrackMerge.dropped`; the front ends merge so only when the user accepts it;
- two notes of one pitch from different tracks sounding at once are settled as a piano
  roll settles overlaps (:func:`~engine.score.overlaps.resolve_overlaps`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .edits import ChangeNotes, DeleteTrack, EditError, EditGroup, listed, plural, set_track_props
from .instruments import CC_BANK_LSB, CC_BANK_MSB, bank_at, program_name
from .overlaps import resolve_overlaps
from .song import ControlEvent, Note, Song, Track

# Controllers that are the track's instrument and mix, not its playing: the first track's
# are the merged track's, as its program is (the others' notes play on its sound).
_SOUND_CCS = frozenset({CC_BANK_MSB, CC_BANK_LSB, 7, 10})  # bank, volume, pan
_CHANNEL_SUFFIX = re.compile(r"\s*\(ch \d+\)$")  # the importer's "Lead Gtr (ch 1)"

_KIND_WORDS = {"pitchwheel": "pitch bend", "aftertouch": "aftertouch message",
               "polytouch": "key aftertouch message", "control_change": "controller message"}


@dataclass(frozen=True, slots=True)
class TrackMerge:
    """A merge worked out: the edit (one undo step) and what it keeps and loses."""

    edit: EditGroup
    into: str  # the merged track's name, after the merge
    merged: tuple[str, ...]  # every merged track's name, the first first
    notes: int  # notes the others bring
    dropped: tuple[tuple[str, int], ...]  # (kind, count) of controls that differed
    dropped_ccs: tuple[int, ...]  # the controller numbers among those
    shared: int  # control events every track sent alike, kept once
    sound: str  # the instrument the merged notes play on
    channel: int  # 0-based: the first track's
    other_sounds: tuple[str, ...]  # tracks that played another instrument, now the first's
    settled: int  # notes joined or cut where two tracks sounded one pitch at once

    @property
    def lost(self) -> str:
        """``"412 pitch bends and 12 controller messages (CC 1, 11)"``, or ``""``: what
        merging drops (the user must accept it)."""
        parts = []
        for kind, n in self.dropped:
            text = plural(n, _KIND_WORDS[kind], grouped=True)
            if kind == "control_change":
                text += f" (CC {', '.join(map(str, self.dropped_ccs))})"
            parts.append(text)
        return listed(parts) if parts else ""

    def why_lost(self) -> str:
        """What is lost and why, for the question before merging and a refusal."""
        return (f"the tracks' {self.lost} are not alike, and one track has one MIDI "
                "channel, whose bends and controllers sound on all its notes (one string's "
                "bend would bend every string): merging drops them")

    def text(self) -> str:
        """What the merge did, in one line (the status bar, the CLI's stdout)."""
        others = len(self.merged) - 1
        done = [f"merged {plural(others + 1, 'track')} into {self.into!r} "
                f"({plural(self.notes, 'note', grouped=True)} added), on {self.sound}, "
                f"channel {self.channel + 1}, with the first track's volume and pan"]
        if self.shared:
            done.append(f"kept the {plural(self.shared, 'controller event')} they all sent "
                        "alike")
        if self.dropped:
            done.append(f"dropped {self.lost} that differed between them")
        else:
            done.append("no pitch bends or controllers lost")
        if self.other_sounds:
            done.append(f"{listed([repr(n) for n in self.other_sounds])} now "
                        f"{'plays' if len(self.other_sounds) == 1 else 'play'} as {self.sound}")
        if self.settled:
            done.append(f"{plural(self.settled, 'note')} where two tracks sounded one pitch "
                        "at once joined or cut, as the piano roll does")
        text = "; ".join(done)
        return text[0].upper() + text[1:]


def merge_tracks(song: Song, track_ids: list[int]) -> TrackMerge:
    """Merge the tracks ``track_ids`` into the first of them (the module's rule).
    EditError for fewer than two tracks, one given twice, or a drum kit with a pitched
    track (a kit's keys are drums: a melody merged into it would play as drums)."""
    if len(set(track_ids)) != len(track_ids):
        raise EditError("Merge Tracks: a track is given twice")
    if len(track_ids) < 2:
        raise EditError("Merge Tracks: choose two or more tracks to merge")
    tracks = [song.track(tid) for tid in track_ids]
    first, others = tracks[0], tracks[1:]
    kits = [t.name for t in tracks if t.is_drum]
    if kits and len(kits) != len(tracks):
        raise EditError(f"Merge Tracks: {listed([repr(n) for n in kits])} "
                        f"{'is a drum kit' if len(kits) == 1 else 'are drum kits'} and the "
                        "others are not: a kit's keys are drums, so a melody merged into it "
                        "would play as drums")

    controls, dropped, ccs, shared = _merged_controls(tracks)
    notes, settled = _merged_notes(tracks)
    first_notes = {n.id: n for n in first.notes}
    final = {n.id: n for n in notes}
    removed = tuple(n for i, n in first_notes.items() if final.get(i) != n)
    added = tuple(n for i, n in final.items() if first_notes.get(i) != n)

    names = [t.name for t in tracks]
    into = _merged_name(names, first)
    label = f"Merge {plural(len(tracks), 'track')} into {into}"
    edits: list = [DeleteTrack(t, song.track_index(t.id), label)
                   for t in sorted(others, key=lambda t: -song.track_index(t.id))]
    edits.append(ChangeNotes(first.id, removed, added, label))
    props = {}
    if controls != first.controls:
        props["controls"] = controls
    if into != first.name:
        props["name"] = into
    if props:
        edits.append(set_track_props(song, first.id, label, **props))

    def sound_of(t: Track) -> tuple:
        start = t.notes[0].start if t.notes else 0
        return t.program, t.is_drum, bank_at(t.controls, start), t.program_changes

    return TrackMerge(
        EditGroup(tuple(edits), label), into, tuple(names),
        sum(len(t.notes) for t in others), dropped, ccs, shared,
        program_name(first.program, first.is_drum), first.channel,
        tuple(t.name for t in others if t.notes and sound_of(t) != sound_of(first)),
        settled)


def _merged_name(names: list[str], first: Track) -> str:
    """The merged track's name: the first track's, or, for channels the importer split
    from one MIDI track ("Lead Gtr (Overdriven Guitar) (ch 1)", …), that MIDI track's own
    name, "Lead Gtr" — the instrument the importer added told the channels apart, and the
    studio's track header showed the merged guitar cut as "uitar (Electric Guitar
    (clean))". A MIDI track without a name keeps the instrument's ("Overdriven Guitar")."""
    bare = {_CHANNEL_SUFFIX.sub("", n) for n in names}
    if len(bare) != 1 or not all(_CHANNEL_SUFFIX.search(n) for n in names):
        return first.name
    name = bare.pop()
    instrument = f" ({program_name(first.program, first.is_drum)})"
    return name.removesuffix(instrument) if name.endswith(instrument) and \
        len(name) > len(instrument) else name


def _merged_controls(tracks: list[Track]) -> tuple[tuple[ControlEvent, ...],
                                                    tuple[tuple[str, int], ...],
                                                    tuple[int, ...], int]:
    """The merged track's controls (the first's, less each stream — pitch bends, one CC,
    aftertouch — that the tracks do not all send alike), the (kind, count) dropped, the
    CC numbers among them, and how many events were kept as shared."""
    def stream(c: ControlEvent) -> tuple[str, int]:
        return c.kind, c.number

    def sound(c: ControlEvent) -> bool:
        return c.kind == "control_change" and c.number in _SOUND_CCS

    per_track = []
    for t in tracks:
        streams: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for c in t.controls:
            if not sound(c):
                streams.setdefault(stream(c), []).append((c.tick, c.value))
        per_track.append(streams)
    keys = {k for streams in per_track for k in streams}
    differ = {k for k in keys if any(s.get(k) != per_track[0].get(k) for s in per_track)}
    counts: dict[str, int] = {}
    for streams in per_track:
        for (kind, _), events in streams.items():
            if (kind, _) in differ:
                counts[kind] = counts.get(kind, 0) + len(events)
    kept = tuple(c for c in tracks[0].controls if sound(c) or stream(c) not in differ)
    dropped = tuple((kind, counts[kind]) for kind in _KIND_WORDS if counts.get(kind))
    ccs = tuple(sorted(n for kind, n in differ if kind == "control_change"))
    shared = sum(1 for c in kept if not sound(c))
    return kept, dropped, ccs, shared


def _merged_notes(tracks: list[Track]) -> tuple[list[Note], int]:
    """Every track's notes as one track's, and how many were joined or cut: at each pitch
    where notes of two tracks sound at once, the piano roll's rule settles them
    (:func:`resolve_overlaps`); other pitches are left as they are (a track's own
    zero-length notes and overlaps, as a MIDI file had them)."""
    by_pitch: dict[int, list[tuple[Note, int]]] = {}
    for source, t in enumerate(tracks):
        for n in t.notes:
            by_pitch.setdefault(n.pitch, []).append((n, source))
    out: list[Note] = []
    settled = 0
    for line in by_pitch.values():
        if _tracks_meet(line):
            notes = [n for n, _ in line]
            resolved = {n.id: n for n in resolve_overlaps(notes)}
            out.extend(resolved.values())
            settled += sum(1 for n in notes  # joined, cut or dropped
                           if n.id not in resolved or resolved[n.id].key() != n.key())
        else:
            out.extend(n for n, _ in line)
    return out, settled


def _tracks_meet(line: list[tuple[Note, int]]) -> bool:
    """Whether two notes of one pitch from different tracks sound at once (a zero-length
    note strikes its onset)."""
    active: list[tuple[int, int]] = []  # (end, source) of the notes sounding
    for n, source in sorted(line, key=lambda x: x[0].start):
        active = [(end, s) for end, s in active if end > n.start]
        if any(s != source for _, s in active):
            return True
        active.append((max(n.end, n.start + 1), source))
    return False


__all__ = ["TrackMerge", "merge_tracks"]
