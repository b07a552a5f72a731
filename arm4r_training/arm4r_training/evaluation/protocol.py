"""The paper's evaluation protocol in simulation: episodes x seed groups per task variation.

The paper runs every task for 25 episodes with each of 3 seeds and reports the success rate [%]
as the mean +- std over the seeds (REFERENCE.md section 4). Here a seed group is one block of
episodes, each starting from its own seed; the success rate of a group is the percentage of its
episodes solved, and a variation's result is the mean and the population standard deviation
(ddof = 0) of its groups' rates.

Seeds: episode ``i`` of seed group ``s`` starts from ``first_seed + SEED_GROUP_STRIDE * s + i``,
so the seeds are deterministic, disjoint across groups (a group holds at most
``SEED_GROUP_STRIDE`` episodes) and stay the same when a rerun asks for more episodes. A seed sets
the object layout and the start pose exactly as it does for a demonstration. Collections
(``arm4r collect``) use seeds from 0 upward, a few hundred per variation, so any first seed from
100000 on gives held-out scenes; the default, ``DEFAULT_FIRST_SEED``, is one million.

``EvaluationPlan`` is what both runners share: the tasks, the rollout settings and the safety
limits, read from the checkpoint's config. ``Evaluation`` runs it in this process with the policy
loaded here; ``ros_evaluation.RosEvaluation`` runs it through the ROS graph, where the policy node
loads the checkpoint.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from arm4r_policy.collect.layout import slot_cameras
from arm4r_policy.collect.session import sim_robot, task_variations
from arm4r_policy.errors import CheckpointError, ConfigError
from arm4r_policy.model.checkpoint import load_config
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.runtime.policy import Policy
from arm4r_policy.runtime.safety import SafetyLimits
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import Task, make_task
from arm4r_training.evaluation.rollout import EpisodeResult, Rollout, RolloutSettings
from arm4r_training.evaluation.safety_box import workspace_safety_limits
from arm4r_training.evaluation.video import EpisodeVideo, outcome_caption

DEFAULT_FIRST_SEED = 1_000_000
"""First evaluation seed unless asked otherwise: far above any collection's seeds."""
SEED_GROUP_STRIDE = 10_000
"""Seeds between the first episodes of consecutive seed groups; the most episodes per group."""
VIDEO_DIR = "videos"


def evaluation_seed(first_seed: int, group: int, episode: int) -> int:
    """The seed of episode ``episode`` of seed group ``group`` (both counted from 0)."""
    if not 0 <= episode < SEED_GROUP_STRIDE or group < 0 or first_seed < 0:
        raise ConfigError(
            f"evaluation_seed({first_seed}, {group}, {episode}): expected a first seed and a "
            f"group >= 0 and an episode in [0, {SEED_GROUP_STRIDE})"
        )
    return first_seed + SEED_GROUP_STRIDE * group + episode


@dataclass(frozen=True)
class EvaluationRequest:
    """What to evaluate, and how.

    Attributes:
        cell: ``kinova`` or ``franka``.
        task: a task of that cell (``arm4r_policy.sim.tasks.list_tasks``).
        checkpoint: a control-mode checkpoint directory.
        out: where videos go (``<out>/videos``); the report writes ``results.json`` there too.
        variations: the variations to evaluate; empty for all of the task's.
        episodes: episodes per seed group (the paper: 25).
        seed_groups: seed groups per variation (the paper: 3).
        first_seed: see the module docstring.
        video_episodes: the first this many episodes of seed group 0 of every variation are
            filmed.
        text_weights: the local CLIP text tower, for checkpoints trained on CLIP embeddings.
        image_size: [px] side of the frames rendered for the policy; None: the checkpoint's.
        max_steps: policy steps before an episode times out; None: the task's limit.
        ros: run the episodes through the ROS graph (``ros_evaluation``) instead of in this
            process; sim_node starts one seed below each group's first and films nothing, hence
            a first seed >= 1 and no videos.
    """

    cell: str
    task: str
    checkpoint: Path
    out: Path
    variations: tuple[str, ...] = ()
    episodes: int = 25
    seed_groups: int = 3
    first_seed: int = DEFAULT_FIRST_SEED
    video_episodes: int = 0
    text_weights: Path | None = None
    image_size: int | None = None
    max_steps: int | None = None
    ros: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.episodes <= SEED_GROUP_STRIDE:
            raise ConfigError(
                f"EvaluationRequest.episodes = {self.episodes}; expected 1 to "
                f"{SEED_GROUP_STRIDE} per seed group"
            )
        if self.seed_groups < 1:
            raise ConfigError(f"EvaluationRequest.seed_groups = {self.seed_groups}; expected >= 1")
        if self.first_seed < 0:
            raise ConfigError(f"EvaluationRequest.first_seed = {self.first_seed}; expected >= 0")
        if not 0 <= self.video_episodes <= self.episodes:
            raise ConfigError(
                f"EvaluationRequest.video_episodes = {self.video_episodes}; expected 0 to "
                f"{self.episodes} (the episodes of a seed group)"
            )
        for name in ("image_size", "max_steps"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"EvaluationRequest.{name} = {value}; expected None or >= 1")
        if self.ros and (self.first_seed < 1 or self.video_episodes):
            raise ConfigError(
                f"EvaluationRequest with ros: first_seed = {self.first_seed} and video_episodes "
                f"= {self.video_episodes}; expected a first seed >= 1 and no videos"
            )


@dataclass(frozen=True)
class EpisodeRecord:
    """One evaluated episode: which variation, seed group and episode, how it went, its video."""

    variation: str
    group: int
    episode: int
    result: EpisodeResult
    video: Path | None = None

    def to_dict(self) -> dict:
        video = None if self.video is None else str(self.video)
        return {
            "variation": self.variation,
            "seed_group": self.group,
            "episode": self.episode,
            **self.result.to_dict(),
            "video": video,
        }


@dataclass(frozen=True)
class SuccessRate:
    """Success rates [%] of one variation (or of all), one per seed group, in group order."""

    name: str
    per_group: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.per_group))

    @property
    def std(self) -> float:
        """Population standard deviation (ddof = 0) over the seed groups; 0 for one group."""
        return float(np.std(self.per_group))


def success_rate(name: str, records: Sequence[EpisodeRecord]) -> SuccessRate:
    """The rate of each seed group among ``records``: 100 x solved / episodes of that group."""
    groups = sorted({record.group for record in records})
    if not groups:
        raise ConfigError(f"success_rate({name!r}): no episodes")
    per_group = []
    for group in groups:
        outcomes = [record.result.success for record in records if record.group == group]
        per_group.append(100.0 * sum(outcomes) / len(outcomes))
    return SuccessRate(name, tuple(per_group))


def success_rates(records: Sequence[EpisodeRecord]) -> list[SuccessRate]:
    """One ``SuccessRate`` per variation, in order of appearance."""
    variations = dict.fromkeys(record.variation for record in records)
    return [
        success_rate(name, [record for record in records if record.variation == name])
        for name in variations
    ]


def policy_cameras(config: ARM4RConfig, cell_cameras: Sequence[str]) -> tuple[str, ...]:
    """The cell cameras feeding the checkpoint's input slots, in slot order (``slot_cameras``).

    Raises:
        ConfigError: a name matches no camera of the cell, or the counts differ.
    """
    return slot_cameras(config.camera_names, config.num_cameras, cell_cameras)


class EvaluationPlan:
    """A checked ``EvaluationRequest``: its tasks, rollout settings and safety limits, from the
    checkpoint's config (the model itself is not loaded here).

    Raises:
        ConfigError: an unknown cell, task or variation (the message lists the valid ones), or a
            checkpoint whose cameras the cell does not have.
        CheckpointError: the checkpoint's config is missing or malformed, or it is not a control
            checkpoint.
    """

    def __init__(self, request: EvaluationRequest) -> None:
        self.request = request
        names = request.variations or task_variations(request.cell, request.task)
        self.tasks: list[Task] = [make_task(request.cell, request.task, name) for name in names]
        config = load_config(request.checkpoint)
        if config.mode != "control":
            raise CheckpointError(
                f"{request.checkpoint}: a {config.mode!r} checkpoint; an evaluation needs a "
                "'control' checkpoint"
            )
        cell_cameras = [camera.name for camera in self.tasks[0].workspace.config().cameras]
        self.settings = RolloutSettings(
            camera_names=policy_cameras(config, cell_cameras),
            image_size=request.image_size or config.image_size,
            max_steps=request.max_steps,
        )

    @property
    def safety_limits(self) -> SafetyLimits:
        """The safety box and per-step limits every target passes (the same for all variations)."""
        return workspace_safety_limits(self.tasks[0].workspace, self.settings.margins)

    @property
    def max_steps(self) -> int:
        """Policy steps before an episode times out."""
        return self.request.max_steps or self.tasks[0].max_steps


class Evaluation(EvaluationPlan):
    """An ``EvaluationPlan`` with its policy loaded, run in this process.

    Raises:
        ConfigError, CheckpointError: as ``EvaluationPlan``, or the model does not load.
    """

    def __init__(self, request: EvaluationRequest) -> None:
        super().__init__(request)
        self.policy = Policy.from_checkpoint(request.checkpoint, request.text_weights)

    def run(self, progress: bool = True) -> list[EpisodeRecord]:
        """Every episode of every seed group of every variation, in that nesting.

        Args:
            progress: show a progress bar over the episodes (stderr).
        """
        request, first = self.request, self.tasks[0]
        total = len(self.tasks) * request.seed_groups * request.episodes
        records: list[EpisodeRecord] = []
        name = f"{request.cell}/{request.task}"
        with (
            SimCell(first.workspace.config(), objects=first.objects) as cell,
            tqdm(total=total, desc=name, unit="episode", disable=not progress) as bar,
        ):
            for task in self.tasks:
                rollout = Rollout(sim_robot(task, cell), self.settings)
                solved = 0
                for group, episode in itertools.product(
                    range(request.seed_groups), range(request.episodes)
                ):
                    records.append(self._episode(rollout, group, episode))
                    solved += records[-1].result.success
                    bar.update()
                    bar.set_postfix_str(f"{task.variation}: {solved} solved")
        return records

    def _episode(self, rollout: Rollout, group: int, episode: int) -> EpisodeRecord:
        """Run one episode, filmed when it is one of the chosen ones."""
        task = rollout.task
        seed = evaluation_seed(self.request.first_seed, group, episode)
        if group > 0 or episode >= self.request.video_episodes:
            return EpisodeRecord(task.variation, group, episode, rollout.run(self.policy, seed))
        path = self.request.out / VIDEO_DIR / f"{task.name}_{task.variation}_seed{seed}.mp4"
        title = f"{task.workspace.cell}/{task.name}/{task.variation} seed {seed}"
        with EpisodeVideo(rollout.robot.cell, path, title) as video:
            result = rollout.run(self.policy, seed, video.add_step)
            video.finish(outcome_caption(result))
        return EpisodeRecord(task.variation, group, episode, result, path)
