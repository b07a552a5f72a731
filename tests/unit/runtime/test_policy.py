import numpy as np
import pytest
import torch

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model import ARM4R, Normalizer, save_checkpoint
from arm4r_policy.model.text import HashingInstructionEncoder
from arm4r_policy.runtime.ensemble import TemporalEnsembler
from arm4r_policy.runtime.policy import Policy, PolicyOptions
from arm4r_policy.runtime.pose import state7_to_state10

from ..model.builders import small_config

INSTRUCTION = "pick up the yellow cube"
HOME = np.array([0.45, 0.0, 0.43, np.pi, 0.0, np.pi / 2, 0.0])


def make_policy(seed: int = 0, **options) -> Policy:
    torch.manual_seed(seed)
    model = ARM4R(small_config())
    return Policy(
        model, Normalizer.identity(10, 10), HashingInstructionEncoder(), PolicyOptions(**options)
    )


def frames(seed: int, count: int = 2, shape=(48, 64, 3)) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(count)]


def states(steps: int) -> list[np.ndarray]:
    return [
        HOME + np.array([0.01 * t, -0.005 * t, 0.002 * t, 0.01 * t, 0, 0, t % 2])
        for t in range(steps)
    ]


def run(policy: Policy, steps: int):
    return [policy.step(frames(t), state, INSTRUCTION) for t, state in enumerate(states(steps))]


def test_a_step_returns_the_chunk_and_the_target_to_execute():
    out = make_policy().step(frames(0), HOME, INSTRUCTION)
    assert out.chunk.shape == (16, 7)
    assert out.target.shape == (7,)
    assert out.target[6] in (0.0, 1.0)
    assert np.isfinite(out.chunk).all()


def test_without_ensembling_the_target_is_the_first_pose_of_the_chunk():
    for out in run(make_policy(temporal_ensembling=False, gripper_threshold=0.5), steps=4):
        np.testing.assert_allclose(out.target[:6], out.chunk[0, :6], atol=1e-12)
        assert out.target[6] == float(out.chunk[0, 6] > 0.5)


def test_ensembled_target_blends_the_chunks_of_earlier_steps():
    blended = run(make_policy(), steps=6)
    chunks = run(make_policy(temporal_ensembling=False), steps=6)
    ensembler = TemporalEnsembler(horizon=16)
    for ours, plain in zip(blended, chunks, strict=True):
        np.testing.assert_allclose(ours.chunk, plain.chunk, atol=1e-12)
        expected = ensembler.add(state7_to_state10(plain.chunk))
        np.testing.assert_allclose(ours.target[:3], expected[:3], atol=1e-9)


def test_relative_predictions_are_returned_in_the_base_frame():
    # a model whose head outputs zeros predicts "stay where you are" in the relative frame
    policy = make_policy(temporal_ensembling=False)
    head = policy._stream.model.head.fc2
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.tensor([0, 0, 0, 1, 0, 0, 0, 1, 0, 0.0]).repeat(16))
    out = policy.step(frames(0), HOME, INSTRUCTION)
    np.testing.assert_allclose(out.chunk[:, :6], np.tile(HOME[:6], (16, 1)), atol=1e-6)


def test_reset_reproduces_the_first_step():
    policy = make_policy()
    first = run(policy, steps=3)[0]
    policy.reset()
    again = policy.step(frames(0), states(1)[0], INSTRUCTION)
    np.testing.assert_array_equal(first.chunk, again.chunk)
    np.testing.assert_array_equal(first.target, again.target)


def bad_observations():
    good = frames(0)
    nan_state, inf_state = HOME.copy(), HOME.copy()
    nan_state[2], inf_state[0] = np.nan, np.inf
    float_image = [good[0].astype(np.float32), good[1]]
    gray_image = [good[0], good[1][..., 0]]
    rgba_image = [good[0], np.zeros((48, 64, 4), np.uint8)]
    mixed_sizes = [good[0], frames(1, 1, (32, 32, 3))[0]]
    return {
        "one camera": (good[:1], HOME, INSTRUCTION, "images: expected a sequence of 2"),
        "three cameras": (frames(0, 3), HOME, INSTRUCTION, "images: expected a sequence of 2"),
        "stacked array": (np.stack(good), HOME, INSTRUCTION, "images: expected a sequence"),
        "float image": (float_image, HOME, INSTRUCTION, r"images\[0\]: .* uint8 .* got float32"),
        "gray image": (gray_image, HOME, INSTRUCTION, r"images\[1\]: expected shape \(H, W, 3\)"),
        "rgba image": (rgba_image, HOME, INSTRUCTION, r"images\[1\]: expected shape \(H, W, 3\)"),
        "sizes differ": (mixed_sizes, HOME, INSTRUCTION, "same size"),
        "nan state": (good, nan_state, INSTRUCTION, "state: expected finite values"),
        "inf state": (good, inf_state, INSTRUCTION, "state: expected finite values"),
        "short state": (good, HOME[:6], INSTRUCTION, r"state: expected 7 values .* shape \(6,\)"),
        "text state": (good, "home", INSTRUCTION, "state: expected 7 numbers"),
        "empty instruction": (good, HOME, "   ", "instruction"),
        "no instruction": (good, HOME, None, "instruction"),
    }


@pytest.mark.parametrize("case", list(bad_observations()))
def test_bad_input_is_refused_by_name_and_leaves_the_policy_unchanged(case):
    *args, message = bad_observations()[case]
    policy, reference = make_policy(), make_policy()
    run(policy, steps=2)
    run(reference, steps=2)
    with pytest.raises(ObservationError, match=message):
        policy.step(*args)
    state = states(3)[2]
    np.testing.assert_array_equal(
        policy.step(frames(2), state, INSTRUCTION).target,
        reference.step(frames(2), state, INSTRUCTION).target,
    )


def test_from_checkpoint_builds_the_saved_policy(tmp_path):
    policy = make_policy()
    save_checkpoint(tmp_path / "ckpt", policy._stream.model, policy.normalizer)
    loaded = Policy.from_checkpoint(tmp_path / "ckpt")
    np.testing.assert_array_equal(
        loaded.step(frames(0), HOME, INSTRUCTION).chunk,
        policy.step(frames(0), HOME, INSTRUCTION).chunk,
    )


def test_an_instruction_encoder_of_another_embedding_space_is_refused():
    model = ARM4R(small_config(instruction_encoder="clip-vit-b-32"))
    with pytest.raises(ConfigError, match="trained on 'clip-vit-b-32'.*'hashing-v1-512'"):
        Policy(model, Normalizer.identity(10, 10), HashingInstructionEncoder())


def test_a_clip_checkpoint_without_clip_weights_says_what_to_pass(tmp_path):
    model = ARM4R(small_config(instruction_encoder="clip-vit-b-32"))
    save_checkpoint(tmp_path / "ckpt", model, Normalizer.identity(10, 10))
    with pytest.raises(ConfigError, match="pass text_weights="):
        Policy.from_checkpoint(tmp_path / "ckpt")


def test_a_point_tracking_model_is_not_a_control_policy():
    model = ARM4R(small_config(mode="points", grid=4))
    with pytest.raises(ConfigError, match="control-mode model"):
        Policy(model, Normalizer.identity(48, 48), HashingInstructionEncoder())


def test_gripper_threshold_outside_zero_one_is_refused():
    with pytest.raises(ConfigError, match="gripper_threshold"):
        PolicyOptions(gripper_threshold=1.5)
