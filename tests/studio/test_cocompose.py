"""Co-composition in the studio: variations, takes, conflicts, jobs, failures, tasks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.jobs import CancelReason, JobRequest, JobState
from engine.models.plugin import tiny_random_model
from engine.plugins import ModelInfo, ModelOption, Progress
from engine.score import Mask, Note, Region, Song, Track, add_notes, set_time_from_bar
from engine.score.lead_sheet import with_lead_sheet
from engine.score.mask_geometry import describe
from engine.score.spelling import key_text
from engine.tasks.keys import NEW_PIECE_KEYS
from studio.takes import emphasised, new_tracks
from studio.tracklist import HEADER_H, ROW_H
from tests.studio.cocompose_helpers import (
    CrashingModel,
    EchoModel,
    GatedModel,
    close_window,
    make_registry,
    make_window,
    notes_by_track,
    set_panel,
)
from tests.studio.conftest import make_song

BAR = 1920


class PairedEcho(EchoModel):
    """Seeds 2k and 2k+1 give the same note: every second variation repeats."""

    info = replace(EchoModel.info, name="paired")

    def __init__(self) -> None:
        self.seeds: list[int] = []

    def generate(self, song, mask, options, progress, cancel):
        self.seeds.append(options.seed)
        return super().generate(song, mask, replace(options, seed=options.seed // 2),
                                progress, cancel)


class Broken:
    """Written for another plugin API: the registry lists it disabled, with the reason."""

    info = ModelInfo(name="from-the-future", version="9.0", api_version=99)

    def generate(self, song, mask, options, progress, cancel):
        return {}


@pytest.fixture
def studio(qtbot, tmp_path, dialogs, no_audio):
    models = [EchoModel(), PairedEcho(), GatedModel(), CrashingModel(), Broken(),
              tiny_random_model(0)]
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, *models), model="echo")
    win.set_song(make_song())
    win.models = {m.info.name: m for m in models}
    yield win
    for m in models:
        if isinstance(m, GatedModel):
            m.gate.set()
    close_window(win)


def mask_piano(win, start=0, end=BAR):
    piano = win.document.song.tracks[0]
    win.document.set_mask(Mask.of(Region({piano.id}, start, end)))
    return piano


def row_of(qtbot, win, job):
    qtbot.waitUntil(lambda: job.id in win.jobs_panel.rows, timeout=5000)
    return win.jobs_panel.rows[job.id]


def wait_takes(qtbot, win, n):
    qtbot.waitUntil(lambda: (s := win.composer.active_set()) is not None and len(s) >= n
                    and not win.jobs_panel.running(), timeout=20000)
    return win.composer.active_set()


def test_variations_of_one_request_differ_and_repeats_are_drawn_again(studio, qtbot):
    win = studio
    win.generate_panel.set_model("paired")
    win.generate_panel.variations.setValue(3)
    win.generate_panel.seed.setValue(0)
    mask_piano(win)
    jobs = win.composer.request("repaint")
    assert len(jobs) == 3
    takes = wait_takes(qtbot, win, 3)
    assert sorted(take.options.seed for take in takes) == [0, 2, 4]
    assert len({t.signature() for t in takes}) == 3  # all different music
    assert sorted(win.models["paired"].seeds) == [0, 1, 2, 4]  # seed 1 repeated seed 0
    assert [takes.letter(t.id) for t in takes] == ["A", "B", "C"]


def test_variations_of_the_real_tiny_model_differ(studio, qtbot):
    win = studio
    win.generate_panel.set_model("tiny-random")
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    assert takes.takes[0].signature() != takes.takes[1].signature()


def test_generate_again_with_a_fixed_seed_draws_the_next_seeds(studio, qtbot):
    """A soak test: with the seed fixed, each Ctrl+G drew the same takes again, each then
    redrawn — 6, 9, 12, 15 jobs a press, slower each time, and repeats added at last."""
    win = studio
    win.generate_panel.set_model("tiny-random")
    win.generate_panel.variations.setValue(2)
    win.generate_panel.seed.setValue(7)
    mask_piano(win)
    assert len(win.composer.request("repaint")) == 2
    wait_takes(qtbot, win, 2)
    for press in (1, 2):
        assert len(win.composer.again()) == 2  # as many jobs as variations, every press
        takes = wait_takes(qtbot, win, 2 * (press + 1))
    assert sorted(t.options.seed for t in takes) == [7, 8, 9, 10, 11, 12]
    assert len({t.signature() for t in takes}) == 6
    assert len(win.jobs_panel.rows) == 6  # no job spent drawing a take already there


def test_the_jobs_list_keeps_the_latest_finished_jobs(studio, qtbot, monkeypatch):
    # A soak test: an afternoon left 631 rows (8,800 widgets), walked at every event.
    from studio import jobs_panel

    monkeypatch.setattr(jobs_panel, "KEEP_FINISHED", 2)
    win = studio
    win.generate_panel.set_model("tiny-random")
    win.generate_panel.variations.setValue(3)
    mask_piano(win)
    jobs = win.composer.request("repaint")
    wait_takes(qtbot, win, 3)
    assert list(win.jobs_panel.rows) == [j.id for j in jobs[1:]]  # the oldest went


def test_a_new_song_clears_the_last_songs_jobs(studio, qtbot, dialogs):
    """QA: the Jobs panel still listed the previous song's jobs after File ▸ New."""
    win = studio
    panel = win.jobs_panel
    mask_piano(win)
    (done,) = win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    win.generate_panel.set_model("gated")
    (running,) = win.composer.request("repaint")
    qtbot.waitUntil(lambda: row_of(qtbot, win, running).bar.value() == 1, timeout=5000)
    dialogs.answers["ask_discard_takes"] = "discard"
    win.new_file()  # a Piano song of its own (the settings' last choice)
    assert done.id not in panel.rows  # the finished job went at once
    qtbot.waitUntil(lambda: running.id not in panel.rows, timeout=5000)  # once it stopped
    assert not panel.rows and panel.empty.isVisible() is panel.isVisible()
    assert panel.summary.text() == "Idle"
    # The new song's jobs are listed as ever.
    win.generate_panel.set_model("echo")
    mask_piano(win)
    (new,) = win.composer.request("repaint")
    qtbot.waitUntil(lambda: new.id in panel.rows and panel.rows[new.id].done, timeout=5000)


def test_accepted_take_is_said_until_the_next_edit(studio, qtbot):
    """QA: "Accepted take A (Harmonize Bass)" stayed in the status bar through later edits."""
    win = studio
    bar = win.statusBar()
    piano = mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert win.composer.accept()
    assert bar.currentMessage() == "Accepted take A (Repaint)"
    win.document.apply(add_notes(piano.id, [Note(72, 3 * BAR, 240)]))  # the next edit
    assert bar.currentMessage() == ""
    # A redo says it again, until the next step too.
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    win.document.undo_stack.redo()
    assert bar.currentMessage() == "Accepted take A (Repaint) again"
    win.document.apply(add_notes(piano.id, [Note(74, 3 * BAR, 240)]))
    assert bar.currentMessage() == ""


def test_the_running_job_and_its_cancel_button_are_in_sight(studio, qtbot):
    """QA (1600×1000, 3 variations after an earlier request): the rows of 3/3 and 2/3
    filled the Jobs panel, the running 1/3 was below the fold, and long rows scrolled
    sideways with their ✕ clipped at the right edge."""
    win = studio
    win.resize(1600, 1000)
    panel = win.jobs_panel
    win.generate_panel.set_model("echo")
    win.generate_panel.variations.setValue(3)
    mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 3)  # three finished rows
    win.generate_panel.set_model("gated")
    song = win.document.song
    win.document.set_mask(Mask.of(Region({t.id for t in song.tracks}, 0, 2 * BAR)))
    jobs = win.composer.request("regenerate")
    assert len(jobs) == 3
    first = row_of(qtbot, win, jobs[0])
    qtbot.waitUntil(lambda: first.bar.value() == 1, timeout=5000)  # running
    qtbot.wait(50)  # laid out
    viewport = panel.scroll.viewport()
    order = [panel.rows_layout.itemAt(i).widget() for i in range(len(panel.rows))]
    # The request's jobs in the order they run, the running one first, the finished after.
    assert [r.job_id for r in order[:3]] == [j.id for j in jobs]
    assert all(r.done for r in order[3:])
    top = first.mapTo(viewport, first.rect().topLeft())
    assert top.y() >= 0 and top.y() + first.height() <= viewport.height()
    assert panel.scroll.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways
    for row in order[:3]:
        button = row.cancel_button
        assert button.isVisible()
        right = button.mapTo(viewport, button.rect().topRight())
        assert right.x() < viewport.width()  # ✕ whole, inside the panel
        assert row.width() <= viewport.width()
    assert first.title.text().endswith("variation 1/3")  # whole in the tooltip if elided
    assert first.title.toolTip() == first.title.text()


class PacedModel(EchoModel):
    """Ten steps a tenth of a second apart: a job of about a second, its pace known."""

    info = replace(EchoModel.info, name="paced")

    def generate(self, song, mask, options, progress, cancel):
        for step in range(1, 11):
            time.sleep(0.1)
            cancel.raise_if_cancelled()
            progress(Progress(step, 10))
        return super().generate(song, mask, options, lambda p: None, cancel)


def test_the_takes_bar_says_how_long_the_whole_request_takes(qtbot, tmp_path, dialogs,
                                                             no_audio):
    """QA: each row estimated its own job, queued ones said "queued", and the takes bar
    only "Computing 3 takes…": nothing said when all three would be there."""
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, PacedModel()), model="paced",
                      variations=3)
    try:
        win.set_song(make_song())
        mask_piano(win)
        assert len(win.composer.request("repaint")) == 3
        hint = win.takes_bar.hint
        assert hint.text() == "Computing 3 takes… (Ctrl+. cancels)"  # nothing to go on yet
        qtbot.waitUntil(lambda: "left" in hint.text(), timeout=10000)
        assert re.fullmatch(r"Computing [23] takes… about \d+ s left \(Ctrl\+\. cancels\)",
                            hint.text()), hint.text()
        left = win.composer.time_left()
        # The running job's rest and a whole job for each one queued: over two of the
        # second-long jobs while the first runs (a busy machine makes them only longer).
        if win.composer.jobs_in_flight == 3:
            assert 1.5 < left < 60
        wait_takes(qtbot, win, 3)
        assert "left" not in hint.text() and win.composer.time_left() == 0
    finally:
        close_window(win)


def test_compose_on_a_song_with_notes_is_refused_before_asking_anything(studio, dialogs):
    # A first-time user's QA: the instruments and length were asked, then refused.
    said = []
    studio.composer.message.connect(said.append)
    assert studio.document.song.note_count and studio.composer.request("compose") == []
    assert not any(name == "ask_instruments" for name, _ in dialogs.calls)
    assert said[-1].startswith("Compose starts from an empty song")


def test_the_status_bar_names_the_key_auto_keeps_or_that_it_found_none(studio, qtbot):
    # QA: a new sketch (C4 E4 G4 C5 | E4 A4 B4) got C#5, A#4 and G#3 in its repaint, and
    # nothing said its notes were in no key. Now a few notes name one, said with the takes.
    win = studio
    said = []
    win.composer.message.connect(said.append)
    q = 480
    pitches = (60, 64, 67, 72, 64, 69, 71)
    sketch = Track("Piano", notes=tuple(Note(p, i * q, q, 90) for i, p in enumerate(pitches)))

    def repaint_bars_3_4(track: Track | None = None) -> str:
        """What the status bar says as bars 3-4 of ``track`` (else the song as it is) are
        asked for; the take is waited for."""
        if track is not None:
            win.set_song(Song(tracks=(track,), length=4 * BAR))
            mask_piano(win, 2 * BAR, 4 * BAR)
        win.composer.request("repaint")
        message = said[-1]
        wait_takes(qtbot, win, 1)
        return message

    assert ("new notes kept in C major, the key of the music around them (the Key box sets "
            "another)") in repaint_bars_3_4(sketch)
    # Four notes name no key: said too, with how to choose one.
    assert ("new notes are in no key: too few notes around them to name a key (the Key box "
            "sets one)") in repaint_bars_3_4(sketch.with_notes(sketch.notes[:4]))
    # A key chosen in the panel is the user's own: nothing to explain.
    win.generate_panel.key.setCurrentText("D")
    assert "new notes" not in repaint_bars_3_4()


def test_the_status_bar_says_new_notes_follow_the_chord_symbols(studio, qtbot):
    # A jazz arranger's QA: a repaint over a blues's changes was said to be "in no key".
    win = studio
    said = []
    win.composer.message.connect(said.append)
    q = 480
    line = Track("Piano", notes=tuple(Note(60 + i % 7, i * q, q, 90) for i in range(16)))
    win.set_song(with_lead_sheet(Song(tracks=(line,), length=4 * BAR), "F7 | Bb7 | F7 | C7"))
    mask_piano(win, 2 * BAR, 4 * BAR)
    win.composer.request("repaint")
    assert "new notes follow the chord symbols in bars 3–4" in said[-1]
    wait_takes(qtbot, win, 1)


def test_switch_accept_reject_takes_with_keys(studio, qtbot):
    win = studio
    # No key: the fixture's few notes now name one (C major) and the echo model's C#
    # would mark take A with a warning this test is not about.
    from studio.generate_panel import ANY_KEY

    win.generate_panel.key.setCurrentText(ANY_KEY)
    win.generate_panel.variations.setValue(3)
    win.generate_panel.seed.setValue(3)
    mask_piano(win)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 3)
    canvas = win.pianoroll.canvas
    canvas.setFocus()
    first = win.composer.preview_take()
    QTest.keyClick(canvas, Qt.Key.Key_1)
    assert win.composer.preview_take() is takes.takes[0]
    QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert win.composer.preview_take() is takes.takes[1]
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)  # before take A: the Original
    assert win.composer.preview_take() is None and win.composer.original_shown()
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)  # round to the last take
    assert win.composer.preview_take() is takes.takes[2]
    assert first is takes.takes[0]  # the first take is auditioned first
    assert [b.text() for b in win.takes_bar.buttons] == ["A", "B", "C"]
    QTest.keyClick(canvas, Qt.Key.Key_Delete)  # no notes selected: rejects the take
    assert len(takes.pending()) == 2 and len(win.takes_bar.buttons) == 2
    QTest.keyClick(canvas, Qt.Key.Key_3)  # the keys keep the letters: C was rejected
    assert win.statusBar().currentMessage() == "Take C was rejected (Ctrl+Z brings it back)"
    assert win.composer.preview_take() is takes.takes[1]  # nothing else picked instead
    QTest.keyClick(canvas, Qt.Key.Key_5)
    assert win.statusBar().currentMessage() == (
        "There is no take E: this region has takes A–C")
    QTest.keyClick(canvas, Qt.Key.Key_2)
    chosen = win.composer.preview_take()
    assert chosen is takes.takes[1]
    assert not win.pianoroll.canvas.grab().isNull()  # the preview overlay paints
    QTest.keyClick(canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    piano = win.document.song.tracks[0]
    assert [n.pitch for n in piano.notes if n.start < BAR] == [
        n.pitch for n in chosen.notes[piano.id]]
    assert win.document.undo_stack.undoText() == "Accept take B (Repaint)"
    assert win.composer.active_set() is None  # accepted: the bar is closed
    win.document.undo_stack.undo()  # the status bar says the take is back, not accepted
    assert win.statusBar().currentMessage().startswith("Take B is back on screen")
    win.document.undo_stack.redo()
    assert win.statusBar().currentMessage() == "Accepted take B (Repaint) again"
    win.document.undo_stack.undo()
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)  # switching says which take is heard
    assert win.statusBar().currentMessage().startswith("Take A on screen (")
    assert " on screen (" in win.statusBar().currentMessage()
    assert "Enter accepts, Del rejects, Space plays" in win.statusBar().currentMessage()


def test_a_take_whose_model_ignored_the_key_says_so_where_it_is_auditioned(studio, qtbot,
                                                                         tmp_path, dialogs):
    """QA: the command line said "the model does not follow --key"; the studio showed the
    take as if it had kept the key."""
    win = studio
    said: list[str] = []
    win.composer.message.connect(said.append)
    win.generate_panel.key.setCurrentText("C")
    win.generate_panel.seed.setValue(1)  # echo: C# (off C major), then D
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    off, fine = takes.takes
    warning = ("echo was asked to keep new notes in C major, but 1 of its 1 new note is "
               "outside it (the model does not follow the Key setting)")
    assert [w.message for w in off.warnings] == [warning] and fine.warnings == ()
    a, b = win.takes_bar.buttons
    assert (a.text(), b.text()) == ("A ⚠", "B")
    assert f"⚠ {warning}\n    Outside the key: Piano in bar 1" in a.toolTip()
    assert "⚠" not in b.toolTip() and a.accessibleName() == "Take A, with a warning"
    assert any(m.startswith(f"Take A ready (1 note) — ⚠ {warning} — Enter accepts")
               for m in said)  # as it arrives
    win.composer.select(1)
    assert "⚠" not in win.statusBar().currentMessage()
    win.composer.select(0)  # and whenever it comes on screen
    assert win.statusBar().currentMessage().startswith(f"Take A on screen (1 note) — ⚠ "
                                                       f"{warning} — Enter accepts")
    # Kept with the project: reopened, the take is marked as it was.
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    dialogs.answers["get_save_path"] = tmp_path / "song.partita"
    assert win.save_as()
    other = MainWindow(Settings(tmp_path / "s2.ini"), RecoveryStore(tmp_path / "recovery"),
                       registry=win.catalog.registry)
    qtbot.addWidget(other)
    assert other.open_path(tmp_path / "song.partita")
    assert [b.text() for b in other.takes_bar.buttons] == ["A ⚠", "B"]
    assert warning in other.takes_bar.buttons[0].toolTip()


def test_a_take_off_a_key_auto_found_is_not_said_to_have_been_asked(studio, qtbot):
    """The Key box's Auto finds the key: the warning says the model was to keep it, the
    key found around the notes, as the CLI does — nobody asked for it."""
    win = studio
    win.generate_panel.seed.setValue(1)  # echo: C# first
    win.generate_panel.variations.setValue(1)
    mask_piano(win)
    win.composer.request("repaint")
    (take,) = wait_takes(qtbot, win, 1).takes
    said = [w.message for w in take.warnings]
    assert any("echo was to keep new notes in" in m and "the key found around them" in m
               for m in said), said


def test_with_no_audio_output_the_status_bar_says_a_take_is_shown_not_heard(studio, qtbot):
    # QA: with no sound card it still said "you are hearing take A".
    win = studio
    assert not win.transport.check_audio()  # the no_audio fixture's machine
    messages: list[str] = []
    win.composer.message.connect(messages.append)
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 2)
    assert any("— take A shown; no audio output; ] switches" in m for m in messages)
    assert any("no audio output; Enter accepts" in m for m in messages)
    assert not any("hearing" in m or "Space plays" in m for m in messages)


def test_a_take_whose_region_was_edited_is_flagged_and_never_applied_silently(studio, qtbot,
                                                                               dialogs):
    win = studio
    piano = mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    take = win.composer.preview_take()
    # An edit outside the region does not conflict.
    win.document.apply(add_notes(piano.id, [Note(50, BAR + 10, 100)]))
    assert not win.composer.conflicts(take)
    # An edit inside it does: the badge shows, and accepting asks first.
    win.document.apply(add_notes(piano.id, [Note(90, 240, 100)]))
    assert win.composer.conflicts(take)
    assert win.takes_bar.badge.isVisible() and "⚠" in win.takes_bar.buttons[0].text()
    edited = win.document.song
    dialogs.answers["confirm_take_conflict"] = False
    assert not win.composer.accept()
    assert win.document.song is edited
    assert dialogs.names().count("confirm_take_conflict") == 1
    assert "edited" in dialogs.calls[-1][1][1]  # the question explains the conflict
    dialogs.answers["confirm_take_conflict"] = True
    assert win.composer.accept()
    now = win.document.song.track(piano.id)
    assert {n.pitch for n in now.notes if n.start < BAR} == {
        n.pitch for n in take.notes[piano.id]}
    assert any(n.pitch == 50 for n in now.notes)  # the edit outside is kept
    win.document.undo_stack.undo()
    assert notes_by_track(win.document.song) == notes_by_track(edited)


def test_a_take_for_a_deleted_track_says_so_and_is_not_applied(studio, qtbot, dialogs):
    win = studio
    piano = mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    win.selection.set_tracks([piano.id])
    win.remove_track()
    assert all(t.id != piano.id for t in win.document.song.tracks)
    take = win.composer.preview_take()
    assert describe(take.write_mask, win.document.song).startswith("a deleted track")
    messages: list[str] = []
    win.composer.message.connect(messages.append)
    song = win.document.song
    assert not win.composer.accept()
    assert win.document.song is song and "confirm_take_conflict" not in dialogs.names()
    assert "deleted" in messages[-1]
    # Listening to it raised KeyError (found by a monkey test): it says so instead.
    win.listen_to_take(solo=False)
    win.listen_to_take(solo=True)
    assert messages[-1].startswith("Cannot play take A: it writes a track that was deleted")
    assert not win.transport.is_playing


def test_cancel_a_running_job_from_the_jobs_panel(studio, qtbot):
    win = studio
    win.generate_panel.set_model("gated")
    mask_piano(win)
    (job,) = win.composer.request("repaint")
    row = row_of(qtbot, win, job)
    assert row.region.text() == "Piano · bar 1"  # which region: two Repaints differ
    qtbot.waitUntil(lambda: row.bar.value() == 1, timeout=5000)  # running, step 1 of 2
    assert win.jobs_panel.running() == [job.id]
    assert "left" in row.status.text() or "estimating" in row.status.text()
    # The model's own message ("step 1") is shown, and in full as the tooltip.
    assert row.status.text().startswith("step 1/2 · step 1 · ")
    assert row.status.toolTip() == "step 1"
    QTest.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.done, timeout=5000)
    assert row.status.text() == "cancelled" and job.take is None
    assert row.status.toolTip() == ""
    assert win.composer.active_set() is None
    # QA: the status bar kept "Repaint: 1 take with gated · Piano · bar 1".
    assert win.statusBar().currentMessage() == "Repaint: cancelled"


def test_a_running_generation_is_not_dropped_unasked_by_new_or_open(studio, qtbot, dialogs):
    win = studio
    win.generate_panel.set_model("gated")
    mask_piano(win)
    win.document.undo_stack.setClean()  # nothing unsaved: only the job is at stake
    (job,) = win.composer.request("repaint")
    row = row_of(qtbot, win, job)
    qtbot.waitUntil(lambda: row.bar.value() == 1, timeout=5000)
    dialogs.answers["ask_discard_takes"] = "cancel"
    win.new_file()
    assert ("ask_discard_takes", (0, 1)) in dialogs.calls
    assert win.composer.jobs_in_flight == 1 and not row.done  # still running
    # With unsaved edits the one question ("Save changes?") says the generation stops.
    from engine.score import Note, add_notes

    win.document.apply(add_notes(win.document.song.tracks[0].id, [Note(60, 0, 120)]))
    win.new_file()
    assert dialogs.calls[-1][0] == "ask_save_changes" and dialogs.calls[-1][1][1] == 1
    dialogs.answers["ask_save_changes"] = "discard"
    # The old song's row goes once its job ends (New clears them): what it says on the
    # way is recorded, as reading it after could find it deleted.
    said: list[str] = []
    show = row.status.setText
    row.status.setText = lambda text: (said.append(text), show(text))
    win.new_file()
    qtbot.waitUntil(lambda: bool(said) and said[-1] == "cancelled", timeout=5000)
    assert said[-1] == "cancelled"


def test_a_recovery_names_the_generation_a_crash_interrupted(studio, qtbot, tmp_path, dialogs):
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = studio
    win.generate_panel.set_model("gated")
    mask_piano(win)
    (job,) = win.composer.request("repaint")
    qtbot.waitUntil(lambda: row_of(qtbot, win, job).bar.value() == 1, timeout=5000)
    assert win.composer.running_requests() == ("Repaint — Piano · bar 1 (gated)",)
    # Only a job started: the autosave keeps a copy (the mask and the request with it),
    # written as the request started.
    win.autosaver.save_now()
    assert win.autosaver.store.path.exists()
    other = MainWindow(Settings(tmp_path / "after.ini"), RecoveryStore(tmp_path / "recovery"),
                       registry=win.catalog.registry)
    qtbot.addWidget(other)
    other.autosaver.store = RecoveryStore(win.autosaver.store.directory)
    dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
    assert other.offer_recovery()
    name, (title, text) = dialogs.calls[-1]
    assert (name, title) == ("show_info", "Generations not finished")
    assert "Repaint — Piano · bar 1 (gated)" in text
    assert "the model named in brackets may have caused it" in text  # a crash's suspect
    # A clean save of the recovered song does not carry the lost request along.
    assert "interrupted" not in other.studio_state()
    close_window(other)


class EndingEcho(EchoModel):
    """An echo with a setting of its own, as the built-in models' Ending."""

    info = replace(EchoModel.info, name="ending-echo",
                   options=(ModelOption("ending", "auto", "Ending",
                                        choices=("auto", "close", "open")),))


def test_recovered_takes_keep_their_label_and_ctrl_g_repeats_their_request(
        studio, qtbot, tmp_path, dialogs):
    # QA: after a crash recovery Ctrl+G said "Nothing to repeat yet" over the recovered
    # takes, and "TAKE A · partita-base" read "· ending=auto" (its model's default) while
    # the models were not listed yet.
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings
    from studio.takes import settings_text

    win = studio
    win.catalog.registry.add(EndingEcho())
    win.catalog.refresh()
    qtbot.waitUntil(lambda: win.catalog.loaded, timeout=20000)
    assert win.generate_panel.set_model("ending-echo")
    mask_piano(win)
    win.composer.request("repaint")
    (take,) = wait_takes(qtbot, win, 1).takes
    assert take.options.extra == {"ending": "auto"}
    assert settings_text(take, win.composer) == ""  # "TAKE A · ending-echo"
    win.autosaver.save_now()
    other = MainWindow(Settings(tmp_path / "after.ini"), RecoveryStore(tmp_path / "recovery"),
                       registry=win.catalog.registry)
    qtbot.addWidget(other)
    other.autosaver.store = RecoveryStore(win.autosaver.store.directory)
    dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
    assert other.offer_recovery()
    (recovered,) = other.composer.active_set().takes
    assert not other.catalog.loaded  # the models are listed on first use
    assert settings_text(recovered, other.composer) == ""
    other.catalog.ensure()
    qtbot.waitUntil(lambda: other.catalog.loaded, timeout=20000)
    assert settings_text(recovered, other.composer) == ""
    set_panel(other, model="ending-echo")
    messages: list[str] = []
    other.composer.message.connect(messages.append)
    other.actions.generate_again.trigger()
    assert not any("Nothing to repeat" in m for m in messages)
    qtbot.waitUntil(lambda: len(other.composer.active_set().takes) >= 2, timeout=20000)
    assert other.composer.active_set().takes[1].task == "repaint"
    close_window(other)


def test_a_generation_is_recorded_before_it_runs_so_a_crash_at_once_is_named(
        studio, qtbot, tmp_path, dialogs):
    """A plugin that ended the process at its first step beat the recovery copy (written
    on a worker thread): the next start did not say which generation had been running."""
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = studio
    win.generate_panel.set_model("gated")
    mask_piano(win)
    store = win.autosaver.store
    win.autosaver.save_now()  # the painted mask is in the copy: nothing left unsaved
    assert len(win.composer.request("repaint")) == 1
    # Written before the job could start, on this thread: no event loop turn needed.
    record = json.loads(store.running_path.read_text())
    assert record["requests"] == ["Repaint — Piano · bar 1 (gated)"]
    # The process dies here: no copy was written (the song had no unsaved edits).
    win.autosaver.stop()
    store.discard()
    other = MainWindow(Settings(tmp_path / "after.ini"),
                       RecoveryStore(store.directory), registry=win.catalog.registry)
    qtbot.addWidget(other)
    assert not other.offer_recovery()  # nothing to recover ...
    name, (title, text) = dialogs.calls[-1]  # ... but the lost generation is named
    assert (name, title) == ("show_info", "Generations not finished")
    assert "Repaint — Piano · bar 1 (gated)" in text
    assert not store.running_path.exists()  # said once
    close_window(other)
    win.composer.cancel_all()
    qtbot.waitUntil(lambda: win.composer.jobs_in_flight == 0, timeout=5000)
    assert not store.running_path.exists()  # none in flight: no record


def test_edits_not_yet_autosaved_are_written_before_a_generation_starts(studio, qtbot):
    """A verifier: a model that ended the process at once lost the edits made since the
    last autosave (the copy a request writes was built on a worker thread)."""
    from engine.io import load_project

    win = studio
    win.generate_panel.set_model("gated")
    win.document.apply(add_notes(win.document.song.tracks[0].id, [Note(72, 0, 120)]))
    mask_piano(win)
    assert len(win.composer.request("repaint")) == 1
    saved = load_project(win.autosaver.store.path).song  # already there, synchronously
    assert saved == win.document.song
    win.composer.cancel_all()
    qtbot.waitUntil(lambda: win.composer.jobs_in_flight == 0, timeout=5000)


def test_bars_are_not_moved_under_a_waiting_take(studio, qtbot, dialogs):
    # Insert Bars with a take waiting moved the music and the mask, not the take: it then
    # wrote into the wrong bars, unasked.
    win = studio
    mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    dialogs.answers["ask_bars"] = None
    win.edit_bars(inserting=True)
    assert "ask_bars" not in dialogs.names()
    (notice,) = [args for name, args in dialogs.calls if name == "show_notice"]
    assert notice[0] == "Insert Bars" and notice[1].startswith("1 take waits for the bars")
    win.composer.discard()
    win.edit_bars(inserting=True)
    assert "ask_bars" in dialogs.names()


def test_space_plays_the_take_on_screen_and_shift_space_plays_it_alone(studio, qtbot,
                                                                        monkeypatch):
    # The takes bar said "Hearing take B" while Space played the song without it: only
    # a click on ▶ In Context played the take.
    win = studio
    heard = []
    monkeypatch.setattr(win.transport, "audition", lambda song, start: heard.append(
        (song, start)))
    mask_piano(win, BAR, 2 * BAR)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    take = win.composer.preview_take()
    win.actions.play.trigger()
    (song, start), = heard
    piano = song.track(win.document.song.tracks[0].id)
    assert start == BAR and set(take.notes[piano.id]) <= set(piano.notes)
    win.actions.play_take_solo.trigger()
    solo = heard[-1][0]
    assert [t.solo for t in solo.tracks] == [t.id in take.notes for t in solo.tracks]


def two_takes_of_bar_2(win, qtbot):
    """Takes A and B of the piano's bar 2, on screen, the keys to the piano roll."""
    from studio.generate_panel import ANY_KEY

    win.generate_panel.key.setCurrentText(ANY_KEY)  # no warning this is not about
    win.generate_panel.variations.setValue(2)
    mask_piano(win, BAR, 2 * BAR)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    win.pianoroll.canvas.setFocus()
    return takes


def test_the_original_hides_the_take_and_plays_the_song_as_it_is(studio, qtbot,
                                                                   monkeypatch):
    # A musician auditioning takes could not hear what was there before: every comping
    # tool lets you compare with the original.
    win = studio
    takes = two_takes_of_bar_2(win, qtbot)
    canvas, bar, tr = win.pianoroll.canvas, win.takes_bar, win.transport
    heard: list[tuple[Song, int]] = []
    monkeypatch.setattr(tr, "audition", lambda song, start: heard.append((song, start)))
    monkeypatch.setattr(type(tr), "auditioning", property(lambda _tr: bool(heard)))
    with_take = canvas.grab().toImage()
    QTest.keyClick(canvas, Qt.Key.Key_0)
    co = win.composer
    assert co.original_shown() and co.preview_take() is None
    assert len(takes.pending()) == 2  # the takes wait
    assert bar.original.isVisible() and bar.original.isChecked()
    assert not any(b.isChecked() for b in bar.buttons)
    assert win.statusBar().currentMessage().startswith(
        "Original on screen: the song without the takes (2 takes wait)")
    # The score as with no take at all: no outlines, nothing dimmed, no tag.
    original = canvas.grab().toImage()
    active, co.active = co.active, None
    co.takesChanged.emit()
    assert canvas.grab().toImage() == original != with_take
    co.active = active
    co.takesChanged.emit()
    song = win.document.song
    piano = song.tracks[0]
    win.actions.play.trigger()  # Space: the song as it is, from the region's first bar
    assert heard[-1] == (song, BAR)
    win.actions.play_take_solo.trigger()  # the take's tracks as they are, alone
    solo, start = heard[-1]
    assert start == BAR and [t.solo for t in solo.tracks] == [
        t.id == piano.id for t in song.tracks]
    assert solo.track(piano.id).notes == piano.notes
    win.actions.play.trigger()
    tr.position = BAR + 480  # playing on: switching goes on from the same place
    QTest.keyClick(canvas, Qt.Key.Key_1)
    played, start = heard[-1]
    assert co.preview_take() is takes.takes[0] and start == BAR + 480
    assert set(takes.takes[0].notes[piano.id]) <= set(played.track(piano.id).notes)
    assert bar.buttons[0].isChecked() and not bar.original.isChecked()
    assert canvas.grab().toImage() == with_take  # the preview is back
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)  # [ from A: the Original again
    assert co.original_shown() and heard[-1] == (song, BAR + 480)
    QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert co.preview_take() is takes.takes[0]


def test_enter_and_delete_with_the_original_shown_keep_the_song_and_the_takes(studio, qtbot):
    win = studio
    takes = two_takes_of_bar_2(win, qtbot)
    canvas, stack = win.pianoroll.canvas, win.document.undo_stack
    song, steps = win.document.song, stack.count()
    bar = win.takes_bar
    bar.original.click()  # the button does as 0 does
    assert win.composer.original_shown()
    assert not bar.accept_button.isEnabled() and not bar.reject_button.isEnabled()
    for key, mods, said in (
            (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "nothing to accept"),
            (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, "nothing to accept"),
            (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier, "no take to reject"),
            (Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier, "no take to reject")):
        QTest.keyClick(canvas, key, mods)
        assert said in win.statusBar().currentMessage()
        assert win.document.song is song and stack.count() == steps
        assert [t.id for t in takes.pending()] == [t.id for t in takes.takes]
        assert win.composer.original_shown()
    QTest.keyClick(canvas, Qt.Key.Key_2)  # a take chosen: Enter accepts it as before
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert stack.undoText() == "Accept take B (Repaint)"


def test_accept_while_the_take_is_still_coming_says_why_nothing_was_accepted(studio, qtbot):
    """QA: Ctrl+Enter while Harmonize still ran did nothing at all (Accept was greyed, its
    shortcut dead) and the status bar still said "Loading models…"."""
    win = studio
    canvas, stack, bar = win.pianoroll.canvas, win.document.undo_stack, win.takes_bar
    mask_piano(win)
    song, steps = win.document.song, stack.count()
    win.catalog.loaded = False  # as in the first seconds after start
    assert win.composer.request("repaint") == []
    QTest.keyClick(canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert win.statusBar().currentMessage() == (
        "No take to accept yet: Repaint starts when the models are loaded (Ctrl+. cancels)")
    win.composer.cancel_all()
    assert not win.actions.accept_take.isEnabled()  # nothing on screen, nothing coming
    win.catalog._loaded(win.catalog.entries())
    win.generate_panel.set_model("gated")
    (job,) = win.composer.request("repaint")
    qtbot.waitUntil(lambda: row_of(qtbot, win, job).bar.value() == 1, timeout=5000)
    win.statusBar().showMessage("Loading models…")
    QTest.keyClick(canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    said = win.statusBar().currentMessage()
    assert said.startswith("No take to accept yet: Repaint is still running (")
    assert said.endswith("Ctrl+. cancels)")
    for widget in (bar, canvas):  # Enter, on the takes bar or the roll, says the same
        win.statusBar().clearMessage()
        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_Return)
        assert win.statusBar().currentMessage().startswith("No take to accept yet: Repaint")
    win.composer.reject()  # Reject (the takes bar's button) says the same, not nothing
    assert win.statusBar().currentMessage().startswith("No take to reject yet: Repaint is")
    assert win.document.song is song and stack.count() == steps
    win.models["gated"].gate.set()  # the take arrives: Ctrl+Enter accepts it
    wait_takes(qtbot, win, 1)
    QTest.keyClick(canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stack.undoText() == "Accept take A (Repaint)"


def test_0_shows_the_original_with_step_entry_off_and_is_a_rest_with_it_on(studio, qtbot):
    win = studio
    two_takes_of_bar_2(win, qtbot)
    canvas = win.pianoroll.canvas
    win.selection.set_tracks([win.document.song.tracks[0].id])
    win.transport.seek(2 * BAR)
    QTest.keyClick(canvas, Qt.Key.Key_N)
    assert win.step_entry.on
    notes = win.document.song.note_count
    QTest.keyClick(canvas, Qt.Key.Key_0)  # a rest: the playhead steps on, no note
    assert win.transport.position > 2 * BAR and win.document.song.note_count == notes
    assert not win.composer.original_shown()
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert not win.step_entry.on
    QTest.keyClick(canvas, Qt.Key.Key_0)
    assert win.composer.original_shown()


def test_the_original_of_a_take_that_adds_a_track_has_no_such_row_nor_solo(studio, qtbot,
                                                                            dialogs,
                                                                            monkeypatch):
    win = studio
    heard = []
    monkeypatch.setattr(win.transport, "audition", lambda song, start: heard.append(song))
    win.selection.set_tracks([win.document.song.tracks[0].id])
    dialogs.answers["ask_instruments"] = ("Strings", None)
    win.composer.request("harmonize")
    wait_takes(qtbot, win, 1)
    assert len(win.tracklist._preview) == 1  # "Strings · new in this take"
    win.actions.original_take.trigger()
    assert win.tracklist._preview == []  # the song as it is: no such row
    win.actions.play_take_solo.trigger()  # the original has no Strings to hear alone
    assert heard == [] and "nothing to hear alone" in win.statusBar().currentMessage()
    win.actions.play.trigger()
    assert heard == [win.document.song]


def test_asking_again_after_accepting_shows_the_new_takes(studio, qtbot):
    # After Enter accepted take A, a second Repaint of the region said "Take C ready" and
    # showed nothing: the region's closed choice hid its new takes.
    win = studio
    mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert win.composer.accept()
    win.composer.request("repaint")
    fresh = wait_takes(qtbot, win, 1)
    assert fresh.letter(fresh.selected) == "A" and win.composer.preview_take() is not None
    win.document.undo_stack.undo()  # the first accept: the song goes back, the new stay
    assert win.composer.active_set() is fresh
    assert "newer takes stay on screen" in win.statusBar().currentMessage()


def test_cancel_all_says_what_it_cancelled(studio, qtbot):
    # The status bar kept "Repaint: 1 take with …" after Cancel All.
    win = studio
    messages: list[str] = []
    win.composer.message.connect(messages.append)
    assert win.composer.cancel_all() == 0 and messages[-1] == "No jobs to cancel"
    win.generate_panel.set_model("gated")
    mask_piano(win)
    (job,) = win.composer.request("repaint")
    row = row_of(qtbot, win, job)
    qtbot.waitUntil(lambda: row.bar.value() == 1, timeout=5000)
    assert win.composer.cancel_all() == 1 and messages[-1] == "Cancelled 1 job"
    qtbot.waitUntil(lambda: row.done, timeout=5000)


def test_a_crashing_model_shows_its_error_and_the_studio_keeps_working(studio, qtbot):
    win = studio
    win.generate_panel.set_model("crashy")
    mask_piano(win)
    messages = []
    win.composer.failed.connect(lambda m, d: messages.append((m, d)))
    (job,) = win.composer.request("repaint")
    row = row_of(qtbot, win, job)
    qtbot.waitUntil(lambda: row.done, timeout=5000)
    assert "ZeroDivisionError: the model divided by zero" in row.status.text()
    assert "Traceback" in row.status.toolTip()
    assert messages and "divided by zero" in messages[0][0]
    assert "divided by zero" in win.statusBar().currentMessage()
    # The app keeps working: another model still generates, edits still apply.
    win.generate_panel.set_model("echo")
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert win.composer.accept()


def test_a_model_disabled_after_failing_stays_chosen_and_is_refused(studio, qtbot,
                                                                    monkeypatch):
    # Three failures disable a model: the Model box changed to Auto unseen, and the next
    # Ctrl+R ran another model.
    win = studio
    registry = win.catalog.registry
    real = registry.record_failure

    def record_failure(*args, **kwargs):  # the worker thread set aside by a busy machine:
        threading.Event().wait(0.2)  # its failure is still told as the job's own news
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "record_failure", record_failure)
    win.generate_panel.set_model("crashy")
    mask_piano(win)
    for _ in range(win.catalog.registry.failure_limit):
        (job,) = win.composer.request("repaint")
        row = row_of(qtbot, win, job)
        qtbot.waitUntil(lambda row=row: row.done, timeout=5000)
    assert "crashy is now disabled" in win.statusBar().currentMessage()
    assert win.generate_panel.model.currentData() == "crashy"
    assert win.generate_panel.model.currentText() == "crashy — disabled"
    assert win.composer.request("repaint") == []
    assert "crashy is not available" in win.statusBar().currentMessage()


def test_one_request_for_three_variations_that_all_fail_counts_once(studio, qtbot):
    # One Repaint click with Variations = 3 disabled a crashing model ("failed 3 jobs in a
    # row"): the three variations of a request are one failure.
    win = studio
    win.generate_panel.set_model("crashy")
    win.generate_panel.variations.setValue(3)
    mask_piano(win)
    jobs = win.composer.request("repaint")
    assert len(jobs) == 3
    for job in jobs:
        row = row_of(qtbot, win, job)
        qtbot.waitUntil(lambda row=row: row.done, timeout=5000)
    entry = win.catalog.registry.entry("crashy")
    assert entry.ok and entry.failures == 1


def test_the_model_list_greys_disabled_models_with_their_reason(studio):
    combo = studio.generate_panel.model
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert "echo" in texts and "tiny-random" in texts
    i = texts.index("from-the-future — disabled")
    assert not combo.model().item(i).isEnabled()
    assert "API 99" in combo.itemData(i, Qt.ItemDataRole.ToolTipRole)


def test_model_manager_lists_installs_removes_and_sets_default(studio, tmp_path, qtbot,
                                                               dialogs):
    from engine.models.checkpoint import save_model
    from engine.models.network import AxialDenoiser, NetworkConfig
    from studio.dialogs.model_manager import ModelManager

    dlg = ModelManager(studio.catalog, studio, studio.composer.queue)
    assert {"echo", "tiny-random", "from-the-future"} <= set(dlg.names())
    row = dlg.names().index("from-the-future")
    assert "disabled" in dlg.table.topLevelItem(row).text(5)
    assert "API 99" in dlg.table.topLevelItem(row).text(5)
    bad = tmp_path / "not-a-pack"
    bad.mkdir()
    assert not dlg.install(bad)
    assert "Cannot install not-a-pack" in dlg.status.text()
    taken = tmp_path / "another-echo"  # a good pack, but "echo" is another model's name
    save_model(taken, AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2,
                                                  ff_mult=2, max_steps=32, max_lanes=4)),
               {"name": "echo", "version": "1.0.0"})
    (taken / "manifest.json").rename(taken / "partita-plugin.json")  # as docs/plugins.md says
    assert not dlg.install(taken)
    assert "the name 'echo' is already used" in dlg.status.text()
    dlg.table.setCurrentItem(dlg.table.topLevelItem(dlg.names().index("tiny-random")))
    dlg.set_default()
    assert studio.catalog.default_name() == "tiny-random"
    # Kept where the command line reads it too (partita models default).
    registry = studio.catalog.registry
    assert registry.default_file.read_text().strip() == "tiny-random"
    assert dlg.table.topLevelItem(dlg.names().index("tiny-random")).text(0) == "★"
    assert dlg._current() == "tiny-random"  # still selected after the list was refilled
    assert not dlg.remove_button.isEnabled()  # not the user's: nothing to remove
    assert not dlg.remove()  # and refused before anything is asked or cancelled
    assert "Cannot remove tiny-random" in dlg.status.text()
    assert "ask_remove_model" not in dialogs.names()
    manifest = json.loads((taken / "partita-plugin.json").read_text())
    (taken / "partita-plugin.json").write_text(json.dumps({**manifest, "name": "mine"}))
    assert dlg.install(taken)
    qtbot.waitUntil(lambda: "mine" in dlg.names(), timeout=5000)
    dlg.table.setCurrentItem(dlg.table.topLevelItem(dlg.names().index("mine")))
    assert dlg.remove_button.isEnabled()
    # A job of "mine" waits behind a gated one: removing the model cancels it (it would
    # fail on the deleted files), and says so before and after.
    gated = studio.models["gated"]
    mask = Mask.of(Region({studio.document.song.tracks[0].id}, 0, BAR))
    blocker = studio.composer.queue.submit(JobRequest(studio.document.song, mask, gated))
    waiting = studio.composer.queue.submit(JobRequest(studio.document.song, mask, "mine"))
    dialogs.answers["ask_remove_model"] = True
    assert dlg.remove()
    assert dialogs.calls[-1] == ("ask_remove_model", ("mine", studio.catalog.registry.user_dir,
                                                      1))
    qtbot.waitUntil(lambda: "mine" not in dlg.names(), timeout=5000)
    assert "Removed mine" in dlg.status.text() and "cancelled 1 of its jobs" in dlg.status.text()
    assert waiting.state is JobState.CANCELLED
    assert waiting.cancel_reason is CancelReason.MODEL_REMOVED
    gated.gate.set()
    assert blocker.wait(5)
    dlg.close()


def test_a_take_partly_off_screen_is_brought_into_view_on_arrival_and_on_switching(
        studio, qtbot):
    # Only a take entirely off screen was scrolled to: one whose end was cut off by the
    # view's right edge stayed so while it was auditioned.
    win = studio
    vp = win.pianoroll.viewport
    win.generate_panel.variations.setValue(2)
    mask_piano(win, BAR // 2, BAR + BAR // 4)
    vp.fit_ticks(0, BAR)  # the take's last quarter is past the right edge
    win.composer.request("repaint")
    wait_takes(qtbot, win, 2)
    assert vp.left <= BAR // 2 and vp.right >= BAR + BAR // 4
    vp.set_left(0)  # cut off again; the next take is brought back into view
    assert vp.right < BAR + BAR // 4
    win.actions.next_take.trigger()
    assert vp.left <= BAR // 2 and vp.right >= BAR + BAR // 4


def test_the_views_span_a_continue_takes_new_bars_while_it_is_on_screen(studio, qtbot):
    """QA: with a take adding bars 9–16 on screen the arrangement still spanned the song's
    bars, cutting the new material off, and the piano roll could not scroll to its end."""
    win = studio  # two bars
    arr, vp = win.arrangement, win.pianoroll.viewport
    assert arr.bar_count() == 3
    win.generate_panel.continue_bars.setValue(8)
    win.composer.request("continue")
    wait_takes(qtbot, win, 1)
    take = win.composer.preview_take()
    assert take.mask.span == (2 * BAR, 10 * BAR)
    assert arr.bar_count() == 11  # the take's bars and one more
    assert arr.x_of(10 * BAR) < arr.width()
    arr.grab()  # painted with the wider span (its cache is keyed by it)
    vp.set_left(10 * BAR)  # the roll scrolls to the take's end
    assert vp.right >= 10 * BAR + 4 * 480
    assert win.pianoroll.hbar.maximum() >= vp.max_left() > 8 * BAR - vp.width / vp.px_per_tick
    win.composer.reject()  # gone: back to the song's span
    assert win.composer.preview_take() is None
    assert arr.bar_count() == 3 and vp.song_ticks == win.document.end


class Groove(EchoModel):
    """A drum part: kick, snare and hats on the eighths, a crash on the first beat."""

    info = replace(EchoModel.info, name="groove")

    def generate(self, song, mask, options, progress, cancel):
        start, end = mask.span
        hits = [Note(57, start, 60, 110)] + [
            Note((36, 42, 38, 42)[i % 4], t, 60, 100) for i, t in enumerate(range(start, end, 240))]
        progress(Progress(1, 1))
        return {tid: tuple(hits) for tid in mask.track_ids}


def test_a_drum_take_arriving_shows_the_rows_of_its_hits(qtbot, tmp_path, dialogs, no_audio):
    """QA: a drum take came on screen with the roll on the upper percussion rows (the
    crash), its kick, snare and hat hits below them out of sight."""
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, Groove()), model="groove")
    try:
        win.set_song(make_song())
        qtbot.wait(20)  # the song's first view (placed once the events have run)
        drums = win.document.song.tracks[2]
        win.selection.set_tracks([drums.id])
        vp = win.pianoroll.viewport
        vp.set_top((127 - 75) * vp.key_h)  # pitch 75 on the top row
        low, high = vp.visible_pitches()
        assert low <= 57 <= high and low > 42
        win.document.set_mask(Mask.of(Region({drums.id}, 0, 2 * BAR)))
        win.composer.request("repaint")
        wait_takes(qtbot, win, 1)
        low, high = vp.visible_pitches()
        assert low <= 36 and high >= 42
    finally:
        close_window(win)


def test_continue_and_compose_create_bars_and_tracks_in_one_undo_step(studio, qtbot, dialogs):
    win = studio
    original = win.document.song
    win.generate_panel.continue_bars.setValue(2)
    vp = win.pianoroll.viewport
    vp.fit_ticks(0, BAR)  # the view ends before the bars the take writes
    win.composer.request("continue")
    wait_takes(qtbot, win, 1)
    assert vp.left <= 2 * BAR < vp.right  # brought into view as it arrived (wider than
    # the view: it starts at the left edge)
    assert win.composer.accept()
    assert win.document.song.length == 4 * BAR
    assert win.document.undo_stack.undoText() == "Accept take A (Continue 2 bars)"
    win.document.undo_stack.undo()
    assert win.document.song == original

    win.new_file()
    empty = win.document.song
    dialogs.answers["ask_instruments"] = ("Piano, Bass", 4)
    said = []
    win.composer.message.connect(said.append)
    win.composer.request("compose")
    wait_takes(qtbot, win, 1)
    assert "new: Bass" in win.takes_bar.region.text()
    # The Jobs panel names the new tracks too (it read "Piano, a deleted track").
    row = list(win.jobs_panel.rows.values())[-1]
    assert row.region.text().startswith("Piano, Bass") and "deleted" not in row.region.text()
    assert win.composer.again()  # another take of the same new piece: B, same tracks
    assert len(wait_takes(qtbot, win, 2)) == 2 and len(win.composer.takes.sets) == 1
    assert win.composer.select(0)
    assert win.composer.accept()
    song = win.document.song
    assert [t.name for t in song.tracks] == ["Piano", "Bass"]  # the empty Piano is reused
    assert all(t.notes for t in song.tracks) and song.length == 4 * BAR
    # No key set: the piece is written in a key drawn for it, which the song now declares.
    (signature,) = song.key_signatures
    assert signature.key in NEW_PIECE_KEYS
    assert f"Compose: computing 1 take in {key_text(signature.key)} with echo" in said[0]
    assert win.document.undo_stack.undoText() == (
        f"Accept take A (Compose in {key_text(signature.key)})")  # the takes bar's label
    # A key set before accepting wins, and accepting says the take was in another key.
    win.document.undo_stack.undo()
    other = "C#m" if signature.key != "C#m" else "F#m"
    win.document.apply(set_time_from_bar(win.document.song, 0, key=other))
    assert win.composer.accept()
    assert [k.key for k in win.document.song.key_signatures] == [other]
    assert win.statusBar().currentMessage().endswith(
        f"written in {key_text(signature.key)}; the song keeps your {key_text(other)}")
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.song == empty


def test_the_tracks_a_take_adds_are_shown_before_it_is_accepted(studio, qtbot, dialogs):
    """Compose into a new song: the take's new tracks get preview rows in the track list
    and the arrangement, and their notes appear in the piano roll, before Accept."""
    win = studio
    win.new_file()
    dialogs.answers["ask_instruments"] = ("Piano, Bass, Strings", 2)
    win.composer.request("compose")
    take = wait_takes(qtbot, win, 1).takes[0]
    added = new_tracks(take)
    assert [t.name for t in added] == ["Bass", "Strings"]
    rows = win.tracklist._preview
    assert [label.text().splitlines()[0] for label in rows] == ["Bass", "Strings"]
    assert rows[0].y() == ROW_H and rows[1].y() == 2 * ROW_H  # below the song's Piano
    assert win.tracklist.rows.minimumHeight() == 3 * ROW_H
    # The arrangement paints the new rows' notes: its picture differs there from a blank row.
    win.arrangement.repaint()
    image = win.arrangement.grab().toImage()
    y = HEADER_H + ROW_H + ROW_H // 2
    xs = range(int(win.arrangement.x_of(0)), int(win.arrangement.x_of(2 * BAR)))
    assert len({image.pixel(x, y) for x in xs} | {image.pixel(x, y + 6) for x in xs}) > 2
    assert win.composer.accept()
    assert win.tracklist._preview == []
    assert [h.track.name for h in win.tracklist.headers] == ["Piano", "Bass", "Strings"]
    win.document.undo_stack.undo()  # the take is back on screen, and its rows with it
    assert [label.text().splitlines()[0] for label in win.tracklist._preview] == [
        "Bass", "Strings"]
    assert win.composer.reject()
    assert win.tracklist._preview == []


def test_a_take_of_other_tracks_than_the_selected_is_drawn_strongly(studio, qtbot, dialogs):
    # Harmonize heard with its melody selected: the new parts were faint dotted outlines.
    win = studio
    piano, bass, _drums = win.document.song.tracks
    mask = Mask.of(Region({bass.id}, 0, BAR))
    win.document.set_mask(mask)
    win.selection.set_tracks([piano.id])
    win.composer.request("repaint")
    take = wait_takes(qtbot, win, 1).takes[0]
    assert emphasised(take, {piano.id}) == {bass.id}  # none selected: all it writes
    assert emphasised(take, {piano.id, bass.id}) == {bass.id}
    assert not win.pianoroll.canvas.grab().isNull()


def test_generate_again_after_reopening_adds_to_the_harmonize_takes(studio, qtbot, dialogs,
                                                                     tmp_path):
    # A saved Harmonize take, reopened: Ctrl+G made a region of its own with a second copy
    # of the new tracks (accepting one of each gave Strings twice).
    win = studio
    win.selection.set_tracks([win.document.song.tracks[0].id])
    dialogs.answers["ask_instruments"] = ("Strings", None)
    win.composer.request("harmonize")
    wait_takes(qtbot, win, 1)
    dialogs.answers["get_save_path"] = tmp_path / "harmonized.partita"
    assert win.save_as()
    assert win.open_path(tmp_path / "harmonized.partita")
    assert len(win.composer.active_set()) == 1
    asked = dialogs.names().count("ask_instruments")
    assert win.composer.again()
    assert len(wait_takes(qtbot, win, 2)) == 2 and len(win.composer.takes.sets) == 1
    assert dialogs.names().count("ask_instruments") == asked


def test_harmonize_asks_for_instruments_and_fills_around_the_melody(studio, qtbot, dialogs):
    win = studio
    song = win.document.song
    win.selection.set_tracks([song.tracks[0].id])
    dialogs.answers["ask_instruments"] = ("Strings", None)
    win.composer.request("harmonize")
    # Every other track has notes: the question says they are kept before it is asked.
    assert "The other tracks have notes here" in dialogs.calls[-1][1][1]
    take = wait_takes(qtbot, win, 1).takes[0]
    # The new strings track only: the bass and drums were written by hand, and kept.
    assert [t.name for t in new_tracks(take)] == ["Strings"]
    assert set(take.notes) == {new_tracks(take)[0].id}
    # Generate Again uses the same answer: the question is not asked twice.
    asked = dialogs.names().count("ask_instruments")
    win.document.apply(set_time_from_bar(win.document.song, 0, key="G"))  # a key, undone:
    win.document.undo_stack.undo()  # the song is as it was, though its revision moved on
    assert win.composer.again()
    assert dialogs.names().count("ask_instruments") == asked
    # The same new Strings track: take B joins take A's region (not a region of its own).
    both = wait_takes(qtbot, win, 2)
    assert both.takes[0] is take and len(win.composer.takes.sets) == 1
    dialogs.answers["ask_instruments"] = None  # cancelling the question does nothing
    assert win.composer.request("harmonize") == []
    dialogs.answers["ask_instruments"] = ("", None)  # nothing added, nothing to fill: said
    assert win.composer.request("harmonize") == []
    assert win.statusBar().currentMessage().startswith("The tracks around")


def satb_song() -> Song:
    """A harmonized hymn line: Soprano, Alto, Tenor and Bass with a bar of notes each."""
    q = 480
    parts = (("Soprano", (72, 71, 69, 67)), ("Alto", (64, 62, 60, 60)),
             ("Tenor", (55, 55, 53, 52)), ("Bass", (48, 43, 45, 40)))
    return Song(tracks=tuple(
        Track(name=name, program=52, channel=i,
              notes=tuple(Note(p, j * q, q, 80) for j, p in enumerate(pitches)))
        for i, (name, pitches) in enumerate(parts)), ppq=q)


def test_harmonizing_again_rewrites_the_painted_voices_without_asking(studio, qtbot,
                                                                      dialogs):
    """The Doodle's loop: change a note of the soprano, paint Alto, Tenor and Bass,
    Ctrl+Shift+H. The tracks to write are painted: no instruments question (QA: it came
    up at every re-harmonization), and nothing is added."""
    win = studio
    win.set_song(satb_song())
    soprano, *lower = win.document.song.tracks
    win.selection.set_tracks([soprano.id])
    win.document.set_mask(Mask.of(Region({t.id for t in lower}, 0, BAR)))
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    take = wait_takes(qtbot, win, 1).takes[0]
    assert "ask_instruments" not in dialogs.names()
    assert not new_tracks(take) and set(take.notes) <= {t.id for t in lower}
    assert take.mask.track_ids == {t.id for t in lower}
    # Without a mask, empty tracks around the melody are the ones to write: not asked.
    win.set_song(satb_song().with_tracks(
        [*satb_song().tracks[:1], *(replace(t, notes=()) for t in satb_song().tracks[1:])]))
    win.selection.set_tracks([win.document.song.tracks[0].id])
    assert win.composer.request("harmonize")
    assert "ask_instruments" not in dialogs.names()
    # Parts with notes and no mask are kept: then the question is asked (it says why).
    win.set_song(satb_song())
    win.selection.set_tracks([win.document.song.tracks[0].id])
    dialogs.answers["ask_instruments"] = None
    assert win.composer.request("harmonize") == []
    assert "The other tracks have notes here" in dialogs.calls[-1][1][1]


def test_repaint_without_a_mask_explains_what_to_do(studio):
    assert studio.composer.request("repaint") == []
    assert "Paint a mask first" in studio.statusBar().currentMessage()


def test_torch_is_not_imported_when_the_studio_starts():
    code = ("import sys; from studio.app import create_app; from studio.mainwindow import "
            "MainWindow; app = create_app(); w = MainWindow(); w.show(); app.processEvents(); "
            "print('torch' in sys.modules); w.composer.shutdown()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


def test_the_parallels_constraint_is_an_option_the_panel_sends_and_remembers(window):
    from PySide6.QtCore import Qt

    panel = window.generate_panel
    box = panel.avoid_parallels
    # Auto (partly checked) by default, and the box says what Auto does.
    assert box.checkState() == Qt.CheckState.PartiallyChecked
    assert panel.values().options.avoid_parallels is None
    assert "chorales" in box.text()
    box.click()  # Auto → on
    assert panel.values().options.avoid_parallels is True
    assert "chorales" not in box.text()
    state = panel.state()
    box.click()  # on → off
    assert panel.values().options.avoid_parallels is False
    panel.restore(state)
    assert box.checkState() == Qt.CheckState.Checked
    box.setCheckState(Qt.CheckState.Unchecked)
    panel.restore(panel.state())
    assert panel.values().options.avoid_parallels is False
    # An earlier version's setting: unchecked was what Auto is now.
    panel.restore({"avoid_parallels": False})
    assert panel.values().options.avoid_parallels is None


def test_the_panels_auto_key_is_the_key_around_the_mask(studio, qtbot):
    from engine.tasks import AUTO
    from studio.generate_panel import ANY_KEY
    from tests.engine.tasks.test_keys import D_MINOR, song_of

    win = studio
    win.set_song(song_of(D_MINOR, "Dm"))
    assert win.generate_panel.values().options.key == AUTO  # the panel's default
    mask_piano(win, 3 * BAR, 5 * BAR)
    win.composer.request("repaint")
    (take,) = wait_takes(qtbot, win, 1)
    assert take.options.key == "Dm"
    win.generate_panel.key.setCurrentText(ANY_KEY)
    assert win.generate_panel.values().options.key is None


def test_a_key_named_in_the_panel_becomes_the_key_signature_with_the_take(studio, qtbot):
    from tests.engine.tasks.test_keys import G_MAJOR, song_of

    win = studio
    win.set_song(song_of(G_MAJOR))  # no key signature
    said = []
    win.composer.message.connect(said.append)
    win.generate_panel.key.setCurrentText("G")
    mask_piano(win, 0, 2 * BAR)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert any(" in G major with " in line for line in said)
    assert win.document.song.key_signatures == ()  # a take, not yet the song
    assert win.composer.accept()
    assert [(k.tick, k.key) for k in win.document.song.key_signatures] == [(0, "G")]
    assert win.document.undo_stack.undoText() == "Accept take A (Repaint in G major)"
    win.document.undo_stack.undo()
    assert win.document.song.key_signatures == ()


def test_takes_and_the_mask_survive_saving_reopening_and_a_crash(studio, qtbot, tmp_path,
                                                                  dialogs):
    from engine.io import RecoveryStore
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    win = studio
    win.generate_panel.variations.setValue(2)
    piano = mask_piano(win)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    win.composer.select(1)
    heard = [t.signature() for t in takes.takes]
    mask = win.document.mask
    # Only takes are new, the song is not modified: the autosave still keeps them (written
    # now, or already when the request started or ended).
    assert not win.document.is_modified
    win.autosaver.save_now()
    assert win.autosaver.store.path.exists()
    path = tmp_path / "song.partita"
    dialogs.answers["get_save_path"] = path
    assert win.save_as()
    assert not win.autosaver.store.path.exists()  # the project holds them now

    def reopened(name: str, recovery: bool = False) -> MainWindow:
        other = MainWindow(Settings(tmp_path / f"{name}.ini"),
                           RecoveryStore(tmp_path / "recovery"), registry=win.catalog.registry)
        qtbot.addWidget(other)
        if recovery:
            dialogs.answers["ask_recover"] = lambda _p, pending: ("recover", pending[0])
            assert other.offer_recovery()
        else:
            assert other.open_path(path)
        return other

    other = reopened("s2")
    restored = other.composer.active_set()
    assert [t.signature() for t in restored.takes] == heard
    assert other.composer.preview_take() is restored.takes[1]  # the one being auditioned
    assert other.document.mask == mask and not other.document.is_modified
    calls = len(dialogs.calls)
    other.document.set_mask(Mask())  # only the mask moved: the takes are in the file
    assert other.maybe_save()  # saved in the project: closing need not ask
    assert len(dialogs.calls) == calls
    other.document.undo_stack.undo()
    assert other.composer.accept()
    assert [n.pitch for n in other.document.song.track(piano.id).notes if n.start < BAR] == [
        n.pitch for n in restored.takes[1].notes[piano.id]]
    other.document.undo_stack.undo()
    assert other.composer.active_set() is not None  # back in the choice

    # A crash with a new take pending: the next session recovers it.
    other.composer.reject(restored.takes[0])
    assert other.autosaver.has_unsaved_extras and other.autosaver.save_now()
    third = reopened("s3", recovery=True)
    survivors = third.composer.active_set()
    assert [t.signature() for t in survivors.pending()] == heard[1:]
    assert survivors.letter(survivors.pending()[0].id) == "B"  # still B after the crash
    # Closing with those takes unsaved offers to save the project, which keeps them.
    dialogs.answers["ask_discard_takes"] = "save"
    third.document.undo_stack.setClean()
    third.document._dirty = False
    assert third.maybe_save()
    fourth = reopened("s4")
    assert len(fourth.composer.active_set().pending()) == len(heard) - 1
    dialogs.answers["ask_discard_takes"] = "discard"
    for w in (other, third, fourth):
        close_window(w)
        assert not w.isVisible()  # closed: its job queue's threads are gone


def test_a_request_while_models_load_waits_once_and_cancel_drops_it(studio, qtbot):
    win = studio
    mask_piano(win)
    catalog = win.catalog
    catalog.loaded = False  # as in the first seconds after start
    assert win.composer.request("repaint") == [] and win.composer.request("repaint") == []
    assert win.composer.deferred == "repaint"
    assert "Loading models" in win.takes_bar.hint.text()
    # The Jobs panel says the same, not "No jobs yet. Paint a mask…".
    assert win.jobs_panel.empty.text().startswith("Repaint waits for the models to load")
    assert win.jobs_panel.summary.text() == "Loading models…"
    assert win.composer.cancel_all() == 1 and win.composer.deferred is None
    assert win.jobs_panel.empty.text().startswith("No jobs yet")
    catalog._loaded(catalog.entries())
    assert not win.jobs_panel.rows  # cancelled: nothing ran

    catalog.loaded = False
    win.composer.request("repaint")
    win.composer.request("repaint")  # pressed twice: still one request
    catalog._loaded(catalog.entries())
    wait_takes(qtbot, win, 1)
    assert len(win.jobs_panel.rows) == 1  # one variation, once


def test_what_is_wrong_with_a_request_is_said_before_the_models_load(studio, qtbot,
                                                                     dialogs):
    win = studio
    win.catalog.loaded = False
    assert win.composer.request("repaint") == [] and win.composer.deferred is None
    assert "Paint a mask first" in win.statusBar().currentMessage()  # not "Loading…"
    # A question is asked once: Compose's answer waits with the request.
    win.new_file()
    win.catalog.loaded = False
    dialogs.answers["ask_instruments"] = ("Piano, Bass", 2)
    assert win.composer.request("compose") == [] and win.composer.deferred == "compose"
    win.catalog._loaded(win.catalog.entries())
    wait_takes(qtbot, win, 1)
    assert dialogs.names().count("ask_instruments") == 1


def test_takes_of_an_earlier_region_come_back_with_its_mask(studio, qtbot):
    win = studio
    mask_piano(win, 0, BAR)
    first = win.document.mask
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    mask_piano(win, BAR, 2 * BAR)
    win.composer.request("repaint")
    qtbot.waitUntil(lambda: win.composer.active != first and win.composer.active_set()
                    is not None, timeout=20000)
    second = win.document.mask
    win.document.undo_stack.undo()  # back to the first mask: its takes are on screen
    assert win.document.mask == first and win.composer.active == first
    assert win.composer.waiting_regions() == [second]
    assert "+1 elsewhere (Ctrl+])" in win.takes_bar.region.text()
    assert win.composer.show_region(1) == second  # the menu's way there
    assert win.document.mask == second and win.composer.preview_take() is not None
    assert win.actions.accept_take.isEnabled()
    win.composer.discard()
    assert "1 take waits in another region" in win.takes_bar.hint.text()
    assert not win.actions.accept_take.isEnabled() and win.actions.next_region.isEnabled()


def test_a_take_of_another_region_never_replaces_the_one_on_screen_unasked(studio, qtbot):
    # Two regions asked for, then a third painted: the first take comes on screen; the
    # second, of a region the user has left, waits, named (Enter accepted it unseen).
    win = studio
    mask_piano(win, 0, BAR)
    first = win.document.mask
    win.composer.request("repaint")
    mask_piano(win, BAR, 2 * BAR)
    second = win.document.mask
    win.composer.request("repaint")
    mask_piano(win, 2 * BAR, 3 * BAR)
    qtbot.waitUntil(lambda: second in win.composer.takes.sets
                    and not win.jobs_panel.running(), timeout=20000)
    assert win.composer.active == first
    assert win.composer.waiting_regions() == [second]
    assert "ready for Piano · bar 2" in win.statusBar().currentMessage()
    assert "still showing take A of Piano · bar 1" in win.statusBar().currentMessage()


def test_rejecting_a_take_is_an_undo_step_that_never_changes_the_song(studio, qtbot):
    win = studio
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    first = takes.takes[0]
    assert win.composer.accept(first)
    win.document.undo_stack.undo()  # the accept
    assert win.composer.reject(first)
    assert takes.pending() == [takes.takes[1]]
    assert win.document.undo_stack.undoText() == "Reject take A"
    assert not win.document.undo_stack.canRedo()  # redo can no longer re-apply take A
    assert not win.document.is_modified
    win.document.undo_stack.undo()  # the reject: take A is back, and heard
    assert len(takes.pending()) == 2 and win.composer.preview_take() is first


def test_harmonize_fills_the_painted_tracks_only_or_all_when_only_the_melody_is(studio):
    from engine.tasks import requests

    song = studio.document.song
    piano, bass, drums = (t.id for t in song.tracks)
    plan = requests.harmonize(song, Mask.of(Region({bass}, 0, BAR)), piano)
    assert plan.mask.track_ids == {bass}
    # Only the melody painted (or nothing): the other tracks that are empty there; what
    # the user wrote is kept (the QA pass's hand-drawn chords were rewritten).
    with pytest.raises(requests.PlanError, match="Harmonize keeps what you wrote"):
        requests.harmonize(song, Mask.of(Region({piano}, 0, BAR)), piano)
    pads = Track(name="Pads", program=89)
    with_pads = song.with_tracks([*song.tracks, pads])
    plan = requests.harmonize(with_pads, Mask.of(Region({piano}, 0, BAR)), piano)
    assert plan.mask.track_ids == {pads.id}
    assert requests.harmonize(with_pads, Mask(), piano).mask.track_ids == {pads.id}
    # Separate painted regions stay separate: nothing between them is rewritten.
    apart = Mask.of(Region({bass}, 0, BAR), Region({drums}, 3 * BAR, 4 * BAR))
    plan = requests.harmonize(song, apart, piano)
    assert plan.mask.contains(bass, 0, 40) and not plan.mask.contains(bass, 2 * BAR, 40)
    assert plan.mask.contains(drums, 3 * BAR, 36) and not plan.mask.contains(drums, 0, 36)


def test_selecting_a_track_shows_its_part_and_counts_its_notes(studio):
    win = studio
    song = win.document.song
    piano, bass, _drums = song.tracks
    win.selection.set_tracks([piano.id])
    win.pianoroll.viewport.center_on_pitches(96, 100)  # the bass's rows are off screen
    win.selection.set_tracks([bass.id])
    low, high = win.pianoroll.viewport.visible_pitches()
    assert any(low <= n.pitch <= high for n in bass.notes)
    assert win.status_selection.text() == f"Bass · {len(bass.notes)} notes"
    win.selection.set_tracks([bass.id, piano.id])
    assert win.status_selection.text() == (
        f"Piano, Bass · {len(piano.notes) + len(bass.notes)} notes")  # the song's order


def test_one_selected_note_or_chord_is_named_for_eyes_and_screen_readers(studio):
    win = studio
    song = win.document.song
    piano, _bass, drums = song.tracks
    win.selection.set_tracks([piano.id])
    third = piano.notes[2]  # E4, beat 3 of bar 1, a quarter note at velocity 90
    win.selection.set_notes([(piano.id, third.id)])
    said = "E4 · 1.3.000 · 1/4 · velocity 90"
    assert win.status_selection.text() == f"Piano · {said}"
    assert win.pianoroll.canvas.accessibleDescription() == said
    win.selection.set_notes([(drums.id, drums.notes[1].id)])
    assert "Acoustic Snare · 1.2.000 · 1/16 · velocity 110" in win.status_selection.text()
    # Notes at different times are counted, not named.
    win.selection.set_notes([(piano.id, n.id) for n in piano.notes[:2]])
    assert win.status_selection.text() == "Piano · 2 notes selected"


def test_the_takes_bar_tells_a_new_user_where_to_start(studio):
    win = studio
    assert "paint a mask (M), then Repaint (Ctrl+R)" in win.takes_bar.hint.text()
    mask_piano(win)  # painted already (or recovered, or a take accepted over it)
    assert win.takes_bar.hint.text().startswith("No takes on screen — Repaint (Ctrl+R)")
    win.new_file()  # an empty song: nothing to mask yet
    assert win.takes_bar.hint.text().startswith("Empty song — Compose (Ctrl+Shift+N)")


def test_harmonize_refuses_a_drum_track_as_the_melody_before_asking_anything(studio, dialogs):
    """The command line refused it; the studio asked for instruments and harmonized the
    kit (found by a first-time-user QA)."""
    win = studio
    drums = next(t for t in win.document.song.tracks if t.is_drum)
    win.selection.set_tracks([drums.id])
    before = len(dialogs.calls)
    win.composer.request("harmonize")
    assert len(dialogs.calls) == before  # no instruments question
    assert "is a drum track; a melody needs pitched notes" in (
        win.statusBar().currentMessage() + " ".join(str(c) for c in dialogs.calls))


def test_a_cancelled_generation_leaves_no_recovery_copy_behind(studio, qtbot):
    win = studio
    win.generate_panel.set_model("gated")
    mask_piano(win)
    win.autosaver.mark_clean()  # the mask as a file would hold it: nothing unsaved
    (job,) = win.composer.request("repaint")
    row = row_of(qtbot, win, job)
    qtbot.waitUntil(lambda: win.autosaver.store.path.exists(), timeout=5000)  # at once
    win.composer.cancel(job.id)
    qtbot.waitUntil(lambda: row.done, timeout=5000)
    qtbot.waitUntil(lambda: not win.autosaver.store.path.exists(), timeout=5000)


def test_keep_rhythm_is_left_off_for_continue_and_said(studio, qtbot):
    win = studio
    win.generate_panel.keep_rhythm.setChecked(True)
    win.generate_panel.continue_bars.setValue(2)
    said: list[str] = []
    win.composer.message.connect(said.append)
    jobs = win.composer.request("continue")
    assert len(jobs) == 1 and not jobs[0].request.options.keep_rhythm
    assert "Keep rhythm off: new bars have no rhythm to keep" in said[-1]
    takes = wait_takes(qtbot, win, 1)
    assert all(t.note_count > 0 for t in takes)  # not bars of silence


class Held(EchoModel):
    """Records the span of the song and mask it is given; writes a note held two bars on
    each masked bar (a pad that would ring over a loop's end into bar 1)."""

    info = replace(EchoModel.info, name="held")

    def __init__(self) -> None:
        self.asked: list[tuple[int, tuple[int, int]]] = []

    def generate(self, song, mask, options, progress, cancel):
        self.asked.append((max(n.end for t in song.tracks for n in t.notes), mask.span))
        pitch = 71 + len(self.asked)  # another note each time: no take repeats the last
        start, end = mask.span
        return {tid: tuple(Note(pitch, t, 2 * BAR) for t in range(start, end, BAR))
                for tid in mask.track_ids}


def test_seamless_loop_gives_the_model_the_songs_start_after_its_end_and_cuts_there(
        qtbot, tmp_path, dialogs, no_audio):
    """Generate panel ▸ Seamless loop (GenerateOptions.loop, `repaint --loop`): the
    model of a 2-bar loop sees bars 1-2 again after bar 2, and the pad it holds from
    bar 2 is cut at the last bar line; Harmonize leaves it off; the box is remembered."""
    from tests.studio.cocompose_helpers import close_window, make_registry, make_window

    held = Held()
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, held), model="held")
    try:
        win.set_song(make_song())  # two bars
        panel = win.generate_panel
        assert not panel.loop.isChecked() and "bar 1" in panel.loop.toolTip()
        mask_piano(win, BAR, 2 * BAR)
        (plain,) = win.composer.request("repaint")
        wait_takes(qtbot, win, 1)
        assert not plain.request.options.loop and held.asked == [(2 * BAR, (BAR, 2 * BAR))]
        assert win.composer.reject()  # heard and dropped
        panel.loop.setChecked(True)
        mask_piano(win, BAR, 2 * BAR)
        (looped,) = win.composer.request("repaint")
        takes = wait_takes(qtbot, win, 1)
        take = next(t for t in takes if t.job_id == looped.id)
        assert looped.request.options.loop
        # The song, then its two bars again as context, bar 2's copy masked too (written
        # afresh with it, so bar 2 leads into bar 1 as it is, and dropped).
        assert held.asked[1] == (4 * BAR, (BAR, 4 * BAR))
        piano = win.document.song.tracks[0].id
        assert [(n.start, n.end) for n in take.notes[piano]] == [
            (BAR, 2 * BAR)]  # cut at the last bar line, not held over into bar 1
        assert panel.loop in panel.changed_settings()  # off its default: outlined
        assert win.settings.generation()["loop"] in (True, "true")  # kept at the request
        win.selection.set_tracks([piano])
        dialogs.answers["ask_instruments"] = ("Strings", None)
        said: list[str] = []
        win.composer.message.connect(said.append)
        jobs = win.composer.request("harmonize")
        assert jobs and not any(j.request.options.loop for j in jobs)
        assert "Seamless loop off: Harmonize adds parts" in said[-1]  # not dropped silently
    finally:
        close_window(win)
    again = make_window(qtbot, tmp_path, make_registry(tmp_path, Held()), model="held")
    try:
        assert again.generate_panel.loop.isChecked()  # remembered, as keep rhythm is
        again.generate_panel.reset_to_defaults()
        assert not again.generate_panel.loop.isChecked()
    finally:
        close_window(again)


def test_a_pitch_range_on_drums_says_which_drums_it_leaves_out(studio):
    win = studio
    win.generate_panel.pitch_lo.setValue(60)
    win.generate_panel.pitch_hi.setValue(84)
    win.selection.set_tracks([win.document.song.tracks[2].id])  # Drums
    said: list[str] = []
    win.composer.message.connect(said.append)
    assert win.composer.request("regenerate")
    assert ("Pitch range: Drums stays as it is: none of its drums lies in it (Kick 36, "
            "Snare 38)") in said[-1]


def test_the_pitch_range_box_keeps_to_each_parts_instrument(studio, qtbot):
    # QA: a range past an instrument's wrote notes it cannot play; one it misses would
    # replace the part's notes with nothing.
    win = studio
    win.generate_panel.variations.setValue(1)
    bass = win.document.song.tracks[1]  # a bass guitar: E1-E4
    win.selection.set_tracks([bass.id])
    said: list[str] = []
    win.composer.message.connect(said.append)
    win.generate_panel.pitch_lo.setValue(84)
    win.generate_panel.pitch_hi.setValue(96)
    assert not win.composer.request("regenerate")
    assert said[-1] == ("Cannot start Regenerate Bass: the pitch range C6–C7 lies outside "
                        "the range of Bass E1–E4: nothing can be written there; choose a "
                        "range that meets it (the Pitch range box)")
    win.generate_panel.pitch_lo.setValue(12)
    win.generate_panel.pitch_hi.setValue(100)
    assert win.composer.request("regenerate")
    assert "Pitch range narrowed to what each part plays: Bass E1–E4" in said[-1]
    wait_takes(qtbot, win, 1)  # (the notes' pitches: tests/engine/tasks/test_run.py)


def test_a_pitch_range_on_drums_keeps_the_hits_of_the_drums_outside_it(studio, qtbot):
    """Producer QA: Drums selected, Pitch range 37–127, Regenerate: the take rewrote the
    whole kit and accepting it deleted every kick. The kick keeps its hits now."""
    win = studio
    win.generate_panel.variations.setValue(1)
    win.generate_panel.pitch_lo.setValue(37)
    win.generate_panel.pitch_hi.setValue(127)
    drums = win.document.song.tracks[2]
    kicks = [n for n in drums.notes if n.pitch == 36]
    win.selection.set_tracks([drums.id])
    said: list[str] = []
    win.composer.message.connect(said.append)
    assert win.composer.request("regenerate")
    assert "Pitch range: Drums rewrites only the drums whose notes lie in it (Kick 36 " \
        "keeps its hits)" in said[-1]
    take = wait_takes(qtbot, win, 1).takes[0]
    assert {r.pitch_lo for r in take.write_mask.regions} == {37}
    assert win.composer.accept(take)
    after = win.document.song.track(drums.id).notes
    assert [n for n in after if n.pitch == 36] == kicks
    assert not [n for n in after if n.pitch == 38]  # the snare was rewritten (echo: 60+)


def test_a_take_on_screen_names_its_own_notes_not_the_ones_it_replaces(studio, qtbot,
                                                                       monkeypatch):
    """QA: the take's notes had no names while the replaced notes' "A4" showed through the
    veil, read as the take's pitch. Every name drawn is on the note it names."""
    from studio import takes
    from studio.pianoroll import view

    win = studio
    named: dict[str, list[int]] = {"song": [], "take": []}
    for module, who in ((view, "song"), (takes, "take")):
        real = module.note_label
        monkeypatch.setattr(module, "note_label",
                            lambda pitch, key, drum, kit=None, real=real, who=who:
                            named[who].append(pitch) or real(pitch, key, drum, kit))
    piano = mask_piano(win)  # bar 1: C4 D4 E4 F4 replaced, G4 A4 B4 C5 kept
    win.selection.set_tracks([piano.id])
    canvas = win.pianoroll.canvas
    win.pianoroll.viewport.fit_ticks(0, 2 * BAR)
    win.pianoroll.viewport.fit_pitches(58, 74)
    canvas.grab()
    assert sorted(named["song"]) == [60, 62, 64, 65, 67, 69, 71, 72] and named["take"] == []
    win.generate_panel.seed.setValue(1)  # echo: one C#4 over the bar
    win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    named["song"].clear()
    named["take"].clear()
    canvas._layer_pixmap = None  # the notes painted afresh, with the take on screen
    canvas.grab()
    assert sorted(named["song"]) == [67, 69, 71, 72]  # the replaced notes go unnamed
    assert named["take"] == [61]  # and the take's own note is named


def test_tab_goes_through_the_takes_bar_buttons_left_to_right(studio, qtbot):
    """Keyboard QA: Tab never reached Original, A…, ▶ In Context, ▶ Solo, ✓ Accept or
    ✕ Reject; a click on one still leaves the keys with the piano roll."""
    from PySide6.QtWidgets import QApplication

    from studio.generate_panel import ANY_KEY

    win = studio
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.generate_panel.key.setCurrentText(ANY_KEY)
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 2)
    bar = win.takes_bar
    stops = [bar.original, *bar.buttons, bar.listen, bar.solo, bar.accept_button,
             bar.reject_button]
    qtbot.waitUntil(lambda: all(w.isVisible() for w in stops), timeout=2000)
    assert all(w.focusPolicy() == Qt.FocusPolicy.TabFocus for w in stops)
    bar.original.setFocus(Qt.FocusReason.TabFocusReason)
    reached = [QApplication.focusWidget()]
    for _ in stops[1:]:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == stops
    bar.buttons[1].setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(bar.buttons[1], Qt.Key.Key_Space)  # Space presses the one tabbed to
    assert win.composer.preview_take() is win.composer.active_set().pending()[1]
    assert [b.isChecked() for b in bar.buttons] == [False, True]
    QTest.keyClick(bar.buttons[1], Qt.Key.Key_Space)  # the one on screen stays checked
    assert [b.isChecked() for b in bar.buttons] == [False, True]
    bar.reject_button.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(bar.reject_button, Qt.Key.Key_Return)  # Enter presses the one tabbed to
    assert len(win.composer.active_set().pending()) == 1


def test_delete_rejects_the_take_on_screen_and_keeps_the_notes_selected_under_it(studio,
                                                                                 qtbot):
    """Docs QA: following the guide, the masked notes were still selected under take A;
    Delete deleted those 14 notes (drawn dimmed, unsaid) and left the take on screen."""
    win = studio
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    piano = win.document.song.tracks[0]
    win.selection.set_notes((piano.id, n.id) for n in piano.notes if n.start < BAR)
    before = win.document.song
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 2)
    canvas = win.pianoroll.canvas
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_1)
    assert len(win.selection) > 0
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert len(takes.pending()) == 1 and win.document.song == before
    assert win.statusBar().currentMessage().startswith("Rejected take A")
    # With no take on screen (the Original), Delete deletes the selected notes, and says so.
    QTest.keyClick(canvas, Qt.Key.Key_0)
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert win.document.song != before
    assert win.statusBar().currentMessage().startswith("Deleted ")


def regions_done(qtbot, win, n):
    qtbot.waitUntil(lambda: len(win.composer.takes.sets) == n
                    and not win.jobs_panel.running(), timeout=20000)


def test_the_first_regenerate_while_models_load_says_where_the_mask_is(studio, qtbot):
    """Keyboard QA: the first Ctrl+Shift+R before the models loaded said only "Loading
    models…", not that the mask on Piano, not the selected Bass, is what it rewrites."""
    win = studio
    mask_piano(win)
    win.selection.set_tracks([win.document.song.tracks[1].id])
    win.catalog.loaded = False  # as in the first seconds after start
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.pianoroll.canvas.setFocus()
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    said = win.statusBar().currentMessage()
    assert said.startswith("Loading models… Regenerate starts when they are ready")
    assert said.endswith("; the mask is on Piano; Esc Esc clears it to regenerate Bass")
    assert win.composer.cancel_all() == 1
    win.catalog._loaded(win.catalog.entries())


def test_the_takes_of_the_latest_request_come_on_screen_and_enter_accepts_them(studio,
                                                                                qtbot):
    # QA: Repaint over a band of the piano, reject take B, select Bass, Regenerate: "still
    # showing take C of Piano …", and Enter accepted the old repaint take C.
    win = studio
    win.generate_panel.variations.setValue(3)
    piano, bass = win.document.song.tracks[:2]
    win.document.set_mask(Mask.of(Region({piano.id}, 0, BAR, 60, 72)))
    repainted = win.document.mask
    win.composer.request("repaint")
    takes = wait_takes(qtbot, win, 3)
    assert win.composer.reject(takes.takes[1])
    win.selection.set_tracks([bass.id])
    win.generate_panel.variations.setValue(1)
    win.composer.request("regenerate")  # the masked track: the whole piano
    assert win.statusBar().currentMessage().startswith("Regenerate Piano: computing 1 take")
    assert win.statusBar().currentMessage().endswith(
        " · the mask is on Piano; Esc Esc clears it to regenerate Bass")
    regions_done(qtbot, win, 2)
    assert win.composer.active != repainted
    shown = win.composer.preview_take()
    assert shown.write_mask.track_ids == {piano.id}
    assert shown.write_mask.span == (0, win.document.song.end)
    message = win.statusBar().currentMessage()
    assert message.startswith("Take A ready for Piano · bars 1–2")
    assert "the takes of Piano · bar 1 · pitch band C4–C5 wait (Ctrl+])" in message
    assert win.composer.waiting_regions() == [repainted]  # reachable as before
    assert win.composer.accept()
    assert win.document.undo_stack.undoText() == "Accept take A (Regenerate Piano)"
    assert win.composer.show_region(1) == repainted
    assert len(win.composer.active_set().pending()) == 2  # A and C still wait


def seeded(gated):
    """The gated model writing a pitch that follows the seed (variations differ)."""
    plain = gated.generate

    def generate(song, mask, options, progress, cancel):
        out = plain(song, mask, options, progress, cancel)
        return {tid: tuple(replace(n, pitch=48 + options.seed % 24) for n in notes)
                for tid, notes in out.items()}

    gated.generate = generate
    return gated


def test_with_two_requests_in_flight_the_later_ones_takes_stay_on_screen(studio, qtbot):
    # Repaint, then Regenerate (the masked piano, whole) before its takes arrive: the
    # Regenerate's take replaces the Repaint's on screen, and the Repaint's later takes
    # (of the region painted last) never bring theirs back.
    win = studio
    gated = seeded(win.models["gated"])
    win.generate_panel.set_model("gated")
    win.generate_panel.variations.setValue(2)
    mask_piano(win)
    repainted = win.document.mask
    assert win.composer.request("repaint")
    assert win.composer.request("regenerate")
    gated.gate.set()
    regions_done(qtbot, win, 2)
    assert win.composer.active != repainted
    assert win.composer.preview_take().write_mask.span == (0, win.document.song.end)
    assert len(win.composer.takes.sets[repainted].pending()) == 2  # waiting, not lost
    assert win.composer.waiting_regions() == [repainted]


def test_a_take_of_a_new_request_waits_while_the_user_auditions_the_takes_on_screen(
        studio, qtbot):
    # Switching to take B after asking for more says the user works on those: the new
    # request's take waits, named; playing one (never yanked mid-audition) likewise.
    win = studio
    mask_piano(win)
    repainted = win.document.mask
    win.generate_panel.variations.setValue(2)
    win.composer.request("repaint")
    wait_takes(qtbot, win, 2)
    gated = win.models["gated"]
    win.generate_panel.set_model("gated")
    win.generate_panel.variations.setValue(1)
    assert win.composer.request("regenerate")
    win.composer.step(1)  # take B
    gated.gate.set()
    regions_done(qtbot, win, 2)
    assert win.composer.active == repainted
    assert "still showing take B of Piano · bar 1; Ctrl+] shows the new one" in \
        win.statusBar().currentMessage()
    # Asked again, and a take plays as the new one arrives: it waits too.
    win.composer.auditioning = lambda: True
    assert win.composer.request("continue")
    regions_done(qtbot, win, 3)
    assert win.composer.active == repainted
    assert "still playing take B of Piano · bar 1" in win.statusBar().currentMessage()
    # Nothing played or switched since asking: the new take comes on screen.
    win.composer.auditioning = lambda: False
    win.document.set_mask(Mask())
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    assert win.composer.request("regenerate")
    regions_done(qtbot, win, 4)
    assert win.composer.preview_take().write_mask.track_ids == {drums.id}
