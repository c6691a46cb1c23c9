"""Shared set-up for the co-composition tests, and the window other tests make the same way
(the MIDI input's, with a fake MIDI source): a window with a test model registry.

The registry holds only models the test adds (no entry points, no plugin folders), so
nothing slow is discovered; ``tiny_random_model`` is the real grid model, untrained.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine.plugins import CancelToken, GenerateOptions, ModelInfo, Progress, Registry
from engine.score import Mask, Note, Song
from studio.midi_input import MidiSource
from studio.tracklist import HEADER_H, ROW_H


def make_registry(tmp_path, *models) -> Registry:
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path / "models")
    for m in models:
        registry.add(m)
    return registry


def make_window(qtbot, tmp_path, registry: Registry | None = None, *,
                midi_source: MidiSource | None = None, song_file: Path | None = None,
                **panel):
    """A window shown, with its own settings and recovery folder. With ``registry`` its
    models are loaded and the Generate panel set (``panel``); without, it lists none and
    nothing is loaded. ``midi_source``: its MIDI ports; ``song_file``: opened."""
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    with_models = registry is not None
    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     registry=registry if with_models else make_registry(tmp_path),
                     midi_source=midi_source)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    if with_models:
        win.catalog.ensure()
        # Loading ends in a full gc.collect (studio.heap): seconds on a loaded CI machine.
        qtbot.waitUntil(lambda: win.catalog.loaded, timeout=20000)
        set_panel(win, **panel)
    if song_file is not None:
        assert win.open_path(song_file)
    return win


def set_panel(win, model: str | None = None, steps: int = 2, variations: int = 1,
              seed: int = 7) -> None:
    p = win.generate_panel
    if model:
        assert p.set_model(model)
    p.steps.setValue(steps)
    p.variations.setValue(variations)
    p.seed.setValue(seed)


def close_window(win) -> None:
    win.document.undo_stack.setClean()
    win.document._dirty = False
    win.close()


def arrangement_point(win, track_index: int, tick: int) -> QPoint:
    arr = win.arrangement
    return QPoint(round(arr.x_of(tick)) + 2, HEADER_H + track_index * ROW_H + ROW_H // 2)


def drag_arrangement(win, start: QPoint, end: QPoint,
                     mods=Qt.KeyboardModifier.NoModifier) -> None:
    arr = win.arrangement
    QTest.mousePress(arr, Qt.MouseButton.LeftButton, mods, start)
    for i in range(1, 5):
        p = start + (end - start) * i / 4
        QTest.mouseMove(arr, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(arr, Qt.MouseButton.LeftButton, mods, end)


def notes_by_track(song: Song) -> dict[int, set]:
    """Every note with its id, per track (equality with ids)."""
    return {t.id: {(n.id, n.key()) for n in t.notes} for t in song.tracks}


class GatedModel:
    """Reports step 1 of 2 at once, then waits for ``gate`` (checking its cancel token,
    so a cancel stops it at once) before writing one note per masked track."""

    def __init__(self, name: str = "gated") -> None:
        self.info = ModelInfo(name=name, version="1.0", description="test model")
        self.gate = threading.Event()

    def generate(self, song: Song, mask: Mask, options: GenerateOptions, progress,
                 cancel: CancelToken):
        start, _end = mask.span
        progress(Progress(1, 2, "step 1"))
        while not self.gate.wait(0.01):
            cancel.raise_if_cancelled()
        progress(Progress(2, 2, "step 2"))
        return {tid: (Note(60, start, 120),) for tid in mask.track_ids}


class CrashingModel:
    """A model with a bug: raises on every call."""

    info = ModelInfo(name="crashy", version="0.1", description="always fails")

    def generate(self, song, mask, options, progress, cancel):
        raise ZeroDivisionError("the model divided by zero")


class EchoModel:
    """Deterministic: one note per masked track whose pitch follows the seed (seeds
    12 apart repeat the same note, which the studio must draw again)."""

    info = ModelInfo(name="echo", version="1.0", description="seeded test model")

    def generate(self, song, mask, options, progress, cancel):
        start, end = mask.span
        pitch = 60 + (options.seed or 0) % 12
        progress(Progress(1, 1))
        return {tid: (Note(pitch, start, max(1, (end - start) // 2)),)
                for tid in mask.track_ids}
