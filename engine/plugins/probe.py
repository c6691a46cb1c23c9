"""Trying a folder plugin's import in a separate process before importing it here.

A plugin's module runs its own code when imported. One that hangs there (a network call,
a lock) would hang every command and the studio's model list; one that ends the process
(``os._exit``, a crash in a native extension) would take the studio down with the user's
unsaved work. So a folder plugin's module is first imported in a child Python process
with a time limit; only if that process comes back is the module imported here. An
ordinary exception is left to the real import, which reports it the usual way.

The verdict is kept per plugin version (the folder's files: names, sizes and times) in
the state folder, so only a new or changed plugin pays for the child process (about a
second, more for a plugin that imports torch). A time-out is kept too: a plugin whose
import hangs would otherwise cost every start the whole time limit. It is tried again
when its files change, or when the user asks (:func:`forget`: ``partita models verify``).
What this process decided that the user should hear of (a plugin skipped for a time-out)
is collected for the command line to say (:func:`notices`).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.io.atomic import atomic_write

TIMEOUT_S = 30.0
"""How long a plugin's import may take in the child process (a plugin that imports torch
takes a few seconds on a slow machine)."""

_CHILD = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
try:
    importlib.import_module(sys.argv[2])
except BaseException:
    pass  # the real import reports ordinary errors (and sys.exit) the usual way
"""

_known: dict[str, str] = {}  # fingerprint → "" (imports fine) or the reason it does not
# Set while the user asks for a plugin by name or folder (`partita models verify`): what
# to call before a trial (folder, module, time limit), to say what the wait is for; a
# time-out is then said in the command's error, not as "verify tries it again".
Announce = Callable[[Path, str, float], None]


@dataclass
class _Asking:
    announce: Announce
    tried: set[str] = field(default_factory=set)  # the imports it tried itself


_asked: contextvars.ContextVar[_Asking | None] = contextvars.ContextVar(
    "plugin_import_asked", default=None)
_notices: list[str] = []  # what the user should hear of, said once (notices())
_TIMED_OUT = "did not finish within"  # in the reason of a time-out, kept or new


def import_problem(folder: Path, module: str, timeout: float | None = None) -> str | None:
    """Why importing ``module`` from ``folder`` must not be tried in this process (it hangs
    or ends the process), or None when a child process imported it and came back."""
    key = fingerprint(folder, module)
    limit = TIMEOUT_S if timeout is None else timeout
    asking = _asked.get()
    if key not in _known:
        cache = _read_cache()
        if key in cache:
            _known[key] = cache[key]
            if _TIMED_OUT in cache[key] and asking is None:  # skipped at once: say so, once
                _notices.append(f"plugin folder {folder}: {cache[key]}")
        else:
            if asking is not None:  # the user waits for it: say what for, first
                asking.announce(folder, module, limit)
                asking.tried.add(key)
            problem, lasting = _try(folder, module, limit)
            _known[key] = problem
            if lasting:
                cache[key] = problem
                _write_cache(cache)
            if _TIMED_OUT in problem and asking is None:  # the user just waited: say why
                _notices.append(f"plugin folder {folder}: {problem}")
    problem = _known[key]
    if asking is not None and _TIMED_OUT in problem and key in asking.tried:
        return timed_out_when_asked(module, limit)  # the command's own error says it
    return problem or None


def timed_out_when_asked(module: str, timeout: float) -> str:
    """A time-out, said to the user who asked for the plugin (`partita models verify`):
    what to check, not the command they just ran."""
    return (f"{module!r} did not finish importing in {timeout:g} s: check what "
            "the plugin does when imported — a network call, a lock or a prompt it waits "
            "on, a large file or model it loads (load it in generate, or on first use); "
            "a first import from a cold disk can be slow too: verify it again. Until it "
            "imports in time it is listed as disabled")


@contextlib.contextmanager
def asked(announce: Announce | None = None) -> Iterator[None]:
    """The user asked for this plugin (``partita models verify``): ``announce(folder,
    module, time_limit)`` is called before its import is tried, and a time-out is said as
    :func:`timed_out_when_asked`, in the command's error alone (not also as a note).
    Nested, the outer ``announce`` holds."""
    token = _asked.set(_asked.get() or _Asking(announce or (lambda *a: None)))
    try:
        yield
    finally:
        _asked.reset(token)


def forget(folder: Path, module: str) -> None:
    """Drop the verdict on ``module`` of ``folder`` as its files are now, so that the next
    :func:`import_problem` tries it again (``partita models verify``: the user asks for a
    plugin skipped after a time-out to be tried, e.g. once the network it waited for is
    back)."""
    key = fingerprint(folder, module)
    asking = _asked.get()
    if asking is not None and key in asking.tried:  # this very request tried it: once
        return
    _known.pop(key, None)
    cache = _read_cache()
    if cache.pop(key, None) is not None:
        _write_cache(cache)


def notices() -> list[str]:
    """What this process decided about plugins that the user should hear of (a plugin
    skipped, or just timed out), each once: the command line prints them on stderr."""
    said = list(dict.fromkeys(_notices))
    _notices.clear()
    return said


def _try(folder: Path, module: str, timeout: float) -> tuple[str, bool]:
    """The problem ("" for none) and whether it is kept on disk (an ``OSError`` starting
    the child is this machine's, not the plugin's: tried again next time)."""
    env = dict(os.environ)
    # The child finds what this process finds (the engine's API above all).
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(folder), module],
                              cwd=folder, env=env, timeout=timeout, capture_output=True)
    except subprocess.TimeoutExpired:
        # Kept: a plugin that hangs would cost every start the whole limit. A slow first
        # import (a cold disk) is tried again when the user asks, or the plugin changes.
        return (f"importing {module!r} {_TIMED_OUT} {timeout:g} s when last tried (it "
                "would block every command): it is skipped until its files change; "
                f"`partita models verify {folder}` tries it again"), True
    except OSError as e:
        return f"could not try importing {module!r} in a separate process: {e}", False
    if done.returncode == 0:
        return "", True
    if done.returncode < 0:
        with contextlib.suppress(ValueError):
            name = signal.Signals(-done.returncode).name
            return (f"importing {module!r} crashed the process ({name}): it is not "
                    "loaded"), True
    return (f"importing {module!r} ended the process (exit code {done.returncode}): "
            "it is not loaded"), True


def fingerprint(folder: Path, module: str) -> str:
    """The plugin's version as its files show it: every file's path, size and time."""
    h = hashlib.sha256(f"{folder.resolve()}\0{module}\0{sys.executable}".encode())
    for path in sorted(folder.rglob("*")):
        with contextlib.suppress(OSError):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                h.update(f"{path.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\0"
                         .encode())
    return h.hexdigest()


def _cache_path() -> Path:
    from engine.io.autosave import state_dir

    return state_dir() / "plugin-imports.json"


def _read_cache() -> dict[str, str]:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) \
        else {}


CACHE_ENTRIES = 256  # the latest verdicts kept (every edit of a plugin makes a new one)


def _write_cache(cache: dict[str, str]) -> None:
    cache = dict(list(cache.items())[-CACHE_ENTRIES:])
    with contextlib.suppress(OSError):  # no cache: the next run tries again
        path = _cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(cache, indent=1).encode("utf-8"))


__all__ = ["TIMEOUT_S", "asked", "fingerprint", "forget", "import_problem", "notices",
           "timed_out_when_asked"]
