"""File ▸ Song Properties: the song's title, set as one undo step, shown in the window's
title and kept by projects and MIDI files."""

from __future__ import annotations

import pytest

from engine.io import load_song


def properties_action(win):
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    [action] = [a for a in file_menu.actions() if a.text() == "Song &Properties…"]
    return action


def test_the_title_is_set_from_the_file_menu_as_one_undo_step(opened, dialogs):
    win = opened
    assert win.windowTitle() == "Test song — song.mid — Partita"
    dialogs.answers["ask_song_properties"] = "Lanterns"
    properties_action(win).trigger()
    assert dialogs.calls[-1] == ("ask_song_properties", ("Test song",))  # prefilled
    assert win.document.song.title == "Lanterns"
    assert win.windowTitle() == "Lanterns — song.mid* — Partita"
    assert win.actions.undo.text() == "&Undo Set Title “Lanterns”"
    win.actions.undo.trigger()
    assert win.document.song.title == "Test song"
    assert win.windowTitle() == "Test song — song.mid — Partita"
    win.actions.redo.trigger()
    assert win.document.song.title == "Lanterns"
    assert win.windowTitle() == "Lanterns — song.mid* — Partita"


@pytest.mark.parametrize("answer", [None, "Test song"])
def test_cancel_or_the_same_title_changes_nothing(opened, dialogs, answer):
    dialogs.answers["ask_song_properties"] = answer
    opened.edit_song_properties()
    assert opened.document.song.title == "Test song"
    assert not opened.document.is_modified
    assert not opened.actions.undo.isEnabled()


def test_a_cleared_title_leaves_the_file_name(opened, dialogs):
    dialogs.answers["ask_song_properties"] = ""
    opened.edit_song_properties()
    assert opened.document.song.title == ""
    assert opened.windowTitle() == "song.mid* — Partita"
    assert opened.actions.undo.text() == "&Undo Clear Title"


def test_a_title_like_the_file_name_or_very_long_is_shown_once_and_short(window, dialogs):
    assert window.windowTitle() == "Untitled — Partita"
    dialogs.answers["ask_song_properties"] = "untitled"
    window.edit_song_properties()
    assert window.windowTitle() == "Untitled* — Partita"  # not "untitled — Untitled*"
    dialogs.answers["ask_song_properties"] = "A " * 50
    window.edit_song_properties()
    shown = window.windowTitle()
    assert shown.startswith("A A A") and "… — Untitled* — Partita" in shown
    assert len(shown) < 100


@pytest.mark.parametrize("suffix", [".partita", ".mid"])
def test_the_title_is_saved_in_projects_and_midi_files(opened, dialogs, tmp_path, suffix):
    win = opened
    dialogs.answers["ask_song_properties"] = "Lanterns — a night piece"
    win.edit_song_properties()
    target = tmp_path / f"out{suffix}"
    dialogs.answers["get_save_path"] = target
    assert win.save_as()
    assert load_song(target).title == "Lanterns — a night piece"
    assert win.windowTitle() == f"Lanterns — a night piece — out{suffix} — Partita"


def test_the_dialog_is_prefilled_and_drops_surrounding_spaces(qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from studio.dialogs.song import SongDialog, ask_song_properties

    dialog = SongDialog(None, "Lanterns")
    qtbot.addWidget(dialog)
    assert dialog.title.text() == "Lanterns"

    def typed(self):
        self.title.setText("  Night Piece ")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SongDialog, "exec", typed)
    assert ask_song_properties(None, "Lanterns") == "Night Piece"
    monkeypatch.setattr(SongDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ask_song_properties(None, "Lanterns") is None
