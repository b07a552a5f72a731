"""The keypoint image encoder: convolutions, then where each feature map peaks (spatial softmax).

A ViT trained from random weights on a few hundred demonstrations learns where the arm is long
before it learns where a few-pixel object is; a spatial softmax hands the network positions
directly (Levine et al., "End-to-End Training of Deep Visuomotor Policies", 2016). Each of K
feature maps becomes its expected image position (x, y) in [-1, 1]; the 2K coordinates become one
image token: (B, 3, H, W) ImageNet-normalised images -> (B, 1, D).
"""

from __future__ import annotations

import torch
from torch import nn


class SpatialSoftmax(nn.Module):
    """(B, K, H, W) feature maps -> (B, K, 2) expected (x, y) of each map's softmax, in [-1, 1]."""

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        B, K, H, W = features.shape
        weights = features.flatten(2).softmax(dim=-1).view(B, K, H, W)
        xs = torch.linspace(-1.0, 1.0, W, dtype=features.dtype, device=features.device)
        ys = torch.linspace(-1.0, 1.0, H, dtype=features.dtype, device=features.device)
        x = (weights.sum(dim=2) * xs).sum(dim=-1)
        y = (weights.sum(dim=3) * ys).sum(dim=-1)
        return torch.stack((x, y), dim=-1)


class KeypointEncoder(nn.Module):
    """Two stride-2 3x3 convolutions and a 1x1 to K maps at 1/4 resolution, spatial softmax, linear.

    No normalisation layers, so a batch split over processes gives the gradients of the whole
    batch.
    """

    def __init__(self, keypoints: int, width: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1),
            nn.GELU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            nn.GELU(),
            nn.Conv2d(64, keypoints, 1),
        )
        self.spatial_softmax = SpatialSoftmax()
        self.proj = nn.Linear(2 * keypoints, width)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        positions = self.spatial_softmax(self.features(images))  # (B, K, 2)
        return self.proj(positions.flatten(1))[:, None]  # (B, 1, D)
