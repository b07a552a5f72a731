"""EPIC-KITCHENS-100 annotation readers: good files parse; a bad row names file, line, column."""

import pytest

from arm4r_policy.errors import DatasetError
from arm4r_training.human_video.epic_annotations import (
    NARRATION_COLUMNS,
    instruction_text,
    parse_timestamp,
    read_narrations,
    read_video_info,
)
from tests.unit.training.human_video.epic_tree import (
    GOOD_ROW,
    narration_row,
    write_csv,
    write_video_info,
)


def test_a_good_annotation_file_parses_every_column(tmp_path):
    rows = [
        GOOD_ROW,
        narration_row(
            narration_id="P01_101_7",
            video_id="P01_101",
            narration="turn on the tap over the frying pan",
            verb="turn-on",
            noun="pan:frying",
            verb_class="6",
            noun_class="25",
            all_nouns="['pan:frying', 'tap']",
            all_noun_classes="[25, 0]",
            start_timestamp="01:02:03.5",
            stop_timestamp="01:02:05.25",
            start_frame="186176",
            stop_frame="186263",
        ),
    ]
    first, second = read_narrations(write_csv(tmp_path / "EPIC_100_train.csv", rows))
    assert (first.narration_id, first.participant_id, first.video_id) == (
        "P01_01_0",
        "P01",
        "P01_01",
    )
    assert (first.start_time, first.stop_time, first.narration_time) == (0.14, 3.37, 1.089)
    assert (first.start_frame, first.stop_frame) == (8, 202)
    assert (first.verb_class, first.noun_class, first.all_nouns) == (3, 3, ("door",))
    assert first.instruction == "open door"
    assert second.start_time == pytest.approx(3723.5)
    assert second.all_nouns == ("pan:frying", "tap")
    assert second.all_noun_classes == (25, 0)
    assert second.instruction == "turn on frying pan"


@pytest.mark.parametrize(("verb", "noun", "instruction"), [
    ("take", "plate", "take plate"),
    ("wash", "pan:frying", "wash frying pan"),
    ("put-down", "board:chopping", "put down chopping board"),
    ("open", "bag:plastic:small", "open small plastic bag"),
])  # fmt: skip
def test_the_instruction_is_verb_then_noun_with_modifiers_first(verb, noun, instruction):
    assert instruction_text(verb, noun) == instruction


def test_timestamps_are_hours_minutes_and_fractional_seconds():
    assert parse_timestamp("00:00:00.14") == pytest.approx(0.14)
    assert parse_timestamp("02:03:04.005") == pytest.approx(7384.005)
    for bad in ("1:2:3", "00:61:00.0", "00:00", "soon"):
        with pytest.raises(ValueError, match="HH:MM:SS.ff"):
            parse_timestamp(bad)


@pytest.mark.parametrize(("column", "value"), [
    ("narration_id", ""),
    ("participant_id", "X01"),
    ("video_id", "P02_01"),  # another participant's video
    ("narration_timestamp", "1:2:3"),
    ("start_timestamp", "00:00:03.4"),  # after the stop
    ("start_frame", "0"),  # frames are 1-based
    ("start_frame", "eight"),
    ("stop_frame", "7"),  # before the start
    ("narration", " "),
    ("verb", ""),
    ("verb_class", "-1"),
    ("noun", ""),
    ("noun_class", "3.5"),
    ("all_nouns", "door"),
    ("all_nouns", "[]"),
    ("all_noun_classes", "[3, 4]"),  # one class per noun
    ("all_noun_classes", "['3']"),
])  # fmt: skip
def test_a_bad_value_names_the_file_the_line_and_the_column(tmp_path, column, value):
    second = narration_row(**{"narration_id": "P01_01_1", column: value})
    if column == "start_timestamp":
        column = "stop_timestamp"  # the stop is checked against the start
    path = write_csv(tmp_path / "EPIC_100_validation.csv", [GOOD_ROW, second])
    with pytest.raises(DatasetError) as error:
        read_narrations(path)
    assert f"{path}:3: column {column!r}" in str(error.value)


def test_a_repeated_narration_id_names_the_line_it_was_first_used_on(tmp_path):
    path = write_csv(tmp_path / "EPIC_100_train.csv", [GOOD_ROW, GOOD_ROW])
    with pytest.raises(DatasetError, match=r":3: column 'narration_id'.*line 2"):
        read_narrations(path)


def test_a_row_with_a_missing_field_names_its_line(tmp_path):
    path = write_csv(tmp_path / "EPIC_100_train.csv", [GOOD_ROW])
    with path.open("a", encoding="utf-8") as stream:
        stream.write("P01_01_1,P01,P01_01,00:00:01.0\n")
    with pytest.raises(DatasetError, match=r"EPIC_100_train.csv:3: 15 columns in the header"):
        read_narrations(path)


def test_missing_columns_are_named_and_nothing_is_read(tmp_path):
    columns = [c for c in NARRATION_COLUMNS if c not in ("verb", "noun_class")]
    path = write_csv(tmp_path / "EPIC_100_test_timestamps.csv", [GOOD_ROW], columns)
    with pytest.raises(DatasetError, match=r"missing columns \['verb', 'noun_class'\]"):
        read_narrations(path)


def test_an_unreadable_file_is_named(tmp_path):
    with pytest.raises(DatasetError, match="EPIC_100_train.csv: unreadable"):
        read_narrations(tmp_path / "EPIC_100_train.csv")


def test_video_info_gives_each_video_its_rate_duration_and_resolution(tmp_path):
    path = write_video_info(
        tmp_path / "EPIC_100_video_info.csv",
        {"P01_01": (1652.15, 59.9400599400599, "1920x1080"), "P01_101": (300.0, 50.0, "456x256")},
    )
    info = read_video_info(path)
    assert info["P01_01"].fps == pytest.approx(59.94, abs=1e-3)
    assert info["P01_101"].resolution == (456, 256)
    assert info["P01_101"].duration == 300.0


@pytest.mark.parametrize(("column", "value"), [
    ("fps", "0"), ("fps", "nan"), ("duration", "-1"), ("resolution", "1920*1080"),
    ("video_id", "clip_7"),
])  # fmt: skip
def test_a_bad_video_info_value_names_the_file_the_line_and_the_column(tmp_path, column, value):
    path = write_video_info(tmp_path / "info.csv", {"P01_01": (10.0, 50.0, "456x256")})
    row = {"video_id": "P01_02", "duration": "10.0", "fps": "50", "resolution": "456x256"}
    with path.open("a", encoding="utf-8") as stream:
        stream.write(",".join({**row, column: value}.values()) + "\n")
    with pytest.raises(DatasetError, match=rf"info.csv:3: column '{column}'"):
        read_video_info(path)


def test_video_info_without_the_fps_column_is_refused(tmp_path):
    path = write_csv(tmp_path / "info.csv", [{"video_id": "P01_01"}], ("video_id", "duration"))
    with pytest.raises(DatasetError, match=r"missing columns \['fps', 'resolution'\]"):
        read_video_info(path)
