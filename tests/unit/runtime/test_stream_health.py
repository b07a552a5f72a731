"""StreamHealth: the rate, age and outages a node reports about a stream."""

import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.stream_health import StreamHealth


def test_the_rate_is_measured_over_the_window_ending_at_the_newest_sample():
    health = StreamHealth(window=1.0)
    for index in range(10):  # 10 Hz, then 30 Hz for the last second
        health.sample(index * 0.1)
    for index in range(1, 31):
        health.sample(0.9 + index / 30.0)
    assert health.rate == pytest.approx(30.0)


def test_fewer_than_two_samples_give_no_rate_and_none_gives_no_age():
    health = StreamHealth()
    assert health.rate == 0.0
    assert health.age(now=5.0) is None
    health.sample(4.0)
    assert health.rate == 0.0
    assert health.age(now=5.5) == pytest.approx(1.5)


def test_samples_after_a_failure_count_one_recovery_and_the_reason_is_kept():
    health = StreamHealth()
    health.sample(0.0)
    health.failure("video file ego.avi does not exist")
    health.failure("video file ego.avi does not exist")
    health.sample(1.0)
    health.sample(1.1)
    assert health.recoveries == 1
    assert health.last_error == "video file ego.avi does not exist"


def test_a_window_that_is_not_positive_is_refused():
    with pytest.raises(ConfigError, match="window"):
        StreamHealth(window=0.0)
