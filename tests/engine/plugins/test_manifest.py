"""Manifests: valid ones load; each broken field is named with its file."""

from __future__ import annotations

import json

import pytest

from engine.plugins import ManifestError, load_manifest
from tests.engine.plugins.plugin_folders import write_manifest, write_pack


def test_a_pack_manifest_loads(tmp_path):
    folder = write_pack(tmp_path, "tiny")
    m = load_manifest(folder)
    assert (m.name, m.version, m.kind, m.architecture) == ("tiny", "2.0", "pack", "toy-arch")
    assert m.weights[0].file == "model.safetensors" and len(m.weights[0].sha256) == 64
    assert m.metrics == {"nll": 1.5} and m.folder == folder
    info = m.model_info()
    assert (info.name, info.tasks, info.instruments, info.licence) == (
        "tiny", ("repaint",), ("melody",), "CC-BY-4.0")


def test_the_example_plugin_manifest_is_valid():
    from engine.plugins.discovery import repo_plugins_dir

    m = load_manifest(repo_plugins_dir() / "partita-drumkit")
    assert m.kind == "code" and m.entry == "partita_drumkit:DrumKit"


BASE = {"name": "x", "version": "1", "api_version": 1, "kind": "code", "entry": "m:Model"}


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "field 'name': expected a non-empty string"),
    ({"version": None}, "field 'version': missing"),
    ({"name": "Bad Name"}, "field 'name': 'Bad Name' must be"),
    ({"api_version": "1"}, "field 'api_version': expected an integer"),
    ({"api_version": None}, "field 'api_version': missing (the plugin API it was written "
                            "for: 1)"),
    ({"kind": "binary"}, "field 'kind': 'binary' is neither"),
    ({"entry": "no colon"}, "field 'entry': a code plugin needs 'module:attribute'"),
    # QA: it said "a code plugin needs 'module:attribute', got ''" for a field not given.
    ({"entry": None}, "field 'entry': missing (a code plugin names the model it imports: "
                      "'module:attribute', e.g. 'my_bassline:RootBass')"),
    ({"tasks": ["repaint", "dance"]}, "field 'tasks': unknown value 'dance'"),
    ({"precisions": "fp32"}, "field 'precisions': expected a non-empty list"),
    ({"lanes": -1}, "field 'lanes': expected a whole number"),
    ({"kind": "pack"}, "field 'architecture': missing"),
    ({"kind": "pack", "architecture": "a", "weights": [{"file": "../x.safetensors",
                                                        "sha256": "0" * 64}]},
     "field 'weights': file '../x.safetensors' must be a plain file name"),
    ({"kind": "pack", "architecture": "a", "weights": [{"file": "m.pt", "sha256": "0" * 64}]},
     "is not .safetensors"),
    ({"kind": "pack", "architecture": "a", "weights": [{"file": "m.safetensors",
                                                        "sha256": "abc"}]},
     "sha256 of 'm.safetensors' must be 64 hex digits"),
    ({"weights": [{"file": "../chain.json", "sha256": "0" * 64}]},
     "field 'weights': file '../chain.json' must be a path inside the plugin's folder"),
    ({"weights": [{"file": "chain.json"}]}, "sha256 of 'chain.json' must be 64 hex digits"),
    ({"weights": {"file": "chain.json"}}, "field 'weights': expected a list"),
])
def test_bad_fields_are_named(tmp_path, change, message):
    data = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    path = write_manifest(tmp_path, data)
    with pytest.raises(ManifestError) as err:
        load_manifest(tmp_path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_not_json_and_missing_manifest(tmp_path):
    (tmp_path / "partita-plugin.json").write_text('{"name": "x",,}')
    with pytest.raises(ManifestError, match=r"partita-plugin.json: not valid JSON: .* line 1"):
        load_manifest(tmp_path)
    # Cut short inside a string: Python says "Invalid control character at", said once,
    # with where and what it likely means.
    (tmp_path / "partita-plugin.json").write_text('{"name": "x", "version": "0.1\n')
    with pytest.raises(ManifestError) as err:
        load_manifest(tmp_path)
    assert str(err.value).endswith("not valid JSON: Invalid control character at line 1, "
                                   "column 30 (the file may be cut short)")
    (tmp_path / "partita-plugin.json").write_text(json.dumps(["a list"]))
    with pytest.raises(ManifestError, match="must be a JSON object"):
        load_manifest(tmp_path)
    with pytest.raises(ManifestError, match="elsewhere: no such file or folder"):
        load_manifest(tmp_path / "elsewhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ManifestError, match="no plugin manifest"):
        load_manifest(tmp_path / "empty")


def test_a_code_plugin_may_list_the_data_files_its_code_reads(tmp_path):
    from engine.plugins import plugin_folder

    write_manifest(tmp_path, {**BASE, "weights": [{"file": "data/chain.json",
                                                   "sha256": "A" * 64}]})
    (w,) = load_manifest(tmp_path).weights
    assert (w.file, w.sha256) == ("data/chain.json", "a" * 64)
    # Its code finds them beside the manifest: from a lone module, or from a package.
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for init in ("pkg/__init__.py", "pkg/sub/__init__.py"):
        (tmp_path / init).write_text("")
    for module in ("m.py", "pkg/__init__.py", "pkg/sub/deep.py"):
        assert plugin_folder(tmp_path / module) == tmp_path
    with pytest.raises(ManifestError, match=r"no partita-plugin\.json beside it"):
        plugin_folder(tmp_path.parent / "elsewhere.py")


@pytest.mark.parametrize(("field", "meant"), [
    ("weigths", "weights"), ("taks", "tasks"), ("instrument", "instruments"),
    ("nmae", "name")])
def test_a_misspelt_field_is_refused_naming_the_field_it_resembles(tmp_path, field, meant):
    """QA: "weigths" was ignored, so verify said ok and never checked the data's hash."""
    write_manifest(tmp_path, {**BASE, field: BASE.get(meant, ["x"])})
    with pytest.raises(ManifestError, match=rf"field '{field}': unknown field \(did you mean "
                                            rf"'{meant}'\?\)"):
        load_manifest(tmp_path)


def test_a_field_like_no_other_lists_the_known_ones(tmp_path):
    write_manifest(tmp_path, {**BASE, "homepage": "https://example.org"})
    with pytest.raises(ManifestError, match="field 'homepage': unknown field \\(the fields "
                                            "are: api_version, architecture, author"):
        load_manifest(tmp_path)


def test_a_manifest_for_a_newer_api_may_have_fields_this_partita_does_not_know(tmp_path):
    # Refused for its API version (when listed or verified), not for a field it may add.
    write_manifest(tmp_path, {**BASE, "api_version": 2, "lyrics": True})
    assert load_manifest(tmp_path).api_version == 2


def test_every_manifest_partita_ships_or_writes_has_only_known_fields(tmp_path):
    from engine.plugins.builtin import builtin_folders

    for folder in builtin_folders():  # written by `partita train` (and quantize)
        assert load_manifest(folder).declared
