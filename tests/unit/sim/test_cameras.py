import math

import numpy as np
import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.cameras import (
    BRIO_FOVY_DEG,
    CameraPlacement,
    flip_camera_axes,
    fovy_from_diagonal_fov,
    intrinsics_matrix,
    project_points,
)


def test_brio_focal_length_follows_from_78_degree_diagonal_at_640x480():
    focal = 400.0 / math.tan(math.radians(39.0))
    k = intrinsics_matrix(BRIO_FOVY_DEG, 640, 480)
    assert k[0, 0] == pytest.approx(focal) == pytest.approx(493.96, abs=0.01)
    assert k[1, 1] == pytest.approx(focal)
    np.testing.assert_allclose(k[:2, 2], (319.5, 239.5))
    assert fovy_from_diagonal_fov(78.0, 640, 480) == pytest.approx(51.8, abs=0.05)


def test_intrinsics_scale_with_the_image_height():
    k_full = intrinsics_matrix(BRIO_FOVY_DEG, 640, 480)
    k_small = intrinsics_matrix(BRIO_FOVY_DEG, 224, 224)
    assert k_small[0, 0] == pytest.approx(k_full[0, 0] * 224 / 480)
    np.testing.assert_allclose(k_small[:2, 2], (111.5, 111.5))


def test_placement_looks_at_its_target_with_a_level_image_x_axis():
    camera = CameraPlacement("cam", position=(-0.3, 0.6, 1.8), target=(0.5, 0.0, 0.75))
    pose = camera.opencv_pose()
    forward = np.subtract(camera.target, camera.position)
    np.testing.assert_allclose(pose[:3, 2], forward / np.linalg.norm(forward))
    assert pose[2, 0] == pytest.approx(0.0)
    assert pose[2, 1] < 0.0  # image y (down) points down in the world
    np.testing.assert_allclose(pose[:3, :3] @ pose[:3, :3].T, np.eye(3), atol=1e-12)
    assert np.linalg.det(pose[:3, :3]) == pytest.approx(1.0)


def test_target_projects_to_the_principal_point():
    camera = CameraPlacement("cam", position=(1.0, 0.9, 1.6), target=(0.3, 0.0, 0.95))
    k = intrinsics_matrix(camera.fovy_deg, 640, 480)
    pixel = project_points(np.array([camera.target]), k, camera.opencv_pose())
    np.testing.assert_allclose(pixel[0], k[:2, 2], atol=1e-9)


def test_camera_axis_flip_is_its_own_inverse_and_keeps_image_x():
    rotation = CameraPlacement("cam", (0, -1, 1), (0, 0, 0)).opencv_pose()[:3, :3]
    np.testing.assert_allclose(flip_camera_axes(flip_camera_axes(rotation)), rotation)
    np.testing.assert_allclose(flip_camera_axes(rotation)[:, 0], rotation[:, 0])
    np.testing.assert_allclose(flip_camera_axes(rotation)[:, 2], -rotation[:, 2])


@pytest.mark.parametrize(
    ("position", "target", "fovy", "message"),
    [
        ((0, 0, 1), (0, 0, 1), 50.0, "equals position"),
        ((0, 0, 1), (0, 0, 0), 50.0, "straight up or down"),
        ((0, -1, 1), (0, 0, 0), 0.5, "fovy_deg"),
    ],
)
def test_degenerate_placements_are_rejected(position, target, fovy, message):
    with pytest.raises(ConfigError, match=message):
        CameraPlacement("cam", position, target, fovy).opencv_pose()
