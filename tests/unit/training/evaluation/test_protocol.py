"""Protocol arithmetic: evaluation seeds, success rates over seed groups, request checks, and
which cell camera feeds which input slot."""

import math
from pathlib import Path

import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4RConfig
from arm4r_training.evaluation import (
    DEFAULT_FIRST_SEED,
    SEED_GROUP_STRIDE,
    EvaluationRequest,
    evaluation_seed,
    policy_cameras,
    success_rate,
    success_rates,
)

from .records import records_solving


def test_seeds_are_deterministic_and_disjoint_across_seed_groups():
    seeds = [[evaluation_seed(100_000, g, i) for i in range(25)] for g in range(3)]
    assert seeds == [[evaluation_seed(100_000, g, i) for i in range(25)] for g in range(3)]
    flat = [seed for group in seeds for seed in group]
    assert len(set(flat)) == 75
    assert seeds[0][0] == 100_000
    assert seeds[1][0] == 100_000 + SEED_GROUP_STRIDE
    assert max(seeds[0]) < min(seeds[1])
    assert max(seeds[1]) < min(seeds[2])


def test_seeds_of_a_group_do_not_change_when_more_episodes_are_asked_for():
    assert [evaluation_seed(7, 2, i) for i in range(5)] == [
        evaluation_seed(7, 2, i) for i in range(50)
    ][:5]


def test_default_evaluation_seeds_are_far_above_collection_seeds():
    assert DEFAULT_FIRST_SEED >= 100_000
    assert evaluation_seed(DEFAULT_FIRST_SEED, 0, 0) == DEFAULT_FIRST_SEED


def test_an_episode_index_beyond_the_group_stride_is_refused():
    with pytest.raises(ConfigError, match="episode"):
        evaluation_seed(0, 0, SEED_GROUP_STRIDE)


def test_success_rate_is_the_mean_and_population_std_over_seed_groups():
    rate = success_rate("yellow", records_solving("yellow", [3, 2, 4], episodes=4))
    assert rate.per_group == (75.0, 50.0, 100.0)
    assert rate.mean == pytest.approx(75.0)
    assert rate.std == pytest.approx(math.sqrt((0**2 + 25**2 + 25**2) / 3))


def test_one_seed_group_has_zero_spread():
    rate = success_rate("cyan", records_solving("cyan", [1], episodes=3))
    assert rate.mean == pytest.approx(100 / 3)
    assert rate.std == 0.0


def test_success_rates_come_per_variation_in_order_of_evaluation():
    records = records_solving("green", [1, 1], 2) + records_solving("cyan", [2, 0], 2)
    rates = success_rates(records)
    assert [rate.name for rate in rates] == ["green", "cyan"]
    assert rates[0].per_group == (50.0, 50.0)
    assert rates[1].per_group == (100.0, 0.0)
    pooled = success_rate("all", records)
    assert pooled.per_group == (75.0, 25.0)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("episodes", 0, "episodes"),
        ("episodes", SEED_GROUP_STRIDE + 1, "episodes"),
        ("seed_groups", 0, "seed_groups"),
        ("first_seed", -1, "first_seed"),
        ("video_episodes", 3, "video_episodes"),
        ("max_steps", 0, "max_steps"),
    ],
)
def test_a_request_out_of_range_is_refused_naming_the_field(field, value, match):
    fields = dict(cell="kinova", task="pick_cube", checkpoint=Path("c"), out=Path("o"), episodes=2)
    with pytest.raises(ConfigError, match=match):
        EvaluationRequest(**{**fields, field: value})


def test_checkpoint_cameras_feed_their_slots_in_the_checkpoint_order():
    config = ARM4RConfig.tiny(camera_names=("side", "ego"))
    assert policy_cameras(config, ["ego", "side"]) == ("side", "ego")


def test_collection_directory_names_stand_for_the_cell_cameras_stored_under_them():
    config = ARM4RConfig.tiny(camera_names=("wrist_image_left", "exterior_image_1_left"))
    assert policy_cameras(config, ["ego", "side"]) == ("ego", "side")


def test_without_camera_names_the_slots_are_those_training_reads():
    assert policy_cameras(ARM4RConfig.tiny(), ["ego", "side"]) == ("side", "ego")
    assert policy_cameras(ARM4RConfig.tiny(), ["right", "left"]) == ("left", "right")


def test_a_checkpoint_camera_the_cell_lacks_is_refused():
    config = ARM4RConfig.tiny(camera_names=("ego", "front"))
    with pytest.raises(ConfigError, match="front"):
        policy_cameras(config, ["ego", "side"])
