"""``partita models``: listing, verifying and installing, as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.plugins.discovery import repo_plugins_dir
from tests.engine.plugins.plugin_folders import write_code_plugin, write_pack


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("PARTITA_MODELS_DIR", str(folder))
    return folder


def test_list_shows_the_example_plugin_and_the_builtin_entry(models_dir, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "KIND", "SOURCE", "STATUS"]
    drumkit = next(line for line in lines if " drumkit " in line)
    assert drumkit.rstrip().endswith("ok") and "0.1.0" in drumkit
    assert f"Your models folder: {models_dir}" in out


def test_list_as_json(models_dir, capsys):
    assert main(["models", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    models = {m["name"]: m for m in data["models"]}
    assert models["drumkit"]["status"] == "ok"
    assert models["drumkit"]["instruments"] == ["drums"]
    assert any(m["origin"] == "builtin" for m in data["models"])
    assert all(m["reason"] for m in data["models"] if m["status"] == "disabled")
    assert data["user_dir"] == str(models_dir)


def test_verify_a_good_and_a_broken_folder(tmp_path, models_dir, capsys):
    assert main(["models", "verify", str(repo_plugins_dir() / "partita-drumkit")]) == 0
    assert "ok: code plugin drumkit 0.1.0" in capsys.readouterr().out
    assert main(["models", "verify", str(write_pack(tmp_path, "good"))]) == 0
    assert "ok: pack good 2.0" in capsys.readouterr().out
    broken = write_pack(tmp_path, "broken", wrong_hash=True)
    assert main(["models", "verify", str(broken)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"partita: error: {broken / 'model.safetensors'}: SHA-256 mismatch")
    assert len(err.strip().splitlines()) == 1
    crashing = write_code_plugin(tmp_path, "crash", on_import="1 / 0")
    assert main(["models", "verify", str(crashing)]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_install_a_pack_then_list_it(tmp_path, models_dir, capsys):
    src = write_pack(tmp_path, "community")
    assert main(["models", "install", str(src)]) == 0
    assert f"installed community 2.0 into {models_dir / 'community'}" in capsys.readouterr().out
    assert (models_dir / "community" / "model.safetensors").is_file()
    assert main(["models", "install", str(src)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["models", "--json"]) == 0
    (entry,) = [m for m in json.loads(capsys.readouterr().out)["models"]
                if m["name"] == "community"]
    assert entry["origin"] == "user" and entry["kind"] == "pack"
    # No loader knows the test architecture: listed, disabled, with the reason.
    assert entry["status"] == "disabled" and "no loader for architecture 'toy-arch'" in (
        entry["reason"])


def test_installing_a_code_plugin_is_refused(tmp_path, models_dir, capsys):
    assert main(["models", "install", str(repo_plugins_dir() / "partita-drumkit")]) == 1
    assert "is a code plugin" in capsys.readouterr().err
    assert not models_dir.exists()


@pytest.mark.parametrize("argv", [["models", "--json"], ["models", "list", "--json"],
                                  ["models", "--json", "list"]])
def test_every_spelling_of_json_prints_json(models_dir, capsys, argv):
    assert main(argv) == 0
    assert "models" in json.loads(capsys.readouterr().out)


def test_list_without_json_prints_the_table(models_dir, capsys):
    assert main(["models", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[0] == "NAME"


def test_verify_knows_the_built_in_architecture_in_a_fresh_process(tmp_path):
    # The pack loader registers on import of the model code; `verify` alone used to say
    # a pack of our own architecture would be disabled (it loads fine once installed).
    pack = tmp_path / "my-pack"
    pack.mkdir()
    shipped = Path(__file__).resolve().parents[3] / "assets/models/partita-base"
    manifest = json.loads((shipped / "manifest.json").read_text())
    (pack / "partita-plugin.json").write_text(json.dumps({**manifest, "name": "my-pack"}))
    for w in manifest["weights"]:
        shutil.copy(shipped / w["file"], pack / w["file"])
    done = subprocess.run([sys.executable, "-m", "engine.cli", "models", "verify", str(pack)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "ok: pack my-pack" in done.stdout
    assert "no loader" not in done.stdout
