"""The one display rule: every number on screen and in captions goes through :func:`fmt`."""

from __future__ import annotations

import numpy as np


def fmt(value: float, digits: int = 3) -> str:
    """Round ``value`` to ``digits`` significant digits for display, without exponents.

    Trailing zeros are dropped, as the lesson writes them (-2.6, not -2.60); ``-0`` shows as 0.

    Examples
    --------
    >>> [fmt(v) for v in (20.4236, -15.6551, -1.56551, 0.45827, -2.6037, 2.0, 1234.5)]
    ['20.4', '-15.7', '-1.57', '0.458', '-2.6', '2', '1234']
    >>> fmt(7.7685, digits=2)
    '7.8'
    """
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text
