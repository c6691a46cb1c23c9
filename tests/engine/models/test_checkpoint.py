"""Model files: safetensors + manifest round trip; damaged or foreign files are refused."""

from __future__ import annotations

import json

import pytest
import torch

from engine.models.checkpoint import (
    ModelFileError,
    load_model,
    load_state,
    read_manifest,
    save_model,
    save_state,
)
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.plugins.manifest import load_manifest

CFG = NetworkConfig(d_model=16, n_layers=1, n_heads=2, ff_mult=2, max_steps=32)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = AxialDenoiser(CFG)
    save_model(tmp_path, model, {"name": "tiny", "version": "1.2.3", "metrics": {"x": 1}})
    return tmp_path, model


def test_round_trip_gives_the_same_network(saved):
    folder, model = saved
    loaded, manifest = load_model(folder)
    assert manifest["name"] == "tiny" and manifest["metrics"] == {"x": 1}
    assert loaded.cfg == CFG
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items(),
                              strict=True):
        assert torch.equal(a, b), k
    assert not any(p.suffix == ".pt" or p.suffix == ".pkl" for p in folder.iterdir())


def test_manifest_is_a_valid_pack_manifest(saved):
    folder, _ = saved
    (folder / "partita-plugin.json").write_text((folder / "manifest.json").read_text())
    m = load_manifest(folder)
    assert m.kind == "pack" and m.weights[0].file == "model.safetensors"


def test_changed_weights_fail_the_hash_check_naming_the_file(saved):
    folder, _ = saved
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (folder / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"model\.safetensors: SHA-256 does not match"):
        load_model(folder)


def test_foreign_vocabulary_or_architecture_is_refused(saved):
    folder, _ = saved
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "vocab": {**manifest["vocab"], "size": 999}}))
    with pytest.raises(ModelFileError, match="vocabulary differs"):
        read_manifest(folder)
    path.write_text(json.dumps({**manifest, "architecture": "other-v9"}))
    with pytest.raises(ModelFileError, match=r"manifest\.json: architecture 'other-v9'"):
        read_manifest(folder)


def test_loading_checks_the_pack_fields_with_the_plugin_manifest_parser(saved):
    folder, _ = saved
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    bad = {**manifest, "weights": [{"file": "model.safetensors", "sha256": "abc"}]}
    path.write_text(json.dumps(bad))
    with pytest.raises(ModelFileError, match=r"manifest\.json: field 'weights': sha256"):
        load_model(folder)
    path.write_text(json.dumps({**manifest, "name": "Not A Name!"}))
    with pytest.raises(ModelFileError, match=r"field 'name'"):
        read_manifest(folder)
    path.write_text(json.dumps({**manifest, "kind": "code", "entry": "mod:Model"}))
    with pytest.raises(ModelFileError, match=r"field 'kind'"):
        read_manifest(folder)
    path.write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        read_manifest(folder)


def test_missing_folder_is_a_model_file_error(tmp_path):
    with pytest.raises(ModelFileError, match="no such model folder"):
        load_model(tmp_path / "nope")


def test_training_state_round_trip_restores_the_optimizer(tmp_path):
    torch.manual_seed(0)
    model = AxialDenoiser(CFG)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    tokens = torch.randint(0, 100, (1, 2, 8))
    model(tokens, torch.zeros(1, 2, dtype=torch.long), torch.zeros(1, 8, dtype=torch.long)
          ).sum().backward()
    opt.step()
    save_state(tmp_path, model, opt, {"step": 7, "best_valid": 1.5}, {"name": "t"})
    fresh = AxialDenoiser(CFG)
    fresh_opt = torch.optim.AdamW(fresh.parameters(), lr=1e-3)
    state = load_state(tmp_path, fresh, fresh_opt)
    assert state["step"] == 7 and state["best_valid"] == 1.5
    a, b = opt.state_dict(), fresh_opt.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for i in a["state"]:
        for key in ("exp_avg", "exp_avg_sq"):
            assert torch.equal(a["state"][i][key], b["state"][i][key])
