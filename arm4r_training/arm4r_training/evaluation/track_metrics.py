"""How far ahead a point-tracking checkpoint forecasts recorded tracks: 3D error [mm] per horizon.

Protocol, per episode of T steps with ground-truth tracks p_0 .. p_{T-1}:

1. A ``TrackPredictor`` streams the episode observing, at every step t, the recorded frames and
   the ground-truth points p_t, as a tracker would give them; its prediction is the forecast of
   p_{t+1}, horizon 1.
2. From a start step t the forecast rolls on open-loop: a fork of the predictor
   (``TrackPredictor.fork``: the window and KV cache copied, nothing re-encoded) is stepped with
   the recorded frames of t+1, ..., t+H-1 and no points, so each step continues from its own
   previous prediction. At t+k it sees the frames of t+k (what the camera shows is known), never
   the points of t+k (what is forecast). The observed stream goes on unchanged.
3. The forecast of step t+h is compared with p_{t+h}: the Euclidean distance [mm] of every point
   visible at t+h (``visibility.zarr`` where the episode holds it, every point otherwise).

Per horizon h (default 1, 2, 4, 8 steps) the errors are pooled over start steps, points and
episodes, and summarised by their mean and median. The static baseline forecasts that every point
stays where it was at t, scored on the same points: a model worth its weights beats it. Most of a
scene holds still (in the simulated pick_cube episodes over 95% of the points never move), which
pulls both towards 0, so the same summary is also given over the points that moved at least
``MOVING_MM`` from t to t+h, where forecasting motion is what counts.

Cost: the observed stream is one network step per step, and each forecast max(H) - 1 more, so
forecasts start only at every ``start_every``-th step (default 4: t = 0, 4, 8, ...); a start t is
scored at every horizon h with t + h < T.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from tqdm import tqdm

from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.layout import VISIBILITY_FILE
from arm4r_policy.errors import CheckpointError, ConfigError, DatasetError
from arm4r_policy.model.checkpoint import load_config
from arm4r_policy.runtime.track_prediction import TrackPrediction, TrackPredictor
from arm4r_training.data.build import EPISODE_MARKERS, load_episodes
from arm4r_training.data.discovery import find_episodes, select_tasks
from arm4r_training.data.episodes import Episode, ReadSpec
from arm4r_training.data.frames import FrameReader

log = logging.getLogger(__name__)

DEFAULT_HORIZONS = (1, 2, 4, 8)
"""Steps ahead scored unless asked otherwise."""
DEFAULT_START_EVERY = 4
"""Forecasts start at every this many steps unless asked otherwise."""
MOVING_MM = 1.0
"""[mm] a point whose ground truth moves at least this far from t to t+h counts as moving."""
NO_TRACKS = "no point tracks ({}); record it with `arm4r collect --tracks`"


class ForecastPredictor(Protocol):
    """What a forecast streams: ``TrackPredictor``, or anything with its ``reset``, ``step`` and
    ``fork``."""

    def reset(self) -> None:
        """Forget the previous episode."""
        ...

    def step(
        self, images: Sequence[np.ndarray], instruction: str, points: np.ndarray | None = None
    ) -> TrackPrediction:
        """Frames in the checkpoint's camera order, the task text, the (n, 3) observed points or
        None to continue from the last prediction; predicts the points of the next step."""
        ...

    def fork(self) -> ForecastPredictor:
        """An independent copy continuing from this state."""
        ...


@dataclass(frozen=True)
class TrackClip:
    """What a forecast reads from an episode, all of it in memory.

    Attributes:
        path: the episode directory.
        task: its task.
        instruction: the task in words.
        frames: one (T, H, W, 3) uint8 RGB array per camera slot, in the checkpoint's order.
        points: (T, n, 3) float32 ground-truth camera-frame xyz [m].
        visible: (T, n) bool, the points the camera sees at each step.
    """

    path: Path
    task: str
    instruction: str
    frames: tuple[np.ndarray, ...]
    points: np.ndarray
    visible: np.ndarray

    @property
    def num_steps(self) -> int:
        """T, the steps recorded."""
        return len(self.points)

    def images(self, step: int) -> list[np.ndarray]:
        return [camera[step] for camera in self.frames]


def load_track_clip(episode: Episode, image_size: int) -> TrackClip:
    """The tracks, visibility and frames of a points-mode ``Episode``; frames are decoded at the
    coarsest scale that keeps ``image_size`` [px], each camera once.

    Raises:
        DatasetError: no ``instruction.txt``, or a malformed ``visibility.zarr``.
    """
    if episode.instruction_text is None:
        raise DatasetError(f"{episode.path}: no instruction.txt; the predictor reads the words")
    points = episode.points.load()
    visibility = episode.path / VISIBILITY_FILE
    if visibility.is_dir():
        visible = read_array(visibility, np.bool_, points.shape[:2])
    else:
        visible = np.ones(points.shape[:2], dtype=bool)
    reader, steps = FrameReader(), np.arange(len(points))
    views = {
        directory: reader.read(episode.path, directory, steps, episode.image_size, image_size)
        for directory in dict.fromkeys(episode.image_dirs)
    }
    frames = tuple(views[directory] for directory in episode.image_dirs)
    return TrackClip(episode.path, episode.task, episode.instruction_text, frames, points, visible)


@dataclass(frozen=True)
class Forecast:
    """The open-loop forecast from one start step.

    Attributes:
        start: t, the last step whose points were observed.
        points: (L, n, 3) forecast camera-frame xyz [m] of steps t+1 .. t+L.
    """

    start: int
    points: np.ndarray


def forecasts(
    predictor: ForecastPredictor, clip: TrackClip, max_horizon: int, start_every: int
) -> Iterator[Forecast]:
    """The forecast from every ``start_every``-th step, up to ``max_horizon`` steps ahead or the
    episode's last step (see the module docstring). Resets ``predictor`` first."""
    predictor.reset()
    last = clip.num_steps - 1
    for t in range((last - 1) // start_every * start_every + 1):
        prediction = predictor.step(clip.images(t), clip.instruction, clip.points[t])
        if t % start_every:
            continue
        ahead, length = [prediction.points], min(max_horizon, last - t)
        if length > 1:
            rollout = predictor.fork()
            for step in range(t + 1, t + length):
                ahead.append(rollout.step(clip.images(step), clip.instruction).points)
        yield Forecast(t, np.stack(ahead))


def _distances_mm(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return 1000.0 * np.linalg.norm(np.asarray(predicted, float) - truth, axis=-1)


def _joined(parts: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.zeros(0), *parts])


@dataclass(frozen=True)
class HorizonErrors:
    """Errors [mm] of the forecasts h steps ahead, one per (start step, visible point).

    Attributes:
        horizon: h [steps].
        model: (N,) the checkpoint's errors.
        static: (N,) the static baseline's errors on the same points.
        forecasts: start steps scored at this horizon.
    """

    horizon: int
    model: np.ndarray
    static: np.ndarray
    forecasts: int

    @property
    def points(self) -> int:
        return len(self.model)

    def moving(self) -> HorizonErrors:
        """The errors of the points that moved at least ``MOVING_MM`` from t to t+h (the static
        baseline's error is how far a point moved)."""
        keep = self.static >= MOVING_MM
        return HorizonErrors(self.horizon, self.model[keep], self.static[keep], self.forecasts)

    @classmethod
    def pooled(cls, horizon: int, parts: Sequence[HorizonErrors]) -> HorizonErrors:
        """The errors of ``parts`` (all at ``horizon``) together."""
        return cls(
            horizon,
            _joined([part.model for part in parts]),
            _joined([part.static for part in parts]),
            sum(part.forecasts for part in parts),
        )

    def summary(self) -> dict:
        """Means and medians [mm] (None without points) and the counts behind them, over every
        scored point and over the moving ones."""
        return {
            "horizon": self.horizon,
            "forecasts": self.forecasts,
            **self._scores(),
            "moving": self.moving()._scores(),
        }

    def _scores(self) -> dict:
        def stats(errors: np.ndarray) -> dict:
            if not len(errors):
                return {"mean_mm": None, "median_mm": None}
            return {"mean_mm": float(np.mean(errors)), "median_mm": float(np.median(errors))}

        return {"points": self.points, "model": stats(self.model), "static": stats(self.static)}


@dataclass(frozen=True)
class ClipErrors:
    """The errors of one episode's forecasts, one ``HorizonErrors`` per horizon, in order."""

    path: Path
    task: str
    num_steps: int
    horizons: tuple[HorizonErrors, ...]


def score_clip(
    predictor: ForecastPredictor,
    clip: TrackClip,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    start_every: int = DEFAULT_START_EVERY,
) -> ClipErrors:
    """Forecast ``clip`` from every ``start_every``-th step and score each of ``horizons``."""
    model: dict[int, list[np.ndarray]] = {h: [] for h in horizons}
    static: dict[int, list[np.ndarray]] = {h: [] for h in horizons}
    for forecast in forecasts(predictor, clip, max(horizons), start_every):
        start = clip.points[forecast.start]
        for h in horizons:
            if h > len(forecast.points):
                continue
            visible = clip.visible[forecast.start + h]
            truth = clip.points[forecast.start + h][visible]
            model[h].append(_distances_mm(forecast.points[h - 1][visible], truth))
            static[h].append(_distances_mm(start[visible], truth))
    scored = tuple(
        HorizonErrors(h, _joined(model[h]), _joined(static[h]), len(model[h])) for h in horizons
    )
    return ClipErrors(clip.path, clip.task, clip.num_steps, scored)


def pooled_errors(clips: Sequence[ClipErrors], horizons: Sequence[int]) -> list[HorizonErrors]:
    """Per horizon, the errors of every clip together."""
    return [
        HorizonErrors.pooled(h, [clip.horizons[index] for clip in clips])
        for index, h in enumerate(horizons)
    ]


@dataclass(frozen=True)
class TrackEvaluationRequest:
    """What to score, and how.

    Attributes:
        checkpoint: a points-mode (Stage 1/2) checkpoint directory.
        data: dataset roots, ``<root>/<task>/.../<episode>``, episodes with ground-truth tracks.
        tasks: the tasks to read; empty for every task found.
        episodes: the first this many episodes of each task (by path); None for all.
        horizons: steps ahead to score, increasing.
        start_every: forecasts start at every this many steps.
        text_weights: the local CLIP text tower, for checkpoints trained on CLIP embeddings.
    """

    checkpoint: Path
    data: tuple[Path, ...]
    tasks: tuple[str, ...] = ()
    episodes: int | None = None
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    start_every: int = DEFAULT_START_EVERY
    text_weights: Path | None = None

    def __post_init__(self) -> None:
        horizons = self.horizons
        if not horizons or min(horizons) < 1 or list(horizons) != sorted(set(horizons)):
            raise ConfigError(
                f"TrackEvaluationRequest.horizons = {list(horizons)}; expected increasing "
                "step counts >= 1"
            )
        if self.start_every < 1:
            raise ConfigError(
                f"TrackEvaluationRequest.start_every = {self.start_every}; expected >= 1"
            )
        if self.episodes is not None and self.episodes < 1:
            raise ConfigError(
                f"TrackEvaluationRequest.episodes = {self.episodes}; expected None or >= 1"
            )
        if not self.data:
            raise ConfigError("TrackEvaluationRequest.data: expected at least one dataset root")


class TrackEvaluation:
    """A checked ``TrackEvaluationRequest``: the episodes with tracks found, the predictor loaded.

    Episodes without tracks or unreadable ones are left out, each with its reason in ``skipped``:
    those found so here, and those ``run`` cannot load.

    Raises:
        CheckpointError: the checkpoint is missing, malformed or not a points checkpoint.
        ConfigError: a task of the request has no episodes.
        DatasetError: no readable episode with tracks under the roots.
    """

    def __init__(self, request: TrackEvaluationRequest) -> None:
        self.request = request
        self.config = load_config(request.checkpoint)
        if self.config.mode != "points":
            raise CheckpointError(
                f"{request.checkpoint}: a {self.config.mode!r} checkpoint predicts robot targets, "
                "not tracks; track metrics need a 'points' (Stage 1/2) checkpoint"
            )
        self.episodes, self.skipped = self._find_episodes()
        self.predictor = TrackPredictor.from_checkpoint(request.checkpoint, request.text_weights)

    def _find_episodes(self) -> tuple[list[Episode], dict[Path, str]]:
        request, markers = self.request, EPISODE_MARKERS["points"]
        found = find_episodes(request.data, EPISODE_MARKERS["control"] + markers)
        counts = {task: request.episodes for task in request.tasks or found}
        chosen, skipped = [], {}
        for task, paths in select_tasks(found, counts).items():
            for path in paths:
                if any((path / marker).is_dir() for marker in markers):
                    chosen.append((task, path))
                else:
                    skipped[path] = NO_TRACKS.format(" or ".join(markers))
        episodes, unreadable = load_episodes(chosen, ReadSpec.of(self.config))
        skipped.update(unreadable)
        if not episodes:
            listed = "; ".join(f"{path}: {reason}" for path, reason in skipped.items())
            raise DatasetError(
                f"no readable episode with point tracks under {[str(p) for p in request.data]}"
                f"{f' (skipped {listed})' if listed else ''}"
            )
        return episodes, skipped

    def run(self, progress: bool = True) -> list[ClipErrors]:
        """Score every episode, in path order per task.

        Args:
            progress: show a progress bar over the episodes (stderr).
        """
        request, scored = self.request, []
        for episode in tqdm(self.episodes, desc="tracks", unit="episode", disable=not progress):
            try:
                clip = load_track_clip(episode, self.config.image_size)
            except DatasetError as error:
                log.warning("skipping episode %s: %s", episode.path, error)
                self.skipped[episode.path] = str(error)
                continue
            scored.append(score_clip(self.predictor, clip, request.horizons, request.start_every))
        return scored
