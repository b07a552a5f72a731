"""The streaming control policy: one observation in, a chunk of absolute end-effector targets out.

This is the seam between robots and the network. Observations arrive as camera frames, the 7-D
end-effector state the robots report (xyz [m], Euler XYZ [rad], gripper 0 open .. 1 closed) and the
instruction text. Everything the network needs besides (6D rotations, relative actions,
normalisation, the previous action token, the instruction embedding) is derived here, and the
prediction goes back the same way to absolute targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from arm4r_policy.runtime.ensemble import DEFAULT_DECAY, TemporalEnsembler
from arm4r_policy.runtime.images import images_to_input
from arm4r_policy.runtime.pose import (
    absolute_to_relative,
    orthonormalize_rot6d,
    relative_to_absolute,
    state7_to_state10,
    state10_to_state7,
)
from arm4r_policy.runtime.streaming import StreamingARM4R

STATE_DIM = 7


@dataclass(frozen=True)
class PolicyOptions:
    temporal_ensembling: bool = True  # blend overlapping chunks ACT-style, as the public code does
    ensemble_decay: float = DEFAULT_DECAY  # weights exp(decay * i), newer chunks favoured
    gripper_threshold: float = 0.4  # the executed gripper command is closed above this

    def __post_init__(self) -> None:
        if not 0.0 <= self.gripper_threshold <= 1.0:
            raise ConfigError(
                f"PolicyOptions.gripper_threshold: expected a value in [0, 1], "
                f"got {self.gripper_threshold!r}"
            )


@dataclass(frozen=True)
class PolicyOutput:
    chunk: np.ndarray  # (K, 7) absolute targets: xyz [m], Euler XYZ [rad], gripper in [0, 1]
    target: np.ndarray  # (7,) what to execute now; gripper is 0.0 (open) or 1.0 (closed)


class Policy:
    """Stateful across an episode: call ``reset()`` between episodes."""

    def __init__(
        self,
        model: ARM4R,
        normalizer: Normalizer,
        instruction_encoder: InstructionEncoder,
        options: PolicyOptions | None = None,
    ) -> None:
        if model.config.mode != "control":
            raise ConfigError(
                f"Policy: needs a control-mode model, got mode {model.config.mode!r} "
                f"(a point-tracking checkpoint predicts tracks, not robot targets)"
            )
        if instruction_encoder.name != model.config.instruction_encoder:
            raise ConfigError(
                f"Policy: the model was trained on {model.config.instruction_encoder!r} "
                f"instruction embeddings, got the {instruction_encoder.name!r} encoder"
            )
        self.config = model.config
        self.options = options or PolicyOptions()
        self.device = next(model.parameters()).device
        self.normalizer = normalizer
        self.instructions = instruction_encoder
        self._stream = StreamingARM4R(model)
        self._ensembler = TemporalEnsembler(self.config.horizon, self.options.ensemble_decay)
        self._previous_state10: np.ndarray | None = None

    @classmethod
    def from_checkpoint(
        cls,
        directory: str | Path,
        text_weights: str | Path | None = None,
        device: str = "cpu",
        options: PolicyOptions | None = None,
    ) -> Policy:
        """``text_weights``: the local CLIP directory, for checkpoints trained on CLIP."""
        model, normalizer = load_checkpoint(directory, device)
        if text_weights is None and model.config.instruction_encoder == CLIP_ENCODER_NAME:
            raise ConfigError(
                f"{directory}: trained on CLIP instruction embeddings; pass text_weights=<local "
                f"copy of {CLIP_REPO}>"
            )
        return cls(model, normalizer, load_instruction_encoder(text_weights, device), options)

    def reset(self) -> None:
        self._stream.reset()
        self._ensembler.reset()
        self._previous_state10 = None

    def step(
        self, images: Sequence[np.ndarray], state: np.ndarray, instruction: str
    ) -> PolicyOutput:
        """images: one (H, W, 3) uint8 RGB frame per camera, in the checkpoint's camera order;
        state: (7,) current end-effector state; instruction: the task in words."""
        self._check_images(images)
        state = _check_state(state)
        instruction = normalize_instruction(instruction)
        embedding = self.instructions.embed(instruction).to(self.device)

        state10 = state7_to_state10(state)
        previous_action = None
        if self._previous_state10 is not None:
            # the action taken at the previous step is where it brought the robot: this state
            previous_action = self._action_input(
                self._to_action_frame(self._previous_state10, state10)
            )
        prediction = self._stream.step(
            images_to_input(np.stack(images), self.config.image_size).to(self.device),
            self.normalizer.normalize_state(torch.from_numpy(state10).float()).to(self.device),
            embedding,
            previous_action,
        )
        self._previous_state10 = state10

        chunk10 = self._to_absolute(state10, self.normalizer.denormalize_action(prediction.cpu()))
        executed = self._ensembler.add(chunk10) if self.options.temporal_ensembling else chunk10[0]
        target = state10_to_state7(executed)
        target[6] = float(target[6] > self.options.gripper_threshold)
        return PolicyOutput(chunk=state10_to_state7(chunk10), target=target)

    def _to_action_frame(self, state10: np.ndarray, targets10: np.ndarray) -> np.ndarray:
        return (
            absolute_to_relative(state10, targets10) if self.config.relative_actions else targets10
        )

    def _to_absolute(self, state10: np.ndarray, actions: torch.Tensor) -> np.ndarray:
        """(K, 10) network actions -> (K, 10) absolute targets with orthonormal rotations."""
        actions = actions.double().numpy()
        actions[:, 3:9] = orthonormalize_rot6d(actions[:, 3:9])
        return relative_to_absolute(state10, actions) if self.config.relative_actions else actions

    def _action_input(self, action10: np.ndarray) -> torch.Tensor:
        action = torch.from_numpy(np.asarray(action10, dtype=np.float32))
        return self.normalizer.normalize_action(action).to(self.device)

    def _check_images(self, images: Sequence[np.ndarray]) -> None:
        cameras = self.config.num_cameras
        if isinstance(images, np.ndarray) or len(images) != cameras:
            seen = (
                f"an array of shape {images.shape}"
                if isinstance(images, np.ndarray)
                else len(images)
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


def _check_state(state: np.ndarray) -> np.ndarray:
    try:
        values = np.asarray(state, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ObservationError(f"state: expected {STATE_DIM} numbers, got {state!r}") from error
    if values.shape != (STATE_DIM,):
        raise ObservationError(
            f"state: expected {STATE_DIM} values (xyz, Euler XYZ, gripper), "
            f"got shape {values.shape}"
        )
    if not np.isfinite(values).all():
        raise ObservationError(f"state: expected finite values, got {values.tolist()}")
    return values
