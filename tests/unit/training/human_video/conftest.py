"""Shared fixtures: one Kinova cell, local Depth Anything models, a headless and offline default."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch

from tests.unit.training.human_video.sim_video import open_cell


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The tiny models of these tests run fastest on one thread: a second one only waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def kinova_cell():
    with open_cell() as cell:
        yield cell


def save_depth_model(directory, kind: str):
    """A small Depth Anything model with random weights, saved as the hub copies are.

    Args:
        kind: ``"metric"`` (sigmoid head, depth up to 2 m) or ``"relative"`` (inverse depth).
    """
    from transformers import (
        DepthAnythingConfig,
        DepthAnythingForDepthEstimation,
        Dinov2Config,
        DPTImageProcessorPil,
    )

    backbone = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        patch_size=14,
        image_size=56,
        out_features=["stage1", "stage2"],
        reshape_hidden_states=False,
    )
    config = DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=32,
        neck_hidden_sizes=[16, 32],
        reassemble_factors=[2, 1],
        fusion_hidden_size=16,
        head_hidden_size=8,
        depth_estimation_type=kind,
        max_depth=2,
    )
    torch.manual_seed(0)
    DepthAnythingForDepthEstimation(config).save_pretrained(directory)
    DPTImageProcessorPil(
        size={"height": 56, "width": 56}, keep_aspect_ratio=True, ensure_multiple_of=14
    ).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def metric_depth_model(tmp_path_factory):
    """A local metric Depth Anything model directory (random weights)."""
    return save_depth_model(tmp_path_factory.mktemp("depth_anything_metric"), "metric")
