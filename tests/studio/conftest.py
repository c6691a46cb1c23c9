"""Fixtures for the studio tests: an isolated main window, a small song, stubbed dialogs.

Every modal dialog is replaced by a recorder (a real one would block an offscreen
test run); tests that care set the answer they want in ``dialog_answers``.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine.io import RecoveryStore, save_song
from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track


def make_song() -> Song:
    """Two bars of piano and bass plus a drum track, 480 PPQ, 100 BPM."""
    q = 480
    piano = Track(name="Piano", program=0, channel=0, colour="#61afef", notes=tuple(
        Note(p, i * q, q, 90) for i, p in enumerate((60, 62, 64, 65, 67, 69, 71, 72))))
    bass = Track(name="Bass", program=33, channel=1, colour="#98c379",
                 notes=(Note(36, 0, 4 * q, 100), Note(43, 4 * q, 4 * q, 100)))
    drums = Track(name="Drums", is_drum=True, channel=DRUM_CHANNEL, colour="#e06c75",
                  notes=tuple(Note(36 if i % 2 == 0 else 38, i * q, q // 4, 110)
                              for i in range(8)))
    return Song(tracks=(piano, bass, drums), ppq=q, tempos=(TempoChange(0, 600_000),),
                title="Test song")


class Dialogs:
    """Records dialog calls and returns canned answers."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.answers: dict[str, object] = {"ask_save_changes": "cancel",
                                           "ask_recover": ("later", None),
                                           "ask_discard_takes": "discard",
                                           "ask_overwrite_changed": "cancel",
                                           "ask_save_over_midi": "cancel",
                                           # File ▸ New's dialog accepted as it opened
                                           "ask_new_song": lambda parent, setup: setup}

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def make(self, name: str):
        def fn(*args):
            self.calls.append((name, args[1:]))
            answer = self.answers.get(name)
            return answer(*args) if callable(answer) else answer
        return fn


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    from studio import dialogs as module

    rec = Dialogs()
    for name in module.__all__:
        monkeypatch.setattr(module, name, rec.make(name))
    return rec


@pytest.fixture(autouse=True)
def thawed_heap():
    """The window freezes what is alive after a song loads (studio.heap); across a test
    run that would keep every earlier test's leftovers from the collector."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def no_midi_hardware(monkeypatch):
    """Windows see no MIDI port unless a test gives them one (a keyboard plugged into the
    machine running the tests stays out of them); tests of the real source pass it."""
    from studio import midi_input
    from tests.studio.midi_helpers import FakeSource

    monkeypatch.setattr(midi_input, "default_source", FakeSource)


@pytest.fixture
def no_audio(monkeypatch):
    from engine.render import playback

    monkeypatch.setattr(playback, "audio_available",
                        lambda: (False, "No audio output device found: test machine"))


@pytest.fixture
def song_file(tmp_path) -> Path:
    path = tmp_path / "song.mid"
    save_song(make_song(), path)
    return path


@pytest.fixture
def window(qtbot, tmp_path, dialogs, no_audio):
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.document.undo_stack.setClean()
    win.document._dirty = False
    win.close()


@pytest.fixture
def opened(window, song_file):
    assert window.open_path(song_file)
    return window


class UI:
    """Mouse helpers: press / drag on the piano-roll canvas at musical coordinates."""

    @staticmethod
    def point(win, tick: float, pitch: int, dx: float = 4) -> QPoint:
        """Screen point inside ``pitch``'s row, ``dx`` pixels right of ``tick``."""
        vp = win.pianoroll.viewport
        return QPoint(round(vp.tick_to_x(tick) + dx), round(vp.pitch_to_y(pitch) + vp.key_h / 2))

    @staticmethod
    def click(win, tick: float, pitch: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.mouseClick(win.pianoroll.canvas, Qt.MouseButton.LeftButton, modifier,
                         UI.point(win, tick, pitch))

    @staticmethod
    def drag(win, start: QPoint, end: QPoint,
             modifier=Qt.KeyboardModifier.NoModifier) -> None:
        canvas = win.pianoroll.canvas
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, modifier, start)
        steps = 4
        for i in range(1, steps + 1):
            p = start + (end - start) * i / steps
            QTest.mouseMove(canvas, QPoint(round(p.x()), round(p.y())))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, modifier, end)

    @staticmethod
    def show_all(win) -> None:
        """Zoom so the test song's first bars and pitches 30..80 are on screen."""
        roll = win.pianoroll
        roll.viewport.fit_ticks(0, 4 * 4 * 480)
        roll.viewport.key_h = 8
        roll.viewport.set_top(0)
        roll.viewport.center_on_pitches(34, 76)


@pytest.fixture
def focused(opened, qtbot, ui):
    """The opened window active, its piano roll holding the focus (real key presses)."""
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow, timeout=2000)
    opened.pianoroll.canvas.setFocus()
    ui.show_all(opened)
    return opened


@pytest.fixture
def ui() -> type[UI]:
    return UI
