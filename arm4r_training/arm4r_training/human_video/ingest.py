"""``arm4r-ingest-epic``: EPIC-KITCHENS-100 narrations -> Stage 1 point-track clips.

    arm4r-ingest-epic --annotations EPIC_100_train.csv --videos ROOT --out DIR
                      --tracker {lucas-kanade,cotracker,spatialtracker}
                      [--tracker-weights DIR] [--depth-weights DIR] [--video-info CSV]
                      [--text-weights DIR] [--limit N] [--grid 36] [--size 224]

For every narration of the annotation file (the first ``--limit``): cut its frames at 10 fps
(``clips``; too long or too short segments are dropped and counted), track a grid x grid lattice
of frame-0 pixels in 3D (``trackers``), and write the clip (``point_clip``), whole or not at all.
A rerun skips the clips already written, so a killed run resumes where it stopped. The summary
(written, already there, dropped as too long or too short, failed with the reason) is printed
and kept in ``<out>/ingest_summary.json``. The input tree is only read.

Instructions are embedded with the CLIP text tower of ``--text-weights`` (a local copy, see
``arm4r_policy.model.text``), or with the offline hashing encoder when none is given; the encoder
name is stored in each clip's ``meta.json``. A model trains on the embeddings it was built for:
the ``paper`` preset reads CLIP vectors, ``tiny`` re-embeds the text with the hashing encoder.

Exit codes: 0 every narration handled, 1 some failed (see the summary), 2 a refused request
(nothing written).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from arm4r_policy.collect.atomic import write_json_atomically
from arm4r_policy.collect.tracks import DEFAULT_GRID_SIZE, grid_pixels
from arm4r_policy.errors import ARM4RError, ConfigError, DatasetError
from arm4r_policy.model.text import InstructionEncoder, load_instruction_encoder
from arm4r_training.human_video.clips import TARGET_FPS, ClipCut, EpicVideos, cut_clips
from arm4r_training.human_video.epic_annotations import (
    Narration,
    read_narrations,
    read_video_info,
)
from arm4r_training.human_video.point_clip import (
    clip_directory,
    remove_staging_leftovers,
    write_point_clip,
)
from arm4r_training.human_video.trackers import (
    TRACKERS,
    PointTracker,
    assumed_intrinsics,
    build_tracker,
    resized_intrinsics,
)

PROG = "arm4r-ingest-epic"
SUMMARY_FILE = "ingest_summary.json"
VIDEO_INFO_FILE = "EPIC_100_video_info.csv"
DEFAULT_SIZE = 224


@dataclass(frozen=True)
class IngestRequest:
    """What to ingest and how; checked before anything is read or written.

    Attributes:
        annotations: ``EPIC_100_train.csv`` or ``EPIC_100_validation.csv``.
        videos: the dataset root (``<participant>/rgb_frames`` or ``<participant>/videos``).
        out: the clip root to write; must not lie inside ``videos``.
        tracker: one of ``trackers.TRACKERS``.
        tracker_weights, depth_weights: local weight directories (see ``build_tracker``).
        video_info: ``EPIC_100_video_info.csv``; None: the one beside ``annotations`` if any,
            else each video's MP4 tells its rate.
        text_weights: a local CLIP text tower; None: the hashing encoder.
        limit: handle only the first ``limit`` narrations; None: all.
        grid: g, the g x g query lattice on frame 0.
        size: side [px] of the stored square frames.
        median_depth: [m] scale of a relative depth model.
        device: torch device of the learned models.
        progress: show a progress bar.
    """

    annotations: Path
    videos: Path
    out: Path
    tracker: str
    tracker_weights: Path | None = None
    depth_weights: Path | None = None
    video_info: Path | None = None
    text_weights: Path | None = None
    limit: int | None = None
    grid: int = DEFAULT_GRID_SIZE
    size: int = DEFAULT_SIZE
    median_depth: float | None = None
    device: str = "cpu"
    progress: bool = True

    def __post_init__(self) -> None:
        if self.tracker not in TRACKERS:
            raise ConfigError(f"--tracker: expected one of {TRACKERS}, got {self.tracker!r}")
        if not Path(self.annotations).is_file():
            raise ConfigError(f"--annotations: no file {self.annotations}")
        if not Path(self.videos).is_dir():
            raise ConfigError(f"--videos: no directory {self.videos}")
        if self.video_info is not None and not Path(self.video_info).is_file():
            raise ConfigError(f"--video-info: no file {self.video_info}")
        videos, out = Path(self.videos).resolve(), Path(self.out).resolve()
        if out == videos or videos in out.parents:
            raise ConfigError(f"--out {self.out}: lies inside --videos {self.videos}, the input")
        if not 16 <= self.size <= 4096:
            raise ConfigError(f"--size: expected 16 to 4096 px, got {self.size}")
        if not 1 <= self.grid <= self.size:
            raise ConfigError(f"--grid: expected 1 to --size ({self.size}), got {self.grid}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit: expected a positive count, got {self.limit}")

    def video_info_file(self) -> Path | None:
        if self.video_info is not None:
            return Path(self.video_info)
        beside = Path(self.annotations).with_name(VIDEO_INFO_FILE)
        return beside if beside.is_file() else None


@dataclass
class IngestSummary:
    """What a run did, by narration id."""

    written: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    too_short: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        """Clips on disk: written now or before."""
        return len(self.written) + len(self.already)

    def to_json(self) -> dict:
        return {
            "kept": self.kept,
            "written": len(self.written),
            "already_done": len(self.already),
            "dropped_too_long": len(self.too_long),
            "dropped_too_short": len(self.too_short),
            "failed": len(self.failed),
            "too_long": self.too_long,
            "too_short": self.too_short,
            "failures": self.failed,
        }

    def __str__(self) -> str:
        return (
            f"{self.kept} clips kept ({len(self.written)} written, {len(self.already)} already "
            f"done), dropped {len(self.too_long)} too long and {len(self.too_short)} too short, "
            f"{len(self.failed)} failed"
        )


def _finished(out: Path, narration: Narration) -> bool:
    try:
        return clip_directory(out, narration).is_dir()
    except DatasetError:
        return False  # an unusable name fails with its reason when the clip is written


def ingest(request: IngestRequest) -> IngestSummary:
    """Run ``request``; return (and store in ``<out>/ingest_summary.json``) what it did.

    Raises:
        DatasetError: an annotation file is malformed (nothing is written).
        CheckpointError: the tracker's weights or packages are missing (nothing is written).
    """
    narrations = read_narrations(request.annotations)[: request.limit]
    info_file = request.video_info_file()
    videos = EpicVideos(request.videos, read_video_info(info_file) if info_file else {})
    tracker = build_tracker(
        request.tracker,
        request.tracker_weights,
        request.depth_weights,
        request.device,
        request.median_depth,
    )
    encoder = load_instruction_encoder(request.text_weights)
    out = Path(request.out)
    summary = IngestSummary()
    for cut in cut_clips(
        narrations,
        videos,
        request.size,
        done=lambda narration: _finished(out, narration),
        progress=request.progress,
    ):
        name = cut.narration.narration_id
        if cut.outcome == "cut":
            try:
                _write(request, cut, tracker, encoder)
                summary.written.append(name)
            except (ARM4RError, RuntimeError) as error:  # RuntimeError: a model's own failure
                summary.failed[name] = " ".join(str(error).split())
        elif cut.outcome == "done":
            summary.already.append(name)
        elif cut.outcome == "failed":
            summary.failed[name] = cut.reason
        else:
            getattr(summary, cut.outcome).append(name)
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomically(out / SUMMARY_FILE, summary.to_json())
    return summary


def _write(
    request: IngestRequest, cut: ClipCut, tracker: PointTracker, encoder: InstructionEncoder
) -> None:
    """Track one cut narration and write its clip."""
    narration, clip, size = cut.narration, cut.clip, request.size
    directory = clip_directory(request.out, narration)
    remove_staging_leftovers(directory)
    intrinsics = resized_intrinsics(
        assumed_intrinsics(clip.source_size), clip.source_size, (size, size)
    )
    queries = grid_pixels(request.grid, (size, size)).astype(np.float32)
    tracks = tracker.track(clip.frames, queries, intrinsics)
    write_point_clip(
        directory,
        clip.frames,
        tracks,
        narration.instruction,
        encoder.embed(narration.instruction).cpu().numpy(),
        tracks_info={
            "tracker": tracker.name,
            "grid_size": request.grid,
            "intrinsics_assumed": True,
        },
        details={
            "instruction_encoder": encoder.name,
            "source": {
                "dataset": "EPIC-KITCHENS-100",
                "narration_id": narration.narration_id,
                "video_id": narration.video_id,
                "narration": narration.narration,
                "verb": narration.verb,
                "noun": narration.noun,
                "video_fps": cut.fps,
                "fps": TARGET_FPS,
                "frames": clip.numbers.tolist(),
                "source_size": list(clip.source_size),
            },
        },
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="EPIC-KITCHENS-100 narrations -> 3D point-track clips for Stage 1.",
        epilog="exit codes: 0 done, 1 some narrations failed (see the summary), 2 refused",
    )
    add = parser.add_argument
    add("--annotations", type=Path, required=True, help="EPIC_100_train.csv or _validation.csv")
    add("--videos", type=Path, required=True, help="dataset root: <participant>/rgb_frames/... "
        "or <participant>/videos/<video_id>.MP4")  # fmt: skip
    add("--out", type=Path, required=True, help="clip root to write (resumable)")
    add("--tracker", choices=TRACKERS, required=True)
    add("--tracker-weights", type=Path, help="CoTracker: directory of scaled_offline.pth; "
        "SpatialTracker: its repository checkout with its weights")  # fmt: skip
    add("--depth-weights", type=Path, help="local Depth Anything V2 model directory "
        "(transformers format); required by lucas-kanade and cotracker")  # fmt: skip
    add("--video-info", type=Path, help=f"{VIDEO_INFO_FILE} (default: beside --annotations)")
    add("--text-weights", type=Path, help="local CLIP text tower (default: hashing encoder)")
    add("--limit", type=int, help="handle only the first N narrations")
    add("--grid", type=int, default=DEFAULT_GRID_SIZE, help="g: g x g query points")
    add("--size", type=int, default=DEFAULT_SIZE, help="side of the stored square frames [px]")
    add("--median-depth", type=float, help="[m] scale for a relative depth model")
    add("--device", default="cpu", help="torch device of the learned models (cpu, cuda)")
    add("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``arm4r-ingest-epic``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        request = IngestRequest(
            annotations=args.annotations,
            videos=args.videos,
            out=args.out,
            tracker=args.tracker,
            tracker_weights=args.tracker_weights,
            depth_weights=args.depth_weights,
            video_info=args.video_info,
            text_weights=args.text_weights,
            limit=args.limit,
            grid=args.grid,
            size=args.size,
            median_depth=args.median_depth,
            device=args.device,
            progress=not args.no_progress,
        )
        summary = ingest(request)
    except ARM4RError as refusal:
        print(f"{PROG}: {refusal}", file=sys.stderr)
        return 2
    print(f"{PROG}: {summary}; summary in {Path(args.out) / SUMMARY_FILE}")
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
