"""A keyboard-only and screen-reader QA pass, fix by fix, each driven by keys alone: a
model's own options and the export dialog's rows in Tab order as on screen, the recovery
list named and Discard all asked, greyed take keys that say why, the Snap box named and
the lists labelled once, the Replace question's Alt letters, a rename and Shift+M said."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from engine.plugins import ModelOption

K = Qt.Key
M = Qt.KeyboardModifier


def tab(widget: QWidget | None, back: bool = False) -> QWidget | None:
    """Press Tab (Shift+Tab) where the focus is; the widget that has it then."""
    QTest.keyClick(widget or QApplication.focusWidget(),
                   K.Key_Backtab if back else K.Key_Tab,
                   M.ShiftModifier if back else M.NoModifier)
    return QApplication.focusWidget()


def label_names(w: QWidget) -> list[str]:
    iface = QAccessible.queryAccessibleInterface(w)
    return [r.text(QAccessible.Text.Name)
            for r, _ in iface.relations(QAccessible.RelationFlag.Label)]


def in_the_modal(do) -> list[str]:
    """Run ``do(modal)`` in the modal dialog once it is up; the titles it saw."""
    seen: list[str] = []

    def act() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or QApplication.activeWindow() is not modal:  # not yet up
            QTimer.singleShot(20, act)
            return
        seen.append(modal.windowTitle())
        do(modal)

    QTimer.singleShot(0, act)
    return seen


def test_a_models_own_options_come_in_tab_order_where_they_stand(focused, qtbot):
    # QA: with drumkit chosen, Style and Phrase came after the Jobs panel's controls.
    win = focused
    panel = win.generate_panel
    panel.model_options.set_model("drumkit", (
        ModelOption("style", "rock", label="Style", choices=("rock", "funk")),
        ModelOption("phrase", 4, label="Phrase", minimum=1, maximum=8)))
    style, phrase = panel.model_options.fields()
    qtbot.waitUntil(phrase.isVisible, timeout=2000)  # shown as the event loop runs
    panel.continue_bars.setFocus()
    assert tab(None) is style
    assert tab(None) in (phrase, phrase.focusProxy())
    assert tab(None) is panel.key
    assert tab(None, back=True) in (phrase, phrase.focusProxy())


def test_the_export_dialogs_range_comes_before_its_length(window, qtbot):
    from studio.dialogs.export_options import ExportAudioDialog

    dlg = ExportAudioDialog(window, "/tmp", 48000, "", ranges=[("Loop: bars 1–4", (0, 4))])
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    assert dlg.range is not None
    dlg.range.setFocus()
    assert tab(None) is dlg.end  # Length, the row below
    assert tab(None, back=True) is dlg.range
    assert tab(None, back=True) is not dlg.end  # the SoundFont row, above


def recovery(tmp_path, name: str):
    from engine.io import Recovery

    return Recovery(path=tmp_path / f"{name}.partita", document=tmp_path / f"{name}.mid",
                    saved_at=datetime.now(UTC), session="s", pid=1, host="h", tracks=2,
                    notes=10)


def test_the_recovery_list_is_named_and_discard_all_asks_first(qtbot, tmp_path):
    from studio.dialogs.recovery import RecoveryDialog

    dlg = RecoveryDialog(None, [recovery(tmp_path, "a"), recovery(tmp_path, "b")])
    qtbot.addWidget(dlg)
    assert dlg.items.accessibleName() == "Songs to recover"
    assert label_names(dlg.items)  # the line above it labels it
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    dlg.discard.setFocus()
    # Enter in haste: No, the default; every copy is kept and the dialog stays.
    seen = in_the_modal(lambda box: QTest.keyClick(QApplication.focusWidget() or box,
                                                   K.Key_Return))
    QTest.keyClick(dlg.discard, K.Key_Space)
    assert seen == ["Discard all?"]
    assert dlg.result_chosen == ("later", None) and dlg.isVisible()
    # Alt+D: delete them.
    seen = in_the_modal(lambda box: QTest.keyClick(box, K.Key_D, M.AltModifier))
    QTest.keyClick(dlg.discard, K.Key_Space)
    assert seen == ["Discard all?"]
    assert dlg.result_chosen == ("discard", None)


def test_a_greyed_take_key_says_why(focused):
    # QA: Ctrl+Enter, Ctrl+Backspace, ] and 0 with nothing requested said nothing.
    win = focused
    a = win.actions
    assert not a.accept_take.isEnabled() and not a.next_take.isEnabled()  # menus honest
    for key, mods, label in ((K.Key_Return, M.ControlModifier, "Accept Take"),
                             (K.Key_Backspace, M.ControlModifier, "Reject Take"),
                             (K.Key_BracketRight, M.NoModifier, "Next Take"),
                             (K.Key_0, M.NoModifier, "Original (No Take)")):
        win.statusBar().clearMessage()
        QTest.keyClick(win.pianoroll.canvas, key, mods)
        said = win.statusBar().currentMessage()
        assert said.startswith(f"{label}: no take on screen — paint a mask (M)"), said
    # In step entry 0 is its rest, and says nothing of takes.
    QTest.keyClick(win.pianoroll.canvas, K.Key_N)
    win.statusBar().clearMessage()
    QTest.keyClick(win.pianoroll.canvas, K.Key_0)
    assert "no take" not in win.statusBar().currentMessage()
    QTest.keyClick(win.pianoroll.canvas, K.Key_Escape)


def test_the_snap_box_is_named_and_lists_are_labelled_once(opened):
    win = opened
    assert win.snap_box.accessibleName() == "Snap grid"
    assert label_names(win.snap_box) == ["Snap"]
    # QA: Key was labelled "Key" and "Constraints", a model's Ending "Ending" and its box.
    assert label_names(win.generate_panel.key) == ["Key"]
    panel = win.generate_panel
    panel.model_options.set_model("partita-base", (
        ModelOption("ending", "auto", label="Ending", choices=("auto", "close", "open")),))
    ending, = panel.model_options.fields()
    assert isinstance(ending, QComboBox) and label_names(ending) == ["Ending"]


def test_the_replace_question_answers_to_alt_r(qtbot, tmp_path):
    from studio.dialogs.messages import ask_replace_export

    seen = in_the_modal(lambda box: QTest.keyClick(box, K.Key_R, M.AltModifier))
    assert ask_replace_export(None, tmp_path, [tmp_path / "mix.wav"]) is True
    assert seen == ["Replace existing files?"]
    seen = in_the_modal(lambda box: QTest.keyClick(box, K.Key_C, M.AltModifier))
    assert ask_replace_export(None, tmp_path, [tmp_path / "mix.wav"]) is False
    assert seen == ["Replace existing files?"]


def test_renaming_a_track_and_shift_m_are_said(focused):
    win = focused
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    QTest.keyClick(win.pianoroll.canvas, K.Key_F2)
    field = QApplication.focusWidget()
    QTest.keyClicks(field, "Upright")
    QTest.keyClick(field, K.Key_Return)
    assert win.document.song.tracks[1].name == "Upright"
    assert win.statusBar().currentMessage() == "Renamed Bass to Upright (Ctrl+Z undoes)"
    QTest.keyClick(win.pianoroll.canvas, K.Key_F2)
    QTest.keyClick(QApplication.focusWidget(), K.Key_Return)
    assert win.statusBar().currentMessage() == "Upright keeps its name"
    QTest.keyClick(win.pianoroll.canvas, K.Key_M, M.ShiftModifier)
    assert win.document.mask.track_ids == {bass.id}
    assert win.statusBar().currentMessage().startswith(
        "Masked Upright, the whole song: Repaint (Ctrl+R) rewrites it")


def test_the_export_dialogs_rows_answer_to_alt_letters_and_its_lists_are_named(
        window, qtbot):
    # QA: Level was named with setAccessibleName alone (read as its value, "Normalise",
    # on Linux); the rows had no Alt letters, where Quantize's and Bend Range's have.
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    from studio.dialogs.export_options import ExportAudioDialog

    dlg = ExportAudioDialog(window, "/tmp", 48000, "", ranges=[("Loop: bars 1–4", (0, 4))])
    qtbot.addWidget(dlg)
    assert label_names(dlg.level) == ["Level"]
    assert label_names(dlg.stem_names) == ["Stem names"]
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    letters = {}
    for label in dlg.findChildren(QLabel):
        m = re.search(r"&([^&])", label.text())
        if m and label.isVisible():
            letters[m.group(1).lower()] = label.buddy()
    texts = [w.text() for w in (*dlg.findChildren(QLabel), *dlg.findChildren(QAbstractButton))
             if w.isVisible()]
    found = [m.group(1).lower() for t in texts if (m := re.search(r"&([^&])", t))]
    assert len(found) == len(set(found)), found  # each letter once
    rows = (dlg.folder, dlg.rate, dlg.bit_depth, dlg.level, dlg.soundfont, dlg.range,
            dlg.end, dlg.stem_names)
    assert set(rows) <= set(letters.values())
    for letter, field in letters.items():
        dlg.dry_stems.setFocus()
        QTest.keyClick(dlg, getattr(K, f"Key_{letter.upper()}"), M.AltModifier)
        assert QApplication.focusWidget() is field, letter
    assert not dlg.dry_stems.isChecked()
    QTest.keyClick(dlg, K.Key_D, M.AltModifier)  # a box's own letter ticks it
    qtbot.waitUntil(dlg.dry_stems.isChecked, timeout=2000)
