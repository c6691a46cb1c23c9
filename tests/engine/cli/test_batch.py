"""Several songs in one run (``--out-dir``) and ``--json`` for the generation commands,
with the tiny random model the other generation tests use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import generate as gen_cli
from engine.cli import main
from engine.io import load_song, save_song
from engine.models.grid_plugin import GridModelPlugin
from engine.plugins.api import ModelInfo
from engine.score import Note, Song, Track
from engine.score.song import id_mark, rewind_ids
from tests.engine.cli.test_generate import tiny_denoiser

Q = 120
BAR = 16 * Q


@pytest.fixture(autouse=True)
def resolved(monkeypatch, one_torch_thread) -> list:
    """The tiny model for every command; the list says each time a model was resolved."""
    model = GridModelPlugin(ModelInfo("tiny", "0"), tiny_denoiser, context_bars=1)
    calls = []

    def resolve(name, task):
        calls.append((name, task))
        return model

    monkeypatch.setattr(gen_cli, "resolve_model", resolve)
    return calls


def melody(path: Path, shift: int) -> Path:
    """Four bars of a lone piano tune and a bass, a little different for each ``shift``."""
    tune = tuple(Note(60 + (i * (shift + 2)) % 12, i * 4 * Q, 4 * Q, 80) for i in range(16))
    bass = tuple(Note(36 + shift, b * BAR, BAR, 80) for b in range(4))
    save_song(Song(tracks=(Track(name="Tune", notes=tune),
                           Track(name="Bass", program=33, channel=1, notes=bass))), path)
    return path


@pytest.fixture
def songs(tmp_path) -> list[Path]:
    folder = tmp_path / "class"
    folder.mkdir()
    return [melody(folder / f"{name}.mid", i) for i, name in enumerate("abc")]


TASKS = {
    "harmonize": ["--melody", "Tune"],
    "regenerate": ["--track", "Bass"],
    "repaint": ["--tracks", "Bass", "--bars", "2-3"],
    "continue": ["--bars", "1"],
}


@pytest.mark.parametrize(("task", "ext"), [(task, ".mid") for task in TASKS]
                         + [("harmonize", ".partita")])
def test_a_batch_writes_the_bytes_the_one_song_command_writes(task, ext, songs, tmp_path,
                                                              capsys, resolved):
    """A teacher's class of melodies in one run: each file as `partita TASK SONG -o OUT`
    with the same seed writes it (a project with the same note ids, as a process of its
    own gives them), the model resolved once for all of them."""
    options = [*TASKS[task], "--seed", "1", "--steps", "2"]
    out = tmp_path / "out"
    mark = id_mark()
    assert main([task, *map(str, songs), "--out-dir", str(out), "--suffix", "-x",
                 "--format", ext[1:], *options]) == 0
    assert len(resolved) == 1
    text = capsys.readouterr()
    lines = text.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"{song} → {out / (song.stem + '-x' + ext)}" for song in songs]
    assert all(line.endswith(", seed 1") and " notes (" in line for line in lines)
    assert text.err.splitlines()[-1] == "3 files: 3 written, 0 failed"
    for song in songs:
        one = tmp_path / f"one-{song.stem}{ext}"
        rewind_ids(mark)  # as in a fresh process: a project keeps its ids
        assert main([task, str(song), "-o", str(one), *options]) == 0
        assert (out / f"{song.stem}-x{ext}").read_bytes() == one.read_bytes()


def test_a_file_that_fails_is_said_and_the_others_are_written(songs, tmp_path, capsys):
    bad = songs[0].with_name("bad.mid")
    bad.write_text("not music")
    other = melody(songs[0].with_name("solo.mid"), 5)
    save_song(Song(tracks=(Track(name="Flute", notes=(Note(72, 0, Q, 80),)),)), other)
    out = tmp_path / "out"
    rc = main(["harmonize", str(songs[0]), str(bad), str(other), str(songs[1]), "--melody",
               "Tune", "--out-dir", str(out), "--seed", "2", "--steps", "2"])
    assert rc == 1
    text = capsys.readouterr()
    assert [line.split(" → ")[0] for line in text.out.splitlines()] == [
        str(songs[0]), str(songs[1])]
    err = text.err.splitlines()
    assert f"partita: error: {bad}: not a MIDI file" in text.err
    assert any(line.startswith(f"partita: error: {other}: ") and "Tune" in line
               for line in err)
    assert err[-1] == "4 files: 2 written, 2 failed"
    # Progress is named by its song (stderr is no terminal here: plain lines).
    assert any(line.startswith(f"{songs[1]}: harmonize (tiny): 100 %") for line in err)
    assert sorted(p.name for p in out.iterdir()) == ["a.mid", "b.mid"]


def test_the_ways_to_name_outputs_that_are_refused_before_anything_runs(songs, tmp_path,
                                                                        capsys):
    twin = tmp_path / "other" / "a.mid"
    twin.parent.mkdir()
    twin.write_bytes(songs[0].read_bytes())
    out = tmp_path / "out"
    base = ["harmonize", "--melody", "Tune"]  # (each is refused before a model runs)
    for argv, message in (
            ([*map(str, songs[:2]), "-o", str(out / "x.mid")],
             "writes one song, and 2 were given: give --out-dir DIR"),
            ([str(songs[0]), "-o", str(tmp_path / "x.mid"), "--out-dir", str(out)],
             "give one (-o OUT for one song"),
            ([str(songs[0]), str(twin), "--out-dir", str(out)],
             f"{songs[0]} and {twin} would both be written to {out / 'a.mid'}"),
            ([str(songs[0]), "--out-dir", str(songs[0].parent)],
             "would overwrite the input"),
            ([str(songs[0]), "-o", str(tmp_path / "x.mid"), "--suffix", "-h"],
             "--suffix goes with --out-dir"),
            ([str(songs[0])], "harmonize: give -o OUT, the file to write (or --out-dir"),
            ([str(songs[0]), "--out-dir", str(out), "--suffix", "/x"],  # no empty out/ left
             "--suffix '/x': added to each song's name, it cannot hold a folder"),
            ([*map(str, songs), "--out-dir", str(out), "--steps", "0"],
             "--steps must be at least 1"),
            ([str(songs[0]), "-o", str(tmp_path / "x.mid"), "-o", str(tmp_path / "y.mid")],
             "-o given twice"),
    ):
        assert main([*base, *argv]) == 1, argv
        err = capsys.readouterr().err
        assert err.count("partita: error:") == 1 and message in err, (argv, err)
    assert not out.exists()


def test_json_says_what_each_song_got(songs, tmp_path, capsys):
    bad = songs[0].with_name("bad.mid")
    bad.write_text("not music")
    out = tmp_path / "out"
    mark = id_mark()  # where a fresh process would start issuing note ids
    rc = main(["harmonize", str(songs[0]), str(bad), "--melody", "Tune", "--out-dir",
               str(out), "--format", "partita", "--seed", "4", "--steps", "2", "--json"])
    assert rc == 1
    rows = json.loads(capsys.readouterr().out)
    assert [r["input"] for r in rows] == [str(songs[0]), str(bad)]
    ok, failed = rows
    assert ok["output"] == str(out / "a.partita") and ok["model"] == "tiny"
    assert ok["seed"] == 4 and ok["error"] is None
    written = load_song(out / "a.partita")
    assert ok["notes"] and sum(ok["notes"].values()) == sum(
        len(t.notes) for t in written.tracks) - sum(
        len(t.notes) for t in load_song(songs[0]).tracks if t.name == "Tune")
    assert isinstance(ok["warnings"], list)
    assert [t["output"] for t in ok["takes"]] == [ok["output"]]
    assert failed["output"] is None and failed["notes"] == {} and failed["takes"] == []
    assert failed["error"].startswith(f"{bad}: not a MIDI file")

    # One song with -o: one object, and its seed and notes are those it printed.
    one = tmp_path / "one.partita"
    rewind_ids(mark)  # a project keeps its note ids: as in a process of its own
    assert main(["harmonize", str(songs[0]), "--melody", "Tune", "-o", str(one), "--seed",
                 "4", "--steps", "2", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["output"] == str(one) and row["notes"] == ok["notes"]
    assert one.read_bytes() == (out / "a.partita").read_bytes()


def test_json_keeps_the_notes_said_about_a_song(songs, tmp_path, capsys):
    out = tmp_path / "out.mid"
    assert main(["repaint", str(songs[0]), "--tracks", "Bass", "--bars", "3-9", "-o",
                 str(out), "--seed", "1", "--steps", "2", "--json"]) == 0
    captured = capsys.readouterr()
    row = json.loads(captured.out)
    cut = [w for w in row["warnings"] if "run past the song's last bar" in w]
    assert cut and cut[0].startswith("partita: note: ") and "bars 3-9" in cut[0]
    assert f"partita: note: {songs[0]}: bars 3-9 run past" in captured.err
    assert not any("%" in w and "repaint (tiny)" in w for w in row["warnings"])


def test_compose_takes_json(tmp_path, capsys):
    out = tmp_path / "new.mid"
    assert main(["compose", "-o", str(out), "--tracks", "Piano", "--bars", "2", "--seed",
                 "3", "--steps", "2", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["input"] is None and row["output"] == str(out) and row["seed"] == 3
    assert list(row["notes"]) == ["Piano"]


def test_a_batch_names_each_song_once_on_stderr(songs, tmp_path, capsys):
    # "a.mid: harmonize: out/a.mid: …": the line named the file already.
    out = tmp_path / "out"
    assert main(["harmonize", str(songs[0]), "--melody", "Tune", "--out-dir", str(out),
                 "--key", "C", "--seed", "1", "--steps", "2"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = [line for line in err if f"{out / 'a.mid'}:" in line]
    assert said and all(str(songs[0]) not in line for line in said)
    assert any(line.startswith(f"harmonize: {out / 'a.mid'}: ") for line in said)
    assert any(line.startswith(f"{songs[0]}: harmonize (tiny): ") for line in err)


def test_compose_help_offers_no_out_dir_list(capsys):
    # compose --help said --json gives "(a list with --out-dir)": compose has no --out-dir.
    for task, listed in (("compose", False), ("harmonize", True)):
        with pytest.raises(SystemExit):
            main([task, "--help"])
        assert ("a list with --out-dir" in " ".join(capsys.readouterr().out.split())) == listed


def test_variations_in_a_batch_write_numbered_files(songs, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["regenerate", *map(str, songs[:2]), "--track", "Bass", "--out-dir",
                 str(out), "--variations", "2", "--seed", "5", "--steps", "2"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a-1.mid", "a-2.mid", "b-1.mid",
                                                     "b-2.mid"]
    text = capsys.readouterr()
    seeds = [line.rsplit("seed ", 1)[1].split()[0] for line in text.out.splitlines()]
    assert seeds[:2] == ["5", "6"] and seeds[2:] == ["5", "6"]
    # The files counted, not the songs (QA: "2 files: 2 written" after writing 4).
    assert text.err.splitlines()[-1] == "4 files: 4 written, 0 failed"
    bad = songs[0].with_name("bad.mid")
    bad.write_text("not music")
    assert main(["regenerate", str(bad), str(songs[2]), "--track", "Bass", "--out-dir",
                 str(out), "--variations", "2", "--seed", "5", "--steps", "2"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "4 files: 2 written, 2 failed"


def test_json_is_valid_utf8_when_a_file_name_is_not(songs, tmp_path, capsys):
    """QA: a Latin-1 name (an old zip's "Übung.mid", byte 0xDC) went into the JSON as
    the raw byte, which a script's subprocess.run(text=True) could not decode: names
    are written as `info --json` writes them, U+FFFD for the bad byte."""
    import os
    import sys

    sys.stderr.reconfigure(errors="backslashreplace")  # as Python's own stderr escapes
    folder = tmp_path / "latin1"
    folder.mkdir()
    song = Path(os.fsdecode(os.fsencode(folder) + b"/\xdcbung.mid"))
    song.write_bytes(songs[0].read_bytes())
    out = tmp_path / "out"
    assert main(["harmonize", str(song), "--melody", "Tune", "--out-dir", str(out),
                 "--seed", "1", "--steps", "2", "--json"]) == 0
    text = capsys.readouterr().out
    text.encode("utf-8")  # strict: no surrogate escapes (a raw 0xDC on stdout)
    (row,) = json.loads(text)
    assert row["input"] == f"{folder}/\N{REPLACEMENT CHARACTER}bung.mid"
    assert row["output"] == f"{out}/\N{REPLACEMENT CHARACTER}bung.mid"
    assert (out / song.name).is_file()  # the file itself keeps its name's bytes
    assert main(["info", str(out / song.name), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file"] == row["output"]


@pytest.mark.parametrize("as_json", [True, False])
def test_ctrl_c_in_a_batch_still_says_what_was_written(as_json, songs, tmp_path, capsys,
                                                      monkeypatch):
    """QA: Ctrl+C during a --json batch left stdout empty, though 10 files were
    written: the songs done are printed, the one stopped marked "interrupted"."""
    import os
    import signal

    from engine.cli import batch

    real, runs = batch._run_song, []

    def ctrl_c_on_the_second(args, song, output, models):
        runs.append(song)
        if len(runs) == 2:  # the user presses Ctrl+C while the second song is written
            os.kill(os.getpid(), signal.SIGINT)
        return real(args, song, output, models)

    monkeypatch.setattr(batch, "_run_song", ctrl_c_on_the_second)
    out = tmp_path / "out"
    assert main(["harmonize", *map(str, songs), "--melody", "Tune", "--out-dir", str(out),
                 "--seed", "1", "--steps", "2", *(["--json"] if as_json else [])]) == 130
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-2:] == [
        "3 files: 1 written, 0 failed, 2 not written (interrupted)", "partita: interrupted"]
    assert sorted(p.name for p in out.iterdir()) == ["a.mid"]
    if not as_json:
        assert captured.out.startswith(f"{songs[0]} → {out / 'a.mid'}: ")
        return
    done, stopped = json.loads(captured.out)
    assert done["output"] == str(out / "a.mid") and not done["interrupted"]
    assert done["error"] is None and sum(done["notes"].values()) > 0
    assert stopped["input"] == str(songs[1]) and stopped["interrupted"]
    assert stopped["output"] is None and stopped["takes"] == []
