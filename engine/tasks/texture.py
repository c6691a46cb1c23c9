"""Which tracks a continuation continues: the ones still playing at the end of the song.

A track that has rested through the last bars (a trumpet out for eleven bars) is tacet,
not waiting for a continuation to bring it in: written anyway, it entered with the other
tracks' average density in every seed (a songwriter's QA). The user can still name it
(``continue --tracks``, or a mask on it in the studio).
"""

from __future__ import annotations

from engine.score import Song, TimeMap

TACET_BARS = 8  # bars of rest at the end after which a track is left out of a continuation


def still_playing(song: Song, bars: int = TACET_BARS) -> frozenset[int]:
    """Ids of the tracks a continuation writes: those with a note sounding in the song's
    last ``bars`` whole bars, and empty ones (a part added to be written); every track
    when that leaves none."""
    tm = TimeMap.of(song)
    last = tm.whole_bars(song.end)
    since = tm.bar_to_tick(max(0, last - bars))
    playing = frozenset(t.id for t in song.tracks
                        if not t.notes or any(n.end > since for n in t.notes))
    return playing or frozenset(t.id for t in song.tracks)
