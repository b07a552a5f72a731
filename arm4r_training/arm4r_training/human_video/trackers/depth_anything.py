"""``DepthAnythingDepth``: per-frame monocular depth from a local Depth Anything (V2) model.

The model is a Hugging Face ``transformers`` copy (``depth-anything/Depth-Anything-V2-*-hf``) in
a local directory: ``config.json``, ``model.safetensors`` and ``preprocessor_config.json``. It is
loaded with ``AutoModelForDepthEstimation.from_pretrained(dir, local_files_only=True)``, never
from the hub. The metric models (``Depth-Anything-V2-Metric-Indoor-*-hf``, trained on Hypersim;
kitchens are indoor scenes) predict depth in metres and are used as they are. The relative models
predict relative inverse depth; ``lifting.scale_to_median`` turns it into metres given the median
distance of the first frame (``median_depth``), an approximation (see there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from arm4r_policy.errors import ConfigError
from arm4r_training.human_video.lifting import scale_to_median
from arm4r_training.human_video.trackers.base import check_frames
from arm4r_training.human_video.trackers.requirements import import_package, require_files

WEIGHT_FILES = (
    "config.json",
    ("model.safetensors", "pytorch_model.bin"),
    "preprocessor_config.json",
)
SOURCE = (
    "https://huggingface.co/depth-anything (e.g. Depth-Anything-V2-Metric-Indoor-Small-hf: "
    "config.json, model.safetensors, preprocessor_config.json)"
)


class DepthAnythingDepth:
    """Depth [m] of each frame from a local Depth Anything model.

    Args:
        weights_dir: the local model directory (``--depth-weights``).
        device: torch device to run on.
        median_depth: [m] relative models only: the median distance of the first frame.
        batch_size: frames per forward pass.

    Raises:
        CheckpointError: the directory or one of its files is missing, or transformers is.
        ConfigError: the model is not a Depth Anything model, or a relative one without
            ``median_depth``.
    """

    def __init__(
        self,
        weights_dir: Path | str | None,
        device: str | torch.device = "cpu",
        median_depth: float | None = None,
        batch_size: int = 8,
    ) -> None:
        what = "Depth Anything depth model"
        directory = require_files(weights_dir, WEIGHT_FILES, what, "--depth-weights", SOURCE)
        transformers = import_package("transformers", what, "pip install transformers")
        self.processor = transformers.AutoImageProcessor.from_pretrained(
            directory, local_files_only=True, backend="pil"
        )
        model = transformers.AutoModelForDepthEstimation.from_pretrained(
            directory, local_files_only=True
        )
        config = model.config
        if config.model_type != "depth_anything":
            raise ConfigError(
                f"{directory}: a {config.model_type!r} model; expected a Depth Anything one "
                f"(model_type 'depth_anything'), from {SOURCE}"
            )
        self.metric = config.depth_estimation_type == "metric"
        if not self.metric and median_depth is None:
            raise ConfigError(
                f"{directory}: a relative-depth model; give --median-depth [m] to scale it, or "
                "use a metric one (Depth-Anything-V2-Metric-Indoor-*-hf)"
            )
        self.model = model.eval().to(device)
        self.device = torch.device(device)
        self.median_depth = median_depth
        self.batch_size = batch_size
        self.name = f"depth-anything:{directory.name}"

    def estimate(self, frames: np.ndarray) -> np.ndarray:
        """(T, H, W, 3) uint8 RGB -> (T, H, W) float32 depth [m]."""
        frames = check_frames(frames)
        height, width = frames.shape[1:3]
        maps = []
        with torch.inference_mode():
            for start in range(0, len(frames), self.batch_size):
                batch = list(frames[start : start + self.batch_size])
                inputs = self.processor(images=batch, return_tensors="pt").to(self.device)
                outputs = self.model(**inputs)
                results = self.processor.post_process_depth_estimation(
                    outputs, target_sizes=[(height, width)] * len(batch)
                )
                maps += [result["predicted_depth"].float().cpu().numpy() for result in results]
        values = np.stack(maps)  # (T, H, W)
        if self.metric:
            return values.astype(np.float32)
        return scale_to_median(values, self.median_depth, inverse=True)
