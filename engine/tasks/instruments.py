"""The tracks a task creates: instruments as users type them, and harmonize's accompaniment."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from engine.score import DRUM_CHANNEL, InsertTrack, Mask, Region, Song, Track
from engine.score.drums import DrumKit
from engine.score.edits import SetTrackProps, set_track_props
from engine.score.instruments import (
    GM_PROGRAMS,
    INSTRUMENT_ALIASES,
    drum_name,
    playable_range,
    program_name,
    role_of,
)
from engine.score.lyrics import carries_lyrics
from engine.score.mask_geometry import band_out_of_reach
from engine.score.satb import satb_part_names, satb_programs
from engine.score.spelling import pitch_name
from engine.score.track_edits import free_channel, free_colour

from .chorale import soprano_name, voice_parts
from .errors import TaskError

GM_DRUM_KEYS = (35, 81)  # General MIDI's percussion key map: Acoustic Bass Drum..Open Triangle


@dataclass(frozen=True, slots=True)
class TrackSpec:
    """A track to create: display name and GM instrument."""

    name: str
    program: int = 0
    is_drum: bool = False


_ALIASES = INSTRUMENT_ALIASES
CLOSE_MATCHES = 4  # the names an unknown instrument's error offers


def typed_track_name(typed: str) -> str:
    """The name a track gets from the instrument typed: each word capitalised ("warm pad":
    "Warm Pad"), except one with a digit, kept as typed ("TR-808", not "Tr-808"; "808s")."""
    return " ".join(w if any(c.isdigit() for c in w) else w.title() for w in typed.split())


def _close_names(key: str) -> list[str]:
    """The instruments nearest a name not known (a typo: "808 base", "vilin"), as they
    are written: the short names musicians type and the General MIDI names."""
    known = {alias: typed_track_name(alias) for alias in _ALIASES}
    known.update({gm.lower(): gm for gm in GM_PROGRAMS})
    return [known[k] for k in difflib.get_close_matches(key, known, CLOSE_MATCHES, 0.6)]


def track_spec(name: str) -> TrackSpec:
    """A track from an instrument as users type it: ``"Piano"``, ``"Bass"``, ``"Drums"``,
    a producer's ``"808"`` or ``"Trap Kit"`` (:data:`INSTRUMENT_ALIASES`), a GM name
    (``"Acoustic Grand Piano"``) or a unique part of one (``"marimba"``). An unknown
    name's error offers the nearest ones."""
    key = " ".join(name.strip().lower().split())
    if not key:
        raise TaskError("empty instrument name")
    if key in _ALIASES:
        program, is_drum = _ALIASES[key]
        return TrackSpec(typed_track_name(name), program, is_drum)
    exact = [i for i, gm in enumerate(GM_PROGRAMS) if gm.lower() == key]
    part = exact or [i for i, gm in enumerate(GM_PROGRAMS) if key in gm.lower()]
    if not part:  # every word somewhere in the name: "warm pad", "nylon guitar"
        words = key.replace("-", " ").split()
        part = [i for i, gm in enumerate(GM_PROGRAMS)
                if all(w in gm.lower().replace("(", " ").replace(")", " ").split()
                       for w in words)]
    if len({GM_PROGRAMS[i].rstrip(" 12") for i in part}) == 1:  # "String Ensemble 1/2": 1
        return TrackSpec(typed_track_name(name), part[0])
    if part:
        options = ", ".join(GM_PROGRAMS[i] for i in part[:4])
        raise TaskError(f"instrument {name!r} is ambiguous: {options}, ...")
    close = _close_names(key)
    if close:
        raise TaskError(f"unknown instrument {name.strip()!r}: did you mean "
                        f"{', '.join(close)}? (or a General MIDI instrument name)")
    raise TaskError(f"unknown instrument {name!r} (try Piano, Bass, Drums, Strings, Guitar, "
                    "Choir, Flute, or a General MIDI instrument name)")


def named_track_spec(text: str) -> TrackSpec:
    """A track from ``NAME=INSTRUMENT`` as ``partita tracks --add`` takes it (``"Lead=Synth
    Lead"``, ``"Kick=Trap Kit"``; the instrument also as its GM number 1..128, ``"Lead=81"``),
    or from an instrument alone (:func:`track_spec`)."""
    name, sep, instrument = text.rpartition("=")
    if not sep:
        return track_spec(text)
    typed = instrument.strip()
    # A name first: "808" is a producer's sub bass, not GM number 808
    if typed.isdecimal() and typed not in _ALIASES:  # not isdigit: "①" is no number
        if not 1 <= int(typed) <= 128:
            raise TaskError(f"{text.strip()!r}: GM instrument numbers are 1..128")
        spec = TrackSpec(GM_PROGRAMS[int(typed) - 1], int(typed) - 1)
    else:
        spec = track_spec(instrument)
    return TrackSpec(" ".join(name.split()) or spec.name, spec.program, spec.is_drum)


def track_specs(names: Sequence[str]) -> list[TrackSpec]:
    """Tracks from instruments as users list them (:func:`named_track_spec` each:
    ``"Piano"`` or ``"Lead=Synth Lead"``), except that two to four voice parts (Soprano,
    Alto, Tenor, Bass, each once) are a choir's: a "Bass" among them is a sung bass, not a
    bass guitar."""
    if voice_parts(names):
        choir = _ALIASES["choir"][0]
        return [TrackSpec(" ".join(n.split()).title(), choir) for n in names]
    return [named_track_spec(n) for n in names]


def new_track_edits(song: Song, specs: Sequence[TrackSpec]) -> list[InsertTrack]:
    """Edits adding empty tracks after the song's own, each on a free MIDI channel.

    ``specs`` may be any objects with ``name``, ``program`` and ``is_drum`` (the studio
    passes its own instrument choices).
    """
    taken: set[int] = set()
    colours: list[str] = []
    edits = []
    for i, spec in enumerate(specs):
        channel = DRUM_CHANNEL if spec.is_drum else free_channel(song, taken)
        taken.add(channel)
        colours.append(free_colour(song, colours))
        index = len(song.tracks) + i
        track = Track(name=spec.name, program=spec.program, is_drum=spec.is_drum,
                      channel=channel, colour=colours[-1])
        edits.append(InsertTrack(track, index, label=f"Add {spec.name}"))
    return edits


def accompaniment_kind(melody: Track, kind: str = "auto", *, lead_sheet: bool = False) -> str:
    """``"satb"`` or ``"band"``: what ``harmonize`` adds under a lone melody for ``kind``
    (``"auto"`` picks SATB for sung or string melodies, for a melody named as a
    soprano part — "Soprano", "S.", "Sopran 1" — and for one that carries lyrics, on any
    instrument: a choir director's tunes on the default piano, nameless or with their
    verse, were offered Piano and Bass; but a song with chord symbols, ``lead_sheet``, is a
    band's chart whatever carries its tune: a songwriter's sung verse over G | D | Em | C
    was given a choir)."""
    if kind == "auto" and lead_sheet:
        return "band"
    if kind == "auto":
        sung = role_of(melody.program, melody.is_drum) in ("voice", "strings") or (
            not melody.is_drum and (soprano_name(melody.name)
                                    or carries_lyrics(melody.notes)))
        return "satb" if sung else "band"
    return kind


CHOIR_PROGRAM = _ALIASES["choir"][0]  # Choir Aahs


def unnamed(track: Track) -> bool:
    """Whether a track has no name of its own: none, or only its instrument's General
    MIDI name (a score's part with no name, or a MIDI track with none, is read as
    "Acoustic Grand Piano")."""
    name = " ".join(track.name.split()).casefold()
    return not name or name == program_name(track.program, track.is_drum).casefold()


def as_soprano(melody: Track) -> Track:
    """A lone melody as harmonize's SATB voices take it: one with no name of its own
    (:func:`unnamed`) on program 0 — the piano a file with no instrument is read as — or
    a choir's is the choir's Soprano, a choir's (Choir Aahs), so the Alto, Tenor and Bass
    added under it are a choir's too. A choir director's hymn tunes, harmonized with
    ``--accompaniment satb``, printed as "Acoustic Grand Piano" over three piano parts.
    A melody with a name of its own, or another instrument, is the user's: its voices
    keep to its instrument (:func:`satb_programs`: a piano's four lines, an organ's
    hymn; the studio names a track "Violin" or "Church Organ" after the instrument
    picked, so that name is kept too)."""
    if melody.is_drum or not unnamed(melody) or not (
            melody.program == 0 or role_of(melody.program, False) == "voice"):
        return melody
    return replace(melody, name="Soprano",
                   program=CHOIR_PROGRAM if melody.program == 0 else melody.program)


def soprano_edits(song: Song, melody_id: int) -> list[SetTrackProps]:
    """The edit naming a lone melody the Soprano (and a choir's, :func:`as_soprano`)
    before harmonize adds its Alto, Tenor and Bass, or none when it has a name."""
    melody = song.track(melody_id)
    soprano = as_soprano(melody)
    if soprano == melody:
        return []
    return [set_track_props(song, melody_id, "Name the melody Soprano",
                            name=soprano.name, program=soprano.program)]


def accompaniment_specs(melody: Track, kind: str, *, lead_sheet: bool = False
                        ) -> list[TrackSpec]:
    """The tracks ``harmonize`` adds under a lone melody: Alto, Tenor and Bass in the
    melody's instrument or its family's (``"satb"``: :func:`satb_programs`; a choir's
    under a melody with no name and no instrument, :func:`as_soprano`), named after
    their instruments when those differ from the melody's (:func:`satb_part_names`), or
    Piano, Bass and Drums (``"band"`` asked for: a songwriter's lyric melody got no
    drummer). Picked by ``"auto"`` for a tune on an instrument, the band is Piano and
    Bass: a hymn or a folk tune on the flute gets no kit it did not ask for."""
    resolved = accompaniment_kind(melody, kind, lead_sheet=lead_sheet)
    if resolved == "satb":
        program = as_soprano(melody).program
        programs = satb_programs(program)
        names = satb_part_names(program, programs)
        return [TrackSpec(n, p) for n, p in zip(names, programs, strict=True)]
    if resolved == "band":
        drums = [TrackSpec("Drums", 0, is_drum=True)] if kind == "band" else []
        return [TrackSpec("Piano", 0), TrackSpec("Bass", 33), *drums]
    raise TaskError(f"unknown accompaniment {kind!r} (use auto, satb or band)")


def unreachable_band(song: Song, mask: Mask) -> str | None:
    """Why a painted pitch band can hold no new note, or None: every track it covers has
    a part whose range (:func:`engine.score.instruments.part_range`; a kit's GM
    percussion keys; widened to the notes the track has) lies outside the band — a take
    could only be empty, and a musician should hear why rather than be told to try
    another seed."""

    def reach(t: Track) -> tuple[int, int]:
        # A kit's notes are the General MIDI percussion keys, 35–81.
        pitches = [n.pitch for n in t.notes]
        if t.is_drum:
            return min([GM_DRUM_KEYS[0], *pitches]), max([GM_DRUM_KEYS[1], *pitches])
        return playable_range(t.name, t.program, False, pitches)

    found = band_out_of_reach(mask, song, reach)
    if found is None:
        return None
    return (f"the pitch band {found.band} lies outside the range of {found.reaches}: "
            "nothing can be written there; choose a band inside it")


def kit_band_mask(song: Song, mask: Mask, pitch_range: tuple[int, int] | None) -> Mask:
    """``mask`` with the user's pitch range as the pitch band of its drum tracks: on a kit
    a range picks drums, not a register (a DAW's rack maps notes: ``--range 37-81``
    means "only touch these drums"), so the hits outside it stay, as context the model
    hears, and are never replaced — the range rewrote the whole kit and deleted all the
    kick's hits (producer QA). ``repaint --pitch`` paints the same band.

    A pitched track's region stays as painted: there the range is where the new notes
    go (a second part may climb above the first), and the notes the region holds are
    replaced whatever their pitch; a painted band keeps notes outside it. Idempotent: the
    tasks, the job queue and the studio each settle it."""
    if pitch_range is None:
        return mask
    lo, hi = sorted(pitch_range)
    kits = {t.id for t in song.tracks if t.is_drum}
    regions: list[Region] = []
    for r in mask.regions:
        drums = r.track_ids & kits
        if not drums or (lo <= r.pitch_lo and r.pitch_hi <= hi):
            regions.append(r)
            continue
        regions.append(Region(r.track_ids - drums, r.start, r.end, r.pitch_lo, r.pitch_hi))
        band = max(lo, r.pitch_lo), min(hi, r.pitch_hi)
        if band[0] <= band[1]:  # a painted band the range misses: that kit is kept whole
            regions.append(Region(drums, r.start, r.end, *band))
    return Mask.of(*regions)


def range_on_drums(song: Song, track_ids: Iterable[int], pitch_range: tuple[int, int] | None
                   ) -> str | None:
    """What a pitch range does to the drum tracks among ``track_ids``, when it leaves out
    some of their drums, or None. A range picks a kit's drums as it bounds pitches (a
    DAW's rack maps notes: ``--range 35-46`` is kick to toms, as ``repaint --pitch``
    paints it; :func:`kit_band_mask`): the drums outside it keep their hits, which a
    range meant for a melody beside the kit would leave untouched without a word: said.
    A kit's drums are the notes it plays for each drum (General MIDI's for an empty one).
    """
    if pitch_range is None:
        return None
    lo, hi = sorted(pitch_range)
    said = []
    for track in song.tracks:
        if track.id not in set(track_ids) or not track.is_drum:
            continue
        kit = DrumKit.of_track(track)
        own = [k for k, mine in enumerate(kit.own) if mine] or range(len(kit.hits))
        notes = sorted({n for k in own for n in kit.notes(k)})
        outside = [n for n in notes if not lo <= n <= hi]
        if not outside:
            continue
        inside = [n for n in notes if lo <= n <= hi]
        named = ", ".join(f"{drum_name(n, short=True) or 'note'} {n}" for n in outside[:4])
        more = f" and {len(outside) - 4} more" if len(outside) > 4 else ""
        keeps = "keeps its hits" if len(outside) == 1 else "keep their hits"
        said.append(f"{track.name} rewrites only the drums whose notes lie in it ({named}{more} "
                    f"{keeps})" if inside else
                    f"{track.name} stays as it is: none of its drums lies in it "
                    f"({named}{more})")
    return "; ".join(said) or None


def _span(lo: int, hi: int) -> str:
    return f"{pitch_name(lo)}–{pitch_name(hi)}"


def _ranges(song: Song, track_ids: Iterable[int], pitch_range: tuple[int, int]
            ) -> list[tuple[str, tuple[int, int], tuple[int, int] | None]]:
    """Each pitched track among ``track_ids``, in the song's order: its name, its
    playable range and what of ``pitch_range`` lies in it (None: nothing)."""
    lo, hi = sorted(pitch_range)
    ids = set(track_ids)
    out = []
    for track in song.tracks:
        if track.id not in ids or track.is_drum:
            continue  # on a kit a range picks drums (range_on_drums)
        a, b = playable_range(track.name, track.program, False, (n.pitch for n in track.notes))
        both = (max(lo, a), min(hi, b))
        out.append((track.name, (a, b), both if both[0] <= both[1] else None))
    return out


def range_out_of_reach(song: Song, track_ids: Iterable[int],
                       pitch_range: tuple[int, int] | None) -> str | None:
    """Why a pitch range the user named can hold no new note of a pitched track among
    ``track_ids``, or None. The range is where new notes go, within what each part can
    play (:func:`engine.score.instruments.playable_range`): one that misses a part's
    range entirely would replace its notes with nothing, so it is refused, naming the
    part and its range."""
    if pitch_range is None:
        return None
    missed = [f"{name} {_span(*reach)}" for name, reach, both in
              _ranges(song, track_ids, pitch_range) if both is None]
    if not missed:
        return None
    return (f"the pitch range {_span(*sorted(pitch_range))} lies outside the range of "
            f"{', '.join(missed)}: nothing can be written there; choose a range that meets "
            f"{'it' if len(missed) == 1 else 'each'}")


def range_narrowed(song: Song, track_ids: Iterable[int],
                   pitch_range: tuple[int, int] | None) -> str | None:
    """What a pitch range the user named becomes on the pitched tracks among
    ``track_ids`` whose part cannot play all of it, or None: each such part's new notes
    keep to the part of the range it plays (``--range C0-C8`` on a violin writes in
    G3–C8, not a B♭2), said so that a range is never cut without a word."""
    if pitch_range is None:
        return None
    lo, hi = sorted(pitch_range)
    cut = [f"{name} {_span(*both)}" for name, _, both in _ranges(song, track_ids, pitch_range)
           if both is not None and both != (lo, hi)]
    return f"narrowed to what each part plays: {', '.join(cut)}" if cut else None
