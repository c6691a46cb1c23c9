"""The design's import rules, checked over the source: imports point inward to
``engine.score``, the engine never imports Qt, the studio reaches models only through
``engine.tasks``, ``engine.jobs`` and ``engine.plugins``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (top level or inside functions), absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            else:
                found.add(node.module or "")
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def names(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


def offenders(folder: str, forbidden: tuple[str, ...],
              allowed: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """``{file: [forbidden modules it imports]}`` for the files of ``folder``."""
    out = {}
    for path in sources(folder):
        name = str(path.relative_to(ROOT))
        bad = sorted(m for m in imports(path) if names(m, forbidden))
        if bad and name not in allowed:
            out[name] = bad
    return out


def test_the_engine_never_imports_qt_or_the_studio():
    # `partita studio` starts the app: the one place the engine hands over to it.
    assert offenders("engine", ("PySide6", "studio"), frozenset({"engine/cli/studio.py"})) == {}


def test_the_studio_reaches_models_only_through_tasks_jobs_and_plugins():
    assert offenders("studio", ("torch", "onnxruntime", "engine.models")) == {}


def test_the_song_model_imports_nothing_but_itself_numpy_and_the_standard_library():
    # engine.errors (the errors' common base) imports nothing, so it is allowed too.
    assert imports(ROOT / "engine/errors.py") == set()
    stdlib = sys.stdlib_module_names
    bad = {str(p.relative_to(ROOT)): sorted(m for m in imports(p)
                                            if not (m.startswith("engine.score")
                                                    or m == "engine.errors"
                                                    or m.split(".")[0] in stdlib
                                                    or m.split(".")[0] == "numpy"))
           for p in sources("engine/score")}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("inner", ["engine/score", "engine/plugins", "engine/tasks"])
def test_inner_packages_do_not_import_the_model_network(inner):
    # Tasks and plugins run any model; only engine.models knows the network.
    assert offenders(inner, ("torch", "engine.models", "engine.cli")) == {}
