"""Live 3D point-track prediction with a point-tracking (Stage 1/2) checkpoint.

A points checkpoint reads, each step, the camera frames, the instruction and the n = g x g tracked
points p_t: camera-frame xyz [m] (OpenCV axes) of the camera its clips were tracked in, flattened
point by point. It predicts the move to the next step, p_{t+1} - p_t, and the action token of a
step is the move made from it (``arm4r_training.data.targets``). The predictor returns the
positions p_{t+1}.

Where p_t comes from: the points observed now, when the caller has them (a tracker); otherwise
the prediction of the previous step, so the tracks roll out from the model alone. An episode that
starts without observed points starts from the checkpoint's mean tracked points (the state mean of
its normaliser), the grid its training clips hold on average.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.model.arm4r import ARM4R
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import InstructionEncoder
from arm4r_policy.runtime.observation_stream import (
    ObservationStream,
    checked_array,
    load_stream_parts,
)
from arm4r_policy.runtime.tracks import TrackHistory

DEFAULT_HISTORY = 8  # predicted positions kept per point for drawing


@dataclass(frozen=True)
class TrackPrediction:
    points: np.ndarray  # (n, 3) predicted camera-frame xyz [m] of the next step, OpenCV axes
    tracks: np.ndarray  # (n, L, 3) each point's last L <= history predictions, oldest first


class TrackPredictor:
    """Stateful across an episode: call ``reset()`` between episodes."""

    def __init__(
        self,
        model: ARM4R,
        normalizer: Normalizer,
        instruction_encoder: InstructionEncoder,
        history: int = DEFAULT_HISTORY,
    ) -> None:
        if model.config.mode != "points":
            raise ConfigError(
                f"TrackPredictor: needs a points-mode model, got mode {model.config.mode!r} "
                f"(a control checkpoint predicts robot targets, not tracks)"
            )
        self._stream = ObservationStream(model, normalizer, instruction_encoder)
        self.config = model.config
        self.normalizer = normalizer
        self._history = TrackHistory(history)
        self._current: np.ndarray | None = None  # (n, 3) the points the last step read
        self._predicted: np.ndarray | None = None  # (n, 3) what the last step predicted

    @classmethod
    def from_checkpoint(
        cls,
        directory: str | Path,
        text_weights: str | Path | None = None,
        device: str = "cpu",
        history: int = DEFAULT_HISTORY,
    ) -> TrackPredictor:
        """``text_weights``: the local CLIP directory, for checkpoints trained on CLIP."""
        return cls(*load_stream_parts(directory, text_weights, device), history)

    @property
    def num_points(self) -> int:
        return self.config.num_points

    @property
    def start_points(self) -> np.ndarray:
        """(n, 3) the points an episode starts from without observed ones: the mean tracks."""
        return self.normalizer.state_mean.double().numpy().reshape(self.num_points, 3)

    def fork(self) -> TrackPredictor:
        """An independent predictor that continues from this one's state, for forecasts several
        steps ahead from one step: the window's tokens, KV cache and tracks are copied (under
        1 MB for the tiny preset's 1296 points), the network, normaliser and instruction encoder
        shared, and no frame is encoded again."""
        stream = self._stream
        shared = (stream.model, stream.config, stream.normalizer, stream.instructions)
        return copy.deepcopy(self, {id(part): part for part in shared})

    def reset(self) -> None:
        self._stream.reset()
        self._history.reset()
        self._current = self._predicted = None

    def step(
        self, images: Sequence[np.ndarray], instruction: str, points: np.ndarray | None = None
    ) -> TrackPrediction:
        """images: one (H, W, 3) uint8 RGB frame per camera, in the checkpoint's camera order;
        instruction: the task in words; points: (n, 3) the tracked points observed now,
        camera-frame xyz [m], or None to continue from the last prediction."""
        n = self.num_points
        if points is not None:
            current = checked_array("points", points, (n, 3), f"{n} x 3 camera-frame xyz [m]")
        elif self._predicted is not None:
            current = self._predicted
        else:
            current = self.start_points
        # the move made at the previous step is the one that led to these points
        previous_move = None if self._current is None else (current - self._current).ravel()
        moves = self._stream.step(images, current.ravel(), instruction, previous_move)
        predicted = current + moves[0].reshape(n, 3)
        self._current, self._predicted = current, predicted
        return TrackPrediction(points=predicted, tracks=self._history.add(predicted))
