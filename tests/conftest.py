"""Test-wide settings: Qt renders offscreen, nothing touches the user's real state dirs."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Two cores shared by the test process and Qt: one torch/BLAS thread is several times
# faster than oversubscribed ones for the tiny test models (set before torch is imported).
os.environ.setdefault("OMP_NUM_THREADS", "1")


# The shared data sits beside the checkout (../shared); tests that need it skip without it.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
JSB = SHARED_DATA / "jsb" / "jsb16th_train_valid.json"
needs_jsb = pytest.mark.skipif(not JSB.is_file(),
                               reason=f"JSB chorales not found at {JSB} (needs ../shared)")

_STATE: list[str] = []


def pytest_configure(config):
    # Keep autosave/recovery/plugin dirs of test runs away from the user's home.
    import tempfile

    state = tempfile.mkdtemp(prefix="partita-test-state-")
    _STATE.append(state)
    os.environ.setdefault("PARTITA_STATE_DIR", os.path.join(state, "state"))
    os.environ.setdefault("PARTITA_MODELS_DIR", os.path.join(state, "models"))


def pytest_unconfigure(config):
    import shutil

    for state in _STATE:  # a test run leaves nothing behind in /tmp
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def one_torch_thread():
    """Tiny tensors: one torch thread is several times faster on a busy machine (some
    tests set more threads and do not restore them, so this sets it, then restores it)."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
