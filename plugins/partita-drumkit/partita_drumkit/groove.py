"""Groove rules: one bar of drums from its meter, style, density and phrase position.

Pure functions over a 16th-note grid; no song objects, so the rules are easy to read
and test. A bar is described by :class:`BarSpec`; :func:`bar_hits` returns the hits as
``(step, GM drum note, velocity)``; :func:`step_tick` places a step in the bar, swung
when the song swings or the style is a shuffle.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from engine.score import TimeSignature

# General MIDI drum notes.
KICK, SIDE_STICK, SNARE, CLAP = 36, 37, 38, 39
CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 42, 44, 46
CRASH, RIDE = 49, 51
HIGH_TOM, MID_TOM, LOW_TOM, FLOOR_TOM = 50, 47, 45, 43

STYLES = ("auto", "rock", "halftime", "funk", "shuffle", "house", "trap")
# General MIDI 2's kits that name a style (the program of a drum track on channel 10): a
# track on the TR-808 is a trap beat's, one on the Electronic (909-style) kit a house one.
ELECTRONIC_KIT, TR808_KIT = 24, 25
HOUSE_BPM = (115, 135)  # the tempos "auto" plays house at on the Electronic kit
TRAP_BPM = (120, 170)  # and trap on the TR-808 (140 the usual, felt in half time)

# (16th step in the bar, drum note, velocity); a roll's 32nds and triplets fall between
# the 16ths: step 12.5, 12 + 2/3.
Hit = tuple[float, int, int]
SHUFFLE = 2 / 3  # a shuffle's off-beat: the last triplet of the beat (2:1)


def swingable(sig: TimeSignature) -> bool:
    """Whether 8ths in this meter pair up in quarter-note beats, the way a swing plays
    them (4/4, 3/4, 2/2; not 6/8, which is triplets already, nor 7/8's groups): one rule
    for the swing a song is read to have (:mod:`.feel`) and the one a bar plays."""
    return sig.denominator <= 4 and not sig.compound and len(set(sig.pulses)) == 1


@dataclass(frozen=True, slots=True)
class BarSpec:
    """One bar: its meter, where it sits in the phrase, and how busy it should be."""

    numerator: int = 4
    denominator: int = 4
    groups: tuple[int, ...] = ()  # a chosen grouping (7/8 as 3+2+2), else the usual one
    style: str = "rock"  # a resolved style, not "auto"
    density: float = 0.5  # 0..1
    fill: bool = False  # last bar of a phrase
    crash: bool = False  # first bar after a fill
    bass_steps: frozenset[int] = frozenset()  # 16th steps where the bass plays
    temperature: float = 1.0
    swing: float | None = None  # the song's off-beat 8th, as a fraction of the beat
    hat_every: int | None = None  # the hat spacing the track's own groove keeps
    # House: whether the closed 16ths play, decided once for the phrase (the plugin's
    # house_sixteenths) so they do not come and go bar to bar; None: this bar decides.
    sixteenths: bool | None = None

    @property
    def feel(self) -> float:
        """Where the off-beat 8th falls in a quarter-note beat: the song's swing, else a
        shuffle's 2:1, else 0.5 (straight). Meters felt otherwise (6/8, 7/8) play
        straight: their 8ths are the triplets or groups already."""
        if not swingable(self.meter):
            return 0.5
        if self.swing:
            return self.swing
        return SHUFFLE if self.style == "shuffle" else 0.5

    @property
    def steps(self) -> int:
        """16th steps in the bar (a 6/8 bar has 12)."""
        return self.numerator * 16 // self.denominator

    @property
    def meter(self) -> TimeSignature:
        return TimeSignature(0, self.numerator, self.denominator, self.groups)

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8, 6/4: felt in dotted beats (Partita's one definition)."""
        return self.meter.compound

    @property
    def additive(self) -> bool:
        """An odd meter of eighths felt in groups of two and three (5/8, 7/8: 2+2+3, or
        as grouped: 3+2+2)."""
        return len(set(self.meter.pulses)) > 1

    @property
    def beat_starts(self) -> tuple[int, ...]:
        """The 16th step where each felt beat starts (``TimeSignature.pulses``): 6/8 → 0 6,
        7/8 → 0 4 8, 3+2+2/8 → 0 6 10, 4/4 → 0 4 8 12."""
        unit = max(1, 16 // self.denominator)
        return tuple(s * unit for s in self.meter.pulse_starts if s * unit < self.steps)

    @property
    def beats(self) -> int:
        return len(self.beat_starts)


def resolve_style(style: str, bpm: float, numerator: int, denominator: int,
                  groups: tuple[int, ...] = (), kit: int = 0) -> str:
    """Pick a style for "auto": half-time for slow songs, shuffle for a compound meter of
    eighths (6/8, 9/8, 12/8, but not 6/8 grouped 2+2+2), else rock. A 4/4 drum track on
    the kit a style is played on (``kit``: its GM2 program) at that style's tempo gets
    it: trap on the TR-808 at 120–170 BPM, house on the Electronic kit at 115–135; the
    tempo alone tells no genre (a rock song is at 125 too), so the standard kit keeps to
    the rules above."""
    if style != "auto":
        return style
    if denominator == 8 and TimeSignature(0, numerator, denominator, groups).compound:
        return "shuffle"
    if (numerator, denominator) == (4, 4):
        if kit == TR808_KIT and TRAP_BPM[0] <= bpm <= TRAP_BPM[1]:
            return "trap"
        if kit == ELECTRONIC_KIT and HOUSE_BPM[0] <= bpm <= HOUSE_BPM[1]:
            return "house"
    return "halftime" if bpm < 80 else "rock"


def _backbeats(spec: BarSpec) -> list[int]:
    """Beats (0-based) that take the snare."""
    if spec.style in ("halftime", "trap"):
        return [spec.beats // 2] if spec.beats >= 2 else []
    if spec.beats == 3 and not (spec.compound or spec.additive):
        return [1, 2]  # waltz: boom-chick-chick
    return list(range(1, spec.beats, 2))  # 7/8 (2+2+3): the snare on the second group


def step_tick(spec: BarSpec, step: float, ppq: int) -> int:
    """Ticks from the bar's start to 16th ``step``, swung as :attr:`BarSpec.feel` says:
    the off-beat 8th at that fraction of the beat, the 16ths either side halfway; a step
    between two 16ths (a roll's 32nd or triplet) in proportion between them."""
    whole = math.floor(step)
    tick = _grid_tick(spec, whole, ppq)
    if step == whole:
        return tick
    return tick + round((step - whole) * (_grid_tick(spec, whole + 1, ppq) - tick))


def _grid_tick(spec: BarSpec, step: int, ppq: int) -> int:
    quarter, within = divmod(step, 4)
    return quarter * ppq + round(step_fraction(within, spec.feel) * ppq)


def nearest_step(spec: BarSpec, tick: int, ppq: int) -> int:
    """The 16th step (of :func:`step_tick`'s, swung alike) nearest ``tick`` into the bar."""
    quarter, rest = divmod(tick, ppq)
    fractions = [step_fraction(k, spec.feel) for k in range(4)] + [1.0]
    within = min(range(5), key=lambda k: abs(fractions[k] * ppq - rest))
    return quarter * 4 + within


def step_fraction(within: int, feel: float) -> float:
    """Where 16th ``within`` (0-3) of a beat falls, as a fraction of the beat, when its
    off-beat 8th falls at ``feel`` (0.5 straight): the 16ths either side split evenly."""
    return (0.0, feel / 2, feel, (1 + feel) / 2)[within]


def _hat_every(spec: BarSpec) -> int:
    """Hat spacing in steps: the track's own when it keeps one, else quarters, 8ths or
    16ths as the density rises."""
    if spec.hat_every and not (spec.hat_every == 4 and (spec.compound or spec.additive)):
        return spec.hat_every  # repainting a band of a groove: its hats' subdivision
    if spec.compound or spec.style == "shuffle":
        return 2  # every 8th note
    if spec.style == "funk" or spec.density >= 0.7:
        return 1
    return 2 if spec.density >= 0.3 else 4


def bar_hits(spec: BarSpec, rng: random.Random) -> list[Hit]:
    """The hits of one bar, sorted by step."""
    steps, starts = spec.steps, spec.beat_starts
    heat = max(0.0, spec.temperature)
    chance = spec.density * heat  # how readily optional notes appear

    def vel(base: int) -> int:
        return max(1, min(127, round(base + rng.gauss(0, 5 * heat))))

    fill_from = steps
    if spec.fill:
        fill_beats = 2 if spec.density > 0.6 and spec.beats >= 3 else 1
        fill_from = starts[-fill_beats] if spec.beats > 1 else steps // 2
    if spec.style in ("house", "trap"):
        hits = (_house(spec, fill_from, rng, vel, chance) if spec.style == "house"
                else _trap(spec, rng, vel, chance))
        if spec.crash:
            for hat in (CLOSED_HAT, OPEN_HAT):
                hits.pop((0, hat), None)
            hits[(0, CRASH)] = vel(112)
        return sorted((s, note, v) for (s, note), v in hits.items())
    hits: dict[tuple[float, int], int] = {}

    # Hats (the ride in a shuffle), accenting the beats.
    cymbal = RIDE if spec.style == "shuffle" else CLOSED_HAT
    every = _hat_every(spec) if cymbal == CLOSED_HAT else 2  # a ride plays 8ths
    for s in range(0, fill_from, every):
        accent = 100 if s in starts else (78 if s % 2 == 0 else 62)
        hits[(s, cymbal)] = vel(accent)
    if spec.style in ("rock", "funk") and not spec.fill and rng.random() < 0.35 * chance:
        last_off = steps - 2
        hits.pop((last_off, CLOSED_HAT), None)
        hits[(last_off, OPEN_HAT)] = vel(88)

    # Kick: the downbeat(s), then syncopations and the bass's rhythm as density allows.
    if spec.compound or spec.additive or (spec.beats > 3 and spec.style != "halftime"):
        kick_beats = list(range(0, spec.beats, 2))
    else:
        kick_beats = [0]
    for b in kick_beats:
        hits[(starts[b], KICK)] = vel(110 if b == 0 else 100)
    backbeat_steps = {starts[b] for b in _backbeats(spec)}
    for s in sorted(spec.bass_steps):
        if s < fill_from and s not in backbeat_steps and s % 2 == 0 and rng.random() < 0.6 * chance:
            hits[(s, KICK)] = vel(92)
    if spec.beats >= 4 and not (spec.compound or spec.additive) and rng.random() < 0.5 * chance:
        s = starts[2] - 2 if rng.random() < 0.5 else starts[3] - 2  # "and" of 2 or of 3
        if s < fill_from:
            hits[(s, KICK)] = vel(90)

    # Snare backbeats, ghost notes in funk, a side-stick feel when very sparse.
    snare = SIDE_STICK if spec.density < 0.15 else SNARE
    for s in sorted(backbeat_steps):
        if s < fill_from:
            hits[(s, snare)] = vel(108)
    if spec.style == "funk":
        for s in range(1, fill_from, 2 if spec.density < 0.6 else 1):
            if s not in backbeat_steps and rng.random() < 0.25 * chance:
                hits[(s, SNARE)] = vel(38)

    if spec.crash:
        hits.pop((0, cymbal), None)
        hits[(0, CRASH)] = vel(112)
    if spec.fill:
        hits.update(_fill(spec, fill_from, rng, vel))
    return sorted((s, note, v) for (s, note), v in hits.items())


# A house kick is a machine's, at one level: a little louder on the downbeat, no more.
# (Drawn at random, it wandered bar to bar, 100 to 120, in a QA render.)
HOUSE_KICK, HOUSE_DOWNBEAT_KICK = 104, 110
HOUSE_SIXTEENTHS_DENSITY = 0.6  # a band this busy gets the closed 16ths


def house_sixteenths(density: float, chance: float, rng: random.Random) -> bool:
    """Whether house's closed hats play the 16ths between the open ones: when the band is
    busy (``density``), else as ``chance`` (density × temperature) has it. Decided for a
    phrase at a time (:attr:`BarSpec.sixteenths`): per bar, they vanished for whole bars
    (bars 2–4 and 7 of 8 in a QA render) and came back."""
    return density >= HOUSE_SIXTEENTHS_DENSITY or rng.random() < 0.5 * chance


def _house(spec: BarSpec, fill_from: int, rng: random.Random, vel,
           chance: float) -> dict[tuple[float, int], int]:
    """Four on the floor: the kick on every beat at a steady level (the downbeat a little
    louder), the clap on the backbeats (2 and 4), the open hat on each off-beat 8th,
    closed hats on the 16ths between when the band is busy (or as ``chance`` has it;
    :attr:`BarSpec.sixteenths` when the phrase decided; as the kept groove has them when
    only its hats are repainted). A fill is a clap roll over the kick, which never
    stops."""
    steps, starts = spec.steps, spec.beat_starts
    hits: dict[tuple[float, int], int] = {}
    for b, s in enumerate(starts):
        hits[(s, KICK)] = HOUSE_DOWNBEAT_KICK if b == 0 else HOUSE_KICK
    ends = (*starts[1:], steps)
    offbeats = {s + (end - s) // 2 for s, end in zip(starts, ends, strict=True) if end - s >= 2}
    sixteenths = (spec.sixteenths if spec.sixteenths is not None
                  else house_sixteenths(spec.density, chance, rng))
    if spec.hat_every:  # repainting a band of a groove: 16ths if its hats play them
        sixteenths = spec.hat_every == 1
    for s in range(fill_from):
        if s in offbeats:
            hits[(s, OPEN_HAT)] = vel(84)
        elif sixteenths:
            hits[(s, CLOSED_HAT)] = vel(72 if s in starts else 52)
    for b in _backbeats(spec):
        if starts[b] < fill_from:
            hits[(starts[b], CLAP)] = vel(108)
    every = 1 if spec.density >= 0.45 else 2
    run = range(fill_from, steps, every)
    for i, s in enumerate(run):  # a build: the claps louder to the bar line
        hits[(s, CLAP)] = vel(70 + 40 * i // max(1, len(run)))
    return hits


def _trap(spec: BarSpec, rng: random.Random, vel, chance: float
          ) -> dict[tuple[float, int], int]:
    """Trap, felt in half time (140 BPM played as 70): the snare and clap together on the
    bar's middle beat (beat 3 of 4/4), the kick on the downbeat and syncopated (the 8th
    after the snare, 16ths the band's bass or ``chance`` adds), closed hats in 8ths
    (16ths when busy) that roll near the bar's end: 16ths, 32nds or triplets over the last
    beat, some bars as ``chance`` has it and always at a phrase's end, where the roll
    starts a beat earlier in 16ths."""
    steps, starts = spec.steps, spec.beat_starts
    hits: dict[tuple[float, int], int] = {}
    snares = {starts[b] for b in _backbeats(spec)} or {steps // 2}
    # The roll: at a phrase's end over the last two beats, else over the last one.
    roll_from = steps
    if spec.fill or rng.random() < min(0.9, 1.2 * chance):
        roll_from = starts[-2] if spec.fill and spec.beats >= 3 else starts[-1]
    every = 1 if spec.density >= 0.7 else 2
    if spec.hat_every in (1, 2):  # repainting a band of a groove: its hats' 8ths or 16ths
        every = spec.hat_every
    for s in range(0, roll_from, every):
        hits[(s, CLOSED_HAT)] = vel(96 if s in starts else 74 if s % 2 == 0 else 58)
    if roll_from < steps:
        hits.update(_hat_roll(spec, roll_from, rng, vel))
    for s in snares:
        hits[(s, SNARE)] = vel(104)
        hits[(s, CLAP)] = vel(110)
    hits[(0, KICK)] = vel(112)
    kicks = {s + 2 for s in snares if s + 2 < steps}  # the 8th after the snare
    kicks |= {s for s in (3, 6, 11, 14) if s < steps and rng.random() < 0.5 * chance}
    kicks |= {s for s in spec.bass_steps if rng.random() < 0.6 * chance}
    for s in sorted(kicks - snares):
        hits[(s, KICK)] = vel(96)
    return hits


def _hat_roll(spec: BarSpec, start: int, rng: random.Random, vel
              ) -> dict[tuple[float, int], int]:
    """A closed-hat roll from ``start`` to the bar's end, louder as it goes: 16ths up to
    the last beat, then 16ths, 32nds or 16th-note triplets over it."""
    last = spec.beat_starts[-1] if start < spec.beat_starts[-1] else start
    kind = rng.choice(("16ths", "32nds", "triplets"))
    span = spec.steps - last
    fast: list[float] = {
        "16ths": [float(s) for s in range(last, spec.steps)],
        "32nds": [last + k / 2 for k in range(2 * span)],
        "triplets": [last + k * 2 / 3 for k in range(round(1.5 * span))],
    }[kind]
    run = [float(s) for s in range(start, last)] + fast
    return {(s, CLOSED_HAT): vel(60 + 36 * i // max(1, len(run))) for i, s in enumerate(run)}


def _fill(spec: BarSpec, start: int, rng: random.Random, vel) -> dict[tuple[int, int], int]:
    """A descending snare-and-toms run from ``start`` to the bar's end."""
    toms = (SNARE, HIGH_TOM, MID_TOM, LOW_TOM, FLOOR_TOM)
    every = 1 if spec.density >= 0.45 else 2
    run = list(range(start, spec.steps, every))
    out: dict[tuple[int, int], int] = {}
    for i, s in enumerate(run):
        # Move down the kit across the fill; sometimes stay on a drum for a double.
        k = min(len(toms) - 1, i * len(toms) // max(1, len(run)))
        if i and rng.random() < 0.2 * spec.temperature:
            k = max(0, k - 1)
        out[(s, toms[k])] = vel(84 + 20 * i // max(1, len(run)))
    out[(start, KICK)] = vel(96)
    return out
