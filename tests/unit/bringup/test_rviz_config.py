"""rviz/arm4r.rviz: valid YAML showing what the nodes publish, each with a QoS that matches."""

import yaml

from arm4r_bringup.graph import CELLS
from arm4r_policy.nodes import topics

from .node_parameters import BRINGUP

CONFIG = BRINGUP / "rviz" / "arm4r.rviz"


def displays(entries):
    """Every display, groups flattened."""
    for entry in entries:
        yield entry
        yield from displays(entry.get("Displays", []))


def shown():
    """Topic -> (display class, reliability) of every display with a topic."""
    document = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    entries = displays(document["Visualization Manager"]["Displays"])
    found = {}
    for entry in entries:
        topic = entry.get("Topic") or entry.get("Description Topic")
        if topic is not None:
            found[topic["Value"]] = (entry["Class"], topic["Reliability Policy"])
    return found


def test_rviz_shows_both_camera_images_of_each_cell_best_effort():
    found = shown()
    for cell in CELLS.values():
        for camera in cell.cameras:
            image = topics.camera_image(camera)
            assert found[image] == ("rviz_default_plugins/Image", "Best Effort"), image


def test_rviz_shows_the_predicted_path_markers_and_poses():
    found = shown()
    assert found[topics.PREDICTED_PATH] == ("rviz_default_plugins/Path", "Reliable")
    assert found[topics.MARKERS] == ("rviz_default_plugins/MarkerArray", "Reliable")
    assert found[topics.EE_POSE] == ("rviz_default_plugins/Pose", "Best Effort")
    assert found[topics.TARGET_POSE] == ("rviz_default_plugins/Pose", "Reliable")


def test_rviz_shows_the_robot_model_of_the_hardware_bringup_and_tf():
    document = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    classes = {entry["Class"] for entry in displays(document["Visualization Manager"]["Displays"])}
    assert {"rviz_default_plugins/TF", "rviz_default_plugins/RobotModel"} <= classes
    assert shown()["/robot_description"][0] == "rviz_default_plugins/RobotModel"
