"""Teleop-free data collection: the robot interface, the 15 Hz recorder, the episode format.

Pieces, one module each:

- ``robot``: ``Robot``, the blocking interface a scripted procedure drives (``observe``,
  ``move_linear``, ``set_gripper``, ``home``), and ``Sampler``, what it calls while moving.
- ``recorder``: ``EpisodeRecorder`` samples a robot at a fixed rate of its clock during motions
  and writes the episode on success.
- ``episode``: the public ARM4R episode layout (``proprio.zarr``, ``action.zarr``,
  ``instruction.*``, ``images/<camera>/%05d.jpg``) plus ``meta.json``, written atomically;
  ``validation`` checks one file by file.
- ``resume``: ``Collection``, the seeds done and to do in ``<out>/<task>/<variation>/<cell>/``.
- ``tracks``: ``GroundTruthTracker``, simulator point tracks for Stage 2.
- ``scripted``: the procedural demonstrations of every task family (paper appendix E.2), driving
  a ``Robot`` from a task's ``Goal`` in the base frame.
- ``session``: ``CollectionSession``, the ``arm4r collect`` loop: scripted demos recorded seed
  after seed until each variation holds the requested episodes.
- ``layout``, ``arrays``, ``atomic``: names on disk, zarr v2 arrays, whole-or-nothing writes.
"""

from arm4r_policy.collect.episode import (
    CameraInfo,
    EpisodeMeta,
    EpisodeWriter,
    Frame,
    PointTracks,
    write_episode,
)
from arm4r_policy.collect.layout import MAX_STEPS, MIN_STEPS, collection_directory
from arm4r_policy.collect.recorder import EpisodeLabel, EpisodeRecorder, RecorderConfig
from arm4r_policy.collect.resume import Collection
from arm4r_policy.collect.scripted import (
    DemoRandomization,
    DemoSettings,
    DemoTargets,
    run_demo,
    targets_in_base,
)
from arm4r_policy.collect.session import (
    CollectionSession,
    CollectRequest,
    DemoOutcome,
    perform_demo,
)
from arm4r_policy.collect.tracks import GroundTruthTracker
from arm4r_policy.collect.validation import EpisodeInfo, validate_episode
from arm4r_policy.runtime.robot import Observation, Robot, Sampler

__all__ = [
    "MAX_STEPS",
    "MIN_STEPS",
    "CameraInfo",
    "CollectRequest",
    "Collection",
    "CollectionSession",
    "DemoOutcome",
    "DemoRandomization",
    "DemoSettings",
    "DemoTargets",
    "EpisodeInfo",
    "EpisodeLabel",
    "EpisodeMeta",
    "EpisodeRecorder",
    "EpisodeWriter",
    "Frame",
    "GroundTruthTracker",
    "Observation",
    "PointTracks",
    "RecorderConfig",
    "Robot",
    "Sampler",
    "collection_directory",
    "perform_demo",
    "run_demo",
    "targets_in_base",
    "validate_episode",
    "write_episode",
]
