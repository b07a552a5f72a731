"""Attention pooling: one learned query summarises a camera's image tokens and the state token."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from arm4r_policy.model.vision import MLP


class AttentionPool(nn.Module):
    """(N, L, dim) tokens -> (N, out_dim): attend with one query, project, residual MLP.

    Same structure as timm's ``AttentionPoolLatent``; with dim 768 and out_dim 384 it holds
    3,250,176 parameters, the count of the authors' per-camera pooling.
    """

    def __init__(self, dim: int, out_dim: int, heads: int, mlp_ratio: int) -> None:
        super().__init__()
        self.heads = heads
        self.latent = nn.Parameter(torch.zeros(1, 1, dim))
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, out_dim)
        self.norm = nn.LayerNorm(out_dim)
        self.mlp = MLP(out_dim, out_dim * mlp_ratio, out_dim)
        nn.init.trunc_normal_(self.latent, std=dim**-0.5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        N, L, D = tokens.shape
        hd = D // self.heads
        q = self.q(self.latent).view(1, self.heads, 1, hd).expand(N, -1, -1, -1)
        # (N, L, 2D) -> 2 x (N, H, L, hd)
        k, v = self.kv(tokens).view(N, L, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        pooled = F.scaled_dot_product_attention(q, k, v).reshape(N, D)
        x = self.proj(pooled)
        return x + self.mlp(self.norm(x))
