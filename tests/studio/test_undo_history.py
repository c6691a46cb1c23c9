"""Edit ▸ Undo History (Ctrl+Alt+Z): every undo step listed, a click or Enter on one goes
back or forward to it at once (a soak QA undid 1,780 steps one Ctrl+Z at a time)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from engine.score import Note, add_notes, move_notes, transpose_notes
from tests.studio.test_accessible_names import unnamed

K = Qt.Key
M = Qt.KeyboardModifier
ROOT = Path(__file__).resolve().parents[2]


def edit_steps(win, n: int) -> list:
    """``n`` undo steps on the piano track; the songs before and after each."""
    songs = [win.document.song]
    for i in range(n):
        track = win.document.song.tracks[0]
        note = track.notes[i % len(track.notes)]
        edit = (move_notes(track.id, [note], 30) if i % 2 else
                transpose_notes(track.id, [note], 1))
        win.document.apply(edit)
        songs.append(win.document.song)
    return songs


def opened_history(win, qtbot):
    QTest.keyClick(win.pianoroll.canvas, K.Key_Z, M.ControlModifier | M.AltModifier)
    history = win.undo_history
    assert history is not None and history.isVisible()
    # Its keys (Esc, Ctrl+Z) are the active window's: it takes that from the studio.
    qtbot.waitUntil(history.isActiveWindow, timeout=2000)
    return history


def rows(history) -> list[str]:
    model = history.model
    return [model.item(i).text() for i in range(model.rowCount())]


def click_row(history, row: int) -> None:
    view = history.list
    index = history.model.index(row, 0)
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier,
                     view.visualRect(index).center())


def test_ctrl_alt_z_lists_the_steps_with_the_current_one_marked(focused, qtbot):
    win = focused
    edit_steps(win, 3)
    history = opened_history(win, qtbot)
    assert rows(history) == ["Start — saved", "Transpose 1 note", "Move 1 note",
                             "Transpose 1 note"]
    assert history.windowTitle() == "Undo History — 3 steps"
    assert history.list.hasFocus() and history.list.currentIndex().row() == 3
    assert "Ctrl+Alt+Z" in win.actions.undo_history.shortcut().toString(
        QKeySequence.SequenceFormat.NativeText)
    model = history.model
    said = [model.item(i).data(Qt.ItemDataRole.AccessibleTextRole) for i in range(4)]
    assert said == ["Start, saved", "Transpose 1 note", "Move 1 note",
                    "Transpose 1 note, current"]
    assert model.item(3).font().bold() and not model.item(2).font().bold()
    assert not unnamed(history)
    # It follows edits made while it is open; Esc closes it.
    edit_steps(win, 1)
    assert len(rows(history)) == 5 and history.list.currentIndex().row() == 4
    QTest.keyClick(history.list, K.Key_Escape)
    assert not history.isVisible()


def test_jumping_back_is_n_undos_and_forward_again(focused, qtbot):
    win = focused
    songs = edit_steps(win, 12)
    stack = win.document.undo_stack
    history = opened_history(win, qtbot)
    heard = []
    win.document.songChanged.connect(lambda: heard.append(win.document.song))
    click_row(history, 4)  # back 8 steps in one go
    assert stack.index() == 4 and win.document.song == songs[4]
    assert len(heard) == 1  # the views hear of it once, not at each step
    assert win.statusBar().currentMessage() == "Undid 8 steps: now after “Move 1 note”"
    assert history.list.currentIndex().row() == 4
    bold = [history.model.item(row).font().bold() for row in range(13)]
    assert bold.index(True) == 4 and bold.count(True) == 1  # the current step marked
    # The same song as 8 Ctrl+Z from the end.
    click_row(history, 12)
    assert win.document.song == songs[12]
    assert win.statusBar().currentMessage().startswith("Redid 8 steps")
    stack.undo()  # a QA: "Redid 8 steps" stayed said after a Ctrl+Z
    assert not win.statusBar().currentMessage().startswith("Redid")
    stack.redo()
    for _ in range(8):
        stack.undo()
    jumped_back = win.document.song
    stack.setIndex(12)
    click_row(history, 4)
    assert win.document.song == jumped_back == songs[4]
    # The start: the song as opened, not modified.
    click_row(history, 0)
    assert win.document.song == songs[0] and not win.document.is_modified
    assert win.statusBar().currentMessage() == "Undid 4 steps: now at the start"


def test_arrows_move_through_the_list_and_enter_goes_there(focused, qtbot):
    win = focused
    songs = edit_steps(win, 5)
    history = opened_history(win, qtbot)
    for _ in range(3):
        QTest.keyClick(history.list, K.Key_Up)
    assert win.document.undo_stack.index() == 5  # passing over steps undoes nothing
    QTest.keyClick(history.list, K.Key_Return)
    assert win.document.undo_stack.index() == 2 and win.document.song == songs[2]
    QTest.keyClick(history.list, K.Key_End)
    QTest.keyClick(history.list, K.Key_Enter, M.KeypadModifier)
    assert win.document.song == songs[5]
    # Ctrl+Z works in the window too; the list follows.
    QTest.keyClick(history.list, K.Key_Z, M.ControlModifier)
    assert win.document.undo_stack.index() == 4 and history.list.currentIndex().row() == 4


def test_undoing_added_notes_selects_what_was_selected_before_the_earliest(focused):
    """As Ctrl+Z after Ctrl+D: steps that only added notes bring nothing back to select;
    the notes selected before the first of them are (not those before the last)."""
    win = focused
    track = win.document.song.tracks[0]
    first = track.notes[0]
    win.selection.set_notes([(track.id, first.id)])
    steps = win.document.undo_stack.index()
    for i in range(3):
        win.document.apply(add_notes(track.id, [Note(90 + i, 0, 120, 80)]))
        win.selection.set_notes([(track.id, win.document.song.tracks[0].notes[-1].id)])
    win.go_to_undo_step(steps)
    assert win.selection.notes == {(track.id, first.id)}


def test_the_saved_step_is_marked(focused, qtbot, tmp_path):
    win = focused
    doc = win.document
    edit_steps(win, 2)
    doc.save(tmp_path / "saved.partita")
    edit_steps(win, 2)
    history = opened_history(win, qtbot)
    assert [r.endswith("— saved") for r in rows(history)] == [False, False, True, False,
                                                              False]
    assert history.model.item(2).data(Qt.ItemDataRole.AccessibleTextRole).endswith(
        ", saved")
    click_row(history, 2)  # back to the file on disk: nothing unsaved
    assert not doc.is_modified and "*" not in win.windowTitle()
    click_row(history, 1)
    assert doc.is_modified
    edit_steps(win, 1)  # the saved step is replaced: no row is the file any more
    assert not any(r.endswith("— saved") for r in rows(history))
    doc.save()
    assert rows(history)[-1].endswith("— saved")


def test_a_new_song_has_no_saved_step(window):
    window.show_undo_history()
    assert window.document.saved_step is None
    assert window.undo_history.model.item(0).text() == "Start"


def test_the_shortcut_is_free_listed_and_documented():
    from studio.actions import SPECS, shortcut_rows, spec

    assert spec("undo_history").keys == ("Ctrl+Alt+Z",)
    others = [s.name for s in SPECS if "Ctrl+Alt+Z" in s.keys]
    assert others == ["undo_history"]
    assert dict(shortcut_rows())["Undo History"] == "Ctrl+Alt+Z"
    guide = (ROOT / "docs" / "studio.md").read_text(encoding="utf-8")
    assert "| Ctrl+Alt+Z |" in guide and "Undo History" in guide


def test_a_mask_step_is_listed_and_jumped_over_like_the_rest(window):
    from engine.score import Mask, Region

    doc = window.document
    track = doc.song.tracks[0]
    doc.set_mask(Mask.of(Region({track.id}, 0, 1920, 0, 127)))
    doc.set_mask(Mask())
    window.show_undo_history()
    assert [window.undo_history.model.item(i).text() for i in range(3)] == [
        "Start", "Paint mask", "Paint mask"]
    window.go_to_undo_step(1)
    assert not doc.mask.is_empty and not doc.is_modified  # the mask is no unsaved work
