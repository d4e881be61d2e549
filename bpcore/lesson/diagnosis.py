"""Warnings that teach: a descent that does not fall, oscillates, overshoots, or stops far
from the end.

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

from bpcore.display import fmt
from bpcore.lesson.curvature import curvature, rate_advice, round_down
from bpcore.lesson.settling import display_unit, still_to_go
from bpcore.lesson.trace import LessonTrace

#: Oscillating: at least this share of the last steps reverse the one before.
REVERSING = 0.8
#: How many of the last steps the oscillation test reads.
TAIL_STEPS = 20
#: "Overshoots": SSR climbs above this many times the lowest it had reached.
OVERSHOOT = 2.0
#: "Does not fall": SSR fell by less than this share of its start ...
FLAT = 1e-3
#: ... while one well-sized step would lower it by more than this share.
ROOM = 1e-2


@dataclass(frozen=True, slots=True)
class LessonWarning:
    """One warning about a lesson: the key it is about and a sentence that teaches."""

    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


def factor(value: float) -> str:
    """A per-step factor for a message: 3 digits, more when 3 would round it to 1 or -1.

    Examples
    --------
    >>> factor(0.839819), factor(0.99999), factor(-1.0)
    ('0.84', '0.99999', '-1')
    """
    short = fmt(value)
    return fmt(value, 6) if short in ("1", "-1") else short


def diagnose(trace: LessonTrace) -> tuple[LessonWarning, ...]:
    """Warnings about the lesson's descent, each with the reason and a learning rate to try.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> diagnose(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    ()
    """
    lesson, descent = trace.lesson, trace.descent
    ssr, updates, rate = descent.ssr, descent.updates, descent.learning_rate
    source, key = lesson.source, "descent.learning_rate"
    if lesson.optimize == lesson.network.names[-1:]:
        lam = 2.0 * len(lesson.x)  # SSR is exactly a parabola in the output bias
        how = (f"for {lesson.optimize[0]} alone each step multiplies the distance to its best "
               f"value by 1 - 2 n learning_rate = {factor(1 - lam * rate)} (n = "
               f"{len(lesson.x)} points)")
    else:
        lam = max(curvature(lesson, descent.params[0]), curvature(lesson, descent.params[-1]))
        how = (f"SSR curves by up to {fmt(lam)} along this descent, so each step multiplies "
               f"the distance to the best values by as much as 1 - {fmt(lam)} learning_rate = "
               f"{factor(1 - lam * rate)}")
    advice = "; " + rate_advice(lam) if lam > 0 else ""
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
    # SSR against its lowest value so far: a step with a settling rate never raises it.
    lowest = np.minimum.accumulate(ssr)
    peak = int(np.argmax(ssr / np.maximum(lowest, np.finfo(float).tiny)))
    if ssr[peak] > OVERSHOOT * lowest[peak]:
        return (LessonWarning(source, key, f"descent overshoots: SSR jumped from "
                              f"{fmt(lowest[peak])} to {fmt(ssr[peak])} at step {peak}, as a "
                              f"step flew far past the best values. The learning rate "
                              f"{fmt(rate)} is too large there: {how}{advice}."),)
    ahead = still_to_go(trace.descent)
    far = {name: left for name, left in ahead.items()
           if left >= display_unit(descent.final.params[name], lesson.digits) / 2}
    if descent.status == "max_steps" and far:
        name = max(far, key=lambda n: far[n] / display_unit(descent.final.params[n],
                                                            lesson.digits))
        last = max(1, updates // 10)
        more = "raise descent.max_steps" + (
            f", or raise the learning rate toward {fmt(round_down(1 / lam))} (1/{fmt(lam)}): "
            f"{how}" if lam > 0 and rate < 0.5 / lam else "")
        left = f"about {fmt(far[name])}" if math.isfinite(far[name]) else "a long way"
        return (LessonWarning(source, "descent.max_steps", f"descent stopped at max_steps = "
                              f"{updates} far from the end: {name} ends at "
                              f"{fmt(descent.final.params[name], lesson.digits)} but would still "
                              f"move {left}, and SSR fell from {fmt(ssr[-1 - last])} to "
                              f"{fmt(ssr[-1])} in the last {last} update"
                              f"{'s' if last != 1 else ''}. To finish, {more}."),)
    return ()
