"""Display rounding: what a number looks like on screen."""

from __future__ import annotations

import pytest

from bpcore.display import fmt


@pytest.mark.parametrize(("value", "digits", "shown"), [
    (20.4236, 3, "20.4"),
    (-15.6551, 3, "-15.7"),
    (-1.56551, 3, "-1.57"),
    (1.56551, 3, "1.57"),
    (-6.26204, 3, "-6.26"),
    (2.19172, 3, "2.19"),
    (2.60850, 3, "2.61"),
    (0.45827, 3, "0.458"),
    (7.7685, 2, "7.8"),
    (-2.6037, 3, "-2.6"),
    (2.0, 3, "2"),
    (1234.5, 3, "1234"),
    (0.0000642, 3, "0.0000642"),
    (0.0, 3, "0"),
    (-0.0, 3, "0"),
    (-0.0004, 1, "-0.0004"),
])
def test_fmt_rounds_to_significant_digits(value, digits, shown):
    """fmt keeps the given significant digits, drops trailing zeros and never shows -0."""
    assert fmt(value, digits) == shown


def test_fmt_never_uses_exponents():
    """Tiny and huge numbers are written out in full, without an exponent."""
    assert "e" not in fmt(1.5e-9) and "e" not in fmt(3.2e12)
    assert fmt(3.2e12) == "3200000000000"


def test_fmt_rounding_up_across_a_power_of_ten():
    """A value that rounds up to the next power of ten shows without spare zeros."""
    assert fmt(9.9996) == "10"
    assert fmt(-0.099996) == "-0.1"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_fmt_non_finite(value):
    """Non-finite values are shown as Python writes them rather than raising."""
    assert fmt(value) == str(value)
