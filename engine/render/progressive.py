"""Progressive rendering for playback: hear the first bar in well under a second.

Rendering a whole song before playing takes seconds (the demo: ~9 s on a laptop
core). Instead the song is rendered a window of bars at a time into one preallocated
buffer: each track as the export renders it (:meth:`~.stream.ChunkedSynth.stream`: its
notes on the export's frames, from the song's own times), made as far as the window's
end, then on from there for the next, the synth's state (the notes still sounding, a
closed hi-hat's choke of an open one) carried across. Playback starts as soon as the
first window is in and the rest is rendered ahead of the playhead (rendering runs far
faster than real time).

The buffer holds the mix an export writes, before its headroom gain
(:class:`~.windowed.WindowedMix`: each track cleaned of drift as a whole, mute and solo
honoured), and :attr:`ProgressiveRender.gain` is that gain, decided by the export's rule
(``mixing.headroom_gains``) from the peaks rendered so far, until the whole song's are
known (:attr:`ProgressiveRender.level`): the player applies it, so a gain found lower as
the render runs ahead still applies to what was rendered before.

Played from the middle (the playhead, a loop's start), a pitched note held or pedalled
into the start is struck again there for the rest of its length, as a DAW chases notes
(:mod:`.chase`): a pad held from bar 1 sounds from bar 5 at once, and at each wrap of a
loop starting inside it. Drum hits before the start are not played again.

Pure numpy over the engine's public rendering calls; runs on a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from engine.score import ProgramChange, Song, TempoChange, TimeMap, Track

from .chase import chased_controls, chased_notes
from .events import frames_of, program_at
from .mixing import Peaks, apply_volume_pan
from .stream import TrackStream
from .windowed import WindowedMix

TAIL_SECONDS = 4.0  # room after the last note for releases
RELEASE_SECONDS = 2.0  # a loop's release: how long its notes ring past its end, at most
RELEASE_FADE_SECONDS = 0.05  # the end of a release cut short is faded, not clicked off


def bake_sustain(song: Song) -> Song:
    """The song with the notes' played lengths written into them — their articulations'
    (:func:`~engine.score.articulations.performed`: a staccato note half as long, an
    accent louder) and the sustain pedal's — and the pedal removed.

    A window then sounds the same alone as inside the whole song, even when the pedal
    goes up in a later window, and a note chased into it keeps the length it is played
    with (not a share of what is left of it).
    """
    from engine.render.events import SUSTAIN_CC, sustained_ends
    from engine.score.articulations import performed

    tracks = []
    for t in song.tracks:
        if any(n.articulations for n in t.notes):
            t = replace(t, notes=performed(t.notes))
        pedal = [c for c in t.controls if c.kind == "control_change" and c.number == SUSTAIN_CC]
        if not pedal:
            tracks.append(t)
            continue
        notes = tuple(replace(n, duration=end - n.start)
                      for n, end in zip(t.notes, sustained_ends(t, song.end), strict=True))
        controls = tuple(c for c in t.controls if c not in pedal)
        tracks.append(replace(t, notes=notes, controls=controls))
    return replace(song, tracks=tuple(tracks))


def slice_song(song: Song, start: int, end: int) -> Song:
    """Notes with onsets in ``[start, end)``, moved so ``start`` becomes tick 0.

    Tempo, program and controller values in force at ``start`` are carried to tick 0
    (the parameter controllers, the bend range's RPN, whole and in order:
    :func:`~.chase.chased_controls`), so the slice sounds exactly as that stretch of the
    whole song does.
    """
    # The tempo in force, as stored (a round trip through BPM could step past MIDI's
    # largest tempo, which the song model refuses).
    us = next(t.us_per_beat for t in reversed(song.tempos) if t.tick <= start)
    tempos = (TempoChange(0, us), *(TempoChange(t.tick - start, t.us_per_beat)
                                    for t in song.tempos if t.tick > start))
    tracks = [_slice_track(t, start, end) for t in song.tracks]
    return replace(song, tracks=tuple(tracks), tempos=tempos, markers=(), length=0,
                   time_signatures=song.time_signatures[:1])


def _slice_track(track: Track, start: int, end: int) -> Track:
    notes = tuple(replace(n, start=n.start - start) for n in track.notes
                  if start <= n.start < end)
    program = program_at(track, start)
    changes = [ProgramChange(pc.tick - start, pc.program)
               for pc in sorted(track.program_changes, key=lambda p: p.tick) if pc.tick > start]
    # (The bend range's RPN sequence whole and in order, not each controller's last value.)
    return replace(track, notes=notes, program=program, program_changes=tuple(changes),
                   controls=chased_controls(track, start))


Renderer = Callable[[Song, int], dict]


def loop_release(song: Song, start: int, end: int, sample_rate: int,
                 render: Renderer) -> np.ndarray:
    """What the notes of the loop ``start``–``end`` sound past its end when they are let
    go there, as a DAW's loop sends its note-offs at the loop's end: the player mixes it
    in from the loop's start on at each wrap (``engine.render.playback.Loop``).

    ``song`` as the playback renders it (sustain baked in). Notes held across the end
    stop there and ring out with their release (those held into the loop's start too:
    each pass strikes them again there, :mod:`.chase`); drum hits ring as they do. It is
    :data:`RELEASE_SECONDS` long at most and no longer than the loop (so one pass's
    release has rung out before the next begins), its last
    :data:`RELEASE_FADE_SECONDS` faded out; empty when no note is let go near the end.
    """
    from engine.render.mixing import sum_tracks

    tm = TimeMap.of(song)
    end_s = tm.tick_to_seconds(end)
    frames = int(min(RELEASE_SECONDS, end_s - tm.tick_to_seconds(start)) * sample_rate)
    # Notes let go longer ago than that have rung out (as far as a release goes).
    since = tm.seconds_to_tick(max(0.0, end_s - RELEASE_SECONDS))
    tracks = tuple(replace(t, notes=tuple(n for n in chased_notes(t, start, end)
                                          if n.end >= since)) for t in song.tracks)
    onsets = [n.start for t in tracks for n in t.notes]
    if not onsets or frames <= 0:
        return np.zeros((0, 2), np.float32)
    first = min(onsets)
    part = slice_song(replace(song, tracks=tracks), first, end)
    audio = sum_tracks(render(part, sample_rate), part)
    at = round(TimeMap.of(part).tick_to_seconds(end - first) * sample_rate)
    release = np.zeros((frames, 2), np.float32)
    piece = audio[at:at + frames]
    release[:len(piece)] = piece
    fade = min(frames, int(RELEASE_FADE_SECONDS * sample_rate))
    release[frames - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    return release  # at unity gain, as the song's buffer: the player levels and clips both


class SynthRenderer:
    """One long-lived engine synth (``engine.render.make_synth``): whole songs (a count-in,
    a loop's release: ``render(song, rate)``, stems by track id) and, for playback, each
    track as far as it is wanted (:meth:`stream`). A stem has its track's volume and pan
    and is not cleaned of drift (a window's drift is not the whole track's:
    :class:`~.windowed.WindowedMix` takes it).

    ``render_tracks`` builds a synth per call, which costs ~0.5 s with a GM SoundFont;
    windows of a bar or two need the synth kept.
    """

    def __init__(self, synth: object) -> None:
        self.synth = synth

    def __call__(self, song: Song, _sample_rate: int) -> dict:
        return {t.id: apply_volume_pan(self.synth.render_track(song, t), t)  # type: ignore[attr-defined]
                for t in song.tracks if t.notes}

    def stream(self, song: Song, track: Track, origin: int) -> TrackStream:
        """``track`` of ``song`` made as an export makes it, from frame ``origin`` on, as
        far as it is asked for; before its volume and pan."""
        return self.synth.stream(song, track, origin)  # type: ignore[attr-defined]


def synth_renderer(synth: object) -> SynthRenderer:
    """Render with one long-lived engine synth (:class:`SynthRenderer`)."""
    return SynthRenderer(synth)


@dataclass
class ProgressiveRender:
    """A playback buffer filled window by window from ``start`` (a tick) onwards.

    ``buffer`` has its final length from the start, so a player can play it while the
    rest is written; ``ready_frame`` is how far it is complete. ``lead_in``: a song of its
    own (a recording's count-in: the click alone), rendered first into ``lead_audio``,
    exactly as long as it is (``lead_in.end``), for the player to play before ``start``.
    ``loop``: the loop range (ticks) being played, which may change while this runs; its
    :func:`loop_release` is rendered into ``releases`` right after the first window.

    ``buffer`` holds the song as heard at unity gain, the export's mix before its headroom
    gain; :attr:`gain` is that gain as far as it is known. ``monitor``: tracks played for
    the musician only (the metronome's click), heard but left out of the gain. ``level``:
    the song's own peaks (:class:`~.mixing.Peaks`), given when a render of the same music
    found them, else found by :meth:`run` from tick 0 or by :meth:`measure`. Until then
    the gain is decided from the peaks rendered so far and ``floor`` (those the song is
    known or expected to reach: its level before an edit), whichever are louder.
    """

    song: Song
    sample_rate: int
    start: int = 0
    lead_in: Song | None = None
    loop: tuple[int, int] | None = None
    monitor: frozenset[int] = frozenset()
    floor: Peaks = field(default_factory=Peaks)
    level: Peaks | None = None
    lead_audio: np.ndarray = field(init=False)
    buffer: np.ndarray = field(init=False)
    releases: dict[tuple[int, int], np.ndarray] = field(init=False, default_factory=dict)
    ready_frame: int = 0
    done: bool = False
    cancelled: threading.Event = field(default_factory=threading.Event)
    _so_far: WindowedMix | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.song = bake_sustain(self.song)
        tm = TimeMap.of(self.song)
        end = tm.tick_to_seconds(self.song.end) + TAIL_SECONDS
        self.buffer = np.zeros((int(end * self.sample_rate), 2), np.float32)
        self.lead_audio = np.zeros((0, 2), np.float32)
        self.ready_frame = self.frame_of(self.start)

    def frame_of(self, tick: int) -> int:
        """The frame ``tick`` sounds on, rounded as the export places notes."""
        return int(frames_of(self.song, self.sample_rate)[1]([tick])[0])

    @property
    def peaks(self) -> Peaks:
        """What :attr:`gain` is decided from now: the song's :attr:`level` once known, else
        the louder of :attr:`floor` and the peaks rendered so far."""
        if self.level is not None:
            return self.level
        mixed = self._so_far
        return self.floor | mixed.peaks if mixed is not None else self.floor

    @property
    def gain(self) -> float:
        """The headroom gain of the mix as heard, by the export's rule (``mixing.
        headroom_gains``), from :attr:`peaks`: what the player scales :attr:`buffer` by.
        Safe to read from any thread while this renders."""
        return self.peaks.mix_gain

    def render_release(self, render: Renderer | None = None) -> None:
        """Render the release of :attr:`loop` (as it is now) into :attr:`releases`, unless
        it is there already (on the render thread: the synth is not shared)."""
        loop = self.loop
        if loop is not None and loop[1] > loop[0] and loop not in self.releases:
            self.releases[loop] = loop_release(self.song, *loop, self.sample_rate,
                                               render or _render_tracks)

    def windows(self, first_bars: int = 1, bars: int = 4,
                start: int | None = None) -> list[tuple[int, int]]:
        """Tick windows to render from ``start`` (default :attr:`start`): a short first one
        (fast start), then longer ones."""
        start = self.start if start is None else start
        tm = TimeMap.of(self.song)
        bar = tm.tick_to_bar(start)
        last = tm.bar_count(self.song.end)
        out = [(start, tm.bar_to_tick(bar + first_bars))]
        bar += first_bars
        while bar < last:
            out.append((tm.bar_to_tick(bar), tm.bar_to_tick(min(last, bar + bars))))
            bar += bars
        return out

    def run(self, on_ready: Callable[[], None], progress: Callable[[float], None] | None = None,
            render: SynthRenderer | None = None) -> None:
        """Render every window in order; ``on_ready`` fires once, when the first frames from
        :attr:`start` are in the buffer (after the first window, unless it is shorter than
        the ~0.26 s the drift is read ahead). From tick 0, the song's :attr:`level` is
        known at the end."""
        from engine.render.mixing import sum_tracks

        render = render or _own_synth(self.sample_rate)
        if self.lead_in is not None:
            lead = self.lead_in
            frames = round(TimeMap.of(lead).tick_to_seconds(lead.end) * self.sample_rate)
            audio = sum_tracks(render(lead, self.sample_rate), lead)[:frames]
            self.lead_audio = np.zeros((frames, 2), np.float32)
            self.lead_audio[:len(audio)] = np.clip(audio, -1.0, 1.0)  # a ring past its
            # end is cut: the last click is a beat old by then
        windows = self.windows()
        first = self.frame_of(self.start)
        mixed = self._so_far = WindowedMix(self.song, self.sample_rate, self.buffer,
                                           self.monitor, start=first)
        streams = self._streams(render, self.song)
        ready = False
        for i in range(len(windows)):
            if self.cancelled.is_set():
                return
            self.ready_frame = min(len(self.buffer), self._render_window(mixed, streams,
                                                                         windows, i))
            if not ready and (self.ready_frame > first or i == len(windows) - 1):
                ready = True
                on_ready()
            self.render_release(render)  # (a loop changed meanwhile: its own release)
            if progress is not None:
                progress((i + 1) / len(windows))
        self.ready_frame = len(self.buffer)
        if self.start == 0 and self.level is None:
            self.level = mixed.peaks  # every note rendered: the song's own
        self.done = True

    def measure(self, render: SynthRenderer | None = None,
                cancelled: threading.Event | None = None) -> bool:
        """Find the song's :attr:`level` when :meth:`run` did not (it began past tick 0):
        every window from tick 0 rendered again for its peaks alone, the audio not kept
        (the releases of a loop set meanwhile rendered between windows, as :meth:`run`
        does). Returns whether it is known (``False``: ``cancelled`` first)."""
        if self.level is not None:
            return True
        render = render or _own_synth(self.sample_rate)
        song = replace(self.song, tracks=tuple(t for t in self.song.tracks
                                               if t.id not in self.monitor))
        windows = self.windows(start=0)  # a run's from 0: the same windows
        mixed = WindowedMix(song, self.sample_rate)
        streams = self._streams(render, song, 0)
        for i in range(len(windows)):
            if cancelled is not None and cancelled.is_set():
                return False
            self._render_window(mixed, streams, windows, i)
            self.render_release(render)
        self.level = mixed.peaks
        return True

    def _streams(self, render: SynthRenderer, song: Song,
                 start: int | None = None) -> list[tuple[Track, TrackStream]]:
        """Each track of ``song`` with notes from tick ``start`` (default :attr:`start`)
        on, made as the export makes it from there: the notes before are not played, but
        a pitched one still sounding there is struck again at ``start`` for the rest of
        its length, as a DAW chases it (:func:`~.chase.chased_notes`; drum hits are not).
        The track's controllers are all kept: those before ``start`` are set, in order,
        before its first note. A track's frames start at its first note: nothing is made
        of the silence before."""
        start = self.start if start is None else start
        out = []
        for t in song.tracks:
            played = t if start == 0 else replace(t, notes=chased_notes(t, start))
            if played.notes:  # (kept in onset order)
                out.append((t, render.stream(song, played, self.frame_of(played.notes[0].start))))
        return out

    def _render_window(self, mixed: WindowedMix, streams: list[tuple[Track, TrackStream]],
                       windows: list[tuple[int, int]], i: int) -> int:
        """Make every track as far as window ``i`` ends, add it to ``mixed`` and settle what
        the next can no longer change; returns the frame settled to."""
        last = i == len(windows) - 1
        upto = None if last else self.frame_of(windows[i + 1][0])
        for track, stream in streams:
            if not stream.finished:
                at, audio = stream.advance(upto)
                if len(audio):
                    mixed.add(at, {track.id: apply_volume_pan(audio, track)})
        going = [stream.final for _, stream in streams if not stream.finished]
        if last or not going:
            return mixed.settle(None)
        return mixed.settle(min(going), [t.id for t, stream in streams if stream.finished])


def _render_tracks(song: Song, sample_rate: int) -> dict:
    """The default renderer of a loop's release: a synth of its own for each call."""
    return _own_synth(sample_rate)(song, sample_rate)


def _own_synth(sample_rate: int) -> SynthRenderer:
    """The default renderer: a synth of its own (the SoundFont's samples are kept)."""
    from engine.render import make_synth

    return SynthRenderer(make_synth(sample_rate))
