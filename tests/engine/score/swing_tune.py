"""A swung 16-bar tune at 480 PPQ, written with mido as a jazz player's sequencer would:
the Sax plays swung 8ths (every off-beat 8th at +320 ticks, two thirds into the beat) with
one triplet fill (8th triplets over bar 8's beats 3 and 4), the Piano comps swung
off-beats, the Bass walks quarters on the beat."""

from __future__ import annotations

from pathlib import Path

import mido

PPQ = 480
SWUNG = 320  # the off-beat 8th of a 2:1 swing: 2/3 of a beat
FILL_BAR = 7  # 0-based: the fill is in bar 8
FILL = tuple(2 * PPQ + k * PPQ // 3 for k in range(6))  # 8th triplets from beat 3
# Of the fill's six notes, those on beat 3 and 4 (on the grid) are not off it: 4 are.
FILL_OFF_GRID = 4
SAX_SWUNG = 16 * 4 - 2  # an off-beat 8th in every beat but the fill's two
PIANO_SWUNG = 16 * 2 * 3  # three-note chords on the off-beats of beats 1 and 3


def sax_notes() -> list[tuple[int, int, int]]:
    """(start, length, pitch) of the Sax."""
    notes = []
    for bar in range(16):
        for beat in range(4):
            tick = bar * 4 * PPQ + beat * PPQ
            if bar == FILL_BAR and beat >= 2:
                continue
            notes += [(tick, 300, 67 + beat), (tick + SWUNG, 150, 69 + beat)]
    fill = FILL_BAR * 4 * PPQ
    notes += [(fill + t, 150, 72 + k) for k, t in enumerate(FILL)]
    return notes


def write_swing_tune(path: Path) -> Path:
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    conductor = mido.MidiTrack([mido.MetaMessage("track_name", name="Swing"),
                                mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(160))])
    mid.tracks.append(conductor)
    piano = [(bar * 4 * PPQ + beat * PPQ + SWUNG, 140, p)
             for bar in range(16) for beat in (0, 2) for p in (60, 64, 67)]
    bass = [(bar * 4 * PPQ + beat * PPQ, 440, 36 + beat) for bar in range(16)
            for beat in range(4)]
    for channel, (name, program, notes) in enumerate(
            (("Sax", 65, sax_notes()), ("Piano", 0, piano), ("Bass", 32, bass))):
        events = sorted([(s, 1, p) for s, _, p in notes] + [(s + d, 0, p) for s, d, p in notes])
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name),
                                mido.Message("program_change", channel=channel,
                                             program=program)])
        now = 0
        for tick, on, pitch in events:
            track.append(mido.Message("note_on" if on else "note_off", channel=channel,
                                      note=pitch, velocity=90 if on else 0, time=tick - now))
            now = tick
        mid.tracks.append(track)
    mid.save(path)
    return path
