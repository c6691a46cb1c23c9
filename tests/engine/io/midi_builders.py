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
