import os

import pytest

from arm4r_policy.atomic_file import replace_file, umask_mode


def test_a_replaced_file_gets_the_mode_of_a_plain_file(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    replaced = tmp_path / "replaced.txt"
    replace_file(replaced, "whole")
    assert replaced.read_text() == "whole"
    assert replaced.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_umask_mode_takes_the_process_umask_off(mask):
    previous = os.umask(mask)
    try:
        assert umask_mode(0o666) == 0o666 & ~mask
        assert umask_mode(0o777) == 0o777 & ~mask
    finally:
        os.umask(previous)
