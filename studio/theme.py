"""The studio's look: a dark, DAW-like palette, the style sheet and drawing colours."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QWidget

ICON_DIR = Path(__file__).resolve().parent / "icons"

# Base colours (also used by the custom-painted widgets).
WINDOW = QColor("#1e2126")
PANEL = QColor("#262a30")
PANEL_LIGHT = QColor("#2e333a")
BORDER = QColor("#14161a")
TEXT = QColor("#d7dae0")
TEXT_DIM = QColor("#8b929c")
ACCENT = QColor("#4fa3ff")
PLAYHEAD = QColor("#ffcc33")
LOOP = QColor(79, 163, 255, 40)
LOOP_EDGE = QColor("#4fa3ff")
SELECTION = QColor("#ffffff")
FOCUS_RING_PX = 2  # as the style sheet's :focus border

# Piano-roll grid.
ROW_WHITE = QColor("#2a2e35")
ROW_BLACK = QColor("#23272d")
ROW_C_LINE = QColor("#3c424b")
GRID_SUB = QColor("#2f343c")
GRID_BEAT = QColor("#3a4049")
GRID_BAR = QColor("#5a626e")
RUBBER_FILL = QColor(79, 163, 255, 45)

STYLE_SHEET = """
QMainWindow, QDialog { background: #1e2126; }
QToolBar { background: #262a30; border: none; border-bottom: 1px solid #14161a;
           spacing: 4px; padding: 3px 6px; }
QToolBar::separator { background: #3a3f47; width: 1px; margin: 4px 6px; }
QToolButton { color: #d7dae0; border: 1px solid transparent; border-radius: 4px; padding: 3px; }
QToolButton:hover { background: #343a42; border-color: #3e454f; }
QToolButton:checked { background: #1d3b5e; border-color: #4fa3ff; }
QToolButton:pressed { background: #1a2f4a; }
QStatusBar { background: #262a30; color: #aab1bb; border-top: 1px solid #14161a; }
QStatusBar QLabel { color: #aab1bb; padding: 0 8px; }
QMenuBar { background: #262a30; color: #d7dae0; }
QMenuBar::item:selected { background: #343a42; }
QMenu { background: #2a2e35; color: #d7dae0; border: 1px solid #14161a; }
QMenu::item:selected { background: #1d3b5e; }
QMenu::item:disabled { color: #6b717b; }
QMenu::separator { height: 1px; background: #3a3f47; margin: 4px 8px; }
QSplitter::handle { background: #14161a; }
QScrollBar:horizontal, QScrollBar:vertical { background: #1e2126; border: none; }
QScrollBar:horizontal { height: 12px; }
QScrollBar:vertical { width: 12px; }
QScrollBar::handle { background: #454c56; border-radius: 4px; min-width: 24px; min-height: 24px;
                     margin: 2px; }
QScrollBar::handle:hover { background: #58606c; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
QComboBox { background: #1e2126; color: #d7dae0; border: 1px solid #3a3f47; border-radius: 3px;
            padding: 1px 6px; }
/* Hover a shade lighter, not the accent: a hovered box in the focus ring's blue looked
   focused too, two focused controls at once. */
QComboBox:hover { border-color: #5a626e; }
QComboBox QAbstractItemView { background: #2a2e35; color: #d7dae0;
                              selection-background-color: #1d3b5e; }
QLineEdit { background: transparent; color: #e6e9ee; border: 1px solid transparent;
            border-radius: 3px; padding: 0 3px; font-weight: 600; }
QLineEdit:focus { background: #1e2126; border-color: #4fa3ff; }
/* A dialog's text fields (a folder, a title) look like its number fields, not like the
   track list's in-place names. */
QDialog QLineEdit { background: #1e2126; border-color: #3a3f47; font-weight: 400;
                    padding: 1px 4px; }
QDialog QLineEdit:focus { border-color: #4fa3ff; }
QLabel { color: #d7dae0; }
QLabel#Lcd { background: #101215; color: #7fd4ff; border: 1px solid #0b0c0e; border-radius: 4px;
             padding: 2px 10px; font-family: "DejaVu Sans Mono", monospace; font-size: 15px;
             font-weight: 600; }
QLabel#LcdSmall { background: #101215; color: #c8ccd4; border: 1px solid #0b0c0e;
                  border-radius: 4px; padding: 2px 8px; font-family: "DejaVu Sans Mono", monospace;
                  font-size: 13px; }
QFrame#TrackHeader { background: #2a2e35; border-bottom: 1px solid #14161a; }
QFrame#TrackHeader[selected="true"] { background: #33404f; }
QPushButton#Mute, QPushButton#Solo { background: #1e2126; color: #aab1bb; border: 1px solid #3a3f47;
    border-radius: 3px; font-weight: 700; font-size: 10px; min-width: 20px; max-width: 20px;
    min-height: 18px; max-height: 18px; padding: 0; }
QPushButton#Mute:checked { background: #e5a13b; color: #1e2126; border-color: #e5a13b; }
QPushButton#Solo:checked { background: #4fc36a; color: #1e2126; border-color: #4fc36a; }
QWidget#TrackRows { background: #1e2126; }
QLineEdit#TrackName[audible="false"] { color: #5d636c; }
QLineEdit#TrackName:focus { color: #e6e9ee; }
QSlider::groove:horizontal { height: 4px; background: #1a1d21; border-radius: 2px; }
QSlider::sub-page:horizontal { background: #4f7fb0; border-radius: 2px; }
QSlider::handle:horizontal { background: #c8ccd4; width: 10px; margin: -4px 0; border-radius: 5px; }
QSlider::sub-page:horizontal:disabled { background: #3a3f47; }
QSlider::handle:horizontal:disabled { background: #5c6370; }
QWidget#TrackListBar { background: #262a30; border-bottom: 1px solid #14161a; }
QProgressDialog, QMessageBox { background: #262a30; }
QToolTip { background: #101215; color: #d7dae0; border: 1px solid #3a3f47; }
QDockWidget { color: #aab1bb; font-weight: 600; }
QDockWidget::title { background: #262a30; padding: 5px 8px; border-bottom: 1px solid #14161a; }
QPushButton { background: #2e333a; color: #d7dae0; border: 1px solid #3e454f; border-radius: 4px;
              padding: 4px 10px; }
QPushButton:hover { background: #363c44; border-color: #4fa3ff; }
QPushButton:pressed { background: #1d3b5e; }
QPushButton:disabled { color: #5d636c; border-color: #30353c; }
QPushButton#Primary { background: #b9701c; color: #16181c; border-color: #ffa630;
                      font-weight: 700; }
QPushButton#Primary:hover { background: #cf8124; }
QSpinBox, QDoubleSpinBox { background: #1e2126; color: #d7dae0; border: 1px solid #3a3f47;
                           border-radius: 3px; padding: 1px 4px; }
/* A disabled field's text dimmed as the palette dims a disabled label or button (the
   style sheet's colour otherwise wins: the Export dialog's Fixed gain box looked live
   while Automatic headroom was chosen). */
QSpinBox:disabled, QDoubleSpinBox:disabled, QLineEdit:disabled, QComboBox:disabled {
    color: #5d636c; border-color: #30353c; }
QGroupBox { color: #aab1bb; border: 1px solid #30353c; border-radius: 4px; margin-top: 14px;
            padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QCheckBox { color: #d7dae0; }
QCheckBox::indicator { width: 13px; height: 13px; border: 1px solid #8b929c; border-radius: 3px;
                       background: #1a1d21; }
QCheckBox::indicator:checked { background: #4fa3ff; border-color: #4fa3ff; }
QCheckBox::indicator:disabled { border-color: #3e454f; }
QProgressBar { background: #15171b; border: none; border-radius: 3px; }
QProgressBar::chunk { background: #ffa630; border-radius: 3px; }
QFrame#JobRow { background: #23272d; border-bottom: 1px solid #14161a; }
QWidget#TakesBar { background: #23272d; border-top: 1px solid #14161a;
                   border-bottom: 1px solid #14161a; }
QLabel#TakesTitle { color: #ffa630; font-weight: 700; letter-spacing: 1px; }
QLabel#TakesHint { color: #8b929c; }
QLabel#TakesRegion { color: #d7dae0; }
QLabel#ConflictBadge { background: #5a1e1e; color: #ffb4b4; border: 1px solid #ff6b6b;
                       border-radius: 3px; padding: 1px 6px; font-weight: 600; }
QToolButton#TakeButton { background: #2e333a; border: 1px solid #3e454f; min-width: 26px;
                         font-weight: 700; }
QToolButton#TakeButton:checked { background: #f4f1e8; color: #1e2126; border-color: #ffffff; }
QToolButton#TakeButton[warned="true"] { border-color: #e5c07b; color: #f0d48a; }
QToolButton#TakeButton[warned="true"]:checked { background: #f0d48a; color: #1e2126; }
QToolButton#TakeButton[conflict="true"] { border-color: #ff6b6b; color: #ff9b9b; }
QToolButton#TakeButton[conflict="true"]:checked { background: #ff9b9b; color: #1e2126; }
/* A Generate panel setting not at its default (its tooltip names the default);
   before the focus ring, which wins. */
QSpinBox[changed="true"], QDoubleSpinBox[changed="true"], QComboBox[changed="true"] {
    border: 1px solid #e5c07b; }
QCheckBox[changed="true"] { color: #e5c07b; }
/* The keyboard focus, seen (a focused button or box looked as it did unfocused: WCAG asks
   3:1 against what is around it; the accent ring is about 5.5:1 on the panels). */
QPushButton:focus, QToolButton:focus, QComboBox:focus, QSpinBox:focus,
QDoubleSpinBox:focus, QSlider:focus { border: 2px solid #4fa3ff; }
/* An object name outranks :focus: the orange Repaint and Accept kept their own border. */
QPushButton#Primary:focus { border: 2px solid #4fa3ff; }
QCheckBox:focus { color: #ffffff; }
QCheckBox::indicator:focus { border: 2px solid #4fa3ff; }
"""


class _Style(QProxyStyle):
    """Fusion, with a toolbar overflow button wide enough to see: Fusion's is 12 px, and
    at 1280 px wide (where the zoom buttons overflow) a newcomer saw a dot, not a menu."""

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # Qt names it
        if metric == QStyle.PixelMetric.PM_ToolBarExtensionExtent:
            return 24
        return super().pixelMetric(metric, option, widget)


def apply_theme(app: QApplication) -> None:
    """Fusion style with a dark palette: consistent on every platform."""
    app.setStyle(_Style(QStyleFactory.create("Fusion")))
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, WINDOW)
    pal.setColor(QPalette.ColorRole.WindowText, TEXT)
    pal.setColor(QPalette.ColorRole.Base, QColor("#1a1d21"))
    pal.setColor(QPalette.ColorRole.AlternateBase, PANEL)
    pal.setColor(QPalette.ColorRole.Text, TEXT)
    pal.setColor(QPalette.ColorRole.Button, PANEL_LIGHT)
    pal.setColor(QPalette.ColorRole.ButtonText, TEXT)
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#1d5fa8"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#101215"))
    pal.setColor(QPalette.ColorRole.ToolTipText, TEXT)
    pal.setColor(QPalette.ColorRole.PlaceholderText, TEXT_DIM)
    pal.setColor(QPalette.ColorRole.Link, ACCENT)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5d636c"))
    app.setPalette(pal)
    app.setStyleSheet(STYLE_SHEET + _glyphs())


def _glyphs() -> str:
    """Style rules that draw small glyphs from ``studio/icons``: a style sheet that styles
    a spin box or a check box drops the style's own arrows and tick (they showed as empty
    buttons and a plain blue square), and the toolbar's overflow button showed no sign."""
    url = ICON_DIR.as_posix()
    return f"""
QCheckBox::indicator:checked {{ image: url({url}/check.svg); }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url({url}/arrow-up.svg);
                                                width: 8px; height: 6px; }}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url({url}/arrow-down.svg);
                                                    width: 8px; height: 6px; }}
QToolBarExtension {{ qproperty-icon: url({url}/chevron.svg); }}
"""


# How opaque a disabled toolbar icon is drawn: the style's own disabled pixmap of these
# light-on-dark icons looked like the enabled one (QA: Undo with nothing to undo).
DISABLED_ICON_OPACITY = 0.3
ICON_SIZES = (16, 20, 32, 40)  # the toolbar's and menus' sizes, at 1x and 2x


@cache
def icon(name: str) -> QIcon:
    """An icon from ``studio/icons/<name>.svg`` (empty icon when missing), its disabled
    mode drawn faded (:data:`DISABLED_ICON_OPACITY`) so a greyed action looks greyed."""
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():
        return QIcon()
    ic = QIcon(str(path))
    ic.addFile(str(path), QSize(20, 20))
    normal = [ic.pixmap(QSize(size, size)) for size in ICON_SIZES]  # before Disabled exists
    for pm in normal:
        faded = QPixmap(pm.size())
        faded.setDevicePixelRatio(pm.devicePixelRatio())
        faded.fill(Qt.GlobalColor.transparent)
        painter = QPainter(faded)
        painter.setOpacity(DISABLED_ICON_OPACITY)
        painter.drawPixmap(0, 0, pm)
        painter.end()
        ic.addPixmap(faded, QIcon.Mode.Disabled)
    return ic


def paint_focus_ring(p: QPainter, widget: QWidget) -> None:
    """The accent ring inside ``widget``'s edge while it has the keyboard focus: a painted
    view (the piano roll, the arrangement) shows it as the style sheet's controls do."""
    if not widget.hasFocus():
        return
    half = FOCUS_RING_PX / 2
    p.save()
    p.setPen(QPen(ACCENT, FOCUS_RING_PX))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(widget.rect()).adjusted(half, half, -half, -half))
    p.restore()


class FocusRing(QWidget):
    """The accent ring over ``pane`` while it has the focus, for a pane its own controls
    cover (the track list, the takes bar): drawn above them, letting the mouse through."""

    def __init__(self, pane: QWidget) -> None:
        super().__init__(pane)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        pane.installEventFilter(self)

    def eventFilter(self, watched: QObject, e: QEvent) -> bool:
        kind = e.type()
        if kind == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.setGeometry(self.parentWidget().rect())
            self.setVisible(kind == QEvent.Type.FocusIn)
            self.raise_()
        return False

    def paintEvent(self, _e: object) -> None:
        half = FOCUS_RING_PX / 2
        p = QPainter(self)
        p.setPen(QPen(ACCENT, FOCUS_RING_PX))
        p.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))


def note_colour(track_colour: str, velocity: int) -> QColor:
    """A track's colour shaded by velocity: soft notes darker, loud notes brighter."""
    base = QColor(track_colour)
    h, s, v, _ = base.getHsvF()
    shade = 0.45 + 0.55 * (velocity / 127)
    return QColor.fromHsvF(max(h, 0.0), min(1.0, s * (0.75 + 0.25 * shade)), min(1.0, v * shade))


def ghost_colour(track_colour: str) -> QColor:
    """Other tracks' notes: the track colour, faint."""
    c = QColor(track_colour)
    c.setAlpha(70)
    return c
