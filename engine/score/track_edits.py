"""Edits of a song's tracks as a musician asks for them: add, delete, move, set the
instrument. One place for the rules (which MIDI channel a new track gets, what becoming
a drum kit changes) that the studio's track list and ``partita tracks`` both follow.
"""

from __future__ import annotations

from .edits import DeleteTrack, Edit, InsertTrack, MoveTrack, set_track_props
from .instruments import program_name
from .song import DRUM_CHANNEL, TRACK_COLOURS, Song, Track

DRUMS = -1  # instrument value for a GM drum kit (channel 10), beside programs 0..127


def free_channel(song: Song, taken: set[int] | None = None) -> int:
    """The lowest MIDI channel no melodic track uses (never the drum channel); channel 0
    when all fifteen are taken (tracks may share one). ``taken`` adds channels that
    other pending edits have claimed."""
    used = {t.channel for t in song.tracks} | (taken or set())
    for ch in range(16):
        if ch != DRUM_CHANNEL and ch not in used:
            return ch
    return 0


def free_colour(song: Song, taken: list[str] | None = None) -> str:
    """The first palette colour no track uses, so a new track never looks like an old one
    (a new song's Piano has the palette's second colour); with every colour in use, the
    first of those used least (the palette cycles). ``taken`` adds colours that other
    pending edits have claimed."""
    used = [t.colour.lower() for t in song.tracks] + [c.lower() for c in taken or ()]
    return min(TRACK_COLOURS, key=used.count)  # min keeps the first of equal counts


def add_track_edit(song: Song, after: int | None = None, *, name: str = "",
                   program: int = 0, drums: bool = False,
                   taken: set[int] | None = None) -> InsertTrack:
    """Insert an empty track after track id ``after`` (or at the end) on a free channel
    (a kit on the drum channel); unnamed, it is "Drums" or "Track N"."""
    n = len(song.tracks)
    index = song.track_index(after) + 1 if after is not None else n
    track = Track(
        name=name or ("Drums" if drums else f"Track {n + 1}"),
        program=0 if drums else program,
        is_drum=drums,
        channel=DRUM_CHANNEL if drums else free_channel(song, taken),
        colour=free_colour(song),
    )
    return InsertTrack(track, index, f"Add track {track.name!r}" if name else "Add track")


def delete_track_edit(song: Song, track_id: int) -> DeleteTrack:
    i = song.track_index(track_id)
    return DeleteTrack(song.tracks[i], i, f"Delete track {song.tracks[i].name!r}")


def move_track_edit(song: Song, track_id: int, step: int) -> MoveTrack | None:
    """Move a track ``step`` rows (negative: up); ``None`` past either end."""
    i = song.track_index(track_id)
    j = i + step
    if not 0 <= j < len(song.tracks) or step == 0:
        return None
    return MoveTrack(i, j, "Move track up" if step < 0 else "Move track down")


def instrument_edit(song: Song, track_id: int, value: int) -> Edit:
    """Change a track's GM program, or make it a drum kit (``value == DRUMS``): a kit
    moves to the drum channel, a kit made melodic to a free channel."""
    track = song.track(track_id)
    label = f"Set instrument of {track.name} to {program_name(max(value, 0), value == DRUMS)}"
    if value == DRUMS:  # the standard kit (a GS/GM2 synth reads the program as the kit)
        return set_track_props(song, track_id, label, is_drum=True, channel=DRUM_CHANNEL,
                               program=0)
    if track.is_drum:
        return set_track_props(song, track_id, label, is_drum=False, program=value,
                               channel=free_channel(song))
    return set_track_props(song, track_id, label, program=value)


__all__ = ["DRUMS", "add_track_edit", "delete_track_edit", "free_channel", "free_colour",
           "instrument_edit", "move_track_edit"]
