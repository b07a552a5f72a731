import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.planning import LinearMotionLimits


def test_default_limits_are_valid_and_hashable():
    limits = LinearMotionLimits(joint_accelerations=[1.0] * 7)
    assert limits.joint_accelerations == (1.0,) * 7
    assert hash(limits) == hash(LinearMotionLimits(joint_accelerations=(1.0,) * 7))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"speed_scale": 0.0}, "speed_scale"),
        ({"speed_scale": 1.5}, "speed_scale"),
        ({"joint_accelerations": (1.0, -1.0)}, "joint_accelerations"),
        ({"max_tcp_speed": 0.0}, "max_tcp_speed"),
        ({"waypoint_spacing": float("nan")}, "waypoint_spacing"),
        ({"waypoint_angle": -0.1}, "waypoint_angle"),
        ({"max_joint_jump": 0.0}, "max_joint_jump"),
        ({"position_tolerance": 0.01}, "position_tolerance"),
        ({"rotation_tolerance": 0.1}, "rotation_tolerance"),
    ],
)
def test_invalid_limits_are_rejected_naming_the_field(changes, field):
    with pytest.raises(ConfigError, match=f"LinearMotionLimits.{field}"):
        LinearMotionLimits(**changes)


def test_tcp_speed_limit_can_be_switched_off():
    assert LinearMotionLimits(max_tcp_speed=None).max_tcp_speed is None
