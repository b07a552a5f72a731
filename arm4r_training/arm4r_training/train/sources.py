"""The data source of ``arm4r-train``: episodes and point clips read from disk.

Training code takes any ``DataFactory``; this one builds ``arm4r_training.data``'s
``WindowDataset``, whose samples are a pure function of ``(seed, epoch, index)``, so its runs
resume bit-exactly with any number of loader workers. A colour-keypoint model trained without
crops reads every frame's keypoints, computed once, instead of its pixels.
"""

from __future__ import annotations

import dataclasses

from arm4r_policy.model import ARM4RConfig
from arm4r_policy.model.arm4r import build_image_encoder
from arm4r_training.train.batches import DataRequest, TrainingData


def dataset_from_disk(config: ARM4RConfig, request: DataRequest) -> TrainingData:
    """The ``request.split`` windows under ``request.roots`` for a model of ``config``."""
    # imported on use: reading datasets pulls in OpenCV and zarr, which training code needs not
    from arm4r_training.data import DataOptions, ImageAugmentation, build_dataset
    from arm4r_training.data.loader import init_worker

    augmentation = (
        ImageAugmentation()
        if request.crop_scale is None
        else ImageAugmentation(crop_scale=request.crop_scale)
    )
    options = DataOptions(augmentation=augmentation)
    if request.state_noise is not None:
        options = dataclasses.replace(options, state_noise=request.state_noise)
    dataset, summary = build_dataset(
        config,
        request.roots,
        tasks=request.tasks,
        split=request.split,
        seed=request.seed,
        normalizer=request.normalizer,
        stats_file=request.stats_file,
        options=options,
    )
    augmented = dataset.augmentation
    if config.vision_encoder == "colour_keypoints" and not (augmented and augmented.moves_pixels):
        # the filters come from a fixed seed: a new encoder's positions are the trained model's
        dataset.use_image_positions(build_image_encoder(config))
    return TrainingData(
        dataset, dataset.normalizer, str(summary), epoch_keys=True, worker_init=init_worker
    )
