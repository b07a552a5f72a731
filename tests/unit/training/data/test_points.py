"""Point clips: xyz and (u, v, depth) agree, windows predict the next move, one view fills all."""

import numpy as np
import pytest
import torch

from arm4r_policy.collect.episode import project
from arm4r_policy.errors import DatasetError
from arm4r_policy.model.normalization import Normalizer
from arm4r_training.data import DataOptions, build_dataset, uvd_to_xyz
from arm4r_training.data.points import point_source
from tests.unit.training.data.builders import (
    GRID,
    INTRINSICS,
    our_episode_dir,
    points_config,
    tracks,
    write_point_clip,
)

DIM = 3 * GRID**2


def _identity():
    return Normalizer.identity(DIM, DIM)


def test_uvd_to_xyz_inverts_the_collector_projection():
    points = np.random.default_rng(0).uniform([-1, -1, 0.5], [1, 1, 3], size=(5, 7, 3))
    np.testing.assert_allclose(
        uvd_to_xyz(project(points, INTRINSICS), INTRINSICS), points, rtol=1e-6
    )
    with pytest.raises(DatasetError, match="invertible"):
        uvd_to_xyz(points, np.zeros((3, 3)))


def test_both_coordinate_forms_of_a_collected_clip_give_the_same_xyz(points_root):
    clip = our_episode_dir(points_root, "pick_cube", 0)
    tracks_entry = {"intrinsics": INTRINSICS.tolist()}
    xyz = point_source(clip, "xyz", tracks_entry).load(GRID**2)
    lifted = point_source(clip, "uvd", tracks_entry).load(GRID**2)
    np.testing.assert_allclose(lifted, xyz, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xyz, tracks(30, seed=0).points, rtol=0, atol=0)


def test_datasets_read_from_either_form_serve_the_same_windows(points_root):
    config = points_config()
    samples = []
    for form in ("xyz", "uvd"):
        dataset, _ = build_dataset(
            config,
            points_root,
            split="all",
            options=DataOptions(points_form=form),
            normalizer=_identity(),
        )
        assert {episode.points.form for episode in dataset.episodes} == {form}
        samples.append(dataset[5])
    for name in ("states", "actions", "targets"):
        torch.testing.assert_close(samples[0][name], samples[1][name], rtol=1e-5, atol=1e-5)


def test_point_windows_feed_the_points_and_predict_their_next_move(points_root):
    config = points_config()
    dataset, summary = build_dataset(config, points_root, split="all", normalizer=_identity())
    assert (summary.episodes, summary.steps, summary.windows) == (2, 29 + 31, 29 + 31)
    points = tracks(30, seed=0).points
    sample = dataset[25]  # steps 25 .. 28 have a target, the rest repeat step 28
    assert sample["states"].shape == (8, DIM)
    assert sample["targets"].shape == (8, 1, DIM)
    np.testing.assert_allclose(sample["states"][0], points[25].ravel(), atol=1e-6)
    np.testing.assert_allclose(
        sample["targets"][:4, 0], (points[26:30] - points[25:29]).reshape(4, -1), atol=1e-6
    )
    torch.testing.assert_close(sample["actions"], sample["targets"][:, 0])
    np.testing.assert_array_equal(sample["mask"][:, 0], [1, 1, 1, 1, 0, 0, 0, 0])


def test_points_mode_fits_its_own_statistics(points_root):
    dataset, _ = build_dataset(points_config(), points_root, split="all")
    assert dataset.normalizer.state_mean.shape == (DIM,)
    assert torch.isfinite(dataset[0]["targets"]).all()


def test_a_single_view_clip_feeds_its_image_to_every_camera_slot(tmp_path):
    root = tmp_path / "dataset"
    write_point_clip(root, "clip_0", tracks(31, seed=3).points.astype(np.float64))
    dataset, summary = build_dataset(
        points_config(), root, split="train", options=DataOptions(val_fraction=0.0)
    )
    assert summary.episodes == 1
    assert dataset.episodes[0].image_dirs == ("ego_video", "ego_video")
    images = dataset[(0, 4)]["images"]
    torch.testing.assert_close(images[:, 0], images[:, 1], rtol=0, atol=0)


def test_uvd_clips_are_lifted_with_the_intrinsics_of_their_meta_json(tmp_path):
    root = tmp_path / "dataset"
    points = tracks(31, seed=3).points.astype(np.float64)
    write_point_clip(root, "clip_0", points, form="uvd", intrinsics=INTRINSICS)
    dataset, _ = build_dataset(points_config(), root, split="all", normalizer=_identity())
    np.testing.assert_allclose(dataset[0]["states"][0], points[0].ravel(), rtol=1e-5)


def test_uvd_clips_without_intrinsics_and_clips_of_another_size_are_skipped(tmp_path):
    root = tmp_path / "dataset"
    points = tracks(31, seed=3).points.astype(np.float64)
    unliftable = write_point_clip(root, "clip_0", points, form="uvd")
    good = write_point_clip(root, "clip_1", points)
    _, summary = build_dataset(points_config(), root, split="all", normalizer=_identity())
    assert list(summary.skipped) == [unliftable]
    assert "no tracks intrinsics" in summary.skipped[unliftable]
    _, summary = build_dataset(
        points_config(grid=3), root, split="all", normalizer=Normalizer.identity(27, 27)
    )
    assert "shape (31, 4, 3)" in summary.skipped[good]
