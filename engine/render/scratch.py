"""Stems waiting on disk while an export renders: made, cleaned and read a piece at a time.

One headroom gain for every file needs every stem's peak before anything is written, so
:func:`~engine.render.renderer.render_files` keeps each stem on disk beside its file,
unscaled, until the gain is known. A stem goes there straight from the synth
(:class:`RawStem`, a sink of :mod:`.stream`), is cleaned and levelled there in place
(:func:`finish_stem`; a loop's tail wrapped onto its start, :func:`wrap_tail`), and is read
back scaled as its WAV is written (:func:`scaled_chunks`), or summed into the mix as heard
when tracks are muted (:func:`sum_stems`): only pieces of it are ever in memory. The
numbers are those of ``remove_dc`` and ``apply_volume_pan`` on the whole track, sample
for sample.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from engine.io.atomic import STALE_TEMP_SECONDS, remove_stale_temps_in, temp_sibling
from engine.score import Track

from . import mixing
from .mixing import apply_volume_pan, dc_anchors, dc_block, dc_block_sums, subtract_drift

FRAME_BYTES = 8  # stereo float32
PIECE_BLOCKS = 256  # DC blocks cleaned at a time (1.3 s, 0.5 MB at 48 kHz)


class Scratch:
    """Unscaled stems waiting beside their files (same disk, hidden names), removed at
    the end whatever happens, with any folder made for them that stayed empty."""

    def __init__(self) -> None:
        self._paths: list[Path] = []
        self._made: list[Path] = []

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        for path in self._paths:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(self._made):  # a failed or interrupted render: as before
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty

    def new(self, beside: Path) -> Path:
        """A hidden file name beside ``beside`` (its folder made if missing)."""
        folder = beside.parent
        missing = [f for f in (folder, *folder.parents) if not f.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        self._made += reversed(missing)
        path = temp_sibling(beside, "raw")
        self._paths.append(path)
        return path

    def drop(self, path: Path) -> None:
        """Remove ``path`` now (a track only the mix needed, once it is in the mix)."""
        with contextlib.suppress(OSError):
            path.unlink()
        self._paths.remove(path)


# The hidden names a render writes before its files are done: stems waiting on disk
# (Scratch.new) and WAVs not yet renamed into place (files.write_wavs).
SCRATCH_SUFFIXES = ("raw", "partial")


def remove_stale_scratch(folders: Iterable[Path | None],
                         max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete what a render killed before its end (kill -9, a power cut: nothing ran its
    clean-up) left in ``folders``, the ones a render writes to: its hidden ``.NAME.<8
    hex>.raw`` and ``.partial`` files over ``max_age`` seconds old (a live render's are
    newer, as :func:`~engine.io.atomic.remove_stale_temps_in` has it for a save's ``.tmp``).
    No later render meets their random names, so nothing else would (QA: 609 MB left
    after a killed ``partita render --stems``). Best effort; returns those deleted."""
    removed: list[Path] = []
    for folder in dict.fromkeys(f for f in folders if f is not None):
        removed += remove_stale_temps_in(folder, max_age, SCRATCH_SUFFIXES)
    return removed


class RawStem:
    """A sink (:mod:`.stream`) writing a track to ``file`` as float32 frames, taking the
    DC filter's block sums on the way, a :data:`~.mixing.DC_STRETCH` at a time as
    ``remove_dc`` takes them (so the sums, and the drift, are the same to the bit)."""

    def __init__(self, file: BinaryIO, sample_rate: int, shown: Path) -> None:
        self.file, self.sample_rate, self.shown = file, sample_rate, shown
        self.block = dc_block(sample_rate)
        self.frames = 0  # written to the file
        self._stretch = np.zeros((mixing.DC_STRETCH * self.block, 2), np.float32)
        self._held = 0  # frames of _stretch not yet written
        self._sums: list[np.ndarray] = []

    def __call__(self, frames: np.ndarray) -> None:
        while len(frames):
            n = min(len(frames), len(self._stretch) - self._held)
            self._stretch[self._held:self._held + n] = frames[:n]
            self._held += n
            frames = frames[n:]
            if self._held == len(self._stretch):
                self._write()

    def close(self) -> None:
        """Write what is held (the track has ended)."""
        if self._held:
            self._write()

    def anchors(self) -> np.ndarray | None:
        """The drift to take out (:func:`~.mixing.dc_anchors`), ``None`` when the track
        is too short to have one (``remove_dc`` leaves it as it is)."""
        if self.frames < 2 * self.block:
            return None
        return dc_anchors(np.concatenate(self._sums), self.block, self.sample_rate)

    def _write(self) -> None:
        held = self._stretch[: self._held]
        _write_at(self.file, self.frames, held, self.shown)
        whole = -(-self._held // self.block) * self.block
        self._stretch[self._held:whole] = 0  # the last block, padded with silence
        self._sums.append(dc_block_sums(self._stretch[:whole], self.block))
        self.frames += self._held
        self._held = 0


def finish_stem(file: BinaryIO, stem: RawStem, track: Track, shown: Path,
                each: Callable[[int, np.ndarray], object] | None = None,
                progress: Callable[[float], None] | None = None,
                upto: int | None = None, fade: int = 0,
                dry: BinaryIO | None = None) -> tuple[float, float]:
    """Clean (the drift out) and level (the track's volume and pan) the stem ``stem``
    wrote to ``file``, in place, a piece at a time; ``each(start, piece)`` sees every
    piece done (the mix adds it). Only the frames before ``upto`` when given (a stem cut
    at the bar line: the drift is still the whole track's, so they are the same numbers),
    its last ``fade`` frames faded out to silence (:func:`fade_out`). ``dry``: a file the
    frames are also written to cleaned but not levelled (a pre-fader stem). Returns the
    sample peaks of the frames done, levelled and (with ``dry``) not."""
    block = stem.block
    frames = stem.frames if upto is None else min(stem.frames, upto)
    anchors = stem.anchors()
    size = PIECE_BLOCKS * block
    buf = np.zeros((size, 2), np.float32)
    loudest = loudest_dry = 0.0
    for start in range(0, frames, size):
        n = min(size, frames - start)
        _read_at(file, start, buf[:n])
        if anchors is not None:
            whole = -(-n // block) * block
            buf[n:whole] = 0
            first = start // block
            subtract_drift(buf[:whole], anchors[first:first + whole // block + 1], block)
        if dry is not None:
            unlevelled = buf[:n].copy()
            if upto is not None and fade:
                fade_out(unlevelled, start, upto, fade)
            loudest_dry = max(loudest_dry, mixing.peak(unlevelled))
            _write_at(dry, start, unlevelled, shown)
        piece = apply_volume_pan(buf[:n], track)
        if upto is not None and fade:
            fade_out(piece, start, upto, fade)
        loudest = max(loudest, mixing.peak(piece))
        if each is not None:
            each(start, piece)
        _write_at(file, start, piece, shown)
        if progress is not None:
            progress((start + n) / frames)
    return loudest, loudest_dry


def fade_out(piece: np.ndarray, start: int, end: int, fade: int) -> None:
    """Fade out, in place, the frames of ``piece`` (frames ``start``… of a file) among the
    last ``fade`` before ``end``: linearly, the one before ``end`` silent, so a note still
    sounding where the file is cut does not click there."""
    first = max(start, end - fade)
    stop = min(start + len(piece), end)
    if first >= stop:
        return
    at = np.arange(first, stop)
    gain = (end - 1 - at) / max(1, fade - 1)  # 1 at end - fade … 0 at end - 1
    piece[first - start:stop - start] *= gain.astype(np.float32)[:, None]


def wrap_tail(file: BinaryIO, frames: int, period: int, shown: Path,
              chunk: int = 1 << 16) -> float:
    """Add what the stem in ``file`` (``frames`` float32 frames, finished) holds past
    ``period`` onto its start, in place, as often as it is longer (a 6 s tail on a 1 s
    loop goes round six times): what a loop of its first ``period`` frames sounds like
    once it has been round. Returns the sample peak of those frames."""
    tail = np.zeros((chunk, 2), np.float32)
    head = np.zeros((chunk, 2), np.float32)
    for start in range(period, frames, chunk):
        n = min(chunk, frames - start)
        _read_at(file, start, tail[:n])
        done = 0
        while done < n:  # a piece may reach round past the loop's end
            at = (start + done) % period
            m = min(n - done, period - at)
            _read_at(file, at, head[:m])
            head[:m] += tail[done:done + m]
            _write_at(file, at, head[:m], shown)
            done += m
    loudest = 0.0
    for start in range(0, min(frames, period), chunk):
        n = min(chunk, frames - start, period - start)
        _read_at(file, start, head[:n])
        loudest = max(loudest, mixing.peak(head[:n]))
    return loudest


def sum_stems(out: np.ndarray, stems: Sequence[tuple[Path, int]],
              chunk: int = 1 << 18) -> float:
    """Fill ``out`` with the sum of the finished stems waiting in ``stems`` (``(file,
    frames)``, in track order), one stem after another, a chunk at a time: the mix as
    heard, made again from the stems in it once the headroom gain was taken from every
    track's. The same sums as adding each stem whole, in that order (and one file open
    at a time: a song may have thousands of tracks). Returns the sample peak of ``out``."""
    buf = np.zeros((chunk, 2), np.float32)
    out[:] = 0
    for raw, frames in stems:
        with open(raw, "rb") as f:
            for start in range(0, min(frames, len(out)), chunk):
                n = min(chunk, frames - start, len(out) - start)
                _read_at(f, start, buf[:n])
                out[start:start + n] += buf[:n]
    return max((mixing.peak(out[i:i + chunk]) for i in range(0, len(out), chunk)),
               default=0.0)


def scaled_chunks(raw: Path, frames: int, length: int, gain: float,
                  chunk: int = 1 << 18) -> Callable[[], Iterator[np.ndarray]]:
    """The stem kept in ``raw`` (``frames`` stereo float32 frames), scaled by ``gain`` and
    padded with silence to ``length`` frames, read a chunk at a time when written (read,
    not mapped: a mapped file's pages count in the process's memory)."""
    def chunks() -> Iterator[np.ndarray]:
        with open(raw, "rb") as f:
            for start in range(0, length, chunk):
                block = np.zeros((min(chunk, length - start), 2), np.float32)
                if start < frames:
                    part = block[: min(len(block), frames - start)]
                    _read_at(f, start, part)
                    part *= np.float32(gain)
                yield block
    return chunks


def _read_at(file: BinaryIO, frame: int, into: np.ndarray) -> None:
    file.seek(frame * FRAME_BYTES)
    if file.readinto(memoryview(into).cast("B")) != into.nbytes:
        raise OSError(f"{getattr(file, 'name', 'a waiting stem')}: ended early")


def _write_at(file: BinaryIO, frame: int, frames: np.ndarray, shown: Path) -> None:
    try:
        file.seek(frame * FRAME_BYTES)
        file.write(memoryview(np.ascontiguousarray(frames, np.float32)).cast("B"))
    except OSError as e:  # name the user's file, not the hidden one (disk full …)
        raise OSError(e.errno, e.strerror, str(shown)) from None


def rehearsal_pieces(heard: np.ndarray, raw: Path, frames: int,
                     lead: np.ndarray | None = None, lead_frames: int = 0,
                     chunk: int = 1 << 18) -> Callable[[], Iterator[np.ndarray]]:
    """The rehearsal mix of the part kept in ``raw`` (``frames`` finished float32 frames),
    a chunk at a time, before the headroom gain (:func:`~.mixing.rehearsal_mix`, from
    ``heard``, the mix as heard at unity, the others turned down as far as the part's own
    level asks: :func:`~.mixing.rehearsal_others_db`); ``lead``: a count-in's audio, the
    music starting ``lead_frames`` into the file (what rings past that sounds over its
    start), set under the music's peak (:func:`~.mixing.count_in_gain`)."""
    chunk = max(chunk // mixing.REHEARSAL_BLOCK, 1) * mixing.REHEARSAL_BLOCK
    energies = np.zeros(2)
    own = np.zeros((chunk, 2), np.float32)
    with open(raw, "rb") as f:  # a first pass: the part's level against the others'
        for a in range(0, min(frames, len(heard)), chunk):
            b = min(a + chunk, frames, len(heard))
            _read_at(f, a, own[: b - a])
            energies += mixing.sung_energies(heard[a:b], own[: b - a])
    others_db = mixing.rehearsal_others_db(*energies)

    def music() -> Iterator[np.ndarray]:
        with open(raw, "rb") as f:
            for a in range(0, len(heard), chunk):
                b = min(a + chunk, len(heard))
                part = own[: b - a]
                part[:] = 0
                if a < frames:
                    _read_at(f, a, part[: min(b, frames) - a])
                yield mixing.rehearsal_mix(heard[a:b], part, others_db)

    lead = np.zeros((0, 2), np.float32) if lead is None else lead
    if len(lead):
        music_peak = max((mixing.peak(p) for p in music()), default=0.0)
        lead = lead * np.float32(mixing.count_in_gain(mixing.peak(lead), music_peak))
    total = lead_frames + len(heard)

    def pieces() -> Iterator[np.ndarray]:
        with open(raw, "rb") as f:
            for start in range(0, total, chunk):
                n = min(chunk, total - start)
                out = np.zeros((n, 2), np.float32)
                first = max(start, lead_frames)  # the file's first frame of music here
                if first < start + n:
                    a, b = first - lead_frames, start + n - lead_frames
                    part = own[: b - a]
                    part[:] = 0
                    if a < frames:
                        _read_at(f, a, part[: min(b, frames) - a])
                    out[first - start:] = mixing.rehearsal_mix(heard[a:b], part, others_db)
                if start < len(lead):
                    m = min(n, len(lead) - start)
                    out[:m] += lead[start:start + m]
                yield out
    return pieces
