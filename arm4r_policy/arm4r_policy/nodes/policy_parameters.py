"""The policy node's parameters, and the Policy (or, for a points checkpoint, the TrackPredictor)
and SafetyLimits they configure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from arm4r_policy.collect.layout import slot_cameras
from arm4r_policy.errors import ARM4RError, ConfigError
from arm4r_policy.model.checkpoint import load_config
from arm4r_policy.nodes.parameters import (
    ParameterSpec,
    existing_directory,
    non_empty,
    optional_directory,
    positive,
    topic_names,
    unit_interval,
    vector3,
)
from arm4r_policy.runtime.policy import Policy, PolicyOptions
from arm4r_policy.runtime.safety import SafetyLimits
from arm4r_policy.runtime.track_prediction import TrackPredictor


def _torch_device(value: str) -> str | None:
    expected = "a torch device of this machine, e.g. 'cpu' or 'cuda:0'"
    try:
        device = torch.device(value)
    except RuntimeError:
        return expected
    return expected if device.type == "cuda" and not torch.cuda.is_available() else None


def _thread_count(value: int) -> str | None:
    return None if value >= 0 else "0 (torch's default) or a positive number of threads"


PARAMETERS = (
    ParameterSpec(
        "checkpoint",
        "",
        "checkpoint directory (config.json, model.safetensors)",
        existing_directory,
    ),
    ParameterSpec(
        "text_weights", "", "local CLIP text-encoder directory; empty: none", optional_directory
    ),
    ParameterSpec("device", "cpu", "torch device the policy runs on", _torch_device),
    ParameterSpec(
        "torch_threads",
        0,
        "CPU threads of the policy's forward pass; 0: torch's default (all cores), which "
        "starves the simulator and cameras sharing a small machine",
        _thread_count,
    ),
    ParameterSpec(
        "camera_names",
        ["ego", "side"],
        "cameras whose /cameras/<name>/image_raw feed the policy; the checkpoint sets the order",
        topic_names,
    ),
    ParameterSpec("sync_tolerance", 0.05, "[s] largest stamp spread in one observation", positive),
    ParameterSpec("staleness_timeout", 0.5, "[s] oldest input a target may use", positive),
    ParameterSpec("workspace_min", [0.2, -0.6, 0.0], "[m] workspace box low corner", vector3),
    ParameterSpec("workspace_max", [0.9, 0.6, 0.8], "[m] workspace box high corner", vector3),
    ParameterSpec("max_translation", 0.05, "[m] longest step to one target", positive),
    ParameterSpec("max_rotation", 0.35, "[rad] largest rotation to one target", positive),
    ParameterSpec(
        "gripper_threshold", 0.4, "closure above which the gripper closes", unit_interval
    ),
    ParameterSpec("temporal_ensembling", True, "blend overlapping chunks (ACT-style)"),
    ParameterSpec("motion_timeout", 10.0, "[s] wait for a motion result, then go on", positive),
    ParameterSpec("dry_run", False, "send targets to /arm4r/dry_run/* only; never wait"),
    ParameterSpec("dry_run_rate_hz", 2.0, "[Hz] policy steps per second in a dry run", positive),
    ParameterSpec("frame_id", "base_link", "robot base frame of every pose", non_empty),
    ParameterSpec(
        "track_camera",
        "side",
        "points checkpoints: the camera of camera_names whose frame the tracks are in (the "
        "tracks camera of its training clips' meta.json)",
        non_empty,
    ),
    ParameterSpec(
        "track_rate_hz", 15.0, "[Hz] points checkpoints: track predictions per second", positive
    ),
)


def safety_limits(values: Mapping[str, Any]) -> SafetyLimits:
    return SafetyLimits(
        workspace_min=tuple(values["workspace_min"]),
        workspace_max=tuple(values["workspace_max"]),
        max_translation=values["max_translation"],
        max_rotation=values["max_rotation"],
        stale_after=values["staleness_timeout"],
    )


def load_policy(values: Mapping[str, Any]) -> Policy | TrackPredictor:
    """The checkpoint's policy, or its track predictor for a points checkpoint; a ConfigError
    names the parameter that does not fit."""
    options = PolicyOptions(
        temporal_ensembling=values["temporal_ensembling"],
        gripper_threshold=values["gripper_threshold"],
    )
    if values["torch_threads"]:
        torch.set_num_threads(values["torch_threads"])
    source = (values["checkpoint"], values["text_weights"] or None, values["device"])
    try:
        if load_config(values["checkpoint"]).mode == "points":
            policy = TrackPredictor.from_checkpoint(*source)
        else:
            policy = Policy.from_checkpoint(*source, options)
    except ARM4RError as error:
        raise ConfigError(
            f"parameter checkpoint ({values['checkpoint']!r}, text_weights "
            f"{values['text_weights']!r}): {error}"
        ) from error
    cameras = input_cameras(values, policy)
    if isinstance(policy, TrackPredictor) and values["track_camera"] not in cameras:
        raise ConfigError(
            f"parameter track_camera: expected one of camera_names {list(values['camera_names'])} "
            "for a points "
            f"checkpoint, got {values['track_camera']!r}"
        )
    return policy


def input_cameras(values: Mapping[str, Any], policy: Policy | TrackPredictor) -> tuple[str, ...]:
    """The cameras of ``camera_names`` in the order of the checkpoint's input slots."""
    config = policy.config
    try:
        return slot_cameras(config.camera_names, config.num_cameras, list(values["camera_names"]))
    except ConfigError as error:
        raise ConfigError(f"parameter camera_names: {error}") from error
