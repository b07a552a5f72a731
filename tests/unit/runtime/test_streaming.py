import pytest
import torch

from arm4r_policy.errors import ObservationError
from arm4r_policy.model import ARM4R, ARM4RConfig
from arm4r_policy.runtime.streaming import StreamingARM4R

from ..model.builders import random_window, small_config


def full_forward_at(model: ARM4R, window, t: int) -> torch.Tensor:
    """Prediction of step t from a forward pass over the C steps that end at t."""
    images, states, actions, instruction = window
    start = max(0, t + 1 - model.config.context)
    with torch.no_grad():
        out = model(
            images[:, start : t + 1],
            states[:, start : t + 1],
            actions[:, start : t + 1],
            instruction,
        )
    return out[0, -1]


def stream(model: ARM4R, window, steps: int):
    images, states, actions, instruction = window
    streaming = StreamingARM4R(model)
    for t in range(steps):
        previous = actions[0, t - 1] if t else None
        yield t, streaming.step(images[0, t], states[0, t], instruction[0], previous)


@pytest.mark.parametrize(
    "config", [small_config(context=6), ARM4RConfig.tiny()], ids=["C6", "tiny-C16"]
)
def test_streaming_equals_a_full_forward_over_the_same_window(config):
    torch.manual_seed(0)
    model = ARM4R(config).eval()
    steps = config.context + 5
    window = random_window(config, batch=1, steps=steps)
    for t, prediction in stream(model, window, steps):
        expected = full_forward_at(model, window, t)
        assert (prediction - expected).abs().max().item() <= 1e-4, f"step {t}"


def test_each_frame_is_encoded_once_also_after_the_window_slides():
    torch.manual_seed(0)
    config = small_config(context=4)
    model = ARM4R(config).eval()
    encoded_frames = []
    model.image_encoder.register_forward_hook(
        lambda m, args, out: encoded_frames.append(out.shape[0])
    )
    steps = 10
    for _ in stream(model, random_window(config, batch=1, steps=steps), steps):
        pass
    assert encoded_frames == [config.num_cameras] * steps


def test_reset_starts_a_new_episode():
    torch.manual_seed(0)
    config = small_config()
    model = ARM4R(config).eval()
    images, states, actions, instruction = random_window(config, batch=1, steps=3)
    streaming = StreamingARM4R(model)
    first = streaming.step(images[0, 0], states[0, 0], instruction[0])
    streaming.step(images[0, 1], states[0, 1], instruction[0], actions[0, 0])
    streaming.reset()
    assert streaming.num_steps == 0
    assert torch.equal(streaming.step(images[0, 0], states[0, 0], instruction[0]), first)


def test_a_step_after_the_first_needs_the_previous_action():
    config = small_config()
    images, states, _, instruction = random_window(config, batch=1, steps=2)
    streaming = StreamingARM4R(ARM4R(config).eval())
    streaming.step(images[0, 0], states[0, 0], instruction[0])
    with pytest.raises(ObservationError, match="previous_action"):
        streaming.step(images[0, 1], states[0, 1], instruction[0])
