"""Edits of a song's tracks as a musician asks for them: add, delete, move, set the
instrument or the key its part is written in. One place for the rules (which MIDI
channel a new track gets, what becoming a drum kit changes) that the studio's track list
and ``partita tracks`` both follow.
"""

from __future__ import annotations

import dataclasses
import re

from .edits import DeleteTrack, Edit, EditError, InsertTrack, MoveTrack, set_track_props
from .instruments import (
    INSTRUMENT_ALIASES,
    kit_name,
    program_name,
    transposition_text,
    written_transposition,
)
from .song import (
    DRUM_CHANNEL,
    TRACK_COLOURS,
    Song,
    Track,
    check_transposition,
    new_note_id,
    new_track_id,
    track_labels,
)

DRUMS = -1  # instrument value for a GM drum kit (channel 10), beside programs 0..127


# An instrument value is a GM program 0..127 for a pitched track, or a drum kit: DRUMS
# for the standard one, and below it the other kits (GM2's TR-808 is program 25 on the
# drum channel: DRUMS - 25), so that one int still names any choice the studio's list
# and `tracks --instrument` make.
def kit_value(program: int) -> int:
    """The instrument value of the drum kit on ``program`` (:data:`DRUMS` for 0)."""
    return DRUMS - program


def kit_program(value: int) -> int | None:
    """The drum kit's program an instrument value picks, or None for a pitched one."""
    return DRUMS - value if value <= DRUMS else None


def instrument_value(program: int, is_drum: bool) -> int:
    """A track's instrument as one value (:func:`kit_value` for a kit)."""
    return kit_value(program) if is_drum else program
_DEFAULT_NAME = re.compile(r"Track \d+")  # what add_track_edit names an unnamed track
_COPY_NUMBER = re.compile(r"\s*\(\d+\)$")  # unique_track_name's "Piano (2)"
# Names for a part, not an instrument: a Soprano or a Lead keeps its name on a new sound.
_PART_NAMES = {"soprano", "alto", "tenor", "melody", "lead", "vocals", "vocal", "vox",
               "singer"}


def default_name(name: str, program: int, is_drum: bool) -> bool:
    """Is ``name`` one no one chose, but a track got from its instrument: "Track N", or
    the instrument's own name as File ▸ New, Add Track, ``tracks --add`` and compose give
    it ("Piano", "Bass", "Drums", the GM name "Electric Bass (finger)"; "Piano (2)" beside
    another)? Such a name follows a new instrument; a part's name ("Soprano") does not."""
    key = " ".join(_COPY_NUMBER.sub("", name.strip()).split())
    if _DEFAULT_NAME.fullmatch(key):
        return True
    key = key.lower()
    if key in _PART_NAMES:
        return False
    if key in (program_name(program, is_drum).lower(),
               kit_name(program).lower() if is_drum else ""):
        return True
    alias = INSTRUMENT_ALIASES.get(key)
    if is_drum:  # any kit's name ("Drums" on a TR-808, "Trap Kit") follows a new sound
        return alias is not None and alias[1]
    return alias == (program, False)


def unique_track_name(song: Song, name: str, track_id: int | None = None) -> str:
    """``name``, or "Piano (2)", "Piano (3)"... when another track than ``track_id``
    already has it (in any case): tracks are picked by name. The labels messages and
    stem files tell tracks apart by (:func:`~engine.score.song.track_labels`: two tracks
    named "Piano" are "Piano (1)" and "Piano (2)") are taken too, so no new name reads as
    another track's label."""
    labels = track_labels(song)
    taken = {text.strip().lower() for t in song.tracks if t.id != track_id
             for text in (t.name, labels[t.id])}
    n, candidate = 1, name
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


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


def numbered_name(song: Song, position: int) -> str:
    """"Track N" for a new track at ``position`` (1-based), so its name and its place
    agree (Ctrl+T on the third of 4 tracks said "Added track 4: Track 5"); the next
    number free when another track already has that name."""
    names = {t.name.strip().lower() for t in song.tracks}
    while f"track {position}" in names:
        position += 1
    return f"Track {position}"


def add_track_edit(song: Song, after: int | None = None, *, name: str = "",
                   program: int = 0, drums: bool = False,
                   taken: set[int] | None = None) -> InsertTrack:
    """Insert an empty track after track id ``after`` (or at the end) on a free channel
    (a kit on the drum channel, ``program`` its GM2 kit); unnamed, it is "Drums" or
    "Track N", N its place (:func:`numbered_name`)."""
    n = len(song.tracks)
    index = song.track_index(after) + 1 if after is not None else n
    track = Track(
        name=name or ("Drums" if drums else numbered_name(song, index + 1)),
        program=program,
        is_drum=drums,
        channel=DRUM_CHANNEL if drums else free_channel(song, taken),
        colour=free_colour(song),
    )
    return InsertTrack(track, index, f"Add track “{track.name}”" if name else "Add track")


def duplicate_track_edit(song: Song, track_id: int) -> InsertTrack:
    """A copy of a track right below it, as a DAW's Duplicate Track: its notes, instrument,
    mix, transposition and controllers, under a name of its own ("Piano (2)") and with
    its own MIDI channel (a kit stays on the drum channel) and colour, so the two are
    told apart in the arrangement and mixed apart in an export. Its notes are new notes
    (ids of their own): editing one part leaves the other as it is."""
    i = song.track_index(track_id)
    track = song.tracks[i]
    copy = dataclasses.replace(
        track,
        id=new_track_id(),
        name=unique_track_name(song, track.name),
        channel=DRUM_CHANNEL if track.is_drum else free_channel(song),
        colour=free_colour(song),
        notes=tuple(dataclasses.replace(n, id=new_note_id())
                    for n in track.notes),
    )
    return InsertTrack(copy, i + 1, f"Duplicate track “{track.name}”")


def delete_track_edit(song: Song, track_id: int) -> DeleteTrack:
    i = song.track_index(track_id)
    return DeleteTrack(song.tracks[i], i, f"Delete track “{song.tracks[i].name}”")


def move_track_edit(song: Song, track_id: int, step: int) -> MoveTrack | None:
    """Move a track ``step`` rows (negative: up); ``None`` past either end."""
    i = song.track_index(track_id)
    j = i + step
    if not 0 <= j < len(song.tracks) or step == 0:
        return None
    return MoveTrack(i, j, "Move track up" if step < 0 else "Move track down")


def instrument_edit(song: Song, track_id: int, value: int, *,
                    name_after: bool = False) -> Edit:
    """Change a track's GM program, or make it a drum kit (``value == DRUMS``, another
    GM2 kit :func:`kit_value`): a kit moves to the drum channel, a kit made melodic to a
    free channel. ``name_after``: a
    track still called "Track N", or by its old instrument's name (:func:`default_name`:
    File ▸ New's "Piano" made a Drum Kit rendered "01 - Piano.wav" of drums), is named
    after the new instrument too, in the same edit ("Electric Bass (finger)", a kit
    "Drums", another kit by its name: "TR-808 Kit"; "Drums (2)" beside another), as a
    DAW names a new track; a name the user gave is kept."""
    track = song.track(track_id)
    kit = kit_program(value)
    instrument = program_name(value) if kit is None else kit_name(kit)
    label = f"Set instrument of {track.name} to {instrument}"
    if kit is not None:  # a GS/GM2 synth reads the program on the drum channel as the kit
        changes = {"is_drum": True, "channel": DRUM_CHANNEL, "program": kit}
    elif track.is_drum:
        changes = {"is_drum": False, "program": value, "channel": free_channel(song)}
    else:
        changes = {"program": value}
    if track.transposition is not None and changes["program"] != track.program:
        # The part's transposition was its old instrument's: the new one's usual one.
        changes["transposition"] = None
    if name_after and default_name(track.name, track.program, track.is_drum):
        name = unique_track_name(song, "Drums" if value == DRUMS else instrument, track_id)
        changes["name"] = name
    return set_track_props(song, track_id, label, **changes)


def transposition_edit(song: Song, track_id: int,
                       transposition: tuple[int, int]) -> Edit | None:
    """Write a track's part at ``transposition`` (written → sounding, as
    ``Track.transposition`` keeps it: ``(-1, -2)`` a part in B♭, ``(0, 0)`` concert
    pitch): what a score export writes, the notes kept at the pitch they sound. ``None``
    when the part is written so already (stored, or by its name or instrument:
    :func:`~engine.score.instruments.written_transposition`). A drum kit has no
    transposition: EditError."""
    track = song.track(track_id)
    if track.is_drum:
        raise EditError(f"{track.name!r} is a drum kit: a kit's part is written as it "
                        "sounds, it takes no transposition")
    check_transposition(transposition)
    if transposition == written_transposition(track.transposition, track.program,
                                              name=track.name):
        return None
    return set_track_props(song, track_id, f"{track.name}: {transposition_text(transposition)}",
                           transposition=tuple(transposition))


__all__ = ["DRUMS", "add_track_edit", "delete_track_edit", "duplicate_track_edit",
           "free_channel", "free_colour", "instrument_edit", "instrument_value",
           "kit_program", "kit_value", "move_track_edit", "transposition_edit",
           "unique_track_name"]
