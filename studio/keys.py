"""Keep the window's bare-key shortcuts away from the control being edited.

The studio binds plain keys to window-wide actions (Space plays, Enter stops or accepts
the take, arrows nudge and transpose, letters pick tools …; see :mod:`studio.actions`).
Qt asks the focus widget first with a ``ShortcutOverride`` event; most controls do not
claim the keys they use, so without help typing in a track name or stepping a spin box
would fire those actions instead. :class:`EditingKeys` claims them: when the focus is
on an editing control and the key is one that control uses, the override is accepted
and the key goes to the control (a spin box uses digits, not letters: those still pick a
tool). Keys with Ctrl/Alt/Meta are left alone (a line edit
already claims its own Ctrl+Z, Ctrl+A …) except a text field's word keys the window also
binds (Ctrl+Backspace rejected a take, Ctrl+Del deleted bars while a name was typed) and a
list's Alt+↓ that opens it (Alt+↑ ↓ set velocities), as is everything when the piano roll,
the arrangement or the window itself has the focus.
Buttons and lists (combo boxes) take the focus only from Tab (:func:`tab_focus_controls`),
so a focused one is one the user tabbed to: Space and Enter press a button, and a list
takes the arrows and Space (which opens it); letters and digits stay the window's (B the
brush, 1–9 the takes) and never choose an item of a closed list — typing finds an item
once the list is open, as its popup takes the keys itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QWidget,
)

K = Qt.Key
KM = Qt.KeyboardModifier

ENTER = frozenset({K.Key_Return, K.Key_Enter})
ARROWS = frozenset({K.Key_Up, K.Key_Down, K.Key_Left, K.Key_Right})
PAGING = frozenset({K.Key_Home, K.Key_End, K.Key_PageUp, K.Key_PageDown})
ERASE = frozenset({K.Key_Delete, K.Key_Backspace})
SPACE = frozenset({K.Key_Space})
NAVIGATION = ARROWS | PAGING


def _any_character(text: str) -> bool:
    return text.isprintable()


def _no_character(text: str) -> bool:
    return False


def _number_character(text: str) -> bool:
    # A spin box can only use these: a letter or Space typed there did nothing and said
    # nothing, so they keep their window-wide meaning (B the brush, Space play).
    return text.isdigit() or text in ".,-+"


# What each kind of control does with a bare (or shifted) key: the keys it uses, and which
# single printable characters (typing). A closed list takes none: its jump-to-item search
# silently changed a setting (Key, Model) where the user meant B or ]; open, its popup
# searches as it is typed to.
TEXT = (ENTER | NAVIGATION | ERASE | SPACE, _any_character)
READ_ONLY_TEXT = (NAVIGATION, _no_character)
SPIN = (ENTER | NAVIGATION | ERASE, _number_character)
COMBO = (NAVIGATION | SPACE, _no_character)
EDITABLE_COMBO = (ENTER | NAVIGATION | ERASE | SPACE, _any_character)
SLIDER = (NAVIGATION, _no_character)
BUTTON = (SPACE, _no_character)
PUSH_BUTTON = (SPACE | ENTER, _no_character)  # tabbed to (tab_focus_controls)
WORD_KEYS = ERASE | frozenset({K.Key_Left, K.Key_Right})  # with Ctrl, in text
LIST_KEYS = frozenset({K.Key_Up, K.Key_Down})  # with Alt, in a list: Alt+↓ opens it
ITEM_VIEW = (NAVIGATION | SPACE, _no_character)

CHORD_MODIFIERS = KM.ControlModifier | KM.AltModifier | KM.MetaModifier


def _text_widget(w: QWidget) -> QTextEdit | QPlainTextEdit | None:
    """``w`` or the text edit whose viewport ``w`` is a child of."""
    while w is not None:
        if isinstance(w, (QTextEdit, QPlainTextEdit)):
            return w
        if w.isWindow():
            return None
        w = w.parentWidget()
    return None


def control_keys(w: QWidget | None) -> tuple[frozenset, Callable[[str], bool]] | None:
    """The keys the control ``w`` uses itself, or None when it is not an editing control."""
    if w is None:
        return None
    if isinstance(w, QLineEdit):
        return READ_ONLY_TEXT if w.isReadOnly() else TEXT
    if isinstance(w, QAbstractSpinBox):
        return READ_ONLY_TEXT if w.isReadOnly() else SPIN
    if isinstance(w, QComboBox):
        return EDITABLE_COMBO if w.isEditable() else COMBO
    text = _text_widget(w)
    if text is not None:
        return READ_ONLY_TEXT if text.isReadOnly() else TEXT
    if isinstance(w, QAbstractSlider):
        return SLIDER
    if isinstance(w, (QCheckBox, QRadioButton)):
        return BUTTON
    # A push or tool button that a click does not focus was reached with Tab: Space and
    # Enter press it. One a click focuses keeps Space for Play: after a click on Repaint,
    # Space "to listen" generated again.
    if isinstance(w, QAbstractButton) and not w.focusPolicy() & Qt.FocusPolicy.ClickFocus:
        return PUSH_BUTTON if isinstance(w, QPushButton) else BUTTON
    if isinstance(w, QAbstractItemView):
        if w.state() == QAbstractItemView.State.EditingState:
            return TEXT
        return ITEM_VIEW
    return None


def typing_field(w: QWidget | None) -> bool:
    """Whether ``w`` is a field one types into (a name, a number, an editable list): the
    keys a letter or a digit would trigger elsewhere (step entry's notes) do nothing there."""
    found = control_keys(w)
    return found is not None and found[0] >= ERASE


def control_wants(w: QWidget | None, e: QKeyEvent) -> bool:
    """Whether the focused control ``w`` should get ``e`` rather than a shortcut."""
    found = control_keys(w)
    if found is None:
        return False
    keys, takes_character = found
    chord = e.modifiers() & CHORD_MODIFIERS
    if chord:  # a text field's Ctrl+Backspace/Del/←/→ work on words; a list's Alt+↓ opens
        if chord == KM.AltModifier and e.key() in LIST_KEYS:
            return isinstance(w, QComboBox)
        return (chord == KM.ControlModifier and e.key() in WORD_KEYS
                and keys >= ERASE)
    if e.key() in keys:
        return True
    text = e.text()
    return len(text) == 1 and text.isprintable() and takes_character(text)


def tab_focus_controls(root: QWidget) -> None:
    """Push and tool buttons and lists (not editable) under ``root`` take the focus from
    Tab only, not from a click: after a click on Repaint, Space still plays; after a list
    is chosen from (or closed with Esc), the keys go on to where the user was editing. A
    push button tabbed to presses on Enter as on Space. Call it again for controls made
    later."""
    for b in root.findChildren(QAbstractButton):
        if isinstance(b, (QCheckBox, QRadioButton)):
            continue
        if b.focusPolicy() & Qt.FocusPolicy.ClickFocus:
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        if isinstance(b, QPushButton):
            b.setAutoDefault(True)  # Enter presses it when it has the focus
    for box in root.findChildren(QComboBox):
        if not box.isEditable() and box.focusPolicy() & Qt.FocusPolicy.ClickFocus:
            box.setFocusPolicy(Qt.FocusPolicy.TabFocus)


def _closed_list(w: QObject) -> bool:
    return isinstance(w, QComboBox) and not w.isEditable() and not w.view().isVisible()


class EditingKeys(QObject):
    """Event filter on ``window`` and its dock widgets (which may float as windows of
    their own); removed with the window, as its child.

    An unclaimed ``ShortcutOverride`` travels from the focus widget up to its window, so
    filtering the windows is enough; no application-wide filter sees every event.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)
        for dock in window.findChildren(QDockWidget):
            dock.installEventFilter(self)
        self.watch(window)

    def watch(self, root: QWidget) -> None:
        """Filter the controls under ``root`` that take keys before any window sees them:
        a spin box claims every printable key for its line edit itself, and a list picks
        an item for a letter no shortcut took. Call it again for controls made later."""
        for w in (*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)):
            w.installEventFilter(self)  # once: installing it again moves it, no copy

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent) and _closed_list(obj):
            # A letter or digit no shortcut took (A, C, D …): a closed list must not
            # jump to an item for it.
            text = e.text()
            return (not e.modifiers() & CHORD_MODIFIERS and len(text) == 1
                    and text.isprintable() and e.key() not in SPACE)
        if e.type() != QEvent.Type.ShortcutOverride:
            return False
        if isinstance(obj, QAbstractSpinBox):
            # True without accepting: the spin box never sees the key, which stays
            # unclaimed, so the window's shortcut fires (B, Space …).
            return not (e.modifiers() & CHORD_MODIFIERS) and not control_wants(obj, e)
        if isinstance(obj, QWidget) and obj.isWindow() and control_wants(obj.focusWidget(), e):
            e.accept()
            return True
        return False


class EscCancelsGesture:
    """For a view with mouse gestures (a drag, a mask stroke): Esc before the mouse is
    released cancels the gesture, as in a DAW. The view claims Esc only while a gesture
    runs, before the window's own Esc (Select None, clear the mask) sees it. A view names
    its gesture in :meth:`in_gesture` and drops it in :meth:`cancel_gesture`; this class
    comes before ``QWidget`` in its bases."""

    def in_gesture(self) -> bool:
        raise NotImplementedError

    def cancel_gesture(self) -> None:
        raise NotImplementedError

    def event(self, e: QEvent) -> bool:
        if (e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent)
                and e.key() == K.Key_Escape and self.in_gesture()):
            e.accept()
            return True
        return super().event(e)  # type: ignore[misc]

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() == K.Key_Escape and self.in_gesture():
            self.cancel_gesture()
            e.accept()
            return
        super().keyPressEvent(e)  # type: ignore[misc]
