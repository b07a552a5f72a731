"""Dataset roots -> a checked, split, normalised ``WindowDataset`` and a summary of the reading."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from arm4r_policy.collect.layout import (
    INSTRUCTION_TEXT_FILE,
    POINTS_FILE,
    POINTS_UVD_FILE,
    PROPRIO_FILE,
)
from arm4r_policy.errors import ConfigError, DatasetError, ObservationError
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import (
    HASHING_ENCODER_NAME,
    HashingInstructionEncoder,
    InstructionEncoder,
)
from arm4r_training.data.augment import ImageAugmentation
from arm4r_training.data.dataset import WindowDataset
from arm4r_training.data.discovery import Split, find_episodes, select_tasks, split_episodes
from arm4r_training.data.episodes import Episode, ReadSpec, read_episode
from arm4r_training.data.points import POINTS_FORMS, PointsForm
from arm4r_training.data.statistics import fit_normalizer
from arm4r_training.data.targets import STATE_NOISE

log = logging.getLogger(__name__)

EPISODE_MARKERS = {"control": (PROPRIO_FILE,), "points": (POINTS_FILE, POINTS_UVD_FILE)}
"""The files that make a directory an episode (control) or a point clip (points)."""


@dataclass(frozen=True)
class DataOptions:
    """How episodes are read, split and served."""

    val_fraction: float = 0.1  # share of each task's episodes in the "val" split
    state_noise: float = STATE_NOISE  # std of the noise on the 7-D input state, "train" only
    augmentation: ImageAugmentation | None = field(default_factory=ImageAugmentation)  # "train"
    points_form: PointsForm = "auto"  # which stored form of point tracks to read
    cache_bytes: int = 0  # RAM for decoded frames, per loader process; 0: none
    strict: bool = False  # raise DatasetError on the first bad episode instead of skipping it

    def __post_init__(self) -> None:
        if not 0.0 <= self.val_fraction <= 1.0:
            raise ConfigError(
                f"DataOptions.val_fraction: expected a value in [0, 1], got {self.val_fraction!r}"
            )
        if not self.state_noise >= 0.0:
            raise ConfigError(f"DataOptions.state_noise: expected >= 0, got {self.state_noise!r}")
        if self.points_form not in POINTS_FORMS:
            raise ConfigError(
                f"DataOptions.points_form: expected one of {POINTS_FORMS}, got {self.points_form!r}"
            )
        if not isinstance(self.cache_bytes, int) or self.cache_bytes < 0:
            raise ConfigError(
                f"DataOptions.cache_bytes: expected an int >= 0, got {self.cache_bytes!r}"
            )


@dataclass(frozen=True)
class DatasetSummary:
    """What ``build_dataset`` read.

    Attributes:
        episodes: episodes served.
        skipped: episode directory -> why it was skipped.
        steps: steps with a prediction target, over the served episodes.
        windows: samples (one per step).
        tasks: task -> episodes served.
    """

    episodes: int
    skipped: dict[Path, str]
    steps: int
    windows: int
    tasks: dict[str, int]

    def __str__(self) -> str:
        return (
            f"{self.episodes} episodes ({', '.join(f'{t}: {n}' for t, n in self.tasks.items())}), "
            f"{self.steps} steps, {self.windows} windows, {len(self.skipped)} skipped"
        )


def build_dataset(
    config: ARM4RConfig,
    roots: Path | Sequence[Path],
    *,
    tasks: Mapping[str, int | None] | None = None,
    split: Split = "train",
    seed: int = 0,
    options: DataOptions | None = None,
    normalizer: Normalizer | None = None,
    stats_file: Path | None = None,
    instruction_encoder: InstructionEncoder | None = None,
) -> tuple[WindowDataset, DatasetSummary]:
    """Find, select, split and check episodes, and serve their windows for ``config``.

    Args:
        config: the model the batches are for.
        roots: dataset root(s), ``<root>/<task>/.../<episode>``.
        tasks: ``{task: count}``, the first ``count`` episodes of each task (None: all).
        split: ``"train"`` (augmented, state noise), ``"val"`` or ``"all"`` (run-time input).
        seed: the split and every random choice.
        options: reading options (``DataOptions()``).
        normalizer: statistics to normalise with (a validation set takes the training set's);
            None fits them on this dataset (``statistics.fit_normalizer``).
        stats_file: where fitted statistics are cached (a run directory, never a dataset root).
        instruction_encoder: embed ``instruction.txt`` with this encoder instead of reading
            ``instruction.zarr`` (it must be the one ``config.instruction_encoder`` names). None
            reads ``instruction.zarr``, except for a model on the offline hashing encoder: the
            policy embeds with it at run time, so its vectors are recomputed (the stored ones
            may be CLIP's, as in the authors' data).

    Raises:
        DatasetError: no episode is found, or (``options.strict``) one is bad.
        ConfigError: a task of ``tasks`` has no episodes, or the encoder does not match.
    """
    options = options or DataOptions()
    roots = (Path(roots),) if isinstance(roots, (str, Path)) else tuple(map(Path, roots))
    if instruction_encoder is not None and instruction_encoder.name != config.instruction_encoder:
        raise ConfigError(
            f"instruction_encoder {instruction_encoder.name!r}; the model reads "
            f"{config.instruction_encoder!r} embeddings"
        )
    if instruction_encoder is None and config.instruction_encoder == HASHING_ENCODER_NAME:
        instruction_encoder = HashingInstructionEncoder(config.text_dim)
    found = find_episodes(roots, EPISODE_MARKERS[config.mode])
    if not found:
        markers = " or ".join(EPISODE_MARKERS[config.mode])
        raise DatasetError(f"no episodes (directories with {markers}) under {list(roots)}")
    chosen = split_episodes(select_tasks(found, tasks), split, options.val_fraction, seed)
    episodes, skipped = load_episodes(
        chosen, ReadSpec.of(config, options.points_form), options.strict, instruction_encoder
    )
    training = split == "train"
    dataset = WindowDataset(
        config,
        episodes,
        roots=roots,
        normalizer=normalizer,
        seed=seed,
        state_noise=options.state_noise if training and config.mode == "control" else 0.0,
        augmentation=options.augmentation if training else None,
        cache_bytes=options.cache_bytes,
    )
    if normalizer is None:
        if not episodes:
            raise DatasetError(
                f"{split} split: no readable episode ({len(skipped)} skipped) to fit "
                "normalisation statistics on"
            )
        dataset.normalizer = fit_normalizer(dataset, stats_file)
    else:
        normalizer.check_dims(config.state_dim, config.action_dim, "normalizer")
    served = dict(Counter(episode.task for episode in episodes))
    summary = DatasetSummary(len(episodes), skipped, dataset.num_steps, len(dataset), served)
    log.info("%s split: %s", split, summary)
    return dataset, summary


def load_episodes(
    chosen: Sequence[tuple[str, Path]],
    spec: ReadSpec,
    strict: bool = False,
    instruction_encoder: InstructionEncoder | None = None,
) -> tuple[list[Episode], dict[Path, str]]:
    """Read every (task, episode directory); a bad one is skipped with one warning, or raises.

    Returns:
        The episodes read, and episode directory -> reason for those skipped.
    """
    episodes, skipped = [], {}
    for task, path in chosen:
        try:
            episode = read_episode(path, task, spec)
            if instruction_encoder is not None:
                episode = _embedded(episode, instruction_encoder)
        except DatasetError as error:
            if strict:
                raise
            reason = " ".join(str(error).split())  # one line, whatever the message holds
            log.warning("skipping episode %s: %s", path, reason)
            skipped[path] = reason
            continue
        episodes.append(episode)
    return episodes, skipped


def _embedded(episode: Episode, encoder: InstructionEncoder) -> Episode:
    text_file = episode.path / INSTRUCTION_TEXT_FILE
    if episode.instruction_text is None:
        raise DatasetError(f"{text_file}: missing; the instruction encoder needs the text")
    try:
        vector = encoder.embed(episode.instruction_text).cpu().numpy()
    except ObservationError as error:
        raise DatasetError(f"{text_file}: {error}") from error
    return dataclasses.replace(episode, instruction=vector)
