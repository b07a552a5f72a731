"""The official EPIC-KITCHENS-100 annotation files, read and checked row by row.

``EPIC_100_train.csv`` / ``EPIC_100_validation.csv``: one action segment (narration) per row::

    narration_id,participant_id,video_id,narration_timestamp,start_timestamp,stop_timestamp,
    start_frame,stop_frame,narration,verb,verb_class,noun,noun_class,all_nouns,all_noun_classes
    P01_01_0,P01,P01_01,00:00:01.089,00:00:00.14,00:00:03.37,8,202,open door,open,3,door,3,
    ['door'],[3]

Timestamps are ``HH:MM:SS.ff``; frames are 1-based indices at the video's own frame rate, both
ends inside the segment. ``EPIC_100_video_info.csv`` gives each video's ``duration`` [s], ``fps``
and ``resolution`` (``1920x1080``). A row that does not hold what its column promises is an error
naming the file, the line and the column; a file without a column the reader needs is an error
naming the missing columns.

The instruction of a segment is "verb noun" (paper, Stage 1). Nouns are class keys written
``noun:modifier`` (``pan:frying``), read back as ``frying pan``; phrasal verbs are written with a
hyphen (``turn-on``), read as ``turn on``.
"""

from __future__ import annotations

import ast
import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arm4r_policy.errors import DatasetError

NARRATION_COLUMNS = (
    "narration_id",
    "participant_id",
    "video_id",
    "narration_timestamp",
    "start_timestamp",
    "stop_timestamp",
    "start_frame",
    "stop_frame",
    "narration",
    "verb",
    "verb_class",
    "noun",
    "noun_class",
    "all_nouns",
    "all_noun_classes",
)
VIDEO_INFO_COLUMNS = ("video_id", "duration", "fps", "resolution")

_TIMESTAMP = re.compile(r"(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)")
_PARTICIPANT = re.compile(r"P\d{2,}")
_VIDEO = re.compile(r"(P\d{2,})_\d+")
_RESOLUTION = re.compile(r"(\d+)x(\d+)")


def parse_timestamp(text: str) -> float:
    """Seconds of an ``HH:MM:SS.ff`` timestamp; ValueError for anything else."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise ValueError("expected HH:MM:SS.ff")
    hours, minutes, seconds = match.groups()
    return 3600 * int(hours) + 60 * int(minutes) + float(seconds)


def instruction_text(verb: str, noun: str) -> str:
    """The instruction of EPIC class keys, verb then noun.

    ``("turn-on", "tap")`` -> ``"turn on tap"``;
    ``("wash", "pan:frying")`` -> ``"wash frying pan"``.
    """
    words = " ".join(reversed([part.strip() for part in noun.split(":") if part.strip()]))
    return f"{verb.strip().replace('-', ' ')} {words}"


@dataclass(frozen=True)
class Narration:
    """One action segment of an annotation file.

    Attributes:
        narration_id: e.g. ``P01_01_0``.
        participant_id: e.g. ``P01``.
        video_id: e.g. ``P01_01``.
        narration_time, start_time, stop_time: [s] from the start of the video.
        start_frame, stop_frame: 1-based frame indices at the video's frame rate, inclusive.
        narration: the free-form narration, e.g. ``open door``.
        verb, noun: class keys, e.g. ``open``, ``pan:frying``.
        verb_class, noun_class: class indices.
        all_nouns, all_noun_classes: every noun of the narration and its class.
    """

    narration_id: str
    participant_id: str
    video_id: str
    narration_time: float
    start_time: float
    stop_time: float
    start_frame: int
    stop_frame: int
    narration: str
    verb: str
    verb_class: int
    noun: str
    noun_class: int
    all_nouns: tuple[str, ...]
    all_noun_classes: tuple[int, ...]

    @property
    def instruction(self) -> str:
        """The "verb noun" instruction, see ``instruction_text``."""
        return instruction_text(self.verb, self.noun)


@dataclass(frozen=True)
class VideoInfo:
    """One row of ``EPIC_100_video_info.csv``.

    Attributes:
        video_id: e.g. ``P01_01``.
        duration: [s].
        fps: frames per second of the video and of its extracted frames.
        resolution: (width, height) [px] of the video.
    """

    video_id: str
    duration: float
    fps: float
    resolution: tuple[int, int]


class _Row:
    """One CSV record; ``get`` parses a column and names file, line and column when it fails."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path, self.line, self.values = path, line, values

    def error(self, column: str, expected: str) -> DatasetError:
        return DatasetError(
            f"{self.path}:{self.line}: column {column!r} = {self.values[column]!r}; expected "
            f"{expected}"
        )

    def get(self, column: str, parse: Callable[[str], Any], expected: str) -> Any:
        try:
            return parse(self.values[column])
        except (ValueError, SyntaxError, TypeError) as error:
            raise self.error(column, expected) from error


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value.strip()


def _matching(pattern: re.Pattern) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if pattern.fullmatch(value.strip()) is None:
            raise ValueError("no match")
        return value.strip()

    return parse


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("negative")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("not positive")
    return number


def _list_of(kind: type) -> Callable[[str], tuple]:
    def parse(value: str) -> tuple:
        items = ast.literal_eval(value)
        if not isinstance(items, list) or not items:
            raise ValueError("not a list")
        if not all(isinstance(item, kind) and not isinstance(item, bool) for item in items):
            raise ValueError("wrong item type")
        return tuple(items)

    return parse


def _records(path: Path, columns: tuple[str, ...]):
    """(line, row) of a CSV file with a header holding ``columns``."""
    path = Path(path)
    try:
        stream = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"{path}: unreadable ({error.strerror})") from error
    with stream:
        reader = csv.DictReader(stream)
        header = reader.fieldnames or []
        missing = [column for column in columns if column not in header]
        if missing:
            raise DatasetError(
                f"{path}: missing columns {missing}; found {list(header)}, expected at least "
                f"{list(columns)}"
            )
        try:
            for values in reader:
                if None in values or any(values[column] is None for column in columns):
                    raise DatasetError(
                        f"{path}:{reader.line_num}: {len(header)} columns in the header, another "
                        "number in this row"
                    )
                yield _Row(path, reader.line_num, values)
        except (csv.Error, UnicodeDecodeError) as error:
            raise DatasetError(f"{path}:{reader.line_num}: not valid CSV ({error})") from error


def _narration(row: _Row) -> Narration:
    participant = row.get("participant_id", _matching(_PARTICIPANT), "a participant like P01")
    video = row.get("video_id", _matching(_VIDEO), "a video like P01_01")
    if not video.startswith(f"{participant}_"):
        raise row.error("video_id", f"a video of participant {participant}")
    timestamp = "a timestamp HH:MM:SS.ff"
    start_time = row.get("start_timestamp", parse_timestamp, timestamp)
    stop_time = row.get("stop_timestamp", parse_timestamp, timestamp)
    if stop_time < start_time:
        raise row.error("stop_timestamp", f"a time at or after the start {start_time} s")
    start_frame = row.get("start_frame", _positive_int, "a 1-based frame index")
    stop_frame = row.get("stop_frame", _positive_int, "a 1-based frame index")
    if stop_frame < start_frame:
        raise row.error("stop_frame", f"a frame at or after start_frame {start_frame}")
    nouns = row.get("all_nouns", _list_of(str), "a list of nouns like ['tap', 'water']")
    classes = row.get("all_noun_classes", _list_of(int), "a list of classes like [12, 27]")
    if len(classes) != len(nouns):
        raise row.error("all_noun_classes", f"one class per noun of all_nouns ({len(nouns)})")
    return Narration(
        narration_id=row.get("narration_id", _text, "a narration id like P01_01_0"),
        participant_id=participant,
        video_id=video,
        narration_time=row.get("narration_timestamp", parse_timestamp, timestamp),
        start_time=start_time,
        stop_time=stop_time,
        start_frame=start_frame,
        stop_frame=stop_frame,
        narration=row.get("narration", _text, "the narration text"),
        verb=row.get("verb", _text, "a verb"),
        verb_class=row.get("verb_class", _count, "a class index >= 0"),
        noun=row.get("noun", _text, "a noun"),
        noun_class=row.get("noun_class", _count, "a class index >= 0"),
        all_nouns=nouns,
        all_noun_classes=classes,
    )


def read_narrations(path: Path) -> list[Narration]:
    """Every segment of an ``EPIC_100_train.csv`` / ``EPIC_100_validation.csv``, in file order.

    Raises:
        DatasetError: the file is unreadable, lacks a column, repeats a narration id, or a row
            holds a bad value (the message names file, line and column).
    """
    narrations, lines = [], {}
    for row in _records(path, NARRATION_COLUMNS):
        narration = _narration(row)
        if narration.narration_id in lines:
            raise row.error(
                "narration_id", f"an id not already used on line {lines[narration.narration_id]}"
            )
        lines[narration.narration_id] = row.line
        narrations.append(narration)
    return narrations


def _fps(value: str) -> float:
    fps = float(value)
    if not math.isfinite(fps) or fps <= 0:
        raise ValueError("not a positive rate")
    return fps


def _duration(value: str) -> float:
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("not a duration")
    return seconds


def _resolution(value: str) -> tuple[int, int]:
    match = _RESOLUTION.fullmatch(value.strip())
    if match is None or min(int(match.group(1)), int(match.group(2))) < 1:
        raise ValueError("not WIDTHxHEIGHT")
    return int(match.group(1)), int(match.group(2))


def read_video_info(path: Path) -> dict[str, VideoInfo]:
    """Video id -> its row of ``EPIC_100_video_info.csv``.

    Raises:
        DatasetError: the file is unreadable, lacks a column, repeats a video, or a row holds a
            bad value (the message names file, line and column).
    """
    videos: dict[str, VideoInfo] = {}
    for row in _records(path, VIDEO_INFO_COLUMNS):
        video = row.get("video_id", _matching(_VIDEO), "a video like P01_01")
        if video in videos:
            raise row.error("video_id", "a video not listed before")
        videos[video] = VideoInfo(
            video_id=video,
            duration=row.get("duration", _duration, "a duration >= 0 [s]"),
            fps=row.get("fps", _fps, "a positive frame rate"),
            resolution=row.get("resolution", _resolution, "WIDTHxHEIGHT like 1920x1080"),
        )
    return videos
