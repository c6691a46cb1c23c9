"""The built-in models, the pack loader for our architecture, and a tiny test model.

``builtin_models()`` (the ``partita.models`` entry point ``builtin``) lists the models in
``assets/models/*/manifest.json`` as :class:`GridModelPlugin` s, ``partita-base`` first (the
app's default); the settings they declare are in :mod:`engine.plugins.builtin`, which
the studio reads before they load. Only the manifests are read at start-up; weights
load, and their hash is checked, on a model's first generate. Importing this module also
registers :func:`load_grid_pack` for community packs of the same architecture.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from engine.models.checkpoint import ModelFileError, read_manifest
from engine.models.grid import GridSpec
from engine.models.grid_plugin import GridModelPlugin
from engine.models.network import ARCHITECTURE, AxialDenoiser, NetworkConfig
from engine.plugins.api import TASKS, ModelInfo, ModelPlugin
from engine.plugins.builtin import SHIPPED_MODELS, builtin_folders
from engine.plugins.errors import PluginError
from engine.score.instruments import ROLE_IDS

ASSETS = SHIPPED_MODELS  # the folders builtin_folders() lists


def builtin_models() -> list[ModelPlugin]:
    """The shipped models, default first; weights load lazily."""
    return [plugin_from_folder(f) for f in builtin_folders()]


def shipped_model_folder(name_or_path: str | os.PathLike[str]) -> Path:
    """A shipped model by name (``chorale-jsb``) or a model folder/manifest path."""
    shipped = ASSETS / str(name_or_path)
    if str(name_or_path) and (shipped / "manifest.json").is_file():
        return shipped
    return Path(name_or_path)


def _info(manifest: dict[str, Any]) -> ModelInfo:
    precisions = tuple(manifest.get("precisions", ["fp32"]))
    return ModelInfo(
        name=manifest["name"], version=str(manifest.get("version", "0.0.0")),
        api_version=int(manifest["api_version"]),
        description=str(manifest.get("description", "")),
        tasks=tuple(manifest.get("tasks", TASKS)), precisions=precisions,
        default_precision=precisions[0], instruments=tuple(manifest.get("instruments", ["any"])),
        max_lanes=int(manifest.get("lanes", 0)), licence=str(manifest.get("licence", "unknown")),
        author=str(manifest.get("author", "")),
    )


class _RoleMapped(torch.nn.Module):
    """Maps roles the model never saw in training to the role it was trained on."""

    def __init__(self, model: AxialDenoiser, seen: list[str]) -> None:
        super().__init__()
        self.model = model
        table = torch.arange(model.cfg.n_roles)
        ids = [ROLE_IDS[r] for r in seen if r in ROLE_IDS]
        if ids:
            mask = torch.ones(model.cfg.n_roles, dtype=torch.bool)
            mask[ids] = False
            table[mask] = ids[0]
        self.register_buffer("table", table, persistent=False)

    @property
    def max_steps(self) -> int:
        return self.model.max_steps

    def forward(self, tokens, roles, beat_pos):
        return self.model(tokens, self.table[roles], beat_pos)


def plugin_from_folder(
    folder: str | os.PathLike[str], *, runtime: str = "auto", threads: int | None = None,
    wrap: Callable[[Any], Any] | None = None,
) -> GridModelPlugin:
    """A model folder as a plugin (manifest read now, weights on first use).

    ``options.precision`` picks the weights file ("fp32", "int8", "int4" or "auto" = the
    model's default) and :func:`engine.models.runtime.load_denoiser` the kernels;
    ``wrap(denoiser)`` may instrument the denoiser (the benchmark counts calls with it).
    """
    from engine.models.runtime import available_precisions, load_denoiser

    manifest = read_manifest(folder)
    have = available_precisions(folder)
    info = dataclasses.replace(_info(manifest), precisions=tuple(have), default_precision=have[0])

    def load(precision: str) -> Any:
        model = load_denoiser(folder, precision, runtime=runtime, threads=threads)
        seen = manifest.get("training_roles")
        model = _RoleMapped(model, seen).eval() if seen else model
        return wrap(model) if wrap else model

    spec = GridSpec(max_lanes=info.max_lanes) if info.max_lanes else GridSpec()
    return GridModelPlugin(info, load=load, spec=spec)


def load_grid_pack(folder: Path, manifest: object) -> ModelPlugin:
    """Pack loader (``register_pack_loader``) for community packs of our architecture.

    Beyond what :func:`plugin_from_folder` checks (vocabulary, network, roles), every
    precision the pack declares must have its weights. ``partita models verify`` runs this
    loader too, so it reports the same problem the model list would.
    """
    try:
        check_declared_precisions(folder)
        check_pack_shapes(folder)
        return plugin_from_folder(folder)
    except ModelFileError as e:  # one line naming the file, as the registry shows it
        raise PluginError(str(e)) from e


def check_declared_precisions(folder: str | os.PathLike[str]) -> None:
    """:class:`ModelFileError` if the manifest declares a precision whose weights file
    (``model.int8.safetensors``…) its ``weights`` list lacks."""
    from engine.models.quantize import weights_entry, weights_name

    manifest = read_manifest(folder)
    for precision in manifest.get("precisions", ["fp32"]):
        if weights_entry(manifest, precision) is None:
            raise ModelFileError(manifest["_path"], (
                f"'precisions' lists {precision} but 'weights' has no "
                f"{weights_name(precision)} (make it with `partita quantize PATH --precision "
                f"{precision}`, or drop {precision} from 'precisions')"))


def check_pack_shapes(folder: str | os.PathLike[str]) -> None:
    """:class:`ModelFileError` if a weights file of any precision does not fit the
    manifest's network (read from the files' headers: no weights are loaded)."""
    from engine.models.checkpoint import check_weight_shapes
    from engine.models.network import NetworkConfig
    from engine.models.quantize import BITS, weights_entry, weights_name

    manifest = read_manifest(folder)
    root = Path(manifest["_path"]).parent
    try:
        cfg = NetworkConfig.from_dict(manifest["network"])
    except (TypeError, ValueError) as e:
        raise ModelFileError(manifest["_path"], f"field 'network': {e}") from None
    for precision in manifest.get("precisions", ["fp32"]):
        if weights_entry(manifest, precision) is not None:
            check_weight_shapes(root / weights_name(precision), cfg, BITS.get(precision, 32))


def tiny_random_model(seed: int = 0, name: str = "tiny-random", lanes: int = 8) -> ModelPlugin:
    """A randomly initialised few-thousand-parameter model for fast tests."""
    torch.manual_seed(seed)
    net = AxialDenoiser(NetworkConfig(d_model=16, n_layers=1, n_heads=2, ff_mult=2,
                                      max_steps=64, max_lanes=16)).eval()
    info = ModelInfo(name=name, version="0.0.0", description="untrained, for tests",
                     max_lanes=lanes)
    return GridModelPlugin(info, net, spec=GridSpec(max_lanes=lanes))


def _register() -> None:
    try:
        from engine.plugins.packs import register_pack_loader
    except ImportError:  # the plugin system is optional for engine-only use
        return
    register_pack_loader(ARCHITECTURE, load_grid_pack)


_register()
