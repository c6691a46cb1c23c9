"""Helpers for file-format tests: build small MIDI files from mido messages."""

from __future__ import annotations

import io

import mido


def midi_bytes(tracks: list[list[mido.Message | mido.MetaMessage]], *, type: int = 1,
               ppq: int = 480) -> bytes:
    """A MIDI file from mido messages (``time`` is the delta, as in a file)."""
    mf = mido.MidiFile(type=type, ticks_per_beat=ppq)
    for messages in tracks:
        mf.tracks.append(mido.MidiTrack(messages))
    buf = io.BytesIO()
    mf.save(file=buf)
    return buf.getvalue()


def on(note: int, dt: int = 0, vel: int = 90, ch: int = 0) -> mido.Message:
    return mido.Message("note_on", note=note, velocity=vel, time=dt, channel=ch)


def off(note: int, dt: int = 0, ch: int = 0, as_on: bool = False) -> mido.Message:
    if as_on:
        return mido.Message("note_on", note=note, velocity=0, time=dt, channel=ch)
    return mido.Message("note_off", note=note, velocity=64, time=dt, channel=ch)


def midi_guitar(bends: bool = True) -> bytes:
    """What a MIDI guitar records (a QA's "Lead Gtr"): after a conductor track, ONE MIDI
    track with each of 6 strings on a channel of its own (channels 1–6), each set to
    Overdriven Guitar with a ±12 bend range by RPN; with ``bends``, each string bent its
    own way, as strings are. Strings 1 and 2 both play E4 at beat 3 (a unison)."""
    events: list[tuple[int, mido.Message]] = []
    for ch in range(6):
        events += [(0, mido.Message("program_change", program=29, channel=ch)),
                   (0, mido.Message("control_change", control=101, value=0, channel=ch)),
                   (0, mido.Message("control_change", control=100, value=0, channel=ch)),
                   (0, mido.Message("control_change", control=6, value=12, channel=ch))]
        pitch = (64, 59, 55, 50, 45, 40)[ch]
        events += [(ch * 120, mido.Message("note_on", note=pitch, velocity=90, channel=ch)),
                   (ch * 120 + 400, mido.Message("note_off", note=pitch, channel=ch))]
        if bends:
            events += [(ch * 120 + 100, mido.Message("pitchwheel", pitch=500 * (ch + 1),
                                                     channel=ch)),
                       (ch * 120 + 300, mido.Message("pitchwheel", pitch=0, channel=ch))]
    for ch in (0, 1):  # the unison: E4 on two strings at once
        events += [(960, mido.Message("note_on", note=64, velocity=80 + ch, channel=ch)),
                   (960 + 480 - 240 * ch, mido.Message("note_off", note=64, channel=ch))]
    track, now = [mido.MetaMessage("track_name", name="Lead Gtr")], 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        track.append(msg.copy(time=tick - now))
        now = tick
    conductor = [mido.MetaMessage("track_name", name="Song"),
                 mido.MetaMessage("set_tempo", tempo=500000)]
    return midi_bytes([conductor, track])
