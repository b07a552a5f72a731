"""Evaluated episodes made up for the arithmetic tests: no simulation, only outcomes."""

from arm4r_training.evaluation import TIMEOUT, EpisodeRecord, EpisodeResult, evaluation_seed


def record(
    variation: str, group: int, episode: int, success: bool, grasp_offset=None
) -> EpisodeRecord:
    result = EpisodeResult(
        seed=evaluation_seed(0, group, episode), success=success, steps=10,
        failure=None if success else TIMEOUT, detail="", planning_refusals=0,
        safety_refusals=0, safety_adjusted=0, sim_seconds=1.0, wall_seconds=0.5,
        grasp_offset=grasp_offset,
    )  # fmt: skip
    return EpisodeRecord(variation, group, episode, result)


def records_solving(variation: str, solved_per_group: list[int], episodes: int) -> list:
    """``episodes`` per seed group; group g solves its first ``solved_per_group[g]``."""
    return [
        record(variation, group, episode, episode < solved)
        for group, solved in enumerate(solved_per_group)
        for episode in range(episodes)
    ]
