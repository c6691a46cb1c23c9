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

ROOT = Path(__file__).resolve().parents[3]


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


def test_installing_a_code_plugin_suggests_pip_install_of_its_project(tmp_path, models_dir,
                                                                      capsys):
    """QA: the manifest inside the package suggested `pip install …/tiny_torch_model`, the
    package, not the project folder holding pyproject.toml."""
    project = tmp_path / "tiny-torch"
    package = project / "tiny_torch_model"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "partita-plugin.json").write_text(json.dumps({
        "name": "tiny-torch", "version": "1.0", "api_version": 1, "kind": "code",
        "entry": "tiny_torch_model:Model"}))
    assert main(["models", "install", str(package)]) == 1
    err = capsys.readouterr().err
    assert "the folder holding its pyproject.toml or setup.py" in err  # none yet
    (project / "pyproject.toml").write_text("[project]\nname = 'tiny-torch'\n")
    assert main(["models", "install", str(package)]) == 1
    assert f"(`pip install {project}`)" in capsys.readouterr().err


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


def test_a_plugin_calling_sys_exit_on_import_is_listed_disabled(models_dir, capsys):
    write_code_plugin(models_dir, "quitter", on_import="import sys; sys.exit('bye')")
    assert main(["models", "--json"]) == 0
    (entry,) = [m for m in json.loads(capsys.readouterr().out)["models"]
                if m["name"] == "quitter"]
    assert entry["status"] == "disabled"
    assert "called sys.exit('bye') while importing" in entry["reason"]


def test_what_a_plugin_prints_on_import_goes_to_stderr(models_dir, capsys):
    write_code_plugin(models_dir, "chatty", on_import="print('hello from import')")
    assert main(["models", "--json"]) == 0
    out, err = capsys.readouterr()
    assert {m["name"] for m in json.loads(out)["models"]} >= {"chatty"}
    assert "hello from import" in err


def test_a_trained_model_folder_installs_as_it_is_and_a_missing_path_is_named(
        tmp_path, models_dir, capsys):
    # `partita train` writes runs/<name>/best with manifest.json: it installs directly (it
    # had to be renamed to partita-plugin.json, which the next retrain left stale).
    model = our_pack(tmp_path, name="mine")
    (model / "partita-plugin.json").rename(model / "manifest.json")
    assert main(["models", "verify", str(model)]) == 0
    assert main(["models", "install", str(model)]) == 0
    installed = models_dir / "mine"
    assert (installed / "partita-plugin.json").is_file()
    assert not (installed / "manifest.json").exists()
    assert main(["models", "install", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip().endswith("nowhere: no such file or folder")


def test_a_stale_pack_manifest_beside_a_retrained_model_says_what_happened(tmp_path, capsys):
    model = our_pack(tmp_path)
    manifest = json.loads((model / "partita-plugin.json").read_text())
    (model / "manifest.json").write_text(json.dumps(manifest))  # the retrain's own
    (model / "model.safetensors").write_bytes((model / "model.safetensors").read_bytes()
                                             + b" ")
    assert main(["models", "verify", str(model)]) == 1
    assert "retrained? partita-plugin.json is older" in capsys.readouterr().err


def test_verify_names_the_folder_once(tmp_path, models_dir, capsys):
    crashing = write_code_plugin(tmp_path, "crash", on_import="1 / 0")
    assert main(["models", "verify", str(crashing)]) == 1
    announce, err = capsys.readouterr().err.split("\n", 1)
    assert announce == "partita: importing crash… (up to 30 s)"  # the wait said first
    assert err.startswith(f"partita: error: {crashing}: importing ")
    assert err.count(str(crashing)) == 1


def test_verify_says_the_plugins_name_not_its_folders(tmp_path, models_dir, capsys):
    """QA: `models verify` said "importing myplugin…" for the folder myplugin holding
    the plugin its manifest calls arp."""
    folder = write_code_plugin(tmp_path, "arp")
    folder = folder.rename(tmp_path / "myplugin")
    assert main(["models", "verify", str(folder)]) == 0
    assert capsys.readouterr().err.startswith("partita: importing arp… (up to 30 s)")


def test_a_manifest_that_disagrees_with_the_code_is_reported(tmp_path, models_dir, capsys):
    folder = write_code_plugin(tmp_path, "liar")  # the code's info: tasks=("repaint",)
    manifest = json.loads((folder / "partita-plugin.json").read_text())
    (folder / "partita-plugin.json").write_text(json.dumps({**manifest, "tasks": ["compose"]}))
    assert main(["models", "verify", str(folder)]) == 1
    err = capsys.readouterr().err
    assert (f"{folder / 'partita-plugin.json'}: manifest tasks ['compose'] differ from the "
            "model's info.tasks ['repaint']") in err
    (folder / "partita-plugin.json").write_text(json.dumps({**manifest, "tasks": ["repaint"],
                                                            "instruments": ["drums"]}))
    assert main(["models", "verify", str(folder)]) == 1
    assert "manifest instruments ['drums'] differ from the model's info.instruments ['any']" in (
        capsys.readouterr().err)
    (folder / "partita-plugin.json").write_text(json.dumps(manifest))  # not declared: fine
    assert main(["models", "verify", str(folder)]) == 0


def test_installing_a_pack_under_a_name_in_use_is_refused(tmp_path, models_dir, capsys):
    src = write_pack(tmp_path, "partita-base")
    assert main(["models", "install", str(src)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"partita: error: {src}: cannot install: the name 'partita-base' is "
                          "already used by built-in")
    assert not (models_dir / "partita-base").exists()
    # An installed (usable) pack replaced by a new version of itself needs only --force.
    mine = our_pack(tmp_path / "v2")
    assert main(["models", "install", str(mine)]) == 0
    assert main(["models", "install", str(mine)]) == 1
    assert "(use --force to replace it)" in capsys.readouterr().err
    assert main(["models", "install", str(mine), "--force"]) == 0


def our_pack(root: Path, **changes) -> Path:
    """A pack of Partita's own architecture as `partita train` writes it, with ``changes``
    to its manifest (a value of None drops the field)."""
    from engine.models.checkpoint import save_model
    from engine.models.network import AxialDenoiser, NetworkConfig

    folder = root / "handmade"
    manifest = save_model(folder, AxialDenoiser(NetworkConfig(d_model=16, n_layers=1,
                                                              n_heads=2)),
                          {"name": "handmade", "version": "1.0"})
    (folder / "manifest.json").unlink()
    manifest = {k: v for k, v in {**manifest, **changes}.items() if v is not None}
    (folder / "partita-plugin.json").write_text(json.dumps(manifest))
    return folder


def test_verify_and_install_run_the_loaders_checks_on_a_pack_of_our_architecture(
        tmp_path, models_dir, capsys):
    assert main(["models", "verify", str(our_pack(tmp_path / "ok"))]) == 0
    assert "ok: pack handmade 1.0" in capsys.readouterr().out
    bare = our_pack(tmp_path / "bare", vocab=None, network=None, roles=None)
    for action in ("verify", "install"):
        assert main(["models", action, str(bare)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"partita: error: {bare / 'partita-plugin.json'}: its token "
                              "vocabulary differs") and len(err.splitlines()) == 1
    assert not (models_dir / "handmade").exists()


def test_verify_says_a_declared_precision_has_no_weights(tmp_path, capsys):
    pack = our_pack(tmp_path, precisions=["fp32", "int8"])
    assert main(["models", "verify", str(pack)]) == 1
    assert ("'precisions' lists int8 but 'weights' has no model.int8.safetensors" in
            capsys.readouterr().err)


def test_a_bare_name_is_the_installed_model_even_with_a_folder_of_that_name_here(
        tmp_path, models_dir, monkeypatch):
    from engine.cli.common import model_folder

    assert main(["models", "install", str(our_pack(tmp_path / "src"))]) == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "handmade").mkdir()  # a same-named folder in the current directory
    assert model_folder("handmade") == models_dir / "handmade"
    assert model_folder("./handmade") == Path("./handmade")
    assert model_folder(str(tmp_path / "handmade")) == tmp_path / "handmade"


def test_remove_deletes_a_model_from_the_users_folder_only(tmp_path, models_dir, capsys):
    assert main(["models", "install", str(our_pack(tmp_path / "src"))]) == 0
    assert main(["models", "remove", "handmade"]) == 0
    assert not (models_dir / "handmade").exists()
    assert "removed handmade" in capsys.readouterr().out
    assert main(["models", "remove", "handmade"]) == 1
    assert "no model named 'handmade'" in capsys.readouterr().err
    assert main(["models", "remove", "partita-base"]) == 1
    assert "it ships with Partita" in capsys.readouterr().err
    assert (ROOT / "assets" / "models" / "partita-base").is_dir()
    broken = models_dir / "broken"
    broken.mkdir()
    (broken / "partita-plugin.json").write_text("{not json")
    assert main(["models", "remove", "broken"]) == 0  # a broken one goes too
    assert not broken.exists()


def test_remove_refuses_to_guess_between_two_folders_of_one_name(tmp_path, models_dir,
                                                                  capsys):
    import shutil

    assert main(["models", "install", str(our_pack(tmp_path / "src"))]) == 0
    shutil.copytree(models_dir / "handmade", models_dir / "copy-of-handmade")
    assert main(["models", "remove", "handmade"]) == 1
    err = capsys.readouterr().err
    assert "2 folders in your models folder are named 'handmade'" in err
    assert "copy-of-handmade, handmade" in err
    assert (models_dir / "handmade").is_dir() and (models_dir / "copy-of-handmade").is_dir()


def test_verify_takes_a_models_name_too(models_dir, capsys):
    assert main(["models", "verify", "chorale-jsb"]) == 0
    assert capsys.readouterr().out.startswith("ok: pack chorale-jsb ")
    assert main(["models", "verify", "no-such-model"]) == 1
    assert "no-such-model: no such file or folder" in capsys.readouterr().err


def test_the_default_model_is_said_set_and_cleared(models_dir, capsys, monkeypatch):
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    assert main(["models", "default"]) == 0
    assert capsys.readouterr().out.startswith("partita-base (none chosen")
    assert main(["models", "default", "chorale-jsb"]) == 0
    assert capsys.readouterr().out.startswith("chorale-jsb (your choice, kept in")
    assert (models_dir / "default-model").read_text().strip() == "chorale-jsb"
    assert main(["models"]) == 0
    assert "* = default (chorale-jsb)" in capsys.readouterr().out
    assert main(["models", "default", "nope"]) == 1
    assert "no model named 'nope'" in capsys.readouterr().err
    assert main(["models", "default", "--clear"]) == 0
    assert capsys.readouterr().out.startswith("partita-base")
    assert not (models_dir / "default-model").exists()


def test_a_mistyped_partita_model_is_said_by_models_default(models_dir, capsys, monkeypatch):
    # It said "partita-base (none chosen…)" as if the variable were not set.
    monkeypatch.setenv("PARTITA_MODEL", "partita-bsae")
    assert main(["models", "default"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("partita-base ($PARTITA_MODEL=partita-bsae names no usable model")
    assert "warning: PARTITA_MODEL=partita-bsae: no usable model of that name" in err
    assert main(["models", "default", "--json"]) == 0
    assert "partita-bsae names no usable model" in json.loads(capsys.readouterr().out)["why"]


def test_a_drums_only_default_is_warned_about(models_dir, capsys, monkeypatch):
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    assert main(["models", "default", "drumkit"]) == 0
    err = capsys.readouterr().err
    # Said as it is: a request for pitched parts goes to the built-in model, not refused.
    assert ("drumkit writes only drum tracks: partita-base writes a request for pitched "
            "parts with no --model") in err
    # QA: "drumkit cannot harmonize: those use the next model in line" — which model?
    assert ("partita: warning: drumkit cannot harmonize: harmonize will use partita-base "
            "(the next model in line)\n") in err
    assert main(["models", "default", "--clear"]) == 0


def test_the_task_a_default_cannot_do_names_the_model_that_does_it(tmp_path, models_dir,
                                                                     capsys, monkeypatch):
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    write_code_plugin(models_dir, "arp")  # its info: tasks=("repaint",)
    assert main(["models", "default", "arp"]) == 0
    err = capsys.readouterr().err
    assert ("partita: warning: arp cannot compose, regenerate, continue or harmonize: "
            "compose, regenerate, continue and harmonize will use partita-base (the next "
            "model in line)") in err
    assert main(["models", "default", "--clear"]) == 0


def test_a_plugin_whose_import_hangs_is_said_and_then_skipped(tmp_path, models_dir, capsys,
                                                              monkeypatch):
    from engine.plugins import probe

    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(probe, "_known", {})
    monkeypatch.setattr(probe, "TIMEOUT_S", 1.0)
    folder = write_code_plugin(models_dir, "sleepy", on_import="import time; time.sleep(1000)")
    assert main(["models"]) == 0
    out, err = capsys.readouterr()
    line = next(x for x in out.splitlines() if x.split()[:1] == ["sleepy"])
    assert "disabled" in line and "did not finish within 1 s" in line
    (note,) = err.splitlines()
    assert note.startswith(f"partita: note: plugin folder {folder}: importing ")
    assert note.endswith(f"`partita models verify {folder}` tries it again")
    monkeypatch.setattr(probe, "_known", {})  # the next run: skipped at once, and said
    monkeypatch.setattr(probe, "_try", lambda *a: pytest.fail("tried again"))
    assert main(["models"]) == 0
    assert capsys.readouterr().err == f"{note}\n"


def test_verify_checks_the_weights_a_code_plugin_lists(tmp_path, models_dir, capsys):
    import hashlib

    folder = write_code_plugin(tmp_path, "markov")
    (folder / "chain.json").write_text("{}")
    manifest = json.loads((folder / "partita-plugin.json").read_text())
    manifest["weights"] = [{"file": "chain.json",
                            "sha256": hashlib.sha256(b"{}").hexdigest()}]
    (folder / "partita-plugin.json").write_text(json.dumps(manifest))
    assert main(["models", "verify", str(folder)]) == 0
    assert capsys.readouterr().out == ("ok: code plugin markov 1.0 — models: markov; "
                                       "chain.json matches its SHA-256\n")
    (folder / "chain.json").write_text('{"changed": true}')
    assert main(["models", "verify", str(folder)]) == 1
    assert "chain.json: SHA-256 mismatch" in capsys.readouterr().err


def test_verify_by_name_checks_an_installed_code_plugin(tmp_path, models_dir, capsys):
    """QA: `models verify drumkit` (a pip-installed plugin) said it "is a code plugin: it
    has no weights folder to read", though `verify PATH|NAME` is documented."""
    assert main(["models", "verify", "drumkit"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: code plugin drumkit 0.1.0 (package partita-drumkit 0.1.0) — "
                          "imports, and its ModelInfo is valid and agrees with ")
    assert out.rstrip().endswith("partita-drumkit/partita_drumkit/partita-plugin.json")
    write_code_plugin(models_dir, "mine")  # a folder plugin, by name: its folder verified
    assert main(["models", "verify", "mine"]) == 0
    assert capsys.readouterr().out == "ok: code plugin mine 1.0 — models: mine\n"
    write_code_plugin(models_dir, "crash", on_import="1 / 0")
    assert main(["models", "verify", "crash"]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_verify_of_a_package_checks_the_data_files_its_manifest_lists(tmp_path, capsys):
    import hashlib
    import importlib.util

    from engine.cli import models as models_cli
    from engine.plugins import Entry, PluginError

    package = tmp_path / "site" / "markov_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from engine.plugins.api import ModelInfo\n"
        "class Markov:\n"
        "    info = ModelInfo('markov', '1.0')\n"
        "    def generate(self, song, mask, options, progress, cancel):\n"
        "        return {}\n")
    spec = importlib.util.spec_from_file_location("markov_pkg", package / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry = Entry("markov", "1.0", "code", "package", "package markov 1.0",
                  plugin=module.Markov(), location=str(package / "__init__.py"))
    assert models_cli._verify_installed(entry) == 0
    assert "no partita-plugin.json beside its code" in capsys.readouterr().out
    (package / "chain.json").write_text("{}")
    manifest = {"name": "markov", "version": "1.0", "api_version": 1, "kind": "code",
                "entry": "markov_pkg:Markov",
                "weights": [{"file": "chain.json", "sha256": hashlib.sha256(b"{}").hexdigest()}]}
    (package / "partita-plugin.json").write_text(json.dumps(manifest))
    assert models_cli._verify_installed(entry) == 0
    assert capsys.readouterr().out.rstrip().endswith("; chain.json matches its SHA-256")
    (package / "chain.json").write_text("{ }")
    with pytest.raises(PluginError, match=r"chain\.json: SHA-256 mismatch"):
        models_cli._verify_installed(entry)


def test_verify_names_a_misspelt_manifest_field(tmp_path, models_dir, capsys):
    """QA: "weigths" was ignored, so verify said ok and never checked the data's hash."""
    folder = write_code_plugin(tmp_path, "typo")
    manifest = folder / "partita-plugin.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "weigths": [{"file": "chain.json",
                                                          "sha256": "0" * 64}]}))
    assert main(["models", "verify", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"partita: error: {manifest}: field 'weigths': unknown field (did you mean "
        "'weights'?); a field Partita does not know is never read\n")


def test_verify_says_what_a_time_out_means_once(tmp_path, models_dir, capsys, monkeypatch):
    """QA: after the 30 s wait (with nothing said during it), verify answered "skipped until
    its files change; `partita models verify …` tries it again" — the command just run —
    and said it twice (a note, then the error)."""
    from engine.plugins import probe

    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(probe, "_known", {})
    monkeypatch.setattr(probe, "TIMEOUT_S", 1.0)
    folder = write_code_plugin(models_dir, "sleepy", on_import="import time; time.sleep(1000)")
    for target in (str(folder), "sleepy"):  # by folder, then by name: tried once each
        assert main(["models", "verify", target]) == 1
        lines = capsys.readouterr().err.splitlines()
        assert lines[0] == "partita: importing sleepy… (up to 1 s)"
        (error,) = lines[1:]
        assert error.startswith(f"partita: error: {folder}: 'plug_sleepy_")
        assert "did not finish importing in 1 s: check what the plugin does when " \
               "imported" in error
        assert "partita models verify" not in error
    # The time-out is kept for the listings, which skip the plugin at once, as before.
    monkeypatch.setattr(probe, "_known", {})
    monkeypatch.setattr(probe, "_try", lambda *a: pytest.fail("tried again"))
    assert main(["models"]) == 0
    assert "`partita models verify " in capsys.readouterr().err
