"""Drum sounds of the built-in synth: the General MIDI percussion map in numpy.

Kicks and toms are pitch-swept sines, snares and claps are tone plus noise, hats and
cymbals are high-passed noise mixed with the clangorous square-wave cluster of analogue
drum machines. Each sound is made once per (key, sample rate) and cached; a hit is that
sample scaled by velocity. Noise is seeded by the key, so renders are reproducible.
"""

from __future__ import annotations

import functools

import numpy as np

LEVEL = 0.303  # kit level, matched by meter to FluidR3 (benchmarks/calibrate_builtin.py)
# Square-wave frequencies of the classic analogue cymbal/hat "metal" (Hz).
_METAL_HZ = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, n)


def _band(x: np.ndarray, sr: int, lo: float, hi: float) -> np.ndarray:
    """Brick-wall band-pass by FFT (fine for one-shot samples)."""
    lo = min(lo, 0.35 * sr)  # keep bright sounds bright at low sample rates
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / sr)
    spec[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(spec, len(x))


def _env(t: np.ndarray, decay_s: float, attack_s: float = 0.001) -> np.ndarray:
    return np.minimum(t / attack_s, 1.0) * np.exp(-t / decay_s)


def _sweep(t: np.ndarray, sr: int, f_end: float, f_start: float, sweep_s: float) -> np.ndarray:
    freq = f_end + (f_start - f_end) * np.exp(-t / sweep_s)
    return np.sin(2 * np.pi * np.cumsum(freq) / sr)


def _metal(t: np.ndarray, sr: int, lo: float, seed: int) -> np.ndarray:
    sq = sum(np.sign(np.sin(2 * np.pi * f * t + seed)) for f in _METAL_HZ)
    return _band(sq / len(_METAL_HZ) + 0.5 * _noise(len(t), seed), sr, lo, 16000)


def _kick(t, sr, key):
    body = _sweep(t, sr, 48, 160, 0.03) * _env(t, 0.22)
    click = _band(_noise(len(t), key), sr, 1500, 8000) * _env(t, 0.004)
    return 0.45 * body + 0.12 * click


def _snare(t, sr, key):
    tone = (np.sin(2 * np.pi * 185 * t) + 0.5 * np.sin(2 * np.pi * 330 * t)) * _env(t, 0.06)
    snares = _band(_noise(len(t), key), sr, 1200, 12000) * _env(t, 0.13)
    return 0.8 * tone + 1.4 * snares


def _clap(t, sr, key):
    noise = _band(_noise(len(t), key), sr, 800, 6000)
    env = sum(_env(np.maximum(t - d, 0), 0.008) * (t >= d) for d in (0, 0.011, 0.022))
    return 1.6 * noise * (env + 0.8 * _env(np.maximum(t - 0.03, 0), 0.09) * (t >= 0.03))


def _rim(t, sr, key):
    return 0.6 * np.sin(2 * np.pi * 1700 * t) * _env(t, 0.012) + 0.3 * _band(
        _noise(len(t), key), sr, 2000, 9000) * _env(t, 0.005)


def _hat(decay_s):
    def make(t, sr, key):
        return 0.5 * _metal(t, sr, 7000, key) * _env(t, decay_s)
    return make


def _cymbal(decay_s, lo=4000, level=0.45):
    def make(t, sr, key):
        return level * _metal(t, sr, lo, key) * _env(t, decay_s, 0.002)
    return make


def _ride(t, sr, key):
    ping = np.sin(2 * np.pi * 3200 * t) + 0.6 * np.sin(2 * np.pi * 4870 * t)
    return 0.15 * _metal(t, sr, 5000, key) * _env(t, 0.7) + 0.07 * ping * _env(t, 0.25)


def _tom(freq):
    def make(t, sr, key):
        return 0.9 * _sweep(t, sr, freq, freq * 1.6, 0.04) * _env(t, 0.28) + 0.1 * _band(
            _noise(len(t), key), sr, 500, 5000) * _env(t, 0.01)
    return make


def _bell(freqs, decay_s, level=0.35):
    def make(t, sr, key):
        tone = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in freqs) / len(freqs)
        return level * _band(tone, sr, 300, 9000) * _env(t, decay_s)
    return make


def _shaker(decay_s, lo=5000):
    def make(t, sr, key):
        return 0.35 * _band(_noise(len(t), key), sr, lo, 14000) * _env(t, decay_s, 0.008)
    return make


def _click(freq):
    def make(t, sr, key):
        return 0.5 * np.sin(2 * np.pi * freq * t) * _env(t, 0.03)
    return make


# key → (maker, length in seconds, pan -1..1), from the GM percussion map; General MIDI
# 2's keys around it (27–34, 82–87) and the whistles, guiros and cuicas from the nearest
# voice here (a shaker is short noise, a surdo a low tom), not the fallback's click.
_KIT = {
    27: (_tom(900), 0.15, 0), 28: (_clap, 0.2, 0), 29: (_shaker(0.1, 1500), 0.3, -0.2),
    30: (_shaker(0.06, 1500), 0.2, -0.2), 31: (_rim, 0.1, 0.1),
    32: (_bell((1000,), 0.02), 0.1, 0), 33: (_click(1500), 0.1, 0),
    34: (_bell((1800, 2700), 0.3), 0.8, 0),
    71: (_tom(2300), 0.25, 0.3), 72: (_tom(2300), 0.8, 0.3),
    73: (_shaker(0.08, 2000), 0.2, -0.3), 74: (_shaker(0.3, 2000), 0.6, -0.3),
    78: (_tom(600), 0.2, 0.2), 79: (_tom(450), 0.5, 0.2),
    82: (_shaker(0.05), 0.2, 0.3), 83: (_bell((3000, 4500), 0.2), 0.6, 0.25),
    84: (_bell((2000, 3000, 4100), 0.8), 2.0, 0.3), 85: (_rim, 0.1, -0.2),
    86: (_tom(60), 0.4, -0.3), 87: (_tom(60), 1.0, -0.3),
    35: (_kick, 0.6, 0), 36: (_kick, 0.6, 0),
    37: (_rim, 0.1, 0), 38: (_snare, 0.5, 0), 39: (_clap, 0.4, 0), 40: (_snare, 0.5, 0),
    41: (_tom(75), 0.9, -0.4), 43: (_tom(90), 0.9, -0.3), 45: (_tom(110), 0.8, -0.1),
    47: (_tom(130), 0.8, 0.05), 48: (_tom(150), 0.7, 0.2), 50: (_tom(175), 0.7, 0.35),
    42: (_hat(0.035), 0.25, 0.3), 44: (_hat(0.05), 0.25, 0.3), 46: (_hat(0.3), 1.0, 0.3),
    49: (_cymbal(1.1), 3.5, -0.35), 57: (_cymbal(1.1), 3.5, 0.4), 55: (_cymbal(0.5), 2.0, -0.2),
    52: (_cymbal(0.9, 2500), 3.0, 0.45), 51: (_ride, 2.5, 0.35), 59: (_ride, 2.5, 0.35),
    53: (_bell((620, 930), 0.6), 1.5, 0.35), 54: (_shaker(0.12, 6000), 0.4, 0.25),
    56: (_bell((540, 800), 0.12), 0.4, 0.1), 58: (_shaker(0.4, 2000), 1.0, 0),
    60: (_tom(400), 0.3, 0.2), 61: (_tom(300), 0.3, 0.2), 62: (_tom(260), 0.3, -0.2),
    63: (_tom(210), 0.4, -0.2), 64: (_tom(170), 0.5, -0.2), 65: (_tom(230), 0.5, 0.3),
    66: (_tom(190), 0.5, 0.3), 67: (_bell((900, 1350), 0.15), 0.4, 0.2),
    68: (_bell((700, 1050), 0.15), 0.4, 0.2), 69: (_shaker(0.06), 0.2, 0.3),
    70: (_shaker(0.04), 0.15, 0.3), 75: (_click(2500), 0.15, 0.1),
    76: (_click(1200), 0.15, -0.1), 77: (_click(900), 0.15, -0.1),
    80: (_bell((2400, 3600), 0.1), 0.3, 0.3), 81: (_bell((2400, 3600), 0.6), 1.5, 0.3),
}


def _other(key: int) -> tuple:
    """A key the kit has no voice for (a melody sent to channel 10): a click, pitched by
    the key so two such keys are told apart."""
    return _click(200 + 20 * (key % 40)), 0.2, 0


@functools.lru_cache(maxsize=128)
def drum_sound(key: int, sr: int) -> np.ndarray:
    """The sound of GM percussion key ``key`` at full velocity: float32 stereo ``(n, 2)``."""
    maker, length_s, pan = _KIT.get(key) or _other(key)
    t = np.arange(int(length_s * sr)) / sr
    mono = maker(t, sr, key)
    fade = min(len(t), int(0.005 * sr))  # no click where the sample is cut
    mono[len(t) - fade:] *= np.linspace(1, 0, fade)
    theta = (pan + 1) * np.pi / 4  # constant-power pan
    gain = LEVEL * np.sqrt(2)  # √2: unity at the centre
    stereo = np.stack([np.cos(theta) * mono, np.sin(theta) * mono], axis=1) * gain
    stereo = stereo.astype(np.float32)
    stereo.setflags(write=False)  # shared by every hit through the cache
    return stereo
