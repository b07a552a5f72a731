"""Names of the MJCF elements other code looks up in a compiled cell.

Arm bodies and joints keep their URDF names (``kinematics.py``: Gen3 ``shoulder_link`` /
``joint_1`` ..., Panda ``panda_link1`` / ``panda_joint1`` ...); arm actuators are named after their
joints. Task objects are named by their ``TaskObject.name`` (see ``objects``).
"""

BASE_SITE = "base"
"""Site at the robot base frame (the frame of end-effector poses and camera extrinsics)."""
FLANGE_SITE = "flange"
"""Site at the tool flange: Gen3 ``end_effector_link``, Panda ``panda_link8``."""
TCP_SITE = "tcp"
"""Site between the finger pads, z along the approach direction: the end effector."""

ROBOT_MOUNT_BODY = "robot_mount"
"""Static body at the robot base pose in the world; the base link is its child."""
GRIPPER_BODY = "gripper"
"""Gripper housing, child of the flange body."""
FINGER_BODIES = ("gripper_finger_left", "gripper_finger_right")
FINGER_JOINTS = ("gripper_finger_left", "gripper_finger_right")
"""Slide joints of the fingers, each in [0, stroke / 2] [m] from open."""
GRIPPER_TENDON = "gripper_closing"
GRIPPER_ACTUATOR = "gripper"
"""Position actuator whose control is the normalised closure in [0, 1]."""

TABLE_GEOM = "table_top"
