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
    (0.000642, 3, "0.000642"),
    (0.0, 3, "0"),
    (-0.0, 3, "0"),
    (-0.0004, 1, "-0.0004"),
])
def test_fmt_rounds_to_significant_digits(value, digits, shown):
    """fmt keeps the given significant digits, drops trailing zeros and never shows -0."""
    assert fmt(value, digits) == shown


# Hand-written: what a reader expects on each side of both boundaries (0.0001 and a million).
@pytest.mark.parametrize(("value", "digits", "shown"), [
    (0.0001, 3, "0.0001"),
    (0.000123, 3, "0.000123"),
    (-0.000123, 3, "-0.000123"),
    (0.0000999, 3, "9.99 \u00d7 10\u207b\u2075"),
    (-0.0000999, 3, "-9.99 \u00d7 10\u207b\u2075"),
    (0.000099996, 3, "0.0001"),  # rounds up across the boundary: written out
    (-0.000099996, 3, "-0.0001"),
    (0.000099996, 5, "9.9996 \u00d7 10\u207b\u2075"),  # more digits: no rounding up
    (2.1403e-10, 3, "2.14 \u00d7 10\u207b\u00b9\u2070"),
    (1e-7, 3, "1 \u00d7 10\u207b\u2077"),
    (999499.0, 3, "999499"),
    (-999499.0, 3, "-999499"),
    (999500.0, 3, "1 \u00d7 10\u2076"),  # rounds up to a million: exponent
    (1000000.0, 3, "1 \u00d7 10\u2076"),
    (-1234567.0, 4, "-1.235 \u00d7 10\u2076"),
    (3.2e12, 3, "3.2 \u00d7 10\u00b9\u00b2"),
    (0.0009995, 2, "0.001"),
])
def test_fmt_switches_to_scientific_at_the_boundaries(value, digits, shown):
    """Below 0.0001 and from a million on (after rounding) a value shows as mantissa x 10^n,
    with a times sign and superscript digits; in between it is written out."""
    assert fmt(value, digits) == shown


@pytest.mark.parametrize("value", [2.1403e-10, -6.4187e-5, 7.77e8, -3.2e12, 1.0e-300])
def test_scientific_mantissa_and_exponent_give_the_value_back(value):
    """Read back (mantissa times ten to the superscript power), the shown text is the value
    rounded to 3 significant digits."""
    mantissa, power = fmt(value).split(" \u00d7 10")
    exponent = int(power.translate(str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                                                 "\u2077\u2078\u2079\u207b", "0123456789-")))
    assert 1 <= abs(float(mantissa)) < 10
    assert float(mantissa) * 10.0 ** exponent == pytest.approx(float(f"{value:.2e}"), rel=1e-12)


def test_fmt_rounding_up_across_a_power_of_ten():
    """A value that rounds up to the next power of ten shows without spare zeros."""
    assert fmt(9.9996) == "10"
    assert fmt(-0.099996) == "-0.1"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_fmt_non_finite(value):
    """Non-finite values are shown as Python writes them rather than raising."""
    assert fmt(value) == str(value)
