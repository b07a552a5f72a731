"""How a stream of samples (camera frames, arm states) is doing: rate, age and outages.

What a node reports on /diagnostics about its input or output stream. Times are seconds on one
monotonic clock (``time.monotonic()``), passed in by the caller.
"""

from __future__ import annotations

from collections import deque

from arm4r_policy.errors import ConfigError

__all__ = ["StreamHealth"]


class StreamHealth:
    """Samples and failures of one stream.

    Args:
        window: the span of the newest samples the rate is measured over [s].

    Attributes:
        recoveries: how often samples came back after a failure.
        last_error: the reason of the newest failure, kept after a recovery; None before any.
    """

    def __init__(self, window: float = 2.0) -> None:
        if not window > 0.0:
            raise ConfigError(f"StreamHealth window = {window} s; expected > 0")
        self.window = window
        self.recoveries = 0
        self.last_error: str | None = None
        self._failing = False
        self._times: deque[float] = deque()

    def sample(self, time: float) -> None:
        """A sample taken at ``time`` [s]; the first one after a failure is a recovery."""
        if self._failing:
            self.recoveries += 1
            self._failing = False
        self._times.append(time)
        while time - self._times[0] > self.window:
            self._times.popleft()

    def failure(self, reason: str) -> None:
        """The stream failed (no sample in time, a source that vanished); ``reason`` says how."""
        self.last_error = reason
        self._failing = True

    @property
    def rate(self) -> float:
        """Samples per second [Hz] over the window ending at the newest sample; 0.0 with fewer
        than two samples in it."""
        span = self._times[-1] - self._times[0] if self._times else 0.0
        return (len(self._times) - 1) / span if span > 0.0 else 0.0

    def age(self, now: float) -> float | None:
        """Seconds from the newest sample to ``now``; None before the first sample."""
        return now - self._times[-1] if self._times else None
