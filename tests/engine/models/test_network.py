"""The denoiser network: shapes, conditioning on roles and bar position, lane limits."""

from __future__ import annotations

import pytest
import torch

from engine.models import vocab
from engine.models.network import AxialDenoiser, NetworkConfig, parameter_count


@pytest.fixture(scope="module")
def net() -> AxialDenoiser:
    torch.manual_seed(0)
    return AxialDenoiser(NetworkConfig(d_model=32, n_layers=2, n_heads=2, max_lanes=6)).eval()


def _inputs(b=2, lanes=3, t=20):
    g = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, vocab.VOCAB_SIZE, (b, lanes, t), generator=g)
    roles = torch.randint(0, 7, (b, lanes), generator=g)
    beat = torch.arange(t).repeat(b, 1) % 16
    return tokens, roles, beat


def test_logits_cover_every_cell_and_token(net):
    tokens, roles, beat = _inputs()
    out = net(tokens, roles, beat)
    assert out.shape == (2, 3, 20, vocab.VOCAB_SIZE)
    assert torch.isfinite(out).all()


def test_roles_and_bar_positions_change_the_prediction(net):
    tokens, roles, beat = _inputs()
    base = net(tokens, roles, beat)
    assert not torch.allclose(base, net(tokens, (roles + 1) % 7, beat))
    assert not torch.allclose(base, net(tokens, roles, (beat + 4) % 32))


def test_items_of_a_batch_are_independent(net):
    tokens, roles, beat = _inputs()
    both = net(tokens, roles, beat)
    one = net(tokens[:1], roles[:1], beat[:1])
    torch.testing.assert_close(both[:1], one, atol=1e-5, rtol=1e-5)


def test_too_many_lanes_is_a_clear_error(net):
    tokens, roles, beat = _inputs(lanes=7)
    with pytest.raises(ValueError, match="7 lanes exceed"):
        net(tokens, roles, beat)


def test_default_model_is_a_few_megabytes():
    n = parameter_count(AxialDenoiser(NetworkConfig()))
    assert 1_000_000 <= n <= 4_000_000
