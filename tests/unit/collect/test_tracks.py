"""Ground-truth point tracks: attached to bodies, carried with them, hidden behind occluders."""

import numpy as np
import pytest

from arm4r_policy.collect.episode import lift
from arm4r_policy.collect.tracks import GroundTruthTracker, grid_pixels
from tests.unit.collect.conftest import CUBE

IMAGE_SIZE = (96, 96)
GRID = 36


@pytest.fixture(params=["ego", "side"])
def tracker(request, cell):
    with GroundTruthTracker(cell, request.param, grid_size=GRID, image_size=IMAGE_SIZE) as tracker:
        yield tracker


def _body(cell, name):
    return cell.model.body(name).id


def test_grid_covers_the_image_evenly_row_by_row():
    pixels = grid_pixels(4, (8, 4))
    np.testing.assert_array_equal(pixels[:4], [[1, 0], [3, 0], [5, 0], [7, 0]])
    np.testing.assert_array_equal(pixels[::4, 1], [0, 1, 2, 3])
    assert len(grid_pixels(GRID, IMAGE_SIZE)) == GRID**2


def test_frame_zero_starts_on_the_grid_with_the_rendered_depth_all_visible(cell, tracker):
    tracker.sample()
    tracks = tracker.result()
    depth = cell.observe(depth=True, image_size=IMAGE_SIZE).depths[tracker.camera]
    u, v = tracker.pixels[:, 0], tracker.pixels[:, 1]
    np.testing.assert_allclose(tracks.uvd[0, :, :2], tracker.pixels, atol=1e-3)
    np.testing.assert_allclose(tracks.uvd[0, :, 2], depth[v, u], rtol=1e-5)
    assert tracks.visibility[0].all()
    assert tracks.points.shape == (1, GRID**2, 3)


def test_uvd_reprojects_to_the_camera_frame_points_with_the_stored_intrinsics(cell, tracker):
    tracker.sample()
    cell.set_object_pose("cube", np.add(CUBE, (0.05, 0.0, 0.1)))
    tracker.sample()
    tracks = tracker.result()
    np.testing.assert_allclose(
        tracks.intrinsics, cell.camera_intrinsics(tracker.camera, IMAGE_SIZE)
    )
    fx, fy, cx, cy = tracks.intrinsics[0, 0], tracks.intrinsics[1, 1], *tracks.intrinsics[:2, 2]
    x, y, z = np.moveaxis(tracks.points.astype(float), -1, 0)
    np.testing.assert_allclose(tracks.uvd[..., 0], fx * x / z + cx, rtol=1e-5)
    np.testing.assert_allclose(tracks.uvd[..., 1], fy * y / z + cy, rtol=1e-5)
    np.testing.assert_allclose(tracks.uvd[..., 2], z, rtol=1e-6)
    np.testing.assert_allclose(lift(tracks.uvd, tracks.intrinsics), tracks.points, rtol=1e-4)


def test_tracks_of_a_static_scene_stay_still(cell, tracker):
    cell.step(300)  # let the cube settle on the table
    for _ in range(5):
        tracker.sample()
        cell.step(100)
    points = tracker.result().points
    assert np.abs(points - points[0]).max() < 1e-4


def test_points_on_a_lifted_cube_move_with_it_and_table_points_stay(cell, tracker):
    lift_height = 0.1
    tracker.sample()
    position, quat = cell.object_pose("cube")
    cell.set_object_pose("cube", position + np.array([0.0, 0.0, lift_height]), quat)
    tracker.sample()
    points = tracker.result().points.astype(float)
    on_cube = tracker.bodies == _body(cell, "cube")
    on_world = tracker.bodies == 0
    assert on_cube.sum() >= 5
    assert on_world.sum() > 500
    world_from_camera = cell.base_pose @ cell.camera_extrinsics(tracker.camera)
    up_in_camera = world_from_camera[:3, :3].T @ (0.0, 0.0, lift_height)
    np.testing.assert_allclose(
        points[1, on_cube] - points[0, on_cube],
        up_in_camera[None].repeat(on_cube.sum(), 0),
        atol=1e-5,
    )
    assert np.abs(points[1, on_world] - points[0, on_world]).max() == 0.0


def test_points_hidden_behind_a_body_moved_in_front_of_them_are_not_visible(cell, tracker):
    tracker.sample()
    points = tracker.result().points[0].astype(float)
    table = np.flatnonzero(tracker.bodies == 0)
    target = table[np.argmin(np.linalg.norm(points[table, :2], axis=1))]  # near the optical axis
    world_from_camera = cell.base_pose @ cell.camera_extrinsics(tracker.camera)
    blocker = world_from_camera @ np.r_[0.4 * points[target], 1.0]  # 40% of the way there
    cell.set_object_pose("occluder", blocker[:3])
    tracker.sample()
    visibility = tracker.result().visibility
    assert visibility[0, target]
    assert not visibility[1, target]
    moved = np.abs(tracker.result().points[1] - tracker.result().points[0]).max(axis=1) > 0
    still_seen = visibility[1] | moved
    assert still_seen.mean() > 0.8  # only the points behind the occluder disappear


def test_points_that_leave_the_image_are_not_visible(cell, tracker):
    tracker.sample()
    on_cube = tracker.bodies == _body(cell, "cube")
    world_from_camera = cell.base_pose @ cell.camera_extrinsics(tracker.camera)
    # 1 m in front of the camera and 2 m to its right: far outside the field of view.
    cell.set_object_pose("cube", (world_from_camera @ (2.0, 0.0, 1.0, 1.0))[:3])
    tracker.sample()
    visibility = tracker.result().visibility
    assert visibility[0, on_cube].all()
    assert not visibility[1, on_cube].any()
