"""The controller lane under the piano roll (a guitarist's and a pianist's QA: a bent A4
looked like a plain A4 and the sustain pedal was nowhere): it shows the current track's
pitch bend, sustain pedal or mod wheel, draws them with the mouse on the grid, erases a
range, one undo step a gesture and never a note; the lane chosen is remembered."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine.score import ControlEvent, SetTrackProps
from studio import theme
from studio.pianoroll.controllers import (
    BEND,
    MOD,
    PEDAL,
    VELOCITY,
    column_steps,
    lane_by_name,
    value_text,
    visible_steps,
)

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NONE, SHIFT = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier
Q = 480


def piano(win):
    return next(t for t in win.document.song.tracks if t.name == "Piano")


def events(win, key) -> list[tuple[int, int]]:
    return [(c.tick, c.value) for c in piano(win).controls if (c.kind, c.number) == key]


@pytest.fixture
def lane(opened, ui):
    """The Piano track current, its first two bars on screen, the bend lane shown."""
    win = opened
    ui.show_all(win)
    win.selection.set_tracks([piano(win).id])
    win.pianoroll.set_lane(BEND)
    return win.pianoroll.controllers


def with_controls(win, *controls: ControlEvent) -> None:
    track = piano(win)
    assert win.pianoroll.commit(SetTrackProps(track.id, (("controls", track.controls),),
                                              (("controls", controls),), "test"))


def x_of(lane, tick: float) -> int:
    return round(lane.vp.tick_to_x(tick))


def test_the_lane_reads_the_tracks_bends_only_in_the_span_on_screen():
    ticks = np.array([0, 100, 200, 300, 400])
    values = np.array([10, 20, 30, 40, 50])
    seen, vals, start = visible_steps(ticks, values, 0, 150, 350)
    assert (seen.tolist(), vals.tolist(), start) == ([200, 300], [30, 40], 20)
    assert visible_steps(ticks, values, -1, -50, 50)[2] == -1  # nothing set yet
    # Thousands of bends in a few pixel columns: one step a column, its extremes kept.
    xs = np.array([0, 0, 0, 5, 5])
    x, before, low, high, leaves = column_steps(xs, np.array([3, -9, 4, 7, 1]), 2)
    assert (x.tolist(), before.tolist(), low.tolist(), high.tolist(), leaves.tolist()) == (
        [0, 5], [2, 4], [-9, 1], [4, 7], [4, 1])
    assert value_text(BEND, 8191, 2.0) == "+2 st" and value_text(BEND, -4096, 12) == "−6 st"
    assert value_text(PEDAL, 127, 2) == "Down" and value_text(MOD, 64, 2) == "64"


def test_a_bend_shows_above_the_centre_line_where_it_is_and_nowhere_else(lane):
    win = lane.window()
    with_controls(win, ControlEvent(Q, "pitchwheel", 0, 8191),
                  ControlEvent(2 * Q, "pitchwheel", 0, 0))
    image = lane.grab().toImage()
    y = round(lane._y_of(2000))  # between the centre line and the bend's top

    def shade(tick: float) -> str:
        return image.pixelColor(x_of(lane, tick), y).name()

    assert shade(1.5 * Q) != theme.PANEL.name()  # bent: the fill
    assert shade(2.5 * Q) == theme.PANEL.name()  # back at the centre
    assert lane.bend_range() == 2.0  # the scale's labels: ±2 st, GM's default


def test_a_stroke_draws_bends_on_the_grid_in_one_undo_step_and_no_note_moves(lane):
    win = lane.window()
    notes = piano(win).notes
    top = round(lane._y_of(8191))
    QTest.mousePress(lane, LEFT, NONE, QPoint(x_of(lane, 0) + 1, round(lane._y_of(0))))
    for tick in (Q // 2, Q, 3 * Q // 2, 2 * Q):
        QTest.mouseMove(lane, QPoint(x_of(lane, tick) + 1, top))
    QTest.mouseRelease(lane, LEFT, NONE, QPoint(x_of(lane, 2 * Q) + 1, top))
    drawn = events(win, ("pitchwheel", 0))
    # The ramp up on the 1/16 grid, the top held from 360 to 960 as one event (thinned:
    # the tick 0 at the centre is no event either), the centre again a 1/16 after the end.
    assert [t for t, _ in drawn] == [120, 240, 360, 2 * Q + Q // 4], drawn
    assert 0 < drawn[0][1] < drawn[1][1] < drawn[2][1] == 8191 and drawn[-1][1] == 0
    assert piano(win).notes == notes
    stack = win.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Draw Pitch Bend"
    stack.undo()
    assert events(win, ("pitchwheel", 0)) == []


def test_the_pedal_is_drawn_down_and_lifted_where_the_stroke_ends(lane):
    win = lane.window()
    win.pianoroll.set_lane(PEDAL)
    y = round(lane._y_of(110))
    QTest.mousePress(lane, LEFT, NONE, QPoint(x_of(lane, 0) + 1, y))
    QTest.mouseMove(lane, QPoint(x_of(lane, 4 * Q) + 1, y))
    QTest.mouseRelease(lane, LEFT, NONE, QPoint(x_of(lane, 4 * Q) + 1, y))
    assert events(win, ("control_change", 64)) == [(0, 127), (4 * Q + Q // 4, 0)]


def test_a_right_drag_erases_a_range_and_delete_erases_a_selected_one_not_notes(lane):
    win = lane.window()
    with_controls(win, *(ControlEvent(t, "control_change", 1, 20 + t // 60)
                         for t in range(0, 4 * Q, Q // 2)))
    win.pianoroll.set_lane(MOD)
    y = lane.height() // 2
    QTest.mousePress(lane, RIGHT, NONE, QPoint(x_of(lane, Q) + 1, y))
    QTest.mouseMove(lane, QPoint(x_of(lane, 2 * Q) + 1, y))
    QTest.mouseRelease(lane, RIGHT, NONE, QPoint(x_of(lane, 2 * Q) + 1, y))
    assert [t for t, _ in events(win, ("control_change", 1))] == [0, 240, 2 * Q, 1200,
                                                                  1440, 1680]
    assert win.document.undo_stack.undoText() == "Erase Mod Wheel"
    # Shift-drag selects a range; Delete erases it, with notes selected too.
    win.selection.set_notes([(piano(win).id, n.id) for n in piano(win).notes])
    notes = piano(win).notes
    QTest.mousePress(lane, LEFT, SHIFT, QPoint(x_of(lane, 2 * Q) + 1, y))
    QTest.mouseMove(lane, QPoint(x_of(lane, 3 * Q) + 1, y))
    QTest.mouseRelease(lane, LEFT, SHIFT, QPoint(x_of(lane, 3 * Q) + 1, y))
    assert lane.selected_range == (2 * Q, 3 * Q)
    QTest.keyClick(lane, Qt.Key.Key_Delete)
    assert [t for t, _ in events(win, ("control_change", 1))] == [0, 240, 1440, 1680]
    assert piano(win).notes == notes
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert len(events(win, ("control_change", 1))) == 8


def test_the_lane_chosen_is_remembered_and_ctrl_alt_v_steps_through_them(opened, qtbot,
                                                                          tmp_path):
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow

    win = opened
    roll = win.pianoroll
    assert roll.lane is VELOCITY and roll.velocity.isVisible()
    win.actions.lane_pedal.trigger()
    assert roll.lane is PEDAL and roll.controllers.isVisible() and not roll.velocity.isVisible()
    assert win.settings.controller_lane() == "pedal"
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    roll.canvas.setFocus()
    QTest.keyClick(roll.canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    assert roll.lane is MOD and win.actions.lane_mod.isChecked()
    assert lane_by_name(win.settings.controller_lane()) is MOD
    win.settings.sync()
    again = MainWindow(win.settings, RecoveryStore(tmp_path / "recovery2"))
    qtbot.addWidget(again)
    assert again.pianoroll.lane is MOD and again.actions.lane_mod.isChecked()
    again.close()
