"""The status bar says what a generation is doing for as long as it runs: "Loading
models…", "Loading model NAME…" until the model's first step, then its progress (QA: the
bar was blank through the first request's model load and generation, once the composer's
8 s message had gone)."""

from __future__ import annotations

import threading

from PySide6.QtGui import QAccessible

from engine.io import RecoveryStore
from engine.plugins import CancelToken, GenerateOptions, ModelInfo, Progress
from engine.score import Mask, Note, Region, Song
from tests.studio.cocompose_helpers import close_window, make_registry, set_panel
from tests.studio.conftest import make_song


class LoadingModel:
    """Loads its weights in its first call (until ``loaded`` is set), then reports step 1
    of 2 and waits for ``gate`` before its one note per masked track."""

    def __init__(self) -> None:
        self.info = ModelInfo(name="weighty", version="1.0", description="test model")
        self.loaded, self.gate = threading.Event(), threading.Event()

    def generate(self, song: Song, mask: Mask, options: GenerateOptions, progress,
                 cancel: CancelToken):
        for event in (self.loaded, self.gate):
            while not event.wait(0.01):
                cancel.raise_if_cancelled()
            progress(Progress(1 if event is self.loaded else 2, 2, "step"))
        return {tid: (Note(60, mask.span[0], 120),) for tid in mask.track_ids}


def test_the_status_bar_says_loading_then_progress_through_the_first_request(
        qtbot, tmp_path, dialogs, no_audio):
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    model = LoadingModel()
    # The models not listed yet: the first request waits for them, as at a session's start.
    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     registry=make_registry(tmp_path, model))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    status = win.status_generation
    try:
        assert not status.isVisible()  # nothing running: nothing said
        win.set_song(make_song())
        piano = win.document.song.tracks[0]
        win.document.set_mask(Mask.of(Region({piano.id}, 0, 1920)))
        set_panel(win, variations=1)
        said = []  # every text it takes
        real = status.setText
        status.setText = lambda text: (said.append(text), real(text))
        win.composer.request("repaint")
        assert status.isVisible() and status.text() == "Loading models…"  # at once
        # What a screen reader names it by: the text, not a fixed "Generation status" that
        # hid it (QA); no name set, so Qt says each new text changed the name.
        iface = QAccessible.queryAccessibleInterface(status)
        assert iface.text(QAccessible.Text.Name) == "Loading models…"
        assert not status.accessibleName()
        assert iface.text(QAccessible.Text.Description) == "Generation status"
        qtbot.waitUntil(lambda: status.text() == "Loading model weighty…", timeout=10000)
        # The composer's message gone (8 s later, or another message's): still said.
        win.statusBar().clearMessage()
        win.statusBar().showMessage("Selected 3 notes", 1)
        qtbot.wait(50)
        assert status.isVisible() and status.text() == "Loading model weighty…"
        model.loaded.set()
        qtbot.waitUntil(lambda: status.text().startswith("Generating 1 take: 50 %"),
                        timeout=10000)
        assert iface.text(QAccessible.Text.Name).startswith("Generating 1 take: 50 %")
        model.gate.set()
        qtbot.waitUntil(lambda: win.composer.preview_take() is not None, timeout=10000)
        qtbot.waitUntil(lambda: not status.isVisible(), timeout=5000)
        assert said[0] == "Loading models…" and "Loading model weighty…" in said
        # A second request: the weights are in, no "Loading model" again.
        said.clear()
        win.composer.request("repaint", again=True)
        qtbot.waitUntil(lambda: not win.composer.jobs_in_flight, timeout=10000)
        assert not any(s.startswith("Loading") for s in said), said
    finally:
        model.loaded.set()
        model.gate.set()
        close_window(win)


def test_the_percentage_is_of_the_whole_request_not_of_the_take_running():
    """A jazz QA: "Generating 3 takes: 92 %" then "Generating 2 takes: 17 %"."""
    from studio.generation_status import overall_fraction

    assert overall_fraction(3, 3, [0.5]) == 0.5 / 3  # the first take half done
    assert overall_fraction(3, 2, [0.17]) == (1 + 0.17) / 3  # one in, the next begun
    assert overall_fraction(3, 1, [None]) == 2 / 3  # the last not begun
    assert overall_fraction(1, 1, [1.0]) == 1.0
