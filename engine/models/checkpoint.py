"""Model files and training state: ``safetensors`` tensors plus JSON, never pickle.

A model folder holds ``model.safetensors`` and ``manifest.json``. The manifest is a model
pack manifest (:mod:`engine.plugins.manifest`: name, version, api_version, kind "pack",
architecture, weights with their SHA-256, grid, training_data, metrics) plus what the
network needs: ``network`` (hyper-parameters), ``vocab`` (token layout), ``roles``.
:func:`load_model` checks the hash and that the vocabulary, roles, API version and
architecture match this code; any mismatch raises :class:`ModelFileError` naming the file.

A training-state folder adds ``optimizer.safetensors`` (Adam moments per parameter) and
``state.json`` (step, best loss, optimizer hyper-parameters, config). Files are written to
a temporary name and renamed, so a kill never leaves a half-written checkpoint.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save

from engine.errors import PartitaError
from engine.io.atomic import atomic_write
from engine.models import vocab
from engine.models.network import ARCHITECTURE, AxialDenoiser, NetworkConfig
from engine.plugins.api import API_VERSION
from engine.plugins.errors import ManifestError
from engine.plugins.manifest import (
    MANIFEST_NAME,
    MODEL_MANIFEST_NAME,
    parse_manifest,
    read_manifest_json,
)
from engine.score.instruments import ROLES

WEIGHTS_NAME = "model.safetensors"
MANIFEST_NAMES = (MODEL_MANIFEST_NAME, MANIFEST_NAME)  # shipped models, community packs
OPTIMIZER_NAME = "optimizer.safetensors"
STATE_NAME = "state.json"


class ModelFileError(PartitaError):
    """A model or checkpoint file is missing, damaged or made for other code."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def vocab_spec() -> dict[str, int]:
    """The token layout a model was trained with (must match to load it)."""
    return {
        "size": vocab.VOCAB_SIZE, "mask": vocab.MASK, "rest": vocab.REST, "hold": vocab.HOLD,
        "onset": vocab.ONSET, "drum": vocab.DRUM, "drum_classes": vocab.N_DRUM_CLASSES,
        "steps_per_beat": vocab.STEPS_PER_BEAT,
    }


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write a manifest/state JSON file atomically (see :func:`engine.io.atomic.atomic_write`)."""
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=False) + "\n").encode("utf-8"))


def write_tensors(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> None:
    """Write a safetensors file atomically (:func:`engine.io.atomic.atomic_write`: a
    folder that cannot be written is an ``OSError`` naming ``path``, not a serializer
    error; model files are a few MB, so they are built in memory first)."""
    atomic_write(path, save({k: v.detach().contiguous().cpu() for k, v in tensors.items()},
                            meta))


def save_model(
    folder: str | os.PathLike[str], model: AxialDenoiser, info: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``model.safetensors`` + ``manifest.json``; ``info`` adds/overrides manifest
    fields (name, version, description, grid, training_data, metrics, ...). Returns the
    manifest written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / WEIGHTS_NAME
    write_tensors(weights, dict(model.state_dict()), {"architecture": ARCHITECTURE})
    manifest: dict[str, Any] = {
        "name": "unnamed", "version": "0.0.0", "api_version": API_VERSION, "kind": "pack",
        "architecture": ARCHITECTURE, "precisions": ["fp32"],
        "lanes": model.cfg.max_lanes, "licence": "MIT", "author": "Partita developers",
    }
    manifest.update(info)
    manifest.update({
        "architecture": ARCHITECTURE,
        "weights": [{"file": WEIGHTS_NAME, "sha256": sha256_of(weights)}],
        "network": model.cfg.to_dict(),
        "vocab": vocab_spec(),
        "roles": list(ROLES),
    })
    write_json(folder / MANIFEST_NAMES[0], manifest)
    return manifest


def find_model_manifest(path: str | os.PathLike[str]) -> Path:
    """The manifest of a model folder (or the manifest file itself)."""
    path = Path(path)
    if path.is_file():
        return path
    for name in MANIFEST_NAMES:
        if (path / name).is_file():
            return path / name
    if not path.exists():
        raise ModelFileError(path, "no such model folder or file")
    raise ModelFileError(path, f"no model manifest ({' or '.join(MANIFEST_NAMES)}) in it")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A model manifest as a dict, checked against this code (no weights read).

    The fields every pack has (name, version, kind, weights with SHA-256, ...) are
    validated by the one manifest parser, :func:`engine.plugins.manifest.parse_manifest`;
    this adds what loading *this* network needs (architecture, vocabulary, roles, network).
    """
    file = find_model_manifest(path)
    try:
        manifest = read_manifest_json(file)
        parsed = parse_manifest(manifest, file)
    except ManifestError as e:
        # The parser's message starts with the file name, which ModelFileError adds again.
        raise ModelFileError(file, str(e).removeprefix(f"{file}: ")) from None
    assert isinstance(manifest, dict)  # parse_manifest accepted it
    if manifest.get("api_version") != API_VERSION:
        raise ModelFileError(file, f"made for plugin API {manifest.get('api_version')!r}, "
                                   f"this Partita speaks API {API_VERSION}")
    if manifest.get("architecture") != ARCHITECTURE:
        raise ModelFileError(file, f"architecture {manifest.get('architecture')!r} is not "
                                   f"{ARCHITECTURE!r}")
    if manifest.get("vocab") != vocab_spec():
        raise ModelFileError(file, "its token vocabulary differs from this Partita's "
                                   f"(model: {manifest.get('vocab')}, here: {vocab_spec()})")
    roles = manifest.get("roles", [])
    if not isinstance(roles, list) or list(ROLES[: len(roles)]) != roles:
        raise ModelFileError(file, f"its instrument roles {roles} do not match {list(ROLES)}")
    if not isinstance(manifest.get("network"), dict):
        raise ModelFileError(file, "field 'network' (hyper-parameters) is missing")
    if parsed.kind != "pack":  # a pack's weights ({file, sha256}) were checked by the parser
        raise ModelFileError(file, f"field 'kind': {parsed.kind!r}, but a model folder's "
                                   "manifest is a pack listing its weights {file, sha256}")
    manifest["_path"] = str(file)
    return manifest


@functools.lru_cache(maxsize=16)
def network_shapes(cfg: NetworkConfig) -> Mapping[str, tuple[int, ...]]:
    """The tensor shapes (state-dict names) the network ``cfg`` describes needs: built
    once per network (checking a pack's three weights files, at every listing of the
    models and again at load, built a fresh network each time)."""
    with torch.no_grad():
        return MappingProxyType({k: tuple(v.shape)
                                 for k, v in AxialDenoiser(cfg).state_dict().items()})


def check_weight_shapes(file: Path, cfg: NetworkConfig, bits: int = 32) -> None:
    """:class:`ModelFileError` naming the first tensor of ``file`` (read from its header
    only) that the network ``cfg`` has no place for, lacks, or has at another shape — so
    a manifest that does not describe its weights fails here, in words, at every precision
    (not as a kernel's shape error at the first generation). Quantized files (``bits`` 8
    or 4) store a linear weight ``W`` as ``W.qweight`` (int4: two codes a byte) and
    ``W.scales``."""
    try:
        with safe_open(str(file), "pt") as f:
            stored = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118
    except (SafetensorError, OSError) as e:
        raise ModelFileError(file, f"not a readable safetensors file ({e})") from None
    found: dict[str, tuple[int, ...]] = {}
    for name, shape in stored.items():
        if name.endswith(".scales") and bits < 32:
            continue
        if name.endswith(".qweight") and bits < 32:
            name = name.removesuffix(".qweight")
            if bits == 4 and len(shape) == 2:
                shape = (shape[0], shape[1] * 2)
        found[name] = shape
    try:
        expected = network_shapes(cfg)
    except (TypeError, ValueError, RuntimeError) as e:
        raise ModelFileError(file, f"the manifest's network cannot be built ({e})") from None
    net = ", ".join(f"{k} {getattr(cfg, k)}" for k in ("d_model", "n_layers", "n_heads",
                                                       "ff_mult", "max_steps", "max_lanes"))
    for name, shape in expected.items():
        if name not in found:
            raise ModelFileError(file, f"has no tensor {name!r}, which the manifest's network "
                                       f"({net}) needs")
        if found[name] != shape:
            raise ModelFileError(file, f"tensor {name!r} is {list(found[name])}, but the "
                                       f"manifest's network ({net}) needs {list(shape)}")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise ModelFileError(file, f"tensor {extra[0]!r} has no place in the manifest's "
                                   f"network ({net})")


def load_model(
    path: str | os.PathLike[str], *, check_hash: bool = True
) -> tuple[AxialDenoiser, dict[str, Any]]:
    """The network of a model folder, in eval mode, and its manifest."""
    manifest = read_manifest(path)
    file = Path(manifest["_path"])
    entry = manifest["weights"][0]
    weights = file.parent / entry["file"]
    if not weights.is_file():
        raise ModelFileError(weights, "weights file missing")
    if check_hash and sha256_of(weights) != str(entry.get("sha256", "")).lower():
        raise ModelFileError(weights, "SHA-256 does not match its manifest (damaged or "
                                      "replaced file)")
    try:
        cfg = NetworkConfig.from_dict(manifest["network"])
    except (TypeError, ValueError) as e:
        raise ModelFileError(file, f"field 'network': {e}") from None
    check_weight_shapes(weights, cfg)
    try:
        model = AxialDenoiser(cfg)
        model.load_state_dict(load_file(str(weights)), strict=True)
    except (SafetensorError, RuntimeError, ValueError, TypeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelFileError(weights, f"weights do not fit the manifest's network ({first})"
                             ) from None
    return model.eval(), manifest


# -- training state ------------------------------------------------------------------------


def save_state(
    folder: str | os.PathLike[str],
    model: AxialDenoiser,
    optimizer: torch.optim.Optimizer,
    state: Mapping[str, Any],
    info: Mapping[str, Any],
) -> None:
    """Everything to resume training: the model (as a model folder), the optimizer's
    tensors, and ``state`` (JSON: step, best loss, ...)."""
    folder = Path(folder)
    save_model(folder, model, info)
    opt = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    for idx, st in opt["state"].items():
        for key, value in st.items():
            t = value if torch.is_tensor(value) else torch.tensor(value)
            tensors[f"{idx}.{key}"] = t
    write_tensors(folder / OPTIMIZER_NAME, tensors, {})
    write_json(folder / STATE_NAME, {**state, "param_groups": opt["param_groups"]})


def load_state(
    folder: str | os.PathLike[str], model: AxialDenoiser, optimizer: torch.optim.Optimizer
) -> dict[str, Any]:
    """Restore ``model`` and ``optimizer`` from :func:`save_state`; returns the state."""
    folder = Path(folder)
    saved, _ = load_model(folder)
    model.load_state_dict(saved.state_dict())
    try:
        state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
        flat = load_file(str(folder / OPTIMIZER_NAME))
    except (OSError, json.JSONDecodeError, SafetensorError) as e:
        raise ModelFileError(folder, f"training state unreadable ({e})") from None
    per_param: dict[int, dict[str, torch.Tensor]] = {}
    for name, t in flat.items():
        idx, key = name.split(".", 1)
        per_param.setdefault(int(idx), {})[key] = t
    # JSON turned tuples (Adam's betas) into lists; the optimizer wants them back.
    groups = [{k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in g.items()}
              for g in state.pop("param_groups")]
    optimizer.load_state_dict({"state": per_param, "param_groups": groups})
    return state
