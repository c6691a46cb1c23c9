"""Audio: render a song to a stereo mix and per-track stems, and play audio back.

- :func:`render_tracks` — every track as a float32 stereo array, all the same length
- :func:`mix` — the mix of those stems, honouring mute/solo, never clipping
- :func:`render_files` — 16-bit, 24-bit or 32-bit float WAV mix and/or stems on disk,
  with a :class:`RenderReport`
- :mod:`engine.render.playback` — :class:`~engine.render.playback.Player`, which works
  (or politely does nothing) with or without a sound card
- :mod:`engine.render.progressive` — rendering for playback a few bars at a time, so
  the first bar sounds in well under a second, into the export's mix at the export's
  headroom gain (:mod:`engine.render.windowed`)

Synthesis uses a General MIDI SoundFont through TinySoundFont when one is found
(:func:`find_soundfont`), else a small built-in numpy synth. See ``docs/audio.md``.
"""

from .errors import RenderError, SoundFontError
from .files import (
    BIT_DEPTH_NAMES,
    BIT_DEPTHS,
    DEFAULT_BIT_DEPTH,
    remove_stems,
    stale_stems,
    stem_names,
)
from .mixing import CEILING_DBFS, mix
from .renderer import (
    END_CHOICES,
    EndChoice,
    RenderReport,
    bar_line_frames,
    make_synth,
    render_files,
    render_tracks,
)
from .soundfont import STANDARD_LOCATIONS, find_soundfont

__all__ = [
    "BIT_DEPTHS",
    "BIT_DEPTH_NAMES",
    "CEILING_DBFS",
    "DEFAULT_BIT_DEPTH",
    "END_CHOICES",
    "STANDARD_LOCATIONS",
    "EndChoice",
    "RenderError",
    "RenderReport",
    "SoundFontError",
    "bar_line_frames",
    "find_soundfont",
    "make_synth",
    "mix",
    "remove_stems",
    "render_files",
    "render_tracks",
    "stale_stems",
    "stem_names",
]
