"""Augmentations: one crop per camera and window, wrist views unchanged, evaluation = run time."""

import numpy as np
import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.runtime.images import IMAGENET_MEAN, IMAGENET_STD, images_to_input
from arm4r_training.data import DataOptions, ImageAugmentation, build_dataset
from arm4r_training.data.augment import camera_view, third_person_view, wrist_view
from arm4r_training.data.jpeg import decode_jpeg
from tests.unit.training.data.builders import control_config, image

SIZE = 32
MEAN = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
STD = torch.tensor(IMAGENET_STD).view(3, 1, 1)


def _frames(steps: int = 4, same: bool = False) -> np.ndarray:
    return np.stack([image("side", 0 if same else step, size=(48, 40)) for step in range(steps)])


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_third_person_view_has_the_network_shape_and_one_crop_for_the_whole_window():
    views = third_person_view(_frames(5, same=True), SIZE, ImageAugmentation(), _rng())
    assert views.shape == (5, 3, SIZE, SIZE)
    assert views.dtype == torch.float32
    for step in range(1, 5):
        torch.testing.assert_close(views[step], views[0], rtol=0, atol=0)


def test_third_person_view_is_random_across_seeds_and_repeatable_for_one():
    frames = _frames()
    first = third_person_view(frames, SIZE, ImageAugmentation(), _rng(1))
    again = third_person_view(frames, SIZE, ImageAugmentation(), _rng(1))
    other = third_person_view(frames, SIZE, ImageAugmentation(), _rng(2))
    torch.testing.assert_close(first, again, rtol=0, atol=0)
    assert not torch.allclose(first, other)


def test_a_full_crop_without_colour_change_is_the_run_time_input():
    neutral = ImageAugmentation(crop_scale=(1.0, 1.0), brightness=0.0, contrast=(1.0, 1.0))
    views = third_person_view(_frames(), SIZE, neutral, _rng())
    torch.testing.assert_close(views, images_to_input(_frames(), SIZE), rtol=0, atol=1e-6)


def test_contrast_scales_intensities_in_zero_to_one_before_normalisation():
    gain = ImageAugmentation(crop_scale=(1.0, 1.0), brightness=0.0, contrast=(1.2, 1.2))
    views = third_person_view(_frames(), SIZE, gain, _rng())
    plain = images_to_input(_frames(), SIZE)
    torch.testing.assert_close(views * STD + MEAN, 1.2 * (plain * STD + MEAN), atol=1e-5, rtol=0)


def test_brightness_shifts_every_intensity_of_a_window_by_one_offset():
    shift = ImageAugmentation(crop_scale=(1.0, 1.0), brightness=0.1, contrast=(1.0, 1.0))
    views = third_person_view(_frames(), SIZE, shift, _rng(3))
    offset = (views * STD + MEAN) - (images_to_input(_frames(), SIZE) * STD + MEAN)
    assert 0.0 < float(offset.abs().max()) <= 0.1 + 1e-6
    torch.testing.assert_close(offset, torch.full_like(offset, float(offset[0, 0, 0, 0])))


def test_wrist_view_is_resized_then_centre_cropped_without_randomness():
    frames = _frames()
    public_zoom = ImageAugmentation(wrist_resize=248 / 224)
    views = wrist_view(frames, SIZE, public_zoom)
    resized = round(SIZE * 248 / 224)  # 35 px
    offset = round((resized - SIZE) / 2)
    expected = images_to_input(frames, resized)[..., offset : offset + SIZE, offset : offset + SIZE]
    torch.testing.assert_close(views, expected, rtol=0, atol=0)
    by_directory = camera_view(frames, SIZE, "wrist_image_left", public_zoom, _rng(9))
    torch.testing.assert_close(by_directory, views, rtol=0, atol=0)


def test_default_wrist_view_is_the_run_time_input():
    frames = _frames()
    torch.testing.assert_close(
        wrist_view(frames, SIZE, ImageAugmentation()), images_to_input(frames, SIZE)
    )


def test_evaluation_views_are_the_run_time_input_for_every_camera():
    frames = _frames()
    for directory in ("exterior_image_1_left", "wrist_image_left"):
        torch.testing.assert_close(
            camera_view(frames, SIZE, directory, None, None), images_to_input(frames, SIZE)
        )


def test_augmentation_settings_are_checked_field_by_field():
    with pytest.raises(ConfigError, match="crop_scale"):
        ImageAugmentation(crop_scale=(0.0, 1.0))
    with pytest.raises(ConfigError, match="contrast"):
        ImageAugmentation(contrast=(1.2, 0.8))
    with pytest.raises(ConfigError, match="wrist_resize"):
        ImageAugmentation(wrist_resize=0.5)


def test_evaluation_samples_are_the_decoded_frames_as_the_policy_sees_them(control_root):
    config = control_config()
    dataset, _ = build_dataset(
        config, control_root, split="all", normalizer=Normalizer.identity(10, 10)
    )
    episode = dataset.episodes[0]
    sample = dataset[0]
    for slot, directory in enumerate(episode.image_dirs):
        frames = np.stack(
            [decode_jpeg(episode.path / "images" / directory / f"{s:05d}.jpg") for s in range(8)]
        )
        torch.testing.assert_close(sample["images"][:, slot], images_to_input(frames, SIZE))
    torch.testing.assert_close(dataset[0]["images"], sample["images"], rtol=0, atol=0)


def test_training_samples_crop_all_steps_of_a_window_alike(control_root):
    config = control_config()
    dataset, _ = build_dataset(
        config,
        control_root,
        split="train",
        options=DataOptions(val_fraction=0.0),
        normalizer=Normalizer.identity(10, 10),
    )
    last = dataset.episodes[0].num_steps - 1  # a window of one real step, the rest repeat it
    images = dataset[(0, last)]["images"]
    assert images.shape == (8, 2, 3, SIZE, SIZE)
    for step in range(1, 8):
        torch.testing.assert_close(images[step], images[0], rtol=0, atol=0)
    evaluation, _ = build_dataset(
        config, control_root, split="all", normalizer=Normalizer.identity(10, 10)
    )
    assert not torch.allclose(images[:, 0], evaluation[last]["images"][:, 0])
    assert not torch.allclose(dataset[(1, last)]["images"], images)  # a new epoch, a new crop
