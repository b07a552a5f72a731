"""From a run description to a ready ``Trainer``: model, initialisation or resume, data.

A fresh run builds the model its stage needs (points for Stages 1-2, control for Stage 3) and may
start from a checkpoint: one of the same mode gives every weight; a points checkpoint gives a
control model everything but its state encoder, action encoder and head (``transfer_pretrained``).
A resumed run takes model, normalisation, recipe, optimiser and random states from its checkpoint.
Everything that can be refused is checked here, before the first step.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4R, ARM4RConfig, load_checkpoint, transfer_pretrained
from arm4r_policy.model.checkpoint import WEIGHTS, load_config, load_weights_into
from arm4r_training.data.episodes import camera_slots
from arm4r_training.train.batches import DataFactory, DataRequest
from arm4r_training.train.distributed import DistributedContext
from arm4r_training.train.loop import RunOptions, Trainer
from arm4r_training.train.progress import StepMetrics
from arm4r_training.train.recipe import Recipe
from arm4r_training.train.state import find_checkpoint, read_training_state, seed_everything

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSpec:
    """Everything a run is asked to do."""

    stage: int
    data: DataRequest
    options: RunOptions
    model: ARM4RConfig | None = None  # None only when resuming: the checkpoint's config is used
    recipe_values: dict[str, Any] = field(default_factory=dict)  # fields over the stage preset
    init: Path | None = None  # checkpoint to start from
    resume: Path | None = None  # run output or checkpoint directory to continue
    vision_weights: Path | None = None  # MAE/CrossMAE ViT file for the image encoder


def prepare_run(
    spec: RunSpec,
    context: DistributedContext,
    data_factory: DataFactory,
    on_step: Callable[[StepMetrics], None] | None = None,
) -> Trainer:
    """Build the trainer ``spec`` describes, or raise an ``ARM4RError`` (config, checkpoint or
    dataset) saying why not, before any step runs."""
    if spec.resume is not None:
        return _prepare_resumed(spec, context, data_factory, on_step)
    if spec.model is None:
        raise ConfigError("model: a fresh run needs a model configuration")
    recipe = Recipe.preset(spec.stage, **spec.recipe_values)
    if spec.model.mode != recipe.mode:
        raise ConfigError(
            f"ARM4RConfig.mode: Stage {recipe.stage} trains a {recipe.mode} model, "
            f"got {spec.model.mode!r}"
        )
    seed_everything(recipe.seed)
    # the checkpoint records which camera fed each slot, so a policy is fed the same way
    config = dataclasses.replace(spec.model, camera_names=camera_slots(spec.model))
    model = ARM4R(config, vision_weights=spec.vision_weights)
    if spec.init is not None:
        log.info(initialise_from(model, spec.init))
    data = data_factory(model.config, _data_request(spec, recipe))
    trainer = Trainer(model, data, recipe, spec.options, context, on_step)
    # each process draws its own random stream (data noise, augmentation) from here on
    seed_everything(recipe.seed, context.rank)
    return trainer


def _data_request(spec: RunSpec, recipe: Recipe) -> DataRequest:
    """``spec.data`` with what the recipe decides about the data: seed, crop and state noise."""
    return dataclasses.replace(
        spec.data,
        seed=recipe.seed,
        crop_scale=recipe.crop_scale,
        state_noise=recipe.state_noise,
    )


def initialise_from(model: ARM4R, directory: Path) -> str:
    """Load a checkpoint's weights into ``model``; returns a line saying what was taken.

    ``directory`` is a checkpoint, or a run whose latest checkpoint is taken.
    """
    directory = Path(directory)
    if not (directory / WEIGHTS).is_file():
        directory = find_checkpoint(directory)
    source_mode, mode = load_config(directory).mode, model.config.mode
    if source_mode == mode:
        load_weights_into(model, directory)
        message = f"initialised from {directory}: every weight of the {mode} model"
    elif (source_mode, mode) == ("points", "control"):
        message = transfer_pretrained(model, directory).summary()
    else:
        raise ConfigError(
            f"init: {directory} holds a {source_mode} model, which cannot initialise a {mode} "
            f"model (control checkpoints only continue control training)"
        )
    model.vision_source = f"checkpoint {directory}"
    return message


def resumed_recipe(saved: dict[str, Any], stage: int, recipe_values: dict[str, Any]) -> Recipe:
    """The saved recipe, after checking that the values asked for now do not change it."""
    recipe = Recipe.from_dict(saved, source="training state")
    if stage != recipe.stage:
        raise ConfigError(f"stage: the checkpoint continues Stage {recipe.stage}, not {stage}")
    asked = Recipe.from_dict({**saved, **recipe_values})
    changed = [name for name in recipe_values if getattr(asked, name) != getattr(recipe, name)]
    if changed:
        name = changed[0]
        raise ConfigError(
            f"{name}: a resumed run keeps its recipe ({name}={getattr(recipe, name)!r}), "
            f"got {getattr(asked, name)!r}"
        )
    return recipe


def _prepare_resumed(
    spec: RunSpec,
    context: DistributedContext,
    data_factory: DataFactory,
    on_step: Callable[[StepMetrics], None] | None,
) -> Trainer:
    directory = find_checkpoint(spec.resume)
    state = read_training_state(directory)
    recipe = resumed_recipe(state.recipe, spec.stage, spec.recipe_values)
    model, normalizer = load_checkpoint(directory)
    request = dataclasses.replace(_data_request(spec, recipe), normalizer=normalizer)
    data = data_factory(model.config, request)
    trainer = Trainer(model, data, recipe, spec.options, context, on_step)
    trainer.restore(state)
    log.info("resuming %s at step %d", directory, state.step)
    return trainer
