"""Properties of the ACT-style temporal ensembler (arm4r_policy.runtime.ensemble)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.runtime.ensemble import (
    ACTION_DIM,
    DEFAULT_DECAY,
    DEFAULT_HORIZON,
    TemporalEnsembler,
    blend_predictions,
    ensemble_weights,
)
from arm4r_policy.runtime.pose import rot6d_to_matrix, state7_to_state10

K = DEFAULT_HORIZON
IDENTITY_6D = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])


def encoded_chunk(issue_step, horizon=K):
    """Chunk whose element j encodes (issue step, j): xyz = (s, j, 100 s + j), gripper = j / 100."""
    j = np.arange(horizon, dtype=np.float64)
    s = np.full(horizon, float(issue_step))
    return np.column_stack([s, j, 100 * s + j, np.tile(IDENTITY_6D, (horizon, 1)), j / 100])


def reference_blend(t, horizon=K, decay=DEFAULT_DECAY):
    """Expected xyz + gripper at step t for encoded chunks issued at steps 0..t."""
    m = min(t + 1, horizon)
    contrib = [(t - j, j) for j in range(m - 1, -1, -1)]  # oldest (largest j) first
    w = np.array([math.exp(decay * i) for i in range(m)])
    w /= w.sum()
    s = np.array([c[0] for c in contrib], dtype=float)
    j = np.array([c[1] for c in contrib], dtype=float)
    return np.array([w @ s, w @ j, w @ (100 * s + j), w @ (j / 100)])


# ------------------------------------------------------------------------------------------
# weights
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("m", range(1, K + 1))
def test_weights_are_normalised_exponentials_favouring_newest(m):
    w = ensemble_weights(m)
    raw = np.array([math.exp(0.05 * i) for i in range(m)])
    np.testing.assert_allclose(w, raw / raw.sum(), rtol=1e-13, atol=0)
    assert w.shape == (m,)
    assert w.dtype == np.float64
    np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-15)
    assert np.all(np.diff(w) > 0)  # strictly increasing towards the newest chunk
    assert np.argmax(w) == m - 1


@pytest.mark.parametrize("m", [1, 2, 7, 16])
def test_zero_decay_is_plain_mean(m):
    np.testing.assert_allclose(ensemble_weights(m, decay=0.0), np.full(m, 1.0 / m), rtol=1e-15)


@given(st.integers(1, 64), st.floats(0.0, 1e6))
def test_weights_are_finite_and_normalised_for_any_decay(m, decay):
    w = ensemble_weights(m, decay)
    assert np.all(np.isfinite(w))
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-12)
    assert np.all(np.diff(w) >= 0)


@pytest.mark.parametrize("m", [0, -1, 2.5, True, "3"])
def test_weights_reject_bad_count(m):
    with pytest.raises(ConfigError):
        ensemble_weights(m)


@pytest.mark.parametrize("decay", [-0.01, math.nan, math.inf, "0.05", None])
def test_weights_reject_bad_decay(decay):
    with pytest.raises(ConfigError):
        ensemble_weights(4, decay)


def test_weights_property_tracks_contributing_chunks():
    ens = TemporalEnsembler()
    assert ens.weights.shape == (0,)
    for t in range(K + 5):
        ens.add(encoded_chunk(t))
        m = min(t + 1, K)
        assert ens.num_chunks == m
        assert ens.steps == t + 1
        np.testing.assert_array_equal(ens.weights, ensemble_weights(m, DEFAULT_DECAY))


# ------------------------------------------------------------------------------------------
# blending
# ------------------------------------------------------------------------------------------


def test_blends_the_right_elements():
    """The chunk issued at step t - j contributes its element j, weighted oldest -> newest."""
    ens = TemporalEnsembler()
    for t in range(3 * K):
        out = ens.add(encoded_chunk(t))
        m = min(t + 1, K)
        preds = ens.predictions()
        assert preds.shape == (m, ACTION_DIM)
        # Row i (oldest first) is element m-1-i of the chunk issued at t-(m-1-i).
        expected_rows = [encoded_chunk(t - (m - 1 - i))[m - 1 - i] for i in range(m)]
        np.testing.assert_array_equal(preds, np.stack(expected_rows))
        ref = reference_blend(t)
        np.testing.assert_allclose(out[[0, 1, 2, 9]], ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(out[3:9], IDENTITY_6D, atol=1e-15)


def test_only_horizon_chunks_contribute_after_more_than_horizon_steps():
    ens = TemporalEnsembler()
    for t in range(K + 10):
        ens.add(encoded_chunk(t))
    t = K + 9
    assert ens.num_chunks == K
    issue_steps = ens.predictions()[:, 0]
    np.testing.assert_array_equal(issue_steps, np.arange(t - K + 1, t + 1))
    np.testing.assert_array_equal(ens.predictions()[:, 1], np.arange(K - 1, -1, -1))


def test_constant_stream_yields_that_action():
    action = state7_to_state10(np.array([0.4, -0.1, 0.3, 0.2, -1.1, 2.5, 0.7]))
    chunk = np.tile(action, (K, 1))
    ens = TemporalEnsembler()
    for _ in range(3 * K):
        out = ens.add(chunk)
        np.testing.assert_array_equal(out[[0, 1, 2, 9]], action[[0, 1, 2, 9]])  # exact
        np.testing.assert_allclose(out, action, rtol=0, atol=1e-15)


@given(st.integers(0, 2**32 - 1), st.integers(1, 2 * K))
def test_zero_decay_ensembler_is_plain_mean(seed, steps):
    rng = np.random.default_rng(seed)
    ens = TemporalEnsembler(decay=0.0)
    for _ in range(steps):
        out = ens.add(rng.normal(size=(K, ACTION_DIM)))
    mean = ens.predictions().mean(axis=0)
    np.testing.assert_allclose(out[[0, 1, 2, 9]], mean[[0, 1, 2, 9]], atol=1e-12)
    expected_rot = rot6d_to_matrix(mean[3:9])
    np.testing.assert_allclose(rot6d_to_matrix(out[3:9]), expected_rot, atol=1e-12)


@given(
    st.lists(
        hnp.arrays(np.float64, (4, ACTION_DIM), elements=st.floats(-5.0, 5.0)),
        min_size=1,
        max_size=10,
    ),
    st.floats(0.0, 2.0),
)
def test_random_chunks_blend_to_weighted_mean_with_orthonormal_rotation(chunks, decay):
    ens = TemporalEnsembler(horizon=4, decay=decay)
    for chunk in chunks:
        out = ens.add(chunk)
    preds = ens.predictions()
    w = ensemble_weights(len(preds), decay)
    np.testing.assert_allclose(out[[0, 1, 2, 9]], (w @ preds)[[0, 1, 2, 9]], atol=1e-12)
    r = rot6d_to_matrix(out[3:9])
    np.testing.assert_allclose(r[:2].reshape(6), out[3:9], atol=1e-12)  # already orthonormal
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-12)


def test_degenerate_rotation_mean_still_gives_a_rotation():
    # Two opposite 6D rotations average to zero: Gram-Schmidt still returns a rotation.
    a = np.concatenate([[0, 0, 0], IDENTITY_6D, [0]])
    b = np.concatenate([[0, 0, 0], -IDENTITY_6D, [0]])
    out = blend_predictions(np.stack([a, b]), [0.5, 0.5])
    r = rot6d_to_matrix(out[3:9])
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-15)
    np.testing.assert_allclose(out[3:9], r[:2].reshape(6), atol=1e-15)


def test_horizon_one_executes_the_first_element():
    ens = TemporalEnsembler(horizon=1)
    for t in range(5):
        out = ens.add(encoded_chunk(t, horizon=1))
        np.testing.assert_array_equal(out, encoded_chunk(t, horizon=1)[0])


def test_dtype_follows_the_chunk():
    ens = TemporalEnsembler()
    assert ens.add(encoded_chunk(0).astype(np.float32)).dtype == np.float32
    assert ens.add(encoded_chunk(1)).dtype == np.float64
    assert ens.add(np.zeros((K, ACTION_DIM), dtype=np.int64)).dtype == np.float64


def test_stored_chunk_is_a_copy():
    ens = TemporalEnsembler()
    chunk = encoded_chunk(0)
    ens.add(chunk)
    chunk[:] = 123.0
    np.testing.assert_array_equal(ens.predictions()[0], encoded_chunk(0)[0])


# ------------------------------------------------------------------------------------------
# rejection, reset, configuration
# ------------------------------------------------------------------------------------------


def _snapshot(ens):
    return ens.steps, ens.num_chunks, ens.predictions().copy(), ens.weights.copy()


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((K - 1, ACTION_DIM)),
        np.zeros((K + 1, ACTION_DIM)),
        np.zeros((K, ACTION_DIM - 1)),
        np.zeros((K, 7)),
        np.zeros(ACTION_DIM),
        np.zeros((1, K, ACTION_DIM)),
        np.full((K, ACTION_DIM), np.nan),
        np.where(np.eye(K, ACTION_DIM) > 0, np.inf, 0.0),
        np.where(np.eye(K, ACTION_DIM) > 0, -np.inf, 0.0),
        np.zeros((K, ACTION_DIM), dtype=complex),
        np.full((K, ACTION_DIM), "x"),
        [[0.0] * ACTION_DIM] * (K - 1) + [[0.0] * 3],  # ragged
        None,
    ],
)
def test_rejected_chunk_leaves_state_unchanged(bad):
    ens = TemporalEnsembler()
    fresh = TemporalEnsembler()
    for t in range(5):
        ens.add(encoded_chunk(t))
        fresh.add(encoded_chunk(t))
    before = _snapshot(ens)
    with pytest.raises(ObservationError, match="action chunk") as info:
        ens.add(bad)
    assert isinstance(info.value, ValueError)
    after = _snapshot(ens)
    assert before[:2] == after[:2]
    np.testing.assert_array_equal(before[2], after[2])
    np.testing.assert_array_equal(before[3], after[3])
    # The next accepted chunk blends as if the bad one never came.
    np.testing.assert_array_equal(ens.add(encoded_chunk(5)), fresh.add(encoded_chunk(5)))


def test_single_nan_is_reported_with_its_position():
    chunk = encoded_chunk(0)
    chunk[3, 7] = np.nan
    with pytest.raises(ObservationError, match=r"\(3, 7\)"):
        TemporalEnsembler().add(chunk)


def test_reset_clears_history():
    ens = TemporalEnsembler()
    for t in range(20):
        ens.add(encoded_chunk(t))
    ens.reset()
    assert ens.steps == 0
    assert ens.num_chunks == 0
    assert ens.weights.shape == (0,)
    assert ens.predictions().shape == (0, ACTION_DIM)
    out = ens.add(encoded_chunk(100))
    np.testing.assert_array_equal(out, encoded_chunk(100)[0])  # only the new chunk contributes
    assert ens.num_chunks == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"horizon": -3}, "horizon"),
        ({"horizon": 2.0}, "horizon"),
        ({"horizon": True}, "horizon"),
        ({"decay": -0.5}, "decay"),
        ({"decay": math.nan}, "decay"),
        ({"decay": math.inf}, "decay"),
    ],
)
def test_bad_configuration_is_rejected(kwargs, field):
    with pytest.raises(ConfigError, match=field):
        TemporalEnsembler(**kwargs)


def test_defaults_and_numpy_scalars():
    ens = TemporalEnsembler()
    assert (ens.horizon, ens.decay) == (16, 0.05)
    ens = TemporalEnsembler(horizon=np.int64(8), decay=np.float32(0.1))
    assert ens.horizon == 8
    assert isinstance(ens.horizon, int)
    assert ens.decay == pytest.approx(0.1)


def test_blend_predictions_rejects_mismatched_shapes():
    with pytest.raises(ObservationError):
        blend_predictions(np.zeros((3, ACTION_DIM)), np.ones(2) / 2)
    with pytest.raises(ObservationError):
        blend_predictions(np.zeros((0, ACTION_DIM)), np.zeros(0))
    with pytest.raises(ObservationError):
        blend_predictions(np.zeros((2, 7)), np.ones(2) / 2)
