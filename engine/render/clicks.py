"""The click: a metronome track for a song, and count-ins, as songs the synths play.

Pure song-making (no audio, no Qt): the studio's metronome and a recording's count-in
(studio.transport) and an export's count-in before rehearsal mixes (``render_files``)
are made here, so both click alike: a high wood block on each downbeat, a low one on the
other beats a musician counts (``TimeMap.pulse_offsets``).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, TimeMap, Track

CLICK_HIGH, CLICK_LOW = 76, 77  # GM Hi / Low Wood Block
# The click's fader: under the music, not over it. At 0.8 a hymn's metronome peaked at
# -3.2 dBFS against its choir's -2.9 (FluidR3), and a soprano's rehearsal mix clicked at
# -3.2 before music peaking at -7.3 (a choir director's QA); at 0.4 (-6 dB) the click
# peaks about 6 dB under the full choir. A rehearsal mix's count-in is also set under
# the peak of the music after it (mixing.count_in_gain).
CLICK_VOLUME = 0.4


def with_metronome(song: Song) -> Song:
    """The song plus a click track: a high click on each downbeat, low on the other beats.

    A compound meter (6/8, 9/8, 12/8, 6/4 …) clicks its dotted beats, as a musician counts
    it (two in 6/8), an odd meter of eighths its groups (7/8: 2+2+3, or as chosen: 3+2+2);
    a bar cut short by a meter change clicks only the beats it has, and a pickup clicks
    the last beats of the bar it leads into, none of them high (``TimeMap.pulse_offsets``)."""
    tm = TimeMap.of(song)
    end = tm.bar_to_tick(tm.bar_count(song.end))
    notes = []
    bar = 0
    while (start := tm.bar_to_tick(bar)) < end:
        bar_end = tm.bar_to_tick(bar + 1)
        pickup = tm.pickup_shift(bar) > 0
        beats = [start + o for o in tm.pulse_offsets(bar)]
        for tick, after in pairwise([*beats, bar_end]):
            notes.append(click(tick, after, high=tick == start and not pickup))
        bar += 1
    soloing = any(t.solo for t in song.tracks)
    return replace(song, tracks=(*song.tracks, click_track(notes, soloing)))


def count_in_clicks(song: Song, tick: int, bars: int) -> Song:
    """A recording's count-in: ``bars`` bars of the click that lead to ``tick``, as a song
    of their own from 0 to its ``end``. They are bars of the meter felt at ``tick`` at the
    tempo in force there, their beats where the song's beats would fall (from beat 3 of a
    bar, the count-in starts on a beat 3), high on each downbeat; before bar 1 too."""
    tm = TimeMap.of(song)
    sig, into = tm.metric_position(tick)  # and how far into a full bar of it tick is
    bar = tm.bar_length_for(sig)
    return _clicks_before(song, tick, sig, into - bars * bar, into)


def start_count_in(song: Song, bars: int = 1) -> Song:
    """The count-in a choir director gives before a song's start: ``bars`` bars of the
    click from a downbeat, as a song of their own from 0 to its ``end`` (where the song's
    first note comes in), at the song's opening tempo and in the meter of its first full
    bar. A pickup is part of the last of them ("1, 2, 3" and the pickup sings on 4); one
    that would leave less than half a bar to count gets a bar more."""
    tm = TimeMap.of(song)
    sig, into = tm.metric_position(0)  # how far into a full bar the song starts
    bar = tm.bar_length_for(sig)
    lead = bars * bar if into == 0 else (bars - 1) * bar + into
    if into and 2 * into < bar:
        lead += bar
    return _clicks_before(song, 0, sig, into - lead, into)


def _clicks_before(song: Song, tick: int, sig, first: int, into: int) -> Song:
    """The clicks from ``first`` up to ``into`` (offsets from the downbeat of the bar
    holding ``tick``, in a full bar of ``sig``), as a song of their own starting at
    ``first``, at the tempo in force at ``tick``."""
    tm = TimeMap.of(song)
    bar, unit = tm.bar_length_for(sig), tm.beat_length_for(sig)
    span = into - first
    back = -(-span // bar) + 1  # bars before that downbeat the clicks may reach into
    beats = [b * bar + p * unit for b in range(-back, 1) for p in sig.pulse_starts]
    notes = [click(at - first, after - first, high=at % bar == 0)
             for at, after in pairwise([*beats, bar]) if first <= at < into]
    us = next(t.us_per_beat for t in reversed(song.tempos) if t.tick <= tick)
    return Song(tracks=(click_track(notes),), ppq=song.ppq, tempos=(TempoChange(0, us),),
                length=span, title="Count-in")


def click(tick: int, after: int, high: bool) -> Note:
    """The click of a beat at ``tick`` (the next one at ``after``): high on a downbeat."""
    return Note(CLICK_HIGH if high else CLICK_LOW, tick, max(1, (after - tick) // 2),
                110 if high else 80)


def click_track(notes: list[Note], solo: bool = False) -> Track:
    return Track(name="Metronome", is_drum=True, channel=DRUM_CHANNEL, notes=tuple(notes),
                 solo=solo, volume=CLICK_VOLUME)
