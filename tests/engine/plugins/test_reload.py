"""Listing the models again (the studio's Model Manager ▸ Refresh) runs a folder plugin's
new code once its files changed: it kept running the old code, from ``sys.modules``
(QA)."""

from __future__ import annotations

import json
import sys
import uuid

from engine.plugins import Registry

PACKAGE = '''
from engine.plugins.api import ModelInfo

from .settings import VERSION


class Model:
    info = ModelInfo(name="tune", version=VERSION, api_version=1)

    def generate(self, song, mask, options, progress, cancel):
        return {}
'''


def write_plugin(root, version: str) -> str:
    """A folder plugin that is a package; its version is in a submodule. Its name."""
    module = f"tune_{uuid.uuid4().hex[:8]}"
    (root / "tune" / module).mkdir(parents=True)
    (root / "tune" / module / "__init__.py").write_text(PACKAGE)
    (root / "tune" / module / "settings.py").write_text(f"VERSION = {version!r}\n")
    (root / "tune" / "partita-plugin.json").write_text(json.dumps({
        "name": "tune", "version": version, "api_version": 1, "kind": "code",
        "entry": f"{module}:Model"}))
    return module


def bump_manifest(root, version: str) -> None:
    """The manifest's version, kept with the code's (they must agree)."""
    path = root / "tune" / "partita-plugin.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": version}))


def test_refresh_imports_a_folder_plugin_whose_files_changed_afresh(tmp_path):
    module = write_plugin(tmp_path / "plugins", "1.0")
    registry = Registry(entry_points=False, plugin_dirs=[tmp_path / "plugins"],
                        user_dir=tmp_path / "models")
    assert registry.get("tune").info.version == "1.0"
    first = sys.modules[module]

    registry.refresh()  # nothing changed: the module imported is kept
    assert sys.modules[module] is first

    # The author edits a submodule (the package's __init__ is unchanged) and refreshes.
    (tmp_path / "plugins" / "tune" / module / "settings.py").write_text(
        'VERSION = "1.1.0"  # edited\n')
    bump_manifest(tmp_path / "plugins", "1.1.0")
    registry.refresh()
    assert registry.get("tune").info.version == "1.1.0"
    assert sys.modules[module] is not first
    assert sys.modules[f"{module}.settings"].VERSION == "1.1.0"


def test_a_plugin_broken_by_an_edit_is_disabled_and_a_fix_brings_it_back(tmp_path):
    module = write_plugin(tmp_path / "plugins", "1.0")
    registry = Registry(entry_points=False, plugin_dirs=[tmp_path / "plugins"],
                        user_dir=tmp_path / "models")
    assert registry.get("tune").info.version == "1.0"
    settings = tmp_path / "plugins" / "tune" / module / "settings.py"
    settings.write_text("VERSION = oops\n")
    registry.refresh()
    (entry,) = registry.entries()
    assert not entry.ok and "NameError" in entry.reason
    settings.write_text('VERSION = "1.2.0"\n')
    bump_manifest(tmp_path / "plugins", "1.2.0")
    registry.refresh()
    assert registry.get("tune").info.version == "1.2.0"
