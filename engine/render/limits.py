"""How much audio one render may make: a song with an absurdly late event (a note at
tick 10**12, a MIDI delta of 16 days) is refused before anything is allocated.

The mix is held in memory as float32 stereo (8 bytes a frame): a 16-day song asked
numpy for 459 GiB, said as "internal error: MemoryError". The limit keeps that array
within 4 GiB: about 3 h 23 min at 44.1 kHz, longer than any opera act.
"""

from __future__ import annotations

from engine.score import Song, TimeMap, duration_text

from .events import song_frames

MAX_RENDER_FRAMES = 2**29  # 4 GiB of float32 stereo mix


def too_long_to_render(song: Song, sample_rate: int) -> str | None:
    """Why ``song`` is too long to render at ``sample_rate``, as words ("the song is
    2,796,203 bars long (16 days 4 h): more audio than Partita renders at once, at most
    3 h 22 min at 44100 Hz"); None when it fits :data:`MAX_RENDER_FRAMES`."""
    frames = song_frames(song, sample_rate)
    if frames <= MAX_RENDER_FRAMES:
        return None
    bars = TimeMap.of(song).whole_bars(song.end)
    return (f"the song is {bars:,} bar{'s' if bars != 1 else ''} long "
            f"({duration_text(frames / sample_rate)}): more audio than Partita renders at "
            f"once, at most {duration_text(MAX_RENDER_FRAMES / sample_rate)} at "
            f"{sample_rate} Hz")
