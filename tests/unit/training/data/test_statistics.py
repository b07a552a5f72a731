"""Normalisation statistics: every state and every existing target, fitted once, cached outside."""

import json

import numpy as np
import torch

from arm4r_policy.collect.episode import actions_from_states
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.runtime.pose import absolute_to_relative, state7_to_state10
from arm4r_training.data import DataOptions, build_dataset, fit_normalizer
from tests.unit.training.data.builders import control_config, trajectory

ALL = DataOptions(val_fraction=0.0)


def _states_and_targets(steps: int, seed: int, horizon: int):
    proprio = trajectory(steps, seed).astype(np.float64)
    actions = actions_from_states(proprio)
    states, targets = [], []
    for t in range(steps):
        state10 = state7_to_state10(proprio[t])
        states.append(state10)
        for k in range(horizon):
            if t + k < steps:
                targets.append(absolute_to_relative(state10, state7_to_state10(actions[t + k])))
    return states, targets


def test_statistics_cover_every_state_and_every_existing_target(control_root):
    config = control_config()
    dataset, _ = build_dataset(config, control_root, split="all", options=ALL)
    states, targets = [], []
    for steps, seed in ((30, 2), (30, 0), (34, 1)):  # the authors' episode and our two
        episode_states, episode_targets = _states_and_targets(steps, seed, config.horizon)
        states += episode_states
        targets += episode_targets
    expected = Normalizer.fit(torch.tensor(np.array(states)), torch.tensor(np.array(targets)))
    for name in ("state_mean", "state_std", "action_mean", "action_std"):
        torch.testing.assert_close(
            getattr(dataset.normalizer, name), getattr(expected, name).float(), atol=1e-6, rtol=1e-5
        )


def test_statistics_ignore_training_noise_and_augmentation(control_root):
    config = control_config()
    train, _ = build_dataset(config, control_root, split="train", options=ALL)
    evaluation, _ = build_dataset(config, control_root, split="all", options=ALL)
    assert train.normalizer.to_dict() == evaluation.normalizer.to_dict()


def test_statistics_are_cached_where_the_caller_says_and_read_back(tmp_path, control_root):
    config = control_config()
    cache = tmp_path / "run" / "normalization.json"
    first, _ = build_dataset(config, control_root, options=ALL, stats_file=cache)
    document = json.loads(cache.read_text())
    assert document["episodes"] == 3
    document["normalizer"]["state_mean"] = [7.0] * 10  # proves the next fit reads the file
    cache.write_text(json.dumps(document))
    second, _ = build_dataset(config, control_root, options=ALL, stats_file=cache)
    assert second.normalizer.state_mean.eq(7.0).all()
    assert second.normalizer.action_std.equal(first.normalizer.action_std)


def test_cached_statistics_of_other_episodes_are_recomputed(tmp_path, control_root):
    config = control_config()
    cache = tmp_path / "normalization.json"
    fewer, _ = build_dataset(config, control_root, tasks={"pick_cube": 1}, stats_file=cache)
    every, _ = build_dataset(config, control_root, options=ALL, stats_file=cache)
    assert not every.normalizer.state_mean.equal(fewer.normalizer.state_mean)
    assert fit_normalizer(every, cache).state_mean.equal(every.normalizer.state_mean)


def test_a_validation_set_normalises_with_the_training_statistics(control_root):
    config = control_config()
    train, _ = build_dataset(config, control_root, options=DataOptions(val_fraction=0.34), seed=0)
    val, summary = build_dataset(
        config,
        control_root,
        split="val",
        options=DataOptions(val_fraction=0.34),
        seed=0,
        normalizer=train.normalizer,
    )
    assert summary.episodes == 1
    assert val.normalizer is train.normalizer
    raw = state7_to_state10(val.episodes[0].proprio[0].astype(np.float64))
    expected = train.normalizer.normalize_state(torch.tensor(raw, dtype=torch.float32))
    torch.testing.assert_close(val[0]["states"][0], expected)
