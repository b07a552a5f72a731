"""The causal transformer: LLaMA-style blocks (RMSNorm, rotary positions, SwiGLU, no biases).

Tokens arrive already embedded (the ARM4R encoders make them), so there is no vocabulary and no
output projection: the transformer maps (B, S, D) hidden states to (B, S, D).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normed = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps)
        return normed.type_as(x) * self.weight


def rotary_angles(head_dim: int, positions: torch.Tensor, theta: float) -> torch.Tensor:
    """Rotation angle of every (position, channel pair): (S,) positions -> (S, head_dim / 2) [rad].

    Angles are formed in float64 so positions far into an episode lose no precision.
    """
    pairs = torch.arange(0, head_dim, 2, device=positions.device, dtype=torch.float64)
    inv_freq = theta ** (-pairs / head_dim)
    return positions.to(torch.float64)[:, None] * inv_freq[None, :]


def apply_rotary(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Rotate interleaved channel pairs (x0, x1), (x2, x3), ... of (B, H, S, hd) by (S, hd/2)."""
    cos = angles.cos().to(x.dtype)
    sin = angles.sin().to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return rotated.flatten(-2)


@dataclass
class KVCache:
    """Keys and values of the tokens seen so far, one (B, H, S, hd) pair per layer."""

    keys: list[torch.Tensor] = field(default_factory=list)
    values: list[torch.Tensor] = field(default_factory=list)

    @property
    def length(self) -> int:
        return self.keys[0].shape[2] if self.keys else 0

    def extend(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, ...]:
        if layer == len(self.keys):
            self.keys.append(k)
            self.values.append(v)
        else:
            self.keys[layer] = torch.cat((self.keys[layer], k), dim=2)
            self.values[layer] = torch.cat((self.values[layer], v), dim=2)
        return self.keys[layer], self.values[layer]


class Attention(nn.Module):
    def __init__(self, width: int, heads: int, rope_theta: float) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.rope_theta = rope_theta
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def forward(
        self, x: torch.Tensor, start: int, cache: KVCache | None, layer: int
    ) -> torch.Tensor:
        B, S, D = x.shape
        # (B, S, D) -> (B, H, S, hd)
        q, k, v = (
            proj(x).view(B, S, self.heads, self.head_dim).transpose(1, 2)
            for proj in (self.wq, self.wk, self.wv)
        )
        angles = rotary_angles(self.head_dim, torch.arange(start, start + S), self.rope_theta)
        angles = angles.to(x.device)
        q, k = apply_rotary(q, angles), apply_rotary(k, angles)
        if cache is not None:
            k, v = cache.extend(layer, k, v)
        past = k.shape[2] - S
        if past == 0:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            # new token i sees every cached token and the new tokens up to itself
            visible = torch.ones(S, past + S, dtype=torch.bool, device=x.device).tril(past)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=visible)
        return self.wo(out.transpose(1, 2).reshape(B, S, D))


class SwiGLU(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.w1 = nn.Linear(width, hidden, bias=False)
        self.w3 = nn.Linear(width, hidden, bias=False)
        self.w2 = nn.Linear(hidden, width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, width: int, heads: int, ffn_hidden: int, eps: float, theta: float) -> None:
        super().__init__()
        self.attention_norm = RMSNorm(width, eps)
        self.attention = Attention(width, heads, theta)
        self.ffn_norm = RMSNorm(width, eps)
        self.feed_forward = SwiGLU(width, ffn_hidden)

    def forward(
        self, x: torch.Tensor, start: int, cache: KVCache | None, layer: int
    ) -> torch.Tensor:
        x = x + self.attention(self.attention_norm(x), start, cache, layer)
        return x + self.feed_forward(self.ffn_norm(x))


class CausalTransformer(nn.Module):
    def __init__(
        self, width: int, depth: int, heads: int, ffn_hidden: int, eps: float, theta: float
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            Block(width, heads, ffn_hidden, eps, theta) for _ in range(depth)
        )
        self.norm = RMSNorm(width, eps)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """(B, S, D) new tokens -> (B, S, D); with a cache they follow the tokens it holds."""
        start = cache.length if cache is not None else 0
        for index, layer in enumerate(self.layers):
            x = layer(x, start, cache, index)
        return self.norm(x)
