"""Model plugins: the plugin API, manifests, model packs and the registry.

- :mod:`engine.plugins.api`       — the ModelPlugin protocol every model implements
- :mod:`engine.plugins.manifest`  — ``partita-plugin.json`` files
- :mod:`engine.plugins.packs`     — data-only model packs and their loaders
- :mod:`engine.plugins.discovery` — where plugins are found
- :mod:`engine.plugins.registry`  — the list of models, their status and the default
- :mod:`engine.plugins.builtin`   — what the built-in models declare, known before they load
- :mod:`engine.plugins.result`    — checking what a model's ``generate()`` returned

See ``docs/plugins.md`` for writing and sharing a plugin.
"""

from .api import (
    API_VERSION,
    FIRST_API_VERSION,
    PRECISIONS,
    SAMPLING,
    TASKS,
    Cancelled,
    CancelToken,
    CannotGenerate,
    GenerateOptions,
    ModelInfo,
    ModelOption,
    ModelPlugin,
    Progress,
    ProgressCallback,
)
from .entry import Entry
from .errors import ManifestError, PluginError
from .manifest import MANIFEST_NAME, Manifest, load_manifest, plugin_folder
from .packs import install_pack, load_pack, register_pack_loader, verify_pack
from .registry import Registry
from .result import InvalidResult, ModelFailed, checked_result

__all__ = [
    "API_VERSION",
    "FIRST_API_VERSION",
    "MANIFEST_NAME",
    "PRECISIONS",
    "SAMPLING",
    "TASKS",
    "CancelToken",
    "Cancelled",
    "CannotGenerate",
    "Entry",
    "GenerateOptions",
    "InvalidResult",
    "Manifest",
    "ManifestError",
    "ModelFailed",
    "ModelInfo",
    "ModelOption",
    "ModelPlugin",
    "PluginError",
    "Progress",
    "ProgressCallback",
    "Registry",
    "checked_result",
    "install_pack",
    "load_manifest",
    "load_pack",
    "plugin_folder",
    "register_pack_loader",
    "verify_pack",
]
