"""A point-tracking checkpoint in the simulated graph: sim_node, policy_node and track_viz_node as
three processes over real DDS. The policy node predicts tracks and nothing else; the viz node
draws them in the robot base frame with the simulated side camera's extrinsics."""

import numpy as np
import pytest
import torch
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Path
from sensor_msgs.msg import Image, PointCloud2, PointField
from std_msgs.msg import Float64, Header
from visualization_msgs.msg import Marker, MarkerArray

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import stamp_to_ns
from arm4r_policy.nodes.markers import TRACK_POINTS_NAMESPACE, TRACKS_NAMESPACE
from arm4r_policy.nodes.point_clouds import cloud_to_points, points_to_cloud
from arm4r_policy.sim.transforms import invert_pose, transform_points

from .harness import SensorStream, diagnostics_matching, send_instruction
from .sim_graph import CAMERAS, CELL, INSTRUCTION, SIM_PARAMETERS, STARTUP

GRID = 4
N = GRID * GRID
TRACK_CAMERA = "side"
TRACK_LENGTH = 4
CLOUDS = 5  # drawn clouds awaited once the graph runs
RUNNING = 30.0  # [s] for CLOUDS predictions at 5 Hz on 2 busy cores


def side_extrinsics() -> np.ndarray:
    """(4, 4) camera-to-base pose of the simulated Kinova cell's side camera, from its placement."""
    (placement,) = [camera for camera in CELL.cameras if camera.name == TRACK_CAMERA]
    return invert_pose(CELL.base_pose) @ placement.opencv_pose()


@pytest.fixture(scope="module")
def points_checkpoint(tmp_path_factory):
    """A random tiny points model whose tracks start as a grid 1 m in front of the camera and
    move a few millimetres per step."""
    torch.manual_seed(0)
    config = ARM4RConfig.tiny(
        mode="points", grid=GRID, instruction_encoder="hashing-v1-512", camera_names=CAMERAS
    )
    u, v = np.meshgrid(np.linspace(-0.2, 0.2, GRID), np.linspace(-0.15, 0.15, GRID))
    grid = np.stack([u.ravel(), v.ravel(), np.ones(N)], axis=1)
    normalizer = Normalizer(
        state_mean=torch.tensor(grid.ravel(), dtype=torch.float32),
        state_std=torch.full((3 * N,), 0.1),
        action_mean=torch.zeros(3 * N),
        action_std=torch.full((3 * N,), 0.003),
    )
    directory = tmp_path_factory.mktemp("points_checkpoint")
    return save_checkpoint(directory, ARM4R(config), normalizer)


class Watched:
    """What the test records of the running graph."""

    def __init__(self, graph) -> None:
        self.clouds = graph.record(PointCloud2, topics.PREDICTED_TRACKS_POINTS)
        self.markers = graph.record(MarkerArray, topics.MARKERS)
        self.diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
        self.anchor_frames = graph.record(Image, topics.camera_image(CAMERAS[0]), topics.SENSOR_QOS)
        self.commands = [
            graph.record(PoseStamped, topics.TARGET_POSE),
            graph.record(PoseStamped, topics.DRY_RUN_TARGET_POSE),
            graph.record(Float64, topics.GRIPPER_COMMAND),
            graph.record(Float64, topics.DRY_RUN_GRIPPER_COMMAND),
            graph.record(Path, topics.PREDICTED_PATH),
        ]

    def track_arrays(self) -> list[MarkerArray]:
        return [array for array in self.markers.messages if _by_namespace(array)]

    def continued_track_arrays(self) -> list[MarkerArray]:
        """The track arrays that draw more than one position per point.

        The viz node restarts its tracks on an instruction; the sim node's latched one can reach it
        after its first clouds (late discovery on a busy machine), and the array after that restart
        draws one position per point.
        """
        lines = lambda array: _by_namespace(array).get(TRACKS_NAMESPACE, [])  # noqa: E731
        return [
            array
            for array in self.track_arrays()
            if lines(array) and all(len(line.points) >= 2 for line in lines(array))
        ]

    def cloud_at(self, stamp: Time) -> int | None:
        """Index of the recorded cloud stamped ``stamp``."""
        stamps = [stamp_to_ns(cloud.header.stamp) for cloud in self.clouds.messages]
        return stamps.index(stamp_to_ns(stamp)) if stamp_to_ns(stamp) in stamps else None


def _by_namespace(array: MarkerArray) -> dict[str, list[Marker]]:
    """The track markers of ``array`` by namespace."""
    found: dict[str, list[Marker]] = {}
    for marker in array.markers:
        if marker.ns in (TRACKS_NAMESPACE, TRACK_POINTS_NAMESPACE):
            found.setdefault(marker.ns, []).append(marker)
    return found


def xyz(marker: Marker) -> np.ndarray:
    return np.array([[p.x, p.y, p.z] for p in marker.points])


def test_predicted_tracks_are_published_in_the_camera_frame_and_drawn_in_the_base_frame(
    graph, start_node, points_checkpoint
):
    watched = Watched(graph)
    nodes = [
        start_node("sim_node", **SIM_PARAMETERS),
        start_node(
            "policy_node",
            checkpoint=str(points_checkpoint),
            camera_names=CAMERAS,
            track_camera=TRACK_CAMERA,
            track_rate_hz=5.0,
        ),
        start_node("track_viz_node", cell="kinova", track_length=TRACK_LENGTH),
    ]
    logs = lambda: "\n".join(node.output() for node in nodes)  # noqa: E731
    drawn = lambda: len(watched.continued_track_arrays()) >= CLOUDS  # noqa: E731
    assert graph.spin_until(drawn, STARTUP + RUNNING), logs()

    # the cloud: every tracked point, float32 xyz, in the side camera's optical frame, stamped
    # with the observation (the first camera's frame)
    frame_stamps = {stamp_to_ns(image.header.stamp) for image in watched.anchor_frames.messages}
    for cloud in watched.clouds.messages:
        assert cloud.header.frame_id == "side_optical_frame"
        assert cloud.width * cloud.height == N
        assert [(f.name, f.datatype) for f in cloud.fields] == [
            (axis, PointField.FLOAT32) for axis in "xyz"
        ]
        assert np.isfinite(cloud_to_points(cloud)).all()
    # the test's own best-effort image subscription may miss a frame the policy used
    stamped = [stamp_to_ns(cloud.header.stamp) in frame_stamps for cloud in watched.clouds.messages]
    assert sum(stamped) >= len(stamped) / 2, stamped

    # no track is longer than asked, even across a restart
    for array in watched.track_arrays():
        for line in _by_namespace(array).get(TRACKS_NAMESPACE, []):
            assert 1 <= len(line.points) <= TRACK_LENGTH

    # the markers of a drawn cloud: a line strip per point and the current points, base frame;
    # the newest array that continues its tracks and whose cloud and the cloud before it were both
    # recorded
    latest, index = next(
        (array, index)
        for array in reversed(watched.continued_track_arrays())
        if (index := watched.cloud_at(array.markers[0].header.stamp))
    )
    parts = _by_namespace(latest)
    lines, (current,) = parts[TRACKS_NAMESPACE], parts[TRACK_POINTS_NAMESPACE]
    assert sorted(line.id for line in lines) == list(range(N))
    assert all(line.type == Marker.LINE_STRIP for line in lines)
    assert current.type == Marker.SPHERE_LIST
    for marker in [*lines, current]:
        assert marker.header.frame_id == "base_link"
        assert marker.header.stamp == latest.markers[0].header.stamp

    # the points checked against the side camera's known extrinsics
    extrinsics = side_extrinsics()
    in_camera = cloud_to_points(watched.clouds.messages[index])
    expected = transform_points(extrinsics, in_camera)
    np.testing.assert_allclose(xyz(current), expected, atol=1e-6)
    # each line strip ends at its point, after the point's position in the cloud before
    before = transform_points(extrinsics, cloud_to_points(watched.clouds.messages[index - 1]))
    for line in lines:
        track = xyz(line)
        assert 2 <= len(track) <= TRACK_LENGTH
        np.testing.assert_allclose(track[-1], expected[line.id], atol=1e-6)
        np.testing.assert_allclose(track[-2], before[line.id], atol=1e-6)

    # a track predictor says what it is and never commands the robot
    assert diagnostics_matching(
        watched.diagnostics, DiagnosticStatus.OK, "tracks", "points checkpoint: no robot targets"
    )
    assert "publishes no robot target and no gripper command" in nodes[1].output()
    graph.spin_for(1.0)
    assert [len(recorder) for recorder in watched.commands] == [0] * len(watched.commands)


def test_a_track_predictor_refuses_a_nan_in_its_inputs_as_the_policy_does(
    graph, start_node, points_checkpoint
):
    clouds = graph.record(PointCloud2, topics.PREDICTED_TRACKS_POINTS)
    diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
    home = np.array([0.45, 0.0, 0.43, np.pi, 0.0, np.pi / 2, np.nan])
    SensorStream(graph, CAMERAS, home, size=(96, 96))
    send_instruction(graph, INSTRUCTION)
    node = start_node("policy_node", checkpoint=str(points_checkpoint), camera_names=CAMERAS)
    refused = (DiagnosticStatus.ERROR, "observation refused", "nan")
    assert graph.spin_until(lambda: diagnostics_matching(diagnostics, *refused), STARTUP), (
        node.output()
    )
    graph.spin_for(1.0)
    assert not clouds


def test_a_cloud_outside_the_cells_camera_frames_or_with_a_nan_is_refused_and_not_drawn(
    graph, start_node
):
    markers = graph.record(MarkerArray, topics.MARKERS)
    diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
    node = start_node("track_viz_node", cell="kinova")
    publisher = graph.publisher(PointCloud2, topics.PREDICTED_TRACKS_POINTS)
    points = np.array([[0.0, 0.0, 1.0], [0.1, 0.0, 1.0]])

    stamp = graph.node.get_clock().now().to_msg()
    elsewhere = points_to_cloud(points, Header(stamp=stamp, frame_id="left_optical_frame"))
    refused = lambda *words: diagnostics_matching(diagnostics, DiagnosticStatus.ERROR, *words)  # noqa: E731
    assert graph.publish_until(
        publisher, elsewhere, lambda: refused("point cloud refused", "'left'"), STARTUP
    ), node.output()

    nan = points.copy()
    nan[1, 0] = np.nan
    broken = points_to_cloud(nan, Header(stamp=stamp, frame_id="side_optical_frame"))
    assert graph.publish_until(publisher, broken, lambda: refused("finite points"), 5.0)
    assert not markers

    good = points_to_cloud(points, Header(stamp=stamp, frame_id="side_optical_frame"))
    assert graph.publish_until(publisher, good, lambda: bool(markers), 5.0), node.output()
    (current,) = _by_namespace(markers.messages[0])[TRACK_POINTS_NAMESPACE]
    np.testing.assert_allclose(xyz(current), transform_points(side_extrinsics(), points), atol=1e-6)
