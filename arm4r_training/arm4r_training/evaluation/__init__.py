"""The ARM4R evaluation protocol in simulation (``arm4r eval``), one module per idea:

- ``safety_box``: the safety limits every target passes, from the task's table region.
- ``rollout``: ``Rollout``, one episode of a policy on a ``SimRobot``: observe, predict, guard,
  move, grip, judge.
- ``protocol``: episodes x seed groups per variation, their seeds, success rates [%] as mean +-
  std over the groups, ``EvaluationPlan`` (tasks, settings and safety limits of a request) and
  ``Evaluation``, which loads a checkpoint and runs it all in this process.
- ``video``: MP4s of chosen episodes, camera views side by side with the predicted path.
- ``report``: the printed table and ``results.json``.

Track forecasts of a points (Stage 1/2) checkpoint on recorded episodes (``arm4r eval-tracks``):

- ``track_metrics``: open-loop forecasts from observed ground-truth tracks, their 3D error [mm]
  per horizon beside a static baseline, and ``TrackEvaluation`` over the episodes of a request.
- ``track_report``: the printed error table and ``track_metrics.json``.

Through the ROS graph (``arm4r eval --ros``; these import rclpy, so this package does not import
them):

- ``ros_graph``: sim_node, policy_node and moveit_bridge_node as child processes, configured from
  the cell YAML and the request.
- ``ros_rollout``: ``RosRollout``, one episode through the graph: reset, count motions, judge.
- ``ros_evaluation``: ``RosEvaluation``, the protocol on one graph per variation and seed group.

Use::

    request = EvaluationRequest("kinova", "pick_cube", Path("ckpt"), Path("eval_out"))
    evaluation = Evaluation(request)
    records = evaluation.run()
    write_results(request.out, results_document(evaluation, records))
"""

from arm4r_training.evaluation.protocol import (
    DEFAULT_FIRST_SEED,
    SEED_GROUP_STRIDE,
    EpisodeRecord,
    Evaluation,
    EvaluationPlan,
    EvaluationRequest,
    SuccessRate,
    evaluation_seed,
    policy_cameras,
    success_rate,
    success_rates,
)
from arm4r_training.evaluation.report import format_table, results_document, write_results
from arm4r_training.evaluation.rollout import (
    FAILURE_KINDS,
    PLANNING_REFUSED,
    SAFETY_REFUSED,
    STALLED,
    TIMEOUT,
    EpisodeResult,
    Rollout,
    RolloutSettings,
    StepPolicy,
)
from arm4r_training.evaluation.safety_box import WorkspaceMargins, workspace_safety_limits
from arm4r_training.evaluation.track_metrics import (
    DEFAULT_HORIZONS,
    DEFAULT_START_EVERY,
    ClipErrors,
    Forecast,
    ForecastPredictor,
    HorizonErrors,
    TrackClip,
    TrackEvaluation,
    TrackEvaluationRequest,
    forecasts,
    load_track_clip,
    pooled_errors,
    score_clip,
)
from arm4r_training.evaluation.track_report import (
    format_track_table,
    track_metrics_document,
    write_track_metrics,
)
from arm4r_training.evaluation.video import EpisodeVideo

__all__ = [
    "DEFAULT_FIRST_SEED",
    "DEFAULT_HORIZONS",
    "DEFAULT_START_EVERY",
    "FAILURE_KINDS",
    "PLANNING_REFUSED",
    "SAFETY_REFUSED",
    "SEED_GROUP_STRIDE",
    "STALLED",
    "TIMEOUT",
    "ClipErrors",
    "EpisodeRecord",
    "EpisodeResult",
    "EpisodeVideo",
    "Evaluation",
    "EvaluationPlan",
    "EvaluationRequest",
    "Forecast",
    "ForecastPredictor",
    "HorizonErrors",
    "Rollout",
    "RolloutSettings",
    "StepPolicy",
    "SuccessRate",
    "TrackClip",
    "TrackEvaluation",
    "TrackEvaluationRequest",
    "WorkspaceMargins",
    "evaluation_seed",
    "forecasts",
    "format_table",
    "format_track_table",
    "load_track_clip",
    "policy_cameras",
    "pooled_errors",
    "results_document",
    "score_clip",
    "success_rate",
    "success_rates",
    "track_metrics_document",
    "workspace_safety_limits",
    "write_results",
    "write_track_metrics",
]
