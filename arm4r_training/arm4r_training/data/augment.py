"""Camera frames of a window -> network input, with the public ARM4R training augmentations.

Every path ends in ``arm4r_policy.runtime.images.images_to_input`` (resize of the whole frame to a
square, ImageNet normalisation), the function the policy applies at run time, so training and
run time agree on everything but the augmentation itself:

- evaluation: ``images_to_input(frames, S)``, the run-time input (of frames that libjpeg may
  have scaled down while decoding, when they are stored at twice the size needed or more);
- third-person view, training: a random square crop covering ``crop_scale`` of the frame's area
  (square in the run-time squashed frame, so a non-square frame is cut with its own aspect),
  resized to S; then brightness and contrast ``x -> c x + b`` on intensities in [0, 1], unclipped
  as in the public code, applied after normalisation as the equivalent affine map;
- wrist view (image directory ``wrist*``), training: resized to ``round(S * wrist_resize)`` and
  centre-cropped to S, no random change. The public code zooms by 248 / 224 here; the default
  is no zoom, because the policy feeds whole frames at run time and a zoom seen only in training
  moves every pixel the model learnt to read.

A window is one video: one crop and one colour change per camera for all its steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.images import IMAGENET_MEAN, IMAGENET_STD, images_to_input

WRIST_PREFIX = "wrist"
CROP_SCALE = (0.65, 1.0)
"""Area fraction of a third-person frame the public code's random crop keeps."""

_MEAN = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
_STD = torch.tensor(IMAGENET_STD).view(3, 1, 1)


@dataclass(frozen=True)
class ImageAugmentation:
    """Training augmentation of camera frames (REFERENCE.md section 3)."""

    crop_scale: tuple[float, float] = CROP_SCALE
    brightness: float = 0.1  # offset drawn from [-brightness, brightness], intensities in [0, 1]
    contrast: tuple[float, float] = (0.8, 1.2)  # gain drawn from this range
    wrist_resize: float = 1.0  # wrist frames are resized to S times this, then cropped to S

    def __post_init__(self) -> None:
        low, high = self.crop_scale
        if not 0.0 < low <= high <= 1.0:
            raise ConfigError(
                "ImageAugmentation.crop_scale: expected 0 < low <= high <= 1, "
                f"got {self.crop_scale}"
            )
        if not 0.0 <= self.brightness < 1.0:
            raise ConfigError(
                f"ImageAugmentation.brightness: expected a value in [0, 1), got {self.brightness!r}"
            )
        low, high = self.contrast
        if not 0.0 < low <= high:
            raise ConfigError(
                f"ImageAugmentation.contrast: expected 0 < low <= high, got {self.contrast}"
            )
        if not self.wrist_resize >= 1.0:
            raise ConfigError(
                f"ImageAugmentation.wrist_resize: expected >= 1, got {self.wrist_resize!r}"
            )

    @property
    def moves_pixels(self) -> bool:
        """Whether a frame's content can shift or scale (crop, wrist zoom).

        Brightness and contrast leave every pixel where it is, and per-image standardised
        features such as colour keypoints do not see them.
        """
        return tuple(self.crop_scale) != (1.0, 1.0) or self.wrist_resize != 1.0

    def wrist_size(self, size: int) -> int:
        """[px] side a wrist frame is resized to before its centre crop of ``size``."""
        return round(size * self.wrist_resize)

    def min_side(self, size: int, directory: str) -> int:
        """[px] the shorter side a decoded frame needs so that no view upsamples it."""
        if is_wrist(directory):
            return self.wrist_size(size)
        return math.ceil(size / math.sqrt(self.crop_scale[0]))


def is_wrist(directory: str) -> bool:
    """Whether an image directory holds a wrist view (``wrist_image_left`` and the like)."""
    return directory.startswith(WRIST_PREFIX)


def eval_view(frames: np.ndarray, size: int) -> torch.Tensor:
    """(T, H, W, 3) uint8 -> (T, 3, size, size) float32: the run-time input, no augmentation."""
    return images_to_input(frames, size)


def wrist_view(frames: np.ndarray, size: int, augmentation: ImageAugmentation) -> torch.Tensor:
    """(T, H, W, 3) uint8 -> (T, 3, size, size): resize to ``wrist_size`` and centre-crop."""
    resized = augmentation.wrist_size(size)
    offset = round((resized - size) / 2)
    return images_to_input(frames, resized)[..., offset : offset + size, offset : offset + size]


def third_person_view(
    frames: np.ndarray, size: int, augmentation: ImageAugmentation, rng: np.random.Generator
) -> torch.Tensor:
    """(T, H, W, 3) uint8 -> (T, 3, size, size): one random crop and colour change for all T."""
    height, width = frames.shape[1:3]
    side = math.sqrt(float(rng.uniform(*augmentation.crop_scale)))  # fraction of each side kept
    crop_h = min(height, max(1, round(side * height)))
    crop_w = min(width, max(1, round(side * width)))
    top = int(rng.integers(0, height - crop_h + 1))
    left = int(rng.integers(0, width - crop_w + 1))
    images = images_to_input(frames[:, top : top + crop_h, left : left + crop_w], size)
    gain = float(rng.uniform(*augmentation.contrast))
    offset = float(rng.uniform(-augmentation.brightness, augmentation.brightness))
    # c x + b on [0, 1] intensities x = std n + mean, written for the normalised n
    return gain * images + ((gain - 1.0) * _MEAN + offset) / _STD


def camera_view(
    frames: np.ndarray,
    size: int,
    directory: str,
    augmentation: ImageAugmentation | None,
    rng: np.random.Generator | None,
) -> torch.Tensor:
    """The network input of one camera's frames: ``eval_view`` when ``augmentation`` is None."""
    if augmentation is None:
        return eval_view(frames, size)
    if is_wrist(directory):
        return wrist_view(frames, size, augmentation)
    if rng is None:
        raise ConfigError("camera_view: a random generator is needed to augment third-person views")
    return third_person_view(frames, size, augmentation, rng)
