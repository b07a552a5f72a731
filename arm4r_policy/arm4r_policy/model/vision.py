"""The image encoder: a ViT whose parameter names follow the timm/MAE layout.

Keeping timm's names lets the authors' MAE/CrossMAE ViT-B/16 file load as it is. The final norm is
left out (ARM4R replaces it with a trainable LayerNorm of its own) and every token is returned:
(B, 3, H, W) ImageNet-normalised images -> (B, 1 + (H/p)(W/p), D), CLS first.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

from arm4r_policy.errors import CheckpointError
from arm4r_policy.model.state_dict import check_keys_and_shapes

log = logging.getLogger(__name__)

# Keys of an MAE/CrossMAE pre-training file that the encoder does not use.
_IGNORED_PREFIXES = ("decoder", "mask_token", "norm.", "fc_norm.", "head.")


class PatchEmbed(nn.Module):
    """One p x p convolution of stride p: the MAE layout."""

    def __init__(self, patch_size: int, width: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.proj(images).flatten(2).transpose(1, 2)  # (B, N, D)


class ConvStem(nn.Module):
    """Stride-2 3x3 convolutions with GELU down to one cell per patch, then a 1x1 to ``width``.

    Channels double from ``width / 2**(layers - 1)`` per layer. No normalisation layers, so a
    batch split over processes gives the gradients of the whole batch.
    """

    def __init__(self, patch_size: int, width: int) -> None:
        super().__init__()
        layers = patch_size.bit_length() - 1
        channels = [3] + [max(8, width >> (layers - 1 - i)) for i in range(layers)]
        self.stem = nn.Sequential(
            *(
                module
                for c_in, c_out in itertools.pairwise(channels)
                for module in (nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.GELU())
            )
        )
        self.proj = nn.Conv2d(channels[-1], width, kernel_size=1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.proj(self.stem(images)).flatten(2).transpose(1, 2)  # (B, N, D)


class ViTAttention(nn.Module):
    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, D = x.shape
        # (B, N, 3D) -> 3 x (B, H, N, hd)
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(B, N, D))


class MLP(nn.Module):
    """Linear -> GELU -> Linear (timm's ``Mlp``: ``fc1``, ``fc2``)."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class ViTBlock(nn.Module):
    def __init__(self, width: int, heads: int, mlp_ratio: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = ViTAttention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.mlp = MLP(width, int(width * mlp_ratio), width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(
        self,
        image_size: int,
        patch_size: int,
        width: int,
        depth: int,
        heads: int,
        mlp_ratio: float,
        patch_stem: str = "linear",
    ) -> None:
        super().__init__()
        self.image_size = image_size
        num_patches = (image_size // patch_size) ** 2
        stem = ConvStem if patch_stem == "conv" else PatchEmbed
        self.patch_embed = stem(patch_size, width)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + num_patches, width))
        self.blocks = nn.ModuleList(ViTBlock(width, heads, mlp_ratio) for _ in range(depth))
        nn.init.normal_(self.cls_token, std=0.02)
        nn.init.normal_(self.pos_embed, std=0.02)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embed(images)
        cls = self.cls_token.expand(patches.shape[0], -1, -1)
        x = torch.cat((cls, patches), dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return x

    def load_pretrained(self, path: str | Path) -> None:
        """Load an MAE/CrossMAE ViT file (timm key layout; ``.pth`` or ``.safetensors``).

        A ``.pth`` is read with ``weights_only=True`` (no code is unpickled); a ``{"model": ...}``
        wrapper is unwrapped; decoder and head keys are ignored.
        """
        path = Path(path)
        state = _read_state_dict(path)
        own = self.state_dict()
        check_keys_and_shapes(path, own, state, part="image-encoder")
        unused = [k for k in state if k not in own and not k.startswith(_IGNORED_PREFIXES)]
        if unused:
            log.warning(
                "%s: %d key(s) not used by the image encoder, e.g. %r", path, len(unused), unused[0]
            )
        self.load_state_dict({k: state[k] for k in own})


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise CheckpointError(f"{path}: image-encoder weights file not found")
    try:
        if path.suffix == ".safetensors":
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(f"{path}: unreadable image-encoder weights ({error})") from error
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: expected a state dict of tensors")
    return state
