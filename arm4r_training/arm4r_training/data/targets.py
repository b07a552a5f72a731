"""A window's network inputs and prediction targets, unnormalised, as the policy forms them.

Control mode (``arm4r_policy.runtime.policy``): the state at step t is the 10-D
``state7_to_state10(proprio[t])``; the K targets at step t are the actions t .. t + K - 1 (the
absolute poses reached next), each relative to state t with ``absolute_to_relative`` when
``relative_actions`` (gripper absolute), or absolute otherwise. The action token at step t is the
action taken at t in that same frame, i.e. the first target: at run time the policy builds it from
the state it saw at t and the state it reached at t + 1, the same pair. Training noise (Gaussian,
std ``state_noise``, on the 7-D state in its own units, as the public code adds it) perturbs the
state the model sees, and the targets and token are expressed relative to that perturbed state, so
``relative_to_absolute(observed state, prediction)`` still lands on the recorded pose.

Points mode (the public pre-training): the state at step t is the n tracked points p_t flattened
point by point to (3n,); target k is ``p_{t+1+k} - p_t`` (K = 1 in the paper); the token is again
the first target, ``p_{t+1} - p_t``, so tokens and targets share one normalisation.

Steps past an episode's end repeat its last step; a target exists (mask 1) where it lies inside
the episode: ``t + k < num_steps``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.runtime.pose import absolute_to_relative, state7_to_state10
from arm4r_training.data.episodes import Episode

STATE_NOISE = 0.005
"""Std of the training noise on the 7-D input state, in its own units (the public code's value)."""


@dataclass(frozen=True)
class WindowArrays:
    """Unnormalised float32 arrays of one window of T steps.

    Attributes:
        states: (T, state_dim) network state inputs.
        actions: (T, action_dim) action tokens, the action taken at each step.
        targets: (T, K, action_dim) prediction targets.
        mask: (T, K) 1.0 where the target lies inside the episode, else 0.0.
    """

    states: np.ndarray
    actions: np.ndarray
    targets: np.ndarray
    mask: np.ndarray


def _chunk_steps(steps: np.ndarray, horizon: int, num_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(T, K) step of each target, clamped to the episode, and whether it lies inside it."""
    wanted = steps[:, None] + np.arange(horizon)
    return np.minimum(wanted, num_steps - 1), (wanted < num_steps).astype(np.float32)


def control_window(
    proprio: np.ndarray,
    actions: np.ndarray,
    steps: np.ndarray,
    horizon: int,
    relative: bool,
    state_noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> WindowArrays:
    """Inputs and targets of ``steps`` of a control episode (see the module docstring).

    Args:
        proprio: (N, 7) states; actions: (N, 7) the action taken at each step.
        steps: (T,) step indices, >= 0; those >= N repeat step N - 1.
        horizon: K.
        relative: targets relative to the current state (``ARM4RConfig.relative_actions``).
        state_noise: std of the noise on the 7-D input state; needs ``rng`` when > 0.
    """
    num_steps = len(proprio)
    state7 = proprio[np.minimum(steps, num_steps - 1)].astype(np.float64)
    if state_noise > 0.0:
        state7 += rng.normal(0.0, state_noise, state7.shape)
    state10 = state7_to_state10(state7)
    chunk, mask = _chunk_steps(steps, horizon, num_steps)
    chunk10 = state7_to_state10(actions[chunk].astype(np.float64))  # (T, K, 10)
    targets = absolute_to_relative(state10[:, None], chunk10) if relative else chunk10
    return WindowArrays(
        states=state10.astype(np.float32),
        actions=targets[:, 0].astype(np.float32),
        targets=targets.astype(np.float32),
        mask=mask,
    )


def points_window(points: np.ndarray, steps: np.ndarray, horizon: int) -> WindowArrays:
    """Inputs and targets of ``steps`` of a point clip (see the module docstring).

    Args:
        points: (N + 1, n, 3) tracked points of the clip's N + 1 frames; N steps have a target.
        steps: (T,) step indices, >= 0; those >= N repeat step N - 1.
        horizon: K.
    """
    num_steps = len(points) - 1
    current = points[np.minimum(steps, num_steps - 1)].astype(np.float64)  # (T, n, 3)
    chunk, mask = _chunk_steps(steps, horizon, num_steps)
    moves = points[chunk + 1] - current[:, None]  # (T, K, n, 3)
    flat = moves.reshape(*moves.shape[:2], -1).astype(np.float32)
    return WindowArrays(
        states=current.reshape(len(steps), -1).astype(np.float32),
        actions=flat[:, 0],
        targets=flat,
        mask=mask,
    )


def episode_window(
    episode: Episode,
    steps: np.ndarray,
    config: ARM4RConfig,
    state_noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> WindowArrays:
    """``control_window`` or ``points_window`` of ``steps`` of an episode, by ``config.mode``."""
    if config.mode == "control":
        return control_window(
            episode.proprio,
            episode.actions,
            steps,
            config.horizon,
            config.relative_actions,
            state_noise,
            rng,
        )
    return points_window(episode.points.load(config.num_points), steps, config.horizon)
