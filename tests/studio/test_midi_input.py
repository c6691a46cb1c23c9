"""MIDI keyboard input (studio.midi_input, studio.midi_keyboard): the device chosen and
kept, a machine without MIDI, and notes played into step entry — from a fake source, no
hardware."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.io import RecoveryStore
from studio import midi_input
from studio.midi_input import MidiInput, MidoSource, same_port
from studio.step_entry import CHORD_WINDOW_S
from tests.studio.midi_helpers import KEYSTATION, THROUGH, FakeSource, play

Q = 480
BAR = 4 * Q
AFTER = 2 * BAR  # the test song's two bars end here: bar 3 is empty
EIGHTH = Q // 2


def make_window(qtbot, tmp_path, source, song_file=None):
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     midi_source=source)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    if song_file is not None:
        assert win.open_path(song_file)
    return win


@pytest.fixture
def close_all():
    windows = []
    yield windows
    for win in windows:
        win.document.undo_stack.setClean()
        win.document._dirty = False
        win.close()


@pytest.fixture
def keyboard(qtbot, tmp_path, dialogs, no_audio, song_file, close_all):
    """A window with a fake keyboard open, the test song, step entry on at bar 3 of the
    piano track, 1/8 steps."""
    source = FakeSource(THROUGH, KEYSTATION)
    win = make_window(qtbot, tmp_path, source, song_file)
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
    win = make_window(qtbot, tmp_path, None, song_file)
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
    assert texts == ["&None", midi.status_line, "&Refresh MIDI Devices"]
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


def test_the_mido_source_hands_on_notes_only(monkeypatch, tmp_path):
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


@pytest.mark.parametrize("ports", [(), (THROUGH,)])
def test_no_device_plugged_in(qtbot, tmp_path, dialogs, no_audio, close_all, ports):
    win = make_window(qtbot, tmp_path, FakeSource(*ports))
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
    win = make_window(qtbot, tmp_path, source)
    close_all.append(win)
    assert win.midi.input.device == KEYSTATION  # never chosen: the first keyboard
    assert win.status_midi.text() == "🎹 Keystation 49"
    assert win.settings.midi_input() is None
    items = menu_items(win)
    assert list(items) == ["&None", THROUGH, KEYSTATION, "Synth && Co:Synth 24:0",
                           "&Refresh MIDI Devices"]
    assert items[KEYSTATION].isChecked() and not items["&None"].isChecked()
    items["Synth && Co:Synth 24:0"].trigger()
    assert win.midi.input.device == synth and source.opened[0].closed
    assert win.settings.midi_input() == synth
    assert win.statusBar().currentMessage() == f"MIDI input: {synth}"
    assert win.status_midi.text() == "🎹 Synth & Co"
    win.close()

    # The next start reopens it, plugged in again under another ALSA client number.
    again = FakeSource(THROUGH, KEYSTATION, "Synth & Co:Synth 28:0")
    win = make_window(qtbot, tmp_path, again)
    close_all.append(win)
    assert win.midi.input.device == "Synth & Co:Synth 28:0"
    menu_items(win)["&None"].trigger()
    assert win.midi.input.device is None and again.opened[-1].closed
    assert win.settings.midi_input() == ""
    assert win.status_midi.text() == "No MIDI input"
    assert "turned off" in win.midi.input.status_line
    win.close()

    win = make_window(qtbot, tmp_path, FakeSource(KEYSTATION))  # None is kept too
    close_all.append(win)
    assert win.midi.input.device is None and menu_items(win)["&None"].isChecked()


def test_a_chosen_keyboard_unplugged_is_said_and_refresh_opens_it(qtbot, tmp_path, dialogs,
                                                                   no_audio, close_all):
    from studio.settings import Settings

    Settings(tmp_path / "settings.ini").set_midi_input(KEYSTATION)
    source = FakeSource(THROUGH, "Other:Other 30:0")
    win = make_window(qtbot, tmp_path, source)
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
