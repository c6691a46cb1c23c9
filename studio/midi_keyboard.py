"""The MIDI keyboard in the window: *Tools ▸ MIDI Input* (the ports, None, Refresh), the
choice kept in the settings, the status bar's "🎹 Keystation 49" (or "No MIDI input" and
why), and the notes played handed to step entry (:mod:`studio.step_entry`) or to a
recording (:mod:`studio.recording`).

With no choice made yet the first keyboard found is opened (not ALSA's *Midi Through*), as
MuseScore does; a port chosen is reopened at the next start when it is plugged in, and
None keeps every port closed. Refresh (or opening the menu) asks the system again: a
keyboard plugged in since is listed, and the one chosen is opened. While a port is open the
ports are asked for every :data:`POLL_MS`: one unplugged is closed, its keys let go, said in
the status bar, and opened again when it is back (:meth:`MidiInput.poll`).

Every key played is heard as it is played (*Tools ▸ MIDI Input ▸ Monitor*, on unless
turned off): with the current track's instrument, or the recording's track's, idle or over
the song playing (:meth:`studio.transport.Transport.monitor_note_on`), as a DAW monitors
its armed track — a controller keyboard has no sound of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from .elided_label import ElidedLabel
from .midi_input import SUSTAIN, MidiInput, MidiSource
from .recording import loop_recording_menu

if TYPE_CHECKING:
    from .mainwindow import MainWindow

OFF = "turned off (Tools ▸ MIDI Input ▸ None)"
POLL_MS = 2000  # how often the ports are asked for while one is open or awaited
CHOOSE = "Tools ▸ MIDI Input chooses the keyboard"
MIDI_LABEL_MOST = 240  # the status bar's "🎹 Keystation 49": pixels at most


def short_name(port: str) -> str:
    """A port's name for the status bar: ALSA's "Keystation 49:Keystation 49 MIDI 1 20:0"
    is "Keystation 49" (the whole name is in the tooltip and the menu)."""
    return port.split(":", 1)[0].strip() or port


def menu_name(port: str) -> str:
    """A port's name for the menu: ALSA's "Keystation 49:Keystation 49 MIDI 1 20:0" is
    "Keystation 49 MIDI 1" (the port, without ALSA's client:port numbers, which change;
    the whole name is the item's status tip)."""
    _client, sep, rest = port.partition(":")
    shown = re.sub(r"\s+\d+:\d+$", "", rest if sep else port).strip()
    return shown or port


class MidiKeyboard(QObject):
    """The window's MIDI input device and the notes it plays."""

    def __init__(self, window: MainWindow, source: MidiSource | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.input = MidiInput(source, self)
        self.hinted = False  # told once that notes played outside step entry go nowhere
        self.menu = QMenu("MIDI &Input", window)
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._menu_opening)
        self.group = QActionGroup(self)
        self._items: list[QAction] = []  # the menu's None, ports and notice
        self.monitor_action = QAction("&Monitor", self, checkable=True)
        self.monitor_action.setChecked(window.settings.midi_monitor())
        self.monitor_action.setStatusTip(
            "Hear the keys you play with the track's instrument (turn off for a keyboard "
            "with its own sound)")
        self.monitor_action.toggled.connect(self.set_monitoring)
        self.loop_menu = loop_recording_menu(window)  # merge the passes, or a take each
        self.sounding: set[int] = set()  # the keys being heard (let go when turned off)
        # A long port name ends in "…", never widening the window (its tooltip says it).
        self.label = ElidedLabel("", window.statusBar(), most=MIDI_LABEL_MOST)
        self.label.setObjectName("MidiStatus")
        self.input.changed.connect(self._show_status)
        self.input.disconnected.connect(self._disconnected)
        self.input.reconnected.connect(self._reconnected)
        # A keyboard unplugged says nothing: the ports are asked for while one is open
        # (or one unplugged is awaited, to open it again when it is back).
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.input.poll)
        self.input.noteOn.connect(self._note_on)
        self.input.noteOff.connect(self._note_off)
        self.input.controlChanged.connect(self._control)
        window.actions.midi_refresh.triggered.connect(self.refresh)
        self._fill_menu()

    # -- the device -------------------------------------------------------------------------------
    def start(self) -> None:
        """At the window's start: open the port chosen before (or the first keyboard)."""
        self._connect_wanted()
        self._show_status()

    def prepare(self) -> None:
        """Once the window shows (after the transport's :meth:`prepare`): a keyboard open
        and monitored gets its synth made now, not at the first key."""
        if self.input.device is not None and self.monitoring:
            self.window.transport.prepare_monitor()

    @property
    def monitoring(self) -> bool:
        return self.monitor_action.isChecked()

    def set_monitoring(self, on: bool) -> None:
        """Monitor on or off (kept in the settings); off lets go of the keys sounding."""
        self.window.settings.set_midi_monitor(on)
        if self.monitor_action.isChecked() != on:
            self.monitor_action.setChecked(on)
        if not on:
            self.sounding.clear()
            self.window.transport.monitor_all_off()

    def refresh(self) -> None:
        """Refresh: ask for the ports again, open the one wanted, say what is open."""
        self._connect_wanted()
        self._fill_menu()
        self.window.statusBar().showMessage(self.input.status_line, 8000)

    def choose(self, name: str | None) -> None:
        """The user's choice in the menu (None: no MIDI input), kept for the next start."""
        settings = self.window.settings
        self.input.lost = None  # (not awaited any more)
        if name is None:
            settings.set_midi_input("")
            self.input.close(reason=OFF)
        else:
            settings.set_midi_input(name)
            self.input.open(name)
        self._fill_menu()
        self.window.statusBar().showMessage(self.input.status_line, 8000)

    def _connect_wanted(self) -> None:
        midi = self.input
        names = midi.refresh()
        if not midi.available:
            midi.close(reason=None)  # the reason the refresh gave
            return
        wanted = self.window.settings.midi_input()
        if midi.lost is not None and wanted != "":  # unplugged: opened again when back
            back = midi.find(midi.lost)
            if back is not None:
                midi.open(back)
                return
            if wanted is not None or not midi.keyboards():
                return  # still awaited (a keyboard never chosen: another one is opened)
        if wanted == "":
            midi.close(reason=OFF)
        elif wanted is None:  # never chosen: keep the one open, else the first keyboard
            if midi.device not in names:
                keyboards = midi.keyboards()
                if keyboards:
                    midi.open(keyboards[0])
                else:
                    midi.close(reason="no MIDI devices found")
        else:
            port = midi.find(wanted)
            if port is not None:
                midi.open(port)
            else:
                midi.close(reason=f"“{wanted}” is not connected (plug it in, then Tools ▸ "
                                  "MIDI Input ▸ Refresh MIDI Devices)")

    # -- the menu and the status bar --------------------------------------------------------------
    def _menu_opening(self) -> None:
        self._connect_wanted()
        self._fill_menu()

    def _fill_menu(self) -> None:
        menu, midi = self.menu, self.input
        menu.clear()
        for act in self._items:
            self.group.removeAction(act)
            act.deleteLater()
        self._items = []

        def item(text: str, tip: str = "", chosen: bool | None = None) -> QAction:
            act = QAction(text, self)
            if chosen is None:
                act.setEnabled(False)
            else:
                act.setCheckable(True)
                act.setChecked(chosen)
                self.group.addAction(act)
            act.setStatusTip(tip)
            self._items.append(act)
            menu.addAction(act)
            return act

        item("&None", "No MIDI input: keep every MIDI port closed",
             midi.device is None).triggered.connect(lambda: self.choose(None))
        if midi.names:
            menu.addSeparator()
        for name in midi.names:
            item(menu_name(name).replace("&", "&&"), f"Play notes into Partita from {name}",
                 name == midi.device).triggered.connect(
                     lambda _c=False, n=name: self.choose(n))
        if not midi.names:
            item("No MIDI input: " + (midi.reason if not midi.available
                                      else "no MIDI devices found"))
        menu.addSeparator()
        menu.addAction(self.monitor_action)
        menu.addMenu(self.loop_menu)
        menu.addAction(self.window.actions.midi_refresh)

    def _show_status(self) -> None:
        midi, label = self.input, self.label
        if midi.device is not None or midi.lost is not None:
            if not self.poll_timer.isActive():
                self.poll_timer.start()
        else:
            self.poll_timer.stop()
        if midi.device is None and midi.lost is not None:
            label.setText(f"⚠ {short_name(midi.lost)} disconnected")
            label.setStyleSheet("color:#d19a66;")
            label.setToolTip(f"{midi.status_line} — {CHOOSE}")
        elif midi.device is not None:
            label.setText(f"🎹 {short_name(midi.device)}")
            label.setStyleSheet("")
            label.setToolTip(f"{midi.status_line} — in step entry (N) the keys you play "
                             f"enter notes; {CHOOSE}")
        else:
            label.setText("No MIDI input")
            label.setStyleSheet("color:#8b929c;")
            label.setToolTip(f"{midi.status_line} — {CHOOSE}")
        label.setAccessibleName(midi.status_line)

    def _disconnected(self, port: str) -> None:
        """The keyboard went away: its keys were let go (a recording goes on, keeping what
        was played); said until it is back."""
        w = self.window
        name = short_name(port)
        going_on = " — recording goes on" if w.recorder.recording else ""
        w.statusBar().showMessage(f"{name} disconnected{going_on}: plug it in again and it "
                                  "reconnects", 0 if w.recorder.recording else 15000)

    def _reconnected(self, port: str) -> None:
        self._fill_menu()
        self.window.statusBar().showMessage(f"{short_name(port)} reconnected", 8000)

    # -- the notes ---------------------------------------------------------------------------------
    def _note_on(self, pitch: int, velocity: int, seconds: float) -> None:
        w = self.window
        step = w.step_entry
        if self.monitoring:  # heard first: nothing below delays it
            self._monitor(pitch, velocity)
        if w.recorder.recording:
            w.recorder.note_on(pitch, velocity, seconds)
            step.held.add(pitch)
            return
        if not step.on and not self.hinted:
            self.hinted = True
            w.statusBar().showMessage(
                f"{short_name(self.input.device or 'MIDI')}: press N (step entry) to write "
                "the notes you play at the playhead, or Shift+R to record them", 8000)
        step.midi_note_on(pitch, velocity, seconds)

    def _monitor(self, pitch: int, velocity: int) -> None:
        """The key heard with the recording's track's instrument, else the current one's."""
        w = self.window
        tid = w.recorder.track_id if w.recorder.recording else w.pianoroll.current_track_id()
        track = next((t for t in w.document.song.tracks if t.id == tid), None)
        self.sounding.add(pitch)
        w.transport.monitor_note_on(pitch, velocity, track)

    def _control(self, control: int, value: int, seconds: float) -> None:
        """The sustain pedal: recorded, and heard — a key let go while it is down sounds
        on until it comes up."""
        self.window.recorder.control(control, value, seconds)
        if control == SUSTAIN and value < 64:
            for pitch in sorted(self.sounding - self.input.held):
                self.sounding.discard(pitch)
                self.window.transport.monitor_note_off(pitch)

    def _note_off(self, pitch: int, seconds: float) -> None:
        w = self.window
        if pitch in self.sounding and self.input.pedal < 64:
            self.sounding.discard(pitch)
            w.transport.monitor_note_off(pitch)
        w.recorder.note_off(pitch, seconds)
        w.step_entry.midi_note_off(pitch, seconds)

    def shutdown(self) -> None:
        """On close: the port closed, so its thread sends nothing to a window gone."""
        self.input.close(reason=None)
