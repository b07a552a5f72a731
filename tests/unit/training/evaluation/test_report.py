"""The printed success table."""

import pytest

from arm4r_training.evaluation import PLANNING_REFUSED, TIMEOUT, format_table
from arm4r_training.evaluation.report import grasp_miss_mm

from .records import record, records_solving


def test_the_table_lists_each_variation_and_a_row_over_all_of_them():
    records = records_solving("yellow", [2, 1], 2) + records_solving("cyan", [0, 2], 2)
    table = format_table(records, "kinova/pick_cube")
    lines = table.splitlines()
    assert lines[0] == "kinova/pick_cube"
    yellow = next(line for line in lines if line.startswith("yellow"))
    assert "75.0 ± 25.0" in yellow
    assert f"{TIMEOUT} 1" in yellow
    cyan = next(line for line in lines if line.startswith("cyan"))
    assert "50.0 ± 50.0" in cyan
    assert f"{TIMEOUT} 2" in cyan
    pooled = next(line for line in lines if line.startswith("all"))
    assert "62.5 ± 12.5" in pooled
    assert f"{TIMEOUT} 3" in pooled
    assert lines[-2].startswith("8 episodes, mean 10 steps")
    assert PLANNING_REFUSED not in table


def test_the_grasp_miss_is_the_median_horizontal_distance_over_episodes_that_closed():
    records = [
        record("yellow", 0, 0, True, grasp_offset=(0.003, 0.004, -0.2)),  # 5 mm
        record("yellow", 0, 1, False, grasp_offset=(0.0, -0.030, 0.0)),  # 30 mm
        record("yellow", 0, 2, False, grasp_offset=(0.060, 0.080, 0.0)),  # 100 mm
        record("yellow", 0, 3, False),  # never closed
        record("cyan", 0, 0, False),
    ]
    assert grasp_miss_mm(records[:4]) == pytest.approx(30.0)
    assert grasp_miss_mm(records[3:]) is None
    lines = format_table(records, "kinova/pick_cube").splitlines()
    assert "grasp miss" in lines[1]
    assert "30 mm" in next(line for line in lines if line.startswith("yellow"))
    assert "  -  " in next(line for line in lines if line.startswith("cyan"))


def test_a_single_variation_has_no_pooled_row():
    table = format_table(records_solving("green", [1], 2), "kinova/pick_cube")
    assert not any(line.startswith("all") for line in table.splitlines())
