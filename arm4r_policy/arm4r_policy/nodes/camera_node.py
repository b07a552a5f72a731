"""ROS 2 node publishing one camera: a Logitech BRIO over V4L2, or a recording played back.

Publishes ``/cameras/<camera_name>/image_raw`` (sensor_msgs/Image rgb8, sensor-data QoS) and,
when the parameter ``calibration`` names a camera_calibration YAML, ``/cameras/<camera_name>/
camera_info`` with the intrinsics rescaled to the frame size (drivers/calibration_fit.py). Both
carry the frame's capture time (``Frame.wall``) and ``frame_id``. ``/diagnostics`` reports the
frame rate achieved, the frame age at publishing, the reconnects and the last error.

The driver's reader thread keeps only the newest frame and reopens a source that vanished
(drivers/threaded.py). This node waits for each new frame in a timer callback, at most
``frame_timeout`` (the node serves nothing else), and publishes it. A camera that cannot be
opened, stalls or vanishes never stops the node: diagnostics go to ERROR with the reason, and
publishing resumes when frames come back. A replay that does not loop ends with a WARN.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from arm4r_policy.drivers.calibration_fit import calibration_for_frames
from arm4r_policy.drivers.camera import EndOfStream, Frame
from arm4r_policy.errors import ConfigError, HardwareError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.camera_parameters import PARAMETERS, load_camera_calibration, make_camera
from arm4r_policy.nodes.conversions import ns_to_stamp, rgb_to_image
from arm4r_policy.nodes.diagnostics import ERROR, OK, WARN, DiagnosticsReporter
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.process import run_node
from arm4r_policy.runtime.stream_health import StreamHealth
from arm4r_policy.runtime.sync import NS_PER_S

NODE_NAME = "camera_node"
READ_PERIOD = 0.001  # [s] the read callback waits for frames itself; the timer only restarts it
CONNECT_PERIOD = 1.0  # [s] between attempts to open a camera that could not be opened


def image_encoder() -> Callable[[np.ndarray, Header], Image]:
    """(H, W, 3) uint8 RGB and a header -> rgb8 Image: cv_bridge's ``cv2_to_imgmsg`` where
    cv_bridge is installed, else ``conversions.rgb_to_image``, which builds the same message."""
    try:
        from cv_bridge import CvBridge
    except ImportError:
        return rgb_to_image
    bridge = CvBridge()
    return lambda rgb, header: bridge.cv2_to_imgmsg(rgb, encoding="rgb8", header=header)


class CameraNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        name = p["camera_name"]
        self.camera = make_camera(p)
        self.calibration = load_camera_calibration(p)
        self.frame_id = p["frame_id"] or f"{name}_optical_frame"
        self.frame_timeout = p["frame_timeout"]
        self.encode = image_encoder()
        self.health = StreamHealth()
        self.diagnostics = DiagnosticsReporter(self, f"{NODE_NAME}: {name}")
        self.image_out = self.create_publisher(Image, topics.camera_image(name), topics.SENSOR_QOS)
        if self.calibration is None:
            self.info_note = "not published: parameter calibration is empty"
            self.get_logger().warning(f"camera_info {self.info_note}")
        else:
            self.info_note = f"from {p['calibration']}"
            self.info_out = self.create_publisher(
                CameraInfo, topics.camera_info(name), topics.SENSOR_QOS
            )
        self.reader = self.create_timer(READ_PERIOD, self._read)
        self.reader.cancel()
        self.connector = self.create_timer(CONNECT_PERIOD, self._connect)
        self._connect()

    def destroy_node(self) -> None:
        self.camera.disconnect()
        super().destroy_node()

    def _connect(self) -> None:
        try:
            self.camera.connect()
        except HardwareError as error:
            self._report_failure(f"{error}; next attempt in {CONNECT_PERIOD:g} s")
            return
        self.connector.cancel()
        self.reader.reset()

    def _read(self) -> None:
        try:
            frame = self.camera.read(self.frame_timeout)
        except TimeoutError as error:
            self._report_failure(str(error))
        except EndOfStream as end:
            self.reader.cancel()
            self.diagnostics.report(WARN, f"{end}: no more frames", self._values())
        except HardwareError as error:  # the reader thread failed: open the camera anew
            self.camera.disconnect()
            self.reader.cancel()
            self.connector.reset()
            self._report_failure(str(error))
        else:
            self._publish(frame)

    def _publish(self, frame: Frame) -> None:
        header = Header(stamp=ns_to_stamp(round(frame.wall * NS_PER_S)), frame_id=self.frame_id)
        self.image_out.publish(self.encode(frame.image, header))
        height, width = frame.image.shape[:2]
        misfit = self._publish_info(header, width, height)
        self.health.sample(frame.monotonic)
        streaming = f"{width}x{height} frames from {self.camera.source.description}"
        level, message = (OK, streaming) if misfit is None else (ERROR, f"{streaming}; {misfit}")
        self.diagnostics.report(level, message, self._values())

    def _publish_info(self, header: Header, width: int, height: int) -> str | None:
        """Publish the intrinsics of ``width`` x ``height`` frames; None, or why they are not."""
        if self.calibration is None:
            return None
        try:
            fitted = calibration_for_frames(self.calibration, width, height)
        except ConfigError as error:
            return f"camera_info not published: {error}"
        self.info_out.publish(CameraInfo(header=header, **fitted.camera_info_fields()))
        return None

    def _report_failure(self, reason: str) -> None:
        self.health.failure(reason)
        self.diagnostics.report(ERROR, reason, self._values())

    def _values(self) -> dict[str, str]:
        age = self.health.age(time.monotonic())
        return {
            "fps": f"{self.health.rate:.1f}",
            "frame_age_ms": "no frame yet" if age is None else f"{age * 1e3:.1f}",
            "reconnects": str(self.health.recoveries),
            "last_error": self.health.last_error or "none",
            "camera_info": self.info_note,
        }


def main(args: Sequence[str] | None = None) -> int:
    return run_node(CameraNode, NODE_NAME, args)
