"""The command line in scripts and loops (a scripting QA): each line names its file, a
mistyped $PARTITA_MODEL costs no automatic choice, --json is JSON or refused, an internal
error has its own exit code, --quiet, and ONNX Runtime records nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import generate as gen_cli
from engine.cli import main
from engine.io import save_song
from engine.models.runtime import has_onnxruntime
from engine.score import Note, Song, Track
from engine.tasks import CHORALE_MODEL
from tests.engine.jobs.toy_models import Answers

Q = 480
ROOT = Path(__file__).resolve().parents[3]
needs_ort = pytest.mark.skipif(not has_onnxruntime(), reason="onnxruntime not installed")


def c_major(song, mask):  # each new voice holds a note of the chord under the tune
    return {tid: (Note(p, 0, 4 * Q),)
            for tid, p in zip(sorted(mask.track_ids), (67, 60, 48), strict=True)}


@pytest.fixture
def models_asked(monkeypatch) -> list[str | None]:
    """The --model each generation resolved (None: the default), answered by a toy."""
    asked: list[str | None] = []

    def resolve(name, task):
        asked.append(name)
        return Answers(c_major, name or "general")

    monkeypatch.setattr(gen_cli, "resolve_model", resolve)
    return asked


@pytest.fixture
def soprano(tmp_path) -> Path:
    tune = Track(name="Soprano", program=52,
                 notes=tuple(Note(72, b * 4 * Q, 4 * Q, 80) for b in range(4)))
    path = tmp_path / "soprano.mid"
    save_song(Song(tracks=(tune,)), path)
    return path


def test_the_chorale_note_names_its_file_and_says_what_it_writes(soprano, tmp_path, capsys,
                                                               models_asked, monkeypatch):
    """QA: in a loop over many files "partita: note: a four-part chorale: using
    chorale-jsb" named none, and a lone melody is no four-part chorale."""
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    out = tmp_path / "satb.mid"
    assert main(["harmonize", str(soprano), "-o", str(out), "--melody", "1"]) == 0
    assert models_asked == [CHORALE_MODEL]
    assert (f"partita: note: {out}: Alto, Tenor and Bass under a lone melody: using "
            f"{CHORALE_MODEL} (--model to choose)") in capsys.readouterr().err.splitlines()
    # A piano tune gets a band, and no chorale note.
    piano = tmp_path / "piano.mid"
    save_song(Song(tracks=(Track(name="Tune", notes=(Note(72, 0, Q),)),)), piano)
    main(["harmonize", str(piano), "-o", str(tmp_path / "band.mid"), "--melody", "1"])
    assert "chorale" not in capsys.readouterr().err


def test_a_mistyped_partita_model_keeps_the_automatic_chorale_model(soprano, tmp_path,
                                                                      capsys, models_asked,
                                                                      monkeypatch):
    """QA: PARTITA_MODEL=nonexist turned the chorale model off (a partita-base SATB)."""
    monkeypatch.setenv("PARTITA_MODEL", "nonexist")
    assert main(["harmonize", str(soprano), "-o", str(tmp_path / "a.mid"), "--melody",
                 "1"]) == 0
    assert models_asked == [CHORALE_MODEL]
    err = capsys.readouterr().err
    assert ("partita: warning: PARTITA_MODEL=nonexist: no usable model of that name can "
            "harmonize (see `partita models`)") in err
    assert f"using {CHORALE_MODEL}" in err
    # A usable one is the user's choice, and wins.
    monkeypatch.setenv("PARTITA_MODEL", "partita-base")
    assert main(["harmonize", str(soprano), "-o", str(tmp_path / "b.mid"), "--melody",
                 "1"]) == 0
    assert models_asked[-1] is None  # the default: $PARTITA_MODEL
    assert "using chorale-jsb" not in capsys.readouterr().err


# -- ONNX Runtime records nothing ----------------------------------------------------------------


def _partita(args: list[str], home: str, cwd: Path) -> subprocess.CompletedProcess:
    """``partita ARGS`` in a fresh process with HOME at ``home``: its environment as a
    user's, with no ORT_DISABLE_TELEMETRY of this test run's (importing engine set it)."""
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=home, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd)


@needs_ort
def test_a_generation_leaves_no_onnx_runtime_telemetry_in_home(tmp_path):
    """QA: every run left ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db,
    56 queued events and a device ID, for Microsoft; a local tool records nothing."""
    home = tmp_path / "home"
    home.mkdir()
    run = _partita(["compose", "--bars", "1", "--steps", "1", "--seed", "1", "-o",
                    str(tmp_path / "x.mid")], str(home), tmp_path)
    assert run.returncode == 0, run.stderr
    assert "partita-base" in run.stdout  # the built-in model ran, on ONNX Runtime
    assert list(home.rglob("*")) == []


@needs_ort
def test_an_unwritable_home_prints_nothing_from_onnx_runtime(tmp_path):
    """QA: with HOME=/dev/null/x (cron, a container) `import onnxruntime` printed a coloured
    "[W:onnxruntime:Default, telemetry_1ds.cc:613] Failed to persist telemetry device ID"."""
    run = _partita(["compose", "--bars", "1", "--steps", "1", "--seed", "1", "-o",
                    str(tmp_path / "x.mid")], "/dev/null/x", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "onnxruntime" not in run.stderr and "\x1b" not in run.stderr
    assert all(line.startswith("compose") for line in run.stderr.splitlines()), run.stderr


# -- --json is JSON, or refused with the action's usage ------------------------------------------


@pytest.mark.parametrize("argv", [["models", "--json", "default"],
                                  ["models", "default", "--json"]])
def test_models_default_says_the_default_as_json(argv, capsys, monkeypatch):
    """QA: `models --json default` printed plain text; `models default --json` was refused
    with the top-level usage."""
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    assert main(argv) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["name"] and said["why"]


@pytest.mark.parametrize("argv", [["models", "--json", "verify", CHORALE_MODEL],
                                  ["models", "verify", CHORALE_MODEL, "--json"],
                                  ["models", "remove", "nothing", "--json"]])
def test_models_actions_of_one_line_refuse_json_with_their_usage(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"usage: partita models {argv[2] if argv[1] == '--json' else argv[1]}")
    assert "--json is for the model list and `models default`" in err


def test_deciding_a_take_refuses_json_with_the_takes_usage(pending, tmp_path, capsys):
    """QA: `takes P.partita --accept 1B -o x.partita --json` printed plain text."""
    out = tmp_path / "x.partita"
    with pytest.raises(SystemExit) as stop:
        main(["takes", str(pending), "--accept", "1B", "-o", str(out), "--json"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: partita takes") and "does not go with --accept" in err
    assert not out.exists()
    assert main(["takes", str(pending), "--json"]) == 0  # the list is JSON
    assert [r["ref"] for r in json.loads(capsys.readouterr().out)] == ["1A", "1B", "2A"]


@pytest.mark.parametrize("argv, command", [
    (["render", "song.mid", "--json"], "render"),
    (["convert", "a.mid", "b.mid", "--json"], "convert"),
    (["harmonize", "a.mid", "--melody", "1", "-o", "x.mid", "--bogus"], "harmonize"),
    (["tracks", "a.mid", "-o", "x.mid", "--bogus"], "tracks"),
    (["models", "verify", "x", "--bogus"], "models verify"),
])
def test_an_unknown_option_is_refused_with_its_commands_usage(argv, command, capsys):
    """QA: `render SONG --json` showed `usage: partita [-h] [--version] [-v] COMMAND ...`,
    which says nothing of the options render does take."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: partita {command} [-h]")
    assert f"partita {command}: error: unrecognized arguments: {argv[-1]}" in err


# -- exit codes ------------------------------------------------------------------------------------


def test_an_internal_error_is_one_line_with_its_own_exit_code(capsys, monkeypatch):
    """QA: any exception but a user error was an uncaught traceback with exit 1, the same
    code as a user's mistake: a script could not tell a bug from a bad argument."""
    from engine.cli import INTERNAL_ERROR
    from engine.cli import models as models_cli

    def bug(args):
        raise KeyError("tracks")

    monkeypatch.setattr(models_cli, "_list", bug)
    assert main(["models"]) == INTERNAL_ERROR == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["partita: internal error: KeyError: 'tracks' (run with "
                                "--verbose for the traceback; please report it)"]
    assert main(["--verbose", "models"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "in bug" in err
    assert err.splitlines()[-1].startswith("partita: internal error: KeyError")


def test_out_of_memory_is_a_user_error_with_how_to_ask_for_less(tmp_path, capsys,
                                                                monkeypatch):
    """QA: a song too big for the machine said "internal error: MemoryError … please
    report it": no bug, but too much at once; said as the command's error, exit 1, with
    the option that asks for less."""
    from engine import render

    src = tmp_path / "long.mid"
    save_song(Song(tracks=(Track("Piano", notes=(Note(60, 0, Q, 80),)),)), src)

    def too_big(*args, **kwargs):
        raise MemoryError("Unable to allocate 459. GiB for an array")

    monkeypatch.setattr(render, "render_files", too_big)
    out = tmp_path / "x.wav"
    assert main(["render", str(src), "-o", str(out), "--synth", "builtin", "-q"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"partita: error: out of memory while rendering {src}: render part of it at a "
        "time with --bars A-B"]
    assert not out.exists()

    def no_memory(song, mask):  # a model whose tensors do not fit (GPU or CPU)
        raise MemoryError

    monkeypatch.setattr(gen_cli, "resolve_model",
                        lambda name, task: Answers(no_memory, "big"))
    assert main(["repaint", str(src), "-o", str(tmp_path / "r.mid"), "--tracks", "Piano",
                 "--bars", "1", "-q"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"partita: error: out of memory while repainting {src}: repaint fewer bars or "
        "tracks at a time (--bars A-B, --tracks)"]
    # Several songs: the one that ran out is said, and the others are still written.
    other = tmp_path / "other.mid"
    save_song(Song(tracks=(Track("Piano", notes=(Note(62, 0, Q, 80),)),)), other)
    calls = []

    def first_too_big(song, mask):
        calls.append(song)
        if len(calls) == 1:
            raise MemoryError
        return {tid: (Note(64, 0, Q),) for tid in mask.track_ids}

    monkeypatch.setattr(gen_cli, "resolve_model",
                        lambda name, task: Answers(first_too_big, "big"))
    outs = tmp_path / "outs"
    assert main(["repaint", str(src), str(other), "--out-dir", str(outs), "--tracks",
                 "Piano", "--bars", "1", "-q"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"partita: error: {src}: out of memory while repainting: repaint fewer bars " \
           "or tracks at a time (--bars A-B, --tracks)" in err
    assert sorted(p.name for p in outs.iterdir()) == ["other.mid"]


def test_a_gpu_out_of_memory_is_said_as_out_of_memory_too():
    from engine.cli.common import out_of_memory_line
    from engine.plugins.result import ModelFailed

    class OutOfMemoryError(RuntimeError):  # torch's (torch.cuda's), not imported here
        pass

    assert out_of_memory_line(OutOfMemoryError("CUDA out of memory"), "compose") == (
        "out of memory while composing: compose fewer bars (--bars N), then continue it")
    assert out_of_memory_line(MemoryError(), "info", Path("big.mid")) == (
        "out of memory while reading big.mid: the song is too big for this machine's "
        "memory (close other programs and try again)")
    failed = ModelFailed("model 'x' failed: MemoryError")
    failed.__cause__ = MemoryError()
    assert out_of_memory_line(failed, "harmonize", "a.mid").startswith(
        "out of memory while harmonizing a.mid: fill fewer tracks")
    assert out_of_memory_line(RuntimeError("x"), "render") is None
    assert out_of_memory_line(ModelFailed("model 'x' failed: ValueError"), "render") is None


# -- --quiet -------------------------------------------------------------------------------------


def tiny_denoiser(tokens, roles, beat_pos):
    import torch

    from engine.models import vocab

    g = torch.Generator().manual_seed(7)
    return torch.randn(*tokens.shape, vocab.VOCAB_SIZE, generator=g)


tiny_denoiser.max_steps = 64


def test_quiet_says_no_progress_and_every_warning(tmp_path, capsys, monkeypatch,
                                                  one_torch_thread):
    """QA: a script's log of many generations was mostly progress lines; --quiet (-q)
    leaves them out and still says what a warning or a note says."""
    from engine.models.grid_plugin import GridModelPlugin
    from engine.plugins.api import ModelInfo

    model = GridModelPlugin(ModelInfo("tiny", "0"), tiny_denoiser, context_bars=1)
    monkeypatch.setattr(gen_cli, "resolve_model", lambda name, task: model)
    src = tmp_path / "tune.mid"
    save_song(Song(tracks=(Track("Piano", notes=tuple(Note(60 + 2 * (i % 4), i * Q, Q, 80)
                                                      for i in range(16))),)), src)
    argv = ["regenerate", str(src), "--track", "Piano", "--key", "G", "--steps", "2",
            "--seed", "1"]
    out = tmp_path / "loud.mid"
    assert main([*argv, "-o", str(out)]) == 0
    loud = capsys.readouterr().err.splitlines()
    assert any(line.startswith("regenerate (tiny): ") and "%" in line for line in loud)
    said = f"regenerate: {out}: key signature G major from bar 1"
    assert any(line.startswith(said) for line in loud)
    for flag in ("--quiet", "-q"):
        out = tmp_path / f"quiet{flag}.mid"
        assert main([*argv, "-o", str(out), flag]) == 0
        quiet = capsys.readouterr()
        assert [line for line in quiet.err.splitlines() if "%" in line] == []
        assert any(line.startswith(f"regenerate: {out}: key signature G major from bar 1")
                   for line in quiet.err.splitlines())
        assert "1 take with tiny" in quiet.out


def test_every_command_that_shows_progress_takes_the_same_quiet_flag(capsys):
    """QA: render took -q, convert (whose score shows progress) did not."""
    from engine.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name in ("compose", "regenerate", "continue", "repaint", "harmonize", "render",
                 "convert", "tracks", "takes"):
        (quiet,) = [a for a in commands[name]._actions if "--quiet" in a.option_strings]
        assert quiet.option_strings == ["-q", "--quiet"], name
        assert quiet.help.startswith("say no progress"), name
    assert not any("--quiet" in a.option_strings for a in commands["info"]._actions)


def test_render_quiet_says_no_progress(tmp_path, capsys):
    src = tmp_path / "tune.mid"
    save_song(Song(tracks=(Track("Piano", notes=(Note(60, 0, Q, 80),)),)), src)
    argv = ["render", str(src), "-o", str(tmp_path / "x.wav"), "--synth", "builtin",
            "--sample-rate", "8000"]
    assert main(argv) == 0
    assert f"render {src}: 100 %" in capsys.readouterr().err
    assert main([*argv, "-q"]) == 0
    said = capsys.readouterr()
    (line,) = said.err.splitlines()  # what it rendered with is still said
    assert line.startswith("synth: built-in, mix peak ")
    assert said.out.startswith("rendered ")
