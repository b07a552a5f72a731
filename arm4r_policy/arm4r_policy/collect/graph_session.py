"""Scripted demonstrations recorded on a robot whose goal and verdict come from outside.

``session.CollectionSession`` runs its demos on a simulation inside its own process and reads
each goal and verdict from it. Through the ROS graph the robot is a ``RosRobot`` and the world
lives elsewhere: after every ``home`` the ``goal`` callable gives the episode's ``EpisodeGoal``
(sim_node's ``/arm4r/sim/goal``, or the operator's goal file on a real arm), and once the demo is
over the ``verdict`` callable judges it (sim_node's ``/arm4r/sim/success``; on a real arm a demo
whose motions all completed). The procedure is the session's: seeds in order from a resumable
``Collection``, the scripted demo of scripted.py randomised by ``session.demo_rng(seed)`` and
sampled by the recorder, episodes of ``MIN_STEPS`` to ``MAX_STEPS`` kept, failures recorded, at
most ``session.MAX_ATTEMPTS_PER_EPISODE`` seeds per missing episode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arm4r_policy.collect.goal_document import EpisodeGoal
from arm4r_policy.collect.layout import MAX_STEPS, MIN_STEPS
from arm4r_policy.collect.recorder import EpisodeLabel, EpisodeRecorder, RecorderConfig
from arm4r_policy.collect.resume import Collection
from arm4r_policy.collect.scripted import DemoSettings, run_demo
from arm4r_policy.collect.session import MAX_ATTEMPTS_PER_EPISODE, VariationSummary, demo_rng
from arm4r_policy.errors import ConfigError, PlanningError
from arm4r_policy.model.text import load_instruction_encoder
from arm4r_policy.runtime.robot import Robot

__all__ = ["GraphCollectRequest", "collect_through_graph"]

Verdict = Callable[[], str]
"""Judges the demo just performed: '' when it succeeded, else why it did not."""


@dataclass(frozen=True)
class GraphCollectRequest:
    """What to collect through the graph.

    Attributes:
        out: the collection output directory; episodes go to ``<out>/<task>/<variation>/<cell>``.
        episodes: episodes wanted (those already on disk count).
        fingertip_depth: [m] how far the closed fingertips reach past the TCP (presses).
        first_seed: the first seed of a new collection.
        recorder: recording rate and stored image size.
        text_weights: a local CLIP text tower directory; None for the hashing fallback.
    """

    out: Path
    episodes: int
    fingertip_depth: float
    first_seed: int = 0
    recorder: RecorderConfig = field(default_factory=RecorderConfig)
    text_weights: Path | None = None

    def __post_init__(self) -> None:
        if self.episodes < 1:
            raise ConfigError(f"GraphCollectRequest.episodes = {self.episodes}; expected >= 1")


def collect_through_graph(
    robot: Robot,
    request: GraphCollectRequest,
    goal: Callable[[], EpisodeGoal],
    verdict: Verdict,
    report: Callable[[str], None] = print,
) -> VariationSummary:
    """Record demos until the collection of the goal's task variation holds ``episodes``.

    ``goal()`` is asked once before the first ``home`` for the names and the instruction, then
    after every ``home``; ``report`` receives one line per demo tried and the summary.

    Raises:
        ConfigError: the goal changed task or variation between episodes.
        DatasetError: the collection directory is foreign, or the seeds ran out.
        ARM4RError: the robot failed otherwise than by refusing a motion.
    """
    first = goal()
    collection = Collection(
        request.out, first.task, first.variation, robot.cell_name, request.first_seed
    )
    encoder = load_instruction_encoder(request.text_weights)
    embedding = encoder.embed(first.instruction).numpy()
    recorder = EpisodeRecorder(robot, request.recorder)
    settings = DemoSettings(fingertip_depth=request.fingertip_depth)
    summary = VariationSummary(
        f"{robot.cell_name}/{first.task}/{first.variation}", collection.directory
    )
    wanted = request.episodes
    attempts = MAX_ATTEMPTS_PER_EPISODE * max(wanted - collection.num_episodes, 1)
    started = time.perf_counter()
    for seed in collection.pending_seeds(wanted, attempts):
        robot.home(seed)
        episode = goal()
        if (episode.task, episode.variation) != (first.task, first.variation):
            raise ConfigError(
                f"the goal of seed {seed} is {episode.task}/{episode.variation}; this collection "
                f"is {first.task}/{first.variation}"
            )
        recorder.start(EpisodeLabel(first.task, first.variation, first.instruction, seed))
        failure = _perform(robot, episode, settings, seed, recorder, verdict)
        steps = recorder.num_steps
        if not failure and not MIN_STEPS <= steps <= MAX_STEPS:
            failure = f"{steps} steps recorded; an episode needs {MIN_STEPS} to {MAX_STEPS}"
        recorder.finish(not failure, collection.episode_path(seed), embedding)
        collection.record(seed, not failure)
        if failure:
            summary.failures[seed] = failure
        else:
            summary.recorded.append(steps)
        report(f"{summary.name} seed {seed}: {failure or f'kept, {steps} steps'}")
    summary.episodes = collection.num_episodes
    summary.seconds = time.perf_counter() - started
    report(summary.describe())
    return summary


def _perform(
    robot: Robot,
    episode: EpisodeGoal,
    settings: DemoSettings,
    seed: int,
    recorder: EpisodeRecorder,
    verdict: Verdict,
) -> str:
    """Run the scripted demo of ``episode`` from the homed robot: '' on success, else why not."""
    try:
        run_demo(robot, episode.targets, demo_rng(seed), settings, recorder)
    except PlanningError as refusal:
        return f"motion refused: {refusal}"
    return verdict()
