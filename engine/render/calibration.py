"""How loud the built-in synth plays each GM family against a SoundFont.

The built-in synth's family gains (``tones.py``'s ``gain=``, ``drums.LEVEL``) are set
from these measurements, so switching synths keeps a mix's balance:
``benchmarks/calibrate_builtin.py`` prints every family's difference, and
``tests/engine/render/test_calibration.py`` checks a few of them. A reference phrase is
a few notes at velocity 100 around the family's usual register; both synths render it
as a stem (no volume or pan), and :func:`~.loudness.integrated_loudness` compares them.
"""

from __future__ import annotations

from pathlib import Path

from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track

from .loudness import integrated_loudness
from .renderer import render_tracks

PPQ = 480
VELOCITY = 100
# The lowest note of each family's phrase (GM family = program // 8): around where its
# instruments usually play.
FAMILY_ROOTS = (
    55,  # piano
    67,  # chromatic percussion
    55,  # organ
    48,  # guitar
    33,  # bass
    60,  # strings
    55,  # ensemble
    55,  # brass
    60,  # reed
    72,  # pipe
    60,  # synth lead
    55,  # synth pad
    55,  # synth effects
    60,  # ethnic
    60,  # percussive
    60,  # sound effects
)
FAMILY_NAMES = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble",
    "Brass", "Reed", "Pipe", "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic",
    "Percussive", "Sound Effects",
)
# Instruments of a family that play well below (or above) it: FluidR3's contrabass is
# silent from middle C up.
PROGRAM_ROOTS = {42: 43, 43: 31, 47: 41, 57: 46, 58: 34, 70: 43, 72: 79, 87: 43}
DRUMS = -1  # the "program" of the drum kit's phrase


def reference_phrase(program: int) -> Song:
    """A one-track song at 120 BPM: a rising arpeggio of half notes (root, third, fifth,
    octave), two bars of it up and down in staccato eighths (a sixteenth long: a synth
    plays short notes and long ones differently, and songs have both), and a two-second
    triad, at velocity 100; ``DRUMS``: two bars of a rock beat
    (kick, snare, closed hi-hat, a crash on the first beat)."""
    if program == DRUMS:
        eighth = PPQ // 2
        notes = [Note(42, i * eighth, 60, VELOCITY) for i in range(16)]
        notes += [Note(36, b * PPQ, 60, VELOCITY) for b in (0, 2, 4, 6)]
        notes += [Note(38, b * PPQ, 60, VELOCITY) for b in (1, 3, 5, 7)]
        notes.append(Note(49, 0, 60, VELOCITY))
        notes.sort(key=lambda n: (n.start, n.pitch))
        track = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(notes))
    else:
        root = PROGRAM_ROOTS.get(program, FAMILY_ROOTS[program // 8])
        notes = [Note(root + step, i * 2 * PPQ, 2 * PPQ, VELOCITY)
                 for i, step in enumerate((0, 4, 7, 12))]
        notes += [Note(root + step, 8 * PPQ + i * PPQ // 2, PPQ // 4, VELOCITY)
                  for i, step in enumerate((0, 4, 7, 12, 7, 4) * 2 + (0, 4, 7, 12))]
        notes += [Note(root + step, 16 * PPQ, 4 * PPQ, VELOCITY) for step in (0, 4, 7)]
        track = Track("Reference", program, notes=tuple(notes))
    return Song(tracks=(track,), tempos=(TempoChange(0, 500_000),), ppq=PPQ)


def phrase_loudness(program: int, synth: str, soundfont: Path | None = None,
                    sample_rate: int = 44100) -> float:
    """The integrated loudness (LUFS) of :func:`reference_phrase` played by ``synth``
    (``"builtin"`` or ``"soundfont"``)."""
    (audio,) = render_tracks(reference_phrase(program), sample_rate, soundfont,
                             synth=synth).values()  # type: ignore[arg-type]
    return integrated_loudness(audio, sample_rate)


def builtin_minus_soundfont(program: int, soundfont: Path, sample_rate: int = 44100) -> float:
    """How much louder (LU) the built-in synth plays ``program``'s phrase than
    ``soundfont`` does: 0 when calibrated."""
    return (phrase_loudness(program, "builtin", None, sample_rate)
            - phrase_loudness(program, "soundfont", soundfont, sample_rate))
