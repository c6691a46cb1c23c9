"""A track's right-click menu (the Menu key, Shift+F10): the Track menu's own actions,
acting on the track clicked, greyed where they do not apply."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

K, M = Qt.Key, Qt.KeyboardModifier


def right_click(widget: QWidget, pos: QPoint | None = None) -> None:
    """A right-click as the platform sends it: the press, then the context-menu event."""
    pos = pos if pos is not None else widget.rect().center()
    QTest.mousePress(widget, Qt.MouseButton.RightButton, M.NoModifier, pos)
    QTest.mouseRelease(widget, Qt.MouseButton.RightButton, M.NoModifier, pos)
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                     widget.mapToGlobal(pos)))


def shown(win) -> list[str]:
    """The open menu's items by action name ("-" a separator), "name!" where greyed."""
    menu = win.tracklist.menu
    assert menu is not None and menu.isVisible()
    return ["-" if a.isSeparator() else a.objectName() + ("" if a.isEnabled() else "!")
            for a in menu.actions()]


TRACK_MENU = ["rename_track", "track_instrument", "track_colour", "track_transposition",
              "track_bend_range", "-",
              "mute_track", "solo_track", "-", "select_all", "mask_track", "-",
              "duplicate_track", "merge_tracks", "remove_track", "-", "track_up",
              "track_down"]


def test_a_right_click_selects_the_track_and_offers_the_track_menus_actions(opened):
    win = opened
    piano, bass, _drums = win.document.song.tracks
    win.selection.set_tracks([piano.id])
    right_click(win.tracklist.header(bass.id).name)  # the name: not the field's Cut / Paste
    assert win.pianoroll.current_track_id() == bass.id
    assert shown(win) == TRACK_MENU
    menu = win.tracklist.menu
    # The window's own actions: one label, key and enabled state for both menus.
    assert win.actions.mute_track in menu.actions()
    assert win.actions.track_colour.shortcut().toString() == "Ctrl+Alt+C"
    assert menu.accessibleName() == "Commands for Bass"
    menu.close()


def test_a_kit_s_menu_greys_transposition_and_the_last_track_moving_down(opened):
    win = opened
    piano, _bass, drums = win.document.song.tracks
    right_click(win.tracklist.header(drums.id).swatch)
    greyed = [name for name in shown(win) if name.endswith("!")]
    assert greyed == ["track_transposition!", "track_bend_range!", "track_down!"]
    right_click(win.tracklist.header(piano.id))
    assert [name for name in shown(win) if name.endswith("!")] == ["track_up!"]
    win.tracklist.menu.close()


def test_an_item_acts_on_the_track_right_clicked(opened):
    win = opened
    piano, bass, drums = win.document.song.tracks
    win.selection.set_tracks([piano.id])
    right_click(win.tracklist.header(bass.id).instrument)
    win.tracklist.menu.close()
    win.actions.mute_track.trigger()  # as a click on the item: the menu has closed
    song = win.document.song
    assert (song.track(bass.id).mute, song.track(piano.id).mute) == (True, False)
    right_click(win.tracklist.header(drums.id))
    win.tracklist.menu.close()
    win.actions.duplicate_track.trigger()
    assert [t.name for t in win.document.song.tracks] == ["Piano", "Bass", "Drums",
                                                          "Drums (2)"]
    copy = win.document.song.tracks[3]
    assert win.pianoroll.current_track_id() == copy.id  # the copy is the one to edit
    assert copy.notes == drums.notes and copy.is_drum
    win.document.undo_stack.undo()
    assert len(win.document.song.tracks) == 3


def test_shift_f10_and_the_menu_key_open_the_current_tracks_menu(opened):
    win = opened
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    lst = win.tracklist
    lst.setFocus()
    QTest.keyClick(lst, K.Key_F10, M.ShiftModifier)
    assert shown(win) == TRACK_MENU
    name = lst.header(bass.id).name
    assert lst.menu.pos() == name.mapToGlobal(QPoint(0, name.height()))  # at the track
    assert not win.menuBar().activeAction()  # not F10's menu bar
    lst.menu.close()
    QTest.keyClick(lst, K.Key_Menu)
    assert shown(win) == TRACK_MENU and win.pianoroll.current_track_id() == bass.id
    lst.menu.close()


def test_a_right_click_below_the_tracks_offers_add_track(opened):
    win = opened
    lst = win.tracklist
    right_click(lst.rows, QPoint(40, lst.rows.height() - 5))
    assert shown(win) == ["add_track"]
    assert lst.menu.accessibleName() == "Track list"
    lst.menu.close()
    win.actions.add_track.trigger()
    assert len(win.document.song.tracks) == 4
    for _ in range(4):
        win.actions.remove_track.trigger()
    assert not win.document.song.tracks
    lst.setFocus()
    QTest.keyClick(lst, K.Key_F10, M.ShiftModifier)  # no track: the keys offer Add
    assert shown(win) == ["add_track"]
    lst.menu.close()
