import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.sync import (
    MotionGate,
    NotReady,
    Observation,
    ObservationSynchronizer,
    Shortfall,
)

MS = 1_000_000
INPUTS = ("ego", "side", "pose")


def synchronizer(**overrides) -> ObservationSynchronizer:
    options = dict(tolerance=0.02, stale_after=0.5) | overrides
    return ObservationSynchronizer(INPUTS, **options)


def feed(sync: ObservationSynchronizer, stamp_ms: int, offsets_ms=(0, 0, 0)) -> None:
    for name, offset in zip(INPUTS, offsets_ms, strict=True):
        sync.add(name, (stamp_ms + offset) * MS, f"{name}@{stamp_ms + offset}")


def test_the_newest_matching_set_is_taken_with_the_anchor_stamp():
    sync = synchronizer()
    feed(sync, 1000)
    feed(sync, 1033, offsets_ms=(0, 5, -3))
    observation = sync.take(now_ns=1040 * MS)
    assert isinstance(observation, Observation)
    assert observation.stamp_ns == 1033 * MS
    assert observation.values == {"ego": "ego@1033", "side": "side@1038", "pose": "pose@1030"}
    assert observation.ages(1040 * MS) == pytest.approx({"ego": 0.007, "side": 0.002, "pose": 0.01})


def test_each_other_input_contributes_its_message_nearest_the_anchor():
    sync = synchronizer()
    sync.add("ego", 1000 * MS, "frame")
    sync.add("side", 1004 * MS, "frame")
    for stamp_ms in range(980, 1030, 10):
        sync.add("pose", stamp_ms * MS, stamp_ms)
    assert sync.take(now_ns=1030 * MS).values["pose"] == 1000


def test_an_input_that_never_sent_is_named():
    sync = synchronizer()
    sync.add("ego", 0, "frame")
    result = sync.take(now_ns=10 * MS)
    assert result == NotReady(Shortfall.MISSING, "no message on side yet")


def test_the_stalest_input_past_the_limit_is_named_with_its_age():
    sync = synchronizer()
    feed(sync, 0)
    sync.add("ego", 400 * MS, "frame")
    sync.add("pose", 400 * MS, "pose")
    result = sync.take(now_ns=700 * MS)
    assert result.kind is Shortfall.STALE
    assert result.reason == "input side is 0.700 s old (limit 0.500 s)"


def test_messages_further_apart_than_the_tolerance_are_not_matched():
    sync = synchronizer()
    feed(sync, 1000, offsets_ms=(0, 30, 0))
    result = sync.take(now_ns=1040 * MS)
    assert result.kind is Shortfall.UNSYNCHRONISED
    assert "within 0.020 s" in result.reason


def test_a_message_is_used_once():
    sync = synchronizer()
    feed(sync, 1000)
    assert isinstance(sync.take(now_ns=1010 * MS), Observation)
    assert sync.take(now_ns=1020 * MS).kind is Shortfall.NOT_NEWER
    feed(sync, 1033)
    assert sync.take(now_ns=1040 * MS).stamp_ns == 1033 * MS


def test_only_messages_after_the_given_time_are_used():
    sync = synchronizer()
    feed(sync, 1000)
    result = sync.take(now_ns=1010 * MS, after_ns=1005 * MS)
    assert result.kind is Shortfall.NOT_NEWER
    assert "ego" in result.reason
    feed(sync, 1033)
    assert sync.take(now_ns=1040 * MS, after_ns=1005 * MS).stamp_ns == 1033 * MS


def test_a_fresh_set_is_preferred_over_an_older_matching_one():
    sync = synchronizer(stale_after=0.1)
    feed(sync, 1000)
    feed(sync, 1150, offsets_ms=(0, 50, 0))  # newest set does not match
    result = sync.take(now_ns=1160 * MS)
    assert result.kind is Shortfall.UNSYNCHRONISED  # the matching set at 1000 is stale


def test_messages_arriving_out_of_order_are_kept_sorted_and_repeats_replace():
    sync = synchronizer()
    feed(sync, 1033)
    feed(sync, 1000)
    sync.add("ego", 1033 * MS, "replaced")
    assert sync.take(now_ns=1040 * MS).values["ego"] == "replaced"


def test_at_most_max_messages_are_kept_per_input():
    def matched(max_messages: int) -> bool:
        sync = synchronizer(tolerance=0.005, max_messages=max_messages)
        sync.add("ego", 1000 * MS, "frame")
        for stamp_ms in (1000, 1010, 1020):
            sync.add("side", stamp_ms * MS, "frame")
            sync.add("pose", stamp_ms * MS, "pose")
        return isinstance(sync.take(now_ns=1030 * MS), Observation)

    assert matched(max_messages=3)
    assert not matched(max_messages=2)  # the side frame at 1000 ms was dropped


@pytest.mark.parametrize(
    ("inputs", "options", "match"),
    [
        ((), {}, "inputs"),
        (("a", "a"), {}, "inputs"),
        (("a",), {"tolerance": 0.0}, "tolerance"),
        (("a",), {"stale_after": float("nan")}, "stale_after"),
        (("a",), {"max_messages": 0}, "max_messages"),
    ],
)
def test_bad_settings_name_the_field(inputs, options, match):
    with pytest.raises(ConfigError, match=match):
        ObservationSynchronizer(inputs, **({"tolerance": 0.02, "stale_after": 0.5} | options))


def test_an_unknown_input_name_is_refused():
    with pytest.raises(ConfigError, match="'wrist'"):
        synchronizer().add("wrist", 0, None)


def test_the_gate_is_open_until_a_target_is_sent():
    gate = MotionGate(timeout=2.0)
    assert gate.is_open
    gate.close(target_stamp_ns=5 * MS, now_ns=6 * MS)
    assert not gate.is_open
    assert gate.pending_ns == 5 * MS


def test_only_the_result_for_the_pending_target_opens_the_gate():
    gate = MotionGate(timeout=2.0)
    gate.close(target_stamp_ns=5 * MS, now_ns=6 * MS)
    assert not gate.finish(target_stamp_ns=4 * MS, now_ns=100 * MS)
    assert not gate.is_open
    assert gate.finish(target_stamp_ns=5 * MS, now_ns=200 * MS)
    assert gate.is_open
    assert gate.opened_at_ns == 200 * MS


def test_an_overdue_result_opens_the_gate_and_a_late_one_is_ignored():
    gate = MotionGate(timeout=1.0)
    gate.close(target_stamp_ns=5 * MS, now_ns=0)
    assert gate.expire(now_ns=1000 * MS) is None
    assert gate.expire(now_ns=1001 * MS) == 5 * MS
    assert gate.is_open
    assert gate.opened_at_ns == 1001 * MS
    assert not gate.finish(target_stamp_ns=5 * MS, now_ns=1500 * MS)
    assert gate.opened_at_ns == 1001 * MS


def test_an_open_gate_never_expires():
    assert MotionGate(timeout=1.0).expire(now_ns=10**12) is None
