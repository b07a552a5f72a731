"""A node's health on /diagnostics: one DiagnosticStatus, kept current and republished.

The status is published at once when its level changes and otherwise every ``period``. It is
logged at the matching severity when its level changes and otherwise at most once per period,
so a condition that persists does not flood the log.
"""

from __future__ import annotations

from collections.abc import Mapping

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

from arm4r_policy.nodes.topics import DIAGNOSTICS, RELIABLE_QOS

OK, WARN, ERROR = DiagnosticStatus.OK, DiagnosticStatus.WARN, DiagnosticStatus.ERROR


class DiagnosticsReporter:
    """``name``: the status name, e.g. ``"policy_node: policy loop"``; ``period`` [s]."""

    def __init__(self, node: Node, name: str, period: float = 1.0) -> None:
        self._node = node
        self._publisher = node.create_publisher(DiagnosticArray, DIAGNOSTICS, RELIABLE_QOS)
        self._status = DiagnosticStatus(level=DiagnosticStatus.STALE, name=name, message="starting")
        self._period_ns = round(period * 1e9)
        self._last_log_ns: int | None = None
        node.create_timer(period, self.publish)

    def report(
        self, level: bytes, message: str, values: Mapping[str, object] | None = None
    ) -> None:
        """Replace the status; ``level`` is one of OK, WARN, ERROR."""
        changed = level != self._status.level
        self._status = DiagnosticStatus(
            level=level,
            name=self._status.name,
            message=message,
            values=[KeyValue(key=key, value=str(value)) for key, value in (values or {}).items()],
        )
        now_ns = self._node.get_clock().now().nanoseconds
        if changed or self._last_log_ns is None or now_ns - self._last_log_ns >= self._period_ns:
            self._log(level, message)
            self._last_log_ns = now_ns
        if changed:
            self.publish()

    def publish(self) -> None:
        array = DiagnosticArray(status=[self._status])
        array.header.stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(array)

    def _log(self, level: bytes, message: str) -> None:
        # rclpy fixes the severity of each call site, hence one call per severity.
        logger = self._node.get_logger()
        if level == OK:
            logger.info(message)
        elif level == WARN:
            logger.warning(message)
        else:
            logger.error(message)
