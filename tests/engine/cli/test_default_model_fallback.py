"""A default model chosen for some tracks does not refuse a request for others: the
built-in default writes it, and the command says so (QA: `partita models default
markov-melody`, then `partita continue demo.mid …` failed "markov-melody cannot write
drum tracks"). A model named with --model is never replaced."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.cli import main
from engine.io import load_song, save_song
from engine.plugins import ModelInfo, Progress, registry
from engine.plugins.entry import Entry
from engine.score import Note, Song, Track


class Echo:
    def __init__(self, name: str, instruments: tuple[str, ...]) -> None:
        self.info = ModelInfo(name, "1.0", api_version=1, instruments=instruments)
        self.calls = 0

    def generate(self, song, mask, options, progress, cancel):
        self.calls += 1
        start = mask.span[0]
        progress(Progress(1, 1))
        return {tid: (Note(36 if song.track(tid).is_drum else 60, start, 120),)
                for tid in mask.track_ids}


@pytest.fixture
def models(monkeypatch, tmp_path):
    """The built-in default (a stand-in) and a melody-only package, nothing else."""
    monkeypatch.setenv("PARTITA_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    base, melody = Echo("partita-base", ("any",)), Echo("markov-melody", ("melody",))
    entries = [Entry("partita-base", "1.0", "code", "builtin", "built-in", plugin=base),
               Entry("markov-melody", "1.0", "code", "package", "package markov 1.0",
                     plugin=melody)]
    monkeypatch.setattr(registry, "from_entry_points", lambda: list(entries))
    monkeypatch.setattr(registry, "discover", lambda *a, **k: [])
    return base, melody


@pytest.fixture
def band(tmp_path):
    song = Song((Track("Piano", notes=(Note(60, 0, 480),)),
                 Track("Drums", channel=9, is_drum=True, notes=(Note(36, 0, 240),))))
    path = tmp_path / "band.mid"
    save_song(song, path)
    return path


def test_the_built_in_default_writes_what_the_default_cannot(models, band, tmp_path, capsys):
    base, melody = models
    assert main(["models", "default", "markov-melody"]) == 0
    capsys.readouterr()
    out = tmp_path / "x.mid"
    assert main(["continue", str(band), "-o", str(out), "--bars", "2", "--seed", "1"]) == 0
    said = capsys.readouterr()
    assert (f"partita: note: {out}: the default model, markov-melody, cannot write 'Drums': "
            "partita-base writes this request (--model to choose)") in said.err
    assert "1 take with partita-base" in said.out
    assert base.calls and not melody.calls
    assert len(load_song(out).tracks[1].notes) > 1

    # The tracks it can write: the default writes them, with nothing said.
    assert main(["continue", str(band), "-o", str(out), "--bars", "2", "--tracks", "1",
                 "--seed", "1"]) == 0
    said = capsys.readouterr()
    assert "with markov-melody" in said.out and "note:" not in said.err


def test_a_model_named_with_model_is_refused_not_replaced(models, band, tmp_path, capsys):
    base, _ = models
    out = tmp_path / "x.mid"
    assert main(["continue", str(band), "-o", str(out), "--bars", "2",
                 "--model", "markov-melody"]) == 1
    assert "markov-melody cannot write drum tracks ('Drums')" in capsys.readouterr().err
    assert not base.calls and not out.exists()


def test_the_fallback_is_only_taken_where_the_built_in_default_can_write(models):
    base, _ = models
    reg = registry.Registry()
    reg.preferred = "markov-melody"
    drums_only = Song((Track("Drums", channel=9, is_drum=True),))
    base.info = replace(base.info, instruments=("melody",))  # it cannot either
    entry, note = reg.default_for("continue", drums_only, [drums_only.tracks[0].id])
    assert entry.name == "markov-melody" and note == ""  # refused with its own reason
