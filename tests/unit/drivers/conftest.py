"""Fixtures: a short MJPG AVI written with OpenCV in the test's temporary directory."""

from pathlib import Path

import pytest

from tests.unit.drivers.recordings import write_video


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """Ten frames at 100 fps."""
    return write_video(tmp_path / "ego.avi", frames=10)
