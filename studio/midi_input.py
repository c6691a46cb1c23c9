"""MIDI input: notes from a MIDI keyboard, at the studio's edge (``engine/`` never sees it).

A :class:`MidiSource` lists the input ports and opens one; :class:`MidoSource` is the real
one (``mido`` over ``python-rtmidi``: ALSA on Linux, CoreMIDI, Windows MM), and tests give
:class:`MidiInput` a fake of their own. The port's callback runs on the backend's thread:
it hands each note-on / note-off (pitch, velocity, ``time.monotonic()`` seconds),
control change (the sustain pedal's: :data:`SUSTAIN`, the modulation wheel's …) and move
of the pitch wheel (as the controller :data:`PITCH_BEND`) to :class:`MidiInput`, which
re-emits it on the GUI thread through a queued signal.

A machine without MIDI is the common case, not an error: no ALSA sequencer (no
``/dev/snd/seq``: a server, a container), no ``python-rtmidi`` or ``libasound2``, no device
plugged in — each gives one line (:attr:`MidiInput.status_line`, "No MIDI input: no MIDI
devices found"), never an exception, and the studio works as before.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

# (pitch, velocity, seconds) from any thread; velocity 0 is a note-off, as in MIDI.
Deliver = Callable[[int, int, float], None]
# (controller, value, seconds) from any thread: a control change (64: the sustain pedal),
# or the pitch wheel (PITCH_BEND, its value -8192..8191).
DeliverControl = Callable[[int, int, float], None]
SUSTAIN = 64
# Not a controller number (those are 0-127): the pitch wheel, handed on with the control
# changes because it is recorded and restated as they are (a ("pitchwheel", 0) event).
PITCH_BEND = 128

ALSA_SEQ = "/dev/snd/seq"
THROUGH = "Midi Through"  # ALSA's loop-back port: never a keyboard


class MidiUnavailable(Exception):
    """MIDI input cannot be had here; ``str()`` is the reason, to show as it is."""


class MidiPort(Protocol):
    def close(self) -> None: ...


class MidiSource(Protocol):
    """Where MIDI input ports come from (a fake in tests)."""

    def input_names(self) -> list[str]:
        """The input ports now present; :class:`MidiUnavailable` when MIDI cannot work."""
        ...

    def open(self, name: str, deliver: Deliver,
             control: DeliverControl | None = None) -> MidiPort:
        """Open port ``name``; ``deliver`` gets its notes and ``control`` its control
        changes, on any thread, until ``close``; :class:`MidiUnavailable` when it cannot
        be opened."""
        ...


def _reason(error: BaseException) -> str:
    """A backend's error as a line a musician can act on."""
    text = str(error).strip() or type(error).__name__
    if "ALSA sequencer" in text or "MidiInAlsa" in text:
        return "the ALSA sequencer cannot be opened (no sound hardware here?)"
    if "libasound" in text:
        return "libasound2 is not installed (apt-get install libasound2)"
    return text


class MidoSource:
    """Ports through mido's python-rtmidi backend."""

    def __init__(self) -> None:
        self._backend: Any = None

    def _load(self) -> Any:
        if self._backend is not None:
            return self._backend
        if sys.platform.startswith("linux"):
            # Checked before rtmidi is asked: without it, ALSA prints its own error on
            # stderr and rtmidi raises SystemError.
            if not os.path.exists(ALSA_SEQ):
                raise MidiUnavailable(f"no ALSA sequencer ({ALSA_SEQ} is missing: no sound "
                                      "hardware here?)")
            if not os.access(ALSA_SEQ, os.R_OK | os.W_OK):
                raise MidiUnavailable(f"no permission to open {ALSA_SEQ} (is your user in "
                                      "the audio group?)")
        try:
            import mido
            import rtmidi  # noqa: F401 (the backend mido loads: said if it is missing)
        except ImportError as e:
            if "libasound" in str(e):
                raise MidiUnavailable(_reason(e)) from None
            raise MidiUnavailable("python-rtmidi is not installed (pip install "
                                  "'python-rtmidi>=1.5,<2')") from None
        self._backend = mido.Backend("mido.backends.rtmidi", load=True)
        return self._backend

    def input_names(self) -> list[str]:
        backend = self._load()
        try:
            names = backend.get_input_names()
        except Exception as e:  # SystemError from rtmidi's C++ side, OSError …
            raise MidiUnavailable(_reason(e)) from None
        return list(dict.fromkeys(str(n) for n in names))

    def open(self, name: str, deliver: Deliver,
             control: DeliverControl | None = None) -> MidiPort:
        backend = self._load()

        def received(msg: Any) -> None:  # on rtmidi's thread: nothing may escape from here
            try:
                if msg.type == "note_on":
                    deliver(msg.note, msg.velocity, time.monotonic())
                elif msg.type == "note_off":
                    deliver(msg.note, 0, time.monotonic())
                elif msg.type == "control_change" and control is not None:
                    control(msg.control, msg.value, time.monotonic())
                elif msg.type == "pitchwheel" and control is not None:
                    control(PITCH_BEND, msg.pitch, time.monotonic())
            except Exception:  # a bad message is dropped, the port goes on
                pass

        try:
            return backend.open_input(name, callback=received)
        except Exception as e:
            raise MidiUnavailable(f"“{name}” cannot be opened: {_reason(e)}") from None


def default_source() -> MidiSource:
    """The system's MIDI ports (tests put a source without hardware here)."""
    return MidoSource()


def same_port(saved: str, name: str) -> bool:
    """Whether port ``name`` is the device ``saved``: ALSA's client:port numbers at the end
    ("Keystation 49 MIDI 1 20:0") change when it is plugged in again."""
    if saved == name:
        return True
    strip = re.compile(r"\s+\d+:\d+$")
    return strip.sub("", saved) == strip.sub("", name)


class MidiInput(QObject):
    """The open MIDI input port, its notes as signals on the GUI thread, and why there is
    none when there is none."""

    noteOn = Signal(int, int, float)  # pitch, velocity 1–127, time.monotonic() seconds
    noteOff = Signal(int, float)  # pitch, seconds
    changed = Signal()  # the open device or the reason for none changed
    controlChanged = Signal(int, int, float)  # controller (or PITCH_BEND), value, seconds
    disconnected = Signal(str)  # the open port went away (unplugged): its name
    reconnected = Signal(str)  # the port that went away is back, open again: its name
    _received = Signal(int, int, float)  # from the backend's thread
    _received_control = Signal(int, int, float)

    def __init__(self, source: MidiSource | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source: MidiSource = source if source is not None else default_source()
        self.names: list[str] = []  # the ports found by the last refresh
        self.device: str | None = None  # the open port's name
        self.reason = "not looked for yet"  # why no port is open
        self.available = False  # whether the last refresh could ask the system at all
        self._port: MidiPort | None = None
        self.held: set[int] = set()  # the keys down on the open port
        self.pedal = 0  # the sustain pedal's last value on the open port (0: up)
        # Each controller's (and the pitch wheel's) last value on the open port: where a
        # recording starts from.
        self.values: dict[int, int] = {}
        # The port that went away (unplugged), opened again when it is back: poll().
        self.lost: str | None = None
        self.now = time.monotonic  # the clock of the notes' times (tests set it)
        # Queued: the slot runs on this object's (the GUI) thread whoever emits.
        self._received.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._received_control.connect(self._dispatch_control,
                                       Qt.ConnectionType.QueuedConnection)

    @property
    def status_line(self) -> str:
        if self.device is not None:
            return f"MIDI input: {self.device}"
        return f"No MIDI input: {self.reason}"

    def refresh(self) -> list[str]:
        """Ask the system for its input ports again (a keyboard plugged in since)."""
        try:
            self.names = self.source.input_names()
            self.available = True
        except MidiUnavailable as e:
            self.names, self.available = [], False
            self._set_reason(str(e))
        except Exception as e:  # a broken MIDI stack must never take the studio down
            self.names, self.available = [], False
            self._set_reason(_reason(e))
        else:
            if self.device is None and self.lost is None:
                self._set_reason("no MIDI devices found" if not self.names
                                 else "none chosen (Tools ▸ MIDI Input)")
        return self.names

    def find(self, saved: str) -> str | None:
        """The port now present that is the device ``saved`` (None: not plugged in)."""
        return next((n for n in self.names if n == saved), None) or next(
            (n for n in self.names if same_port(saved, n)), None)

    def keyboards(self) -> list[str]:
        """The ports a keyboard may be on (not ALSA's Midi Through loop-back)."""
        return [n for n in self.names if not n.startswith(THROUGH)]

    def open(self, name: str) -> bool:
        """Open port ``name`` (closing the one open); False with :attr:`reason` set when
        it cannot be opened."""
        if name == self.device:
            return True
        self.close(reason=None)
        try:
            self._port = self.source.open(name, self._deliver, self._deliver_control)
        except MidiUnavailable as e:
            self._set_reason(str(e))
            return False
        except Exception as e:
            self._set_reason(f"“{name}” cannot be opened: {_reason(e)}")
            return False
        self.device, self.lost = name, None
        self.changed.emit()
        return True

    def poll(self) -> None:
        """Ask the system whether the open port is still there (a keyboard unplugged
        leaves its port open and silent: nothing else tells), and whether the one that
        went away is back. Gone: its keys held are let go now, it is closed and
        :attr:`disconnected` says so; back (under ALSA maybe with another client number):
        opened again and :attr:`reconnected` says so."""
        if self.device is None and self.lost is None:
            return
        try:
            names = self.source.input_names()
        except Exception:  # the system cannot be asked just now: nothing is concluded
            return
        gone = self.device
        if gone is not None:
            if gone in names:
                return
            at = self.now()
            for pitch in sorted(self.held):  # ended where the keyboard went, not at a stop
                self.noteOff.emit(pitch, at)
            self.held.clear()
            if self.pedal:  # a pedal down is let up there too
                self.pedal = 0
                self.controlChanged.emit(SUSTAIN, 0, at)
            if self.values.get(PITCH_BEND):  # and a bend held, centred
                self.controlChanged.emit(PITCH_BEND, 0, at)
            self.lost = gone
            self.close(reason=f"“{gone}” was disconnected (plug it in again: it reconnects)")
            self.disconnected.emit(gone)
        self.names = names
        back = self.find(self.lost) if self.lost is not None else None
        if back is not None:
            self.open(back)
            if self.device == back:
                self.reconnected.emit(back)

    def close(self, reason: str | None = "none chosen (Tools ▸ MIDI Input)") -> None:
        """Close the open port (its callback stops before this returns)."""
        port, self._port = self._port, None
        was = self.device
        self.device = None
        self.held.clear()
        self.pedal = 0
        self.values.clear()
        if port is not None:
            with contextlib.suppress(Exception):  # a port gone with its device: closed
                port.close()
        if reason is not None:
            self._set_reason(reason)
        elif was is not None:
            self.changed.emit()

    def _set_reason(self, reason: str) -> None:
        if reason != self.reason or self.device is not None:
            self.reason = reason
            self.changed.emit()

    def _deliver(self, pitch: int, velocity: int, seconds: float) -> None:
        """Called by the port on the backend's thread."""
        self._received.emit(int(pitch), int(velocity), float(seconds))

    def _deliver_control(self, control: int, value: int, seconds: float) -> None:
        """Called by the port on the backend's thread."""
        self._received_control.emit(int(control), int(value), float(seconds))

    def _dispatch_control(self, control: int, value: int, seconds: float) -> None:
        if self._port is None or not ((0 <= control <= 127 and 0 <= value <= 127) or
                                      (control == PITCH_BEND and -8192 <= value <= 8191)):
            return
        if control == SUSTAIN:
            self.pedal = value
        self.values[control] = value
        self.controlChanged.emit(control, value, seconds)

    def _dispatch(self, pitch: int, velocity: int, seconds: float) -> None:
        if self._port is None or not 0 <= pitch <= 127:
            return  # a note already queued when the port was closed
        if velocity > 0:
            self.held.add(pitch)
            self.noteOn.emit(pitch, min(velocity, 127), seconds)
        else:
            self.held.discard(pitch)
            self.noteOff.emit(pitch, seconds)
