"""Real hardware behind small interfaces, without ROS: cameras and arms.

Cameras (``Camera``: connect, read the newest frame with its capture stamps, disconnect):

- ``brio.BrioCamera``: a Logitech BRIO through OpenCV's V4L2 backend, fixed focus and exposure
  set through V4L2 controls (``v4l2``);
- ``replay.ReplayCamera``: a recorded video file or image folder played at a frame rate;
- both are ``threaded.ThreadedCamera``: a reader thread keeps only the newest frame and
  reconnects when the source vanishes.

Intrinsics: ``calibration`` reads and writes the ROS camera_calibration YAML format;
``calibration_fit`` scales it to the size frames arrive at.

Joint names of the vendor ROS drivers and their gripper joints: ``joint_state_layout``.

Arms (``runtime.robot.Robot`` via ``hardware_robot.HardwareRobot``):

- ``kortex.KortexRobot`` / ``kortex.KortexState``: Kinova Gen3 + Robotiq 2F-85 through
  ``kortex_api``;
- ``franka.FrankaRobot``: Franka Panda / FR3 + Franka Hand through ``franky``.

The vendor APIs are imported only inside the backends' methods, so every module here imports
anywhere; import a backend from its own module.
"""

from arm4r_policy.drivers.calibration import CameraCalibration, load_calibration, save_calibration
from arm4r_policy.drivers.camera import Camera, EndOfStream, Frame
from arm4r_policy.drivers.hardware_robot import ArmState, HardwareRobot, MountedCamera
from arm4r_policy.drivers.threaded import FrameSource, ThreadedCamera

__all__ = [
    "ArmState",
    "Camera",
    "CameraCalibration",
    "EndOfStream",
    "Frame",
    "FrameSource",
    "HardwareRobot",
    "MountedCamera",
    "ThreadedCamera",
    "load_calibration",
    "save_calibration",
]
