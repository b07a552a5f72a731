"""Streaming policy speed: ms per step vs a full re-encode of the window, paper and tiny presets.

The streaming step encodes the new frames only and runs the transformer over the kept tokens;
the full re-encode runs the whole network over the C-step window, as a policy without a token
cache would on every step. Both are timed in one run, on this machine's CPU threads.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import torch

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer
from arm4r_policy.model.text import HASHING_ENCODER_NAME, HashingInstructionEncoder
from arm4r_policy.runtime.policy import Policy
from arm4r_policy.runtime.streaming import StreamingARM4R

MEASURED_STEPS = 5


def _inputs(config: ARM4RConfig, steps: int):
    g = torch.Generator().manual_seed(0)
    size = config.image_size
    return (
        torch.randn(steps, config.num_cameras, 3, size, size, generator=g),
        torch.randn(steps, config.state_dim, generator=g),
        torch.randn(steps, config.action_dim, generator=g),
        torch.randn(config.text_dim, generator=g),
    )


def streaming_step_ms(model: ARM4R) -> float:
    """Fastest ms of a step once the window is full and sliding."""
    context = model.config.context
    images, states, actions, instruction = _inputs(model.config, context + MEASURED_STEPS)
    stream = StreamingARM4R(model)
    times = []
    for t in range(context + MEASURED_STEPS):
        start = time.perf_counter()
        stream.step(images[t], states[t], instruction, actions[t - 1] if t else None)
        times.append(time.perf_counter() - start)
    return 1e3 * min(times[context:])


@torch.inference_mode()
def full_window_ms(model: ARM4R, repeats: int = 2) -> float:
    images, states, actions, instruction = _inputs(model.config, model.config.context)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(images[None], states[None], actions[None], instruction[None])
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def policy_step_ms(model: ARM4R) -> float:
    """Fastest ms of ``Policy.step`` on two 640x480 frames, preprocessing included."""
    policy = Policy(model, Normalizer.identity(10, 10), HashingInstructionEncoder())
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (480, 640, 3), dtype=np.uint8) for _ in range(2)]
    state = np.array([0.45, 0.0, 0.43, np.pi, 0.0, np.pi / 2, 0.0])
    times = []
    for _ in range(model.config.context + MEASURED_STEPS):
        start = time.perf_counter()
        policy.step(frames, state, "pick up the yellow cube")
        times.append(time.perf_counter() - start)
    return 1e3 * min(times[model.config.context :])


def main() -> None:
    logging.getLogger("arm4r_policy").setLevel(logging.ERROR)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, preset in (("paper", ARM4RConfig.paper), ("tiny", ARM4RConfig.tiny)):
        torch.manual_seed(0)
        # the hashed instruction embedding keeps the benchmark offline; the network is unchanged
        model = ARM4R(preset(context=16, instruction_encoder=HASHING_ENCODER_NAME)).eval()
        step = streaming_step_ms(model)
        full = full_window_ms(model)
        single = streaming_step_ms(ARM4R(preset(context=1)).eval())
        print(
            f"{name:>5} C=16: streaming step {step:8.1f} ms | full re-encode {full:9.1f} ms | "
            f"step/full {step / full:.3f} | step(C=16)/step(C=1) {step / single:.2f} | "
            f"Policy.step on 640x480 {policy_step_ms(model):8.1f} ms"
        )


if __name__ == "__main__":
    main()
