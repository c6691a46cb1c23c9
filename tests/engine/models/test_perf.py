"""The benchmark harness counts what the network did for each task."""

from __future__ import annotations

from dataclasses import replace

import torch

from engine import tasks as T
from engine.models.grid_plugin import GridModelPlugin
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.perf import CountingDenoiser, Task, benchmark_tasks, time_tasks
from engine.models.plugin import tiny_random_model
from engine.plugins.api import GenerateOptions, ModelInfo
from engine.score import Note, Song, Track

BAR = 16 * 120


def test_time_tasks_reports_forward_passes_and_cells_per_pass():
    torch.manual_seed(0)
    cfg = NetworkConfig(d_model=16, n_layers=1, n_heads=2, ff_mult=2, max_steps=64, max_lanes=8)
    counter = CountingDenoiser(AxialDenoiser(cfg).eval(), cfg)
    plugin = GridModelPlugin(ModelInfo("tiny", "0", max_lanes=8), counter, context_bars=1)
    song = Song(tracks=(
        Track(name="Lead", program=73, notes=tuple(Note(72, b * BAR, BAR) for b in range(4))),
        Track(name="Bass", program=33, channel=1,
              notes=tuple(Note(36, b * BAR, BAR) for b in range(4))),
    ))
    lead = song.tracks[0].id
    task = Task("repaint", "repaint bar 2 of the lead",
                lambda m, o: T.repaint(song, [lead], 1, 2, model=m, options=o))
    out = time_tasks({"fp32": plugin}, {"fp32": counter}, [task], 1,
                     GenerateOptions(steps=3))
    row = out["repaint"]["fp32"]
    assert row["forwards"] == 3  # one window, one pass per sampling step
    assert row["cells_per_forward"] == 2 * 3 * 16  # lead + bass lanes × bars 1-3
    assert 0 < row["network_share"] <= 1 and row["p95_s"] >= row["p50_s"] > 0


def test_the_benchmark_runs_a_model_that_writes_no_drums():
    # Its inputs leave the drum track out; with it the tasks would refuse the model.
    voices = tiny_random_model(0)
    voices.info = replace(voices.info, instruments=("voice",))
    tasks = benchmark_tasks(quick=True, melody_song=None, drums=False)
    assert [t.name for t in tasks] == ["repaint", "regenerate", "continue", "compose"]
    for task in tasks:
        take = task.run(voices, GenerateOptions(steps=1, seed=0))
        assert not any(t.is_drum for t in take.after.tracks)
