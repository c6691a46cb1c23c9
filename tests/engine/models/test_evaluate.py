"""Evaluation: the NLL estimator counts every cell once and is exact where it must be."""

from __future__ import annotations

import json
import math

import numpy as np
import torch

from engine.cli import main
from engine.models import vocab
from engine.models.checkpoint import save_model
from engine.models.data import Piece, load_jsb
from engine.models.evaluate import music_stats, orderless_nll
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.voice_leading import sounding_pitches
from tests.conftest import JSB, needs_jsb


class Uniform(torch.nn.Module):
    max_steps = 32

    def forward(self, tokens, roles, beat_pos):
        return torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)


@needs_jsb
def test_uniform_model_scores_log_vocab_per_cell_over_every_window():
    pieces = load_jsb(JSB, "valid")[:2]
    for frames in (False, True):
        r = orderless_nll(Uniform(), pieces, n_ratios=3, frames=frames)
        assert r["cells"] == sum(p.tokens.size for p in pieces)
        assert math.isclose(r["nll"], math.log(vocab.VOCAB_SIZE), rel_tol=1e-6)


def test_music_stats_find_parallel_fifths():
    # Two voices moving C-G → D-A in parallel fifths, then contrary motion.
    up = [vocab.onset(p) for p in (60, 62, 60)]
    low = [vocab.onset(p) for p in (53, 55, 57)]
    grid = np.array([up, low])
    assert sounding_pitches(np.array([[vocab.onset(60), vocab.HOLD, vocab.REST]])).tolist() == [
        [60, 60, -1]]
    s = music_stats([grid])
    assert s["parallel_rate"] == 0.5
    assert s["ranges"] == [[60, 62], [53, 57]]
    assert s["note_density"] == 1.0


@needs_jsb
def test_eval_command_prints_finite_figures(tmp_path, capsys):
    torch.manual_seed(0)
    net = AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2, max_steps=64))
    save_model(tmp_path / "m", net, {"name": "tiny-eval"})
    code = main(["eval", "--data", str(JSB), "--split", "valid", "--model", str(tmp_path / "m"),
                 "--limit", "2", "--samples", "1", "--ratios", "2", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pieces"] == 2 and report["model"] == "tiny-eval"
    for key in ("nll_note", "nll_frame", "nll_note_stderr"):
        assert math.isfinite(report[key]) and report[key] >= 0
    assert 0 <= report["stats_distance"]["pitch_class_tv_distance"] <= 1


@needs_jsb
def test_eval_of_a_missing_split_is_one_clear_line(tmp_path, capsys):
    torch.manual_seed(0)
    save_model(tmp_path / "m", AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2)),
               {"name": "x"})
    code = main(["eval", "--data", str(JSB), "--split", "test", "--model", str(tmp_path / "m")])
    assert code == 1
    err = capsys.readouterr().err
    assert "no split 'test'" in err and "jsb16th_train_valid.json" in err


@needs_jsb
def test_piece_lengths_are_whole_chorales():
    p: Piece = load_jsb(JSB, "train")[0]
    assert p.tokens.shape[0] == 4 and p.beat_pos.max() <= 15
