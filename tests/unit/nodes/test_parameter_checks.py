import math

import pytest

from arm4r_policy.nodes.parameter_checks import (
    non_negative,
    non_negative_integer,
    one_of,
    positive_integer,
    scale,
)


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (one_of(("sim", "moveit")), ["sim", "moveit"], ["", "Sim", "ros1"]),
        (positive_integer, [1, 640], [0, -3]),
        (non_negative_integer, [0, 7], [-1]),
        (non_negative, [0.0, 2.5], [-0.1, math.inf, math.nan]),
        (scale, [1e-3, 1.0], [0.0, 1.01, math.nan]),
    ],
)
def test_checks_accept_good_values_and_say_what_they_expected_of_bad_ones(check, good, bad):
    assert [check(value) for value in good] == [None] * len(good)
    for value in bad:
        assert isinstance(check(value), str)


def test_one_of_names_the_allowed_values():
    assert one_of(("sim", "moveit"))("ros1") == "one of ['moveit', 'sim']"
