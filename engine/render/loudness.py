"""Integrated loudness of rendered audio, after ITU-R BS.1770 (numpy alone).

What the built-in synth's levels are matched to the SoundFont's with
(:mod:`.calibration`): K-weighting (BS.1770's +4 dB high shelf at 1.5 kHz and its
38 Hz high-pass, the two biquads designed for the audio's own rate as pyloudnorm does),
the mean square of each channel summed (stereo: both weighted 1), over 400 ms blocks
overlapping by 75 %, gated at -70 LUFS and then 10 LU below the mean of the blocks left
(BS.1770-4). The filter is applied as its frequency response on the whole signal's FFT
(zero-padded, so nothing wraps round) rather than sample by sample: the same filter
(a causal IIR's complex response), in a few array passes instead of a Python loop.
"""

from __future__ import annotations

import numpy as np

BLOCK_S = 0.4
STEP_S = 0.1  # 75 % overlap
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
PAD_S = 0.5  # room past the end for the filters' ring (the 38 Hz high-pass: ~10 ms)


def _biquad(kind: str, fc: float, q: float, gain_db: float,
            sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """``(b, a)`` of BS.1770's two K-weighting stages at ``sample_rate``."""
    a_ = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * fc / sample_rate
    alpha, cw = np.sin(w0) / (2 * q), np.cos(w0)
    if kind == "high_shelf":
        s = 2 * np.sqrt(a_) * alpha
        b = [a_ * ((a_ + 1) + (a_ - 1) * cw + s), -2 * a_ * ((a_ - 1) + (a_ + 1) * cw),
             a_ * ((a_ + 1) + (a_ - 1) * cw - s)]
        a = [(a_ + 1) - (a_ - 1) * cw + s, 2 * ((a_ - 1) - (a_ + 1) * cw),
             (a_ + 1) - (a_ - 1) * cw - s]
    else:  # high_pass
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    return np.array(b), np.array(a)


def k_weighting_response(n_fft: int, sample_rate: int) -> np.ndarray:
    """The K-weighting filter's complex response at the bins of an ``n_fft`` real FFT."""
    z = np.exp(-1j * np.pi * np.arange(n_fft // 2 + 1) / (n_fft // 2))  # z⁻¹ per bin
    response = np.ones_like(z)
    for stage in (("high_shelf", 1500.0, 1 / np.sqrt(2), 4.0), ("high_pass", 38.0, 0.5, 0.0)):
        b, a = _biquad(*stage, sample_rate)
        response *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return response


def k_weighted(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """``audio`` (``(n, channels)``) through the K-weighting filter, float64."""
    x = np.asarray(audio, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n = len(x)
    n_fft = 1 << int(np.ceil(np.log2(max(2, n + int(PAD_S * sample_rate)))))
    spectrum = np.fft.rfft(x, n_fft, axis=0) * k_weighting_response(n_fft, sample_rate)[:, None]
    return np.fft.irfft(spectrum, n_fft, axis=0)[:n]


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Gated integrated loudness of ``audio`` in LUFS (``-inf`` for silence or audio
    shorter than one block)."""
    y = k_weighted(audio, sample_rate)
    block, step = round(BLOCK_S * sample_rate), round(STEP_S * sample_rate)
    if len(y) < block:
        return float("-inf")
    csum = np.concatenate([np.zeros((1, y.shape[1])), np.cumsum(y * y, axis=0)])
    starts = np.arange(0, len(y) - block + 1, step)
    power = ((csum[starts + block] - csum[starts]) / block).sum(axis=1)

    def lufs(p: np.ndarray | float) -> np.ndarray | float:
        return -0.691 + 10 * np.log10(p)

    with np.errstate(divide="ignore"):
        kept = power[lufs(power) > ABSOLUTE_GATE_LUFS]
        if not kept.size:
            return float("-inf")
        kept = kept[lufs(kept) > lufs(kept.mean()) + RELATIVE_GATE_LU]
    return float(lufs(kept.mean()))
