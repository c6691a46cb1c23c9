"""Fuzzing the readers: any bytes give a Song/Project or a FileFormatError, nothing else."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.io import FileFormatError, midi_from_bytes
from engine.io.project import project_bytes, project_from_bytes
from engine.score import Song
from tests.engine.io.conftest import REAL_DIR
from tests.engine.io.midi_builders import midi_bytes, off, on

# Small real files keep each example fast; a built file stands in when the corpus is absent.
SEEDS = [p.read_bytes() for p in sorted(REAL_DIR.glob("*.mid")) if p.stat().st_size < 20_000]
SEEDS = SEEDS or [midi_bytes([[on(60), off(60, 10), on(61, 5, ch=9), off(61, 5, ch=9)]])]
FUZZ = settings(max_examples=200, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def read_or_reject(data: bytes) -> None:
    try:
        song = midi_from_bytes(data, "fuzz.mid")
    except FileFormatError as e:
        assert str(e).startswith("fuzz.mid: ") and "\n" not in str(e)
    else:
        assert isinstance(song, Song)


@st.composite
def mutated(draw, seeds=SEEDS):
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "byte", "cut", "insert", "delete", "dup"]))
        if action == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif action == "byte" and data:
            data[pos] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0xF0, 0xF7, 0xFF]))
        elif action == "cut":
            del data[pos:]
        elif action == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif action == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 64))]
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_real_files_read_or_fail_cleanly(data):
    read_or_reject(data)


@FUZZ
@given(st.binary(max_size=64).map(lambda tail: b"MThd\x00\x00\x00\x06" + tail) | st.binary())
def test_random_bytes_read_or_fail_cleanly(data):
    read_or_reject(data)


PROJECT = project_bytes(midi_from_bytes(SEEDS[0]), {"zoom": 2})


@settings(max_examples=100, deadline=timedelta(seconds=2),
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated(seeds=[PROJECT]))
def test_mutated_projects_load_or_fail_cleanly(data):
    try:
        project_from_bytes(data, "fuzz.partita")
    except FileFormatError as e:
        assert str(e).startswith("fuzz.partita: ") and "\n" not in str(e)
