"""A MIDI source without hardware, for the studio's MIDI input tests."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from studio.midi_input import SUSTAIN, Deliver, DeliverControl, MidiUnavailable

KEYSTATION = "Keystation 49:Keystation 49 MIDI 1 20:0"
THROUGH = "Midi Through:Midi Through Port-0 14:0"


class FakePort:
    def __init__(self, name: str, deliver: Deliver,
                 control: DeliverControl | None = None) -> None:
        self.name = name
        self.deliver = deliver
        self.control = control
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def play(self, pitch: int, velocity: int, seconds: float) -> None:
        """A key struck (velocity 0: released), as the backend's thread reports it."""
        assert not self.closed
        self.deliver(pitch, velocity, seconds)


class FakeSource:
    """Ports by name; ``fail`` makes the system unavailable with that reason."""

    def __init__(self, *ports: str, fail: str | None = None) -> None:
        self.ports = list(ports)
        self.fail = fail
        self.opened: list[FakePort] = []

    def input_names(self) -> list[str]:
        if self.fail:
            raise MidiUnavailable(self.fail)
        return list(self.ports)

    def open(self, name: str, deliver: Deliver,
             control: DeliverControl | None = None) -> FakePort:
        if name not in self.ports:
            raise MidiUnavailable(f"“{name}” cannot be opened: unknown port")
        port = FakePort(name, deliver, control)
        self.opened.append(port)
        return port

    @property
    def port(self) -> FakePort:
        """The port last opened (still open)."""
        assert self.opened and not self.opened[-1].closed
        return self.opened[-1]


def play(source: FakeSource, *events: tuple[int, int, float]) -> None:
    """Keys played on the open port, then the GUI thread's queued signals delivered."""
    for pitch, velocity, seconds in events:
        source.port.play(pitch, velocity, seconds)
    QApplication.processEvents()


def move(source: FakeSource, *events: tuple[int, int, float]) -> None:
    """Controllers moved (controller or PITCH_BEND, value, seconds) on the open port."""
    for control, value, seconds in events:
        port = source.port
        assert port.control is not None
        port.control(control, value, seconds)
    QApplication.processEvents()


def pedal(source: FakeSource, *events: tuple[int, float]) -> None:
    """The sustain pedal moved (value, seconds: 127 down, 0 up) on the open port."""
    for value, seconds in events:
        port = source.port
        assert port.control is not None
        port.control(SUSTAIN, value, seconds)
    QApplication.processEvents()
