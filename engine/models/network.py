"""The denoiser network: an axial transformer over the lane × time token grid.

Input: a grid of tokens ``[B, L, T]`` (``vocab.MASK`` where a token is to be predicted),
each lane's role id ``[B, L]`` and each step's position in its bar ``[B, T]``.
Output: logits ``[B, L, T, V]`` for every cell.

Each block attends along time inside every lane (rotary positions, so a window of the
song looks the same wherever it starts), then across the lanes at every step, then
applies a feed-forward layer. Attention over ``L × T`` cells costs ``L·T² + T·L²``
instead of ``(L·T)²``, which keeps it a small part of the CPU budget (see
docs/model-training.md for the measurements behind this choice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.models import vocab
from engine.score.instruments import ROLES

ARCHITECTURE = "axial-transformer-v1"
BAR_STEPS = vocab.BAR_STEPS  # step in the bar 0..31 (up to 8 quarters on the 16th grid)


@dataclass(frozen=True)
class NetworkConfig:
    """Hyper-parameters of :class:`AxialDenoiser` (stored in every model manifest)."""

    d_model: int = 128
    n_layers: int = 6
    n_heads: int = 4
    ff_mult: int = 4
    max_steps: int = 128  # context along time; longer grids are windowed by the sampler
    max_lanes: int = 16
    dropout: float = 0.0
    vocab_size: int = vocab.VOCAB_SIZE
    n_roles: int = len(ROLES)
    # Meters the position embedding tells apart: 1 = the step in the bar only (a 6/8 bar
    # reads as 3/4), 2 = simple and compound (grid.COMPOUND_OFFSET marks compound bars,
    # whose positions get their own table, ``beat_compound``).
    meters: int = 1

    def __post_init__(self) -> None:
        if self.meters not in (1, 2):
            raise ValueError(f"meters must be 1 (positions only) or 2 (simple and compound), "
                             f"not {self.meters}")

    @property
    def beat_rows(self) -> int:
        """Positions are read modulo this."""
        return BAR_STEPS * self.meters

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> NetworkConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _rotary(t: int, dim: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / (10000 ** (torch.arange(0, dim, 2, device=device, dtype=torch.float32) / dim))
    ang = torch.arange(t, device=device, dtype=torch.float32)[:, None] * inv[None, :]
    return ang.cos(), ang.sin()


def _apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)


class _Attention(nn.Module):
    def __init__(self, d: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.norm = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, rot: tuple[torch.Tensor, torch.Tensor] | None):
        n, s, d = x.shape
        q, k, v = self.qkv(self.norm(x)).view(n, s, 3, self.heads, d // self.heads).unbind(2)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))  # [n, heads, s, dh]
        if rot is not None:
            q, k = _apply_rotary(q, *rot), _apply_rotary(k, *rot)
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        return self.out(y.transpose(1, 2).reshape(n, s, d))


class _Block(nn.Module):
    def __init__(self, cfg: NetworkConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.time_attn = _Attention(d, cfg.n_heads, cfg.dropout)
        self.lane_attn = _Attention(d, cfg.n_heads, cfg.dropout)
        self.ff = nn.Sequential(
            nn.LayerNorm(d), nn.Linear(d, cfg.ff_mult * d), nn.GELU(),
            nn.Linear(cfg.ff_mult * d, d),
        )
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, h: torch.Tensor, rot: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        b, lanes, t, d = h.shape
        x = h.reshape(b * lanes, t, d)
        x = x + self.drop(self.time_attn(x, rot))
        # Lanes are a set with identities given by the lane/role embeddings: no rotary here.
        x = x.view(b, lanes, t, d).transpose(1, 2).reshape(b * t, lanes, d)
        x = x + self.drop(self.lane_attn(x, None))
        x = x + self.drop(self.ff(x))
        return x.view(b, t, lanes, d).transpose(1, 2)


class AxialDenoiser(nn.Module):
    """``denoiser(tokens [B,L,T], roles [B,L], beat_pos [B,T]) -> logits [B,L,T,V]``."""

    def __init__(self, cfg: NetworkConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or NetworkConfig()
        if cfg.d_model % cfg.n_heads or (cfg.d_model // cfg.n_heads) % 2:
            raise ValueError("d_model / n_heads must be an even integer (rotary positions)")
        d = cfg.d_model
        self.tok = nn.Embedding(cfg.vocab_size, d)
        self.role = nn.Embedding(cfg.n_roles, d)
        self.lane = nn.Embedding(cfg.max_lanes, d)
        self.beat = nn.Embedding(BAR_STEPS, d)
        # A table of its own, so a run can train the compound positions alone (trainable:
        # [beat_compound]) while every weight a simple meter reads stays as it was.
        self.beat_compound = nn.Embedding(BAR_STEPS, d) if cfg.meters > 1 else None
        self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.n_layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.vocab_size)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def _positions(self, beat_pos: torch.Tensor) -> torch.Tensor:
        pos = beat_pos.remainder(self.cfg.beat_rows)
        if self.beat_compound is None:
            return self.beat(pos)
        table = torch.cat([self.beat.weight, self.beat_compound.weight])
        return nn.functional.embedding(pos, table)

    @property
    def max_steps(self) -> int:
        """Longest time context; the sampler windows longer grids."""
        return self.cfg.max_steps

    def forward(
        self, tokens: torch.Tensor, roles: torch.Tensor, beat_pos: torch.Tensor
    ) -> torch.Tensor:
        _, lanes, t = tokens.shape
        if lanes > self.cfg.max_lanes:
            raise ValueError(f"{lanes} lanes exceed this model's maximum of {self.cfg.max_lanes}")
        lane_ids = torch.arange(lanes, device=tokens.device)
        h = (
            self.tok(tokens)
            + self.role(roles)[:, :, None, :]
            + self.lane(lane_ids)[None, :, None, :]
            + self._positions(beat_pos)[:, None, :, :]
        )
        rot = _rotary(t, self.cfg.d_model // self.cfg.n_heads, tokens.device)
        for block in self.blocks:
            h = block(h, rot)
        return self.head(self.norm(h))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def flops_per_cell(cfg: NetworkConfig, lanes: int, steps: int) -> float:
    """Approximate forward multiply-adds per grid cell (for the docs and benchmarks)."""
    d = cfg.d_model
    linear = cfg.n_layers * (8 * d * d + 2 * cfg.ff_mult * d * d) + d * cfg.vocab_size
    attn = cfg.n_layers * 2 * d * (steps + lanes)
    return float(linear + attn)
