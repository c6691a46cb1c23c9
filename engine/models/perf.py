"""Measurements behind ``partita bench``: task latency, memory, quality, baselines, limits.

Everything here measures; nothing asserts a target. Figures are only comparable inside one
run (same machine, same load, same inputs), so precisions are timed round-robin and the
report gives ratios (speed-up over fp32, time over the FLOP limit) beside absolute times.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.models import vocab
from engine.models.network import NetworkConfig, flops_per_cell
from engine.plugins.api import CancelToken, GenerateOptions
from engine.resources import shipped
from engine.score import Song, TimeMap

DEMO_SONG = shipped("assets", "demo", "demo.mid")
VOICE_ROLE = 6  # engine.score.instruments.ROLES.index("voice")

# What each figure is measured on, by variant: precision and the runtime that runs it.
VARIANTS: dict[str, tuple[str, str]] = {
    "fp32": ("fp32", "torch"), "fp32-onnx": ("fp32", "onnx"),
    "int8": ("int8", "onnx"), "int4": ("int4", "onnx"),
}


class CountingDenoiser:
    """Wraps a denoiser; counts calls, FLOPs (2 × multiply-adds) and seconds spent in it."""

    def __init__(self, denoiser, cfg: NetworkConfig) -> None:
        self.denoiser, self.cfg = denoiser, cfg
        self.calls, self.flops, self.seconds, self.cells = 0, 0.0, 0.0, 0

    @property
    def max_steps(self) -> int:
        return self.cfg.max_steps

    def reset(self) -> None:
        self.calls, self.flops, self.seconds, self.cells = 0, 0.0, 0.0, 0

    def __call__(self, tokens, roles, beat_pos):
        b, lanes, t = tokens.shape
        start = time.perf_counter()
        out = self.denoiser(tokens, roles, beat_pos)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        self.cells += b * lanes * t
        self.flops += 2.0 * b * lanes * t * flops_per_cell(self.cfg, lanes, t)
        return out


def matmul_gflops(threads: int, n: int = 1024, seconds: float = 1.0) -> float:
    """This CPU's fp32 GEMM throughput (GFLOP/s, best of several ``n×n`` products)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best, end = math.inf, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def cpu_name() -> str:
    """The CPU model and the SIMD features that matter for the kernels (Linux)."""
    import platform

    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni") if f in flags]
    return f"{name} ({', '.join(simd) or 'no AVX2'})"


def peak_rss_mb() -> float:
    """Peak resident memory of this process (since the last :func:`reset_peak_rss`)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Restart the peak-memory count (Linux ``clear_refs``; elsewhere a no-op)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return float("nan")


# -- inputs ----------------------------------------------------------------------------------


def crop_song(song: Song, bars: int) -> Song:
    """The first ``bars`` bars of a song (notes cut at the end)."""
    end = TimeMap.of(song).bar_to_tick(bars)
    tracks = []
    for t in song.tracks:
        notes = tuple(replace(n, duration=min(n.duration, end - n.start))
                      for n in t.notes if n.start < end)
        tracks.append(replace(t, notes=notes))
    return replace(song, tracks=tuple(tracks), length=end)


@dataclass(frozen=True, slots=True)
class Task:
    """One benchmark task: a name, what it does, and how to run it with a model."""

    name: str
    what: str
    run: Callable[[Any, GenerateOptions], Any]


def benchmark_tasks(quick: bool, melody_song: Song | None, drums: bool = True) -> list[Task]:
    """The five tasks on fixed inputs (``quick``: shorter spans, for CI). ``drums=False``
    (a model that writes no drums, e.g. a community piano model) leaves the drum track out
    of the inputs: the tasks refuse to ask a model for tracks it cannot write."""
    from engine import tasks as T
    from engine.io import load_song

    demo = load_song(DEMO_SONG)
    if not drums:
        demo = demo.with_tracks(t for t in demo.tracks if not t.is_drum)
    scale = 4 if quick else 1
    song16 = crop_song(demo, 16 // (2 if quick else 1))
    song32 = crop_song(demo, 32 // scale)
    piano = next(t.id for t in demo.tracks if t.name == "Piano")
    bass = next(t.id for t in demo.tracks if t.name == "Bass")
    specs = (T.TrackSpec("Piano", 0), T.TrackSpec("Bass", 33), T.TrackSpec("Drums", 0, True),
             T.TrackSpec("Strings", 48))
    params = T.SongParams(tracks=tuple(t for t in specs if drums or not t.is_drum),
                          bars=32 // scale)
    n = len(demo.tracks)
    out = [
        Task("repaint", f"repaint 4 bars × 1 track (Piano, bars 5-8 of a {n}-track song)",
             lambda m, o: T.repaint(song32, [piano], 4, 8, model=m, options=o)),
        Task("regenerate", f"regenerate a {16 // (2 if quick else 1)}-bar track (Bass)",
             lambda m, o: T.regenerate(song16, bass, model=m, options=o)),
        Task("continue", f"continue {8 // (2 if quick else 1)} bars ({n} tracks)",
             lambda m, o: T.continue_(song16, 8 // (2 if quick else 1), model=m, options=o)),
        Task("compose", f"compose {32 // scale} bars × {len(params.tracks)} tracks",
             lambda m, o: T.compose(params, model=m, options=o)),
    ]
    if melody_song is not None:
        melody = melody_song.tracks[0].id
        bars = TimeMap.of(melody_song).bar_count(melody_song.end)
        out.append(Task("harmonize", f"harmonize a chorale melody ({bars} bars, SATB)",
                        lambda m, o: T.harmonize(melody_song, melody, accompaniment="satb",
                                                 model=m, options=o)))
    return out


def chorale_melody(pieces: Sequence, bars: int | None = None) -> Song | None:
    """The soprano of the first valid chorale as a one-track song."""
    from engine.models.chorale import chorale_to_song, tokens_to_chorale

    if not pieces:
        return None
    tokens = pieces[0].tokens if bars is None else pieces[0].tokens[:, : bars * 16]
    song = chorale_to_song(tokens_to_chorale(tokens))
    return song.with_tracks([song.tracks[0]])


# -- latency -------------------------------------------------------------------------------------


def time_tasks(
    plugins: dict[str, Any], counters: dict[str, CountingDenoiser], tasks: Sequence[Task],
    reps: int, options: GenerateOptions,
) -> dict[str, dict[str, dict[str, float]]]:
    """Per task, per variant: latency p50/p95 (s), FLOPs, share of time in the network,
    forward passes and grid cells (lanes × steps) per pass.

    Variants take turns run by run, so a change in the machine's load hits them alike, and
    each timed run follows an untimed run of the same variant. Without that, every run paid
    for the previous runtime's worker threads and caches (repaint, int8: 0.18 s against
    0.145 s measured in one process), which a model running alone in the app does not.
    ``counters[v]`` must be the (counting) denoiser ``plugins[v]`` runs."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for task in tasks:
        times: dict[str, list[float]] = {v: [] for v in plugins}
        net: dict[str, list[float]] = {v: [] for v in plugins}
        for rep in range(reps):
            for v, plugin in plugins.items():
                precision = VARIANTS[v][0]
                task.run(plugin, replace(options, seed=999, precision=precision))  # warm-up
                counters[v].reset()
                t = time.perf_counter()
                task.run(plugin, replace(options, seed=1000 + rep, precision=precision))
                dt = time.perf_counter() - t
                times[v].append(dt)
                net[v].append(counters[v].seconds / dt)
        out[task.name] = {v: {
            "p50_s": float(np.percentile(times[v], 50)),
            "p95_s": float(np.percentile(times[v], 95)),
            "gflop": counters[v].flops / 1e9,
            "network_share": float(np.mean(net[v])),
            "forwards": counters[v].calls,
            "cells_per_forward": counters[v].cells / max(counters[v].calls, 1),
        } for v in plugins}
    return out


def rss_worker(folder: str, variant: str, quick: bool, threads: int, data: str | None,
               drums: bool = True) -> dict:
    """In a fresh process: load one variant, compose once; peak RSS and load time."""
    cmd = [sys.executable, "-m", "engine.models.perf",
           json.dumps({"folder": folder, "variant": variant, "quick": quick,
                       "threads": threads, "data": data, "drums": drums})]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if res.returncode:
        tail = (res.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"memory worker for {variant} failed: {tail}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _worker_main(args: dict) -> None:
    from engine.models.runtime import has_onnxruntime, model_plugin

    torch.set_num_threads(args["threads"])
    # Libraries load once at app start, not per model: keep their import out of load_s.
    t = time.perf_counter()
    has_onnxruntime()
    import_s = time.perf_counter() - t
    base = current_rss_mb()
    precision, runtime = VARIANTS[args["variant"]]
    t = time.perf_counter()
    plugin = model_plugin(args["folder"], runtime=runtime, threads=args["threads"])
    plugin.denoiser(precision)
    load_s = time.perf_counter() - t
    loaded = current_rss_mb()
    pieces = load_valid(args["data"], 1) if args["data"] else []
    melody = chorale_melody(pieces, 8 if args["quick"] else None)
    opts = GenerateOptions(seed=0, precision=precision)
    # The largest generation (compose: most lanes, longest grid) sets the peak; reading the
    # benchmark's own inputs (the JSB file) must not.
    compose = next(t for t in benchmark_tasks(args["quick"], melody, args.get("drums", True))
                   if t.name == "compose")
    reset_peak_rss()
    compose.run(plugin, opts)
    print(json.dumps({"load_s": load_s, "peak_rss_mb": peak_rss_mb(), "rss_start_mb": base,
                      "rss_loaded_mb": loaded, "onnx_import_s": import_s}))


def load_valid(path: str | None, limit: int | None) -> list:
    """The JSB valid split (first ``limit`` chorales); [] when the file is missing."""
    from engine.models.data import load_jsb

    if not path or not Path(path).is_file():
        return []
    pieces = load_jsb(path, "valid")
    return pieces[:limit] if limit else pieces


# -- quality -------------------------------------------------------------------------------------


def nll(denoiser, pieces: Sequence, n_ratios: int, seed: int = 0) -> dict[str, float]:
    """``nll_note`` (nats per voice per step) with the evaluator's estimator; same seed ⇒
    same masks for every precision, so differences between precisions are paired."""
    from engine.models.evaluate import orderless_nll

    r = orderless_nll(denoiser, pieces, n_ratios=n_ratios, seed=seed, batch=8)
    return {"nll_note": r["nll"], "stderr": r["stderr"], "cells": r["cells"]}


# -- baselines: same network, other samplers -------------------------------------------------------


def _draw(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One token per row of ``(n, V)`` logits, never ``MASK`` (Gumbel-max)."""
    z = logits.astype(np.float64) + rng.gumbel(size=logits.shape)
    z[:, vocab.MASK] = -np.inf
    return z.argmax(-1)


def _baseline_logits(denoiser, grid: np.ndarray) -> np.ndarray:
    """``(L, T, V)`` logits of a voice grid. The baselines sample in numpy like Partita's
    sampler: torch ops between ONNX Runtime calls wake torch's threads, which then compete
    with the runtime's for the cores (measured on a 4 × 128 grid: 15.8 ms per forward pass
    with torch sampling between them, 11.5 ms without)."""
    lanes, steps = grid.shape
    with torch.no_grad():
        out = denoiser(torch.from_numpy(grid[None].copy()),
                       torch.full((1, lanes), VOICE_ROLE), (torch.arange(steps) % 16)[None])
    return out[0].float().numpy()


def gibbs_sample(denoiser, lanes: int, steps: int, iterations: int, seed: int) -> np.ndarray:
    """Coconet's blocked Gibbs sampling (Huang et al. 2017): start all masked, then at
    iteration ``n`` re-mask a random block of ``α_n`` of the cells (annealed 0.9 → 0.05
    over the first ¾ of the iterations) and resample them independently."""
    rng = np.random.Generator(np.random.PCG64(seed))
    grid = np.full((lanes, steps), vocab.MASK, dtype=np.int64)
    for n in range(iterations):
        if n:
            alpha = max(0.05, 0.9 - n / (0.75 * iterations) * (0.9 - 0.05))
            grid[rng.random(grid.shape) < alpha] = vocab.MASK
        masked = grid == vocab.MASK
        grid[masked] = _draw(_baseline_logits(denoiser, grid)[masked], rng)
    return grid


def left_to_right_sample(denoiser, lanes: int, steps: int, seed: int) -> np.ndarray:
    """Autoregressive in time: one forward per step, all lanes of that step drawn, the
    future masked (the orderless network used as a left-to-right model)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    grid = np.full((lanes, steps), vocab.MASK, dtype=np.int64)
    for t in range(steps):
        grid[:, t] = _draw(_baseline_logits(denoiser, grid)[:, t], rng)
    return grid


def parallel_sample(denoiser, lanes: int, steps: int, n_steps: int, seed: int) -> np.ndarray:
    """Partita's sampler (:func:`engine.models.sampler.sample`) from an empty grid."""
    from engine.models.sampler import sample

    grid = np.full((lanes, steps), vocab.REST, dtype=np.int64)
    opts = GenerateOptions(steps=n_steps, seed=seed, top_p=1.0)
    return sample(denoiser, grid, np.ones_like(grid, dtype=bool), np.full(lanes, VOICE_ROLE),
                  np.arange(steps) % 16, None, opts, lambda p: None, CancelToken(),
                  max_steps=steps)


def baselines(
    denoiser, scorer, *, lanes: int, steps: int, samples: int, ours: Sequence[int],
    gibbs: Sequence[int], left_to_right: bool, score_ratios: int,
) -> list[dict[str, Any]]:
    """Samplers compared on the same network and grid: seconds per sample and the NLL the
    fp32 model gives the samples (lower = the samples look more like what it learned)."""
    from engine.models.data import Piece

    runs: list[tuple[str, int, Callable[[int], np.ndarray]]] = []
    runs += [("partita", k, lambda s, k=k: parallel_sample(denoiser, lanes, steps, k, s))
             for k in ours]
    runs += [("gibbs", k, lambda s, k=k: gibbs_sample(denoiser, lanes, steps, k, s))
             for k in gibbs]
    if left_to_right:
        runs.append(("left-to-right", steps, lambda s: left_to_right_sample(denoiser, lanes,
                                                                           steps, s)))
    out = []
    for name, n_steps, fn in runs:
        grids, secs = [], []
        for s in range(samples):
            t = time.perf_counter()
            grids.append(fn(s))
            secs.append(time.perf_counter() - t)
        pieces = [Piece(g, np.full(lanes, VOICE_ROLE), np.arange(steps) % 16) for g in grids]
        score = nll(scorer, pieces, score_ratios, seed=7)
        out.append({"sampler": name, "steps": n_steps, "seconds": float(np.median(secs)),
                    "sample_nll": score["nll_note"], "sample_nll_stderr": score["stderr"]})
    return out


def equal_nll_speedup(rows: list[dict[str, Any]], ours_steps: int) -> dict[str, Any]:
    """Partita at ``ours_steps`` against the cheapest Gibbs run scoring as well or better
    (or, when none does, the best Gibbs run: a lower bound on the speed-up)."""
    ours = next(r for r in rows if r["sampler"] == "partita" and r["steps"] == ours_steps)
    gibbs = sorted((r for r in rows if r["sampler"] == "gibbs"), key=lambda r: r["steps"])
    if not gibbs:
        return {}
    match = [r for r in gibbs if r["sample_nll"] <= ours["sample_nll"]]
    ref = match[0] if match else gibbs[-1]
    return {"partita_steps": ours_steps, "gibbs_steps": ref["steps"],
            "gibbs_matches_nll": bool(match), "speedup": ref["seconds"] / ours["seconds"]}


# -- scaling -------------------------------------------------------------------------------------


def scaling(denoiser, cfg: NetworkConfig, *, bars: Sequence[int], lanes: Sequence[int],
            lanes_at_bars: int, bars_lanes: int, n_steps: int) -> dict[str, list[dict]]:
    """Sampler latency from an empty grid vs length (``bars_lanes`` lanes) and vs lanes."""
    counter = CountingDenoiser(denoiser, cfg)

    def one(n_lanes: int, n_bars: int) -> dict[str, float]:
        from engine.models.sampler import sample

        steps = n_bars * 16
        grid = np.full((n_lanes, steps), vocab.REST, dtype=np.int64)
        counter.reset()
        t = time.perf_counter()
        sample(counter, grid, np.ones_like(grid, dtype=bool), np.full(n_lanes, VOICE_ROLE),
               np.arange(steps) % 16, None, GenerateOptions(steps=n_steps, seed=0),
               lambda p: None, CancelToken())
        return {"bars": n_bars, "lanes": n_lanes, "seconds": time.perf_counter() - t,
                "forwards": counter.calls, "gflop": counter.flops / 1e9}

    return {"bars": [one(bars_lanes, b) for b in bars],
            "lanes": [one(n, lanes_at_bars) for n in lanes]}


def thread_scaling(folder: str, variants: Sequence[str], threads: Sequence[int], *,
                   lanes: int = 4, steps: int = 128, reps: int = 10) -> dict[str, dict]:
    """Median seconds of one forward pass ``[1, lanes, steps]`` per variant and thread
    count (round-robin per repetition, each timed pass right after an untimed one of the
    same network, as in :func:`time_tasks`)."""
    from engine.models.runtime import load_denoiser

    g = torch.Generator().manual_seed(0)
    tokens = torch.randint(1, vocab.VOCAB_SIZE, (1, lanes, steps), generator=g)
    tokens[torch.rand(tokens.shape, generator=g) < 0.5] = vocab.MASK
    roles = torch.full((1, lanes), VOICE_ROLE)
    beat = (torch.arange(steps) % 16)[None]
    nets = {(v, n): load_denoiser(folder, VARIANTS[v][0], runtime=VARIANTS[v][1], threads=n)
            for v in variants for n in threads}
    times: dict[tuple[str, int], list[float]] = {k: [] for k in nets}
    with torch.no_grad():
        for _ in range(reps):
            for (v, n), net in nets.items():
                torch.set_num_threads(n)
                net(tokens, roles, beat)  # warm-up of this network, right before its pass
                t = time.perf_counter()
                net(tokens, roles, beat)
                times[(v, n)].append(time.perf_counter() - t)
    return {v: {str(n): float(np.median(times[(v, n)])) for n in threads} for v in variants}


def kernels(threads: int, rows: int = 1280, reps: int = 20) -> list[dict[str, Any]]:
    """GFLOP/s of the candidate kernels for the network's linear layers (``rows`` grid cells
    × the layer shapes): why int8 runs as ``DynamicQuantizeMatMul`` and int4 as
    ``MatMulNBits`` on ONNX Runtime rather than in torch."""
    import warnings

    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from engine.models.quantize import quantize_groups

    torch.set_num_threads(threads)

    def session(node, inits, k, n):
        graph = helper.make_graph(
            [node], "k", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [rows, k])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [rows, n])],
            [numpy_helper.from_array(np.array(v, order="C"), name) for name, v in inits])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                        helper.make_opsetid("com.microsoft", 1)])
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
        return ort.InferenceSession(model.SerializeToString(), opts,
                                    providers=["CPUExecutionProvider"])

    out = []
    for k, n in ((128, 384), (128, 512), (512, 128)):
        w = torch.randn(n, k) * 0.05
        a = torch.randn(rows, k)
        an = a.numpy()
        q8, s8 = quantize_groups(w, 8, None)
        q4, s4 = quantize_groups(w, 4, 32)
        codes4 = (q4.to(torch.int16) + 8).to(torch.uint8).reshape(n, k // 32, 32)
        codes4 = codes4[..., 0::2] | (codes4[..., 1::2] << 4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qdyn = torch.ao.quantization.quantize_dynamic(
                torch.nn.Sequential(torch.nn.Linear(k, n, bias=False)), {torch.nn.Linear},
                dtype=torch.qint8)
        ms = "com.microsoft"
        cands: dict[str, Callable[[], Any]] = {
            "torch fp32 (F.linear)": lambda a=a, w=w: torch.nn.functional.linear(a, w),
            "torch int8 quantize_dynamic": lambda a=a, q=qdyn: q(a),
        }
        sessions = {
            "onnxruntime fp32 MatMul": session(
                helper.make_node("MatMul", ["A", "W"], ["Y"]), [("W", w.T.numpy())], k, n),
            "onnxruntime int8 DynamicQuantizeMatMul": session(
                helper.make_node("DynamicQuantizeMatMul", ["A", "B", "S", "Z"], ["Y"],
                                 domain=ms),
                [("B", q8.T.contiguous().numpy()), ("S", s8[:, 0].numpy()),
                 ("Z", np.zeros(n, np.int8))], k, n),
            "onnxruntime int4 MatMulNBits (group 32)": session(
                helper.make_node("MatMulNBits", ["A", "B", "S"], ["Y"], domain=ms, K=k, N=n,
                                 bits=4, block_size=32, accuracy_level=0),
                [("B", codes4.numpy()), ("S", s4.reshape(-1).numpy())], k, n),
            "onnxruntime int4 MatMulNBits, int8 compute": session(
                helper.make_node("MatMulNBits", ["A", "B", "S"], ["Y"], domain=ms, K=k, N=n,
                                 bits=4, block_size=32, accuracy_level=4),
                [("B", codes4.numpy()), ("S", s4.reshape(-1).numpy())], k, n),
        }
        for name, sess in sessions.items():
            cands[name] = lambda sess=sess, an=an: sess.run(None, {"A": an})
        times: dict[str, list[float]] = {c: [] for c in cands}
        with torch.no_grad():
            for rep in range(reps + 1):
                for c, fn in cands.items():
                    t = time.perf_counter()
                    fn()
                    if rep:
                        times[c].append(time.perf_counter() - t)
        flop = 2.0 * rows * k * n
        for c, ts in times.items():
            out.append({"kernel": c, "shape": f"{rows}×{k} · {k}×{n}",
                        "gflops": flop / min(ts) / 1e9, "median_ms": 1000 * float(np.median(ts))})
    return out


if __name__ == "__main__":
    _worker_main(json.loads(sys.argv[1]))
