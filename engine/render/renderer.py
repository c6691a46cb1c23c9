"""Song → per-track stems → mix → WAV files: the rendering pipeline.

Every track is rendered on its own from time 0 and padded to one common length (the
song's end plus the longest release tail; or cut at its last bar line, the tail dropped
or wrapped onto the start: ``end``), so stems line up at bar 1 in any DAW. A stem
carries its track's volume and pan; muted tracks get stems too, mute/solo only decide
what goes into the mix.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from engine.score import Song, TimeMap, Track, bars_end, last_bar_line
from engine.score.instruments import program_name

from .builtin import BuiltinSynth
from .clicks import start_count_in
from .errors import RenderError, SoundFontError
from .events import song_frames
from .files import (
    BIT_DEPTHS,
    DEFAULT_BIT_DEPTH,
    DEFAULT_STEM_NAMES,
    AudioSource,
    rehearsal_paths,
    stale_stems,
    stem_paths,
    write_wavs,
)
from .limits import too_long_to_render
from .mixing import (
    apply_volume_pan,
    fixed_gain,
    headroom_gains,
    kept_gain,
    peak,
    remove_dc,
    to_db,
)
from .ranges import range_frames, range_song
from .scratch import (
    RawStem,
    Scratch,
    finish_stem,
    rehearsal_pieces,
    remove_stale_scratch,
    scaled_chunks,
    sum_stems,
    wrap_tail,
)
from .soundfont import ENV_VAR, SoundFontSynth, find_soundfont, tinysoundfont_available

Progress = Callable[[float], None]
Stage = Callable[[str], None]  # what is being done: "Rendering track 3 of 11: Piano"
SynthChoice = Literal["auto", "soundfont", "builtin"]
# Where the files end: after the last release tail (the default), at the song's last
# bar line, or there with what rings past it added onto the start (a seamless loop).
EndChoice = Literal["tail", "bar", "loop"]
END_CHOICES: tuple[EndChoice, ...] = ("tail", "bar", "loop")
# How the files' level is set: peak-normalised downwards from their own peaks (the
# headroom rule, never clipping), or one fixed gain the user names (render --gain).
LevelChoice = Literal["normalise", "fixed"]

# What each part of the work costs, counted in notes synthesized, so the fraction done
# moves with the time it takes (measured with FluidR3 at 48 kHz: a note ~1.6 ms;
# cleaning, levelling and keeping a track's audio ~0.055 µs a frame; writing a 24-bit
# file ~0.03 µs a frame). The writing once had a fixed 10 %: an export of 200 bars and
# 11 tracks sat at 90 % for 8 s of its 33.
FRAMES_CLEANED_PER_NOTE = 30_000
FRAMES_WRITTEN_PER_NOTE = 50_000
WRITE_CHUNK = 1 << 18  # frames written between two progress reports
# The mix's room past the song's end for release tails: the SoundFont synth's are at
# most 6 s past its last event, the built-in's 4 s past its last note-off.
TAIL_ROOM_S = 7.0
# A file cut at the bar line (end="bar") fades out over its last 5 ms, as a drum sample
# cut short does (drums.py): a note still ringing there stopped dead on a click. Short
# enough not to be heard as a fade; the length stays the bar line's, to the sample.
BAR_END_FADE_SECONDS = 0.005


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
    gain_db: float = 0.0  # gain applied to mix and stems (normalised: ≤ 0 dB)
    level: LevelChoice = "normalise"  # "fixed": gain_db is the one asked for (render --gain)
    peak_dbfs: float = field(default=float("-inf"))  # sample peak of what was written
    # The sample peak of each kind of file written (-inf: silent, or none written): the
    # mix's, the loudest stem file's (dry ones when dry_stems), the loudest rehearsal mix's.
    mix_peak_dbfs: float = field(default=float("-inf"))
    stem_peak_dbfs: float = field(default=float("-inf"))
    rehearsal_peak_dbfs: float = field(default=float("-inf"))
    # The mix's gain: the stems', unless the mix as heard (tracks muted) would pass the
    # ceiling at it (see mixing.headroom_gains).
    mix_gain_db: float = 0.0
    end: EndChoice = "tail"  # where the files end (END_CHOICES)
    rehearsal_paths: tuple[Path, ...] = ()  # a rehearsal mix per part, when asked for
    count_in_seconds: float = 0.0  # of the count-in before the rehearsal mixes' music
    bit_depth: str = DEFAULT_BIT_DEPTH  # the files' (files.BIT_DEPTHS): "16", "24", "32f"
    dry_stems: bool = False  # the stems without their track's volume and pan (pre-fader)
    span: tuple[int, int] | None = None  # the song's ticks rendered, when not the whole
    # Each stem file's sample peak by track id (-inf: silence), so what is silent can be
    # named (a track at volume 0 writes a stem of silence as an empty one does).
    stem_track_peaks_dbfs: Mapping[int, float] = field(default_factory=dict)
    # The files that pass full scale (0 dBFS), by name, each with its sample peak in dBFS,
    # in the order written: only at a fixed level (a 16/24-bit file clips there, a float
    # one keeps the overs; overs.overs_note says so).
    overs: Mapping[str, float] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written, mix first, then the stems, then the rehearsal mixes."""
        return (((self.mix_path,) if self.mix_path else ()) + self.stem_paths
                + self.rehearsal_paths)

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
    raw = dict(tracks)
    length = max([song_frames(song, sample_rate), *(len(a) for a in raw.values())])
    for tid, audio in raw.items():  # padded one at a time: a long song's stems are GBs
        if len(audio) != length or audio.dtype != np.float32:
            padded = np.zeros((length, 2), np.float32)
            padded[: len(audio)] = audio
            raw[tid] = padded
    if progress is not None:
        progress(1.0)
    return raw, name


def _track_costs(song: Song, sample_rate: int) -> list[tuple[float, float]]:
    """Per track, what synthesizing it and then cleaning and keeping its audio cost (in
    notes: :data:`FRAMES_CLEANED_PER_NOTE`); every track's audio spans the song."""
    cleaned = song_frames(song, sample_rate) / FRAMES_CLEANED_PER_NOTE
    return [(len(t.notes) + 1.0, cleaned) for t in song.tracks]


class _TrackProgress:
    """Progress through the tracks, each weighed by what it costs (:func:`_track_costs`):
    its synthesis, then its cleaning and keeping, each a fraction of its own share."""

    def __init__(self, song: Song, sample_rate: int, progress: Progress | None) -> None:
        self.progress = progress
        self.costs = _track_costs(song, sample_rate)
        self.total = sum(a + b for a, b in self.costs) or 1.0
        self.done = 0.0

    def report(self, done: float) -> None:
        if self.progress is not None:
            self.progress(min(1.0, done / self.total))

    def parts(self, i: int) -> tuple[Progress, Progress]:
        """How far track ``i`` (0-based, the next to finish) is synthesized, and cleaned."""
        synthesized, cleaned = self.costs[i]
        base = self.done
        return (lambda f: self.report(base + f * synthesized),
                lambda f: self.report(base + synthesized + f * cleaned))

    def finished(self, i: int) -> None:
        self.done += sum(self.costs[i])
        self.report(self.done)


def _render_each(
    song: Song, sample_rate: int, soundfont: Path | None, progress: Progress | None,
    synth: SynthChoice, stage: Stage | None = None,
) -> tuple[str, Iterator[tuple[int, np.ndarray]]]:
    """The synth's name, and ``(track id, audio)`` for one track after another (with its
    volume and pan, unpadded), made as they are asked for: one in memory at a time.
    ``progress`` counts a track done once the caller has taken its audio and asks for
    the next; ``stage`` names each track."""
    engine = make_synth(sample_rate, soundfont, synth)
    tracked = _TrackProgress(song, sample_rate, progress)

    def tracks() -> Iterator[tuple[int, np.ndarray]]:
        n = len(song.tracks)
        for i, track in enumerate(song.tracks):
            if stage is not None:
                stage(f"Rendering track {i + 1} of {n}: {_track_name(track)}")
            tracked.report(tracked.done)
            synthesized, cleaned = tracked.parts(i)
            audio = engine.render_track(song, track, synthesized)
            cleaned(0.0)
            audio = remove_dc(audio, sample_rate, progress=cleaned)
            yield track.id, apply_volume_pan(audio, track)
            tracked.finished(i)

    return engine.name, tracks()


def bar_line_frames(song: Song, sample_rate: int) -> int:
    """The whole sample frames before the song's last bar line (after its last whole
    bar: :func:`~engine.score.last_bar_line`, a note-off a few ticks past it or a note
    held past a set length not counted): how long ``end="bar"`` and ``"loop"`` files
    are. 8 bars of 4/4 at 90 BPM at 48 kHz are 1,024,000 frames, 16 bars 2,048,000: the
    time map plays MIDI's 90 BPM (666,667 µs a beat) as exactly 90
    (:attr:`~engine.score.TempoChange.nominal_us`), where the stored µs put 16 bars'
    line one frame further on."""
    tm = TimeMap.of(song)
    seconds = tm.tick_to_seconds(last_bar_line(song, tm))
    return int(np.floor(seconds * sample_rate + 1e-6))  # 1e-6: a line on a frame stays


def _track_name(track: Track) -> str:
    return track.name.strip() or program_name(track.program, track.is_drum)


def _chunks_of(audio: np.ndarray) -> Callable[[], Iterator[np.ndarray]]:
    return lambda: (audio[i:i + WRITE_CHUNK] for i in range(0, len(audio), WRITE_CHUNK))


def _scaled(chunks: Callable[[], Iterator[np.ndarray]],
            gain: float) -> Callable[[], Iterator[np.ndarray]]:
    """``chunks`` times ``gain``, a piece at a time (copies of a piece, never of all)."""
    return lambda: (c * np.float32(gain) for c in chunks())


def _count_in_audio(engine: SoundFontSynth | BuiltinSynth, song: Song,
                    bars: int) -> tuple[np.ndarray, int]:
    """The click of ``bars`` bars of count-in before ``song`` (:func:`start_count_in`),
    played by ``engine``, and the frame the music starts at after it."""
    lead = start_count_in(song, bars)
    (click,) = lead.tracks
    audio = apply_volume_pan(engine.render_track(lead, click), click)
    return audio, round(TimeMap.of(lead).tick_to_seconds(lead.length) * engine.sample_rate)


class _Written:
    """Progress through the writing of the files: from ``share`` to 1 as their
    ``frames`` (all files together) are written, each file named as it begins."""

    def __init__(self, progress: Progress | None, share: float, frames: int,
                 stage: Stage | None) -> None:
        self.progress, self.share, self.frames, self.stage = progress, share, frames, stage
        self.done = 0

    def reported(self, name: str, index: int, count: int,
                 chunks: Callable[[], Iterator[np.ndarray]],
                 ) -> Callable[[], Iterator[np.ndarray]]:
        def counted() -> Iterator[np.ndarray]:
            if self.stage is not None:
                self.stage(f"Writing {name} ({index} of {count})")
            for block in chunks():
                yield block
                self.done += len(block)
                if self.progress is not None:
                    self.progress(self.share + (1 - self.share)
                                  * min(1.0, self.done / max(1, self.frames)))
        return counted


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
    stage: Stage | None = None,
    synth: SynthChoice = "auto",
    known_stale: Iterable[Path] | None = None,
    end: EndChoice = "tail",
    rehearsal_dir: Path | None = None,
    count_in: int = 0,
    bit_depth: str = DEFAULT_BIT_DEPTH,
    dry_stems: bool = False,
    span: tuple[int, int] | None = None,
    gain_db: float | None = None,
    stem_template: str = DEFAULT_STEM_NAMES,
    song_name: str = "",
) -> RenderReport:
    """Render ``song`` to a stereo mix WAV and/or one WAV per track in ``stems_dir``
    and/or a rehearsal mix per part in ``rehearsal_dir``.

    Files are stereo WAV at ``bit_depth`` (:data:`~.files.BIT_DEPTHS`: ``"24"`` PCM unless
    asked, ``"16"`` with TPDF dither, ``"32f"`` float). Mix and stems share one headroom
    gain, from the mix of every track (muted or not) and every stem, so the stems are the
    same whatever is muted or soloed and whether the mix, the stems or both are written;
    the mix honours mute and solo, and the stems in it summed in a DAW give it back (see
    :func:`~.mixing.headroom_gains` for the one exception). Nothing is written unless
    every file could be written.

    ``end``: ``"tail"`` (every file ends after the longest release tail), ``"bar"``
    (every file ends at the song's last bar line: :func:`bar_line_frames` frames, what
    rings on is cut, its last :data:`BAR_END_FADE_SECONDS` faded out so it does not
    click) or ``"loop"`` (that length, with what rings past the bar line added
    onto the start, so the file loops without a gap or a cut; each WAV carries a ``smpl``
    chunk with that loop, :func:`~.files.smpl_chunk`, for a sampler or game middleware).

    ``rehearsal_dir``: a choir's learning tracks, ``"Rehearsal - Alto.wav"`` for each
    pitched track heard in the mix (:func:`~.files.rehearsal_names`): the mix as heard,
    the part as loud as in it, the others turned down behind it until it stands
    :data:`~.mixing.REHEARSAL_MARGIN_DB` over them (:func:`~.mixing.rehearsal_others_db`),
    the part a little left and the others right (:func:`~.mixing.rehearsal_mix`).
    Each is as long as the mix and takes its gain unless it would clip at it (then its
    own, to the ceiling: :func:`~.mixing.headroom_gains`), preceded by ``count_in`` bars
    of click when asked (:func:`~.clicks.start_count_in`: a pickup is part of the last).

    ``dry_stems``: the stems are written pre-fader, without their track's volume and pan
    (a track at volume 64 panned hard left gives the stem it would at full volume in the
    centre), so the balance is set in a DAW; the mix and the rehearsal mixes still have
    them. The headroom gain then also keeps the dry stems from clipping: it is the lower
    of the two when a track turned down is the loudest.

    ``span``: ticks ``(start, end)`` of the song to render instead of the whole, as a
    DAW exports a loop range (:func:`~.ranges.range_song`): every file starts at
    ``start`` (frame 0), with the notes, pedal, bends and controllers in force there
    sounding from it, and every note is let go at ``end``; ``end`` (the keyword) then
    means the range's end: ``"bar"`` and ``"loop"`` files are exactly
    :func:`~.ranges.range_frames` long, ``"tail"`` ones ring on past it.

    ``gain_db``: a fixed level instead of the headroom rule: the mix, every stem and every
    rehearsal mix scaled by these dB (within :data:`~.mixing.FIXED_GAIN_RANGE_DB`),
    whatever their peaks, so the same track gives the same stem in every variation,
    section and song (normalised, repainting Lead and Drums moved the Pad stem 2.65 dB).
    A range then needs no whole-song pass. Nothing stops a file passing 0 dBFS: a 16- or
    24-bit one clips there, a float one keeps the overs; :attr:`RenderReport.overs` names
    them (:func:`~.overs.overs_note` words it).

    A song (or range) longer than :data:`~.limits.MAX_RENDER_FRAMES` is refused with a
    :class:`RenderError` before anything is rendered or allocated
    (:func:`~.limits.too_long_to_render`); a range of a song that long takes its own
    levels, not the whole song's (which could not be rendered to learn them).

    ``known_stale``: the other stems the caller found in ``stems_dir`` before rendering
    and chose to keep (the CLI asks, or ``--clean`` removes them). Without it, a folder
    holding another song's stems is refused before anything is rendered. The folder is
    locked while the stems are written, and a stem file that appeared meanwhile (another
    render into the same folder) stops this one with nothing written, so two songs'
    stems never mix in one folder.

    ``stem_template`` and ``song_name`` name the stems (:func:`~.files.stem_names`:
    ``"{song}_{track}"`` and ``"loop-2"`` write ``"loop-2_Piano.wav"``); by default
    ``"01 - Piano.wav"``.

    ``progress`` gets the fraction done (0..1), moving through the rendering and the
    writing alike; ``stage`` what is being done, each time that changes: "Rendering track
    3 of 11: Piano", "Mixing", "Writing 03 - Piano.wav (4 of 12)".
    """
    if mix_path is None and stems_dir is None and rehearsal_dir is None:
        raise RenderError("nothing to write: give a mix path, a stems folder and/or a "
                          "rehearsal folder")
    if count_in < 0:
        raise ValueError(f"count_in is bars of click before the music: {count_in}")
    rehearsing = (rehearsal_paths(song, Path(rehearsal_dir))
                  if rehearsal_dir is not None else {})
    if rehearsal_dir is not None and not rehearsing:
        raise RenderError("no pitched track is heard in the mix: no part to write a "
                          "rehearsal mix for")
    if bit_depth not in BIT_DEPTHS:
        raise ValueError(f"unknown bit depth {bit_depth!r}: use "
                         f"{', '.join(map(repr, BIT_DEPTHS))}")
    if end not in END_CHOICES:
        raise ValueError(f"unknown end {end!r}: use {', '.join(map(repr, END_CHOICES))}")
    if gain_db is not None:
        fixed_gain(gain_db)  # refused here, before seconds of rendering
    whole = song
    if span is not None:  # the range as a song of its own: its start is frame 0
        song = range_song(song, *span)
    if (too_long := too_long_to_render(song, sample_rate)) is not None:
        # Before a byte is allocated: the mix of a 16-day song was 459 GiB (MemoryError).
        raise RenderError(f"{too_long}: render a range of its bars instead")
    period = (bar_line_frames(song, sample_rate) if span is None
              else range_frames(song, sample_rate))
    if end != "tail" and period == 0:
        raise RenderError("the song has no bars: nothing to end at its last bar line")
    if mix_path is not None and Path(mix_path).suffix.lower() != ".wav":
        raise RenderError(f"{mix_path}: the mix is written as WAV: give a .wav file name")
    paths = (stem_paths(song, Path(stems_dir), stem_template, song_name)
             if stems_dir is not None else {})
    names = [p.name for p in paths.values()]
    if stems_dir is not None and known_stale is None:
        others = stale_stems(Path(stems_dir), names)
        if others:
            raise RenderError(f"{stems_dir}: holds other stems ({min(others).name!r}"
                              f"{' …' if len(others) > 1 else ''}), of another song or an "
                              "earlier version: delete them (engine.render.remove_stems) or "
                              "choose another folder; nothing written")
        known_stale = ()
    remove_stale_scratch([Path(mix_path).parent if mix_path is not None else None,
                          Path(stems_dir) if stems_dir is not None else None,
                          Path(rehearsal_dir) if rehearsal_dir is not None else None])
    t0 = time.perf_counter()  # the whole song's level is part of a range's rendering
    run = functools.partial(
        _render_files, t0=t0, mix_path=mix_path, stems_dir=stems_dir, rehearsal_dir=rehearsal_dir,
        paths=paths, names=names, rehearsing=rehearsing, known_stale=known_stale,
        sample_rate=sample_rate, soundfont=soundfont, synth=synth, end=end,
        count_in=count_in, bit_depth=bit_depth, dry_stems=dry_stems, stage=stage, fixed_db=gain_db)
    levels = None
    if (span is not None and gain_db is None
            and (end == "tail" or bar_line_frames(whole, sample_rate) > 0)
            and too_long_to_render(whole, sample_rate) is None):  # else the range's own
        # The gains the whole song's export gives its files, so the range's bars are as
        # loud as they are there (bars 5-8 replaced in a DAW match their neighbours): its
        # own, from its own peaks, made a quiet range 1.16 dB louder. The whole song is
        # rendered to learn them (its share of the progress by its cost); nothing of it
        # is written.
        cost = sum(a + b for a, b in _track_costs(whole, sample_rate))
        share = cost / ((cost + sum(a + b for a, b in _track_costs(song, sample_rate)))
                        or 1.0)
        outer = progress
        levels = run(whole, None, measure=True,
                     progress=(lambda f: outer(share * f)) if outer is not None else None,
                     stage=(lambda s: stage(f"The whole song's level: {s[0].lower()}{s[1:]}"))
                     if stage is not None else None)
        if outer is not None:
            progress = lambda f: outer(share + (1 - share) * f)  # noqa: E731
    report = run(song, span, levels=levels, progress=progress, whole=whole, period=period)
    assert isinstance(report, RenderReport) and (levels is None or isinstance(levels, _Gains))
    return report


@dataclass(frozen=True)
class _Gains:
    """The gains a render gives its files: the stems', the mix's and each rehearsal
    mix's (by track id)."""

    stems: float
    mix: float
    rehearsal: Mapping[int, float]


def _render_files(
    song: Song,
    span: tuple[int, int] | None,
    *,
    mix_path: Path | None,
    stems_dir: Path | None,
    rehearsal_dir: Path | None,
    paths: Mapping[int, Path],
    names: list[str],
    rehearsing: Mapping[int, Path],
    known_stale: Iterable[Path] | None,
    sample_rate: int,
    soundfont: Path | None,
    synth: SynthChoice,
    end: EndChoice,
    count_in: int,
    bit_depth: str,
    dry_stems: bool,
    progress: Progress | None,
    stage: Stage | None,
    t0: float,
    fixed_db: float | None = None,
    whole: Song | None = None,
    period: int | None = None,
    levels: _Gains | None = None,
    measure: bool = False,
) -> RenderReport | _Gains:
    """:func:`render_files` of ``song`` (a :func:`~.ranges.range_song` of ``whole`` when
    ``span``), once its arguments are checked. ``levels``: the gains to give the files
    (the whole song's, for a range) instead of those from their own peaks, unless a
    file would clip at them (:func:`~.mixing.kept_gain`). ``fixed_db``: the one gain (dB)
    of every file instead, whatever it peaks at. ``measure``: only the gains are found
    (nothing is written) and returned."""
    whole = whole or song
    fixed = fixed_gain(fixed_db) if fixed_db is not None else None
    if period is None:
        period = bar_line_frames(song, sample_rate)
    frames = song_frames(song, sample_rate)
    rendering = sum(a + b for a, b in _track_costs(song, sample_rate))
    count = len(paths) + (mix_path is not None) + len(rehearsing)
    writing = count * frames / FRAMES_WRITTEN_PER_NOTE
    share = rendering / (rendering + writing) if rendering + writing > 0 else 1.0

    def part(f: float) -> None:  # the rendering's share of the whole
        if progress is not None:
            progress(share * f)

    # The mix in memory and, of each track, only the piece being made: a 7-minute song
    # of 14 tracks held every stem at once (2.7 GB), then a long track three times over
    # (cleaned, levelled, np.abs for its peak: 0.94 GB for 6.6 minutes, 11 tracks, 48 kHz).
    # Each stem goes from the synth to disk beside its file and is cleaned and levelled
    # there, and waits, unscaled, until the one headroom gain is known (from the mix of
    # every track and every stem's peak). Only the mix needs no stems: each track's goes
    # once mixed, unless tracks are muted (then the mix as heard is summed again from them).
    with Scratch() as scratch:
        engine = make_synth(sample_rate, soundfont, synth)
        tracked = _TrackProgress(song, sample_rate, part)
        # The mix of every track, muted or not, so the gain (from its peak) is the same
        # whatever is muted or soloed. Room for the longest release tail from the start
        # (untouched pages of a zeroed array take no memory): growing it meant a copy.
        cut = end != "tail"
        mixed = np.zeros((period if cut else frames + int(TAIL_ROOM_S * sample_rate), 2),
                         np.float32)
        audible = set(song.audible_ids())
        remixed = ((mix_path is not None or rehearsing)
                   and len(audible) < len(song.tracks))
        loudest_stem, length = 0.0, period if cut else frames
        loudest_file = 0.0  # of the stem files: the dry ones when they are written
        file_peaks: dict[int, float] = {}  # each stem file's, by track id, before the gain
        waiting: dict[int, tuple[Path, int]] = {}
        # The pre-fader stems (dry_stems): what the stem files hold; `waiting` keeps the
        # levelled ones the mix as heard and the rehearsal mixes are summed from.
        dry: dict[int, tuple[Path, int]] = {}

        def add_to_mix(start: int, piece: np.ndarray) -> None:
            if end == "loop":  # what rings past the loop's end sounds at its start
                while len(piece):
                    at = start % period
                    n = min(len(piece), period - at)
                    mixed[at:at + n] += piece[:n]
                    start, piece = start + n, piece[n:]
            else:  # a piece of a stem cut at the bar line never reaches past it
                mixed[start:start + len(piece)] += piece

        for i, track in enumerate(song.tracks):
            if stage is not None:
                stage(f"Rendering track {i + 1} of {len(song.tracks)}: {_track_name(track)}")
            tracked.report(tracked.done)
            synthesized, cleaned = tracked.parts(i)
            beside = (paths[track.id] if stems_dir is not None
                      else Path(mix_path) if mix_path is not None
                      else rehearsing.get(track.id, Path(rehearsal_dir) / "track.wav"))
            raw = scratch.new(beside)
            dry_raw = scratch.new(beside) if dry_stems and stems_dir is not None else None
            with open(raw, "w+b") as f, (open(dry_raw, "w+b") if dry_raw is not None
                                         else contextlib.nullcontext()) as d:
                stem = RawStem(f, sample_rate, beside)
                engine.render_into(song, track, stem, synthesized)
                stem.close()
                cleaned(0.0)
                if not cut and stem.frames > len(mixed):  # a tail past the room: unexpected
                    mixed = np.concatenate(
                        [mixed, np.zeros((stem.frames - len(mixed), 2), np.float32)])
                loudest, loudest_dry = finish_stem(
                    f, stem, track, beside, add_to_mix, cleaned,
                    upto=period if end == "bar" else None,
                    fade=round(BAR_END_FADE_SECONDS * sample_rate), dry=d)
                if end == "loop":
                    loudest = wrap_tail(f, stem.frames, period, beside)
                    if d is not None:
                        loudest_dry = wrap_tail(d, stem.frames, period, beside)
                loudest_stem = max(loudest_stem, loudest, loudest_dry)
                file_peaks[track.id] = loudest_dry if d is not None else loudest
                loudest_file = max(loudest_file, file_peaks[track.id])
            if not cut:
                length = max(length, stem.frames)
            if dry_raw is not None:
                dry[track.id] = (dry_raw, stem.frames)
            if ((stems_dir is not None and dry_raw is None)
                    or (remixed and track.id in audible) or track.id in rehearsing):
                waiting[track.id] = (raw, stem.frames)
            else:
                scratch.drop(raw)
            tracked.finished(i)
        synth_name = engine.name
        lead, lead_frames = (_count_in_audio(engine, song, count_in)
                             if rehearsing and count_in else (None, 0))
        if stage is not None:
            stage("Mixing")
        part(1.0)
        if len(mixed) < length:
            mixed = np.concatenate([mixed, np.zeros((length - len(mixed), 2), np.float32)])
        mixed = mixed[:length]
        # One gain for the stems, from the mix of every track and every stem, whichever
        # files are written and whatever is muted: deciding it from what happens to be
        # written or heard gave the stems alone another gain than the stems beside a mix
        # (summed, they would clip), and every stem 1.1 dB more when the drums were muted.
        loudest_every = max((peak(c) for c in _chunks_of(mixed)()), default=0.0)
        loudest_mix = loudest_every
        if remixed:  # the mix as heard, in place of every track's: its stems summed again
            loudest_mix = sum_stems(mixed, [waiting[t.id] for t in song.tracks
                                            if t.id in audible], WRITE_CHUNK)
        gain, mix_gain = headroom_gains(loudest_every, loudest_stem, loudest_mix)
        if fixed is not None:  # the user's level, the same whatever the song peaks at
            gain = mix_gain = fixed
        elif levels is not None:  # a range: the whole song's, unless it would clip at them
            gain = kept_gain(levels.stems, max(loudest_every, loudest_stem))
            mix_gain = kept_gain(min(levels.mix, gain), loudest_mix)
        mix_peak = loudest_mix * mix_gain if mix_path else 0.0
        stem_peak = loudest_file * gain if stems_dir else 0.0
        rehearsal_peak = 0.0
        own_gains: dict[int, float] = {}
        # Each file's peak as written, by name, in the order written: those past 0 dBFS
        # are the report's overs.
        written_peaks: dict[str, float] = {}
        if mix_path is not None:
            written_peaks[Path(mix_path).name] = loudest_mix * mix_gain
        if stems_dir is not None:
            written_peaks.update((paths[tid].name, p * gain) for tid, p in file_peaks.items())
        sources: list[tuple[Path, Callable[[], Iterator[np.ndarray]]]] = []
        if mix_path is not None:  # scaled a piece at a time: `mixed` stays at unity
            sources.append((Path(mix_path), _scaled(_chunks_of(mixed), mix_gain)))
        if stems_dir is not None:
            for tid, (raw, kept) in (dry or waiting).items():
                sources.append((paths[tid], scaled_chunks(raw, kept, length, gain,
                                                          WRITE_CHUNK)))
        for tid, path in rehearsing.items():  # `mixed` is the mix as heard, at unity
            pieces = rehearsal_pieces(mixed, waiting[tid][0], waiting[tid][1], lead,
                                      lead_frames, WRITE_CHUNK)
            loud = max((peak(p) for p in pieces()), default=0.0)
            own_gain = (fixed if fixed is not None
                        else headroom_gains(loudest_every, loudest_stem, loud)[1]
                        if levels is None
                        else kept_gain(min(levels.rehearsal[tid], gain), loud))
            written_peaks[path.name] = loud * own_gain
            own_gains[tid] = own_gain
            rehearsal_peak = max(rehearsal_peak, loud * own_gain)
            sources.append((path, _scaled(pieces, own_gain)))
        if measure:
            return _Gains(gain, mix_gain, own_gains)
        written = _Written(progress, share, len(sources) * length, stage)
        files: list[tuple[Path, AudioSource]] = [
            (path, written.reported(path.name, i, len(sources), chunks))
            for i, (path, chunks) in enumerate(sources, start=1)]
        with _locked(Path(stems_dir) if stems_dir is not None else None):
            if stems_dir is not None:
                new = set(stale_stems(Path(stems_dir), names)) - set(known_stale or ())
                if new:
                    raise RenderError(f"{stems_dir}: another render wrote stems here "
                                      f"meanwhile (e.g. {min(new).name!r}): nothing written")
            # A loop's files say so to a sampler (a "smpl" chunk): the whole file, or a
            # rehearsal mix's music after its count-in.
            loops = ({path: (lead_frames if path in rehearsing.values() else 0)
                      for path, _ in sources} if end == "loop" else None)
            out = write_wavs(files, sample_rate, bit_depth, loops)
    if progress is not None:
        progress(1.0)
    mixes = int(mix_path is not None)
    return RenderReport(
        mix_path=out[0] if mix_path is not None else None,
        stem_paths=tuple(out[mixes:mixes + len(paths)]),
        rehearsal_paths=tuple(out[mixes + len(paths):]),
        count_in_seconds=lead_frames / sample_rate,
        duration_seconds=length / sample_rate,
        render_seconds=time.perf_counter() - t0,
        synth=synth_name,
        sample_rate=sample_rate,
        bars=(TimeMap.of(song).bar_count(bars_end(song)) if span is None
              else TimeMap.of(whole).bar_count(span[1]) - TimeMap.of(whole).tick_to_bar(span[0])),
        gain_db=fixed_db if fixed_db is not None else to_db(gain),
        peak_dbfs=to_db(max(mix_peak, stem_peak, rehearsal_peak)),
        mix_peak_dbfs=to_db(mix_peak),
        stem_peak_dbfs=to_db(stem_peak),
        rehearsal_peak_dbfs=to_db(rehearsal_peak),
        mix_gain_db=(fixed_db if fixed_db is not None
                     else to_db(mix_gain) if mix_path is not None else to_db(gain)),
        end=end,
        bit_depth=bit_depth,
        dry_stems=dry_stems and stems_dir is not None,
        span=span,
        stem_track_peaks_dbfs=({tid: to_db(p * gain) for tid, p in file_peaks.items()}
                               if stems_dir is not None else {}),
        level="fixed" if fixed is not None else "normalise",
        overs={name: to_db(p) for name, p in written_peaks.items() if p > 1.0},
    )


__all__ = [
    "END_CHOICES",
    "EndChoice",
    "LevelChoice",
    "RenderError",
    "RenderReport",
    "SoundFontError",
    "bar_line_frames",
    "make_synth",
    "render_files",
    "render_tracks",
]
