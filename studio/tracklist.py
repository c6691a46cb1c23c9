"""Track headers: name, instrument, colour, mute/solo, volume/pan, the key a transposing
part is written in; add/remove/reorder; a right-click menu (Menu key, Shift+F10) with the
Track menu's commands.

Each change is one engine edit (``SetTrackProps``, ``InsertTrack``, ``DeleteTrack``,
``MoveTrack``) on the document's undo stack. Rows line up with the arrangement rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.score import Edit, EditError, Track, set_track_props, track_label, track_labels
from engine.score.instruments import (
    GM2_KITS,
    GM_PROGRAMS,
    STANDARD_KIT,
    family_name,
    kit_name,
    program_name,
    transposition_text,
    written_in,
    written_transposition,
)
from engine.score.track_edits import DRUMS, instrument_edit, instrument_value

from .accessible import set_name
from .document import Document
from .mixer_slider import (
    FADER_PAGE_STEP,
    FADER_SINGLE_STEP,
    FADER_TOP,
    MixerSlider,
    fader_position,
    fader_volume,
    pan_tip,
    volume_tip,
)
from .selection import Selection
from .theme import FocusRing
from .track_commands import DEFAULT_VOLUME, volume_text
from .wheel import WheelScrolls

ROW_H = 56
SWATCH_W = 12  # the colour strip at a row's left edge: a target to click (8 px was small)
HEADER_H = 26  # the bar above the rows; the arrangement ruler has the same height
VISIBLE_MARGIN = 2  # rows made beyond each edge of the visible ones

PROGRAM_SEP = "  ·  "  # between an instrument's name and its GM program number


class InstrumentCombo(QComboBox):
    """The instrument picker, its current name shortened with "…" where the box is narrow
    and its program number kept whole: Qt cut "Electric Guitar (muted)  ·  29" to "· 2",
    the wrong program."""

    def paintEvent(self, e: QPaintEvent) -> None:
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, self)
        opt.currentText = elided_instrument(opt.currentText, self.fontMetrics(),
                                            room.width() - 4)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


def elided_instrument(text: str, metrics: QFontMetrics, width: int) -> str:
    """``"Electric Guitar (mu…  ·  29"``: the name ends in "…" so that the text fits
    ``width`` px, the program number whole."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    name, sep, number = text.rpartition(PROGRAM_SEP)
    if not sep:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    tail = sep + number
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                              max(0, width - metrics.horizontalAdvance(tail))) + tail


def instrument_combo(parent: QWidget | None = None) -> QComboBox:
    """A GM program picker grouped by family, after the drum kits: "Drum Kit" (the
    standard one) and General MIDI 2's others ("TR-808 Kit", "Brush Kit"), which a
    SoundFont's percussion bank plays."""
    box = InstrumentCombo(parent)
    box.setMaxVisibleItems(24)
    box.addItem("Drum Kit (GM)", DRUMS)
    for program in GM2_KITS:
        if program != STANDARD_KIT:
            box.addItem(kit_name(program), instrument_value(program, True))
            box.setItemData(box.count() - 1, f"General MIDI 2 drum kit (program "
                            f"{program + 1} on channel 10)", Qt.ItemDataRole.ToolTipRole)
    for program, name in enumerate(GM_PROGRAMS):
        if program % 8 == 0:
            box.insertSeparator(box.count())
        # The name first: typing "Flu" finds Flute (the list's own type-ahead).
        box.addItem(f"{name}{PROGRAM_SEP}{program + 1}", program)
        box.setItemData(box.count() - 1, family_name(program), Qt.ItemDataRole.ToolTipRole)
    return box


# -- widgets ------------------------------------------------------------------------------------
class TrackHeader(QFrame):
    """One track's controls. Emits ``clicked(track_id, toggle)`` to change the selection."""

    clicked = Signal(int, bool)
    renamed = Signal()  # the name field was left (Enter, Esc, a click elsewhere)
    rename_requested = Signal(int)  # a double-click on the name: rename this track

    def __init__(self, lst: TrackList, track: Track) -> None:
        super().__init__(lst.rows)
        self.lst = lst
        self.track_id = track.id
        self.setObjectName("TrackHeader")
        self.setFixedHeight(ROW_H)
        self.swatch = QPushButton(self)
        self.swatch.setFixedWidth(SWATCH_W)
        self.swatch.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.swatch.setToolTip("Track colour (click to change)")
        self.swatch.setCursor(Qt.CursorShape.PointingHandCursor)
        self.name = QLineEdit(self)
        self.name.setObjectName("TrackName")
        # A click selects the track and leaves the focus where it was (QA: the README's
        # "click the track, then press M" typed "m" into its name); renaming is a
        # double-click or F2, as in a DAW. The filter below does both, and Esc cancels.
        self.name.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.name.setCursor(Qt.CursorShape.ArrowCursor)
        self.name.setToolTip("Double-click (or F2) to rename")
        self.name.installEventFilter(self)
        # "in Bb": the key a transposing part is written in (Track ▸ Transposition…), as a
        # score's instrument list names it; nothing at concert pitch.
        self.written = QLabel(self)
        self.written.setStyleSheet("color:#b0b7c1; font-size:11px;")
        self.mute = QPushButton("M", self)
        self.mute.setObjectName("Mute")
        self.mute.setToolTip("Mute this track (the current track: Ctrl+Alt+M)")
        self.solo = QPushButton("S", self)
        self.solo.setObjectName("Solo")
        self.solo.setToolTip("Solo this track (the current track: Ctrl+Alt+S)")
        self.instrument = instrument_combo(self)
        # Tapered in dB (mixer_slider.fader_position); said at the track's own level.
        self.volume = MixerSlider(0, FADER_TOP, lambda p: volume_tip(p, self.track.volume),
                                  f"Double-click: {volume_text(DEFAULT_VOLUME)}", self)
        self.volume.setSingleStep(FADER_SINGLE_STEP)
        self.volume.setPageStep(FADER_PAGE_STEP)
        self.volume.setFixedWidth(56)
        self.pan = MixerSlider(-64, 64, pan_tip, "Double-click: centre", self)
        self.pan.setFixedWidth(40)
        # The undo step a press began at: a double-click's first press may have moved the
        # fader a page (one step), which its reset then takes the place of.
        self._pressed_at: int | None = None
        for w in (self.mute, self.solo):
            w.setCheckable(True)
        for w in (self.swatch, self.mute, self.solo, self.instrument, self.volume, self.pan):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lst.wheel.watch(self.instrument, self.volume, self.pan)  # the wheel scrolls the list
        self.instrument.installEventFilter(self)  # a right-click: the track's menu (below)
        vol_label = QLabel("Vol", self)
        pan_label = QLabel("Pan", self)
        for lab in (vol_label, pan_label):
            # 11 px, the panel's small text (9 px was hard to read): 4.5:1 on a selected row.
            lab.setStyleSheet("color:#b0b7c1; font-size:11px;")

        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.name, 1)
        top.addWidget(self.written)
        top.addWidget(self.mute)
        top.addWidget(self.solo)
        bottom = QHBoxLayout()
        bottom.setSpacing(4)
        bottom.addWidget(self.instrument, 1)
        bottom.addWidget(vol_label)
        bottom.addWidget(self.volume)
        bottom.addWidget(pan_label)
        bottom.addWidget(self.pan)
        col = QVBoxLayout()
        col.setContentsMargins(4, 4, 6, 4)
        col.setSpacing(3)
        col.addLayout(top)
        col.addLayout(bottom)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.swatch)
        row.addLayout(col, 1)

        self.set_track(track)
        self.name.editingFinished.connect(self._rename)
        self.mute.toggled.connect(lambda on: self._set(self._label("Mute", on), mute=on))
        self.solo.toggled.connect(lambda on: self._set(self._label("Solo", on), solo=on))
        self.instrument.activated.connect(self._instrument)
        self.volume.sliderReleased.connect(self._volume)
        self.volume.valueChanged.connect(self._volume_changed)
        self.pan.sliderReleased.connect(self._pan)
        self.pan.valueChanged.connect(self._pan_changed)
        for fader in (self.volume, self.pan):
            fader.pressed.connect(self._fader_pressed)
        self.volume.reset_requested.connect(
            lambda: self._reset_fader("Reset volume", volume=DEFAULT_VOLUME))
        self.pan.reset_requested.connect(lambda: self._reset_fader("Centre pan", pan=0.0))
        self.swatch.clicked.connect(self._pick_colour)

    def set_track(self, track: Track) -> None:
        """Show ``track``'s values without emitting edits."""
        self.track = track
        for w in (self.name, self.mute, self.solo, self.instrument, self.volume, self.pan):
            w.blockSignals(True)
        if not self.name.hasFocus():
            self.name.setText(track.name)
        self.mute.setChecked(track.mute)
        self.solo.setChecked(track.solo)
        # A kit GM2 does not name (program 5 on channel 10) shows as the standard one.
        value = instrument_value(track.program, track.is_drum)
        index = self.instrument.findData(value)
        self.instrument.setCurrentIndex(index if index >= 0 or not track.is_drum
                                        else self.instrument.findData(DRUMS))
        self.volume.set_quietly(fader_position(track.volume))
        self.pan.set_quietly(round(track.pan * 64))
        self.swatch.setStyleSheet(f"background:{track.colour}; border:none;")
        written = written_transposition(track.transposition, track.program, track.is_drum,
                                        track.name)
        self.written.setText(written_in(written))
        self.written.setVisible(bool(written[1]))
        said = transposition_text(written)
        self.written.setToolTip(f"{said[0].upper()}{said[1:]}: Track ▸ Transposition… "
                                "changes it")
        # (a blank name, common in imported MIDI, is "track 3": "Mute of " said nothing)
        label = track_labels(self.lst.document.song).get(track.id, track.name)
        set_name(self.written, f"Transposition of {label}: {said}")
        for w, what in ((self.name, "Name"), (self.mute, "Mute"), (self.solo, "Solo"),
                        (self.instrument, "Instrument"), (self.volume, "Volume"),
                        (self.pan, "Pan"), (self.swatch, "Colour")):
            set_name(w, f"{what} of {label}")  # "M" alone says nothing
        for w in (self.name, self.mute, self.solo, self.instrument, self.volume, self.pan):
            w.blockSignals(False)

    def set_audible(self, on: bool) -> None:
        """Dim the name of a track the mix leaves out (muted, or another track soloed)."""
        if self.name.property("audible") != on:
            self.name.setProperty("audible", on)
            # The style sheet matches [audible="false"] only when the field is re-polished.
            self.name.style().unpolish(self.name)
            self.name.style().polish(self.name)

    def set_selected(self, on: bool) -> None:
        if self.property("selected") != on:
            self.setProperty("selected", on)
            self.setStyleSheet("QFrame#TrackHeader { background: #34465c; }" if on else "")

    def mousePressEvent(self, e: QMouseEvent) -> None:
        toggle = bool(e.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                       | Qt.KeyboardModifier.ShiftModifier))
        self.clicked.emit(self.track_id, toggle)

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:
        # The press before it selected this track: the menu's commands act on it.
        self.lst.show_track_menu(self.track_id, e.globalPos())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.instrument and event.type() == QEvent.Type.ContextMenu:
            self.contextMenuEvent(event)  # the box keeps a right-click from the header
            return True
        if watched is not self.name:
            return False
        kind = event.type()
        if kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.name.setCursor(Qt.CursorShape.IBeamCursor if kind == QEvent.Type.FocusIn
                                else Qt.CursorShape.ArrowCursor)
        if self.name.hasFocus():
            pass  # being renamed: the field takes its clicks (the cursor, a selection)
        elif kind == QEvent.Type.MouseButtonPress:
            self.mousePressEvent(event)  # select the track; the text stays untouched
            return True
        elif kind == QEvent.Type.ContextMenu:
            self.contextMenuEvent(event)  # the track's menu, not the field's Cut / Paste
            return True
        elif kind == QEvent.Type.MouseButtonDblClick:
            if self.track_id not in self.lst.selection.track_ids:
                self.clicked.emit(self.track_id, False)  # the track renamed is the one shown
            self.rename_requested.emit(self.track_id)
            return True
        elif kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return True  # no text selected by a drag over a name not being renamed
        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                # Claim Esc from the window's "Select None" while a name is being typed.
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self._cancel_rename()
                return True
        return False

    # -- edits ---------------------------------------------------------------------------------
    def _track_now(self) -> Track | None:
        """This header's track in the song as it is now; None once it is gone (File ▸
        New, or an undo, while its name was being typed: the field then loses the focus
        and reports the edit after the track has left)."""
        song = self.lst.document.song
        return next((t for t in song.tracks if t.id == self.track_id), None)

    def _set(self, label: str = "", **changes) -> None:
        song = self.lst.document.song
        track = self._track_now()
        if track is None or all(getattr(track, k) == v for k, v in changes.items()):
            return
        self.lst.commit(set_track_props(song, self.track_id, label, **changes))

    def _rename(self) -> None:
        typing = self.name.hasFocus()  # Enter; not a click that already took the focus away
        text = self.name.text().strip()
        before = self.track.name
        if text and text != before:
            self._set(f"Rename track to {text!r}", name=text)
        self.name.clearFocus()
        if typing:
            self.renamed.emit()
            # Said (keyboard QA: F2, a name, Enter said nothing): what the song now holds.
            track = self._track_now()
            if track is not None:
                self.lst.document.message.emit(
                    f"Renamed {before or 'the track'} to {track.name} (Ctrl+Z undoes)"
                    if track.name != before else f"{before or 'The track'} keeps its name")
        # set_track leaves a focused field alone, so show what the song now holds: the new
        # name, or the old one when the text was empty or the edit was refused.
        self._show_name()

    def _cancel_rename(self) -> None:
        """Esc: drop the typed text and leave the field; the window's keys work again."""
        with QSignalBlocker(self.name):  # leaving the field this way must not rename
            self.name.clearFocus()
        self.renamed.emit()
        self._show_name()

    def _show_name(self) -> None:
        track = self._track_now()
        if track is not None and self.name.text() != track.name:
            self.name.setText(track.name)

    def _instrument(self, index: int) -> None:
        value = self.instrument.itemData(index)
        if value is None or self._track_now() is None:
            return
        # A track still called "Track N" takes the instrument's name, in the same undo step.
        self.lst.commit(instrument_edit(self.lst.document.song, self.track_id, int(value),
                                        name_after=True))

    def _volume_changed(self, value: int) -> None:
        if not self.volume.isSliderDown():  # keyboard/wheel: commit at once
            self._volume()

    def _label(self, what: str, on: bool) -> str:
        """"Mute Bass" / "Unmute Bass", as the keyboard's Ctrl+Alt+M says it."""
        track = self._track_now()
        name = track_label(self.lst.document.song, track.id) if track else ""
        return f"{what if on else 'Un' + what.lower()} {name}".strip()

    def _volume(self) -> None:
        track = self._track_now()
        if track is not None:  # a release where it was pressed keeps the level exactly
            self._set("Change volume", volume=fader_volume(self.volume.value(), track.volume))

    def _pan_changed(self, value: int) -> None:
        if not self.pan.isSliderDown():
            self._pan()

    def _pan(self) -> None:
        self._set("Change pan", pan=max(-1.0, min(1.0, self.pan.value() / 64)))

    def _fader_pressed(self) -> None:
        self._pressed_at = self.lst.document.undo_stack.index()

    def _reset_fader(self, what: str, **change: float) -> None:
        """A double-click on a fader: its default (full volume, the centre), one undo step
        as a drag is. The double-click's first press, on the groove, moved the fader a page
        and made a step of its own: that one is taken back first."""
        stack = self.lst.document.undo_stack
        if (self._pressed_at is not None and stack.index() == self._pressed_at + 1
                and stack.command(self._pressed_at).text() in ("Change volume",
                                                                "Change pan")):
            self.lst.document.go_to_step(self._pressed_at)
        self._pressed_at = None
        track = self._track_now()
        if track is not None:
            self._set(f"{what} of {track_label(self.lst.document.song, track.id)}", **change)

    def _pick_colour(self) -> None:
        from . import dialogs  # through the package, as every question the studio asks

        colour = dialogs.pick_colour(self, self.track.colour, "Track colour")
        if colour is not None:
            self._set("Change colour", colour=colour)


class _Rows(QWidget):
    """The scrolled area behind the headers; tells the list when its size changes."""

    resized = Signal()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.resized.emit()


class TrackList(QWidget):
    """The column of track headers with add / remove / move buttons above it.

    Only the rows on screen (and a few either side) have a header widget, made as they
    scroll into view: a file with thousands of tracks must open as fast as one with ten.
    :attr:`headers` holds those, in track order.
    """

    name_done = Signal()  # a track's name field was left: the window gives the focus back
    step_requested = Signal(int)  # ↑ / ↓ while the list has the focus: the track above / below

    def __init__(self, document: Document, selection: Selection,
                 actions: list[QAction] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.headers: list[TrackHeader] = []
        self.wheel = WheelScrolls(self)  # over a header the wheel scrolls the list
        self._heard: set[int] = set()
        self._preview: list[QLabel] = []  # rows of the tracks a take on screen would add
        self._track_menu: list[QAction | None] = []  # a right-click on a track (see set_menus)
        self._empty_menu: list[QAction] = []  # … below the tracks
        self.menu: QMenu | None = None  # the right-click menu open (or last opened)
        bar = QWidget(self)
        bar.setObjectName("TrackListBar")
        bar.setFixedHeight(HEADER_H)
        bar_row = QHBoxLayout(bar)
        bar_row.setContentsMargins(8, 0, 4, 0)
        bar_row.setSpacing(2)
        title = QLabel("TRACKS", bar)
        title.setStyleSheet("color:#8b929c; font-size:10px; font-weight:700; letter-spacing:1px;")
        bar_row.addWidget(title)
        bar_row.addStretch(1)
        for action in actions or []:
            b = QToolButton(bar)
            b.setDefaultAction(action)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bar_row.addWidget(b)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # No Tab stop where no key works (a removed header left the focus on it, too).
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Shown when the tracks overflow: the only sign that rows are hidden (it also
        # scrolls the arrangement beside it).
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.rows = _Rows(self.scroll)
        # Its background comes from the theme's QWidget#TrackRows rule: a rule set here
        # without a selector would cascade to every header's buttons and labels.
        self.rows.setObjectName("TrackRows")
        self.scroll.setWidget(self.rows)
        # A song without tracks says how to get one (the list was just empty).
        self.empty_hint = QLabel("No tracks yet: add one with + above (Ctrl+T),\n"
                                 "or let the model Compose a piece (Ctrl+Shift+N).", self.rows)
        self.empty_hint.setStyleSheet("color: #8b929c; padding: 10px;")
        self.rows.resized.connect(self._place_headers)
        self.scroll.verticalScrollBar().valueChanged.connect(self._place_headers)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(bar)
        col.addWidget(self.scroll, 1)
        self.setMinimumWidth(320)
        self.setMaximumWidth(420)
        # Reached with F6 (studio.panes) and Tab: ↑ ↓ choose the current track there.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAccessibleName("Track list")
        self.ring = FocusRing(self)

        document.songChanged.connect(self.sync)
        selection.tracksChanged.connect(self._current_changed)
        self.sync()

    def event(self, e: QEvent) -> bool:
        if (e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent)
                and e.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
                and not e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            e.accept()  # the list's own, not Transpose Up / Down
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not e.modifiers() & \
                ~Qt.KeyboardModifier.KeypadModifier:
            self.step_requested.emit(-1 if e.key() == Qt.Key.Key_Up else 1)
            return
        modifiers = e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (e.key() == Qt.Key.Key_Menu and not modifiers) or (
                e.key() == Qt.Key.Key_F10 and modifiers == Qt.KeyboardModifier.ShiftModifier):
            # Taken here, not left to Qt: not every platform (nor Qt version) turns Shift+F10
            # into a context-menu event, and the one it makes would come as well.
            self.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Keyboard,
                                                    QPoint(0, 0), self.mapToGlobal(QPoint())))
            return
        super().keyPressEvent(e)

    # -- the right-click menu ------------------------------------------------------------------
    def set_menus(self, on_track: Sequence[QAction | None], below: Sequence[QAction]) -> None:
        """What a right-click offers: on a track, ``on_track`` (None: a separator), the
        window's own actions, so their names, keys and enabled state are the Track menu's;
        below the tracks, ``below`` (Add Track)."""
        self._track_menu = list(on_track)
        self._empty_menu = list(below)

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:
        """The Menu key or Shift+F10 (the list has the focus): the current track's menu
        beside its name; a right-click below the tracks (a header takes its own): Add."""
        tid = self.current_track_id()
        if e.reason() == QContextMenuEvent.Reason.Keyboard and tid is not None:
            h = self.shown_header(tid)
            self.show_track_menu(tid, h.name.mapToGlobal(QPoint(0, h.name.height())))
        elif e.reason() == QContextMenuEvent.Reason.Keyboard:
            self._popup(self._empty_menu, self.rows.mapToGlobal(QPoint(8, 8)), "Track list")
        else:
            self._popup(self._empty_menu, e.globalPos(), "Track list")

    def show_track_menu(self, track_id: int, at: QPoint) -> None:
        """The track's commands at ``at`` (global): its track is the current one."""
        if self.current_track_id() != track_id:  # a Ctrl+right-click: made the current one
            self.selection.set_tracks([track_id])
        self._popup(self._track_menu, at,
                    f"Commands for {track_label(self.document.song, track_id)}")

    def current_track_id(self) -> int | None:
        """The track the window's track commands act on (the piano roll's current one)."""
        known = {t.id for t in self.document.song.tracks}
        return next((t for t in self.selection.track_ids if t in known), None)

    def _popup(self, actions: Sequence[QAction | None], at: QPoint, name: str) -> None:
        if not actions:
            return
        if self.menu is not None:
            self.menu.close()
            self.menu.deleteLater()
        self.menu = QMenu(self)
        self.menu.setAccessibleName(name)
        for action in actions:
            if action is None:
                self.menu.addSeparator()
            else:
                self.menu.addAction(action)
        self.menu.popup(at)

    def commit(self, edit: Edit) -> None:
        try:
            self.document.apply(edit)
        except EditError as e:
            self.window().statusBar().showMessage(str(e), 5000)

    def sync(self) -> None:
        """Match the rows to the song's tracks."""
        self.rows.setMinimumHeight((len(self.document.song.tracks) + len(self._preview))
                                   * ROW_H)
        # Once per song change, not per scroll step: it looks at every track.
        self._heard = set(self.document.song.audible_ids())
        self.empty_hint.setVisible(not self.document.song.tracks and not self._preview)
        self.empty_hint.adjustSize()
        self._place_headers()

    def _visible_range(self) -> range:
        top = self.scroll.verticalScrollBar().value()
        first = max(0, top // ROW_H - VISIBLE_MARGIN)
        last = (top + self.scroll.viewport().height()) // ROW_H + 1 + VISIBLE_MARGIN
        return range(first, min(last, len(self.document.song.tracks)))

    def _place_headers(self) -> None:
        """Give each row on screen a header (reusing one its track already has); drop the
        headers of rows scrolled away."""
        tracks = self.document.song.tracks
        old = {h.track_id: h for h in self.headers}
        headers = []
        for i in self._visible_range():
            track = tracks[i]
            h = old.pop(track.id, None)
            if h is None:
                h = TrackHeader(self, track)
                h.clicked.connect(self._clicked)
                h.renamed.connect(self.name_done)
                h.rename_requested.connect(self.edit_name)
            elif h.track is not track:
                h.set_track(track)
            h.set_audible(track.id in self._heard)
            h.setGeometry(0, i * ROW_H, self.rows.width(), ROW_H)
            h.show()
            headers.append(h)
        focus = QApplication.focusWidget()
        typing = any(h.isAncestorOf(focus) for h in old.values())
        for h in old.values():
            h.setParent(None)
            h.deleteLater()
        self.headers = headers
        first = len(tracks)
        for j, label in enumerate(self._preview):
            label.setGeometry(0, (first + j) * ROW_H, self.rows.width(), ROW_H)
        self._sync_selected()
        if typing:  # the track whose name was typed went (Ctrl+Shift+T, an undo, New)
            self.name_done.emit()

    def set_preview_tracks(self, tracks: tuple[Track, ...]) -> None:
        """Rows after the song's own for the tracks a take on screen would add (Compose,
        Harmonize with new instruments): named, dimmed and not clickable, beside the
        notes the arrangement draws in them."""
        shown = [label.property("track_id") for label in self._preview]
        if shown == [t.id for t in tracks]:
            return
        for label in self._preview:
            label.setParent(None)
            label.deleteLater()
        self._preview = []
        for track in tracks:
            label = QLabel(f"{track.name}\n{program_name(track.program, track.is_drum)} · "
                           "new in this take", self.rows)
            label.setProperty("track_id", track.id)
            label.setToolTip("Accepting the take adds this track")
            label.setStyleSheet(f"color: #8b929c; font-style: italic; padding-left: 12px; "
                                f"border-left: 4px dotted {track.colour};")
            label.show()
            self._preview.append(label)
        self.sync()
        if tracks:  # the new rows below the song's own: brought into view (after layout)
            QTimer.singleShot(0, self._show_preview_rows)

    def _show_preview_rows(self) -> None:
        if self._preview:
            rows = len(self.document.song.tracks) + len(self._preview)
            self.scroll.ensureVisible(0, rows * ROW_H - 1, 0, 0)

    def _sync_selected(self) -> None:
        active = set(self.selection.track_ids)
        for h in self.headers:
            h.set_selected(h.track_id in active)

    def _current_changed(self) -> None:
        """The rows recoloured and the current track's row scrolled wholly into view:
        Ctrl+↓ to a track near the bottom left its header cut off (keyboard QA), its name
        and controls unseen. Only when the tracks chosen change: a scroll places the
        headers (and recolours them) without being pulled back."""
        self._sync_selected()
        current = self.selection.current_track_id
        tracks = self.document.song.tracks
        i = next((i for i, t in enumerate(tracks) if t.id == current), None)
        if i is not None:
            self.scroll.ensureVisible(0, i * ROW_H + ROW_H // 2, 0, ROW_H // 2)

    def _clicked(self, track_id: int, toggle: bool) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit) and self.rows.isAncestorOf(focus):
            # A click on another track ends the rename being typed (the name is kept, as
            # a click in the piano roll keeps it) and gives the keys back to the roll.
            focus.clearFocus()
            self.name_done.emit()
        if toggle:
            self.selection.toggle_track(track_id)
        else:
            self.selection.set_tracks([track_id])

    def edit_name(self, track_id: int) -> None:
        """F2 or a double-click on the name: scroll the track into view and put the cursor
        in its name, text selected (Enter renames, Esc cancels)."""
        h = self.shown_header(track_id)
        h.name.setFocus(Qt.FocusReason.ShortcutFocusReason)
        h.name.selectAll()

    def pick_instrument(self, track_id: int) -> None:
        """Ctrl+Alt+I: open the track's instrument list (arrows and Enter choose)."""
        self.shown_header(track_id).instrument.showPopup()

    def shown_header(self, track_id: int) -> TrackHeader:
        """The header of ``track_id``, scrolled into view (made if it was off screen)."""
        i = next(i for i, t in enumerate(self.document.song.tracks) if t.id == track_id)
        self.scroll.ensureVisible(0, i * ROW_H + ROW_H // 2, 0, ROW_H // 2)
        self._place_headers()
        return self.header(track_id)

    def header(self, track_id: int) -> TrackHeader:
        for h in self.headers:
            if h.track_id == track_id:
                return h
        raise KeyError(track_id)
