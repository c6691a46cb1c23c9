"""Writers of small but real plugin folders (code plugins and packs) for the tests."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from engine.plugins.api import ModelInfo

MODEL_SOURCE = '''
from engine.plugins.api import ModelInfo, Progress
from engine.score import Note


class Model:
    info = ModelInfo(name={name!r}, version="1.0", tasks=("repaint",))

    def generate(self, song, mask, options, progress, cancel):
        {generate}
        start, end = mask.span
        progress(Progress(1, 1))
        return {{tid: (Note(60, start, 10),) for tid in mask.track_ids}}
'''


def write_code_plugin(root: Path, name: str, *, api_version: int = 1, on_import: str = "",
                      generate: str = "pass", model_name: str | None = None) -> Path:
    """A plugin folder with a one-file module (unique module name per call)."""
    folder = root / name
    folder.mkdir(parents=True)
    module = f"plug_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    source = on_import + "\n" + MODEL_SOURCE.format(name=model_name or name, generate=generate)
    (folder / f"{module}.py").write_text(source)
    write_manifest(folder, {"name": name, "version": "1.0", "api_version": api_version,
                            "kind": "code", "entry": f"{module}:Model"})
    return folder


def write_manifest(folder: Path, data: dict) -> Path:
    path = folder / "partita-plugin.json"
    path.write_text(json.dumps(data))
    return path


def write_pack(root: Path, name: str, *, architecture: str = "toy-arch",
               wrong_hash: bool = False, api_version: int = 1) -> Path:
    """A pack folder: one small safetensors file and its manifest."""
    folder = root / name
    folder.mkdir(parents=True)
    weights = folder / "model.safetensors"
    save_file({"embed": np.arange(12, dtype=np.float32).reshape(3, 4)}, str(weights))
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    if wrong_hash:
        sha = "0" * 64
    write_manifest(folder, {
        "name": name, "version": "2.0", "api_version": api_version, "kind": "pack",
        "architecture": architecture, "description": "a toy pack",
        "tasks": ["repaint"], "instruments": ["melody"], "licence": "CC-BY-4.0",
        "weights": [{"file": "model.safetensors", "sha256": sha}],
        "grid": {"steps_per_beat": 4}, "training_data": "none", "metrics": {"nll": 1.5},
    })
    (folder / "README.md").write_text("toy pack\n")
    return folder


class PackModel:
    """What a pack loader returns: a real ModelPlugin built from the pack's manifest."""

    def __init__(self, folder: Path, manifest) -> None:
        self.folder = folder
        self.info: ModelInfo = manifest.model_info()

    def generate(self, song, mask, options, progress, cancel):
        return {}
