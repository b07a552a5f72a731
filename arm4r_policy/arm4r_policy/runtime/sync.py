"""When the policy may act: observations matched by their stamps, and the wait for a motion.

The control loop observes, predicts, executes one target as a motion and only then observes again.
Two pieces of bookkeeping make that safe without ROS:

- ``ObservationSynchronizer`` holds the recent messages of every input (camera frames, end-effector
  pose, gripper state) and hands out the newest set whose stamps lie within a tolerance of each
  other, all younger than a staleness limit and all newer than a given time. Each message is used
  at most once.
- ``MotionGate`` is closed from the moment a target is sent until the result of its motion arrives
  (matched by the target's stamp) or a timeout passes; it remembers when it opened, so the next
  observation can be required to show the world after the motion.

Times are integer nanoseconds on one clock (ROS time in the nodes); durations are in seconds.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arm4r_policy.errors import ConfigError

NS_PER_S = 1_000_000_000


def _check_duration(name: str, value: float) -> None:
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name}: expected a positive number of seconds, got {value!r}")


@dataclass(frozen=True)
class Observation:
    """One message per input, matched by stamp. ``anchor`` names the input whose stamp is
    the observation's stamp (the first camera in the nodes)."""

    stamps_ns: Mapping[str, int]
    values: Mapping[str, Any]
    anchor: str

    @property
    def stamp_ns(self) -> int:
        return self.stamps_ns[self.anchor]

    def ages(self, now_ns: int) -> dict[str, float]:
        """Age [s] of every input's message at ``now_ns``."""
        return {name: (now_ns - stamp) / NS_PER_S for name, stamp in self.stamps_ns.items()}


class Shortfall(enum.Enum):
    """Why no observation is ready."""

    MISSING = "missing"  # an input has sent nothing yet
    STALE = "stale"  # an input's newest message is older than the staleness limit
    NOT_NEWER = "not newer"  # an input has nothing newer than the last use or the given time
    UNSYNCHRONISED = "unsynchronised"  # fresh messages exist, but not within the tolerance


@dataclass(frozen=True)
class NotReady:
    kind: Shortfall
    reason: str  # names the input and the numbers that decided


class ObservationSynchronizer:
    """Matches the latest messages of named inputs by stamp.

    ``inputs``: the input names; the first is the anchor. ``tolerance``: [s] largest spread of the
    stamps within one observation. ``stale_after``: [s] oldest message that may be used.
    ``max_messages``: messages kept per input (older ones are dropped first).
    """

    def __init__(
        self,
        inputs: Sequence[str],
        tolerance: float,
        stale_after: float,
        max_messages: int = 64,
    ) -> None:
        if not inputs or len(set(inputs)) != len(inputs):
            raise ConfigError(f"inputs: expected distinct names, got {list(inputs)}")
        _check_duration("tolerance", tolerance)
        _check_duration("stale_after", stale_after)
        if max_messages < 1:
            raise ConfigError(f"max_messages: expected at least 1, got {max_messages}")
        self.inputs = tuple(inputs)
        self.tolerance_ns = round(tolerance * NS_PER_S)
        self.stale_after_ns = round(stale_after * NS_PER_S)
        self.max_messages = max_messages
        self._stamps: dict[str, list[int]] = {name: [] for name in self.inputs}
        self._values: dict[str, list[Any]] = {name: [] for name in self.inputs}
        self._used_ns: dict[str, int] = {name: -1 for name in self.inputs}

    def add(self, name: str, stamp_ns: int, value: Any) -> None:
        """Keep a message; a repeated stamp replaces the earlier message."""
        if name not in self._stamps:
            raise ConfigError(f"input {name!r}: expected one of {list(self.inputs)}")
        stamps, values = self._stamps[name], self._values[name]
        index = bisect.bisect_left(stamps, stamp_ns)
        if index < len(stamps) and stamps[index] == stamp_ns:
            values[index] = value
            return
        stamps.insert(index, stamp_ns)
        values.insert(index, value)
        # Nothing older than the staleness limit before the newest message can ever be used.
        keep_from = max(
            len(stamps) - self.max_messages,
            bisect.bisect_left(stamps, stamps[-1] - self.stale_after_ns),
        )
        del stamps[:keep_from], values[:keep_from]

    def take(self, now_ns: int, after_ns: int = -1) -> Observation | NotReady:
        """The newest usable observation at ``now_ns`` with every stamp after ``after_ns``.

        The messages handed out are marked used: later observations need newer ones.
        """
        shortfall = self._input_shortfall(now_ns)
        if shortfall is not None:
            return shortfall
        oldest_ns = now_ns - self.stale_after_ns
        usable = {}
        for name in self.inputs:
            floor = max(after_ns, self._used_ns[name], oldest_ns - 1)
            stamps = self._stamps[name]
            usable[name] = range(bisect.bisect_right(stamps, floor), len(stamps))
            if not usable[name]:
                newest = stamps[-1] / NS_PER_S
                return NotReady(
                    Shortfall.NOT_NEWER,
                    f"waiting for {name}: newest stamp {newest:.3f} s is not after "
                    f"{max(after_ns, self._used_ns[name]) / NS_PER_S:.3f} s",
                )
        anchor = self.inputs[0]
        for index in reversed(usable[anchor]):
            picked = {anchor: index}
            anchor_ns = self._stamps[anchor][index]
            for name in self.inputs[1:]:
                picked[name] = _nearest(self._stamps[name], usable[name], anchor_ns)
            stamps = {name: self._stamps[name][i] for name, i in picked.items()}
            if max(stamps.values()) - min(stamps.values()) <= self.tolerance_ns:
                self._used_ns.update(stamps)
                values = {name: self._values[name][i] for name, i in picked.items()}
                return Observation(stamps, values, anchor)
        newest = ", ".join(
            f"{name} {self._stamps[name][-1] / NS_PER_S:.3f}" for name in self.inputs
        )
        return NotReady(
            Shortfall.UNSYNCHRONISED,
            f"no messages within {self.tolerance_ns / NS_PER_S:.3f} s of each other; "
            f"newest stamps [s]: {newest}",
        )

    def _input_shortfall(self, now_ns: int) -> NotReady | None:
        """An input that has sent nothing, else the stalest input past the limit, else None."""
        for name in self.inputs:
            if not self._stamps[name]:
                return NotReady(Shortfall.MISSING, f"no message on {name} yet")
        ages = {name: now_ns - self._stamps[name][-1] for name in self.inputs}
        name, age = max(ages.items(), key=lambda item: item[1])
        if age > self.stale_after_ns:
            return NotReady(
                Shortfall.STALE,
                f"input {name} is {age / NS_PER_S:.3f} s old "
                f"(limit {self.stale_after_ns / NS_PER_S:.3f} s)",
            )
        return None


def _nearest(stamps: list[int], usable: range, target_ns: int) -> int:
    """The index in ``usable`` (a range over the sorted ``stamps``) closest to ``target_ns``."""
    index = bisect.bisect_left(stamps, target_ns, usable.start, usable.stop)
    neighbours = [i for i in (index - 1, index) if usable.start <= i < usable.stop]
    return min(neighbours, key=lambda i: abs(stamps[i] - target_ns))


class MotionGate:
    """Closed while a sent target's motion runs; opens on its result or after ``timeout`` [s]."""

    def __init__(self, timeout: float) -> None:
        _check_duration("timeout", timeout)
        self.timeout_ns = round(timeout * NS_PER_S)
        self.pending_ns: int | None = None  # stamp of the target whose result is awaited
        self.opened_at_ns = -1  # observations must be stamped after this
        self._closed_at_ns = 0

    @property
    def is_open(self) -> bool:
        return self.pending_ns is None

    def close(self, target_stamp_ns: int, now_ns: int) -> None:
        """A target stamped ``target_stamp_ns`` was sent at ``now_ns``; call while open."""
        self.pending_ns = target_stamp_ns
        self._closed_at_ns = now_ns

    def finish(self, target_stamp_ns: int, now_ns: int) -> bool:
        """A motion result arrived; True when it is the awaited one (the gate opens)."""
        if self.pending_ns is None or target_stamp_ns != self.pending_ns:
            return False
        self._open(now_ns)
        return True

    def expire(self, now_ns: int) -> int | None:
        """Opens the gate when the result is overdue; returns the stamp of that target."""
        if self.pending_ns is None or now_ns - self._closed_at_ns <= self.timeout_ns:
            return None
        overdue = self.pending_ns
        self._open(now_ns)
        return overdue

    def _open(self, now_ns: int) -> None:
        self.pending_ns = None
        self.opened_at_ns = now_ns
