"""What a continuation continues: the tracks still playing at the end of the song, in the
song's running meter.

A track that has rested through the last bars (a trumpet out for eleven bars) is tacet,
not waiting for a continuation to bring it in: written anyway, it entered with the other
tracks' average density in every seed (a songwriter's QA). The user can still name it
(``continue --tracks``, or a mask on it in the studio).
"""

from __future__ import annotations

from engine.score import (
    EditGroup,
    Song,
    TimeMap,
    Track,
    plural,
    set_song_props,
    set_time_from_bar,
)
from engine.score.edits import Edit

TACET_BARS = 8  # bars of rest at the end after which a track is left out of a continuation


def music_end(song: Song) -> int:
    """Where the music ends: the last note-off, else (no notes) the song's end. A song's
    set length may run on past it (File ▸ New's 8 empty bars): a continuation goes on
    from the music, not from the empty bars after it."""
    return song.notes_end or song.end


def still_playing(song: Song, bars: int = TACET_BARS) -> frozenset[int]:
    """Ids of the tracks a continuation writes: those with a note sounding in the
    music's last ``bars`` whole bars, and empty ones (a part added to be written); every
    track when that leaves none."""
    tm = TimeMap.of(song)
    last = tm.whole_bars(music_end(song))
    since = tm.bar_to_tick(max(0, last - bars))
    playing = frozenset(t.id for t in song.tracks
                        if not t.notes or any(n.end > since for n in t.notes))
    return playing or frozenset(t.id for t in song.tracks)


def continuation_prep(song: Song, bars: int) -> tuple[tuple[Edit, ...], int, int]:
    """The edits that make room for ``bars`` more bars, and the new bars' ticks: the bars
    after the music's last bar (:func:`music_end`). Empty bars the song already has
    there are filled first, and the song is lengthened only as far as the new bars
    reach past its end: File ▸ New's 8 empty bars with 4 written made "continue 4 bars"
    write bars 9–12 and leave a 4-bar hole (a songwriter's QA).

    The rest of a last bar the music stops a beat or more short of belongs to the new
    music too: a tune with a one-beat pickup closes on a three-beat bar, and the next
    phrase's pickup is its fourth beat (continuing it left a beat's silence before the
    new bars: a teacher's QA); a last chord released early starts nothing.

    A tune whose last bar is short in a meter of its own (a 5/8 bar closing a 6/8 jig
    that began with a 1/8 pickup) goes on in the meter before it: the new bars took the
    closing bar's 5/8 and lost the jig's groupings (a folk musician's QA). Only a bar that
    closes so — one completing the pickup, or at most half the bar before (a 3/8 tag on a
    7/8 dance) —: a prog song that has just moved into 7/8 or 6/8 from 4/4 goes on in it
    (it went back to 4/4 unsaid: a prog composer's QA)."""
    tm = TimeMap.of(song)
    ends = music_end(song)
    first = tm.whole_bars(ends)
    prep: list[Edit] = []
    if first > 1:
        last_start = tm.bar_to_tick(first - 1)
        closing, before = tm.signature_at(last_start), tm.signature_at(last_start - 1)
        short, full = tm.bar_length_for(closing), tm.bar_length_for(before)
        pickup = tm.bar_to_tick(1) if tm.has_pickup else 0
        if closing.tick == last_start and short < full and (
                short + pickup == full or 2 * short <= full):
            meter = set_time_from_bar(song, first, meter=before.meter)
            if meter is not None:
                prep.append(meter)
    prepared = EditGroup(tuple(prep)).apply(song) if prep else song
    after = TimeMap.of(prepared)
    start, end = after.bar_to_tick(first), after.bar_to_tick(first + bars)
    # From the music's end, on the grid, when it stops a beat or more short of the bar
    # line; a last chord released early (a whole note played at 85 %) is no such stop.
    sixteenth = max(1, song.ppq // 4)
    beat = tm.beat_length_for(tm.signature_at(max(0, ends - 1)))
    if start - ends >= beat - sixteenth:
        start = -(-ends // sixteenth) * sixteenth
    if end > prepared.end:
        prep.append(set_song_props(prepared, f"Extend by {plural(bars, 'bar')}", length=end))
    return tuple(prep), start, end


def melody_span(song: Song, melody: Track) -> tuple[int, int]:
    """The ticks harmonize writes under ``melody``: from the bar its first note is in to
    its last note's end — nothing before the tune comes in (a film cue's flute entering
    at bar 9 had oboe and bassoon write eight bars of their own before it) nor after its
    final note (the rest of a last, partial bar got stray notes after the cadence)."""
    tm = TimeMap.of(song)
    first = min(n.start for n in melody.notes)
    return tm.bar_to_tick(tm.tick_to_bar(first)), max(n.end for n in melody.notes)
