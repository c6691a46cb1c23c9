"""MIDI keyboard input (studio.midi_input, studio.midi_keyboard): the device chosen and
kept, a machine without MIDI, and notes played into step entry — from a fake source, no
hardware."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.score import ControlEvent, set_track_props
from studio import midi_input
from studio.midi_input import PITCH_BEND, MidiInput, MidoSource, same_port
from studio.step_entry import CHORD_WINDOW_S
from tests.studio.cocompose_helpers import close_window, make_window
from tests.studio.midi_helpers import KEYSTATION, THROUGH, FakeSource, move, pedal, play
from tests.studio.test_transport import stand_in_output  # noqa: F401 (a fixture)

Q = 480
BAR = 4 * Q
AFTER = 2 * BAR  # the test song's two bars end here: bar 3 is empty
EIGHTH = Q // 2


@pytest.fixture
def close_all():
    windows = []
    yield windows
    for win in windows:
        close_window(win)


@pytest.fixture
def keyboard(qtbot, tmp_path, dialogs, no_audio, song_file, close_all):
    """A window with a fake keyboard open, the test song, step entry on at bar 3 of the
    piano track, 1/8 steps."""
    source = FakeSource(THROUGH, KEYSTATION)
    win = make_window(qtbot, tmp_path, midi_source=source, song_file=song_file)
    close_all.append(win)
    win.set_snap("1/8")
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(AFTER)
    win.actions.step_entry.trigger()
    assert win.step_entry.on and win.midi.input.device == KEYSTATION
    return win, source


def piano(win):
    return win.document.song.tracks[0]


def entered(win, track: int = 0) -> list[tuple[int, int, int, int]]:
    """(start, pitch, duration, velocity) of a track's notes from bar 3 on."""
    return sorted((n.start, n.pitch, n.duration, n.velocity)
                  for n in win.document.song.tracks[track].notes if n.start >= AFTER)


def undo(win) -> None:
    win.actions.undo.trigger()


# -- a machine without MIDI -----------------------------------------------------------------------
def test_no_alsa_sequencer_is_one_line_and_the_window_works(qtbot, tmp_path, dialogs, no_audio,
                                                           song_file, close_all, monkeypatch):
    # This machine has no /dev/snd: the real source says so before rtmidi is asked (which
    # would print ALSA's error on stderr and raise SystemError).
    monkeypatch.setattr(midi_input, "ALSA_SEQ", str(tmp_path / "no-snd" / "seq"))
    win = make_window(qtbot, tmp_path, midi_source=MidoSource(), song_file=song_file)
    close_all.append(win)
    midi = win.midi.input
    assert midi.device is None and isinstance(midi.source, MidoSource)
    assert midi.status_line.startswith("No MIDI input: no ALSA sequencer")
    assert "\n" not in midi.status_line
    assert win.status_midi.text() == "No MIDI input"
    assert win.status_midi.toolTip().startswith(midi.status_line)
    assert dialogs.calls == []  # no dialog for a machine that has no keyboard
    win.midi.menu.aboutToShow.emit()
    texts = [a.text() for a in win.midi.menu.actions() if not a.isSeparator()]
    assert texts == ["&None", midi.status_line, "&Monitor", "&Loop Recording",
                     "&Refresh MIDI Devices"]
    win.actions.midi_refresh.trigger()
    assert win.statusBar().currentMessage() == midi.status_line
    # Step entry from the letters works as before.
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(AFTER)
    win.actions.step_entry.trigger()
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_C)
    assert len(entered(win)) == 1


def test_the_real_source_never_raises_on_this_machine(qapp):
    # Whatever this machine has (CI: no sound hardware), a line, never an exception.
    midi = MidiInput(MidoSource())
    names = midi.refresh()
    assert isinstance(names, list)
    assert midi.status_line.startswith(("MIDI input:", "No MIDI input:"))


def test_the_backends_own_failures_are_reasons(monkeypatch, tmp_path):
    seq = tmp_path / "seq"
    seq.write_text("")
    monkeypatch.setattr(midi_input, "ALSA_SEQ", str(seq))  # present: rtmidi is asked

    class Broken:
        def get_input_names(self):
            raise SystemError("MidiInAlsa::initialize: error creating ALSA sequencer client "
                              "object.")

    source = MidoSource()
    source._backend = Broken()
    midi = MidiInput(source)
    assert midi.refresh() == [] and not midi.available
    assert midi.status_line == ("No MIDI input: the ALSA sequencer cannot be opened (no sound "
                                "hardware here?)")
    monkeypatch.setitem(sys.modules, "rtmidi", None)  # python-rtmidi not installed
    midi = MidiInput(MidoSource())
    midi.refresh()
    assert midi.status_line.startswith("No MIDI input: python-rtmidi is not installed")


def test_the_mido_source_hands_on_notes_and_control_changes(monkeypatch, tmp_path):
    import mido

    seq = tmp_path / "seq"
    seq.write_text("")
    monkeypatch.setattr(midi_input, "ALSA_SEQ", str(seq))

    class Backend:
        def open_input(self, name, callback):
            self.name, self.callback = name, callback
            return self

    source = MidoSource()
    source._backend = backend = Backend()
    got = []
    assert source.open("Keys", lambda *e: got.append(e)) is backend
    for msg in (mido.Message("note_on", note=60, velocity=99, channel=3),
                mido.Message("control_change", control=64, value=127),
                mido.Message("note_on", note=60, velocity=0),  # a note-off, as MIDI has it
                mido.Message("note_off", note=62, velocity=40),
                mido.Message("clock")):
        backend.callback(msg)
    assert [(p, v) for p, v, _t in got] == [(60, 99), (60, 0), (62, 0)]
    assert all(isinstance(t, float) for *_e, t in got)
    controls = []  # with a control callback, the control changes go to it
    source.open("Keys", got.append, lambda *e: controls.append(e))
    backend.callback(mido.Message("control_change", control=64, value=127))
    backend.callback(mido.Message("pitchwheel", pitch=-4096))  # the pitch wheel, bent down
    assert [(c, v) for c, v, _t in controls] == [(64, 127), (PITCH_BEND, -4096)]


@pytest.mark.parametrize("ports", [(), (THROUGH,)])
def test_no_device_plugged_in(qtbot, tmp_path, dialogs, no_audio, close_all, ports):
    win = make_window(qtbot, tmp_path, midi_source=FakeSource(*ports))
    close_all.append(win)
    assert win.midi.input.status_line == "No MIDI input: no MIDI devices found"
    assert win.status_midi.text() == "No MIDI input"


# -- choosing the device --------------------------------------------------------------------------
def menu_items(win) -> dict[str, object]:
    win.midi.menu.aboutToShow.emit()
    return {a.text(): a for a in win.midi.menu.actions() if not a.isSeparator()}


def test_the_first_keyboard_is_opened_and_the_choice_is_remembered(qtbot, tmp_path, dialogs,
                                                                   no_audio, close_all):
    synth = "Synth & Co:Synth 24:0"
    source = FakeSource(THROUGH, KEYSTATION, synth)
    win = make_window(qtbot, tmp_path, midi_source=source)
    close_all.append(win)
    assert win.midi.input.device == KEYSTATION  # never chosen: the first keyboard
    assert win.status_midi.text() == "🎹 Keystation 49"
    assert win.settings.midi_input() is None
    items = menu_items(win)
    # The menu names the ports without ALSA's client:port numbers (a QA: raw names).
    assert list(items) == ["&None", "Midi Through Port-0", "Keystation 49 MIDI 1", "Synth",
                           "&Monitor", "&Loop Recording", "&Refresh MIDI Devices"]
    assert items["Keystation 49 MIDI 1"].statusTip().endswith(KEYSTATION)
    assert items["Keystation 49 MIDI 1"].isChecked() and not items["&None"].isChecked()
    items["Synth"].trigger()
    assert win.midi.input.device == synth and source.opened[0].closed
    assert win.settings.midi_input() == synth
    assert win.statusBar().currentMessage() == f"MIDI input: {synth}"
    assert win.status_midi.text() == "🎹 Synth & Co"
    win.close()

    # The next start reopens it, plugged in again under another ALSA client number.
    again = FakeSource(THROUGH, KEYSTATION, "Synth & Co:Synth 28:0")
    win = make_window(qtbot, tmp_path, midi_source=again)
    close_all.append(win)
    assert win.midi.input.device == "Synth & Co:Synth 28:0"
    menu_items(win)["&None"].trigger()
    assert win.midi.input.device is None and again.opened[-1].closed
    assert win.settings.midi_input() == ""
    assert win.status_midi.text() == "No MIDI input"
    assert "turned off" in win.midi.input.status_line
    win.close()

    win = make_window(qtbot, tmp_path, midi_source=FakeSource(KEYSTATION))  # None is kept too
    close_all.append(win)
    assert win.midi.input.device is None and menu_items(win)["&None"].isChecked()


def test_a_chosen_keyboard_unplugged_is_said_and_refresh_opens_it(qtbot, tmp_path, dialogs,
                                                                   no_audio, close_all):
    from studio.settings import Settings

    Settings(tmp_path / "settings.ini").set_midi_input(KEYSTATION)
    source = FakeSource(THROUGH, "Other:Other 30:0")
    win = make_window(qtbot, tmp_path, midi_source=source)
    close_all.append(win)
    assert win.midi.input.device is None  # not another keyboard instead
    assert win.midi.input.status_line.startswith(
        "No MIDI input: “Keystation 49:Keystation 49 MIDI 1 20:0” is not connected")
    source.ports.append(KEYSTATION)
    win.actions.midi_refresh.trigger()
    assert win.midi.input.device == KEYSTATION
    assert win.statusBar().currentMessage() == f"MIDI input: {KEYSTATION}"
    win.close()
    assert source.opened[-1].closed  # closed with the window


def test_alsa_port_numbers_may_change():
    assert same_port(KEYSTATION, "Keystation 49:Keystation 49 MIDI 1 24:0")
    assert not same_port(KEYSTATION, "Keystation 61:Keystation 61 MIDI 1 20:0")


# -- step entry from the keyboard -----------------------------------------------------------------
def test_a_key_enters_its_exact_pitch_and_velocity_one_undo_step_each(keyboard):
    win, source = keyboard
    stack = win.document.undo_stack
    before = stack.count()
    play(source, (40, 100, 1.0), (40, 0, 1.1), (91, 30, 2.0), (91, 0, 2.1))
    # E2 and G6: the octave played, not the letters' nearest one; the keys' velocities.
    assert entered(win) == [(AFTER, 40, EIGHTH, 100), (AFTER + EIGHTH, 91, EIGHTH, 30)]
    assert win.transport.position == AFTER + 2 * EIGHTH
    assert stack.count() == before + 2 and stack.undoText() == "Enter G6"
    g6 = next(n for n in piano(win).notes if n.pitch == 91)
    assert win.selection.notes == {(piano(win).id, g6.id)}
    assert win.status_step.text() == "Step entry: 1/8 · G6"
    undo(win)
    assert entered(win) == [(AFTER, 40, EIGHTH, 100)]
    assert win.transport.position == AFTER + EIGHTH


def test_keys_struck_together_enter_one_chord_one_undo_step(keyboard):
    win, source = keyboard
    stack = win.document.undo_stack
    before = stack.count()
    t = 5.0
    play(source, (60, 90, t), (64, 80, t + 0.02), (67, 70, t + CHORD_WINDOW_S - 0.01))
    play(source, (60, 0, t + 0.3), (64, 0, t + 0.3), (67, 0, t + 0.3))
    assert entered(win) == [(AFTER, 60, EIGHTH, 90), (AFTER, 64, EIGHTH, 80),
                            (AFTER, 67, EIGHTH, 70)]
    assert win.transport.position == AFTER + EIGHTH  # a chord is one step
    assert stack.count() == before + 1 and stack.undoText() == "Enter C4 E4 G4"
    assert len(win.selection) == 3
    play(source, (62, 90, t + 1.0), (62, 0, t + 1.2))  # released first: the next step
    assert entered(win)[-1] == (AFTER + EIGHTH, 62, EIGHTH, 90)
    assert stack.count() == before + 2
    undo(win)
    undo(win)  # the whole chord and its step at once
    assert entered(win) == [] and win.transport.position == AFTER


def test_a_key_played_while_the_chords_keys_are_held_joins_it(keyboard):
    win, source = keyboard
    stack = win.document.undo_stack
    before = stack.count()
    play(source, (48, 90, 1.0))
    play(source, (55, 90, 1.5))  # long after, but C3 is still held: one chord
    play(source, (48, 0, 1.6))
    play(source, (64, 90, 1.8))  # G3 still held
    assert entered(win) == [(AFTER, p, EIGHTH, 90) for p in (48, 55, 64)]
    assert stack.count() == before + 1 and win.transport.position == AFTER + EIGHTH
    play(source, (55, 0, 2.0), (64, 0, 2.0), (65, 90, 2.5))
    assert entered(win)[-1] == (AFTER + EIGHTH, 65, EIGHTH, 90)
    assert stack.count() == before + 2
    # Backspace takes back the step (the F4), then the whole chord.
    win.actions.step_back.trigger()
    win.actions.step_back.trigger()
    assert entered(win) == [] and win.transport.position == AFTER


def test_a_chord_is_not_rewritten_after_another_edit(keyboard):
    win, source = keyboard
    play(source, (60, 90, 1.0))
    win.transport.seek(AFTER + BAR)  # the user moved the entry point: a new step there
    play(source, (64, 90, 1.01))
    assert entered(win) == [(AFTER, 60, EIGHTH, 90), (AFTER + BAR, 64, EIGHTH, 90)]


def test_without_a_track_a_letter_a_key_and_record_each_say_so(keyboard):
    win, source = keyboard
    win.selection.set_tracks([])
    no_track = "no track selected: click one in the track list, or add one (Ctrl+T)"
    play(source, (60, 90, 1.0), (60, 0, 1.1))
    assert win.statusBar().currentMessage() == "N" + no_track[1:]
    win.step_entry.enter_note("C")
    assert win.statusBar().currentMessage() == "N" + no_track[1:]
    win.actions.step_entry.trigger()  # off
    win.actions.record.trigger()
    assert win.statusBar().currentMessage() == f"Record: {no_track}"
    assert not win.recorder.recording


def test_notes_come_from_the_backends_thread(keyboard, qtbot):
    win, source = keyboard
    port = source.port
    thread = threading.Thread(target=lambda: port.play(72, 64, 1.0))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: entered(win) == [(AFTER, 72, EIGHTH, 64)], timeout=2000)


def test_keys_outside_step_entry_or_while_playing_write_nothing(keyboard, monkeypatch):
    from studio.transport import Transport

    win, source = keyboard
    win.actions.step_entry.trigger()  # off
    play(source, (60, 90, 1.0), (60, 0, 1.1))
    assert entered(win) == []
    assert "press N (step entry)" in win.statusBar().currentMessage()
    win.actions.step_entry.trigger()
    monkeypatch.setattr(Transport, "is_playing", property(lambda self: True))
    play(source, (62, 90, 2.0), (62, 0, 2.1))
    assert entered(win) == [] and "stop playback first" in win.statusBar().currentMessage()


def test_a_key_on_a_drum_track_is_the_drum_it_plays(keyboard):
    win, source = keyboard
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    play(source, (36, 120, 1.0), (42, 70, 1.01))
    assert entered(win, track=2) == [(AFTER, 36, EIGHTH, 120), (AFTER, 42, EIGHTH, 70)]
    assert win.document.undo_stack.undoText() == "Enter Bass Drum 1, Closed Hi-Hat"


# -- recording (Shift+R) ---------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def counting_in(keyboard, monkeypatch):
    """The keyboard's window with step entry off and a transport that "plays" without audio:
    the test moves its frames (``frame``, ``count_in_frame``) and the clock. Count-in: as
    chosen (1 bar unless a test chooses)."""
    from engine.render.clicks import count_in_clicks
    from studio.transport import Transport

    win, source = keyboard
    win.actions.step_entry.trigger()
    played = {}

    def play(self, until=0, count_in=0):
        played["until"], played["metronome"], played["count_in"] = (until, self.metronome,
                                                                   count_in)
        self.play_start = self.position
        self.counting_in = count_in > 0
        self.lead_in = count_in_clicks(self.document.song, self.position, count_in) \
            if count_in else None
        self._pending = True  # is_playing, as while the first bar renders
        self.playingChanged.emit(True)

    monkeypatch.setattr(Transport, "play", play)
    clock = Clock()
    win.recorder.now = clock
    return win, source, clock, played


@pytest.fixture
def recording(counting_in):
    """:func:`counting_in` with the count-in off: recording starts at once."""
    choose_count_in(counting_in[0], 0)
    return counting_in


def choose_count_in(win, bars: int) -> None:
    """*Transport ▸ Count-in*: Off, 1 Bar or 2 Bars."""
    (action,) = [a for a in win.count_in_menu.actions() if a.data() == bars]
    action.trigger()


def frame(win, clock, tick: int, t: float) -> None:
    """The playhead's frame at ``tick``, at clock time ``t`` (the count-in over)."""
    clock.t = t
    tr = win.transport
    tr.position, tr.counting_in, tr.count_in_left = tick, False, 0.0
    tr.positionChanged.emit(tick)


def count_in_frame(win, clock, left: float, t: float) -> None:
    """A frame of the count-in at clock time ``t``, ``left`` seconds of it to play: the
    playhead waits where recording starts."""
    clock.t = t
    tr = win.transport
    tr.count_in_left = left
    tr.positionChanged.emit(tr.play_start)


SEC = 800  # ticks a second: 100 BPM at 480 PPQ


def test_record_writes_the_notes_played_in_time_as_one_undo_step(recording):
    win, source, clock, played = recording
    stack = win.document.undo_stack
    before = stack.count()
    assert not win.actions.metronome.isChecked()
    win.actions.record.trigger()  # Shift+R
    assert win.recorder.recording and win.actions.record.isChecked()
    assert win.transport.is_playing and played["metronome"]  # with the click
    assert played["until"] > AFTER  # on past the song's end (it ends at bar 3)
    assert "Recording into Piano" in win.statusBar().currentMessage()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5), (64, 70, 100.5), (60, 0, 101.0))
    frame(win, clock, AFTER + 2 * SEC, 102.0)  # the clock goes on from the last frame
    play(source, (64, 0, 102.25), (67, 110, 102.5))
    assert entered(win) == []  # nothing written while recording
    clock.t = 103.0
    win.actions.record.trigger()  # stop: G4 is still held, it ends here
    assert not win.recorder.recording and not win.actions.record.isChecked()
    assert not win.transport.is_playing and not win.transport.metronome
    assert entered(win) == [(AFTER + 400, 60, 400, 90), (AFTER + 400, 64, 1400, 70),
                            (AFTER + 2000, 67, 400, 110)]
    assert stack.count() == before + 1 and stack.undoText() == "Record 3 notes"
    assert len(win.selection) == 3
    assert win.statusBar().currentMessage().startswith("Recorded 3 notes into Piano")
    win.actions.undo.trigger()
    assert entered(win) == []


def test_recording_into_a_track_with_no_name_calls_it_by_its_number(recording):
    # Imported MIDI often has blank track names: "Recorded 16 notes into  (Ctrl+Z…)".
    win, source, clock, _ = recording
    win.document.apply(set_track_props(win.document.song, piano(win).id, "Rename", name=""))
    win.actions.record.trigger()
    assert win.statusBar().currentMessage().startswith("Recording into track 1 from ")
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5), (60, 0, 101.0))
    clock.t = 101.5
    win.actions.record.trigger()
    assert win.statusBar().currentMessage().startswith("Recorded 1 note into track 1 (")


def test_space_stops_a_recording_and_a_loop_merges_its_passes(recording):
    win, source, clock, _ = recording
    win.transport.set_loop(AFTER, AFTER + BAR, True)
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (62, 80, 101.0))  # held across the loop's end
    frame(win, clock, AFTER + BAR - 100, 102.275)
    frame(win, clock, AFTER + 20, 102.4)  # round again
    play(source, (62, 0, 102.5), (65, 80, 102.6), (65, 0, 102.85))
    win.actions.play.trigger()  # Space
    assert not win.recorder.recording
    assert entered(win) == [(AFTER + 180, 65, 200, 80), (AFTER + 800, 62, BAR - 800, 80)]


def test_a_key_struck_just_after_the_loop_goes_round_lands_at_the_loops_start(recording):
    win, source, clock, _ = recording
    win.transport.set_loop(AFTER, AFTER + BAR, True)
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (62, 80, 101.0))  # held across the loop's end
    frame(win, clock, AFTER + BAR - 40, 102.35)  # the last frame before the wrap (at 102.4)
    # Keys played after the wrap, before the frame that shows it: timed from the loop's
    # start, in the next pass (D4's release there ends it at the loop's end).
    play(source, (62, 0, 102.42), (65, 90, 102.45), (67, 70, 102.5), (65, 0, 102.55))
    frame(win, clock, AFTER + 160, 102.6)  # round again: G4, struck in this pass, goes on
    play(source, (67, 0, 102.7))
    win.actions.play.trigger()
    assert entered(win) == [(AFTER + 40, 65, 80, 90), (AFTER + 80, 67, 160, 70),
                            (AFTER + 800, 62, BAR - 800, 80)]


def choose_loop_recording(win, mode: str) -> None:
    """*Tools ▸ MIDI Input ▸ Loop Recording*: "merge" or "takes"."""
    (action,) = [a for a in win.midi.loop_menu.actions() if a.data() == mode]
    action.trigger()


def bar_1(win) -> list[tuple[int, int, int, int]]:
    return sorted(n.key() for n in piano(win).notes if n.start < BAR)


ORIGINAL_BAR_1 = [(0, 60, Q, 90), (Q, 62, Q, 90), (2 * Q, 64, Q, 90), (3 * Q, 65, Q, 90)]


def test_loop_recording_can_keep_each_pass_as_a_take_on_the_takes_bar(recording, tmp_path):
    """Pianist QA: a loop recording merged every pass into one take. With *Keep Each Pass
    as a Take* each pass is a take of the track over the loop, replacing what it has there
    — the last first and on screen — auditioned and decided as the model's takes are."""
    from studio.settings import Settings

    win, source, clock, _ = recording
    assert win.settings.loop_recording() == "merge"  # the default: as before
    choose_loop_recording(win, "takes")
    assert Settings(tmp_path / "settings.ini").loop_recording() == "takes"  # kept
    assert win.midi.loop_menu.menuAction() in win.midi.menu.actions()
    stack = win.document.undo_stack
    before = stack.count()
    win.transport.seek(0)
    win.transport.set_loop(0, BAR, True)  # over the piano's first bar: C4 D4 E4 F4
    win.actions.record.trigger()
    frame(win, clock, 0, 100.0)
    pedal(source, (127, 100.1))  # pass 1: pedalled
    play(source, (67, 90, 100.5), (67, 0, 101.0))  # G4 at 400
    frame(win, clock, BAR - 100, 102.275)
    frame(win, clock, 20, 102.4)  # round again: pass 2, the pedal still down
    pedal(source, (0, 102.45))
    play(source, (69, 80, 102.5), (69, 0, 102.75))  # A4 at 100
    frame(win, clock, BAR - 100, 104.675)
    frame(win, clock, 20, 104.8)  # round again: pass 3, stopped in it
    play(source, (71, 70, 104.9), (71, 0, 105.0))  # B4 at 100
    clock.t = 105.2
    win.actions.record.trigger()
    assert bar_1(win) == ORIGINAL_BAR_1 and stack.count() == before  # nothing written
    co = win.composer
    take_set = co.active_set()
    assert [co.take_name(t) for t in take_set.pending()] == ["Pass 3", "Pass 2", "Pass 1"]
    assert co.take_name(co.preview_take()) == "Pass 3"  # the last pass on screen
    assert [b.text() for b in win.takes_bar.buttons] == ["Pass 3", "Pass 2", "Pass 1"]
    assert win.takes_bar.buttons[0].isChecked()
    assert "Recorded 3 passes into Piano as takes — Pass 3 on screen" in \
        win.statusBar().currentMessage()
    (notes,) = co.preview_take().notes.values()
    assert [n.key() for n in notes] == [(100, 71, 80, 70)]
    win.actions.next_take.trigger()  # ] : the pass before
    assert co.take_name(co.preview_take()) == "Pass 2"
    assert win.statusBar().currentMessage().startswith("Pass 2 on screen (1 note)")
    win.actions.original_take.trigger()  # 0: the song as it is
    assert co.original_shown()
    win.actions.next_take.trigger()
    assert co.take_name(co.preview_take()) == "Pass 3"
    win.actions.prev_take.trigger()  # [ : back to the Original, then the first pass
    win.actions.prev_take.trigger()
    assert co.take_name(co.preview_take()) == "Pass 1"
    heard = co.audition_song(co.preview_take())  # Space hears it in the song
    assert heard is not None and heard[1] == 0
    assert sorted(n.key() for n in heard[0].tracks[0].notes if n.start < BAR) == [
        (400, 67, 400, 90)]
    assert co.accept()  # Enter: one undo step, the bar is the pass, its pedal with it
    assert bar_1(win) == [(400, 67, 400, 90)]
    assert stack.count() == before + 1 and stack.undoText() == "Accept Pass 1 (Record)"
    assert [(c.tick, c.value) for c in piano(win).controls] == [(80, 127), (BAR, 0)]
    assert co.active_set() is None  # decided: the bar closes
    undo(win)
    assert bar_1(win) == ORIGINAL_BAR_1 and piano(win).controls == ()
    assert co.take_name(co.preview_take()) == "Pass 1"  # back on screen
    assert win.statusBar().currentMessage().startswith("Pass 1 is back on screen")
    win.actions.prev_take.trigger()  # Pass 2: the pedal down as it began, up at 60
    co.accept()
    assert bar_1(win) == [(100, 69, 200, 80)]
    assert [(c.tick, c.value) for c in piano(win).controls] == [(0, 127), (60, 0)]


def test_keeping_passes_as_takes_a_recording_that_never_went_round_is_written(recording):
    win, source, clock, _ = recording
    choose_loop_recording(win, "takes")
    win.transport.set_loop(AFTER, AFTER + BAR, True)
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5), (60, 0, 101.0))
    clock.t = 101.5
    win.actions.record.trigger()
    assert entered(win) == [(AFTER + 400, 60, 400, 90)]
    assert win.document.undo_stack.undoText() == "Record 1 note"
    assert win.composer.active_set() is None


def test_a_pass_with_no_notes_is_no_take_and_reject_drops_one(recording):
    win, source, clock, _ = recording
    choose_loop_recording(win, "takes")
    win.transport.set_loop(AFTER, AFTER + BAR, True)
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5), (60, 0, 101.0))
    frame(win, clock, AFTER + BAR - 100, 102.275)
    frame(win, clock, AFTER + 20, 102.4)  # pass 2: nothing played
    frame(win, clock, AFTER + BAR - 100, 104.675)
    frame(win, clock, AFTER + 20, 104.8)  # pass 3
    play(source, (62, 90, 104.9), (62, 0, 105.0))
    win.actions.play.trigger()  # Space stops
    co = win.composer
    assert [co.take_name(t) for t in co.active_set().pending()] == ["Pass 3", "Pass 1"]
    assert co.reject()  # Del
    assert win.statusBar().currentMessage().startswith("Rejected pass 3")
    assert [co.take_name(t) for t in co.active_set().pending()] == ["Pass 1"]
    assert entered(win) == []


def test_a_recording_over_notes_of_the_same_pitch_never_overlaps_them(recording):
    win, source, clock, _ = recording
    win.transport.seek(0)
    win.transport.set_loop(0, BAR, True)  # over the piano's first bar: C4 D4 E4 F4
    win.actions.record.trigger()
    frame(win, clock, 0, 100.0)
    play(source, (62, 90, 100.5), (62, 0, 101.0))  # D4 at 400-800, over the D4 at 480
    frame(win, clock, BAR - 100, 102.275)
    frame(win, clock, 20, 102.4)  # round again
    play(source, (60, 80, 102.5), (60, 0, 102.55))  # inside the C4 at 0-480: cuts it
    play(source, (62, 70, 102.6), (62, 0, 103.0))  # D4 again: the first pass's is replaced
    win.actions.record.trigger()
    bar_1 = sorted(n.key() for n in piano(win).notes if n.start < BAR)
    assert bar_1 == [(0, 60, 100, 90), (100, 60, 40, 80), (180, 62, 320, 70),
                     (960, 64, Q, 90), (1440, 65, Q, 90)]
    assert win.document.undo_stack.undoText() == "Record 2 notes"
    undo(win)
    assert [(n.start, n.pitch) for n in piano(win).notes if n.start < BAR] == [
        (0, 60), (Q, 62), (2 * Q, 64), (3 * Q, 65)]


def test_a_key_recorded_a_hair_after_the_note_it_plays_again_replaces_it(recording):
    """Pianist QA: looping over the piano's C4 on beat 1 and recording C4 on beat 1, landing
    at tick 7 (9 ms late), cut the old C4 to a 7-tick note: a flam, a click. A note of the
    pitch starting up to 30 ms (or a 32nd, if shorter) before the recorded one is replaced."""
    win, source, clock, _ = recording
    win.transport.seek(0)
    win.transport.set_loop(0, BAR, True)  # over the piano's first bar: C4 D4 E4 F4
    win.actions.record.trigger()
    frame(win, clock, 0, 100.0)
    play(source, (60, 90, 100.00875), (60, 0, 100.3))  # C4 at tick 7
    play(source, (62, 90, 100.65), (62, 0, 100.9))  # D4 40 ms after the D4 at 480: cuts it
    win.actions.record.trigger()
    bar_1 = sorted(n.key() for n in piano(win).notes if n.start < BAR)
    assert bar_1 == [(7, 60, 233, 90), (Q, 62, 40, 90), (Q + 40, 62, 200, 90),
                     (960, 64, Q, 90), (1440, 65, Q, 90)]
    undo(win)
    assert [(n.start, n.pitch) for n in piano(win).notes if n.start < BAR] == [
        (0, 60), (Q, 62), (2 * Q, 64), (3 * Q, 65)]


def test_a_keyboard_unplugged_while_recording_ends_its_keys_and_reconnects(recording):
    """Pianist QA: unplugged mid-recording, the recording went on with no input and the
    status bar kept showing the device; a key held at the unplug was written to the stop
    (1362 ticks). The ports are asked for every 2 s while one is open: the one gone ends
    its keys there, is said, and is opened again when it is back; the take goes on."""
    win, source, clock, _ = recording
    midi = win.midi
    midi.input.now = clock
    assert midi.poll_timer.isActive() and midi.poll_timer.interval() == 2000
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5))  # held when the cable comes out
    port = source.port
    source.ports.remove(KEYSTATION)
    clock.t = 101.0
    midi.poll_timer.timeout.emit()  # (its 2 s)
    assert port.closed and midi.input.device is None and midi.input.held == set()
    assert win.recorder.recording and win.recorder.held == {}
    assert win.status_midi.text() == "⚠ Keystation 49 disconnected"
    assert win.statusBar().currentMessage() == (
        "Keystation 49 disconnected — recording goes on: plug it in again and it reconnects")
    assert midi.poll_timer.isActive()  # awaited
    frame(win, clock, AFTER + 1200, 101.5)
    midi.poll_timer.timeout.emit()  # not back yet
    assert midi.input.device is None
    again = "Keystation 49:Keystation 49 MIDI 1 24:0"  # another ALSA client number
    source.ports.append(again)
    clock.t = 101.8
    midi.poll_timer.timeout.emit()
    assert midi.input.device == again and win.status_midi.text() == "🎹 Keystation 49"
    assert win.statusBar().currentMessage() == "Keystation 49 reconnected"
    play(source, (64, 80, 102.5), (64, 0, 103.0))
    clock.t = 103.5
    win.actions.record.trigger()
    assert entered(win) == [(AFTER + 400, 60, 400, 90), (AFTER + 2000, 64, 400, 80)]
    assert win.document.undo_stack.undoText() == "Record 2 notes"
    midi.choose(None)  # None: not awaited or asked for any more
    assert not midi.poll_timer.isActive() and midi.input.lost is None


def test_a_keyboard_unplugged_idle_is_said_and_none_stops_awaiting_it(keyboard):
    win, source = keyboard
    midi = win.midi
    source.ports.remove(KEYSTATION)
    midi.poll_timer.timeout.emit()
    assert win.status_midi.text() == "⚠ Keystation 49 disconnected"
    assert midi.input.status_line.startswith("No MIDI input: “Keystation 49")
    win.actions.midi_refresh.trigger()  # still awaited, not "no MIDI devices found"
    assert win.status_midi.text() == "⚠ Keystation 49 disconnected"
    source.ports.append(KEYSTATION)
    win.actions.midi_refresh.trigger()  # Refresh finds it at once too
    assert midi.input.device == KEYSTATION and win.status_midi.text() == "🎹 Keystation 49"


def test_the_pitch_wheel_and_modulation_wheel_are_recorded_beside_the_tracks_own(recording):
    """Pianist QA: only the sustain pedal was recorded, and recording it replaced every
    controller of the track over the take's span — a volume swell drawn there was wiped.
    Now the pitch wheel and the controllers played (the modulation wheel) are recorded
    too, each replacing only its own events there; a patch's bank select is not music."""
    win, source, clock, _ = recording
    swell = (ControlEvent(AFTER, "control_change", 7, 60),
             ControlEvent(AFTER + 480, "control_change", 7, 100))
    win.document.apply(set_track_props(win.document.song, piano(win).id, "Draw",
                                       controls=swell))
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.1))
    move(source, (PITCH_BEND, 4096, 100.25),  # a bend up, 0.15 s in: 120 ticks
         (PITCH_BEND, 0, 100.5),  # and back
         (1, 64, 100.5),  # vibrato from the modulation wheel
         (0, 1, 100.55))  # bank select: setting up a sound, not recorded
    play(source, (60, 0, 100.75))
    clock.t = 101.0
    win.actions.record.trigger()
    assert entered(win) == [(AFTER + 80, 60, 520, 90)]
    assert [(c.tick, c.kind, c.number, c.value) for c in piano(win).controls] == [
        (AFTER, "control_change", 7, 60),  # the swell, kept
        (AFTER + 200, "pitchwheel", 0, 4096),
        (AFTER + 400, "control_change", 1, 64), (AFTER + 400, "pitchwheel", 0, 0),
        (AFTER + 480, "control_change", 7, 100),
        (AFTER + 800, "control_change", 1, 0)]  # the wheel down again after the take
    undo(win)
    assert piano(win).controls == swell


def test_a_pass_of_the_wheels_alone_is_recorded(recording):
    """Producer QA: a mod-wheel sweep over a pad, no key played, was thrown away ("no notes
    were played"): a DAW keeps a controller-only overdub. One undo step, said."""
    win, source, clock, _ = recording
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    move(source, (1, 20, 100.1), (1, 90, 100.5), (PITCH_BEND, 3000, 100.6),
         (PITCH_BEND, 0, 100.75))
    clock.t = 101.0
    win.actions.record.trigger()
    assert entered(win) == []
    assert [(c.tick, c.kind, c.number, c.value) for c in piano(win).controls] == [
        (AFTER + 80, "control_change", 1, 20), (AFTER + 400, "control_change", 1, 90),
        (AFTER + 480, "pitchwheel", 0, 3000), (AFTER + 600, "pitchwheel", 0, 0),
        (AFTER + 800, "control_change", 1, 0)]  # the wheel down again after the pass
    assert win.statusBar().currentMessage().startswith(
        "Recorded the mod wheel and the pitch wheel into Piano, no notes played")
    assert win.document.undo_stack.undoText() == "Record the mod wheel and the pitch wheel"
    undo(win)
    assert piano(win).controls == ()


def test_the_sustain_pedal_is_recorded_into_the_tracks_controllers(recording):
    """Pianist QA: the sustain pedal (CC64) was ignored when recording. Its moves are
    written into the track's controllers at the times played, so the passage plays back
    pedalled (the renderer bakes them into the notes), with the notes as one undo step; a
    pedal still down at the stop comes up there. While it is down, a key let go sounds on
    in the monitor."""
    from engine.render.progressive import bake_sustain

    win, source, clock, _ = recording
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    pedal(source, (127, 100.3))
    play(source, (60, 90, 100.5), (60, 0, 100.7))
    assert 60 in win.midi.sounding  # let go under the pedal: heard on
    play(source, (64, 80, 100.8), (64, 0, 101.0))
    pedal(source, (0, 101.5))
    assert win.midi.sounding == set()
    pedal(source, (127, 101.6))  # down again, still down at the stop
    clock.t = 102.0
    win.actions.record.trigger()
    assert entered(win) == [(AFTER + 400, 60, 160, 90), (AFTER + 640, 64, 160, 80)]
    track = piano(win)
    assert [(c.tick, c.kind, c.number, c.value) for c in track.controls] == [
        (AFTER + 240, "control_change", 64, 127), (AFTER + 1200, "control_change", 64, 0),
        (AFTER + 1280, "control_change", 64, 127), (AFTER + 1600, "control_change", 64, 0)]
    baked = bake_sustain(win.document.song).tracks[0]
    assert sorted((n.start, n.duration) for n in baked.notes if n.start >= AFTER) == [
        (AFTER + 400, 800), (AFTER + 640, 560)]  # held to the pedal's lift
    assert win.document.undo_stack.undoText() == "Record 2 notes"
    undo(win)
    assert entered(win) == [] and piano(win).controls == ()


@pytest.mark.parametrize("leave", ["close", "open", "new"])
def test_closing_or_replacing_the_song_while_recording_writes_the_take_and_asks(
        recording, dialogs, song_file, leave):
    win, source, clock, _ = recording
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5))  # still held
    clock.t = 101.0
    if leave == "close":
        win.close()
    elif leave == "open":
        assert not win.open_path(song_file)
    else:
        win.new_file()
    # The take is written first, so it is the unsaved work "Save changes?" asks about
    # (Cancel here): nothing is lost unasked.
    assert not win.recorder.recording and not win.transport.is_playing
    assert dialogs.names() == ["ask_save_changes"]
    assert win.isVisible() and win.document.is_modified
    assert entered(win) == [(AFTER + 400, 60, 400, 90)]


def test_a_take_is_never_written_into_a_song_that_replaced_its_own(recording):
    win, source, clock, _ = recording
    song = win.document.song
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5), (60, 0, 101.0))
    # Replaced without asking (a script): the same tracks, ids and all, as a project
    # opened again has them.
    win.set_song(song)
    assert not win.recorder.recording
    assert entered(win) == [] and win.document.undo_stack.count() == 0
    assert win.statusBar().currentMessage() == (
        "Recording stopped: the song it was recorded into was closed, the notes played are "
        "lost")


def test_a_click_on_the_ruler_ends_the_recording_and_playback_stops_there(recording):
    win, source, clock, _ = recording
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    play(source, (60, 90, 100.5))  # still held
    clock.t = 101.0
    win.pianoroll.ruler.seekRequested.emit(BAR)  # a punch-out, not a jump in the take
    tr = win.transport
    assert not win.recorder.recording and not win.actions.record.isChecked()
    assert not tr.is_playing and tr.position == BAR and not tr.metronome
    assert entered(win) == [(AFTER + 400, 60, 400, 90)]
    tr.play()  # an ordinary playback: a seek plays on from the new place
    tr.seek(AFTER)
    assert tr.is_playing and tr.position == AFTER


def test_record_without_a_midi_device_or_audio_says_why(keyboard, dialogs):
    win, _source = keyboard
    win.actions.step_entry.trigger()
    win.actions.record.trigger()  # no audio here (the no_audio fixture)
    assert not win.recorder.recording and not win.actions.record.isChecked()
    assert "no audio output" in win.statusBar().currentMessage()
    assert not win.transport.metronome
    win.midi.choose(None)
    win.actions.record.trigger()
    assert not win.actions.record.isChecked()
    assert win.statusBar().currentMessage().startswith("Record: No MIDI input: turned off")


def test_a_recording_with_no_notes_writes_nothing(recording):
    win, _source, clock, _ = recording
    before = win.document.undo_stack.count()
    win.actions.record.trigger()
    frame(win, clock, AFTER, 100.0)
    win.actions.record.trigger()
    assert win.document.undo_stack.count() == before
    assert win.statusBar().currentMessage() == "Recording stopped: no notes were played"


def test_record_plays_on_past_the_songs_end_with_the_real_transport(keyboard, qtbot,
                                                                    monkeypatch):
    from engine import render
    from engine.render import playback
    from tests.studio.test_transport import FakePlayer  # its position runs 10x real time

    real_make = render.make_synth
    monkeypatch.setattr(playback, "audio_available", lambda: (True, "Audio output: Fake"))
    monkeypatch.setattr(playback, "Player", FakePlayer)
    monkeypatch.setattr(render, "make_synth",
                        lambda sr, *a, **k: real_make(sr, synth="builtin"))
    win, source = keyboard
    tr = win.transport
    win.actions.step_entry.trigger()
    start = AFTER + BAR  # a bar past the song's end
    tr.seek(start)
    win.actions.record.trigger()
    assert win.recorder.recording and tr.metronome
    qtbot.waitUntil(lambda: tr.position > start + BAR, timeout=10000)  # it plays on
    assert tr._job.song.end > start + 8 * BAR
    play(source, (72, 100, win.recorder.now()))
    qtbot.wait(50)
    win.actions.play.trigger()  # Space stops: the held C5 ends there
    notes = entered(win)
    assert len(notes) == 1 and notes[0][1] == 72 and notes[0][0] > start + BAR
    assert tr.position == start and not tr.metronome


def test_shift_r_records_also_from_step_entry_which_it_leaves(recording, qtbot):
    win, _source, _clock, _ = recording
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.actions.step_entry.trigger()  # on: R is its rest, Shift+R still records
    canvas = win.pianoroll.canvas
    QTest.keyClick(canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert win.recorder.recording and not win.step_entry.on
    QTest.keyClick(canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert not win.recorder.recording and not win.transport.is_playing


def test_record_counts_a_bar_in_and_keeps_only_what_is_held_into_the_playhead(counting_in):
    """The default count-in: a bar of the click before the playhead. A key struck in it
    and still held at the playhead starts there (a DAW's capture of a note a hair early);
    one let go in it is dropped: nothing is recorded before the playhead."""
    win, source, clock, played = counting_in
    assert win.settings.count_in_bars() == 1
    assert [a.isChecked() for a in win.count_in_menu.actions()] == [False, True, False]
    win.actions.record.trigger()
    assert played["count_in"] == 1 and played["metronome"]
    assert win.statusBar().currentMessage().startswith(
        "Count-in (1 bar) — recording into Piano from 3.1.000")
    count_in_frame(win, clock, 2.4, 100.0)  # a bar at 100 BPM: the punch-in at 102.4
    assert win.statusBar().currentMessage().startswith("Count-in 1 of 4 — recording into")
    count_in_frame(win, clock, 1.4, 101.0)
    assert win.statusBar().currentMessage().startswith("Count-in 2 of 4")
    assert win.transport.position == AFTER  # the playhead waits where recording starts
    play(source, (64, 80, 101.5), (64, 0, 101.8))  # struck and let go in the count-in
    play(source, (60, 90, 102.2))  # struck a hair early, held on
    count_in_frame(win, clock, 0.1, 102.3)
    frame(win, clock, AFTER + 80, 102.5)  # recording
    assert win.statusBar().currentMessage().startswith("Recording into Piano from 3.1.000")
    play(source, (60, 0, 103.0), (67, 100, 102.9), (67, 0, 103.0))
    win.actions.record.trigger()
    assert entered(win) == [(AFTER, 60, 480, 90), (AFTER + 400, 67, 80, 100)]
    assert win.document.undo_stack.undoText() == "Record 2 notes"


def test_stop_in_the_count_in_records_nothing_and_leaves_no_undo_step(counting_in):
    win, source, clock, _ = counting_in
    stack = win.document.undo_stack
    before = stack.count()
    win.actions.record.trigger()
    count_in_frame(win, clock, 2.0, 100.0)
    play(source, (60, 90, 100.5))  # still held when Space stops
    clock.t = 101.0
    win.actions.play.trigger()  # Space
    assert not win.recorder.recording and not win.transport.is_playing
    assert entered(win) == [] and stack.count() == before
    assert win.transport.position == AFTER
    assert win.statusBar().currentMessage() == (
        "Recording stopped in the count-in: nothing was recorded")


def test_the_count_in_chosen_is_kept_for_the_next_start(counting_in, tmp_path):
    from studio.settings import Settings

    win, _source, clock, played = counting_in
    choose_count_in(win, 2)
    assert Settings(tmp_path / "settings.ini").count_in_bars() == 2  # another session's
    win.actions.record.trigger()
    assert played["count_in"] == 2
    assert win.statusBar().currentMessage().startswith("Count-in (2 bars)")
    count_in_frame(win, clock, 4.8, 100.0)
    assert win.statusBar().currentMessage().startswith("Count-in 1 of 8")
    win.actions.record.trigger()
    choose_count_in(win, 0)
    win.actions.record.trigger()  # off: recording at once, as before
    assert played["count_in"] == 0
    assert win.statusBar().currentMessage().startswith("Recording into Piano")
    win.actions.record.trigger()


def test_a_count_in_leads_into_a_loop_that_goes_round_as_without_one(counting_in):
    win, source, clock, _ = counting_in
    win.transport.set_loop(AFTER, AFTER + BAR, True)
    win.actions.record.trigger()
    count_in_frame(win, clock, 0.5, 99.5)  # the punch-in at 100.0
    play(source, (62, 80, 99.8))  # held from the count-in across the loop's end
    frame(win, clock, AFTER + BAR - 100, 102.275)
    frame(win, clock, AFTER + 20, 102.4)  # round again
    play(source, (62, 0, 102.5), (65, 80, 102.6), (65, 0, 102.85))
    win.actions.play.trigger()
    assert entered(win) == [(AFTER, 62, BAR, 80), (AFTER + 180, 65, 200, 80)]


# -- monitoring: the keys heard as they are played --------------------------------------------
def test_keys_are_heard_live_in_step_entry_and_idle_and_monitor_off_is_silent(
        keyboard, stand_in_output, monkeypatch, tmp_path):  # noqa: F811 (the fixture)
    from studio.settings import Settings
    from tests.engine.render.test_live import MAX_LATENCY_FRAMES, Output

    win, source = keyboard
    previews = []
    monkeypatch.setattr(win.transport, "preview", lambda *a: previews.append(a))
    win.midi.menu.aboutToShow.emit()
    assert win.midi.monitor_action in win.midi.menu.actions() and win.midi.monitoring
    play(source, (60, 100, 0.0))  # step entry: written, and heard as played (no preview)
    assert entered(win) == [(AFTER, 60, EIGHTH, 100)] and previews == []
    (stream,) = stand_in_output
    out = Output(stream)
    assert out.until_heard() <= MAX_LATENCY_FRAMES
    play(source, (60, 0, 0.1))
    out.until_silent()
    win.actions.step_entry.trigger()  # off: a key played idle is heard too
    play(source, (64, 90, 0.2))
    assert out.until_heard() <= MAX_LATENCY_FRAMES
    win.midi.menu.aboutToShow.emit()
    win.midi.monitor_action.trigger()  # Tools ▸ MIDI Input ▸ Monitor off: the key let go
    out.until_silent()
    assert win.settings.midi_monitor() is False
    play(source, (67, 100, 0.3))
    assert not any(out.block().any() for _ in range(40))  # 0.23 s of silence
    play(source, (67, 0, 0.4))
    assert len(stand_in_output) == 1 and previews == []
    win.settings.sync()
    assert Settings(tmp_path / "settings.ini").midi_monitor() is False  # kept for next time


# -- timing on the real player ---------------------------------------------------------------------
@pytest.mark.parametrize("block", [512, 2048])
def test_notes_played_on_the_beat_heard_are_recorded_on_it(
        keyboard, stand_in_output, qtbot, block):  # noqa: F811 (the fixture)
    """Pianist QA: played exactly on the beats heard, notes landed 0 to +12.5 ms late with
    512-frame blocks, +2.5 to +28.8 ms with 2048 (never early): the playhead counted a
    block as heard the moment it was handed over. The real player on a stand-in card with
    20 ms of latency, called back on time; the playhead's frames every 16 ms between (and
whenever its timer fires: on the same clock); a
    key struck when each beat is heard and let go an eighth later: each within 2 ms."""
    win, source = keyboard
    win.actions.step_entry.trigger()  # off
    choose_count_in(win, 0)
    tr = win.transport
    clock = Clock()
    win.recorder.now = tr._player_obj().clock = clock  # the MIDI notes' clock too
    win.actions.record.trigger()
    qtbot.waitUntil(lambda: len(stand_in_output) == 1 and tr._timer.isActive(), timeout=10000)
    (stream,) = stand_in_output
    sr = 44100
    first = tr._frame_of(AFTER)  # the first frame handed over
    t0 = 100.0  # the first callback
    heard = [t0 + (tr._frame_of(AFTER + b * Q + d) - first) / sr + 882 / sr
             for b in range(8) for d in (0, EIGHTH)]  # (882 frames: the 20 ms latency)
    events = [(t0 + k * block / sr, "callback", 0) for k in range(round(2.5 * 2.4 * sr / block))]
    events += [(t0 + 0.007 + i * 0.016, "frame", 0) for i in range(round(2.4 * 2 / 0.016))]
    events += [(t, "key", i) for i, t in enumerate(heard)]
    for t, kind, i in sorted(events):
        clock.t = t
        if kind == "callback":
            stream.callback(np.zeros((block, 2), np.float32), block, None, None)
        elif kind == "frame":
            tr._tick()
        else:
            play(source, (60 + i // 2, 0 if i % 2 else 90, t))
    win.actions.record.trigger()
    notes = entered(win)
    assert len(notes) == 8
    for b, (start, pitch, duration, _v) in enumerate(notes):
        assert pitch == 60 + b
        assert abs(start - (AFTER + b * Q)) <= 1.6, notes  # 2 ms at 800 ticks a second
        assert abs(duration - EIGHTH) <= 1.6, notes
