"""The built-in synth: plays any song with numpy alone, when no SoundFont is at hand.

Pitched tracks use :mod:`.tones` (one timbre per GM family), drum tracks use
:mod:`.drums`. It is meant to be clear and dependable rather than realistic. A pitched
track's pitch bends (in its bend range, RPN 0) bend every note sounding meanwhile, its
release included, frame by frame (:class:`~.events.BendCurve`). A long note is made a
step at a time as the track is asked for (:class:`~.tones.VoiceStream`), so a sustained
note starts sounding at once (a key held in live monitoring is a 30 s note).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.score import Song, Track

from .drums import drum_sound
from .events import bend_curve, note_spans
from .stream import SILENT_STEP, ChunkedSynth, Frames, Steps
from .tones import VoiceStream, velocity_gain, voice_frames

# A pitched note longer than this is made this many frames at a time, just ahead of
# what is released (0.37 s at 44.1 kHz: 5 ms of numpy for the richest timbre).
NOTE_STEP = 1 << 14


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
        long_notes: list[_LongNote] = []  # the long notes still being made
        for i, s in enumerate(spans):
            # Notes come by onset: nothing sounds earlier now.
            while out.released < s.on:
                upto = min(s.on, max(_made_to(end, long_notes), out.released + SILENT_STEP))
                _release(out, upto, long_notes)
                yield
            if track.is_drum:
                x = drum_sound(s.pitch, sr) * np.float32(velocity_gain(s.velocity))
                n = min(len(x), limit - s.on)
                out.view(s.on, s.on + n)[:] += x[:n]
            else:
                held = s.off - s.on
                bend = None if bends is None else bends.over(
                    s.on, s.on + voice_frames(s.pitch, held, s.program, sr))
                note = _LongNote(VoiceStream(s.pitch, s.velocity, held, s.program, sr, bend),
                                 s.on, limit)
                note.make_through(out, s.on + NOTE_STEP)
                if not note.done:
                    long_notes.append(note)
                n = note.stop - s.on
            end = max(end, s.on + n)
            if progress is not None and i % 64 == 0:
                progress(i / len(spans))
        while long_notes:  # the rest of the long notes, a step at a time
            _release(out, min(end, max(_made_to(end, long_notes), out.released + SILENT_STEP)),
                     long_notes)
            yield
        if progress is not None:
            progress(1.0)
        return end


class _LongNote:
    """A pitched note written into a track's :class:`~.stream.Frames` from frame ``on`` a
    step at a time (up to ``limit``: the track's end)."""

    def __init__(self, note: VoiceStream, on: int, limit: int) -> None:
        self.note, self.at = note, on
        self.stop = min(on + note.length, limit)

    @property
    def done(self) -> bool:
        return self.at >= self.stop

    def make_through(self, out: Frames, upto: int) -> None:
        """Write it on, :data:`NOTE_STEP` frames at a time, until frame ``upto`` is made."""
        while self.at < min(upto, self.stop):
            x = self.note.next(min(NOTE_STEP, self.stop - self.at))
            out.view(self.at, self.at + len(x))[:] += x[:, None]
            self.at += len(x)


def _made_to(end: int, long_notes: list[_LongNote]) -> int:
    """Every frame before it is made (``end``: where the notes written so far end)."""
    return min([end] + [n.at for n in long_notes])


def _release(out: Frames, upto: int, long_notes: list[_LongNote]) -> None:
    """Release the frames before ``upto``, the long notes sounding there made first."""
    for note in long_notes:
        note.make_through(out, upto)
    long_notes[:] = [n for n in long_notes if not n.done]
    out.release(upto)
