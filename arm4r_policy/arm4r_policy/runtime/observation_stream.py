"""The streaming network fed with what a robot sees: camera frames, plain vectors and words.

Shared by the control policy (``runtime.policy``) and the point-track predictor
(``runtime.track_prediction``), which differ only in what their state and action vectors mean.
Here the frames are checked and made network input, the instruction is normalised and embedded,
states and actions are normalised with the checkpoint's statistics and the prediction comes back
denormalised. Every check runs before the stream advances: refused input leaves it unchanged.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model.arm4r import ARM4R
from arm4r_policy.model.checkpoint import load_checkpoint
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import (
    CLIP_ENCODER_NAME,
    CLIP_REPO,
    InstructionEncoder,
    load_instruction_encoder,
    normalize_instruction,
)
from arm4r_policy.runtime.images import images_to_input
from arm4r_policy.runtime.streaming import StreamingARM4R


def load_stream_parts(
    directory: str | Path, text_weights: str | Path | None = None, device: str = "cpu"
) -> tuple[ARM4R, Normalizer, InstructionEncoder]:
    """A checkpoint's model and normaliser, and the instruction encoder it was trained with.

    ``text_weights``: the local CLIP directory, for checkpoints trained on CLIP.
    """
    model, normalizer = load_checkpoint(directory, device)
    if text_weights is None and model.config.instruction_encoder == CLIP_ENCODER_NAME:
        raise ConfigError(
            f"{directory}: trained on CLIP instruction embeddings; pass text_weights=<local "
            f"copy of {CLIP_REPO}>"
        )
    return model, normalizer, load_instruction_encoder(text_weights, device)


class ObservationStream:
    """``StreamingARM4R`` stepped with one observation at a time, in the units of the world."""

    def __init__(
        self, model: ARM4R, normalizer: Normalizer, instruction_encoder: InstructionEncoder
    ) -> None:
        if instruction_encoder.name != model.config.instruction_encoder:
            raise ConfigError(
                f"instruction encoder: the model was trained on "
                f"{model.config.instruction_encoder!r} instruction embeddings, got the "
                f"{instruction_encoder.name!r} encoder"
            )
        self.model = model
        self.config = model.config
        self.device = next(model.parameters()).device
        self.normalizer = normalizer
        self.instructions = instruction_encoder
        self._stream = StreamingARM4R(model)

    def reset(self) -> None:
        self._stream.reset()

    def step(
        self,
        images: Sequence[np.ndarray],
        state: np.ndarray,
        instruction: str,
        previous_action: np.ndarray | None = None,
    ) -> np.ndarray:
        """Advance by one step; returns the (K, action_dim) float64 prediction, denormalised.

        images: one (H, W, 3) uint8 RGB frame per camera, in the checkpoint's camera order;
        state: (state_dim,) this step's state; instruction: the task in words;
        previous_action: (action_dim,) the action taken at the previous step, None at the first
        step of an episode. ``state`` and ``previous_action`` are checked by the caller.
        """
        check_frames(images, self.config.num_cameras)
        embedding = self.instructions.embed(normalize_instruction(instruction)).to(self.device)
        action = None
        if previous_action is not None:
            action = self._normalized(self.normalizer.normalize_action, previous_action)
        prediction = self._stream.step(
            images_to_input(np.stack(images), self.config.image_size).to(self.device),
            self._normalized(self.normalizer.normalize_state, state),
            embedding,
            action,
        )
        return self.normalizer.denormalize_action(prediction.cpu()).double().numpy()

    def _normalized(self, normalize, values: np.ndarray) -> torch.Tensor:
        vector = torch.from_numpy(np.asarray(values, dtype=np.float32))
        return normalize(vector).to(self.device)


def check_frames(images: Sequence[np.ndarray], cameras: int) -> None:
    """Refuse anything but ``cameras`` uint8 RGB frames of one size."""
    if isinstance(images, np.ndarray) or len(images) != cameras:
        seen = (
            f"an array of shape {images.shape}" if isinstance(images, np.ndarray) else len(images)
        )
        raise ObservationError(f"images: expected a sequence of {cameras} frames, got {seen}")
    for index, frame in enumerate(images):
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
            seen = getattr(frame, "dtype", type(frame).__name__)
            raise ObservationError(f"images[{index}]: expected a uint8 array, got {seen}")
        if frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) == 0:
            raise ObservationError(
                f"images[{index}]: expected shape (H, W, 3) RGB, got {frame.shape}"
            )
    if len({frame.shape for frame in images}) != 1:
        shapes = [frame.shape for frame in images]
        raise ObservationError(f"images: every camera must have the same size, got {shapes}")


def checked_array(name: str, values: object, shape: tuple[int, ...], meaning: str) -> np.ndarray:
    """``values`` as a finite float64 array of ``shape``; ``meaning`` says what it holds."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ObservationError(
            f"{name}: expected {math.prod(shape)} numbers, got {reprlib.repr(values)}"
        ) from error
    if array.shape != shape:
        raise ObservationError(f"{name}: expected {meaning}, got shape {array.shape}")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        raise ObservationError(
            f"{name}: expected finite values, got {array[tuple(bad[0])]} at {bad[0].tolist()} "
            f"({len(bad)} non-finite in all)"
        )
    return array
