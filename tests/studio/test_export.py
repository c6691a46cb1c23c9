"""File ▸ Export Audio & Stems: success and errors are reported, Cancel writes nothing,
another song's stems are replaced only when the user says so; the files have the sample
rate chosen in the export dialog, which the studio remembers."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
from shiboken6 import isValid

from studio.dialogs.export_options import AudioExport

STEMS = ["01 - Piano.wav", "02 - Bass.wav", "03 - Drums.wav"]


@pytest.fixture(autouse=True)
def fast_render(monkeypatch):
    """The built-in synth: the same files, written without loading a SoundFont."""
    import engine.render as render

    monkeypatch.setattr(render, "render_files", functools.partial(
        render.render_files, synth="builtin"))


@pytest.fixture
def asked(dialogs):
    """Record the stale-stems question; answer with ``asked.answer`` (default No)."""

    class Asked(list):
        answer = False

    rec = Asked()

    def ask(parent, folder, stale):
        rec.append((folder, [p.name for p in stale]))
        return rec.answer

    dialogs.answers["ask_replace_stale"] = ask
    return rec


def choose(dialogs, folder: Path, rate: int = 44100, soundfont: Path | None = None,
           end: str = "tail") -> None:
    """The export dialog's answer: ``folder`` at ``rate``, the files ending at ``end``."""
    dialogs.answers["ask_export_audio"] = AudioExport(folder, rate, soundfont, end)


def export(win, dialogs, qtbot, folder: Path, rate: int = 44100, end: str = "tail") -> None:
    """File ▸ Export Audio & Stems into ``folder``; wait until it has reported."""
    choose(dialogs, folder, rate, end=end)
    win.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def message(dialogs, name: str) -> tuple[str, str]:
    [args] = [args for n, args in dialogs.calls if n == name]
    return args


def test_export_reports_success_naming_the_folder(opened, dialogs, qtbot, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    export(opened, dialogs, qtbot, folder)
    assert "show_error" not in dialogs.names()
    title, text = message(dialogs, "show_info")
    assert title == "Export finished" and f"Wrote 4 files to {folder}" in text
    assert str(folder) in opened.statusBar().currentMessage()
    assert sorted(files(folder)) == ["mix.wav"] + [f"stems/{n}" for n in STEMS]
    qtbot.waitUntil(lambda: opened._export_dialog is None, timeout=2000)  # deleted
    assert not opened.findChildren(QProgressDialog)
    assert sorted(p.name for p in folder.iterdir()) == ["mix.wav", "stems"]  # no staging left


def test_unwritable_folder_shows_an_error_naming_it(opened, dialogs, qtbot, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    folder = blocker / "out"
    export(opened, dialogs, qtbot, folder)
    assert "show_info" not in dialogs.names()
    title, text = message(dialogs, "show_error")
    assert title == "Cannot export audio"
    assert str(folder) in text and f"{blocker} is a file, not a folder" in text
    assert blocker.read_text() == "not a folder"


def press_cancel(win) -> None:
    [button] = win._export_dialog.findChildren(QPushButton)
    assert button.text() == "Cancel"
    button.click()


def settle(win, qtbot) -> None:
    """The export's worker is done and what it sent has been handled: its dialog is
    deleted only after that (a fixed 300 ms wait ended first on a loaded machine, the
    dialog and the staged files still there)."""
    assert win.export_worker.wait(60000)
    qtbot.waitUntil(lambda: win._export_dialog is None, timeout=10000)


@pytest.mark.parametrize("when", ["rendering", "render done, not yet reported"])
def test_cancel_writes_nothing_and_keeps_the_previous_export(opened, dialogs, qtbot, tmp_path,
                                                            when):
    folder = tmp_path / "out"
    (folder / "stems").mkdir(parents=True)
    before = {"mix.wav": b"old mix"} | {f"stems/{n}": b"old stem" for n in STEMS}
    for name, data in before.items():
        (folder / name).write_bytes(data)
    dialogs.answers["ask_replace_export"] = True  # then Cancel while it renders
    choose(dialogs, folder)
    opened.export_stems()
    if when != "rendering":
        assert opened.export_worker.wait(60000)  # its result waits in the event queue
    press_cancel(opened)
    settle(opened, qtbot)  # closed and deleted
    assert {"show_info", "show_error"}.isdisjoint(dialogs.names())
    assert files(folder) == before  # nothing written, overwritten or left behind
    assert sorted(p.name for p in folder.iterdir()) == ["mix.wav", "stems"]  # no staging left


@pytest.mark.parametrize("when", ["rendering", "render done, not yet reported"])
def test_a_cancelled_export_leaves_no_folder_it_made(opened, dialogs, qtbot, tmp_path, when):
    home = tmp_path / "home"
    home.mkdir()
    folder = home / "Music" / "Song audio"  # neither is there before the export
    choose(dialogs, folder)
    opened.export_stems()
    if when != "rendering":
        assert opened.export_worker.wait(60000)
    press_cancel(opened)
    settle(opened, qtbot)
    assert list(home.iterdir()) == []  # "Song audio" and "Music" are gone again


def test_a_cancelled_export_keeps_a_folder_that_was_there(opened, dialogs, qtbot, tmp_path):
    folder = tmp_path / "Song audio"
    folder.mkdir()
    choose(dialogs, folder)
    opened.export_stems()
    press_cancel(opened)
    settle(opened, qtbot)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_stems_of_another_song_are_kept_when_the_user_says_no(opened, dialogs, qtbot,
                                                             tmp_path, asked):
    folder = tmp_path / "out"
    (folder / "stems").mkdir(parents=True)
    old = {"stems/03 - Piano.wav": b"demo", "stems/05 - Strings.wav": b"demo",
           "stems/notes.txt": b"mine"}
    for name, data in old.items():
        (folder / name).write_bytes(data)
    choose(dialogs, folder)
    opened.export_stems()
    assert asked == [(folder / "stems", ["03 - Piano.wav", "05 - Strings.wav"])]
    assert opened._export_dialog is None  # nothing started
    assert opened.export_worker.wait(60000)
    qtbot.wait(100)
    assert files(folder) == old  # nothing written
    assert {"show_info", "show_error"}.isdisjoint(dialogs.names())


def test_stems_of_another_song_are_replaced_when_the_user_says_yes(opened, dialogs, qtbot,
                                                                  tmp_path, asked):
    folder = tmp_path / "out"
    (folder / "stems").mkdir(parents=True)
    for name in ("04 - Piano.wav", "05 - Strings.wav"):
        (folder / "stems" / name).write_bytes(b"demo")
    (folder / "stems" / "notes.txt").write_text("mine")
    asked.answer = True
    export(opened, dialogs, qtbot, folder)
    assert asked == [(folder / "stems", ["04 - Piano.wav", "05 - Strings.wav"])]
    assert "show_error" not in dialogs.names()
    assert sorted(files(folder)) == (["mix.wav"] + [f"stems/{n}" for n in STEMS]
                                     + ["stems/notes.txt"])


def test_the_question_names_the_stale_stems(monkeypatch, tmp_path):
    from studio.dialogs.messages import ask_replace_stale

    shown = []

    def exec_(box):
        shown.append(box.text())
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    stale = [tmp_path / "03 - Piano.wav", tmp_path / "05 - Strings.wav"]
    assert ask_replace_stale(None, tmp_path, stale) is False
    assert shown == ["The folder holds 2 stem files from another export "
                     "(e.g. '03 - Piano.wav'). Replace them?"]


def test_exporting_again_asks_before_replacing_the_files(opened, dialogs, qtbot, tmp_path):
    # QA: a second export into the same folder wrote over mix.wav and the stems unasked.
    folder = tmp_path / "out"
    export(opened, dialogs, qtbot, folder)
    assert "ask_replace_export" not in dialogs.names()  # nothing there the first time
    first = files(folder)
    (folder / "mix.wav").write_bytes(b"mastered by hand")
    dialogs.calls.clear()
    choose(dialogs, folder)
    opened.export_stems()  # unanswered: Cancel, the default
    assert [args for n, args in dialogs.calls if n == "ask_replace_export"] == [
        (folder, [folder / "mix.wav"] + [folder / "stems" / n for n in STEMS])]
    assert opened._export_dialog is None  # nothing started
    # Not the first export's "Wrote 6 files …", left standing (keyboard QA).
    assert opened.statusBar().currentMessage() == (
        f"Nothing exported: the files in {folder} are as they were")
    assert (folder / "mix.wav").read_bytes() == b"mastered by hand"
    dialogs.answers["ask_replace_export"] = True
    dialogs.calls.clear()
    export(opened, dialogs, qtbot, folder)
    assert "show_error" not in dialogs.names()
    assert files(folder) == first  # the new export, the same song: the same files


def test_the_replace_question_counts_the_files_and_defaults_to_cancel(monkeypatch, tmp_path):
    from studio.dialogs.messages import ask_replace_export, replaced_files_text

    mix, stems = tmp_path / "mix.wav", tmp_path / "stems"
    learn = tmp_path / "rehearsal"
    assert replaced_files_text(tmp_path, [mix, *(stems / n for n in STEMS)]) == (
        f"mix.wav and 3 stems in {tmp_path} exist")
    assert replaced_files_text(tmp_path, [stems / STEMS[0]]) == f"1 stem in {tmp_path} exists"
    assert replaced_files_text(tmp_path, [mix, stems / STEMS[0], learn / "Rehearsal - A.wav",
                                          learn / "Rehearsal - B.wav"]) == (
        f"mix.wav, 1 stem and 2 rehearsal mixes in {tmp_path} exist")
    shown = []

    def exec_(box, press):
        buttons = {b.text().replace("&", ""): b for b in box.buttons()}
        shown.append((box.windowTitle(), box.text(), sorted(buttons),
                      box.defaultButton().text(), box.escapeButton().text()))
        if press:
            buttons[press].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", lambda box: exec_(box, None))
    assert ask_replace_export(None, tmp_path, [mix]) is False  # closed: nothing replaced
    monkeypatch.setattr(QMessageBox, "exec", lambda box: exec_(box, "Cancel"))
    assert ask_replace_export(None, tmp_path, [mix]) is False
    monkeypatch.setattr(QMessageBox, "exec", lambda box: exec_(box, "Replace"))
    assert ask_replace_export(None, tmp_path, [mix]) is True
    # Alt+R replaces, Alt+C cancels (keyboard QA: Replace had no Alt letter).
    assert shown[0] == ("Replace existing files?", f"mix.wav in {tmp_path} exists.",
                        ["Cancel", "Replace"], "&Cancel", "&Cancel")
    box_texts: list[list[str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: box_texts.append(sorted(
        b.text() for b in box.buttons())) or 0)
    ask_replace_export(None, tmp_path, [mix])
    assert box_texts == [["&Cancel", "&Replace"]]


def test_export_finished_says_what_the_mix_left_out_and_that_the_stems_are_dry(
        opened, dialogs, qtbot, tmp_path):
    from engine.score import set_track_props

    export(opened, dialogs, qtbot, tmp_path / "plain")
    _title, text = message(dialogs, "show_info")
    assert "muted" not in text and "soloed" not in text and "dry" not in text
    doc = opened.document
    drums, bass = doc.song.tracks[2].id, doc.song.tracks[1].id
    doc.apply(set_track_props(doc.song, drums, "Mute", mute=True))
    doc.apply(set_track_props(doc.song, bass, "Solo", solo=True))
    dialogs.calls.clear()
    dialogs.answers["ask_export_audio"] = AudioExport(tmp_path / "dry", dry_stems=True)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    _title, text = message(dialogs, "show_info")
    assert ("The mix was made with Drums muted and Bass soloed: Piano and Drums are not "
            "in it. The stems hold every track, whatever is muted or soloed.") in text
    assert ("The stems are dry (pre-fader): without their tracks' volume and pan; the mix "
            "has them.") in text
    assert sorted(files(tmp_path / "dry")) == ["mix.wav"] + [f"stems/{n}" for n in STEMS]


def test_export_finished_names_the_tracks_whose_stems_are_silence(
        opened, dialogs, qtbot, tmp_path):
    # QA: empty tracks' stems (seconds of silence, megabytes each) came without a word.
    from engine.score import Note, Song, Track

    doc = opened.document
    doc.reset(Song((Track("Piano", notes=(Note(60, 0, 480),)), Track("Bass", program=33),
                    Track("Drums", is_drum=True, channel=9))), None)
    export(opened, dialogs, qtbot, tmp_path / "out")
    _title, text = message(dialogs, "show_info")
    assert "Bass and Drums have no notes: their stems are silence." in text
    assert sorted(files(tmp_path / "out")) == ["mix.wav"] + [f"stems/{n}" for n in STEMS]


def test_a_stem_silent_in_the_bars_exported_is_named_too():
    from engine.render import RenderReport
    from engine.score import Note, Song, Track
    from studio.dialogs.export import mix_and_stems_notes

    song = Song((Track("Piano", notes=(Note(60, 0, 480),)),
                 Track("Bass", notes=(Note(40, 1920, 480),))))
    ids = [t.id for t in song.tracks]

    def report(span, peaks):
        return RenderReport(Path("mix.wav"), (), 1.0, 1.0, "built-in", 8000, 1,
                            mix_peak_dbfs=-3.0, span=span,
                            stem_track_peaks_dbfs=dict(zip(ids, peaks, strict=True)))

    assert mix_and_stems_notes(song, report(None, (-3.0, -6.0))) == []
    assert mix_and_stems_notes(song, report((1920, 3840), (float("-inf"), -6.0))) == [
        "Piano has no notes in the bars exported: its stem is silence."]
    assert mix_and_stems_notes(song, report((1920, 9600), (float("-inf"), -6.0))) == [
        "Bars 3–5 are past the song's end: silence.",
        "Piano has no notes in the bars exported: its stem is silence."]


def test_a_loop_export_names_the_notes_wrapped_onto_its_start():
    """A game composer's loop: what rings past its last bar line is heard at its start
    (end "loop") or cut (end "bar"), and the finished export says so, as the CLI does."""
    from engine.render import RenderReport
    from engine.score import Note, Song, Track
    from studio.dialogs.export import mix_and_stems_notes

    song = Song((Track("Pad", notes=(Note(60, 0, 2000), Note(64, 0, 2000))),
                 Track("Bass", notes=(Note(40, 0, 480),))), length=1920)

    def report(end, span=None):
        return RenderReport(Path("mix.wav"), (), 1.0, 1.0, "built-in", 8000, 1,
                            mix_peak_dbfs=-3.0, end=end, span=span)

    assert mix_and_stems_notes(song, report("loop")) == [
        "2 notes ring past the loop's end (the end of bar 1) and are wrapped onto its "
        "start: Pad (2)."]
    assert mix_and_stems_notes(song, report("bar")) == [
        "2 notes ring past the last bar line (the end of bar 1) and are cut there: Pad (2)."]
    assert mix_and_stems_notes(song, report("tail")) == []
    assert mix_and_stems_notes(song, report("loop", (0, 1920))) == []  # let go at its end


def export_and_warn(win, dialogs, qtbot, folder: Path) -> tuple[str, str]:
    """Export into ``folder``, expecting the warning of a silent mix: its title and text."""
    choose(dialogs, folder)
    win.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_warning", "show_error"}
                                 & set(dialogs.names())), timeout=60000)
    assert {"show_info", "show_error"}.isdisjoint(dialogs.names())
    return message(dialogs, "show_warning")


def test_a_mix_silent_because_every_fader_is_at_0_is_a_warning_that_says_so(
        opened, dialogs, qtbot, tmp_path):
    """A producer's re-test: every track at volume 0 said "Export finished" (information
    icon) and only that the empty track's stem is silence; mix.wav and every stem peaked
    at 0.0."""
    from engine.score import Note, Song, Track

    doc = opened.document
    doc.reset(Song((Track("808", 38, notes=(Note(36, 0, 480),), volume=0.0),
                    Track("Lead", 80, notes=(Note(72, 0, 480),), volume=0.0),
                    Track("Empty"))), None)
    title, text = export_and_warn(opened, dialogs, qtbot, tmp_path / "out")
    assert title == "Export finished — the mix is silent"
    assert ("mix.wav is silent: every track heard is at volume 0: 808, Lead. Raise a fader "
            "(the volume faders in the track list).") in text
    assert "808 and Lead are at volume 0: their stems are silence." in text
    assert "Empty has no notes: its stem is silence." in text
    assert not sf.read(str(tmp_path / "out" / "mix.wav"), dtype="int32")[0].any()


def test_a_mix_silent_because_every_track_is_muted_says_so_beside_what_it_left_out(
        opened, dialogs, qtbot, tmp_path):
    from engine.score import set_track_props

    doc = opened.document
    for track in doc.song.tracks:
        doc.apply(set_track_props(doc.song, track.id, "Mute", mute=True))
    title, text = export_and_warn(opened, dialogs, qtbot, tmp_path / "out")
    assert title == "Export finished — the mix is silent"
    assert ("mix.wav is silent: every track is muted. Unmute or solo a track to hear it "
            "in the mix.") in text
    assert "Piano, Bass and Drums are not in it" in text
    assert "stems are silence" not in text  # the stems hold every track: they sound


def test_a_file_chosen_as_the_folder_is_said_to_be_a_file(opened, dialogs, qtbot, tmp_path):
    # QA: "Cannot write to …/base.partita: File exists".
    from studio.dialogs.export_options import ExportAudioDialog

    project = tmp_path / "base.partita"
    project.write_text("a project")
    choose(dialogs, project)
    opened.export_stems()
    _title, text = message(dialogs, "show_error")
    assert text == (f"Cannot export to {project}: {project} is a file, not a folder. "
                    "Choose a folder, or a new folder's name.")
    assert opened._export_dialog is None and project.read_text() == "a project"
    dialog = ExportAudioDialog(None, str(project), 44100, "")  # refused before it starts
    qtbot.addWidget(dialog)
    assert dialog.choice() is None
    assert dialog.error.text().startswith(f"{project} is a file, not a folder.")


@pytest.mark.parametrize("where", ["staging folder", "file being written"])
def test_a_write_error_names_the_folder_or_the_file_not_the_hidden_ones(
        opened, dialogs, qtbot, tmp_path, monkeypatch, where):
    # QA: a read-only or full disk was said of "…/.partita-export-ga5xv99m" and
    # ".mix.wav.1be392bc.raw", files the user never sees.
    import errno
    import tempfile

    import engine.render as render

    folder = tmp_path / "out"
    if where == "staging folder":
        def read_only(prefix, dir):
            raise OSError(errno.EROFS, "Read-only file system",
                          str(Path(dir) / f"{prefix}ga5xv99m"))

        monkeypatch.setattr(tempfile, "mkdtemp", read_only)
        said = f"Cannot write to {folder}: Read-only file system."
    else:
        def full(song, mix, stems_dir, **_kw):
            raise OSError(errno.ENOSPC, "No space left on device",
                          str(mix.parent / "stems" / ".02 - Bass.wav.1be392bc.raw"))

        monkeypatch.setattr(render, "render_files", full)
        said = (f"Cannot write to {folder}: No space left on device "
                f"({folder / 'stems' / '02 - Bass.wav'}).")
    export(opened, dialogs, qtbot, folder)
    _title, text = message(dialogs, "show_error")
    assert text == said
    assert not folder.exists()  # the folder the export made goes with it


def test_an_empty_song_is_not_exported(window, dialogs, qtbot, tmp_path):
    assert not any(t.notes for t in window.document.song.tracks)  # a new song: 8 empty bars
    folder = tmp_path / "out"
    folder.mkdir()
    choose(dialogs, folder)
    window.export_stems()
    title, text = message(dialogs, "show_error")
    assert title == "Cannot export audio" and "The song has no notes" in text
    assert window._export_dialog is None
    assert list(folder.iterdir()) == []
    # Export MIDI says the same (it wrote an empty file and said "Exported").
    dialogs.answers["get_export_midi_path"] = tmp_path / "empty.mid"
    window.export_midi()
    assert "get_export_midi_path" not in dialogs.names()
    title, text = [args for n, args in dialogs.calls if n == "show_error"][-1]
    assert title == "Cannot export MIDI" and "The song has no notes" in text
    assert not (tmp_path / "empty.mid").exists()


def wav_rates(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): sf.info(str(p)).samplerate
            for p in sorted(folder.rglob("*.wav"))}


def test_export_writes_the_chosen_sample_rate_and_remembers_it(opened, dialogs, qtbot,
                                                               tmp_path, song_file):
    from studio.settings import Settings

    folder = tmp_path / "session 48k"
    export(opened, dialogs, qtbot, folder, rate=48000)
    assert "show_error" not in dialogs.names()
    rates = wav_rates(folder)
    assert sorted(rates) == ["mix.wav"] + [f"stems/{n}" for n in STEMS]
    assert set(rates.values()) == {48000}  # the mix and every stem
    _title, text = message(dialogs, "show_info")
    assert "at 48 kHz" in text
    # The dialog was first offered "<song> audio" beside the song, at the default rate.
    [first] = [args for n, args in dialogs.calls if n == "ask_export_audio"]
    assert first == (str(song_file.parent / "song audio"), 44100, "", "tail", False, False,
                     "24", False, "normalise", -6.0, "{nn} - {track}", "song",
                     [])  # no loop range, nothing selected
    # Asked again, it offers this song's folder and 48 kHz (Cancel: nothing happens).
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1] == (
        str(folder), 48000, "", "tail", False, False, "24", False, "normalise", -6.0,
        "{nn} - {track}", "song", [])
    # The rate is kept between sessions.
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_sample_rate() == 48000


def test_the_dialog_offers_the_common_rates_prefilled_with_the_last_one(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 88200, "")
    qtbot.addWidget(dialog)
    rate = dialog.rate
    assert [rate.itemText(i) for i in range(rate.count())] == [
        "44.1 kHz", "48 kHz", "88.2 kHz", "96 kHz"]
    assert rate.currentText() == "88.2 kHz"
    assert dialog.choice() == AudioExport(tmp_path / "out", 88200, None)
    rate.setCurrentText("96 kHz")
    assert dialog.choice() == AudioExport(tmp_path / "out", 96000, None)


def test_export_can_end_the_files_at_the_last_bar_line_and_remembers_it(
        opened, dialogs, qtbot, tmp_path):
    from engine.render import bar_line_frames
    from studio.settings import Settings

    folder = tmp_path / "loop"
    export(opened, dialogs, qtbot, folder, rate=48000, end="loop")
    assert "show_error" not in dialogs.names()
    bars = bar_line_frames(opened.document.song, 48000)
    lengths = {name: sf.info(str(folder / name)).frames
               for name in ["mix.wav"] + [f"stems/{n}" for n in STEMS]}
    assert set(lengths.values()) == {bars}
    import struct

    for name in lengths:  # a sampler's loop over each whole file: a "smpl" chunk at the end
        data = (folder / name).read_bytes()
        assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
        smpl = data.rindex(b"smpl")
        assert struct.unpack("<6I", data[smpl + 44:smpl + 68])[1:4] == (0, 0, bars - 1)
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()  # offered again as chosen, also after a restart
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][3] == "loop"
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_end() == "loop"
    (tmp_path / "s.ini").write_text("[export]\nend=forever\n")  # hand-edited: the default
    assert Settings(tmp_path / "s.ini").export_end() == "tail"


def test_the_dialog_offers_where_the_files_end_prefilled_with_the_last_choice(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "", "bar")
    qtbot.addWidget(dialog)
    end = dialog.end
    assert [end.itemText(i) for i in range(end.count())] == [
        "Until the last note has rung out", "Cut at the last bar line",
        "Loop: cut at the last bar line, the tail wrapped to the start"]
    assert dialog.choice() == AudioExport(tmp_path / "out", 48000, None, "bar")
    end.setCurrentIndex(2)
    assert dialog.choice().end == "loop"
    plain = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "")
    qtbot.addWidget(plain)
    assert plain.choice().end == "tail"  # the default: the files as they always were


def test_export_writes_the_chosen_bit_depth_and_remembers_it(opened, dialogs, qtbot,
                                                             tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog
    from studio.settings import Settings

    folder = tmp_path / "demo"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail",
                                                      bit_depth="16")
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names()
    assert {sf.info(str(folder / name)).subtype
            for name in ["mix.wav"] + [f"stems/{n}" for n in STEMS]} == {"PCM_16"}
    assert "s of 16-bit audio at 44.1 kHz" in message(dialogs, "show_info")[1]
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()  # offered again as chosen, also after a restart
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][6] == "16"
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_bit_depth() == "16"
    (tmp_path / "s.ini").write_text("[export]\nbit_depth=8\n")  # hand-edited: the default
    assert Settings(tmp_path / "s.ini").export_bit_depth() == "24"
    # The dialog's menu: the three depths, prefilled; 24-bit when none was chosen.
    dialog = ExportAudioDialog(None, str(folder), 48000, "", bit_depth="32f")
    qtbot.addWidget(dialog)
    depth = dialog.bit_depth
    assert [depth.itemData(i) for i in range(depth.count())] == ["16", "24", "32f"]
    assert dialog.choice().bit_depth == "32f"
    depth.setCurrentIndex(0)
    assert dialog.choice().bit_depth == "16"
    plain = ExportAudioDialog(None, str(folder), 48000, "")
    qtbot.addWidget(plain)
    assert plain.choice().bit_depth == "24"


def test_export_can_add_rehearsal_mixes_with_a_count_in_and_remembers_it(
        opened, dialogs, qtbot, tmp_path):
    from studio.settings import Settings

    folder = tmp_path / "choir"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail", True, True)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names()
    _title, text = message(dialogs, "show_info")
    assert "Wrote 6 files" in text  # the mix, 3 stems, a rehearsal mix per pitched track
    assert sorted(files(folder)) == (["mix.wav"] + ["rehearsal/Rehearsal - Bass.wav",
                                                    "rehearsal/Rehearsal - Piano.wav"]
                                     + [f"stems/{n}" for n in STEMS])
    mix = sf.info(str(folder / "mix.wav"))
    bar = round(4 * 60 / opened.document.song.tempos[0].bpm * mix.samplerate)
    for name in ("Rehearsal - Bass.wav", "Rehearsal - Piano.wav"):
        assert sf.info(str(folder / "rehearsal" / name)).frames == mix.frames + bar
    assert sorted(p.name for p in folder.iterdir()) == ["mix.wav", "rehearsal", "stems"]
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()  # offered again as chosen, also after a restart
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][4:6] == (
        True, True)
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_rehearsal() == (True, True)


def test_the_dialogs_count_in_goes_with_the_rehearsal_mixes(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "")
    qtbot.addWidget(dialog)
    assert not dialog.rehearsal.isChecked() and not dialog.count_in.isEnabled()
    dialog.count_in.setChecked(True)  # greyed out: no count-in without rehearsal mixes
    assert dialog.choice() == AudioExport(tmp_path / "out", 48000, None, "tail", False, False)
    dialog.rehearsal.setChecked(True)
    assert dialog.count_in.isEnabled()
    assert dialog.choice() == AudioExport(tmp_path / "out", 48000, None, "tail", True, True)


def test_a_hand_edited_rate_gives_the_default(tmp_path):
    from studio.settings import Settings

    (tmp_path / "s.ini").write_text("[export]\nsample_rate=22050\n")
    assert Settings(tmp_path / "s.ini").export_sample_rate() == 44100
    (tmp_path / "s.ini").write_text("[export]\nsample_rate=fast\n")
    assert Settings(tmp_path / "s.ini").export_sample_rate() == 44100


def test_the_dialog_refuses_a_missing_soundfont_and_a_relative_folder(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 44100, str(tmp_path / "gone.sf2"))
    qtbot.addWidget(dialog)
    [ok] = [b for b in dialog.findChildren(QPushButton) if b.text() == "OK"]
    ok.click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "gone.sf2: no such file" in dialog.error.text()
    dialog.soundfont.clear()
    dialog.folder.setText("stems here")
    assert dialog.choice() is None and "full path" in dialog.error.text()
    dialog.folder.setText("")
    assert dialog.choice() is None and "Choose the folder" in dialog.error.text()


SMALL_SF2 = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")  # 6 MB: loads in a tenth of a second


@pytest.mark.skipif(not SMALL_SF2.is_file(), reason="timgm6mb-soundfont is not installed")
def test_export_plays_the_chosen_soundfont(opened, dialogs, qtbot, tmp_path, monkeypatch):
    pytest.importorskip("tinysoundfont")
    import engine.render as render
    from engine.render import renderer

    monkeypatch.setattr(render, "render_files", renderer.render_files)  # the real synth
    folder = tmp_path / "out"
    choose(dialogs, folder, 96000, SMALL_SF2)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names()
    _title, text = message(dialogs, "show_info")
    assert "at 96 kHz" in text and "TimGM6mb.sf2" in text
    assert set(wav_rates(folder).values()) == {96000}
    assert opened.settings.export_soundfont() == str(SMALL_SF2)


def test_the_progress_says_what_the_export_is_doing(opened, dialogs, qtbot, tmp_path,
                                                   monkeypatch):
    # The bar said "Rendering audio and stems…" throughout, and sat at 90 % for 8 s of a
    # 33 s export while the files were written.
    from studio.dialogs import progress as module  # where the export's window is made

    shown: list[tuple[str, int]] = []

    class Watched(module.QProgressDialog):
        def setValue(self, value: int) -> None:
            shown.append((self.labelText(), value))
            super().setValue(value)

    monkeypatch.setattr(module, "QProgressDialog", Watched)
    export(opened, dialogs, qtbot, tmp_path / "out")
    said = list(dict.fromkeys(text for text, _ in shown))
    assert said == ["Rendering audio and stems…",  # until the render has begun
                    "Rendering track 1 of 3: Piano…", "Rendering track 2 of 3: Bass…",
                    "Rendering track 3 of 3: Drums…", "Mixing…",
                    "Writing mix.wav (1 of 4)…", "Writing 01 - Piano.wav (2 of 4)…",
                    "Writing 02 - Bass.wav (3 of 4)…", "Writing 03 - Drums.wav (4 of 4)…"]
    values = [v for _, v in shown]
    assert values == sorted(values) and values[-1] == 1000
    assert next(v for text, v in shown if text.startswith("Writing")) < 900


def test_export_musicxml_writes_a_score_off_the_gui_thread(opened, dialogs, qtbot, tmp_path):
    music21 = pytest.importorskip("music21")
    suggested = []
    target = tmp_path / "score.musicxml"
    dialogs.answers["get_export_musicxml_path"] = lambda _p, s: suggested.append(s) or target
    opened.export_musicxml()
    qtbot.waitUntil(target.exists, timeout=60000)
    qtbot.waitUntil(lambda: "Exported" in opened.statusBar().currentMessage(), timeout=10000)
    assert Path(suggested[0]).suffix == ".musicxml"  # beside the song, named as it
    assert Path(suggested[0]).stem == opened.document.path.stem
    score = music21.converter.parse(target)
    song = opened.document.song
    assert [p.partName for p in score.parts] == [t.name for t in song.tracks]
    assert "show_error" not in dialogs.names()
    assert not opened.document.is_modified  # a copy: the document and its file as they were


def test_export_musicxml_shows_its_progress_and_cancel_writes_nothing(opened, dialogs, qtbot,
                                                                       tmp_path, monkeypatch):
    """QA: a 171-bar song's export ran 10 s with only a status message and no way to stop
    it. Now a progress dialog follows it (the work off the GUI thread) and Cancel stops it
    with the earlier export at that name as it was."""
    pytest.importorskip("music21")
    from engine.io import musicxml

    target = tmp_path / "score.musicxml"
    dialogs.answers["get_export_musicxml_path"] = target
    threads, released = [], threading.Event()
    real = musicxml.song_to_score

    def song_to_score(song, step=None):
        threads.append(threading.current_thread())
        assert released.wait(30)
        return real(song, step)

    monkeypatch.setattr(musicxml, "song_to_score", song_to_score)
    released.set()
    opened.export_musicxml()
    dlg = opened._export_dialog
    assert dlg.isVisible() and dlg.windowTitle() == "Export MusicXML"
    labels = []
    original = dlg.setLabelText
    monkeypatch.setattr(dlg, "setLabelText", lambda t: labels.append(t) or original(t))
    qtbot.waitUntil(lambda: "Exported" in opened.statusBar().currentMessage(), timeout=60000)
    assert threads and threads[0] is not threading.main_thread()
    qtbot.waitUntil(lambda: not isValid(dlg), timeout=5000)  # deleted once back in the loop
    assert target.exists()
    assert "Notating Piano…" in labels and labels[-1] == "Writing the file…"
    # Cancel while it works: nothing written, the earlier export kept, no temporary file.
    target.write_bytes(b"the earlier export")
    released.clear()
    opened.statusBar().clearMessage()
    opened.export_musicxml()
    press_cancel(opened)
    released.set()
    settle(opened, qtbot)  # closed and deleted
    assert target.read_bytes() == b"the earlier export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".score")] == []
    assert {"show_info", "show_error"}.isdisjoint(dialogs.names())
    assert "Exported" not in opened.statusBar().currentMessage()


def test_a_musicxml_export_that_fails_says_why(opened, dialogs, qtbot, tmp_path, window):
    dialogs.answers["get_export_musicxml_path"] = tmp_path / "missing" / "score.mxl"
    opened.export_musicxml()
    qtbot.waitUntil(lambda: "show_error" in dialogs.names(), timeout=60000)
    title, text = message(dialogs, "show_error")
    assert title == "Cannot export MusicXML" and "score.mxl" in text
    # An empty song is not exported, as Export MIDI says.
    window.document.reset(type(window.document.song)(), None)
    window.export_musicxml()
    titles = [args[0] for n, args in dialogs.calls if n == "show_error"]
    assert titles == ["Cannot export MusicXML", "Cannot export MusicXML"]
    assert "The song has no notes" in [args for n, args in dialogs.calls
                                       if n == "show_error"][-1][1]


def test_export_can_write_dry_stems_and_remembers_it(opened, dialogs, qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog
    from studio.settings import Settings

    folder = tmp_path / "demo"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail",
                                                      dry_stems=True)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names()
    assert sorted(p.name for p in (folder / "stems").iterdir()) == STEMS
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()  # offered again as chosen, also after a restart
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][7] is True
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_dry_stems() is True
    # The dialog's checkbox: prefilled, off when nothing was chosen.
    dialog = ExportAudioDialog(None, str(folder), 48000, "", dry_stems=True)
    qtbot.addWidget(dialog)
    assert dialog.choice().dry_stems
    dialog.dry_stems.setChecked(False)
    assert not dialog.choice().dry_stems
    plain = ExportAudioDialog(None, str(folder), 48000, "")
    qtbot.addWidget(plain)
    assert not plain.choice().dry_stems


def test_the_dialog_offers_a_range_only_where_the_studio_has_one(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    plain = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "")
    qtbot.addWidget(plain)
    assert plain.range is None and plain.choice().span is None
    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "", ranges=[
        ("Loop range (bars 2–3)", (1920, 5760)), ("Selected bars (bar 1)", (0, 1920))])
    qtbot.addWidget(dialog)
    menu = dialog.range
    assert [menu.itemText(i) for i in range(menu.count())] == [
        "Whole song", "Loop range (bars 2–3)", "Selected bars (bar 1)"]
    assert dialog.choice().span is None  # the whole song unless chosen
    lengths = lambda: [dialog.end.itemText(i) for i in range(dialog.end.count())]  # noqa: E731
    assert lengths()[1] == "Cut at the last bar line"
    menu.setCurrentIndex(1)
    assert dialog.choice() == AudioExport(tmp_path / "out", 48000, None, span=(1920, 5760))
    # QA: "Cut at the last bar line" read as the song's, with a range chosen.
    assert lengths()[1:] == ["Cut at the range's last bar line", "Loop: cut at the "
                             "range's last bar line, the tail wrapped to its start"]
    menu.setCurrentIndex(0)
    assert lengths()[1] == "Cut at the last bar line"


def test_a_loop_range_off_the_bar_lines_is_named_as_the_command_line_names_it(
        opened, dialogs, qtbot, tmp_path):
    """QA: a loop from tick 480 to 7000 was offered as "Loop range (bars 1-4)" and said
    "Wrote 5 files of bars 1-4", while the files are that span exactly."""
    win = opened
    ranges = lambda: [a[-1] for n, a in dialogs.calls if n == "ask_export_audio"][-1]  # noqa: E731
    dialogs.answers["ask_export_audio"] = None
    win.transport.set_loop(480, 7000, True)
    win.export_stems()
    assert ranges() == [("Loop range (1.2.000–4.3.280)", (480, 7000))]
    win.transport.set_loop(480, 6720, True)  # beat 2 of bar 1 to the end of bar 4's 2nd
    win.export_stems()
    assert ranges() == [("Loop range (1.2–4.2)", (480, 6720))]
    folder = tmp_path / "loop"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 8000, None, "loop",
                                                      span=(480, 7000))
    win.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    said = [a for n, a in dialogs.calls if n == "show_info"][-1][-1]
    assert f"Wrote 4 files of 1.2.000–4.3.280 to {folder}" in said


def test_export_offers_the_loop_range_and_the_selected_bars_and_renders_one(
        opened, dialogs, qtbot, tmp_path):
    """A producer's loop range, bar 2 of the test song (100 BPM: 2.4 s a bar), cut at its
    end: every file is that bar's samples, the bass held from bar 1 sounding at sample 0."""
    win = opened
    ranges = lambda: [a[-1] for n, a in dialogs.calls if n == "ask_export_audio"][-1]  # noqa: E731
    dialogs.answers["ask_export_audio"] = None
    win.export_stems()
    assert ranges() == []  # no loop, nothing selected: the whole song, no Range menu
    win.transport.set_loop(1920, 3840, True)
    piano = win.document.song.find_track("Piano")
    win.selection.set_notes([(piano.id, piano.notes[0].id)])
    win.export_stems()
    assert ranges() == [("Loop range (bar 2)", (1920, 3840)),
                        ("Selected bars (bar 1)", (0, 1920))]
    win.transport.set_loop_enabled(False)  # a range left set with the loop off: not offered
    win.export_stems()
    assert [name for name, _ in ranges()] == ["Selected bars (bar 1)"]
    folder = tmp_path / "bar 2"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 48000, None, "bar",
                                                      span=(1920, 3840))
    win.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names()
    said = [a for n, a in dialogs.calls if n == "show_info"][-1][-1]
    assert f"Wrote 4 files of bar 2 to {folder}" in said  # the range named
    lengths = {sf.info(str(folder / name)).frames
               for name in ["mix.wav"] + [f"stems/{n}" for n in STEMS]}
    assert lengths == {int(2.4 * 48000)}
    bass, _ = sf.read(str(folder / "stems" / "02 - Bass.wav"))
    assert abs(bass[:1200]).max() > 0.01  # the bass's G, from bar 2's downbeat on


def test_export_at_a_fixed_gain_says_what_clips_and_remembers_the_level(
        opened, dialogs, qtbot, tmp_path):
    """The Level: every file at the gain chosen (not normalised); a file past 0 dBFS
    clips in 24-bit, said with how far and the gain that fits; the choice is offered
    again, also after a restart."""
    import numpy as np

    from engine.render.mixing import FIXED_GAIN_RANGE_DB
    from studio.settings import EXPORT_GAIN_RANGE_DB, Settings

    folder = tmp_path / "loud"
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail",
                                                      level="fixed", gain_db=24.0)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_warning", "show_error"}
                                 & set(dialogs.names())), timeout=60000)
    title, text = message(dialogs, "show_warning")
    assert title == "Export finished — files clip"
    assert "Every file is at a fixed gain of 24.0 dB, not normalised." in text
    assert "mix.wav by " in text and "clip in 24-bit" in text
    assert "export at a Level of Fixed gain: " in text
    gain = float(text.split("Fixed gain: ")[1].split(" dB")[0])
    assert gain < 24.0
    assert np.abs(sf.read(str(folder / "mix.wav"))[0]).max() == pytest.approx(1.0, abs=1e-6)
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()  # offered again as chosen
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][8:10] == (
        "fixed", 24.0)
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_level() == ("fixed", 24.0)
    (tmp_path / "s.ini").write_text("[export]\nlevel=loud\ngain_db=99\n")  # hand-edited
    assert Settings(tmp_path / "s.ini").export_level() == ("normalise", -6.0)
    assert EXPORT_GAIN_RANGE_DB == FIXED_GAIN_RANGE_DB
    # At the gain it suggests, nothing clips: "Export finished".
    dialogs.calls.clear()
    dialogs.answers["ask_export_audio"] = AudioExport(tmp_path / "fits", 44100, None, "tail",
                                                      level="fixed", gain_db=gain)
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_warning", "show_error"}
                                 & set(dialogs.names())), timeout=60000)
    title, text = message(dialogs, "show_info")
    assert title == "Export finished" and "clip" not in text


def test_the_dialogs_level_is_normalise_or_a_fixed_gain(qtbot, tmp_path):
    from studio.dialogs.export_options import ExportAudioDialog

    plain = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "")
    qtbot.addWidget(plain)
    level, gain = plain.level, plain.gain
    assert [level.itemText(i) for i in range(level.count())] == [
        "Automatic headroom (never clips)", "Fixed gain:"]
    # QA: "Normalise" read as brought up to -1 dBFS, as a DAW's; it only ever turns down.
    assert "quieter mixes keep their level" in level.toolTip()
    assert plain.choice().fixed_gain_db is None and not gain.isEnabled()
    assert gain.value() == -6.0 and gain.text() == "-6.0 dB"
    level.setCurrentIndex(1)
    assert gain.isEnabled()
    gain.lineEdit().selectAll()
    qtbot.keyClicks(gain.lineEdit(), "-4,5")  # a comma reads as the decimal point
    gain.interpretText()
    choice = plain.choice()
    assert (choice.level, choice.gain_db, choice.fixed_gain_db) == ("fixed", -4.5, -4.5)
    level.setCurrentIndex(0)  # normalised again: the gain kept for next time
    assert (plain.choice().fixed_gain_db, plain.choice().gain_db) == (None, -4.5)
    assert not gain.isEnabled()
    dialog = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "", level="fixed",
                               gain_db=0.0)
    qtbot.addWidget(dialog)
    assert dialog.choice().fixed_gain_db == 0.0 and dialog.gain.isEnabled()
    assert (dialog.gain.minimum(), dialog.gain.maximum()) == (-60.0, 24.0)


def test_the_dialog_offers_the_stem_names_render_takes_with_examples(qtbot, tmp_path):
    """Stem names: render --stem-names' templates, each shown with the file it writes for
    this song; 'NN - Track' unless another was chosen last."""
    from engine.render.files import DEFAULT_STEM_NAMES, stem_names_problem
    from studio.dialogs.export_options import ExportAudioDialog
    from studio.settings import DEFAULT_EXPORT_STEM_NAMES, EXPORT_STEM_NAMES

    assert DEFAULT_EXPORT_STEM_NAMES == DEFAULT_STEM_NAMES
    assert all(stem_names_problem(t) is None for t in EXPORT_STEM_NAMES)
    plain = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "", song_name="loop-2")
    qtbot.addWidget(plain)
    menu = plain.stem_names
    assert [menu.itemText(i) for i in range(menu.count())] == [
        "NN - Track — 01 - Lead.wav", "Song_Track — loop-2_Lead.wav",
        "Song_NN_Track — loop-2_01_Lead.wav"]
    assert plain.choice().stem_names == "{nn} - {track}"
    menu.setCurrentIndex(2)
    assert plain.choice() == AudioExport(tmp_path / "out", 48000, None,
                                         stem_names="{song}_{nn}_{track}")
    last = ExportAudioDialog(None, str(tmp_path / "out"), 48000, "",
                             stem_names="{song}_{track}")
    qtbot.addWidget(last)
    assert last.choice().stem_names == "{song}_{track}"
    assert last.stem_names.currentText() == "Song_Track — song_Lead.wav"  # no name yet


def test_export_names_the_stems_by_the_song_keeps_other_songs_and_remembers_it(
        opened, dialogs, asked, qtbot, tmp_path):
    """Song_NN_Track: the stems named as `render --stem-names '{song}_{nn}_{track}'`
    names them, {song} the song file's name; another song's stems in the folder stay
    (named apart, they are meant to sit side by side), and the choice is offered again,
    also after a restart."""
    from studio.settings import Settings

    folder = tmp_path / "loops"
    (folder / "stems").mkdir(parents=True)
    (folder / "stems" / "01 - Lead.wav").write_bytes(b"another song's")
    (folder / "stems" / "loop-1_01_Lead.wav").write_bytes(b"another variation's")
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail",
                                                      stem_names="{song}_{nn}_{track}")
    opened.export_stems()
    qtbot.waitUntil(lambda: bool({"show_info", "show_error"} & set(dialogs.names())),
                    timeout=60000)
    assert "show_error" not in dialogs.names() and asked == []  # nothing taken for stale
    assert sorted(p.name for p in (folder / "stems").iterdir()) == [
        "01 - Lead.wav", "loop-1_01_Lead.wav", "song_01_Piano.wav", "song_02_Bass.wav",
        "song_03_Drums.wav"]
    assert sf.info(str(folder / "stems" / "song_02_Bass.wav")).samplerate == 44100
    [first] = [args for n, args in dialogs.calls if n == "ask_export_audio"]
    assert first[10:12] == ("{nn} - {track}", "song")  # the default, and the {song}
    dialogs.answers["ask_export_audio"] = None
    opened.export_stems()
    assert [args for n, args in dialogs.calls if n == "ask_export_audio"][-1][10] == (
        "{song}_{nn}_{track}")
    assert opened.settings.sync() is None
    assert Settings(tmp_path / "settings.ini").export_stem_names() == "{song}_{nn}_{track}"
    (tmp_path / "s.ini").write_text("[export]\nstem_names={track}\n")  # hand-edited
    assert Settings(tmp_path / "s.ini").export_stem_names() == "{nn} - {track}"
    # Exported again so, the files there are this song's: asked before they are replaced.
    dialogs.answers["ask_export_audio"] = AudioExport(folder, 44100, None, "tail",
                                                      stem_names="{song}_{nn}_{track}")
    opened.export_stems()
    [(_, existing)] = [args for n, args in dialogs.calls if n == "ask_replace_export"]
    assert [p.name for p in existing] == ["mix.wav", "song_01_Piano.wav",
                                          "song_02_Bass.wav", "song_03_Drums.wav"]
