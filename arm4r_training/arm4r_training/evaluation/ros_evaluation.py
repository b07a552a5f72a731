"""The evaluation protocol through the ROS graph (``arm4r eval --ros``).

The same request, seeds, step limit, cameras, image size and safety box as ``Evaluation`` and
the same ``EpisodeRecord`` per episode, but each episode is run by sim_node, policy_node and
moveit_bridge_node as separate processes over DDS (``ros_graph``), judged by ``RosRollout``.

sim_node runs one task variation with seeds that run on from its parameter ``seed``, while the
protocol's seed groups lie ``SEED_GROUP_STRIDE`` seeds apart: so every seed group of every
variation gets a graph of its own, started one seed below the group's first, and each episode
starts with a reset that takes the next seed. The episodes thus run exactly the scenes of the
in-process evaluation of the same request. Node logs and parameters files go to
``<out>/ros_logs/<variation>_group<g>/``. No videos: the scenes are rendered in sim_node.

One safety limit differs: an observation may be up to ``STALE_AFTER`` old. In process the scene
waits while the policy infers (every observation is 0 s old); in the graph sim_node's clock runs
on meanwhile, but the arm holds still until the next target, so an observation's age measures
how fast this machine infers, not how the scene changed, and the real-time limit of the cell
YAMLs (0.5 s) would make the success rate depend on the machine.
"""

from __future__ import annotations

import dataclasses

from tqdm import tqdm

from arm4r_policy.runtime.safety import SafetyLimits
from arm4r_policy.sim.tasks import Task
from arm4r_training.evaluation.protocol import (
    EpisodeRecord,
    EvaluationPlan,
    EvaluationRequest,
    evaluation_seed,
)
from arm4r_training.evaluation.ros_graph import (
    SIM_NODE,
    RosGraph,
    bringup_config,
    fastdds_profile,
    graph_nodes,
)
from arm4r_training.evaluation.ros_rollout import RosRollout

LOG_DIR = "ros_logs"
STARTUP_TIMEOUT = 120.0  # [s] for a graph to come up: imports, the model, MuJoCo, discovery
STALL_TIMEOUT = 30.0
"""[s] without a motion result before an episode is stalled: well above the policy node's
``motion_timeout`` in the cell YAMLs (10 s), after which it observes again."""
STALE_AFTER = STALL_TIMEOUT
"""[s] oldest observation the policy node may act on; see the module docstring."""


class RosEvaluation(EvaluationPlan):
    """An ``EvaluationPlan`` run through the ROS graph; see the module docstring.

    Raises:
        ConfigError, CheckpointError: as ``EvaluationPlan``.
        GraphError: arm4r_bringup's config/ is nowhere to be found.
    """

    def __init__(
        self,
        request: EvaluationRequest,
        startup_timeout: float = STARTUP_TIMEOUT,
        stall_timeout: float = STALL_TIMEOUT,
    ) -> None:
        super().__init__(request)
        self.config = bringup_config()
        self.startup_timeout, self.stall_timeout = startup_timeout, stall_timeout

    @property
    def safety_limits(self) -> SafetyLimits:
        """The in-process limits but for the age of observations (``STALE_AFTER``)."""
        return dataclasses.replace(super().safety_limits, stale_after=STALE_AFTER)

    def run(self, progress: bool = True) -> list[EpisodeRecord]:
        """Every episode of every seed group of every variation, in that nesting; each graph's
        node processes and logs are printed as it starts.

        Args:
            progress: show a progress bar over the episodes (stderr).

        Raises:
            GraphError: a graph did not come up, or a node of it exited.
        """
        request = self.request
        total = len(self.tasks) * request.seed_groups * request.episodes
        records: list[EpisodeRecord] = []
        name = f"{request.cell}/{request.task} (ROS graph)"
        with tqdm(total=total, desc=name, unit="episode", disable=not progress) as bar:
            for task in self.tasks:
                for group in range(request.seed_groups):
                    records += self._seed_group(task, group, bar)
        return records

    def _seed_group(self, task: Task, group: int, bar: tqdm) -> list[EpisodeRecord]:
        """The episodes of seed group ``group`` of ``task``, on a graph of their own."""
        first_seed = self.request.first_seed
        seeds = [evaluation_seed(first_seed, group, i) for i in range(self.request.episodes)]
        nodes = graph_nodes(self, task, seeds[0], self.config)
        logs = self.request.out / LOG_DIR / f"{task.variation}_group{group}"
        records: list[EpisodeRecord] = []
        with RosGraph(nodes, logs, fastdds_profile(self.config)) as graph:
            for node, process in graph.processes.items():
                bar.write(f"{node}: pid {process.pid}, log {process.log}")
            with RosRollout(
                graph.domain_id,
                graph.fastdds_profile,
                self.max_steps,
                self.settings.max_consecutive_refusals,
                graph.parameters(SIM_NODE)["real_time_factor"],
                graph.check_running,
                self.stall_timeout,
            ) as rollout:
                rollout.wait_until_ready(self.startup_timeout)
                for episode, seed in enumerate(seeds):
                    result = rollout.run(seed)
                    records.append(EpisodeRecord(task.variation, group, episode, result))
                    bar.update()
                    solved = sum(record.result.success for record in records)
                    bar.set_postfix_str(f"{task.variation} group {group}: {solved} solved")
        return records
