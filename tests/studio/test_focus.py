"""The keyboard focus is seen and goes only where keys work: the piano roll and the
arrangement draw a ring when they have it (docs/studio.md: every focused control shows
one), Tab stops on no bare scroll area, and removing the track whose name is being typed
gives the keys back to the piano roll."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from studio import theme

K = Qt.Key
M = Qt.KeyboardModifier


def ring_share(widget) -> float:
    """The share of points along ``widget``'s outermost 2 px in the theme's focus colour."""
    image = widget.grab().toImage()
    w, h = image.width(), image.height()
    edge = [(x, y) for x in range(0, w, 7) for y in (0, 1, h - 1, h - 2)]
    edge += [(x, y) for y in range(0, h, 7) for x in (0, 1, w - 1, w - 2)]
    accent = theme.ACCENT.rgb()
    return sum(QColor(image.pixel(x, y)).rgb() == accent for x, y in edge) / len(edge)


def test_the_piano_roll_and_the_arrangement_show_the_focus(focused, qtbot):
    win = focused
    canvas, arrangement = win.pianoroll.canvas, win.arrangement
    assert canvas.hasFocus()
    assert ring_share(canvas) > 0.9  # (the playhead's line may cross it)
    assert ring_share(arrangement) < 0.1
    QTest.mouseClick(arrangement, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(arrangement.hasFocus, timeout=2000)
    assert ring_share(canvas) < 0.1
    assert ring_share(arrangement) > 0.9


def tab_chain(win, start, steps: int = 80) -> list:
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    seen = []
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), K.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def test_tab_stops_on_no_scroll_area(focused):
    win = focused
    win.generate_dock.show()
    win.jobs_dock.show()
    chain = tab_chain(win, win.pianoroll.canvas)
    dead = {type(w).__name__ for w in chain if isinstance(w, QAbstractScrollArea)}
    assert not dead
    assert win.pianoroll.canvas in chain  # Tab comes round to the piano roll again


def test_removing_the_track_being_renamed_gives_the_keys_to_the_piano_roll(focused, qtbot):
    win = focused
    QTest.keyClick(win.pianoroll.canvas, K.Key_F2)
    name = QApplication.focusWidget()
    assert name is not None and name.objectName() == "TrackName"
    QTest.keyClicks(name, "Old")
    count = len(win.document.song.tracks)
    QTest.keyClick(name, K.Key_T, M.ControlModifier | M.ShiftModifier)
    assert len(win.document.song.tracks) == count - 1
    qtbot.waitUntil(win.pianoroll.canvas.hasFocus, timeout=2000)
    QTest.keyClick(QApplication.focusWidget(), K.Key_B)  # the keys work again
    assert win.actions.tool_draw.isChecked()


@pytest.fixture
def themed(qapp):
    """The studio's real style sheet (the test window is otherwise unthemed)."""
    old = qapp.styleSheet()
    qapp.setStyleSheet(theme.STYLE_SHEET)
    yield
    qapp.setStyleSheet(old)


def test_the_primary_button_shows_the_focus_too(themed, focused, qtbot):
    """Repaint (QPushButton#Primary: its own orange border) shows the ring when tabbed to,
    as every other button does."""
    win = focused
    repaint, other = win.generate_panel.buttons["repaint"], win.generate_panel.buttons["compose"]
    for button in (repaint, other):
        button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(button.hasFocus, timeout=2000)
        assert ring_share(button) > 0.8, button.text()
    win.pianoroll.canvas.setFocus()
    assert ring_share(repaint) < 0.1


def test_tab_follows_the_screen(focused, qtbot):
    """Left to right and top to bottom: the density's Auto box before its slider, Reset to
    Defaults (above Model) before Model, Cancel All (on the left) before Clear Finished."""
    win = focused
    win.generate_dock.show()
    win.jobs_dock.show()
    panel, jobs = win.generate_panel, win.jobs_panel
    panel.density_auto.setChecked(False)  # the slider takes the focus only then
    panel.steps.setValue(20)  # Reset to Defaults shows while a setting is off its default
    qtbot.waitUntil(panel.reset.isVisible, timeout=2000)
    chain = tab_chain(win, win.pianoroll.canvas)
    order = [panel.buttons["compose"], panel.reset, panel.model, panel.steps,
             panel.density_auto, panel.density, jobs.cancel_all_button, jobs.clear_button]
    assert [chain.index(w) for w in order] == sorted(chain.index(w) for w in order)
    # Then the track list, and round to the piano roll (docs/studio.md says where it sits).
    after = chain.index(jobs.clear_button)
    assert chain[after + 1: after + 3] == [win.tracklist, win.pianoroll.canvas]


def test_f6_goes_round_the_panes_and_esc_comes_back_from_the_generate_panel(focused, qtbot):
    win = focused
    win.generate_dock.show()
    win.jobs_dock.show()
    canvas, tracks, panel = win.pianoroll.canvas, win.tracklist, win.generate_panel
    seen = []
    for _ in range(6):
        QTest.keyClick(QApplication.focusWidget(), K.Key_F6)
        seen.append(QApplication.focusWidget())
    jobs_stop = seen[4]
    assert seen == [tracks, win.arrangement, win.takes_bar, panel.buttons["repaint"],
                    jobs_stop, canvas]  # and round again
    assert jobs_stop is win.jobs_panel.cancel_all_button
    QTest.keyClick(canvas, K.Key_F6, M.ShiftModifier)
    assert jobs_stop.hasFocus()
    assert ring_share(tracks) < 0.1
    QTest.keyClick(jobs_stop, K.Key_F6)
    QTest.keyClick(canvas, K.Key_F6)
    assert tracks.hasFocus() and ring_share(tracks) > 0.9  # the list shows it has the keys
    # ↑ ↓ there choose the current track (not Transpose).
    first = win.document.song.tracks[0].id
    win.selection.set_tracks([first])
    notes = win.document.song.tracks[0].notes
    QTest.keyClick(tracks, K.Key_Down)
    assert win.pianoroll.current_track_id() == win.document.song.tracks[1].id
    QTest.keyClick(tracks, K.Key_Up)
    assert win.pianoroll.current_track_id() == first
    assert win.document.song.tracks[0].notes == notes
    # Esc in a Generate panel field: back to the piano roll, the selection kept.
    win.selection.set_notes([(first, notes[0].id)])
    panel.steps.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.steps, K.Key_Escape)
    assert canvas.hasFocus()
    assert len(win.selection) == 1
    # From a button there too (the dock's Esc, whichever control has the keys).
    panel.buttons["repaint"].setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(panel.buttons["repaint"], K.Key_Escape)
    assert canvas.hasFocus() and len(win.selection) == 1
    # Review: Edit ▸ Select None from the menu, the panel holding the focus, did nothing
    # (the window's Esc only moved the focus there): it deselects, the focus stays.
    panel.steps.setFocus(Qt.FocusReason.TabFocusReason)
    win.actions.select_none.trigger()
    assert len(win.selection) == 0 and panel.steps.hasFocus()


def test_a_panel_shown_by_its_key_takes_the_focus_and_hidden_gives_it_back(focused, qtbot):
    # QA: Ctrl+Alt+G / J showed the panel and left the keys where they were.
    win = focused
    canvas = win.pianoroll.canvas
    win.generate_dock.hide()
    win.jobs_dock.hide()
    win.tracklist.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(win.tracklist, K.Key_G, M.ControlModifier | M.AltModifier)
    assert win.generate_dock.isVisible()
    assert QApplication.focusWidget() is win.generate_panel.buttons["repaint"]  # as F6 goes
    QTest.keyClick(QApplication.focusWidget(), K.Key_J, M.ControlModifier | M.AltModifier)
    assert win.jobs_dock.isVisible() and win.jobs_panel.isAncestorOf(QApplication.focusWidget())
    QTest.keyClick(QApplication.focusWidget(), K.Key_J, M.ControlModifier | M.AltModifier)
    assert not win.jobs_dock.isVisible() and canvas.hasFocus()  # back to the notes
    QTest.keyClick(canvas, K.Key_G, M.ControlModifier | M.AltModifier)
    assert not win.generate_dock.isVisible() and canvas.hasFocus()


def test_f10_opens_the_menu_bar(focused, qtbot):
    win = focused
    QTest.keyClick(win.pianoroll.canvas, K.Key_F10)
    bar = win.menuBar()
    qtbot.waitUntil(lambda: bar.activeAction() is not None, timeout=2000)
    assert bar.activeAction().text() == "&File"
    # Review: the bar kept the keys after Esc (it had been given the focus first); Esc
    # closes the menu, Esc again leaves the bar, and the notes have the keys again.
    menu = QApplication.activePopupWidget()
    assert menu is not None
    QTest.keyClick(menu, K.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=2000)
    QTest.keyClick(QApplication.focusWidget(), K.Key_Escape)
    qtbot.waitUntil(lambda: bar.activeAction() is None, timeout=2000)
    assert win.pianoroll.canvas.hasFocus()
