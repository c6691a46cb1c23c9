"""What each generation action asks the model for, over a painted mask: a :class:`Plan`.

Pure data (no Qt, no torch). A plan is the task name, the mask the model may write in,
the preparatory edits the task needs first (new empty tracks, a longer song) and the
label of the take; the job queue runs it (``JobRequest(prep=…)``) and the take's edit
does the preparation and the new notes as one undo step. The studio plans every request
here; the musical meaning follows :mod:`engine.tasks.run`, over a mask the user painted
rather than tracks and bars named on a command line:

- **Repaint**: exactly the painted mask.
- **Regenerate track**: the whole song on the masked tracks (else the current track).
- **Continue N bars**: N bars after the music's last bar (empty bars after it filled
  first), on the masked tracks (else the tracks still playing in its last 8 bars, and
  empty ones: ``texture.still_playing``).
- **Harmonize**: every other track around the current (melody) track, over the mask's
  bars (else the whole song); tracks the user asks for are created first.
- **Compose**: fill a song with no notes; instruments the song lacks are created first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import PartitaError
from engine.score import (
    Edit,
    Mask,
    Region,
    Song,
    TimeMap,
    Track,
    plural,
    set_song_props,
    track_labels,
)
from engine.score.mask_geometry import keep_tracks, normalise
from engine.score.satb import SATB_VOICES

from .errors import TaskError
from .instruments import (
    accompaniment_kind,
    accompaniment_specs,
    new_track_edits,
    soprano_edits,
    track_specs,
    unreachable_band,
)
from .texture import continuation_prep, melody_span, still_playing

ACTIONS = ("repaint", "regenerate", "continue", "harmonize", "compose")
# "Regenerate", not "Regenerate track": it may rewrite several (the plan's label counts them).
TITLES = {"repaint": "Repaint", "regenerate": "Regenerate", "continue": "Continue",
          "harmonize": "Harmonize", "compose": "Compose"}


class PlanError(PartitaError, ValueError):
    """The action cannot run as asked; the message tells the user what to do."""


@dataclass(frozen=True, slots=True)
class Plan:
    task: str
    mask: Mask
    prep: tuple[Edit, ...] = ()
    label: str = ""
    # GenerateOptions fields the task sets where the panel leaves them on Auto (None: a
    # chorale's ``avoid_parallels``), as ``(name, value)`` pairs.
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def chorale(self) -> bool:
        """Four-part chorale voice leading (Harmonize adding Alto, Tenor and Bass)."""
        return ("avoid_parallels", True) in self.options


@dataclass(frozen=True, slots=True)
class Instrument:
    """A track the model should write into: display name and General MIDI program."""

    name: str
    program: int = 0
    is_drum: bool = False


def parse_instruments(text: str) -> list[Instrument]:
    """``"Piano, Bass, Drums"`` → instruments (names as :func:`engine.tasks.track_specs`
    reads them: "Soprano, Alto, Tenor, Bass" is a choir); :class:`PlanError` names the one
    it does not know."""
    try:
        specs = track_specs([p for p in text.split(",") if p.strip()])
    except TaskError as e:
        raise PlanError(str(e)) from e
    return [Instrument(s.name, s.program, s.is_drum) for s in specs]


def default_accompaniment(melody: Track, *, lead_sheet: bool = False) -> str:
    """What Harmonize offers to add next to a lone melody (as in ``engine.tasks``;
    ``lead_sheet``: the song has chord symbols)."""
    if accompaniment_kind(melody, lead_sheet=lead_sheet) == "satb":
        return ", ".join(s.name for s in accompaniment_specs(melody, "satb"))
    return "Piano, Bass"


def _names(text: str) -> list[str]:
    return [" ".join(p.split()).casefold() for p in text.split(",") if p.strip()]


def accompaniment(melody: Track, answer: str, alone: bool) -> tuple[list[Instrument], bool]:
    """The tracks Harmonize adds for the user's ``answer``, and whether they are the
    chorale voices: Alto, Tenor and Bass under a lone melody are voices in the melody's
    instrument or its family's (offered for sung and string melodies, and one named
    Soprano), written without parallel fifths or octaves (as ``engine.tasks.harmonize``
    adds them); any other answer names General MIDI instruments
    (:func:`parse_instruments`)."""
    # "Alto, Tenor, Bass" under any lone melody (or the names offered for them, "Violin
    # II, Viola, Cello"): the voices from its family, as the CLI's --accompaniment satb
    # (typed under a sax they were a choir and a bass guitar).
    specs = accompaniment_specs(melody, "satb")
    if alone and _names(answer) in (_names(", ".join(SATB_VOICES)),
                                    _names(", ".join(s.name for s in specs))):
        return [Instrument(s.name, s.program, s.is_drum) for s in specs], True
    return parse_instruments(answer), False


def _need_tracks(song: Song) -> None:
    if not song.tracks:
        raise PlanError("the song has no tracks: add one (Ctrl+T) or use Compose")


def repaint(song: Song, mask: Mask) -> Plan:
    mask = keep_tracks(mask, song)
    if mask.is_empty:
        raise PlanError("paint a mask first: press M and drag over the bars to rewrite")
    problem = unreachable_band(song, mask)
    if problem:
        raise PlanError(f"Cannot repaint: {problem}")
    return Plan("repaint", mask, (), "Repaint")


def regenerate(song: Song, mask: Mask, current: int | None) -> Plan:
    _need_tracks(song)
    mask = keep_tracks(mask, song)
    ids = mask.track_ids or ({current} if current is not None else set())
    if not ids:
        raise PlanError("select the track to regenerate")
    if song.end <= 0:
        raise PlanError("the song is empty: there is nothing to regenerate (use Compose)")
    labels = track_labels(song)  # (a blank name is "track 2", as the user tells them apart)
    names = [labels[t.id] for t in song.tracks if t.id in ids]
    # Counted, as the button counts them ("Regenerate 4 Masked Tracks").
    label = f"Regenerate {names[0]}" if len(names) == 1 else f"Regenerate {len(names)} tracks"
    # To the song's end, not its last bar line: one ending mid-bar keeps its length.
    return Plan("regenerate", normalise(Mask.of(Region(frozenset(ids), 0, song.end))),
                (), label)


def continue_(song: Song, mask: Mask, bars: int) -> Plan:
    _need_tracks(song)
    if bars < 1:
        raise PlanError("continue needs at least one bar")
    if not song.note_count:  # nothing to go on from
        raise PlanError("the song has no notes to continue: write some, or use Compose")
    # A mask names the tracks; without one, those still playing (a tacet one stays out).
    ids = keep_tracks(mask, song).track_ids or still_playing(song)
    prep, start, end = continuation_prep(song, bars)
    return Plan("continue", normalise(Mask.of(Region(ids, start, end))), prep,
                f"Continue {plural(bars, 'bar')}")


def melody_track(song: Song, melody_id: int | None) -> Track:
    """The track to harmonize, or the :class:`PlanError` that says why it cannot be one
    (asked before anything else, the studio's instruments question included)."""
    if melody_id is None or all(t.id != melody_id for t in song.tracks):
        raise PlanError("select the melody track to harmonize")
    melody = song.track(melody_id)
    name = track_labels(song)[melody_id]
    if melody.is_drum:
        raise PlanError(f"{name!r} is a drum track; a melody needs pitched notes")
    if not melody.notes:
        raise PlanError(f"{name!r} has no notes to harmonize")
    return melody


def harmonize(song: Song, mask: Mask, melody_id: int | None,
              add: Iterable[Instrument] = (), chorale: bool = False) -> Plan:
    """Fill the tracks around the melody over the mask's bars (the whole song without a
    mask): the masked tracks other than the melody, or, when only the melody (or nothing)
    is masked, every other track that is empty there (what the user wrote by hand is
    context, never rewritten unasked); plus the new tracks ``add``. ``chorale``: ``add``
    are the four-part voices (:func:`accompaniment`), so the job runs with
    ``avoid_parallels`` on, and a lone melody with no name of its own is named their
    Soprano (:func:`~engine.tasks.instruments.as_soprano`)."""
    melody = melody_track(song, melody_id)
    name = track_labels(song)[melody.id]  # (a blank name: "track 1")
    inserts = new_track_edits(song, list(add))
    # The chorale voices under a nameless tune: it is their Soprano (engine.tasks.harmonize)
    prep = [*soprano_edits(song, melody.id), *inserts] if chorale and len(
        song.tracks) == 1 else inserts
    mask = keep_tracks(mask, song)
    new = frozenset(e.track.id for e in inserts)
    # Without a mask: to the melody's last note, as the command line does (a final chord
    # held past the melody's end, to the bar line, hung on after the tune had stopped).
    start, end = mask.span if not mask.is_empty else melody_span(song, melody)
    # The painted cells of tracks other than the melody are the ones to fill (as Repaint
    # fills them: separate regions stay separate); a mask on the melody alone, or none,
    # means every other track over the mask's bars. New tracks span those bars.
    painted = mask.subtract_tracks({melody_id})
    if painted.is_empty:
        empty = frozenset(t.id for t in song.tracks
                          if t.id != melody_id and not t.onset_range(start, end))
        fill = Mask.of(Region(empty | new, start, end))
        if fill.is_empty and len(song.tracks) > 1:
            raise PlanError(f"the tracks around {name!r} have notes there, and "
                            "Harmonize keeps what you wrote: paint the tracks to rewrite "
                            "(M), or add instruments")
    else:
        fill = painted | Mask.of(Region(new, start, end))
    if fill.is_empty:
        raise PlanError(f"nothing to fill around {name!r}: add accompaniment tracks")
    return Plan("harmonize", normalise(fill), tuple(prep), f"Harmonize {name}",
                (("avoid_parallels", True),) if chorale else ())


def check_compose(song: Song) -> None:
    """:class:`PlanError` when ``song`` cannot be composed into (it has notes): said
    before the instruments are asked for."""
    if song.note_count:
        raise PlanError("Compose starts from an empty song: use Continue, Repaint or "
                        "Harmonize on a song with notes (or File ▸ New)")


def compose(song: Song, instruments: Sequence[Instrument], bars: int) -> Plan:
    """Fill ``bars`` bars of a song without notes; tracks already there with a wanted
    instrument are used, the other instruments become new tracks."""
    check_compose(song)
    if not instruments:
        raise PlanError("compose needs at least one instrument")
    if bars < 1:
        raise PlanError("compose needs at least one bar")
    free = list(song.tracks)
    ids, missing = [], []
    for ins in instruments:
        match = next((t for t in free if t.is_drum == ins.is_drum
                      and (ins.is_drum or t.program == ins.program)), None)
        if match is not None:
            free.remove(match)
            ids.append(match.id)
        else:
            missing.append(ins)
    adds = new_track_edits(song, missing)
    end = TimeMap.of(song).bar_to_tick(bars)
    prep: list[Edit] = [*adds]
    if song.length != end:
        prep.append(set_song_props(song, "Set length", length=end))
    ids += [e.track.id for e in adds]
    return Plan("compose", normalise(Mask.of(Region(frozenset(ids), 0, end))), tuple(prep),
                "Compose")
