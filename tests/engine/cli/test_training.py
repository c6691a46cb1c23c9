"""``partita eval``: bad arguments and wrong files are one clear line, before any model
is loaded."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.io import write_midi
from engine.score import Note, Song, Track


@pytest.fixture
def jsb(tmp_path):
    path = tmp_path / "jsb.json"
    path.write_text(json.dumps({"valid": [[[60, 55, 52, 48]] * 16]}))
    return path


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    """Every case here fails before eval loads its model."""
    def refuse(name):
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr("engine.cli.training.model_folder", refuse)


def one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("partita: error: "), err
    assert "Traceback" not in err[0]
    return err[0]


def test_eval_on_a_midi_file_names_it(tmp_path, capsys):
    midi = tmp_path / "song.mid"
    write_midi(Song(tracks=(Track("Piano", notes=(Note(60, 0, 480),)),)), midi)
    assert main(["eval", "--data", str(midi), "--split", "valid"]) == 1
    assert one_error_line(capsys) == (
        f"partita: error: {midi}: not a JSB-format JSON file ({{split: [chorale, ...]}}): "
        "it is not text")


@pytest.mark.parametrize("option, value, message", [
    ("--limit", "0", "--limit must be at least 1 (got 0)"),
    ("--limit", "-2", "--limit must be at least 1 (got -2)"),
    ("--samples", "-1", "--samples must be 0 or more"),
    ("--ratios", "0", "--ratios must be at least 1"),
    ("--seed", "-3", "--seed must be 0 or more"),
])
def test_eval_refuses_bad_numbers(jsb, capsys, option, value, message):
    assert main(["eval", "--data", str(jsb), "--split", "valid", option, value]) == 1
    assert one_error_line(capsys).startswith(f"partita: error: {message}")


@pytest.mark.parametrize("argv, message", [
    (["train", "configs/tiny.yaml", "--steps", "0"], "--steps must be at least 1 (got 0)"),
    (["train", "configs/tiny.yaml", "--steps", "-5"], "--steps must be at least 1"),
    (["train", "configs/tiny.yaml", "--name", "My Style"], "--name: name 'My Style' must be"),
    (["train", "configs/tiny.yaml", "--minutes", "0"], "--minutes must be more than 0"),
    (["train"], "give a training config (configs/*.yaml), or --data DIR"),
])
def test_train_arguments_are_checked_before_anything_runs(capsys, argv, message, tmp_path):
    assert main([*argv, "--runs", str(tmp_path)]) == 1
    assert one_error_line(capsys).startswith(f"partita: error: {message}")
    assert not any(tmp_path.iterdir())  # no run folder was made
