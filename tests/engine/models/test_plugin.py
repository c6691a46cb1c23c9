"""Built-in models: listed from manifests, loaded lazily, usable as packs; the tiny model."""

from __future__ import annotations

import shutil

import pytest
import torch

from engine.models.checkpoint import ModelFileError, save_model
from engine.models.network import ARCHITECTURE, AxialDenoiser, NetworkConfig
from engine.models.plugin import builtin_models, plugin_from_folder, tiny_random_model
from engine.plugins.api import CancelToken, GenerateOptions, ModelPlugin
from engine.plugins.packs import pack_loader
from engine.score import Mask, Note, Region, Song, Track


def _song() -> tuple[Song, Mask]:
    melody = Track(name="Melody", program=73, notes=tuple(
        Note(60 + (i % 5), i * 240, 240) for i in range(32)))
    bass = Track(name="Bass", program=33, notes=(Note(36, 0, 1920),))
    song = Song(tracks=(melody, bass))
    return song, Mask((Region(frozenset({bass.id}), 0, 4 * 1920),))


def test_tiny_random_model_writes_only_inside_the_mask():
    plugin = tiny_random_model(seed=1)
    assert isinstance(plugin, ModelPlugin)
    song, mask = _song()
    bass = song.tracks[1]
    out = plugin.generate(song, mask, GenerateOptions(steps=3, seed=0), lambda p: None,
                          CancelToken())
    assert set(out) == {bass.id}
    assert all(mask.contains_note(bass.id, n) for n in out[bass.id])


def test_model_folder_loads_weights_only_when_first_used(tmp_path):
    torch.manual_seed(0)
    net = AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2, max_steps=64))
    save_model(tmp_path / "m", net, {"name": "lazy", "lanes": 8,
                                     "training_roles": ["voice"]})
    (tmp_path / "m" / "model.safetensors").write_bytes(b"damaged")
    plugin = plugin_from_folder(tmp_path / "m")  # manifest only: no error yet
    assert plugin.info.name == "lazy" and plugin.info.max_lanes == 8
    song, mask = _song()
    with pytest.raises(ModelFileError, match="SHA-256"):
        plugin.generate(song, mask, GenerateOptions(steps=2, seed=0), lambda p: None,
                        CancelToken())


def test_shipped_models_are_listed_default_first():
    plugins = builtin_models()
    names = [p.info.name for p in plugins]
    assert len(set(names)) == len(names)
    if "partita-base" in names:
        assert names[0] == "partita-base"


def test_pack_loader_is_registered_for_our_architecture(tmp_path):
    assert pack_loader(ARCHITECTURE) is not None
    torch.manual_seed(0)
    net = AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2))
    save_model(tmp_path / "pack", net, {"name": "community"})
    shutil.copy(tmp_path / "pack" / "manifest.json", tmp_path / "pack" / "partita-plugin.json")
    plugin = pack_loader(ARCHITECTURE)(tmp_path / "pack", None)
    assert plugin.info.name == "community"


class _RestLover(torch.nn.Module):
    """Uniform logits but ``REST`` 5 nats up: a briefly-trained model's favourite answer."""

    max_steps = 64

    def forward(self, tokens, roles, beat_pos):
        from engine.models import vocab

        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., vocab.REST] = 5.0
        return logits


def test_repainting_a_busy_melody_with_a_rest_loving_model_is_not_silent():
    from engine.models.grid_plugin import GridModelPlugin
    from engine.plugins.api import ModelInfo

    song, _ = _song()  # the melody: an 8th note every 8th, 32 notes over 2 bars
    melody = song.tracks[0]
    mask = Mask((Region(frozenset({melody.id}), 1920, 2 * 1920),))
    plugin = GridModelPlugin(ModelInfo(name="rests", version="0"), _RestLover())

    def notes(density=None):
        out = plugin.generate(song, mask, GenerateOptions(steps=8, seed=1, density=density),
                              lambda p: None, CancelToken())
        return len(out[melody.id])

    replaced = sum(mask.contains_note(melody.id, n) for n in melody.notes)
    assert replaced == 8
    assert 4 <= notes() <= 14  # about the melody's own density, not silence
    assert notes(0.0) < notes() < notes(1.0)
