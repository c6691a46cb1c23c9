"""Number fields that read what a musician types whatever the locale, and numbers shown in
it.

Qt's spin boxes read typed text in the locale's own way: under German "92.5" in the tempo
field was 925 BPM ("." groups thousands there; "1.000" was 1000), under Japanese "92,5"
was 925. Here a field takes "." and "," alike as the decimal point, never a thousands
separator, and shows its value as the locale writes it ("92,5" in German). Every spin box
in the studio is one of these."""

from __future__ import annotations

import re

from PySide6.QtCore import QLocale
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

# A sign, digits (any script's: the locale may write ٢٫٥), and a decimal point with more.
_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


def read_number(spin: QSpinBox | QDoubleSpinBox, text: str,
                decimals: int) -> tuple[QValidator.State, float | None]:
    """How ``spin`` takes ``text`` (its prefix and suffix may be there): the validator's
    state and the number, None when there is none yet. A field of no ``decimals`` (a
    whole number) drops what follows the decimal point: "1.000" is 1 in it, never 1000."""
    Q = QValidator.State
    if spin.specialValueText() and text == spin.specialValueText():
        return Q.Acceptable, spin.minimum()
    core = _stripped(spin, text)
    locale = spin.locale()
    core = core.replace(locale.negativeSign(), "-").replace(locale.positiveSign(), "+")
    for point in {locale.decimalPoint(), ",", "."}:
        core = core.replace(point, ".")
    match = _NUMBER.fullmatch(core)
    if match is None:  # a letter, a space, a second decimal point, a grouped "1.000.000"
        return Q.Invalid, None
    sign, whole, fraction = match.groups()
    if decimals and len(fraction or "") > decimals:
        return Q.Invalid, None  # as Qt's own fields: the extra digit is not typed
    if not (whole or fraction):
        return Q.Intermediate, None  # "", "-", "." on the way to a number
    value = float(f"{sign}{whole or 0}.{fraction if decimals and fraction else 0}")
    if spin.minimum() <= value <= spin.maximum():
        return Q.Acceptable, value
    # More digits only take it further from the range (as Qt's own fields judge it).
    far = value > max(spin.maximum(), 0) or value < min(spin.minimum(), 0)
    return (Q.Invalid if far else Q.Intermediate), value


def _stripped(spin: QAbstractSpinBox, text: str) -> str:
    prefix = spin.prefix()
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    for suffix in (spin.suffix(), getattr(spin, "unit", "")):  # a DecimalEntry's unit
        if suffix and text.endswith(suffix):
            text = text[:-len(suffix)]
    return text.strip()


class NumberEntry(QSpinBox):
    """A whole-number field: "1.000" and "1,000" are 1 in it, as a decimal field reads
    them, never 1000; "92.5" is 92."""

    def set_units(self, one: str, many: str) -> None:
        """The suffix ``one`` (" semitone") at 1 and -1, ``many`` (" semitones") at every
        other value: "1 semitones" read wrong, shown and said (QA)."""
        def shown(value: int) -> None:
            self.setSuffix(one if abs(value) == 1 else many)

        self.valueChanged.connect(shown)
        shown(self.value())

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        return read_number(self, text, 0)[0], text, pos

    def valueFromText(self, text: str) -> int:
        state, value = read_number(self, text, 0)
        return self.value() if value is None or state == QValidator.State.Invalid \
            else int(value)

    def fixup(self, text: str) -> str:
        return text  # Qt's dropped the locale's group separators: "1.2" became 12


class DecimalEntry(QDoubleSpinBox):
    """A decimal field: "92.5" and "92,5" are both 92.5, in any locale.

    Its unit (``setSuffix(" dB")``) is part of its value's text, :meth:`textFromValue`:
    Qt's screen-reader value of a decimal field is that text without the suffix, so the
    export's fixed gain was said "-6.0", not "-6.0 dB" (a whole-number field's says it).
    ``suffix()`` stays empty (the text has the unit: nothing to add), and the cursor is
    kept off the unit as Qt keeps it off a suffix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = ""
        self.lineEdit().cursorPositionChanged.connect(self._off_the_unit)

    def setSuffix(self, suffix: str) -> None:
        self.unit = suffix
        super().setSuffix("")  # shown again, with the unit in the value's text

    def textFromValue(self, value: float) -> str:
        return super().textFromValue(value) + self.unit

    def selectAll(self) -> None:
        """The number selected, not its unit (as Qt selects a suffixed field's): typing
        over it keeps the unit."""
        super().selectAll()
        edit, end = self.lineEdit(), self._number_end()
        if end is not None:
            edit.setSelection(0, end)

    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)  # Tab selects all: the number only
        if self.lineEdit().selectedText() == self.lineEdit().text():
            self.selectAll()

    def _number_end(self) -> int | None:
        text = self.lineEdit().text()
        return len(text) - len(self.unit) if self.unit and text.endswith(self.unit) else None

    def _off_the_unit(self, _old: int, new: int) -> None:
        end = self._number_end()
        if end is not None and new > end and not self.lineEdit().hasSelectedText():
            self.lineEdit().setCursorPosition(end)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        return read_number(self, text, self.decimals())[0], text, pos

    def valueFromText(self, text: str) -> float:
        state, value = read_number(self, text, self.decimals())
        return self.value() if value is None or state == QValidator.State.Invalid else value

    def fixup(self, text: str) -> str:
        return text  # Qt's dropped the locale's group separators: "1,20" BPM became 120


def number_text(value: float, decimals: int) -> str:
    """``value`` as the locale writes it, as the fields show it: "92,5" in German, "92.5"
    in English; no thousands separator."""
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
    return locale.toString(float(value), "f", decimals)


__all__ = ["DecimalEntry", "NumberEntry", "number_text", "read_number"]
