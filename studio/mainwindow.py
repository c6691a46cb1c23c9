"""The main window: menus, toolbar, track list + arrangement above the piano roll.

It owns the document, the selection and the transport, connects the views to them,
and handles drag-and-drop and autosave. Co-composition (:mod:`studio.cocompose`) adds
the Generate and Jobs docks, the takes bar above the piano roll, the mask tool and the
Mask / Generate menus.

The window's commands are mixins it inherits, one module per group:
:mod:`studio.file_commands` (New, Open, Save, Export, recent files, recovery),
:mod:`studio.note_commands` (the Edit menu's note commands), :mod:`studio.track_commands`
(the Track menu), :mod:`studio.bar_commands` (Insert / Delete Bars; tempo, meter and key)
and :mod:`studio.mask.commands` (the quick masks); :mod:`studio.studio_state` is what a
project keeps of the window (view, mask, takes).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.score import Song, plural, track_labels
from engine.score.articulation_edits import marks_said
from engine.score.instruments import drum_name
from engine.score.snap import SNAPS, note_value_name, snap_by_name
from engine.score.spelling import pitch_name
from engine.tasks.requests import TITLES

from . import actions, dialogs, heap, help_commands, theme, window_fit
from .actions import ARTICULATION_ACTIONS, DOCK_KEYS, LANE_ACTIONS, Actions
from .arrangement import Arrangement
from .articulation_commands import ArticulationCommands
from .autosave import Autosaver
from .bar_commands import BarCommands
from .chord_commands import ChordCommands
from .cocompose import CoComposer
from .disabled_keys import say_why_when_disabled
from .document import Document, display_path
from .elided_label import ElidedLabel, elided_list
from .file_commands import FileCommands
from .generate_panel import GeneratePanel
from .generation_status import GenerationStatus
from .jobs_panel import JobsPanel
from .keys import EditingKeys, tab_focus_controls
from .mask.commands import MaskCommands
from .midi_input import MidiSource
from .midi_keyboard import MidiKeyboard
from .models import ModelCatalog
from .note_commands import VELOCITY_STEP, NoteCommands
from .number_entry import number_text
from .panes import Panes
from .pianoroll import PianoRoll, Tool
from .pianoroll.controllers import LaneKind, lane_by_name
from .recording import Recorder, count_in_menu
from .selection import Selection
from .settings import Settings
from .status_bar import ElidingStatusBar
from .step_entry import StepEntry
from .studio_state import StudioState
from .takes import (
    TakesBar,
    arrangement_painter,
    drum_hits,
    extent_of,
    new_tracks,
    roll_painter,
    unlabelled_spans,
)
from .track_commands import PAN_STEP, VOLUME_STEP_DB, TrackCommands
from .tracklist import TrackList
from .transport import RENDERING, Transport
from .undo import SelectionsBefore
from .undo_history import UndoHistory
from .worker import Worker

if TYPE_CHECKING:  # loaded on first use, not with the window
    from engine.io import RecoveryStore
    from engine.jobs import Take
    from engine.plugins.registry import Registry

    from .clipboard import Clip

APP_NAME = "Partita"
# What File ▸ Open and a drop onto the window open (engine.io.SUFFIXES, kept here so the
# window does not load the engine's file code to start).
SONG_SUFFIXES = (".partita", ".mid", ".midi", ".kar", ".musicxml", ".xml", ".mxl")
DOUBLE_ESC_S = 0.8  # Esc twice within this long clears the mask
MAX_CHORD_DESCRIBED = 12  # a selection this small may be one note or chord: say it
MAX_TITLE_SHOWN = 60  # the song's title in the window's title: longer ones end in "…"
# View ▸ Chord Row's tip while the song has chords (its row shows, ticked or not).
CHORD_ROW_SHOWN_TIP = ("This song has chord symbols: their row shows under the ruler, ticked "
                       "or not. Ticked, a song without chords shows it too, empty, to "
                       "double-click in")
FAR_UNDO_STEPS = 20  # an undo history jump past this many steps shows the wait cursor
# The status bar's labels that say a name (a track's, a device's) ask for at most this
# many pixels, and end in "…" past it, their whole text in the tooltip: sized to their
# text, 24 selected tracks' names held the window 2,099 px wide on a 1,600 px screen.
SELECTION_MOST = 480
SELECTION_NAMES_MOST = 300  # the selected tracks' names within it: "A, B, … (24 tracks)"
AUDIO_MOST = 320
READOUT_MOST = 260  # the position read-out: "12.3.240 · a track's name"
QT_WIDGET_SIZE_MAX = (1 << 24) - 1  # QWIDGETSIZE_MAX, "no maximum" (PySide does not export it)


# What the "⚠ No audio output" warning's tooltip adds to the reason.
NO_AUDIO_HELP = ("You can keep editing, saving and exporting; playback and note previews "
                 "stay silent. Rendering to WAV (File ▸ Export Audio & Stems) works.")


class MainWindow(FileCommands, NoteCommands, ArticulationCommands, TrackCommands,
                 BarCommands, ChordCommands, MaskCommands, StudioState, QMainWindow):
    """The studio window. ``settings``, ``recovery_store`` and the model ``registry``
    (an :class:`engine.plugins.Registry`) and the ``midi_source`` of MIDI input ports (a
    :class:`studio.midi_input.MidiSource`) can be injected (tests, scripts)."""

    _step_said: tuple[int, str] | None = None  # an undo step said (say_for_step)

    def __init__(self, settings: Settings | None = None,
                 recovery_store: RecoveryStore | None = None,
                 autosave_seconds: float | None = None,
                 registry: Registry | None = None,
                 midi_source: MidiSource | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.document = Document(parent=self)
        self.selection = Selection(self)
        self._track_ids: set[int] = set()  # the song's tracks, to notice one appearing
        self.transport = Transport(self.document, self)
        self.actions = Actions(self)
        self.midi = MidiKeyboard(self, midi_source)  # Tools ▸ MIDI Input, its notes
        self.clip: Clip | None = None
        # The bars Ctrl+B last selected notes in, and those notes: copying them is a copy
        # of the bars (studio.clipboard).
        self.bar_selection: tuple[int, int, frozenset[tuple[int, int]]] | None = None
        self.export_worker = Worker(1, self)
        self.open_worker = Worker(1, self)  # File ▸ Open's reads (a big score: seconds)
        self._open_dialog: QProgressDialog | None = None
        self._export_folders: dict[Path | None, Path] = {}  # per song file, this session
        self._audio_notice_shown = False
        self._last_escape = 0.0
        self.undo_history: UndoHistory | None = None  # Edit ▸ Undo History, once opened
        self.catalog = ModelCatalog(registry, self.settings, self)
        self.composer = CoComposer(self.document, self.selection, self.catalog,
                                   self._generation_values,
                                   lambda: self.transport.position, self)

        self._build_views()
        self._build_docks()
        self._build_menus()
        self._build_toolbar()
        self._build_statusbar()
        self._connect()
        self.panes = Panes(self)  # F6 / Shift+F6
        self.step_entry = StepEntry(self)  # N: notes from the letter keys
        self.recorder = Recorder(self)  # Shift+R: the MIDI keyboard played in time
        self.editing_keys = EditingKeys(self)  # typing in a field beats bare-key shortcuts
        tab_focus_controls(self)  # a click on a button or a list leaves the keys where they were
        self.generate_panel.model_options.fieldsMade.connect(self._settle_model_options)
        self.setAcceptDrops(True)
        self.setWindowIcon(theme.icon("partita"))
        self.autosaver = Autosaver(
            self.document, recovery_store,
            autosave_seconds or self.settings.autosave_seconds(),
            self._recovery_state, self,
            extras=lambda: (self.document.mask, self.composer.pending_key(),
                            self.composer.running_requests()))
        self.composer.takesChanged.connect(self.autosaver.changed)  # takes are work too
        # A request that starts or ends is work a crash would lose or no longer lose: the
        # copy says so at once, not after the debounce.
        # (Deferred: the composer files the request only after the queue announced it.)
        for signal in (self.composer.bridge.queued, self.composer.bridge.cancelled):
            signal.connect(lambda _e: QTimer.singleShot(0, self.autosaver.save_in_background))
        # ... and a small record of them, written before a job starts (the copy, built on
        # a worker thread, could come after a model that ends the process at once).
        self._running_noted = 0  # requests in the last record (a new one: save first)
        self.composer.runningChanged.connect(self._note_running)
        self._autosave_notice_shown = False
        self._settings_warned = False  # told once that settings cannot be kept
        self._solo_audition = False  # how the take now playing is heard
        self.autosaver.failed.connect(self._autosave_failed)
        self.autosaver.saved.connect(self._autosave_worked)
        self.resize(window_fit.DEFAULT_SIZE)
        self._restore_layout()
        # The first window, or one saved on a bigger screen: no larger than this one.
        window_fit.fit_to_screen(self)
        self.set_snap(self.settings.snap())
        self.actions.metronome.setChecked(self.settings.metronome())
        self.actions.follow.setChecked(self.settings.follow_playhead())
        self.actions.chord_row.setChecked(self.settings.chord_row())
        self.pianoroll.set_lane(lane_by_name(self.settings.controller_lane()))
        self._song_reset()
        self.midi.start()  # the keyboard chosen before, or the first one found

    # -- construction ----------------------------------------------------------------------------
    def _build_views(self) -> None:
        a = self.actions
        self.tracklist = TrackList(self.document, self.selection,
                                   [a.add_track, a.remove_track, a.track_up, a.track_down], self)
        # A right-click on a track (Menu key, Shift+F10) offers the Track menu's own actions.
        self.tracklist.set_menus(
            [a.rename_track, a.track_instrument, a.track_colour, a.track_transposition,
             a.track_bend_range, None,
             a.mute_track, a.solo_track, None, a.select_all, a.mask_track, None,
             a.duplicate_track, a.merge_tracks, a.remove_track, None, a.track_up,
             a.track_down],
            [a.add_track])
        self.arrangement = Arrangement(self.document, self.selection, self)
        self.arrangement.scroll_bar = self.tracklist.scroll.verticalScrollBar()
        self.pianoroll = PianoRoll(self.document, self.selection, self)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.tracklist)
        top.addWidget(self.arrangement)
        top.setStretchFactor(1, 1)
        top.setSizes([370, 1100])
        top.setChildrenCollapsible(False)
        self.takes_bar = TakesBar(self.composer, self)
        self.arrangement.setAccessibleName("Arrangement")
        self.arrangement.setAccessibleDescription("Every track's clips; click to show that "
                                                  "place, M-drag to paint the mask")
        self.takes_bar.setAccessibleName("Takes")
        bottom = QWidget(self)
        col = QVBoxLayout(bottom)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.takes_bar)
        col.addWidget(self.pianoroll, 1)
        self.pianoroll.canvas.overlays.append(roll_painter(self.composer))
        self.pianoroll.canvas.unlabelled.append(unlabelled_spans(self.composer))
        self.arrangement.overlays.append(arrangement_painter(self.composer))
        self.pianoroll.extents.append(extent_of(self.composer))  # a take's bars past
        self.arrangement.extents.append(extent_of(self.composer))  # the end are shown
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self._share_height = True  # at the first show, unless a saved layout says
        self.setCentralWidget(self.splitter)
        self.setDockNestingEnabled(True)

    def _build_docks(self) -> None:
        self.generate_panel = GeneratePanel(self.catalog, self)
        self.generate_panel.restore(self.settings.generation())
        self.jobs_panel = JobsPanel(self.composer.bridge, self.composer.cancel, self)
        self.generate_dock = QDockWidget("Generate", self)
        self.generate_dock.setObjectName("GenerateDock")
        # Scrolled, so the window fits a 1080p screen at 200 % (the panel's options alone
        # asked for 525 px of height).
        panel_scroll = QScrollArea(self)
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a stop of its own: a click on a list or a button (which take the focus from
        # Tab only) gave the focus to the scroll area around them, where no key works.
        panel_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        panel_scroll.setWidget(self.generate_panel)
        # Room for the vertical scroll bar too: on a short screen it appears and took its
        # width from the panel (buttons and spin arrows clipped at 1280×720).
        panel_scroll.setMinimumWidth(self.generate_panel.minimumSizeHint().width()
                                     + panel_scroll.verticalScrollBar().sizeHint().width())
        self.generate_dock.setWidget(panel_scroll)
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("JobsDock")
        self.jobs_dock.setWidget(self.jobs_panel)
        for dock in (self.generate_dock, self.jobs_dock):
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.splitDockWidget(self.generate_dock, self.jobs_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.generate_dock], [330], Qt.Orientation.Horizontal)
        # The whole panel at the default size (QA: its last box was half hidden), the
        # Jobs list below it the rest.
        self.resizeDocks([self.generate_dock, self.jobs_dock],
                         [self.generate_panel.sizeHint().height() + 30, 200],
                         Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        a = self.actions
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([a.new, a.open])
        self.recent_menu = QMenu("Open &Recent", self)
        m.addMenu(self.recent_menu)
        m.addSeparator()
        m.addActions([a.save, a.save_as])
        m.addSeparator()
        m.addActions([a.export_midi, a.export_musicxml, a.export_stems])
        m.addSeparator()
        m.addAction(a.song_properties)
        m.addSeparator()
        m.addAction(a.quit)
        m = bar.addMenu("&Edit")
        m.addActions([a.undo, a.redo, a.undo_history])
        m.addSeparator()
        m.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
        m.addSeparator()
        m.addActions([a.select_all, a.select_all_tracks, a.select_none])
        # A submenu of their own: the Edit menu had 26 items, more than letters to give
        # each its own Alt letter (none of them has an F), and these four had none.
        n = m.addMenu("Select Ne&xt / Previous")
        n.addActions([a.select_next, a.select_previous])
        n.addSeparator()
        n.addActions([a.extend_next, a.extend_previous])
        m.addAction(a.select_bars)
        m.addSeparator()
        m.addActions([a.quantize, a.quantize_options, a.legato, a.split_notes, a.join_notes])
        m.addActions([a.time_at_bar, a.add_marker, a.chords_for_bars])
        # The chord row's, from the keyboard (W: the Edit menu's letters are nearly all taken).
        c = m.addMenu("Chord Symbols: &Write and Step")
        c.addActions([a.edit_chord, a.next_chord, a.previous_chord])
        m.addActions([a.insert_bars, a.delete_bars])
        t = m.addMenu("Transpose / Nud&ge / Velocity")
        t.addActions([a.transpose_up, a.transpose_down, a.octave_up, a.octave_down])
        t.addSeparator()
        t.addActions([a.nudge_left, a.nudge_right, a.nudge_bar_left, a.nudge_bar_right,
                      a.nudge_tick_left, a.nudge_tick_right])
        t.addSeparator()
        t.addActions([a.lengthen, a.shorten])
        t.addSeparator()
        t.addActions([a.velocity_up, a.velocity_down])
        # Notes: the Edit menu's Alt letters are all taken (but V).
        m = bar.addMenu("&Notes")
        art = m.addMenu("&Articulation")
        art.addActions([a.all[name] for name in ARTICULATION_ACTIONS])
        m.addActions([a.slur, a.remove_slurs])
        m = bar.addMenu("&Tools")
        m.addActions([a.tool_select, a.tool_draw, a.tool_erase, a.tool_mask])
        m.addSeparator()
        m.addActions([a.step_entry, a.step_rest, a.step_back, a.step_cursor_back,
                      a.step_cursor_forward, a.step_triplet])
        m.addSeparator()
        m.addMenu(self.midi.menu)
        m = bar.addMenu("&Mask")
        m.addAction(a.tool_mask)
        m.addSeparator()
        m.addActions([a.mask_track, a.mask_bars, a.mask_bars_track, a.mask_selection,
                      a.mask_after, a.mask_others])
        m.addSeparator()
        m.addAction(a.clear_mask)
        m = bar.addMenu("&Generate")
        m.addActions([a.repaint, a.regenerate, a.all["continue"], a.harmonize, a.compose])
        m.addSeparator()
        m.addActions([a.generate_again, a.cancel_jobs])
        m.addSeparator()
        m.addActions([a.play_take_solo, a.next_take, a.prev_take, a.original_take,
                      a.accept_take, a.reject_take, a.next_region])
        m.addSeparator()
        m.addAction(a.model_manager)
        m = bar.addMenu("&View")
        m.addActions([a.zoom_in, a.zoom_out, a.zoom_in_v, a.zoom_out_v, a.zoom_fit,
                      a.zoom_selection])
        m.addSeparator()
        m.addActions([a.snap_next, a.snap_previous])
        m.addAction(a.chord_row)
        lanes = m.addMenu("Controller &Lane")
        lanes.addActions([a.all[name] for name in LANE_ACTIONS.values()])
        lanes.addSeparator()
        lanes.addAction(a.lane_next)
        m.addSeparator()
        for dock, (text, key) in ((self.generate_dock, DOCK_KEYS["generate"]),
                                  (self.jobs_dock, DOCK_KEYS["jobs"])):
            toggle = dock.toggleViewAction()  # the dock's title, with an Alt letter and a key
            toggle.setText(text)
            toggle.setShortcut(QKeySequence(key))
            toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            toggle.triggered.connect(  # (not the dock's own close button: a click)
                lambda shown, dock=dock: self.panes.dock_toggled(dock, shown))
            m.addAction(toggle)
        m.addSeparator()
        m.addActions([a.next_pane, a.previous_pane, a.menu_bar])
        m = bar.addMenu("T&rack")
        m.addActions([a.add_track, a.duplicate_track, a.merge_tracks, a.remove_track,
                      a.track_up, a.track_down])
        m.addSeparator()
        m.addActions([a.prev_track, a.next_track])
        m.addSeparator()
        m.addActions([a.mute_track, a.solo_track, a.rename_track, a.track_instrument,
                      a.track_transposition, a.track_bend_range])
        m.addActions([a.track_louder, a.track_softer, a.reset_volume, a.pan_left,
                      a.pan_right, a.centre_pan, a.track_colour])
        m = bar.addMenu("Trans&port")
        m.addActions([a.play, a.stop, a.home, a.go_to, a.loop, a.loop_selection, a.metronome,
                      a.follow])
        m.addSeparator()
        m.addAction(a.record)
        self.count_in_menu = count_in_menu(self)  # off / 1 bar / 2 bars before Record
        m.addMenu(self.count_in_menu)
        m = bar.addMenu("&Help")
        m.addActions([a.shortcuts, a.user_guide, a.open_demo])
        m.addSeparator()
        m.addAction(a.about)
        self._rebuild_recent_menu()

    def _build_toolbar(self) -> None:
        a = self.actions
        tb = QToolBar("Main", self)
        tb.setObjectName("MainToolBar")
        tb.setMovable(False)
        tb.setIconSize(tb.iconSize().scaled(20, 20, Qt.AspectRatioMode.IgnoreAspectRatio))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        tb.addActions([a.new, a.open, a.save])
        tb.addSeparator()
        tb.addActions([a.undo, a.redo])
        tb.addSeparator()
        tb.addActions([a.home, a.stop, a.play, a.record, a.loop, a.metronome])
        self.lcd_position = _Lcd("1.1.000", tb)
        self.lcd_position.setObjectName("Lcd")
        self.lcd_position.setToolTip("Playhead: bar.beat.tick: double-click to go to a bar "
                                     "or a time (Ctrl+J)")
        self.lcd_position.setMinimumWidth(110)
        self.lcd_position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lcd_time = _Lcd("0:00.000", tb)
        self.lcd_time.setObjectName("LcdSmall")
        self.lcd_time.setToolTip("Playhead: minutes:seconds: double-click to go to a time "
                                 "(Ctrl+J)")
        self.lcd_tempo = _Lcd(f"{number_text(120, 1)} BPM", tb)
        self.lcd_tempo.setObjectName("LcdSmall")
        self.lcd_tempo.setToolTip("Tempo at the playhead: double-click to change (Ctrl+K)")
        self.lcd_meter = _Lcd("4/4", tb)
        self.lcd_meter.setObjectName("LcdSmall")
        self.lcd_meter.setToolTip("Meter and key at the playhead: double-click to change "
                                  "(Ctrl+K)")
        self.lcd_tempo.doubleClicked.connect(self.set_time_at_playhead)
        # The meter is the bar's: its dialog, wherever in the bar the playhead is.
        self.lcd_meter.doubleClicked.connect(lambda: self.set_time_at_playhead(True))
        for lcd in (self.lcd_position, self.lcd_time):
            lcd.doubleClicked.connect(self.go_to)
        for w in (self.lcd_position, self.lcd_time, self.lcd_tempo, self.lcd_meter):
            tb.addWidget(_spaced(w))
        tb.addSeparator()
        tb.addActions([a.tool_select, a.tool_draw, a.tool_erase, a.tool_mask, a.step_entry])
        # Repaint beside the Mask it uses: at 1280 points wide (a 2× laptop screen) the
        # toolbar's end falls into its overflow menu, and the zoom keys can go there.
        tb.addAction(a.repaint)
        tb.addSeparator()
        snap_label = QLabel("Snap", tb)
        snap_label.setStyleSheet("color:#8b929c; padding: 0 4px;")
        tb.addWidget(snap_label)
        self.snap_box = QComboBox(tb)
        self.snap_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Named, and labelled by "Snap" beside it (on Linux a list is named by its label).
        self.snap_box.setAccessibleName("Snap grid")
        snap_label.setBuddy(self.snap_box)
        for s in SNAPS:
            self.snap_box.addItem(s.name)
        self.snap_box.setToolTip(
            "Snap to grid (also used by Quantize and nudging): "
            f"{actions.key_text('snap_next')} the next grid in this list, "
            f"{actions.key_text('snap_previous')} the previous")
        tb.addWidget(self.snap_box)
        tb.addAction(a.quantize)
        tb.addSeparator()
        tb.addActions([a.zoom_out, a.zoom_in, a.zoom_fit])
        spacer = QWidget(tb)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        tb.addWidget(spacer)
        self.toolbar = tb

    def _build_statusbar(self) -> None:
        self.setStatusBar(ElidingStatusBar(self))  # a long message ends in "…"
        sb = self.statusBar()
        self.status_hover = _Readout(130, sb)
        self.status_selection = ElidedLabel("", sb, most=SELECTION_MOST)
        self.status_snap = QLabel("", sb)
        self.status_tool = QLabel("", sb)
        self.status_step = QLabel("", sb)  # "Step entry: 1/8", only while it is on
        self.status_step.setStyleSheet("color:#61afef; font-weight:600;")
        self.status_step.hide()
        self.status_audio = ElidedLabel("Audio: not checked yet", sb, most=AUDIO_MOST)
        self.status_autosave = QLabel("", sb)  # shown only while autosave is failing
        self.status_autosave.setStyleSheet("color:#e06c75; font-weight:600;")
        self.status_autosave.hide()
        self.status_midi = self.midi.label  # "🎹 Keystation 49", or "No MIDI input"
        # "Loading model …", then the progress: while a generation runs, whatever the
        # messages say (they go after 8 s; the first request runs far longer).
        self.status_generation = GenerationStatus(self.composer, sb)
        for w in (self.status_generation, self.status_autosave, self.status_hover,
                  self.status_selection, self.status_snap, self.status_tool, self.status_step,
                  self.status_midi, self.status_audio):
            sb.addPermanentWidget(w)

    def _connect(self) -> None:
        a = self.actions
        doc, roll, tr = self.document, self.pianoroll, self.transport
        handlers = {
            "new": self.new_file, "open": self.open_file, "save": self.save,
            "save_as": self.save_as, "export_midi": self.export_midi,
            "export_musicxml": self.export_musicxml,
            "export_stems": self.export_stems, "song_properties": self.edit_song_properties,
            "quit": self.close,
            "undo": lambda: self.undo_or_redo(redo=False),
            "redo": lambda: self.undo_or_redo(redo=True),
            "undo_history": self.show_undo_history,
            "cut": self.cut, "copy": self.copy, "paste": self.paste,
            "duplicate": self.duplicate, "delete": self.delete_selection,
            "select_all": self.select_all, "select_all_tracks": self.select_all_tracks,
            "select_next": lambda: self.select_step(1),
            "select_previous": lambda: self.select_step(-1),
            "extend_next": lambda: self.extend_selection(1),
            "extend_previous": lambda: self.extend_selection(-1),
            "select_bars": self.select_bars,
            "select_none": self.escape,
            "quantize": self.quantize, "quantize_options": self.quantize_with_options,
            "legato": self.legato, "split_notes": self.split_notes,
            "join_notes": self.join_notes, "time_at_bar": self.set_time_at_playhead,
            **{name: (lambda m=mark: self.toggle_articulation(m))
               for name, mark in ARTICULATION_ACTIONS.items()},
            "slur": self.slur, "remove_slurs": self.remove_slurs,
            "add_marker": lambda: self.add_marker(self.transport.position),
            "chords_for_bars": self.chords_for_bars,
            "edit_chord": self.edit_chord_at_playhead,
            "next_chord": lambda: self.step_chord(1),
            "previous_chord": lambda: self.step_chord(-1),
            "insert_bars": lambda: self.edit_bars(inserting=True),
            "delete_bars": lambda: self.edit_bars(inserting=False),
            "nudge_left": lambda: self.nudge(-1), "nudge_right": lambda: self.nudge(1),
            "nudge_bar_left": lambda: self.nudge(-1, bar=True),
            "nudge_bar_right": lambda: self.nudge(1, bar=True),
            "nudge_tick_left": lambda: self.nudge(-1, fine=True),
            "nudge_tick_right": lambda: self.nudge(1, fine=True),
            "lengthen": lambda: self.lengthen(1), "shorten": lambda: self.lengthen(-1),
            "velocity_up": lambda: self.change_velocity(VELOCITY_STEP),
            "velocity_down": lambda: self.change_velocity(-VELOCITY_STEP),
            "loop_selection": self.loop_selection,
            "transpose_up": lambda: self.transpose(1),
            "transpose_down": lambda: self.transpose(-1),
            "octave_up": lambda: self.transpose(12), "octave_down": lambda: self.transpose(-12),
            "tool_select": lambda: roll.set_tool(Tool.SELECT),
            "tool_draw": lambda: roll.set_tool(Tool.DRAW),
            "tool_erase": lambda: roll.set_tool(Tool.ERASE),
            "tool_mask": lambda: roll.set_tool(Tool.MASK),
            "zoom_in": roll.zoom_in, "zoom_out": roll.zoom_out,
            "zoom_in_v": roll.zoom_in_vertical, "zoom_out_v": roll.zoom_out_vertical,
            "lane_next": roll.next_lane,
            **{name: (lambda k=kind: roll.set_lane(lane_by_name(k)))
               for kind, name in LANE_ACTIONS.items()},
            "zoom_fit": roll.fit, "zoom_selection": self.zoom_to_selection,
            "snap_next": lambda: self.step_snap(1), "snap_previous": lambda: self.step_snap(-1),
            "add_track": self.add_track, "remove_track": self.remove_track,
            "duplicate_track": self.duplicate_track, "merge_tracks": self.merge_tracks,
            "track_up": lambda: self.move_track(-1), "track_down": lambda: self.move_track(1),
            "prev_track": lambda: self.step_track(-1), "next_track": lambda: self.step_track(1),
            "next_pane": lambda: self.panes.step(1),
            "previous_pane": lambda: self.panes.step(-1),
            "menu_bar": self.open_menu_bar,
            "mute_track": lambda: self.toggle_track("mute"),
            "solo_track": lambda: self.toggle_track("solo"),
            "rename_track": lambda: self._with_current_track(self.tracklist.edit_name),
            "track_instrument": lambda: self._with_current_track(
                self.tracklist.pick_instrument),
            "track_louder": lambda: self.step_volume(VOLUME_STEP_DB),
            "track_softer": lambda: self.step_volume(-VOLUME_STEP_DB),
            "pan_left": lambda: self.step_pan(-PAN_STEP),
            "pan_right": lambda: self.step_pan(PAN_STEP),
            "reset_volume": self.reset_volume, "centre_pan": self.centre_pan,
            "track_colour": self.pick_track_colour,
            "track_transposition": self.pick_transposition,
            "track_bend_range": self.pick_bend_range,
            "play": self.play_or_audition, "stop": self.stop_or_accept,
            "play_take_solo": lambda: self.listen_to_take(True), "home": lambda: tr.seek(0),
            "go_to": self.go_to,
            "shortcuts": lambda: dialogs.show_shortcuts(self), "about": self.about,
            "user_guide": lambda: help_commands.show_user_guide(self),
            "open_demo": lambda: help_commands.open_demo(self),
            "mask_track": self.mask_this_track, "mask_bars": self.mask_these_bars,
            "mask_bars_track": self.mask_bars_on_track, "mask_selection": self.mask_selection,
            "mask_after": self.mask_after_here,
            "mask_others": self.mask_other_tracks, "clear_mask": self.clear_mask,
            "repaint": lambda: self.generate("repaint"),
            "regenerate": lambda: self.generate("regenerate"),
            "continue": lambda: self.generate("continue"),
            "harmonize": lambda: self.generate("harmonize"),
            "compose": lambda: self.generate("compose"),
            "generate_again": self.composer.again, "cancel_jobs": self.composer.cancel_all,
            "next_take": lambda: self.composer.step(1),
            "prev_take": lambda: self.composer.step(-1),
            "original_take": self.composer.show_original,
            "accept_take": self.composer.accept, "reject_take": self.composer.reject,
            "next_region": lambda: self.composer.show_region(1),
            "model_manager": lambda: dialogs.show_model_manager(self, self.catalog,
                                                                self.composer.queue),
        }
        for name, fn in handlers.items():
            a.all[name].triggered.connect(lambda _checked=False, fn=fn: fn())
            if name != "select_none":  # Esc, another key, Esc: not a double Esc
                a.all[name].triggered.connect(self._forget_escape)
        self.take_keys: list[QShortcut] = []
        for i in range(9):  # 1–9 audition take A–I (step entry borrows 1–7)
            sc = QShortcut(QKeySequence(str(i + 1)), self)
            sc.activated.connect(lambda i=i: self.composer.select(i))
            self.take_keys.append(sc)
        for name in ("step_entry", "step_rest", "step_back", "step_cursor_back",
                     "step_cursor_forward", "step_triplet"):  # Esc, N, Esc: no double Esc
            a.all[name].triggered.connect(self._forget_escape)
        # Nor Esc, a click on the roll or the arrangement (or any edit: a track muted),
        # Esc: the second Esc deselects again, and the mask stays.
        self._clicks = _Presses(self)
        for view in (roll.canvas, roll.ruler, roll.keyboard, roll.velocity, roll.controllers,
                     self.arrangement):
            view.installEventFilter(self._clicks)
        self._clicks.pressed.connect(self._forget_escape)
        doc.songChanged.connect(self._forget_escape)
        self.selection.tracksChanged.connect(self._forget_escape)
        a.loop.toggled.connect(tr.set_loop_enabled)
        a.metronome.toggled.connect(self._set_metronome)
        a.follow.toggled.connect(self.settings.set_follow_playhead)
        a.chord_row.toggled.connect(self._show_chord_row)
        roll.laneChanged.connect(self._lane_changed)
        stack = doc.undo_stack
        self._selections_before = SelectionsBefore(stack, self.selection)
        stack.canUndoChanged.connect(a.undo.setEnabled)
        stack.canRedoChanged.connect(a.redo.setEnabled)
        stack.undoTextChanged.connect(lambda t: a.undo.setText(f"&Undo {t}".strip()))
        stack.redoTextChanged.connect(lambda t: a.redo.setText(f"&Redo {t}".strip()))
        a.undo.setEnabled(False)
        a.redo.setEnabled(False)

        doc.songChanged.connect(self._song_changed)
        doc.maskChanged.connect(self._mask_changed)
        doc.songChanged.connect(self._mask_changed)
        co = self.composer
        co.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        co.stepSaid.connect(self.say_for_step)
        self.document.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        co.takesChanged.connect(self.pianoroll.canvas.update)
        co.takesChanged.connect(self.pianoroll.update_extent)
        co.takesChanged.connect(self.arrangement.update)
        co.takesChanged.connect(self._take_actions_enabled)
        for name in ("accept_take", "reject_take", "next_take", "prev_take", "original_take"):
            say_why_when_disabled(self, a.all[name], lambda n=name: self._no_take_text(n),
                                  lambda m: self.statusBar().showMessage(m, 6000))
        co.takesChanged.connect(lambda: self.jobs_panel.set_waiting(
            TITLES[co.deferred] if co.deferred else None))
        co.takesChanged.connect(
            lambda: self.tracklist.set_preview_tracks(new_tracks(co.preview_take())))
        co.takeShown.connect(self._reveal_take)
        co.takeSelected.connect(self._switch_audition)
        co.audible = lambda: tr.audio_ok is not False  # not checked yet: said as heard
        co.auditioning = lambda: tr.auditioning
        co.takeSelected.connect(self._reveal_take)
        self.takes_bar.listenRequested.connect(self.listen_to_take)
        gp = self.generate_panel
        gp.actionRequested.connect(self.generate)
        gp.manageModels.connect(
            lambda: dialogs.show_model_manager(self, self.catalog, self.composer.queue))
        gp.clearMask.connect(self.clear_mask)
        doc.songChanged.connect(lambda: gp.set_song(doc.song))  # Auto names its model
        gp.set_song(doc.song)
        self.catalog.failed.connect(lambda m: self.statusBar().showMessage(m, 8000))
        doc.modifiedChanged.connect(lambda _m: self.update_title())
        doc.pathChanged.connect(self.update_title)
        self.selection.notesChanged.connect(self.update_selection_status)
        for changed in (self.selection.notesChanged, self.selection.tracksChanged,
                        doc.songChanged):  # Notes ▸ Articulation's ticks
            changed.connect(self.show_marks_checked)
        self.selection.tracksChanged.connect(self._tracks_selected)
        self.selection.tracksChanged.connect(self._name_regenerate)  # the current track's

        roll.previewRequested.connect(self._preview)
        roll.seekRequested.connect(tr.seek)
        roll.loopDragged.connect(lambda s, e: tr.set_loop(s, e, True))
        roll.loopToggled.connect(a.loop.toggle)
        roll.markerAddRequested.connect(self.add_marker)
        roll.markerEditRequested.connect(self.edit_marker)
        roll.chordEditRequested.connect(self.edit_chord)
        roll.chordDeleteRequested.connect(self.delete_chord_at)
        roll.hovered.connect(self._hovered)
        roll.message.connect(lambda m: self.statusBar().showMessage(m, 5000))
        roll.toolChanged.connect(self._tool_changed)
        roll.viewport.changed.connect(
            lambda: self.arrangement.set_view_range(roll.viewport.left, roll.viewport.right))
        self.snap_box.currentTextChanged.connect(self.set_snap)
        self.arrangement.barClicked.connect(self._arrangement_clicked)
        self.tracklist.scroll.verticalScrollBar().valueChanged.connect(
            self.arrangement.set_scroll)
        # Enter or Esc in a track's name: the keys go back to the piano roll, not nowhere.
        self.tracklist.name_done.connect(self.pianoroll.canvas.setFocus)
        self.tracklist.step_requested.connect(self.step_track)

        tr.positionChanged.connect(self._position_changed)
        tr.playingChanged.connect(self._playing_changed)
        tr.loopChanged.connect(self._loop_changed)
        tr.status.connect(self._transport_status)
        tr.audioStatus.connect(self._audio_status)
        tr.noticeNeeded.connect(self._audio_notice)
        self._tool_changed(roll.tool)

    def _settle_model_options(self) -> None:
        """Another model's own settings were just made: they take keys and the focus as
        the panel's other controls do."""
        options = self.generate_panel.model_options
        tab_focus_controls(options)
        self.editing_keys.watch(options)

    # -- document events ---------------------------------------------------------------------------
    def _song_reset(self, from_file: bool = True) -> None:
        """After new / open / recover: select the first track, fit the view, reset transport.
        ``from_file``: what is shown is what a file holds (not so for recovered work)."""
        song = self.document.song
        self.composer.reset()
        self.jobs_panel.forget_song()
        self.step_entry.reset()
        self.selection.clear_notes()
        # Start on the first pitched track with notes: drums read poorly as a piano roll.
        first = next((t for t in song.tracks if t.notes and not t.is_drum),
                     song.tracks[0] if song.tracks else None)
        self.selection.set_tracks([first.id] if first else [])
        self.transport.stop(return_to_start=False)
        self.transport.position = 0
        self.transport.set_loop(0, 0, False)
        self.actions.loop.setChecked(False)
        self._apply_studio_state(self.document.studio_state)
        self._restore_work(self.document.studio_state)
        self._song_changed()
        self._position_changed(self.transport.position)
        self.update_title()
        if from_file:
            self._mark_clean()
        else:  # recovered: the mask and takes are in no file yet
            self.autosaver.discard()
            self._saved_takes = None
        heap.settle()

    def undo_or_redo(self, redo: bool) -> None:
        """Ctrl+Z / Ctrl+Shift+Z: one step back or forward (:meth:`_undo_step`), said in
        the status bar as the undo history says its jumps ("Undid “Merge 6 tracks”"): the
        edit's own message ("Merged 6 tracks into …  (Ctrl+Z undoes)") stayed said after
        its undo. A step that says what it did itself (a take's accept) keeps its words."""
        stack = self.document.undo_stack
        text, index = (stack.redoText() if redo else stack.undoText()), stack.index()
        bar = self.statusBar()
        before = bar.currentMessage()
        self._undo_step(stack.redo if redo else stack.undo)
        if stack.index() == index:
            return
        now = bar.currentMessage()
        if now and now != before:  # the step said something of its own
            return
        said = f"{'Redid' if redo else 'Undid'} “{text}”" if text else (
            "Redid a step" if redo else "Undid a step")
        bar.showMessage(said, 8000)

    def _undo_step(self, step: Callable[[], None]) -> None:
        """Undo or redo, then select the notes it brought back or moved (a DAW's and
        MuseScore's way: after undoing a Delete the notes are there to edit again) — or,
        undoing a step that only added notes, those selected before it — and show them,
        as the edit showed its result (Ctrl+D's undo left the roll on emptied bars)."""
        before = self.document.song
        index = self.document.undo_stack.index()
        with self._selections_before.stepping():
            step()
        after = self.document.song
        if after is before:
            return
        was = {t.id: t.notes for t in before.tracks}
        changed = []
        for t in after.tracks:
            notes = was.get(t.id, ())
            if t.notes is notes:  # untouched tracks share their notes: skipped
                continue
            old = {n.id: n for n in notes}
            changed += [(t.id, n.id) for n in t.notes if old.get(n.id) != n]
        if changed:
            self.selection.set_notes(changed)
        elif (now := self.document.undo_stack.index()) < index:
            # Back over several steps (the undo history): the selection before the
            # earliest of them.
            self.selection.set_notes(self._selections_before.before(now + 1))
            self.selection.prune(after)
        self.pianoroll.reveal_notes(
            [n for notes in self.selection.selected_notes(after).values() for n in notes])

    def show_undo_history(self) -> None:
        """Edit ▸ Undo History (Ctrl+Alt+Z): the window listing every step, made once."""
        if self.undo_history is None:
            self.undo_history = UndoHistory(self.document, self.go_to_undo_step, self)
            # Ctrl+Z, Ctrl+Shift+Z there too: the list follows as they step.
            a = self.actions
            self.undo_history.addActions([a.undo, a.redo, a.undo_history])
        self.undo_history.open_at_current()

    def go_to_undo_step(self, index: int) -> None:
        """Undo or redo to the undo stack's ``index`` in one go (the undo history's click
        or Enter), selecting and showing what changed as Ctrl+Z does, and saying where
        the song is now; the wait cursor while a far jump runs."""
        stack = self.document.undo_stack
        now = stack.index()
        index = max(0, min(index, stack.count()))
        if index == now:
            return
        far = abs(index - now) > FAR_UNDO_STEPS
        if far:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._undo_step(lambda: self.document.go_to_step(index))
        finally:
            if far:
                QApplication.restoreOverrideCursor()
        done = "Undid" if index < now else "Redid"
        where = f"after “{stack.text(index - 1)}”" if index else "at the start"
        said = f"{done} {plural(abs(index - now), 'step', grouped=True)}: now {where}"
        self.say_for_step(said, index)

    def say_for_step(self, said: str, index: int) -> None:
        """Say in the status bar what an undo step did (for 8 s), until the undo stack
        moves on from ``index`` (where it is once the step is done): "Accepted take A
        (Harmonize Bass)" stayed said through the edits after it."""
        self.statusBar().showMessage(said, 8000)
        if self._step_said is None:  # listened to once (a method: let go with the window)
            self.document.undo_stack.indexChanged.connect(self._forget_step_said)
        self._step_said = (index, said)

    def _forget_step_said(self, at: int) -> None:
        """A later edit, a Ctrl+Z or Ctrl+Shift+Z makes what :meth:`say_for_step` said
        ("Undid 8 steps: now after …", "Accepted take A") stale: it goes then."""
        index, said = self._step_said or (at, "")
        if at != index and self.statusBar().currentMessage() == said:
            self.statusBar().clearMessage()

    def _song_changed(self) -> None:
        song = self.document.song
        self.update_title()  # the title may have changed (Song Properties, its undo)
        ids = {t.id for t in song.tracks}
        appeared = ids - self._track_ids
        self._track_ids = ids
        if len(appeared) == 1:  # a new track, or a deleted one back by undo: select it
            self.selection.set_tracks(appeared)
        self.selection.prune(song)
        self.update_selection_status()
        self._position_changed(self.transport.position)
        self._track_actions_enabled()
        self._chord_row_tip()

    def _reveal_take(self, take: Take | None) -> None:
        """The take auditioned is brought into view when it arrives and when the user
        switches to it, or they hear a take they cannot see (Continue writes after the
        song's end); one only partly on screen too, as far as the view holds it; a drum
        take's rows where most of its hits are. The Original (None) leaves the view be."""
        if take is None:
            return
        notes = [n for written in take.notes.values() for n in written]
        pitches = (min(n.pitch for n in notes), max(n.pitch for n in notes)) if notes else None
        self.pianoroll.reveal(*take.write_mask.span, pitches)
        self.pianoroll.reveal_hits(
            drum_hits(take, self.document.song, set(self.pianoroll.active_track_ids())))

    def _take_actions_enabled(self) -> None:
        """Take commands are live only while a take is on screen (or waits elsewhere);
        with the Original shown too: Accept and Reject then say there is no take to
        apply or drop. Accept is live while takes are coming too, to say so (a disabled
        Ctrl+Enter did nothing at all)."""
        a, co = self.actions, self.composer
        on_screen = co.choosing()
        for action in (a.next_take, a.prev_take, a.original_take, a.reject_take):
            action.setEnabled(on_screen)
        a.accept_take.setEnabled(on_screen or co.takes_coming())
        a.next_region.setEnabled(bool(co.waiting_regions()))

    def _no_take_text(self, name: str) -> str:
        """What a take command's key says while it is greyed (no take on screen): why, and
        how to get takes."""
        label = actions.spec(name).label
        if self.composer.waiting_regions():
            return f"{label}: no take on screen — takes wait in another region: Ctrl+] shows them"
        return (f"{label}: no take on screen — paint a mask (M) over the bars to rewrite, "
                "then Repaint (Ctrl+R) for takes to choose from")

    def _tracks_selected(self) -> None:
        active = set(self.selection.track_ids)
        self.selection.set_notes(k for k in self.selection.notes if k[0] in active)
        self.update_selection_status()
        self.pianoroll.reveal_active_notes()
        self._track_actions_enabled()

    def _track_actions_enabled(self) -> None:
        """Grey what the current track cannot do (the Track menu and a track's right-click
        menu show these actions): a kit takes no transposition nor pitch bend range, the
        first track does not move up nor the last down. With no track they stay live, to
        say why they did nothing."""
        a, song = self.actions, self.document.song
        tid = self.pianoroll.current_track_id()
        i = song.track_index(tid) if tid is not None else None
        bent = i is None or not song.tracks[i].is_drum
        a.track_transposition.setEnabled(bent)
        a.track_bend_range.setEnabled(bent)
        a.track_up.setEnabled(i is None or i > 0)
        a.track_down.setEnabled(i is None or i < len(song.tracks) - 1)

    def update_title(self) -> None:
        """"Lanterns — demo.mid* — Partita": the song's title (File ▸ Song Properties),
        the file and whether it has unsaved changes."""
        doc = self.document
        star = "*" if doc.is_modified else ""
        title = " ".join(doc.song.title.split())  # a MIDI name's line breaks: spaces
        if len(title) > MAX_TITLE_SHOWN:
            title = title[: MAX_TITLE_SHOWN - 1] + "…"
        stem = Path(doc.display_name).stem  # "demo" of demo.mid, or "Untitled"
        song = f"{title} — " if title and title.casefold() != stem.casefold() else ""
        self.setWindowTitle(f"{song}{doc.display_name}{star} — {APP_NAME}")

    def update_selection_status(self) -> None:
        song = self.document.song
        n = len(self.selection)
        active = set(self.selection.track_ids)
        tracks = [t for t in song.tracks if t.id in active]  # in the song's order
        labels = track_labels(song)  # (a blank name is "track 2")
        names = ", ".join(labels[t.id] for t in tracks)
        count = sum(len(t.notes) for t in tracks) if tracks else song.note_count
        text = (f"{plural(n, 'note')} selected" if n else plural(count, "note", grouped=True))
        detail = self._selected_note_text() if 0 < n <= MAX_CHORD_DESCRIBED else ""
        label = self.status_selection
        # Many tracks: the first names and how many, the count kept (the tooltip has all).
        shown = elided_list([labels[t.id] for t in tracks], label.fontMetrics(),
                            SELECTION_NAMES_MOST, "track")
        label.setText(f"{shown} · {detail or text}" if names else text)
        label.setToolTip(f"{names} · {detail or text}" if names else text)
        # A screen reader hears the note Ctrl+→ or step entry landed on (the canvas is
        # painted: its description is the one thing it can say about its notes).
        canvas = self.pianoroll.canvas
        # The track with a count (Ctrl+↓ said "59 notes", not whose); a note alone, as
        # Ctrl+→ steps from note to note.
        canvas.setAccessibleDescription(detail or (f"{names} · {text}" if names else text))
        if canvas.hasFocus():
            QAccessible.updateAccessibility(QAccessibleEvent(
                canvas, QAccessible.Event.DescriptionChanged))

    def _selected_note_text(self) -> str:
        """One selected note ("E4 · 3.2.000 · dotted 1/8 · velocity 96 · staccato, slur
        start"; a drum's name for its pitch) or one chord of one track ("C4 E4 G4 · 3.1.000
        · 1/4"), with its articulations and slur ends; else ""."""
        picked = self.selection.selected_notes(self.document.song)
        if len(picked) != 1:
            return ""
        (tid, notes), = picked.items()
        if len({n.start for n in notes}) != 1:
            return ""
        song = self.document.song
        drums, kit = song.track(tid).is_drum, song.track(tid).program
        notes = sorted(notes, key=lambda n: n.pitch)
        start, length = notes[0].start, max(n.duration for n in notes)
        key = song.key_at(start)
        pitches = (", ".join(drum_name(n.pitch, kit=kit) or pitch_name(n.pitch, key)
                             for n in notes) if drums
                   else " ".join(self.step_entry.name_of(n, key) for n in notes))
        parts = [pitches, self.document.time_map.format_position(start),
                 note_value_name(length, song.ppq)]
        if len(notes) == 1:
            parts.append(f"velocity {notes[0].velocity}")
        # Drawn over the notes, they were said nowhere (screen-reader QA).
        if marks := marks_said(notes):
            parts.append(marks)
        return " · ".join(parts)

    # -- transport events --------------------------------------------------------------------------
    def _position_changed(self, tick: int) -> None:
        tm = self.document.time_map
        self.pianoroll.set_playhead(tick)
        self.arrangement.set_playhead(tick)
        self.lcd_position.setText(tm.format_position(tick))
        secs = tm.tick_to_seconds(tick)
        self.lcd_time.setText(f"{int(secs // 60)}:{secs % 60:06.3f}")
        bpm, (sig, _) = tm.tempo_at(tick), tm.metric_position(tick)  # a pickup: the bar's
        self.lcd_tempo.setText(f"{number_text(bpm, 1)} BPM")  # as Ctrl+K shows it
        dotted = (f" (♩. = {bpm / 1.5:.0f}, the beat {sig.numerator}/{sig.denominator} counts)"
                  if sig.compound and sig.denominator == 8 else "")
        tip = (f"Tempo at the playhead in quarter notes a minute{dotted}: double-click to "
               "change (Ctrl+K)")
        if tip != self.lcd_tempo.toolTip():  # this runs on every playback frame
            self.lcd_tempo.setToolTip(tip)
        key = self.document.song.key_at(tick)
        self.lcd_meter.setText(sig.text + (f" · {key}" if key else ""))
        if self.transport.is_playing and self.actions.follow.isChecked():
            self.pianoroll.follow(tick)

    def _playing_changed(self, playing: bool) -> None:
        self.actions.play.setIcon(theme.icon("pause" if playing else "play"))

    def _loop_changed(self, start: int, end: int, on: bool) -> None:
        self.pianoroll.set_loop(start, end, on)
        self.arrangement.set_loop(start, end, on)
        if self.actions.loop.isChecked() != on:
            self.actions.loop.blockSignals(True)
            self.actions.loop.setChecked(on)
            self.actions.loop.blockSignals(False)

    def _audio_status(self, ok: bool, text: str) -> None:
        if ok:
            self.status_audio.setText(f"🔊 {text}")
            self.status_audio.setStyleSheet("")
        else:
            self.status_audio.setText("⚠ No audio output — playback off")
            self.status_audio.setStyleSheet("color:#e5c07b; font-weight:600;")
            text = f"{text}\n\n{NO_AUDIO_HELP}"  # the explanation, where the warning is
        self.status_audio.setToolTip(text)

    def _audio_notice(self, reason: str) -> None:
        """Said in the status bar once per session, the first time playback is asked for
        and cannot work; the warning beside it keeps the explanation in its tooltip. Not
        a dialog: the warning was already on screen, and a modal box on the first Space
        stopped a songwriter who only wanted to write (QA)."""
        if self._audio_notice_shown:
            return
        self._audio_notice_shown = True
        from engine.render.playback import OFF

        # The reason may begin with the same words ("No audio output device found") and
        # end with the engine's "playback is off; rendering to files still works.": each
        # said once ("… rendering to files still works. · editing, saving and exporting
        # audio work" said it twice).
        said = reason.strip().removesuffix(OFF).rstrip(" :;.")
        if not said.lower().startswith("no audio output"):
            said = f"No audio output: {said}"
        self.statusBar().showMessage(
            f"{said}: playback is off; editing, saving and exporting audio work", 15000)

    def _autosave_failed(self, reason: str) -> None:
        """Keep a warning in the status bar until autosave works again; explain it once."""
        self.status_autosave.setText("⚠ Autosave is failing")
        self.status_autosave.setToolTip(f"Autosave is failing: {reason}")
        self.status_autosave.show()
        if self._autosave_notice_shown:
            return
        self._autosave_notice_shown = True
        dialogs.show_notice(
            self, "Autosave is failing",
            f"Autosave is failing: {reason}\n\nUntil this is fixed, a crash loses the changes "
            "made since you last saved. Save your work (Ctrl+S) to keep it; the warning in "
            "the status bar stays until autosave works again.")

    def _autosave_worked(self, _path: str) -> None:
        self.status_autosave.hide()

    def _lane_changed(self, kind: LaneKind) -> None:
        """The lane under the notes, chosen in its selector, the menu or by Ctrl+Alt+V:
        the menu's check follows, and the next session opens with it."""
        self.actions.all[LANE_ACTIONS[kind.name]].setChecked(True)
        self.settings.set_controller_lane(kind.name)
        self.statusBar().showMessage(f"Lane: {kind.title}", 3000)

    def _show_chord_row(self, on: bool) -> None:
        """View ▸ Chord Row: the chord row in a song without chords too; the next session
        opens with it. Unticked in a song with chords, the row stays: said."""
        self.pianoroll.show_empty_chord_row(on)
        self.settings.set_chord_row(on)
        if not on and self.document.song.chords:
            self.statusBar().showMessage(
                "Chord row: shown while the song has chord symbols (unticked, a song "
                "without them has none)", 6000)

    def _chord_row_tip(self) -> None:
        """View ▸ Chord Row's tip for the song on screen: with chords the row shows ticked
        or not, which the unticked item did not say (QA: read "not checked" over a row
        on screen)."""
        a = self.actions.chord_row
        tip = (CHORD_ROW_SHOWN_TIP if self.document.song.chords
               else actions.spec("chord_row").tip)
        a.setStatusTip(tip)
        a.setToolTip(tip)

    def _set_metronome(self, on: bool) -> None:
        self.transport.set_metronome(on)
        self.settings.set_metronome(on)

    def _preview(self, pitch: int, track_id: int | None) -> None:
        song = self.document.song
        track = next((t for t in song.tracks if t.id == track_id), None)
        self.transport.preview(pitch, track)

    # -- view events -------------------------------------------------------------------------------
    def _hovered(self, tick: int, pitch: int) -> None:
        if tick < 0:
            self.status_hover.setText("")
            return
        tm = self.document.time_map
        key = self.document.song.key_at(tick)
        name = pitch_name(pitch, key)
        kit = self.pianoroll.current_kit()
        drum = drum_name(pitch, kit=kit) if kit is not None else None
        if drum:  # a kit's key says what it plays: "Acoustic Snare (D2)"
            name = f"{drum} ({name})"
        self.status_hover.setText(f"{tm.format_position(tick)} · {name}")

    def _tool_changed(self, tool: Tool) -> None:
        keys = {Tool.SELECT: "P", Tool.DRAW: "B", Tool.ERASE: "E", Tool.MASK: "M"}
        self.status_tool.setText(f"Tool: {tool.label} ({keys[tool]})")
        name = {Tool.SELECT: "tool_select", Tool.DRAW: "tool_draw", Tool.ERASE: "tool_erase",
                Tool.MASK: "tool_mask"}
        self.actions.all[name[tool]].setChecked(True)
        self.arrangement.mask_mode = tool is Tool.MASK
        if tool is Tool.MASK:
            self.catalog.ensure()  # models load in the background while the user paints
            self.statusBar().showMessage(
                "Mask: drag over bars to paint where the model may write "
                "(Shift or Alt drag erases; Esc twice clears)", 6000)

    def set_snap(self, name: str) -> None:
        try:
            snap = snap_by_name(name)
        except KeyError:
            snap = snap_by_name("1/16")
        self.pianoroll.set_snap(snap)
        self.settings.set_snap(snap.name)
        if self.snap_box.currentText() != snap.name:
            self.snap_box.setCurrentText(snap.name)
        self.status_snap.setText(f"Snap: {snap.name}")
        self.step_entry.length_changed()

    def _arrangement_clicked(self, track_id: int, bar: int) -> None:
        if track_id >= 0:
            self.selection.set_tracks([track_id])
        self.pianoroll.show_bar(bar)

    # -- Esc and generation ------------------------------------------------------------------------
    def _forget_escape(self) -> None:
        self._last_escape = 0.0

    def escape(self) -> None:
        """Esc: deselect notes; Esc again right away, nothing done in between (a command,
        a click on the roll or the arrangement, an edit): clear the mask. (Esc in the
        Generate panel is the panel's own: :class:`studio.panes.EscapeToNotes`.)"""
        now = time.monotonic()
        if now - self._last_escape < DOUBLE_ESC_S:
            self.clear_mask()
            self._last_escape = 0.0
            return
        self._last_escape = now
        self.selection.clear_notes()

    def open_menu_bar(self) -> None:
        """F10: the File menu open, the arrows going on from there (Esc closes it, Esc
        again leaves the bar). Not focused first: Qt then hands the focus back to the
        bar itself on leaving it, and the keys stopped there instead of the piano roll."""
        bar = self.menuBar()
        bar.setActiveAction(bar.actions()[0])

    def _generation_values(self):
        """The panel's settings for a request; kept in the settings at each one, not only
        on a clean exit, so a crash keeps the model and options last used."""
        self.settings.set_generation(self.generate_panel.state())
        return self.generate_panel.values()

    def generate(self, action: str) -> None:
        self.composer.request(action)

    def stop_or_accept(self) -> None:
        """Enter: accept the take on screen when stopped (the Original shown: said that
        nothing is accepted); otherwise stop the transport (stopped while a take is still
        coming: said why none was accepted)."""
        playing = self.transport.is_playing
        if not playing and self.composer.choosing():
            self.composer.accept()
        elif self.step_entry.on and not playing:
            # Stopped, a second Enter goes to the start: in step entry the next letter
            # would then land on the music there.
            self.statusBar().showMessage("Step entry: the entry point stays (Home goes to "
                                         "the start)", 3000)
        else:
            self.transport.stop()
            if not playing and self.composer.takes_coming():
                self.composer.accept()  # nothing to accept yet: it says why

    def listen_to_take(self, solo: bool, at: int | None = None) -> None:
        """Play the take on screen with the song (``solo``: its tracks alone), from its
        region's first bar, or from ``at``; with the Original shown, the song as it is
        (played as a take is, so a switch back goes on from the same place)."""
        co = self.composer
        heard = co.audition_song(co.preview_take(), solo) if co.choosing() else None
        if heard is not None:
            self._solo_audition = solo
            song, start = heard
            self.transport.audition(song, start if at is None else at)
        elif self.transport.auditioning and co.original_shown():
            # Nothing of the original to hear alone: silence, not the take it replaced.
            self.transport.stop(return_to_start=False)

    def play_or_audition(self) -> None:
        """Space: with a take on screen, play it with the song (what the takes bar says
        you hear; Space played the song without it); with the Original shown, the song as
        it is from the same place; otherwise play / stop."""
        tr = self.transport
        take = self.composer.selected_take()  # the Original's too: its region
        if tr.is_playing or not self.composer.choosing() or take is None:
            tr.toggle()
            return
        lo, hi = take.mask.span
        # From the playhead when it is inside the take's bars, else from their first bar.
        self.listen_to_take(False, at=tr.position if lo <= tr.position < hi else None)

    def _transport_status(self, text: str) -> None:
        """The transport's "Rendering…" while it renders; its "" clears only that (it
        blanked "Take B on screen…" when a switch of takes re-rendered)."""
        bar = self.statusBar()
        if text:
            bar.showMessage(text)
        elif bar.currentMessage() == RENDERING:
            bar.clearMessage()

    def _switch_audition(self, _take: object) -> None:
        """Switching takes while one plays: the new one plays on from the same place."""
        if self.transport.auditioning:
            self.listen_to_take(self._solo_audition, at=self.transport.position)

    def about(self) -> None:
        from engine import __version__

        from .logfile import log_path

        dialogs.show_info(self, "About Partita",
                          f"Partita {__version__}\nHuman–AI co-composition of multi-track "
                          "music.\nA piano-roll studio over a local model.\n\n"
                          "Getting started: write notes with the Brush (B) or type them (N, then "
                          "A–G: step entry), paint where the "
                          "model may write with the Mask (M), then Repaint (Ctrl+R); each "
                          "result is a take to audition (1–9), accept (Enter) or reject "
                          "(Delete). Every key and gesture: Help ▸ Keyboard Shortcuts (F1). "
                          f"The user guide: {help_commands.guide_text()}.\n\n"
                          f"Log file (errors and warnings): {display_path(log_path())}")

    # -- window events -----------------------------------------------------------------------------
    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if _dropped_song(e.mimeData()) is not None:
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        path = _dropped_song(e.mimeData())
        if path is not None:
            e.acceptProposedAction()
            # Open after the drop returns, so the dragging application is not kept waiting.
            QTimer.singleShot(0, lambda: self.open_in_background(path))

    def closeEvent(self, e: QCloseEvent) -> None:
        if not self.maybe_save():
            e.ignore()
            return
        self.settings.save_layout(self.saveGeometry(), self.saveState(),
                                  self.splitter.saveState())
        self.settings.sync()
        self.settings.set_generation(self.generate_panel.state())
        stopping = self.composer.jobs_in_flight > 0
        if stopping:  # a model that ignores its cancel holds the close up to 5 s: said
            self.statusBar().showMessage("Stopping the model…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            QApplication.processEvents()
        try:
            self.composer.shutdown()
        finally:
            if stopping:
                QApplication.restoreOverrideCursor()
        self.catalog.stop()  # a model list still loading: let go at once
        self.midi.shutdown()
        self.transport.shutdown()
        self.export_worker.wait(30000)
        # A read still running: its song is not wanted, and not waited for (a big score
        # held the close for seconds); the thread ends by itself, its result dropped.
        self.open_worker.cancel_all()
        self.autosaver.stop()
        self.autosaver.discard(adopted=True)  # closed as the user chose: saved or not
        self._note_running(())  # closed cleanly: nothing was interrupted
        e.accept()

    def _note_running(self, requests: tuple[str, ...]) -> None:
        """Keep the recovery record of the generations in flight (:meth:`engine.io.
        RecoveryStore.note_running`); a folder that cannot be written is the autosave's
        to report, never a reason to refuse a generation. A generation about to start
        with edits not yet autosaved writes the copy now, on this thread (tens of ms for
        a big song): a model that ended the process at once lost them (a verifier)."""
        starting = len(requests) > self._running_noted
        self._running_noted = len(requests)
        with contextlib.suppress(OSError):
            self.autosaver.store.note_running(requests)
        if starting:
            self.autosaver.save_now()  # nothing to write: returns at once

    def _restore_layout(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state()
        if splitter is not None:
            self._share_height = not self.splitter.restoreState(splitter)

    def showEvent(self, e: Any) -> None:
        super().showEvent(e)
        if self._share_height:  # by proportion: fixed 300/620 px left a 720p roll an octave
            self._share_height = False
            total = sum(self.splitter.sizes())
            top = window_fit.top_height(total)
            self.splitter.setSizes([top, total - top])

    def set_song(self, song: Song, path: Path | None = None) -> None:
        """Show ``song`` as a fresh document (used by tests and scripts)."""
        self.document.studio_state = {}
        self.document.reset(song, path)
        self._song_reset()


class _Presses(QObject):
    """Says when a mouse button is pressed on a widget it filters (the press goes on)."""

    pressed = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            self.pressed.emit()
        return False


class _Readout(QLabel):
    """The status bar's position read-out, new at every mouse move: while it shows
    something it keeps the size of its longest text so far, so a new text repaints this
    label alone. Sized to each text, it had the status bar lay out and repaint all its
    items at every move, as much as the piano roll's own frame of a small drag
    (docs/performance.md). Emptied (the mouse left the roll), it takes its own size
    again, at least ``least`` pixels wide."""

    def __init__(self, least: int, parent: QWidget) -> None:
        super().__init__("", parent)
        self.least = least
        self.setMinimumWidth(least)

    def setText(self, text: str) -> None:
        # At most READOUT_MOST wide: a long track name ends in "…" (it kept the width).
        text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, READOUT_MOST)
        super().setText(text)
        fixed = self.minimumSize() == self.maximumSize()
        if not text:
            if fixed:
                self.setMinimumSize(self.least, 0)
                self.setMaximumSize(QT_WIDGET_SIZE_MAX, QT_WIDGET_SIZE_MAX)
            return
        width = max(self.width(), self.sizeHint().width())
        if self.isVisible() and (not fixed or width > self.width()):
            self.setFixedSize(width, self.height())  # fixed: a new text lays nothing out


class _Lcd(QLabel):
    """A toolbar read-out that opens its editor on a double-click."""

    doubleClicked = Signal()

    def mouseDoubleClickEvent(self, event: Any) -> None:
        self.doubleClicked.emit()


def _spaced(w: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(3, 0, 3, 0)
    row.addWidget(w)
    return box


def _dropped_song(mime: Any) -> Path | None:
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            p = _local_path(url)
            if p.suffix.lower() in SONG_SUFFIXES:
                return p
    return None


def _local_path(url: QUrl) -> Path:
    """The file a ``file:`` URL names. A name that is not valid UTF-8 (Latin-1 bytes from
    an old zip) comes percent-encoded byte for byte, which ``toLocalFile`` turns into
    U+FFFD, a file that does not exist: its bytes are read as Python names files (surrogate
    escapes). Windows names are Unicode: its URLs never need this."""
    shown = url.toLocalFile()
    if "\ufffd" not in shown or os.name == "nt":
        return Path(shown)
    from urllib.parse import unquote_to_bytes

    encoded = url.path(QUrl.ComponentFormattingOption.FullyEncoded)
    return Path(os.fsdecode(unquote_to_bytes(encoded)))


__all__ = ["MainWindow"]
