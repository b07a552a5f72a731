"""The printed success table."""

from arm4r_training.evaluation import PLANNING_REFUSED, TIMEOUT, format_table

from .records import records_solving


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
    assert lines[-1].startswith("8 episodes, mean 10 steps")
    assert PLANNING_REFUSED not in table


def test_a_single_variation_has_no_pooled_row():
    table = format_table(records_solving("green", [1], 2), "kinova/pick_cube")
    assert not any(line.startswith("all") for line in table.splitlines())
