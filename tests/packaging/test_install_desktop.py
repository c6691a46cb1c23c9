"""packaging/install-desktop.sh: a launcher that works from any checkout path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def desktop_exec_argv(value: str) -> list[str]:
    """The Desktop Entry spec's Exec parsing: string unescape, then quoted arguments."""
    value = value.replace("\\\\", "\\")  # the string value's escaping
    argv, arg, quoted, i = [], "", False, 0
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and i + 1 < len(value):
            arg, i = arg + value[i + 1], i + 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == " " and not quoted:
            argv.append(arg)
            arg = ""
        else:
            arg += c
        i += 1
    return [*argv, arg]


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def fake_checkout(folder: Path) -> Path:
    """A checkout at ``folder`` with what the installer reads (a stand-in ``partita``);
    the installer script's path."""
    (folder / ".venv" / "bin").mkdir(parents=True)
    exe = folder / ".venv" / "bin" / "partita"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    shutil.copytree(ROOT / "packaging", folder / "packaging")
    (folder / "studio" / "icons").mkdir(parents=True)
    shutil.copy(ROOT / "studio" / "icons" / "partita.svg", folder / "studio" / "icons")
    return folder / "packaging" / "install-desktop.sh"


def temp_env(tmp_path: Path) -> dict[str, str]:
    """HOME and every XDG folder inside ``tmp_path``: the user's own are never touched."""
    home = tmp_path / "home"
    return {"PATH": "/usr/bin:/bin", "HOME": str(home),
            "XDG_DATA_HOME": str(home / "share"), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_DIRS": "/usr/share", "XDG_CONFIG_DIRS": "/etc/xdg"}


@needs_bash
def test_a_checkout_path_with_spaces_and_quotes_gives_a_working_exec_line(tmp_path):
    checkout = tmp_path / 'my "odd" $projects' / "partita"
    exe = checkout / ".venv" / "bin" / "partita"
    script = str(fake_checkout(checkout))
    env = temp_env(tmp_path)
    data = Path(env["XDG_DATA_HOME"])
    subprocess.run([script], env=env, check=True, capture_output=True)
    entry = (data / "applications" / "partita.desktop").read_text()
    (line,) = [x for x in entry.splitlines() if x.startswith("Exec=")]
    assert desktop_exec_argv(line[len("Exec="):]) == [str(exe), "studio", "%f"]
    subprocess.run([script, "--uninstall"], env=env, check=True, capture_output=True)
    assert not (data / "applications" / "partita.desktop").exists()


@needs_bash
def test_a_checkout_path_with_a_percent_sign_is_refused_with_a_reason(tmp_path):
    # GLib rejects the launcher's "%%" (it checks field codes before unescaping), though
    # desktop-file-validate passes it: a menu entry that never starts.
    script = fake_checkout(tmp_path / "100% mine" / "partita")
    env = temp_env(tmp_path)
    proc = subprocess.run([script], env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "'%'" in proc.stderr and "move or rename the folder" in proc.stderr
    assert not (Path(env["XDG_DATA_HOME"]) / "applications").exists()


@needs_bash
@pytest.mark.parametrize("args", [["--unistall"], ["--uninstall", "extra"], ["-x"]])
def test_an_unknown_argument_installs_nothing_and_says_how_to_run_it(tmp_path, args):
    script = fake_checkout(tmp_path / "partita")
    env = temp_env(tmp_path)
    proc = subprocess.run([script, *args], env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "usage: packaging/install-desktop.sh [--uninstall | --help]" in proc.stderr
    assert not Path(env["HOME"]).exists()


@needs_bash
def test_help_prints_the_usage_and_installs_nothing(tmp_path):
    script = fake_checkout(tmp_path / "partita")
    env = temp_env(tmp_path)
    proc = subprocess.run([script, "--help"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: ")
    assert not Path(env["HOME"]).exists()


@needs_bash
@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="needs desktop-file-validate")
def test_the_installed_launcher_is_valid_and_opens_scores_too(tmp_path):
    script = fake_checkout(tmp_path / "partita")
    env = temp_env(tmp_path)
    subprocess.run([script], env=env, check=True, capture_output=True)
    entry = Path(env["XDG_DATA_HOME"]) / "applications" / "partita.desktop"
    proc = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout
    lines = entry.read_text().splitlines()
    assert "StartupNotify=true" in lines
    (mime_line,) = [x for x in lines if x.startswith("MimeType=")]
    types = mime_line.removeprefix("MimeType=").split(";")
    assert {"application/x-partita", "audio/midi", "application/vnd.recordare.musicxml+xml",
            "application/vnd.recordare.musicxml3+xml",
            "application/vnd.recordare.musicxml"} <= set(types)


@needs_bash
@pytest.mark.skipif(shutil.which("update-mime-database") is None or shutil.which("gio") is None,
                    reason="needs update-mime-database and gio")
def test_a_project_is_known_by_its_first_bytes_and_shows_the_partita_icon(tmp_path):
    from engine.io.project import project_bytes
    from engine.score import Song

    script = fake_checkout(tmp_path / "partita")
    env = temp_env(tmp_path)
    subprocess.run([script], env=env, check=True, capture_output=True)
    nameless = tmp_path / "lost its extension"  # the magic, not the *.partita glob
    nameless.write_bytes(project_bytes(Song()))
    proc = subprocess.run(["gio", "info", "-a", "standard::content-type,standard::icon",
                           str(nameless)], env=env, capture_output=True, text=True, check=True)
    assert "standard::content-type: application/x-partita" in proc.stdout
    assert "standard::icon: partita," in proc.stdout
