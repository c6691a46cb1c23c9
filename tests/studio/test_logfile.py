"""The studio's log file: errors of a desktop launch (no terminal) are kept somewhere."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from studio import logfile


@pytest.fixture
def state_home(monkeypatch, tmp_path):
    """A temporary XDG_STATE_HOME; the hooks and the log handler put back afterwards."""
    monkeypatch.delenv("PARTITA_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    passed_on = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: passed_on.append(exc))
    monkeypatch.setattr(threading, "excepthook", lambda args: passed_on.append(args))
    levels = {name: logging.getLogger(name).level for name in ("engine", "studio")}
    yield tmp_path / "state", passed_on
    logfile.stop_log()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_the_log_is_in_the_state_folder_and_keeps_an_uncaught_exceptions_traceback(
        state_home):
    state, passed_on = state_home
    path = logfile.start_log()
    assert path == state / "partita" / "partita.log" == logfile.log_path()
    logging.getLogger("engine.jobs").warning("a model would not stop")
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    text = path.read_text()
    assert "studio started" in text and "WARNING engine.jobs: a model would not stop" in text
    assert "CRITICAL studio: Uncaught exception" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError: a bug in a slot" in text
    assert len(passed_on) == 1  # then handled as before (printed on stderr)


def test_an_uncaught_exception_in_a_thread_is_logged_too(state_home):
    _, passed_on = state_home
    path = logfile.start_log()

    def fail() -> None:
        raise ValueError("worker broke")

    thread = threading.Thread(target=fail, name="reader")
    thread.start()
    thread.join()
    text = path.read_text()
    assert "Uncaught exception in thread reader" in text and "ValueError: worker broke" in text
    assert len(passed_on) == 1


def test_the_log_is_kept_small_and_starting_twice_writes_one_file(state_home):
    path = logfile.start_log()
    assert logfile.start_log() == path
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "partita_log", 0)]
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 3)
    logging.getLogger("studio").error("once")
    assert path.read_text().count("ERROR studio: once") == 1


def test_a_state_folder_that_cannot_be_written_starts_without_a_log(state_home, monkeypatch,
                                                                    tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    assert logfile.start_log() is None
    assert not any(getattr(h, "partita_log", 0) for h in logging.getLogger().handlers)


def test_the_interactive_studio_starts_its_log(state_home, monkeypatch, qapp):
    # studio.app.run, up to the event loop: the log is set up before the window.
    import studio.mainwindow
    from studio import app

    state, _ = state_home

    class Window:
        def __init__(self) -> None:
            self.logged = logfile.log_path().exists()
            started.append(self)
            self.transport = self
            self.midi = self

        def show(self) -> None: ...
        def check_audio(self) -> None: ...
        def prepare(self) -> None: ...
        def offer_recovery(self) -> None: ...

    started: list[Window] = []
    monkeypatch.setattr(studio.mainwindow, "MainWindow", Window)
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    assert app.run() == 0
    assert started[0].logged and (state / "partita" / "partita.log").exists()
