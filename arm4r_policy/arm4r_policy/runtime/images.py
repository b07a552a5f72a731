"""Camera frames -> network input: resize to the model's square size and ImageNet-normalise."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def images_to_input(frames: np.ndarray | torch.Tensor, size: int) -> torch.Tensor:
    """(..., H, W, 3) uint8 RGB -> (..., 3, size, size) float32, normalised.

    A frame that is not size x size is resized as a whole (bilinear, antialiased), the way the
    recorded datasets are stored.
    """
    x = torch.as_tensor(frames)
    lead = x.shape[:-3]
    x = x.reshape(-1, *x.shape[-3:]).permute(0, 3, 1, 2).float().div_(255.0)  # (N, 3, H, W)
    if x.shape[-2:] != (size, size):
        x = F.interpolate(
            x, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return ((x - mean) / std).reshape(*lead, 3, size, size)
