import re

import pytest
import torch

from arm4r_policy.errors import DatasetError
from arm4r_training.train import BATCH_KEYS, IMAGE_KEYS, ResumableSampler, check_batch

from .builders import SyntheticWindows, small_config


def batch_of(config, size=2):
    dataset = SyntheticWindows(config, size=size)
    return torch.utils.data.default_collate([dataset[i] for i in range(size)])


def test_a_batch_of_the_contract_passes_the_check():
    config = small_config()
    check_batch(batch_of(config), config)
    assert set(batch_of(config)) == {*BATCH_KEYS, "images"}


def test_a_batch_may_carry_colour_keypoints_instead_of_images_but_not_both_or_neither():
    config = small_config(vision_encoder="colour_keypoints", keypoints=4)
    batch = batch_of(config)
    B, T, V = batch["images"].shape[:3]
    batch["image_positions"] = torch.zeros(B, T, V, 4, 2)
    with pytest.raises(DatasetError, match="exactly one of"):
        check_batch(batch, config)
    del batch["images"]
    check_batch(batch, config)
    del batch["image_positions"]
    with pytest.raises(DatasetError, match=re.escape(f"exactly one of {IMAGE_KEYS}, got []")):
        check_batch(batch, config)


@pytest.mark.parametrize("key", [*BATCH_KEYS, "images"])
def test_a_batch_off_the_contract_is_refused_naming_the_key(key):
    config = small_config()
    batch = batch_of(config)
    batch[key] = batch[key][..., :1]
    with pytest.raises(DatasetError, match=key):
        check_batch(batch, config)
    del batch[key]
    with pytest.raises(DatasetError, match=f"missing key '{key}'|exactly one of"):
        check_batch(batch, config)


@pytest.mark.parametrize("world_size", [1, 2, 4])
def test_the_processes_together_read_the_permutation_prefix_whatever_their_number(world_size):
    dataset = range(40)
    shares = [ResumableSampler(dataset, rank, world_size, seed=3) for rank in range(world_size)]
    for share in shares:
        share.set_position(epoch=2)
    per_process = [list(share)[:5] for share in shares]
    read = sorted(index for share in per_process for index in share)
    single = ResumableSampler(dataset, 0, 1, seed=3)
    single.set_position(epoch=2)
    assert read == sorted(list(single)[: 5 * world_size])


def test_a_sampler_started_mid_epoch_continues_where_a_whole_epoch_would_be():
    whole, resumed = ResumableSampler(range(30), 0, 1, 5), ResumableSampler(range(30), 0, 1, 5)
    whole.set_position(epoch=1)
    resumed.set_position(epoch=1, skip=12)
    assert list(resumed) == list(whole)[12:]
    assert len(resumed) == 18
    assert resumed.items_per_epoch == 30


def test_each_epoch_has_its_own_order_and_epoch_keys_carry_it():
    sampler = ResumableSampler(range(30), 0, 1, seed=0, epoch_keys=True)
    sampler.set_position(epoch=0)
    first = list(sampler)
    sampler.set_position(epoch=1)
    second = list(sampler)
    assert {epoch for epoch, _ in first} == {0}
    assert {epoch for epoch, _ in second} == {1}
    assert [i for _, i in first] != [i for _, i in second]
