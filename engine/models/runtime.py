"""Running a model folder at a chosen precision: ``load_denoiser(folder, precision)``.

Two runtimes, same call signature ``denoiser(tokens [B,L,T], roles [B,L], beat_pos [B,T])
-> logits [B,L,T,V]`` (torch tensors) and a ``max_steps`` attribute:

- ``"torch"``: :class:`~engine.models.network.AxialDenoiser` in fp32 (quantized weights are
  dequantized once at load: the file and download shrink, the arithmetic does not);
- ``"onnx"``: the same network written as an ONNX graph (built in memory from the weights
  at load, nothing exported to disk) and run by ONNX Runtime, whose CPU kernels are the
  fast ones on an AVX2 machine without AVX-512/VNNI (figures in docs/performance.md):
  int8 linears run as ``DynamicQuantizeMatMul`` (u8×s8 integer GEMM, activations quantized
  per call, so no activation ranges need calibrating across diffusion steps), int4 linears
  as ``MatMulNBits`` (weights dequantized block by block inside the GEMM), attention as the
  fused ``MultiHeadAttention`` kernel and rotary positions as ``RotaryEmbedding``.

``"auto"`` picks ONNX Runtime when it is installed and the torch model otherwise.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from engine.models.checkpoint import ModelFileError, load_model, read_manifest
from engine.models.network import NetworkConfig
from engine.models.quantize import (
    BITS,
    QuantizedLinear,
    linear_weights,
    load_quantized,
    weights_entry,
)

RUNTIMES = ("auto", "torch", "onnx")
ROTARY_CACHE = 4096  # longest time context the ONNX graph accepts


def default_threads() -> int:
    """Threads for inference: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def has_onnxruntime() -> bool:
    """ONNX Runtime and the ``onnx`` package (which writes the graph) are installed."""
    try:
        import onnx  # noqa: F401

        _onnxruntime()
    except ImportError:
        return False
    return True


def _onnxruntime():
    """``onnxruntime``, imported with its telemetry off: ``ORT_DISABLE_TELEMETRY`` (set by
    :mod:`engine` before any import) keeps it from recording anything, and its events are
    turned off too, for a host that imported it before the engine; only its errors are
    logged (a warning is printed in colour, and says nothing to a musician)."""
    import onnxruntime as ort

    ort.disable_telemetry_events()
    ort.set_default_logger_severity(3)
    return ort


def available_precisions(folder: str | os.PathLike[str]) -> list[str]:
    """Precisions a model folder has weights for, its default first."""
    manifest = read_manifest(folder)
    have = ["fp32"] + [p for p in BITS if weights_entry(manifest, p) is not None]
    order = [p for p in manifest.get("precisions", ["fp32"]) if p in have]
    return order + [p for p in have if p not in order]


def resolve_precision(folder: str | os.PathLike[str], precision: str | None) -> str:
    """``"auto"``/None → the model's default precision (the first it has weights for)."""
    have = available_precisions(folder)
    if precision in (None, "", "auto"):
        return have[0]
    if precision not in have:
        raise ModelFileError(folder, f"has no {precision} weights (it has {', '.join(have)}; "
                                     f"make them with `partita quantize {folder} --precision "
                                     f"{precision}`)")
    return precision


def load_denoiser(
    folder: str | os.PathLike[str], precision: str | None = "auto", *, runtime: str = "auto",
    threads: int | None = None,
):
    """The denoiser of a model folder at ``precision`` ("fp32", "int8", "int4" or "auto")."""
    precision = resolve_precision(folder, precision)
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r} (use {', '.join(RUNTIMES)})")
    if runtime == "auto":
        runtime = "onnx" if has_onnxruntime() else "torch"
    if runtime == "torch" and threads:
        torch.set_num_threads(threads)
    if precision == "fp32":
        model, _ = load_model(folder)
        cfg = model.cfg
        if runtime == "torch":
            return model
        others = {k: v.float() for k, v in model.state_dict().items()}
        linears = {n: others.pop(n) for n in linear_weights(model)}
        return OnnxDenoiser(cfg, others, linears, threads=threads)
    qm = load_quantized(folder, precision)
    if runtime == "torch":
        return qm.to_torch()
    return OnnxDenoiser(qm.cfg, qm.others, qm.linears, threads=threads)


def model_plugin(folder: str | os.PathLike[str], *, runtime: str = "auto",
                 threads: int | None = None, wrap=None):
    """A model folder as a plugin on a chosen runtime (see
    :func:`engine.models.plugin.plugin_from_folder`)."""
    from engine.models.plugin import plugin_from_folder

    return plugin_from_folder(folder, runtime=runtime, threads=threads, wrap=wrap)


class OnnxDenoiser:
    """:class:`AxialDenoiser`'s forward pass on ONNX Runtime (see the module docstring)."""

    def __init__(
        self, cfg: NetworkConfig, tensors: Mapping[str, torch.Tensor],
        linears: Mapping[str, torch.Tensor | QuantizedLinear], *, threads: int | None = None,
    ) -> None:
        ort = _onnxruntime()
        self.cfg = cfg
        graph = build_graph(cfg, tensors, linears)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or default_threads()
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(graph.SerializeToString(), opts,
                                            providers=["CPUExecutionProvider"])

    @property
    def max_steps(self) -> int:
        return self.cfg.max_steps

    def eval(self) -> OnnxDenoiser:
        return self

    def __call__(self, tokens: torch.Tensor, roles: torch.Tensor,
                 beat_pos: torch.Tensor) -> torch.Tensor:
        _, lanes, t = tokens.shape
        if lanes > self.cfg.max_lanes:
            raise ValueError(f"{lanes} lanes exceed this model's maximum of {self.cfg.max_lanes}")
        if t > ROTARY_CACHE:
            raise ValueError(f"{t} steps exceed the ONNX runtime's context of {ROTARY_CACHE}")
        feed = {"tokens": _np64(tokens), "roles": _np64(roles), "beat_pos": _np64(beat_pos)}
        return torch.from_numpy(self.session.run(None, feed)[0])


def _np64(x: torch.Tensor | np.ndarray) -> np.ndarray:
    a = x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    return np.ascontiguousarray(a, dtype=np.int64)


# -- the graph ------------------------------------------------------------------------------------


class _Graph:
    """A small helper to write ONNX nodes with generated value names."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, value: np.ndarray, hint: str = "c") -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        # np.ascontiguousarray would turn a 0-d scalar into shape [1]
        self.inits.append(numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def op(self, op: str, inputs: list[str], hint: str = "", domain: str = "", n_out: int = 1,
           **attrs) -> Any:
        from onnx import helper

        outs = [self.name(hint or op.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, domain=domain or None, **attrs))
        return outs[0] if n_out == 1 else outs


def _linear(g: _Graph, x: str, w: torch.Tensor | QuantizedLinear, bias: torch.Tensor | None,
            hint: str) -> str:
    """``x @ Wᵀ + b`` for a float, int8 or int4 weight."""
    if isinstance(w, QuantizedLinear) and w.bits == 8 and w.scales.shape[1] == 1:
        # Per-output-channel int8: one integer GEMM with per-column scales.
        qt = w.q.T.contiguous().numpy()
        inputs = [x, g.const(qt, hint + "_q"), g.const(w.scales[:, 0].numpy(), hint + "_s"),
                  g.const(np.zeros(qt.shape[1], np.int8), hint + "_z")]
        if bias is not None:
            inputs.append(g.const(bias.float().numpy(), hint + "_b"))
        return g.op("DynamicQuantizeMatMul", inputs, hint, domain="com.microsoft")
    if isinstance(w, QuantizedLinear):
        bits = w.bits
        n, k = w.q.shape
        block = w.group_size
        codes = (w.q.to(torch.int16) + (1 << (bits - 1))).to(torch.uint8).reshape(n, k // block,
                                                                                 block)
        if bits == 4:
            codes = codes[..., 0::2] | (codes[..., 1::2] << 4)
        y = g.op("MatMulNBits", [x, g.const(codes.numpy(), hint + "_q"),
                                 g.const(w.scales.reshape(-1).numpy(), hint + "_s")],
                 hint, domain="com.microsoft", K=k, N=n, bits=bits, block_size=block,
                 accuracy_level=0)
    else:
        y = g.op("MatMul", [x, g.const(w.float().T.contiguous().numpy(), hint + "_w")], hint)
    if bias is not None:
        y = g.op("Add", [y, g.const(bias.numpy().astype(np.float32), hint + "_b")])
    return y


def build_graph(
    cfg: NetworkConfig, tensors: Mapping[str, torch.Tensor],
    linears: Mapping[str, torch.Tensor | QuantizedLinear],
):
    """The ONNX model of :class:`AxialDenoiser` with these weights (linears float or
    quantized)."""
    from onnx import TensorProto, helper

    g = _Graph()
    d, heads = cfg.d_model, cfg.n_heads
    dh = d // heads

    def t(name: str) -> np.ndarray:
        return tensors[name].float().numpy()

    def norm(x: str, prefix: str) -> str:
        return g.op("LayerNormalization", [x, g.const(t(prefix + ".weight")),
                                           g.const(t(prefix + ".bias"))], axis=-1,
                    epsilon=1e-5)

    i64 = lambda v: g.const(np.asarray(v, dtype=np.int64))  # noqa: E731
    shape = g.op("Shape", ["tokens"])
    # Scalar Gather + Unsqueeze: the shape pattern ORT's optimizers expect.
    b_, l_, t_ = (g.op("Unsqueeze", [g.op("Gather", [shape, i64(i)], axis=0), i64([0])])
                  for i in range(3))
    minus1, d_ = i64([-1]), i64([d])
    time_rows = g.op("Concat", [minus1, t_, d_], axis=0)  # [B·L, T, D]
    lane_rows = g.op("Concat", [minus1, l_, d_], axis=0)  # [B·T, L, D]
    bltd = g.op("Concat", [b_, l_, t_, d_], axis=0)
    btld = g.op("Concat", [b_, t_, l_, d_], axis=0)

    h = g.op("Gather", [g.const(t("tok.weight")), "tokens"])
    role = g.op("Unsqueeze", [g.op("Gather", [g.const(t("role.weight")), "roles"]), i64([2])])
    lane_ids = g.op("Range", [i64(0), g.op("Squeeze", [l_, i64([0])]), i64(1)])
    lane = g.op("Unsqueeze", [g.op("Gather", [g.const(t("lane.weight")), lane_ids]), i64([1])])
    beat = g.op("Mod", ["beat_pos", i64(cfg.beat_rows)])
    table = t("beat.weight")
    if "beat_compound.weight" in tensors:  # compound bars' positions follow the simple ones
        table = np.concatenate([table, t("beat_compound.weight")])
    beat = g.op("Unsqueeze", [g.op("Gather", [g.const(table), beat]), i64([1])])
    h = g.op("Add", [g.op("Add", [h, role]), g.op("Add", [lane, beat])])

    inv = 1.0 / (10000 ** (np.arange(0, dh, 2, dtype=np.float32) / dh))
    ang = np.arange(ROTARY_CACHE, dtype=np.float32)[:, None] * inv[None, :]
    cos, sin = g.const(np.cos(ang).astype(np.float32)), g.const(np.sin(ang).astype(np.float32))
    pos0 = i64([0])

    def attention(x: str, prefix: str, rotary: bool) -> str:
        qkv = _linear(g, norm(x, prefix + ".norm"), linears[prefix + ".qkv.weight"], None,
                      "qkv")
        q, k, v = g.op("Split", [qkv, i64([d, d, d])], n_out=3, axis=-1)
        if rotary:
            q, k = (g.op("RotaryEmbedding", [z, pos0, cos, sin], domain="com.microsoft",
                         interleaved=1, num_heads=heads, rotary_embedding_dim=dh)
                    for z in (q, k))
        y = g.op("MultiHeadAttention", [q, k, v], domain="com.microsoft", num_heads=heads,
                 scale=1.0 / math.sqrt(dh))
        return _linear(g, y, linears[prefix + ".out.weight"], None, "out")

    x = g.op("Reshape", [h, time_rows])
    for i in range(cfg.n_layers):
        p = f"blocks.{i}"
        x = g.op("Add", [x, attention(x, p + ".time_attn", True)])
        x = g.op("Transpose", [g.op("Reshape", [x, bltd])], perm=[0, 2, 1, 3])
        x = g.op("Reshape", [x, lane_rows])
        x = g.op("Add", [x, attention(x, p + ".lane_attn", False)])
        f = _linear(g, norm(x, p + ".ff.0"), linears[p + ".ff.1.weight"],
                    tensors[p + ".ff.1.bias"], "ff1")
        f = g.op("Gelu", [f], domain="com.microsoft")
        f = _linear(g, f, linears[p + ".ff.3.weight"], tensors[p + ".ff.3.bias"], "ff2")
        x = g.op("Add", [x, f])
        x = g.op("Transpose", [g.op("Reshape", [x, btld])], perm=[0, 2, 1, 3])
        x = g.op("Reshape", [x, time_rows])
    x = g.op("Reshape", [x, bltd])
    logits = _linear(g, norm(x, "norm"), linears["head.weight"], tensors["head.bias"], "head")
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"]))

    graph = helper.make_graph(
        g.nodes, "partita-denoiser",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["B", "L", "T"]),
         helper.make_tensor_value_info("roles", TensorProto.INT64, ["B", "L"]),
         helper.make_tensor_value_info("beat_pos", TensorProto.INT64, ["B", "T"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       ["B", "L", "T", cfg.vocab_size])],
        g.inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("com.microsoft", 1)],
                             ir_version=8)


__all__ = ["OnnxDenoiser", "available_precisions", "build_graph", "default_threads",
           "has_onnxruntime", "load_denoiser", "model_plugin", "resolve_precision"]
