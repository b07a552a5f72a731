"""Trackers: Lucas-Kanade on real images, Depth Anything on a local model, clear refusals."""

import cv2
import numpy as np
import pytest

from arm4r_policy.errors import CheckpointError, ConfigError
from arm4r_training.human_video.trackers import (
    CoTrackerAdapter,
    DepthAnythingDepth,
    LucasKanadeTracker,
    SpatialTrackerAdapter,
    TrackerWithDepth,
    assumed_intrinsics,
    build_tracker,
    resized_intrinsics,
)
from arm4r_training.human_video.trackers.spatialtracker import (
    CHECKPOINT,
    PREDICTOR,
    ZOEDEPTH_WEIGHTS,
)
from tests.unit.training.human_video.conftest import save_depth_model

SIZE = 96  # [px] side of the synthetic frames


def texture(seed: int = 0) -> np.ndarray:
    """(2 SIZE, 2 SIZE, 3) uint8 smooth random texture, trackable everywhere."""
    noise = np.random.default_rng(seed).uniform(0, 255, (2 * SIZE, 2 * SIZE)).astype(np.float32)
    grey = cv2.GaussianBlur(noise, (0, 0), 2.0)
    grey = (grey - grey.min()) / np.ptp(grey) * 255
    return np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)


def shifted_frames(shifts: np.ndarray) -> np.ndarray:
    """(T, SIZE, SIZE, 3): a window onto ``texture`` moved by ``shifts`` (T, 2) [px]."""
    image = texture()
    frames = []
    for du, dv in shifts:
        # content moves by (du, dv): output pixel p shows texture pixel p - shift + SIZE / 2
        warp = np.array([[1.0, 0.0, SIZE / 2 - du], [0.0, 1.0, SIZE / 2 - dv]])
        frames.append(
            cv2.warpAffine(image, warp, (SIZE, SIZE), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        )
    return np.stack(frames)


def grid(count: int = 6, margin: int = 20) -> np.ndarray:
    line = np.linspace(margin, SIZE - 1 - margin, count)
    u, v = np.meshgrid(line, line)
    return np.stack([u.ravel(), v.ravel()], axis=1).astype(np.float32)


def test_lucas_kanade_follows_a_sub_pixel_translation():
    shifts = np.cumsum(np.tile([[1.3, -0.7]], (8, 1)), axis=0) - [1.3, -0.7]  # 0 at frame 0
    queries = grid()
    tracks = LucasKanadeTracker().track(shifted_frames(shifts), queries)
    assert tracks.visibility.all()
    expected = queries[None] + shifts[:, None, :]
    assert np.abs(tracks.positions - expected).max() < 0.1  # [px]


def test_lucas_kanade_holds_and_hides_points_while_an_occluder_covers_them():
    shifts = np.zeros((6, 2))
    frames = shifted_frames(shifts)
    frames[2:4, :, : SIZE // 2] = 128  # a flat grey board over the left half in frames 2 and 3
    queries = grid()
    tracks = LucasKanadeTracker().track(frames, queries)
    left = queries[:, 0] < SIZE // 2 - 10
    right = queries[:, 0] > SIZE // 2 + 10
    assert not tracks.visibility[2:4, left].any()
    assert tracks.visibility[:, right].all()
    assert tracks.visibility[4:, left].all()  # picked up as soon as the board is gone
    away = np.abs(tracks.positions - queries[None])[:, left | right]
    assert away.max() < 0.05  # [px] none carried away by the board


def test_depth_anything_runs_from_a_local_directory(metric_depth_model):
    frames = shifted_frames(np.zeros((3, 2)))
    depth = DepthAnythingDepth(metric_depth_model)
    maps = depth.estimate(frames)
    assert maps.shape == (3, SIZE, SIZE)
    assert maps.dtype == np.float32
    assert np.isfinite(maps).all()
    assert (maps > 0).all()
    assert (maps < 2).all()
    lifted = TrackerWithDepth(LucasKanadeTracker(), depth).track(frames, grid())
    assert lifted.uvd.shape == (3, 36, 3)
    assert lifted.visibility.all()
    np.testing.assert_allclose(lifted.intrinsics, assumed_intrinsics((SIZE, SIZE)))


def test_a_relative_depth_model_needs_a_median_depth_and_is_scaled_to_it(tmp_path):
    directory = save_depth_model(tmp_path / "relative", "relative")
    with pytest.raises(ConfigError, match="relative-depth model; give --median-depth"):
        DepthAnythingDepth(directory)
    maps = DepthAnythingDepth(directory, median_depth=0.8).estimate(
        shifted_frames(np.zeros((2, 2)))
    )
    valid = maps[0] > 0
    assert np.median(maps[0][valid]) == pytest.approx(0.8, rel=1e-4)


def test_the_depth_model_refusals_name_the_option_and_the_missing_files(tmp_path):
    with pytest.raises(CheckpointError, match="no directory given; pass --depth-weights DIR"):
        DepthAnythingDepth(None)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(CheckpointError) as error:
        DepthAnythingDepth(tmp_path)
    message = str(error.value)
    lacking = "lacks model.safetensors or pytorch_model.bin, preprocessor_config.json"
    assert f"{tmp_path} {lacking}" in message
    assert "huggingface.co/depth-anything" in message
    assert "nothing is downloaded" in message


def test_the_cotracker_refusals_name_the_checkpoint_then_the_package(tmp_path):
    with pytest.raises(CheckpointError, match=f"{tmp_path} lacks scaled_offline.pth"):
        CoTrackerAdapter(tmp_path)
    (tmp_path / "scaled_offline.pth").write_bytes(b"")
    with pytest.raises(CheckpointError) as error:
        CoTrackerAdapter(tmp_path)
    assert "cannot import the Python package 'cotracker.predictor'" in str(error.value)
    assert "pip install -e co-tracker" in str(error.value)


def test_the_spatialtracker_refusals_name_each_missing_file_of_the_checkout(tmp_path):
    with pytest.raises(CheckpointError) as error:
        SpatialTrackerAdapter(tmp_path)
    message = str(error.value)
    for missing in (PREDICTOR, CHECKPOINT, "ZoeD_M12_NK.pt", "dpt_beit_large_384.pt"):
        assert missing in message
    assert "github.com/henry123-boy/SpaTracker" in message


def test_spatialtracker_with_its_own_zoedepth_is_refused_without_cuda(tmp_path):
    for name in (PREDICTOR, CHECKPOINT, *ZOEDEPTH_WEIGHTS):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(CheckpointError, match="runs on CUDA only.*--depth-weights"):
        SpatialTrackerAdapter(tmp_path, device="cpu")


def test_build_tracker_names_the_choices_and_what_a_tracker_lacks():
    with pytest.raises(ConfigError, match="expected one of"):
        build_tracker("optical-flow")
    with pytest.raises(CheckpointError, match="--depth-weights"):
        build_tracker("lucas-kanade")
    with pytest.raises(CheckpointError, match="--tracker-weights"):
        build_tracker("cotracker")


def test_resized_intrinsics_scale_each_axis_and_keep_pixel_centres():
    source = assumed_intrinsics((456, 256))
    stored = resized_intrinsics(source, (456, 256), (224, 224))
    assert stored[0, 0] == pytest.approx(456 * 224 / 456)
    assert stored[1, 1] == pytest.approx(456 * 224 / 256)
    assert (stored[0, 2], stored[1, 2]) == pytest.approx((111.5, 111.5))
