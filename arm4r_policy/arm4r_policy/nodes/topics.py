"""Topic names and QoS of the ARM4R graph (DESIGN.md), shared by the nodes and their tests.

Every pose is in the robot base frame (parameter ``frame_id``, default ``base_link``).
"""

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data

EE_POSE = "/arm4r/ee_pose"  # geometry_msgs/PoseStamped, current end effector
GRIPPER_STATE = (
    "/arm4r/gripper_state"  # sensor_msgs/JointState, joint "gripper", 0 open .. 1 closed
)
INSTRUCTION = "/arm4r/instruction"  # std_msgs/String, transient-local
TARGET_POSE = "/arm4r/target_pose"  # geometry_msgs/PoseStamped, the guarded target to execute
GRIPPER_COMMAND = "/arm4r/gripper_command"  # std_msgs/Float64, closure 0 open .. 1 closed
DRY_RUN_TARGET_POSE = "/arm4r/dry_run/target_pose"  # what a dry run would have executed
DRY_RUN_GRIPPER_COMMAND = "/arm4r/dry_run/gripper_command"
PREDICTED_PATH = "/arm4r/predicted_path"  # nav_msgs/Path, the predicted chunk of poses
# sensor_msgs/PointCloud2, a points checkpoint's predicted points in <camera>_optical_frame
PREDICTED_TRACKS_POINTS = "/arm4r/predicted_tracks_points"
MARKERS = "/arm4r/markers"  # visualization_msgs/MarkerArray
MOTION_RESULT = "/arm4r/motion_result"  # diagnostic_msgs/DiagnosticStatus, see nodes/__init__.py
DIAGNOSTICS = "/diagnostics"  # diagnostic_msgs/DiagnosticArray
JOINT_STATES = "/joint_states"  # sensor_msgs/JointState, arm joints [rad] and finger slides [m]

# Between sim_node and the bridge (nodes/__init__.py)
SIM_JOINT_TRAJECTORY = "/arm4r/sim/joint_trajectory"  # trajectory_msgs/JointTrajectory
SIM_TRAJECTORY_DONE = "/arm4r/sim/trajectory_done"  # DiagnosticStatus, motion-result format
SIM_GRIPPER_COMMAND = "/arm4r/sim/gripper_command"  # std_msgs/Float64, closure 0 open .. 1 closed
SIM_GRIPPER_DONE = "/arm4r/sim/gripper_done"  # DiagnosticStatus, value "closure" = the command
SIM_RESET = "/arm4r/sim/reset"  # std_srvs/Trigger service: next episode
SIM_SUCCESS = "/arm4r/sim/success"  # std_srvs/Trigger service: success = task succeeded
SIM_GOAL = "/arm4r/sim/goal"  # std_srvs/Trigger service: message = the goal as JSON

# Streams where only the newest message matters; a best-effort reader also matches reliable writers.
SENSOR_QOS = qos_profile_sensor_data
# Commands, results and visualisation: every message counts.
RELIABLE_QOS = QoSProfile(depth=10)
# The instruction stays available to nodes that start after it was sent.
LATCHED_QOS = QoSProfile(
    depth=1,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)


def camera_image(camera: str) -> str:
    """sensor_msgs/Image, rgb8, sensor-data QoS."""
    return f"/cameras/{camera}/image_raw"


def camera_info(camera: str) -> str:
    """sensor_msgs/CameraInfo of the same camera."""
    return f"/cameras/{camera}/camera_info"
