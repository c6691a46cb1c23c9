"""``partita studio --screenshot`` and the lazy-import rule (no torch at start-up)."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def test_screenshot_renders_the_window_and_exits(song_file, tmp_path):
    out = tmp_path / "shot.png"
    # No screen at all (a server, CI): a screenshot needs none.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())",
         "studio", str(song_file), "--screenshot", str(out)],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)


def test_screenshot_of_a_score_with_a_notice_does_not_wait_for_a_click(tmp_path):
    # Opening a score with something to say showed a modal notice, and the screenshot
    # waited for its OK forever.
    from music21 import note, stream

    from engine.io import read_musicxml_with_report
    from tests.engine.io.test_musicxml_import import write

    score = tmp_path / "tune.mxl"
    bar = stream.Measure([note.Note("B4").getGrace(), note.Note("C5", quarterLength=4)])
    write(stream.Score([stream.Part([bar])]), score)
    assert read_musicxml_with_report(score)[1].approximated  # a grace note left out: said
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())",
         "studio", str(score), "--screenshot", str(out)],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not QImage(str(out)).isNull()


def test_the_studio_without_a_display_says_how_to_run_it(monkeypatch, capsys):
    from engine.cli import main

    with monkeypatch.context() as patch:  # not monkeypatch.undo(): dialogs stay stubbed
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            patch.delenv(name, raising=False)
        assert main(["studio"]) == 1  # Qt would abort (134) blaming xcb-cursor
    err = capsys.readouterr().err
    assert err.startswith("partita: error: no display") and "xvfb-run -a partita studio" in err


def test_screenshot_of_a_bad_file_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"nope")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())",
         "studio", str(bad), "--screenshot", str(tmp_path / "x.png")],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"partita: error: {bad}:")
    assert "Traceback" not in proc.stderr


def test_a_missing_song_opens_the_studio_to_say_so(monkeypatch, tmp_path):
    # From a desktop launcher (no terminal) a one-line error was nothing at all: the
    # interactive studio starts and its background read shows "Cannot open file".
    import studio.app
    from engine.cli import main

    started = []
    monkeypatch.setattr(studio.app, "run", lambda song, shot: started.append((song, shot)) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    missing = tmp_path / "MISSING.partita"
    assert main(["studio", str(missing)]) == 0
    assert started == [(missing, None)]


def test_a_screenshot_of_a_missing_song_is_a_one_line_error(tmp_path, capsys):
    from engine.cli import main

    missing = tmp_path / "MISSING.partita"
    assert main(["studio", str(missing), "--screenshot", str(tmp_path / "x.png")]) == 1
    assert capsys.readouterr().err == f"partita: error: {missing}: no such file\n"


def test_studio_starts_without_torch():
    code = ("import sys, studio.app, studio.mainwindow, studio.transport, "
            "engine.render.progressive; print('torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "False"


def test_the_toolbar_overflow_button_is_wide_enough_to_see(qapp):
    # A first-time user's QA: at 1280 px the zoom buttons overflow, and Fusion's 12 px
    # overflow button showed its chevron as a one-pixel dot.
    from PySide6.QtWidgets import QStyle, QStyleFactory

    from studio.theme import _Style

    style = _Style(QStyleFactory.create("Fusion"))
    assert style.pixelMetric(QStyle.PixelMetric.PM_ToolBarExtensionExtent) >= 20
    assert style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) == \
        QStyleFactory.create("Fusion").pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)


def test_a_scratch_window_asks_nothing_and_leaves_no_folder(qtbot, monkeypatch, tmp_path):
    """A screenshot's or benchmark's window: an edit and a take do not hold its close,
    and its settings folder is gone afterwards (one was left in /tmp per run)."""
    import tempfile
    from pathlib import Path

    from engine.score import Note, add_notes
    from studio.app import scratch_window

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with scratch_window("partita-test-") as win:
        (folder,) = [p for p in Path(tmp_path).iterdir() if p.name.startswith("partita-test-")]
        track = win.document.song.tracks[0]
        win.document.apply(add_notes(track.id, [Note(60, 0, 480, 80)]))
        win.settings.set_last_dir(tmp_path)  # written on the way out
    assert not folder.exists()
