"""Linear Cartesian motion planned by inverse kinematics, in plain NumPy (no ROS, no MuJoCo).

The planner knows an arm only through an ``ArmModel``: forward kinematics and the Jacobian of the
TCP in the base frame, joint limits, joint speed limits and which joints are continuous. The sim
provides one from MuJoCo; a real arm's URDF can provide another::

    from arm4r_policy.errors import PlanningError
    from arm4r_policy.planning import LinearMotionLimits, plan_linear

    target = model.fk(q_now)
    target[:3, 3] += (0.0, 0.0, -0.1)                      # 10 cm straight down, same orientation
    try:
        trajectory = plan_linear(model, q_now, target, LinearMotionLimits(speed_scale=0.3))
    except PlanningError as refusal:
        print(refusal)                                      # names the waypoint and what failed
    else:
        cell.execute_joint_trajectory(trajectory.times, trajectory.positions)

Frames and units: poses are (4, 4) TCP poses in the robot base frame; metres, radians, seconds.
"""

from arm4r_policy.planning.arm_model import ArmModel
from arm4r_policy.planning.cartesian import interpolate_poses, pose_error
from arm4r_policy.planning.ik import IKResult, solve_ik
from arm4r_policy.planning.limits import LinearMotionLimits
from arm4r_policy.planning.linear import plan_linear
from arm4r_policy.planning.timing import time_parameterize
from arm4r_policy.planning.trajectory import JointTrajectory

__all__ = [
    "ArmModel",
    "IKResult",
    "JointTrajectory",
    "LinearMotionLimits",
    "interpolate_poses",
    "plan_linear",
    "pose_error",
    "solve_ik",
    "time_parameterize",
]
