"""A ``ModelInfo`` written in code is held to the types its manifest's fields are.

QA: ``ModelInfo(api_version="1")`` was refused as "written for plugin API 1, this Partita
supports API 1"; ``instruments="melody"`` as "got 'm', 'e', …"; ``tasks=()`` loaded and
then could not repaint "(it does: )"; ``max_lanes=-3`` loaded; a manifest listing 0.1.0
beside a ``ModelInfo`` of 0.2.0 was listed as one and verified as the other."""

from __future__ import annotations

import json

import pytest

from engine.plugins import ModelInfo
from engine.plugins.discovery import PluginError, check_plugin, from_plugin_folder


def plugin(**fields):
    class Model:
        info = ModelInfo(**{"name": "badinfo", "version": "1.0", **fields})

        def generate(self, song, mask, options, progress, cancel):
            return {}

    return Model()


@pytest.mark.parametrize(("fields", "said"), [
    ({"api_version": "1"}, "model 'badinfo': api_version must be a whole number (got '1')"),
    ({"api_version": True}, "api_version must be a whole number (got True)"),
    ({"tasks": ()}, "tasks must name at least one of repaint, regenerate, continue"),
    ({"max_lanes": -3}, "max_lanes must be a whole number ≥ 0, 0 for no limit (got -3)"),
    ({"instruments": "melody"},
     "instruments must be a tuple, not the text 'melody': write ('melody',)"),
    ({"tasks": "repaint"}, "tasks must be a tuple, not the text 'repaint'"),
    ({"precisions": {"fp32"}}, "precisions must be a tuple or a list (got set)"),
    ({"version": ""}, "version must be non-empty text"),
    ({"licence": None}, "licence must be text (got None)"),
    ({"sampling": "steps"}, "sampling must be a tuple, not the text 'steps'"),
    ({"sampling": ("steps", "top-p")},
     "sampling names the standard settings it honours, some of steps, temperature, top_p, "
     "precision (got 'top-p')"),
])
def test_a_field_of_the_wrong_type_is_named(fields, said):
    with pytest.raises(PluginError) as caught:
        check_plugin(plugin(**fields))
    assert said in str(caught.value)
    assert "supports API" not in str(caught.value)


def test_lists_are_taken_for_tuples():
    info = plugin(tasks=["repaint"], instruments=["melody", "bass"]).info
    assert info.tasks == ("repaint",) and info.instruments == ("melody", "bass")
    hash(info)  # still a value
    check_plugin(plugin(tasks=["repaint"], instruments=["melody"]))


def test_a_manifest_whose_version_differs_from_the_code_disables_the_plugin(tmp_path):
    folder = tmp_path / "badinfo"
    folder.mkdir()
    (folder / "badinfo_model.py").write_text(
        "from engine.plugins.api import ModelInfo\n"
        "class Model:\n"
        "    info = ModelInfo('badinfo', '0.2.0')\n"
        "    def generate(self, song, mask, options, progress, cancel):\n"
        "        return {}\n")
    (folder / "partita-plugin.json").write_text(json.dumps({
        "name": "badinfo", "version": "0.1.0", "api_version": 1, "kind": "code",
        "entry": "badinfo_model:Model"}))
    (entry,) = from_plugin_folder(folder)
    assert not entry.ok
    assert entry.reason.endswith("manifest version '0.1.0' differs from the model's "
                                 "info.version '0.2.0': give both the same version")


def test_the_sampling_settings_a_model_honours_default_to_all():
    """Added in API 1 with a default: a plugin that states none keeps every setting, as
    before; one may say it uses only some (a rule-based model: no steps or nucleus)."""
    from engine.plugins import SAMPLING

    old = check_plugin(plugin()).info
    assert old.sampling == SAMPLING == ("steps", "temperature", "top_p", "precision")
    assert not any(old.ignores(s) for s in SAMPLING)
    rules = check_plugin(plugin(sampling=["temperature"])).info
    assert rules.sampling == ("temperature",)
    assert [s for s in SAMPLING if rules.ignores(s)] == ["steps", "top_p", "precision"]
    assert check_plugin(plugin(sampling=())).info.ignores("temperature")
