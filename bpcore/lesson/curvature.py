"""The curvature of SSR in the optimized parameters: what decides which learning rates work.

Near its lowest point SSR is close to a parabola; with curvature ``c`` (the largest eigenvalue
of its Hessian in the optimized parameters) each gradient-descent step multiplies the distance
to the best values by ``1 - c * learning_rate``. Steps settle only for ``learning_rate < 2 / c``,
and ``1 / c`` gets there fastest.
"""

from __future__ import annotations

import math

import numpy as np

from bpcore.display import fmt
from bpcore.lesson.file import Lesson
from bpcore.model.activations import Array
from bpcore.model.chain import jacobian_arrays
from bpcore.model.network import forward_arrays


def ssr_gradient(lesson: Lesson, values: Array) -> Array:
    """``d SSR / d param`` for the lesson's optimized parameters, at full parameter ``values``.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> ssr_gradient(lesson, lesson.network.values).round(3).tolist()
    [-15.655]
    """
    net = lesson.network
    hidden_x, hidden_y, _, _, predicted = forward_arrays(values, net.hidden, net.activation,
                                                         lesson.x)
    jac = jacobian_arrays(values, net.hidden, net.activation, lesson.x, hidden_x, hidden_y)
    rows = [net.index(n) for n in lesson.optimize]
    return jac[rows] @ (-2.0 * (lesson.y - predicted))


def curvature(lesson: Lesson, values: Array) -> float:
    """The largest eigenvalue of SSR's Hessian in the optimized parameters, at ``values``.

    Central differences of the exact gradient, one column per optimized parameter.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> round(curvature(lesson, lesson.network.values), 6)  # 2 n for the output bias alone
    6.0
    """
    values = np.array(values, dtype=float)
    rows = [lesson.network.index(n) for n in lesson.optimize]
    columns = []
    for row in rows:
        h = 1e-5 * max(1.0, abs(values[row]))
        up, down = values.copy(), values.copy()
        up[row] += h
        down[row] -= h
        columns.append((ssr_gradient(lesson, up) - ssr_gradient(lesson, down)) / (2 * h))
    hessian = np.array(columns)
    return float(np.linalg.eigvalsh((hessian + hessian.T) / 2).max())


def round_down(value: float) -> float:
    """``value`` rounded down to one significant digit (a learning rate to suggest).

    Examples
    --------
    >>> round_down(0.05), round_down(0.0833), round_down(1 / 6)
    (0.05, 0.08, 0.1)
    """
    unit = 10.0 ** math.floor(math.log10(value) + 1e-9)
    return math.floor(value / unit * (1 + 1e-9)) * unit


def rate_advice(lam: float) -> str:
    """Which learning rates settle for curvature ``lam``, as a clause for a message.

    Examples
    --------
    >>> rate_advice(20.0)
    'learning_rate below 2/20 = 0.1 settles, and about 0.05 (1/20) gets there fastest'
    """
    return (f"learning_rate below 2/{fmt(lam)} = {fmt(2 / lam)} settles, and about "
            f"{fmt(round_down(1 / lam))} (1/{fmt(lam)}) gets there fastest")
