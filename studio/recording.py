"""Recording from the MIDI keyboard: *Transport ▸ Record* (Shift+R), a DAW's record button.

Record plays from the playhead with the metronome's click (on for the take, whatever K
says), after a count-in (*Transport ▸ Count-in*: off, one bar — the default — or two: the
click alone, the playhead waiting), and keeps the notes played on the MIDI keyboard
(:mod:`studio.midi_keyboard`), each timed from the transport's position: the playhead's
last frame and the seconds since, through the song's tempo map (so a tempo change is
followed). Nothing is recorded before the playhead: a key struck in the count-in and still
held when it ends starts there (a DAW's capture of a note played a hair early), one
released before is dropped, and a stop in the count-in records nothing. Stopping — Shift+R again,
Space, Enter, a click on the ruler or another move of the playhead (Home; playback stops
there, a DAW's punch-out), or the end: three minutes past the song's end — writes
them into the track that was current as one undo step ("Undo Record 12 notes"), as played
(Q quantizes them after); a key still held ends where the recording stopped. The sustain
pedal's moves (CC64), the pitch wheel's and the other controllers' played (the modulation
wheel, expression, a fader: :func:`recorded_control`) go into the track's controllers in
the same undo step, replacing those controllers' own events over the take's span and
leaving the others (a volume automation, a bend not played) as they were. With the
loop on, each pass is merged into the take (a held note ends at the loop's end), or, with
*Tools ▸ MIDI Input ▸ Loop Recording ▸ Keep Each Pass as a Take*, each pass with notes
becomes a take of the track over the loop's span ("Pass 2", with its pedal and bends) on the takes
bar (:meth:`studio.cocompose.CoComposer.offer_recorded`), the last first. A note
of the same pitch under a recorded one is replaced or cut short, as step entry writes
(:func:`engine.score.add_notes_replacing`): none is doubled, and one starting at most
30 ms (or a 32nd) before a recorded note is replaced, not left as a sliver. Nothing is written while
recording: the notes appear when it stops. Open, New and closing the window stop it first
(:meth:`Recorder.stop`), so "Save changes?" asks about the take; it is never written into a
song that replaced the one it was recorded for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from engine.jobs import Take, recorded_take
from engine.plugins import InvalidResult
from engine.score import (
    ControlEvent,
    EditError,
    EditGroup,
    Note,
    SetTrackProps,
    TimeMap,
    Track,
    add_notes_replacing,
    clamp_velocity,
    track_label,
)
from engine.score.controller_state import Key, keys_replaced
from engine.score.edits import RECORDED_FLAM_S, plural

from .midi_input import PITCH_BEND, SUSTAIN
from .settings import COUNT_IN_BARS, LOOP_RECORDINGS

if TYPE_CHECKING:
    from .mainwindow import MainWindow

EXTRA_SECONDS = 180  # how long a recording may go on past the song's end
# Controllers that set up a sound rather than play it (bank select's second half, data
# entry and the parameter numbers it writes to, the channel-mode messages from 120 on):
# a keyboard sends them when a patch is chosen, not as music.
_SET_UP_CONTROLS = frozenset({0, 6, 32, 38, 96, 97, 98, 99, 100, 101, *range(120, 128)})


def recorded_control(control: int) -> bool:
    """Whether a recording keeps ``control``'s moves: the pitch wheel and the controllers
    played as music (sustain, modulation, expression, breath, a fader)."""
    return control == PITCH_BEND or (0 <= control <= 127 and control not in _SET_UP_CONTROLS)


# What a recording's message calls a controller it wrote.
_CONTROL_NAMES = {PITCH_BEND: "the pitch wheel", SUSTAIN: "the sustain pedal",
                  1: "the mod wheel", 2: "breath", 11: "expression"}


def control_names(controls: set[int]) -> str:
    """"the mod wheel and the pitch wheel": the controllers a recording moved."""
    names = [_CONTROL_NAMES.get(c, f"CC{c}") for c in sorted(controls)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def control_key(control: int) -> Key:
    """The track's controller a keyboard's ``control`` is written as."""
    return ("pitchwheel", 0) if control == PITCH_BEND else ("control_change", control)

COUNT_IN_LABELS = {0: "&Off", 1: "&1 Bar", 2: "&2 Bars"}
LOOP_RECORDING_LABELS = {"merge": "&Merge Passes", "takes": "&Keep Each Pass as a Take"}
LOOP_RECORDING_TIPS = {
    "merge": "A loop recording merges its passes into one take (the later over the earlier)",
    "takes": "A loop recording keeps each pass as a take on the takes bar: audition them "
             "([ ] 0 Space), Enter accepts one",
}


def count_in_menu(window: MainWindow) -> QMenu:
    """*Transport ▸ Count-in*: the bars of click before a recording, kept in the settings."""
    return _choice_menu(
        window, "&Count-in", [(bars, COUNT_IN_LABELS[bars],
                               "Record starts without a count-in" if not bars else
                               f"Record counts {plural(bars, 'bar')} in with the click first")
                              for bars in COUNT_IN_BARS],
        window.settings.count_in_bars(), window.settings.set_count_in_bars)


def loop_recording_menu(window: MainWindow) -> QMenu:
    """*Tools ▸ MIDI Input ▸ Loop Recording*: what a recording round the loop keeps — its
    passes merged, or each pass as a take — kept in the settings."""
    return _choice_menu(
        window, "&Loop Recording",
        [(mode, LOOP_RECORDING_LABELS[mode], LOOP_RECORDING_TIPS[mode])
         for mode in LOOP_RECORDINGS],
        window.settings.loop_recording(), window.settings.set_loop_recording, tooltips=True)


def _choice_menu(window: MainWindow, title: str, choices: list[tuple[object, str, str]],
                 chosen: object, choose: Callable[[object], None],
                 tooltips: bool = False) -> QMenu:
    """A menu of one-of choices ``(value, label, tip)``, ``chosen`` checked, ``choose``
    called with the value picked (a setting's setter); ``tooltips``: the tips shown as the
    menu's tooltips too."""
    menu = QMenu(title, window)
    menu.setToolTipsVisible(tooltips)
    group = QActionGroup(menu)
    for value, label, tip in choices:
        action = QAction(label, menu, checkable=True)
        action.setData(value)
        action.setChecked(value == chosen)
        action.setStatusTip(tip)
        if tooltips:
            action.setToolTip(tip)
        action.triggered.connect(lambda _on=False, v=value: choose(v))
        group.addAction(action)
        menu.addAction(action)
    return menu


class Recorder(QObject):
    """The Record action, the take being recorded and its writing."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.recording = False
        self.track_id: int | None = None
        self.track_name = ""  # what the status bar calls it while recording
        self.song_resets = 0  # the document's resets when it started: the song it is for
        self.notes: list[Note] = []  # the notes played and released
        self.note_pass: dict[int, int] = {}  # note id → the loop's pass it was struck in
        # pitch → (start tick, velocity, the loop's pass it was struck in)
        self.held: dict[int, tuple[int, int, int]] = {}
        self.loop_pass = 0  # the loop's passes the frames have shown (0: the first)
        # The controllers played (the sustain pedal, the pitch wheel …): their values
        # when recording started, where known, and their moves since (tick, controller,
        # value, the loop's pass), written into the track's controllers.
        self.controls_at_start: dict[int, int] = {}
        self.moves: list[tuple[int, int, int, int]] = []
        self.now = time.monotonic  # the clock of the MIDI notes' times (tests set it)
        self._clock: tuple[float, int] | None = None  # (now, tick) at the last frame
        # When the count-in ends and recording begins, on that clock: -inf without a
        # count-in, +inf until its first frame says when.
        self.punch_in = -math.inf
        self._counted = ""  # the count-in's beat the status bar says
        window.actions.record.toggled.connect(self._toggled)
        window.transport.positionChanged.connect(self._frame)
        window.transport.playingChanged.connect(self._playing_changed)

    def _say(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _set_checked(self, on: bool) -> None:
        action = self.window.actions.record
        action.blockSignals(True)
        action.setChecked(on)
        action.blockSignals(False)

    def _toggled(self, on: bool) -> None:
        if on and not self.recording:
            if not self.start():
                self._set_checked(False)
        elif not on and self.recording:
            self.stop()

    # -- recording ---------------------------------------------------------------------------------
    def start(self) -> bool:
        """Play from the playhead with the click and keep the notes played; False (said
        why) when there is no MIDI input, no track or no audio to play to."""
        w = self.window
        midi = w.midi.input
        if midi.device is None:
            self._say(f"Record: {midi.status_line} (Tools ▸ MIDI Input)")
            return False
        tid = w.current_track_or_say("Record")
        if tid is None:
            return False
        tr = w.transport
        if tr.is_playing:
            tr.stop(return_to_start=False)
        if w.step_entry.on:
            w.actions.step_entry.setChecked(False)
        self.track_id, self.track_name = tid, track_label(w.document.song, tid)
        self.song_resets = w.document.resets
        self.notes, self.held, self._clock, self.loop_pass = [], {}, None, 0
        self.note_pass = {}
        # The pedal and the wheel are known at rest until moved (a spring centres the wheel).
        self.controls_at_start = {SUSTAIN: midi.pedal, PITCH_BEND: 0, **midi.values}
        self.moves = []
        bars = w.settings.count_in_bars()
        self.punch_in = math.inf if bars else -math.inf
        self.recording = True  # before play(): its playingChanged(True) is ours
        tr.seek_stops_playback = True  # a click on the ruler ends the take: no play on
        tr.set_metronome(True)
        doc = w.document
        tm = doc.time_map
        until = tm.seconds_to_tick(tm.tick_to_seconds(max(doc.end, tr.position))
                                   + EXTRA_SECONDS)
        tr.play(until=until, count_in=bars)
        if not tr.is_playing:  # no audio output (the transport said why)
            self.recording = tr.seek_stops_playback = False
            tr.set_metronome(w.actions.metronome.isChecked())
            self._say("Record: recording plays the song and the click, and there is no audio "
                      f"output ({tr.audio_reason or 'playback failed'})")
            return False
        self._set_checked(True)
        self._counted = f"({plural(bars, 'bar')})" if bars else ""
        self._say_recording(self._counted)
        return True

    def _say_recording(self, counting: str = "") -> None:
        """What the status bar says while recording (``counting``: the count-in's beat)."""
        w = self.window
        where = w.document.time_map.format_position(w.transport.play_start)
        head = f"Count-in {counting} — recording into" if counting else "Recording into"
        self._say(f"{head} {self.track_name} from {where}: play the MIDI keyboard; Shift+R, "
                  "Space or Enter stops", 0)

    def _count_in_beat(self) -> str:
        """"2 of 4": the click of the count-in being heard, of how many clicks."""
        lead = self.window.transport.lead_in
        if lead is None:
            return ""
        clicks = [n.start for t in lead.tracks for n in t.notes]
        tm = TimeMap.of(lead)
        heard = tm.seconds_to_tick(tm.tick_to_seconds(lead.end)
                                   - self.window.transport.count_in_left)
        return f"{max(1, sum(at <= heard for at in clicks))} of {len(clicks)}"

    def stop(self) -> None:
        """End the recording now and write its take, if one is running: before the song is
        closed or replaced (File ▸ Open, New, closing the window), so the take is in the
        song that "Save changes?" asks about, not lost or written into the next one."""
        if self.recording:
            self.window.transport.stop()  # → playingChanged(False) → finish()
        if self.recording:  # the transport was not playing after all
            self.finish()

    def _time_at(self, seconds: float) -> tuple[int, int]:
        """The song's tick at ``seconds`` (the clock of :attr:`now`) and the loop's pass it
        is in: the last frame's position moved on by the time since, through the tempo map.
        With the loop on, a tick past its end is where the loop went round to (a key struck
        just after the wrap, before the frame that shows it), in the next pass."""
        tr = self.window.transport
        if self._clock is None:  # the first bar still rendering: the take's start
            return tr.play_start, self.loop_pass
        at, tick = self._clock
        tm = self.window.document.time_map
        played = max(0, tm.seconds_to_tick(tm.tick_to_seconds(tick) + max(0.0, seconds - at)))
        start, end = tr.loop_start, tr.loop_end
        if tr.loop_enabled and start <= tick < end <= played:
            rounds, offset = divmod(played - end, end - start)
            return start + offset, self.loop_pass + 1 + rounds
        return played, self.loop_pass

    def _frame(self, tick: int) -> None:
        tr = self.window.transport
        if not self.recording or not tr.is_playing:
            return
        if tr.counting_in:
            if tr.count_in_left > 0:  # (0: the first bar still rendering, not begun)
                # The punch-in is that far ahead: the keys struck till then start there,
                # at the playhead (tick), which waits.
                self.punch_in = self.now() + tr.count_in_left
                self._clock = (self.punch_in, tick)
                counted = self._count_in_beat()
                if counted != self._counted:
                    self._counted = counted
                    self._say_recording(counted)
            return
        if tr.start_in > 0:  # the output latency at the start: the keys struck till then
            self._clock = (self.now() + tr.start_in, tick)  # start at the playhead (tick)
            return
        if self.punch_in == math.inf:  # a count-in over before a frame showed it
            self.punch_in = self.now()
        if self._counted:  # the count-in is over: recording
            self._counted = ""
            self._say_recording()
        if self._clock is not None and tick < self._clock[1] and tr.loop_enabled:
            # The loop went round: the keys held from the pass before end at its end (not
            # those struck since, timed into this pass already); the next pass merges in.
            self.loop_pass += 1
            for pitch, (_start, _velocity, struck_in) in list(self.held.items()):
                if struck_in < self.loop_pass:
                    self._release(pitch, (tr.loop_end, self.loop_pass))
        self._clock = (self.now(), tick)

    def note_on(self, pitch: int, velocity: int, seconds: float) -> None:
        if not self.recording:
            return
        if pitch in self.held:  # struck again without a note-off: the first one ends here
            self._end(pitch, seconds)
        tick, loop_pass = self._time_at(seconds)
        self.held[pitch] = (tick, clamp_velocity(velocity), loop_pass)

    def control(self, control: int, value: int, seconds: float) -> None:
        """A control change or the pitch wheel: those played as music are kept (in the
        count-in: at the playhead, where a pedal still down then holds the first notes)."""
        if not self.recording or not recorded_control(control):
            return
        tick, loop_pass = ((self.window.transport.play_start, 0) if seconds < self.punch_in
                           else self._time_at(seconds))
        self.moves.append((tick, control, value, loop_pass))

    def note_off(self, pitch: int, seconds: float) -> None:
        if self.recording and pitch in self.held:
            self._end(pitch, seconds)

    def _end(self, pitch: int, seconds: float) -> None:
        """The key ``pitch`` let go at ``seconds``: a key struck and let go in the count-in
        is dropped (nothing is recorded before the playhead)."""
        if seconds < self.punch_in:
            del self.held[pitch]
        else:
            self._release(pitch, self._time_at(seconds))

    def _release(self, pitch: int, at: tuple[int, int]) -> None:
        """The key ``pitch`` released at ``at`` (tick, the loop's pass); one struck in an
        earlier pass was held across the loop's end and ends there."""
        start, velocity, struck_in = self.held.pop(pitch)
        end, loop_pass = at
        if struck_in < loop_pass:
            end = self.window.transport.loop_end
        note = Note(pitch, start, max(1, end - start), velocity)
        self.notes.append(note)
        self.note_pass[note.id] = struck_in

    def _played_controls(self, controls: tuple[ControlEvent, ...], lo: int, hi: int,
                         passes: range, at_start: dict[int, int]) -> tuple[ControlEvent, ...]:
        """The track's ``controls`` with the controllers moved in the loop's ``passes``
        as played over ``[lo, hi)`` (at one tick, the later pass's value), from the
        values ``at_start`` (where known); the track's own events of those controllers
        there replaced, its state restated after, every other controller kept."""
        latest: dict[tuple[int, int], int] = {}  # (tick, controller) → value
        for tick, control, value, loop_pass in sorted(self.moves, key=lambda e: (e[3], e[0])):
            if loop_pass in passes and lo <= tick < hi:
                latest[tick, control] = value
        moved = {control for _t, control, _v, p in self.moves if p in passes}
        events = [ControlEvent(tick, *control_key(control), value)
                  for (tick, control), value in sorted(latest.items())]
        start = {control_key(c): v for c, v in at_start.items() if c in moved}
        return keys_replaced(controls, [control_key(c) for c in sorted(moved)], lo, hi,
                             events, start)

    def _recorded_controls(self, controls: tuple[ControlEvent, ...],
                           stop: int | None) -> tuple[ControlEvent, ...] | None:
        """The track's ``controls`` with the controllers played in the take's span as
        they were played, or None when none was touched (a melody recorded over a
        pedalled part)."""
        if not self.moves:
            return None
        tr = self.window.transport
        lo, hi = tr.play_start, max(stop or 0, max(t for t, *_ in self.moves) + 1)
        if self.loop_pass:  # round the loop: its whole span was played over
            lo, hi = min(lo, tr.loop_start), max(hi, tr.loop_end)
        return self._played_controls(controls, lo, hi, range(self.loop_pass + 1),
                                     self.controls_at_start)

    def _playing_changed(self, playing: bool) -> None:
        if not playing and self.recording:
            self.finish()

    def finish(self) -> None:
        """The transport stopped: the keys held end here, the take is written as one undo
        step into the track it was recorded for — never into another song (one opened since:
        the transport stops as it loads, and its tracks may have the same ids)."""
        w = self.window
        doc = w.document
        same_song = doc.resets == self.song_resets
        counting = self.now() < self.punch_in  # stopped in the count-in
        stop = None
        if same_song:  # (another song's tempo map would time the keys held wrongly)
            stop = self._time_at(self.now())[0]
            for pitch in list(self.held):
                self._end(pitch, self.now())
        self.recording = w.transport.seek_stops_playback = False
        self._set_checked(False)
        w.transport.set_metronome(w.actions.metronome.isChecked())
        notes, self.notes = self.notes, []
        w.statusBar().clearMessage()
        if not same_song:
            self._say("Recording stopped: the song it was recorded into was closed, the notes "
                      "played are lost")
            return
        if counting:  # nothing was recorded (no notes, no undo step)
            self._say("Recording stopped in the count-in: nothing was recorded")
            return
        if not notes and not self.moves:
            self._say("Recording stopped: no notes were played")
            return
        try:
            track = doc.song.track(self.track_id)
        except KeyError:
            self._say("Recording stopped: its track was removed, the notes played are lost")
            return
        if not notes:  # an overdub of the wheels or the pedal alone: kept, as a DAW keeps it
            self._write_controls_only(track, stop)
            return
        if w.settings.loop_recording() == "takes" and self._offer_passes(track, notes):
            return
        # Over the notes of the same pitch there (and a key played in two passes of the
        # loop: the later over the earlier), as step entry writes: none doubled or overlapped.
        # (One of them a hair after a note of its pitch, within 30 ms or a 32nd, replaces
        # it: not a sliver of the old note before it.)
        edit = add_notes_replacing(doc.song, track.id, notes, flam_s=RECORDED_FLAM_S)
        taken = {n.id for n in notes}
        written = [n for n in edit.added if n.id in taken]
        label = f"Record {plural(len(written), 'note')}"
        edit = replace(edit, label=label)
        controls = self._recorded_controls(track.controls, stop)
        if controls is not None:  # the pedal's moves with the notes: one undo step
            edit = EditGroup((edit, SetTrackProps(track.id, (("controls", track.controls),),
                                                  (("controls", controls),), label)), label)
        try:
            edit.apply(doc.song)
        except EditError as e:
            self._say(f"Recording not written: {e}")
            return
        doc.apply(edit)
        if track.id not in w.selection.track_ids:
            w.selection.set_tracks([track.id])
        w.selection.set_notes([(track.id, n.id) for n in written])
        into = track_label(doc.song, track.id)  # (a blank name: "track 3")
        self._say(f"Recorded {plural(len(written), 'note')} into {into} (Ctrl+Z takes them "
                  "back; Q quantizes them)")

    def _write_controls_only(self, track: Track, stop: int | None) -> None:
        """A recording with no notes but controllers moved (a filter sweep of the mod
        wheel over a pad): those moves written into the track as one undo step; they were
        dropped with "no notes were played" (a producer's QA)."""
        doc = self.window.document
        names = control_names({control for _t, control, _v, _p in self.moves})
        label = f"Record {names}"
        controls = self._recorded_controls(track.controls, stop)
        if controls is None or controls == track.controls:
            self._say("Recording stopped: no notes were played")
            return
        doc.apply(SetTrackProps(track.id, (("controls", track.controls),),
                                (("controls", controls),), label))
        into = track_label(doc.song, track.id)
        self._say(f"Recorded {names} into {into}, no notes played (Ctrl+Z takes it back)")

    # -- each loop pass a take (Tools ▸ MIDI Input ▸ Loop Recording) ----------------------------
    def _offer_passes(self, track: Track, notes: list[Note]) -> bool:
        """Put each pass of a recording round the loop on the takes bar — the last pass
        first, on screen — instead of writing them merged; False when the recording did
        not go round the loop (it is written as one take, as ever)."""
        w = self.window
        tr, doc = w.transport, w.document
        span = (tr.loop_start, tr.loop_end)
        passes: dict[int, list[Note]] = {}
        for n in notes:
            passes.setdefault(self.note_pass.get(n.id, 0), []).append(n)
        last = max(self.loop_pass, *passes)
        if not last or not tr.loop_enabled or span[1] <= span[0]:
            return False
        made: list[tuple[Take, str]] = []
        # A pass with no notes is no take (the Original is the song as it was there).
        for p in sorted(passes, reverse=True):
            name = f"Pass {p + 1}"
            try:
                take = recorded_take(doc.song, doc.revision, track.id, span,
                                     tuple(passes[p]), self._pass_controls(track.controls, p,
                                                                           span),
                                     f"Record {name}")
            except (InvalidResult, EditError):  # the loop moved while recording: merged
                return False
            made.append((take, name))
        w.composer.offer_recorded(made)
        if track.id not in w.selection.track_ids:
            w.selection.set_tracks([track.id])
        into = track_label(doc.song, track.id)
        self._say(f"Recorded {len(made)} pass{'es' * (len(made) > 1)} into {into} as takes — "
                  f"{made[0][1]} on screen: {w.composer.take_keys()}")
        return True

    def _pass_controls(self, controls: tuple[ControlEvent, ...], loop_pass: int,
                       span: tuple[int, int]) -> tuple[ControlEvent, ...] | None:
        """The track's ``controls`` with the controllers played in pass ``loop_pass`` over
        the loop's ``span`` (each from the value it had as the pass began), or None when
        none was touched in the recording (a melody recorded over a pedalled part)."""
        if not self.moves:
            return None
        at_start = dict(self.controls_at_start)
        for _t, control, value, _p in sorted((m for m in self.moves if m[3] < loop_pass),
                                             key=lambda e: (e[3], e[0])):
            at_start[control] = value
        return self._played_controls(controls, *span, range(loop_pass, loop_pass + 1),
                                     at_start)
