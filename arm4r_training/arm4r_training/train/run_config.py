"""A run's model configuration and recipe values from a preset name or a YAML file.

A YAML run file has up to three sections, each optional:

    preset: tiny          # the model preset the file starts from: paper (default) or tiny
    model:                # ARM4RConfig fields over the preset
      context: 32
    recipe:               # Recipe fields over the stage's paper recipe
      lr: 1.0e-3
      batch_size: 64

Unknown sections and unknown fields are errors that name them. The stage sets the model mode.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4RConfig
from arm4r_training.train.recipe import RECIPE_FIELDS, STAGE_MODES

PRESETS = {"paper": ARM4RConfig.paper, "tiny": ARM4RConfig.tiny}
_SECTIONS = ("preset", "model", "recipe")
_MODEL_FIELDS = {f.name for f in dataclasses.fields(ARM4RConfig)}


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that also reads exponent floats without a dot (``5e-4``) as floats."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """The model a run trains and the recipe fields it sets over the stage preset."""

    model: ARM4RConfig
    recipe_values: dict[str, Any]


def resolve_run_config(source: str, stage: int, model_overrides: dict[str, Any]) -> RunConfig:
    """``source``: "paper", "tiny" or a YAML file; ``model_overrides`` win over both."""
    if source in PRESETS:
        preset, model_values, recipe_values = source, {}, {}
    elif Path(source).suffix in (".yaml", ".yml"):
        preset, model_values, recipe_values = _read_yaml(Path(source))
    else:
        raise ConfigError(
            f"--config: expected {' or '.join(PRESETS)} or a .yaml file, got {source!r}"
        )
    mode = STAGE_MODES[stage]
    if model_values.get("mode", mode) != mode:
        raise ConfigError(
            f"{source}: model.mode {model_values['mode']!r} does not fit Stage {stage}, "
            f"which trains a {mode} model"
        )
    values = {**model_values, **model_overrides, "mode": mode}
    try:
        model = PRESETS[preset](**values)
    except TypeError as error:  # a field of the wrong kind, e.g. a number for a list
        raise ConfigError(f"{source}: model: {error}") from error
    return RunConfig(model, recipe_values)


def _read_yaml(path: Path) -> tuple[str, dict[str, Any], dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"--config: no file {path}")
    try:
        content = yaml.load(path.read_text(), Loader=_Loader) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from error
    _expect_mapping(content, str(path))
    _reject_unknown(content, _SECTIONS, str(path), "section")
    preset = content.get("preset", "paper")
    if preset not in PRESETS:
        raise ConfigError(f"{path}: preset: expected one of {sorted(PRESETS)}, got {preset!r}")
    model = content.get("model") or {}
    recipe = content.get("recipe") or {}
    _expect_mapping(model, f"{path}: model")
    _expect_mapping(recipe, f"{path}: recipe")
    _reject_unknown(model, _MODEL_FIELDS, f"{path}: model", "field")
    _reject_unknown(recipe, set(RECIPE_FIELDS) - {"stage"}, f"{path}: recipe", "field")
    return preset, model, recipe


def _expect_mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")


def _reject_unknown(values: dict[str, Any], known: Any, where: str, kind: str) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown {kind}(s) {unknown}; known: {sorted(known)}")
