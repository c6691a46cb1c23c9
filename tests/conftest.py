"""Test-wide settings: Qt renders offscreen, nothing touches the user's real state dirs."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    # Keep autosave/recovery/plugin dirs of test runs away from the user's home.
    import tempfile

    state = tempfile.mkdtemp(prefix="partita-test-state-")
    os.environ.setdefault("PARTITA_STATE_DIR", os.path.join(state, "state"))
    os.environ.setdefault("PARTITA_MODELS_DIR", os.path.join(state, "models"))
