"""The layout docs/plugins.md gives for a plugin that works from a plugin folder and
after ``pip install`` alike: its manifest and data files inside its package, where
``plugin_folder(__file__)`` finds them either way."""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import uuid

from engine.plugins import Registry, plugin_folder
from engine.plugins.discovery import check_loads
from engine.plugins.manifest import load_manifest

CODE = '''
import json

from engine.plugins import plugin_folder
from engine.plugins.api import ModelInfo

TABLE = json.loads((plugin_folder(__file__) / "data" / "table.json").read_text())


class Model:
    info = ModelInfo(name="in-package", version="1.0", api_version=1)

    def generate(self, song, mask, options, progress, cancel):
        return {}
'''


def write_project(root):
    """``root/in-package/``: pyproject-style project, the package holding everything."""
    module = f"inpkg_{uuid.uuid4().hex[:8]}"
    package = root / "in-package" / module
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text(CODE)
    table = package / "data" / "table.json"
    table.write_text(json.dumps({"C": [1, 2]}))
    (package / "partita-plugin.json").write_text(json.dumps({
        "name": "in-package", "version": "1.0", "api_version": 1, "kind": "code",
        "entry": f"{module}:Model",
        "weights": [{"file": "data/table.json",
                     "sha256": hashlib.sha256(table.read_bytes()).hexdigest()}]}))
    return module, package


def test_a_plugin_folder_with_its_manifest_inside_its_package_loads(tmp_path):
    module, package = write_project(tmp_path / "plugins")
    registry = Registry(entry_points=False, plugin_dirs=[tmp_path / "plugins"],
                        user_dir=tmp_path / "models")
    model = registry.get("in-package")
    assert importlib.import_module(module).TABLE == {"C": [1, 2]}
    assert model.info.name == "in-package"
    manifest = load_manifest(tmp_path / "plugins" / "in-package")
    assert manifest.folder == package and manifest.root == package.parent
    assert [e.name for e in check_loads(manifest)] == ["in-package"]  # models verify
    (package / "data" / "table.json").write_text("{}")  # its data checked as listed
    registry.refresh()
    assert "table.json" in registry.entry("in-package").reason


def test_installed_as_a_package_its_manifest_and_data_are_found_beside_its_code(
        tmp_path, monkeypatch):
    module, package = write_project(tmp_path / "project")
    site = tmp_path / "site-packages"  # what pip install copies: the package alone
    shutil.copytree(package, site / module)
    monkeypatch.syspath_prepend(str(site))
    imported = importlib.import_module(module)
    assert imported.TABLE == {"C": [1, 2]}
    assert plugin_folder(imported.__file__) == site / module
