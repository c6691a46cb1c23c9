"""Chord symbols typed in: one chord in a small editor opened where it is in the ruler's
chord row (a double-click there, as a notation program's chord-symbol entry), and a
lead sheet's bars from a bar on (Edit ▸ Chords for Bars…, the CLI's ``--chords`` syntax)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engine.score.chord_symbols import chord_symbol_problem

from ..number_entry import NumberEntry
from .forms import lay_out_form

ERROR_STYLE = "color: #ff6b6b;"
TYPE_A_CHORD = "Type a chord symbol (Bb7, F#m7b5/C, N.C.) and press Enter; empty deletes it"


class ChordEditor(QDialog):
    """One chord symbol at ``where`` ("5.1"), typed in a field that opens on its text
    (selected: typing replaces it). Enter writes it — empty, it deletes the chord there —
    and a text that is no chord symbol is refused with the reason, the text kept for
    correcting; Esc or a click elsewhere leaves the chord as it was. A popup, not a
    window: it sits at ``at`` (a global point), under the place double-clicked."""

    def __init__(self, parent: QWidget | None, where: str, text: str,
                 at: QPoint | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setWindowTitle(f"Chord at {where}")
        self.setAccessibleName(f"Chord symbol at {where}")
        self.place = QLabel(where, self)
        self.place.setAccessibleName("Position")
        self.symbol = QLineEdit(text, self)
        self.symbol.setAccessibleName(f"Chord symbol at {where}")
        self.symbol.setAccessibleDescription(TYPE_A_CHORD)
        self.symbol.setPlaceholderText("Bb7, F#m7b5/C, N.C.")
        self.symbol.setMinimumWidth(150)
        self.symbol.selectAll()
        self.symbol.returnPressed.connect(self._check)
        self.symbol.textEdited.connect(self._retyped)
        self.hint = QLabel("Enter writes it · empty deletes · Esc cancels", self)
        self.hint.setStyleSheet("color: gray; font-size: 8pt;")
        self.error = QLabel("", self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Why the chord is refused")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        row = QFormLayout()
        row.addRow(self.place, self.symbol)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        self.setMaximumWidth(360)
        if at is not None:
            self.move(at)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        # The keys go to the field as the editor opens: typing "Bb7" right after the
        # double-click (a popup took no focus where no window manager gives it one).
        self.activateWindow()
        self.symbol.setFocus(Qt.FocusReason.PopupFocusReason)

    def _retyped(self, _text: str) -> None:
        self.error.hide()
        self.symbol.setAccessibleDescription(TYPE_A_CHORD)

    def _check(self) -> None:
        problem = chord_symbol_problem(self.symbol.text())
        if problem is not None:
            refusal = f"Not a chord symbol: {problem}"
            self.error.setText(refusal)
            self.error.show()
            self.adjustSize()
            self.symbol.setFocus()
            # Said, not only shown: the focus stays in the field, so a screen reader heard
            # nothing of the red line below it (keyboard QA). The field's description
            # holds it too, for a reader that repeats the focused field.
            self.symbol.setAccessibleDescription(refusal)
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.symbol,
                                                                         refusal))
            return
        self.accept()


def ask_chord(parent: QWidget | None, where: str, text: str,
              at: QPoint | None = None) -> str | None:
    """The chord symbol typed for ``where`` (surrounding spaces dropped; ``""``: delete
    the chord there), or ``None`` when cancelled."""
    editor = ChordEditor(parent, where, text, at)
    if editor.exec() != QDialog.DialogCode.Accepted:
        return None
    return editor.symbol.text().strip()


class LeadSheetDialog(QDialog):
    """Chords typed as a lead sheet writes its bars, from bar ``start`` (a number as the
    ruler shows it, ``first``–``last``), the field opening on those bars' chords
    (``text_of(bar number)``; choosing another bar refills it while it is untouched). OK
    (or Ctrl+Enter) checks the text with ``read(text, bar number)``: a ValueError's
    message stays below, the text kept for correcting."""

    def __init__(self, parent: QWidget | None, first: int, last: int, start: int,
                 text_of: Callable[[int], str],
                 read: Callable[[str, int], object]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Chords for Bars")
        self.setMinimumWidth(520)
        self._text_of, self._read = text_of, read
        info = QLabel("Type the chords as a lead sheet writes its bars: a | between bars "
                      "(also at a line's end), several chords split a bar's beats evenly "
                      "(“C7 F7”: beats 1 and 3), % repeats the bar before, - holds the "
                      "chord on. The bars typed get these chords in place of theirs; the "
                      "bars after them keep theirs. Ctrl+Enter is OK.", self)
        info.setWordWrap(True)
        self.bar = NumberEntry(self)
        self.bar.setRange(first, max(first, last))
        self.bar.setValue(start)
        self.bar.setAccessibleName("From bar")
        self.sheet = QPlainTextEdit(self)
        self.sheet.setAccessibleName("Lead sheet chords")
        self.sheet.setPlaceholderText("F7 | Bb7 | F7 | % |\nBb7 | Bb7 | F7 | F7 |\n"
                                      "C7 | Bb7 | F7 | C7")
        self.sheet.setTabChangesFocus(True)
        self.sheet.setMinimumHeight(140)
        self._filled = ""
        self._fill()
        self.bar.valueChanged.connect(self._refill)
        self.error = QLabel("", self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Why the chords are refused")
        form = QFormLayout()
        form.addRow("From bar", self.bar)
        form.addRow("Chords", self.sheet)
        lay_out_form(self, info, form, below=(self.error,), on_ok=self._check)
        # Enter is a new line in the text; Ctrl+Enter is OK (the text field keeps the key
        # from a shortcut, so it is caught there).
        self.sheet.installEventFilter(self)
        self.sheet.setFocus()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if (obj is self.sheet and e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent)
                and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and e.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self._check()
            return True
        return super().eventFilter(obj, e)

    def _fill(self) -> None:
        self._filled = self._text_of(self.bar.value())
        self.sheet.setPlainText(self._filled)
        self.sheet.moveCursor(self.sheet.textCursor().MoveOperation.End)

    def _refill(self) -> None:
        if self.sheet.toPlainText() == self._filled:  # what was typed is never lost
            self._fill()

    def _retyped(self, _text: str) -> None:
        self.error.hide()
        self.symbol.setAccessibleDescription(TYPE_A_CHORD)

    def _check(self) -> None:
        try:
            self._read(self.sheet.toPlainText(), self.bar.value())
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.accept()


def ask_lead_sheet(parent: QWidget | None, first: int, last: int, start: int,
                   text_of: Callable[[int], str],
                   read: Callable[[str, int], object]) -> tuple[str, int] | None:
    """The lead-sheet text typed and the bar number it starts at, or ``None`` when
    cancelled."""
    dialog = LeadSheetDialog(parent, first, last, start, text_of, read)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.sheet.toPlainText(), dialog.bar.value()
