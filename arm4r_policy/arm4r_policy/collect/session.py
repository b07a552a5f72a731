"""A collection session: scripted demonstrations recorded seed after seed until enough succeed.

For every variation asked for, one ``Collection`` on disk; for each of its pending seeds: home the
simulated arm (the seed sets the layout and the home-pose noise), record the scripted demo at the
recorder's rate, judge it by the task's success predicate, keep or discard it, record the outcome.
A demo the planner refuses, that misses the goal, or that runs longer than the task allows is a
failure; its episode is discarded and the next seed is tried, up to ``MAX_ATTEMPTS_PER_EPISODE``
seeds per missing episode. A killed run leaves only whole episodes and the same request resumes
it (``Collection``)::

    request = CollectRequest("kinova", "pick_cube", ("yellow",), episodes=190, out=Path("data"))
    summaries = CollectionSession(request).run()

Everything that can refuse a request (names, cameras, text weights, a foreign output directory)
is checked when the session is built, before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from arm4r_policy.collect.layout import (
    DEFAULT_CAMERA_DIRS,
    EXTERIOR_CAMERA,
    MAX_STEPS,
    MIN_STEPS,
)
from arm4r_policy.collect.recorder import EpisodeLabel, EpisodeRecorder, RecorderConfig
from arm4r_policy.collect.resume import Collection
from arm4r_policy.collect.scripted import DemoSettings, run_demo, targets_in_base
from arm4r_policy.collect.tracks import DEFAULT_GRID_SIZE, GroundTruthTracker
from arm4r_policy.errors import ConfigError, PlanningError
from arm4r_policy.model.text import load_instruction_encoder
from arm4r_policy.planning import LinearMotionLimits
from arm4r_policy.runtime.robot import Sampler
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.robot import SimRobot
from arm4r_policy.sim.sim_cell import MAX_HOME_NOISE
from arm4r_policy.sim.tasks import Task, list_tasks, make_task

HOME_NOISE = 0.05
"""[rad] each joint of the start pose is drawn within this of home (paper E.2: home pose
randomisation); the evaluation starts its episodes so."""
SETTLE_TIME = 0.2
"""[s] the arm rests after every motion; the last frames of an episode show it still after the
final lift."""
MOTION_LIMITS = LinearMotionLimits(speed_scale=0.4, max_tcp_speed=0.15)
"""Linear motions of the demos: a pick lasts about 5 s, a pick & place about 10 s."""
MAX_ATTEMPTS_PER_EPISODE = 3
"""Seeds a run may try per episode it still misses before giving up."""
_DEMO_STREAM = 0xDE30
"""Mixed into the episode seed so the demo's draws are independent of the layout's."""


def demo_rng(seed: int) -> np.random.Generator:
    """The randomisation source of the demonstration of episode ``seed``."""
    return np.random.default_rng([_DEMO_STREAM, seed])


def sim_robot(task: Task, cell: SimCell, home_noise: float = HOME_NOISE) -> SimRobot:
    """The simulated arm demonstrations run on: ``task`` in ``cell``, collection speeds, each
    joint starting within ``home_noise`` [rad] of home."""
    return SimRobot(cell, task, MOTION_LIMITS, home_noise, SETTLE_TIME)


def demo_settings(cell: SimCell) -> DemoSettings:
    """The procedure's view of the cell's gripper: its fingertips reach half a pad past the TCP."""
    return DemoSettings(fingertip_depth=cell.robot.gripper.pad_half_size[2])


@dataclass(frozen=True)
class DemoOutcome:
    """How a demonstration went: ``success``, its ``duration`` [s] of robot time, and why it
    failed (``failure``, empty on success)."""

    success: bool
    duration: float
    failure: str = ""


def perform_demo(robot: SimRobot, seed: int, sampler: Sampler | None = None) -> DemoOutcome:
    """Perform the scripted demo of the robot's task from its current (homed) state, judge it.

    Args:
        robot: a ``SimRobot`` with a task (``sim_robot``), homed with ``seed``.
        seed: the episode seed; it also seeds the demo's randomisation.
        sampler: records the demo (the recorder, started after ``home``), or None.

    Returns:
        Success when no motion was refused, the demo ended within the task's time limit and the
        task's success predicate holds.
    """
    task, cell = robot.task, robot.cell
    start = robot.time
    targets = targets_in_base(task.goal(cell), cell.base_from_world)
    try:
        run_demo(robot, targets, demo_rng(seed), demo_settings(cell), sampler)
    except PlanningError as refusal:
        return DemoOutcome(False, robot.time - start, f"motion refused: {refusal}")
    duration = robot.time - start
    if duration > task.max_seconds:
        return DemoOutcome(
            False, duration, f"took {duration:.1f} s; the task allows {task.max_seconds:.0f} s"
        )
    if not task.success(cell):
        return DemoOutcome(False, duration, f"{task!r} not solved at the end of the demo")
    return DemoOutcome(True, duration)


@dataclass(frozen=True)
class CollectRequest:
    """What to collect.

    Attributes:
        cell: ``kinova`` or ``franka``.
        task: a task of that cell (``list_tasks``).
        variations: the variations to collect, each into its own collection; empty for all.
        episodes: episodes wanted per variation (those already on disk count).
        out: the collection output directory.
        first_seed: the first seed of a new collection.
        image_size: stored (width, height) [px].
        rate_hz: recording rate [Hz].
        tracks: also store ground-truth point tracks (Stage 2 labels).
        track_camera: the camera tracked; None for the cell's exterior camera.
        grid_size: g of the g x g tracked grid.
        text_weights: a local CLIP text tower directory; None for the hashing fallback.
        home_noise: [rad] each joint of an episode's start pose is drawn within this of home.
            Wider than the evaluation's (``HOME_NOISE``), the start pose says less about where
            the arm is going, and the images more (docs/training.md).
    """

    cell: str
    task: str
    variations: tuple[str, ...]
    episodes: int
    out: Path
    first_seed: int = 0
    image_size: tuple[int, int] = (224, 224)
    rate_hz: float = 15.0
    tracks: bool = False
    track_camera: str | None = None
    grid_size: int = DEFAULT_GRID_SIZE
    text_weights: Path | None = None
    home_noise: float = HOME_NOISE

    def __post_init__(self) -> None:
        if self.episodes < 1:
            raise ConfigError(f"CollectRequest.episodes = {self.episodes}; expected >= 1")
        if self.first_seed < 0:
            raise ConfigError(f"CollectRequest.first_seed = {self.first_seed}; expected >= 0")
        if not 0.0 <= self.home_noise <= MAX_HOME_NOISE:
            raise ConfigError(
                f"CollectRequest.home_noise = {self.home_noise}; expected 0 to {MAX_HOME_NOISE} rad"
            )
        if not 1 <= self.grid_size <= min(self.image_size):
            raise ConfigError(
                f"CollectRequest.grid_size = {self.grid_size}; expected 1 to "
                f"{min(self.image_size)} (the image size)"
            )


@dataclass
class VariationSummary:
    """What a session did for one variation.

    Attributes:
        name: ``cell/task/variation``.
        directory: its collection directory.
        episodes: episodes on disk at the end.
        recorded: the step count of each episode recorded in this run.
        failures: seed -> why its demo failed, in this run.
        seconds: wall time spent [s].
    """

    name: str
    directory: Path
    episodes: int = 0
    recorded: list[int] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for the end of a run."""
        tried = len(self.recorded) + len(self.failures)
        line = (
            f"{self.name}: {self.episodes} episodes in {self.directory}; this run "
            f"{len(self.recorded)} of {tried} demos kept"
        )
        if self.recorded:
            rate = 60.0 * len(self.recorded) / max(self.seconds, 1e-9)
            line += f", mean {np.mean(self.recorded):.0f} steps, {rate:.1f} episodes/min"
        if self.failures:
            line += f"; failed seeds {sorted(self.failures)}"
        return line


class CollectionSession:
    """A checked ``CollectRequest``, ready to run.

    Building it checks, before anything is written: the cell, task and variations exist, the
    track camera is one of the cell's, the text weights load, and every collection directory
    holds only its own episodes (``Collection``, which also clears what a killed run left).

    Raises:
        ConfigError: an unknown name; the message lists the valid ones.
        CheckpointError: ``text_weights`` is not a usable CLIP text tower.
        DatasetError: an output directory holds something other than its episodes.
    """

    def __init__(self, request: CollectRequest) -> None:
        self.request = request
        names = request.variations or task_variations(request.cell, request.task)
        self.tasks = [make_task(request.cell, request.task, name) for name in names]
        cameras = [camera.name for camera in self.tasks[0].workspace.config().cameras]
        self.track_camera = _track_camera(request, cameras)
        self.recorder_config = RecorderConfig(request.rate_hz, request.image_size)
        encoder = load_instruction_encoder(request.text_weights)
        self.embeddings = [encoder.embed(task.instruction).numpy() for task in self.tasks]
        self.collections = [
            Collection(request.out, request.task, task.variation, request.cell, request.first_seed)
            for task in self.tasks
        ]

    def run(self, progress: bool = True) -> list[VariationSummary]:
        """Collect every variation in turn, in one compiled cell (variations share the objects).

        Args:
            progress: show a progress bar per variation (stderr) and print each summary.

        Raises:
            DatasetError: a variation still misses episodes after its allowed attempts.
        """
        first = self.tasks[0]
        summaries = []
        with (
            SimCell(first.workspace.config(), objects=first.objects) as cell,
            self._tracker(cell) as tracker,
        ):
            for task, collection, embedding in zip(
                self.tasks, self.collections, self.embeddings, strict=True
            ):
                summary = self._collect(cell, task, collection, embedding, tracker, progress)
                summaries.append(summary)
                if progress:
                    print(summary.describe(), flush=True)
        return summaries

    def _tracker(self, cell: SimCell) -> GroundTruthTracker | nullcontext[None]:
        """The point tracker of ``cell`` if tracks are asked for; a context manager either way."""
        if self.track_camera is None:
            return nullcontext()
        request = self.request
        return GroundTruthTracker(cell, self.track_camera, request.grid_size, request.image_size)

    def _collect(
        self,
        cell: SimCell,
        task: Task,
        collection: Collection,
        embedding: np.ndarray,
        tracker: GroundTruthTracker | None,
        progress: bool,
    ) -> VariationSummary:
        """Record demos of ``task`` until its collection holds the requested episodes."""
        robot = sim_robot(task, cell, self.request.home_noise)
        recorder = EpisodeRecorder(robot, self.recorder_config, tracker)
        name = f"{task.workspace.cell}/{task.name}/{task.variation}"
        summary = VariationSummary(name, collection.directory)
        wanted = self.request.episodes
        attempts = MAX_ATTEMPTS_PER_EPISODE * max(wanted - collection.num_episodes, 1)
        started = time.perf_counter()
        done = min(collection.num_episodes, wanted)
        bar = tqdm(total=wanted, initial=done, desc=name, unit="episode", disable=not progress)
        with bar:
            for seed in collection.pending_seeds(wanted, attempts):
                failure = _record(robot, recorder, task, seed, collection, embedding)
                if failure:
                    summary.failures[seed] = failure
                    if progress:
                        bar.write(f"{summary.name} seed {seed}: {failure}")
                else:
                    summary.recorded.append(recorder.num_steps)
                    bar.update()
                bar.set_postfix_str(f"kept {len(summary.recorded)}, failed {len(summary.failures)}")
        summary.episodes = collection.num_episodes
        summary.seconds = time.perf_counter() - started
        return summary


def _record(
    robot: SimRobot,
    recorder: EpisodeRecorder,
    task: Task,
    seed: int,
    collection: Collection,
    embedding: np.ndarray,
) -> str:
    """Record the demo of episode ``seed``, keep or discard it; '' when kept, else why not."""
    robot.home(seed)
    recorder.start(EpisodeLabel(task.name, task.variation, task.instruction, seed))
    failure = perform_demo(robot, seed, recorder).failure
    steps = recorder.num_steps
    if not failure and not MIN_STEPS <= steps <= MAX_STEPS:
        failure = f"{steps} steps recorded; an episode needs {MIN_STEPS} to {MAX_STEPS}"
    recorder.finish(not failure, collection.episode_path(seed), embedding)
    collection.record(seed, not failure)
    return failure


def task_variations(cell: str, task: str) -> tuple[str, ...]:
    """Every variation of ``task`` in ``cell``.

    Raises:
        ConfigError: an unknown cell or task; the message lists the valid ones.
    """
    tasks = list_tasks()
    if cell not in tasks:
        raise ConfigError(f"cell {cell!r} is unknown; expected one of {sorted(tasks)}")
    if task not in tasks[cell]:
        raise ConfigError(f"{cell} task {task!r} is unknown; expected one of {list(tasks[cell])}")
    return tasks[cell][task]


def describe_tasks() -> str:
    """The cells, their tasks and each task's variations, one task per line."""
    lines = []
    for cell, tasks in list_tasks().items():
        lines.append(f"{cell}:")
        lines.extend(f"  {task}: {', '.join(variations)}" for task, variations in tasks.items())
    return "\n".join(lines)


def _track_camera(request: CollectRequest, cameras: Sequence[str]) -> str | None:
    """The camera to track: the requested one, else the cell's exterior camera; None without
    tracks."""
    if not request.tracks:
        return None
    if request.track_camera is None:
        return next(name for name in cameras if DEFAULT_CAMERA_DIRS.get(name) == EXTERIOR_CAMERA)
    if request.track_camera not in cameras:
        raise ConfigError(
            f"track camera {request.track_camera!r} is not a {request.cell} camera; expected one "
            f"of {list(cameras)}"
        )
    return request.track_camera
