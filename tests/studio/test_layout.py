"""The window and its parts fitted to a small screen (QA at 1280×720 and 2560×1440 @200 %):
the offscreen screen is 800×800 px."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStatusBar

from engine.io import RecoveryStore, save_song
from engine.score import Note, Song, Track
from studio.cocompose import TAKE_KEYS
from studio.dialogs.guide import GuideView, guide_dialog
from studio.mainwindow import READOUT_MOST, SELECTION_MOST, MainWindow
from studio.pianoroll.velocity import LANE_H, LANE_LEAST
from studio.settings import Settings
from studio.tracklist import PROGRAM_SEP, elided_instrument, instrument_combo
from studio.window_fit import fitted

ROOT = Path(__file__).resolve().parents[2]


def test_a_window_too_big_for_the_screen_is_fitted_and_centred_one_that_fits_is_kept():
    room = QRect(0, 0, 1280, 720)
    assert fitted(QRect(0, 0, 1500, 920), room) == QRect(64, 36, 1152, 648)
    assert fitted(QRect(30, 40, 1000, 600), room) == QRect(30, 40, 1000, 600)
    assert fitted(QRect(2000, 40, 1000, 600), room).topLeft() == QRect(140, 60, 1, 1).topLeft()


def new_window(qtbot, tmp_path, settings: Settings | None = None) -> MainWindow:
    win = MainWindow(settings or Settings(tmp_path / "settings.ini"),
                     RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(win)
    return win


def test_the_first_window_and_one_saved_on_a_bigger_screen_fit_this_screen(qtbot, tmp_path,
                                                                           dialogs, no_audio):
    room = QGuiApplication.primaryScreen().availableGeometry()
    win = new_window(qtbot, tmp_path)
    assert room.contains(win.geometry()) and win.width() <= 0.9 * room.width()
    win.resize(room.width() * 2, room.height() * 2)  # as a 4K screen kept it
    settings = Settings(tmp_path / "big.ini")
    settings.save_layout(win.saveGeometry(), win.saveState(), QByteArray())
    again = new_window(qtbot, tmp_path, settings)
    assert room.contains(again.geometry())
    win.resize(600, 500)  # a size that fits is kept
    settings.save_layout(win.saveGeometry(), win.saveState(), QByteArray())
    assert new_window(qtbot, tmp_path, settings).size() == win.size()


def test_on_a_short_screen_the_piano_roll_gets_most_of_the_height(qtbot, tmp_path, dialogs,
                                                                 no_audio, song_file):
    win = new_window(qtbot, tmp_path)
    win.resize(1152, 648)  # the first window on a 1280×720 screen
    win.show()
    qtbot.waitExposed(win)
    top, bottom = win.splitter.sizes()
    assert bottom > 1.5 * top
    lane = win.pianoroll.velocity.height()
    assert LANE_LEAST <= lane < LANE_H  # the velocity lane gives the notes its room
    assert win.pianoroll.canvas.height() >= 12 * 15  # an octave and more at 15 px a key
    win.resize(1400, 1000)
    qtbot.waitUntil(lambda: win.pianoroll.velocity.height() == LANE_H)


def test_the_user_guide_fits_the_screen_and_its_pictures_its_width(qtbot):
    room = QGuiApplication.primaryScreen().availableGeometry()
    dlg = guide_dialog(None, ROOT / "docs" / "studio.md")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert room.contains(dlg.geometry())
    view = dlg.findChild(GuideView)
    doc = view.document()
    widths = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                widths.append(fmt.toImageFormat().width())
            it += 1
        block = block.next()
    assert widths and all(0 < w <= view.viewport().width() for w in widths)


def test_a_long_status_message_ends_in_an_ellipsis_and_is_kept_whole(opened):
    win = opened
    win.resize(1280, 700)
    message = f"Take A ready (12 notes) — {TAKE_KEYS}"
    win.statusBar().showMessage(message + " and a great deal more" * 10, 5000)
    sb = win.statusBar()
    shown = QStatusBar.currentMessage(sb)
    assert shown.endswith("…") and shown.startswith(message[:40])
    assert sb.fontMetrics().horizontalAdvance(shown) <= sb.room()
    assert sb.currentMessage() == message + " and a great deal more" * 10
    sb.showMessage(message)  # the take keys fit at 1280 px beside the permanent widgets
    assert QStatusBar.currentMessage(sb) == message


def test_an_instrument_name_too_long_for_its_box_keeps_its_program_number(qtbot):
    box = instrument_combo()
    qtbot.addWidget(box)
    metrics = box.fontMetrics()
    text = f"Electric Guitar (muted){PROGRAM_SEP}29"
    for width in (60, 120, 160):
        shown = elided_instrument(text, metrics, width)
        assert shown.endswith(f"…{PROGRAM_SEP}29") and shown.startswith("E")
    assert elided_instrument(text, metrics, 1000) == text


def test_many_selected_tracks_are_named_short_and_never_widen_the_window(window, tmp_path,
                                                                        qtbot):
    # QA: 24 tracks selected (Ctrl-click on each) grew the window from 1,600 to 2,099 px,
    # the status bar's label listing every name asking for 1,442 px.
    names = [f"Violin {n}" for n in ("I", "II")] + [f"Part {i}" for i in range(3, 25)]
    song = Song(tracks=tuple(Track(name=n, program=40, channel=i % 9,
                                   notes=(Note(60 + i, 0, 480),))
                             for i, n in enumerate(names)))
    path = tmp_path / "orchestra.partita"
    save_song(song, path)
    win = window
    win.resize(1600, 900)
    assert win.open_path(path)
    least = win.minimumSizeHint().width()
    win.selection.set_tracks(t.id for t in win.document.song.tracks)
    qtbot.wait(10)
    label = win.status_selection
    # The first names that fit ("Violin I, Violin II, Part 3, Part 4, … (24 tracks)"),
    # the count and what is selected kept.
    assert label.text().startswith("Violin I, Violin II, Part 3")
    assert label.text().endswith(", … (24 tracks) · 24 notes")
    assert label.toolTip() == ", ".join(names) + " · 24 notes"  # every name, said there
    assert label.sizeHint().width() <= SELECTION_MOST
    assert win.minimumSizeHint().width() == least and win.width() == 1600
    # One track: its name whole, as before.
    win.selection.set_tracks([win.document.song.tracks[1].id])
    assert label.text() == "Violin II · 1 note"
    # A long device name or track name ends in "…" there too (their tooltips say them).
    win.status_audio.setText("🔊 " + "Very Long Audio Device Name " * 20)
    win.midi.label.setText("🎹 " + "Keyboard Port " * 30)
    win.status_hover.setText("1.1.000 · " + "A Track Named At Great Length " * 10)
    qtbot.wait(10)
    assert win.status_hover.text().endswith("…")
    assert win.status_hover.sizeHint().width() <= READOUT_MOST + 20
    assert win.minimumSizeHint().width() == least and win.width() == 1600
