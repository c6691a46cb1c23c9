"""``partita quantize`` and ``partita bench`` on a tiny random model."""

from __future__ import annotations

import json

import pytest
import torch

from engine.cli import main
from engine.models.checkpoint import save_model
from engine.models.network import AxialDenoiser, NetworkConfig


def _chorale(start: int, steps: int = 48) -> list[list[int]]:
    """A four-voice chorale in the JSB JSON format: one [S, A, T, B] pitch row per 16th."""
    return [[start + 12 + (t // 4) % 3, start + 7, start + 4, start - 12] for t in range(steps)]


@pytest.fixture
def jsb(tmp_path):
    path = tmp_path / "jsb.json"
    path.write_text(json.dumps({"train": [_chorale(60), _chorale(62)],
                                "valid": [_chorale(64), _chorale(59)]}))
    return path


def test_bench_quick_json_has_every_figure(jsb, capsys):
    code = main(["bench", "--tiny", "--quick", "--json", "--threads", "1", "--reps", "1",
                 "--variants", "int8", "--data", str(jsb)])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["variants"]) == {"fp32", "int8"}
    for row in report["variants"].values():
        for key in ("file_mb", "file_ratio", "load_s", "peak_rss_mb", "nll_note",
                    "nll_rel_change", "speedup_vs_fp32"):
            assert isinstance(row[key], float), key
    assert report["variants"]["int8"]["file_ratio"] < 0.5
    assert set(report["tasks"]) == {"repaint", "regenerate", "continue", "compose",
                                    "harmonize"}
    for task in report["tasks"].values():
        for figures in task["variants"].values():
            assert figures["p95_s"] >= figures["p50_s"] > 0
            assert figures["gflop"] > 0 and figures["ratio_to_limit"] > 0
    assert report["machine"]["matmul_gflops"] > 0
    samplers = {row["sampler"] for row in report["baselines"]["rows"]}
    assert samplers == {"partita", "gibbs", "left-to-right"}
    assert report["baselines"]["equal_nll"]["speedup"] > 0
    bars = [row["bars"] for row in report["scaling"]["bars"]]
    assert bars == sorted(bars) and len(bars) >= 3
    assert report["recommended_default"] in report["variants"]
    targets = {t["target"].split(",")[0].split(" (")[0]: t for t in report["targets"]}
    assert {"int8 speed-up over fp32", "int8 NLL change", "int4 weights / fp32"} <= set(targets)
    assert targets["int8 NLL change"]["met"] in (True, False)

    # The report page is written from the same figures (pure formatting).
    from engine.cli.bench_report import markdown

    page = markdown(report)
    assert "## Tasks" in page and "## What limits the figures" in page and "## Targets" in page
    assert f"{report['tasks']['repaint']['variants']['int8']['p50_s']:.3f}" in page


def test_a_new_report_keeps_the_pages_hand_written_part(tmp_path, monkeypatch):
    from engine.cli import bench_report

    monkeypatch.setattr(bench_report, "_plot", lambda r, path: False)
    monkeypatch.setattr(bench_report, "markdown", lambda r, plot=None: f"# Run {r['run']}\n")
    page = tmp_path / "performance.md"
    assert bench_report.write_report({"run": 1}, tmp_path) == page
    assert page.read_text() == "# Run 1\n"  # no hand-written part: the report alone
    studio = f"{bench_report.KEPT}\n\n## The studio's piano roll\n\nFigures.\n"
    page.write_text(page.read_text() + "\n" + studio)
    bench_report.write_report({"run": 2}, tmp_path)
    assert page.read_text() == "# Run 2\n\n" + studio


def test_bench_rejects_unknown_variant(capsys):
    assert main(["bench", "--tiny", "--quick", "--variants", "fp16"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("partita: error:") and "fp16" in err and len(err.splitlines()) == 1


def test_quantize_command_writes_weights_and_manifest(tmp_path, jsb, capsys):
    torch.manual_seed(0)
    cfg = NetworkConfig(d_model=16, n_layers=1, n_heads=2, ff_mult=2, max_steps=32,
                        max_lanes=8)
    save_model(tmp_path / "m", AxialDenoiser(cfg), {"name": "tiny"})
    assert main(["quantize", str(tmp_path / "m"), "--precision", "int4", "--group-size", "16",
                 "--data", str(jsb), "--default"]) == 0
    assert "int4, group 16" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    entry = next(w for w in manifest["weights"] if w["file"] == "model.int4.safetensors")
    assert entry["bits"] == 4 and entry["group_size"] == 16 and len(entry["sha256"]) == 64
    assert manifest["precisions"] == ["int4", "fp32"]
    assert (tmp_path / "m" / "model.int4.safetensors").is_file()
    assert main(["quantize", str(tmp_path / "missing"), "--precision", "int8"]) == 1
    assert "no such model folder" in capsys.readouterr().err


def test_the_recommended_default_is_the_smallest_file_among_equally_fast_good_variants():
    from engine.cli.bench import _recommend

    def timings(**p50):
        return {"repaint": {v: {"p50_s": s} for v, s in p50.items()}}

    quality = {"fp32": {"nll_note": 1.0}, "fp32-onnx": {"nll_note": 1.0},
               "int8": {"nll_note": 1.001}, "int4": {"nll_note": 1.02}}
    sizes = {"fp32": 100, "fp32-onnx": 100, "int8": 27, "int4": 16}
    variants = list(sizes)
    # int8 within noise of the fastest: its smaller file wins; int4 is over the NLL budget.
    assert _recommend(variants, timings(fp32=2.0, **{"fp32-onnx": 1.0}, int8=1.05, int4=0.5),
                      quality, sizes) == "int8"
    # Clearly slower than the fastest: speed wins.
    assert _recommend(variants, timings(fp32=2.0, **{"fp32-onnx": 1.0}, int8=1.3, int4=0.5),
                      quality, sizes) == "fp32-onnx"


def test_commands_that_read_weights_find_an_installed_pack_by_name(tmp_path, jsb, monkeypatch,
                                                                   capsys):
    models = tmp_path / "models"
    monkeypatch.setenv("PARTITA_MODELS_DIR", str(models))
    torch.manual_seed(0)
    cfg = NetworkConfig(d_model=16, n_layers=1, n_heads=2, ff_mult=2, max_steps=32,
                        max_lanes=8)
    save_model(models / "tiny-pack", AxialDenoiser(cfg), {"name": "tiny-pack"})
    # A community pack of our architecture: the same files, under the plugin manifest name.
    (models / "tiny-pack" / "manifest.json").rename(models / "tiny-pack" / "partita-plugin.json")
    assert main(["quantize", "tiny-pack", "--precision", "int8", "--data", str(jsb)]) == 0
    assert (models / "tiny-pack" / "model.int8.safetensors").is_file()
    manifest = json.loads((models / "tiny-pack" / "partita-plugin.json").read_text())
    assert "int8" in manifest["precisions"]
    capsys.readouterr()
    # A code plugin has a name but no weights folder: one clear line.
    assert main(["quantize", "drumkit", "--precision", "int8", "--data", str(jsb)]) == 1
    err = capsys.readouterr().err.strip()
    assert "'drumkit' is a code plugin" in err and len(err.splitlines()) == 1


def test_a_gibbs_baseline_that_never_reaches_our_nll_gives_a_lower_bound_never_a_miss():
    from engine.cli.bench import _targets

    def gibbs_row(speedup, matches):
        report = {"variants": {"fp32": {}, "int8": {}}, "recommended_default": "int8",
                  "tasks": {}, "quick": True, "machine": {"threads": 1},
                  "baselines": {"equal_nll": {"speedup": speedup,
                                              "gibbs_matches_nll": matches}}}
        return next(t for t in _targets(report) if "Gibbs" in t["target"])

    assert gibbs_row(4.0, True)["met"] is False  # a real comparison can miss
    low = gibbs_row(4.0, False)
    assert low["met"] is None and low["target"].endswith("(lower bound)")
    assert gibbs_row(12.0, False)["met"] is True  # a lower bound above the goal is met


def test_a_target_shows_a_figure_only_beside_a_verdict_on_it():
    # A quick run printed "speed-up over blocked Gibbs … 4.94  not measured": a measured
    # lower bound below the goal is inconclusive, and "not measured" has no figure.
    from engine.cli.bench_report import target_status

    assert target_status({"met": None, "value": None}) == "not measured"
    assert target_status({"met": None, "value": 4.94}) == "inconclusive"
    assert target_status({"met": True, "value": 12.0}) == "met"
    assert target_status({"met": False, "value": 4.0}) == "missed"
