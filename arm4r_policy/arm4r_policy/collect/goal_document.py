"""A demonstration's goal as a plain document: the task, its instruction and where things are.

What a scripted demonstration must know of the world (``scripted.DemoTargets``) together with
the names the episode is recorded under, as a mapping of strings, numbers and lists that JSON and
YAML carry unchanged. sim_node answers ``/arm4r/sim/goal`` with one (as JSON, with the episode
``seed`` added); on a real arm the operator writes one (YAML, parameter ``goal_file`` of the
collect node)::

    task: pick_cube
    variation: yellow
    instruction: pick up the yellow cube
    up: [0.0, 0.0, 1.0]                     # against gravity
    grasp:                                  # the object to pick; omitted for push buttons
      name: cube_yellow
      position: [0.55, 0.08, 0.02]          # where the TCP closes on it
      closing_axes: [[1, 0, 0], [0, 1, 0]]  # directions the jaws may close along (either sign)
      width: 0.04                           # its extent along those axes
    place: [0.5, -0.12, 0.07]               # where the TCP opens; omitted for pick
    presses:                                # buttons to push, in order; omitted unless pushing
      - {name: red, top: [0.5, 0.0, 0.03], travel: 0.008}
    lift: 0.05                              # how far a pick raises the object above its rest

Every vector is in the robot base frame, every length in metres.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from arm4r_policy.collect.scripted import DemoTargets
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.tasks.base import ButtonTarget, GraspTarget

__all__ = ["EpisodeGoal", "load_goal_file"]

_NAMES = ("task", "variation", "instruction")


@dataclass(frozen=True)
class EpisodeGoal:
    """The episode's names and instruction, and its targets in the base frame."""

    task: str
    variation: str
    instruction: str
    targets: DemoTargets

    def to_document(self) -> dict[str, Any]:
        """The goal as the document of the module docstring."""
        targets = self.targets
        document: dict[str, Any] = {
            "task": self.task,
            "variation": self.variation,
            "instruction": self.instruction,
            "up": _listed(targets.up),
            "lift": float(targets.lift),
        }
        if targets.grasp is not None:
            document["grasp"] = {
                "name": targets.grasp.name,
                "position": _listed(targets.grasp.position),
                "closing_axes": [_listed(axis) for axis in targets.grasp.closing_axes],
                "width": float(targets.grasp.width),
            }
        if targets.place is not None:
            document["place"] = _listed(targets.place)
        if targets.presses:
            document["presses"] = [
                {"name": button.name, "top": _listed(button.top), "travel": float(button.travel)}
                for button in targets.presses
            ]
        return document

    @classmethod
    def from_document(cls, document: Any, source: str) -> EpisodeGoal:
        """Read a goal document; ``source`` (a file, a service) starts every error message.

        Raises:
            ConfigError: a field is missing or malformed; the message names it.
        """
        fields = _Fields(document, source)
        names = [fields.text(name) for name in _NAMES]
        grasp = place = None
        if "grasp" in fields.document:
            grasp_fields = _Fields(fields.document["grasp"], f"{source}: grasp")
            axes = grasp_fields.document.get("closing_axes")
            if not isinstance(axes, list) or not axes:
                raise ConfigError(f"{source}: grasp.closing_axes: expected a list of 3-vectors")
            grasp = GraspTarget(
                name=grasp_fields.text("name"),
                position=grasp_fields.vector("position"),
                closing_axes=tuple(
                    _unit(_vector(axis, f"{source}: grasp.closing_axes")) for axis in axes
                ),
                width=grasp_fields.length("width"),
            )
        if "place" in fields.document:
            place = fields.vector("place")
        presses = tuple(
            ButtonTarget(
                name=button.text("name"), top=button.vector("top"), travel=button.length("travel")
            )
            for button in (
                _Fields(entry, f"{source}: presses[{index}]")
                for index, entry in enumerate(fields.document.get("presses") or [])
            )
        )
        if grasp is None and not presses:
            raise ConfigError(f"{source}: expected a grasp or presses; the goal names neither")
        lift = fields.length("lift") if "lift" in fields.document else 0.0
        up = _unit(fields.vector("up"))
        return cls(*names, DemoTargets(up, grasp, place, presses, lift))


def load_goal_file(path: str | Path) -> EpisodeGoal:
    """The goal document in the YAML file ``path``."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"goal file {path}: cannot be read as YAML ({error})") from error
    return EpisodeGoal.from_document(document, f"goal file {path}")


class _Fields:
    """A mapping read field by field, each error naming ``source`` and the field."""

    def __init__(self, document: Any, source: str) -> None:
        if not isinstance(document, Mapping):
            raise ConfigError(f"{source}: expected a mapping of fields, got {document!r}")
        self.document, self.source = document, source

    def _get(self, name: str) -> Any:
        if name not in self.document:
            raise ConfigError(f"{self.source}: field {name!r} is missing")
        return self.document[name]

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{self.source}: {name}: expected a non-empty string, got {value!r}")
        return value

    def vector(self, name: str) -> np.ndarray:
        return _vector(self._get(name), f"{self.source}: {name}")

    def length(self, name: str) -> float:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ConfigError(f"{self.source}: {name}: expected a length >= 0 [m], got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{self.source}: {name}: expected a finite length, got {value!r}")
        return float(value)


def _vector(value: Any, what: str) -> np.ndarray:
    try:
        vector = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        vector = np.empty(0)
    if vector.shape != (3,) or not np.all(np.isfinite(vector)):
        raise ConfigError(f"{what}: expected 3 finite numbers [x, y, z], got {value!r}")
    return vector


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if norm < 1e-9:
        raise ConfigError(f"direction {vector.tolist()}: expected a non-zero vector")
    return vector / norm


def _listed(vector: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(vector, dtype=float)]
