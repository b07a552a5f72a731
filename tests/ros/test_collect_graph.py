"""Collection through the graph: sim_node, moveit_bridge_node (sim backend) and collect_node as
three processes over real DDS record scripted pick_cube episodes that validate."""

import time

from arm4r_policy.collect import validate_episode
from arm4r_policy.collect.layout import collection_directory

from .sim_graph import SIM_PARAMETERS

EPISODES = 2
FIRST_SEED = 1  # sim_node starts at seed 0; every episode begins with a reset to the next seed
COLLECTION = 120.0  # [s] for start-up and both episodes on 2 busy cores
STORED = (64, 64)  # (width, height) [px]


def test_collect_node_records_valid_pick_cube_episodes_through_the_sim_graph(start_node, tmp_path):
    out = tmp_path / "data"
    start_node("sim_node", **(SIM_PARAMETERS | {"seed": FIRST_SEED - 1, "camera_rate_hz": 30.0}))
    start_node("moveit_bridge_node", backend="sim", cell="kinova", speed_scaling=0.3)
    collector = start_node(
        "collect_node",
        cell="kinova",
        sim=True,
        output_dir=str(out),
        episodes=EPISODES,
        first_seed=FIRST_SEED,
        image_width=STORED[0],
        image_height=STORED[1],
    )
    started = time.monotonic()
    assert collector.wait_exit(COLLECTION) == 0, collector.output()
    print(f"collected {EPISODES} episodes in {time.monotonic() - started:.1f} s")

    directory = collection_directory(out, "pick_cube", "yellow", "kinova")
    episodes = sorted(directory.glob("episode_*"))
    assert [path.name for path in episodes] == ["episode_000001", "episode_000002"]
    for path in episodes:
        info = validate_episode(path)
        assert (info.meta.task, info.meta.variation, info.meta.cell) == (
            "pick_cube",
            "yellow",
            "kinova",
        )
        assert info.meta.instruction == "pick up the yellow cube"
        assert tuple(info.meta.image_size) == STORED
        assert sorted(camera.name for camera in info.meta.cameras) == ["ego", "side"]
