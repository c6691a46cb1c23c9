"""A rule-made drum part: the grooves partita-base learned its drum lanes from.

The music21 corpus has no drums, so every other training piece gets one from
:func:`synthetic_drums` (:mod:`engine.models.corpus`). The sampler reads the same rules as
the idiom a new kit follows where the song gives it none (a drum part added to a song, or
a new piece): where in the bar each drum strikes, and the kit's mix
(:meth:`engine.models.grid_plugin.GridModelPlugin.texture_targets`). A new Orchestra kit
follows :func:`orchestral_percussion` instead: a section's bass drum, cymbals and snare
rolls, no drum-kit groove; a new timpani part follows :func:`orchestral_timpani`.
"""

from __future__ import annotations

import random

from engine.models.vocab import DRUM_CLASSES
from engine.score import DRUM_CHANNEL, Note, Song, TimeMap, Track

# General MIDI 2's Orchestra kit (program 48 on a drum track; GS's alike): its 42-53 are
# timpani, not hi-hats and toms, and an orchestra's percussionists play no groove.
ORCHESTRA_KIT = 48
# General MIDI's Timpani (47, a pitched track): the orchestra's other percussionist.
TIMPANI_PROGRAM = 47


def synthetic_drums(song: Song, seed: int) -> Track:
    """A rule-made groove over the song's bars and meters (kick, snare, hats, a crash
    every 8 bars, a fill before it), with seeded variations. It follows the beats a
    musician counts (``TimeMap.pulse_offsets``): kick on the first, snare on every other
    one (6/8: the kick on 1 and the snare on 4, not on the 2nd, 4th and 6th eighths; 7/8:
    the snare on the second group), the waltz's snare on 3."""
    rng = random.Random(seed)
    tm = TimeMap.of(song)
    step = song.ppq // 4
    note = {name: gm for name, gm, _ in DRUM_CLASSES}
    hat = rng.choice(["closed hat", "closed hat", "ride"])
    hat_every = rng.choice([2, 2, 1])  # in 16ths: 8ths or 16ths
    hits: list[tuple[int, str]] = []
    for b in range(tm.bar_count(song.end)):
        t0, t1 = tm.bar_to_tick(b), tm.bar_to_tick(b + 1)
        beats = tm.pulse_offsets(b)
        fill = b % 8 == 7 and rng.random() < 0.7
        for k in range(0, (t1 - t0) // step, hat_every):
            hits.append((t0 + k * step, hat))
        if not beats:
            continue  # a bar cut to less than a beat: hats only
        hits.append((t0 + beats[0], "kick"))
        if len(beats) == 4:  # 4/4, 12/8: the third beat too
            hits.append((t0 + beats[2] + (step * 2 if rng.random() < 0.3 else 0), "kick"))
        waltz = len(beats) == 3 and tm.signature_at(t0).pulses == (1, 1, 1)
        for at in ([beats[2]] if waltz else beats[1::2]):
            hits.append((t0 + at, "snare"))
        if b % 8 == 0:
            hits.append((t0, "crash"))
        if fill:
            for k in range(4):
                hits.append((t1 - (4 - k) * step, rng.choice(["snare", "high tom",
                                                                "low tom"])))
    notes = {(t, note[name]) for t, name in hits if 0 <= t < song.end}
    return Track(name="Drums", program=0, is_drum=True, channel=DRUM_CHANNEL,
                 notes=tuple(Note(p, t, step, 90) for t, p in sorted(notes)))


def orchestral_percussion(song: Song, seed: int) -> Track:
    """A rule-made part for an orchestra's percussion section over the song's bars: the
    bass drum on the first beat of every other bar, a cymbal clash opening each 4-bar
    phrase, a snare roll (16ths) over the last beat before it, the snare on the bar's
    last beat now and then. No hi-hats, no backbeat: composed on the Orchestra kit from
    the drum-kit groove, an orchestral piece got 118 closed hats in 16 bars (QA)."""
    rng = random.Random(seed)
    tm = TimeMap.of(song)
    step = song.ppq // 4
    note = {name: gm for name, gm, _ in DRUM_CLASSES}
    hits: list[tuple[int, str]] = []
    bars = tm.bar_count(song.end)
    for b in range(bars):
        t0, t1 = tm.bar_to_tick(b), tm.bar_to_tick(b + 1)
        beats = tm.pulse_offsets(b)
        if not beats:
            continue
        if b % 2 == 0:
            hits.append((t0, "kick"))
        if b % 4 == 0:
            hits.append((t0, "crash"))
        last = t0 + beats[-1]
        if b % 4 == 3 and b + 1 < bars:  # a roll into the next phrase
            hits.extend((t, "snare") for t in range(last, t1, step))
        elif rng.random() < 0.25:
            hits.append((last, "snare"))
    notes = {(t, note[name]) for t, name in hits if 0 <= t < song.end}
    return Track(name="Percussion", program=ORCHESTRA_KIT, is_drum=True,
                 channel=DRUM_CHANNEL,
                 notes=tuple(Note(p, t, step, 90) for t, p in sorted(notes)))


def orchestral_timpani(song: Song) -> Track:
    """A rule-made timpani part's rhythm over the song's bars: a stroke on the first
    beat of each phrase's strong bars (the first and third of every 4), a roll (16ths)
    over the last beat of a phrase into the next one, and the last bar's downbeat. Its
    pitches are placeholders (the tonic of C): the sampler reads where it strikes, the
    constraints choose the drums' tunings (:func:`~engine.models.constraints.
    timpani_drums`). Left to the model, a new timpani part struck 69-70 notes in 16 bars,
    melody-like, on any 16th (QA)."""
    tm = TimeMap.of(song)
    step = song.ppq // 4
    bars = tm.bar_count(song.end)
    starts: set[int] = set()
    for b in range(bars):
        t0, t1 = tm.bar_to_tick(b), tm.bar_to_tick(b + 1)
        beats = tm.pulse_offsets(b)
        if not beats:
            continue
        if b % 2 == 0 or b == bars - 1:
            starts.add(t0)
        if b % 4 == 3 and b + 1 < bars:  # a roll into the next phrase
            starts.update(range(t0 + beats[-1], t1, step))
    return Track(name="Timpani", program=TIMPANI_PROGRAM,
                 notes=tuple(Note(48, t, step, 90) for t in sorted(starts) if t < song.end))
