"""What a first-time user following the README met (a QA pass in the real studio): the
status bar's counts, the Save changes? box's keys, the Help menu, where Save As
suggests saving the shipped demo, the no-audio wording and settings kept from an earlier
session."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine.io import save_song
from engine.score import Note, Song, Track


def test_opening_a_one_track_song_says_1_track(window, tmp_path):
    path = tmp_path / "mytune.partita"
    save_song(Song(tracks=(Track("Lead", notes=tuple(Note(60 + i, i * 480, 480)
                                                     for i in range(10))),)), path)
    assert window.open_path(path)
    assert "mytune.partita: 1 track, 10 notes" in window.statusBar().currentMessage()


def test_the_save_changes_box_answers_alt_s_alt_d_and_alt_c(qtbot):
    # QA: Discard had no mnemonic (Qt's own button texts have none off KDE).
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from studio.dialogs.messages import save_changes_box

    B = QMessageBox.StandardButton
    box = save_changes_box(None, "mytune.partita")
    qtbot.addWidget(box)
    assert [box.button(b).text() for b in (B.Save, B.Discard, B.Cancel)] == [
        "&Save", "&Discard", "&Cancel"]
    box.show()
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow, timeout=2000)
    with qtbot.waitSignal(box.finished, timeout=2000):
        QTest.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert box.clickedButton() is box.button(B.Discard)


def test_help_opens_the_demo_song_and_the_user_guide(window, dialogs, qtbot):
    from studio import help_commands

    help_menu = next(m for m in window.menuBar().actions() if m.text() == "&Help").menu()
    texts = [a.text() for a in help_menu.actions()]
    assert {"&User Guide", "Open &Demo Song"} <= set(texts)
    window.actions.open_demo.trigger()
    assert window.document.path == help_commands.DEMO_SONG
    assert help_commands.DEMO_SONG.is_file()
    window.actions.user_guide.trigger()
    assert dialogs.calls[-1] == ("show_user_guide", (help_commands.USER_GUIDE,))
    window.actions.about.trigger()
    name, (_title, text) = dialogs.calls[-1]
    assert name == "show_info" and str(help_commands.USER_GUIDE) in text
    assert "guide: docs/studio.md" not in text  # no bare relative path


def test_the_user_guide_renders_the_shipped_docs(qtbot):
    from PySide6.QtWidgets import QTextBrowser

    from studio import help_commands
    from studio.dialogs.guide import guide_dialog

    dlg = guide_dialog(None, help_commands.USER_GUIDE)
    qtbot.addWidget(dlg)
    text = dlg.findChild(QTextBrowser, "UserGuide").toPlainText()
    assert "Keyboard shortcuts" in text and "##" not in text  # Markdown, rendered


def test_an_install_without_the_guide_says_where_it_is(window, dialogs, monkeypatch, tmp_path):
    from studio import help_commands

    monkeypatch.setattr(help_commands, "USER_GUIDE", tmp_path / "missing.md")
    window.actions.user_guide.trigger()
    name, (_title, text) = dialogs.calls[-1]
    assert name == "show_info" and "docs/studio.md in Partita's source" in text
    assert "does not include it" in help_commands.guide_text()


def test_saving_the_shipped_demo_suggests_the_documents_folder(window, dialogs, monkeypatch,
                                                                tmp_path):
    # QA: "Save as a .partita Project…" on the demo suggested assets/demo/demo.partita.
    from studio import help_commands

    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert window.open_path(help_commands.DEMO_SONG)
    dialogs.answers["get_save_path"] = None
    assert not window.save()  # Ctrl+S: the demo is Partita's, so it asks where
    assert dialogs.calls[-1] == ("get_save_path", (str(home / "Documents" / "demo.partita"),))
    # The exports too: a score or MIDI of the demo is not written into the install.
    dialogs.answers["get_export_midi_path"] = None
    window.export_midi()
    assert dialogs.calls[-1] == ("get_export_midi_path",
                                 (str(home / "Documents" / "demo (export).mid"),))
    (home / "Documents").rmdir()
    assert not window.save_as()
    assert dialogs.calls[-1] == ("get_save_path", (str(home / "demo.partita"),))


def test_every_export_of_the_shipped_demo_suggests_the_documents_folder(
        window, dialogs, monkeypatch, tmp_path):
    # QA: Export Audio… on the demo offered assets/demo/demo audio, inside the install.
    from studio import help_commands

    home = tmp_path / "home"
    docs = home / "Documents"
    docs.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in ("get_export_midi_path", "get_export_musicxml_path", "ask_export_audio"):
        dialogs.answers[name] = None

    def suggested() -> list[str]:
        window.export_midi()
        window.export_musicxml()
        window.export_stems()
        return [args[0] for _name, args in dialogs.calls[-3:]]

    assert window.open_path(help_commands.DEMO_SONG)
    assert suggested() == [str(docs / "demo (export).mid"), str(docs / "demo.musicxml"),
                           str(docs / "demo audio")]
    # A new song after it: the last folder used is the demo's, so Documents again.
    window.document.reset(Song(tracks=(Track("Lead", notes=(Note(60, 0, 480),)),)))
    assert suggested() == [str(docs / "Untitled.mid"), str(docs / "Untitled.musicxml"),
                           str(docs / "Untitled audio")]


def test_a_new_songs_title_is_the_name_save_as_and_every_export_suggest(
        window, dialogs, monkeypatch, tmp_path):
    # QA: "My First Song" was offered as Untitled.partita, Untitled.mid, "Untitled audio".
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("get_save_path", "get_export_midi_path", "get_export_musicxml_path",
                 "ask_export_audio"):
        dialogs.answers[name] = None
    window.document.reset(Song(tracks=(Track("Lead", notes=(Note(60, 0, 480),)),),
                               title="AC/DC: My First Song?"))
    window.save_as()
    window.export_midi()
    window.export_musicxml()
    window.export_stems()
    names = [Path(args[0]).name for _name, args in dialogs.calls[-4:]]
    assert names == ["AC-DC - My First Song.partita", "AC-DC - My First Song.mid",
                     "AC-DC - My First Song.musicxml", "AC-DC - My First Song audio"]


@pytest.mark.parametrize(("title", "stem"), [
    ("My First Song", "My First Song"), ("  ", "Untitled"), ("...", "Untitled"),
    (".hidden", "hidden"), ("a\\b|c", "a-b-c"), ("Intro:\tDawn", "Intro - Dawn"),
    ("nul", "nul song"), ("歌" * 100, "歌" * 66)])
def test_a_title_is_made_a_file_name_safe_on_every_file_system(title, stem):
    from studio.file_commands import title_file_stem  # engine.render.files', the studio's

    assert title_file_stem(title) == stem


def test_save_as_from_a_read_only_folder_suggests_the_documents_folder(
        window, dialogs, monkeypatch, tmp_path, song_file):
    import os

    from studio import file_commands

    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert window.open_path(song_file)
    dialogs.answers["get_save_path"] = None
    window.save_as()
    assert dialogs.calls[-1] == ("get_save_path", (str(song_file.with_suffix(".partita")),))
    writable = os.access
    monkeypatch.setattr(file_commands.os, "access", lambda path, mode: writable(
        path, mode) and Path(path) != song_file.parent)  # as a read-only share (root: chmod)
    window.save_as()
    assert dialogs.calls[-1] == ("get_save_path", (str(home / "Documents" / "song.partita"),))


def test_a_setting_kept_from_an_earlier_session_off_its_default_is_shown_and_reset(
        qtbot, tmp_path, dialogs, no_audio):
    # QA: Steps left at 50 in an earlier session made every take 5-7x slower, unseen.
    from PySide6.QtTest import QTest

    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    settings = Settings(tmp_path / "settings.ini")
    settings.set_generation({"steps": 50, "keep_rhythm": True})
    win = MainWindow(settings, RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(win)
    panel = win.generate_panel
    assert panel.changed_settings() == [panel.steps, panel.keep_rhythm]
    assert panel.steps.property("changed") is True
    assert panel.steps.toolTip().endswith("(not the default: 8)")
    assert panel.temperature.property("changed") is False
    assert not panel.reset.isHidden()
    QTest.mouseClick(panel.reset, Qt.MouseButton.LeftButton)
    assert panel.steps.value() == 8 and not panel.keep_rhythm.isChecked()
    assert panel.changed_settings() == [] and panel.reset.isHidden()
    assert panel.steps.property("changed") is False
    assert "not the default" not in panel.steps.toolTip()
    panel.seed.setValue(7)  # any setting changed now is shown too
    assert panel.seed.toolTip().endswith("(not the default: Random)")
    assert win._generation_values().options.steps == 8
    win.close()


def test_at_the_default_size_the_generate_panel_and_the_step_entry_hint_fit(
        qtbot, tmp_path, dialogs, no_audio):
    # QA (1500 × 920, the default): the panel's last checkbox was half hidden behind the
    # Jobs dock, and the step-entry hint was cut at "2–7 the len…".
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings
    from studio.window_fit import DEFAULT_SIZE

    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(win)
    win.resize(DEFAULT_SIZE)  # on a screen with room for it (offscreen's is 800 × 800)
    win.show()
    qtbot.waitExposed(win)
    assert (win.width(), win.height()) == (1500, 920)
    scroll = win.generate_dock.widget()
    qtbot.waitUntil(lambda: scroll.viewport().height() >= win.generate_panel.sizeHint().height(),
                    timeout=2000)
    assert scroll.verticalScrollBar().maximum() == 0
    win.transport.check_audio()  # "⚠ No audio output — playback off", the longest label
    win.status_hover.setText("G#4 · 12.3.240")
    win.pianoroll.canvas.setFocus()
    win.actions.step_entry.trigger()
    bar = win.statusBar()
    message = bar.currentMessage()
    assert message.startswith("Step entry: A–G notes, 2–7 length")
    labels = [w for w in bar.findChildren(QLabel) if w.isVisible() and w.parent() is bar]
    room = bar.width() - sum(w.width() for w in labels)
    assert bar.fontMetrics().horizontalAdvance(message) < room
    win.actions.step_entry.trigger()
    win.close()
