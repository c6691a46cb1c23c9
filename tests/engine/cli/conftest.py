"""Shared fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.io import load_song, save_song
from engine.jobs import JobQueue, JobRequest, TakeStore
from engine.jobs.saved_takes import takes_to_json
from engine.models.plugin import tiny_random_model
from engine.plugins.api import GenerateOptions
from engine.score import Mask, Region

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
BAR = 1920


@pytest.fixture(scope="module")
def pending(tmp_path_factory) -> Path:
    """The demo with three waiting takes, as the studio saves them: two of the Lead's
    bars 5–8 (1A, 1B), one of the Bass's bars 1–4 (2A)."""
    song = load_song(DEMO)
    lead, bass = song.find_track("Lead"), song.find_track("Bass")
    store = TakeStore()
    labels = {}
    with JobQueue() as queue:
        model = tiny_random_model(0, lanes=12)
        for mask, seeds in ((Mask.of(Region({lead.id}, 4 * BAR, 8 * BAR)), (1, 2)),
                            (Mask.of(Region({bass.id}, 0, 4 * BAR)), (3,))):
            for seed in seeds:
                job = queue.submit(JobRequest(song, mask, model, "repaint",
                                              GenerateOptions(seed=seed, steps=3)))
                assert job.wait(60), job.error
                labels[store.add(job.take).id] = "Repaint"
    path = tmp_path_factory.mktemp("takes") / "pending.partita"
    save_song(song, path, studio={"takes": takes_to_json(store, labels), "zoom": 3})
    return path
