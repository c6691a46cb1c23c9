"""Weight quantization: codes and scales, int4 packing, quantized files, quantized models."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from engine.models import quantize as Q
from engine.models.checkpoint import ModelFileError, save_model
from engine.models.grid import COMPOUND_OFFSET
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.runtime import (
    available_precisions,
    build_graph,
    has_onnxruntime,
    load_denoiser,
)

TINY = NetworkConfig(d_model=32, n_layers=2, n_heads=2, ff_mult=2, max_steps=32, max_lanes=8)
needs_ort = pytest.mark.skipif(not has_onnxruntime(), reason="onnxruntime not installed")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny random model with int8 and int4 weights, calibrated on its own trajectories."""
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-model")
    net = AxialDenoiser(TINY).eval()
    save_model(folder, net, {"name": "tiny"})
    calib = Q.trajectory_inputs(net, [6, 6, 1], 32, sampling_steps=4, runs=1)
    Q.quantize_model_folder(folder, "int8", calibration=calib)
    Q.quantize_model_folder(folder, "int4", calibration=calib, make_default=True)
    return folder


def _inputs(lanes: int = 3, steps: int = 32, masked: float = 0.5, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(1, TINY.vocab_size, (2, lanes, steps), generator=g)
    tokens[torch.rand(tokens.shape, generator=g) < masked] = 0
    roles = torch.randint(0, TINY.n_roles, (2, lanes), generator=g)
    return tokens, roles, (torch.arange(steps) % 16).expand(2, -1)


@pytest.mark.parametrize(("bits", "group"), [(8, None), (8, 32), (4, 32), (4, 16)])
def test_dequantized_weights_within_half_a_step_of_each_groups_scale(bits, group):
    w = torch.randn(24, 64) * torch.logspace(-2, 0, 64)  # groups of very different ranges
    q, scales = Q.quantize_groups(w, bits, group)
    g = 64 if group is None else group
    assert scales.shape == (24, 64 // g)
    assert int(q.min()) >= -(2 ** (bits - 1)) and int(q.max()) <= 2 ** (bits - 1) - 1
    err = (Q.dequantize_groups(q, scales) - w).abs().reshape(24, -1, g)
    absmax = w.abs().reshape(24, -1, g).amax(-1)
    bound = scales / 2 + absmax * 2**-10  # half a step, plus the fp16 rounding of the scale
    assert bool((err.amax(-1) <= bound + 1e-7).all())


def test_int4_packing_round_trips_every_code():
    q = torch.randint(-8, 8, (7, 64), dtype=torch.int8)
    q[0, :16] = torch.arange(-8, 8, dtype=torch.int8)
    packed = Q.pack_int4(q)
    assert packed.dtype == torch.uint8 and packed.shape == (7, 32)
    assert torch.equal(Q.unpack_int4(packed), q)
    assert int(packed[0, 0]) == (0 | (1 << 4))  # codes -8, -7 → 0, 1: low nibble first
    with pytest.raises(ValueError):
        Q.pack_int4(q[:, :3])


def test_calibrated_clipping_lowers_the_output_error_on_calibration_inputs():
    torch.manual_seed(0)
    w = torch.randn(32, 64)
    x = torch.randn(500, 64) * torch.linspace(0.1, 3.0, 64)  # some inputs matter more
    h = x.T @ x / len(x)
    clip = Q.choose_clip(w, h, 4, 32)
    assert clip.shape == (32, 2) and bool((clip <= 1).all())

    def out_err(c):
        q, s = Q.quantize_groups(w, 4, 32, c)
        return float(((x @ (Q.dequantize_groups(q, s) - w).T) ** 2).mean())

    assert out_err(clip) < out_err(1.0)


def test_quantized_file_has_manifest_entry_and_hash_check(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    entries = {w["file"]: w for w in manifest["weights"]}
    assert manifest["weights"][0]["file"] == "model.safetensors"
    int4 = entries["model.int4.safetensors"]
    assert (int4["precision"], int4["bits"], int4["group_size"]) == ("int4", 4, 32)
    assert entries["model.int8.safetensors"]["group_size"] == "row"
    assert manifest["precisions"][0] == "int4" == manifest["default_precision"]
    assert available_precisions(model_dir) == ["int4", "fp32", "int8"]
    assert Q.file_size(model_dir, "int4") < Q.file_size(model_dir, "int8") < Q.file_size(
        model_dir, "fp32")

    qm = Q.load_quantized(model_dir, "int4")
    qkv = qm.linears["blocks.0.time_attn.qkv.weight"]
    assert qkv.q.shape == (96, 32) and qkv.group_size == 32 and qkv.bits == 4

    damaged = model_dir.parent / "damaged"
    damaged.mkdir()
    for f in model_dir.iterdir():
        (damaged / f.name).write_bytes(f.read_bytes())
    data = bytearray((damaged / "model.int8.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (damaged / "model.int8.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="SHA-256"):
        Q.load_quantized(damaged, "int8")
    manifest["weights"][0]["sha256"] = "0" * 64  # the fp32 weights were retrained
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="other fp32 weights"):
        Q.load_quantized(damaged, "int4")
    (damaged / "model.int4.safetensors").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        load_denoiser(damaged, "int4")


@pytest.mark.parametrize("precision", ["fp32", "int8", "int4"])
def test_a_manifest_that_does_not_describe_its_weights_is_refused_in_words(model_dir, tmp_path,
                                                                         precision):
    import shutil

    from engine.models.plugin import load_grid_pack
    from engine.plugins import PluginError

    folder = tmp_path / "wider"
    shutil.copytree(model_dir, folder)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["network"]["d_model"] = 64  # the weights are d_model 32
    path.write_text(json.dumps(manifest))
    said = r"tensor 'tok\.weight' is \[140, 32\], but the manifest's network \(d_model 64"
    # It was a kernel's shape error at the first generation (int8, int4) or a cut-off
    # "Error(s) in loading state_dict" (fp32).
    with pytest.raises(ModelFileError, match=said):
        load_denoiser(folder, precision)
    with pytest.raises(PluginError, match=said):  # what the model list, verify, install say
        load_grid_pack(folder, None)


def test_unknown_precision_names_the_command_that_makes_it(tmp_path):
    save_model(tmp_path, AxialDenoiser(TINY), {"name": "plain"})
    with pytest.raises(ModelFileError, match="partita quantize"):
        load_denoiser(tmp_path, "int8")
    assert load_denoiser(tmp_path, "auto", runtime="torch").cfg == TINY


@pytest.mark.parametrize(("precision", "tolerance"), [("int8", 0.02), ("int4", 0.15)])
def test_quantized_logits_close_to_fp32(model_dir, precision, tolerance):
    ref_model = load_denoiser(model_dir, "fp32", runtime="torch")
    inputs = _inputs()
    with torch.no_grad():
        ref = ref_model(*inputs)
        out = load_denoiser(model_dir, precision, runtime="torch")(*inputs)
    spread = (ref - ref.mean(-1, keepdim=True)).norm()
    assert float((out - ref).norm() / spread) < tolerance
    assert float((out.argmax(-1) == ref.argmax(-1)).float().mean()) > 0.8


@needs_ort
@pytest.mark.parametrize("meters", [1, 2])
def test_onnx_graph_computes_the_torch_network(meters):
    import onnxruntime as ort

    torch.manual_seed(3)
    cfg = replace(TINY, meters=meters)
    net = AxialDenoiser(cfg).eval()
    state = dict(net.state_dict())
    linears = {n: state.pop(n) for n in Q.linear_weights(net)}
    session = ort.InferenceSession(build_graph(cfg, state, linears).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    for lanes, steps in ((1, 5), (3, 32), (8, 20)):
        tokens, roles, beat = _inputs(lanes, steps)
        beat = beat + COMPOUND_OFFSET * (torch.arange(steps) >= steps // 2)  # 6/8 from halfway
        got = session.run(None, {"tokens": tokens.numpy(), "roles": roles.numpy(),
                                 "beat_pos": beat.numpy()})[0]
        with torch.no_grad():
            assert torch.allclose(torch.from_numpy(got), net(tokens, roles, beat), atol=1e-4)


@needs_ort
@pytest.mark.parametrize(("precision", "tolerance"), [("int8", 0.1), ("int4", 0.15)])
def test_onnx_quantized_denoiser_close_to_fp32(model_dir, precision, tolerance):
    inputs = _inputs()
    with torch.no_grad():
        ref = load_denoiser(model_dir, "fp32", runtime="torch")(*inputs)
    den = load_denoiser(model_dir, precision, runtime="onnx", threads=1)
    assert den.max_steps == TINY.max_steps
    out = den(*inputs)
    assert out.shape == ref.shape
    spread = (ref - ref.mean(-1, keepdim=True)).norm()
    assert float((out - ref).norm() / spread) < tolerance
    with torch.no_grad():  # the int4 ONNX kernel computes what the torch dequantized one does
        same = load_denoiser(model_dir, precision, runtime="torch")(*inputs)
    if precision == "int4":
        assert torch.allclose(out, same, atol=1e-4)
