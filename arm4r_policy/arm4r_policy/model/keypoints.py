"""Keypoint image encoders: feature maps, then where each one peaks (spatial softmax).

A ViT trained from random weights on a few hundred demonstrations learns where the arm is long
before it learns where a few-pixel object is; a spatial softmax hands the network positions
directly (Levine et al., "End-to-End Training of Deep Visuomotor Policies", 2016). Each of K
feature maps becomes its expected image position (x, y) in [-1, 1]; the 2K coordinates become one
image token: (B, 3, H, W) ImageNet-normalised images -> (B, 1, D).

Two kinds of feature maps: learned convolutions (``KeypointEncoder``), or fixed per-pixel colour
filters (``ColourKeypointEncoder``) that find saturated objects from the first step. The fixed
encoder's positions depend on nothing trained, so training can compute them once per frame
(``ARM4R.forward``'s ``image_positions``).
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


class ColourKeypointEncoder(nn.Module):
    """K fixed random colour filters, each read as where in the image it responds most.

    Each filter is a direction in RGB space; its response map is standardised over the image, so
    the few pixels far from the image's usual colours (a saturated cube on a table) dominate the
    softmax whatever the brightness and contrast. Only the projection of the 2K coordinates is
    trained: the filters come from a fixed seed and are stored with the model, so the image path
    is useful before any training, and no gradient flows through it. Images are averaged over
    ``pool`` x ``pool`` pixels first, which keeps a cube a few pixels wide and quarters the cost
    of the softmax, the encoder's dominant one.
    """

    def __init__(
        self, keypoints: int, width: int, temperature: float = 5.0, pool: int = 2, seed: int = 0
    ) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        filters = torch.randn(keypoints, 3, generator=generator)
        self.register_buffer("filters", filters / filters.norm(dim=1, keepdim=True))
        self.temperature = temperature
        self.pool = pool
        self.spatial_softmax = SpatialSoftmax()
        self.proj = nn.Linear(2 * keypoints, width)

    @torch.no_grad()
    def positions(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) images -> (B, K, 2) where each filter responds most, in [-1, 1]."""
        if self.pool > 1:
            images = nn.functional.avg_pool2d(images, self.pool)
        B, _, H, W = images.shape
        pixels = images.flatten(2)
        centred = pixels - pixels.mean(dim=-1, keepdim=True)  # (B, 3, HW)
        covariance = centred @ centred.transpose(1, 2) / (H * W - 1)
        filters = self.filters.to(images.dtype)
        spread = torch.einsum("kc,bcd,kd->bk", filters, covariance, filters).sqrt() + 1e-3
        # Standardising a linear response is a per-image rescaling of the filter; the mean it
        # would subtract is one constant per map, which the softmax ignores.
        logits = (self.temperature * filters / spread[..., None]) @ centred  # (B, K, HW)
        return self.spatial_softmax(logits.view(B, -1, H, W))

    def tokens(self, positions: torch.Tensor) -> torch.Tensor:
        """(B, K, 2) ``positions`` -> (B, 1, D) image token: the trained part of the encoder."""
        return self.proj(positions.flatten(1))[:, None]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.tokens(self.positions(images))
