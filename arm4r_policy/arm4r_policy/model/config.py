"""ARM4RConfig: every number that shapes the network, with the paper and tiny presets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from arm4r_policy.errors import ConfigError

Mode = Literal["control", "points"]
MODES: tuple[str, ...] = ("control", "points")

# xyz (3) + 6D rotation, the first two rows of R (6) + gripper (1).
CONTROL_DIM = 10
_POSITIVE_INTS = (
    "grid",
    "width",
    "depth",
    "heads",
    "ffn_hidden",
    "context",
    "num_cameras",
    "image_size",
    "patch_size",
    "vision_width",
    "vision_depth",
    "vision_heads",
    "pool_heads",
    "pool_mlp_ratio",
    "text_dim",
    "head_hidden",
    "horizon",
    "keypoints",
)
# How image patches become tokens: "linear", one p x p convolution (the MAE layout, loads
# pre-trained ViTs); "conv", log2(p) stride-2 3x3 convolutions then a 1x1 one, an early-convolution
# stem for a ViT trained from scratch.
PATCH_STEMS: tuple[str, ...] = ("linear", "conv")
VISION_ENCODERS: tuple[str, ...] = ("vit", "keypoints", "colour_keypoints")
# Control predicts a 16-step chunk; point pre-training predicts the next step's tracks.
DEFAULT_HORIZON = {"control": 16, "points": 1}


@dataclass(frozen=True)
class ARM4RConfig:
    mode: Mode = "control"  # "points": pre-training on 3D tracks; "control": end-effector actions
    grid: int = 36  # points mode: a grid x grid lattice of tracked points, 3 coordinates each
    relative_actions: bool = True  # control mode: targets in the current end-effector frame

    # causal transformer (LLaMA-style, no biases)
    width: int = 768
    depth: int = 12
    heads: int = 12
    ffn_hidden: int = 2048  # SwiGLU hidden width
    norm_eps: float = 1e-5  # RMSNorm
    rope_theta: float = 10000.0
    context: int = 16  # C: steps in the window, 3 tokens each (language, observation, action)

    # image encoder: ViT in the timm/MAE layout, every token kept (patches + CLS)
    num_cameras: int = 2
    camera_names: tuple[str, ...] | None = None  # which camera feeds each slot, in order
    image_size: int = 224  # [px], square
    patch_size: int = 16
    patch_stem: str = "linear"
    # "keypoints": convolutions + spatial softmax instead of the ViT; "colour_keypoints": fixed
    # colour filters + spatial softmax (model/keypoints.py)
    vision_encoder: str = "vit"
    keypoints: int = 64  # feature maps whose (x, y) a keypoint encoder reads
    vision_width: int = 768
    vision_depth: int = 12
    vision_heads: int = 12
    vision_mlp_ratio: float = 4.0
    freeze_vision: bool = True  # the paper keeps its pre-trained encoder frozen

    # observation token: per camera, a learned query attends over image tokens + the state token
    pool_heads: int = 8
    pool_mlp_ratio: int = 4

    # language: a precomputed 512-d text embedding, then a trainable MLP
    text_dim: int = 512
    instruction_encoder: str = "clip-vit-b-32"  # the embedding space the text MLP was trained on

    # state / action encoders: MLP d -> hidden -> width; None keeps hidden = d as the paper does
    encoder_hidden: int | None = None

    # prediction head: MLP width -> head_hidden -> horizon x action_dim
    head_hidden: int = 128
    horizon: int | None = None  # K future steps per observation; None: 16 control, 1 points

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"ARM4RConfig.mode: expected one of {MODES}, got {self.mode!r}")
        if self.patch_stem not in PATCH_STEMS:
            raise ConfigError(
                f"ARM4RConfig.patch_stem: expected one of {PATCH_STEMS}, got {self.patch_stem!r}"
            )
        if self.vision_encoder not in VISION_ENCODERS:
            raise ConfigError(
                f"ARM4RConfig.vision_encoder: expected one of {VISION_ENCODERS}, "
                f"got {self.vision_encoder!r}"
            )
        if self.horizon is None:
            object.__setattr__(self, "horizon", DEFAULT_HORIZON[self.mode])
        if self.camera_names is not None:
            object.__setattr__(self, "camera_names", tuple(self.camera_names))
            names = self.camera_names
            if len(names) != self.num_cameras or len(set(names)) != len(names):
                raise ConfigError(
                    f"ARM4RConfig.camera_names: expected {self.num_cameras} distinct names, "
                    f"got {list(names)}"
                )
        for name in _POSITIVE_INTS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"ARM4RConfig.{name}: expected a positive int, got {value!r}")
        if self.encoder_hidden is not None and self.encoder_hidden <= 0:
            raise ConfigError(
                f"ARM4RConfig.encoder_hidden: expected None or a positive int, "
                f"got {self.encoder_hidden!r}"
            )
        divisible = [
            ("width", "heads"),
            ("vision_width", "vision_heads"),
            ("vision_width", "pool_heads"),
            ("width", "num_cameras"),
            ("image_size", "patch_size"),
        ]
        for num, den in divisible:
            if getattr(self, num) % getattr(self, den):
                raise ConfigError(
                    f"ARM4RConfig.{num}={getattr(self, num)} must be divisible by "
                    f"{den}={getattr(self, den)}"
                )
        if (self.width // self.heads) % 2:
            raise ConfigError(
                f"ARM4RConfig: rotary positions need an even head size, got "
                f"width/heads = {self.width}/{self.heads}"
            )
        if self.patch_stem == "conv" and self.patch_size & (self.patch_size - 1):
            raise ConfigError(
                f"ARM4RConfig.patch_size: a conv stem halves the image per layer, so it needs a "
                f"power of 2, got {self.patch_size}"
            )
        for name in ("norm_eps", "rope_theta", "vision_mlp_ratio"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"ARM4RConfig.{name}: expected > 0, got {getattr(self, name)!r}")

    @property
    def num_points(self) -> int:
        return self.grid * self.grid

    @property
    def state_dim(self) -> int:
        """Size of one step's state input and of one predicted action."""
        return CONTROL_DIM if self.mode == "control" else 3 * self.num_points

    @property
    def action_dim(self) -> int:
        return self.state_dim

    @property
    def image_tokens(self) -> int:
        return (self.image_size // self.patch_size) ** 2 + 1

    @property
    def max_tokens(self) -> int:
        return 3 * self.context

    @classmethod
    def paper(cls, **overrides: Any) -> ARM4RConfig:
        """The published model: ViT-B/16 frozen encoder, 768-wide 12-layer transformer."""
        return cls(**overrides)

    @classmethod
    def tiny(cls, **overrides: Any) -> ARM4RConfig:
        """Same structure at a few million parameters, trainable on a few CPU cores.

        96 px images in 16 px patches give 37 tokens per camera; the 4-layer 128-wide ViT is
        trained end to end, from a convolutional stem (``patch_stem``) because it starts from
        random weights; the 256-wide transformer sees the same 3 tokens per step.
        """
        small = dict(
            width=256,
            depth=4,
            heads=4,
            ffn_hidden=688,
            image_size=96,
            patch_size=16,
            patch_stem="conv",
            vision_width=128,
            vision_depth=4,
            vision_heads=4,
            freeze_vision=False,
            pool_heads=4,
            instruction_encoder="hashing-v1-512",
            encoder_hidden=256,
            head_hidden=128,
        )
        return cls(**{**small, **overrides})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "config") -> ARM4RConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown ARM4RConfig field(s) {unknown}")
        return cls(**values)
