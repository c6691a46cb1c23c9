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


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_checkout_path_with_spaces_and_quotes_gives_a_working_exec_line(tmp_path):
    checkout = tmp_path / 'my "odd" $projects' / "partita"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    exe = checkout / ".venv" / "bin" / "partita"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    shutil.copytree(ROOT / "packaging", checkout / "packaging")
    (checkout / "studio" / "icons").mkdir(parents=True)
    shutil.copy(ROOT / "studio" / "icons" / "partita.svg", checkout / "studio" / "icons")
    data = tmp_path / "share"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    script = str(checkout / "packaging" / "install-desktop.sh")
    subprocess.run(["bash", script], env=env, check=True, capture_output=True)
    entry = (data / "applications" / "partita.desktop").read_text()
    (line,) = [x for x in entry.splitlines() if x.startswith("Exec=")]
    assert desktop_exec_argv(line[len("Exec="):]) == [str(exe), "studio", "%f"]
    subprocess.run(["bash", script, "--uninstall"], env=env, check=True, capture_output=True)
    assert not (data / "applications" / "partita.desktop").exists()
