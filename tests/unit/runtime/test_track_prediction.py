import numpy as np
import pytest
import torch

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model import ARM4R, Normalizer, save_checkpoint
from arm4r_policy.model.text import HashingInstructionEncoder
from arm4r_policy.runtime.images import images_to_input
from arm4r_policy.runtime.track_prediction import TrackPredictor

from ..model.builders import small_config

INSTRUCTION = "pick up the yellow cube"
GRID = 3
N = GRID * GRID
# The mean tracked points of the checkpoint's clips: a grid 0.8 m in front of the camera.
MEAN_POINTS = np.array(
    [[0.1 * (i % GRID) - 0.1, 0.1 * (i // GRID) - 0.1, 0.8] for i in range(N)], dtype=np.float32
)
MOVE_MEAN = np.tile([0.002, -0.001, 0.003], N).astype(np.float32)  # mean move per step [m]


def normalizer() -> Normalizer:
    return Normalizer(
        state_mean=torch.from_numpy(MEAN_POINTS.ravel()),
        state_std=torch.full((3 * N,), 0.2),
        action_mean=torch.from_numpy(MOVE_MEAN),
        action_std=torch.full((3 * N,), 0.01),
    )


def make_model(seed: int = 0) -> ARM4R:
    torch.manual_seed(seed)
    return ARM4R(small_config(mode="points", grid=GRID))


def make_predictor(seed: int = 0, history: int = 4) -> TrackPredictor:
    return TrackPredictor(make_model(seed), normalizer(), HashingInstructionEncoder(), history)


def frames(seed: int, count: int = 2, shape=(48, 64, 3)) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(count)]


def observed_points(steps: int) -> list[np.ndarray]:
    return [MEAN_POINTS + np.array([0.01 * t, 0.0, -0.005 * t]) for t in range(steps)]


def test_a_step_predicts_every_points_next_position_and_starts_its_track():
    prediction = make_predictor().step(frames(0), INSTRUCTION)
    assert prediction.points.shape == (N, 3)
    assert np.isfinite(prediction.points).all()
    assert prediction.tracks.shape == (N, 1, 3)
    np.testing.assert_array_equal(prediction.tracks[:, -1], prediction.points)


def test_predictions_are_the_observed_points_moved_as_the_network_says_step_by_step():
    """The stream over observed points matches a full teacher-forced forward pass: state = the
    points flattened point by point, action token = the move to the next step's points."""
    predictor, steps = make_predictor(), 3
    points = observed_points(steps)
    predictions = [predictor.step(frames(t), INSTRUCTION, points[t]).points for t in range(steps)]

    model, norm = predictor._stream.model, normalizer()
    images = images_to_input(np.stack([np.stack(frames(t)) for t in range(steps)]), 32)
    states = torch.tensor(np.stack(points).reshape(steps, -1), dtype=torch.float32)
    moves = torch.diff(states, dim=0, append=states[-1:])  # the last step's move is never read
    embedding = HashingInstructionEncoder().embed(INSTRUCTION)
    with torch.no_grad():
        out = model(
            images[None],
            norm.normalize_state(states)[None],
            norm.normalize_action(moves)[None],
            embedding[None],
        )
    expected = states.double() + norm.denormalize_action(out[0, :, 0]).double()
    np.testing.assert_allclose(
        np.stack(predictions), expected.numpy().reshape(steps, N, 3), atol=1e-5
    )


def test_without_observed_points_it_starts_from_the_mean_tracks_and_rolls_its_predictions_on():
    predictor = make_predictor(history=3)
    head = predictor._stream.model.head.fc2
    with torch.no_grad():  # every prediction is then the mean move of the checkpoint's clips
        head.weight.zero_()
        head.bias.zero_()
    step_move = MOVE_MEAN[:3].astype(np.float64)
    predictions = [predictor.step(frames(t), INSTRUCTION) for t in range(5)]
    for t, prediction in enumerate(predictions):
        np.testing.assert_allclose(prediction.points, MEAN_POINTS + (t + 1) * step_move, atol=1e-6)
    tracks = predictions[-1].tracks
    assert tracks.shape == (N, 3, 3)
    for age, prediction in enumerate(predictions[-3:]):
        np.testing.assert_array_equal(tracks[:, age], prediction.points)


def test_continuing_from_a_prediction_is_the_same_as_observing_it():
    rolling, observing = make_predictor(), make_predictor()
    current = None
    for t in range(4):
        rolled = rolling.step(frames(t), INSTRUCTION)
        seen = observing.step(frames(t), INSTRUCTION, current)
        np.testing.assert_allclose(rolled.points, seen.points, atol=1e-6)
        current = rolled.points


def test_reset_starts_a_new_track_and_reproduces_the_first_step():
    predictor = make_predictor()
    first = predictor.step(frames(0), INSTRUCTION)
    for t in range(1, 3):
        predictor.step(frames(t), INSTRUCTION)
    predictor.reset()
    again = predictor.step(frames(0), INSTRUCTION)
    np.testing.assert_array_equal(again.points, first.points)
    assert again.tracks.shape == (N, 1, 3)


def bad_observations():
    good = frames(0)
    nan_points, inf_points = MEAN_POINTS.copy(), MEAN_POINTS.copy()
    nan_points[4, 2], inf_points[0, 0] = np.nan, np.inf
    return {
        "nan point": (good, INSTRUCTION, nan_points, r"points: expected finite .* at \[4, 2\]"),
        "inf point": (good, INSTRUCTION, inf_points, r"points: expected finite .* at \[0, 0\]"),
        "too few points": (good, INSTRUCTION, MEAN_POINTS[:-1], r"points: .* got shape \(8, 3\)"),
        "flat points": (good, INSTRUCTION, MEAN_POINTS.ravel(), r"points: .* got shape \(27,\)"),
        "two coordinates": (good, INSTRUCTION, MEAN_POINTS[:, :2], r"got shape \(9, 2\)"),
        "text points": (good, INSTRUCTION, "grid", "points: expected 27 numbers"),
        "one camera": (good[:1], INSTRUCTION, None, "images: expected a sequence of 2"),
        "uint16 image": (
            [good[0].astype(np.uint16), good[1]],
            INSTRUCTION,
            None,
            r"images\[0\]: .* uint8",
        ),
        "sizes differ": ([good[0], frames(1, 1, (32, 32, 3))[0]], INSTRUCTION, None, "same size"),
        "empty instruction": (good, "  ", None, "instruction"),
    }


@pytest.mark.parametrize("case", list(bad_observations()))
def test_bad_input_is_refused_by_name_and_leaves_the_predictor_unchanged(case):
    *args, message = bad_observations()[case]
    predictor, reference = make_predictor(), make_predictor()
    for t in range(2):
        predictor.step(frames(t), INSTRUCTION)
        reference.step(frames(t), INSTRUCTION)
    with pytest.raises(ObservationError, match=message):
        predictor.step(*args)
    ours, theirs = predictor.step(frames(2), INSTRUCTION), reference.step(frames(2), INSTRUCTION)
    np.testing.assert_array_equal(ours.points, theirs.points)
    np.testing.assert_array_equal(ours.tracks, theirs.tracks)


def test_from_checkpoint_builds_the_saved_predictor_with_its_normalisation(tmp_path):
    predictor = make_predictor()
    save_checkpoint(tmp_path / "ckpt", predictor._stream.model, normalizer())
    loaded = TrackPredictor.from_checkpoint(tmp_path / "ckpt")
    np.testing.assert_allclose(loaded.start_points, MEAN_POINTS, atol=1e-7)
    np.testing.assert_array_equal(
        loaded.step(frames(0), INSTRUCTION).points, predictor.step(frames(0), INSTRUCTION).points
    )


def test_a_control_model_is_not_a_track_predictor():
    torch.manual_seed(0)
    model = ARM4R(small_config())
    with pytest.raises(ConfigError, match="points-mode model"):
        TrackPredictor(model, Normalizer.identity(10, 10), HashingInstructionEncoder())


def test_an_instruction_encoder_of_another_embedding_space_is_refused():
    model = ARM4R(small_config(mode="points", grid=GRID, instruction_encoder="clip-vit-b-32"))
    with pytest.raises(ConfigError, match="trained on 'clip-vit-b-32'.*'hashing-v1-512'"):
        TrackPredictor(model, normalizer(), HashingInstructionEncoder())


def test_a_history_shorter_than_one_step_is_refused():
    with pytest.raises(ConfigError, match="length"):
        make_predictor(history=0)
