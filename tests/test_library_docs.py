"""docs/library.md's examples run as written: the engine's Python API as users meet it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_library_guide_runs_as_written(tmp_path, monkeypatch, capsys, one_torch_thread):
    text = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(ROOT)  # the examples open assets/… from the repository root
    monkeypatch.setenv("PARTITA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("PARTITA_MODEL", raising=False)
    namespace: dict = {}
    for block in blocks:  # one session: later examples use what earlier ones made
        exec(compile(block.replace("/tmp/", f"{tmp_path}/"), "docs/library.md", "exec"),
             namespace)
    out = capsys.readouterr().out
    assert "dBFS" in out and (tmp_path / "partita-example.partita").is_file()
    assert len(list((tmp_path / "partita-example-stems" / "stems").iterdir())) == 5
