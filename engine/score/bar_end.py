"""Where a song's bars end: its last bar line, as a render cut or looped there counts it.

A song ends at its last note-off (:attr:`~engine.score.Song.end`), but a note-off a few
ticks past a bar line does not make another bar: a DAW's MIDI export often lets the last
chord go 5 ticks after bar 4's line, and counting that as bar 5 rendered a 4-bar loop as
5 bars, almost one of silence. So a note held over a bar line by at most a 16th
(:data:`OVERHANG_NOTE`) ends, for counting bars, at that line; a note that starts in a
bar always counts it (a 16th struck on bar 5's downbeat is bar 5). A song with a set
length (a project's bars, File ▸ New's 8) ends at its bar line whatever is held past it:
a pad held on past bar 8 of an 8-bar loop rings past the loop's end, and does not make
it 10 bars. Notes that start after it still count their bars.

:func:`held_past` names the notes sounding across the line, for a render that cuts or
wraps them there to say so.
"""

from __future__ import annotations

from .song import Song
from .timing import TimeMap

# The note value a note-off may pass a bar line by without starting another bar: a 16th
# (120 ticks at 480 PPQ), past a DAW's few ticks of a late note-off and a played last
# chord let go a little late, short of a real note tied into the next bar (an 8th).
OVERHANG_NOTE = 16


def overhang_ticks(ppq: int) -> int:
    """The ticks of :data:`OVERHANG_NOTE` at ``ppq``: 120 at 480 PPQ."""
    return ppq * 4 // OVERHANG_NOTE


def without_overhang(tm: TimeMap, tick: int, start: int | None = None) -> int:
    """``tick``, or the bar line before it when it passes that line by at most
    :func:`overhang_ticks` (and ``start``, a note's onset, is before the line: a note
    that starts in the bar counts it)."""
    line = tm.bar_to_tick(tm.tick_to_bar(tick))
    if line < tick <= line + overhang_ticks(tm.ppq) and (start is None or start < line):
        return line
    return tick


def bars_end(song: Song, tm: TimeMap | None = None) -> int:
    """The tick a song's bars are counted to: :attr:`Song.end` without a note held a
    little over a bar line (:func:`without_overhang`), nor, with a set length, one held
    past its bar line. ``tm.whole_bars(bars_end(song))`` is the song's length in bars,
    ``tm.whole_bars_end(…)`` its last bar line."""
    tm = tm or TimeMap.of(song)
    end = max(song.length, max((m.tick for m in song.markers if m.locked), default=0))
    if song.notes_end <= end:
        return end
    held_to = tm.whole_bars_end(song.length) if song.length > 0 else 0
    for track in song.tracks:
        for n in track.notes:
            if n.end > end and n.start >= held_to:
                end = max(end, without_overhang(tm, n.end, n.start))
    return end


def last_bar_line(song: Song, tm: TimeMap | None = None) -> int:
    """The song's last bar line, in ticks (0 for a song with no bars)."""
    tm = tm or TimeMap.of(song)
    return tm.whole_bars_end(bars_end(song, tm))


def song_bars(song: Song, tm: TimeMap | None = None) -> int:
    """The song's length in whole bars (0 for none): up to :func:`last_bar_line`."""
    tm = tm or TimeMap.of(song)
    return tm.whole_bars(bars_end(song, tm))


def held_past(song: Song, tick: int) -> dict[int, int]:
    """The notes sounding across ``tick`` (struck before it, let go after), counted by
    track id in track order; tracks without any are left out."""
    counts = {t.id: sum(n.start < tick < n.end for n in t.notes) for t in song.tracks}
    return {tid: n for tid, n in counts.items() if n}


__all__ = ["OVERHANG_NOTE", "bars_end", "held_past", "last_bar_line", "overhang_ticks",
           "song_bars", "without_overhang"]
