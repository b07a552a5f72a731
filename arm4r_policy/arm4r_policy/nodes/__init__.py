"""Thin rclpy nodes wiring the ARM4R core to ROS 2 topics (the only place that imports rclpy).

Console scripts: ``policy_node``, ``track_viz_node``, ``sim_node``, ``moveit_bridge_node``,
``camera_node``, ``robot_state_node`` and ``collect_node``.
Topic names and QoS: ``topics.py``.
Every pose is a geometry_msgs pose in the robot base frame (parameter ``frame_id``, default
``base_link``); ROS quaternions are ``(x, y, z, w)``. Full-size camera frames between processes
need the Fast DDS profile ``arm4r_bringup/config/fastdds.xml`` (``FASTDDS_DEFAULT_PROFILES_FILE``).

policy_node
    Subscribes ``/cameras/<name>/image_raw`` for each name in ``camera_names`` (rgb8, sensor-data
    QoS), ``/arm4r/ee_pose`` (PoseStamped), ``/arm4r/gripper_state`` (JointState, joint
    ``"gripper"``, position = closure 0 open .. 1 closed), ``/arm4r/instruction`` (String,
    transient-local; every message starts an episode and resets the policy) and
    ``/arm4r/motion_result``. Publishes ``/arm4r/target_pose`` (PoseStamped),
    ``/arm4r/gripper_command`` (Float64, closure 0..1), ``/arm4r/predicted_path`` (Path, the
    predicted chunk) and ``/diagnostics``.

    Loop: take the newest observation whose images, pose and gripper state are stamped within
    ``sync_tolerance`` of each other, are all younger than ``staleness_timeout`` and all stamped
    after the end of the last motion; step the policy; pass its target through the safety layer
    (workspace box, ``max_translation``, ``max_rotation``, input ages); publish target, gripper
    command and path; then wait for the motion result of that target (at most
    ``motion_timeout``) before observing again. Nothing reaches the robot when an input is
    missing, stale or malformed (e.g. a non-finite pose, cameras of different sizes) or the safety
    layer refuses: ``/diagnostics`` then says why (WARN while inputs are missing or unmatched,
    ERROR for stale inputs, refused observations and targets, failed or overdue motions).

    An end-effector pose in a frame other than ``frame_id`` is refused (there is no tf here).
    Every target and its path carry the stamp of the observation they were computed from
    (the first camera's frame), which is unique per target.

    ``dry_run``: targets go to ``/arm4r/dry_run/target_pose`` and ``/arm4r/dry_run/gripper_command``
    instead, the policy steps at ``dry_run_rate_hz`` and never waits for motion results.

    A point-tracking (Stage 1/2, ``mode`` points) checkpoint makes it a track predictor
    (runtime/track_prediction.py, policy_tracks.py), as its startup log and ``/diagnostics`` say:
    the same inputs, synchronisation, staleness and refusals (the pose and gripper state are
    checked though the model does not read them), a step every ``1 / track_rate_hz`` s, and for
    each observation its predicted tracked points of the next step on
    ``/arm4r/predicted_tracks_points`` (sensor_msgs/PointCloud2, one row of float32 x, y, z [m])
    in the optical frame ``<track_camera>_optical_frame`` of the camera its tracks belong to
    (``track_camera``, one of ``camera_names``), stamped with the observation's stamp. The points
    continue from the previous prediction (an episode starts from the checkpoint's mean tracked
    points). It never publishes a target, gripper command or path, and never waits for a motion.

Motion result contract (``/arm4r/motion_result``, diagnostic_msgs/DiagnosticStatus, reliable)
    Whoever executes ``/arm4r/target_pose`` publishes exactly one status per target when its
    motion has ended: ``level`` OK when the motion was completed, anything else (ERROR) when it
    failed or was not started; ``message`` the reason in words; ``name`` the executor;
    ``values`` hold the key ``"target_stamp"`` with the target's ``header.stamp`` written as
    ``"<sec>.<nanosec as 9 digits>"`` (``conversions.format_stamp``; ``conversions.motion_result``
    builds the whole status). A result whose stamp is not the awaited target's is ignored, as is
    one that arrives after ``motion_timeout``. The next observation must be stamped after the
    result was received.

sim_node
    The MuJoCo cell (``cell``: kinova | franka) with one task (``task``, ``variation``; episode
    seeds from ``seed``) as cameras, robot state and controllers, physics paced to the wall clock
    times ``real_time_factor``. Publishes ``/cameras/<name>/image_raw`` (rgb8, ``image_width`` x
    ``image_height``, frame ``<name>_optical_frame``) and ``/cameras/<name>/camera_info`` for each
    camera of the cell at ``camera_rate_hz``; ``/joint_states`` (the 7 arm joints [rad] and the two
    finger slides [m]), ``/arm4r/ee_pose`` (the TCP) and ``/arm4r/gripper_state`` at
    ``state_rate_hz``; ``/arm4r/instruction`` (transient-local) at start and at each reset;
    ``/diagnostics``. Every stamp is the ROS clock time at which the state was read or rendered
    (wall clock). Executes ``/arm4r/sim/joint_trajectory`` (trajectory_msgs/JointTrajectory over
    the 7 arm joints, any order: positions and ``time_from_start``, interpolated linearly as by
    ``SimCell.execute_joint_trajectory``, then held ``settle_time``), one at a time, and answers
    each on ``/arm4r/sim/trajectory_done`` in the motion-result format above, ``target_stamp``
    being the trajectory's ``header.stamp`` (ERROR when refused: malformed, beyond a joint limit,
    another still running, or cut short by a reset). Moves the gripper on
    ``/arm4r/sim/gripper_command`` (Float64 closure) and answers on ``/arm4r/sim/gripper_done``
    (DiagnosticStatus, value ``"closure"`` = the command as ``repr(float)``) once the fingers have
    stopped. Services (std_srvs/Trigger): ``/arm4r/sim/reset`` starts the episode of the next seed
    (message ``"episode seed <n>: <instruction>"``), ``/arm4r/sim/success`` answers whether the
    task has succeeded, ``/arm4r/sim/goal`` answers the episode's goal (the task, its instruction
    and the object poses in ``frame_id``) as the JSON of ``collect.goal_document.EpisodeGoal``
    plus its ``"seed"``. The physics depends only on the seed and on which commands came before
    which physics step (``sim/stepper.py``).

moveit_bridge_node
    Subscribes ``/arm4r/target_pose``, ``/arm4r/gripper_command`` and ``/arm4r/instruction``;
    publishes ``/arm4r/motion_result`` (exactly one per target, contract above) and
    ``/diagnostics``. Each target in ``frame_id`` moves the TCP linearly (``speed_scaling``); then,
    if the latest gripper command differs from the closure last sent, the gripper moves; then the
    result is published (runtime/motion_bridge.py). An instruction starts an episode (a reset may
    have opened the gripper), so the next gripper command is sent in any case. A target that is not
    a finite pose in ``frame_id``, that the planner refuses (reach, joint limits: the message names
    the reason) or that fails to execute is answered ERROR; a failed plan sends nothing to the arm.
    A target arriving while a motion runs is answered ERROR at once ("still running") and the
    running motion goes on. Without targets (e.g. the policy node stopped) nothing moves.
    ``backend`` ``sim``: the IK linear planner of the ``cell``'s arm plans from the latest
    ``/joint_states`` and sim_node executes (``/arm4r/sim/*``; ``motion_timeout`` bounds each wait).
    ``backend`` ``moveit``: MoveIt's Pilz LIN through moveit_py (``moveit_group``,
    ``moveit_pose_link``; empty: the cell's preset) and the GripperCommand action
    ``gripper_action``; it needs moveit_py (the docker image).

camera_node
    One camera (``camera_name``): a BRIO through V4L2 (``backend`` brio, ``device``, MJPG at
    ``width`` x ``height`` and ``fps``, autofocus off) or a recording played back (``backend``
    replay). Publishes ``/cameras/<name>/image_raw`` (rgb8, sensor-data QoS) stamped with the
    frame's capture time, ``/cameras/<name>/camera_info`` from the ``calibration`` YAML scaled to
    the frame size, and ``/diagnostics`` (fps, frame age, reconnects, last error). A vanished
    device never stops the node: it reports ERROR and publishing resumes when frames return.

robot_state_node
    ``/arm4r/ee_pose`` (the TCP) and ``/arm4r/gripper_state`` of a real arm: ``backend`` kortex
    or franky read the arm directly (and also publish ``/joint_states``); passthrough derives
    them with forward kinematics from the ``/joint_states`` of ros2_kortex or franka_ros2, stamped
    with the joint state's stamp. A joint state missing an arm joint or holding a non-finite
    value publishes nothing and says why in ``/diagnostics``.

track_viz_node
    Subscribes ``/arm4r/predicted_path`` and publishes ``/arm4r/markers`` (MarkerArray: DELETEALL,
    LINE_STRIP, SPHERE_LIST, ARROW at the first target; ``markers.py``) in the path's frame.
    Subscribes ``/arm4r/predicted_tracks_points`` too: each cloud, in the optical frame
    ``<camera>_optical_frame`` of a camera of the ``cell``, is moved into the base frame
    ``frame_id`` with that camera's camera-to-base extrinsics (the simulated cell's camera
    placements, or on the real arm the YAML ``extrinsics_file``) and drawn with the cloud's stamp
    as a LINE_STRIP per point through its last ``track_length`` positions (namespace
    ``predicted_tracks``, id = the point's index) and a SPHERE_LIST of the current points
    (``predicted_track_points``); each cloud's markers replace the last ones in place. A new
    instruction or another camera starts the tracks anew. A cloud in another frame, without
    float32 x, y, z fields, or with a non-finite point is not drawn, and ``/diagnostics`` says why.

collect_node
    Records scripted demonstrations (collect/scripted.py) of one task variation through the graph
    into ``<output_dir>/<task>/<variation>/<cell>/`` until ``episodes`` are on disk, then exits.
    It is the robot of collect/ros_robot.py: subscribes the cell's camera images and camera_info,
    ``/arm4r/ee_pose``, ``/arm4r/gripper_state``, ``/joint_states`` and
    ``/arm4r/motion_result``; publishes ``/arm4r/target_pose`` and ``/arm4r/gripper_command``
    (a gripper command is followed by a target at the pose last commanded, which the bridge
    executes before moving the gripper). ``sim`` true: each episode starts with
    ``/arm4r/sim/reset`` (until sim_node runs the episode's seed), takes its goal from
    ``/arm4r/sim/goal`` and is kept when ``/arm4r/sim/success`` says so; false (a real arm):
    the goal is the operator's ``goal_file`` and a demo is kept when all its motions completed.
"""
