"""Training: resumes exactly after a kill, keeps the best model, runs data-parallel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.models import data
from engine.models.checkpoint import load_model
from engine.models.train import ConfigError, TrainConfig, lr_at, train
from tests.conftest import JSB, needs_jsb

ROOT = Path(__file__).resolve().parents[3]
TINY = ROOT / "configs" / "tiny.yaml"


def _cfg(**over) -> TrainConfig:
    cfg = TrainConfig.load(TINY)
    cfg.data["path"] = str(JSB)  # the config's path is relative to the repository root
    for k, v in over.items():
        setattr(cfg, k, v)
    return cfg


@needs_jsb
def test_killed_run_resumes_where_it_stopped_with_the_same_losses(tmp_path):
    straight: list[tuple[int, float]] = []
    train(_cfg(), tmp_path / "a", on_step=lambda s, v: straight.append((s, v)))

    resumed: list[tuple[int, float]] = []
    train(_cfg(), tmp_path / "b", stop_after=3, on_step=lambda s, v: resumed.append((s, v)))
    assert [s for s, _ in resumed] == [1, 2, 3]  # "killed" after step 3 (state saved at 3)
    train(_cfg(), tmp_path / "b", on_step=lambda s, v: resumed.append((s, v)))
    assert [s for s, _ in resumed] == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose([v for _, v in resumed], [v for _, v in straight], rtol=1e-5)

    log = (tmp_path / "b" / "tiny" / "train.log").read_text()
    assert "resumed at step 3" in log and "valid step 6" in log
    model, manifest = load_model(tmp_path / "b" / "tiny" / "best")
    assert manifest["metrics"]["valid_loss"] > 0 and model.cfg.d_model == 16


@needs_jsb
def test_batches_are_a_function_of_seed_and_step():
    pieces = data.load_jsb(JSB, "valid")[:5]
    a = data.make_batch(pieces, np.random.default_rng([0, 7, 0]), 3, 32, 3)
    b = data.make_batch(pieces, np.random.default_rng([0, 7, 0]), 3, 32, 3)
    assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.mask, b.mask)
    assert a.tokens.shape == (3, 4, 32) and a.mask.any(axis=(1, 2)).all()
    assert (a.inputs()[a.mask] == 0).all()


def test_learning_rate_warms_up_then_decays():
    cfg = _cfg(steps=100, warmup=10, lr=1.0)
    assert lr_at(0, cfg) < lr_at(9, cfg) == pytest.approx(1.0)
    assert lr_at(99, cfg) == pytest.approx(0.1, abs=0.01)


@needs_jsb
def test_two_process_data_parallel_run(tmp_path):
    # TMPDIR: torchrun's rendezvous folder (torchelastic_*) stays in the test's own folder.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--standalone", "-m", "engine.cli", "train", str(TINY),
           "--runs", str(tmp_path), "--steps", "4"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    log = (tmp_path / "tiny" / "train.log").read_text()
    assert "world 2" in log and "valid step 4" in log
    assert (tmp_path / "tiny" / "best" / "model.safetensors").is_file()


def test_band_roles_mark_the_lowest_lane_bass_and_the_highest_melody():
    from engine.models import vocab
    from engine.score.instruments import ROLE_IDS

    tokens = np.full((4, 16), vocab.REST, dtype=np.int64)
    for lane, pitch in enumerate([60, 72, 40, 50]):
        tokens[lane, ::4] = vocab.onset(pitch)
    tokens[3] = vocab.DRUM  # a drum lane keeps its role
    roles = np.array([ROLE_IDS["voice"]] * 3 + [ROLE_IDS["drums"]])
    out = data.relabel_roles(tokens, roles, np.random.default_rng(0))
    assert out[2] == ROLE_IDS["bass"] and out[1] == ROLE_IDS["melody"]
    assert out[0] in (ROLE_IDS["voice"], ROLE_IDS["chords"]) and out[3] == ROLE_IDS["drums"]
    assert (roles == [ROLE_IDS["voice"]] * 3 + [ROLE_IDS["drums"]]).all()  # not changed
    batch = data.make_batch([data.Piece(tokens, roles, np.arange(16) % 16)],
                            np.random.default_rng(1), 8, 16, relabel=1.0)
    assert (batch.roles[:, 2] == ROLE_IDS["bass"]).all()


def test_relabelled_roles_are_listed_in_the_manifest(tmp_path):
    train(_cfg(relabel_roles=0.5, steps=2, val_every=2), tmp_path)
    _, manifest = load_model(tmp_path / "tiny" / "best")
    assert {"bass", "chords", "melody", "voice"} <= set(manifest["training_roles"])


@pytest.fixture
def steady_clock(monkeypatch):
    """The trainer's clock at exactly 30 steps a second (call the returned function once
    a step): a time-budget test must not depend on how busy the machine is (on a loaded
    CI machine the budget once ended before the refit it tests)."""
    import time
    import types

    import engine.models.train as train_module

    now = [1000.0]
    monkeypatch.setattr(train_module, "time", types.SimpleNamespace(
        monotonic=lambda: now[0], strftime=time.strftime))

    def tick(_step: int = 0, _loss: float = 0.0) -> None:
        now[0] += 1 / 30

    return tick


def test_a_time_budget_fits_the_schedule_and_a_resumed_run_keeps_it(tmp_path, steady_clock):
    cfg = _cfg(minutes=0.1, steps=10**6, val_every=10**6, warmup=5)
    # "killed" after the fit at step 50
    first = train(cfg, tmp_path, stop_after=60, on_step=steady_clock)
    log = (tmp_path / "tiny" / "train.log").read_text()
    assert "time budget 0.1 min" in log
    fitted = int(log.split("step/s, ")[1].split(" steps")[0])
    assert 50 < fitted < 10**6 and first["step"] == min(60, fitted)
    done = train(_cfg(minutes=0.1, steps=10**6, val_every=10**6, warmup=5), tmp_path,
                 on_step=steady_clock)
    assert done["step"] <= fitted  # the resumed run keeps the fitted schedule
    _, manifest = load_model(tmp_path / "tiny" / "best")
    assert manifest["training"]["steps"] == fitted


def test_a_time_budget_is_refitted_on_the_steady_rate(tmp_path, steady_clock):
    done = train(_cfg(minutes=0.1, steps=10**6, val_every=10**6, warmup=5), tmp_path,
                 on_step=steady_clock)
    log = (tmp_path / "tiny" / "train.log").read_text()
    first = int(log.split("step/s, ")[1].split(" steps")[0])
    refit_line = log.split("time budget refitted at step ")[1].split("\n")[0]
    refitted = int(refit_line.split("step/s, ")[1].split(" steps")[0])
    assert int(refit_line.split(":")[0]) == 50 + max(50, (first - 50) // 8)
    _, manifest = load_model(tmp_path / "tiny" / "best")
    assert manifest["training"]["steps"] == refitted  # the schedule the weights were made with
    assert 50 < done["step"] <= refitted


def test_crop_lengths_vary_between_the_minimum_and_the_crop(tmp_path, monkeypatch):
    lengths: set[int] = set()
    original = data.make_batch

    def spy(pieces, rng, batch_size, crop_steps, *a):
        batch = original(pieces, rng, batch_size, crop_steps, *a)
        lengths.add(batch.tokens.shape[2])
        return batch

    monkeypatch.setattr(data, "make_batch", spy)
    train(_cfg(crop_min_steps=8, steps=12, val_every=12), tmp_path)
    assert len(lengths) > 3 and min(lengths) >= 8 and max(lengths) <= 32


def test_batches_built_in_worker_processes_give_the_same_run(tmp_path):
    inline: list[tuple[int, float]] = []
    train(_cfg(), tmp_path / "a", on_step=lambda s, v: inline.append((s, v)))
    workers: list[tuple[int, float]] = []
    train(_cfg(workers=2), tmp_path / "b", on_step=lambda s, v: workers.append((s, v)))
    assert [s for s, _ in workers] == [s for s, _ in inline]
    np.testing.assert_allclose([v for _, v in workers], [v for _, v in inline], rtol=1e-5)


def test_a_bigger_model_section_grows_init_from_and_starts_where_it_stopped(tmp_path):
    train(_cfg(), tmp_path / "small")
    source = tmp_path / "small" / "tiny" / "best"
    _, small = load_model(source)
    wider = {**_cfg().model, "d_model": 32, "n_heads": 4, "n_layers": 2}
    # lr 0: the grown network is scored unchanged, so it must score what its source did.
    train(_cfg(model=wider, init_from=str(source), lr=0.0, steps=3), tmp_path / "big")
    model, big = load_model(tmp_path / "big" / "tiny" / "best")
    assert (model.cfg.d_model, model.cfg.n_layers) == (32, 2)
    assert big["metrics"]["valid_loss"] == pytest.approx(small["metrics"]["valid_loss"],
                                                         abs=2e-4)


def test_a_model_section_that_cannot_grow_from_init_from_is_a_config_error(tmp_path):
    train(_cfg(), tmp_path / "small")
    source = tmp_path / "small" / "tiny" / "best"
    with pytest.raises(ConfigError, match="whole multiple"):
        train(_cfg(model={**_cfg().model, "d_model": 24, "n_heads": 3}, init_from=str(source)),
              tmp_path / "big")


def test_fine_tuning_on_a_folder_of_midi_files_makes_a_new_model(tmp_path, capsys):
    # `partita train CONFIG --data DIR` starts from partita-base and trains on the files.
    from engine.cli import main
    from engine.io import save_song
    from engine.models.checkpoint import read_manifest
    from engine.score import Note, Song, Track

    songs = tmp_path / "my songs"
    songs.mkdir()
    for k in range(3):
        lead = Track("Lead", program=73, notes=tuple(
            Note(60 + (i * (k + 2)) % 12, i * 240, 240) for i in range(64)))
        bass = Track("Bass", program=33, notes=tuple(
            Note(36 + (i * 5) % 7, i * 960, 960) for i in range(16)))
        save_song(Song((lead, bass), ppq=480), songs / f"song{k}.mid")
    code = main(["train", str(ROOT / "configs" / "partita-base.yaml"), "--data", str(songs),
                 "--name", "my-trio", "--steps", "2", "--runs", str(tmp_path / "runs")])
    assert code == 0, capsys.readouterr().err
    manifest = read_manifest(tmp_path / "runs" / "my-trio" / "best")
    base = read_manifest(ROOT / "assets" / "models" / "partita-base")
    assert manifest["name"] == "my-trio" and manifest["version"] == "0.1.0"
    assert manifest["fine_tuned_from"] == {"name": "partita-base", "version": base["version"]}
    assert manifest["description"].startswith(f"partita-base {base['version']} fine-tuned")
    assert manifest["training_data"]["kind"] == "midi"
    assert "my songs" in manifest["training_data"]["source"]
    # A pack is shared: the folder's name, never the user's path to it.
    written = (tmp_path / "runs" / "my-trio" / "best" / "manifest.json").read_text()
    assert str(tmp_path) not in written and "my songs" in written


def a_song_in(folder: Path) -> Path:
    """``folder`` holding one four-bar MIDI melody: the smallest fine-tuning data."""
    from engine.io import save_song
    from engine.score import Note, Song, Track

    folder.mkdir()
    lead = Track("Lead", program=73, notes=tuple(Note(60 + i % 5, i * 240, 240)
                                                 for i in range(64)))
    save_song(Song((lead,), ppq=480), folder / "a.mid")
    return folder


def test_a_config_the_starting_model_cannot_take_is_one_line(tmp_path, capsys):
    # `partita train configs/tiny.yaml --data DIR` starts from partita-base (d_model 96):
    # tiny's d_model 16 cannot hold it, and the CLI printed a traceback.
    from engine.cli import main

    songs = a_song_in(tmp_path / "songs")
    code = main(["train", str(TINY), "--data", str(songs), "--steps", "1",
                 "--runs", str(tmp_path / "runs")])
    err = [e for e in capsys.readouterr().err.strip().splitlines() if "error" in e]
    assert code == 1 and len(err) == 1, err
    assert err[0].startswith(f"partita: error: {TINY}: ") and "partita-base" in err[0]
    assert "configs/partita-base-finetune.yaml" in err[0]  # what to use instead


def test_fine_tuning_needs_no_config_and_names_the_model_after_the_folder(tmp_path, capsys):
    from engine.cli import main
    from engine.models.checkpoint import read_manifest

    songs = a_song_in(tmp_path / "My Jazz Songs")
    assert main(["train", "--data", str(songs), "--steps", "2",
                 "--runs", str(tmp_path / "runs")]) == 0
    out, err = capsys.readouterr()
    assert "training 'my-jazz-songs'" in err
    assert "partita models install" in out  # what to do next
    manifest = read_manifest(tmp_path / "runs" / "my-jazz-songs" / "best")
    assert manifest["name"] == "my-jazz-songs" and manifest["author"] == ""
    assert manifest["fine_tuned_from"]["name"] == "partita-base"


def test_teaching_a_model_compound_meters_moves_only_their_positions(tmp_path):
    """``trainable: [beat_compound]`` on 6/8 music: the compound positions learn, every
    weight a 4/4 or 3/4 song reads stays as it was (even with a 3/4 bar among them)."""
    import torch

    from engine.io import save_song
    from engine.score import Note, Song, TimeSignature, Track

    songs = tmp_path / "songs"
    songs.mkdir()
    for k, (num, den) in enumerate([(6, 8), (6, 8), (3, 4), (12, 8)]):
        jig = Track("Lead", program=73, notes=tuple(
            Note(62 + (i * (k + 3)) % 9, i * 240, 480 if i % 3 == 0 else 240)
            for i in range(0, 96, 1)))
        meters = (TimeSignature(0, num, den), TimeSignature(2880, 3, 4),
                  TimeSignature(4320, num, den))
        save_song(Song((jig,), ppq=480, time_signatures=meters), songs / f"tune{k}.mid")
    folder = {"kind": "midi", "path": str(songs)}
    train(_cfg(data=folder, steps=4), tmp_path / "a")
    source = tmp_path / "a" / "tiny" / "best"
    before, _ = load_model(source)
    train(_cfg(data={**folder, "meters": "compound"}, steps=4, init_from=str(source),
               model={**_cfg().model, "meters": 2}, trainable=["beat_compound"],
               lr=0.05), tmp_path / "b")
    after, manifest = load_model(tmp_path / "b" / "tiny" / "best")
    old, new = before.state_dict(), after.state_dict()
    for name, w in old.items():
        torch.testing.assert_close(new[name], w, rtol=0, atol=0)
    assert not torch.allclose(new["beat_compound.weight"], old["beat.weight"])
    assert manifest["training"]["trainable"] == ["beat_compound"]


def test_trainable_and_meters_are_checked_before_a_run(tmp_path):
    with pytest.raises(ConfigError, match="names no parameter"):
        train(_cfg(trainable=["bogus"]), tmp_path)
    with pytest.raises(ConfigError, match="meters must be one of"):
        _cfg(data={"kind": "jsb", "path": str(JSB), "meters": "waltz"}).checked("tiny.yaml")
