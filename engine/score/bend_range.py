"""A track's pitch-bend range: RPN 0 among its controllers, as MIDI keeps it.

The range is no field of its own: it is the registered-parameter sequence a sequencer
writes at the start of a track (CC101 0, CC100 0 choose RPN 0; CC6 the semitones, CC38
the cents), so a MIDI file, a project and both synths already keep and play it as the
file had it. :func:`bend_range_edit` sets it from the start (``partita tracks
--bend-range 808=12``: an 808's glides an octave on the wheel); :func:`bend_ranges` reads
it over time as the synths do (:mod:`engine.render.events` bends notes by it).
"""

from __future__ import annotations

from collections.abc import Sequence

from .edits import SetTrackProps
from .song import ControlEvent, Song, Track

# Registered parameters as a General MIDI synth reads them: CC101/100 choose one (RPN 0
# is the pitch-bend range), CC6/38 set its value (semitones, cents), CC99/98 (an NRPN)
# choose none. NULL_RPN: none chosen (what a channel starts with), TinySoundFont's value.
RPN_MSB, RPN_LSB, NRPN_MSB, NRPN_LSB, DATA_MSB, DATA_LSB = 101, 100, 99, 98, 6, 38
NULL_RPN = 0xFFFF
PARAMETER_CCS = frozenset((RPN_MSB, RPN_LSB, NRPN_MSB, NRPN_LSB, DATA_MSB, DATA_LSB))
DEFAULT_BEND_RANGE = 2.0  # semitones, a GM channel's until RPN 0 sets another
# The widest range offered: two octaves, the most GM synths and DAWs' instruments take
# (RPN 0 could say 127; a synth then clamps or ignores it).
MAX_BEND_RANGE = 24


class BendRangeReader:
    """A channel's pitch-bend range (RPN 0) as its controllers set it, read as
    TinySoundFont reads it: a data entry (CC6 semitones, CC38 cents) sets it while RPN 0
    is chosen by CC101/100; an NRPN (CC99/98) chooses none."""

    def __init__(self) -> None:
        self.rpn, self.data, self.semitones = NULL_RPN, 0, DEFAULT_BEND_RANGE

    def feed(self, number: int, value: int) -> bool:
        """Read controller ``number`` set to ``value``; whether it set the bend range."""
        if number in (RPN_MSB, RPN_LSB):
            rpn = 0 if self.rpn == NULL_RPN else self.rpn
            self.rpn = (rpn & 0x7F) | value << 7 if number == RPN_MSB else (rpn & 0x3F80) | value
        elif number in (NRPN_MSB, NRPN_LSB):
            self.rpn = NULL_RPN
        elif number in (DATA_MSB, DATA_LSB):
            data = self.data
            self.data = ((data & 0x7F) | value << 7 if number == DATA_MSB
                         else (data & 0x3F80) | value)
            if self.rpn == 0:
                self.semitones = (self.data >> 7) + 0.01 * (self.data & 0x7F)
                return True
        return False


def bend_ranges(track: Track) -> list[tuple[int, float]]:
    """The track's pitch-bend range in semitones over time: (tick, range from there),
    the first at tick 0 (2 semitones until RPN 0 sets another), as the synths bend it."""
    out = [(0, DEFAULT_BEND_RANGE)]
    reader = BendRangeReader()
    for c in sorted(track.controls, key=lambda c: c.tick):
        if c.kind == "control_change" and reader.feed(c.number, min(max(int(c.value), 0), 127)):
            if out[-1][0] == c.tick:
                out[-1] = (c.tick, reader.semitones)
            elif reader.semitones != out[-1][1]:
                out.append((c.tick, reader.semitones))
    return out


def bend_range(track: Track) -> float:
    """The semitones the track's wheel bends at its start (2 unless RPN 0 says)."""
    return bend_ranges(track)[0][1]


def rpn_0(semitones: int) -> tuple[ControlEvent, ...]:
    """RPN 0 set to ``semitones`` at tick 0, as a sequencer writes it: chosen, set, then
    the null RPN chosen again (a stray data entry later changes nothing)."""
    return tuple(ControlEvent(0, "control_change", n, v) for n, v in (
        (RPN_MSB, 0), (RPN_LSB, 0), (DATA_MSB, semitones), (DATA_LSB, 0),
        (RPN_MSB, 127), (RPN_LSB, 127)))


def _start_parameters(controls: Sequence[ControlEvent]) -> list[int]:
    """Indices of the parameter controllers at tick 0 that only set the bend range (none
    when one there sets another parameter, a fine tuning: they are left as they are)."""
    at = [i for i, c in enumerate(controls)
          if c.tick == 0 and c.kind == "control_change" and c.number in PARAMETER_CCS]
    reader = BendRangeReader()
    for i in at:
        c = controls[i]
        if not reader.feed(c.number, c.value) and c.number in (DATA_MSB, DATA_LSB):
            return []  # a data entry for another parameter
    return at


def bend_range_edit(song: Song, track_id: int, semitones: int) -> SetTrackProps | None:
    """The edit that makes the track's wheel bend ``semitones`` (0 to
    :data:`MAX_BEND_RANGE`) from its start: its RPN 0 at tick 0 replaced (:func:`rpn_0`;
    a range set later in the track is left); None when it bends so already. A drum kit
    is refused (a kit is not bent)."""
    track = song.track(track_id)
    if track.is_drum:
        raise ValueError(f"{track.name!r} is a drum kit: its hits are not bent")
    if not 0 <= semitones <= MAX_BEND_RANGE:
        raise ValueError(f"a bend range of {semitones} semitones is outside "
                         f"0-{MAX_BEND_RANGE}")
    if bend_range(track) == semitones:
        return None
    drop = set(_start_parameters(track.controls))
    controls = (*rpn_0(semitones), *(c for i, c in enumerate(track.controls) if i not in drop))
    return SetTrackProps(track_id, (("controls", track.controls),), (("controls", controls),),
                         f"Bend range of {track.name} ±{semitones} semitones")


__all__ = ["DEFAULT_BEND_RANGE", "MAX_BEND_RANGE", "BendRangeReader", "bend_range",
           "bend_range_edit", "bend_ranges", "rpn_0"]
