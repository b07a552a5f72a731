"""Training data: episodes and point clips on disk -> the batches ``ARM4R.forward`` trains on.

Entry point::

    from arm4r_training.data import DataOptions, build_dataset, make_loader

    train, summary = build_dataset(
        config, roots, tasks={"pick_cube": 190}, split="train", seed=0,
        options=DataOptions(cache_bytes=1 << 30), stats_file=run_dir / "normalization.json",
    )
    val, _ = build_dataset(config, roots, tasks=..., split="val", seed=0,
                           normalizer=train.normalizer)
    loader = make_loader(train, batch_size=8, num_workers=2, seed=0)
    for epoch in range(epochs):
        loader.sampler.set_epoch(epoch)
        for batch in loader:
            pred = model(batch["images"], batch["states"], batch["actions"], batch["instruction"])
            loss = l1_loss(pred, batch["targets"], batch["mask"])
    # store train.normalizer with the checkpoint: the policy normalises with these statistics

A batch is a dict of float32 tensors, T = C (``config.context``), K = ``config.horizon``::

    images       (B, T, V, 3, S, S)   ImageNet-normalised, augmented for "train", camera slots in
                                      ``config.camera_names`` order
    states       (B, T, state_dim)    normalised network states
    actions      (B, T, action_dim)   normalised action tokens (the action taken at each step)
    targets      (B, T, K, action_dim) normalised targets
    mask         (B, T, K)            1 where the target exists (0 past an episode's end)
    instruction  (B, 512)             instruction embeddings

What the arrays hold matches ``arm4r_policy.runtime.policy`` (``targets`` module): control mode
feeds the 10-D state (xyz, 6D rotation, gripper) and K actions relative to the current state
(``relative_actions``); points mode feeds the n tracked points and predicts their next move.

Modules, one idea each:

- ``discovery``: episodes under roots (``**/proprio.zarr``), grouped by task, ``{task: count}``
  selection, the seeded train/val split.
- ``episodes``: one reader for our layout (``meta.json``) and the authors' release; checks an
  episode and maps camera slots to image directories.
- ``points``: point-track clips, ``points.zarr`` (xyz) or ``points_uvd.zarr`` lifted with
  ``uvd_to_xyz``.
- ``targets``: a window's states, action tokens, targets and mask, unnormalised.
- ``jpeg``, ``frames``: cheap JPEG checks and reduced-scale decoding; a per-process frame cache.
- ``augment``: the public augmentations on tensors; evaluation is the run-time input.
- ``statistics``: ``fit_normalizer``, computed once over the training set, cached outside it.
- ``dataset``: ``WindowDataset``, windows -> tensors; ``build``: ``build_dataset``;
  ``loader``: ``WindowSampler`` and ``make_loader``.

The dataset directories are only ever read.
"""

from arm4r_training.data.augment import ImageAugmentation
from arm4r_training.data.build import DataOptions, DatasetSummary, build_dataset, load_episodes
from arm4r_training.data.dataset import WindowDataset
from arm4r_training.data.discovery import SPLITS, Split
from arm4r_training.data.episodes import Episode, ReadSpec, read_episode
from arm4r_training.data.loader import WindowSampler, make_loader
from arm4r_training.data.points import POINTS_FORMS, PointSource, uvd_to_xyz
from arm4r_training.data.statistics import fit_normalizer

__all__ = [
    "POINTS_FORMS",
    "SPLITS",
    "DataOptions",
    "DatasetSummary",
    "Episode",
    "ImageAugmentation",
    "PointSource",
    "ReadSpec",
    "Split",
    "WindowDataset",
    "WindowSampler",
    "build_dataset",
    "fit_normalizer",
    "load_episodes",
    "make_loader",
    "read_episode",
    "uvd_to_xyz",
]
