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

import contextlib
import contextvars
import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from engine.io.atomic import atomic_write

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


HASH_CACHE_ENTRIES = 512  # the latest files' hashes kept on disk (plugin-hashes.json)
_disk_read = False  # whether this process has read the state folder's hashes yet
# Set while the user asks for a check (`partita models verify`): every file is hashed
# again, whatever the caches say (a file damaged in place, its size and time kept), once
# per check: the set holds the files it hashed.
_afresh: contextvars.ContextVar[set | None] = contextvars.ContextVar("hash_afresh",
                                                                     default=None)


@contextlib.contextmanager
def hashing_afresh() -> Iterator[None]:
    """Hash every file :func:`file_sha256` is asked for, trusting no hash kept before."""
    token = _afresh.set(set())
    try:
        yield
    finally:
        _afresh.reset(token)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, cached by (path, size, mtime): in this process, and in the
    state folder for the next one, so each file is read once per version, not by every
    ``partita models`` (a plugin's 300 MB of weights took a second each time)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    fresh = _afresh.get()
    if fresh is None or key in fresh:
        with _lock:
            _read_disk_cache()
            cached = _hash_cache.get(key)
        if cached:
            return cached
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    if fresh is not None:
        fresh.add(key)
    with _lock:
        _hash_cache.pop(key, None)  # the latest last: the ones kept on disk
        _hash_cache[key] = digest
        _write_disk_cache()
    return digest


def _disk_cache_path() -> Path:
    from engine.io.autosave import state_dir

    return state_dir() / "plugin-hashes.json"


def _read_disk_cache() -> None:
    """Fill the in-process cache from the state folder, once (holds ``_lock``)."""
    global _disk_read
    if _disk_read:
        return
    _disk_read = True
    try:
        data = json.loads(_disk_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for row in data if isinstance(data, list) else ():
        if (isinstance(row, list) and len(row) == 4 and isinstance(row[0], str)
                and all(isinstance(n, int) for n in row[1:3]) and isinstance(row[3], str)):
            _hash_cache.setdefault((row[0], row[1], row[2]), row[3])


def _write_disk_cache() -> None:
    """Keep the latest :data:`HASH_CACHE_ENTRIES` hashes in the state folder (holds
    ``_lock``); a folder that cannot be written only costs the next run a hash."""
    rows = [[*key, digest] for key, digest in list(_hash_cache.items())[-HASH_CACHE_ENTRIES:]]
    with contextlib.suppress(OSError):
        path = _disk_cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(rows).encode("utf-8"))


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
