"""Small models and random windows for fast model tests."""

import torch

from arm4r_policy.model import ARM4RConfig


def small_config(**overrides) -> ARM4RConfig:
    """The tiny preset shrunk further so a forward pass takes milliseconds."""
    values = dict(width=64, depth=2, heads=4, ffn_hidden=128, image_size=32, vision_width=32,
                  vision_depth=1, vision_heads=2, pool_heads=2, encoder_hidden=32, head_hidden=32,
                  context=6)  # fmt: skip
    return ARM4RConfig.tiny(**{**values, **overrides})


def random_window(config: ARM4RConfig, batch: int, steps: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    size, cams = config.image_size, config.num_cameras
    return (
        torch.randn(batch, steps, cams, 3, size, size, generator=g),
        torch.randn(batch, steps, config.state_dim, generator=g),
        torch.randn(batch, steps, config.action_dim, generator=g),
        torch.randn(batch, config.text_dim, generator=g),
    )
