"""The built-in synth plays as loud as the SoundFont (FluidR3), and the meter it is
matched with reads BS.1770's reference tone right."""

from pathlib import Path

import numpy as np
import pytest

from engine.render.calibration import DRUMS, builtin_minus_soundfont
from engine.render.loudness import integrated_loudness
from engine.render.soundfont import tinysoundfont_available

FLUIDR3 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def test_the_meter_reads_a_full_scale_tone_as_bs1770_does():
    sr = 48000
    tone = np.sin(2 * np.pi * 997 * np.arange(5 * sr) / sr)
    silence = np.zeros_like(tone)
    # One channel at 0 dBFS: -3.01 LUFS; both: 0 (BS.1770-4's 997 Hz check).
    assert integrated_loudness(np.stack([tone, silence], 1), sr) == pytest.approx(-3.01, abs=0.1)
    assert integrated_loudness(np.stack([tone, tone], 1), sr) == pytest.approx(0.0, abs=0.1)
    # Gated: ten seconds of silence after it are left out (but for the blocks that
    # straddle its end, as BS.1770's gate has it: -0.17 LU).
    padded = np.concatenate([np.stack([tone, tone], 1), np.zeros((10 * sr, 2))])
    assert integrated_loudness(padded, sr) == pytest.approx(0.0, abs=0.25)
    assert integrated_loudness(np.zeros((sr, 2)), sr) == float("-inf")


@pytest.mark.parametrize("program", [
    0,  # Acoustic Grand Piano
    19,  # Church Organ (was -7 LU)
    33,  # Electric Bass (finger)
    38,  # Synth Bass 1 (was +13 LU)
    73,  # Flute
    80,  # Lead 1 (square)
    81,  # Lead 2 (sawtooth)
    DRUMS,
])
def test_the_builtin_synth_is_as_loud_as_fluidr3(program):
    if not tinysoundfont_available() or not FLUIDR3.is_file():
        pytest.skip("the built-in synth is calibrated against FluidR3_GM.sf2: not installed")
    assert abs(builtin_minus_soundfont(program, FLUIDR3)) <= 2.0
