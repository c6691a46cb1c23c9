"""The drumkit plugin: mask discipline, meter, fills, density, options, cancel, packaging."""

from __future__ import annotations

import itertools
import random
import tomllib
from pathlib import Path

import pytest
from partita_drumkit import BarSpec, DrumKit, bar_hits
from partita_drumkit.groove import (
    CRASH,
    FLOOR_TOM,
    HIGH_TOM,
    KICK,
    SNARE,
    resolve_style,
    step_tick,
)

from engine.plugins.api import (
    Cancelled,
    CancelToken,
    GenerateOptions,
    ModelPlugin,
    Progress,
)
from engine.score import Mask, Note, Region, Song, TempoChange, TimeSignature, Track

HERE = Path(__file__).resolve().parents[1]
PPQ = 480
BAR = 4 * PPQ
TOMS = {HIGH_TOM, 47, 45, FLOOR_TOM}


def band(bars: int = 8, busy: bool = False, meter: tuple[int, int] = (4, 4)) -> Song:
    """Drums (with a kept hi-hat before the region), bass and piano."""
    drums = Track("Drums", is_drum=True, channel=9, notes=(Note(42, 0, 60),))
    per_beat = 4 if busy else 1
    bar_len = meter[0] * PPQ * 4 // meter[1]
    piano = Track("Piano", notes=tuple(Note(60, i * PPQ // per_beat, 100)
                                       for i in range(bars * bar_len * per_beat // PPQ)))
    bass = Track("Bass", program=33, notes=tuple(Note(36, b * bar_len + s, 200)
                                                 for b in range(bars) for s in (0, 720)))
    return Song((drums, bass, piano), time_signatures=(TimeSignature(0, *meter),))


def run(song: Song, mask: Mask, **options) -> tuple[tuple[Note, ...], list[Progress]]:
    reports: list[Progress] = []
    out = DrumKit().generate(song, mask, GenerateOptions(**options), reports.append,
                             CancelToken())
    return out.get(song.tracks[0].id, ()), reports


def bar_notes(notes, bar: int, bar_len: int = BAR) -> list[Note]:
    return [n for n in notes if bar * bar_len <= n.start < (bar + 1) * bar_len]


def test_it_is_a_model_plugin():
    kit = DrumKit()
    assert isinstance(kit, ModelPlugin)
    assert kit.info.name == "drumkit" and kit.info.instruments == ("drums",)


def test_writes_only_inside_the_mask_and_only_drum_tracks():
    song = band()
    drums, bass, _ = song.tracks
    mask = Mask.of(Region({drums.id, bass.id}, BAR + PPQ, 3 * BAR, pitch_lo=35, pitch_hi=40))
    out = DrumKit().generate(song, mask, GenerateOptions(seed=3), lambda p: None, CancelToken())
    assert set(out) == {drums.id}  # the bass is left alone
    assert out[drums.id]
    assert all(mask.contains_note(drums.id, n) for n in out[drums.id])
    assert {n.pitch for n in out[drums.id]} <= {KICK, 37, SNARE}


def test_same_seed_same_groove_and_seeds_vary():
    song = band()
    mask = Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR))
    a, _ = run(song, mask, seed=7, temperature=1.5)
    b, _ = run(song, mask, seed=7, temperature=1.5)
    assert [n.key() for n in a] == [n.key() for n in b]
    others = {tuple(n.key() for n in run(song, mask, seed=s, temperature=1.5)[0])
              for s in range(6)}
    assert len(others) > 1


def test_backbeat_in_four_four():
    song = band()
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, BAR)), seed=1,
                   temperature=0.0)
    snares = sorted(n.start for n in notes if n.pitch == SNARE)
    assert snares == [PPQ, 3 * PPQ]
    assert 0 in {n.start for n in notes if n.pitch == KICK}


def test_follows_the_meter():
    waltz = band(meter=(3, 4))
    notes, _ = run(waltz, Mask.of(Region({waltz.tracks[0].id}, 0, 3 * PPQ)), seed=1,
                   temperature=0.0)
    assert sorted(n.start for n in notes if n.pitch == SNARE) == [PPQ, 2 * PPQ]
    jig = band(meter=(6, 8))
    notes, _ = run(jig, Mask.of(Region({jig.tracks[0].id}, 0, 3 * PPQ)), seed=1,
                   temperature=0.0)
    # 6/8 is felt in two: kick on 1, snare on the 4th eighth.
    assert sorted(n.start for n in notes if n.pitch == SNARE) == [3 * PPQ // 2]
    assert {n.start for n in notes if n.pitch == KICK} >= {0}


@pytest.mark.parametrize(("meter", "kicks", "snares"), [
    ((7, 8), [0, 8], [4]),  # 2+2+3: kick, snare, kick — not a kick/snare roll on 8ths
    ((5, 8), [0], [4]),  # 2+3
    ((6, 8), [0], [6]),
    ((7, 8, (3, 2, 2)), [0, 10], [6]),  # a Kalamatianos: kick, snare, kick on 3+2+2
])
def test_odd_meters_of_eighths_are_grouped(meter, kicks, snares):
    hits = bar_hits(BarSpec(*meter, style="rock", density=0.3), random.Random(1))
    assert sorted({s for s, note, _ in hits if note == KICK}) == kicks
    assert sorted({s for s, note, _ in hits if note == SNARE}) == snares


def test_a_grouped_meter_drums_on_its_groups():
    song = Song((Track("Drums", is_drum=True, channel=9),),
                time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)),))
    bar = 7 * PPQ // 2
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 2 * bar)), seed=1,
                   temperature=0.0)
    assert sorted(n.start for n in notes if n.pitch == SNARE and n.start < bar) == [3 * PPQ // 2]
    assert BarSpec(7, 8, (3, 2, 2)).beat_starts == (0, 6, 10)  # eighths 0, 3, 5
    assert resolve_style("auto", 120, 6, 8) == "shuffle"
    assert resolve_style("auto", 120, 6, 8, (2, 2, 2)) == "rock"  # 6/8 counted in three


def test_a_pickup_is_the_end_of_a_bar_and_phrases_count_after_it():
    drums = Track("Drums", is_drum=True, channel=9)
    piano = Track("Piano", notes=tuple(Note(60, PPQ + i * PPQ, PPQ) for i in range(32)))
    song = Song((drums, piano), time_signatures=(TimeSignature(0, 1, 4),
                                                 TimeSignature(PPQ, 4, 4)))
    end = PPQ + 8 * BAR
    notes, _ = run(song, Mask.of(Region({drums.id}, 0, end)), seed=1, temperature=0.0)
    assert not [n for n in notes if n.start == 0 and n.pitch == KICK]  # beat 4, no downbeat
    assert [n for n in notes if n.start == 0 and n.pitch == SNARE]  # its backbeat
    # Phrases of 4 bars from the first full bar: the crash after them, not a bar early.
    assert {n.start for n in notes if n.pitch == CRASH} == {PPQ + 4 * BAR}
    assert not [n for n in notes if n.pitch in TOMS and n.start < PPQ + 3 * BAR]


def test_fills_at_phrase_ends_and_a_crash_after():
    song = band(bars=8)
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=2)
    for bar in range(8):
        toms = [n for n in bar_notes(notes, bar) if n.pitch in TOMS]
        assert bool(toms) == (bar in (3, 7)), f"bar {bar + 1}"
    assert [n.start for n in notes if n.pitch == CRASH] == [4 * BAR]
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=2,
                   extra={"phrase_bars": 8})
    assert [b for b in range(8) if any(n.pitch in TOMS for n in bar_notes(notes, b))] == [7]


def test_a_busy_band_gets_busier_drums():
    mask_for = lambda s: Mask.of(Region({s.tracks[0].id}, 0, 3 * BAR))  # noqa: E731
    quiet, busy = band(), band(busy=True)
    hats = lambda notes: sum(n.pitch in (42, 51) for n in notes)  # hat or ride  # noqa: E731
    assert hats(run(busy, mask_for(busy), seed=1)[0]) > hats(run(quiet, mask_for(quiet),
                                                                 seed=1)[0])
    sparse = run(quiet, mask_for(quiet), seed=1, density=0.1)[0]
    dense = run(quiet, mask_for(quiet), seed=1, density=0.95)[0]
    assert len(dense) > 2 * len(sparse)


def test_styles_and_bad_style():
    song = band()
    mask = Mask.of(Region({song.tracks[0].id}, 0, BAR))
    half, _ = run(song, mask, seed=1, extra={"style": "halftime"})
    assert sorted(n.start for n in half if n.pitch == SNARE) == [2 * PPQ]
    with pytest.raises(ValueError, match="unknown drum style 'polka'"):
        run(song, mask, extra={"style": "polka"})


def test_progress_per_bar_with_partial_results():
    song = band()
    notes, reports = run(song, Mask.of(Region({song.tracks[0].id}, BAR, 4 * BAR)), seed=1)
    assert [(p.step, p.total) for p in reports] == [(1, 3), (2, 3), (3, 3)]
    assert reports[-1].partial[song.tracks[0].id] == notes


def test_stops_when_cancelled():
    song = band()
    token = CancelToken()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        token.cancel()

    with pytest.raises(Cancelled):
        DrumKit().generate(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)),
                           GenerateOptions(), progress, token)
    assert len(seen) == 1


def test_groove_rules_directly():
    hits = bar_hits(BarSpec(density=0.5, temperature=0.0), random.Random(0))
    assert (0, KICK) in {(s, n) for s, n, _ in hits}
    assert all(0 <= s < 16 and 1 <= v <= 127 for s, _, v in hits)


def test_packaging_declares_the_entry_point_and_manifest():
    meta = tomllib.loads((HERE / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["partita.models"] == {
        "drumkit": "partita_drumkit:DrumKit"}
    from engine.plugins.manifest import load_manifest

    manifest = load_manifest(HERE)  # the plugin folder: the manifest inside its package
    assert manifest.path == HERE / "partita_drumkit" / "partita-plugin.json"
    assert manifest.entry == "partita_drumkit:DrumKit"
    assert manifest.version == meta["project"]["version"] == DrumKit.info.version
    # Shipped by a plain `pip install` (package data), not only by an editable one.
    assert "partita-plugin.json" in meta["tool"]["setuptools"]["package-data"][
        "partita_drumkit"]


def test_it_declares_no_pip_dependency_on_partita():
    """QA: `dependencies = ["partita"]` failed an offline install ("No matching
    distribution found for partita") and online would fetch an unrelated PyPI project of
    that name: a plugin runs inside Partita's own environment."""
    meta = tomllib.loads((HERE / "pyproject.toml").read_text())
    assert not any(d.split()[0].lower().startswith("partita")
                   for d in meta["project"].get("dependencies", []))


def test_installed_as_a_package_it_finds_its_manifest(tmp_path):
    """What `pip install` copies into site-packages — the package alone — still holds the
    manifest, so the installed plugin's manifest is found and checked."""
    import shutil

    from engine.plugins import plugin_folder
    from engine.plugins.manifest import load_manifest

    site = tmp_path / "site-packages"
    shutil.copytree(HERE / "partita_drumkit", site / "partita_drumkit")
    assert plugin_folder(site / "partita_drumkit" / "plugin.py") == site / "partita_drumkit"
    assert load_manifest(site / "partita_drumkit").entry == "partita_drumkit:DrumKit"


def test_its_options_are_declared_and_checked_before_it_runs():
    from partita_drumkit import DrumKit
    from partita_drumkit.groove import STYLES

    from engine.plugins.discovery import check_plugin

    info = check_plugin(DrumKit()).info
    assert [o.name for o in info.options] == ["style", "phrase_bars"]
    assert info.options[0].choices == STYLES
    assert info.option_problem({"style": "funk", "phrase_bars": 8}) is None
    assert "style must be one of" in info.option_problem({"style": "polka"})
    assert "between 1 and 16" in info.option_problem({"phrase_bars": 40})
    assert "has no option 'swing'" in info.option_problem({"swing": True})


def test_it_says_which_sampling_settings_it_uses():
    """Rule-based: temperature (optional hits, velocity feel) and nothing of steps,
    top-p or precision, so the studio greys those and the command line says so."""
    from engine.plugins.discovery import check_plugin

    info = check_plugin(DrumKit()).info
    assert info.sampling == ("temperature",)
    assert info.ignores("steps") and info.ignores("top_p") and info.ignores("precision")


def test_grooves_use_the_notes_of_the_tracks_own_kit():
    # A clap backbeat (39) and maracas for hats (70): the groove keeps them, no stock
    # snare (38) or closed hat (42) comes back.
    loop = [Note(p, b * BAR + i * PPQ, 60) for b in range(2) for i in range(4)
            for p in ((36 if i % 2 == 0 else 39), 70)]
    song = band()
    song = song.replace_track(song.tracks[0].with_notes(loop))
    drums = song.tracks[0]
    notes, _ = run(song, Mask.of(Region({drums.id}, 2 * BAR, 6 * BAR)), seed=1,
                   extra={"style": "rock"})
    pitches = {n.pitch for n in notes}
    assert {36, 39, 70} <= pitches and not pitches & {38, 42}


def swung_drums(bars: int = 8, hat_offsets: tuple[int, ...] = (0, 320)) -> Song:
    """A 2:1 swing: hats on each beat and its last triplet, kick and snare, a quiet piano."""
    hats = [Note(42, b * PPQ + o, 60) for b in range(4 * bars) for o in hat_offsets]
    kicks = [Note(36, b * BAR, 60) for b in range(bars)]
    snares = [Note(38, b * BAR + i * PPQ, 60) for b in range(bars) for i in (1, 3)]
    drums = Track("Drums", is_drum=True, channel=9, notes=tuple(hats + kicks + snares))
    piano = Track("Piano", notes=tuple(Note(60, b * BAR, BAR) for b in range(bars)))
    return Song((drums, piano))


def offbeats(notes, pitches=(42, 51)) -> set[int]:
    return {n.start % PPQ for n in notes if n.pitch in pitches} - {0}


def test_a_shuffle_swings_by_itself():
    # A straight song: the shuffle's ride plays the last triplet of each beat, not the "and".
    song = band()
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 2 * BAR)), seed=1,
                   temperature=0.0, extra={"style": "shuffle"})
    assert offbeats(notes) == {320}
    assert offbeats(run(song, Mask.of(Region({song.tracks[0].id}, 0, 2 * BAR)), seed=1,
                        temperature=0.0, extra={"style": "rock"})[0]) == {240}


@pytest.mark.parametrize("task", ["regenerate", "repaint", "continue"])
def test_a_swung_song_gets_swung_drums(task):
    song = swung_drums()
    drums = song.tracks[0]
    region = {"regenerate": (0, 8 * BAR), "repaint": (2 * BAR, 4 * BAR),
              "continue": (8 * BAR, 10 * BAR)}[task]
    for style in ("auto", "rock", "funk", "shuffle"):
        notes, _ = run(song, Mask.of(Region({drums.id}, *region)), seed=1,
                       temperature=0.0, extra={"style": style})
        assert 320 in offbeats(notes) and 240 not in offbeats(notes), style


def test_a_swing_is_read_from_the_band_when_the_drums_have_none():
    piano = Track("Piano", notes=tuple(Note(60, b * PPQ + o, 200)
                                       for b in range(16) for o in (0, 320)))
    song = Song((Track("Drums", is_drum=True, channel=9), piano))
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 4 * BAR)), seed=1,
                   temperature=0.0, extra={"style": "rock"})
    assert offbeats(notes) == {320}


@pytest.mark.parametrize(("offsets", "swing"), [
    ((0, 320), 320 / PPQ),  # 2:1
    ((0, 300), 300 / PPQ),  # a lighter swing
    ((0, 240), None),  # straight 8ths
    ((0, 120, 240, 360), None),  # straight 16ths
    ((0, 360), None),  # a dotted-8th figure on the grid, not a swing
])
def test_reading_the_swing(offsets, swing):
    from partita_drumkit.feel import swing_of

    assert swing_of([o for _ in range(8) for o in offsets], PPQ) == swing
    assert swing_of(list(offsets), PPQ) is None  # too few to tell


@pytest.mark.parametrize(("numerator", "denominator", "groups", "swung"), [
    (4, 4, (), True), (3, 4, (), True), (2, 2, (), True), (5, 4, (), True),
    (6, 8, (), False), (7, 8, (), False), (7, 8, (3, 2, 2), False), (6, 4, (), False)])
def test_a_bar_swings_in_the_meters_a_swing_is_read_in(numerator, denominator, groups, swung):
    # One rule: the swing read from the song's notes is played in the same meters.
    from partita_drumkit.feel import swingable

    from engine.score import TimeSignature

    assert swingable(TimeSignature(0, numerator, denominator, groups)) is swung
    spec = BarSpec(numerator, denominator, groups, swing=0.6)
    assert spec.feel == (0.6 if swung else 0.5)


@pytest.mark.parametrize(("hat_offsets", "style"), [
    ((0, 240), "funk"), ((0, 240), "auto"), ((0, 320), "funk")])
def test_repainting_the_hats_keeps_their_subdivision(hat_offsets, style):
    # A busy band (the auto style's 16ths) and a kept 8th-note hat groove: repainting the
    # hats alone (--pitch 42-46) keeps them in 8ths, straight or swung as they were.
    song = swung_drums(hat_offsets=hat_offsets)
    busy = Track("Piano", notes=tuple(Note(60, i * PPQ // 4, 100) for i in range(8 * 16)))
    song = song.replace_track(song.tracks[1].with_notes(busy.notes))
    drums = song.tracks[0]
    notes, _ = run(song, Mask.of(Region({drums.id}, 2 * BAR, 4 * BAR, 42, 46)), seed=1,
                   temperature=0.0, extra={"style": style})
    assert offbeats(notes, (42, 44, 46)) == {hat_offsets[1]}
    # The whole kit regenerated in that style is free to play 16ths.
    notes, _ = run(song, Mask.of(Region({drums.id}, 2 * BAR, 4 * BAR)), seed=1,
                   temperature=0.0, extra={"style": "funk"})
    assert len(offbeats(notes)) == 3


def onsets(notes, pitches, bar: int) -> list[int]:
    """Ticks into ``bar`` where any of ``pitches`` strikes."""
    return sorted({n.start - bar * BAR for n in bar_notes(notes, bar) if n.pitch in pitches})


@pytest.mark.parametrize("seed", range(4))
def test_house_is_four_on_the_floor_with_claps_on_2_and_4_and_open_hats_off_the_beat(seed):
    song = band(bars=8, busy=bool(seed % 2))
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=seed,
                   extra={"style": "house"})
    beats = [0, PPQ, 2 * PPQ, 3 * PPQ]
    for bar in range(8):
        assert onsets(notes, {KICK}, bar) == beats, f"bar {bar + 1}"  # fills too
        fill = bar in (3, 7)
        claps = onsets(notes, {39}, bar)
        assert {PPQ, 3 * PPQ} <= set(claps)
        if not fill:  # claps on 2 and 4 alone; open hats on every off-beat 8th
            assert claps == [PPQ, 3 * PPQ]
            assert onsets(notes, {46}, bar) == [b + PPQ // 2 for b in beats]
        hats = [n for n in bar_notes(notes, bar) if n.pitch == 42]
        assert all(n.start % (PPQ // 2) or n.start % PPQ == 0 for n in hats)  # 16ths around
    assert not [n for n in notes if n.pitch in TOMS | {SNARE}]


def test_house_plays_closed_16ths_when_the_band_is_busy():
    song = band(busy=True)
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, BAR)), seed=1,
                   temperature=0.0, extra={"style": "house"})
    assert onsets(notes, {42}, 0) == [s * PPQ // 4 for s in range(16) if s % 4 != 2]
    quiet = band()
    notes, _ = run(quiet, Mask.of(Region({quiet.tracks[0].id}, 0, BAR)), seed=1,
                   temperature=0.0, extra={"style": "house"})
    assert not onsets(notes, {42}, 0)  # optional: a sparse band gets the open hats alone


@pytest.mark.parametrize("seed", range(4))
def test_trap_is_half_time_with_syncopated_kicks_and_hat_rolls_at_bar_ends(seed):
    song = band(bars=8)
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=seed,
                   extra={"style": "trap"})
    for bar in range(8):
        # The snare and the clap together on beat 3 only: 140 BPM felt as 70.
        assert onsets(notes, {SNARE}, bar) == onsets(notes, {39}, bar) == [2 * PPQ]
        kicks = onsets(notes, {KICK}, bar)
        assert kicks[0] == 0 and 2 * PPQ not in kicks
        assert [k for k in kicks if k % PPQ], f"bar {bar + 1}: no syncopated kick"
        hats = onsets(notes, {42}, bar)
        crash = bar == 4  # the downbeat after a phrase: a crash, no hat
        assert {b * PPQ // 2 for b in range(crash, 6)} <= set(hats)  # 8ths to the last beat
        gaps = {b - a for a, b in itertools.pairwise(hats)}
        if bar in (3, 7):  # a phrase's end: a roll over the last two beats
            assert min(gaps) < PPQ // 4 or 3 * PPQ + PPQ // 4 in hats
            assert {2 * PPQ + s * PPQ // 4 for s in range(4)} <= set(hats)
        # Anything faster than 16ths rolls near the bar's end, in 32nds or triplets.
        fast = [b for a, b in itertools.pairwise(hats) if b - a < PPQ // 4]
        assert all(t > 2 * PPQ for t in fast)
        assert gaps <= {PPQ // 2, PPQ // 4, PPQ // 8, PPQ // 6}
    assert not [n for n in notes if n.pitch in TOMS | {CRASH} and n.start != 4 * BAR]


def test_trap_rolls_in_32nds_and_triplets():
    kinds = set()
    for seed in range(12):
        hits = bar_hits(BarSpec(style="trap", fill=True, density=0.5), random.Random(seed))
        steps = sorted(s for s, note, _ in hits if note == 42 and s >= 12)
        kinds.add(min(b - a for a, b in itertools.pairwise(steps)))
    assert {1, 0.5} <= {round(k, 3) for k in kinds} and any(abs(k - 2 / 3) < 1e-9
                                                             for k in kinds)
    spec = BarSpec(style="trap")
    assert step_tick(spec, 12.5, PPQ) == 3 * PPQ + PPQ // 8  # a 32nd past beat 4
    assert step_tick(spec, 12 + 2 / 3, PPQ) == 3 * PPQ + PPQ // 6  # a 16th triplet


def test_auto_plays_trap_on_an_808_and_house_on_the_electronic_kit_at_their_tempos():
    assert resolve_style("auto", 140, 4, 4, kit=25) == "trap"
    assert resolve_style("auto", 124, 4, 4, kit=24) == "house"
    # Off their tempo or meter, or on the standard kit, auto is as it was.
    assert resolve_style("auto", 90, 4, 4, kit=25) == "rock"
    assert resolve_style("auto", 140, 3, 4, kit=25) == "rock"
    assert resolve_style("auto", 124, 12, 8, kit=24) == "shuffle"
    assert resolve_style("auto", 60, 4, 4, kit=24) == "halftime"
    for bpm in (60, 124, 140):
        assert resolve_style("auto", bpm, 4, 4) == resolve_style("auto", bpm, 4, 4, kit=0)
    drums = Track("Trap Kit", program=25, is_drum=True, channel=9)
    song = Song((drums,), tempos=(TempoChange(0, round(60_000_000 / 140)),))
    notes, _ = run(song, Mask.of(Region({drums.id}, 0, BAR)), seed=1, temperature=0.0)
    assert onsets(notes, {SNARE}, 0) == [2 * PPQ]  # the 808 at 140: half time


def uneven_band(bars: int = 8) -> Song:
    """Drums, bass and a piano whose bars run from sparse to busy and back (1 to 4
    onsets a beat): the band's density crosses house's 16th-hat line bar to bar."""
    song = band(bars)
    per_beat = [1 + (b * 5 % 7) % 4 for b in range(bars)]
    piano = Track("Piano", notes=tuple(Note(60, b * BAR + i * PPQ // n, 100)
                                       for b, n in enumerate(per_beat) for i in range(4 * n)))
    return Song((*song.tracks[:2], piano), time_signatures=song.time_signatures)


@pytest.mark.parametrize("seed", range(6))
def test_house_kicks_keep_one_level_with_a_small_downbeat_accent(seed):
    """A producer's re-test: the kick's velocity wandered bar to bar (house kicks are a
    machine's, near-constant)."""
    song = uneven_band()
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=seed,
                   temperature=1.5, extra={"style": "house"})
    kicks = [n for n in notes if n.pitch == KICK]
    assert len(kicks) == 32
    assert {n.velocity for n in kicks if n.start % BAR == 0} == {110}
    assert {n.velocity for n in kicks if n.start % BAR} == {104}


@pytest.mark.parametrize("phrase", [4, 8])
@pytest.mark.parametrize("seed", range(8))
def test_house_closed_16ths_are_kept_or_left_out_a_phrase_at_a_time(seed, phrase):
    """A producer's re-test: the closed 16ths vanished for whole bars (bars 2-4 and 7 of
    8) and came back; a phrase keeps them or leaves them out throughout."""
    song = uneven_band(16)
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 16 * BAR)), seed=seed,
                   extra={"style": "house", "phrase_bars": phrase})
    for first in range(0, 16, phrase):
        # The hats before the fill's beat: the 16ths between the open ones, or none.
        played = {bool([t for t in onsets(notes, {42}, bar) if t < 3 * PPQ])
                  for bar in range(first, first + phrase)}
        assert len(played) == 1, f"bars {first + 1}-{first + phrase}"


def test_trap_keeps_its_kicks_and_hats_as_they_were():
    """Trap had neither trouble: its hats never stop for a bar (its roll is the point)."""
    song = uneven_band()
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=3,
                   extra={"style": "trap"})
    assert all(onsets(notes, {42}, bar) for bar in range(8))


def test_a_trap_take_is_written_as_a_score_hit_for_hit(tmp_path):
    """MusicXML export: a trap take's rolls of 32nds and 16th-note sextuplets are written
    on a beat of their own grid, none merged (10 of 134 hits were, on 16ths and eighth-note
    triplets), and read back at their ticks."""
    pytest.importorskip("music21")
    from engine.io import load_song, save_song
    from engine.io.musicxml import musicxml_bytes

    song = band(bars=8)
    notes, _ = run(song, Mask.of(Region({song.tracks[0].id}, 0, 8 * BAR)), seed=5,
                   extra={"style": "trap"})
    hats = {n.start % PPQ for n in notes if n.pitch == 42}
    assert PPQ // 8 in hats and PPQ // 6 in hats  # a roll of 32nds and one of sextuplets
    take = Song((Track("Drums", 25, is_drum=True, channel=9, notes=notes),),
                tempos=(TempoChange(0, 428_571),))  # 140 BPM
    assert musicxml_bytes(take)[1] == []
    save_song(take, tmp_path / "trap.musicxml")
    back = load_song(tmp_path / "trap.musicxml")
    assert sorted((n.start, n.pitch) for n in back.tracks[0].notes) == sorted(
        (n.start, n.pitch) for n in notes)
