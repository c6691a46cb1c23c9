"""A folder plugin that hangs or ends the process while importing is tried in a child
process first: listed as disabled, never imported here."""

from __future__ import annotations

import subprocess

import pytest

from engine.plugins import PluginError, probe
from engine.plugins.discovery import check_loads, from_folder
from engine.plugins.manifest import load_manifest
from tests.engine.plugins.plugin_folders import write_code_plugin


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """A state folder of its own, and the probe's memory and notices emptied in place and
    restored after (a test that undoes its monkeypatch mid-way left a time-out's notice
    for the next command line test to print)."""
    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    known, said = dict(probe._known), list(probe._notices)
    probe._known.clear()
    probe._notices.clear()
    yield
    probe._known.clear()
    probe._known.update(known)
    probe._notices[:] = said


def entries(root):
    return {e.name: e for e in from_folder(root, "user")}


def test_a_plugin_that_ends_the_process_on_import_is_disabled_not_fatal(tmp_path):
    write_code_plugin(tmp_path / "m", "killer", on_import="import os; os._exit(7)")
    write_code_plugin(tmp_path / "m", "fine")
    found = entries(tmp_path / "m")
    assert found["fine"].ok  # and this test process is still here
    assert not found["killer"].ok
    assert "ended the process (exit code 7): it is not loaded" in found["killer"].reason


def test_a_plugin_that_hangs_on_import_is_disabled_after_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(probe, "TIMEOUT_S", 1.0)
    write_code_plugin(tmp_path / "m", "hanger", on_import="import time; time.sleep(60)")
    found = entries(tmp_path / "m")
    assert "did not finish within 1 s" in found["hanger"].reason
    assert "`partita models verify " in found["hanger"].reason
    # The user is told why the command waited, once.
    (said,) = probe.notices()
    assert said.startswith(f"plugin folder {tmp_path / 'm' / 'hanger'}: importing ")
    assert probe.notices() == []


def test_a_time_out_is_kept_so_no_later_start_waits_for_it_again(tmp_path, monkeypatch):
    monkeypatch.setattr(probe, "TIMEOUT_S", 1.0)
    folder = write_code_plugin(tmp_path / "m", "hanger", on_import="import time; time.sleep(60)")
    reason = entries(tmp_path / "m")["hanger"].reason
    probe.notices()
    monkeypatch.setattr(probe, "_known", {})  # a new process: only the state file knows

    def no_child(*a, **k):
        raise AssertionError("the child process ran again")

    monkeypatch.setattr(subprocess, "run", no_child)
    assert entries(tmp_path / "m")["hanger"].reason == reason  # at once, and said
    assert probe.notices() == [f"plugin folder {folder}: {reason.split(': ', 1)[1]}"]
    assert "skipped until its files change" in reason
    # `partita models verify` asks for it to be tried again.
    monkeypatch.undo()
    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(probe, "TIMEOUT_S", 1.0)
    calls = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    with pytest.raises(PluginError, match="did not finish importing in 1 s: check what "):
        check_loads(load_manifest(folder))
    assert probe.notices() == []  # said in the error alone
    assert calls == [1]


def test_the_verdict_is_kept_until_the_plugin_changes(tmp_path, monkeypatch):
    folder = write_code_plugin(tmp_path / "m", "fine")
    assert entries(tmp_path / "m")["fine"].ok
    monkeypatch.setattr(probe, "_known", {})  # a new process: only the state file knows

    def no_child(*a, **k):
        raise AssertionError("the child process ran again")

    monkeypatch.setattr(subprocess, "run", no_child)
    assert probe.import_problem(folder, next(folder.glob("plug_*.py")).stem) is None
    (folder / "extra.txt").write_text("a new version of the plugin")
    monkeypatch.undo()
    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    calls = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert probe.import_problem(folder, next(folder.glob("plug_*.py")).stem) is None
    assert calls == [1]  # tried again: its files changed


def test_an_ordinary_import_error_is_reported_the_usual_way(tmp_path):
    write_code_plugin(tmp_path / "m", "broken", on_import="raise RuntimeError('no GPU here')")
    reason = entries(tmp_path / "m")["broken"].reason
    assert "no GPU here" in reason and "process" not in reason
