import numpy as np
import pytest
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Header

from arm4r_policy.errors import ObservationError
from arm4r_policy.nodes.conversions import (
    format_stamp,
    gripper_closure,
    image_to_rgb,
    motion_result,
    motion_result_target_ns,
    ns_to_stamp,
    parse_stamp,
    pose_to_state7,
    rgb_to_image,
    stamp_to_ns,
    state7_to_pose,
    states_to_path,
)

RGB = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
HEADER = Header(stamp=Time(sec=12, nanosec=3), frame_id="base_link")


def padded_image(pixels: np.ndarray, encoding: str, padding: int) -> Image:
    """An Image whose rows carry ``padding`` junk bytes after the pixels."""
    height, width, channels = pixels.shape
    rows = np.full((height, width * channels + padding), 0xAB, dtype=np.uint8)
    rows[:, : width * channels] = pixels.reshape(height, -1)
    msg = Image(height=height, width=width, encoding=encoding, step=rows.shape[1])
    msg.data = rows.tobytes()
    return msg


@pytest.mark.parametrize("padding", [0, 3, 11])
def test_rgb8_rows_are_read_step_bytes_apart(padding):
    decoded = image_to_rgb(padded_image(RGB, "rgb8", padding))
    np.testing.assert_array_equal(decoded, RGB)
    assert decoded.flags.c_contiguous
    assert decoded.flags.owndata


@pytest.mark.parametrize("padding", [0, 5])
def test_bgr8_decodes_to_the_same_rgb(padding):
    np.testing.assert_array_equal(image_to_rgb(padded_image(RGB[..., ::-1], "bgr8", padding)), RGB)


def test_alpha_is_dropped_and_mono_is_repeated_on_all_channels():
    alpha = np.full((*RGB.shape[:2], 1), 7, dtype=np.uint8)
    rgba = padded_image(np.concatenate([RGB, alpha], axis=2), "rgba8", 2)
    bgra = padded_image(np.concatenate([RGB[..., ::-1], alpha], axis=2), "bgra8", 0)
    np.testing.assert_array_equal(image_to_rgb(rgba), RGB)
    np.testing.assert_array_equal(image_to_rgb(bgra), RGB)
    gray = RGB[..., :1]
    np.testing.assert_array_equal(
        image_to_rgb(padded_image(gray, "mono8", 1)), np.repeat(gray, 3, 2)
    )


def test_an_rgb_frame_survives_the_round_trip_through_an_image():
    msg = rgb_to_image(RGB, HEADER)
    assert (msg.encoding, msg.step, msg.header) == ("rgb8", 7 * 3, HEADER)
    np.testing.assert_array_equal(image_to_rgb(msg), RGB)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"encoding": "16UC1"}, "encoding '16UC1'"),
        ({"step": 20}, "step >= width \\* 3 = 21"),
        ({"height": 6}, "expected step \\* height = 126 bytes of data, got 105"),
    ],
)
def test_a_malformed_image_is_refused_naming_its_source(change, match):
    msg = rgb_to_image(RGB)
    for field, value in change.items():
        setattr(msg, field, value)
    with pytest.raises(ObservationError, match=f"^/cameras/ego/image_raw: .*{match}"):
        image_to_rgb(msg, "/cameras/ego/image_raw")


def canonical_states(count: int) -> np.ndarray:
    """States whose Euler angles are in the ranges the extraction returns."""
    rng = np.random.default_rng(1)
    return np.column_stack(
        [
            rng.uniform(-1, 1, (count, 3)),
            rng.uniform(-np.pi, np.pi, count),
            rng.uniform(-np.pi / 2 + 0.01, np.pi / 2 - 0.01, count),
            rng.uniform(-np.pi, np.pi, count),
            rng.uniform(0, 1, count),
        ]
    )


def test_a_state_survives_the_round_trip_through_a_pose():
    for state in canonical_states(50):
        pose = state7_to_pose(state, HEADER)
        assert pose.header == HEADER
        np.testing.assert_allclose(pose_to_state7(pose, state[6], "base_link"), state, atol=1e-9)


def test_pose_quaternions_are_read_x_y_z_w():
    pose = PoseStamped(header=HEADER)
    pose.pose.orientation.z, pose.pose.orientation.w = np.sin(np.pi / 4), np.cos(np.pi / 4)
    state = pose_to_state7(pose, 1.0, "base_link")
    np.testing.assert_allclose(state[3:], [0.0, 0.0, np.pi / 2, 1.0], atol=1e-12)
    written = state7_to_pose(state, HEADER).pose.orientation
    np.testing.assert_allclose(
        [written.x, written.y, written.z, written.w], [0, 0, 0.5**0.5, 0.5**0.5]
    )


def test_a_pose_in_another_frame_is_refused():
    with pytest.raises(ObservationError, match="expected frame 'base_link', got 'world'"):
        pose_to_state7(PoseStamped(header=Header(frame_id="world")), 0.0, "base_link")


def test_a_path_holds_one_pose_per_state_with_the_header():
    states = canonical_states(16)
    path = states_to_path(states, HEADER)
    assert path.header == HEADER
    assert len(path.poses) == 16
    for pose, state in zip(path.poses, states, strict=True):
        assert pose.header == HEADER
        np.testing.assert_allclose(pose_to_state7(pose, state[6], "base_link"), state, atol=1e-9)


def test_the_gripper_closure_is_read_by_joint_name():
    msg = JointState(name=["finger", "gripper"], position=[0.2, 0.7])
    assert gripper_closure(msg) == 0.7
    with pytest.raises(ObservationError, match="joint 'gripper'"):
        gripper_closure(JointState(name=["gripper"], position=[]))


def test_stamps_convert_exactly():
    stamp_ns = 1_732_569_600_004_000_001
    assert stamp_to_ns(ns_to_stamp(stamp_ns)) == stamp_ns
    assert format_stamp(12 * 10**9 + 3) == "12.000000003"
    assert parse_stamp(format_stamp(stamp_ns)) == stamp_ns


@pytest.mark.parametrize("text", ["12.3", "12", "-1.000000000", "12.000000003x", ""])
def test_a_stamp_not_written_as_sec_and_nine_digits_is_refused(text):
    with pytest.raises(ObservationError, match="9-digit"):
        parse_stamp(text)


def test_a_motion_result_names_its_target_by_stamp():
    done = motion_result(12 * 10**9 + 3, True, "reached", "executor")
    failed = motion_result(5, False, "joint limit", "executor")
    assert (done.level, failed.level) == (DiagnosticStatus.OK, DiagnosticStatus.ERROR)
    assert [(v.key, v.value) for v in done.values] == [("target_stamp", "12.000000003")]
    assert motion_result_target_ns(done) == 12 * 10**9 + 3
    assert motion_result_target_ns(failed) == 5
    with pytest.raises(ObservationError, match="'target_stamp'"):
        motion_result_target_ns(DiagnosticStatus())
