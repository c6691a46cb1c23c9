"""Transport: play / stop / loop / metronome, with rendering off the GUI thread.

Play renders the song on a worker thread, a few bars at a time (:mod:`engine.render.progressive`),
and starts ``engine.render.playback.Player`` as soon as the first bar is in; the audio
is kept for the next play until the song changes. From the playhead (or a loop's start,
which a loop's audio is rendered from) a pitched note held into it is struck again there,
as a DAW chases notes (``engine.render.chase``); an audition and a recording alike.
A QTimer reads the player's position to move the playhead. The loop goes round in the
player's audio callback, sample-exactly (``engine.render.playback.Loop``), with the
release of the notes let go at its end rendered beside the song's first bar: the timer
only follows. Without an audio device the studio keeps working: the transport says so
once and playback stays off.

The song plays at the level an export writes it: the render holds the export's mix and
its headroom gain (``ProgressiveRender.gain``, by the export's rule, from every track,
muted or not), which the player applies. The whole song's peaks are known once a render
has reached its end from tick 0, or measured it after starting later (on the render
worker, after the audio); they are kept for the next play of the same music, whatever is
muted then, and until then the level known before an edit is the floor: the gain only
comes down while playing (smoothly, ``Player.set_gain``), never up.

The MIDI keyboard's keys are heard live (:meth:`Transport.monitor_note_on`): made by
``engine.render.live.Monitor`` on a thread and synth of its own (the render worker may be
busy with the song for seconds, and a key must sound at once), mixed in by the player's
callback into whatever plays, or into a stream of their own when nothing does.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from engine.render.clicks import count_in_clicks, with_metronome
from engine.render.mixing import Peaks, apply_volume_pan, level_key
from engine.render.playback import Loop
from engine.render.progressive import ProgressiveRender, synth_renderer
from engine.score import DRUM_CHANNEL, Note, Song, Track

from .document import Document
from .worker import Worker

SAMPLE_RATE = 44100
PLAYHEAD_MS = 16
RENDERING = "Rendering…"  # the status text while a render runs; "" ends it


class Transport(QObject):
    """Playback state and control. Positions are ticks of the document's song."""

    positionChanged = Signal(int)
    playingChanged = Signal(bool)
    loopChanged = Signal(int, int, bool)
    metronomeChanged = Signal(bool)
    status = Signal(str)  # transient text for the status bar ("Rendering… 40 %")
    audioStatus = Signal(bool, str)  # whether playback works, and what to tell the user
    noticeNeeded = Signal(str)  # show once: playback is unavailable
    _ready = Signal(object)  # a render job's first bars are in (emitted on the worker)

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.position = 0
        self.play_start = 0
        self.loop_start = 0
        self.loop_end = 0
        self.loop_enabled = False
        self.metronome = False
        # Set while recording: a seek during playback ends it there (the take is written
        # as it stops) instead of playing on from the new place, as a DAW's punch-out.
        self.seek_stops_playback = False
        # A recording's count-in (play(count_in=…)): on from play() until it has played,
        # the first bar's rendering included; the seconds of it still to play; the song
        # it plays. The playhead waits at play_start meanwhile.
        self.counting_in = False
        self.count_in_left = 0.0
        self.start_in = 0.0  # seconds until play_start is heard (count-in, output latency)
        self.lead_in: Song | None = None
        self.audio_ok: bool | None = None  # unknown until first checked
        self.audio_reason = ""
        self._noticed = False
        self._player: Any = None
        self._job: ProgressiveRender | None = None
        self._job_key: tuple = ()
        self._pending = False
        self._audition: Song | None = None  # a take applied, played instead of the song
        self._loop_sent: tuple = ()  # what the player was last told to loop
        self._release_queued = False  # a loop's release is waiting on the render worker
        self._release_failed: ProgressiveRender | None = None  # (its loops end faded)
        # The song's level (peaks) last found: (document.resets, level_key, the tracks
        # heard, peaks). The same music plays at it from its first sample; edited music
        # from no louder, until its own is found. What the job being played is of.
        self._level: tuple[int, tuple, tuple[int, ...], Peaks] | None = None
        self._job_level: tuple[int, tuple, tuple[int, ...]] = (0, (), ())
        self._measuring: tuple[ProgressiveRender, threading.Event] | None = None
        # One worker thread and one synth for playback and previews: a GM SoundFont is
        # ~140 MB in memory, and a synth must not be used from two threads at once.
        self._render_worker = Worker(1, self)
        self._synth_obj: Any = None
        self._monitor: Any = None  # the MIDI keyboard's keys, live (engine.render.live)
        self._timer = QTimer(self)
        self._timer.setInterval(PLAYHEAD_MS)
        self._timer.timeout.connect(self._tick)
        document.songChanged.connect(self._song_changed)
        self._ready.connect(self._job_ready)
        self.loopChanged.connect(self._loop_moved)

    # -- audio device ----------------------------------------------------------------------------
    def check_audio(self) -> bool:
        """Ask the engine once whether sound can be played; report the answer."""
        if self.audio_ok is None:
            from engine.render import playback

            try:
                self.audio_ok, self.audio_reason = playback.audio_available()
            except Exception as e:  # a broken audio stack must never take the studio down
                self.audio_ok, self.audio_reason = False, f"Audio unavailable: {e}"
            self.audioStatus.emit(bool(self.audio_ok), self.audio_reason)
        return bool(self.audio_ok)

    def _no_audio(self, reason: str | None = None) -> None:
        if reason:
            self.audio_ok, self.audio_reason = False, reason
            self.audioStatus.emit(False, reason)
        if not self._noticed:
            self._noticed = True
            self.noticeNeeded.emit(self.audio_reason)

    def prepare(self) -> None:
        """Once the window shows: whether sound can be played (the status bar says), and
        where it can, the synth loaded on the render worker, before the first Play. A GM
        SoundFont takes ~0.5 s to load and TinySoundFont's loader holds Python's GIL all
        that time, so the window froze at the first Play (0.4 s here, 0.26–0.52 s in QA's
        hands) whichever thread loaded it; a window just opened has nothing to do yet."""
        if self.check_audio() and self._synth_obj is None:
            self._render_worker.start(self._synth)

    def _synth(self) -> Any:
        """The engine synth (made on first use, on the worker thread: :meth:`prepare`)."""
        if self._synth_obj is None:
            from engine.render import make_synth

            self._synth_obj = make_synth(SAMPLE_RATE)
        return self._synth_obj

    def _monitor_obj(self) -> Any:
        if self._monitor is None:
            from engine.render.live import Monitor

            def make_synth() -> Any:  # (on the monitor's thread)
                from engine.render import make_synth

                return make_synth(SAMPLE_RATE)

            self._monitor = Monitor(self._player_obj().live, make_synth, SAMPLE_RATE)
        return self._monitor

    def _player_obj(self) -> Any:
        if self._player is None:
            from engine.render.playback import Player

            self._player = Player()
        return self._player

    # -- state -----------------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._timer.isActive() or self._pending

    def seek(self, tick: int) -> None:
        """Move the playhead to ``tick``; during playback it plays on from there, except
        while :attr:`seek_stops_playback` (a recording): then playback stops there."""
        tick = max(0, int(tick))
        was_playing = self.is_playing
        play_on = was_playing and not self.seek_stops_playback
        if was_playing:
            self.stop(return_to_start=False)
        self.position = tick
        self.positionChanged.emit(tick)
        if play_on:
            self.play()

    def set_loop(self, start: int, end: int, enabled: bool | None = None) -> None:
        self.loop_start, self.loop_end = min(start, end), max(start, end)
        if enabled is not None:
            self.loop_enabled = enabled
        self.loopChanged.emit(self.loop_start, self.loop_end, self.loop_enabled)

    def set_loop_enabled(self, on: bool) -> None:
        if on and self.loop_end <= self.loop_start:  # no range yet: loop the first 4 bars
            tm = self.document.time_map
            self.loop_start, self.loop_end = 0, tm.bar_to_tick(4)
        self.loop_enabled = on
        self.loopChanged.emit(self.loop_start, self.loop_end, on)

    def set_metronome(self, on: bool) -> None:
        if on != self.metronome:
            self.metronome = on
            self.metronomeChanged.emit(on)

    # -- play / stop -----------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.is_playing:
            self.stop()
        else:
            self.play()

    def play(self, until: int = 0, count_in: int = 0) -> None:
        """Play from the playhead; ``until``: on at least to this tick, past the song's end
        (a recording: the click goes on where there is no music yet); ``count_in``: bars
        of the click alone first, leading to the playhead (a recording's count-in: the
        playhead waits there meanwhile, :attr:`count_in_left` saying for how long)."""
        if self.is_playing:
            return
        if not self.check_audio():
            self._no_audio()
            return
        start = self.position
        if self.loop_enabled and not self.loop_start <= start < self.loop_end:
            start = self.loop_start
        self.play_start = start
        render_from = min(start, self.loop_start) if self.loop_enabled else start
        lead = count_in_clicks(self.document.song, start, count_in) if count_in > 0 else None
        self.counting_in, self.lead_in = lead is not None, lead
        key = (self.document.revision, self.metronome, id(self._audition), until,
               (start, count_in) if lead is not None else None)
        job = self._job
        # A loop plays audio rendered from its start: one rendered from earlier would
        # bring the rings of the notes before it round at each wrap.
        rendered = (job is not None and self._job_key == key
                    and (job.start == render_from if self.loop_enabled
                         else job.start <= render_from))
        if rendered:
            self._start_player(start)  # already rendered (or rendering ahead of us)
            if job is not None and job.done:
                self._queue_measure(job)  # (a stop cancelled it)
            return
        if job is not None:
            job.cancelled.set()
        song = self._audition or self.document.song
        level, floor = self._known_level(song)
        if until > song.end:
            song = replace(song, length=until)
        played = with_metronome(song) if self.metronome else song
        job = ProgressiveRender(played, SAMPLE_RATE, render_from, lead_in=lead,
                                loop=self._loop_span(), floor=floor, level=level,
                                monitor=frozenset(t.id for t in played.tracks[len(song.tracks):]))
        self._job, self._job_key = job, key
        self._job_level = (self.document.resets, level_key(song), tuple(song.audible_ids()))
        self._pending = True
        self.playingChanged.emit(True)
        self.status.emit(RENDERING)
        self._render_worker.start(
            lambda: job.run(lambda: self._ready.emit(job), None, synth_renderer(self._synth())),
            on_done=lambda _r: self._job_done(job),
            on_error=lambda e: self._render_failed(job, e),
        )

    # -- the level: the export's headroom gain ---------------------------------------------------
    def _known_level(self, song: Song) -> tuple[Peaks | None, Peaks]:
        """The level of ``song`` when known (the same music, the same tracks heard), and
        the floor its gain starts from: the last level found for this document's music
        (the same notes: its mix of every track and its stems are ``song``'s whatever is
        muted; an edit away: the best guess till the render finds its own)."""
        last = self._level
        if last is None:
            return None, Peaks()
        resets, key, heard, peaks = last
        if key == level_key(song):
            exact = peaks if heard == tuple(song.audible_ids()) else None
            return exact, peaks.unheard()
        return None, peaks.unheard() if resets == self.document.resets else Peaks()

    def _job_done(self, job: ProgressiveRender) -> None:
        if job is not self._job:
            return
        self.status.emit("")
        self._remember_level(job)
        self._queue_measure(job)

    def _remember_level(self, job: ProgressiveRender) -> None:
        if job is self._job and job.level is not None:
            self._level = (*self._job_level, job.level)

    def _queue_measure(self, job: ProgressiveRender) -> None:
        """Find the level of a song played from past its start (``job.measure``) on the
        render worker after its audio; a stop cancels it (previews wait on that worker)."""
        if job.level is not None:
            return
        if self._measuring is not None and self._measuring[0] is job \
                and not self._measuring[1].is_set():
            return
        cancelled = threading.Event()
        measuring = self._measuring = (job, cancelled)

        def done(_measured: object) -> None:
            if self._measuring is measuring:
                self._measuring = None
            self._remember_level(job)

        def failed(_error: BaseException) -> None:  # the gain stays the one rendered so far
            if self._measuring is measuring:
                self._measuring = None

        self._render_worker.start(lambda: job.measure(synth_renderer(self._synth()), cancelled),
                                  on_done=done, on_error=failed)

    def _job_ready(self, job: ProgressiveRender) -> None:
        if job is not self._job or not self._pending:
            return  # superseded, or stopped while the first bar was rendering
        self._pending = False
        self._start_player(self.play_start)

    def _render_failed(self, job: ProgressiveRender, error: BaseException) -> None:
        if job is self._job:
            self._job = None
        if self._pending:
            self._pending = False
            self.playingChanged.emit(False)
        self.status.emit(f"Playback failed: {error}")

    def _frame_of(self, tick: int) -> int:
        return round(self.document.time_map.tick_to_seconds(tick) * SAMPLE_RATE)

    def _start_player(self, tick: int) -> None:
        assert self._job is not None
        player = self._player_obj()
        lead = self._job.lead_audio if self.counting_in else None
        self.count_in_left = len(lead) / SAMPLE_RATE if lead is not None else 0.0
        loop = self._player_loop()
        if not player.play(self._job.buffer, SAMPLE_RATE, self._frame_of(tick), lead_in=lead,
                           loop=loop, gain=self._job.gain):
            self._pending = False
            self.counting_in, self.count_in_left = False, 0.0
            self.playingChanged.emit(False)
            self._no_audio(player.error or "Cannot play audio")
            return
        self._loop_sent = self._loop_key()
        self._timer.start()
        self.playingChanged.emit(True)

    # -- the loop, played by the player ----------------------------------------------------------
    def _loop_span(self) -> tuple[int, int] | None:
        on = self.loop_enabled and self.loop_end > self.loop_start
        return (self.loop_start, self.loop_end) if on else None

    def _player_loop(self) -> Loop | None:
        """The loop as the player plays it: frames of the job's buffer, and the release of
        its notes once rendered (till then its end is faded)."""
        job, span = self._job, self._loop_span()
        if job is None or span is None:
            return None
        return Loop(job.frame_of(span[0]), job.frame_of(span[1]), job.releases.get(span),
                    fade_in=job.start < span[0])

    def _loop_key(self) -> tuple:
        job, span = self._job, self._loop_span()
        release = job.releases.get(span) if job is not None and span is not None else None
        return (span, id(job), id(release))

    def _sync_loop(self) -> None:
        """Tell the player the loop as it is now (set or moved while playing, its release
        rendered since), and have a release rendered for a loop that has none."""
        player, job = self._player, self._job
        if player is None or job is None:
            return
        job.loop = self._loop_span()
        if (job.done and job.loop is not None and job.loop not in job.releases
                and job is not self._release_failed):
            self._queue_release(job)
        if self._timer.isActive() and self._loop_key() != self._loop_sent:
            self._loop_sent = self._loop_key()
            player.set_loop(self._player_loop())

    def _queue_release(self, job: ProgressiveRender) -> None:
        """Render a loop's release after the job's own run (one at a time: a loop dragged
        along the ruler gets the release of where it is when the worker comes to it)."""
        if self._release_queued:
            return
        self._release_queued = True

        def done(_result: object) -> None:
            self._release_queued = False
            self._sync_loop()

        def failed(_error: BaseException) -> None:  # the loop's end stays faded
            self._release_queued, self._release_failed = False, job

        self._render_worker.start(lambda: job.render_release(synth_renderer(self._synth())),
                                  on_done=done, on_error=failed)

    def _loop_moved(self, start: int, end: int, on: bool) -> None:
        """The loop changed while playing: the player loops the new range from now on; a
        range starting before the audio rendered so far is played from a new render."""
        job = self._job
        if not self.is_playing or job is None:
            return
        if on and end > start and start < job.start:
            self.stop(return_to_start=False)
            self.play()
            return
        self._sync_loop()

    @property
    def auditioning(self) -> bool:
        """Playing a take (the song with it applied) rather than the song."""
        return self.is_playing and self._audition is not None

    def audition(self, song: Song, start: int) -> None:
        """Play ``song`` (the document's song with a take applied) from ``start``;
        the next stop returns to playing the document."""
        self.stop(return_to_start=False)
        self._audition = song
        self.position = max(0, start)
        self.positionChanged.emit(self.position)
        self.play()
        if not self.is_playing:  # no audio: the document plays next time
            self._audition = None

    def stop(self, return_to_start: bool = True) -> None:
        """Stop; the playhead goes back to where playback started (press again: the start)."""
        was = self.is_playing
        self._audition = None
        self._pending = False
        self.counting_in, self.count_in_left, self.start_in = False, 0.0, 0.0
        self._timer.stop()
        if self._job is not None and not self._job.done:
            self._job.cancelled.set()  # free the worker for previews; re-rendering is quick
            self._job = None
        if self._measuring is not None:
            self._measuring[1].set()  # (the next play of the same audio measures again)
        if self._player is not None:
            self._player.stop()
        if was:
            self.playingChanged.emit(False)
            self.status.emit("")
            if return_to_start:
                self.position = self.play_start
        elif return_to_start:
            self.position = 0
        self.positionChanged.emit(self.position)

    def _tick(self) -> None:
        player = self._player
        if player is None:
            return
        if self._job is not None:
            player.set_gain(self._job.gain)  # lower, as the render ahead finds louder bars
        frames = player.position_frames
        # The play start not heard yet: the count-in plays (the frames before play_start's),
        # or the output latency before the first frame reaches the speaker (no wrap yet:
        # after one, a loop starting earlier is played, not waited for). The playhead waits.
        left = self._frame_of(self.play_start) - frames
        waiting = left > 0 and player.is_playing and (self.counting_in or player.wraps == 0)
        self.start_in = max(0.0, left / SAMPLE_RATE) if waiting else 0.0
        if self.counting_in:
            self.count_in_left = self.start_in
            if not waiting:
                self.counting_in = False
        # The loop is kept told meanwhile: its release is rendered during a count-in or
        # the latency, ready for the first wrap.
        self._sync_loop()
        if waiting:
            self.position = self.play_start
            self.positionChanged.emit(self.position)
            return
        seconds = frames / SAMPLE_RATE
        tick = self.document.time_map.seconds_to_tick(seconds)
        if not player.is_playing:
            self._timer.stop()
            self._audition = None
            self.playingChanged.emit(False)
            self.position = self.play_start
            self.positionChanged.emit(self.position)
            return
        self.position = tick
        self.positionChanged.emit(tick)

    def _song_changed(self) -> None:
        # Edits during playback are heard from the next play on (that play re-renders).
        if not self.is_playing and self._job is not None:
            self._job.cancelled.set()
            self._job = None
            if self._measuring is not None:
                self._measuring[1].set()

    # -- auditioning -----------------------------------------------------------------------------
    def preview(self, pitch: int | tuple[int, ...], track: Track | None) -> None:
        """Play one short note (or a chord: a tuple of pitches) with ``track``'s instrument
        (when idle and audio works)."""
        if self.is_playing or not self.check_audio():
            return
        program = track.program if track else 0
        drum = track.is_drum if track else False
        ppq = self.document.song.ppq
        pitches = pitch if isinstance(pitch, tuple) else (pitch,)
        notes = tuple(Note(p, 0, ppq // 2, 100) for p in pitches)
        note_track = Track(program=program, is_drum=drum, channel=DRUM_CHANNEL if drum else 0,
                           notes=notes, volume=track.volume if track else 1.0,
                           pan=track.pan if track else 0.0)
        mini = Song(tracks=(note_track,), ppq=ppq)
        synth = self._synth()
        gain = self.preview_gain()

        def render() -> Any:  # at the track's volume and pan, as it sounds in the song
            return apply_volume_pan(synth.render_track(mini, note_track), note_track) * gain

        self._render_worker.start(render, on_done=self._play_preview)

    def preview_gain(self) -> float:
        """The gain a note played alone gets: the stems' headroom gain of the song's level
        when one is known (a note under the mouse sounds as loud as the track does in the
        song; it played at full scale, louder than the song around it), else 1."""
        last = self._level
        if last is None or last[0] != self.document.resets:  # none, or another song's
            return 1.0
        return last[3].stem_gain

    # -- monitoring the MIDI keyboard --------------------------------------------------------
    def prepare_monitor(self) -> None:
        """A MIDI keyboard is open: the monitor's synth made now, not at the first key."""
        if self.check_audio():
            self._monitor_obj().prepare()

    def monitor_note_on(self, pitch: int, velocity: int, track: Track | None) -> None:
        """A key of the MIDI keyboard struck: heard with ``track``'s instrument (its program
        or kit, volume and pan, at the song's level as :meth:`preview_gain` gives it; a
        piano without a track) until :meth:`monitor_note_off`, over the song when it plays.
        Silent without a sound card (the status bar says so already)."""
        if not self.check_audio():
            return
        monitor = self._monitor_obj()  # made while the stream opens
        monitor.note_on(pitch, velocity, track or Track(), self.preview_gain())
        player = self._player_obj()
        if not player.monitor(SAMPLE_RATE):
            monitor.all_off()
            self._no_audio(player.error or "Cannot play audio")

    def monitor_note_off(self, pitch: int) -> None:
        """The key let go: its sound fades out over ``engine.render.live.RELEASE_S``."""
        if self._monitor is not None:
            self._monitor.note_off(pitch)

    def monitor_all_off(self) -> None:
        """Every key sounding let go (monitoring turned off)."""
        if self._monitor is not None:
            self._monitor.all_off()

    def _play_preview(self, audio: Any) -> None:
        if self.is_playing or audio is None or not len(audio):
            return
        player = self._player_obj()
        if not player.play(audio, SAMPLE_RATE, 0):
            self._no_audio(player.error or "Cannot play audio")

    def shutdown(self) -> None:
        """Stop sound and wait for background renders (on close)."""
        self.stop(return_to_start=False)
        if self._job is not None:
            self._job.cancelled.set()
        if self._monitor is not None:
            self._monitor.close()
        if self._player is not None:
            self._player.close()
        self._render_worker.cancel_all()
        self._render_worker.wait(10000)
