"""The built-in synth: plays any song with numpy alone, when no SoundFont is at hand.

Pitched tracks use :mod:`.tones` (one timbre per GM family), drum tracks use
:mod:`.drums`. It is meant to be clear and dependable rather than realistic. A pitched
track's pitch bends (in its bend range, RPN 0) bend every note sounding meanwhile, its
release included, frame by frame (:class:`~.events.BendCurve`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.score import Song, Track

from .drums import drum_sound
from .events import bend_curve, note_spans
from .stream import SILENT_STEP, ChunkedSynth, Frames, Steps
from .tones import velocity_gain, voice, voice_frames


class BuiltinSynth(ChunkedSynth):
    """Renders tracks with plain additive tones and synthetic drums."""

    name = "built-in"

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate

    def steps(
        self,
        song: Song,
        track: Track,
        out: Frames,
        progress: Callable[[float], None] | None = None,
    ) -> Steps:
        """The track alone into ``out``, a note at a time (:mod:`.stream`); returns its
        length in frames."""
        sr = self.sample_rate
        spans = note_spans(song, track, sr)
        if not spans:
            return 0
        # Room for the longest release (tones ≤ 3 s, cymbals ≤ 3.5 s), trimmed after.
        limit = int(spans.off.max()) + 4 * sr
        bends = bend_curve(song, track, sr)  # (None for drums, and for a track unbent)
        end = 0
        for i, s in enumerate(spans):
            # Notes come by onset: nothing sounds earlier now.
            while out.released < s.on:
                out.release(min(s.on, max(end, out.released + SILENT_STEP)))
                yield
            if track.is_drum:
                x = drum_sound(s.pitch, sr) * np.float32(velocity_gain(s.velocity))
            else:
                held = s.off - s.on
                bend = None if bends is None else bends.over(
                    s.on, s.on + voice_frames(s.pitch, held, s.program, sr))
                x = voice(s.pitch, s.velocity, held, s.program, sr, bend)[:, None]
            n = min(len(x), limit - s.on)
            out.view(s.on, s.on + n)[:] += x[:n]
            end = max(end, s.on + n)
            if progress is not None and i % 64 == 0:
                progress(i / len(spans))
        if progress is not None:
            progress(1.0)
        return end
