"""docs/plugins.md, as a plugin author reads it: its examples run, and the fields it
says a model reads are the ones the song model has (a QA author wrote a plugin from the
page alone, and had to guess them)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def test_the_examples_run_as_written():
    from engine.jobs import JobQueue, JobRequest
    from engine.score import Mask, Region, Song, Track

    namespace: dict = {}
    blocks = re.findall(r"```python\n(.*?)```", TEXT, re.S)
    queue_block = next(b for b in blocks if b.startswith("from engine.jobs"))
    for block in blocks:
        if block is not queue_block and "plugin_folder(__file__)" not in block:
            exec(compile(block, "docs/plugins.md", "exec"), namespace)
    tests = [fn for name, fn in namespace.items() if name.startswith("test_")]
    assert len(tests) >= 2  # it writes inside the mask; a cancel stops it
    for test in tests:
        test()
    bass = Track("Bass", program=33)
    namespace.update(song=Song((bass,)), mask=Mask.of(Region({bass.id}, 480, 1920)),
                     JobQueue=JobQueue, JobRequest=JobRequest)
    exec(compile(queue_block, "docs/plugins.md", "exec"), namespace)


def test_the_fields_a_model_reads_are_the_song_models_own():
    import engine.score as score

    section = TEXT.split("### What your model reads", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert {re.match(r"\| `(\w+)", r).group(1) for r in rows} == {
        "Song", "Track", "Note", "Mask", "Region"}
    for row in rows:
        name, fields = re.match(r"\| `(\w+)[^|]*\| (.*) \|$", row).groups()
        cls = getattr(score, name)
        known = {f.name for f in dataclasses.fields(cls)} | set(dir(cls))
        said = [m.split("(")[0] for m in re.findall(r"`([a-z_]+(?:\([^`]*\))?)`", fields)]
        assert said and not [f for f in said if f not in known], (name, said)


def test_the_pyproject_template_ships_the_manifest_and_needs_no_partita_from_pypi():
    """QA: the page told authors to declare `dependencies = ["partita"]` (an offline
    install failed; online, pip would look up an unrelated PyPI project) and had no
    complete pyproject.toml for the layout it recommends."""
    import tomllib

    (block,) = [b for b in re.findall(r"```toml\n(.*?)```", TEXT, re.S)
                if "[build-system]" in b]
    meta = tomllib.loads(block)
    assert meta["project"]["dependencies"] == []
    assert meta["project"]["entry-points"]["partita.models"] == {
        "root-bass": "my_bassline:RootBass"}
    assert "partita-plugin.json" in meta["tool"]["setuptools"]["package-data"]["my_bassline"]
    assert 'dependencies = ["partita"]' not in TEXT.replace(
        '# No `dependencies = ["partita"]`', "")
