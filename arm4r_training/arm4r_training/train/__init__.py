"""Stage 1/2/3 training of ARM4R: recipes, the optimiser and schedule, the loop, checkpoints."""

from arm4r_training.train.batches import (
    BATCH_KEYS,
    IMAGE_KEYS,
    DataFactory,
    DataRequest,
    ResumableSampler,
    TrainingData,
    check_batch,
)
from arm4r_training.train.distributed import DistributedContext
from arm4r_training.train.launch import RunSpec, initialise_from, prepare_run
from arm4r_training.train.loop import DivergenceError, RunOptions, Trainer
from arm4r_training.train.optim import WarmupCosine, build_optimizer, parameter_groups
from arm4r_training.train.progress import RunSummary, StepMetrics
from arm4r_training.train.recipe import STAGE_MODES, BatchLayout, Recipe
from arm4r_training.train.run_config import RunConfig, resolve_run_config
from arm4r_training.train.state import (
    TrainingState,
    find_checkpoint,
    read_training_state,
    write_checkpoint,
)

__all__ = [
    "BATCH_KEYS",
    "IMAGE_KEYS",
    "STAGE_MODES",
    "BatchLayout",
    "DataFactory",
    "DataRequest",
    "DistributedContext",
    "DivergenceError",
    "Recipe",
    "ResumableSampler",
    "RunConfig",
    "RunOptions",
    "RunSpec",
    "RunSummary",
    "StepMetrics",
    "Trainer",
    "TrainingData",
    "TrainingState",
    "WarmupCosine",
    "build_optimizer",
    "check_batch",
    "find_checkpoint",
    "initialise_from",
    "parameter_groups",
    "prepare_run",
    "read_training_state",
    "resolve_run_config",
    "write_checkpoint",
]
