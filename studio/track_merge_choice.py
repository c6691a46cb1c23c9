"""Which tracks Track ▸ Merge Tracks… offers ticked."""

from __future__ import annotations

import re

from engine.score import Song

_CHANNEL_SUFFIX = re.compile(r"\s*\(ch \d+\)$")  # the importer's "Lead Gtr (ch 1)"


def tracks_to_offer(song: Song, selected: list[int], current: int | None) -> list[int]:
    """The 0-based indices to tick: the selected tracks when several are (Ctrl-click);
    else the current track and the tracks a MIDI import split from one by channel (the
    same name but for "(ch N)", and the same program: a MIDI guitar's strings); else the
    current track alone."""
    index = {t.id: i for i, t in enumerate(song.tracks)}
    if len(selected) > 1:
        return sorted(index[t] for t in selected if t in index)
    if current is None or current not in index:
        return []
    track = song.tracks[index[current]]
    if not _CHANNEL_SUFFIX.search(track.name):
        return [index[current]]
    bare = _CHANNEL_SUFFIX.sub("", track.name)
    return [i for i, t in enumerate(song.tracks)
            if _CHANNEL_SUFFIX.search(t.name) and _CHANNEL_SUFFIX.sub("", t.name) == bare
            and t.program == track.program and t.is_drum == track.is_drum]
