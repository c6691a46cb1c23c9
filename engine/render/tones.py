"""Pitched voices of the built-in synth: additive wavetables with ADSR envelopes.

One :class:`Timbre` per General MIDI family (piano, organ, guitar, bass, strings, ...).
A voice reads two single-cycle wavetables, a bright one at the attack fading into a
duller one, as struck and plucked strings do; tables are rebuilt with fewer partials for
high notes so nothing aliases. Plain numpy, a few array passes per note.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

TABLE_SIZE = 4096
MIN_NOTE_S = 0.01  # a zero-length MIDI note still makes a short sound
MAX_RELEASE_S = 3.0
SIXTY_DB = 6.9  # time constants to fall by 60 dB (ln 1000)


@dataclass(frozen=True, slots=True)
class Timbre:
    """How one instrument family sounds.

    ``bright``/``dull`` are partial amplitudes (fundamental first); the tone fades from
    the first to the second with time constant ``brightness_s``. ``decay_s`` is the time
    constant from full level to ``sustain``; with ``pitch_decay`` low notes ring longer.
    """

    bright: tuple[float, ...]
    dull: tuple[float, ...] | None = None
    attack_s: float = 0.01
    decay_s: float = 0.3
    sustain: float = 0.8
    release_s: float = 0.1
    brightness_s: float = 0.2
    pitch_decay: bool = False
    vibrato: float = 0.0  # depth in semitones
    chorus: bool = False  # a second voice 7 cents sharp
    gain: float = 0.4


def _saw(n: int, tilt: float = 1.0) -> tuple[float, ...]:
    return tuple(1 / k**tilt for k in range(1, n + 1))


def _square(n: int) -> tuple[float, ...]:
    return tuple(1 / k if k % 2 else 0.0 for k in range(1, n + 1))


PIANO = Timbre((1, .6, .35, .25, .18, .12, .09, .06, .05, .04), (1, .3, .08, .03), .004, 1.2, 0,
               .12, .3, pitch_decay=True, gain=.208)
MALLETS = Timbre((1, 0, 0, .3, 0, 0, 0, 0, .1), (1, 0, 0, .05), .002, .7, 0, .15, .08,
                 pitch_decay=True, gain=.194)
ORGAN = Timbre((1, .7, .5, .35, 0, .25, 0, .2), None, .01, .1, 1, .05, gain=.184)
GUITAR = Timbre((1, .8, .6, .45, .35, .25, .2, .15, .1, .08), (1, .4, .1), .003, 1.0, 0, .08, .15,
                pitch_decay=True, gain=.560)
BASS = Timbre((1, .7, .4, .25, .15, .1), (1, .3, .05), .005, .6, .3, .06, .2, pitch_decay=True,
              gain=.421)
STRINGS = Timbre(_saw(16), _saw(8, 1.5), .08, .4, .85, .25, .6, vibrato=.1, chorus=True, gain=.223)
ENSEMBLE = Timbre(_saw(12, 1.2), _saw(6, 1.6), .15, .5, .85, .35, .8, vibrato=.06, chorus=True,
                  gain=.256)
CHOIR = Timbre((1, .5, .25, .12, .06), None, .15, .5, .9, .35, vibrato=.12, chorus=True, gain=.276)
BRASS = Timbre((1, .8, .6, .5, .4, .3, .25, .2, .15, .1), (1, .5, .3, .15), .04, .2, .8, .1, .4,
               vibrato=.05, gain=.441)
REED = Timbre((1, .2, .5, .1, .3, .08, .2, .05, .1), None, .03, .2, .85, .08, vibrato=.08,
              gain=.280)
PIPE = Timbre((1, .15, .05, .02), None, .05, .2, .9, .1, vibrato=.1, gain=.213)
LEAD = Timbre(_square(15), None, .01, .2, .8, .08, gain=.105)
PAD = Timbre(_saw(12, 1.3), _saw(6, 1.8), .3, .5, .9, .6, 1.5, chorus=True, gain=.433)
SOFT = Timbre((1, .3, .1), None, .05, .5, .7, .3, gain=.257)

# Indexed by GM family (program // 8). Families that share a sound have gains of their own.
FAMILY_TIMBRES: tuple[Timbre, ...] = (
    PIANO, MALLETS, ORGAN, GUITAR, BASS, STRINGS, ENSEMBLE, BRASS,
    REED, PIPE, LEAD, PAD, replace(PAD, gain=.138), replace(GUITAR, gain=.414),
    replace(MALLETS, gain=.219), SOFT,
)
CHOIR_PROGRAMS = (52, 53, 54, 85, 91)  # choir and voice patches

# Each program's level against its family's gain, in dB: the General MIDI SoundFonts
# play the programs of one family as much as 35 dB apart (FluidR3's Synth Bass 1 12 dB below
# its Synth Bass 2), where the built-in synth has one timbre for all eight. Measured
# against FluidR3_GM.sf2, with the family gains above, by
# benchmarks/calibrate_builtin.py (engine.render.calibration): each program's reference
# phrase is within 0.1 LU of FluidR3's.
PROGRAM_TRIM_DB: tuple[float, ...] = (
    -5.6, 0.6, 6.3, -7.4, -2.0, -5.9, 4.9, 4.2,
    0.9, 7.1, 6.4, -5.0, -0.5, -8.8, 6.8, -10.2,
    2.9, 5.4, 7.0, 6.5, -5.8, -2.9, -4.7, -6.7,
    -0.3, -1.2, -4.7, 0.4, -5.1, 0.8, 5.4, 4.1,
    -0.4, 0.4, 0.0, 0.5, -2.1, -2.3, -10.5, 0.4,
    2.0, 0.8, 0.2, -1.3, 1.2, 2.4, -1.1, -7.0,
    2.0, 4.2, 0.0, -3.9, -0.9, 1.3, -2.3, -1.8,
    -1.6, 3.5, 2.0, 1.0, 0.8, -1.0, -6.0, -1.0,
    0.4, 2.7, 1.0, -1.4, -2.0, 0.2, -1.5, 3.1,
    -3.0, -0.6, -0.6, -1.0, 3.4, 2.0, 7.0, 5.2,
    -0.4, 2.9, 0.2, 7.4, 14.2, 6.2, -21.0, -0.3,
    -13.8, -8.5, -0.3, -1.1, 2.9, 1.0, -1.7, 2.7,
    0.2, -2.9, 0.8, 8.6, 5.1, 10.8, -1.3, 0.1,
    1.3, 0.6, -14.4, -2.1, -2.7, -0.2, 7.6, 4.1,
    1.2, -9.3, 9.2, -10.5, -0.2, -0.3, 4.2, 4.1,
    0.6, 0.9, -12.6, 3.0, 2.9, -9.4, -0.6, 3.6,
)


def timbre_for(program: int) -> Timbre:
    if program in CHOIR_PROGRAMS:
        return CHOIR
    return FAMILY_TIMBRES[(program // 8) % len(FAMILY_TIMBRES)]


def velocity_gain(velocity: int) -> float:
    """A note's gain for its velocity: v/127, as the SoundFont path (TinySoundFont) plays
    it, so a song's dynamics come out alike from both synths. (It was GM's 40·log10 curve,
    (v/127)²: velocity 64 then played 6 dB quieter here than with the SoundFont.)"""
    return velocity / 127


def program_gain(program: int) -> float:
    """The linear gain of ``program``'s voice at full velocity: its family's, trimmed."""
    return timbre_for(program).gain * 10 ** (PROGRAM_TRIM_DB[program % 128] / 20)


@functools.lru_cache(maxsize=256)
def _table(partials: tuple[float, ...], count: int) -> np.ndarray:
    """One cycle of the first ``count`` partials, peak-normalised."""
    x = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave = np.zeros(TABLE_SIZE)
    for k, a in enumerate(partials[:count], start=1):
        if a:
            wave += a * np.sin(2 * np.pi * k * x)
    peak = np.abs(wave).max()
    return (wave / peak if peak else wave).astype(np.float32)


def _partials_below_nyquist(partials: tuple[float, ...], freq: float, sr: int) -> int:
    return max(1, min(len(partials), int(0.45 * sr / freq)))


def _table_for(partials: tuple[float, ...], freq: float, sr: int) -> np.ndarray:
    return _table(partials, _partials_below_nyquist(partials, freq, sr))


def voice_frames(pitch: int, frames_on: int, program: int, sr: int) -> int:
    """How long :func:`voice` makes the note: held (at least :data:`MIN_NOTE_S`; a struck
    note no longer than it takes to die away), then its release."""
    return sum(_held_release(timbre_for(program), _freq(pitch), frames_on, sr))


def _freq(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _decay_s(tb: Timbre, freq: float) -> float:
    if tb.pitch_decay:
        return tb.decay_s * float(np.clip((261.6 / freq) ** 0.5, 0.3, 3.0))
    return tb.decay_s


def _held_release(tb: Timbre, freq: float, frames_on: int, sr: int) -> tuple[int, int]:
    held = max(frames_on, int(MIN_NOTE_S * sr))
    if tb.sustain == 0:  # a struck/plucked note has died away after 60 dB anyway
        held = min(held, int(SIXTY_DB * _decay_s(tb, freq) * sr) + 1)
    return held, int(min(SIXTY_DB * tb.release_s, MAX_RELEASE_S) * sr)


def voice(pitch: int, velocity: int, frames_on: int, program: int, sr: int,
          bend: np.ndarray | None = None) -> np.ndarray:
    """One note as mono float32: ``frames_on`` held, then the release tail
    (:func:`voice_frames` long). ``bend``: the pitch bend's frequency ratio at each of
    those frames (``events.BendCurve.over``), ``None`` for none."""
    note = VoiceStream(pitch, velocity, frames_on, program, sr, bend)
    return note.next(note.length)


class VoiceStream:
    """One note of :func:`voice` made a span at a time, in order: the spans joined are
    :func:`voice`'s samples exactly, so a long note can sound before it is made whole (a
    key held in live monitoring is a 30 s note: 0.3 s of numpy for a string pad).

    Every sample is a function of its frame alone but the phase under a vibrato or a
    bend, a running sum in float64 that is carried from one span to the next (summed on
    from where it stopped, in the same order, so to the same bits); the release starts
    from the envelope's last held sample, kept when the span holding it is made."""

    def __init__(self, pitch: int, velocity: int, frames_on: int, program: int, sr: int,
                 bend: np.ndarray | None = None) -> None:
        tb = self._timbre = timbre_for(program)
        self._sr, self._bend = sr, bend
        self._freq = freq = _freq(pitch)
        self._decay = _decay_s(tb, freq)
        self.held, release = _held_release(tb, freq, frames_on, sr)
        self.length = self.held + release  # (:func:`voice_frames`)
        self.made = 0  # frames made so far
        self._phase_sum = 0.0  # the running sum the phase is made of (vibrato, bend)
        self._held_level: np.float32 | None = None  # the envelope at the last held frame
        # The tables hold no partial above Nyquist at the highest pitch the note is bent to.
        top = freq if bend is None else freq * max(1.0, float(bend.max()))
        self._bright = _table_for(tb.bright, top, sr)
        self._dull = None if tb.dull is None else _table_for(tb.dull, top, sr)
        self._second = _table_for(tb.dull or tb.bright, top, sr)
        self._amp = np.float32(program_gain(program) * velocity_gain(velocity))

    @property
    def done(self) -> bool:
        return self.made >= self.length

    def next(self, frames: int) -> np.ndarray:
        """The note's next ``frames`` samples (fewer at its end) as mono float32."""
        tb, sr, freq = self._timbre, self._sr, self._freq
        start = self.made
        stop = min(self.length, start + max(0, frames))
        self.made = stop
        t = np.arange(start, stop, dtype=np.int64).astype(np.float32) / np.float32(sr)

        # Phase in cycles, in float64: float32 would drift audibly over a long note. A bend
        # or vibrato moves the frequency frame by frame and the phase is its running sum, so
        # a bend's step changes the pitch without a jump in the wave (no click).
        bend = None if self._bend is None else self._bend[start:stop]
        if tb.vibrato:
            depth = tb.vibrato * np.log(2) / 12 * np.minimum(t / 0.4, 1.0)  # fades in
            inst = freq * np.exp(depth * np.sin(2 * np.pi * 5.5 * t))
            if bend is not None:
                inst = inst * bend
            phase = self._running_sum(inst) / sr
        elif bend is not None:
            phase = self._running_sum(bend * (freq / sr))
        else:
            phase = np.arange(start, stop, dtype=np.float64) * (freq / sr)
        mask = TABLE_SIZE - 1
        idx = (phase * TABLE_SIZE).astype(np.int64) & mask
        wave = self._bright[idx]
        if self._dull is not None:
            w = np.exp(-t / np.float32(tb.brightness_s))
            dull = self._dull[idx]
            wave = dull + (wave - dull) * w
        if tb.chorus:
            idx2 = (phase * (1.004 * TABLE_SIZE)).astype(np.int64) & mask
            wave = 0.5 * (wave + self._second[idx2])

        env = np.minimum(t / np.float32(tb.attack_s), np.float32(1.0))
        after = np.maximum(t - np.float32(tb.attack_s), np.float32(0.0))
        env *= (np.float32(tb.sustain)
                + np.float32(1 - tb.sustain) * np.exp(after / np.float32(-self._decay)))
        held = self.held
        if start < held <= stop:
            self._held_level = env[held - 1 - start]
        if stop > held:
            first = max(start, held)
            since = t[first - start:] - np.float32(held) / np.float32(sr)
            env[first - start:] = self._held_level * np.exp(since / np.float32(-tb.release_s))
        return wave * (env * self._amp)

    def _running_sum(self, steps: np.ndarray) -> np.ndarray:
        """``np.cumsum(steps)`` of the note so far, in float64, summed on from the last span."""
        sums = np.cumsum(np.concatenate(([self._phase_sum], steps)), dtype=np.float64)[1:]
        if len(sums):
            self._phase_sum = float(sums[-1])
        return sums
