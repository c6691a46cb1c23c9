"""Plugin manifests: the ``partita-plugin.json`` file that describes a plugin or model pack.

Every plugin folder (code plugin or model pack) holds one manifest::

    {
      "name": "drumkit",                 # unique model name: a-z 0-9 - _ .
      "version": "0.1.0",
      "api_version": 1,                  # the plugin API it was written for
      "kind": "code",                    # "code" (Python) or "pack" (data only)
      "description": "Rule-based grooves",
      "tasks": ["repaint", "compose"],   # subset of engine.plugins.api.TASKS
      "precisions": ["fp32"],            # subset of engine.plugins.api.PRECISIONS
      "instruments": ["drums"],          # roles it writes ("any" = all)
      "lanes": 0,                        # most lanes (tracks) it writes at once, 0 = any
      "licence": "MIT",
      "author": "Jane Doe",
      "entry": "partita_drumkit:DrumKit" # code only: module:attribute to load
    }

A pack adds ``"architecture"`` (which pack loader reads it), ``"weights"`` (a list of
``{"file": "model.safetensors", "sha256": "<64 hex digits>"}``), and optionally ``"grid"``
(the token grid spec), ``"training_data"`` and ``"metrics"`` (free-form, shown to users).
Weights must be ``.safetensors`` files next to the manifest, so a pack is data only. A code
plugin may list ``"weights"`` too: any files in its folder (``"data/chain.json"``), each
checked before its code is imported; its code finds them with :func:`plugin_folder`.

:func:`load_manifest` reads and validates one; each problem is reported as a
:class:`~engine.plugins.errors.ManifestError` naming the file and the field.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from engine.errors import json_problem
from engine.score.instruments import ROLES

from .api import API_VERSION, PRECISIONS, TASKS, ModelInfo
from .errors import ManifestError

MANIFEST_NAME = "partita-plugin.json"
KINDS = ("pack", "code")
INSTRUMENTS = (*ROLES, "any")

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
NAME_RULE = "1-64 chars of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


# Every field a manifest of the plugin APIs this Partita knows may have: those read here,
# and those `partita train` and `quantize` write into a model folder's manifest.json
# (network, vocab, roles: read by the pack loader; the rest shown to users).
FIELDS = frozenset({
    "name", "version", "api_version", "kind", "description", "tasks", "precisions",
    "default_precision", "instruments", "lanes", "licence", "license", "author", "entry",
    "architecture", "weights", "grid", "training_data", "metrics", "network", "vocab",
    "roles", "training_roles", "training", "fine_tuned_from", "default_precision_reason",
})


def unknown_field_problem(data: Mapping[str, Any], api_version: int) -> tuple[str, str] | None:
    """``(field, problem)`` for the first field no manifest of ``api_version`` has, with
    the known field it is likely a misspelling of; None when all are known, or when the
    manifest is for an API newer than this Partita's (which may add fields: that manifest
    is refused for its API version instead). A misspelt field is refused rather than
    ignored: ``"weigths"`` skipped the hash check its author asked for, ``"instrument"``
    let a drums model be asked for a melody."""
    if api_version > API_VERSION:
        return None
    for key in data:
        if key in FIELDS:
            continue
        close = difflib.get_close_matches(str(key), sorted(FIELDS), n=1)
        hint = f"did you mean {close[0]!r}?" if close else (
            f"the fields are: {', '.join(sorted(FIELDS))}")
        return key, f"unknown field ({hint}); a field Partita does not know is never read"
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a model (None when it can): the rule every manifest,
    ``partita train --name`` and ``models install`` apply."""
    return None if _NAME_RE.match(name) else f"{name!r} must be {NAME_RULE}"


@dataclass(frozen=True, slots=True)
class WeightsFile:
    """One weights file of a pack and its expected SHA-256 (lower-case hex)."""

    file: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated manifest. ``path`` is the manifest file it was read from."""

    name: str
    version: str
    api_version: int
    kind: str
    description: str = ""
    tasks: tuple[str, ...] = TASKS
    precisions: tuple[str, ...] = ("fp32",)
    instruments: tuple[str, ...] = ("any",)
    lanes: int = 0
    licence: str = "unknown"
    author: str = ""
    entry: str = ""  # code plugins: "module:attribute"
    architecture: str = ""  # packs: the pack loader's key
    weights: tuple[WeightsFile, ...] = ()
    grid: Mapping[str, Any] = field(default_factory=dict)
    training_data: Any = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None
    declared: frozenset[str] = frozenset()  # the fields the file gives (others: defaults)

    @property
    def folder(self) -> Path:
        """The folder of the manifest, where the files it lists are (:func:`plugin_folder`)."""
        if self.path is None:
            raise ValueError(f"manifest {self.name!r} was not read from a file")
        return self.path.parent

    @property
    def root(self) -> Path:
        """The plugin folder its ``entry`` module is imported from: :attr:`folder`, or the
        folder holding it when the manifest is inside the plugin's package (the layout
        that works from a plugin folder and after ``pip install`` alike)."""
        folder = self.folder
        return folder.parent if (folder / "__init__.py").is_file() else folder

    def model_info(self) -> ModelInfo:
        """The :class:`ModelInfo` this manifest declares (packs use it as is)."""
        return ModelInfo(
            name=self.name,
            version=self.version,
            api_version=self.api_version,
            description=self.description,
            tasks=self.tasks,
            precisions=self.precisions,
            default_precision=self.precisions[0],
            instruments=self.instruments,
            max_lanes=self.lanes,
            licence=self.licence,
            author=self.author,
        )


MODEL_MANIFEST_NAME = "manifest.json"  # what `partita train` and `quantize` write


def plugin_folder(module_file: str | Path) -> Path:
    """The folder of the code plugin whose module is ``module_file`` (pass ``__file__``):
    the one holding its ``partita-plugin.json``, where the files its manifest lists as
    ``weights`` are (``plugin_folder(__file__) / "chain.json"``). It is the module's
    folder or, for a module of a package, the package's folder or the one holding it —
    a folder plugin's layout, and a package that ships its manifest as package data.
    :class:`ManifestError` when none of them holds a manifest."""
    module_file = Path(module_file).resolve()
    folder = module_file.parent
    while True:
        if (folder / MANIFEST_NAME).is_file():
            return folder
        if not (folder / "__init__.py").is_file() or folder.parent == folder:
            break
        folder = folder.parent  # up through the package to the folder holding it
    raise ManifestError(f"{module_file}: no {MANIFEST_NAME} beside it or above it in its "
                        "package")


def find_manifest(path: Path) -> Path:
    """The manifest file for ``path``: the file itself, ``path/partita-plugin.json``, or
    the ``manifest.json`` of a model folder Partita wrote (``runs/<name>/best``: it is a
    complete pack manifest, kept up to date by every retrain and quantize)."""
    path = Path(path)
    if not path.exists():
        raise ManifestError(f"{path}: no such file or folder")
    if path.is_dir():
        folder, path = path, path / MANIFEST_NAME
        if not path.is_file() and (folder / MODEL_MANIFEST_NAME).is_file():
            path = folder / MODEL_MANIFEST_NAME
        elif not path.is_file():  # inside the plugin's package (shipped with it by pip)
            path = package_manifest(folder) or path
    if not path.is_file():
        raise ManifestError(f"{path}: no plugin manifest ({MANIFEST_NAME}) found")
    return path


def package_manifest(folder: Path) -> Path | None:
    """The manifest inside the one package of ``folder`` that holds one
    (``folder/my_bassline/partita-plugin.json`` beside its ``__init__.py``), if any."""
    found = [p for p in sorted(Path(folder).glob(f"*/{MANIFEST_NAME}"))
             if (p.parent / "__init__.py").is_file()]
    return found[0] if len(found) == 1 else None


def read_manifest_json(path: Path) -> object:
    """The decoded JSON of a manifest file; a file that is not UTF-8 JSON is named."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 text ({e.reason})") from e
    except json.JSONDecodeError as e:
        raise ManifestError(f"{path}: not valid JSON: {json_problem(e)}") from e


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest file (or the manifest inside a plugin folder)."""
    path = find_manifest(path)
    return parse_manifest(read_manifest_json(path), path)


def parse_manifest(data: object, path: Path | None = None) -> Manifest:
    """Validate manifest data already decoded from JSON."""
    where = str(path) if path else "manifest"
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: the manifest must be a JSON object")

    def fail(key: str, problem: str) -> ManifestError:
        return ManifestError(f"{where}: field {key!r}: {problem}")

    def text(key: str, required: bool = False, default: str = "") -> str:
        if key not in data:
            if required:
                raise fail(key, "missing")
            return default
        value = data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            raise fail(key, f"expected a non-empty string, got {value!r}")
        return value

    def choices(key: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a non-empty list of strings")
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise fail(key, f"unknown value {unknown[0]!r} (known: {', '.join(allowed)})")
        return tuple(value)

    def mapping(key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise fail(key, "expected a JSON object")
        return value

    # First: a misspelt field ("nmae") is named as such, not as the field it misses.
    stated = data.get("api_version")
    unknown = unknown_field_problem(data, stated if isinstance(stated, int)
                                    and not isinstance(stated, bool) else API_VERSION)
    if unknown:
        raise fail(*unknown)
    name = text("name", required=True)
    problem = name_problem(name)
    if problem:
        raise fail("name", problem)
    version = text("version", required=True)
    api_version = data.get("api_version")
    if "api_version" not in data:
        raise fail("api_version", f"missing (the plugin API it was written for: {API_VERSION})")
    if isinstance(api_version, bool) or not isinstance(api_version, int):
        raise fail("api_version", f"expected an integer, got {api_version!r}")
    kind = text("kind", required=True)
    if kind not in KINDS:
        raise fail("kind", f"{kind!r} is neither 'pack' nor 'code'")
    lanes = data.get("lanes", 0)
    if isinstance(lanes, bool) or not isinstance(lanes, int) or lanes < 0:
        raise fail("lanes", f"expected a whole number >= 0, got {lanes!r}")

    entry = text("entry")
    architecture = text("architecture")
    raw = data.get("weights")
    if kind == "code":
        if "entry" not in data:  # said as every other missing field is
            raise fail("entry", "missing (a code plugin names the model it imports: "
                                "'module:attribute', e.g. 'my_bassline:RootBass')")
        if not _ENTRY_RE.match(entry):
            raise fail("entry", f"a code plugin needs 'module:attribute', got {entry!r}")
        # Optional: the data files its code reads, checked as a pack's are before it loads.
        if "weights" in data and not isinstance(raw, list):
            raise fail("weights", "expected a list of {file, sha256}")
    else:
        if not architecture:
            raise fail("architecture", "missing (a pack names the loader that reads it)")
        if not isinstance(raw, list) or not raw:
            raise fail("weights", "a pack needs a non-empty list of {file, sha256}")
    weights: list[WeightsFile] = []
    for item in raw or ():
        if not isinstance(item, dict):
            raise fail("weights", f"expected {{file, sha256}}, got {item!r}")
        file, sha = item.get("file"), item.get("sha256")
        if kind == "code":  # any file in the plugin's folder (its code reads it)
            parts = PurePosixPath(file).parts if isinstance(file, str) else ()
            if not parts or PurePosixPath(file).is_absolute() or ".." in parts \
                    or "\\" in file:
                raise fail("weights", f"file {file!r} must be a path inside the plugin's "
                                      "folder, written with /")
        else:
            if not isinstance(file, str) or Path(file).name != file or file.startswith("."):
                raise fail("weights", f"file {file!r} must be a plain file name in the pack")
            if not file.endswith(".safetensors"):
                raise fail("weights", f"file {file!r} is not .safetensors (packs are data "
                                      "only)")
        if not isinstance(sha, str) or not _SHA256_RE.match(sha.lower()):
            raise fail("weights", f"sha256 of {file!r} must be 64 hex digits")
        weights.append(WeightsFile(file, sha.lower()))

    return Manifest(
        name=name,
        version=version,
        api_version=api_version,
        kind=kind,
        description=text("description"),
        tasks=choices("tasks", TASKS, TASKS),
        precisions=choices("precisions", PRECISIONS, ("fp32",)),
        instruments=choices("instruments", INSTRUMENTS, ("any",)),
        lanes=lanes,
        licence=text("licence", default=text("license", default="unknown")),
        author=text("author"),
        entry=entry,
        architecture=architecture,
        weights=tuple(weights),
        grid=mapping("grid"),
        training_data=data.get("training_data"),
        metrics=mapping("metrics"),
        path=path,
        declared=frozenset(data),
    )
