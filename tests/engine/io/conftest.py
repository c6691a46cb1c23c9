"""Shared fixtures for file-format tests: the real MIDI corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

# CI checks out ../shared beside the clone; locally it is /work/shared.
REAL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "midi-real"


@pytest.fixture
def real_dir() -> Path:
    if not REAL_DIR.is_dir():
        pytest.skip(f"real MIDI corpus not found at {REAL_DIR} (needs ../shared beside the repo)")
    return REAL_DIR
