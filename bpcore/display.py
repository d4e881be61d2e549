"""The display rules: every number on screen and in captions goes through :func:`fmt`, and an
SSR plot over descent steps is drawn on a log scale when :func:`wants_log` says so. The videos
and the page (through its data, bpcore/outputs/page.py) follow the same rules."""

from __future__ import annotations

import numpy as np

#: The smallest power of ten still written out (0.0001); below it, fixed notation would show
#: four zeros or more before the first digit.
SMALLEST_FIXED = -4
#: The first power of ten written with an exponent (1 000 000 and up: seven digits or more).
FIRST_SCIENTIFIC = 6
#: Plot SSR on a log scale when it falls by more than this factor.
LOG_RATIO = 100.0
#: The smallest SSR drawn on a log scale, relative to the largest (SSR can reach 0 exactly).
LOG_FLOOR = 1e-12
TIMES = "\u00d7"
SUPERSCRIPTS = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077"
                                           "\u2078\u2079\u207b")


def fmt(value: float, digits: int = 3) -> str:
    """Round ``value`` to ``digits`` significant digits for display.

    Trailing zeros are dropped, as the lesson writes them (-2.6, not -2.60); ``-0`` shows as 0.
    Values that round to less than 0.0001 or to a million and more are written in scientific
    notation with a times sign and a superscript exponent (``2.14 × 10⁻¹⁰``): written out they
    would be a row of zeros. Exports keep Python's own ``2.14e-10``; this is for people.

    Examples
    --------
    >>> [fmt(v) for v in (20.4236, -15.6551, -1.56551, 0.45827, -2.6037, 2.0, 1234.5)]
    ['20.4', '-15.7', '-1.57', '0.458', '-2.6', '2', '1234']
    >>> fmt(7.7685, digits=2)
    '7.8'
    >>> fmt(2.1403e-10), fmt(-0.0000642), fmt(0.0001), fmt(3.2e12)
    ('2.14 × 10⁻¹⁰', '-6.42 × 10⁻⁵', '0.0001', '3.2 × 10¹²')
    """
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return "0" if value == 0 else str(value)
    mantissa, exponent = _scientific(value, digits)
    if _needs_exponent(exponent):
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa} {TIMES} 10{str(exponent).translate(SUPERSCRIPTS)}"
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text


def display_unit(value: float, digits: int = 3) -> float:
    """The size of one unit in the last digit that :func:`fmt` shows.

    Examples
    --------
    >>> display_unit(2.6066), display_unit(-0.19), display_unit(1234.5), display_unit(0.0)
    (0.01, 0.001, 1.0, 0.001)
    >>> display_unit(2.14e-10) == 1e-12, display_unit(3.2e12) == 1e10
    (True, True)
    """
    value = abs(float(value))
    if value == 0 or not np.isfinite(value):
        return 10.0 ** -digits
    _, exponent = _scientific(value, digits)
    if _needs_exponent(exponent):
        return 10.0 ** (exponent - max(digits, 1) + 1)
    magnitude = int(np.floor(np.log10(value)))
    return 10.0 ** -max(digits - 1 - magnitude, 0)


def _scientific(value: float, digits: int) -> tuple[str, int]:
    """``value`` rounded to ``digits`` significant digits: mantissa text and power of ten
    (after rounding: 9.9996e-5 is 1.00e-4)."""
    mantissa, exponent = f"{value:.{max(digits, 1) - 1}e}".split("e")
    return mantissa, int(exponent)


def _needs_exponent(exponent: int) -> bool:
    return exponent < SMALLEST_FIXED or exponent >= FIRST_SCIENTIFIC


def wants_log(ssr) -> bool:
    """Whether SSR spans enough orders of magnitude to be plotted on a log scale.

    Examples
    --------
    >>> wants_log([1.4, 0.9, 0.2]), wants_log([1.4, 1e-6]), wants_log([1.4, 0.0])
    (False, True, True)
    """
    ssr = np.asarray(ssr, dtype=float)
    return bool(ssr.max() > LOG_RATIO * max(ssr.min(), ssr.max() * LOG_FLOOR))
