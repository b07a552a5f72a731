"""Colour keypoints computed once per frame stand in for the augmented images of every window."""

import math

import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model.arm4r import build_image_encoder
from arm4r_policy.model.normalization import Normalizer
from arm4r_training.data import DataOptions, ImageAugmentation, build_dataset
from arm4r_training.train import DataRequest, DistributedContext, RunSpec, prepare_run
from arm4r_training.train.sources import dataset_from_disk
from tests.unit.training.data.builders import control_config
from tests.unit.training.train.builders import run_options

CPU = DistributedContext(torch.device("cpu"))
UNCROPPED = ImageAugmentation(crop_scale=(1.0, 1.0))


def _training_set(root, augmentation):
    config = control_config(vision_encoder="colour_keypoints", keypoints=8)
    options = DataOptions(val_fraction=0.0, augmentation=augmentation)
    dataset, _ = build_dataset(
        config, root, split="train", options=options, normalizer=Normalizer.identity(10, 10)
    )
    return config, dataset


def test_positions_computed_once_are_those_of_each_window_s_brightened_images(control_root):
    config, pixels = _training_set(control_root, UNCROPPED)
    _, positions = _training_set(control_root, UNCROPPED)
    encoder = build_image_encoder(config)
    positions.use_image_positions(encoder, chunk=7)  # chunks that split the episodes
    for key in ((0, 0), (3, 5), (1, 29), (2, len(pixels) - 1)):
        served, read = positions[key], pixels[key]
        assert set(served) - set(read) == {"image_positions"}
        seen = encoder.positions(read["images"].flatten(0, 1)).view(served["image_positions"].shape)
        # equal up to the spread's epsilon: under a twentieth of a pixel
        torch.testing.assert_close(served["image_positions"], seen, rtol=0, atol=5e-3)
        for name in ("states", "actions", "targets", "mask", "instruction"):
            torch.testing.assert_close(served[name], read[name], rtol=0, atol=0)


def test_positions_are_refused_when_the_augmentation_crops(control_root):
    config, dataset = _training_set(control_root, ImageAugmentation())
    with pytest.raises(ConfigError, match="crops or zooms"):
        dataset.use_image_positions(build_image_encoder(config))


@pytest.mark.parametrize(
    ("encoder", "crop", "key"),
    [
        ("colour_keypoints", (1.0, 1.0), "image_positions"),
        ("colour_keypoints", (0.65, 1.0), "images"),
        ("keypoints", (1.0, 1.0), "images"),
    ],
)
def test_training_reads_positions_for_an_uncropped_colour_keypoint_model(
    control_root, encoder, crop, key
):
    config = control_config(vision_encoder=encoder, keypoints=8)
    request = DataRequest(roots=(control_root,), crop_scale=crop)
    sample = dataset_from_disk(config, request).dataset[(0, 0)]
    assert {"images", "image_positions"} & set(sample) == {key}


def test_a_colour_keypoint_stage3_run_trains_on_positions_read_from_disk(control_root, tmp_path):
    config = control_config(vision_encoder="colour_keypoints", keypoints=8)
    recipe = dict(batch_size=2, steps=4, warmup_steps=1, crop_scale=(1.0, 1.0))
    spec = RunSpec(3, DataRequest(roots=(control_root,)), run_options(tmp_path), config, recipe)
    steps = []
    summary = prepare_run(spec, CPU, dataset_from_disk, on_step=steps.append).run()
    assert len(steps) == 4
    assert all(math.isfinite(step.loss) for step in steps)
    assert summary.final_loss == steps[-1].loss
