"""Windows hold exactly what the policy feeds the network at run time, and nothing past the end."""

import numpy as np
import pytest
import torch

from arm4r_policy.collect.episode import actions_from_states
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.runtime.pose import (
    absolute_to_relative,
    relative_to_absolute,
    state7_to_state10,
)
from arm4r_training.data import DataOptions, build_dataset
from arm4r_training.data.targets import control_window, points_window
from tests.unit.training.data.builders import control_config, trajectory, write_ours


@pytest.fixture(scope="module")
def one_episode(tmp_path_factory):
    root = tmp_path_factory.mktemp("one") / "dataset"
    write_ours(root, seed=0, steps=30)
    return root


def _window(root, config, key, split="all", options=None):
    dataset, _ = build_dataset(
        config, root, split=split, options=options, normalizer=Normalizer.identity(10, 10)
    )
    return dataset, dataset[key]


def test_relative_targets_of_one_window_match_the_pose_functions_step_by_step(one_episode):
    config = control_config()
    _, sample = _window(one_episode, config, 3)
    proprio = trajectory(30, seed=0).astype(np.float64)
    actions = actions_from_states(proprio)
    for i in range(config.context):
        t = 3 + i
        state10 = state7_to_state10(proprio[t])
        np.testing.assert_allclose(sample["states"][i], state10, atol=1e-6)
        # the token: what the policy derives one step later from the state it saw and the next
        token = absolute_to_relative(state10, state7_to_state10(proprio[t + 1]))
        np.testing.assert_allclose(sample["actions"][i], token, atol=1e-6)
        for k in range(config.horizon):
            expected = absolute_to_relative(state10, state7_to_state10(actions[t + k]))
            np.testing.assert_allclose(sample["targets"][i, k], expected, atol=1e-6)
    assert sample["mask"].eq(1).all()


def test_relative_targets_lead_back_to_the_recorded_poses(one_episode):
    config = control_config()
    _, sample = _window(one_episode, config, 10)
    proprio10 = state7_to_state10(trajectory(30, seed=0).astype(np.float64))
    for i in range(config.context):
        reached = relative_to_absolute(sample["states"][i].double().numpy(), sample["targets"][i])
        np.testing.assert_allclose(reached, proprio10[10 + i + 1 : 10 + i + 1 + 4], atol=1e-5)


def test_without_relative_actions_targets_are_the_absolute_next_states(one_episode):
    config = control_config(relative_actions=False)
    _, sample = _window(one_episode, config, 0)
    proprio10 = state7_to_state10(trajectory(30, seed=0).astype(np.float64))
    np.testing.assert_allclose(sample["actions"], proprio10[1:9], atol=1e-6)
    np.testing.assert_allclose(sample["targets"][:, 2], proprio10[3:11], atol=1e-6)


def test_mask_is_zero_exactly_for_targets_past_the_episode_end(one_episode):
    config = control_config()
    _, sample = _window(one_episode, config, 27)  # steps 27, 28, 29 exist
    step, ahead = np.meshgrid(np.arange(8), np.arange(4), indexing="ij")
    np.testing.assert_array_equal(sample["mask"], (27 + step + ahead < 30).astype(np.float32))


def test_steps_past_the_end_repeat_the_last_step(one_episode):
    config = control_config()
    _, sample = _window(one_episode, config, 27)
    for name in ("images", "states", "actions", "targets"):
        for padded in range(3, 8):
            torch.testing.assert_close(sample[name][padded], sample[name][2], rtol=0, atol=0)


def test_state_noise_moves_the_input_state_and_targets_follow_it(one_episode):
    config = control_config()
    options = DataOptions(state_noise=0.005, augmentation=None)
    _, noisy = _window(one_episode, config, 0, split="train", options=options)
    _, clean = _window(one_episode, config, 0, split="all")
    difference = (noisy["states"] - clean["states"])[:, [0, 1, 2, 9]]
    assert 0.001 < float(difference.std()) < 0.01
    # relative to the state the model sees, the targets still reach the recorded poses
    for i in range(config.context):
        reached = relative_to_absolute(noisy["states"][i].double().numpy(), noisy["targets"][i])
        expected = relative_to_absolute(clean["states"][i].double().numpy(), clean["targets"][i])
        np.testing.assert_allclose(reached, expected, atol=1e-5)


def test_validation_windows_carry_no_state_noise(one_episode):
    config = control_config()
    _, sample = _window(one_episode, config, 0, split="all")
    proprio10 = state7_to_state10(trajectory(30, seed=0).astype(np.float64))
    np.testing.assert_allclose(sample["states"], proprio10[:8], atol=1e-6)


def test_control_window_of_absolute_steps_pads_with_the_last_action():
    proprio = trajectory(30).astype(np.float64)
    arrays = control_window(proprio, actions_from_states(proprio), np.arange(28, 32), 2, True)
    last = absolute_to_relative(state7_to_state10(proprio[29]), state7_to_state10(proprio[29]))
    np.testing.assert_allclose(arrays.targets[1:, 1], np.broadcast_to(last, (3, 10)), atol=1e-6)
    np.testing.assert_array_equal(arrays.mask, [[1, 1], [1, 0], [0, 0], [0, 0]])


def test_points_window_predicts_the_next_move_of_every_point():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(31, 4, 3)).astype(np.float32)  # 31 frames: 30 steps with a target
    arrays = points_window(points, np.arange(27, 32), horizon=1)
    np.testing.assert_allclose(arrays.states[0], points[27].ravel())
    np.testing.assert_allclose(
        arrays.targets[:3, 0], (points[28:31] - points[27:30]).reshape(3, -1)
    )
    np.testing.assert_array_equal(arrays.actions, arrays.targets[:, 0])
    np.testing.assert_array_equal(arrays.mask[:, 0], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(arrays.states[4], points[29].ravel())
