"""Model packs: data-only plugins (a manifest plus ``.safetensors`` weights).

A pack never runs code of its own: Partita reads it with a *pack loader* registered for
the manifest's ``architecture`` field. The model code registers its loaders, e.g.::

    from engine.plugins.packs import register_pack_loader
    register_pack_loader("partita-grid-v1", load_grid_pack)   # (folder, manifest) -> plugin

Until a loader for a pack's architecture exists, the registry lists the pack as
disabled with that reason. :func:`verify_pack` checks a pack (manifest, files, SHA-256,
safetensors headers); :func:`install_pack` copies a verified pack into a models folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from .api import API_VERSION, ModelPlugin
from .errors import PluginError, one_line
from .manifest import MANIFEST_NAME, MODEL_MANIFEST_NAME, Manifest, load_manifest

PackLoader = Callable[[Path, Manifest], ModelPlugin]

_loaders: dict[str, PackLoader] = {}
_lock = threading.Lock()
# (path, size, mtime_ns) -> sha256: re-hash only files that changed since the last look.
_hash_cache: dict[tuple[str, int, int], str] = {}
# Files shipped with a pack besides the manifest and weights, copied on install.
_DOC_FILES = ("README.md", "README.txt", "LICENSE", "LICENCE", "LICENSE.txt", "LICENCE.txt")


def register_pack_loader(architecture: str, loader: PackLoader) -> None:
    """Make packs whose manifest says ``"architecture": architecture`` loadable.

    ``loader(folder, manifest)`` returns a :class:`ModelPlugin`; it may raise any
    exception (reported as the pack's disabled reason). Registering again replaces.
    """
    if not architecture:
        raise ValueError("a pack loader needs a non-empty architecture name")
    with _lock:
        _loaders[architecture] = loader


def unregister_pack_loader(architecture: str) -> None:
    """Forget the loader for ``architecture`` (tests, reloading)."""
    with _lock:
        _loaders.pop(architecture, None)


def pack_loader(architecture: str) -> PackLoader | None:
    with _lock:
        return _loaders.get(architecture)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, cached by (path, size, mtime)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _lock:
        cached = _hash_cache.get(key)
    if cached:
        return cached
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    with _lock:
        _hash_cache[key] = digest
    return digest


def _check_safetensors(path: Path) -> None:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            f.keys()
    except Exception as e:  # safetensors raises its own error types
        raise PluginError(f"{path}: not a readable safetensors file ({e})") from e


def verify_pack(path: Path) -> Manifest:
    """Check a pack folder: manifest, API version, weights present, hashes and headers.

    Returns the manifest; raises :class:`PluginError` naming the file and the problem.
    Does not need a loader for the architecture (see :func:`load_pack`).
    """
    manifest = load_manifest(Path(path))
    if manifest.kind != "pack":
        raise PluginError(f"{manifest.path}: {manifest.name!r} is a code plugin, not a pack")
    check_api_version(manifest)
    check_weights(manifest)
    for w in manifest.weights:
        _check_safetensors(manifest.folder / w.file)
    return manifest


def check_weights(manifest: Manifest) -> None:
    """Every weights file ``manifest`` lists (a pack's, or a code plugin's data) is there
    with its SHA-256; :class:`PluginError` naming the first that is not."""
    assert manifest.path is not None
    for w in manifest.weights:
        file = manifest.folder / w.file
        if not file.is_file():
            raise PluginError(f"{file}: weights file listed in {manifest.path.name} is "
                              "missing")
        actual = file_sha256(file)
        if actual != w.sha256:
            retrained = (manifest.path.name != MODEL_MANIFEST_NAME
                         and (manifest.folder / MODEL_MANIFEST_NAME).is_file())
            raise PluginError(
                f"{file}: SHA-256 mismatch (manifest {w.sha256[:12]}…, file {actual[:12]}…): "
                "the file is damaged or was changed"
                + (f" (retrained? {MANIFEST_NAME} is older than the folder's manifest.json: "
                   "delete it, or copy manifest.json over it)" if retrained else ""))


def check_api_version(manifest: Manifest) -> None:
    if manifest.api_version != API_VERSION:
        raise PluginError(
            f"{manifest.path}: written for plugin API {manifest.api_version}, "
            f"this Partita supports API {API_VERSION}"
        )


def load_pack(path: Path) -> tuple[Manifest, ModelPlugin]:
    """Verify a pack and build its model with the loader for its architecture."""
    manifest = verify_pack(path)
    loader = pack_loader(manifest.architecture)
    if loader is None:
        raise PluginError(
            f"{manifest.path}: no loader for architecture {manifest.architecture!r} "
            "(this Partita cannot read such packs yet)"
        )
    try:
        plugin = loader(manifest.folder, manifest)
    except PluginError:
        raise
    except Exception as e:
        raise PluginError(f"{manifest.folder}: the pack loader failed: {one_line(e)}") from e
    return manifest, plugin


def install_pack(path: Path, models_dir: Path, force: bool = False) -> Path:
    """Verify the pack at ``path`` and copy it to ``models_dir/<name>``; return that folder.

    Only the manifest, the listed weights and a README/licence are copied. An existing
    pack of the same name is replaced only with ``force``.
    """
    manifest = verify_pack(path)
    target = Path(models_dir) / manifest.name
    if target.exists() and not force:
        raise PluginError(f"{target}: a model named {manifest.name!r} is already installed "
                          "(use --force to replace it)")
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    files = [w.file for w in manifest.weights]
    files += [d for d in _DOC_FILES if (manifest.folder / d).is_file()]
    # Copy into a temporary sibling and rename, so a failed copy never leaves half a pack.
    staging = Path(tempfile.mkdtemp(prefix=f".{manifest.name}-", dir=models_dir))
    try:
        # A model folder's manifest.json is installed as the pack's partita-plugin.json.
        assert manifest.path is not None
        shutil.copy2(manifest.path, staging / MANIFEST_NAME)
        for name in files:
            shutil.copy2(manifest.folder / name, staging / name)
        verify_pack(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
