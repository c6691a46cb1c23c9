"""New songs from a template: the empty song File ▸ New starts, set up as a musician asks.

A producer's 4-bar loop started as File ▸ New's one Piano track, 8 bars at 120 BPM, and
its stems carried 4 silent bars: a new song takes its title, tempo, meter, key, length and
line-up up front (Logic's project chooser, MuseScore's New Score wizard). The line-ups
are instruments as users type them (:func:`~engine.tasks.instruments.track_specs`), so
the studio and the CLI build the same tracks from the same names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.score import (
    DEFAULT_PPQ,
    DRUM_CHANNEL,
    TRACK_COLOURS,
    KeySignature,
    Meter,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
)
from engine.score.song import BPM_RANGE
from engine.score.spelling import key_name

from .errors import TaskError
from .instruments import track_specs

# The line-ups a new song starts with, as ``partita tracks --add`` takes them ("NAME=
# INSTRUMENT", or an instrument alone, the track named after it); in the order offered.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "Piano": ("Piano",),
    "Band": ("Drums", "Bass", "Piano", "Lead"),
    # A producer's: a kit, an 808 (Synth Bass 1), a warm pad, a square lead.
    "Beat": ("Drums", "808", "Pad", "Lead"),
    # Four voice parts are a choir's (track_specs): Choir Aahs each, the Bass sung.
    "Choir SATB": ("Soprano", "Alto", "Tenor", "Bass"),
    "String quartet": ("Violin I=Violin", "Violin II=Violin", "Viola", "Cello"),
    "Empty": (),
}
DEFAULT_TEMPLATE = "Piano"
DEFAULT_BARS = 8
DEFAULT_TEMPO = 120.0
DEFAULT_METER = "4/4"
MAX_BARS = 999  # as Insert Bars takes them


def template_tracks(template: str) -> tuple[Track, ...]:
    """The empty tracks of ``template`` (one of :data:`TEMPLATES`, any case): each on a
    MIDI channel of its own, a kit on the drum channel, colours from the palette's second
    on (a new song's Piano has had it: a track added later takes the first free one)."""
    line_up = _template_line_up(template)
    tracks = []
    channels = (ch for ch in range(16) if ch != DRUM_CHANNEL)
    for i, spec in enumerate(track_specs(line_up) if line_up else ()):
        channel = DRUM_CHANNEL if spec.is_drum else next(channels)
        tracks.append(Track(name=spec.name, program=spec.program, is_drum=spec.is_drum,
                            channel=channel, colour=TRACK_COLOURS[(i + 1) % len(TRACK_COLOURS)]))
    return tuple(tracks)


def _template_line_up(template: str) -> tuple[str, ...]:
    key = " ".join(template.split()).casefold()
    for name, line_up in TEMPLATES.items():
        if name.casefold() == key:
            return line_up
    raise TaskError(f"unknown template {template!r:.40} (one of {', '.join(TEMPLATES)})")


def new_song(template: str = DEFAULT_TEMPLATE, bars: int = DEFAULT_BARS,
             tempo: float = DEFAULT_TEMPO, meter: str | Meter = DEFAULT_METER,
             key: str | None = None, title: str = "") -> Song:
    """An empty song of ``bars`` bars (its set length: they stay when nothing is written
    in them) at ``tempo`` BPM in ``meter`` (``"3/4"``, grouped ``"3+2+2/8"`` as Ctrl+K's
    dialog reads it, or ``(7, 8, (3, 2, 2))``), with the key signature ``key`` (``"F#m"``,
    ``"a minor"``; None or "" for none: generation then finds or draws one), titled
    ``title``, and the tracks of ``template`` (:func:`template_tracks`). Raises
    :class:`TaskError` saying what does not fit."""
    if not 1 <= bars <= MAX_BARS:
        raise TaskError(f"a new song has 1..{MAX_BARS} bars, not {bars}")
    low, high = BPM_RANGE
    if not low <= tempo <= high:
        raise TaskError(f"tempo {tempo:g} BPM is outside {low:g}..{high:g}")
    try:
        signature = (TimeSignature.from_text(meter) if isinstance(meter, str)
                     else TimeSignature(0, *meter))
        key = key_name(key) if key else None
    except ValueError as e:
        raise TaskError(str(e)) from None
    song = Song(tracks=template_tracks(template), ppq=DEFAULT_PPQ,
                tempos=(TempoChange(0, round(60_000_000 / tempo)),),
                time_signatures=(signature,),
                key_signatures=(KeySignature(0, key),) if key else (),
                title=title.strip())
    return replace(song, length=TimeMap.of(song).bar_to_tick(bars))


@dataclass(frozen=True)
class SongSetup:
    """What a new song is to be (File ▸ New's dialog answers one, and remembers it):
    :func:`new_song`'s arguments, the meter as a musician writes it."""

    template: str = DEFAULT_TEMPLATE
    bars: int = DEFAULT_BARS
    tempo: float = DEFAULT_TEMPO
    meter: str = DEFAULT_METER
    key: str | None = None
    title: str = ""

    def song(self) -> Song:
        """The empty song (:func:`new_song`); TaskError when a field does not fit."""
        return new_song(self.template, self.bars, self.tempo, self.meter, self.key,
                        self.title)
