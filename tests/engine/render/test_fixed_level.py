"""A fixed level (``render_files(gain_db=…)``, ``render --gain``): one gain for every
song, range and variation, so a game's stems layer without moving; files past 0 dBFS are
named, clipped in 16/24-bit, kept in float."""

import numpy as np
import pytest
import soundfile as sf

from engine.render import render_files
from engine.render.mixing import fitting_gain_db, fixed_gain
from engine.render.overs import overs_note
from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track
from tests.engine.render.test_ranges import loud_then_quiet

BAR = 4 * 480
RATE = 16000


def loop(lead_velocity: int = 70, lead_volume: float = 1.0) -> Song:
    """A 4-bar game loop at 120 BPM: a held Pad, a Lead and Drums. Its loudest take (the
    Lead's chords at velocity 127) passes -1 dBFS at unity, so normalising brings it
    down: the Pad's stem with it."""
    pad = Track("Pad", 89, notes=tuple(Note(p, 0, 4 * BAR, 80) for p in (48, 55, 60)))
    lead = Track("Lead", 80, volume=lead_volume, notes=tuple(
        Note(p, b * BAR + i * 480, 400, lead_velocity) for b in range(4) for i in range(4)
        for p in (60, 64, 67, 72, 76)))
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(36 if i % 2 == 0 else 38, i * 480, 60, 110) for i in range(16)))
    return Song(tracks=(pad, lead, drums), tempos=(TempoChange(0, 500_000),))


def render(folder, song, **kw):
    return render_files(song, folder / "mix.wav", folder / "stems", sample_rate=RATE,
                        synth="builtin", end="loop", **kw)


def read(path) -> np.ndarray:
    return sf.read(str(path), dtype="float64", always_2d=True)[0]


def test_a_track_changed_in_a_variation_leaves_the_other_stems_bit_identical(tmp_path):
    """The QA's game loop: repainting the Lead (louder) or turning it down moved the
    untouched Pad's and Drums' stems (normalised, by up to 2.65 dB); at a fixed gain
    their files are the same bytes."""
    takes = {"original": loop(), "repainted": loop(lead_velocity=127),
             "lead down": loop(lead_volume=0.5)}
    normalised = {name: render(tmp_path / "n" / name, song) for name, song in takes.items()}
    assert len({r.gain_db for r in normalised.values()}) > 1  # the problem: they moved
    fixed = {name: render(tmp_path / "f" / name, song, gain_db=-6.0)
             for name, song in takes.items()}
    assert {(r.level, r.gain_db, r.mix_gain_db) for r in fixed.values()} == {
        ("fixed", -6.0, -6.0)}
    original = fixed["original"]
    for name, report in fixed.items():
        pad, lead, drums = report.stem_paths
        assert pad.read_bytes() == original.stem_paths[0].read_bytes(), name
        assert drums.read_bytes() == original.stem_paths[2].read_bytes(), name
        if name != "original":
            assert lead.read_bytes() != original.stem_paths[1].read_bytes()
    # Still the sum of the stems, and the track as rendered, 6 dB down.
    report = fixed["repainted"]
    total = sum(read(p) for p in report.stem_paths)
    assert np.abs(total - read(report.mix_path)).max() < 1e-5


def test_a_range_at_a_fixed_gain_is_the_whole_renders_samples_without_a_pre_pass(tmp_path):
    """Bars 5-8 rendered alone are bars 5-8 of the whole song's render at the same gain,
    in float to the sample (the range's first 125 ms, the drift filter's reach, to within
    -70 dBFS: -75 here), at 0 dB where normalising would take the song 6 dB down; the whole song
    is not rendered first to learn a level."""
    song = loud_then_quiet()
    whole = render_files(song, tmp_path / "whole" / "mix.wav", tmp_path / "whole" / "stems",
                         sample_rate=RATE, synth="builtin", bit_depth="32f", gain_db=0.0)
    stages: list[str] = []
    part = render_files(song, tmp_path / "part" / "mix.wav", tmp_path / "part" / "stems",
                        sample_rate=RATE, synth="builtin", bit_depth="32f", gain_db=0.0,
                        span=(4 * BAR, 8 * BAR), stage=stages.append)
    assert stages and not any("whole song" in s for s in stages)
    assert part.gain_db == whole.gain_db == 0.0 and "mix.wav" in whole.overs
    bars, edge = 4 * 2 * RATE, RATE // 8  # 2 s a bar; the drift filter's reach
    for a, b in zip(whole.paths, part.paths, strict=True):  # the mix, then each stem
        ours, theirs = read(b)[:bars], read(a)[bars:2 * bars]
        assert np.array_equal(ours[edge:], theirs[edge:]), b.name
        assert np.abs(ours[:edge] - theirs[:edge]).max() < 3e-4, b.name  # -70 dBFS


def test_files_past_full_scale_are_named_clipped_in_24_bit_and_kept_in_float(tmp_path):
    song = loop(lead_velocity=127)
    for depth, top in (("24", 1.0), ("32f", 10 ** (6 / 20))):
        report = render(tmp_path / depth, song, gain_db=12.0, bit_depth=depth,
                        rehearsal_dir=tmp_path / depth / "learn")
        assert report.level == "fixed" and report.gain_db == 12.0
        assert next(iter(report.overs)) == "mix.wav"  # in the order written
        assert report.overs["mix.wav"] == pytest.approx(report.mix_peak_dbfs)
        assert report.overs["mix.wav"] > 6
        files = {p.name: read(p) for p in report.paths}
        full = 1.0 if depth == "32f" else 1.0 - 2.0 ** -22  # 24-bit's top step is under 1
        assert set(report.overs) == {n for n, a in files.items() if np.abs(a).max() > full}
        assert "Rehearsal - Lead.wav" in report.overs
        loudest = max(np.abs(a).max() for a in files.values())
        assert loudest <= 1.0 if depth == "24" else loudest > top
    # Normalised, none passes 0 dBFS.
    assert render(tmp_path / "n", song).overs == {}


def test_the_gain_that_fits_and_what_is_said():
    assert fitting_gain_db(0.0, 2.34) == -3.4  # the loudest at -1.06 dBFS
    assert fitting_gain_db(-6.0, 0.5) == -7.5
    assert str(fitting_gain_db(1.0, 0.0)) == "0.0"  # not "-0.0"
    kind, text = overs_note({"mix.wav": 2.34}, "24", 0.0)
    assert kind == "warning"
    assert text == ("mix.wav clips in 24-bit by 2.3 dB (past 0 dBFS at the fixed gain "
                    "+0.0 dB): --gain -3.4 fits it (its peak at -1 dBFS)")
    kind, text = overs_note({f"0{i} - T.wav": 0.5 + i for i in range(1, 9)}, "32f", 6.0)
    assert kind == "note" and text.startswith("8 files pass 0 dBFS: 01 - T.wav by 1.5 dB")
    assert "06 - T.wav by 6.5 dB, and 2 more (at the fixed gain +6.0 dB), kept in 32-bit " \
           "float" in text and text.endswith("--gain -3.5 fits them (the loudest at -1 dBFS)")
    assert overs_note({}, "16", 0.0) is None


@pytest.mark.parametrize("db", [-61.0, 24.5, float("nan"), float("inf")])
def test_a_fixed_gain_out_of_range_is_refused(tmp_path, db):
    with pytest.raises(ValueError, match="give -60 to"):
        fixed_gain(db)
    with pytest.raises(ValueError):
        render(tmp_path, loop(), gain_db=db)
    assert not (tmp_path / "mix.wav").exists()
