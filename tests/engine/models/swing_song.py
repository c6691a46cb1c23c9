"""A small swung jazz tune as a MIDI file, built with mido (the jazz QA's kind of file).

16 bars of 4/4 at 140 BPM and 480 PPQ: swung 8ths (every off-beat 8th 320 ticks into
its beat: late by a triplet), a tenor sax with triplet fills (bar 4 ends on a quarter-note
triplet from tick 6720, each note 300 long), a walking bass of quarter notes 400 long,
piano comping (420-tick chords on the beat and on the swung "and" of 2) and a ride.
"""

from __future__ import annotations

from pathlib import Path

import mido

from engine.io import load_song
from engine.score import Song

PPQ = 480
BEAT = PPQ
BAR = 4 * BEAT
SWUNG = 320  # the off-beat 8th, two thirds into the beat
BARS = 16
TRIPLET_AT = 3 * BAR + 2 * BEAT  # bar 4, beat 3: 6720

# (start, duration, pitch, velocity) per track
_Notes = list[tuple[int, int, int, int]]


def _sax() -> _Notes:
    line = [65, 67, 68, 70, 72, 70, 68, 67]  # F Bb-ish blues line, one 8th pair per beat
    notes: _Notes = []
    for bar in range(BARS):
        t0 = bar * BAR
        if bar % 4 == 3:  # a fill: two swung pairs, then a quarter-note triplet
            for b in range(2):
                notes += [(t0 + b * BEAT, 300, line[2 * b], 96),
                          (t0 + b * BEAT + SWUNG, 140, line[2 * b + 1], 84)]
            notes += [(t0 + 2 * BEAT + i * 320, 300, p, 92)
                      for i, p in enumerate((72, 70, 67))]
        elif bar % 4 == 1:  # an 8th-note triplet on beat 3, swung 8ths round it
            for b in (0, 1, 3):
                notes += [(t0 + b * BEAT, 300, line[2 * b], 96),
                          (t0 + b * BEAT + SWUNG, 140, line[2 * b + 1], 84)]
            notes += [(t0 + 2 * BEAT + i * 160, 150, p, 90) for i, p in enumerate((72, 74, 72))]
        else:
            for b in range(4):
                notes += [(t0 + b * BEAT, 300, line[(2 * b + bar) % 8], 96),
                          (t0 + b * BEAT + SWUNG, 140, line[(2 * b + bar + 1) % 8], 84)]
    return notes


def _piano() -> _Notes:
    chords = [(57, 60, 63), (58, 62, 65), (57, 60, 64), (55, 58, 62)]  # F7 Bb7 F C7
    notes: _Notes = []
    for bar in range(BARS):
        chord = chords[bar % 4]
        for at in (0, BEAT + SWUNG):  # Charleston: 1 and the swung "and" of 2
            notes += [(bar * BAR + at, 420, p, 70) for p in chord]
        if bar % 2:
            notes += [(bar * BAR + 3 * BEAT + SWUNG, 140, p, 64) for p in chord]
    return notes


def _bass() -> _Notes:
    walk = [41, 45, 48, 46, 46, 50, 53, 51, 41, 43, 45, 48, 43, 46, 48, 40]
    return [(bar * BAR + b * BEAT, 400, walk[(4 * bar + b) % 16], 100)
            for bar in range(BARS) for b in range(4)]


def _drums() -> _Notes:
    notes: _Notes = []
    for bar in range(BARS):
        for b in range(4):
            notes.append((bar * BAR + b * BEAT, 60, 51, 80))  # ride
            if b % 2:
                notes += [(bar * BAR + b * BEAT + SWUNG, 60, 51, 70),
                          (bar * BAR + b * BEAT, 60, 44, 70)]  # skip beat, pedal hat
    return notes


def midi_track(name: str, program: int, channel: int, notes: _Notes) -> mido.MidiTrack:
    """A MIDI track of ``notes`` (start, duration, pitch, velocity); a kit on channel 10
    takes no program change."""
    events = []
    for start, duration, pitch, velocity in notes:
        events.append((start, 1, mido.Message("note_on", note=pitch, velocity=velocity,
                                               channel=channel)))
        events.append((start + duration, 0, mido.Message("note_off", note=pitch, velocity=64,
                                                         channel=channel)))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    if channel != 9:
        track.append(mido.Message("program_change", program=program, channel=channel, time=0))
    now = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):  # offs before ons
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def write_swing_midi(path: Path) -> Path:
    """Write the tune to ``path`` (a ``.mid``) and return it."""
    mf = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mf.tracks.append(mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=0),
        mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0)]))
    mf.tracks += [midi_track("Tenor Sax", 66, 0, _sax()), midi_track("Piano", 0, 1, _piano()),
                  midi_track("Acoustic Bass", 32, 2, _bass()), midi_track("Drums", 0, 9, _drums())]
    mf.save(path)
    return path


def swing_song(folder: Path) -> Song:
    """The tune, written to ``folder/swing.mid`` and read back as the app reads it."""
    return load_song(write_swing_midi(folder / "swing.mid"))


if __name__ == "__main__":  # python tests/engine/models/swing_song.py OUT.mid
    import sys

    print(write_swing_midi(Path(sys.argv[1])))
