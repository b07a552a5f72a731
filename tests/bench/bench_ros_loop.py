"""The closed loop in simulation over real DDS: image-to-target latency and loop steps per minute.

Starts sim_node (Kinova cell, pick_cube), moveit_bridge_node (sim backend) and policy_node (a
random tiny checkpoint, its targets kept near home) as separate processes from the colcon install,
lets the loop run for STEPS motions and prints, per camera resolution:

- latency p50 / p95 [ms]: from a target's header stamp (the capture stamp of the camera frame it
  was computed from) to the moment the bench's own subscriber received it: synchronisation,
  decoding, the policy step, the safety layer and DDS transport;
- the policy's own step time p50 [ms] (``step_ms`` in its diagnostics);
- loop steps per minute: motion results per minute, first to last: observe, predict, plan, move,
  settle, report.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped

# The harness lives beside the ROS tests; the repository root makes it importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import stamp_to_ns
from tests.ros.harness import (
    FASTDDS_PROFILE,
    Graph,
    NodeProcess,
    build_workspace,
    node_environment,
)
from tests.ros.sim_graph import (
    SIM_PARAMETERS,
    STARTUP,
    loop_policy_parameters,
    save_tiny_checkpoint,
)

STEPS = 30
LOOP_TIMEOUT = 120.0  # [s] for STEPS motions
RESOLUTIONS = ((224, 224), (640, 480))  # (width, height) [px] of both cameras


def run_loop(install: Path, checkpoint: Path, size: tuple[int, int], logs: Path) -> dict:
    """One run of the three nodes; returns latencies [ms], policy step times [ms], steps/min."""
    domain_id = 101 + os.getpid() % 100
    env = node_environment(install, domain_id)
    executables = install / "arm4r_policy" / "lib" / "arm4r_policy"
    sim = SIM_PARAMETERS | {"image_width": size[0], "image_height": size[1]}
    graph = Graph(domain_id)
    targets = graph.record(PoseStamped, topics.TARGET_POSE)
    results = graph.record(DiagnosticStatus, topics.MOTION_RESULT)
    diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
    nodes = [
        NodeProcess.start(executables / "sim_node", sim, env, logs),
        NodeProcess.start(executables / "moveit_bridge_node", {"backend": "sim"}, env, logs),
        NodeProcess.start(
            executables / "policy_node", loop_policy_parameters(checkpoint), env, logs
        ),
    ]
    try:
        if not graph.spin_until(lambda: len(results) >= STEPS, STARTUP + LOOP_TIMEOUT):
            raise RuntimeError(
                f"{len(results)} of {STEPS} motions:\n" + "\n".join(n.output() for n in nodes)
            )
    finally:
        for node in nodes:
            node.stop()
        graph.close()
    latencies = [
        (arrival - stamp_to_ns(target.header.stamp)) / 1e6
        for target, arrival in zip(targets.messages, targets.arrivals_ns, strict=True)
    ]
    steps = [
        float(value.value)
        for array in diagnostics.messages
        for status in array.status
        if status.name.startswith("policy_node")
        for value in status.values
        if value.key == "step_ms"
    ]
    span_s = (results.arrivals_ns[-1] - results.arrivals_ns[0]) / 1e9
    done = sum(status.level == DiagnosticStatus.OK for status in results.messages)
    return {
        "latency_ms": np.array(latencies),
        "step_ms": np.array(steps),
        "steps_per_min": 60.0 * (len(results) - 1) / span_s,
        "done": done,
        "results": len(results),
    }


def main() -> None:
    os.environ.update(
        {
            "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST",
            "FASTDDS_DEFAULT_PROFILES_FILE": str(FASTDDS_PROFILE),
            "HF_HUB_OFFLINE": "1",
            "MUJOCO_GL": os.environ.get("MUJOCO_GL", "egl"),
        }
    )
    install = build_workspace()
    with tempfile.TemporaryDirectory() as directory:
        checkpoint = save_tiny_checkpoint(Path(directory) / "checkpoint")
        print(f"loop of sim_node + policy_node (tiny, random) + moveit_bridge_node, {STEPS} steps")
        for size in RESOLUTIONS:
            logs = Path(directory) / f"logs_{size[0]}x{size[1]}"
            logs.mkdir()
            run = run_loop(install, checkpoint, size, logs)
            p50, p95 = np.percentile(run["latency_ms"], [50, 95])
            print(
                f"{size[0]}x{size[1]}: capture -> target p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"({len(run['latency_ms'])} targets); policy step p50 "
                f"{np.median(run['step_ms']):.1f} ms; {run['steps_per_min']:.0f} loop steps/min "
                f"({run['done']} of {run['results']} motions done)",
                flush=True,
            )


if __name__ == "__main__":
    main()
