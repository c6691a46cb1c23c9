"""Ticks ↔ beats ↔ bars ↔ seconds, in one place, with tempo and meter changes.

A :class:`TimeMap` is built once from a song's tempo map and time-signature map and then
answers conversions in O(log n). A "beat" here is a quarter note (MIDI's unit: ``ppq``
ticks); a bar's length follows the time signature in force (``numerator`` notes of
value ``1/denominator``). Bars and beats in the public API are 0-based indices; the
numbers a user reads and types are a score editor's (:meth:`TimeMap.bar_number`,
:meth:`TimeMap.bar_index`): the first full bar is bar 1, so a pickup is bar 0 and bar
index 0 of a song without one is bar 1. Files keep the indices (ticks, in fact).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .song import Song, TempoChange, TimeSignature


@dataclass(frozen=True, slots=True)
class BarPosition:
    """A musical position: 0-based bar, 0-based beat in the bar (in the meter's unit), ticks."""

    bar: int
    beat: int
    tick: int


class TimeMap:
    """Conversions between ticks, quarter-note beats, bars and seconds."""

    def __init__(
        self,
        ppq: int,
        tempos: tuple[TempoChange, ...],
        time_signatures: tuple[TimeSignature, ...],
    ) -> None:
        self.ppq = ppq
        self._tempo_ticks = [t.tick for t in tempos]
        # A beat as long as the tempo typed (90 BPM, not MIDI's 89.99996): audio and bar
        # lines land on a DAW's grid to the sample (TempoChange.nominal_us).
        self._tempo_us = [t.nominal_us for t in tempos]
        # Seconds at each tempo change, accumulated once.
        secs = [0.0]
        for i in range(1, len(tempos)):
            dt = self._tempo_ticks[i] - self._tempo_ticks[i - 1]
            secs.append(secs[-1] + dt * self._tempo_us[i - 1] / 1e6 / ppq)
        self._tempo_secs = secs
        # Bars at each meter change. A meter change that falls mid-bar starts a new bar
        # there (as sequencers do when a file puts one off the bar line).
        self._sig_ticks: list[int] = []
        self._sig_bars: list[int] = []
        self._sig_bar_len: list[int] = []
        self._sigs: list[TimeSignature] = []
        bar = 0
        for i, sig in enumerate(time_signatures):
            if i > 0:
                prev_tick, prev_len = self._sig_ticks[-1], self._sig_bar_len[-1]
                span = sig.tick - prev_tick
                bar = self._sig_bars[-1] + -(-span // prev_len)  # ceil: a partial bar counts
            self._sig_ticks.append(sig.tick)
            self._sig_bars.append(bar)
            self._sig_bar_len.append(self.bar_length_for(sig))
            self._sigs.append(sig)
        self._first_number = 0 if self.pickup_shift(0) else 1

    @classmethod
    def of(cls, song: Song) -> TimeMap:
        return cls(song.ppq, song.tempos, song.time_signatures)

    # -- meter -------------------------------------------------------------------------------
    def bar_length_for(self, sig: TimeSignature) -> int:
        return sig.numerator * self.ppq * 4 // sig.denominator

    def beat_length_for(self, sig: TimeSignature) -> int:
        return self.ppq * 4 // sig.denominator

    def signatures_in(self, start: int, end: int) -> list[TimeSignature]:
        """The meters in force anywhere in ``[start, end)`` (at least the one at start)."""
        lo = max(bisect.bisect_right(self._sig_ticks, start) - 1, 0)
        hi = max(bisect.bisect_left(self._sig_ticks, end), lo + 1)
        return self._sigs[lo:hi]

    def pulse_offsets(self, bar: int) -> list[int]:
        """Where the beats a musician counts start in 0-based ``bar``, in ticks from its
        start (``TimeSignature.pulses``: 6/8's two dotted beats, 7/8's 2+2+3). A bar cut
        short by a meter change keeps the beats it has; a pickup's are the last beats of
        the bar it leads into (:meth:`pickup_shift`)."""
        start, end = self.bar_to_tick(bar), self.bar_to_tick(bar + 1)
        sig, shift = self.metric_position(start)
        unit = self.beat_length_for(sig)
        return [at * unit - shift for at in sig.pulse_starts
                if 0 <= at * unit - shift < end - start]

    def pickup_shift(self, bar: int) -> int:
        """How far into a full bar a pickup starts: an opening bar shorter than the bar
        after it, in a meter of the same unit or at most half as long (1/4 before 4/4, 2/8
        or 1/8 before 6/8, 3/8 before 4/4, 4/4 restated mid-bar: how notation programs
        write an anacrusis to MIDI), is the end of that bar, not a downbeat; 0 for every
        other bar (2/4 before 6/8 and 5/8 before 4/4 are bars of their own)."""
        if bar != 0 or len(self._sig_bars) < 2 or self._sig_bars[1] != 1:
            return 0
        first, full = self.bar_to_tick(1), self._sig_bar_len[1]
        if self._sigs[0].denominator != self._sigs[1].denominator and 2 * first > full:
            return 0
        return max(0, full - first)

    def metric_position(self, tick: int) -> tuple[TimeSignature, int]:
        """The meter a tick is felt in and its offset in a full bar of it (a pickup's notes
        sit at the end of the bar it leads into)."""
        bar = self.tick_to_bar(tick)
        shift = self.pickup_shift(bar)
        start = self.bar_to_tick(bar)
        sig = self.signature_at(self.bar_to_tick(1) if shift else tick)
        return sig, tick - start + shift

    def signature_at(self, tick: int) -> TimeSignature:
        i = max(bisect.bisect_right(self._sig_ticks, tick) - 1, 0)
        return self._sigs[i]

    def bar_to_tick(self, bar: int) -> int:
        """Tick where 0-based ``bar`` starts."""
        i = max(bisect.bisect_right(self._sig_bars, bar) - 1, 0)
        return self._sig_ticks[i] + (bar - self._sig_bars[i]) * self._sig_bar_len[i]

    def tick_to_bar(self, tick: int) -> int:
        """0-based bar containing ``tick``."""
        i = max(bisect.bisect_right(self._sig_ticks, tick) - 1, 0)
        return self._sig_bars[i] + (tick - self._sig_ticks[i]) // self._sig_bar_len[i]

    def bars_around(self, start: int, end: int, bars: int) -> tuple[int, int]:
        """Ticks from ``bars`` whole bars before the bar holding ``start`` to ``bars`` bars
        after the bar holding the span's last tick (the context around a region)."""
        lo = self.bar_to_tick(max(0, self.tick_to_bar(start) - bars))
        return lo, self.bar_to_tick(self.tick_to_bar(max(start, end - 1)) + 1 + bars)

    def tick_to_position(self, tick: int) -> BarPosition:
        bar = self.tick_to_bar(tick)
        in_bar = tick - self.bar_to_tick(bar)
        beat_len = self.beat_length_for(self.signature_at(tick))
        return BarPosition(bar, in_bar // beat_len, in_bar % beat_len)

    def position_to_tick(self, bar: int, beat: int = 0, tick: int = 0) -> int:
        start = self.bar_to_tick(bar)
        return start + beat * self.beat_length_for(self.signature_at(start)) + tick

    def bar_count(self, end_tick: int) -> int:
        """Number of bars needed to hold music that ends at ``end_tick`` (at least 1)."""
        if end_tick <= 0:
            return 1
        return self.tick_to_bar(end_tick - 1) + 1

    def whole_bars(self, end_tick: int) -> int:
        """Whole bars spanned by music that ends at ``end_tick``: 0 for no music at all
        (a song's length in bars: ``tm.whole_bars(song.end)``)."""
        return self.bar_count(end_tick) if end_tick > 0 else 0

    def whole_bars_end(self, end_tick: int) -> int:
        """Where the last of those whole bars ends: a song's last bar line (0 for none)."""
        return self.bar_to_tick(self.whole_bars(end_tick))

    # -- bar numbers as the user reads and types them -----------------------------------------
    @property
    def has_pickup(self) -> bool:
        """Whether the song opens with a pickup (:meth:`pickup_shift`)."""
        return self._first_number == 0

    @property
    def first_bar_number(self) -> int:
        """The number of the song's first bar: 0 for a pickup, else 1."""
        return self._first_number

    def bar_number(self, bar: int) -> int:
        """The number the user reads for 0-based ``bar``, as score editors (MuseScore,
        Sibelius, Dorico) number bars: the first full bar is bar 1, so a pickup is bar 0
        and the bar after it bar 1; without a pickup bar index 0 is bar 1. The one place
        this rule lives: a choir director's "bar 5" is the score's bar 5."""
        return bar + self._first_number

    def bar_index(self, number: int) -> int:
        """The 0-based bar the user means by bar ``number`` (:meth:`bar_number`'s
        inverse; a number before the first bar gives a negative index)."""
        return number - self._first_number

    def bar_numbers_text(self, bars: int) -> str:
        """The numbers of a song's ``bars`` bars, for a message: ``"bars 1–8"``, with a
        pickup ``"bars 0–8"`` (``"no bars"``, ``"bar 1"``)."""
        if bars < 1:
            return "no bars"
        first, last = self.bar_number(0), self.bar_number(bars - 1)
        return f"bar {first}" if first == last else f"bars {first}–{last}"

    def format_position(self, tick: int) -> str:
        """Musician's "bar.beat.tick" text, e.g. ``"5.2.000"`` (bars numbered as
        :meth:`bar_number` says, beats from 1)."""
        p = self.tick_to_position(tick)
        return f"{self.bar_number(p.bar)}.{p.beat + 1}.{p.tick:03d}"

    # -- beats ---------------------------------------------------------------------------------
    def tick_to_beats(self, tick: int | float) -> float:
        return tick / self.ppq

    def beats_to_tick(self, beats: float) -> int:
        return round(beats * self.ppq)

    # -- seconds -------------------------------------------------------------------------------
    def tick_to_seconds(self, tick: int | float) -> float:
        i = max(bisect.bisect_right(self._tempo_ticks, tick) - 1, 0)
        return self._tempo_secs[i] + (tick - self._tempo_ticks[i]) * self._tempo_us[i] / 1e6 / (
            self.ppq
        )

    def seconds_to_tick(self, seconds: float) -> int:
        i = max(bisect.bisect_right(self._tempo_secs, seconds) - 1, 0)
        ticks = (seconds - self._tempo_secs[i]) * 1e6 * self.ppq / self._tempo_us[i]
        return self._tempo_ticks[i] + round(ticks)

    def ticks_to_seconds(self, ticks: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`tick_to_seconds` for arrays of ticks (rendering)."""
        ticks = np.asarray(ticks, dtype=np.float64)
        t0 = np.asarray(self._tempo_ticks, dtype=np.float64)
        idx = np.clip(np.searchsorted(t0, ticks, side="right") - 1, 0, None)
        us = np.asarray(self._tempo_us, dtype=np.float64)[idx]
        base = np.asarray(self._tempo_secs)[idx]
        return base + (ticks - t0[idx]) * us / 1e6 / self.ppq

    def tempo_at(self, tick: int) -> float:
        """BPM in force at ``tick``."""
        i = max(bisect.bisect_right(self._tempo_ticks, tick) - 1, 0)
        return 60_000_000 / self._tempo_us[i]
