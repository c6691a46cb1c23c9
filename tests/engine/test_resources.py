"""Shipped files are found from a source checkout and from an installed wheel."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine.resources import CHECKOUT, shipped

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_its_own_assets():
    assert CHECKOUT == ROOT
    assert (shipped("assets", "models") / "partita-base" / "manifest.json").is_file()
    assert shipped("configs", "partita-base-finetune.yaml").is_file()


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None,
                    reason="building a wheel needs setuptools in this environment")
def test_an_installed_wheel_generates_outside_the_checkout(tmp_path):
    # A wheel once carried no models: `partita repaint` said no model was installed.
    src = tmp_path / "src"  # a copy: building in the checkout leaves build/ behind
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("engine", "studio", "assets/models", "assets/demo", "configs"):
        shutil.copytree(ROOT / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (src / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "studio.md", src / "docs" / "studio.md")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "wheel"), str(src)],
                   check=True, capture_output=True, cwd=src)
    (wheel,) = (tmp_path / "wheel").glob("partita-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(site)
    for expected in ("engine/shipped/assets/models/partita-base/model.int8.safetensors",
                     "engine/shipped/assets/models/chorale-jsb/manifest.json",
                     "engine/shipped/assets/demo/demo.mid",
                     "engine/shipped/configs/partita-base-finetune.yaml",
                     "engine/shipped/docs/studio.md"):  # Help ▸ User Guide
        assert expected in names
    assert not any(n.startswith(("tests/", "runs/", "plugins/")) for n in names)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "import engine.resources as r, engine.models.perf as perf\n"
        "from engine.plugins import registry\n"
        "from engine.cli.training import FINE_TUNE_CONFIG\n"
        "assert r.CHECKOUT is None, r.CHECKOUT\n"
        "assert perf.DEMO_SONG.is_file() and FINE_TUNE_CONFIG.is_file()\n"
        "print(registry.Registry().default('repaint').name)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=elsewhere, env={"PYTHONPATH": str(site), "HOME": str(tmp_path),
                                             "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "partita-base"
