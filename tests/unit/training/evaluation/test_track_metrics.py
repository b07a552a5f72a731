"""Track forecasts of a points checkpoint scored on episodes written by the collector's writer: the
protocol's bookkeeping (an oracle scores 0), the static baseline, visibility, the open-loop
rollout, and ``arm4r eval-tracks`` end to end."""

import copy
import dataclasses
import json

import numpy as np
import pytest
import torch

from arm4r_policy.cli import main
from arm4r_policy.collect.layout import INSTRUCTION_TEXT_FILE
from arm4r_policy.model import ARM4R, Normalizer, save_checkpoint
from arm4r_policy.runtime.track_prediction import TrackPrediction, TrackPredictor
from arm4r_training.data.episodes import ReadSpec, read_episode
from arm4r_training.evaluation import (
    DEFAULT_HORIZONS,
    TrackEvaluation,
    TrackEvaluationRequest,
    forecasts,
    load_track_clip,
    score_clip,
)

from ...model.builders import small_config
from ..data.builders import GRID, INSTRUCTION, our_episode_dir, write_ours, write_point_clip

STEPS = 30
DRIFT = np.array([0.1, -0.05, 0.2])  # [m] every point's move over an episode (builders.tracks)
CONFIG = small_config(mode="points", grid=GRID, camera_names=("side", "ego"))  # context 6


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The tiny model runs fastest on one thread: a second one only waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """pick_cube: two episodes with side-camera tracks (30 and 33 steps) and one without."""
    root = tmp_path_factory.mktemp("tracks") / "dataset"
    write_ours(root, seed=0, steps=STEPS, with_tracks=True)
    write_ours(root, seed=1, steps=33, with_tracks=True)
    write_ours(root, seed=2, steps=STEPS)
    return root


@pytest.fixture(scope="module")
def clip(dataset):
    episode = read_episode(
        our_episode_dir(dataset, "pick_cube", 0), "pick_cube", ReadSpec.of(CONFIG)
    )
    return load_track_clip(episode, CONFIG.image_size)


@pytest.fixture(scope="module")
def points_checkpoint(tmp_path_factory):
    """A random points checkpoint; moves are scaled to centimetres, as tracked points move."""
    torch.manual_seed(0)
    dim = CONFIG.state_dim
    normalizer = Normalizer(
        torch.zeros(dim), torch.ones(dim), torch.zeros(dim), torch.full((dim,), 0.01)
    )
    return save_checkpoint(tmp_path_factory.mktemp("points") / "ckpt", ARM4R(CONFIG), normalizer)


class GroundTruthOracle:
    """Forecasts the recorded points of the step after the one it is at, counting its steps: it is
    right only if it is stepped once per step, in order, and forked where a forecast starts."""

    def __init__(self, points):
        self.points, self.at = points, -1

    def reset(self):
        self.at = -1

    def step(self, images, instruction, points=None):
        assert len(images) == 2
        assert instruction == INSTRUCTION
        self.at += 1
        upcoming = self.points[self.at + 1].astype(float)
        return TrackPrediction(points=upcoming, tracks=upcoming[:, None])

    def fork(self):
        return copy.copy(self)


def starts_reaching(horizon, steps=STEPS, every=4):
    """Start steps t = 0, every, ... whose forecast h steps ahead lies inside the episode."""
    return [t for t in range(0, steps - 1, every) if t + horizon <= steps - 1]


def test_an_oracle_forecasting_the_ground_truth_scores_zero_at_every_horizon(clip):
    scored = score_clip(GroundTruthOracle(clip.points), clip, DEFAULT_HORIZONS, start_every=4)
    assert [errors.horizon for errors in scored.horizons] == [1, 2, 4, 8]
    for errors in scored.horizons:
        assert errors.forecasts == len(starts_reaching(errors.horizon))
        assert errors.points == GRID**2 * errors.forecasts
        np.testing.assert_allclose(errors.model, 0.0, atol=1e-9)
        assert errors.static.min() > 0.0


def test_the_static_baseline_is_how_far_each_point_drifted_from_the_start_step(clip):
    scored = score_clip(GroundTruthOracle(clip.points), clip, (1, 3, 8), start_every=4)
    for errors in scored.horizons:
        # builders.tracks: every point moves DRIFT / (T - 1) per step
        drifted_mm = 1000.0 * np.linalg.norm(DRIFT) * errors.horizon / (STEPS - 1)
        summary = errors.summary()
        assert summary["static"]["mean_mm"] == pytest.approx(drifted_mm, rel=1e-4)
        assert summary["static"]["median_mm"] == pytest.approx(drifted_mm, rel=1e-4)
        assert summary["points"] == GRID**2 * len(starts_reaching(errors.horizon))


def test_only_points_visible_at_the_forecast_step_are_scored(clip):
    """Point 0 jumps 1 m away at every odd step, where the camera does not see it: scored, the
    jumps would dominate the static baseline."""
    points, visible = clip.points.copy(), clip.visible.copy()
    points[1::2, 0, 2] += 1.0
    visible[1::2, 0] = False
    hidden = dataclasses.replace(clip, points=points, visible=visible)
    scored = score_clip(GroundTruthOracle(points), hidden, (1, 2), start_every=4)
    for errors in scored.horizons:
        starts = starts_reaching(errors.horizon)
        assert errors.points == sum(int(visible[t + errors.horizon].sum()) for t in starts)
        drifted_mm = 1000.0 * np.linalg.norm(DRIFT) * errors.horizon / (STEPS - 1)
        np.testing.assert_allclose(errors.static, drifted_mm, rtol=1e-4)
    assert scored.horizons[0].points == (GRID**2 - 1) * len(starts_reaching(1))


def test_a_forecast_never_sees_the_ground_truth_of_the_steps_it_forecasts(points_checkpoint, clip):
    predictor = TrackPredictor.from_checkpoint(points_checkpoint)
    points = clip.points.copy()
    points[9:17] += np.float32(0.05)  # steps 8 + 1 .. 8 + 8: what the forecast from 8 predicts
    perturbed = dataclasses.replace(clip, points=points)
    original = list(forecasts(predictor, clip, max_horizon=8, start_every=4))
    changed = list(forecasts(predictor, perturbed, max_horizon=8, start_every=4))
    assert [f.start for f in original] == [f.start for f in changed] == starts_reaching(1)
    for before, after in zip(original, changed, strict=True):
        assert before.points.shape == (min(8, STEPS - 1 - before.start), GRID**2, 3)
        if before.start <= 8:
            np.testing.assert_array_equal(after.points, before.points)
        elif before.start - CONFIG.context < 16:  # perturbed steps in its window: they count
            assert not np.allclose(after.points, before.points)


def test_a_forecast_is_what_a_predictor_observing_up_to_the_start_then_running_alone_predicts(
    points_checkpoint, clip
):
    """Forking at each start leaves the observed stream as it was, and each fork continues it
    exactly, also once the window (C = 6) slides."""
    predictor = TrackPredictor.from_checkpoint(points_checkpoint)
    scored = {f.start: f.points for f in forecasts(predictor, clip, max_horizon=4, start_every=4)}
    for start in (0, 8, 20):
        alone = TrackPredictor.from_checkpoint(points_checkpoint)
        for t in range(start + 1):
            expected = [alone.step(clip.images(t), INSTRUCTION, clip.points[t]).points]
        for t in range(start + 1, start + 4):
            expected.append(alone.step(clip.images(t), INSTRUCTION).points)
        np.testing.assert_allclose(scored[start], np.stack(expected), rtol=0, atol=1e-6)


def test_a_request_takes_the_first_episodes_per_task_and_names_those_without_tracks(
    dataset, points_checkpoint
):
    every = TrackEvaluation(TrackEvaluationRequest(points_checkpoint, (dataset,)))
    assert [e.path.name for e in every.episodes] == ["episode_000000", "episode_000001"]
    untracked = our_episode_dir(dataset, "pick_cube", 2)
    assert list(every.skipped) == [untracked]
    assert "no point tracks" in every.skipped[untracked]
    first = TrackEvaluation(TrackEvaluationRequest(points_checkpoint, (dataset,), episodes=1))
    assert [e.path.name for e in first.episodes] == ["episode_000000"]
    assert first.skipped == {}


def test_a_clip_the_predictor_cannot_read_is_named_and_skipped_while_the_rest_is_scored(
    points_checkpoint, tmp_path
):
    write_ours(tmp_path, seed=0, steps=STEPS, with_tracks=True)
    wordless = write_point_clip(tmp_path, "clip_0", np.ones((STEPS, GRID**2, 3), np.float32))
    (wordless / INSTRUCTION_TEXT_FILE).unlink()  # the embedding alone: no words to embed anew
    evaluation = TrackEvaluation(TrackEvaluationRequest(points_checkpoint, (tmp_path,)))
    assert len(evaluation.episodes) == 2
    scored = evaluation.run(progress=False)
    assert [clip.path for clip in scored] == [our_episode_dir(tmp_path, "pick_cube", 0)]
    assert "no instruction.txt" in evaluation.skipped[wordless]


def test_eval_tracks_prints_the_table_and_writes_track_metrics_json(
    dataset, points_checkpoint, tmp_path, capsys
):
    out = tmp_path / "metrics"
    code = main(["eval-tracks", "--checkpoint", str(points_checkpoint), "--data", str(dataset),
                 "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0

    results = json.loads((out / "track_metrics.json").read_text())
    assert results["format"] == "arm4r-track-metrics"
    assert results["protocol"]["horizons"] == [1, 2, 4, 8]
    assert results["protocol"]["start_every"] == 4
    assert results["tasks"] == ["pick_cube"]
    assert [h["horizon"] for h in results["horizons"]] == [1, 2, 4, 8]
    episodes = results["episodes"]
    assert [episode["steps"] for episode in episodes] == [30, 33]
    for index, pooled in enumerate(results["horizons"]):
        assert set(pooled) == {"horizon", "forecasts", "points", "model", "static", "moving"}
        for part in ("model", "static"):
            assert set(pooled[part]) == {"mean_mm", "median_mm"}
            assert pooled[part]["mean_mm"] > 0.0
        per_episode = [episode["horizons"][index] for episode in episodes]
        assert pooled["points"] == sum(h["points"] for h in per_episode) > 0
        assert pooled["forecasts"] == sum(h["forecasts"] for h in per_episode)
        # every point moves about 7 mm per step: all of them count as moving
        assert pooled["moving"]["points"] == pooled["points"]
    untracked = our_episode_dir(dataset, "pick_cube", 2)
    assert list(results["skipped"]) == [str(untracked)]

    assert f"skipped {untracked}: no point tracks" in printed
    assert "every 4th step" in printed
    for row in ("1 step", "2 steps", "4 steps", "8 steps"):
        assert row in printed
    assert f"results: {out / 'track_metrics.json'}" in printed


def test_eval_tracks_with_chosen_horizons_scores_those(dataset, points_checkpoint, tmp_path):
    out = tmp_path / "metrics"
    code = main(["eval-tracks", "--checkpoint", str(points_checkpoint), "--data", str(dataset),
                 "--episodes", "1", "--horizons", "1", "3", "--start-every", "8",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    results = json.loads((out / "track_metrics.json").read_text())
    assert [h["horizon"] for h in results["horizons"]] == [1, 3]
    assert [h["forecasts"] for h in results["horizons"]] == [4, 4]  # t = 0, 8, 16, 24
    assert results["protocol"]["start_every"] == 8


def test_eval_tracks_refuses_a_control_checkpoint(dataset, tmp_path, capsys):
    torch.manual_seed(0)
    control = save_checkpoint(
        tmp_path / "control", ARM4R(small_config()), Normalizer.identity(10, 10)
    )
    code = main(["eval-tracks", "--checkpoint", str(control), "--data", str(dataset),
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert "'control' checkpoint" in error
    assert "'points' (Stage 1/2) checkpoint" in error
    assert not (tmp_path / "out").exists()


def test_eval_tracks_refuses_data_without_tracks_naming_the_episodes(
    points_checkpoint, tmp_path, capsys
):
    root = tmp_path / "control_only"
    untracked = write_ours(root, seed=3, steps=STEPS)
    code = main(["eval-tracks", "--checkpoint", str(points_checkpoint), "--data", str(root)])
    assert code == 2
    error = capsys.readouterr().err
    assert "no readable episode with point tracks" in error
    assert f"{untracked}: no point tracks" in error


@pytest.mark.parametrize(
    ("argument", "values"),
    [("--horizons", ["0", "2"]), ("--horizons", ["4", "2"]), ("--start-every", ["0"])],
)
def test_eval_tracks_refuses_horizons_or_start_steps_it_cannot_score(
    dataset, points_checkpoint, argument, values, capsys
):
    code = main(["eval-tracks", "--checkpoint", str(points_checkpoint), "--data", str(dataset),
                 argument, *values])  # fmt: skip
    assert code == 2
    assert argument.lstrip("-").replace("-", "_") in capsys.readouterr().err
