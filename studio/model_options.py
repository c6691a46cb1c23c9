"""The Generate panel's "Model options": the settings a model declares of its own
(``ModelInfo.options``, e.g. the drumkit's style), one field each, passed to it in
``GenerateOptions.extra``. Hidden for a model that declares none."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.plugins import ModelOption

from .number_entry import DecimalEntry, NumberEntry
from .wheel import WheelScrolls


class ModelOptionsBox(QGroupBox):
    fieldsMade = Signal()  # another model's fields: the window sets their keys and focus

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model options", parent)
        self._form = QFormLayout(unlabelled_by_title(self))
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)  # as the panel's forms
        self._fields: dict[str, tuple[ModelOption, QWidget]] = {}
        self._model = ""
        self._kept: dict[str, dict[str, object]] = {}  # per model, for this session
        self._wheel = WheelScrolls(self)  # the wheel scrolls the panel, as over its fields
        self.setVisible(False)

    def set_model(self, name: str, options: tuple[ModelOption, ...]) -> None:
        """Show ``options`` of model ``name``, as last set for it this session (another
        model and back keeps a chosen style)."""
        if name == self._model and tuple(o for o, _ in self._fields.values()) == options:
            return
        if self._model:
            self._kept[self._model] = self.values()
        self._model = name
        while self._form.rowCount():
            self._form.removeRow(0)
        self._fields = {}
        kept = self._kept.get(name, {})
        for option in options:
            value = option.coerce(kept.get(option.name, option.default))
            field = _field(replace(option, default=value) if option.problem(value) is None
                           else option, self)
            field.setToolTip(option.help)
            self._wheel.watch(field)
            self._form.addRow(option.label or option.name, field)
            self._fields[option.name] = (option, field)
        self.setTitle(f"{name} options" if name else "Model options")
        self.setVisible(bool(options))
        self.fieldsMade.emit()

    def kept(self) -> dict[str, dict[str, object]]:
        """Every model's last values (the shown one's as they are now): kept between
        sessions."""
        kept = dict(self._kept)
        if self._model:
            kept[self._model] = self.values()
        return kept

    def restore_kept(self, kept: object) -> None:
        """Values :meth:`kept` gave in an earlier session (anything else is ignored; a
        value an option no longer takes falls back to its default when shown)."""
        if not isinstance(kept, dict):
            return
        self._kept = {str(m): dict(v) for m, v in kept.items() if isinstance(v, dict)}
        shown, options = self._model, tuple(o for o, _ in self._fields.values())
        if shown:  # shown already (the list was filled first): shown again with them
            self._model = ""
            self.set_model(shown, options)

    def fields(self) -> list[QWidget]:
        """The fields shown, top to bottom."""
        return [field for _option, field in self._fields.values()]

    def values(self) -> dict[str, object]:
        """Each option's value, as ``GenerateOptions.extra`` takes it."""
        return {name: _value(option, field) for name, (option, field) in self._fields.items()}


def unlabelled_by_title(box: QGroupBox) -> QWidget:
    """A plain widget filling ``box``, to lay its fields out in: Qt names every direct
    child of a titled group box by the title too, so a screen reader heard two labels on
    each list ("Ending", "drumkit options"; "Key", "Constraints": keyboard QA)."""
    inner = QWidget(box)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(inner)
    return inner


def _field(option: ModelOption, parent: QWidget) -> QWidget:
    default = option.default
    if option.choices:
        box = QComboBox(parent)
        box.addItems(option.choices)
        box.setCurrentText(str(default))
        return box
    if isinstance(default, bool):
        check = QCheckBox(parent)
        check.setChecked(default)
        return check
    if isinstance(default, int):
        spin = NumberEntry(parent)
        spin.setRange(int(option.minimum if option.minimum is not None else -10**6),
                      int(option.maximum if option.maximum is not None else 10**6))
        spin.setValue(default)
        return spin
    if isinstance(default, float):
        dspin = DecimalEntry(parent)
        dspin.setDecimals(4)  # two (Qt's default) made a default of 0.005 into 0.01
        low = option.minimum if option.minimum is not None else -1e6
        high = option.maximum if option.maximum is not None else 1e6
        dspin.setRange(low, high)
        if option.minimum is not None and option.maximum is not None:
            dspin.setSingleStep((high - low) / 100)
        dspin.setValue(default)
        return dspin
    return QLineEdit(str(default), parent)


def _value(option: ModelOption, field: QWidget) -> object:
    if isinstance(field, QComboBox):
        return field.currentText()
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, QSpinBox | QDoubleSpinBox):
        return field.value()
    assert isinstance(field, QLineEdit)
    return field.text()


__all__ = ["ModelOptionsBox", "unlabelled_by_title"]
