"""The ARM4R network, its configuration, normalisation and checkpoint I/O (torch, no ROS)."""

from arm4r_policy.model.arm4r import ARM4R, l1_loss, parameter_counts
from arm4r_policy.model.checkpoint import (
    TransferReport,
    load_checkpoint,
    save_checkpoint,
    transfer_pretrained,
)
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.text import (
    ClipInstructionEncoder,
    HashingInstructionEncoder,
    InstructionEncoder,
    load_instruction_encoder,
)

__all__ = [
    "ARM4R",
    "ARM4RConfig",
    "ClipInstructionEncoder",
    "HashingInstructionEncoder",
    "InstructionEncoder",
    "Normalizer",
    "TransferReport",
    "l1_loss",
    "load_checkpoint",
    "load_instruction_encoder",
    "parameter_counts",
    "save_checkpoint",
    "transfer_pretrained",
]
