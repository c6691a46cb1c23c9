"""The wheel over the Generate panel scrolls it (at 1280×800 it does not fit its dock):
passing over a setting on the way must not change it. A setting with the focus (tabbed
to, or typed in) still takes the wheel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from engine.plugins import ModelOption


def notch(widget: QWidget, down: bool = True) -> None:
    """One wheel notch over ``widget``'s middle."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -120 if down else 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def small(window, qtbot):
    window.resize(1280, 800)
    window.generate_panel.model_options.set_model(
        "styled", (ModelOption("style", "ballad", choices=("ballad", "bossa", "swing")),))
    bar = window.generate_dock.widget().verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)  # the panel scrolls
    return window


def settings(panel) -> list:
    style = panel.model_options.values()
    return [panel.model.currentIndex(), panel.precision.currentIndex(), panel.steps.value(),
            panel.temperature.value(), panel.variations.value(), panel.seed.value(),
            panel.continue_bars.value(), panel.key.currentIndex(), panel.pitch_lo.value(),
            panel.pitch_hi.value(), panel.density.value(), style]


def test_the_wheel_over_the_generate_panel_scrolls_it_and_changes_no_setting(small, qtbot):
    win = small
    panel = win.generate_panel
    panel.density_auto.setChecked(False)  # a live fader
    panel.key.setCurrentIndex(3)
    panel.steps.setValue(8)
    panel.pitch_lo.setValue(40)
    win.pianoroll.canvas.setFocus()
    before = settings(panel)
    bar = win.generate_dock.widget().verticalScrollBar()
    controls = [panel.model, panel.precision, panel.steps, panel.temperature, panel.variations,
                panel.seed, panel.continue_bars, panel.key, panel.pitch_lo, panel.pitch_hi,
                panel.density, panel.model_options.findChild(QComboBox)]
    for i, control in enumerate(controls):
        bar.setValue(bar.maximum() // 2)
        at = bar.value()
        notch(control, down=i % 2 == 0)
        assert (settings(panel), bar.value() != at) == (before, True), control.toolTip()
    # A real wheel turn focuses a control that takes the focus from the wheel: none does.
    wheel = Qt.FocusPolicy.WheelFocus.value
    assert all(c.focusPolicy().value & wheel != wheel for c in controls)


def test_a_setting_with_the_focus_takes_the_wheel(small, qtbot):
    panel = small.generate_panel
    panel.steps.setValue(8)
    panel.steps.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.steps.hasFocus, timeout=2000)
    notch(panel.steps, down=False)
    assert panel.steps.value() == 9
    panel.key.setCurrentIndex(3)
    panel.key.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.key.hasFocus, timeout=2000)
    notch(panel.key)
    assert panel.key.currentIndex() == 4
