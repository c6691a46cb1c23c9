"""Entering and changing chord symbols in the studio: a double-click on the ruler's chord
row types one on the beat under the pointer (or changes the one there), Delete removes
the selected one, Ctrl+Shift+K types a lead sheet's bars; each one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.io import save_song
from engine.score import ChordSymbol, Note, Song, Track

Q = 480
BAR = 4 * Q
K = Qt.Key
M = Qt.KeyboardModifier


def open_chords(window, tmp_path: Path, chords=((0, "F7"), (2 * BAR, "C7")), bars: int = 8):
    song = Song(tracks=(Track(name="Piano", notes=(Note(60, 0, Q), Note(64, BAR, Q))),),
                ppq=Q, length=bars * BAR,
                chords=tuple(ChordSymbol(t, text) for t, text in chords))
    path = tmp_path / "chords.partita"
    save_song(song, path)
    assert window.open_path(path)
    window.pianoroll.viewport.fit_ticks(0, 4 * BAR)
    return window.pianoroll.ruler


def row_point(ruler, tick: float) -> QPoint:
    """A point in the chord row, a few pixels right of ``tick``."""
    return QPoint(round(ruler.vp.tick_to_x(tick) + 3),
                  ruler.lane_height() + ruler.chord_row_height() // 2)


def chords(window) -> list[tuple[int, str]]:
    return [(c.tick, c.text) for c in window.document.song.chords]


def test_double_clicking_the_chord_row_writes_a_chord_on_the_beat_under_the_pointer(
        window, tmp_path, dialogs):
    ruler = open_chords(window, tmp_path)
    before = chords(window)
    dialogs.answers["ask_chord"] = "Bb7"
    # Between beats 2 and 3 of bar 2: the chord goes on beat 2, whatever the grid.
    QTest.mouseDClick(ruler, Qt.MouseButton.LeftButton, pos=row_point(ruler, BAR + Q + 150))
    name, (where, text, at) = dialogs.calls[-1]
    assert (name, where, text) == ("ask_chord", "2.2", "")
    # The editor opens under the row, where the chord goes.
    x = ruler.mapFromGlobal(at).x()
    assert abs(x - ruler.vp.tick_to_x(BAR + Q)) <= 1
    assert ruler.mapFromGlobal(at).y() == ruler.lane_height() + ruler.chord_row_height()
    assert chords(window) == [(0, "F7"), (BAR + Q, "Bb7"), (2 * BAR, "C7")]
    assert window.actions.undo.text() == "&Undo Set chord Bb7 at 2.2"
    assert not window.transport.loop_enabled  # the row's double-click is not the loop's
    window.actions.undo.trigger()
    assert chords(window) == before
    window.actions.redo.trigger()
    assert chords(window) == [(0, "F7"), (BAR + Q, "Bb7"), (2 * BAR, "C7")]


def test_double_clicking_a_chord_changes_it_and_an_empty_text_deletes_it(
        window, tmp_path, dialogs):
    ruler = open_chords(window, tmp_path)
    c7 = next(label.rect for label in ruler.chord_labels() if label.index == 1)
    dialogs.answers["ask_chord"] = "F#m7b5/C"
    QTest.mouseDClick(ruler, Qt.MouseButton.LeftButton, pos=c7.center().toPoint())
    assert dialogs.calls[-1][1][:2] == ("3.1", "C7")  # the chord's own tick and text
    assert chords(window) == [(0, "F7"), (2 * BAR, "F#m7b5/C")]
    assert window.actions.undo.text() == "&Undo Change chord C7 to F#m7b5/C at 3.1"
    dialogs.answers["ask_chord"] = ""
    window.edit_chord(2 * BAR)
    assert chords(window) == [(0, "F7")]
    assert window.actions.undo.text() == "&Undo Delete chord F#m7b5/C at 3.1"
    dialogs.answers["ask_chord"] = None  # Esc: as it was, no undo step
    window.edit_chord(0)
    assert chords(window) == [(0, "F7")]
    assert window.actions.undo.text() == "&Undo Delete chord F#m7b5/C at 3.1"
    # An answer that is no chord (the editor refuses it first) changes nothing.
    dialogs.answers["ask_chord"] = "H7"
    window.edit_chord(0)
    assert chords(window) == [(0, "F7")]
    assert "German name of B" in window.statusBar().currentMessage()


def test_delete_removes_the_selected_chord_not_the_selected_notes(focused, tmp_path,
                                                                   dialogs):
    window = focused
    ruler = open_chords(window, tmp_path)
    window.activateWindow()
    track = window.document.song.tracks[0]
    window.selection.set_notes([(track.id, track.notes[0].id)])
    c7 = next(label.rect for label in ruler.chord_labels() if label.index == 1)
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, pos=c7.center().toPoint())
    assert ruler.selected_chord == 2 * BAR and ruler.hasFocus()
    assert window.pianoroll.playhead == 2 * BAR
    QTest.keyClick(ruler, K.Key_Delete)
    assert chords(window) == [(0, "F7")]
    assert len(window.document.song.tracks[0].notes) == 2  # the notes stay
    assert window.actions.undo.text() == "&Undo Delete chord C7 at 3.1"
    assert ruler.selected_chord is None and window.pianoroll.canvas.hasFocus()
    window.actions.undo.trigger()
    assert chords(window) == [(0, "F7"), (2 * BAR, "C7")]
    # Esc lets a selected chord go: Delete is the notes' again.
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, pos=c7.center().toPoint())
    QTest.keyClick(ruler, K.Key_Escape)
    assert ruler.selected_chord is None
    QTest.keyClick(window.pianoroll.canvas, K.Key_Delete)
    assert chords(window) == [(0, "F7"), (2 * BAR, "C7")]
    assert len(window.document.song.tracks[0].notes) == 1


def test_the_chord_editor_refuses_an_unknown_symbol_with_the_reason(qtbot):
    from studio.dialogs.chords import ChordEditor

    editor = ChordEditor(None, "5.1", "F7", QPoint(200, 150))
    qtbot.addWidget(editor)
    assert editor.pos() == QPoint(200, 150)
    assert editor.symbol.selectedText() == "F7"  # typing replaces it
    assert editor.symbol.accessibleName() == "Chord symbol at 5.1"
    editor.show()
    editor.symbol.setText("H7")
    QTest.keyClick(editor.symbol, K.Key_Return)
    assert editor.result() != editor.DialogCode.Accepted
    assert editor.symbol.text() == "H7"  # kept for correcting
    assert not editor.error.isHidden()
    assert "H, the German name of B: write B7" in editor.error.text()
    editor.symbol.setText("B7")
    QTest.keyClick(editor.symbol, K.Key_Return)
    assert editor.result() == editor.DialogCode.Accepted
    empty = ChordEditor(None, "5.1", "F7")
    qtbot.addWidget(empty)
    empty.show()
    empty.symbol.clear()
    QTest.keyClick(empty.symbol, K.Key_Return)  # empty: delete the chord there
    assert empty.result() == empty.DialogCode.Accepted


def test_ctrl_shift_k_types_a_lead_sheet_from_the_playheads_bar(focused, tmp_path, dialogs):
    window = focused
    open_chords(window, tmp_path, chords=((0, "F7"), (4 * BAR, "Bb7"), (5 * BAR, "F7"),
                                          (5 * BAR + 2 * Q, "C7")))
    window.transport.seek(4 * BAR + Q)  # in bar 5
    seen = {}

    def answer(_parent, first, last, start, text_of, read):
        seen.update(first=first, last=last, start=start, text=text_of(start),
                    from_one=text_of(1))
        try:
            read("F7 | H7", start)
        except ValueError as e:
            seen["refused"] = str(e)
        return "Bb7 | Bb7 | F7 | F7", start

    dialogs.answers["ask_lead_sheet"] = answer
    window.pianoroll.canvas.setFocus()
    QTest.keyClick(window.pianoroll.canvas, K.Key_K, M.ControlModifier | M.ShiftModifier)
    assert seen["first"] == 1 and seen["last"] == 8 and seen["start"] == 5
    assert seen["text"] == "Bb7 | F7 C7 |"  # the chords of bars 5 and 6, prefilled
    assert seen["from_one"] == "F7 | - | - | - |\nBb7 | F7 C7 |"
    assert "not a chord symbol: H7" in seen["refused"]
    assert chords(window) == [(0, "F7"), (4 * BAR, "Bb7"), (5 * BAR, "Bb7"),
                              (6 * BAR, "F7"), (7 * BAR, "F7")]
    assert window.actions.undo.text() == "&Undo Chords for bars 5–8"
    window.actions.undo.trigger()
    assert chords(window) == [(0, "F7"), (4 * BAR, "Bb7"), (5 * BAR, "F7"),
                              (5 * BAR + 2 * Q, "C7")]


def test_the_lead_sheet_dialog_opens_on_the_bars_chords_and_keeps_what_was_typed(qtbot):
    from studio.dialogs.chords import LeadSheetDialog

    def text_of(bar: int) -> str:
        return f"C{bar} |"

    def read(text: str, _bar: int) -> None:
        if "H" in text:
            raise ValueError("not a chord symbol: H7")

    dialog = LeadSheetDialog(None, 1, 12, 5, text_of, read)
    qtbot.addWidget(dialog)
    assert dialog.sheet.toPlainText() == "C5 |"
    assert dialog.bar.accessibleName() == "From bar"
    assert dialog.sheet.accessibleName() == "Lead sheet chords"
    dialog.bar.setValue(7)  # untouched: it follows the bar chosen
    assert dialog.sheet.toPlainText() == "C7 |"
    dialog.sheet.setPlainText("F7 | H7")
    dialog.bar.setValue(8)  # typed: kept
    assert dialog.sheet.toPlainText() == "F7 | H7"
    dialog.show()
    QTest.keyClick(dialog.sheet, K.Key_Return, M.ControlModifier)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error.text() == "not a chord symbol: H7"
    assert dialog.sheet.toPlainText() == "F7 | H7"
    dialog.sheet.setPlainText("F7 | B7")
    QTest.keyClick(dialog.sheet, K.Key_Return, M.ControlModifier)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_lead_sheet_past_the_end_lengthens_the_song_as_one_undo_step(focused, tmp_path,
                                                                       dialogs):
    window = focused
    open_chords(window, tmp_path, bars=8)
    window.transport.seek(6 * BAR)  # bar 7 of 8
    dialogs.answers["ask_lead_sheet"] = lambda _p, _f, _l, start, _t, _r: (
        "F7 | Bb7 | C7 | F7", start)
    window.chords_for_bars()
    assert window.document.song.end == 10 * BAR
    assert chords(window)[-4:] == [(6 * BAR, "F7"), (7 * BAR, "Bb7"), (8 * BAR, "C7"),
                                   (9 * BAR, "F7")]
    message = window.statusBar().currentMessage()
    assert "the song is lengthened to 10 bars to hold the chords" in message
    window.actions.undo.trigger()  # the chords and the length, together
    assert window.document.song.end == 8 * BAR
    assert chords(window) == [(0, "F7"), (2 * BAR, "C7")]


def test_opening_a_project_with_chords_past_its_end_drops_them_and_says_so(window, tmp_path):
    open_chords(window, tmp_path, chords=((0, "F7"), (999_999_999, "C7")))
    assert chords(window) == [(0, "F7")]
    assert ("1 chord symbol past the song's end (bar 8) dropped: C7 in bar 520834"
            in window.statusBar().currentMessage())


def test_the_keyboard_reaches_the_chords_without_the_mouse(focused, tmp_path, dialogs):
    """Keyboard QA: the chord row takes no focus and only a click selected a chord. Alt+] /
    Alt+[ step the playhead through the chords, selecting each (Delete, Enter act on it);
    Ctrl+Alt+K types the chord on the playhead's beat, or a new one there."""
    window = focused
    ruler = open_chords(window, tmp_path)
    canvas = window.pianoroll.canvas
    canvas.setFocus()
    window.transport.seek(Q // 2)  # inside F7's first beat
    QTest.keyClick(canvas, K.Key_BracketRight, M.AltModifier)
    assert window.transport.position == 2 * BAR
    assert ruler.selected_chord == 2 * BAR and ruler.hasFocus()
    assert window.statusBar().currentMessage().startswith("Chord C7 at 3.1")
    QTest.keyClick(ruler, K.Key_BracketRight, M.AltModifier)
    assert window.transport.position == 2 * BAR  # the last one
    assert window.statusBar().currentMessage() == "No chord symbol after the playhead"
    dialogs.answers["ask_chord"] = "C9"
    QTest.keyClick(ruler, K.Key_Return)  # the selected chord, edited
    assert chords(window) == [(0, "F7"), (2 * BAR, "C9")]
    QTest.keyClick(QApplication.focusWidget(), K.Key_BracketLeft, M.AltModifier)
    assert window.transport.position == 0 and ruler.selected_chord == 0
    # Ctrl+Alt+K: the chord on the playhead's beat, changed ...
    dialogs.answers["ask_chord"] = "F9"
    QTest.keyClick(QApplication.focusWidget(), K.Key_K, M.ControlModifier | M.AltModifier)
    assert dialogs.calls[-1][1][:2] == ("1.1", "F7")
    assert chords(window) == [(0, "F9"), (2 * BAR, "C9")]
    # ... or a new one on the beat the playhead is in (bar 2, beat 3).
    window.transport.seek(BAR + 2 * Q + 100)
    dialogs.answers["ask_chord"] = "Bb7"
    QTest.keyClick(QApplication.focusWidget(), K.Key_K, M.ControlModifier | M.AltModifier)
    assert dialogs.calls[-1][1][:2] == ("2.3", "")
    assert chords(window) == [(0, "F9"), (BAR + 2 * Q, "Bb7"), (2 * BAR, "C9")]


def test_the_chord_editors_refusal_is_said_to_a_screen_reader(qtbot):
    from studio.dialogs.chords import ChordEditor

    editor = ChordEditor(None, "5.1", "F7")
    qtbot.addWidget(editor)
    editor.show()
    QTest.keyClicks(editor.symbol, "H7")
    QTest.keyClick(editor.symbol, K.Key_Return)
    # The focus stays in the field: its description says why (and an announcement was
    # sent), as the red line below it shows it.
    assert editor.symbol.hasFocus()
    assert editor.symbol.accessibleDescription() == editor.error.text()
    assert editor.symbol.accessibleDescription().startswith("Not a chord symbol: ")
    QTest.keyClick(editor.symbol, K.Key_Backspace)  # correcting: the reason is gone
    assert editor.error.isHidden()
    assert "Type a chord symbol" in editor.symbol.accessibleDescription()


def test_view_chord_row_shows_an_empty_row_to_double_click_in_and_is_remembered(
        window, tmp_path, dialogs):
    ruler = open_chords(window, tmp_path, chords=())
    assert ruler.chord_row_height() == 0  # no chords, no row: the ruler as it was
    window.actions.chord_row.setChecked(True)
    assert ruler.chord_row_height() > 0
    assert window.pianoroll._corner.height() == ruler.height()  # the keyboard's corner too
    assert window.settings.chord_row()  # the next session opens with it
    dialogs.answers["ask_chord"] = "Dm7"
    QTest.mouseDClick(ruler, Qt.MouseButton.LeftButton, pos=row_point(ruler, BAR + 10))
    assert chords(window) == [(BAR, "Dm7")]
    # Unticked, a song with chords keeps its row, and the item and the status bar say so
    # (QA: "not checked" was read over a row on screen); one without gives the room back.
    row = window.actions.chord_row
    assert row.statusTip().startswith("This song has chord symbols: their row shows")
    row.setChecked(False)
    assert ruler.chord_row_height() > 0
    assert window.statusBar().currentMessage().startswith(
        "Chord row: shown while the song has chord symbols")
    window.actions.undo.trigger()
    assert chords(window) == [] and ruler.chord_row_height() == 0
    assert not row.statusTip().startswith("This song has chord symbols")
    from studio.pianoroll.ruler import EMPTY_CHORD_ROW_HINT

    assert "Ctrl+Alt+K" in EMPTY_CHORD_ROW_HINT  # the empty row's hint: both keys




def test_a_chord_struck_again_is_drawn_dimmed_as_a_lead_sheet_writes_it_once():
    from engine.score import ChordSymbol as C
    from studio.pianoroll.ruler import repeats_chord

    chords = [C(0, "F7"), C(BAR, "F7"), C(2 * BAR, "Bb7"), C(3 * BAR, "B♭7"),
              C(4 * BAR, "Bb7/D"), C(5 * BAR, "N.C."), C(6 * BAR, "N.C.")]
    assert [repeats_chord(chords, i) for i in range(len(chords))] == [
        False, True, False, True, False, False, True]
