"""Node parameters: each declared with a default and a description, read once and checked at start.

Parameters are read-only after start. A missing or malformed value raises ``ConfigError`` naming
the parameter, the value seen and what was expected; ``run_node`` logs it and exits with status 1.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.exceptions import ParameterException
from rclpy.node import Node

from arm4r_policy.errors import ConfigError

# A check returns what was expected when the value is wrong, None when it is fine.
Check = Callable[[Any], str | None]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    default: bool | int | float | str | list  # its type is the parameter's type
    description: str  # what it sets, with the unit
    check: Check | None = None


def declare_parameters(node: Node, specs: Sequence[ParameterSpec]) -> dict[str, Any]:
    """Declare every parameter on ``node`` and return the checked values by name."""
    values = {}
    for spec in specs:
        descriptor = ParameterDescriptor(description=spec.description, read_only=True)
        try:
            value = node.declare_parameter(spec.name, spec.default, descriptor).value
        except ParameterException as error:
            raise ConfigError(f"parameter {spec.name}: {error}") from error
        expected = spec.check(value) if spec.check else None
        if expected is not None:
            raise ConfigError(f"parameter {spec.name}: expected {expected}, got {value!r}")
        values[spec.name] = value
    return values


def positive(value: float) -> str | None:
    return None if math.isfinite(value) and value > 0 else "a positive finite number"


def unit_interval(value: float) -> str | None:
    return None if 0.0 <= value <= 1.0 else "a number in [0, 1]"


def vector3(values: Sequence[float]) -> str | None:
    finite = len(values) == 3 and all(math.isfinite(v) for v in values)
    return None if finite else "3 finite numbers [x, y, z]"


def non_empty(value: str) -> str | None:
    return None if value.strip() else "a non-empty string"


def existing_directory(value: str) -> str | None:
    return None if value and os.path.isdir(value) else "an existing directory"


def optional_directory(value: str) -> str | None:
    return None if not value else existing_directory(value)


def topic_names(values: Sequence[str]) -> str | None:
    valid = values and len(set(values)) == len(values) and all(_NAME.fullmatch(v) for v in values)
    return None if valid else "distinct names of letters, digits and '_', starting with a letter"
