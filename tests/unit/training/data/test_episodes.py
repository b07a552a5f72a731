"""One reader for both layouts: same content, same samples; cameras and instructions resolved."""

import numpy as np
import pytest
import torch

from arm4r_policy.collect.layout import EXTERIOR_CAMERA, WRIST_CAMERA
from arm4r_policy.errors import ConfigError
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import CLIP_ENCODER_NAME, HashingInstructionEncoder
from arm4r_training.data import ReadSpec, build_dataset, read_episode
from tests.unit.training.data.builders import (
    INSTRUCTION,
    control_config,
    embedding,
    our_episode_dir,
    trajectory,
    write_authors,
    write_ours,
)


def test_our_episode_and_the_same_one_in_the_authors_layout_give_the_same_samples(tmp_path):
    write_ours(tmp_path / "ours", seed=0)
    write_authors(tmp_path / "theirs", states=trajectory(30, seed=0), seed=0)
    samples = []
    for root in ("ours", "theirs"):
        dataset, _ = build_dataset(
            control_config(), tmp_path / root, split="all", normalizer=Normalizer.identity(10, 10)
        )
        samples.append(dataset[4])
    for name in samples[0]:
        torch.testing.assert_close(samples[0][name], samples[1][name], rtol=0, atol=0)


def test_camera_slots_follow_the_model_camera_order(control_root):
    ours = our_episode_dir(control_root, "pick_cube", 0)
    swapped = ReadSpec.of(control_config(camera_names=("ego", "side")))
    assert read_episode(ours, "pick_cube", swapped).image_dirs == (WRIST_CAMERA, EXTERIOR_CAMERA)
    by_directory = ReadSpec.of(control_config(camera_names=(EXTERIOR_CAMERA, WRIST_CAMERA)))
    assert read_episode(ours, "pick_cube", by_directory).image_dirs == (
        EXTERIOR_CAMERA,
        WRIST_CAMERA,
    )
    default = ReadSpec.of(control_config(camera_names=None))
    assert default.cameras == (EXTERIOR_CAMERA, WRIST_CAMERA)


def test_robot_camera_names_reach_the_authors_directories_by_the_kinova_defaults(control_root):
    theirs = control_root / "pick_cube" / "kinova_tasks" / "common_task" / "episode_a"
    episode = read_episode(theirs, "pick_cube", ReadSpec.of(control_config()))
    assert episode.image_dirs == (EXTERIOR_CAMERA, WRIST_CAMERA)
    assert episode.image_size == (40, 32)
    assert episode.num_steps == 30


def test_an_instruction_encoder_embeds_the_instruction_text(control_root):
    encoder = HashingInstructionEncoder()
    dataset, _ = build_dataset(
        control_config(), control_root, split="all", instruction_encoder=encoder
    )
    expected = encoder.embed(INSTRUCTION).numpy()
    for episode in dataset.episodes:
        np.testing.assert_array_equal(episode.instruction, expected)
    torch.testing.assert_close(dataset[0]["instruction"], torch.from_numpy(expected))


def test_a_hashing_model_gets_the_run_time_embedding_and_a_clip_model_the_stored_one(
    control_root,
):
    hashing, _ = build_dataset(control_config(), control_root, split="all")
    expected = HashingInstructionEncoder().embed(INSTRUCTION)
    torch.testing.assert_close(hashing[0]["instruction"], expected)
    clip_config = control_config(instruction_encoder=CLIP_ENCODER_NAME)
    clip, _ = build_dataset(clip_config, control_root, split="all")
    torch.testing.assert_close(clip[0]["instruction"], torch.from_numpy(embedding(seed=2)))


def test_an_encoder_of_another_embedding_space_is_refused(control_root):
    config = control_config(instruction_encoder="clip-vit-b-32")
    with pytest.raises(ConfigError, match="hashing-v1-512"):
        build_dataset(config, control_root, instruction_encoder=HashingInstructionEncoder())
