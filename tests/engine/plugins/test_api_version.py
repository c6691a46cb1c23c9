"""The plugin API a model was written for: stated, and checked alike everywhere.

With API 2 running, `partita models` listed two pip-installed plugins as ok (their
ModelInfo stated no api_version, which defaulted to the running API) while `models
verify` said "written for plugin API 1" (QA)."""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import uuid
from pathlib import Path

import pytest

from engine.plugins import FIRST_API_VERSION, ModelInfo, discovery, packs
from engine.plugins.discovery import GROUP, check_plugin, from_entry_points

ROOT = Path(__file__).resolve().parents[3]

PACKAGE = '''
from engine.plugins.api import ModelInfo


class Model:
    info = ModelInfo(name={name!r}, version="1.0"{api})

    def generate(self, song, mask, options, progress, cancel):
        return {{}}
'''


@pytest.fixture
def api_2(monkeypatch):
    """This Partita speaks plugin API 2."""
    for module in (discovery, packs):
        monkeypatch.setattr(module, "API_VERSION", 2)


def installed(monkeypatch, tmp_path, name: str, api: str = "",
              manifest_api: int | None = None) -> None:
    """A package that provides ``name`` through the ``partita.models`` entry point, with
    a manifest beside its code when ``manifest_api`` is given."""
    module = f"pkg_{uuid.uuid4().hex[:8]}"
    root = tmp_path / "site"
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text(PACKAGE.format(name=name, api=api))
    if manifest_api is not None:
        (root / module / "partita-plugin.json").write_text(json.dumps({
            "name": name, "version": "1.0", "api_version": manifest_api, "kind": "code",
            "entry": f"{module}:Model"}))
    monkeypatch.syspath_prepend(str(root))
    point = md.EntryPoint(name=name, value=f"{module}:Model", group=GROUP)
    monkeypatch.setattr(discovery.md, "entry_points",
                        lambda group: [point] if group == GROUP else [])


def test_a_model_info_that_states_no_api_was_written_for_the_first():
    assert FIRST_API_VERSION == 1
    assert ModelInfo("x", "1").api_version == FIRST_API_VERSION


def test_an_installed_plugin_for_an_older_api_is_disabled_when_listed(monkeypatch,
                                                                         tmp_path, api_2):
    installed(monkeypatch, tmp_path, "root-bass")
    (entry,) = from_entry_points()
    assert not entry.ok
    assert entry.reason.startswith("model 'root-bass' is written for plugin API 1, this "
                                   "Partita supports API 2")
    assert "not given" in entry.reason  # why 1: it stated none


def test_an_installed_plugin_that_states_the_running_api_is_listed(monkeypatch, tmp_path,
                                                                     api_2):
    installed(monkeypatch, tmp_path, "root-bass", api=", api_version=2")
    (entry,) = from_entry_points()
    assert entry.ok, entry.reason


def test_a_package_is_held_to_the_api_its_shipped_manifest_states(monkeypatch, tmp_path,
                                                                    api_2):
    # Its code was updated, its manifest not: `models verify NAME` refuses it, so the
    # listing does too.
    installed(monkeypatch, tmp_path, "root-bass", api=", api_version=2", manifest_api=1)
    (entry,) = from_entry_points()
    assert not entry.ok
    assert entry.reason.endswith("partita-plugin.json: written for plugin API 1, this "
                                 "Partita supports API 2")


def test_an_added_model_for_an_older_api_is_refused(api_2):
    class Old:
        info = ModelInfo("old", "1")

        def generate(self, *a):
            return {}

    with pytest.raises(discovery.PluginError, match="written for plugin API 1"):
        check_plugin(Old())


def _stated_api(source: str) -> list[bool]:
    """For each ``ModelInfo(…)`` call in ``source``: whether it passes ``api_version``."""
    return [any(k.arg == "api_version" for k in node.keywords)
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ModelInfo"]


def test_the_docs_example_and_the_drumkit_state_their_api():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    example = docs.split("```python\n", 1)[1].split("```", 1)[0]
    drumkit = (ROOT / "plugins" / "partita-drumkit" / "partita_drumkit" / "plugin.py"
               ).read_text(encoding="utf-8")
    assert _stated_api(example) == [True]
    assert _stated_api(drumkit) == [True]


def shipped_data(monkeypatch, tmp_path, name: str = "markov") -> Path:
    """A package providing ``name`` with a manifest and a data file inside it (the layout
    docs/plugins.md recommends); its module's folder."""
    import hashlib

    installed(monkeypatch, tmp_path, name, api=", api_version=1")
    (package,) = [p for p in (tmp_path / "site").iterdir() if p.is_dir()]
    (package / "weights.safetensors").write_bytes(b"\x00" * 64)
    (package / "partita-plugin.json").write_text(json.dumps({
        "name": name, "version": "1.0", "api_version": 1, "kind": "code",
        "entry": f"{package.name}:Model", "weights": [
            {"file": "weights.safetensors",
             "sha256": hashlib.sha256(b"\x00" * 64).hexdigest()}]}))
    return package


def test_a_package_with_a_damaged_data_file_is_disabled_before_its_code_runs(
        monkeypatch, tmp_path):
    """QA: one byte changed in a pip-installed plugin's weights: listed "ok" and ran; only
    `models verify` said so, where the same folder plugin was disabled."""
    package = shipped_data(monkeypatch, tmp_path)
    (entry,) = from_entry_points()
    assert entry.ok, entry.reason
    (package / "weights.safetensors").write_bytes(b"\x00" * 63 + b"\x01")
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (entry,) = from_entry_points()
    assert not entry.ok
    assert "weights.safetensors: SHA-256 mismatch" in entry.reason
    assert "imported" not in entry.reason  # refused before its code was imported


def test_a_packages_data_is_hashed_once_per_file_version(monkeypatch, tmp_path):
    calls = []
    package = shipped_data(monkeypatch, tmp_path)
    real = Path.open

    def counted(self, *a, **k):  # the data file read to hash it
        if self.name == "weights.safetensors":
            calls.append(self)
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "open", counted)
    for _ in range(3):
        (entry,) = from_entry_points()
        assert entry.ok
    assert len(calls) == 1
    # A new process: the state folder keeps it.
    monkeypatch.setattr(packs, "_hash_cache", {})
    monkeypatch.setattr(packs, "_disk_read", False)
    from_entry_points()
    assert len(calls) == 1
    with packs.hashing_afresh():  # `partita models verify`: read again, once
        from_entry_points()
        from_entry_points()
    assert calls == [package / "weights.safetensors"] * 2


def test_a_packages_manifest_that_disagrees_with_its_code_disables_it(monkeypatch,
                                                                        tmp_path):
    installed(monkeypatch, tmp_path, "root-bass", api=", api_version=1", manifest_api=1)
    (package,) = [p for p in (tmp_path / "site").iterdir() if p.is_dir()]
    manifest = package / "partita-plugin.json"
    manifest.write_text(manifest.read_text().replace('"1.0"', '"0.9"'))
    (entry,) = from_entry_points()
    assert not entry.ok
    assert entry.reason.endswith("manifest version '0.9' differs from the model's "
                                 "info.version '1.0': give both the same version")
