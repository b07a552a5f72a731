"""``colcon build`` installs the launch files, the cell configuration and the RViz layout."""

from tests.ros.harness import build_workspace

from .node_parameters import BRINGUP


def test_colcon_build_installs_launch_config_and_rviz_into_the_package_share():
    share = build_workspace() / "arm4r_bringup" / "share" / "arm4r_bringup"
    for folder in ("launch", "config", "rviz"):
        sources = sorted(path.name for path in (BRINGUP / folder).iterdir())
        installed = sorted(path.name for path in (share / folder).iterdir())
        assert sources, folder
        assert installed == sources, folder
