"""The streaming control policy: one observation in, a chunk of absolute end-effector targets out.

This is the seam between robots and the network. Observations arrive as camera frames, the 7-D
end-effector state the robots report (xyz [m], Euler XYZ [rad], gripper 0 open .. 1 closed) and the
instruction text. Everything the network needs besides (6D rotations, relative actions, the
previous action token) is derived here, and the prediction goes back the same way to absolute
targets; frames, instruction and normalisation are ``runtime.observation_stream``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.model.arm4r import ARM4R
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import InstructionEncoder
from arm4r_policy.runtime.ensemble import DEFAULT_DECAY, TemporalEnsembler
from arm4r_policy.runtime.observation_stream import (
    ObservationStream,
    checked_array,
    load_stream_parts,
)
from arm4r_policy.runtime.pose import (
    absolute_to_relative,
    orthonormalize_rot6d,
    relative_to_absolute,
    state7_to_state10,
    state10_to_state7,
)

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
        self._stream = ObservationStream(model, normalizer, instruction_encoder)
        self.config = model.config
        self.options = options or PolicyOptions()
        self.normalizer = normalizer
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
        return cls(*load_stream_parts(directory, text_weights, device), options)

    def reset(self) -> None:
        self._stream.reset()
        self._ensembler.reset()
        self._previous_state10 = None

    def step(
        self, images: Sequence[np.ndarray], state: np.ndarray, instruction: str
    ) -> PolicyOutput:
        """images: one (H, W, 3) uint8 RGB frame per camera, in the checkpoint's camera order;
        state: (7,) current end-effector state; instruction: the task in words."""
        state = checked_state(state)
        state10 = state7_to_state10(state)
        previous_action = None
        if self._previous_state10 is not None:
            # the action taken at the previous step is where it brought the robot: this state
            previous_action = self._to_action_frame(self._previous_state10, state10)
        prediction = self._stream.step(images, state10, instruction, previous_action)
        self._previous_state10 = state10

        chunk10 = self._to_absolute(state10, prediction)
        executed = self._ensembler.add(chunk10) if self.options.temporal_ensembling else chunk10[0]
        target = state10_to_state7(executed)
        target[6] = float(target[6] > self.options.gripper_threshold)
        return PolicyOutput(chunk=state10_to_state7(chunk10), target=target)

    def _to_action_frame(self, state10: np.ndarray, targets10: np.ndarray) -> np.ndarray:
        return (
            absolute_to_relative(state10, targets10) if self.config.relative_actions else targets10
        )

    def _to_absolute(self, state10: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """(K, 10) network actions -> (K, 10) absolute targets with orthonormal rotations."""
        actions[:, 3:9] = orthonormalize_rot6d(actions[:, 3:9])
        return relative_to_absolute(state10, actions) if self.config.relative_actions else actions


def checked_state(state: np.ndarray) -> np.ndarray:
    """The (7,) end-effector state as finite float64 values; ObservationError says what is not."""
    return checked_array("state", state, (STATE_DIM,), "7 values (xyz, Euler XYZ, gripper)")
