"""General MIDI SoundFont synthesis through TinySoundFont, rendered offline to arrays.

No audio device is involved: events are applied between calls to the synth's
``generate_simple`` so every note starts on its exact sample frame. One track is
rendered at a time (that is what makes stems), on channel 0, or on channel 9 in the
percussion bank (128) for drum tracks.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from engine.score import DRUM_CHANNEL, Song, Track

from .errors import SoundFontError
from .events import ChannelEvent, channel_events, note_spans
from .stream import SILENT_STEP, ChunkedSynth, Frames, Sink, Steps, finish_steps

ENV_VAR = "PARTITA_SOUNDFONT"
# Searched in order after an explicit path and $PARTITA_SOUNDFONT. Debian/Ubuntu ship the
# first two (fluid-soundfont-gm: MIT; timgm6mb-soundfont: GPL-2); the rest are common
# places on other systems.
STANDARD_LOCATIONS: tuple[Path, ...] = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
    Path("/usr/local/share/soundfonts/default.sf2"),
    Path("/opt/homebrew/share/soundfonts/default.sf2"),
)

PERCUSSION_BANK = 128
TAIL_BLOCK_S = 0.25  # the release tail is rendered in blocks until it falls silent
MAX_TAIL_S = 6.0
SILENCE = 10 ** (-80 / 20)  # -80 dBFS
SYNTH_GAIN_DB = 0.0
MIN_NOTE_S = 0.01
TAIL_FADE_S = 0.05  # a tail cut at MAX_TAIL_S fades out over this, so it does not click
FLUSH_BLOCK = 1024  # frames rendered (and thrown away) per step while old voices die out
# Frames a call into TinySoundFont renders at most. It holds Python's GIL throughout: a
# sustained chord between two events (2.5 s, one call) held it 40 ms, and the studio's
# window, painting the playhead meanwhile, froze that long while playback rendered ahead.
# A multiple of the synth's 64-frame effect block, so the samples are the same.
GENERATE_FRAMES = 1024
MAX_FLUSH_S = 1.0
MAX_VOICES = 256  # Synth.sfload's default
NOTE_ON = 2  # an event's order on its frame: channel events 0, note-offs 1, note-ons 2


def tinysoundfont_available() -> bool:
    try:
        import tinysoundfont  # noqa: F401
    except ImportError:
        return False
    return True


def find_soundfont(explicit: Path | str | None = None) -> Path | None:
    """The SoundFont to use: ``explicit``, then ``$PARTITA_SOUNDFONT``, then standard places.

    An explicit path or environment variable that names a missing file is an error (the
    user asked for it); ``None`` means none was found and the built-in synth plays.
    """
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SoundFontError(f"{path}: {_not_a_file(path)}")
        return path
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise SoundFontError(f"{path}: {_not_a_file(path)} (from ${ENV_VAR})")
        return path
    for path in STANDARD_LOCATIONS:
        if path.is_file():
            return path
    return None


# Loading FluidR3 (148 MB) takes about a second, holding Python's GIL, and its samples then
# take ~310 MB (TinySoundFont keeps them as float32). So loaded synths are kept, per file
# and sample rate, the two used last: the studio's playback (44.1 kHz) and an export at
# 48 kHz each keep theirs, where one evicted the other and the first Play after an export
# loaded the file again. A second rate of a file already loaded shares its samples
# (TinySoundFont's copy of a loaded font: a few hundred KB, no load); two different files
# cost their own memory each. The lock serialises renders that share a synth (the studio
# renders off the GUI thread).
CACHE_SIZE = 2
_cache_lock = threading.Lock()
_cached: OrderedDict[tuple[str, float, int], Any] = OrderedDict()  # oldest first


def _not_a_file(path: Path) -> str:
    return "is a folder, not a SoundFont file" if path.is_dir() else "SoundFont file not found"


def _load_synth(path: Path, sample_rate: int):
    file = (str(path.resolve()), path.stat().st_mtime)
    key = (*file, sample_rate)
    synth = _cached.get(key)
    if synth is None:
        loaded = next((s for k, s in reversed(_cached.items()) if k[:2] == file), None)
        synth = _synth_sharing(loaded, sample_rate) if loaded is not None else None
        if synth is None:
            synth = _load(path, sample_rate)
        _cached[key] = synth
        while len(_cached) > CACHE_SIZE:
            _cached.popitem(last=False)
    _cached.move_to_end(key)
    return synth


def _load(path: Path, sample_rate: int):
    import tinysoundfont

    try:  # the binding reports an unreadable file as an unusable one
        path.open("rb").close()
    except OSError as e:
        raise SoundFontError(f"{path}: cannot read: {(e.strerror or str(e)).lower()}") from e
    synth = tinysoundfont.Synth(gain=SYNTH_GAIN_DB, samplerate=sample_rate)
    try:
        synth.sfload(str(path))
    except Exception as e:  # the binding raises a bare Exception for bad data
        raise SoundFontError(f"{path}: not a usable SoundFont ({e})") from e
    return synth


def _synth_sharing(loaded, sample_rate: int):
    """A synth at ``sample_rate`` playing the SoundFont ``loaded`` (a synth) has loaded,
    sharing its samples: what ``Synth.sfload`` sets up, from TinySoundFont's copy of the
    loaded font instead of the file. ``None`` where the binding cannot copy one (then
    the file is loaded again)."""
    import tinysoundfont
    from tinysoundfont import _tinysoundfont as tsf

    try:
        (font,) = loaded.soundfonts.values()
        copy = tsf.SoundFont(font)
        synth = tinysoundfont.Synth(gain=SYNTH_GAIN_DB, samplerate=sample_rate)
        copy.set_output(tsf.OutputMode.StereoInterleaved, sample_rate, synth.gain)
        copy.set_max_voices(MAX_VOICES)
        synth.soundfonts[synth.next_sfid] = copy
        synth.channel = dict.fromkeys(range(tinysoundfont.synth.MAX_CHANNELS), synth.next_sfid)
        synth.next_sfid += 1
    except (AttributeError, TypeError, ValueError):  # another version of the binding
        return None
    return synth


class SoundFontSynth(ChunkedSynth):
    """Renders tracks with one SoundFont file."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.name = f"SoundFont {self.path.name}"

    def check(self) -> None:
        """Load the file now (once: it is kept); :class:`SoundFontError` if it is unusable."""
        with _cache_lock:
            _load_synth(self.path, self.sample_rate)

    def render_into(
        self,
        song: Song,
        track: Track,
        sink: Sink,
        progress: Callable[[float], None] | None = None,
    ) -> int:
        """The track alone, as :meth:`render_track` gives it, handed to ``sink`` a chunk
        at a time (:mod:`.stream`); returns its length in frames."""
        out = Frames(sink)
        with _cache_lock:
            synth = _load_synth(self.path, self.sample_rate)
            return out.finish(finish_steps(self._steps(synth, song, track, out, progress)))

    def steps(self, song: Song, track: Track, out: Frames,
              progress: Callable[[float], None] | None = None) -> Steps:
        """The track made into ``out`` a step at a time by a synth of its own, sharing the
        loaded font's samples: the synth keeps the track's notes sounding between steps,
        and another track's (or an export's) can play meanwhile."""
        with _cache_lock:
            loaded = _load_synth(self.path, self.sample_rate)
            synth = _synth_sharing(loaded, self.sample_rate)
        if synth is None:  # a binding that cannot copy a font: the shared one, whole
            with _cache_lock:
                return finish_steps(self._steps(_load_synth(self.path, self.sample_rate),
                                                song, track, out, progress))
        return (yield from self._steps(synth, song, track, out, progress))

    def _steps(self, synth, song: Song, track: Track, out: Frames, progress) -> Steps:
        sr = self.sample_rate
        spans = note_spans(song, track, sr)
        if not spans:
            return 0
        sfid = next(iter(synth.soundfonts))
        _start_from_silence(synth, synth.soundfonts[sfid])
        drum = track.is_drum
        chan = DRUM_CHANNEL if drum else 0
        bank = PERCUSSION_BANK if drum else 0
        synth.program_select(chan, sfid, bank, kit_preset(synth, sfid, track.program) if drum
                             else spans[0].program, is_drums=drum)

        # Events by frame, and on one frame channel events first, then note-offs, then
        # note-ons, so a re-struck key is released first: indices into `channel`, then the
        # notes' ons, then their offs. GM drum kits are one-shots: most synths ignore drum
        # note-offs, so do we (a 1-tick hi-hat would otherwise be choked at once).
        channel = channel_events(song, track, sr)
        shortest = int(MIN_NOTE_S * sr)  # a zero-length MIDI note still sounds, briefly
        offs = np.zeros(0, np.int64) if drum else np.maximum(spans.off, spans.on + shortest)
        frames = np.concatenate([np.array([e.frame for e in channel], np.int64), spans.on, offs])
        order = np.repeat([0, NOTE_ON, 1], [len(channel), len(spans), len(offs)])
        events = np.lexsort((order, frames))  # (stable: the same kind keeps its order)
        first_on, first_off = len(channel), len(channel) + len(spans)
        pitches, velocities = spans.pitch.tolist(), spans.velocity.tolist()

        # Between two events the synth is called from the first, GENERATE_FRAMES at a
        # time, whoever asks: its samples depend on where its calls begin (its envelopes
        # and filters move on every 64 frames from there). Before the first note nothing
        # sounds: no call, and the silence before `out`'s origin is skipped at once.
        block = max(1, int(TAIL_BLOCK_S * sr))
        limit = int(frames.max()) + int(MAX_TAIL_S * sr) + 1
        pos = 0
        sounding = False
        for i, (frame, k) in enumerate(zip(frames[events].tolist(), events.tolist(),
                                           strict=True)):
            if not sounding:
                pos = max(pos, min(frame, out.released))
            while pos < frame:
                step = min(pos + (GENERATE_FRAMES if sounding else SILENT_STEP), frame)
                if sounding:
                    _generate_into(synth, out, pos, step)
                pos = step
                out.release(min(pos, limit - block))  # (the tail's checks read a block back)
                yield
            if k >= first_off:
                synth.noteoff(chan, pitches[k - first_off])
            elif k >= first_on:
                synth.noteon(chan, pitches[k - first_on], velocities[k - first_on])
                sounding = True
            else:
                _apply(synth, chan, channel[k], drum)
            if progress is not None and i % 64 == 0:
                progress(0.95 * i / len(events))
        # Release tail: keep rendering until the track falls silent (or MAX_TAIL_S). The
        # newest tail block stays in `out`: it is checked for silence, and a tail cut at
        # MAX_TAIL_S fades out.
        while pos < limit:
            end = min(pos + block, limit)
            _generate_into(synth, out, pos, end)
            pos = end
            if np.abs(out.view(max(0, end - block), end)).max() < SILENCE:
                break
            out.release(pos - block)
            yield
        else:  # still sounding after MAX_TAIL_S: fade out rather than cut
            fade = min(pos, int(TAIL_FADE_S * sr))
            out.view(pos - fade, pos)[:] *= np.linspace(1, 0, fade, dtype=np.float32)[:, None]
        if progress is not None:
            progress(1.0)
        return pos


def kit_preset(synth, sfid: int, program: int) -> int:
    """The percussion-bank preset that plays a drum track's GM2 kit (its ``program``: 25
    the TR-808, 24 the Electronic kit): the kit itself when the SoundFont has it, else
    the standard kit (0). FluidR3 has no SFX kit (56), nor a kit on program 5: such a
    track plays the standard kit rather than nothing, whatever the synth would do with a
    preset it lacks."""
    if program == 0 or synth.sfpreset_name(sfid, PERCUSSION_BANK, program) is not None:
        return program
    return 0


def _start_from_silence(synth, soundfont) -> None:
    """Reset every channel and let the previous track's voices die out.

    TinySoundFont's reset does not silence voices at once: it gives them a quick release
    of a few milliseconds, which would otherwise open the next stem. That release is
    rendered here into a scratch buffer and thrown away.
    """
    soundfont.reset()  # all voices to a quick release, every controller at default
    scratch = np.zeros((FLUSH_BLOCK, 2), np.float32)
    for _ in range(max(1, int(MAX_FLUSH_S * synth.samplerate) // FLUSH_BLOCK)):
        _generate(synth, scratch)
        if not scratch.any():
            return


def _apply(synth, chan: int, ev: ChannelEvent, drum: bool) -> None:
    if ev.kind == "program":
        synth.program_change(chan, ev.a, drum)
    elif ev.kind == "bend":
        synth.pitchbend(chan, ev.a)
    else:
        synth.control_change(chan, ev.a, ev.b)


def _generate_into(synth, out: Frames, start: int, stop: int) -> None:
    """Frames ``start`` .. ``stop`` of ``out`` from the synth, in the same calls as
    :func:`_generate` makes for them (the samples depend on where calls begin)."""
    for at in range(start, stop, GENERATE_FRAMES):
        part = out.view(at, min(at + GENERATE_FRAMES, stop))
        synth.generate_simple(len(part), buffer=memoryview(part).cast("B"))


def _generate(synth, view: np.ndarray) -> None:
    """Fill a contiguous float32 ``(n, 2)`` slice in place, :data:`GENERATE_FRAMES` at a
    time (other threads run in between)."""
    for start in range(0, len(view), GENERATE_FRAMES):
        part = view[start:start + GENERATE_FRAMES]
        synth.generate_simple(len(part), buffer=memoryview(part).cast("B"))
