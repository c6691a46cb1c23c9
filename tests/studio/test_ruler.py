"""The piano roll's ruler: readable bar numbers and tempo flags at any zoom, seeking on the grid.

Overlap is judged on what the ruler really paints: its painter is swapped for one that
records each text with the extent its font gives it.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtTest import QTest

from engine.io import save_song
from engine.score import Note, Song, TempoChange, Track
from engine.score.snap import snap_by_name
from studio.pianoroll import ruler as ruler_module

Q = 480
BAR = 4 * Q


class Painted:
    """Texts (with the rectangle their glyphs cover) and lines the ruler drew."""

    def __init__(self) -> None:
        self.texts: list[tuple[QRectF, str]] = []
        self.lines: list[QColor] = []  # pen colour of each single drawLine

    def paint(self, ruler) -> Painted:
        """Paint ``ruler`` once, keeping only what this paint drew."""
        self.texts.clear()
        self.lines.clear()
        ruler.grab()
        return self

    def bars(self) -> list[QRectF]:
        return sorted((r for r, t in self.texts if t.isdigit()), key=QRectF.left)

    def flags(self) -> list[QRectF]:
        return sorted((r for r, t in self.texts if "♩" in t), key=QRectF.left)


@pytest.fixture
def painted(monkeypatch) -> Painted:
    out = Painted()

    class Recorder(QPainter):
        def drawText(self, *args) -> None:  # the ruler's form: (rect, flags, text)
            rect, text = args[0], args[-1]
            metrics = QFontMetricsF(self.font())
            out.texts.append((QRectF(rect.left(), rect.top(),
                                     metrics.horizontalAdvance(text), metrics.height()), text))
            super().drawText(*args)

        def drawLine(self, *args) -> None:
            out.lines.append(QColor(self.pen().color()))
            super().drawLine(*args)

    monkeypatch.setattr(ruler_module, "QPainter", Recorder)
    return out


def assert_apart(rects: list[QRectF]) -> None:
    for a, b in pairwise(rects):
        assert a.right() <= b.left(), f"labels overlap: {a} and {b}"


def open_song(window, tmp_path: Path, song: Song):
    path = tmp_path / "ruler.mid"
    save_song(song, path)
    assert window.open_path(path)
    return window.pianoroll


def test_bar_numbers_are_thinned_when_zoomed_out(window, tmp_path, painted):
    # 300 bars, viewed from bar 101 at the widest zoom: three-digit numbers 16 px apart.
    notes = (Note(60, 0, Q, 90), Note(60, 300 * BAR, Q, 90))
    roll = open_song(window, tmp_path, Song(tracks=(Track(notes=notes),), ppq=Q))
    vp = roll.viewport
    vp.zoom_x(1e-3)
    vp.set_left(100 * BAR)
    painted.paint(roll.ruler)
    bars = painted.bars()
    assert len(bars) > 10
    assert_apart(bars)
    numbers = sorted(int(t) for _, t in painted.texts if t.isdigit())
    steps = {b - a for a, b in pairwise(numbers)}
    assert len(steps) == 1 and steps.pop() > 1  # every n-th bar, regularly


def test_bar_numbers_all_shown_when_there_is_room(opened, painted):
    roll = opened.pianoroll
    roll.viewport.fit_ticks(0, 4 * BAR)
    painted.paint(roll.ruler)
    assert [t for _, t in painted.texts if t.isdigit()][:4] == ["1", "2", "3", "4"]


def test_after_a_pickup_the_first_full_bar_is_bar_1_as_in_a_score(window, tmp_path,
                                                                    painted):
    """MuseScore, Sibelius and Dorico number a pickup 0 and the first full bar 1: the
    ruler, the position read-out and a marker's place say the same bar numbers."""
    from engine.score import Marker, TimeSignature
    from studio.markers import marker_position

    notes = tuple(Note(60, Q + i * Q, Q, 90) for i in range(8 * 4))
    song = Song(tracks=(Track(notes=(Note(55, 0, Q, 90), *notes)),), ppq=Q,
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4)),
                markers=(Marker(Q + BAR, "Verse"),))
    roll = open_song(window, tmp_path, song)
    roll.viewport.fit_ticks(0, Q + 4 * BAR)
    painted.paint(roll.ruler)
    vp = roll.viewport
    labels = [(r, t) for r, t in painted.texts if t.isdigit()]
    assert [t for _r, t in labels][:5] == ["0", "1", "2", "3", "4"]
    one = next(r for r, t in labels if t == "1")
    assert vp.tick_to_x(Q) < one.left() < vp.tick_to_x(Q + BAR)  # on the first full bar
    # Zoomed out, the pickup's "0" gives way; the first full bar keeps its "1".
    vp.fit_ticks(0, Q + 40 * BAR)
    painted.paint(roll.ruler)
    assert [t for _r, t in painted.texts if t.isdigit()][:3] == ["1", "2", "3"]
    window.transport.seek(Q)
    assert window.lcd_position.text() == "1.1.000"
    window.transport.seek(0)
    assert window.lcd_position.text() == "0.1.000"
    assert marker_position(window.document.time_map, Q + BAR) == "bar 2"


def test_tempo_ramp_labels_do_not_overlap(window, tmp_path, painted):
    # A ramp: 48 tempo changes a 1/32 note apart, as in a MIDI accelerando.
    ramp = tuple(TempoChange(BAR + i * Q // 8, 600_000 - i * 5_000) for i in range(48))
    song = Song(tracks=(Track(notes=(Note(60, 0, 8 * BAR, 90),)),), ppq=Q,
                tempos=(TempoChange(0, 600_000), *ramp))
    roll = open_song(window, tmp_path, song)
    roll.viewport.fit_ticks(0, 4 * BAR)
    painted.paint(roll.ruler)
    flags = painted.flags()
    assert 2 < len(flags) < len(song.tempos)
    assert_apart(flags)
    # Every change is still marked on the ruler, labelled or not.
    marks = [c for c in painted.lines if c == QColor(ruler_module.FLAG_COLOUR)]
    assert len(marks) == len(song.tempos)


def test_a_key_change_is_flagged_on_the_ruler(window, tmp_path):
    # A jazz QA's tune modulates to A♭ at bar 9: only the toolbar said so, once the
    # playhead had passed it.
    from engine.score import KeySignature

    song = Song(tracks=(Track(notes=(Note(60, 0, 16 * BAR, 90),)),), ppq=Q,
                tempos=(TempoChange(0, 600_000),),
                key_signatures=(KeySignature(0, "F"), KeySignature(8 * BAR, "Ab"),
                                KeySignature(12 * BAR, "F#m")))
    roll = open_song(window, tmp_path, song)
    roll.viewport.fit_ticks(0, 16 * BAR)
    texts = [text for _x, rect, text in roll.ruler.flag_labels() if rect is not None]
    assert "A♭ major" in texts and "F♯ minor" in texts
    assert any("F major" in t for t in texts)  # with bar 1's meter and tempo beside it


def test_a_key_label_gives_way_to_a_meter_but_not_to_a_tempo():
    from studio.pianoroll.ruler import flag_label_rects

    flags = [(100.0, "♩83"), (105.0, "A♭ major"), (110.0, "3/4")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    assert [text for _x, rect, text in out if rect is not None] == ["3/4"]
    flags = [(100.0, "♩83"), (110.0, "A♭ major")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    assert [text for _x, rect, text in out if rect is not None] == ["A♭ major"]


def click_ruler(win, tick: int) -> int:
    """Click the ruler at ``tick``; the tick the click's pixel stands for."""
    ruler, vp = win.pianoroll.ruler, win.pianoroll.viewport
    x = round(vp.tick_to_x(tick))
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, ruler.height() // 2))
    return round(vp.x_to_tick(x))


def test_ruler_click_puts_the_playhead_on_the_grid(opened):
    roll = opened.pianoroll
    roll.set_snap(snap_by_name("1/16"))
    roll.viewport.fit_ticks(0, BAR)  # a bar across the view: a pixel is about a tick
    clicked = click_ruler(opened, 2 * Q + 13)  # just after beat 3
    assert clicked != 2 * Q
    assert roll.playhead == opened.transport.position == 2 * Q


def test_ruler_click_is_free_with_snap_off(opened):
    roll = opened.pianoroll
    roll.set_snap(snap_by_name("Off"))
    roll.viewport.fit_ticks(0, BAR)
    clicked = click_ruler(opened, 2 * Q + 13)
    assert clicked % (Q // 4)
    assert roll.playhead == opened.transport.position == clicked


def test_a_meter_change_keeps_its_label_beside_a_tempo_change():
    from studio.pianoroll.ruler import flag_label_rects

    flags = [(100.0, "♩83"), (110.0, "3/4"), (400.0, "♩90")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    labelled = [text for _x, rect, text in out if rect is not None]
    assert labelled == ["3/4", "♩90"]  # the tempo 10 px before the meter gives way


def test_a_change_left_of_the_view_is_not_labelled_cut_short():
    from studio.pianoroll.ruler import flag_label_rects

    flags = [(-40.0, "1/4  ♩100"), (0.0, "4/4")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    assert [text for _x, rect, text in out if rect is not None] == ["4/4"]


# -- section markers ------------------------------------------------------------------------

def marked_song(markers, bars: int = 16) -> Song:
    from engine.score.song import Marker

    notes = (Note(60, 0, Q, 90), Note(60, (bars - 1) * BAR, Q, 90))
    return Song(tracks=(Track(notes=notes),), ppq=Q, tempos=(TempoChange(0, 600_000),),
                markers=tuple(Marker(t, text) for t, text in markers))


def marker_texts(painted: Painted, names) -> list[QRectF]:
    """The painted rectangles of texts that are (or start as, elided) one of ``names``."""
    return [r for r, t in painted.texts
            if any(t == n or (t.endswith("…") and n.startswith(t[:-1])) for n in names)]


SECTIONS = [(0, "Intro"), (4 * BAR, "Verse 1"), (8 * BAR, "Chorus"), (12 * BAR, "Outro")]


def test_markers_get_a_lane_of_their_own_above_the_bar_numbers(window, tmp_path, painted):
    from studio.pianoroll.ruler import MARKER_LANE_H, RULER_H

    roll = open_song(window, tmp_path, marked_song([]))
    assert roll.ruler.height() == RULER_H  # no markers: no lane
    roll = open_song(window, tmp_path, marked_song(SECTIONS))
    ruler = roll.ruler
    assert ruler.height() == RULER_H + MARKER_LANE_H
    keyboard_corner = roll._corner
    assert keyboard_corner.height() == ruler.height()  # the keyboard stays under the canvas
    roll.viewport.fit_ticks(0, 16 * BAR)
    painted.paint(ruler)
    names = [n for _t, n in SECTIONS]
    shown = sorted((t for _r, t in painted.texts if t in names), key=names.index)
    assert shown == names  # room for every label at this zoom
    labels = marker_texts(painted, names)
    others = painted.bars() + painted.flags()
    assert others and all(m.bottom() <= o.top() for m in labels for o in others)
    assert_apart(sorted(labels, key=QRectF.left))
    # Each marker is a flag at its tick, in the marker colour.
    from studio.markers import MARKER_COLOUR

    marks = [c for c in painted.lines if c == QColor(MARKER_COLOUR)]
    assert len(marks) == len(SECTIONS)


def test_a_crowded_marker_is_elided_and_its_tooltip_has_the_whole_text(window, tmp_path,
                                                                       painted):
    long = "Verse 2 with the long bridge into the solo"
    marks = [(0, long), (Q, "Hit"), (3 * Q, "Ow"), (3 * Q + 100, "Oops")]
    roll = open_song(window, tmp_path, marked_song(marks))
    ruler, vp = roll.ruler, roll.viewport
    vp.fit_ticks(0, 8 * BAR)  # a beat is about 30 px: the long text must give way
    painted.paint(ruler)
    labels = ruler.marker_labels()
    assert [x for x, _r, _t in labels] == [vp.tick_to_x(t) for t, _n in marks]
    (_x0, first, text0), (x1, second, text1), (x2, third, _t2), _last = labels
    assert text0.endswith("…") and long.startswith(text0[:-1]) and first.right() < x1
    assert text1 == "Hit" and second is not None and second.right() < x2
    assert third is None  # 100 ticks (6 px) before the next: its flag only
    texts = [t for _r, t in painted.texts]
    assert text0 in texts and long not in texts and "Ow" not in texts
    assert_apart(sorted(marker_texts(painted, [n for _t, n in marks]), key=QRectF.left))
    # Hovering over the elided label, or the bare flag, tells the whole text and where.
    y = ruler.lane_height() / 2
    assert ruler.tooltip_at(QPointF(first.center().x(), y)) == f"{long} — bar 1, 0:00.000"
    assert ruler.tooltip_at(QPointF(x2 + 1, y)) == "Ow — 1.4.000, 0:01.800"
    assert ruler.tooltip_at(QPointF(first.center().x(), ruler.height() - 5)) is None


def test_the_section_the_view_starts_in_is_named_at_the_left_edge(window, tmp_path, painted):
    roll = open_song(window, tmp_path, marked_song(SECTIONS))
    vp = roll.viewport
    vp.fit_ticks(0, 2 * BAR)
    vp.set_left(9 * BAR)  # inside the chorus, its marker off screen
    painted.paint(roll.ruler)
    [(x, rect, text)] = [m for m in roll.ruler.marker_labels() if m[2] == "Chorus"]
    assert x < 0 and 0 <= rect.left() < 8 and text == "Chorus"
    assert "Chorus" in [t for _r, t in painted.texts]


def test_clicking_a_marker_puts_the_playhead_on_it(window, tmp_path):
    roll = open_song(window, tmp_path, marked_song([(2 * BAR + 37, "Break")]))
    roll.set_snap(snap_by_name("1/4"))
    roll.viewport.fit_ticks(0, 4 * BAR)
    ruler = roll.ruler
    [(_x, rect, _t)] = ruler.marker_labels()
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center().toPoint())
    assert roll.playhead == window.transport.position == 2 * BAR + 37  # not the grid's


def test_thousands_of_markers_paint_only_those_on_screen(window, tmp_path, painted,
                                                         monkeypatch):
    # A marker on every beat of 1,000 bars (a lyric-per-beat karaoke file does this).
    song = marked_song([(i * Q, f"Beat {i}") for i in range(4000)], bars=1000)
    roll = open_song(window, tmp_path, song)
    vp = roll.viewport
    vp.fit_ticks(0, 4 * BAR)
    vp.set_left(500 * BAR)
    built = []
    original = ruler_module.marker_label_rects
    monkeypatch.setattr(ruler_module, "marker_label_rects",
                        lambda markers, *a, **k: built.append(len(markers))
                        or original(markers, *a, **k))
    painted.paint(roll.ruler)
    assert built and max(built) <= 4 * 4 + 2  # the 16 beats on screen, one each side
    shown = [t for _r, t in painted.texts if t.startswith("Beat")]
    assert shown and {int(t.split()[1].rstrip("…")) // 4 for t in shown} <= set(range(500, 505))


def test_the_arrangement_shows_markers_above_its_bar_numbers(window, tmp_path, monkeypatch):
    import studio.arrangement as arrangement_module

    recorded = Painted()

    class Recorder(QPainter):
        def drawText(self, *args) -> None:
            rect, text = args[0], args[-1]
            metrics = QFontMetricsF(self.font())
            recorded.texts.append((QRectF(rect.left(), rect.center().y() - metrics.height() / 2,
                                          metrics.horizontalAdvance(text), metrics.height()),
                                   text))
            super().drawText(*args)

    monkeypatch.setattr(arrangement_module, "QPainter", Recorder)
    open_song(window, tmp_path, marked_song(SECTIONS))
    arr = window.arrangement
    arr._cache = None
    recorded.paint(arr)
    names = [n for _t, n in SECTIONS]
    labels = marker_texts(recorded, names)
    numbers = recorded.bars()
    assert len(labels) == len(SECTIONS) and numbers
    assert all(m.bottom() <= n.top() + 1 for m in labels for n in numbers)
    assert all(n.bottom() <= arrangement_module.HEADER_H for n in numbers)
    x = arr.x_of(8 * BAR) + 8
    assert arr.tooltip_at(QPointF(x, 5)) == "Chorus — bar 9, 0:19.200"
    assert arr.tooltip_at(QPointF(x, 20)) is None  # the bar numbers' row


# -- adding, renaming and deleting markers ----------------------------------------------------

def edit_action(win, text: str):
    [menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&Edit"]
    [action] = [a for a in menu.actions() if a.text() == text]
    return action


def test_add_marker_at_the_playhead_is_one_undo_step(window, tmp_path, dialogs):
    from engine.score.song import Marker
    from studio.pianoroll.ruler import MARKER_LANE_H, RULER_H

    roll = open_song(window, tmp_path, marked_song([]))
    window.transport.seek(2 * BAR)
    dialogs.answers["ask_marker"] = ("Chorus", False)
    edit_action(window, "Add &Marker…").trigger()
    assert dialogs.calls[-1] == ("ask_marker", ("bar 3", "0:04.800", "Marker 1"))
    assert window.document.song.markers == (Marker(2 * BAR, "Chorus"),)
    assert roll.ruler.height() == RULER_H + MARKER_LANE_H  # the lane appears
    assert window.actions.undo.text() == "&Undo Add Marker “Chorus”"
    window.actions.undo.trigger()
    assert window.document.song.markers == ()
    assert roll.ruler.height() == RULER_H and roll._corner.height() == RULER_H
    dialogs.answers["ask_marker"] = None  # cancelled: nothing
    edit_action(window, "Add &Marker…").trigger()
    assert window.document.song.markers == () and not window.actions.undo.isEnabled()


def double_click_lane(ruler, x: float) -> None:
    QTest.mouseDClick(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      QPoint(round(x), ruler.lane_height() // 2))


def test_double_clicking_a_marker_renames_or_deletes_it(window, tmp_path, dialogs):
    from engine.score.song import Marker

    roll = open_song(window, tmp_path, marked_song(SECTIONS))
    roll.viewport.fit_ticks(0, 16 * BAR)
    ruler = roll.ruler
    chorus = next(rect for _x, rect, text in ruler.marker_labels() if text == "Chorus")
    dialogs.answers["ask_marker"] = ("Chorus 1", False)
    double_click_lane(ruler, chorus.center().x())
    assert dialogs.calls[-1] == ("ask_marker", ("bar 9", "0:19.200", "Chorus", True, False))
    assert Marker(8 * BAR, "Chorus 1") in window.document.song.markers
    assert len(window.document.song.markers) == len(SECTIONS)
    assert window.actions.undo.text() == "&Undo Rename Marker “Chorus” to “Chorus 1”"
    assert window.document.song.markers[2] == Marker(8 * BAR, "Chorus 1")  # in its place
    dialogs.answers["ask_marker"] = ("", False)  # Delete Marker
    double_click_lane(ruler, chorus.center().x())
    assert [m.text for m in window.document.song.markers] == ["Intro", "Verse 1", "Outro"]
    window.actions.undo.trigger()
    window.actions.undo.trigger()
    assert [m.text for m in window.document.song.markers] == [n for _t, n in SECTIONS]


def test_double_clicking_the_empty_lane_adds_a_marker_on_the_grid(window, tmp_path, dialogs):
    from engine.score.song import Marker

    roll = open_song(window, tmp_path, marked_song(SECTIONS))
    roll.set_snap(snap_by_name("1/4"))
    roll.viewport.fit_ticks(0, 4 * BAR)
    dialogs.answers["ask_marker"] = ("Fill", False)
    double_click_lane(roll.ruler, roll.viewport.tick_to_x(3 * BAR + Q + 17))
    assert Marker(3 * BAR + Q, "Fill") in window.document.song.markers
    assert not window.transport.loop_enabled  # the lane's double-click is not the loop's


def test_the_marker_dialog_names_refuses_empty_and_deletes(qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog, QPushButton

    from studio.dialogs.marker import MarkerDialog, ask_marker

    dialog = MarkerDialog(None, "bar 9", "0:19.200", "Chorus", can_delete=True)
    qtbot.addWidget(dialog)
    dialog.name.clear()
    [ok] = [b for b in dialog.findChildren(QPushButton) if b.text() == "OK"]
    ok.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.error.text()
    adding = MarkerDialog(None, "bar 1", "0:00.000", "", can_delete=False)
    qtbot.addWidget(adding)
    assert "Delete Marker" not in [b.text() for b in adding.findChildren(QPushButton)]

    def press(button: str):
        def exec_(self):
            if button == "Delete Marker":
                [b] = [b for b in self.findChildren(QPushButton) if b.text() == button]
                b.click()
            else:
                self.name.setText("  Bridge ")
                self.accept()
            return self.result()
        return exec_

    monkeypatch.setattr(MarkerDialog, "exec", press("OK"))
    assert ask_marker(None, "bar 9", "0:19.200", "Chorus", True) == ("Bridge", False)
    assert ask_marker(None, "bar 9", "0:19.200", "Chorus", True, True) == ("Bridge", True)
    monkeypatch.setattr(MarkerDialog, "exec", press("Delete Marker"))
    assert ask_marker(None, "bar 9", "0:19.200", "Chorus", True) == ("", False)


def test_a_marker_locked_to_its_time_keeps_it_when_the_tempo_changes(window, tmp_path,
                                                                      dialogs, painted):
    from engine.score import TimeMap
    from studio.markers import LOCKED_MARKER_COLOUR, MARKER_COLOUR

    hit = 5 * BAR + Q + 222  # 6.2.222, a film's hit point, and a section marker
    roll = open_song(window, tmp_path, marked_song([(4 * BAR, "Verse"), (hit, "Hit")]))
    roll.viewport.fit_ticks(0, 8 * BAR)
    at = window.document.time_map.tick_to_seconds(hit)  # 12.878 s at 100 BPM
    dialogs.answers["ask_marker"] = ("Hit", True)  # Lock to time ticked
    window.edit_marker(hit)
    assert dialogs.calls[-1] == ("ask_marker", ("6.2.222", "0:12.878", "Hit", True, False))
    assert window.actions.undo.text() == "&Undo Lock Marker “Hit” to its time"
    assert window.document.song.markers[1].seconds == at
    painted.paint(roll.ruler)  # gold, apart from the coral markers that move with bars
    assert QColor(LOCKED_MARKER_COLOUR) in painted.lines
    assert QColor(MARKER_COLOUR) in painted.lines
    x = roll.viewport.tick_to_x(hit) + 1
    assert roll.ruler.tooltip_at(QPointF(x, 4)) == (
        "Hit — 6.2.222, 0:12.878, locked to its time")
    locked = window.document.song
    # Bar 5 at 110 BPM (Ctrl+K): the bars move under the hit, the verse with its bar.
    window.transport.seek(4 * BAR)
    dialogs.answers["ask_time"] = (110.0, (4, 4), "", None)
    window.set_time_at_playhead()
    song = window.document.song
    assert song.tempos != locked.tempos
    verse, moved = song.markers
    assert verse.tick == 4 * BAR
    assert TimeMap.of(song).tick_to_seconds(moved.tick) == pytest.approx(at, abs=0.001)
    assert moved.tick != hit and moved.seconds == at
    window.actions.undo.trigger()  # one step: the tempo and the marker's move
    assert window.document.song == locked
    # Opened again, its box is ticked; unticked, the marker is tied to its bar again.
    dialogs.answers["ask_marker"] = ("Hit", False)
    window.edit_marker(hit)
    assert dialogs.calls[-1][1][-1] is True
    assert window.document.song.markers[1].seconds is None
    assert window.actions.undo.text() == "&Undo Tie Marker “Hit” to its bar"


def test_the_marker_dialog_shows_the_time_and_the_lock(qtbot):
    from studio.dialogs.marker import MarkerDialog

    dialog = MarkerDialog(None, "6.2.222", "0:12.480", "Hit", can_delete=True, locked=True)
    qtbot.addWidget(dialog)
    assert dialog.position.text() == "6.2.222 · 0:12.480"
    assert dialog.locked.text() == "Lock to time" and dialog.locked.isChecked()
    assert "0:12.480" in dialog.locked.toolTip()


@pytest.fixture
def drawn(monkeypatch, painted) -> Painted:
    """:func:`painted`, also keeping the lines drawn together and the playhead's flag."""
    painted.polygons = []  # type: ignore[attr-defined]
    painted.line_sets = []  # type: ignore[attr-defined]
    recorder = ruler_module.QPainter

    class Drawn(recorder):  # type: ignore[misc, valid-type]
        def drawPolygon(self, *args) -> None:
            painted.polygons.append(args[0].boundingRect())  # type: ignore[attr-defined]
            super().drawPolygon(*args)

        def drawLines(self, *args) -> None:
            painted.line_sets.append(list(args[0]))  # type: ignore[attr-defined]
            super().drawLines(*args)

    monkeypatch.setattr(ruler_module, "QPainter", Drawn)
    return painted


@pytest.mark.parametrize("px_per_beat", [10.0, 13.0, 24.0, 48.0, 96.0])
def test_the_playhead_and_the_beat_ticks_leave_the_meter_and_tempo_readable(
        window, tmp_path, drawn, px_per_beat):
    # At bar 1 the playhead's flag covered the "4" of "4/4" and the beat ticks ran
    # through "♩104" (the demo at 1280×800 and 1920×1080).
    song = Song(tracks=(Track(notes=(Note(60, 0, 16 * BAR, 90),)),), ppq=Q,
                tempos=(TempoChange(0, round(60_000_000 / 104)),))
    roll = open_song(window, tmp_path, song)
    vp = roll.viewport
    vp.px_per_beat = px_per_beat
    vp.set_left(0)
    roll.set_playhead(0)
    drawn.paint(roll.ruler)
    (label,) = [r for r, t in drawn.texts if t.startswith("4/4")]
    assert "♩104" in next(t for r, t in drawn.texts if r == label)
    assert drawn.polygons  # the playhead's flag
    assert not any(flag.intersects(label) for flag in drawn.polygons), (drawn.polygons, label)
    ticks = [line for lines in drawn.line_sets for line in lines]
    crossing = [line for line in ticks
                if label.left() <= line.x1() <= label.right()
                and min(line.y1(), line.y2()) < label.bottom()
                and max(line.y1(), line.y2()) > label.top()]
    assert not crossing, (label, crossing)


def test_chord_symbols_are_written_in_a_row_at_their_ticks(window, tmp_path, painted):
    from engine.score import ChordSymbol, Marker
    from engine.score.chord_symbols import chord_display_names
    from studio.pianoroll.ruler import CHORD_ROW_H, MARKER_LANE_H, RULER_H

    changes = [(0, "Cmaj7"), (BAR, "A7b9"), (2 * BAR, "Dm7"), (2 * BAR + Q, "G7/B")]
    song = Song(tracks=(Track(notes=(Note(60, 0, 4 * BAR),)),), ppq=Q,
                markers=(Marker(0, "Head"),),
                chords=tuple(ChordSymbol(t, text) for t, text in changes))
    roll = open_song(window, tmp_path, song)
    ruler, vp = roll.ruler, roll.viewport
    assert ruler.height() == RULER_H + MARKER_LANE_H + CHORD_ROW_H
    assert roll._corner.height() == ruler.height()
    vp.fit_ticks(0, 4 * BAR)
    painted.paint(ruler)
    labels = ruler.chord_labels()
    # As musicians read them: the flat a sign (the song keeps "A7b9" as typed).
    assert [label.text for label in labels] == ["Cmaj7", "A7♭9", "Dm7", "G7/B"]
    for (i, rect, _text, _s), (_j, after, _t, _s2) in pairwise(labels):
        assert rect.left() >= vp.tick_to_x(changes[i][0]) and rect.right() < after.left()
    # Below the markers' lane, above the bar numbers.
    marker = next(r for r, t in painted.texts if t == "Head")
    chord = next(r for r, t in painted.texts if t == "Cmaj7")
    assert marker.bottom() <= chord.top() + 1 and all(
        chord.bottom() <= b.top() + 1 for b in painted.bars())
    # Hovering one names it and where; a click puts the playhead on it.
    g7 = labels[-1].rect
    assert ruler.tooltip_at(g7.center()) == "G7/B — 3.2.000"
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, pos=g7.center().toPoint())
    assert roll.playhead == 2 * BAR + Q
    # Zoomed out, a chord's text stops short of the next's tick, cut with "…" (or left
    # out where there is no room at all).
    vp.fit_ticks(0, 200 * BAR)
    labels = ruler.chord_labels()
    assert any(text != changes[i][1] for i, _r, text, _s in labels) or len(labels) < 4
    for i, _r, text, _s in labels:
        names = chord_display_names(changes[i][1])
        assert text in names or (text.endswith("…") and names[-1].startswith(text[:-1]))
    for (_i, rect, _text, _s), (j, _r, _t, _s2) in pairwise(labels):
        assert rect.right() < vp.tick_to_x(changes[j][0])
    # A song without chords has no row.
    roll = open_song(window, tmp_path, Song(tracks=song.tracks, ppq=Q))
    assert roll.ruler.height() == RULER_H


def test_a_chord_name_short_of_room_is_drawn_in_signs_then_smaller_before_it_is_cut(
        window, tmp_path):
    from engine.score import ChordSymbol
    from studio.pianoroll.ruler import fit_chord_name

    names = ("B♭maj7", "B♭Δ7")
    big, small = (lambda t: 7.0 * len(t)), (lambda t: 5.0 * len(t))
    assert fit_chord_name(names, 60, [big, small]) == ("B♭maj7", 0)
    assert fit_chord_name(names, 30, [big, small]) == ("B♭Δ7", 0)
    assert fit_chord_name(names, 22, [big, small]) == ("B♭Δ7", 1)  # smaller, uncut
    assert fit_chord_name(names, 10, [big, small]) == ("B♭Δ7", 1)  # the caller cuts it
    # In the ruler: a bar of Bbmaj7 then Eb7 a beat on, at the default zoom.
    song = Song(tracks=(Track(notes=(Note(60, 0, 8 * BAR),)),), ppq=Q,
                chords=(ChordSymbol(0, "Bbmaj7"), ChordSymbol(Q, "Eb7"),
                        ChordSymbol(BAR, "F#m7b5")))
    roll = open_song(window, tmp_path, song)
    ruler = roll.ruler
    roll.viewport.fit_ticks(0, 4 * BAR)
    labels = ruler.chord_labels()
    assert [label.text for label in labels] == ["B♭maj7", "E♭7", "F♯m7♭5"]
    assert not any(label.small for label in labels)
    # Zooming out, the beat it has grows narrower: the signs, then the smaller font, and
    # only then "…".
    seen = []
    for quarter_bars in range(16, 400):
        roll.viewport.fit_ticks(0, quarter_bars * BAR // 4)
        first = ruler.chord_labels()[0]
        state = ("cut" if "…" in first.text else first.text, first.small)
        if not seen or seen[-1] != state:
            seen.append(state)
    assert seen[:4] == [("B♭maj7", False), ("B♭Δ7", False), ("B♭Δ7", True), ("cut", True)]
    assert window.document.song.chords[0].text == "Bbmaj7"  # kept as typed
