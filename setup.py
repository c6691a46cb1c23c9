"""Build step: a wheel carries the shipped models, demo song, fine-tuning config and the
studio's user guide in
``engine/shipped/`` (``engine.resources`` finds them there outside a source checkout).
Everything else about the package is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# What a wheel carries, at the paths it has in the checkout.
WHEEL_FILES = ("assets/models", "assets/demo/demo.mid", "configs/partita-base-finetune.yaml",
               "docs/studio.md")  # Help ▸ User Guide


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout
            return
        target = Path(self.build_lib) / "engine" / "shipped"
        for name in WHEEL_FILES:
            src, dst = ROOT / name, target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.tmp"))
            else:
                shutil.copy2(src, dst)


setup(cmdclass={"build_py": BuildWithShippedFiles})
