"""Model packs: verification and installation into a models folder."""

from __future__ import annotations

import pytest

from engine.plugins import PluginError, install_pack, verify_pack
from tests.engine.plugins.plugin_folders import write_code_plugin, write_pack


def test_verify_checks_files_hashes_and_headers(tmp_path):
    folder = write_pack(tmp_path, "p")
    assert verify_pack(folder).name == "p"
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(PluginError, match="SHA-256 mismatch"):
        verify_pack(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(PluginError, match=r"model.safetensors: weights file .* is missing"):
        verify_pack(folder)
    with pytest.raises(PluginError, match="is a code plugin, not a pack"):
        verify_pack(write_code_plugin(tmp_path, "code"))
    with pytest.raises(PluginError, match="written for plugin API 3"):
        verify_pack(write_pack(tmp_path, "newer", api_version=3))


def test_a_header_that_is_not_safetensors_is_refused(tmp_path):
    import hashlib
    import json

    folder = write_pack(tmp_path, "p")
    junk = b"\x08\x00\x00\x00\x00\x00\x00\x00{broken}"
    (folder / "model.safetensors").write_bytes(junk)
    manifest = json.loads((folder / "partita-plugin.json").read_text())
    manifest["weights"][0]["sha256"] = hashlib.sha256(junk).hexdigest()
    (folder / "partita-plugin.json").write_text(json.dumps(manifest))
    with pytest.raises(PluginError, match="not a readable safetensors file"):
        verify_pack(folder)


def test_install_copies_a_verified_pack(tmp_path):
    src = write_pack(tmp_path / "downloads", "p")
    (src / "notes.txt").write_text("not part of the pack")
    models = tmp_path / "models"
    target = install_pack(src, models)
    assert target == models / "p"
    assert sorted(f.name for f in target.iterdir()) == [
        "README.md", "model.safetensors", "partita-plugin.json"]
    assert verify_pack(target).name == "p"
    with pytest.raises(PluginError, match=r"already installed .*--force"):
        install_pack(src, models)
    assert install_pack(src, models, force=True) == target
    assert [p.name for p in models.iterdir()] == ["p"]  # no staging folder left behind


def test_a_broken_pack_is_not_installed(tmp_path):
    src = write_pack(tmp_path / "downloads", "p", wrong_hash=True)
    with pytest.raises(PluginError, match="SHA-256 mismatch"):
        install_pack(src, tmp_path / "models")
    assert not (tmp_path / "models" / "p").exists()


def test_a_model_folder_copied_into_the_models_folder_is_listed(tmp_path):
    """`partita train` writes manifest.json; a run's best/ copied by hand into the models
    folder (not `models install`) was silently not listed at all."""
    from engine.plugins import Registry

    src = write_pack(tmp_path / "runs", "mine")
    (src / "partita-plugin.json").rename(src / "manifest.json")
    models = tmp_path / "models"
    models.mkdir()
    src.rename(models / "mine")
    entries = Registry(entry_points=False, plugin_dirs=[], user_dir=models).entries()
    # listed as a pack (this toy pack's architecture has no loader: disabled, and said)
    assert [(e.name, e.kind, e.origin) for e in entries] == [("mine", "pack", "user")]
