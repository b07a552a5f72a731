"""Checks for ``ParameterSpec`` beyond those of ``parameters``: each returns what was expected
when the value is wrong, None when it is fine."""

from __future__ import annotations

import math
from collections.abc import Collection

from arm4r_policy.nodes.parameters import Check


def one_of(options: Collection[str]) -> Check:
    expected = f"one of {sorted(options)}"
    return lambda value: None if value in options else expected


def positive_integer(value: int) -> str | None:
    return None if value > 0 else "a positive integer"


def non_negative_integer(value: int) -> str | None:
    return None if value >= 0 else "an integer >= 0"


def non_negative(value: float) -> str | None:
    return None if math.isfinite(value) and value >= 0 else "a finite number >= 0"


def scale(value: float) -> str | None:
    return None if 0.0 < value <= 1.0 else "a number in (0, 1]"
