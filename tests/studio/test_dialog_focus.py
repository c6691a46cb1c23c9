"""A modal question gives the keyboard focus back when it closes: QA (offscreen) found the
window inactive and nothing focused after the Harmonize question, so 1–3, Space and Enter
did nothing until the window was clicked again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.score import ChangeNotes, Note, Song, Track
from studio import dialogs
from tests.studio.cocompose_helpers import EchoModel, close_window, make_registry, make_window

K = Qt.Key


@pytest.fixture
def active(qtbot, tmp_path, no_audio):
    """A window with real dialogs (no canned answers), active, the piano roll focused."""
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, EchoModel()), model="echo")
    tune = Track(name="Melody", program=0, notes=tuple(
        Note(p, i * 480, 480, 90) for i, p in enumerate((67, 69, 71, 72))))
    win.set_song(Song(tracks=(tune,), ppq=480))
    win.selection.set_tracks([tune.id])
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.pianoroll.canvas.setFocus()
    qtbot.waitUntil(win.pianoroll.canvas.hasFocus, timeout=2000)
    yield win
    close_window(win)


def answer_with(key: Qt.Key, seen: list) -> None:
    """Press ``key`` in the modal dialog once it is open (what the user does)."""

    def press() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or QApplication.activeWindow() is not modal:  # not yet up
            QTimer.singleShot(20, press)
            return
        seen.append(type(modal).__name__)
        QTest.keyClick(QApplication.focusWidget() or modal, key)

    QTimer.singleShot(0, press)


def given_back(qtbot, win) -> None:
    """The window is active again and its piano roll has the keys (activation is an
    event: it comes as the event loop runs, as it does between key presses)."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win
                    and QApplication.focusWidget() is win.pianoroll.canvas, timeout=1000)


@pytest.mark.parametrize("key", [K.Key_Escape, K.Key_Return])
def test_the_harmonize_question_gives_the_keys_back_to_the_piano_roll(active, qtbot, key):
    win = active
    seen: list[str] = []
    answer_with(key, seen)
    QTest.keyClick(win.pianoroll.canvas, K.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert seen == ["InstrumentsDialog"]
    given_back(qtbot, win)
    win.composer.reset()  # no takes nor jobs to ask about when the window closes
    qtbot.waitUntil(lambda: not win.composer.jobs_in_flight, timeout=5000)


@pytest.mark.parametrize("ask", [
    lambda win: dialogs.confirm_take_conflict(win, "Accept take A?", "Edited since"),
    lambda win: dialogs.show_error(win, "Cannot open", "Not a song"),
    lambda win: dialogs.ask_bars(win, True, 1, 1, 1, 8),
])
def test_every_modal_question_gives_the_focus_back(active, qtbot, ask):
    win = active
    seen: list[str] = []
    answer_with(K.Key_Escape, seen)
    ask(win)
    assert seen
    given_back(qtbot, win)


def test_quantize_with_swing_from_the_keyboard_alone(active, qtbot):
    """Shift+Q, type the swing, Enter: the notes swing and the piano roll has the keys."""
    win = active
    track = win.document.song.tracks[0]
    win.document.apply(ChangeNotes(track.id, track.notes, tuple(
        Note(67 + i % 2, i * 240 + 9, 200, 90) for i in range(8))))
    seen: list[str] = []

    def typed() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or QApplication.activeWindow() is not modal:
            QTimer.singleShot(20, typed)
            return
        seen.append(type(modal).__name__)
        field = QApplication.focusWidget()
        QTest.keyClick(field, K.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(field, "66")
        QTest.keyClick(field, K.Key_Return)

    QTimer.singleShot(0, typed)
    QTest.keyClick(win.pianoroll.canvas, K.Key_Q, Qt.KeyboardModifier.ShiftModifier)
    assert seen == ["QuantizeDialog"]
    assert sorted(n.start for n in win.document.song.tracks[0].notes)[:4] == [0, 317, 480,
                                                                              797]
    assert win.statusBar().currentMessage() == (
        "Quantized 8 notes to 1/8 with 66 % swing (nothing selected: the whole track)")
    given_back(qtbot, win)
    close_window(win)  # edited: closed before qtbot does, which would ask to save


def test_an_export_gives_the_keys_back_when_its_progress_window_closes(active, qtbot,
                                                                        dialogs, tmp_path):
    """A first-hour QA: after File > Export MusicXML nothing had the keys until the window
    was clicked (the progress window is modal; it was closed, not answered)."""
    pytest.importorskip("music21")
    win = active
    target = tmp_path / "tune.musicxml"
    dialogs.answers["get_export_musicxml_path"] = target
    win.export_musicxml()
    qtbot.waitUntil(target.exists, timeout=60000)
    qtbot.waitUntil(lambda: win._export_dialog is None, timeout=10000)
    given_back(qtbot, win)


def test_the_message_after_a_progress_window_gives_the_keys_back(active, qtbot):
    """Keyboard QA: after Export Audio & Stems the "Export finished" box opened as its
    progress window closed; closed with Enter, it left no window active and no key worked
    until a click. The box's parent, the main window, gets the keys back."""
    from studio.dialogs.progress import ProgressJob

    win = active
    seen: list[str] = []
    finished: list[bool] = []

    def done(_result: object) -> None:
        answer_with(K.Key_Return, seen)
        dialogs.show_info(win, "Export finished", "Wrote 6 files")
        finished.append(True)

    job = ProgressJob(win, "Export Audio & Stems", "Rendering…", maximum=0)
    job.start(win.export_worker, lambda: 1, done, lambda e: None)
    qtbot.waitUntil(lambda: bool(finished), timeout=10000)
    assert seen == ["QMessageBox"]
    given_back(qtbot, win)
    QTest.keyClick(QApplication.focusWidget(), K.Key_M)  # a key works at once: the Mask
    assert win.actions.tool_mask.isChecked()
