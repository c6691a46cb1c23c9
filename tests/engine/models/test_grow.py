"""Growing a trained network: the same logits from a wider, deeper one, then it trains."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from engine.models import vocab
from engine.models.grid import COMPOUND_OFFSET
from engine.models.grow import grow, growth_problem
from engine.models.network import AxialDenoiser, NetworkConfig

SMALL = NetworkConfig(d_model=16, n_layers=2, n_heads=2, ff_mult=2, max_lanes=4)


def _trained_like(cfg: NetworkConfig) -> AxialDenoiser:
    """A network with every parameter off its initial value (LayerNorms included)."""
    torch.manual_seed(0)
    model = AxialDenoiser(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


def _inputs(lanes: int = 3, steps: int = 24):
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(1, vocab.VOCAB_SIZE, (2, lanes, steps), generator=g)
    tokens[:, :, ::3] = vocab.MASK
    roles = torch.randint(0, SMALL.n_roles, (2, lanes), generator=g)
    beat = torch.arange(steps).repeat(2, 1) % 16
    return tokens, roles, beat


@pytest.mark.parametrize("new", [
    replace(SMALL, d_model=32, n_heads=4),
    replace(SMALL, n_layers=4),
    replace(SMALL, d_model=48, n_heads=6, n_layers=3, max_lanes=8, dropout=0.1),
    replace(SMALL, d_model=32, n_heads=4, meters=2),
])
def test_a_grown_network_computes_the_same_logits(new):
    small = _trained_like(SMALL)
    big = grow(small, new, seed=3).eval()
    assert big.cfg == new
    assert sum(p.numel() for p in big.parameters()) > sum(p.numel() for p in small.parameters())
    with torch.no_grad():
        torch.testing.assert_close(big(*_inputs()), small(*_inputs()), rtol=1e-4, atol=1e-4)


def test_a_network_taught_meters_starts_reading_compound_bars_as_before():
    """The old network read a compound bar's positions modulo 32: so does the grown one."""
    small = _trained_like(SMALL)
    big = grow(small, replace(SMALL, meters=2)).eval()
    tokens, roles, beat = _inputs()
    compound = beat + COMPOUND_OFFSET
    with torch.no_grad():
        torch.testing.assert_close(big(tokens, roles, compound), small(tokens, roles, compound))
        torch.testing.assert_close(big(tokens, roles, compound), small(tokens, roles, beat))
    assert big.beat_compound.weight.shape == big.beat.weight.shape


def test_the_copies_of_a_widened_channel_learn_apart():
    big = grow(_trained_like(SMALL), replace(SMALL, d_model=32, n_heads=4)).train()
    tokens, roles, beat = _inputs()
    loss = torch.nn.functional.cross_entropy(
        big(tokens, roles, beat).permute(0, 3, 1, 2), tokens.clamp_min(1))
    loss.backward()
    grad = big.blocks[0].ff[1].weight.grad  # rows 0..31 and 32..63 are copies of each other
    assert not torch.allclose(grad[:32], grad[32:])


@pytest.mark.parametrize("new, reason", [
    (replace(SMALL, d_model=24, n_heads=3), "whole multiple"),
    (replace(SMALL, d_model=32), "n_heads must grow"),
    (replace(SMALL, n_layers=1), "n_layers cannot shrink"),
    (replace(SMALL, ff_mult=4), "ff_mult"),
])
def test_shapes_that_cannot_grow_say_why(new, reason):
    assert reason in growth_problem(SMALL, new)
    with pytest.raises(ValueError, match=reason):
        grow(_trained_like(SMALL), new)
