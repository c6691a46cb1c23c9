"""Mask painting: the tool on both views, erase, snap, undo/redo, quick masks, Esc Esc."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.score import Mask, Note, Region, Song, Track, set_track_props
from studio.mask import quick
from studio.mask.commands import regenerate_names
from studio.pianoroll import Tool
from tests.studio.cocompose_helpers import arrangement_point, drag_arrangement

Q, BAR = 480, 1920


def test_mask_tool_on_the_piano_roll_paints_bars_or_a_pitch_band(opened, ui):
    win = opened
    ui.show_all(win)
    win.actions.tool_mask.trigger()
    assert win.pianoroll.tool is Tool.MASK
    piano = win.document.song.tracks[0]
    win.selection.set_tracks([piano.id])
    # Along one row: whole beats (snapped out), every pitch.
    ui.drag(win, ui.point(win, Q + 100, 60), ui.point(win, 2 * Q + 300, 60))
    mask = win.document.mask
    assert mask.track_ids == {piano.id}
    assert mask.span == (Q, 3 * Q) and mask.regions[0].full_pitch_range
    # Across rows: that pitch band only.
    ui.drag(win, ui.point(win, 4 * Q, 72), ui.point(win, 5 * Q, 67))
    band = [r for r in win.document.mask.regions if not r.full_pitch_range]
    assert [(r.start, r.end, r.pitch_lo, r.pitch_hi) for r in band] == [(4 * Q, 6 * Q, 67, 72)]
    # Shift-drag erases.
    ui.drag(win, ui.point(win, Q + 10, 60), ui.point(win, Q + 20, 60),
            Qt.KeyboardModifier.ShiftModifier)
    assert win.document.mask.span[0] == 2 * Q
    stack = win.document.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Paint mask", "Paint mask",
                                                              "Erase mask"]
    assert not win.document.is_modified  # masks are not unsaved work
    stack.undo()
    assert win.document.mask.span == (Q, 6 * Q)
    stack.undo()
    stack.undo()
    assert win.document.mask.is_empty
    stack.redo()
    assert win.document.mask.span == (Q, 3 * Q)
    # A band inside what is masked already changes nothing: the status bar says why
    # (after reopening a song with its mask, a stroke seemed to do nothing).
    ui.drag(win, ui.point(win, Q + 100, 72), ui.point(win, Q + 200, 67))
    assert win.document.mask.span == (Q, 3 * Q) and stack.count() == 3
    assert win.statusBar().currentMessage().startswith("That area is in the mask already")


def test_mask_tool_on_the_arrangement_paints_tracks_by_bars(opened):
    win = opened
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_M)
    song = win.document.song
    drag_arrangement(win, arrangement_point(win, 0, 100), arrangement_point(win, 1, BAR + 100))
    mask = win.document.mask
    assert mask.track_ids == {song.tracks[0].id, song.tracks[1].id}
    assert mask.span == (0, 2 * BAR)
    drag_arrangement(win, arrangement_point(win, 1, BAR + 10), arrangement_point(win, 1, BAR + 20),
                     Qt.KeyboardModifier.AltModifier)
    assert not win.document.mask.contains(song.tracks[1].id, BAR, 60)
    assert win.document.mask.contains(song.tracks[0].id, BAR, 60)
    win.arrangement.grab()  # the overlay paints without error
    win.pianoroll.canvas.grab()
    # Painting another track's bars selects it (its notes, not only ghosts, in the roll).
    win.selection.set_tracks([song.tracks[0].id])
    drag_arrangement(win, arrangement_point(win, 2, 100), arrangement_point(win, 2, BAR))
    assert win.selection.track_ids == [song.tracks[2].id]


def test_quick_masks(opened):
    win = opened
    song = win.document.song
    piano, bass, drums = song.tracks
    win.selection.set_tracks([piano.id])
    win.mask_this_track()
    assert win.document.mask == quick.this_track(song, [piano.id])
    assert win.document.mask.span == (0, 2 * BAR)
    win.mask_other_tracks()
    assert win.document.mask.track_ids == {bass.id, drums.id}
    win.selection.set_notes([(piano.id, n.id) for n in piano.notes[1:3]])
    win.mask_selection()  # added to the mask there, as a stroke is
    (r,) = [r for r in win.document.mask.regions if piano.id in r.track_ids]
    assert (r.start, r.pitch_lo, r.pitch_hi) == (Q, 62, 64) and r.track_ids == {piano.id}
    assert win.document.mask.track_ids == {piano.id, bass.id, drums.id}
    win.mask_these_bars()  # the selection's bar, every track
    assert win.document.mask.track_ids == {piano.id, bass.id, drums.id}
    assert win.document.mask.span == (0, BAR)
    win.transport.seek(BAR + 300)
    win.mask_after_here()
    assert win.document.mask.span == (BAR, 2 * BAR)
    assert win.document.undo_stack.undoText() == "Mask everything after here"
    # Esc deselects; Esc again right away clears the mask (undoably).
    win.escape()
    assert not win.selection.notes and not win.document.mask.is_empty
    win.escape()
    assert win.document.mask.is_empty
    win.document.undo_stack.undo()
    assert win.document.mask.span == (BAR, 2 * BAR)
    # Esc, another command, Esc is not a double Esc: the mask just made stays.
    win.actions.select_none.trigger()
    win.actions.mask_track.trigger()
    win.actions.select_none.trigger()
    assert not win.document.mask.is_empty


def test_quick_mask_functions_on_plain_data():
    from tests.studio.conftest import make_song

    song = make_song()
    piano = song.tracks[0]
    sel = quick.selection({piano.id: [Note(60, 10, 5), Note(67, 900, 5)]})
    assert sel.regions[0] == Region({piano.id}, 10, 901, 60, 67)
    assert quick.these_bars(song, BAR - 1, BAR + 1).span == (0, 2 * BAR)
    assert quick.other_tracks(song, [t.id for t in song.tracks]).is_empty


def test_masks_follow_the_document(opened, song_file):
    win = opened
    win.mask_this_track()
    assert not win.document.mask.is_empty
    assert win.open_path(song_file, ask=False)
    assert win.document.mask.is_empty  # a new document starts without a mask


def test_a_little_drift_along_a_row_paints_every_pitch_not_a_band(opened, ui):
    win = opened
    ui.show_all(win)
    win.actions.tool_mask.trigger()
    vp = win.pianoroll.viewport
    y = round(vp.pitch_to_y(60) + vp.key_h - 2)  # near the row's lower edge: drifts across
    start = QPoint(round(vp.tick_to_x(Q)) + 4, y)
    ui.drag(win, start, QPoint(round(vp.tick_to_x(3 * Q)) - 4, y + 4))
    assert win.document.mask.regions[0].full_pitch_range


def test_dragging_a_mask_past_the_arrangements_edge_scrolls_the_tracks(opened, qtbot):
    from engine.score import Song, Track

    win = opened
    song = win.document.song
    many = Song(tuple(Track(f"T{i}", channel=i % 9, notes=song.tracks[0].notes)
                      for i in range(16)), ppq=song.ppq, tempos=song.tempos)
    win.set_song(many)
    arr = win.arrangement
    qtbot.waitUntil(lambda: arr.scroll_bar is not None and arr.scroll_bar.maximum() > 0)
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_M)
    start = arrangement_point(win, 0, 100)
    below = QPoint(start.x() + 40, arr.height() + 60)  # past the bottom edge ...
    QTest.mousePress(arr, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(arr, below)
    # ... and held there: the rows scroll on until the last track is reached.
    qtbot.waitUntil(lambda: arr.scroll_y == arr.scroll_bar.maximum(), timeout=10000)
    QTest.mouseRelease(arr, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, below)
    assert win.document.mask.track_ids == {t.id for t in win.document.song.tracks}


def test_escape_cancels_a_mask_stroke_on_the_arrangement(opened):
    win = opened
    arr = win.arrangement
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_M)
    start, end = arrangement_point(win, 0, 100), arrangement_point(win, 1, BAR + 100)
    QTest.mousePress(arr, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(arr, end)
    arr.setFocus()
    QTest.keyClick(arr, Qt.Key.Key_Escape)
    QTest.mouseRelease(arr, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert win.document.mask.is_empty and win.document.undo_stack.count() == 0


def test_the_panel_says_each_pitch_band_with_the_bars_painted_with_it(opened):
    # A band over bars 3–4 and a full-height column at bar 7: the panel read "bars 3–4,
    # beat 7.3 · pitch band Bb3–C5", as if bar 7 were banded too.
    win = opened
    piano = win.document.song.tracks[0]
    win.document.set_mask(Mask.of(Region({piano.id}, 2 * BAR, 4 * BAR, 58, 72),
                                  Region({piano.id}, 6 * BAR + 2 * Q, 6 * BAR + 3 * Q)))
    assert win.generate_panel.mask_label.text() == (
        f"Mask: {piano.name} · bars 3–4 · pitch band Bb3–C5; {piano.name} · beat 7.3")


def test_regenerate_names_the_track_it_will_rewrite(opened):
    # QA: with the piano masked and the drums selected, "Regenerate Track" rewrote the
    # piano; its menu item and button now name it, following the mask and the track.
    win = opened
    piano, bass, drums = win.document.song.tracks
    button = win.generate_panel.buttons["regenerate"]
    win.selection.set_tracks([drums.id])
    assert win.actions.regenerate.text() == "Re&generate Drums"
    assert button.text() == "Regenerate Drums"
    assert button.toolTip() == ("Rewrite Drums (the current track) over the whole song "
                                "(Ctrl+Shift+R)")
    win.document.set_mask(Mask.of(Region({piano.id}, 0, BAR)))
    assert win.actions.regenerate.text() == "Re&generate Piano"
    assert button.text() == "Regenerate Piano"
    assert "the mask is on it: Esc Esc clears the mask to regenerate Drums" in \
        win.actions.regenerate.toolTip()
    win.document.set_mask(Mask.of(Region({piano.id, bass.id}, 0, BAR)))
    assert win.actions.regenerate.text() == "Re&generate 2 Masked Tracks"
    assert button.text() == "Regenerate 2 Masked Tracks"
    win.document.set_mask(Mask())
    win.selection.set_tracks([bass.id])
    assert button.text() == "Regenerate Bass"
    win.selection.set_tracks([])
    assert win.actions.regenerate.text() == "Re&generate Track"
    # A long name ends in "…" on the button, whole in the tip; an "&" is no mnemonic.
    long = Track("Piano & Strings of the Orchestra")
    text, button_text, tip = regenerate_names(Song((long,)), Mask(), long.id)
    assert text == "Re&generate Piano && Strings of th…"
    assert button_text == "Regenerate Piano & Strings of th…"
    assert tip.startswith("Rewrite Piano & Strings of the Orchestra (the current track)")
    # ... and whole to a screen reader (keyboard QA: the name was read cut).
    win.document.apply(set_track_props(win.document.song, bass.id, "Rename",
                                       name="Fender Rhodes electric piano"))
    win.selection.set_tracks([drums.id])
    win.selection.set_tracks([bass.id])
    assert button.text() == "Regenerate Fender Rhodes electri…"
    assert button.accessibleName() == "Regenerate Fender Rhodes electric piano"


def test_esc_a_click_or_an_edit_then_esc_keeps_the_mask(focused, ui, qtbot):
    # Esc, a click on the roll, Esc within 0.8 s cleared the mask: the click did not count
    # as something done in between.
    win = focused
    canvas = win.pianoroll.canvas
    piano = win.document.song.tracks[0]
    win.document.set_mask(Mask.of(Region({piano.id}, 0, BAR)))
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    ui.click(win, 3 * Q, 40)  # empty space
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert not win.document.mask.is_empty
    QTest.keyClick(canvas, Qt.Key.Key_Escape)  # Esc Esc still clears it
    assert win.document.mask.is_empty

    win.document.set_mask(Mask.of(Region({piano.id}, 0, BAR)))
    for click in (lambda: QTest.mouseClick(win.arrangement, Qt.MouseButton.LeftButton),
                  lambda: QTest.mouseClick(win.pianoroll.ruler, Qt.MouseButton.LeftButton),
                  lambda: win.tracklist.headers[1].mute.click()):  # an edit
        win.pianoroll.canvas.setFocus()
        QTest.keyClick(canvas, Qt.Key.Key_Escape)
        click()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        assert not win.document.mask.is_empty
        win._forget_escape()


def test_a_pitch_bands_tag_is_inside_its_clip_or_not_drawn(qapp):
    # QA: "♪ band" was amber on the hatching over a brown clip, cut off at the clip's top.
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QFontMetricsF

    from studio.mask.overlay import band_label_rect
    from studio.tracklist import ROW_H

    metrics = QFontMetricsF(QFont(QApplication.font()))
    wide = QRectF(100, 40, 200, ROW_H - 3)  # a row's clip, as paint_arrangement makes it
    rect, text = band_label_rect(wide, metrics)
    assert text == "♪ band" and wide.contains(rect)
    assert rect.height() >= metrics.height()  # the words' whole height, not clipped
    narrow = QRectF(100, 40, metrics.horizontalAdvance("♪") + 16, ROW_H - 3)
    rect, text = band_label_rect(narrow, metrics)
    assert text == "♪" and narrow.contains(rect)
    assert band_label_rect(QRectF(0, 0, 6, ROW_H - 3), metrics) is None
    assert band_label_rect(QRectF(0, 0, 200, metrics.height()), metrics) is None


def test_the_arrangement_shows_a_pitch_bands_tag_in_its_readable_colours(opened):
    from studio.mask.overlay import MASK
    from studio.tracklist import HEADER_H, ROW_H

    win = opened
    arr = win.arrangement
    song = win.document.song

    def tag_pixels() -> list:  # the solid amber in the first track's clip, edge left out
        image = arr.grab().toImage()
        ratio = image.devicePixelRatio()
        x0, x1 = round(arr.x_of(0) * ratio) + 3, round(arr.x_of(BAR) * ratio) - 3
        y0 = round((HEADER_H - arr.scroll_y) * ratio) + 3
        inside = [(x, y) for x in range(x0, x1) for y in range(y0, y0 + round((ROW_H - 8)
                                                                            * ratio))]
        amber = [(x, y) for x, y in inside if image.pixelColor(x, y) == MASK]
        if not amber:
            return []
        xs, ys = [x for x, _ in amber], [y for _, y in amber]
        return [image.pixelColor(x, y) for x in range(min(xs), max(xs) + 1)
                for y in range(min(ys), max(ys) + 1)]

    win.document.set_mask(Mask.of(Region({song.tracks[0].id}, 0, BAR)))
    assert tag_pixels() == []  # bars, not a band: no tag
    win.document.set_mask(Mask.of(Region({song.tracks[0].id}, 0, BAR, 60, 72)))
    tag = tag_pixels()
    assert tag, "no tag drawn"
    assert sum(c.lightness() < 90 for c in tag) > 20  # dark words on the amber
