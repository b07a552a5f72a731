"""Loaders: batches repeat for a seed with or without workers, and the tiny model trains on them."""

import torch

from arm4r_policy.model.arm4r import ARM4R, l1_loss
from arm4r_training.data import DataOptions, WindowSampler, build_dataset, make_loader
from tests.unit.training.data.builders import control_config

OPTIONS = DataOptions(val_fraction=0.0)


def _batches(dataset, num_workers: int, seed: int = 0, epochs: int = 2):
    loader = make_loader(dataset, batch_size=16, num_workers=num_workers, seed=seed)
    batches = []
    for epoch in range(epochs):
        loader.sampler.set_epoch(epoch)
        batches.append(next(iter(loader)))
    return batches


def _assert_same(first, second):
    for one, other in zip(first, second, strict=True):
        assert one.keys() == other.keys()
        for name in one:
            torch.testing.assert_close(one[name], other[name], rtol=0, atol=0)


def test_a_loader_with_two_workers_repeats_its_batches_for_a_seed(control_root):
    dataset, _ = build_dataset(control_config(), control_root, options=OPTIONS, seed=3)
    first = _batches(dataset, num_workers=2)
    _assert_same(first, _batches(dataset, num_workers=2))
    _assert_same(first, _batches(dataset, num_workers=0))
    assert not torch.equal(first[0]["images"], first[1]["images"])  # a new epoch, a new batch


def test_batches_follow_the_contract_shapes(control_root):
    config = control_config()
    dataset, _ = build_dataset(config, control_root, options=OPTIONS)
    batch = _batches(dataset, num_workers=0, epochs=1)[0]
    shapes = {name: tuple(value.shape) for name, value in batch.items()}
    assert shapes == {
        "images": (16, 8, 2, 3, 32, 32),
        "states": (16, 8, 10),
        "actions": (16, 8, 10),
        "targets": (16, 8, 4, 10),
        "mask": (16, 8, 4),
        "instruction": (16, 512),
    }
    assert all(value.dtype == torch.float32 for value in batch.values())


def test_the_sampler_visits_every_window_once_per_epoch_in_a_seeded_order():
    sampler = WindowSampler(50, seed=1)
    first = list(sampler)
    assert sorted(index for _, index in first) == list(range(50))
    assert list(WindowSampler(50, seed=1)) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert {epoch for epoch, _ in second} == {1}
    assert second != first
    assert [index for _, index in WindowSampler(5, shuffle=False)] == [0, 1, 2, 3, 4]


def test_a_batch_trains_the_tiny_model(control_root):
    config = control_config()
    dataset, _ = build_dataset(config, control_root, options=OPTIONS)
    batch = _batches(dataset, num_workers=0, epochs=1)[0]
    model = ARM4R(config)
    prediction = model(batch["images"], batch["states"], batch["actions"], batch["instruction"])
    loss = l1_loss(prediction, batch["targets"], batch["mask"])
    loss.backward()
    assert torch.isfinite(loss)
    assert prediction.shape == batch["targets"].shape
