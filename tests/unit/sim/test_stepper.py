"""SimStepper: SimCell's servo logic taken one physics step at a time, commands at any step."""

import numpy as np
import pytest

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.planning import plan_linear
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.robot import arm_model
from arm4r_policy.sim.stepper import GripperDone, RealTimePacer, SimStepper, TrajectoryDone
from arm4r_policy.sim.tasks import CONTROL_RATE_HZ, make_task

SETTLE = 0.1  # [s]


@pytest.fixture(scope="module")
def stepper():
    with SimCell(CellConfig.kinova()) as cell:
        yield SimStepper(cell, settle_time=SETTLE)


@pytest.fixture
def linear_motion(stepper):
    """A planned linear motion of the TCP from home: 4 cm forward, 3 cm left, 3 cm down."""
    stepper.reset(seed=0)
    cell = stepper.cell
    target = cell.tcp_pose
    target[:3, 3] += (0.04, 0.03, -0.03)
    return plan_linear(arm_model(cell.robot), cell.joint_positions, target), target


def run_until_done(stepper, steps_per_call: int = 1, limit: int = 5000) -> list:
    """Advance until something completes; returns the completions."""
    for _ in range(limit):
        completions = stepper.advance(steps_per_call)
        if completions:
            return completions
    raise AssertionError(f"nothing completed in {limit * steps_per_call} steps")


def test_a_trajectory_ends_in_the_same_state_as_simcells_blocking_execution(stepper, linear_motion):
    trajectory, _ = linear_motion
    cell = stepper.cell
    report = cell.execute_joint_trajectory(trajectory.times, trajectory.positions, SETTLE)
    blocking = cell.data.qpos.copy(), cell.time

    stepper.reset(seed=0)
    stepper.follow(7, trajectory.times, trajectory.positions)
    assert stepper.busy
    (done,) = run_until_done(stepper)
    assert done == TrajectoryDone(7, report, done.message)
    assert "trajectory 7 done" in done.message
    assert not stepper.busy
    np.testing.assert_array_equal(cell.data.qpos, blocking[0])
    assert cell.time == blocking[1]


def test_how_the_steps_are_sliced_and_rendering_between_them_never_change_the_physics(
    stepper, linear_motion
):
    trajectory, _ = linear_motion

    def rollout(slices: list[int], render: bool) -> np.ndarray:
        stepper.reset(seed=0)
        stepper.follow(1, trajectory.times, trajectory.positions)
        stepper.grip(0.6)
        for steps in slices:
            stepper.advance(steps)
            if render:
                stepper.cell.observe(image_size=(32, 32))
        return stepper.cell.data.qpos.copy()

    whole = rollout([400], render=False)
    np.testing.assert_array_equal(rollout([1, 7, 92, 300], render=True), whole)
    np.testing.assert_array_equal(rollout([3] * 133 + [1], render=True), whole)


def test_a_trajectory_reaches_its_target_pose_within_a_tenth_of_a_millimetre(
    stepper, linear_motion
):
    trajectory, target = linear_motion
    stepper.follow(2, trajectory.times, trajectory.positions)
    (done,) = run_until_done(stepper, steps_per_call=10)
    assert done.report.final_error < 1e-3
    np.testing.assert_allclose(stepper.cell.tcp_pose[:3, 3], target[:3, 3], atol=1e-4)


def test_a_second_trajectory_is_refused_while_one_runs_and_the_first_goes_on(
    stepper, linear_motion
):
    trajectory, _ = linear_motion
    stepper.follow(3, trajectory.times, trajectory.positions)
    stepper.advance(10)
    with pytest.raises(CommandError, match="trajectory 4 refused: trajectory 3 is still running"):
        stepper.follow(4, trajectory.times, trajectory.positions)
    (done,) = run_until_done(stepper, steps_per_call=10)
    assert done.key == 3


@pytest.mark.parametrize(
    ("times", "offset", "message"),
    [
        ([0.5], [0.0, 2.0, 0, 0, 0, 0, 0], "joint 2 = .* outside"),
        ([0.5, 0.5], [0.0] * 7, "strictly increasing"),
        ([0.0], [0.0] * 7, "a single waypoint needs a time > 0"),
    ],
)
def test_a_malformed_trajectory_is_refused_naming_what_is_wrong(stepper, times, offset, message):
    stepper.reset(seed=0)
    goal = np.add(stepper.cell.config.home, offset)
    with pytest.raises(CommandError, match=message):
        stepper.follow(5, times, np.tile(goal, (len(times), 1)))
    assert not stepper.busy


def test_a_gripper_command_is_done_once_the_fingers_stop(stepper):
    stepper.reset(seed=0)
    stepper.grip(1.0)
    (done,) = run_until_done(stepper, steps_per_call=5)
    assert done == GripperDone(1.0, done.reached, settled=True)
    assert done.reached > 0.95
    assert 0.05 < stepper.cell.time < 2.0
    assert stepper.advance(100) == []


def test_a_reset_interrupts_the_running_trajectory_and_reports_it(stepper, linear_motion):
    trajectory, _ = linear_motion
    stepper.follow(6, trajectory.times, trajectory.positions)
    stepper.advance(50)
    (interrupted,) = stepper.reset(seed=1)
    assert interrupted.key == 6
    assert interrupted.report is None
    assert "interrupted by the reset to seed 1" in interrupted.message
    assert not stepper.busy
    np.testing.assert_allclose(stepper.cell.joint_positions, stepper.cell.config.home)
    assert stepper.advance(200) == []


def test_the_tasks_monitors_advance_once_per_control_tick_of_simulated_time():
    task = make_task("kinova", "push_buttons", "red")
    with SimCell(task.workspace.config(), task.objects) as cell:
        stepper = SimStepper(cell, task)
        stepper.reset(seed=0)
        (red,) = task.goal(cell).presses
        cell.data.body(f"{red.name}_cap").xfrc_applied[2] = -20.0  # [N] a finger pushing it
        stepper.advance(100)
        assert task.success(cell)
        pressed = task.press_times[red.name] * CONTROL_RATE_HZ
        assert 0 <= pressed - round(pressed) < cell.model.opt.timestep * CONTROL_RATE_HZ


def test_the_pacer_keeps_simulated_time_at_the_real_time_factor_of_the_wall_clock():
    pacer = RealTimePacer(timestep=0.002, real_time_factor=2.0)
    pacer.restart(wall_time=100.0)
    assert pacer.due(100.0) == 0
    assert pacer.due(100.0101) == 10  # 10.1 ms x 2 = 20.2 ms of physics
    assert pacer.due(100.0101) == 0
    assert pacer.due(101.0) == 1000 - 10
    pacer.restart(wall_time=200.0)
    assert pacer.due(199.0) == 0
    assert pacer.due(200.001) == 1


@pytest.mark.parametrize(("timestep", "factor"), [(0.0, 1.0), (0.002, 0.0), (0.002, float("nan"))])
def test_the_pacer_refuses_a_timestep_or_factor_that_is_not_positive(timestep, factor):
    with pytest.raises(ConfigError, match="expected a positive number"):
        RealTimePacer(timestep, factor)
