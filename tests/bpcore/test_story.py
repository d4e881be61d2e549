"""Words for the ear (bpcore.story): how the voice says lists of numbers."""

from __future__ import annotations

from bpcore.story import MOST_SAID, trend


def test_a_short_list_is_said_in_full() -> None:
    assert trend([2.19, 2.44, 2.54], ["2.19", "2.44", "2.54"]) == "goes 2.19, 2.44 and 2.54"


def test_a_value_said_twice_in_a_row_becomes_first_and_last() -> None:
    """ "1.63, 1.68, 1.69 and 1.69" sounds stuck (issue 21): the voice says where it went."""
    said = trend([1.63, 1.68, 1.689, 1.691], ["1.63", "1.68", "1.69", "1.69"])
    assert said == "climbs from 1.63 to 1.69"


def test_a_long_list_is_never_read_out() -> None:
    values = [3.0 - 0.1 * i for i in range(MOST_SAID + 3)]
    said = trend(values, [f"{v:.2f}" for v in values])
    assert said == f"falls from 3.00 to {values[-1]:.2f}"
