import math

import pytest

from arm4r_policy.nodes.parameters import (
    existing_directory,
    optional_directory,
    positive,
    topic_names,
    unit_interval,
    vector3,
)


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (positive, [1e-9, 3.0], [0.0, -1.0, math.inf, math.nan]),
        (unit_interval, [0.0, 0.4, 1.0], [-0.1, 1.5, math.nan]),
        (vector3, [[0.0, 1.0, -2.0]], [[0.0, 1.0], [0.0, 1.0, math.nan], [1.0, 2.0, 3.0, 4.0]]),
        (topic_names, [["ego", "side"], ["wrist_2"]], [[], ["ego", "ego"], ["2cam"], ["a/b"]]),
    ],
)
def test_checks_accept_good_values_and_say_what_they_expected_of_bad_ones(check, good, bad):
    assert [check(value) for value in good] == [None] * len(good)
    for value in bad:
        assert isinstance(check(value), str)


def test_directories_must_exist_unless_optional_and_empty(tmp_path):
    assert existing_directory(str(tmp_path)) is None
    assert existing_directory("") == "an existing directory"
    assert existing_directory(str(tmp_path / "missing")) == "an existing directory"
    assert optional_directory("") is None
    assert optional_directory(str(tmp_path / "missing")) == "an existing directory"
