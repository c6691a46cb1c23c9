"""What a musician gets wrong when training on their own files, caught before the hour of
training: config values, unusable files, a rerun with other data, two trainers, Ctrl+C."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.io import save_song
from engine.models import data
from engine.models.train import ConfigError, TrainConfig, _claim, train
from engine.score import Note, Song, Track

ROOT = Path(__file__).resolve().parents[3]


def write_config(folder: Path, **fields) -> Path:
    """A tiny config training on a folder of MIDI files, with ``fields`` changed."""
    cfg = {"name": "mine", "data": {"kind": "midi", "path": str(folder / "songs")},
           "model": {"d_model": 16, "n_layers": 1, "n_heads": 2, "ff_mult": 2,
                     "max_steps": 32, "max_lanes": 16},
           "steps": 4, "batch_size": 2, "crop_steps": 32, "lr": 0.003, "warmup": 1,
           "log_every": 2, "val_every": 2, "val_ratios": 1, "threads": 1, **fields}
    path = folder / "mine.yaml"
    path.write_text(json.dumps(cfg))  # JSON is YAML
    return path


def songs(folder: Path, n: int = 3, bars: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        lead = Track("Lead", program=73, notes=tuple(
            Note(60 + (i * (k + 2)) % 12, i * 240, 240) for i in range(bars * 8)))
        save_song(Song((lead,), ppq=480), folder / f"song{k}.mid")
    return folder


@pytest.mark.parametrize("field, value, problem", [
    ("lr", "3e-4", None),  # YAML reads 3e-4 as text: a number all the same
    ("steps", "forty", "steps must be a whole number, not 'forty'"),
    ("steps", 2.5, "steps must be a whole number"),
    ("batch_size", 0, "batch_size 0 is outside 1..65536"),
    ("val_every", 0, "val_every 0 is outside"),
    ("lr", -1, "lr -1.0 is outside"),
    ("name", "My Style", "name 'My Style' must be 1-64 chars"),
    ("name", "../escape", "name '../escape' must be"),
    ("model", {"dmodel": 96}, "model: unknown field 'dmodel'"),
    ("masks", {"lane": 0.5}, "masks: unknown kind 'lane'"),
])
def test_config_values_are_checked_when_the_file_is_read(tmp_path, field, value, problem):
    path = write_config(tmp_path, **{field: value})
    if problem is None:
        assert TrainConfig.load(path).lr == pytest.approx(3e-4)
        return
    with pytest.raises(ConfigError, match=f"^{path}: ") as e:
        TrainConfig.load(path)
    assert problem in str(e.value)


def test_unusable_files_are_left_out_and_named_and_a_folder_of_none_is_an_error(tmp_path):
    folder = songs(tmp_path / "songs", n=3)
    (folder / "sub").mkdir()
    (folder / "sub" / "._song0.mid").write_bytes(b"\x00\x05\x16\x07 macOS metadata")
    save_song(Song((Track("Lead", notes=(Note(60, 0, 480),)),), ppq=480), folder / "short.mid")
    found = data.read_midi_folder(folder)
    assert len(found.pieces) == 3 and found.files == 5
    assert [s.split(":")[0] for s in found.skipped] == ["short.mid", "sub/._song0.mid"]
    assert "5 MIDI files, 3 used (2 train, 1 validate); 2 left out: short.mid" in found.report()

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.mid").write_bytes(b"not midi")
    with pytest.raises(Exception, match="none of its 1 MIDI files can be trained on"):
        data.read_midi_folder(bad)


def test_a_run_that_cannot_start_leaves_no_folder_and_the_log_lists_what_was_used(tmp_path):
    songs(tmp_path / "songs", n=1, bars=1)  # shorter than one bar of 16ths? no: exactly one
    (tmp_path / "songs" / "x.mid").write_bytes(b"junk")
    path = write_config(tmp_path)
    train(TrainConfig.load(path), tmp_path / "runs")
    log = (tmp_path / "runs" / "mine" / "train.log").read_text()
    assert "2 MIDI files, 1 used (1 train, 1 validate); 1 left out: x.mid" in log

    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "y.mid").write_bytes(b"junk")
    cfg = TrainConfig.load(write_config(tmp_path, name="nothing",
                                        data={"kind": "midi", "path": str(tmp_path / "empty")}))
    with pytest.raises(Exception, match="none of its 1 MIDI files"):
        train(cfg, tmp_path / "runs")
    assert not (tmp_path / "runs" / "nothing").exists()


def test_rerunning_a_run_with_other_data_is_refused_not_silently_resumed(tmp_path):
    songs(tmp_path / "songs")
    cfg = TrainConfig.load(write_config(tmp_path))
    train(cfg, tmp_path / "runs", stop_after=2)
    train(cfg, tmp_path / "runs", stop_after=1)  # the same run: resumes
    other = songs(tmp_path / "more songs")
    moved = TrainConfig.load(write_config(tmp_path, data={"kind": "midi", "path": str(other)}))
    with pytest.raises(ConfigError, match="holds a run with another training data; give "
                                          "this one another name"):
        train(moved, tmp_path / "runs")


def test_one_trainer_per_run_folder(tmp_path):
    first = _claim(tmp_path)
    with pytest.raises(ConfigError, match="is being trained by another process"):
        _claim(tmp_path)
    first.close()
    _claim(tmp_path).close()  # free again


def test_ctrl_c_keeps_the_steps_since_the_last_save(tmp_path):
    songs(tmp_path / "songs")
    cfg = TrainConfig.load(write_config(tmp_path, steps=8, val_every=100))

    def interrupt(step: int, _loss: float) -> None:
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(cfg, tmp_path / "runs", on_step=interrupt)
    state = json.loads((tmp_path / "runs" / "mine" / "last" / "state.json").read_text())
    assert state["step"] == 3
    steps: list[int] = []
    train(cfg, tmp_path / "runs", on_step=lambda s, _v: steps.append(s))
    assert steps[0] == 4
