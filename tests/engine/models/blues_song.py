"""A 12-bar swung blues as a MIDI file, built with mido (the jazz pianist's QA's kind of file).

12 bars of 4/4 at 480 PPQ, swung at 64 % (every off-beat 8th 307 ticks into its beat, as a
DAW's 64 % swing writes it): a tenor sax line of swung 8ths (on the beat at 92, off the
beat at 80: a median of 86), a piano comping on the beat and on the swung "and" of 2, and
a walking bass. The tune ends mid-bar, off the 16th grid, as a played take does (the song's
ragged end): the sax's last note is the swung "and" of beat 4 of bar 12, released 140 later.
"""

from __future__ import annotations

from pathlib import Path

import mido

from engine.io import load_song
from engine.score import Song

from .swing_song import midi_track

PPQ = 480
BEAT = PPQ
BAR = 4 * BEAT
SWUNG = 307  # 64 % of the beat: the off-beat 8th
BARS = 12
END = 11 * BAR + 3 * BEAT + SWUNG + 140  # where the last note (and the song) ends

# (start, duration, pitch, velocity) per track
_Notes = list[tuple[int, int, int, int]]

_CHANGES = [0, 5, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7]  # F7 Bb7 F7 …: semitones above F


def sax() -> _Notes:
    line = [65, 68, 70, 71, 72, 70, 68, 65]  # an F blues scale run
    notes: _Notes = []
    for bar in range(BARS):
        up = _CHANGES[bar]
        for b in range(4):
            at = bar * BAR + b * BEAT
            notes += [(at, SWUNG - 20, line[(2 * b) % 8] + up, 92),
                      (at + SWUNG, 140, line[(2 * b + 1) % 8] + up, 80)]
    return notes


def piano() -> _Notes:
    notes: _Notes = []
    for bar in range(BARS):
        root = 53 + _CHANGES[bar]
        for at in (0, BEAT + SWUNG):  # Charleston: 1 and the swung "and" of 2
            notes += [(bar * BAR + at, 400, p, 72) for p in (root, root + 4, root + 10)]
    return [n for n in notes if n[0] < END]


def bass() -> _Notes:
    return [(bar * BAR + b * BEAT, 420, 41 + _CHANGES[bar] + (0, 4, 7, 9)[b], 90)
            for bar in range(BARS) for b in range(4) if bar * BAR + b * BEAT < END]


def blues_song(folder: Path, *, band: bool = True) -> Song:
    """The blues written to ``folder/blues.mid`` and read back as the app reads it: the
    sax alone (``band`` False: a melody to harmonize) or with its piano and bass."""
    mf = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mf.tracks.append(mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120), time=0),
        mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0)]))
    mf.tracks.append(midi_track("Tenor Sax", 66, 0, sax()))
    if band:
        mf.tracks += [midi_track("Piano", 0, 1, piano()), midi_track("Bass", 32, 2, bass())]
    path = folder / ("blues.mid" if band else "blues-melody.mid")
    mf.save(path)
    return load_song(path)
