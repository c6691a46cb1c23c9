"""Bare-key shortcuts (Enter, arrows, Space …) leave the focused editing control alone.

Typing a track name, stepping a spin box or a combo box, or toggling a checkbox gets the
key; the same key with the piano roll focused still runs the window's action.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QSpinBox

from engine.score import Mask, Region
from tests.studio.cocompose_helpers import EchoModel, close_window, make_registry, make_window
from tests.studio.conftest import make_song

K = Qt.Key
M = Qt.KeyboardModifier
BAR = 1920


@pytest.fixture
def studio(qtbot, tmp_path, dialogs, no_audio):
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, EchoModel()), model="echo",
                      variations=2)
    win.set_song(make_song())
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    yield win
    close_window(win)


def piano(win):
    return win.document.song.tracks[0]


def select_first_note(win):
    track = piano(win)
    note = track.notes[0]
    win.selection.set_notes([(track.id, note.id)])
    return note


def pitch_of(win, note) -> int:
    return piano(win).note_by_id(note.id).pitch


def pending_take(qtbot, win):
    track = piano(win)
    win.document.set_mask(Mask.of(Region({track.id}, 0, BAR)))
    win.composer.request("repaint")
    qtbot.waitUntil(lambda: (s := win.composer.active_set()) is not None and len(s) >= 2
                    and not win.jobs_panel.running(), timeout=20000)
    assert win.composer.preview_take() is not None


def track_name_edit(win, index: int = 0):
    from studio.tracklist import TrackHeader

    headers = [h for h in win.tracklist.findChildren(TrackHeader)
               if h.track_id == win.document.song.tracks[index].id]
    assert headers
    return headers[0].name


def focus(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def counter(action) -> list:
    hits: list = []
    action.triggered.connect(lambda *_: hits.append(1))
    return hits


def test_enter_in_a_track_name_renames_and_leaves_the_take_pending(studio, qtbot):
    win = studio
    pending_take(qtbot, win)
    stop = counter(win.actions.stop)
    edit = track_name_edit(win)
    focus(qtbot, edit)
    edit.selectAll()
    finished = []
    edit.editingFinished.connect(lambda: finished.append(edit.text()))
    QTest.keyClicks(edit, "Groove bass 2")  # letters, Space and digits are shortcuts too
    QTest.keyClick(edit, K.Key_Return)
    assert finished == ["Groove bass 2"]
    assert piano(win).name == "Groove bass 2"
    assert stop == []
    assert win.composer.active_set() is not None  # still pending, nothing accepted
    assert not win.document.undo_stack.undoText().startswith("Accept take")
    assert not win.transport.is_playing

    canvas = win.pianoroll.canvas  # the same key on the piano roll accepts the take
    focus(qtbot, canvas)
    QTest.keyClick(canvas, K.Key_Return)
    assert stop == [1]
    assert win.composer.active_set() is None
    assert win.document.undo_stack.undoText().startswith("Accept take")


def test_arrows_in_fields_do_not_transpose_the_selected_notes(studio, qtbot):
    win = studio
    note = select_first_note(win)
    panel = win.generate_panel
    win.generate_dock.show()
    edit = track_name_edit(win)
    focus(qtbot, edit)
    QTest.keyClick(edit, K.Key_Up)
    QTest.keyClick(edit, K.Key_Down)
    QTest.keyClick(edit, K.Key_Left)
    assert pitch_of(win, note) == note.pitch

    for spin, start in ((panel.seed, 5), (panel.steps, 8)):
        spin.setValue(start)
        focus(qtbot, spin)
        QTest.keyClick(spin, K.Key_Up)
        assert spin.value() == start + 1
        QTest.keyClick(spin, K.Key_Down)
        QTest.keyClick(spin, K.Key_Down)
        assert spin.value() == start - 1
    panel.temperature.setValue(1.0)
    focus(qtbot, panel.temperature)
    QTest.keyClick(panel.temperature, K.Key_Up)
    assert panel.temperature.value() == pytest.approx(1.05)
    assert pitch_of(win, note) == note.pitch

    panel.key.setCurrentIndex(0)
    focus(qtbot, panel.key)
    QTest.keyClick(panel.key, K.Key_Down)
    assert panel.key.currentIndex() == 1
    assert pitch_of(win, note) == note.pitch
    assert len(win.selection) == 1

    canvas = win.pianoroll.canvas  # the piano roll still transposes with the arrows
    focus(qtbot, canvas)
    QTest.keyClick(canvas, K.Key_Up)
    assert pitch_of(win, note) == note.pitch + 1
    QTest.keyClick(canvas, K.Key_Up, M.ShiftModifier)
    assert pitch_of(win, note) == note.pitch + 13


def test_space_toggles_a_focused_checkbox_instead_of_playing(studio, qtbot):
    win = studio
    play = counter(win.actions.play)
    box = win.generate_panel.keep_rhythm
    before = box.isChecked()
    focus(qtbot, box)
    QTest.keyClick(box, K.Key_Space)
    assert box.isChecked() is not before
    assert play == []

    canvas = win.pianoroll.canvas
    focus(qtbot, canvas)
    QTest.keyClick(canvas, K.Key_Space)
    assert play == [1]
    win.transport.stop()


def test_modifier_shortcuts_still_work_and_undo_follows_the_focus(studio, qtbot):
    win = studio
    note = select_first_note(win)
    canvas = win.pianoroll.canvas
    focus(qtbot, canvas)
    QTest.keyClick(canvas, K.Key_Up)
    assert pitch_of(win, note) == note.pitch + 1
    QTest.keyClick(canvas, K.Key_Z, M.ControlModifier)  # the app's undo on the canvas
    assert pitch_of(win, note) == note.pitch

    next_track = counter(win.actions.next_track)
    spin = win.generate_panel.seed
    focus(qtbot, spin)
    QTest.keyClick(spin, K.Key_Down, M.ControlModifier)  # Ctrl+arrows stay window-wide
    assert next_track == [1]


def test_a_floating_generate_panel_keeps_its_keys(studio, qtbot):
    win = studio
    note = select_first_note(win)
    win.generate_dock.setFloating(True)
    win.generate_dock.show()
    qtbot.waitExposed(win.generate_dock)
    win.generate_dock.activateWindow()
    qtbot.waitUntil(win.generate_dock.isActiveWindow, timeout=2000)
    spin = win.generate_panel.steps
    spin.setValue(8)
    focus(qtbot, spin)
    QTest.keyClick(spin, K.Key_Up)
    assert spin.value() == 9
    assert pitch_of(win, note) == note.pitch


def test_space_plays_after_a_click_on_a_panel_button_instead_of_pressing_it_again(studio,
                                                                                   qtbot):
    win = studio
    play = counter(win.actions.play)
    button = win.generate_panel.findChildren(QPushButton)[0]
    presses = []
    button.clicked.connect(lambda: presses.append(1))
    focus(qtbot, win.pianoroll.canvas)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert presses == [1] and not button.hasFocus()  # a click leaves the focus where it was
    QTest.keyClick(win.pianoroll.canvas, K.Key_Space)
    assert play == [1] and presses == [1]  # (a second Repaint, before)
    win.transport.stop()


def test_a_button_reached_with_tab_presses_on_space_and_enter(studio, qtbot):
    # Tab landed on buttons that no key could press: Space played, Enter stopped.
    win = studio
    play, stop = counter(win.actions.play), counter(win.actions.stop)
    button = win.generate_panel.findChildren(QPushButton)[0]
    presses = []
    button.clicked.connect(lambda: presses.append(1))
    focus(qtbot, button)  # as Tab leaves it
    QTest.keyClick(button, K.Key_Space)
    QTest.keyClick(button, K.Key_Return)
    assert presses == [1, 1] and play == [] and stop == []


def test_ctrl_backspace_and_delete_edit_a_name_instead_of_acting_on_the_song(studio, qtbot):
    # Ctrl+Backspace (Reject Take) and Ctrl+Del (Delete Bars) are a text field's word keys.
    win = studio
    reject, delete_bars = counter(win.actions.reject_take), counter(win.actions.delete_bars)
    spin = win.generate_panel.steps
    focus(qtbot, spin)
    QTest.keyClick(spin, K.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(spin, K.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert reject == [] and delete_bars == []


def test_a_click_on_the_arrangement_gives_the_bare_keys_back(studio, qtbot):
    win = studio
    spin = win.generate_panel.steps
    focus(qtbot, spin)
    QTest.mouseClick(win.arrangement, Qt.MouseButton.LeftButton)
    assert win.arrangement.hasFocus()
    QTest.keyClick(win.arrangement, K.Key_B)  # the brush, not a digit for the spin box
    assert win.actions.tool_draw.isChecked()


def test_a_spin_box_takes_digits_and_leaves_letters_and_space_to_the_window(studio, qtbot):
    # Letters typed into a focused spin box were swallowed with no effect and no hint.
    win = studio
    play = counter(win.actions.play)
    spin = win.generate_panel.steps
    spin.setValue(8)
    focus(qtbot, spin)
    spin.selectAll()
    QTest.keyClicks(spin, "12")
    QTest.keyClick(spin, K.Key_Return)
    assert spin.value() == 12
    QTest.keyClick(spin, K.Key_B)
    assert win.actions.tool_draw.isChecked() and spin.value() == 12
    QTest.keyClick(spin, K.Key_Space)
    assert play == [1]
    win.transport.stop()


def choose_in_popup(qtbot, combo, text: str) -> None:
    """Click ``combo`` open and click ``text`` in its list, as with the mouse."""
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    index = combo.model().index(combo.findText(text), 0)
    view.scrollTo(index)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # a list ignores a click at once
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)


def test_a_panel_list_chosen_with_the_mouse_leaves_the_keys_to_the_window(studio, qtbot):
    # Choosing "Dm" left the focus on the Key list: B then made the key B (the brush not
    # chosen) and ] was swallowed; the next Repaint ran in B major.
    win = studio
    pending_take(qtbot, win)  # ] steps through its takes
    panel = win.generate_panel
    canvas = win.pianoroll.canvas
    focus(qtbot, canvas)
    choose_in_popup(qtbot, panel.key, "Dm")
    assert panel.key.currentText() == "Dm"
    assert not panel.key.hasFocus() and canvas.hasFocus()  # the focus stayed on the roll
    next_take = counter(win.actions.next_take)
    QTest.keyClick(QApplication.focusWidget(), K.Key_B)
    QTest.keyClick(QApplication.focusWidget(), K.Key_BracketRight)
    assert win.actions.tool_draw.isChecked() and next_take == [1]
    assert panel.key.currentText() == "Dm"

    QTest.mouseClick(panel.key, Qt.MouseButton.LeftButton)  # opened, then closed with Esc
    qtbot.waitUntil(panel.key.view().isVisible, timeout=2000)
    QTest.keyClick(panel.key.view(), K.Key_Escape)
    qtbot.waitUntil(lambda: not panel.key.view().isVisible(), timeout=2000)
    assert panel.key.currentText() == "Dm" and canvas.hasFocus()


def test_a_closed_list_reached_with_tab_takes_arrows_not_letters(studio, qtbot):
    # On the Model list D, C and P switched models; on Precision, i chose int8.
    win = studio
    panel = win.generate_panel
    for combo, letters in ((panel.model, "acp"), (panel.precision, "fi"),
                           (panel.key, "bgdx")):
        before = combo.currentIndex()
        combo.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(combo.hasFocus, timeout=2000)
        for letter in letters:
            QTest.keyClicks(combo, letter)
            assert combo.currentIndex() == before, (combo.toolTip(), letter)
    assert win.actions.tool_draw.isChecked()  # B, the last tool letter typed, chose it
    panel.key.setCurrentIndex(0)
    panel.key.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.key, K.Key_Down)  # the arrows still step through the list
    assert panel.key.currentIndex() == 1


def test_an_open_list_finds_what_is_typed(studio, qtbot):
    win = studio
    panel = win.generate_panel
    panel.key.setCurrentIndex(0)
    panel.key.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.key, K.Key_Space)  # opens it, as F4 and Alt+↓ do
    view = panel.key.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    QTest.keyClicks(view, "F#m")
    QTest.keyClick(view, K.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    assert panel.key.currentText() == "F#m"
    assert not win.actions.tool_erase.isChecked()  # F went to the list, not to Zoom to Fit


def test_a_model_s_own_settings_made_later_take_keys_as_the_panel_does(studio, qtbot):
    from engine.plugins import ModelOption

    win = studio
    box = win.generate_panel.model_options
    box.set_model("styled", (ModelOption("style", "ballad", choices=("ballad", "bossa")),
                             ModelOption("bars", 4, minimum=1, maximum=16)))
    win.generate_panel.show()
    style = box.findChild(QComboBox)
    bars = box.findChild(QSpinBox)
    assert not style.focusPolicy() & Qt.FocusPolicy.ClickFocus  # Tab only
    style.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(style.hasFocus, timeout=2000)
    QTest.keyClicks(style, "b")  # no jump to "bossa": the brush
    assert style.currentText() == "ballad" and win.actions.tool_draw.isChecked()
    focus(qtbot, bars)
    QTest.keyClick(bars, K.Key_E)  # a letter in a spin box: the eraser, as in the panel's
    assert win.actions.tool_erase.isChecked()


def test_alt_down_opens_a_list_tabbed_to_and_sets_velocities_elsewhere(studio, qtbot):
    # Alt+↓ lowers the selected notes' velocity, but a list with the focus opens on it.
    win = studio
    track = piano(win)
    win.selection.set_tracks([track.id])
    win.selection.set_notes([(track.id, track.notes[0].id)])
    velocity = track.notes[0].velocity
    panel = win.generate_panel
    panel.key.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.key.hasFocus, timeout=2000)
    QTest.keyClick(panel.key, K.Key_Down, Qt.KeyboardModifier.AltModifier)
    view = panel.key.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    assert piano(win).notes[0].velocity == velocity
    QTest.keyClick(view, K.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    win.pianoroll.canvas.setFocus()
    QTest.keyClick(win.pianoroll.canvas, K.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert piano(win).notes[0].velocity == velocity - 8


def test_ctrl_shift_arrows_select_words_in_a_name_and_nudge_on_the_roll(studio, qtbot):
    # Ctrl+Shift+← → nudge notes (step entry's ← → move its cursor), but in a name they
    # select a word, as in any text field.
    win = studio
    note = select_first_note(win)
    nudge = counter(win.actions.nudge_left)
    edit = track_name_edit(win)
    focus(qtbot, edit)
    edit.setText("Grand Piano")
    edit.end(False)
    QTest.keyClick(edit, K.Key_Left, M.ControlModifier | M.ShiftModifier)
    assert edit.selectedText() == "Piano" and nudge == []
    win.pianoroll.canvas.setFocus()
    QTest.keyClick(win.pianoroll.canvas, K.Key_Right, M.ControlModifier | M.ShiftModifier)
    moved = next(n for n in piano(win).notes if n.id == note.id)
    assert moved.start > note.start
