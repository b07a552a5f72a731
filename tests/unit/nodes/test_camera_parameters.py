"""The camera node's parameters: the camera and calibration they configure, named errors."""

import pytest

from arm4r_policy.drivers.brio import BrioSource
from arm4r_policy.drivers.replay import ImageFolderSource, VideoFileSource
from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.camera_parameters import (
    PARAMETERS,
    load_camera_calibration,
    make_camera,
)

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}


def test_the_defaults_are_a_fixed_focus_brio_at_640x480_and_30_fps_with_automatic_exposure():
    camera = make_camera(DEFAULTS)
    assert isinstance(camera.source, BrioSource)
    config = camera.source.config
    assert (config.device, config.width, config.height, config.fps) == ("/dev/video0", 640, 480, 30)
    assert (config.autofocus, config.focus, config.exposure, config.white_balance) == (
        False,
        None,
        None,
        None,
    )
    assert camera.name == "ego"


def test_lens_values_reach_the_brio_config():
    values = DEFAULTS | {"focus": 0, "exposure": 156, "white_balance": 4000}
    config = make_camera(values).source.config
    assert (config.focus, config.exposure, config.white_balance) == (0, 156, 4000)


def test_a_focus_value_with_autofocus_on_is_refused_naming_focus():
    with pytest.raises(ConfigError, match="parameter focus"):
        make_camera(DEFAULTS | {"autofocus": True, "focus": 30})


def test_replay_plays_a_video_at_its_own_rate_unless_a_rate_is_given(tmp_path):
    values = DEFAULTS | {"backend": "replay", "device": str(tmp_path / "ego.avi")}
    assert make_camera(values).source.rate_hz is None
    source = make_camera(values | {"replay_rate_hz": 10.0, "replay_loop": False}).source
    assert isinstance(source, VideoFileSource)
    assert (source.rate_hz, source.loop) == (10.0, False)


def test_an_image_folder_needs_a_replay_rate(tmp_path):
    values = DEFAULTS | {"backend": "replay", "device": str(tmp_path)}
    with pytest.raises(ConfigError, match="parameter replay_rate_hz"):
        make_camera(values)
    assert isinstance(make_camera(values | {"replay_rate_hz": 15.0}).source, ImageFolderSource)


def test_no_calibration_file_means_no_calibration_and_a_bad_one_is_named(tmp_path):
    assert load_camera_calibration(DEFAULTS) is None
    (tmp_path / "ego.yaml").write_text("image_width: 640\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"parameter calibration: .*ego\.yaml.*missing"):
        load_camera_calibration(DEFAULTS | {"calibration": str(tmp_path / "ego.yaml")})
