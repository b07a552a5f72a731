"""ARM4R: per step a language token, an observation token and an action token, read causally.

For a window of T steps the transformer sees
    [l_0, o_0, a_0, l_1, o_1, a_1, ..., l_{T-1}, o_{T-1}, a_{T-1}]
where l is the projected instruction embedding (repeated every step), o pools both cameras' image
tokens together with the encoded state, and a encodes the action taken at that step. The output at
o_t predicts the next K actions; it never sees a_t. Points mode (pre-training on 3D tracks) and
control mode share every part except the state encoder, action encoder and head, whose sizes
depend on the state: n x 3 tracked points, or xyz + 6D rotation + gripper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.keypoints import ColourKeypointEncoder, KeypointEncoder
from arm4r_policy.model.pooling import AttentionPool
from arm4r_policy.model.transformer import CausalTransformer, KVCache
from arm4r_policy.model.vision import MLP, VisionTransformer

log = logging.getLogger(__name__)

# Parts that depend on the state/action space: not carried from a points model to a control model.
STATE_SPECIFIC_PARTS: tuple[str, ...] = ("state_encoder", "action_encoder", "head")

# Index of the observation token within a step's (language, observation, action) triple.
OBS_SLOT = 1

_announced_random_vision = False


class ARM4R(nn.Module):
    def __init__(self, config: ARM4RConfig, vision_weights: str | Path | None = None) -> None:
        super().__init__()
        self.config = c = config
        encoder_hidden = c.encoder_hidden or c.state_dim
        self.image_encoder = build_image_encoder(c)
        self.image_norm = nn.LayerNorm(c.vision_width, eps=1e-6)
        self.text_encoder = MLP(c.text_dim, c.text_dim, c.width)
        self.state_encoder = MLP(c.state_dim, encoder_hidden, c.vision_width)
        self.action_encoder = MLP(c.action_dim, encoder_hidden, c.width)
        self.pooling = nn.ModuleList(
            AttentionPool(c.vision_width, c.width // c.num_cameras, c.pool_heads, c.pool_mlp_ratio)
            for _ in range(c.num_cameras)
        )
        self.transformer = CausalTransformer(
            c.width, c.depth, c.heads, c.ffn_hidden, c.norm_eps, c.rope_theta
        )
        self.head = MLP(c.width, c.head_hidden, c.horizon * c.action_dim)
        self.apply(_init_linear)

        self.vision_source = "random initialisation"
        if vision_weights is not None:
            if c.vision_encoder != "vit":
                raise ConfigError(
                    f"vision_weights {vision_weights}: an MAE/CrossMAE ViT file, but "
                    f"ARM4RConfig.vision_encoder is {c.vision_encoder!r}, not 'vit'"
                )
            self.image_encoder.load_pretrained(vision_weights)
            self.vision_source = str(vision_weights)
        if c.freeze_vision:
            self.image_encoder.requires_grad_(False)

    # --- encoders: one step's inputs -> one token each -----------------------------------------

    def encode_instruction(self, embedding: torch.Tensor) -> torch.Tensor:
        """(B, text_dim) CLIP text embedding -> (B, width) language token."""
        return self.text_encoder(embedding)

    def encode_images(self, images: torch.Tensor) -> torch.Tensor:
        """(N, V, 3, H, W) normalised images -> (N, V, L, vision_width) normed image tokens."""
        self._check_images(images)
        return self._image_tokens(self.image_encoder, images)

    def encode_image_positions(self, positions: torch.Tensor) -> torch.Tensor:
        """(N, V, K, 2) colour-keypoint positions -> (N, V, 1, vision_width), as ``encode_images``.

        ``positions`` are ``ColourKeypointEncoder.positions`` of each camera's normalised image;
        they depend on nothing trained, so a training run may compute them once per frame.
        """
        c = self.config
        if not isinstance(self.image_encoder, ColourKeypointEncoder):
            raise ConfigError(
                f"image_positions: the {c.vision_encoder!r} image encoder is trained from the "
                "pixels; only 'colour_keypoints' reads positions computed ahead"
            )
        expected = (c.num_cameras, c.keypoints, 2)
        if positions.dim() != 4 or tuple(positions.shape[1:]) != expected:
            raise ObservationError(
                f"image_positions: expected shape (N, {', '.join(map(str, expected))}), "
                f"got {tuple(positions.shape)}"
            )
        return self._image_tokens(self.image_encoder.tokens, positions)

    def _image_tokens(self, encode: Callable, inputs: torch.Tensor) -> torch.Tensor:
        """(N, V, ...) per-camera inputs -> (N, V, L, vision_width) normed tokens of ``encode``."""
        N, V = inputs.shape[:2]
        self._announce_random_vision()
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.config.freeze_vision):
            tokens = encode(inputs.flatten(0, 1))
        return self.image_norm(tokens).view(N, V, *tokens.shape[1:])

    def pool_observation(self, image_tokens: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """(N, V, L, Dv) image tokens + (N, state_dim) state -> (N, width) observation token."""
        state_token = self.state_encoder(state)[:, None]  # (N, 1, Dv)
        per_camera = [
            pool(torch.cat((image_tokens[:, view], state_token), dim=1))  # (N, width / V)
            for view, pool in enumerate(self.pooling)
        ]
        return torch.cat(per_camera, dim=-1)

    def encode_observation(self, images: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """(N, V, 3, H, W) images + (N, state_dim) state -> (N, width) observation token."""
        return self.pool_observation(self.encode_images(images), state)

    def encode_action(self, action: torch.Tensor) -> torch.Tensor:
        """(..., action_dim) action -> (..., width) action token."""
        return self.action_encoder(action)

    # --- sequence -------------------------------------------------------------------------------

    @staticmethod
    def interleave(language: torch.Tensor, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Three (B, T, D) token streams -> (B, 3T, D) as l_0, o_0, a_0, l_1, ..."""
        B, T, D = obs.shape
        return torch.stack((language, obs, action), dim=2).view(B, 3 * T, D)

    def decode(self, hidden: torch.Tensor) -> torch.Tensor:
        """(..., width) output at observation tokens -> (..., horizon, action_dim) predictions."""
        out = self.head(hidden)
        return out.view(*hidden.shape[:-1], self.config.horizon, self.config.action_dim)

    def forward(
        self,
        images: torch.Tensor | None,
        states: torch.Tensor,
        actions: torch.Tensor,
        instruction: torch.Tensor,
        action_keep: torch.Tensor | None = None,
        image_positions: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict K future actions at every step of a window (teacher forcing).

        images (B, T, V, 3, H, W) normalised; states (B, T, state_dim); actions (B, T, action_dim),
        the action taken at each step; instruction (B, text_dim); action_keep (B, T), 0 where an
        action token is hidden (zeroed), for training with action dropout; image_positions
        (B, T, V, K, 2), the colour keypoints of the images, given instead of them
        (``encode_image_positions``). Returns (B, T, K, action_dim).
        """
        B, T = states.shape[:2]
        if self.config.context < T:
            raise ObservationError(
                f"window: {T} steps exceed the model's context of {self.config.context}"
            )
        if (images is None) == (image_positions is None):
            raise ObservationError("forward: pass either images or image_positions")
        if image_positions is None:
            image_tokens = self.encode_images(images.flatten(0, 1))
        else:
            image_tokens = self.encode_image_positions(image_positions.flatten(0, 1))
        obs = self.pool_observation(image_tokens, states.flatten(0, 1)).view(B, T, -1)
        language = self.encode_instruction(instruction)[:, None].expand(B, T, -1)
        action_tokens = self.encode_action(actions)
        if action_keep is not None:
            action_tokens = action_tokens * action_keep[..., None].to(action_tokens.dtype)
        tokens = self.interleave(language, obs, action_tokens)
        hidden = self.transformer(tokens)  # (B, 3T, D)
        return self.decode(hidden[:, OBS_SLOT::3])

    def forward_tokens(self, tokens: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Run the transformer on already encoded tokens (B, S, D), optionally after a cache."""
        return self.transformer(tokens, cache)

    def _check_images(self, images: torch.Tensor) -> None:
        c = self.config
        expected = (c.num_cameras, 3, c.image_size, c.image_size)
        if images.dim() != 5 or tuple(images.shape[1:]) != expected:
            raise ObservationError(
                f"images: expected shape (N, {', '.join(map(str, expected))}), "
                f"got {tuple(images.shape)}"
            )

    def _announce_random_vision(self) -> None:
        """Say once per process that the image encoder starts from random weights."""
        global _announced_random_vision
        if self.vision_source != "random initialisation" or _announced_random_vision:
            return
        _announced_random_vision = True
        if self.config.freeze_vision:
            remedy = (
                "pass vision_weights= (an MAE/CrossMAE ViT file)"
                if self.config.vision_encoder == "vit"
                else "set freeze_vision: false (its weights only learn in training)"
            )
            log.warning(
                "The frozen image encoder has random weights: %s or load a trained checkpoint.",
                remedy,
            )
        else:
            log.info("The image encoder starts from random weights and is trained.")


def l1_loss(
    prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean L1 over the valid predictions.

    prediction, target: (B, T, K, a). mask: (B, T) or (B, T, K), 1 where the target exists; a
    window that runs past an episode's end is masked there, so padding never teaches the model.
    """
    error = (prediction - target).abs()
    if mask is None:
        return error.mean()
    mask = mask.to(error.dtype)
    while mask.dim() < error.dim():
        mask = mask.unsqueeze(-1)
    weight = mask.expand_as(error)
    return (error * weight).sum() / weight.sum().clamp_min(1.0)


def parameter_counts(model: ARM4R) -> dict[str, int]:
    """Parameters per top-level part, plus the trainable and total sums."""
    counts = {
        name: sum(p.numel() for p in part.parameters()) for name, part in model.named_children()
    }
    counts["trainable"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    counts["total"] = sum(p.numel() for p in model.parameters())
    return counts


def build_image_encoder(config: ARM4RConfig) -> nn.Module:
    """(B, 3, H, W) images -> (B, L, vision_width) tokens, by ``config.vision_encoder``."""
    c = config
    if c.vision_encoder == "keypoints":
        return KeypointEncoder(c.keypoints, c.vision_width)
    if c.vision_encoder == "colour_keypoints":
        return ColourKeypointEncoder(c.keypoints, c.vision_width)
    return VisionTransformer(
        c.image_size, c.patch_size, c.vision_width, c.vision_depth, c.vision_heads,
        c.vision_mlp_ratio, c.patch_stem,
    )  # fmt: skip


def _init_linear(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
