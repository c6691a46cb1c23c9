"""The export's mix made a window of bars at a time: what the studio plays.

An export (``renderer.render_files``) renders each track whole, takes its drift out
(``mixing.remove_dc``) and decides one headroom gain from the mix of every track and every
stem (``mixing.headroom_gains``). Playback renders the song a window of bars at a time,
every track at once (:mod:`.progressive`), so that it can start before the song is
rendered. A :class:`WindowedMix` is handed those windows in order and makes the export's
mix of them: each track's pieces summed, its drift taken out as ``remove_dc`` takes it out
of the whole track (the same 5 ms blocks from frame 0, the same moving average, the same
edges at the track's start and end), the tracks heard summed in track order, and the
sample peaks the gain is decided from (:class:`~.mixing.Peaks`), as far as the song is
rendered. The moving average reads ~0.26 s past a frame, so a frame is *settled* (final,
in the mix and in the peaks) once the next window starts that far after it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from engine.score import Song

from .mixing import (
    Peaks,
    dc_anchors,
    dc_block,
    dc_block_sums,
    dc_window,
    peak,
    subtract_drift,
)


class _Track:
    """One track's frames from ``base`` (its first not yet settled) on, as rendered (its
    pieces summed), and the block sums of its blocks ``sums_from`` .. ``summed``."""

    def __init__(self, base: int, block: int, margin: int) -> None:
        self.base = base
        self.raw = np.zeros((0, 2), np.float32)
        self.length = 0  # frames from 0 to the end of its last piece
        first = base // block
        self.sums_from = max(0, first - margin)
        self.sums = np.zeros((first - self.sums_from, 2))  # silence before its first piece

    @property
    def summed(self) -> int:
        return self.sums_from + len(self.sums)

    def reach(self, frame: int) -> None:
        """Hold the frames up to ``frame`` (silence where nothing was added)."""
        need = frame - self.base
        if need > len(self.raw):
            grown = np.zeros((need, 2), np.float32)
            grown[:len(self.raw)] = self.raw
            self.raw = grown

    def add(self, start: int, audio: np.ndarray) -> None:
        end = start + len(audio)
        self.reach(end)
        self.raw[start - self.base:end - self.base] += audio
        self.length = max(self.length, end)

    def quiet(self) -> bool:
        """Nothing of it waits, and nothing before it moves its drift: it may be forgotten
        until its next piece (a track made again from there holds the same numbers)."""
        return not self.raw.any() and not self.sums.any()


class WindowedMix:
    """The mix of ``song`` as heard, made from windows of it from frame ``start`` on
    (:meth:`add`, then :meth:`settle`), written into ``out`` when given as it settles
    (from ``start`` on: before it nothing was rendered but the drift's lead-up to the
    first notes), with its :attr:`peaks` so far. ``monitor``: tracks played for the
    musician only (the studio's click): heard, in ``out``, but not in the song's peaks.

    Stems are added as the synth made them, with their track's volume and pan (the drift
    is the same taken out before or after those: they scale it alike).
    """

    def __init__(self, song: Song, sample_rate: int, out: np.ndarray | None = None,
                 monitor: Collection[int] = (), start: int = 0) -> None:
        self.sample_rate = sample_rate
        self.block = dc_block(sample_rate)
        # Blocks of sums read either side of a block's drift (two boxcars, and a spare).
        self.margin = dc_window(self.block, sample_rate) + 2
        self.order = [t.id for t in song.tracks]
        self.heard = set(song.audible_ids())
        self.monitor = set(monitor)
        self.out, self.start = out, start
        # Every track of the song heard (nothing muted or soloed): one mix is both.
        self._one_mix = all(t in self.heard for t in self.order if t not in self.monitor)
        # Frames before it are final in the mix and in the peaks: from the drift's reach
        # before the first window on (a track's frames from 0 to there are silence).
        self.settled = max(0, (start // self.block - self.margin) * self.block)
        self.peaks = Peaks()
        self._frontier = start
        self._tracks: dict[int, _Track] = {}
        # The mixes from `settled` on: of every track, of those heard, of the click.
        self._pending = [np.zeros((0, 2), np.float32) for _ in range(3)]
        self._end = 0  # the frame after the last emitted

    def add(self, start: int, stems: Mapping[int, np.ndarray]) -> None:
        """A window's stems (track id → its audio from frame ``start``), windows in order:
        none starts before the frontier last settled to."""
        if start < self._frontier:
            raise ValueError(f"a window at frame {start} starts before frame "
                             f"{self._frontier}, already settled to")
        for track_id, audio in stems.items():
            if len(audio):
                track = self._tracks.get(track_id)
                if track is None:
                    track = self._tracks[track_id] = _Track(self.settled, self.block,
                                                            self.margin)
                track.add(start, audio)

    def settle(self, frontier: int | None, done: Collection[int] = ()) -> int:
        """Settle what no window from frame ``frontier`` on can change (``None``: every
        window is in); ``done``: tracks with no piece in those windows (their ends are
        cleaned as the whole track's are). Returns :attr:`settled`."""
        if frontier is None:
            upto = None
        else:
            self._frontier = max(self._frontier, frontier)
            upto = max(self.settled, (frontier // self.block - self.margin) * self.block)
        for track_id in self.order:
            track = self._tracks.get(track_id)
            if track is None:
                continue
            finished = frontier is None or track_id in done
            at = track.base
            cleaned = self._clean(track, None if finished else frontier)
            if len(cleaned):
                self._emit(track_id, at, cleaned)
            if finished or track.quiet():
                del self._tracks[track_id]
        self._finalise(upto if upto is not None else max(self.settled, self._end))
        return self.settled

    def _clean(self, track: _Track, frontier: int | None) -> np.ndarray:
        """The track's frames settled now (to ``frontier``'s settling point, or to its end
        when ``None``), the drift taken out as ``remove_dc`` takes it from the whole track."""
        block = self.block
        finished = frontier is None
        upto = -(-track.length // block) if finished else frontier // block  # final blocks
        if upto > track.summed:
            track.reach(upto * block)
            first = track.summed * block - track.base
            track.sums = np.concatenate(
                [track.sums, dc_block_sums(track.raw[first:upto * block - track.base], block)])
        b0 = track.base // block
        b1 = max(b0, upto if finished else upto - self.margin)
        stretch = track.raw[:(b1 - b0) * block]
        lo = max(0, b0 - self.margin)
        sums = track.sums[lo - track.sums_from:upto - track.sums_from]
        # (remove_dc's rule for a short track; no drift where all around is silence)
        if len(stretch) and (not finished or track.length >= 2 * block) and sums.any():
            anchors = dc_anchors(sums, block, self.sample_rate)
            subtract_drift(stretch, anchors[b0 - lo:b1 - lo + 1], block)
        cleaned = stretch[:max(0, track.length - track.base)] if finished else stretch
        track.raw = track.raw[len(stretch):]
        track.base += len(cleaned)
        keep = max(track.sums_from, b1 - self.margin)
        track.sums, track.sums_from = track.sums[keep - track.sums_from:], keep
        return cleaned

    def _emit(self, track_id: int, at: int, cleaned: np.ndarray) -> None:
        i, n = at - self.settled, len(cleaned)
        self._grow(i + n)
        self._end = max(self._end, at + n)
        every, heard, click = self._pending
        if track_id in self.monitor:
            if track_id in self.heard:
                click[i:i + n] += cleaned
            return
        p = self.peaks
        self.peaks = Peaks(p.every, max(p.stem, peak(cleaned)), p.heard)
        every[i:i + n] += cleaned
        if track_id in self.heard and not self._one_mix:
            heard[i:i + n] += cleaned

    def _grow(self, frames: int) -> None:
        if frames > len(self._pending[0]):
            size = max(frames, 2 * len(self._pending[0]))  # (a window's tracks grow it)
            for k, mixed in enumerate(self._pending):
                grown = np.zeros((size, 2), np.float32)
                grown[:len(mixed)] = mixed
                self._pending[k] = grown

    def _finalise(self, upto: int) -> None:
        n = upto - self.settled
        if n <= 0:
            return
        self._grow(n)
        every, heard, click = (mixed[:n] for mixed in self._pending)
        heard = every if self._one_mix else heard
        p = self.peaks
        loudest = peak(every)
        self.peaks = Peaks(max(p.every, loudest), p.stem,
                           max(p.heard, loudest if self._one_mix else peak(heard)))
        if self.out is not None:
            a, b = max(self.settled, self.start), min(upto, len(self.out))
            if a < b:
                i = a - self.settled
                if self.monitor:
                    np.add(heard[i:i + b - a], click[i:i + b - a], out=self.out[a:b])
                else:
                    self.out[a:b] = heard[i:i + b - a]
        self._pending = [mixed[n:] for mixed in self._pending]
        self.settled = upto
