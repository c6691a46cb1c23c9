"""The registry: discovery from folders and entry points, and every fault a plugin can have.

Each broken plugin must be listed as disabled with a reason a user can act on, while the
good plugins next to it keep working.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap

import pytest

from engine.jobs import JobQueue, JobRequest, JobState
from engine.plugins import (
    ModelInfo,
    ModelOption,
    PluginError,
    Registry,
    register_pack_loader,
)
from engine.plugins.builtin import ENDING, builtin_names
from engine.plugins.discovery import plugins_from_object, repo_plugins_dir
from engine.plugins.packs import unregister_pack_loader
from engine.score import Mask, Region, Song, Track
from tests.engine.plugins.plugin_folders import (
    PackModel,
    write_code_plugin,
    write_pack,
)


def registry_for(*folders, user_dir=None, **kw) -> Registry:
    return Registry(entry_points=False, plugin_dirs=list(folders),
                    user_dir=user_dir or folders[0] / "no-user-dir", **kw)


def by_name(registry: Registry) -> dict:
    """Entries by name; the usable one where several share a name."""
    return {e.name: registry.entry(e.name) for e in registry.entries()}


@pytest.fixture
def toy_loader():
    register_pack_loader("toy-arch", PackModel)
    yield
    unregister_pack_loader("toy-arch")


def test_a_good_code_plugin_is_found_and_usable(tmp_path):
    write_code_plugin(tmp_path, "good")
    reg = registry_for(tmp_path)
    (entry,) = reg.entries()
    assert (entry.name, entry.status, entry.kind, entry.origin) == ("good", "ok", "code",
                                                                    "folder")
    assert entry.source == f"folder {tmp_path / 'good'}"
    assert reg.get("good").info.name == "good"


def test_faulty_plugins_are_disabled_and_the_rest_keeps_working(tmp_path, toy_loader):
    write_code_plugin(tmp_path, "good")
    write_code_plugin(tmp_path, "explodes", on_import="raise ImportError('needs libfoo 2')")
    (tmp_path / "badjson").mkdir()
    (tmp_path / "badjson" / "partita-plugin.json").write_text("{not json")
    # Written for API 2: never imported (importing would raise).
    write_code_plugin(tmp_path, "future", api_version=2, on_import="raise SystemExit(3)")
    write_pack(tmp_path, "tampered", wrong_hash=True)
    write_pack(tmp_path, "pack-ok")
    write_pack(tmp_path, "alien", architecture="transformer-xl")
    write_code_plugin(tmp_path / "more", "good")  # same name, another folder
    reg = registry_for(tmp_path, tmp_path / "more")
    entries = by_name(reg)
    reasons = {e.name: e.reason for e in reg.entries() if not e.ok}

    assert entries["good"].ok and entries["pack-ok"].ok
    assert reg.get("pack-ok").info.version == "2.0"
    assert "importing" in reasons["explodes"] and "ImportError: needs libfoo 2" in (
        reasons["explodes"])
    assert "Traceback" in entries["explodes"].details
    assert "not valid JSON" in reasons["badjson"] and "badjson" in reasons["badjson"]
    assert reasons["future"].endswith("written for plugin API 2, this Partita supports API 1")
    assert "SHA-256 mismatch" in reasons["tampered"]
    assert "model.safetensors" in reasons["tampered"]
    assert "no loader for architecture 'transformer-xl'" in reasons["alien"]
    dupes = [e for e in reg.entries() if e.name == "good" and not e.ok]
    assert len(dupes) == 1 and dupes[0].reason == (
        f"duplicate name 'good': already provided by folder {tmp_path / 'good'}")
    assert reg.get("good") is entries["good"].plugin  # the first one wins
    assert {e.name for e in reg.available()} == {"good", "pack-ok"}


def test_a_copy_of_a_plugin_that_cannot_load_says_which_one_is_used(tmp_path):
    # A plugin's folder beside a plain pip install of it: its module is already the
    # package's, so the copy fails to import; it says so, not "module name taken".
    write_code_plugin(tmp_path, "good")
    write_code_plugin(tmp_path / "copy", "good", on_import="raise ImportError('clash')")
    reg = registry_for(tmp_path, tmp_path / "copy")
    copies = [e for e in reg.entries() if e.name == "good"]
    assert [e.ok for e in copies] == [True, False]
    assert copies[1].reason.startswith(f"not used: folder {tmp_path / 'good'} already "
                                       "provides 'good' (remove one of the two); it said: ")
    assert "ImportError: clash" in copies[1].reason


def test_a_pack_stays_disabled_until_its_loader_is_registered(tmp_path):
    write_pack(tmp_path, "later")
    reg = registry_for(tmp_path)
    assert "no loader for architecture 'toy-arch'" in reg.entry("later").reason
    register_pack_loader("toy-arch", PackModel)
    try:
        reg.refresh()
        assert reg.entry("later").ok and reg.entry("later").kind == "pack"
    finally:
        unregister_pack_loader("toy-arch")


def test_a_failing_pack_loader_is_reported(tmp_path):
    def broken(folder, manifest):
        raise KeyError("embed.weight")

    write_pack(tmp_path, "p")
    register_pack_loader("toy-arch", broken)
    try:
        assert "the pack loader failed: KeyError" in registry_for(tmp_path).entry("p").reason
    finally:
        unregister_pack_loader("toy-arch")


def test_a_model_that_raises_during_generate_is_disabled(tmp_path):
    write_code_plugin(tmp_path, "flaky", generate="raise MemoryError('out of memory')")
    write_code_plugin(tmp_path, "steady")
    reg = registry_for(tmp_path, failure_limit=1)
    track = Track("Lead")
    song = Song((track,))
    mask = Mask.of(Region({track.id}, 0, 480))
    with JobQueue(reg) as queue:
        bad = queue.submit(JobRequest(song, mask, "flaky"))
        assert bad.wait(10) and bad.state is JobState.FAILED
        assert bad.error == "flaky: MemoryError: out of memory"
        queue.join(10)
        entry = reg.entry("flaky")
        assert not entry.ok and entry.reason == (
            "failed 1 requests in a row, last: flaky: MemoryError: out of memory")
        good = queue.submit(JobRequest(song, mask, "steady"))
        assert good.wait(10) and good.state is JobState.FINISHED
    assert reg.default().name == "steady"


def test_a_model_whose_name_differs_from_its_manifest_is_refused(tmp_path):
    write_code_plugin(tmp_path, "label", model_name="other")
    assert "differs from the model's info.name 'other'" in registry_for(tmp_path).entry(
        "label").reason


class Tiny:
    def __init__(self, name: str, api_version: int = 1, tasks=("repaint",)) -> None:
        self.info = ModelInfo(name=name, version="0.1", api_version=api_version, tasks=tasks)

    def generate(self, song, mask, options, progress, cancel):
        return {}


def test_entry_point_objects_can_be_plugins_factories_or_lists():
    one = Tiny("one")
    assert plugins_from_object(one) == [one]
    assert [p.info.name for p in plugins_from_object(lambda: [Tiny("a"), Tiny("b")])] == [
        "a", "b"]
    assert [p.info.name for p in plugins_from_object([one, lambda: Tiny("c")])] == ["one", "c"]
    with pytest.raises(PluginError, match="int object is neither a ModelPlugin"):
        plugins_from_object(42)


def test_a_plugin_without_info_is_told_so():
    class NoInfo:
        def generate(self, *args):
            return {}

    with pytest.raises(PluginError, match="NoInfo object is not a ModelPlugin: it lacks "
                                          "'info'"):
        plugins_from_object(NoInfo)


def test_added_plugins_are_checked(tmp_path):
    reg = registry_for(tmp_path)
    assert reg.add(Tiny("fine")).ok
    assert "written for plugin API 9" in reg.add(Tiny("old", api_version=9)).reason
    assert "unknown task 'sing'" in reg.add(Tiny("odd", tasks=("sing",))).reason
    assert "not a ModelPlugin" in reg.add(object()).reason
    reg.refresh()
    assert reg.entry("fine").ok  # added plugins survive a refresh


def test_default_model_preference_order(tmp_path, monkeypatch):
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    reg = registry_for(tmp_path)
    assert reg.default() is None
    for name in ("zeta", "alpha", "mid"):
        reg.add(Tiny(name))
    reg.add(Tiny("composer", tasks=("compose",)))
    assert reg.default().name == "alpha"  # no preference, no built-in: by name
    assert reg.default(task="compose").name == "composer"
    monkeypatch.setenv("PARTITA_MODEL", "mid")
    assert reg.default().name == "mid"
    reg.preferred = "zeta"
    assert reg.default().name == "zeta"
    assert reg.default(preferred="alpha").name == "alpha"
    reg.mark_failed("alpha", "broken weights")
    assert reg.default(preferred="alpha").name == "zeta"  # a disabled choice falls through
    assert reg.entry("alpha").reason == "broken weights"


def test_the_saved_default_comes_after_the_environment_and_is_shared(tmp_path, monkeypatch):
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    reg = registry_for(tmp_path)
    for name in ("alpha", "mid", "zeta"):
        reg.add(Tiny(name))
    assert reg.saved_default() is None
    reg.save_default("zeta")  # partita models default zeta, or the studio's Set as Default
    assert reg.default_file.read_text().strip() == "zeta"
    assert registry_for(tmp_path).saved_default() == "zeta"  # another process reads it
    assert reg.default().name == "zeta"
    monkeypatch.setenv("PARTITA_MODEL", "mid")  # one shell's choice wins over it
    assert reg.default().name == "mid"
    monkeypatch.delenv("PARTITA_MODEL")
    reg.mark_failed("zeta", "broken")
    assert reg.default().name == "alpha"  # a disabled choice falls through
    reg.save_default(None)
    assert reg.saved_default() is None and not reg.default_file.exists()
    reg.save_default(None)  # nothing to forget: fine


def test_unknown_and_disabled_names_explain_themselves(tmp_path):
    reg = registry_for(tmp_path)
    reg.add(Tiny("here"))
    with pytest.raises(PluginError, match=r"no model named 'gone' \(models: here\)"):
        reg.get("gone")
    reg.add(Tiny("old", api_version=0))
    with pytest.raises(PluginError, match=r"\(models: here; disabled: old\)"):
        reg.get("gone")
    reg.mark_failed("here", "crashed")
    with pytest.raises(PluginError, match="'here' is disabled: crashed"):
        reg.get("here")
    with pytest.raises(PluginError, match="cannot be enabled"):
        reg.add(Tiny("old", api_version=0)) and reg.enable("old")


def test_the_example_plugin_loads_from_the_plugins_folder_without_installing(tmp_path):
    # A fresh interpreter that ignores installed packages' entry points: the drumkit can
    # only come from the plugins/ folder, imported from its files.
    script = textwrap.dedent(f"""
        import sys
        from engine.plugins import CancelToken, GenerateOptions, Registry
        from engine.score import Mask, Region, Song, Track
        reg = Registry(entry_points=False, plugin_dirs=[{str(repo_plugins_dir())!r}],
                       user_dir={str(tmp_path)!r})
        entry = reg.entry("drumkit")
        assert entry.ok and entry.origin == "folder", entry
        drums = Track("Drums", is_drum=True, channel=9)
        notes = entry.plugin.generate(Song((drums,)), Mask.of(Region({{drums.id}}, 0, 1920)),
                                      GenerateOptions(seed=1), lambda p: None, CancelToken())
        print(len(notes[drums.id]), sys.modules["partita_drumkit"].__file__)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    out = done.stdout.strip().split(" ", 1)  # the checkout's path may hold spaces
    assert int(out[0]) > 4
    assert out[1] == str(repo_plugins_dir() / "partita-drumkit" / "partita_drumkit" /
                         "__init__.py")


def test_entry_points_include_the_builtin_models():
    reg = Registry(plugin_dirs=[])
    builtin = [e for e in reg.entries() if e.origin == "builtin"]
    assert builtin, "the partita package declares the built-in entry point"
    if importlib.util.find_spec("engine.models.plugin") is None:
        (entry,) = builtin
        assert entry.name == "builtin" and not entry.ok
        assert entry.reason == ("cannot import engine.models.plugin:builtin_models: "
                                "ModuleNotFoundError: No module named 'engine.models.plugin'")
    # One plugin found both as an installed package and in plugins/ is listed once.
    reg = Registry()
    assert len([e for e in reg.entries() if e.name == "drumkit"]) == 1


def test_the_builtin_models_settings_are_known_before_they_load(tmp_path, monkeypatch):
    """The studio offers them from its start: listing the models imports torch. What is
    declared beforehand is what the loaded models declare (one definition)."""
    script = textwrap.dedent(f"""
        import sys
        from engine.plugins import Registry
        reg = Registry(plugin_dirs=[], user_dir={str(tmp_path)!r})
        name = reg.likely_default()
        print(name, [o.name for o in reg.declared_options(name)], reg.declared_options("drumkit"),
              "torch" in sys.modules)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PARTITA_MODEL"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True, env=env)
    assert done.stdout.split() == ["partita-base", "['ending']", "None", "False"]

    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    reg = Registry(plugin_dirs=[], user_dir=tmp_path)
    before = {name: reg.declared_options(name) for name in builtin_names()}
    assert before and all(ENDING in options for options in before.values())
    reg.entries()  # the models listed: the loaded ones' own declarations
    assert {name: reg.declared_options(name) for name in before} == before
    assert reg.declared_options("no-such-model") is None
    reg.save_default("chorale-jsb")  # the user's choice is the one said first
    assert reg.likely_default() == "chorale-jsb"


@pytest.mark.parametrize("info, message", [
    (ModelInfo("Bad Name", "1"), "info.name: 'Bad Name' must be 1-64 chars"),
    (ModelInfo("../../etc", "1"), "must be 1-64 chars"),
    (ModelInfo("m", "1", instruments=("kazoo",)), "instruments must be some of"),
    (ModelInfo("m", "1", instruments=()), "(got none)"),
    (ModelInfo("m", "1", precisions=("fp64",), default_precision="fp64"),
     "precisions must be some of"),
    (ModelInfo("m", "1", options=(ModelOption("style", "polka", choices=("rock",)),)),
     "style must be one of rock"),
    (ModelInfo("m", "1", options=(ModelOption("a", 1), ModelOption("a", 2))),
     "names of their own"),
    # QA: accepted, though `--option my style!=x` cannot name it.
    (ModelInfo("m", "1", options=(ModelOption("my style!", "a"),)),
     "model 'm': option name 'my style!' cannot be typed in --option NAME=VALUE: use "
     "letters, digits, '_' and '-'"),
    # QA: "AttributeError: 'dict' object has no attribute 'name'", naming nobody.
    (ModelInfo("m", "1", options=({"name": "style", "default": "auto"},)),
     "model 'm': each of its options must be a ModelOption (got dict {'name': 'style'"),
])
def test_a_model_without_a_manifest_is_held_to_the_manifest_rules(info, message):
    """An entry point has no manifest: its ModelInfo was listed as ok with a name no
    command line could name, or instruments no track has."""
    from engine.plugins.discovery import check_plugin

    class Model:
        def generate(self, song, mask, options, progress, cancel):
            return {}

    plugin = Model()
    plugin.info = info
    with pytest.raises(PluginError, match=re.escape(message)):
        check_plugin(plugin)


def test_a_model_named_is_found_without_trying_the_other_plugins(tmp_path, monkeypatch):
    """QA: a plugin whose import hangs cost every command 33 s, even one that named a
    built-in model. A named model, or the default, is found without trying the others."""
    from engine.plugins import probe

    tried = []
    monkeypatch.setattr(probe, "_known", {})
    monkeypatch.setattr(probe, "_try", lambda folder, module, timeout: (
        tried.append(folder.name) or ("", False)))
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    write_code_plugin(tmp_path / "user", "hangs")
    write_code_plugin(tmp_path / "user", "wanted")
    reg = Registry(plugin_dirs=[], user_dir=tmp_path / "user")
    assert reg.get("partita-base").info.name == "partita-base"
    assert reg.default("repaint").name == "partita-base"
    assert tried == []
    model = reg.get("wanted")
    assert tried == ["wanted"]
    # Listing them all tries the others, and keeps the model already read.
    listed = {e.name: e for e in reg.entries()}
    assert tried == ["wanted", "hangs"] and listed["wanted"].plugin is model
    # A model that only a full listing can place (no such name): listed, then refused.
    reg = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path / "user")
    with pytest.raises(PluginError, match=r"no model named 'nope'.*models: hangs, wanted"):
        reg.get("nope")


def test_a_code_plugins_listed_weights_are_checked_before_it_loads(tmp_path):
    """QA: a code plugin's manifest `weights` were never checked (a wrong hash or a
    missing file was listed as ok), though a hash mismatch disables a pack."""
    import hashlib
    import json

    reader = ("from engine.plugins import plugin_folder\n"
              "CHAIN = (plugin_folder(__file__) / 'data' / 'chain.json').read_text()\n")
    good = write_code_plugin(tmp_path, "markov", on_import=reader)
    (good / "data").mkdir()
    (good / "data" / "chain.json").write_text('{"C": ["D"]}')
    manifest = json.loads((good / "partita-plugin.json").read_text())
    digest = hashlib.sha256(b'{"C": ["D"]}').hexdigest()
    manifest["weights"] = [{"file": "data/chain.json", "sha256": digest}]
    (good / "partita-plugin.json").write_text(json.dumps(manifest))
    for name, change in (("tampered", "0" * 64), ("missing", None)):
        folder = write_code_plugin(tmp_path, name)
        data = json.loads((folder / "partita-plugin.json").read_text())
        data["weights"] = [{"file": "chain.json", "sha256": change or digest}]
        (folder / "partita-plugin.json").write_text(json.dumps(data))
        if change:
            (folder / "chain.json").write_text("{}")
    entries = by_name(registry_for(tmp_path))
    assert entries["markov"].ok  # and its code found its data beside its manifest
    assert "chain.json: SHA-256 mismatch (manifest 000000000000…" in entries["tampered"].reason
    assert entries["missing"].reason == (f"{tmp_path / 'missing' / 'chain.json'}: weights "
                                         "file listed in partita-plugin.json is missing")
