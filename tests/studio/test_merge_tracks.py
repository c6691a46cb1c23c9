"""Track ▸ Merge Tracks…: a MIDI guitar's six string-tracks made one guitar, one undo
step, with what one channel cannot hold asked about and said."""

from __future__ import annotations

from tests.engine.io.midi_builders import midi_guitar


def open_guitar(window, tmp_path, bends: bool = True):
    path = tmp_path / "gtr.mid"
    path.write_bytes(midi_guitar(bends))
    assert window.open_path(path)
    return window.document.song


def test_opening_a_midi_guitar_suggests_the_merge(window, tmp_path, dialogs):
    open_guitar(window, tmp_path)
    ((_, (title, message)),) = [c for c in dialogs.calls if c[0] == "show_warning"]
    assert title == "gtr.mid: opened, with a warning"
    assert message.startswith("6 channels of one MIDI track 'Lead Gtr' (Overdriven Guitar, "
                              "channels 1–6) were read as 6 tracks (tracks 1–6)")
    assert message.endswith("Track ▸ Merge Tracks… makes them one.")


def test_merge_offers_the_strings_asks_about_their_bends_and_undoes_in_one_step(
        window, tmp_path, dialogs):
    song = open_guitar(window, tmp_path)
    window.selection.set_tracks([song.tracks[2].id])  # one string: its siblings offered
    dialogs.answers["ask_merge_tracks"] = lambda parent, names, chosen: chosen
    dialogs.answers["ask_drop_controllers"] = False
    window.actions.merge_tracks.trigger()
    (_, (names, chosen)), (_, (why,)) = [c for c in dialogs.calls if "merge" in c[0]
                                         or "drop" in c[0]]
    assert chosen == [0, 1, 2, 3, 4, 5] and names[0].endswith("(ch 1)")
    assert why.startswith("the tracks' 12 pitch bends are not alike")
    assert len(window.document.song.tracks) == 6  # refused: nothing merged
    assert "nothing merged (the tracks' 12 pitch bends are kept)" in \
        window.statusBar().currentMessage()

    dialogs.answers["ask_drop_controllers"] = True
    window.actions.merge_tracks.trigger()
    (guitar,) = window.document.song.tracks
    assert guitar.name == "Lead Gtr" and len(guitar.notes) == 7
    assert window.pianoroll.current_track_id() == guitar.id
    said = window.statusBar().currentMessage()
    assert "Merged 6 tracks into 'Lead Gtr'" in said
    assert "dropped 12 pitch bends that differed between them" in said
    window.actions.undo.trigger()
    assert window.document.song == song
    # QA: "Merged 6 tracks into … (Ctrl+Z undoes)" stayed said after the undo.
    assert window.statusBar().currentMessage() == "Undid “Merge 6 tracks into Lead Gtr”"
    window.actions.redo.trigger()
    assert len(window.document.song.tracks) == 1
    assert window.statusBar().currentMessage() == "Redid “Merge 6 tracks into Lead Gtr”"


def test_merge_of_selected_tracks_without_bends_asks_nothing_more(window, tmp_path, dialogs):
    song = open_guitar(window, tmp_path, bends=False)
    window.selection.set_tracks([song.tracks[0].id, song.tracks[1].id])
    dialogs.answers["ask_merge_tracks"] = lambda parent, names, chosen: chosen
    window.actions.merge_tracks.trigger()
    assert "ask_drop_controllers" not in dialogs.names()
    assert len(window.document.song.tracks) == 5
    assert "no pitch bends or controllers lost" in window.statusBar().currentMessage()


def test_the_merge_dialog_needs_two_tracks_ticked(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from studio.dialogs.merge import MergeTracksDialog

    dialog = MergeTracksDialog(None, ["Gtr (ch 1)", "Gtr (ch 2)", "Bass"], [0])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert ok.isEnabled() and dialog.chosen() == [0, 1]
