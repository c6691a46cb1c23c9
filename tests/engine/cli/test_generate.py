"""``partita compose/regenerate/continue/repaint/harmonize`` with a tiny random model."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
import torch

from engine.cli import generate as gen_cli
from engine.cli import main
from engine.cli.common import CliError
from engine.cli.generate import resolve_model as real_resolve_model
from engine.io import load_song, save_song
from engine.models import vocab
from engine.models.grid_plugin import GridModelPlugin
from engine.plugins.api import ModelInfo
from engine.score import Note, Song, TempoChange, TimeMap, TimeSignature, Track
from engine.score.lead_sheet import with_lead_sheet
from engine.tasks import CHORALE_MODEL
from tests.engine.jobs.toy_models import Answers

DEMO = Path(__file__).resolve().parents[3] / "assets/demo/demo.mid"
Q = 120
BAR = 16 * Q


def tiny_denoiser(tokens, roles, beat_pos):
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(*tokens.shape, vocab.VOCAB_SIZE, generator=g)
    logits[..., vocab.REST] += 4.0
    logits[..., vocab.HOLD] += 4.0
    return logits


tiny_denoiser.max_steps = 64


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch, one_torch_thread):
    info = ModelInfo("tiny", "0", precisions=("fp32", "int8"))
    model = GridModelPlugin(info, tiny_denoiser, context_bars=1)
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model)
    return model


@pytest.fixture
def song_file(tmp_path) -> Path:
    """The demo song when it is there (first 4 bars), else a small band."""
    if DEMO.exists():
        song = load_song(DEMO)
        end = TimeMap.of(song).bar_to_tick(4)
        song = song.with_tracks(t.with_notes(n for n in t.notes if n.start < end)
                                for t in song.tracks)
    else:
        song = Song(tracks=(
            Track(name="Piano", notes=tuple(Note(p, b * BAR, 8 * Q, 70) for b in range(4)
                                            for p in (60, 64, 67))),
            Track(name="Bass", program=33, channel=1,
                  notes=tuple(Note(36, b * 4 * Q, 4 * Q, 90) for b in range(16))),
            Track(name="Drums", is_drum=True, channel=9,
                  notes=tuple(Note(36, b * 4 * Q, Q, 100) for b in range(16))),
        ))
    path = tmp_path / "song.mid"
    save_song(song, path)
    return path


def notes_by_track(song: Song) -> list[list[tuple[int, int, int, int]]]:
    return [[n.key() for n in t.notes] for t in song.tracks]


def test_compose_writes_a_new_song(tmp_path, capsys):
    out = tmp_path / "new.mid"
    rc = main(["compose", "-o", str(out), "--tracks", "Piano,Bass,Drums", "--bars", "4",
               "--tempo", "100", "--meter", "3/4", "--seed", "1", "--steps", "3"])
    assert rc == 0
    song = load_song(out)
    assert len(song.tracks) == 3 and all(t.notes for t in song.tracks)
    assert song.time_signatures[0].numerator == 3
    text = capsys.readouterr().out
    assert "notes written" in text and "in " in text and "seed 1" in text


def test_compose_takes_a_producers_track_names_and_name_equals_instrument(tmp_path):
    out = tmp_path / "beat.partita"
    assert main(["compose", "-o", str(out), "--tracks", "Lead=Synth Lead,808,Trap Kit",
                 "--bars", "2", "--seed", "1", "--steps", "2"]) == 0
    song = load_song(out)
    assert [(t.name, t.program, t.is_drum) for t in song.tracks] == [
        ("Lead", 80, False), ("808", 38, False), ("Trap Kit", 25, True)]


def test_compose_writes_drums_on_a_trap_kit_and_exports_its_kit(tmp_path):
    # The TR-808 kit is program 25 on channel 10: partita-base still writes the track as
    # a kit (kick, snare, hats), and the MIDI file selects the kit there.
    import mido

    out = tmp_path / "beat.mid"
    assert main(["compose", "-o", str(out), "--tracks", "Piano,Trap Kit,909 Kit",
                 "--bars", "2", "--seed", "1", "--steps", "2"]) == 0
    song = load_song(out)
    kits = [t for t in song.tracks if t.is_drum]
    assert [(t.name, t.program, t.channel) for t in kits] == [
        ("Trap Kit", 25, 9), ("909 Kit", 24, 9)]
    assert all({36, 38} & {n.pitch for n in t.notes} for t in kits)  # a kick or a snare
    changes = {(m.channel, m.program) for track in mido.MidiFile(out).tracks for m in track
               if m.type == "program_change"}
    assert {(9, 25), (9, 24)} <= changes


def test_compose_variations_say_each_files_key(tmp_path, capsys):
    # "cv.mid: written in D major, C major, F major" named a file never written.
    out = tmp_path / "cv.mid"
    assert main(["compose", "-o", str(out), "--tracks", "Piano", "--bars", "1",
                 "--variations", "2", "--seed", "1", "--steps", "2"]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "drawn from the seed" in x)
    assert line.startswith(f"compose: written: {tmp_path / 'cv-1.mid'} in ")
    assert f", {tmp_path / 'cv-2.mid'} in " in line and f"{out}:" not in line


def test_compose_takes_a_grouped_meter(tmp_path):
    out = tmp_path / "dance.partita"
    assert main(["compose", "-o", str(out), "--tracks", "Drums", "--bars", "2",
                 "--meter", "3+2+2/8", "--seed", "1", "--steps", "2"]) == 0
    song = load_song(out)
    assert [s.text for s in song.time_signatures] == ["3+2+2/8"]
    assert TimeMap.of(song).bar_to_tick(2) == song.length == 2 * 7 * 240


def test_repaint_changes_only_the_asked_bars_and_tracks(song_file, tmp_path):
    out = tmp_path / "out.mid"
    before = load_song(song_file)
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars", "2-3",
                 "--pitch", "C4-72", "--seed", "4", "--steps", "3", "--key", "C"]) == 0
    after = load_song(out)
    tm = TimeMap.of(before)
    lo, hi = tm.bar_to_tick(1), tm.bar_to_tick(3)

    def outside(song):  # track 1 outside bars 2-3 × C4..72, and every other track
        first = [n.key() for n in song.tracks[0].notes
                 if not (lo <= n.start < hi and 60 <= n.pitch <= 72)]
        return [first, *notes_by_track(song)[1:]]

    assert outside(after) == outside(before)


def test_regenerate_continue_and_harmonize_run_on_a_song(song_file, tmp_path):
    before = load_song(song_file)
    out = tmp_path / "regen.mid"
    assert main(["regenerate", str(song_file), "-o", str(out), "--track", "2", "--seed",
                 "2", "--steps", "2"]) == 0
    regen = load_song(out)
    assert notes_by_track(regen)[0] == notes_by_track(before)[0]

    out = tmp_path / "cont.mid"
    assert main(["continue", str(song_file), "-o", str(out), "--bars", "2", "--seed", "2",
                 "--steps", "2"]) == 0
    cont = load_song(out)
    # The demo's first 4 bars keep its 32-bar length: the new bars follow the music.
    tm = TimeMap.of(before)
    bars = tm.whole_bars(max(t.end for t in before.tracks))
    assert TimeMap.of(cont).bar_count(cont.end) == max(bars + 2, tm.bar_count(before.end))
    start, end = tm.bar_to_tick(bars), tm.bar_to_tick(bars + 2)
    for a, b in zip(before.tracks, cont.tracks, strict=True):
        assert [n.key() for n in b.notes if n.start < start] == [n.key() for n in a.notes]
    assert all(n.start < end for t in cont.tracks for n in t.notes)
    assert any(n.start >= start for t in cont.tracks for n in t.notes)

    out = tmp_path / "harm.mid"  # the melody: the first pitched track (the demo's 1 is Drums)
    melody = next(i for i, t in enumerate(before.tracks) if not t.is_drum)
    assert main(["harmonize", str(song_file), "-o", str(out), "--melody", str(melody + 1),
                 "--seed", "2", "--steps", "2"]) == 0
    assert notes_by_track(load_song(out))[melody] == notes_by_track(before)[melody]

    # --tracks: only those tracks are filled (the drums of a band stay as they are).
    out = tmp_path / "harm-some.mid"
    fill = next(i for i, t in enumerate(before.tracks) if i != melody and not t.is_drum)
    assert main(["harmonize", str(song_file), "-o", str(out), "--melody", str(melody + 1),
                 "--tracks", str(fill + 1), "--seed", "2", "--steps", "2"]) == 0
    after = notes_by_track(load_song(out))
    assert [i for i in range(len(after)) if after[i] != notes_by_track(before)[i]] == [fill]
    assert main(["harmonize", str(song_file), "-o", str(out), "--melody", str(melody + 1),
                 "--tracks", str(melody + 1)]) == 1  # the melody is never rewritten


def test_an_accompaniment_asked_for_a_song_with_other_tracks_is_said_unused(song_file,
                                                                           tmp_path, capsys):
    """QA: `harmonize SONG --accompaniment satb` on a song with Piano and Bass rewrote
    those and said nothing of the voices asked for."""
    song = load_song(song_file)
    melody = next(i for i, t in enumerate(song.tracks) if not t.is_drum)
    others = ", ".join(t.name for i, t in enumerate(song.tracks) if i != melody)
    out = tmp_path / "harm.mid"
    argv = ["harmonize", str(song_file), "-o", str(out), "--melody", str(melody + 1),
            "--seed", "2", "--steps", "2"]
    assert main([*argv, "--accompaniment", "satb"]) == 0
    assert (f"partita: note: {out}: --accompaniment satb adds tracks under a lone melody; "
            f"the song has {others}: harmonizing those (--tracks to choose)"
            in capsys.readouterr().err)
    assert main(argv) == 0  # auto: nothing to say
    assert "--accompaniment" not in capsys.readouterr().err


def test_variations_write_numbered_different_files(song_file, tmp_path, capsys):
    out = tmp_path / "take.mid"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars", "1-2",
                 "--variations", "3", "--seed", "5", "--steps", "2"]) == 0
    files = [tmp_path / f"take-{i}.mid" for i in (1, 2, 3)]
    assert all(f.exists() for f in files) and not out.exists()
    songs = [notes_by_track(load_song(f)) for f in files]
    assert songs[0] != songs[1] and songs[1] != songs[2] and songs[0] != songs[2]
    assert "3 takes" in capsys.readouterr().out


def test_ten_or_more_variations_are_numbered_to_sort_in_order(tmp_path):
    """QA: x-1, x-10, x-2 in a file browser. Under 10 the names are as earlier runs'."""
    from engine.cli.generate import _outputs

    out = tmp_path / "x.mid"
    assert [p.name for p in _outputs(out, 3)] == ["x-1.mid", "x-2.mid", "x-3.mid"]
    names = [p.name for p in _outputs(out, 12)]
    assert names[:2] == ["x-01.mid", "x-02.mid"] and names[-1] == "x-12.mid"
    assert sorted(names) == names
    assert _outputs(out, 100)[0].name == "x-001.mid"
    assert _outputs(out, 12, as_takes=True) == [out]


@pytest.mark.parametrize("argv, message", [
    (["repaint", "{song}", "--tracks", "Kazoo", "--bars", "1-2"], "{song}: no track named 'Kazoo'"),
    (["repaint", "{song}", "--tracks", "1", "--bars", "3-1"], "--bars '3-1'"),
    (["repaint", "{song}", "--tracks", "1", "--bars", "1", "--pitch", "X9-2"], "--pitch"),
    (["regenerate", "{song}", "--track", "9"], "{song}: track number 9 is out of range"),
    (["continue", "{song}", "--bars", "2", "--key", "H#"], "--key"),
    (["continue", "{song}", "--bars", "2", "--precision", "int4"], "no int4 weights"),
    (["compose", "--tracks", "Kazoo-tron"], "unknown instrument"),
    (["compose", "--tracks", "Piano,808 Base"],
     "unknown instrument '808 Base': did you mean 808 Bass"),
    (["compose", "--meter", "three"], "--meter"),
    (["compose", "--tempo", "100", "--tempo", "90"], "--tempo given twice (100, then 90)"),
    (["compose", "--meter", "3+3/4"], "--meter '3+3/4': 6/4 is counted in its own beats"),
])
def test_bad_input_is_one_clear_line(song_file, tmp_path, capsys, argv, message):
    argv = [a.replace("{song}", str(song_file)) for a in argv] + ["-o", str(tmp_path / "x.mid")]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    message = message.replace("{song}", str(song_file))
    assert len(err) == 1 and err[0].startswith("partita: error:") and message in err[0]


def test_parsers():
    song = Song(time_signatures=(TimeSignature(0, 4, 4), TimeSignature(4 * BAR, 3, 4)))
    beat = BAR // 4
    assert gen_cli.parse_spans("5-8", song) == [(4 * BAR, 4 * BAR + 4 * 3 * beat)]
    assert gen_cli.parse_spans("3", song) == [(2 * BAR, 3 * BAR)]
    # bar.beat: from the 3rd beat of bar 2 through the 2nd beat of bar 3; bars 5 on are 3/4
    assert gen_cli.parse_spans("2.3-3.2, 6.3", song) == [
        (BAR + 2 * beat, 2 * BAR + 2 * beat), (4 * BAR + 5 * beat, 4 * BAR + 6 * beat)]
    pickup = Song(time_signatures=(TimeSignature(0, 1, 4), TimeSignature(beat, 4, 4)))
    # As a score numbers it: the pickup is bar 0, the first full bar bar 1.
    assert gen_cli.parse_spans("0.1", pickup) == [(0, beat)]  # the pickup's one beat
    assert gen_cli.parse_spans("1", pickup) == [(beat, beat + BAR)]
    assert gen_cli.parse_spans("0-1", pickup) == [(0, beat + BAR)]
    with pytest.raises(CliError, match=re.escape("bar 0 has beats 1-1 (1/4)")):
        gen_cli.parse_spans("0.3", pickup)  # not bar 1's second beat
    short = Song(time_signatures=(TimeSignature(0, 4, 4), TimeSignature(BAR + 2 * beat, 3, 4)))
    with pytest.raises(CliError, match=re.escape("bar 2 has beats 1-2 (a short bar")):
        gen_cli.parse_spans("2.3", short)
    grouped = Song(time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)),))
    with pytest.raises(CliError, match=re.escape("bar 1 has beats 1-7 (3+2+2/8)")):
        gen_cli.parse_spans("1.8", grouped)  # the grouping named, as info and the ruler do
    for bad, why in (("3-1", "ends before it starts"), ("0-2", "bars count from 1"),
                     ("5.4", "bar 5 has beats 1-3 (3/4)"), ("2.0", "bar 2 has beats 1-4"),
                     ("a-b", "give bars as A-B")):
        with pytest.raises(CliError, match=re.escape(why)):
            gen_cli.parse_spans(bad, song)
    assert gen_cli.parse_pitch("C4") == 60 and gen_cli.parse_pitch("F#3") == 54
    assert gen_cli.parse_pitch_range("48-C5") == (48, 72)
    with pytest.raises(CliError, match="is not a pitch"):
        gen_cli.parse_pitch("6²")  # a digit int() refuses: was a ValueError traceback


def test_a_model_folder_can_be_named_instead_of_an_installed_model(tmp_path, monkeypatch):
    from engine.models.checkpoint import save_model
    from engine.models.network import AxialDenoiser, NetworkConfig

    monkeypatch.undo()  # the real resolver, not the tiny stand-in
    folder = tmp_path / "runs" / "mine" / "best"
    save_model(folder, AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2)),
               {"name": "mine", "version": "0.1.0"})
    model = gen_cli.resolve_model(str(folder), "repaint")
    assert model.info.name == "mine"
    with pytest.raises(Exception, match="no model named"):
        gen_cli.resolve_model("not-installed", "repaint")


def test_chords_ignore_turns_chord_following_off(song_file, tmp_path, monkeypatch):
    seen = []

    def recorder(denoiser, tokens, editable, roles, beat, allowed, options, progress, cancel,
                 **kw):
        seen.append(options.follow_chords)
        return tokens.copy()

    model = GridModelPlugin(ModelInfo("rec", "0"), tiny_denoiser, sampler=recorder)
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model)
    out = tmp_path / "out.mid"
    for flag in ([], ["--chords", "follow"], ["--chords", "ignore"]):
        assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars",
                     "2-3", "--seed", "1", *flag]) == 0
    assert seen == [True, True, False]


def test_avoid_parallels_reaches_the_sampler(song_file, tmp_path, monkeypatch):
    seen = []

    def recorder(denoiser, tokens, editable, roles, beat, allowed, options, progress, cancel,
                 **kw):
        seen.append(options.avoid_parallels)
        return tokens.copy()

    model = GridModelPlugin(ModelInfo("rec", "0"), tiny_denoiser, sampler=recorder)
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model)
    out = tmp_path / "out.mid"
    for flag in ([], ["--avoid-parallels"], ["--no-avoid-parallels"]):
        assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars",
                     "2-3", "--seed", "1", *flag]) == 0
    assert seen == [False, True, False]
    # A chorale: on unless turned off (the "both ways" samples were one file).
    seen.clear()
    satb = tmp_path / "satb.mid"
    notes = tuple(Note(60 + i % 5, i * 480, 480) for i in range(8))
    save_song(Song(tracks=(Track(name="Soprano", program=52, notes=notes),)), satb)
    for flag in ([], ["--no-avoid-parallels"]):
        assert main(["harmonize", str(satb), "-o", str(out), "--melody", "1",
                     "--accompaniment", "satb", "--seed", "1", *flag]) == 0
    assert seen == [True, False]


def expect_refusal(argv, capsys, message):
    """``argv`` fails with one ``partita: error:`` line holding ``message``."""
    assert main([str(a) for a in argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("partita: error:") and message in err[0], err
    assert "Traceback" not in err[0]


@pytest.fixture
def no_model(monkeypatch):
    """A model that must not be asked for: the command fails before any generation."""
    def refuse(name, task):
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr(gen_cli, "resolve_model", refuse)


@pytest.mark.parametrize("argv, message", [
    (["repaint", "{song}", "--tracks", "1", "--bars", "1-2", "--seed", "-5"],
     "--seed must be 0 or more (got -5)"),
    (["compose", "--temperature", "nan"], "--temperature must be a finite number"),
    (["compose", "--temperature", "inf"], "--temperature must be a finite number"),
    (["compose", "--temperature=-inf"], "--temperature must be a finite number"),
    (["compose", "--temperature", "0"], "--temperature must be above 0"),
    (["compose", "--top-p", "nan"], "--top-p must be a finite number"),
    (["compose", "--density", "inf"], "--density must be a finite number"),
    (["continue", "{song}", "--bars", "2", "--density", "nan"], "--density must be a finite"),
    (["continue", "{song}", "--bars", "2", "--range", "Z9"], "--range 'Z9': give a range"),
    # continue --keep-rhythm wrote 8 silent bars and exited 0.
    (["continue", "{song}", "--bars", "8", "--keep-rhythm", "--seed", "1"],
     "--keep-rhythm keeps the rhythm of the notes a take replaces, and continue writes new "
     "bars, which have none"),
    (["compose", "--keep-rhythm"], "and compose writes new bars"),
])
def test_bad_values_fail_before_the_model_and_write_nothing(song_file, tmp_path, capsys,
                                                             no_model, argv, message):
    out = tmp_path / "x.mid"
    expect_refusal([a.replace("{song}", str(song_file)) for a in argv] + ["-o", out], capsys,
                   message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mid"]


def test_tempo_nan_is_refused(tmp_path, capsys):
    out = tmp_path / "x.mid"
    expect_refusal(["compose", "-o", out, "--tempo", "nan"], capsys, "tempo nan BPM")
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    ["compose"],
    ["compose", "--variations", "2"],
    ["repaint", "{song}", "--tracks", "1", "--bars", "1-2"],
    ["regenerate", "{song}", "--track", "1"],
    ["continue", "{song}", "--bars", "1"],
    ["harmonize", "{song}", "--melody", "1"],
])
def test_an_output_under_a_file_fails_before_the_model(song_file, tmp_path, capsys,
                                                       no_model, argv):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "new" / "out.mid"
    expect_refusal([a.replace("{song}", str(song_file)) for a in argv] + ["-o", out], capsys,
                   f".mid: {tmp_path / 'notes.txt'} is a file, not a folder")


def test_an_output_in_a_missing_folder_is_written_there(song_file, tmp_path, capsys):
    """QA: `harmonize -o missing/out.mid` was refused ("folder missing does not exist")
    while `render -o 'bad dir/x.wav'` made its folder: the song's folder is made too, once
    there is a song to write, as render makes its mix's."""
    out = tmp_path / "new" / "deeper" / "out.mid"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars", "1",
                 "--seed", "1", "--steps", "2"]) == 0
    assert out.is_file()
    capsys.readouterr()
    failed = tmp_path / "never" / "out.mid"  # the model fails: no folder left behind
    assert main(["repaint", str(song_file), "-o", str(failed), "--tracks", "Kazoo", "--bars",
                 "1"]) == 1
    assert not failed.parent.exists()
    assert "no track named 'Kazoo'" in capsys.readouterr().err
    expect_refusal(["compose", "-o", tmp_path / "out.wav"], capsys, "cannot write .wav")


@pytest.mark.parametrize("argv", [
    ["repaint", "{song}", "--tracks", "1", "--bars", "1-2"],
    ["regenerate", "{song}", "--track", "1"],
    ["continue", "{song}", "--bars", "1"],
    ["harmonize", "{song}", "--melody", "1"],
])
def test_generation_never_overwrites_its_input(song_file, tmp_path, capsys, no_model, argv):
    before = song_file.read_bytes()
    argv = [a.replace("{song}", str(song_file)) for a in argv]
    same = tmp_path / ".." / tmp_path.name / song_file.name  # another spelling of the input
    expect_refusal([*argv, "-o", same], capsys, "refusing to overwrite the input file")
    # A take of --variations that would land on the input is refused too.
    take = song_file.with_name("take-2.mid")
    take.write_bytes(before)
    expect_refusal([a.replace(str(song_file), str(take)) for a in argv]
                   + ["-o", tmp_path / "take.mid", "--variations", "2"], capsys,
                   f"{take}: refusing to overwrite the input file")
    assert song_file.read_bytes() == before and take.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mid", "take-2.mid"]


def song_bars(path: Path) -> int:
    song = load_song(path)
    return TimeMap.of(song).bar_count(song.end)


def test_repaint_after_the_last_bar_is_refused(song_file, tmp_path, capsys, no_model):
    n = song_bars(song_file)
    out = tmp_path / "x.mid"
    expect_refusal(["repaint", song_file, "-o", out, "--tracks", "1", "--bars",
                    f"{n + 1}-{n + 5}"], capsys,
                   f"partita: error: {song_file}: bars {n + 1}-{n + 5} start after the song's "
                   f"last bar ({n}); use `partita continue` to add bars")
    expect_refusal(["repaint", song_file, "-o", out, "--tracks", "1", "--bars", f"{n + 8}"],
                   capsys, f"song.mid: bar {n + 8} starts after the song's last bar ({n})")
    assert not out.exists()


def test_repaint_past_the_end_is_cut_at_the_last_bar(song_file, tmp_path, capsys):
    n = song_bars(song_file)
    out = tmp_path / "out.mid"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars",
                 f"{n - 1}-{n + 3}", "--seed", "1", "--steps", "2"]) == 0
    err = capsys.readouterr().err
    assert (f"bars {n - 1}-{n + 3} run past the song's last bar ({n}): repainting "
            f"bars {n - 1}-{n}") in err
    assert song_bars(out) == n


def test_repaint_and_regenerate_keep_a_song_that_ends_mid_bar_as_long(tmp_path, capsys):
    """QA: a MIDI file ending mid-bar (freedink-1, a DAW's export) grew to its last bar
    line when that bar was repainted or the track regenerated, every clip with it."""
    song = Song(tracks=(Track(name="Piano", notes=tuple(
        Note(60 + b % 5, b * 8 * Q, 8 * Q, 80) for b in range(7))),), ppq=4 * Q)
    assert song.end == 56 * Q  # bar 4, beat 3 (Q is a 16th): the last bar line is at 64
    path, out = tmp_path / "mid-bar.mid", tmp_path / "out.mid"
    save_song(song, path)
    for argv in (["repaint", "--tracks", "1", "--bars", "3-4"],
                 ["regenerate", "--track", "1"]):
        assert main([argv[0], str(path), "-o", str(out), *argv[1:], "--seed", "1",
                     "--steps", "2"]) == 0
        assert load_song(out).end <= song.end, argv[0]
    # A span starting in the last bar after the music ends is refused, not run for nothing.
    capsys.readouterr()
    expect_refusal(["repaint", path, "-o", out, "--tracks", "1", "--bars", "4.4"], capsys,
                   "mid-bar.mid: bar 4.4 starts after the song's end (4.3.000)")
    # One that runs on past the last bar too is refused as that alone: no note first that
    # it is cut to a span it then refuses.
    expect_refusal(["repaint", path, "-o", out, "--tracks", "1", "--bars", "4.4-6"], capsys,
                   f"partita: error: {path}: bars 4.4-6 start after the song's end (4.3.000)")


def test_a_repaint_under_a_held_note_says_why_nothing_was_written(tmp_path, capsys):
    """A film composer repainted bars 5-8 of a contrabass pedal held from bar 1: "the
    same notes as before … try another --seed", though no seed can start a note under it."""
    bar = 16 * Q
    song = Song(tracks=(
        Track(name="Violin", program=40, notes=tuple(Note(72, i * 4 * Q, 4 * Q, 80)
                                                     for i in range(48))),
        Track(name="Contrabass", program=43, notes=(Note(38, 0, 8 * bar, 80),
                                                    Note(41, 8 * bar, 4 * bar, 80)))),
        ppq=4 * Q)
    path, out = tmp_path / "pedal.mid", tmp_path / "out.mid"
    save_song(song, path)
    assert main(["repaint", str(path), "-o", str(out), "--tracks", "Contrabass", "--bars",
                 "5-8", "--seed", "1", "--steps", "2"]) == 0
    said = capsys.readouterr().out
    assert ("the Contrabass note held from bar 1 sounds through bars 5-8, and nothing can "
            "start under it") in said and "another --seed" not in said


def pickup_song(tmp_path) -> tuple[Path, Song]:
    """A 1/4 pickup, then four full bars of 4/4, a quarter note on every beat."""
    beats = 1 + 4 * 4
    song = Song(tracks=(Track(name="Piano", notes=tuple(
        Note(60 + i % 8, i * 4 * Q, 4 * Q, 80) for i in range(beats))),), ppq=4 * Q,
        time_signatures=(TimeSignature(0, 1, 4), TimeSignature(4 * Q, 4, 4)))
    path = tmp_path / "pickup.partita"
    save_song(song, path)
    return path, song


def test_repaint_bars_are_numbered_as_a_score_numbers_them_after_a_pickup(tmp_path):
    """A choir director's "bars 1-2" are the first two full bars, as in MuseScore,
    Sibelius and Dorico: the pickup is bar 0 (Partita once called it bar 1)."""
    path, before = pickup_song(tmp_path)
    out = tmp_path / "out.partita"
    assert main(["repaint", str(path), "-o", str(out), "--tracks", "1", "--bars", "1-2",
                 "--seed", "3", "--steps", "3"]) == 0
    after = load_song(out)
    lo, hi = 4 * Q, 4 * Q + 2 * BAR  # after the pickup's quarter, two bars of 4/4

    def inside(song: Song) -> list[tuple[int, int, int, int]]:
        return [n.key() for n in song.tracks[0].notes if lo <= n.start < hi]

    def outside(song: Song) -> list[tuple[int, int, int, int]]:
        return [n.key() for n in song.tracks[0].notes if not lo <= n.start < hi]

    assert outside(after) == outside(before)  # the pickup and bars 3-4 are untouched
    assert inside(after) != inside(before)  # bars 1-2 were rewritten
    assert all(lo <= n.start and n.end <= hi for n in after.tracks[0].notes
               if n.key() not in outside(before))


def test_bar_0_is_the_pickup_and_a_song_without_one_has_none(tmp_path, capsys, no_model):
    path, song = pickup_song(tmp_path)
    assert gen_cli.parse_spans("0-4", song) == [(0, 4 * Q + 4 * BAR)]  # the whole song
    assert gen_cli.parse_spans("0", song) == [(0, 4 * Q)]
    plain = tmp_path / "plain.partita"
    save_song(Song(tracks=song.tracks, ppq=4 * Q), plain)  # the same notes, in 4/4 only
    expect_refusal(["repaint", plain, "-o", tmp_path / "x.partita", "--tracks", "1",
                    "--bars", "0-4"], capsys,
                   "--bars '0-4': bars count from 1 (bars 1–5; bar 0 is a pickup, and this "
                   "song has none)")
    expect_refusal(["repaint", path, "-o", tmp_path / "x.partita", "--tracks", "1",
                    "--bars", "5-6"], capsys,
                   "pickup.partita: bars 5-6 start after the song's last bar (4)")


def test_the_summary_counts_tracks_that_share_a_name(tmp_path, capsys):
    out = tmp_path / "two.mid"
    assert main(["compose", "-o", str(out), "--tracks", "Piano,Piano,Bass", "--bars", "2",
                 "--seed", "1", "--steps", "2"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    song = load_song(out)
    counts = [len(t.notes) for t in song.tracks]
    assert line == (f"{out}: {sum(counts)} notes written (Piano (1) {counts[0]}, "
                    f"Piano (2) {counts[1]}, Bass {counts[2]}), seed 1")


def test_a_lone_sung_melody_is_harmonized_by_the_chorale_model(tmp_path, monkeypatch, capsys,
                                                              tiny_model):
    # partita-base's four-part harmony is poor; without --model the chorale model writes it.
    asked: list[str | None] = []

    def resolve(name, task):
        asked.append(name)
        return tiny_model

    monkeypatch.setattr(gen_cli, "resolve_model", resolve)
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    soprano = Track(name="Soprano", program=52,
                    notes=tuple(Note(67 + b % 3, b * 4 * Q, 4 * Q, 80) for b in range(8)))
    path = tmp_path / "soprano.mid"
    save_song(Song(tracks=(soprano,)), path)
    out = tmp_path / "satb.mid"
    assert main(["harmonize", str(path), "-o", str(out), "--melody", "1", "--seed", "1"]) == 0
    assert asked == [CHORALE_MODEL]
    assert "using chorale-jsb" in capsys.readouterr().err
    assert [t.name for t in load_song(out).tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    asked.clear()  # a model the user names is the model that runs
    assert main(["harmonize", str(path), "-o", str(out), "--melody", "1", "--model", "x"]) == 0
    assert asked == ["x"]
    # Repainting one voice of the chorale: the chorale model again.
    asked.clear()
    again = tmp_path / "alto.mid"
    assert main(["repaint", str(out), "-o", str(again), "--tracks", "Alto", "--bars", "1-2",
                 "--seed", "1"]) == 0
    assert asked == [CHORALE_MODEL]
    asked.clear()  # a band's bass is the general model's
    band = tmp_path / "band.mid"
    bass = Track(name="Bass Guitar", program=33, channel=1, notes=soprano.notes)
    save_song(Song(tracks=(soprano, bass)), band)
    assert main(["repaint", str(band), "-o", str(again), "--tracks", "2", "--bars", "1-2"]) == 0
    assert asked == [None]


def test_a_lone_violin_is_harmonized_as_a_string_quartet(tmp_path, monkeypatch, tiny_model,
                                                         capsys):
    """QA: `harmonize lone.partita --melody "Violin I"` named the new parts Alto, Tenor and
    Bass on a violin, a viola and a cello: a quartet's parts are named as it plays them,
    and so does the note on the model chosen for them."""
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: tiny_model)
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    violin = Track(name="Violin I", program=40,
                   notes=tuple(Note(76 + b % 3, b * 4 * Q, 4 * Q, 80) for b in range(4)))
    path, out = tmp_path / "lone.partita", tmp_path / "quartet.partita"
    save_song(Song(tracks=(violin,)), path)
    assert main(["harmonize", str(path), "-o", str(out), "--melody", "Violin I",
                 "--seed", "1"]) == 0
    assert [(t.name, t.program) for t in load_song(out).tracks] == [
        ("Violin I", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42)]
    assert (f"partita: note: {out}: Violin II, Viola and Cello under a lone melody: using "
            "chorale-jsb (--model to choose)") in capsys.readouterr().err.splitlines()


def test_chorale_writing_avoids_consecutive_fifths_without_being_asked():
    from engine.plugins.api import GenerateOptions
    from engine.tasks import chorale_options, is_chorale

    satb = Song(tracks=tuple(Track(name=n) for n in ("Soprano", "Alto", "Tenor", "Bass")))
    alto = satb.tracks[1].id
    assert is_chorale(satb, [alto])
    assert chorale_options(satb, [alto], GenerateOptions()).avoid_parallels is True
    off = GenerateOptions(avoid_parallels=False)  # the user's choice stands
    assert chorale_options(satb, [alto], off).avoid_parallels is False
    band = Song(tracks=(Track(name="Soprano"), Track(name="Bass Guitar")))
    assert not is_chorale(band, [band.tracks[1].id])
    assert not is_chorale(satb, [])  # nothing to write


def test_a_take_written_to_a_project_keeps_the_projects_studio_state(song_file, tmp_path):
    src, out = tmp_path / "song.partita", tmp_path / "take.partita"
    save_song(load_song(song_file), src, studio={"snap": "1/8", "playhead": 960})
    assert main(["repaint", str(src), "-o", str(out), "--tracks", "1", "--bars", "2-3",
                 "--seed", "1"]) == 0
    assert json.loads(out.read_text())["studio"] == {"snap": "1/8", "playhead": 960}


def boom(song, mask):
    raise RuntimeError("boom")


@pytest.mark.parametrize("answer, message", [
    (boom, "model 'qa' failed: RuntimeError: boom"),
    (lambda s, m: None, "model 'qa' returned NoneType, expected a mapping of track id → notes"),
])
def test_a_failing_model_is_one_line_naming_it(song_file, tmp_path, capsys, monkeypatch,
                                               answer, message):
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(answer))
    out = tmp_path / "x.mid"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1",
                 "--bars", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"partita: error: {message}"]
    assert not out.exists()


def test_a_keyboard_interrupt_from_a_model_is_not_the_users_ctrl_c(song_file, tmp_path,
                                                                   capsys, monkeypatch):
    import os
    import signal

    def interrupt(song, mask):
        raise KeyboardInterrupt

    def ctrl_c(song, mask):  # the user presses Ctrl+C while the model runs
        os.kill(os.getpid(), signal.SIGINT)
        return {}

    out = tmp_path / "x.mid"
    argv = ["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars", "1"]
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(interrupt))
    assert main(argv) == 1
    # QA: "(a model plugin?)" — the command knows which model it was running.
    assert capsys.readouterr().err == ("partita: error: KeyboardInterrupt raised by model "
                                       "'qa', not by Ctrl+C\n")
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(ctrl_c))
    assert main(argv) == 130
    assert capsys.readouterr().err.strip().endswith("partita: interrupted")
    assert not out.exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_counts_are_written_in_words(song_file, tmp_path, capsys, monkeypatch):
    def one_note(song, mask):
        return {min(mask.track_ids): (Note(60, mask.span[0], Q, 90),)}

    argv = ["repaint", str(song_file), "--tracks", "1,2", "--bars", "1", "--seed", "3"]
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(one_note))
    assert main([*argv, "-o", str(tmp_path / "one.mid")]) == 0
    first, second = capsys.readouterr().out.splitlines()
    name = load_song(song_file).tracks[0].name
    assert first == f"{tmp_path / 'one.mid'}: 1 note written ({name} 1), seed 3"
    assert second.startswith("repaint: 1 take with qa in ")
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(lambda s, m: {}))
    assert main([*argv, "-o", str(tmp_path / "none.mid")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{tmp_path / 'none.mid'}: qa wrote no notes, seed 3 (the song is as it was)")


def test_a_model_path_must_be_a_folder(monkeypatch):
    monkeypatch.undo()  # the real resolver
    with pytest.raises(gen_cli.CliError, match=r"--model \./nowhere: no such model folder"):
        gen_cli.resolve_model("./nowhere", "repaint")


def test_new_notes_keep_the_songs_key_unless_key_none(tmp_path, capsys, monkeypatch):
    from tests.engine.tasks.test_keys import D_MINOR, song_of
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    src = tmp_path / "dm.mid"
    save_song(song_of(D_MINOR, "Dm"), src)
    args = ["repaint", str(src), "-o", str(tmp_path / "out.mid"), "--tracks", "1",
            "--bars", "4-5", "--steps", "3", "--seed", "2"]
    assert main(args) == 0
    assert "new notes kept in D minor, the key of the music around them" in capsys.readouterr().err

    def chromatic(song, mask):  # a plugin that ignores options.key
        start = mask.span[0]
        return {min(mask.track_ids): tuple(Note(60 + i, start + i * Q, Q, 80) for i in range(12))}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(chromatic))
    assert main(args) == 0
    # No --key was given: the key was found, not asked for (jazz QA: "was asked" said so)
    assert (f"repaint: {tmp_path / 'out.mid'}: qa was to keep new notes in D minor, the key "
            "found around them, but 4 of its 12 new notes are outside it (the model does "
            "not follow --key)") in capsys.readouterr().err

    def one_off(song, mask):  # D, F and A are in D minor; D# is not
        start = mask.span[0]
        return {min(mask.track_ids): tuple(Note(p, start + i * Q, Q, 80)
                                           for i, p in enumerate((62, 63, 65, 69)))}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(one_off))
    assert main(args) == 0
    assert ("but 1 of its 4 new notes is outside it (the model does not follow --key)"
            in capsys.readouterr().err)
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    assert main([*args, "--key", "none"]) == 0
    assert "kept in" not in capsys.readouterr().err
    assert main([*args, "--key", "H"]) == 1
    assert "(or 'auto', 'none')" in capsys.readouterr().err


def test_a_named_key_is_written_as_the_key_signature_of_a_song_that_has_none(
        tmp_path, capsys, monkeypatch):
    from tests.engine.tasks.test_keys import G_MAJOR, song_of
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    src = tmp_path / "tune.mid"
    save_song(song_of(G_MAJOR), src)  # no key signature
    out = tmp_path / "out.mid"
    assert main(["regenerate", str(src), "-o", str(out), "--track", "Piano", "--key", "G",
                 "--steps", "2", "--seed", "1"]) == 0
    assert (f"regenerate: {out}: key signature G major from bar 1 (--key; the song declared "
            "no key there)") in capsys.readouterr().err
    assert [(k.tick, k.key) for k in load_song(out).key_signatures] == [(0, "G")]
    # Straight into a score: the key signature is the score's.
    music21 = pytest.importorskip("music21")
    score = tmp_path / "out.musicxml"
    assert main(["regenerate", str(src), "-o", str(score), "--track", "Piano", "--key",
                 "Em", "--steps", "2", "--seed", "1"]) == 0
    capsys.readouterr()
    keys = music21.converter.parse(score).parts[0].recurse().getElementsByClass("KeySignature")
    assert [str(k) for k in keys] == ["e minor"]
    # Auto names no key: the song still declares none.
    assert main(["regenerate", str(src), "-o", str(out), "--track", "Piano", "--steps", "2",
                 "--seed", "1"]) == 0
    assert "key signature" not in capsys.readouterr().err
    assert load_song(out).key_signatures == ()


def test_with_variations_what_is_said_names_each_file_written(tmp_path, capsys,
                                                              monkeypatch):
    """QA: with --variations 2, "repaint: out.mid: new notes kept in D minor …" named
    out.mid, which is never written (out-1.mid and out-2.mid are)."""
    from tests.engine.tasks.test_keys import D_MINOR, song_of
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    src = tmp_path / "dm.mid"
    save_song(song_of(D_MINOR, "Dm"), src)
    out = tmp_path / "out.mid"
    assert main(["repaint", str(src), "-o", str(out), "--tracks", "1", "--bars", "4-5",
                 "--steps", "3", "--seed", "2", "--variations", "2"]) == 0
    err = capsys.readouterr().err
    for take in ("out-1.mid", "out-2.mid"):
        assert (f"repaint: {tmp_path / take}: new notes kept in D minor, the key of the "
                "music around them") in err
    assert f"{out}:" not in err and not out.exists()


def test_a_sketchs_key_is_said_and_so_is_none(tmp_path, capsys, monkeypatch):
    """QA: a new sketch (C4 E4 G4 C5 | E4 A4 B4) repainted got C#5, A#4, G#3 and G#4,
    and nothing said its new notes were in no key."""
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    q = 480
    pitches = (60, 64, 67, 72, 64, 69, 71)
    notes = tuple(Note(p, i * q, q, 80) for i, p in enumerate(pitches))
    for kept, said in ((notes, "new notes kept in C major, the key of the music around "
                                "them (--key none lifts it)"),
                       (notes[:4], "new notes are in no key: too few notes around them to "
                                   "name a key (--key sets one, e.g. --key C or --key Am)")):
        src = tmp_path / "sketch.partita"
        save_song(Song(tracks=(Track("Piano", notes=kept),), length=16 * q), src)
        assert main(["repaint", str(src), "-o", str(tmp_path / "out.partita"), "--tracks",
                     "Piano", "--bars", "3-4", "--steps", "3", "--seed", "1"]) == 0
        assert f"repaint: {tmp_path / 'out.partita'}: {said}" in capsys.readouterr().err


def test_a_tonal_tune_harmonized_is_said_to_be_in_its_key(tmp_path, capsys, monkeypatch):
    """QA: a plain G-major tune on a violin, in a MIDI file with no key signature, was
    harmonized "in no key"; on a flute its Piano and Bass left G major."""
    from tests.engine.tasks.test_keys import G_TUNE, tune
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    out = tmp_path / "out.mid"
    for name, program, said in (
            ("Violin", 40, "new notes are in G major, the key of the music around them, but "
                           "not kept in its scale: a chorale's chords are its own, chromatic "
                           "ones too (--key G keeps them in G major)"),
            ("Flute", 73, "new notes kept in G major, the key of the music around them "
                          "(--key none lifts it)")):
        src = tmp_path / f"{name}.mid"
        save_song(tune(G_TUNE, name, program), src)
        assert main(["harmonize", str(src), "-o", str(out), "--melody", name, "--steps",
                     "2", "--seed", "1"]) == 0
        assert f"harmonize: {out}: {said}" in capsys.readouterr().err


def test_new_notes_that_follow_chord_symbols_are_said_to(tmp_path, capsys, monkeypatch):
    """A jazz arranger's QA: a repaint over a blues's changes said its notes were in no
    key; they follow the chords, and the key only outside their bars."""
    from tests.engine.tasks.test_run import model

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model())
    q = 480
    notes = tuple(Note(60 + i % 5, i * q, q, 80) for i in range(4))
    src = tmp_path / "sketch.partita"
    save_song(with_lead_sheet(Song(tracks=(Track("Piano", notes=notes),), length=16 * q),
                              "F7 | Bb7 | F7"), src)
    out = tmp_path / "out.partita"
    # Following the chords over every bar, no key decides the notes: no --key hint (it
    # said "--key sets one, e.g. --key C" of notes that followed F7 and Bb7).
    for bars, said in (("2-3", "new notes follow the chord symbols in bars 2–3\n"),
                       # past the chords' bars, their key (the sketch names none)
                       ("3-4", "new notes follow the chord symbols in bar 3, kept in F "
                               "major outside them (--key none lifts it)\n")):
        assert main(["repaint", str(src), "-o", str(out), "--tracks", "Piano", "--bars",
                     bars, "--steps", "3", "--seed", "1"]) == 0
        assert f"repaint: {out}: {said}" in capsys.readouterr().err
    assert main(["repaint", str(src), "-o", str(out), "--tracks", "Piano", "--bars", "2-3",
                 "--steps", "3", "--seed", "1", "--chords", "ignore"]) == 0
    assert "new notes are in no key" in capsys.readouterr().err
    # harmonize's added band is read too (it said nothing at all of its new tracks)
    assert main(["harmonize", str(src), "-o", str(out), "--melody", "Piano",
                 "--accompaniment", "band", "--steps", "3", "--seed", "1"]) == 0
    assert f"harmonize: {out}: new notes follow the chord symbols in bar 1" in (
        capsys.readouterr().err)


def test_parallels_written_despite_avoid_parallels_are_said(tmp_path, capsys, monkeypatch):
    """QA: a plugin that ignores --avoid-parallels wrote parallel fifths, and the command
    said nothing (it does say notes off the key)."""
    lead = Track(name="Lead", program=73,
                 notes=tuple(Note(p, i * 4 * Q, 4 * Q, 80)  # C D E F, a beat each
                             for i, p in enumerate((72, 74, 76, 77))))
    src = tmp_path / "duo.partita"  # keeps the empty track
    save_song(Song(tracks=(lead, Track(name="Second", program=71))), src)

    def fifths_below(song, mask):  # a plugin that ignores options.avoid_parallels
        melody = song.find_track("Lead").notes
        return {tid: tuple(Note(n.pitch - 7, n.start, n.duration, 80) for n in melody)
                for tid in mask.track_ids}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(fifths_below))
    args = ["repaint", str(src), "-o", str(tmp_path / "out.mid"), "--tracks", "Second",
            "--bars", "1", "--key", "none"]
    assert main([*args, "--avoid-parallels"]) == 0
    assert (f"repaint: {tmp_path / 'out.mid'}: qa was asked for no parallel fifths or "
            "octaves (--avoid-parallels), but its new notes make 3 (first: fifths, Lead and "
            "Second, into 1.2.000): the model does not follow --avoid-parallels"
            ) in capsys.readouterr().err
    assert main(args) == 0  # not asked: not said
    assert "parallel" not in capsys.readouterr().err


def test_the_warnings_read_as_they_always_have(tmp_path, capsys, monkeypatch):
    """The warnings moved into the engine (engine.jobs.take_warnings): the command line's
    lines are word for word what it printed before, in the same order."""
    lead = Track(name="Lead", program=73,
                 notes=tuple(Note(p, i * 4 * Q, 4 * Q, 80)  # C D E F, a beat each
                             for i, p in enumerate((72, 74, 76, 77))))
    src = tmp_path / "duo.partita"
    save_song(Song(tracks=(lead, Track(name="Second", program=71))), src)

    def fifths_below(song, mask):  # F G A Bb: parallel fifths, and Bb is not in C major
        melody = song.find_track("Lead").notes
        return {tid: tuple(Note(n.pitch - 7, n.start, n.duration, 80) for n in melody)
                for tid in mask.track_ids}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(fifths_below))
    assert main(["repaint", str(src), "-o", str(tmp_path / "out.mid"), "--tracks", "Second",
                 "--bars", "1", "--key", "C", "--avoid-parallels"]) == 0
    out = tmp_path / "out.mid"  # each line names the file (QA: a loop of many said none)
    assert capsys.readouterr().err.splitlines() == [
        f"repaint: {out}: qa was asked to keep new notes in C major, but 1 of its 4 new "
        "notes is outside it (the model does not follow --key)",
        # --key on a song declaring none writes the signature (said since session 16)
        f"repaint: {out}: key signature C major from bar 1 (--key; the song declared no key "
        "there)",
        f"repaint: {out}: qa was asked for no parallel fifths or octaves (--avoid-parallels), "
        "but its new notes make 3 (first: fifths, Lead and Second, into 1.2.000): the model "
        "does not follow --avoid-parallels"]


def test_chorale_voices_from_a_general_model_name_the_chorale_model(tmp_path, capsys,
                                                                     monkeypatch):
    """QA: Alto, Tenor and Bass from partita-base (named with --model, or the user's
    PARTITA_MODEL) clash, and nothing said that chorale-jsb writes them better."""
    soprano = Track(name="Soprano", program=52,
                    notes=tuple(Note(72, b * 4 * Q, 4 * Q, 80) for b in range(4)))
    path = tmp_path / "soprano.mid"
    save_song(Song(tracks=(soprano,)), path)

    def c_major(song, mask):  # each new voice holds a note of the chord under the tune
        return {tid: (Note(p, 0, BAR),)
                for tid, p in zip(sorted(mask.track_ids), (67, 60, 48), strict=True)}

    argv = ["harmonize", str(path), "-o", str(tmp_path / "satb.mid"), "--melody", "1",
            "--model", "general"]
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(c_major, name))
    assert main(argv) == 0
    assert (f"harmonize: {tmp_path / 'satb.mid'}: general is a general model: the chorale "
            "voices it wrote (Alto, Tenor and Bass) clash more often than those of "
            "chorale-jsb, which is made for four-part chorales (--model chorale-jsb)"
            ) in capsys.readouterr().err.splitlines()
    assert main([*argv[:-1], CHORALE_MODEL]) == 0
    assert "general model" not in capsys.readouterr().err


def test_partita_model_names_the_cli_default(monkeypatch):
    # The CLI asked the registry for partita-base first, so $PARTITA_MODEL never counted.
    monkeypatch.setenv("PARTITA_MODEL", CHORALE_MODEL)
    assert real_resolve_model(None, "repaint").info.name == CHORALE_MODEL
    monkeypatch.delenv("PARTITA_MODEL")
    assert real_resolve_model(None, "repaint").info.name == "partita-base"


def test_a_command_naming_a_model_tries_no_other_plugin(tmp_path, monkeypatch):
    """QA: a plugin in the models folder whose import hangs cost every command 33 s, even
    one that named a built-in model."""
    from engine.plugins import probe
    from tests.engine.plugins.plugin_folders import write_code_plugin

    def hangs(*a, **k):
        raise AssertionError("a plugin was tried")

    monkeypatch.setattr(probe, "_known", {})
    monkeypatch.setattr(probe, "_try", hangs)
    monkeypatch.setenv("PARTITA_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    write_code_plugin(tmp_path / "models", "sleepy", on_import="import time; time.sleep(1000)")
    assert real_resolve_model("partita-base", "repaint").info.name == "partita-base"
    assert real_resolve_model(None, "repaint").info.name == "partita-base"
    args = argparse.Namespace(task="harmonize", output=tmp_path / "out.mid")
    assert gen_cli._chorale_model(args, "a four-part chorale") == CHORALE_MODEL


def test_repaint_paints_beats_and_several_regions_and_nothing_else(song_file, tmp_path,
                                                                  capsys):
    """As the studio's mask: bar 2's beats 3-4 of track 1, and bars 3-4 of track 2 in a
    pitch band; every note outside those regions stays."""
    out = tmp_path / "out.mid"
    before = load_song(song_file)
    tm = TimeMap.of(before)
    beat = tm.beat_length_for(before.time_signatures[0])
    regions = [(0, tm.bar_to_tick(1) + 2 * beat, tm.bar_to_tick(2), 0, 127),
               (1, tm.bar_to_tick(2), tm.bar_to_tick(4), 36, 60)]
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "1", "--bars",
                 "2.3-2.4", "--region", "2:3-4:C2-C4", "--seed", "3", "--steps", "3"]) == 0

    def outside(song):
        return [[n.key() for n in t.notes
                 if not any(i == ti and a <= n.start < b and lo <= n.pitch <= hi
                            for ti, a, b, lo, hi in regions)]
                for i, t in enumerate(song.tracks)]

    assert outside(load_song(out)) == outside(before)
    capsys.readouterr()
    for argv, message in (
            (["--region", "1"], "--region '1': give TRACKS:BARS"),
            (["--tracks", "1"], "--tracks and --bars go together"),
            ([], "say what to repaint"),
            (["--region", "1:2.9"], "--region 1:2.9: bar 2 has beats 1-4 (4/4)"),
            (["--region", "1:2-3", "--pitch", "C4-C5"], "--pitch goes with --tracks")):
        assert main(["repaint", str(song_file), "-o", str(out), *argv]) == 1
        assert message in capsys.readouterr().err


def test_a_models_own_options_reach_it_and_its_prints_stay_off_stdout(song_file, tmp_path,
                                                                     capsys, monkeypatch):
    seen = []

    class Chatty:
        info = ModelInfo("chatty", "0")

        def generate(self, song, mask, options, progress, cancel):
            seen.append(dict(options.extra))
            print("loading my weights…")
            return {}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Chatty())
    assert main(["repaint", str(song_file), "-o", str(tmp_path / "x.mid"), "--tracks", "1",
                 "--bars", "1", "--option", "style=funk", "--option", "phrase_bars=8",
                 "--option", "swing=true"]) == 0
    assert seen == [{"style": "funk", "phrase_bars": 8, "swing": True}]
    out, err = capsys.readouterr()
    assert "loading my weights" not in out and "loading my weights" in err
    assert main(["repaint", str(song_file), "-o", str(tmp_path / "x.mid"), "--tracks", "1",
                 "--bars", "1", "--option", "style"]) == 1
    assert "--option 'style': give NAME=VALUE" in capsys.readouterr().err


def test_a_sampling_option_the_model_ignores_is_said(song_file, tmp_path, capsys,
                                                     monkeypatch):
    """QA: --steps 32 for the drumkit (a rule-based model) changed nothing, silently.
    A model says which standard settings it honours (ModelInfo.sampling)."""
    class Rules:
        info = ModelInfo("drumkit", "0", sampling=("temperature",))

        def generate(self, song, mask, options, progress, cancel):
            return {}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Rules())
    base = ["repaint", str(song_file), "-o", str(tmp_path / "x.mid"), "--tracks", "1",
            "--bars", "1"]
    assert main([*base, "--steps", "32", "--temperature", "0.5", "--top-p", "0.8",
                 "--precision", "fp32"]) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "does not use" in line] == [
        "partita: note: --steps: drumkit does not use it",
        "partita: note: --top-p: drumkit does not use it",
        "partita: note: --precision: drumkit does not use it"]
    assert main(base) == 0  # nothing given: nothing to say
    assert "does not use" not in capsys.readouterr().err
    # A model that states nothing honours them all, as before the field existed.
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(
        lambda song, mask: {}))
    assert main([*base, "--steps", "32"]) == 0
    assert "does not use" not in capsys.readouterr().err


def test_takes_that_came_out_the_same_are_said(song_file, tmp_path, capsys, monkeypatch):
    def same(song, mask):  # ignores the seed
        return {min(mask.track_ids): (Note(60, mask.span[0], Q, 90),)}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(same))
    assert main(["repaint", str(song_file), "-o", str(tmp_path / "x.mid"), "--tracks", "1",
                 "--bars", "1", "--variations", "2", "--seed", "1"]) == 0
    assert "some of the 2 takes are the same notes" in capsys.readouterr().err


def test_an_output_folder_that_cannot_be_written_is_refused_before_the_model_runs(
        song_file, tmp_path, capsys, monkeypatch):
    import os

    from engine.cli import common

    ran = []

    def record(song, mask):
        ran.append(1)
        return {}

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(common.os, "access",  # a read-only disk (root passes chmod)
                        lambda p, mode: False if Path(p) == locked else real(p, mode))
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(record))
    assert main(["repaint", str(song_file), "-o", str(locked / "x.mid"), "--tracks", "1",
                 "--bars", "1"]) == 1
    assert f"cannot write in {locked} (read-only, or no permission)" in capsys.readouterr().err
    assert not ran


def test_an_inherited_ignored_ctrl_c_stays_ignored():
    # `trap "" INT; partita render … &` in a script: Python keeps SIG_IGN, and so must
    # the CLI's own handler (it made a background render die of the script's Ctrl+C).
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from engine.cli import _CtrlC

        with _CtrlC():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_pitch_range_lets_a_continuation_climb_above_the_track(tmp_path):
    from engine.io import load_song

    demo = DEMO
    out = tmp_path / "up.mid"
    assert main(["continue", str(demo), "-o", str(out), "--bars", "4", "--tracks", "Lead",
                 "--range", "C5-C6", "--seed", "1"]) == 0
    song = load_song(out)
    before = load_song(demo)
    new = [n.pitch for n in song.find_track("Lead").notes if n.start >= before.length]
    assert new and min(new) >= 72 and max(new) <= 84


def test_a_track_named_as_a_number_is_named_on_the_command_line(tmp_path, capsys):
    # A producer's "808" bass: `--track 808` is that track, not track number 808.
    bass = Track(name="808", program=38, channel=1,
                 notes=tuple(Note(36, b * 4 * Q, 4 * Q, 90) for b in range(16)))
    keys = Track(name="Keys", program=4, notes=tuple(Note(60, b * 4 * Q, 4 * Q, 70)
                                                      for b in range(16)))
    song_file = tmp_path / "loop.partita"
    save_song(Song(tracks=(keys, bass)), song_file)
    out = tmp_path / "out.partita"
    assert main(["regenerate", str(song_file), "-o", str(out), "--track", "808",
                 "--seed", "1", "--steps", "2"]) == 0
    assert "(808 " in capsys.readouterr().out  # "N notes written (808 N)"
    after = load_song(out)
    assert after.tracks[0].notes == keys.notes
    assert main(["regenerate", str(song_file), "-o", str(tmp_path / "two.partita"),
                 "--track", "#2", "--seed", "1", "--steps", "2"]) == 0
    assert load_song(tmp_path / "two.partita").tracks[0].notes == keys.notes


def test_a_take_that_keeps_the_old_notes_names_every_seed_tried(song_file, tmp_path, capsys,
                                                                  monkeypatch):
    # --seed 1 printed "seed 5": the take came out unchanged and was drawn again with
    # seeds 2 to 5; the line now says so.
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(
        lambda song, mask: mask.notes_inside(song)))
    out = tmp_path / "same.mid"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "Piano", "--bars",
                 "1-2", "--seed", "1"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith("seed 5 — the same notes as before (the model kept them; seeds 1, "
                         "2, 3, 4 and 5 tried): try another --seed")


def test_a_model_that_writes_nothing_is_said_to_once(song_file, tmp_path, capsys,
                                                     monkeypatch):
    """QA: an arpeggiator that found nothing to write was run five times and said "the
    same notes as before (the model kept them; seeds … tried): try another --seed"."""
    calls = []

    def nothing(song, mask):
        calls.append(1)
        return {tid: () for tid in mask.track_ids}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(
        nothing, name="arpeggiator"))
    out = tmp_path / "more.mid"
    assert main(["continue", str(song_file), "-o", str(out), "--bars", "2", "--tracks",
                 "1", "--seed", "1"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"{out}: arpeggiator wrote no notes, seed 1 (the song is as it was)"
    assert calls == [1]  # an empty answer is the model's, not chance: not drawn again
    # A repaint answered with nothing clears the region: said so.
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "Piano", "--bars",
                 "1-2", "--seed", "3"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line == (f"{out}: arpeggiator wrote no notes, seed 3 (the notes it replaces "
                    "are gone (Piano))")


def test_a_models_progress_messages_are_shown_beside_the_percentage(song_file, tmp_path,
                                                                      capsys, monkeypatch):
    """QA: docs/plugins.md asks plugins to say what the user should know in Progress
    messages; the command line showed only "repaint (arpeggiator): 50 %"."""
    from engine.plugins.api import ModelInfo, Progress

    class Talking:
        info = ModelInfo("arpeggiator", "1.0")

        def generate(self, song, mask, options, progress, cancel):
            progress(Progress(1, 2, "bar 5"))
            progress(Progress(2, 2, "  bar 6\nand a second line nobody reads " + "x" * 80))
            return {}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Talking())
    assert main(["repaint", str(song_file), "-o", str(tmp_path / "x.mid"), "--tracks",
                 "Piano", "--bars", "1-2"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "repaint (arpeggiator): 50 % · bar 5" in err
    assert any(line.startswith("repaint (arpeggiator): 100 % · done in ") for line in err)


def test_progress_messages_are_one_short_line():
    from engine.plugins.result import progress_message

    assert progress_message("  bar 5 ") == "bar 5"
    assert progress_message("tracks 1/2:\n  writing notes") == "tracks 1/2:"
    assert progress_message("a  b\tc") == "a b c"
    assert progress_message(None) == "" and progress_message(7) == "7"
    long = progress_message("y" * 100)
    assert len(long) == 60 and long.endswith("…")


def test_keep_rhythm_over_a_region_without_notes_is_refused_by_the_task(tmp_path):
    from engine import tasks
    from engine.plugins.api import GenerateOptions

    song = Song(tracks=(Track(name="Bass", program=33, notes=(Note(36, 0, 4 * Q),)),),
                length=4 * BAR)
    bass = song.tracks[0].id
    rhythm = GenerateOptions(keep_rhythm=True, seed=1)
    model = Answers(lambda s, m: {})
    with pytest.raises(tasks.TaskError, match="continue writes new bars, which have none"):
        tasks.continue_(song, 2, model=model, options=rhythm)
    with pytest.raises(tasks.TaskError, match="the region has none"):
        tasks.repaint(song, [bass], 2, 4, model=model, options=rhythm)
    tasks.repaint(song, [bass], 0, 2, model=model, options=rhythm)  # notes there: fine


def test_a_range_on_drums_keeps_the_drums_in_it_and_says_which_it_leaves_out(tmp_path,
                                                                               capsys):
    kit = tuple(Note(p, b * 4 * Q, Q, 100) for b in range(16)
                for p in ((36, 70) if b % 2 == 0 else (39, 70)))
    song_file = tmp_path / "loop.partita"
    save_song(Song(tracks=(Track(name="Drums", is_drum=True, channel=9, notes=kit),)),
              song_file)
    out = tmp_path / "out.partita"
    assert main(["regenerate", str(song_file), "-o", str(out), "--track", "Drums",
                 "--range", "35-40", "--seed", "1", "--steps", "2"]) == 0
    notes = load_song(out).tracks[0].notes
    assert sorted(n.start for n in notes if n.pitch == 70) == [n.start for n in kit
                                                                 if n.pitch == 70]  # kept
    assert all(35 <= n.pitch <= 40 for n in notes if n.pitch != 70)
    assert (f"partita: note: {out}: --range 35-40 bounds drum notes too: Drums rewrites "
            "only the drums whose notes lie in it (Maracas 70 keeps its hits)"
            ) in capsys.readouterr().err


@pytest.mark.parametrize("command", [["regenerate", "--track", "Drums"],
                                     ["repaint", "--tracks", "Drums", "--bars", "1-4"]])
def test_a_range_on_a_kit_keeps_the_hits_of_the_drums_outside_it(tmp_path, capsys, command):
    """Producer QA: "regenerate the drums but keep my kick" (--range 37-81 on a 4-bar loop
    at 90 BPM) deleted all 10 kicks; now they stay, as `repaint --pitch 37-81` keeps them."""
    kicks = (*(Note(36, b * BAR + s * 4 * Q, Q, 110) for b in range(4) for s in (0, 2)),
             Note(36, 3 * Q, Q, 90), Note(36, 2 * BAR + 3 * Q, Q, 90))
    hats = tuple(Note(42, i * 2 * Q, Q, 70) for i in range(32))
    snares = tuple(Note(38, b * BAR + s * 4 * Q, Q, 100) for b in range(4) for s in (1, 3))
    song_file = tmp_path / "loop.partita"
    save_song(Song(tempos=(TempoChange(0, 666_667),), tracks=(
        Track(name="Drums", is_drum=True, channel=9, notes=kicks + hats + snares),)),
        song_file)
    out = tmp_path / "out.partita"
    assert main([command[0], str(song_file), "-o", str(out), *command[1:],
                 "--range", "37-81", "--seed", "1", "--steps", "2"]) == 0
    notes = load_song(out).tracks[0].notes
    assert sorted(n.start for n in notes if n.pitch == 36) == sorted(n.start for n in kicks)
    assert "Kick 36 keeps its hits" in capsys.readouterr().err


def test_the_key_signature_line_numbers_bars_as_the_score_does():
    """After a pickup a signature at the first full bar is "from bar 1", as --bars and the
    ruler count (it said bar 2)."""
    from types import SimpleNamespace

    from engine.score import KeySignature

    beat = 480
    before = Song(time_signatures=(TimeSignature(0, 1, 4), TimeSignature(beat, 4, 4)))
    after = Song(time_signatures=before.time_signatures,
                 key_signatures=(KeySignature(beat, "G"),))
    take = SimpleNamespace(before=before, after=after)
    assert gen_cli._key_signature_written(take) == "key signature G major from bar 1"
    plain = Song(key_signatures=(KeySignature(4 * beat, "F"),))
    assert gen_cli._key_signature_written(SimpleNamespace(before=Song(), after=plain)) == (
        "key signature F major from bar 2")


@pytest.mark.parametrize("command", ["compose", "regenerate", "continue", "repaint",
                                     "harmonize"])
def test_the_output_help_names_every_kind_of_song_file_it_writes(command, capsys):
    # -o said "(.mid or .partita)" though a .musicxml/.mxl score is written as well.
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ".mid, .partita, or .musicxml/.mxl" in text


def test_the_command_a_rested_part_is_told_to_run_repaints_just_those_bars(tmp_path, capsys,
                                                                          monkeypatch):
    """A take that leaves parts resting says the `repaint` that fills them: run as said, on
    the song it wrote, it paints each part's resting bars in its band, and nothing else."""
    import shlex

    # An 8-bar band: the piano plays bars 1-4, the drums' hats bars 1-2 under kicks.
    kicks = tuple(Note(36, b * BAR, Q, 90) for b in range(8))
    hats = tuple(Note(42, b * 4 * Q, Q, 70) for b in range(8))
    song = Song((Track("Piano", notes=tuple(Note(60, b * 4 * Q, 4 * Q, 70) for b in range(16))),
                 Track("Drums", is_drum=True, channel=9,
                       notes=tuple(sorted((*kicks, *hats), key=lambda n: n.start)))))
    path, out = tmp_path / "band.mid", tmp_path / "take.mid"
    save_song(song, path)

    def where_they_played(song, mask):  # as the built-in models: silent where it was
        return {t.id: tuple(n for n in t.notes if mask.contains(t.id, n.start, n.pitch))
                for t in song.tracks if t.id in mask.track_ids}

    monkeypatch.setattr(gen_cli, "resolve_model",
                        lambda name, task: Answers(where_they_played))
    assert main(["repaint", str(path), "-o", str(out), "--region", "Drums:1-6:42-46",
                 "--region", "Piano:1-6"]) == 0
    err = capsys.readouterr().err
    said = re.search(r"repaint those bars to fill them \(repaint (.*)\)$", err, re.M)
    assert said and said.group(1) == "--region Piano:5-6 --region Drums:3-6:42-46"

    asked = []

    def record(song, mask):
        names = {t.id: t.name for t in song.tracks}
        asked.extend((sorted(names[i] for i in r.track_ids), r.start, r.end, r.pitch_lo,
                      r.pitch_hi) for r in mask.regions)
        return {}

    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: Answers(record))
    assert main(["repaint", str(out), "-o", str(tmp_path / "filled.mid"),
                 *shlex.split(said.group(1))]) == 0, capsys.readouterr().err
    assert asked == [(["Piano"], 4 * BAR, 6 * BAR, 0, 127),
                     (["Drums"], 2 * BAR, 6 * BAR, 42, 46)]


def test_repaint_keeps_the_lyrics_on_kept_rhythm_and_says_what_it_drops(tmp_path, capsys):
    # QA (a singer-songwriter): repaint --tracks Vocal --bars 5-6 --keep-rhythm took the
    # song's lyrics from 26 syllables to 18, and nothing said so.
    from engine.score.lyrics import Lyric

    words = ["Ev-", "'ry", "time", "I", "see", "you", "smile", "the", "world", "is",
             "bright-", "er", "still", "and", "I"]
    vocal = Track("Vocal", 52, notes=tuple(
        Note(67 + (i % 3), i * 4 * Q, 4 * Q, 90,
             lyric=Lyric(w.rstrip("-"), "begin" if w.endswith("-") else "single"))
        for i, w in enumerate(words)))
    piano = Track("Piano", channel=1, notes=tuple(Note(p, b * BAR, BAR, 70) for b in range(4)
                                                  for p in (55, 60, 64)))
    src = tmp_path / "full2.partita"
    save_song(Song(tracks=(vocal, piano)), src)

    def lyrics(path: Path) -> list[tuple[int, str]]:
        return [(n.start, n.lyric.text) for n in load_song(path).find_track("Vocal").notes
                if n.lyric is not None]

    kept = tmp_path / "rp.partita"
    assert main(["repaint", str(src), "-o", str(kept), "--tracks", "Vocal", "--bars", "2-3",
                 "--seed", "1", "--steps", "2", "--keep-rhythm"]) == 0
    assert lyrics(kept) == lyrics(src)  # every syllable, at its onset, on the new note
    assert "syllable" not in capsys.readouterr().err
    free = tmp_path / "free.partita"
    assert main(["repaint", str(src), "-o", str(free), "--tracks", "Vocal", "--bars", "2-3",
                 "--seed", "1", "--steps", "2"]) == 0
    err = capsys.readouterr().err
    lost = len(lyrics(src)) - len(lyrics(free))
    if lost:  # said, with how many and where
        assert (f"repaint: {free}: {lost} syllable{'s' if lost > 1 else ''} of the lyrics "
                "went with the old notes (Vocal's in bar") in err
        assert "(--keep-rhythm keeps each on the new note at its onset)" in err
    else:
        assert "syllable" not in err
    assert set(lyrics(free)) <= set(lyrics(src))


def test_a_range_is_kept_to_each_parts_instrument_and_said(tmp_path, capsys):
    # QA: repaint --range C0-C8 over an orchestra wrote a violin's Bb2 and a tuba's G5.
    from engine.score.instruments import instrument_range

    parts = (("Violin I", 40), ("Tuba", 58))
    song = Song(tracks=tuple(Track(name=n, program=p, channel=i, notes=tuple(
        Note(instrument_range(p)[0] + 7 + k % 3, k * Q, Q, 80) for k in range(16)))
        for i, (n, p) in enumerate(parts)))
    song_file = tmp_path / "orch.partita"
    save_song(song, song_file)
    out = tmp_path / "r.partita"
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "Violin I,Tuba",
                 "--bars", "1-4", "--range", "C0-C8", "--seed", "1", "--steps", "2"]) == 0
    assert (f"partita: note: {out}: --range C0-C8 narrowed to what each part plays: "
            "Violin I G3–A7, Tuba D1–F4") in capsys.readouterr().err
    for track, (_, program) in zip(load_song(out).tracks, parts, strict=True):
        lo, hi = instrument_range(program)
        assert track.notes and all(lo <= n.pitch <= hi for n in track.notes), track.name
    assert main(["repaint", str(song_file), "-o", str(out), "--tracks", "Violin I,Tuba",
                 "--bars", "1-4", "--range", "C6-C8"]) != 0
    assert ("the pitch range C6–C8 lies outside the range of Tuba D1–F4: nothing can be "
            "written there; choose a range that meets it") in capsys.readouterr().err
