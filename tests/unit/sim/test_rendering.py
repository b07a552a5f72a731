"""Rendered images and depth agree with the intrinsics and extrinsics the cell reports."""

import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.sim import CellConfig, SimCell, Sphere, project_points
from arm4r_policy.sim.transforms import invert_pose, transform_points

MARKER_RADIUS = 0.012
MARKERS = {
    "kinova": (0.6, 0.15, 0.75 + MARKER_RADIUS),
    "franka": (0.45, 0.12, 0.75 + MARKER_RADIUS),
}
TABLE_POINTS = {"kinova": (0.5, 0.35, 0.75), "franka": (0.6, -0.3, 0.75)}


def _marker(position):
    return Sphere(
        name="marker", radius=MARKER_RADIUS, rgba=(0, 1, 0, 1), mass=0.01, position=position
    )


@pytest.fixture(scope="module", params=["kinova", "franka"])
def marked_cell(request):
    config = getattr(CellConfig, request.param)()
    with SimCell(config, objects=[_marker(MARKERS[request.param])]) as cell:
        yield cell


def _world_to_base(cell, points):
    return transform_points(cell.base_from_world, np.atleast_2d(points))


def test_observation_has_one_640x480_rgb_image_per_camera_and_none_is_blank(marked_cell):
    obs = marked_cell.observe()
    assert set(obs.images) == set(marked_cell.camera_names) == set(obs.intrinsics)
    for image in obs.images.values():
        assert image.shape == (480, 640, 3)
        assert image.dtype == np.uint8
        assert image.std() > 20.0
    assert obs.depths == {}


def test_other_resolutions_render_with_scaled_intrinsics(marked_cell):
    obs = marked_cell.observe(image_size=(224, 224))
    full = marked_cell.camera_intrinsics(marked_cell.camera_names[0])
    for name, image in obs.images.items():
        assert image.shape == (224, 224, 3)
        assert obs.intrinsics[name][1, 1] == pytest.approx(full[1, 1] * 224 / 480)


def test_depth_is_metric_along_the_optical_axis_on_the_table(marked_cell):
    obs = marked_cell.observe(depth=True)
    point = _world_to_base(marked_cell, TABLE_POINTS[marked_cell.config.name])
    for name, depth in obs.depths.items():
        assert depth.shape == (480, 640)
        assert depth.dtype == np.float32
        extrinsics = obs.extrinsics[name]
        u, v = np.rint(project_points(point, obs.intrinsics[name], extrinsics)[0]).astype(int)
        expected = (point[0] - extrinsics[:3, 3]) @ extrinsics[:3, 2]
        assert depth[v, u] == pytest.approx(expected, abs=0.005)


def test_a_world_point_projects_onto_the_pixel_where_it_is_rendered(marked_cell):
    obs = marked_cell.observe()
    centre = _world_to_base(marked_cell, marked_cell.object_pose("marker")[0])
    for name, image in obs.images.items():
        rgb = image.astype(int)
        green = (rgb[..., 1] > 100) & (rgb[..., 0] < 60) & (rgb[..., 2] < 60)
        assert green.sum() > 30, f"marker not visible in {name}"
        rows, cols = np.nonzero(green)
        expected = project_points(centre, obs.intrinsics[name], obs.extrinsics[name])[0]
        np.testing.assert_allclose((cols.mean(), rows.mean()), expected, atol=1.0)


def test_extrinsics_put_the_camera_where_it_was_placed(marked_cell):
    for placement in marked_cell.config.cameras:
        extrinsics = marked_cell.camera_extrinsics(placement.name)
        expected = invert_pose(marked_cell.base_pose) @ placement.opencv_pose()
        np.testing.assert_allclose(extrinsics, expected, atol=1e-9)


def test_unknown_camera_is_rejected_with_the_known_names(marked_cell):
    with pytest.raises(CommandError, match="cameras"):
        marked_cell.camera_extrinsics("wrist")
