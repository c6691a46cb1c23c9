"""Track list: add / remove / reorder, rename, instrument, mute, volume — all undoable."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from engine.io import load_project
from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track, set_track_props
from studio.mixer_slider import FADER_PAGE_STEP, FADER_TOP


def names(win):
    return [t.name for t in win.document.song.tracks]


def test_add_move_remove_tracks_with_undo(opened):
    win = opened
    win.actions.add_track.trigger()
    assert names(win) == ["Piano", "Track 2", "Bass", "Drums"]  # named for its place
    new = win.document.song.tracks[1]
    assert win.pianoroll.current_track_id() == new.id
    assert new.channel not in (0, 1, 9)
    win.actions.track_down.trigger()
    assert names(win) == ["Piano", "Bass", "Track 2", "Drums"]
    win.actions.remove_track.trigger()
    assert names(win) == ["Piano", "Bass", "Drums"]
    win.document.undo_stack.undo()  # the removed track is back, and selected again
    assert win.pianoroll.current_track_id() == new.id
    win.document.undo_stack.redo()
    for _ in range(3):
        win.document.undo_stack.undo()
    assert names(win) == ["Piano", "Bass", "Drums"]
    assert len(win.document.song.tracks) == 3 and win.document.undo_stack.index() == 0


def test_header_edits_name_instrument_mute_volume(opened):
    win = opened
    header = win.tracklist.headers[1]
    header.name.setText("Upright")
    header.name.editingFinished.emit()
    header.instrument.setCurrentIndex(header.instrument.findData(32))
    header.instrument.activated.emit(header.instrument.currentIndex())
    QTest.mouseClick(header.mute, Qt.MouseButton.LeftButton)
    header.volume.setValue(FADER_TOP - 60)  # a tenth of a dB a step: −6 dB
    bass = win.document.song.tracks[1]
    assert (bass.name, bass.program, bass.mute, round(bass.volume * 127)) == (
        "Upright", 32, True, 64)
    assert bass.volume == pytest.approx(10 ** (-6 / 20))
    assert win.actions.undo.text() == "&Undo Change volume"
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.song.tracks[1].mute is False
    assert header.mute.isChecked() is False  # the row follows the song


def groove_point(slider, value: int) -> QPoint:
    """A point on ``slider``'s groove well away from its handle at ``value``."""
    span = slider.maximum() - slider.minimum()
    at = (value - slider.minimum()) / span
    return QPoint(round(slider.width() * (0.9 if at < 0.5 else 0.1)), slider.height() // 2)


@pytest.mark.parametrize("where", ["handle", "groove"])
def test_a_double_click_resets_volume_and_centres_pan_in_one_undo_step(opened, where):
    # A DAW's mixer strip: a double-click on a fader puts it back at its default.
    win = opened
    doc = win.document
    bass = doc.song.tracks[1]
    doc.apply(set_track_props(doc.song, bass.id, "Set up", volume=64 / 127, pan=-20 / 64))
    header = win.tracklist.header(bass.id)
    for fader, after in ((header.volume, ("Reset volume of Bass", 127, -20)),
                         (header.pan, ("Centre pan of Bass", 127, 0))):
        steps = doc.undo_stack.index()
        at = (QPoint(fader._handle_centre().x(), fader.height() // 2) if where == "handle"
              else groove_point(fader, fader.value()))  # a page step on its first press
        QTest.mouseClick(fader, Qt.MouseButton.LeftButton, pos=at)  # a double-click's
        QTest.mouseDClick(fader, Qt.MouseButton.LeftButton, pos=at)  # two halves
        track = doc.song.track(bass.id)
        assert (doc.undo_stack.undoText(), round(track.volume * 127),
                round(track.pan * 64)) == after
        assert doc.undo_stack.index() == steps + 1  # one step, the press's page folded in
        assert fader.value() == (FADER_TOP if fader is header.volume else 0)
    doc.undo_stack.undo()
    assert round(doc.song.track(bass.id).pan * 64) == -20 and header.pan.value() == -20


def test_the_faders_say_their_level_in_db_and_the_pan_as_l_c_r(opened, qtbot):
    from PySide6.QtWidgets import QToolTip

    win = opened
    doc = win.document
    bass = doc.song.tracks[1]
    doc.apply(set_track_props(doc.song, bass.id, "Set up", volume=64 / 127, pan=-20 / 64))
    header = win.tracklist.header(bass.id)
    assert header.volume.toolTip() == "Volume −6.0 dB (64)\nDouble-click: 0 dB (127)"
    assert header.pan.toolTip() == "Pan L20\nDouble-click: centre"
    assert win.tracklist.header(doc.song.tracks[0].id).pan.toolTip().startswith("Pan C\n")
    # While dragged, the value shows beside the handle and follows it; the song changes
    # only when the fader is let go (one undo step).
    steps = doc.undo_stack.index()
    header.pan.setSliderDown(True)
    header.pan.setValue(30)
    assert QToolTip.isVisible() and QToolTip.text() == "Pan R30"
    header.pan.setValue(-64)
    assert QToolTip.text() == "Pan L64" and header.pan.toolTip().startswith("Pan L64\n")
    assert doc.undo_stack.index() == steps
    header.pan.setSliderDown(False)
    header.pan.sliderReleased.emit()
    assert round(doc.song.track(bass.id).pan * 64) == -64
    assert doc.undo_stack.index() == steps + 1
    header.volume.setSliderDown(True)
    header.volume.setValue(0)
    assert QToolTip.text() == "Volume silent (0)"
    header.volume.setSliderDown(False)
    header.volume.sliderReleased.emit()
    assert doc.song.track(bass.id).volume == 0


def test_the_volume_fader_is_tapered_in_db():
    """A DAW's fader: a tenth of a dB a step, linear in dB from −42 dB (one step above
    silence: MIDI volume 1) to 0 dB at the top. It was linear in gain: one step above
    the bottom was −42 dB and −6 dB sat halfway, the useful travel squeezed at the top."""
    from studio.mixer_slider import fader_db, fader_position, fader_volume

    assert (fader_db(0), fader_volume(0), fader_position(0.0)) == (None, 0.0, 0)
    assert fader_db(1) == -42.0 and round(fader_volume(1) * 127) == 1
    assert (fader_db(FADER_TOP), fader_volume(FADER_TOP)) == (0.0, 1.0)  # exactly full
    assert fader_position(1.0) == FADER_TOP
    levels = [fader_volume(p) for p in range(FADER_TOP + 1)]
    assert all(a < b for a, b in itertools.pairwise(levels))  # monotonic
    steps = {round(fader_db(p + 1) - fader_db(p), 9) for p in range(1, FADER_TOP)}
    assert steps == {0.1}  # linear in dB
    assert [p for p in range(FADER_TOP + 1) if fader_position(fader_volume(p)) != p] == []
    # The useful range has the travel: −6 dB at 86 %, −20 dB about halfway.
    assert fader_position(10 ** (-6 / 20)) / FADER_TOP == pytest.approx(0.857, abs=0.001)
    assert fader_position(0.1) / FADER_TOP == pytest.approx(0.52, abs=0.01)
    # Every MIDI volume shows at the nearest tenth of a dB, never as silence, and is kept
    # exactly where the fader has not moved.
    for cc in range(1, 128):
        p = fader_position(cc / 127)
        assert p >= 1 and abs(fader_db(p) - 20 * math.log10(cc / 127)) <= 0.08
        assert fader_volume(p, cc / 127) == cc / 127
    assert fader_position(0.0001) == 1  # −80 dB, under the floor: not silence


def test_the_volume_fader_keeps_and_says_a_level_between_its_steps(opened):
    win = opened
    doc = win.document
    bass = doc.song.tracks[1]
    doc.apply(set_track_props(doc.song, bass.id, "Set up", volume=100 / 127))
    header = win.tracklist.header(bass.id)
    assert header.volume.value() == FADER_TOP - 21  # −2.08 dB: at −2.1
    assert header.volume.toolTip().startswith("Volume −2.1 dB (100)\n")
    steps = doc.undo_stack.index()
    header.volume.setSliderDown(True)  # pressed and let go where it was
    header.volume.setSliderDown(False)
    header.volume.sliderReleased.emit()
    assert doc.song.track(bass.id).volume == 100 / 127 and doc.undo_stack.index() == steps
    header.volume.setValue(header.volume.value() - FADER_PAGE_STEP)  # a groove's page
    assert doc.song.track(bass.id).volume == pytest.approx(10 ** (-5.1 / 20))  # 3 dB down
    assert header.volume.toolTip().startswith("Volume −5.1 dB (71)\n")
    assert doc.undo_stack.undoText() == "Change volume"


def test_a_project_saved_unchanged_is_the_same_bytes(opened, tmp_path):
    """Showing odd levels on the dB faders (and pressing them without moving) changes
    nothing: the project saved again is byte for byte the one saved before."""
    win = opened
    doc = win.document
    for track, volume in zip(doc.song.tracks, (100 / 127, 0.3, 1 / 127), strict=True):
        doc.apply(set_track_props(doc.song, track.id, "Set up", volume=volume))
    first, second = tmp_path / "first.partita", tmp_path / "second.partita"
    doc.save(first)
    assert win.open_path(first)
    for header in win.tracklist.headers:
        header.volume.setSliderDown(True)
        header.volume.setSliderDown(False)
        header.volume.sliderReleased.emit()
    assert doc.undo_stack.isClean()
    win.document.save(second)
    assert second.read_bytes() == first.read_bytes()
    assert [t.volume for t in load_project(second).song.tracks] == [100 / 127, 0.3, 1 / 127]


def test_drum_kit_choice_moves_the_track_to_the_drum_channel(opened):
    win = opened
    header = win.tracklist.headers[0]
    header.instrument.activated.emit(header.instrument.findData(-1))
    piano = win.document.song.tracks[0]
    assert piano.is_drum and piano.channel == 9


def test_a_drum_track_can_take_each_general_midi_2_kit(opened):
    # A producer's TR-808: the list offers GM2's kits after the standard one; choosing
    # one sets the kit's program on the drum channel, and the row shows the kit the
    # track has (a file's program 25 on channel 10 is the TR-808, not "Drum Kit").
    from engine.score.track_edits import kit_value

    win = opened
    header = win.tracklist.headers[2]
    box = header.instrument
    kits = [box.itemText(i) for i in range(box.count()) if (box.itemData(i) or 0) < 0]
    assert kits == ["Drum Kit (GM)", "Room Kit", "Power Kit", "Electronic Kit", "TR-808 Kit",
                    "Jazz Kit", "Brush Kit", "Orchestra Kit", "SFX Kit"]
    box.activated.emit(box.findData(kit_value(25)))
    drums = win.document.song.tracks[2]
    assert (drums.is_drum, drums.program, drums.channel) == (True, 25, 9)
    assert box.currentText() == "TR-808 Kit"
    win.document.undo_stack.undo()
    assert win.document.song.tracks[2].program == 0 and box.currentText() == "Drum Kit (GM)"


def test_a_new_track_is_named_after_the_instrument_chosen_for_it(opened):
    # "Track 2" stayed "Track 2" as an Electric Bass, and the Generate panel said
    # "Mask: Track 3, Track 4". A DAW names it after the instrument; a typed name stays.
    win = opened
    win.actions.add_track.trigger()
    header = win.tracklist.headers[1]
    assert names(win) == ["Piano", "Track 2", "Bass", "Drums"]
    steps = win.document.undo_stack.count()
    header.instrument.activated.emit(header.instrument.findData(33))
    assert names(win) == ["Piano", "Electric Bass (finger)", "Bass", "Drums"]
    assert win.document.undo_stack.count() == steps + 1  # one undo step with the program
    assert header.name.text() == "Electric Bass (finger)"
    header.instrument.activated.emit(header.instrument.findData(-1))  # its instrument's name
    assert names(win)[1] == "Drums (2)"  # follows the instrument again
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert names(win)[1] == "Track 2" and win.document.song.tracks[1].program == 0
    header.instrument.activated.emit(header.instrument.findData(-1))  # a kit beside Drums
    assert names(win)[1] == "Drums (2)" and win.document.song.tracks[1].is_drum
    win.document.undo_stack.undo()
    header.name.setText("Hook")
    header.name.editingFinished.emit()
    header.instrument.activated.emit(header.instrument.findData(40))
    assert names(win)[1] == "Hook" and win.document.song.tracks[1].program == 40


def test_file_news_piano_made_a_drum_kit_is_named_drums(opened):
    """Producer QA: File ▸ New's "Piano" made a Drum Kit kept its name, and its stem was
    "01 - Piano.wav" full of drums. A name that is just the old instrument's follows the
    new one; a name the user typed stays."""
    win = opened
    win.new_file()
    assert names(win) == ["Piano"]
    header = win.tracklist.headers[0]
    header.instrument.activated.emit(header.instrument.findData(-1))
    assert names(win) == ["Drums"] and win.document.song.tracks[0].is_drum
    header.instrument.activated.emit(header.instrument.findData(33))  # and back to a bass
    assert names(win) == ["Electric Bass (finger)"]
    header.name.setText("808")
    header.name.editingFinished.emit()
    header.instrument.activated.emit(header.instrument.findData(-1))
    assert names(win) == ["808"]


def test_clicking_a_header_selects_the_track(opened):
    win = opened
    bass_header = win.tracklist.headers[1]
    QTest.mouseClick(bass_header, Qt.MouseButton.LeftButton)
    assert win.selection.track_ids == [bass_header.track_id]
    QTest.mouseClick(win.tracklist.headers[2], Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier)
    assert len(win.selection.track_ids) == 2
    assert bass_header.property("selected") is True


def test_clicking_a_track_name_selects_the_track(opened):
    win = opened
    bass_header = win.tracklist.headers[1]
    QTest.mouseClick(bass_header.name, Qt.MouseButton.LeftButton)
    assert win.selection.track_ids == [bass_header.track_id]


def test_a_click_on_a_name_leaves_the_keys_to_the_shortcuts(opened, qtbot):
    # QA, following the README: "click the track you want to change", then M for the
    # mask tool typed "m" into the name ("Lead" → "Lemad").
    from studio.pianoroll import Tool

    win = opened
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.pianoroll.canvas.setFocus()
    header = win.tracklist.headers[1]
    QTest.mouseClick(header.name, Qt.MouseButton.LeftButton, pos=QPoint(12, 8))
    assert win.selection.track_ids == [header.track_id]
    assert not header.name.hasFocus()
    QTest.keyClick(win.focusWidget() or win, Qt.Key.Key_M)
    assert win.pianoroll.tool is Tool.MASK
    assert header.name.text() == "Bass" and win.document.song.tracks[1].name == "Bass"


def test_a_double_click_on_a_name_renames_the_track(opened, qtbot):
    win = opened
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    header = win.tracklist.headers[1]
    QTest.mouseDClick(header.name, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(header.name.hasFocus, timeout=2000)
    assert header.name.selectedText() == "Bass"
    assert win.selection.track_ids == [header.track_id]
    QTest.keyClicks(header.name, "Upright")
    QTest.keyClick(header.name, Qt.Key.Key_Return)
    assert win.document.song.tracks[1].name == "Upright"
    assert win.pianoroll.canvas.hasFocus()


def test_a_click_on_another_track_ends_a_rename(opened, qtbot):
    win = opened
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    bass, piano = win.tracklist.headers[1], win.tracklist.headers[0]
    QTest.mouseDClick(bass.name, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bass.name.hasFocus, timeout=2000)
    QTest.keyClicks(bass.name, "Upright")
    QTest.mouseClick(piano.name, Qt.MouseButton.LeftButton)
    assert win.selection.track_ids == [piano.track_id]
    assert win.document.song.tracks[1].name == "Upright"
    assert win.pianoroll.canvas.hasFocus()


def test_an_edit_redraws_only_the_edited_tracks_miniature(window):
    # A 20,000-note song rebuilt every miniature after each edit (0.2-0.6 s a keypress).
    from engine.score import Note, add_notes
    from tests.studio.conftest import make_song

    window.set_song(make_song())
    arr = window.arrangement
    song = window.document.song
    piano, bass = song.tracks[0].id, song.tracks[1].id
    arr.grab()  # paint once
    before = {tid: hit[2] for tid, hit in arr._minis.items()}
    assert {piano, bass} <= set(before)
    window.document.apply(add_notes(piano, [Note(70, 0, 240)]))
    image = arr.grab().toImage()
    assert arr._minis[bass][2] is before[bass]  # reused
    assert arr._minis[piano][2] is not before[piano]  # redrawn with the new note
    assert not image.isNull()


def test_the_current_track_mutes_and_solos_from_the_keyboard(opened):
    win = opened
    track = win.document.song.tracks[0]
    win.selection.set_tracks([track.id])
    win.actions.mute_track.trigger()
    assert win.document.song.track(track.id).mute
    assert win.document.undo_stack.undoText() == f"Mute {track.name}"
    win.actions.mute_track.trigger()
    assert win.document.undo_stack.undoText() == f"Unmute {track.name}"
    win.actions.solo_track.trigger()
    song = win.document.song
    assert not song.track(track.id).mute and song.track(track.id).solo
    assert song.audible_ids() == [track.id]


def test_mute_and_solo_keys_say_what_they_did(opened):
    # QA: Ctrl+Alt+M / S changed only the header's small M / S, out of sight of the keys.
    win = opened
    said = win.statusBar().currentMessage
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    win.actions.mute_track.trigger()
    assert said() == "Muted Drums"
    win.actions.mute_track.trigger()
    assert said() == "Unmuted Drums"
    win.actions.solo_track.trigger()
    assert said() == "Solo Drums"
    win.actions.solo_track.trigger()
    assert said() == "Solo off: Drums"
    win.actions.mute_track.trigger()
    win.actions.solo_track.trigger()  # soloed and muted: mute wins, and it says so
    assert said() == "Solo Drums — it is muted, so it stays silent (Ctrl+Alt+M unmutes)"
    win.selection.set_tracks([])
    win.actions.mute_track.trigger()
    assert said().startswith("Mute: no track selected")


def test_the_track_keys_call_a_track_with_no_name_by_its_number(opened):
    # Imported MIDI often has blank track names: "Muted " and "Volume of  −3 dB" said nothing.
    win = opened
    said = win.statusBar().currentMessage
    drums = win.document.song.tracks[2]
    win.document.apply(set_track_props(win.document.song, drums.id, "Rename", name=""))
    win.selection.set_tracks([drums.id])
    win.actions.mute_track.trigger()
    assert said() == "Muted track 3" and win.document.undo_stack.undoText() == "Mute track 3"
    win.step_volume(-3)
    assert said().startswith("Volume track 3: ")
    assert win.document.undo_stack.undoText() == "Volume of track 3 -3 dB"


def test_f2_renames_the_current_track_and_gives_the_keys_back_to_the_roll(opened, qtbot):
    # A keyboard-only user had no way to rename a track, and after a rename the focus was
    # nowhere, so Tab and the roll's keys started from scratch.
    win = opened
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow, timeout=2000)
    track = win.document.song.tracks[1]
    win.selection.set_tracks([track.id])
    win.pianoroll.canvas.setFocus()
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_F2)
    name = win.tracklist.header(track.id).name
    assert name.hasFocus() and name.selectedText() == track.name
    QTest.keyClicks(name, "Walking bass")
    QTest.keyClick(name, Qt.Key.Key_Return)
    assert win.document.song.track(track.id).name == "Walking bass"
    assert win.pianoroll.canvas.hasFocus()
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_F2)
    QTest.keyClicks(name, "oops")
    QTest.keyClick(name, Qt.Key.Key_Escape)
    assert win.document.song.track(track.id).name == "Walking bass"
    assert win.pianoroll.canvas.hasFocus()


def _open_instrument_list(win, qtbot):
    """Ctrl+Alt+I on the first track: its track and the open list."""
    track = win.document.song.tracks[0]
    win.selection.set_tracks([track.id])
    win.actions.track_instrument.trigger()
    combo = win.tracklist.header(track.id).instrument
    qtbot.waitUntil(lambda: combo.view().isVisible(), timeout=2000)
    return track, combo


def test_the_instrument_list_opens_from_the_keyboard(opened, qtbot):
    win = opened
    track, combo = _open_instrument_list(win, qtbot)
    QTest.keyClick(combo.view(), Qt.Key.Key_Down)
    QTest.keyClick(combo.view(), Qt.Key.Key_Return)
    changed = win.document.song.track(track.id)
    assert changed.program == track.program + 1
    assert "nstrument" in win.document.undo_stack.undoText()


def test_a_name_being_typed_when_its_track_goes_away_is_dropped_quietly(opened, qtbot, dialogs):
    # F2, type, then File ▸ New (or an undo of Add Track): the field lost the focus after
    # its track had left, and renaming it raised KeyError (found by a monkey test).
    win = opened
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow, timeout=2000)
    win.selection.set_tracks([win.document.song.tracks[0].id])
    win.actions.rename_track.trigger()
    name = win.tracklist.header(win.document.song.tracks[0].id).name
    QTest.keyClicks(name, "Gone")
    dialogs.answers["ask_save_changes"] = "discard"
    win.actions.new.trigger()
    qtbot.wait(20)
    assert win.document.song.tracks[0].name != "Gone"


def test_the_colour_strip_asks_through_the_dialogs_module(opened, dialogs):
    # It called QColorDialog directly: a blocking dialog no test (or script) could answer.
    win = opened
    header = win.tracklist.headers[0]
    dialogs.answers["pick_colour"] = "#123456"
    header.swatch.click()
    assert win.document.song.track(header.track_id).colour == "#123456"
    assert win.document.undo_stack.undoText() == "Change colour"


def test_typing_a_name_in_the_instrument_list_finds_it(opened, qtbot):
    # The entries start with the number ("  74  Flute"): typing "Flute" found nothing.
    win = opened
    track, combo = _open_instrument_list(win, qtbot)
    QTest.keyClicks(combo.view(), "Flute")
    QTest.keyClick(combo.view(), Qt.Key.Key_Return)
    assert win.document.song.track(track.id).program == 73  # GM 74, Flute


def test_an_empty_track_list_says_how_to_get_a_track(window):
    from engine.score import Song

    window.set_song(Song(ppq=480))
    hint = window.tracklist.empty_hint
    assert not hint.isHidden() and "Ctrl+T" in hint.text()
    window.actions.add_track.trigger()
    assert hint.isHidden()


REAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "midi-real"


def groove_song() -> Song:
    """Drums: kick, snare and hats on every eighth for 4 bars, a crash and two toms."""
    q = 480
    hits = [Note(36 if i % 4 == 0 else 38 if i % 4 == 2 else 42, i * q // 2, 60, 100)
            for i in range(32)]
    hits += [Note(57, 0, 60, 110), Note(50, 7 * q, 60, 90), Note(47, 15 * q, 60, 90)]
    drums = Track(name="Drums", is_drum=True, channel=DRUM_CHANNEL,
                  notes=tuple(sorted(hits, key=lambda n: (n.start, n.pitch))))
    lead = Track(name="Lead", program=80, channel=0,
                 notes=tuple(Note(72 + i % 5, i * q, q, 90) for i in range(16)))
    return Song(tracks=(lead, drums), ppq=q, tempos=(TempoChange(0, 500_000),))


def test_a_drum_track_made_current_shows_the_rows_of_its_groove(window, qtbot):
    """QA: with the crash and tom rows on screen (a hit or two) the roll stayed there when
    the kit became current: the kick, snare and hat rows below, most of the hits, were
    off screen."""
    win = window
    win.set_song(groove_song())
    qtbot.wait(20)  # the song's first view (placed once the events have run)
    lead, drums = win.document.song.tracks
    vp = win.pianoroll.viewport
    win.selection.set_tracks([lead.id])
    vp.set_top((127 - 70) * vp.key_h)  # pitch 70 on the top row
    low, high = vp.visible_pitches()
    assert low <= 50 and high >= 57 and low > 42  # the crash and a tom: no groove
    win.selection.set_tracks([drums.id])
    low, high = vp.visible_pitches()
    assert low <= 36 and high >= 42
    vp.set_top(vp.top + 2 * vp.key_h)  # scrolled a little: the groove still shows
    top = vp.top
    win.pianoroll.reveal_active_notes()  # (as selecting it again does)
    assert vp.top == top  # left where it is


def test_a_real_drum_part_made_current_shows_its_kick_snare_and_hats(window, qtbot):
    path = REAL_DIR / "openmsx-6.mid"
    if not path.is_file():
        pytest.skip(f"real MIDI corpus not found at {REAL_DIR} (needs ../shared beside the repo)")
    win = window
    assert win.open_path(path)
    qtbot.wait(20)
    song = win.document.song
    drums = next(t for t in song.tracks if t.is_drum)  # 35/36 kicks, 38, 42/46 hats: 904
    vp = win.pianoroll.viewport  # of its 965 hits; toms and a crash (57) above
    vp.center_on_pitches(50, 70)
    win.selection.set_tracks([drums.id])
    low, high = vp.visible_pitches()
    in_time = [n for n in drums.notes if n.start < vp.right and n.end > vp.left]
    shown = sum(low <= n.pitch <= high for n in in_time)
    assert low <= 35 and high >= 46 and shown >= 0.9 * len(in_time)


def test_a_parts_transposition_is_chosen_shown_and_undone(opened, dialogs):
    """Track ▸ Transposition…: a film composer's Bass written an octave up, as a double
    bass part is: one undo step, and the header says "8vb" while it is so."""
    win = opened
    bass = win.document.song.tracks[1]
    header = win.tracklist.header(bass.id)
    assert header.written.isHidden()  # concert pitch: nothing to say
    win.selection.set_tracks([bass.id])
    dialogs.answers["ask_transposition"] = (-7, -12)
    win.actions.track_transposition.trigger()
    assert dialogs.calls[-1] == ("ask_transposition", ("Bass", (0, 0)))
    assert win.document.song.track(bass.id).transposition == (-7, -12)
    assert win.statusBar().currentMessage() == "Bass: sounds an octave lower than written"
    assert win.document.undo_stack.undoText() == "Bass: sounds an octave lower than written"
    assert not header.written.isHidden() and header.written.text() == "8vb"
    assert header.written.accessibleName() == (
        "Transposition of Bass: sounds an octave lower than written")
    dialogs.answers["ask_transposition"] = (-1, -2)
    win.actions.track_transposition.trigger()
    assert header.written.text() == "in Bb"
    assert header.written.toolTip() == ("Written in Bb (sounds a major second lower): "
                                        "Track ▸ Transposition… changes it")
    win.document.undo_stack.undo()
    assert win.document.song.track(bass.id).transposition == (-7, -12)
    win.document.undo_stack.undo()
    assert win.document.song.track(bass.id).transposition is None
    assert header.written.isHidden()
    win.document.undo_stack.redo()
    assert header.written.text() == "8vb"
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    assert not win.actions.track_transposition.isEnabled()  # greyed in the menus for a kit
    asked = len(dialogs.calls)
    win.pick_transposition()  # and refused, should it be asked all the same
    assert len(dialogs.calls) == asked  # a kit is not asked
    assert "drum kit" in win.statusBar().currentMessage()
    win.selection.set_tracks([bass.id])
    assert win.actions.track_transposition.isEnabled()


def test_the_transposition_list_is_chosen_from_the_keyboard(qtbot):
    from studio.dialogs.transposition import TranspositionDialog

    dialog = TranspositionDialog(None, "Clarinet", (-1, -2))
    qtbot.addWidget(dialog)
    assert dialog.choice.currentText() == (
        "Bb: clarinet, trumpet, soprano sax — sounds a major second lower")
    QTest.keyClick(dialog.choice, Qt.Key.Key_Down)
    assert dialog.transposition() == (-2, -3)  # A
    odd = TranspositionDialog(None, "Horn", (-8, -13))  # a horn in E, from a score
    qtbot.addWidget(odd)
    assert odd.transposition() == (-8, -13)
    assert odd.choice.currentText() == "Written in B (sounds a minor ninth lower)"


def test_an_808s_pitch_bend_range_is_set_in_one_undo_step_and_the_lane_reads_it(
        opened, dialogs):
    """Track ▸ Pitch Bend Range…: a trap producer's 808 glides an octave on the wheel
    (RPN 0 at its start, as `partita tracks --bend-range 808=12`); the bend lane's scale
    and readout say ±12 from then on, and Undo brings GM's ±2 back."""
    from engine.score.bend_range import bend_range
    from studio.pianoroll.controllers import BEND

    win = opened
    bass = win.document.song.tracks[1]
    win.document.apply(set_track_props(win.document.song, bass.id, "808", name="808"))
    win.selection.set_tracks([bass.id])
    win.pianoroll.set_lane(BEND)
    lane = win.pianoroll.controllers
    assert lane.bend_range() == 2.0
    dialogs.answers["ask_bend_range"] = 12
    win.actions.track_bend_range.trigger()
    assert dialogs.calls[-1] == ("ask_bend_range", ("808", 2.0))
    assert bend_range(win.document.song.track(bass.id)) == 12.0
    assert win.document.undo_stack.undoText() == "Set pitch bend range of 808 to 12"
    assert win.statusBar().currentMessage() == "808 bends ±12 semitones"
    assert lane.bend_range() == 12.0
    dialogs.answers["ask_bend_range"] = 24
    win.actions.track_bend_range.trigger()
    assert dialogs.calls[-1] == ("ask_bend_range", ("808", 12.0))  # the range it has now
    assert lane.bend_range() == 24.0
    steps = win.document.undo_stack.count()
    win.actions.track_bend_range.trigger()  # 24 again: no step
    assert win.document.undo_stack.count() == steps
    win.document.undo_stack.undo()
    assert lane.bend_range() == 12.0
    win.document.undo_stack.undo()
    assert lane.bend_range() == 2.0 and bend_range(win.document.song.track(bass.id)) == 2.0
    dialogs.answers["ask_bend_range"] = None  # cancelled
    win.actions.track_bend_range.trigger()
    assert bend_range(win.document.song.track(bass.id)) == 2.0
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    assert not win.actions.track_bend_range.isEnabled()  # greyed in the menus for a kit
    asked = len(dialogs.calls)
    win.pick_bend_range()  # and refused, should it be asked all the same
    assert len(dialogs.calls) == asked
    assert "drum kit" in win.statusBar().currentMessage()


def test_the_bend_range_field_shows_the_range_and_takes_0_to_24(qtbot):
    from studio.dialogs.bend_range import BendRangeDialog

    dialog = BendRangeDialog(None, "808", 12.0)
    qtbot.addWidget(dialog)
    field = dialog.semitones
    assert (field.value(), field.minimum(), field.maximum()) == (12, 0, 24)
    assert field.text() == "12 semitones"
    QTest.keyClick(field, Qt.Key.Key_Up)
    assert field.value() == 13
    field.lineEdit().setText("99")
    assert field.value() == 13  # past two octaves: not taken
    cents = BendRangeDialog(None, "Lead", 2.5)  # a file's range in cents
    qtbot.addWidget(cents)
    assert cents.semitones.value() == 2
    assert "±2.50 semitones now" in cents.findChild(QLabel).text()


def test_adding_and_removing_a_track_says_what_it_did(window):
    # QA: after + on a new song, "New song: no tracks, 8 bars…" stayed in the status bar.
    win = window
    win.document.reset(Song(tracks=()))
    win.statusBar().showMessage("New song: no tracks, 8 bars of 4/4 at 120 BPM")
    win.actions.add_track.trigger()
    assert win.statusBar().currentMessage() == (
        "Added track 1: Acoustic Grand Piano (Ctrl+Z removes it)")
    (first,) = win.document.song.tracks
    win.document.apply(set_track_props(win.document.song, first.id, name="Bass", program=33))
    win.actions.add_track.trigger()
    assert win.statusBar().currentMessage() == (
        "Added track 2: Acoustic Grand Piano (Ctrl+Z removes it)")
    win.selection.set_tracks([first.id])
    win.actions.remove_track.trigger()
    assert win.statusBar().currentMessage() == (
        "Removed track 1: Bass, Electric Bass (finger) (Ctrl+Z brings it back)")
    win.document.undo_stack.undo()
    assert [t.name for t in win.document.song.tracks] == ["Bass", "Track 2"]


def test_a_new_tracks_name_agrees_with_its_place(opened):
    # QA: Ctrl+T with 4 tracks said "Added track 4: Track 5".
    win = opened
    win.actions.add_track.trigger()  # 4 tracks now; the new one, 2nd, is current
    win.selection.set_tracks([win.document.song.tracks[2].id])
    win.actions.add_track.trigger()
    assert names(win) == ["Piano", "Track 2", "Bass", "Track 4", "Drums"]
    assert win.statusBar().currentMessage() == (
        "Added track 4: Acoustic Grand Piano (Ctrl+Z removes it)")
    # Its place's name taken already: the next free number, said beside the place.
    win.selection.set_tracks([win.document.song.tracks[2].id])
    win.actions.add_track.trigger()
    assert names(win)[3] == "Track 5"
    assert win.statusBar().currentMessage() == (
        "Added track 4: Track 5, Acoustic Grand Piano (Ctrl+Z removes it)")
