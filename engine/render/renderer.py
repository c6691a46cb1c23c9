"""Song → per-track stems → mix → WAV files: the rendering pipeline.

Every track is rendered on its own from time 0 and padded to one common length (the
song's end plus the longest release tail), so stems line up at bar 1 in any DAW. A stem
carries its track's volume and pan; muted tracks get stems too, mute/solo only decide
what goes into the mix.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from engine.io.atomic import temp_sibling
from engine.score import Song, TimeMap

from .builtin import BuiltinSynth
from .errors import RenderError, SoundFontError
from .events import song_frames
from .files import AudioSource, stale_stems, stem_paths, write_wavs
from .mixing import apply_volume_pan, gain_for_peak, peak, remove_dc, to_db
from .soundfont import ENV_VAR, SoundFontSynth, find_soundfont, tinysoundfont_available

Progress = Callable[[float], None]
SynthChoice = Literal["auto", "soundfont", "builtin"]


@dataclass(frozen=True)
class RenderReport:
    """What :func:`render_files` wrote and how long it took."""

    mix_path: Path | None
    stem_paths: tuple[Path, ...]
    duration_seconds: float  # length of the audio written
    render_seconds: float  # wall-clock time, synthesis and writing
    synth: str  # "SoundFont FluidR3_GM.sf2" or "built-in"
    sample_rate: int
    bars: int
    gain_db: float = 0.0  # headroom gain applied to mix and stems (≤ 0 dB)
    peak_dbfs: float = field(default=float("-inf"))  # sample peak of what was written

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written, mix first."""
        return ((self.mix_path,) if self.mix_path else ()) + self.stem_paths

    @property
    def speed(self) -> float:
        """Seconds of audio per second of rendering (× real time)."""
        return self.duration_seconds / self.render_seconds if self.render_seconds > 0 else 0.0


def make_synth(
    sample_rate: int, soundfont: Path | None = None, synth: SynthChoice = "auto"
) -> SoundFontSynth | BuiltinSynth:
    """The synth to render with.

    ``"auto"`` uses a SoundFont when one is found (see :func:`find_soundfont`) and
    TinySoundFont is installed, else the built-in synth; ``"soundfont"`` insists on one;
    ``"builtin"`` never looks.
    """
    if synth not in ("auto", "soundfont", "builtin"):
        raise ValueError(f"unknown synth {synth!r}: use 'auto', 'soundfont' or 'builtin'")
    if not 8000 <= sample_rate <= 192_000:
        raise RenderError(f"sample rate {sample_rate} Hz is outside 8000..192000")
    if synth == "builtin":
        return BuiltinSynth(sample_rate)
    path = find_soundfont(soundfont)
    wanted = synth == "soundfont" or soundfont is not None
    if path is None:
        if wanted:
            raise RenderError("no SoundFont found: pass one, or set $PARTITA_SOUNDFONT")
        return _builtin(sample_rate, "no General MIDI SoundFont found: install "
                                     "fluid-soundfont-gm or set $PARTITA_SOUNDFONT")
    if not tinysoundfont_available():
        if wanted:
            raise RenderError("the tinysoundfont package is not installed: cannot play SoundFonts")
        return _builtin(sample_rate, "tinysoundfont is not installed")
    found = SoundFontSynth(path, sample_rate)
    if not wanted and not os.environ.get(ENV_VAR, "").strip():
        # One the system has, not one the user named: a damaged package must not stop
        # every render (a named one is the user's to fix, and stays an error).
        try:
            found.check()
        except SoundFontError as e:
            return _builtin(sample_rate, f"{path.name} is damaged: {e}")
    return found


def _builtin(sample_rate: int, why: str) -> BuiltinSynth:
    """The built-in synth, named with why it plays (the CLI and the studio show it)."""
    synth = BuiltinSynth(sample_rate)
    synth.name = f"built-in ({why})"
    return synth


def _render(
    song: Song, sample_rate: int, soundfont: Path | None, progress: Progress | None,
    synth: SynthChoice,
) -> tuple[dict[int, np.ndarray], str]:
    name, tracks = _render_each(song, sample_rate, soundfont, progress, synth)
    raw = {tid: audio for tid, audio in tracks}
    length = max([song_frames(song, sample_rate), *(len(a) for a in raw.values())])
    for tid, audio in raw.items():  # padded one at a time: a long song's stems are GBs
        if len(audio) != length or audio.dtype != np.float32:
            padded = np.zeros((length, 2), np.float32)
            padded[: len(audio)] = audio
            raw[tid] = padded
    if progress is not None:
        progress(1.0)
    return raw, name


def _render_each(
    song: Song, sample_rate: int, soundfont: Path | None, progress: Progress | None,
    synth: SynthChoice,
) -> tuple[str, Iterator[tuple[int, np.ndarray]]]:
    """The synth's name, and ``(track id, audio)`` for one track after another (with its
    volume and pan, unpadded), made as they are asked for: one in memory at a time."""
    engine = make_synth(sample_rate, soundfont, synth)
    weights = [len(t.notes) + 1 for t in song.tracks]
    total = sum(weights) or 1

    def tracks() -> Iterator[tuple[int, np.ndarray]]:
        done = 0
        for track, w in zip(song.tracks, weights, strict=True):
            def track_progress(f: float, base: int = done, w: int = w) -> None:
                if progress is not None:
                    progress(min(1.0, (base + f * w) / total))

            audio = engine.render_track(song, track, track_progress)
            done += w
            yield track.id, apply_volume_pan(remove_dc(audio, sample_rate), track)

    return engine.name, tracks()


class _Scratch:
    """Unscaled stems waiting beside their files (same disk, hidden names), removed at
    the end whatever happens, with any folder made for them that stayed empty."""

    def __init__(self) -> None:
        self._paths: list[Path] = []
        self._made: list[Path] = []

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        for path in self._paths:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(self._made):  # a failed or interrupted render: as before
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty

    def keep(self, beside: Path, audio: np.ndarray) -> Path:
        folder = beside.parent
        missing = [f for f in (folder, *folder.parents) if not f.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        self._made += reversed(missing)
        path = temp_sibling(beside, "raw")
        self._paths.append(path)
        try:
            np.ascontiguousarray(audio, np.float32).tofile(path)
        except OSError as e:  # name the user's file, not the hidden one (disk full …)
            raise OSError(e.errno, e.strerror, str(beside)) from None
        return path


def scaled_chunks(raw: Path, frames: int, length: int, gain: float,
                  chunk: int = 1 << 18) -> Callable[[], Iterator[np.ndarray]]:
    """The stem kept in ``raw`` (``frames`` stereo float32 frames), scaled by ``gain`` and
    padded with silence to ``length`` frames, read a chunk at a time when written."""
    def chunks() -> Iterator[np.ndarray]:
        data = np.memmap(raw, np.float32, "r", shape=(frames, 2)) if frames else None
        for start in range(0, length, chunk):
            block = np.zeros((min(chunk, length - start), 2), np.float32)
            if data is not None and start < frames:
                part = data[start:start + len(block)]
                block[: len(part)] = part * np.float32(gain)
            yield block
    return chunks


def render_tracks(
    song: Song,
    sample_rate: int = 44100,
    soundfont: Path | None = None,
    progress: Progress | None = None,
    *,
    synth: SynthChoice = "auto",
) -> dict[int, np.ndarray]:
    """Every track (muted or not) as float32 stereo ``(n, 2)``, all the same length.

    Keys are track ids. Arrays start at the song's time 0 and end after the last
    release tail; they include each track's volume and pan but no headroom gain.
    ``progress`` is called with the fraction done (0..1).
    """
    return _render(song, sample_rate, soundfont, progress, synth)[0]


@contextlib.contextmanager
def _locked(folder: Path | None):
    """An exclusive advisory lock on ``folder`` (made if missing) while the block runs;
    nothing where the platform has no ``flock``."""
    if folder is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def render_files(
    song: Song,
    mix_path: Path | None = None,
    stems_dir: Path | None = None,
    *,
    sample_rate: int = 44100,
    soundfont: Path | None = None,
    progress: Progress | None = None,
    synth: SynthChoice = "auto",
    known_stale: Iterable[Path] | None = None,
) -> RenderReport:
    """Render ``song`` to a stereo mix WAV and/or one WAV per track in ``stems_dir``.

    Files are 24-bit PCM stereo. Mix and stems share one headroom gain, from the mix and
    every stem, so the unmuted stems summed in a DAW give back the mix, and it is the
    same gain whether the mix, the stems or both are written. Nothing is written unless
    every file could be written.

    ``known_stale``: the other stems the caller found in ``stems_dir`` before rendering
    and chose to keep (the CLI asks, or ``--clean`` removes them). Without it, a folder
    holding another song's stems is refused before anything is rendered. The folder is
    locked while the stems are written, and a stem file that appeared meanwhile (another
    render into the same folder) stops this one with nothing written, so two songs'
    stems never mix in one folder.
    """
    if mix_path is None and stems_dir is None:
        raise RenderError("nothing to write: give a mix path and/or a stems folder")
    if mix_path is not None and Path(mix_path).suffix.lower() != ".wav":
        raise RenderError(f"{mix_path}: the mix is written as WAV: give a .wav file name")
    paths = stem_paths(song, Path(stems_dir)) if stems_dir is not None else {}
    names = [p.name for p in paths.values()]
    if stems_dir is not None and known_stale is None:
        others = stale_stems(Path(stems_dir), names)
        if others:
            raise RenderError(f"{stems_dir}: holds other stems ({min(others).name!r}"
                              f"{' …' if len(others) > 1 else ''}), of another song or an "
                              "earlier version: delete them (engine.render.remove_stems) or "
                              "choose another folder; nothing written")
        known_stale = ()
    t0 = time.perf_counter()

    def part(f: float) -> None:  # rendering is most of the work; writing the rest
        if progress is not None:
            progress(0.9 * f)

    # One track in memory at a time, and the mix: a 7-minute song of 14 tracks held
    # every stem at once (2.7 GB). Each stem waits on disk, unscaled, beside its file
    # until the one headroom gain is known (from the mix and every stem's peak).
    with _Scratch() as scratch:
        synth_name, tracks = _render_each(song, sample_rate, soundfont, part, synth)
        mixed = np.zeros((song_frames(song, sample_rate), 2), np.float32)
        audible = set(song.audible_ids())
        loudest_stem, length = 0.0, len(mixed)
        waiting: dict[int, tuple[Path, int]] = {}
        for tid, audio in tracks:
            loudest_stem = max(loudest_stem, peak(audio))
            length = max(length, len(audio))
            if tid in audible:
                if len(audio) > len(mixed):
                    mixed = np.concatenate(
                        [mixed, np.zeros((len(audio) - len(mixed), 2), np.float32)])
                mixed[: len(audio)] += audio
            if stems_dir is not None:
                waiting[tid] = (scratch.keep(paths[tid], audio), len(audio))
            del audio
        if len(mixed) < length:
            mixed = np.concatenate([mixed, np.zeros((length - len(mixed), 2), np.float32)])
        # One gain for every file, from the mix and every stem, whichever are written:
        # deciding it from what happens to be written would give the stems alone another
        # gain than the stems beside a mix (summed, they would clip), and a muted track's
        # stem, not in the mix, must not clip either.
        loudest_mix = peak(mixed)
        gain = gain_for_peak(max(loudest_mix, loudest_stem))
        loudest = max(loudest_mix if mix_path else 0.0, loudest_stem if stems_dir else 0.0)
        mixed *= np.float32(gain)
        files: list[tuple[Path, AudioSource]] = []
        if mix_path is not None:
            files.append((Path(mix_path), mixed))
        for tid, (raw, frames) in waiting.items():
            files.append((paths[tid], scaled_chunks(raw, frames, length, gain)))
        with _locked(Path(stems_dir) if stems_dir is not None else None):
            if stems_dir is not None:
                new = set(stale_stems(Path(stems_dir), names)) - set(known_stale or ())
                if new:
                    raise RenderError(f"{stems_dir}: another render wrote stems here "
                                      f"meanwhile (e.g. {min(new).name!r}): nothing written")
            out = write_wavs(files, sample_rate)
    if progress is not None:
        progress(1.0)
    return RenderReport(
        mix_path=out[0] if mix_path is not None else None,
        stem_paths=tuple(out[1:] if mix_path is not None else out),
        duration_seconds=length / sample_rate,
        render_seconds=time.perf_counter() - t0,
        synth=synth_name,
        sample_rate=sample_rate,
        bars=TimeMap.of(song).bar_count(song.end),
        gain_db=to_db(gain),
        peak_dbfs=to_db(loudest * gain),
    )


__all__ = [
    "RenderError",
    "RenderReport",
    "SoundFontError",
    "make_synth",
    "render_files",
    "render_tracks",
]
