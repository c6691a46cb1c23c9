"""Closing the studio while the model list or a song is still loading: the window goes at
once, and the work left running finds no window to report to without a word (QA: "Signal
source has been deleted" printed at close, after a 5 s wait for the model list)."""

from __future__ import annotations

import gc
import threading
import time

import shiboken6

from tests.studio.cocompose_helpers import make_registry

SLOW_S = 10  # how long the stalled load would run: longer than any wait the close had


def closed_window(win) -> float:
    """Close ``win`` as the user does; how long the close took."""
    win.document.undo_stack.setClean()
    win.document._dirty = False
    started = time.monotonic()
    win.close()
    return time.monotonic() - started


def delete(qtbot, win) -> None:
    """Delete the closed window, as ``partita studio`` does once it returns."""
    win.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(win), timeout=5000)


def stalled(gate: threading.Event, entered: threading.Event, real):
    def slow(*args, **kwargs):
        entered.set()
        gate.wait(SLOW_S)
        return real(*args, **kwargs)
    return slow


def test_closing_while_the_models_load_is_at_once_and_says_nothing(qtbot, tmp_path,
                                                                   dialogs, no_audio, capfd):
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    registry = make_registry(tmp_path)
    gate, entered, returned = threading.Event(), threading.Event(), threading.Event()
    slow = stalled(gate, entered, registry.entries)

    def entries():  # importing torch on a slow disk: seconds
        try:
            return slow()
        finally:
            returned.set()

    registry.entries = entries
    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     registry=registry)
    win.show()
    win.catalog.ensure()
    assert entered.wait(5)
    took = closed_window(win)
    gate.set()  # the discovery ends, with its window closed
    assert returned.wait(5)
    time.sleep(0.3)  # its result would be sent now
    delete(qtbot, win)
    gc.collect()
    qtbot.wait(50)
    assert took < 2, f"the close waited {took:.1f} s for the model list"
    assert "Signal source has been deleted" not in capfd.readouterr().err


def test_closing_while_a_song_is_read_is_at_once_and_says_nothing(qtbot, tmp_path, dialogs,
                                                                  no_audio, song_file, capfd,
                                                                  monkeypatch):
    from engine.io import RecoveryStore
    from studio import document
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    gate, entered = threading.Event(), threading.Event()
    monkeypatch.setattr(document, "read_file", stalled(gate, entered, document.read_file))
    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     registry=make_registry(tmp_path))
    win.show()
    recovered = []
    win.open_in_background(song_file, ask=False, then=lambda: recovered.append(True))
    assert entered.wait(5)
    took = closed_window(win)
    gate.set()
    time.sleep(0.5)  # the read ends, its song unwanted
    delete(qtbot, win)
    gc.collect()
    qtbot.wait(50)
    assert took < 2, f"the close waited {took:.1f} s for the read"
    assert "Signal source has been deleted" not in capfd.readouterr().err
    assert recovered == []  # the recovery offer after the read: not for a closed window
