"""The Generate dock: model, sampling options, constraints, and the actions on the mask.

The model list comes from the engine registry (through :class:`~studio.models.ModelCatalog`):
usable models can be picked, disabled ones are listed greyed with the reason as their
tooltip. :meth:`GeneratePanel.values` is what a request uses.
"""

from __future__ import annotations

import json
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.plugins import GenerateOptions, ModelInfo
from engine.plugins.api import SAMPLING_LABELS
from engine.plugins.registry import describe
from engine.score import Song
from engine.score.mask_geometry import describe as describe_mask
from engine.score.spelling import pitch_name
from engine.tasks import AUTO, CHORALE_MODEL, is_chorale
from engine.tasks.requests import ACTIONS

from . import actions
from .accessible import set_name
from .cocompose import GenerationSettings
from .model_options import ModelOptionsBox, unlabelled_by_title
from .models import ModelCatalog
from .number_entry import DecimalEntry, NumberEntry
from .wheel import WheelScrolls

# Auto: the key the music around the mask is clearly in (engine.score.keys); Any: none.
AUTO_KEY, ANY_KEY = "Auto (the music's key)", "Any key"
KEYS = (AUTO_KEY, ANY_KEY, "C", "G", "D", "A", "E", "B", "F#", "Db", "Ab", "Eb", "Bb", "F",
        "Am", "Em", "Bm", "F#m", "C#m", "G#m", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm")
PRECISIONS = ("auto", "fp32", "int8", "int4")
LOADING = "Default model (loads on first use)"  # an option, not a model's name
LOADING_CHOSEN = "{name} (loads on first use)"  # the model chosen last session, not yet found
# The "No parallel 5ths / 8ves" box's states, as the settings keep them.
PARALLELS_STATES = {Qt.CheckState.PartiallyChecked: "auto", Qt.CheckState.Checked: "avoid",
                    Qt.CheckState.Unchecked: "allow"}
AUTO_MODEL = ""  # the Auto entry's data: the default model, the chorale model for chorales
# The entry names the model Auto runs for the song on screen: "Auto (chorale-jsb)" for a
# song of Soprano, Alto, Tenor and Bass parts (it said the default while the chorale ran).
AUTO_TEXT = "Auto ({model})"
AUTO_TIP = ("Auto: the default model ({default}); {chorale} for four-part chorales "
            "(Harmonize adding Alto, Tenor and Bass, or a song of Soprano, Alto, Tenor and "
            "Bass parts){now}")
AUTO_TIP_NOW = "; this song is one: {chorale}"


class PitchSpin(QSpinBox):
    """A MIDI pitch shown as a note name (C4 = 60)."""

    def textFromValue(self, value: int) -> str:
        return f"{pitch_name(value)} ({value})"

    def valueFromText(self, text: str) -> int:
        digits = text.rsplit("(", 1)[-1].rstrip(")")
        # isdecimal: "²" is a digit int() refuses.
        return int(digits) if digits.strip().isdecimal() else self.value()


class ModelCombo(QComboBox):
    """Asks the catalog to discover models the first time it is opened."""

    opened = Signal()

    def showPopup(self) -> None:
        self.opened.emit()
        super().showPopup()


class GeneratePanel(QWidget):
    """The generation options and action buttons. ``actionRequested(name)`` asks the
    window to run an action; ``manageModels`` opens the model manager."""

    actionRequested = Signal(str)
    manageModels = Signal()
    clearMask = Signal()

    def __init__(self, catalog: ModelCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.setObjectName("GeneratePanel")
        self.mask_label = QLabel("No mask — press M and drag over bars", self)
        self.mask_label.setObjectName("MaskLabel")
        self.mask_label.setWordWrap(True)
        # Room for two lines from the start: a longer description must not push the
        # panel's buttons down while the user paints.
        self.mask_label.setMinimumHeight(2 * self.mask_label.fontMetrics().lineSpacing() + 4)
        clear = self.clear_mask_button = QToolButton(self)
        clear.setText("Clear")  # beside the mask's description, which says what it clears
        # A screen reader, tabbing from the piano roll, heard only "Clear": clear what?
        clear.setAccessibleName("Clear mask")
        clear.setToolTip("Clear the mask (Esc twice)")
        clear.clicked.connect(self.clearMask)
        mask_row = QHBoxLayout()
        mask_row.addWidget(self.mask_label, 1)
        mask_row.addWidget(clear)

        # Actions.
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        # Text, tip and shortcut as the Generate menu's actions have them (studio.actions).
        for i, name in enumerate(ACTIONS):
            action = actions.spec(name)
            b = QPushButton(action.label, self)
            b.setObjectName("Primary" if name == "repaint" else "Action")
            b.setToolTip(action.tooltip)
            b.clicked.connect(lambda _c=False, n=name: self.actionRequested.emit(n))
            self.buttons[name] = b
            if name == "repaint":
                grid.addWidget(b, 0, 0, 1, 2)
            else:
                grid.addWidget(b, 1 + (i - 1) // 2, (i - 1) % 2)
        self.continue_bars = NumberEntry(self)
        self.continue_bars.setRange(1, 64)
        self.continue_bars.setValue(4)
        self.continue_bars.setSuffix(" bars")
        self.continue_bars.setToolTip("How many bars Continue adds")

        # Model and sampling.
        self.model = ModelCombo(self)
        self.model.opened.connect(catalog.ensure)
        self.model.setToolTip("The model that writes the takes")
        set_name(self.model, "Model")  # its row holds the Model Manager button too
        manage = QToolButton(self)
        manage.setText("…")
        manage.setToolTip("Model Manager")
        manage.setAccessibleName("Model Manager")
        manage.clicked.connect(self.manageModels)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(manage)
        self.precision = QComboBox(self)
        self.precision.addItems(PRECISIONS)
        # The user's choice, put back when a model that has those weights is chosen again
        # (a model without them shows auto meanwhile).
        self._precision_wanted = "auto"
        self._model_wanted = ""  # the last session's model, chosen once the list is filled
        self._chorale = False  # the song on screen is a four-part chorale (set_song)
        self.precision.activated.connect(
            lambda i: setattr(self, "_precision_wanted", PRECISIONS[i]))
        self.precision.setToolTip(
            "How compactly the model's numbers are stored: the music is practically the same,\n"
            "the smaller forms load and run faster. Leave it on auto (the model's own choice).\n"
            "fp32: full size · int8: a quarter of it (the shipped default) · int4: a sixth.\n"
            "(measured likelihood change: int8 +0.1 %, int4 +0.4 %; docs/performance.md)")
        self.steps = NumberEntry(self)
        self.steps.setRange(1, 64)
        self.steps.setValue(8)
        self.steps.setToolTip("Sampling steps: more is slower and usually more coherent")
        self.temperature = DecimalEntry(self)
        self.temperature.setRange(0.1, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(1.0)
        self.temperature.setToolTip("Lower: safer choices; higher: more surprising ones")
        self.variations = NumberEntry(self)
        self.variations.setRange(1, 9)
        self.variations.setValue(3)
        self.variations.setToolTip("How many takes (A, B, C…) one request makes")
        self.seed = NumberEntry(self)
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("Random")
        self.seed.setToolTip("Same seed and options give the same takes; Random draws anew")
        form = self._form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Model", model_row)
        form.addRow("Precision", self.precision)
        form.addRow("Steps", self.steps)
        form.addRow("Temperature", self.temperature)
        form.addRow("Variations", self.variations)
        form.addRow("Seed", self.seed)
        form.addRow("Continue by", self.continue_bars)
        QWidget.setTabOrder(self.seed, self.continue_bars)  # Tab follows the rows on screen

        # Constraints.
        self.key = QComboBox(self)
        self.key.addItems(KEYS)
        self.key.setToolTip("Keep generated notes in this key's scale. Auto: the key the "
                            "music around the mask is clearly in, if any (not for a "
                            "chorale Harmonize writes, whose chords are its own)")
        self.pitch_lo = PitchSpin(self)
        self.pitch_hi = PitchSpin(self)
        for spin, value in ((self.pitch_lo, 0), (self.pitch_hi, 127)):
            spin.setRange(0, 127)
            spin.setValue(value)
        pitch_row = QHBoxLayout()
        pitch_row.addWidget(self.pitch_lo)
        pitch_row.addWidget(QLabel("–", self))
        pitch_row.addWidget(self.pitch_hi)
        self.pitch_lo.setAccessibleName("Lowest pitch")
        self.pitch_hi.setAccessibleName("Highest pitch")
        self.density = QSlider(Qt.Orientation.Horizontal, self)
        self.density.setAccessibleName("Density")
        self.density.setRange(0, 100)
        self.density.setValue(50)
        self.density_auto = QCheckBox("Auto", self)
        self.density_auto.setChecked(True)
        self.density_auto.setAccessibleName("Automatic density")  # "Auto" alone says little
        self.density_auto.toggled.connect(lambda on: self.density.setEnabled(not on))
        self.density.setEnabled(False)
        self.density.setToolTip("How busy the generated part is (sparse ← → dense)")
        density_row = QHBoxLayout()
        density_row.addWidget(self.density_auto)
        density_row.addWidget(self.density, 1)
        QWidget.setTabOrder(self.density_auto, self.density)  # left to right, as on screen
        self.keep_rhythm = QCheckBox("Keep the rhythm of the masked notes", self)
        self.keep_rhythm.setToolTip(
            "New notes take the onsets and lengths of the notes they replace (Repaint,\n"
            "Regenerate, Harmonize over notes). Continue and Compose write new bars, which\n"
            "have no rhythm to keep: they leave it off, and the status bar says so")
        # GenerateOptions.loop, `--loop` of repaint, regenerate and continue (LOOP_TASKS):
        # done by the engine around any model, through the job queue.
        self.loop = QCheckBox("Seamless loop", self)
        self.loop.setToolTip(
            "The song is a loop (a game's 4- or 8-bar cue): its last bar leads into its\n"
            "first. Repaint, Regenerate and Continue give the model the song's start as\n"
            "the context after its end, and new notes are cut at the last bar line, never\n"
            "held over into bar 1. Harmonize and Compose leave it off")
        # Three states: Auto (partly checked: on for four-part chorales only), on, off.
        self.avoid_parallels = QCheckBox(self)
        self.avoid_parallels.setTristate(True)
        self.avoid_parallels.setToolTip(
            "Chorale-style voice leading: no two parts move in parallel fifths or octaves\n"
            "(some notes are redrawn, so a take is a little slower).\n"
            "Partly checked: Auto, on for four-part chorales (Harmonize adding Alto, Tenor\n"
            "and Bass, or a song of Soprano, Alto, Tenor and Bass parts), off otherwise;\n"
            "checked: always on; unchecked: off, chorales too")
        self.avoid_parallels.checkStateChanged.connect(self._show_parallels)
        self.avoid_parallels.setCheckState(Qt.CheckState.PartiallyChecked)
        self._show_parallels()
        # Shown only while the song has chord symbols (set_song): without them it would
        # change nothing.
        self.follow_chords = QCheckBox("Follow chord symbols", self)
        self.follow_chords.setChecked(True)
        self.follow_chords.setToolTip(
            "The parts being written follow the song's chord symbols where one is in\n"
            "force: a bass on the chord's root where it changes, chord tones on the\n"
            "beats, no minor 2nds against them (the melody kept as it is).\n"
            "Unchecked: the model harmonizes as it hears the music")
        constraints = QGroupBox("Constraints", self)
        cform = QFormLayout(unlabelled_by_title(constraints))
        cform.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        cform.addRow("Key", self.key)
        cform.addRow("Pitch range", pitch_row)
        cform.addRow("Density", density_row)
        cform.addRow(self.keep_rhythm)
        cform.addRow(self.loop)
        cform.addRow(self.avoid_parallels)
        cform.addRow(self.follow_chords)
        cform.setRowVisible(self.follow_chords, False)
        self._constraints_form = cform

        # The panel scrolls in its dock: the wheel over a setting scrolls it, and changes
        # only the one being edited (it has the focus).
        self.wheel = WheelScrolls(self)
        self.wheel.watch(self.model, self.precision, self.steps, self.temperature,
                         self.variations, self.seed, self.continue_bars, self.key,
                         self.pitch_lo, self.pitch_hi, self.density)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #3a3f47;")
        # The settings as made above are the defaults. One kept from an earlier session
        # and not at its default is outlined (QA: Steps left at 50 made every take 5-7x
        # slower, unseen), its tooltip names the default, and this button puts all back.
        self._defaults = {w: _setting(w) for w in self._settings()}
        self._tips = {w: w.toolTip() for w in self._defaults}
        # The standard settings the chosen model ignores (ModelInfo.sampling), each with
        # its tooltip saying so: greyed, not hidden, so the panel does not jump about.
        self._ignored: dict[QWidget, str] = {}
        self.reset = QToolButton(self)
        self.reset.setText("Reset to Defaults")
        self.reset.setToolTip("Put the sampling settings and constraints back to their "
                              "defaults (the model stays)")
        self.reset.setAutoRaise(True)
        self.reset.clicked.connect(self.reset_to_defaults)
        # Tab as on screen: it stands above Model, after the action buttons.
        QWidget.setTabOrder(self.buttons[ACTIONS[-1]], self.reset)
        # Shown only while a setting is off its default; its room kept, so nothing moves.
        policy = self.reset.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.reset.setSizePolicy(policy)
        line_row = QHBoxLayout()
        line_row.addWidget(line, 1)
        line_row.addWidget(self.reset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(mask_row)
        layout.addLayout(grid)
        layout.addLayout(line_row)
        layout.addLayout(form)
        self.model_options = ModelOptionsBox(self)
        layout.addWidget(self.model_options)
        self.model_options.fieldsMade.connect(self._order_model_options)
        layout.addWidget(constraints)
        layout.addStretch(1)
        for w in self._defaults:
            _changed_signal(w).connect(self._show_changed)
        self._show_changed()
        self.model.currentIndexChanged.connect(self._follow_model)
        catalog.changed.connect(self.populate_models)
        catalog.defaultChanged.connect(self.set_model)  # a new default is what runs next
        self.populate_models()

    def _order_model_options(self) -> None:
        """A model's own fields, made anew for each model, come in Tab order where they
        stand: after Continue by, before the constraints' Key (made last, they came after
        the Jobs panel: keyboard QA with the drumkit's Style and Phrase)."""
        chain = [self.continue_bars, *self.model_options.fields(), self.key]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # -- models --------------------------------------------------------------------------------
    def populate_models(self) -> None:
        """Fill the model list: usable models, then disabled ones greyed with their reason."""
        current = self.model.currentData()
        if current is None:  # the first listing: the model of the last session, else Auto
            current = self._model_wanted or AUTO_MODEL
        self.model.blockSignals(True)
        self.model.clear()
        if not self.catalog.loaded:
            wanted = self._model_wanted
            self.model.addItem(LOADING_CHOSEN.format(name=wanted) if wanted else LOADING, None)
            self.model.blockSignals(False)
            self._follow_model()
            return
        self.model.addItem("", AUTO_MODEL)
        self._name_auto()
        items: QStandardItemModel = self.model.model()  # type: ignore[assignment]
        entries = sorted(self.catalog.entries(), key=lambda e: not e.ok)
        for e in entries:
            text = e.name if e.ok else f"{e.name} — disabled"
            # A disabled model keeps its name as data: chosen, it stays chosen (and its
            # requests are refused, saying why) rather than silently becoming Auto.
            self.model.addItem(text, e.name)
            row = self.model.count() - 1
            tip = (e.info.description if e.info else "") if e.ok else describe(e)
            self.model.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
            if not e.ok:
                items.item(row).setEnabled(False)
        index = self.model.findData(current)
        self.model.setCurrentIndex(max(0, index))
        self.model.blockSignals(False)
        self._follow_model()

    def auto_model(self) -> str:
        """The model Auto runs for the song on screen: the chorale model for a four-part
        chorale where it is installed (as ``CoComposer.model_for`` picks it), else the
        default; "" before the models are found."""
        if self._chorale and self.catalog.chorale_entry() is not None:
            return CHORALE_MODEL
        return self.catalog.default_name() or ""

    def set_song(self, song: Song) -> None:
        """Follow the song on screen: the Auto entry names the model it will run for it
        (renaming a track Soprano, or adding the fourth voice, makes it the chorale's);
        Follow chord symbols is shown while the song has chord symbols."""
        self._constraints_form.setRowVisible(self.follow_chords, bool(song.chords))
        chorale = is_chorale(song, (t.id for t in song.tracks))
        if chorale != self._chorale:
            self._chorale = chorale
            self._name_auto()
            if self.model.currentData() == AUTO_MODEL:
                self._follow_model()  # Auto's settings are those of the model it runs

    def _name_auto(self) -> None:
        if not self.catalog.loaded or self.model.itemData(0) != AUTO_MODEL:
            return  # "Default model (loads on first use)" until the models are found
        default = self.catalog.default_name() or "none"
        model = self.auto_model() or "none"
        now = AUTO_TIP_NOW.format(chorale=model) if model != default else ""
        self.model.setItemText(0, AUTO_TEXT.format(model=model))
        self.model.setItemData(0, AUTO_TIP.format(default=default, chorale=CHORALE_MODEL,
                                                  now=now), Qt.ItemDataRole.ToolTipRole)

    def _follow_model(self) -> None:
        """The chosen model's own settings and weights (Auto: those of the model it runs
        for the song on screen, :meth:`auto_model`). Before the models are found, the
        settings of the model a request will run — the one chosen last session, else the
        default — where they are known without loading it (the built-in models' Ending),
        so they can be set from the start."""
        if self.catalog.loaded:
            name = self.model.currentData()
            if name == AUTO_MODEL:
                name = self.auto_model()
        else:
            name = self._model_wanted or self.catalog.registry.likely_default()
        entry = self.catalog.usable(name) if name else None
        info = entry.info if entry else None
        self.model_options.set_model(name or "",
                                     self.catalog.declared_options(name) if name else ())
        # Only the weights the model has (a code plugin like the drumkit: fp32, i.e. auto).
        items: QStandardItemModel = self.precision.model()  # type: ignore[assignment]
        for row, precision in enumerate(PRECISIONS):
            items.item(row).setEnabled(precision == "auto" or info is None
                                       or precision in info.precisions)
        wanted = PRECISIONS.index(self._precision_wanted)
        self.precision.setCurrentIndex(wanted if items.item(wanted).isEnabled() else 0)
        self._grey_ignored(info)

    def _grey_ignored(self, info: ModelInfo | None) -> None:
        """Grey the sampling settings the model does not use (a rule-based model has no
        steps or weights), the tooltip saying so: "drumkit does not use Steps". A model
        not known yet (the list still loading) keeps them all."""
        for widget, setting in ((self.precision, "precision"), (self.steps, "steps"),
                                (self.temperature, "temperature")):
            ignored = info is not None and info.ignores(setting)
            widget.setEnabled(not ignored)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setEnabled(not ignored)
            self._ignored[widget] = (f"{info.name} does not use {SAMPLING_LABELS[setting]}"
                                     if ignored else "")
        self._show_changed()

    def parallels_choice(self) -> bool | None:
        """``GenerateOptions.avoid_parallels`` as the box sets it: None for Auto."""
        state = self.avoid_parallels.checkState()
        return None if state == Qt.CheckState.PartiallyChecked else (
            state == Qt.CheckState.Checked)

    def _show_parallels(self, *_: object) -> None:
        """The box says what takes will be written with: Auto's rule, or on/off."""
        auto = self.avoid_parallels.checkState() == Qt.CheckState.PartiallyChecked
        self.avoid_parallels.setText("No parallel 5ths / 8ves in chorales"
                                     if auto else "No parallel 5ths / 8ves between parts")

    def set_model(self, name: str) -> bool:
        index = self.model.findData(name)
        if index >= 0:
            self.model.setCurrentIndex(index)
        return index >= 0

    # -- defaults ------------------------------------------------------------------------------
    def _settings(self) -> tuple[QWidget, ...]:
        """The settings Reset to Defaults puts back (the model and its own settings stay)."""
        return (self.precision, self.steps, self.temperature, self.variations, self.seed,
                self.continue_bars, self.key, self.pitch_lo, self.pitch_hi, self.density_auto,
                self.density, self.keep_rhythm, self.loop, self.avoid_parallels,
                self.follow_chords)

    def changed_settings(self) -> list[QWidget]:
        """The settings not at their defaults (the density slider counts only off Auto)."""
        return [w for w, default in self._defaults.items() if _setting(w) != default
                and (w is not self.density or not self.density_auto.isChecked())]

    def _show_changed(self, *_: object) -> None:
        changed = self.changed_settings()
        for w, default in self._defaults.items():
            on = w in changed
            tip = self._tips[w] + (f"\n(not the default: {_setting_text(w, default)})"
                                   if on else "")
            w.setToolTip(self._ignored.get(w) or tip.strip())
            if w.property("changed") != on:
                w.setProperty("changed", on)
                w.style().unpolish(w)  # the theme's [changed="true"] rule, applied
                w.style().polish(w)
        self.reset.setHidden(not changed)

    def reset_to_defaults(self) -> None:
        for w, default in self._defaults.items():
            _set_setting(w, default)
        self._precision_wanted = "auto"

    # -- values --------------------------------------------------------------------------------
    def set_mask_text(self, text: str, empty: bool) -> None:
        self.mask_label.setText(("Mask: " + text) if not empty else
                                "No mask — press M and drag over bars")
        self.mask_label.setToolTip("" if empty else text)
        self.mask_label.setProperty("empty", empty)
        self.mask_label.setStyleSheet("color: #8b929c;" if empty
                                      else "color: #ffa630; font-weight: 600;")

    def values(self) -> GenerationSettings:
        key = self.key.currentText()
        lo, hi = sorted((self.pitch_lo.value(), self.pitch_hi.value()))
        options = GenerateOptions(
            steps=self.steps.value(),
            temperature=round(self.temperature.value(), 3),
            seed=None if self.seed.value() < 0 else self.seed.value(),
            precision=self.precision.currentText(),
            key=AUTO if key == AUTO_KEY else None if key == ANY_KEY else key,
            pitch_range=None if (lo, hi) == (0, 127) else (lo, hi),
            density=None if self.density_auto.isChecked() else self.density.value() / 100,
            keep_rhythm=self.keep_rhythm.isChecked(),
            loop=self.loop.isChecked(),
            avoid_parallels=self.parallels_choice(),
            follow_chords=self.follow_chords.isChecked(),
            extra=self.model_options.values(),
        )
        return GenerationSettings(model=self.model.currentData() or None, options=options,
                                  variations=self.variations.value(),
                                  continue_bars=self.continue_bars.value())

    def state(self) -> dict:
        """What is kept between sessions (QSettings): the settings, the model chosen and
        each model's own options (as JSON text: QSettings would turn 8 into "8")."""
        return {"steps": self.steps.value(), "temperature": self.temperature.value(),
                "variations": self.variations.value(), "precision": self.precision.currentText(),
                "continue_bars": self.continue_bars.value(),
                "parallels": PARALLELS_STATES[self.avoid_parallels.checkState()],
                "keep_rhythm": self.keep_rhythm.isChecked(),
                "loop": self.loop.isChecked(),
                "follow_chords": self.follow_chords.isChecked(),
                "model": self.model.currentData() or self._model_wanted or AUTO_MODEL,
                "model_options": json.dumps(self.model_options.kept())}

    def restore(self, state: dict) -> None:
        try:
            self.steps.setValue(int(state.get("steps", self.steps.value())))
            self.temperature.setValue(float(state.get("temperature", self.temperature.value())))
            self.variations.setValue(int(state.get("variations", self.variations.value())))
            self.continue_bars.setValue(int(state.get("continue_bars",
                                                      self.continue_bars.value())))
            precision = str(state.get("precision", "auto"))
            if precision in PRECISIONS:
                self._precision_wanted = precision
                self.precision.setCurrentText(precision)
            # "parallels": auto, avoid or allow; an older "avoid_parallels" true is avoid
            # (its false was the Auto of now: chorales were written without them).
            old = "avoid" if state.get("avoid_parallels") in (True, "true") else "auto"
            wanted = state.get("parallels", old)
            self.avoid_parallels.setCheckState(next(
                (s for s, name in PARALLELS_STATES.items() if name == wanted),
                Qt.CheckState.PartiallyChecked))
            self.keep_rhythm.setChecked(state.get("keep_rhythm") in (True, "true"))
            self.loop.setChecked(state.get("loop") in (True, "true"))
            self.follow_chords.setChecked(state.get("follow_chords", True) in (True, "true"))
            # The options first: choosing the model shows them.
            self.model_options.restore_kept(json.loads(str(state.get("model_options", "{}"))))
            model = state.get("model")
            if isinstance(model, str) and model:
                self._model_wanted = model
                if self.catalog.loaded:
                    self.set_model(model)
            if not self.catalog.loaded:  # the list names it, and shows its settings
                self.populate_models()
        except (TypeError, ValueError):
            pass  # settings from another version: keep the defaults


def _setting(w: QWidget) -> object:
    if isinstance(w, QCheckBox):
        return w.checkState()
    if isinstance(w, QComboBox):
        return w.currentText()
    return w.value()  # a spin box or the slider


def _set_setting(w: QWidget, value: object) -> None:
    if isinstance(w, QCheckBox):
        w.setCheckState(value)
    elif isinstance(w, QComboBox):
        w.setCurrentText(value)
    else:
        w.setValue(value)


def _setting_text(w: QWidget, value: object) -> str:
    """A default as the control shows it ("8", "Random", "auto", "Auto (partly checked)")."""
    if isinstance(w, QCheckBox):
        return {Qt.CheckState.Checked: "on", Qt.CheckState.Unchecked: "off"}.get(
            value, "Auto (partly checked)")
    if isinstance(w, QDoubleSpinBox | QSpinBox):
        if value == w.minimum() and w.specialValueText():
            return w.specialValueText()
        return w.textFromValue(value) + w.suffix()
    return str(value)


def _changed_signal(w: QWidget):
    if isinstance(w, QCheckBox):
        return w.checkStateChanged
    if isinstance(w, QComboBox):
        return w.currentTextChanged
    return w.valueChanged


def mask_summary(document) -> tuple[str, bool]:
    """The panel's mask line for the document's mask."""
    mask = document.mask
    return describe_mask(mask, document.song), mask.is_empty
