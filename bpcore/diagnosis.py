"""Warnings that teach: a descent that does not fall, oscillates, or stops far from the end.

A warning is not an error: the lesson still traces and renders. Each says what happened, why,
and which learning rate would work, computed from the lesson's SSR curvature: near a minimum
SSR is close to a parabola with curvature ``lam`` (its second derivative; the largest
eigenvalue of its Hessian for several parameters), each step multiplies the distance to the
best value by ``1 - learning_rate * lam``, so steps settle only for ``learning_rate < 2 / lam``
and ``1 / lam`` lands in one step. For the output bias alone this is exact: ``lam = 2 n``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bpcore.activations import Array
from bpcore.chain import jacobian_arrays
from bpcore.display import fmt
from bpcore.network import forward_arrays
from bpcore.trace import LessonTrace

#: Oscillating: at least this share of the last steps reverse the one before.
REVERSING = 0.8
#: How many of the last steps the oscillation test reads.
TAIL_STEPS = 20
#: "Does not fall": SSR fell by less than this share of its start ...
FLAT = 1e-3
#: ... while one well-sized step would lower it by more than this share.
ROOM = 1e-2
#: "Still falling": in the last tenth of the steps SSR fell by more than this share of its
#: whole fall.
STILL_FALLING = 1e-2


@dataclass(frozen=True, slots=True)
class LessonWarning:
    """One warning about a lesson: the key it is about and a sentence that teaches."""

    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


def ssr_gradient(trace: LessonTrace, values: Array) -> Array:
    """``d SSR / d param`` for the optimized parameters, at full parameter ``values``."""
    lesson = trace.lesson
    net = lesson.network
    hidden_x, hidden_y, _, _, predicted = forward_arrays(values, net.hidden, net.activation,
                                                         lesson.x)
    jac = jacobian_arrays(values, net.hidden, net.activation, lesson.x, hidden_x, hidden_y)
    rows = [net.index(n) for n in lesson.optimize]
    return jac[rows] @ (-2.0 * (lesson.y - predicted))


def curvature(trace: LessonTrace, step: int) -> float:
    """The largest eigenvalue of SSR's Hessian in the optimized parameters at descent ``step``.

    Central differences of the exact gradient, one column per optimized parameter.

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> trace = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))
    >>> round(curvature(trace, 0), 6)  # 2 n for the output bias alone, n = 3 points
    6.0
    """
    lesson = trace.lesson
    values = trace.descent.params[step].copy()
    rows = [lesson.network.index(n) for n in lesson.optimize]
    columns = []
    for row in rows:
        h = 1e-5 * max(1.0, abs(values[row]))
        up, down = values.copy(), values.copy()
        up[row] += h
        down[row] -= h
        columns.append((ssr_gradient(trace, up) - ssr_gradient(trace, down)) / (2 * h))
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


def diagnose(trace: LessonTrace) -> tuple[LessonWarning, ...]:
    """Warnings about the lesson's descent, each with the reason and a learning rate to try.

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> diagnose(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    ()
    """
    lesson, descent = trace.lesson, trace.descent
    ssr, updates, rate = descent.ssr, descent.updates, descent.learning_rate
    source, key = lesson.source, "descent.learning_rate"
    if lesson.optimize == lesson.network.names[-1:]:
        lam = 2.0 * len(lesson.x)  # SSR is exactly a parabola in the output bias
        how = (f"for {lesson.optimize[0]} alone each step multiplies the distance to its best "
               f"value by 1 - 2 n learning_rate = {fmt(1 - lam * rate, 6)} (n = "
               f"{len(lesson.x)} points)")
    else:
        lam = max(curvature(trace, 0), curvature(trace, len(descent) - 1))
        how = (f"SSR curves by up to {fmt(lam)} along this descent, so each step multiplies "
               f"the distance to the best values by as much as 1 - {fmt(lam)} learning_rate = "
               f"{fmt(1 - lam * rate, 6)}")
    if lam > 0:
        advice = (f"; learning_rate below 2/{fmt(lam)} = {fmt(2 / lam)} settles, and about "
                  f"{fmt(round_down(1 / lam))} (1/{fmt(lam)}) gets there fastest")
    else:
        advice = ""
    steps = descent.step_size[:updates]
    tail = steps[-TAIL_STEPS:]
    reversals = (np.sum(tail[1:] * tail[:-1], axis=1) < 0) if len(tail) > 1 else np.array([])
    # Reversing steps that do not shrink: the descent swings across the minimum for good.
    swinging = reversals.size >= 3 and reversals.mean() >= REVERSING and \
        np.linalg.norm(tail[-1]) > 0.1 * np.linalg.norm(tail[0])
    if descent.status == "max_steps" and swinging:
        return (LessonWarning(source, key, f"descent oscillates: each step jumps past the best "
                        f"value and back, and after {updates} updates SSR is {fmt(ssr[-1])} "
                        f"(it started at {fmt(ssr[0])}). The learning rate {fmt(rate)} is too "
                        f"large: {how}{advice}."),)
    fall = ssr[0] - ssr[-1]
    g0 = descent.gradient[0]
    room = float(g0 @ g0) / (2 * lam) if lam > 0 else 0.0
    if fall <= FLAT * ssr[0] and room > ROOM * ssr[0]:
        size = "too large" if rate * lam > 1 else "too small"
        return (LessonWarning(source, key, f"SSR does not fall: {fmt(ssr[0])} -> {fmt(ssr[-1])} "
                        f"after {updates} updates. The learning rate {fmt(rate)} is {size}: "
                        f"{how}{advice}."),)
    last = max(1, updates // 10)
    if descent.status == "max_steps" and updates > 0 and fall > 0 and \
            ssr[-1 - last] - ssr[-1] > STILL_FALLING * fall:
        share = (ssr[-1 - last] - ssr[-1]) / fall
        more = "raise descent.max_steps" + (
            f", or raise the learning rate toward {fmt(round_down(1 / lam))} (1/{fmt(lam)}): "
            f"{how}" if lam > 0 and rate < 0.5 / lam else "")
        return (LessonWarning(source, "descent.max_steps", f"descent stopped at max_steps = "
                        f"{updates} while SSR was still falling: its last {last} update"
                        f"{'s' if last != 1 else ''} lowered it by {share:.0%} of its whole "
                        f"fall, to {fmt(ssr[-1])}, so the final values are not the best ones "
                        f"yet. To finish, {more}."),)
    return ()
