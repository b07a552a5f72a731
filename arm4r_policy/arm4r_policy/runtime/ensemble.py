"""ACT-style temporal ensembling of predicted action chunks, in plain NumPy.

At every control step ``t`` the policy predicts a chunk of ``K`` future ABSOLUTE 10-D actions
(xyz, 6D rotation, gripper; see ``pose``), element ``j`` being the action for step ``t + j``. The
action executed at step ``t`` blends every stored prediction for step ``t``: the chunk issued at
step ``t - j`` contributes its element ``j``, for ``j < horizon`` and as far back as chunks exist
(at most ``horizon`` chunks).

Weights (the public ARM4R ``get_action_eval``): with the ``m`` contributing chunks indexed
``i = 0 .. m-1`` from OLDEST to NEWEST, ``w_i = exp(decay * i) / sum_k exp(decay * k)``, so for
``decay > 0`` newer chunks weigh more; ``decay = 0`` is the plain mean. Default ``decay = 0.05``,
``horizon = 16``.

Blending: position and gripper are weighted means; the 6D rotation is the weighted mean of the
6D vectors, made orthonormal again by Gram-Schmidt (``pose.rot6d_to_matrix``, which returns a
proper rotation even for a degenerate mean). The mean is taken around the newest prediction
(``x_new + sum_i w_i (x_i - x_new)``), so identical predictions blend to exactly that value.
The gripper is not thresholded here (the public code binarises it at 0.4 before blending; that
is the caller's choice).
"""

import math
from collections import deque
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.runtime.pose import STATE10_DIM, orthonormalize_rot6d

__all__ = [
    "ACTION_DIM",
    "DEFAULT_DECAY",
    "DEFAULT_HORIZON",
    "TemporalEnsembler",
    "blend_predictions",
    "ensemble_weights",
]

ACTION_DIM = STATE10_DIM
DEFAULT_HORIZON = 16
DEFAULT_DECAY = 0.05


def _check_decay(decay: float) -> float:
    if isinstance(decay, bool) or not isinstance(decay, Real) or not math.isfinite(decay):
        raise ConfigError(f"decay must be a finite real number >= 0, got {decay!r}")
    if decay < 0:
        raise ConfigError(f"decay must be >= 0 (0 = plain mean), got {decay!r}")
    return float(decay)


def _check_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def ensemble_weights(num_chunks: int, decay: float = DEFAULT_DECAY) -> NDArray[np.float64]:
    """Weights ``exp(decay * i) / sum``, ``i = 0`` (oldest) .. ``num_chunks - 1`` (newest).

    Computed as ``exp(decay * (i - (m - 1)))`` before normalising, which is the same value and
    cannot overflow for a large ``decay``.
    """
    m = _check_count(num_chunks, "num_chunks")
    k = _check_decay(decay)
    w = np.exp(k * (np.arange(m, dtype=np.float64) - (m - 1)))
    return w / w.sum()


def blend_predictions(predictions: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Blend ``(m, 10)`` absolute actions with ``(m,)`` weights summing to 1 -> ``(10,)`` float64.

    Weighted mean around the last row (exact for identical rows); the 6D rotation is
    re-orthonormalised by Gram-Schmidt.
    """
    p = np.asarray(predictions, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != ACTION_DIM or p.shape[0] < 1 or w.shape != (p.shape[0],):
        raise ObservationError(
            f"predictions must be (m, {ACTION_DIM}) with m >= 1 and weights (m,), "
            f"got {p.shape} and {w.shape}"
        )
    ref = p[-1]
    out = ref + w @ (p - ref)
    out[3:9] = orthonormalize_rot6d(out[3:9])
    return out


class TemporalEnsembler:
    """Streaming ACT-style ensembler over the last ``horizon`` chunks.

    ``add(chunk)`` stores a ``(horizon, 10)`` chunk issued at the current step and returns the
    blended action for that step. A chunk of the wrong shape, dtype or with non-finite values is
    rejected with ``ObservationError`` and leaves the ensembler unchanged. To ensemble over fewer
    chunks than the model predicts, build it with a smaller ``horizon`` and pass
    ``chunk[:horizon]``.
    """

    def __init__(self, horizon: int = DEFAULT_HORIZON, decay: float = DEFAULT_DECAY) -> None:
        self._horizon = _check_count(horizon, "horizon")
        self._decay = _check_decay(decay)
        self._chunks: deque[NDArray[np.float64]] = deque(maxlen=self._horizon)
        self._steps = 0

    @property
    def horizon(self) -> int:
        """Chunk length and the most chunks that can contribute to one step."""
        return self._horizon

    @property
    def decay(self) -> float:
        """Exponent coefficient of the weights (0 = plain mean)."""
        return self._decay

    @property
    def steps(self) -> int:
        """Chunks accepted since construction or the last ``reset``."""
        return self._steps

    @property
    def num_chunks(self) -> int:
        """Chunks contributing to the current step (``min(steps, horizon)``)."""
        return len(self._chunks)

    @property
    def weights(self) -> NDArray[np.float64]:
        """Weights of the current step's contributions, oldest first; empty before the first add."""
        if not self._chunks:
            return np.empty(0, dtype=np.float64)
        return ensemble_weights(len(self._chunks), self._decay)

    def predictions(self) -> NDArray[np.float64]:
        """The current step's contributing predictions ``(num_chunks, 10)``, oldest chunk first.

        Row ``i`` is element ``num_chunks - 1 - i`` of the ``i``-th stored chunk: the chunk issued
        ``j`` steps ago contributes its element ``j``.
        """
        m = len(self._chunks)
        if m == 0:
            return np.empty((0, ACTION_DIM), dtype=np.float64)
        return np.stack([chunk[m - 1 - i] for i, chunk in enumerate(self._chunks)])

    def add(self, chunk: ArrayLike) -> NDArray:
        """Store the chunk issued at this step; return the blended action ``(10,)`` for this step.

        The result has the chunk's floating dtype (float64 for integer input).
        """
        arr = self._validate(chunk)
        self._chunks.append(arr.astype(np.float64, copy=True))
        self._steps += 1
        action = blend_predictions(self.predictions(), self.weights)
        out_dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
        return action.astype(out_dtype, copy=False)

    def reset(self) -> None:
        """Forget every stored chunk (start of an episode)."""
        self._chunks.clear()
        self._steps = 0

    def _validate(self, chunk: ArrayLike) -> NDArray:
        try:
            arr = np.asarray(chunk)
        except (ValueError, TypeError) as exc:
            raise ObservationError(f"action chunk is not a numeric array: {exc}") from exc
        if arr.dtype.kind not in "fiu":
            raise ObservationError(f"action chunk must hold real numbers, got dtype {arr.dtype}")
        expected = (self._horizon, ACTION_DIM)
        if arr.shape != expected:
            raise ObservationError(f"action chunk must have shape {expected}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            bad = np.argwhere(~np.isfinite(arr))
            raise ObservationError(
                f"action chunk has {len(bad)} non-finite value(s), first at (step, dim) "
                f"{tuple(int(i) for i in bad[0])}"
            )
        return arr
