"""Reading a long gradient descent: when each parameter settles, and which states to show.

A video cannot show a thousand steps one by one, and a parameter table should say when a value
has stopped moving. Both decisions are made here, from the descent's numbers, so every scene
(and caption) tells the same story.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from bpcore.display import display_unit, fmt
from bpcore.model.descent import Descent


def still_to_go(descent: Descent, window: int = 10) -> Mapping[str, float]:
    """How far each optimized parameter would still move if the descent went on.

    Near a minimum the steps shrink geometrically, by a factor ``q`` per step (``1 - 2 n
    learning_rate`` exactly, for the output bias alone), so the steps not taken add up to
    ``|next step| / (1 - q)`` (the descent's last state holds the step not taken). ``q`` is
    read off the length of the whole step vector over the last ``window`` steps, since the
    slowest direction sets the pace for every parameter; steps that do not shrink give
    infinity.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> d = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")).descent
    >>> left = still_to_go(d)["b3"]
    >>> best = d.final.params["b3"] - d.final.step_size["b3"] / 0.6
    >>> round(left, 6) == round(abs(best - d.final.params["b3"]), 6)
    True
    """
    steps = descent.step_size  # the last row: the step descent would take next
    if len(steps) < 2:
        return MappingProxyType(
            {name: float(abs(steps[-1][j])) for j, name in enumerate(descent.optimize)}
        )
    m = min(window, len(steps) - 1)
    now, before = np.linalg.norm(steps[-1]), np.linalg.norm(steps[-1 - m])
    # Steps at the floating-point floor of the values (a long run's last ones) no longer shrink
    # geometrically, they are rounding noise: the descent has arrived.
    if now <= 64 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(descent.params[-1])))):
        return MappingProxyType({name: 0.0 for name in descent.optimize})
    q = (now / before) ** (1 / m) if before > 0 else math.inf
    factor = 1 / (1 - q) if q < 1 else math.inf
    return MappingProxyType(
        {
            name: float(abs(steps[-1][j]) * factor) if steps[-1][j] else 0.0
            for j, name in enumerate(descent.optimize)
        }
    )


def settled_at(
    descent: Descent, digits: int = 3, min_step_size: float = 0.0
) -> Mapping[str, int | None]:
    """For each parameter, the first descent state from which it has settled, or ``None``.

    A parameter has settled at state ``s`` when, at ``s`` and every later state, either its
    step size is below ``min_step_size`` (the lesson's stopping rule, per parameter) or its
    value shows (at ``digits`` significant digits) as its final value does. Where the descent
    stopped must not decide this, so a parameter whose last step size is at least
    ``min_step_size`` and which, if the descent went on (:func:`still_to_go`), would still
    move by at least half a unit of its last shown digit or end up showing other digits, has
    not settled: ``None``. A run cut off while its steps shrink slowly therefore settles
    nothing that is still creeping, although its last few states may show the same digits.
    Parameters that are not optimized never move: they are settled from state 0.

    Examples
    --------
    >>> import dataclasses
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> lesson = Lesson.from_file(LESSONS_DIR / "three_params.yaml")
    >>> d = trace_lesson(lesson).descent
    >>> dict(settled_at(d))["w4"], dict(settled_at(d))["w1"]
    (518, 0)

    Cut off after 300 of its 1000 steps, w4 still creeps by about 0.001 a step:

    >>> short = dataclasses.replace(lesson.descent, max_steps=300)
    >>> d = trace_lesson(dataclasses.replace(lesson, descent=short)).descent
    >>> dict(settled_at(d))["w4"] is None
    True
    """
    out: dict[str, int | None] = {name: 0 for name in descent.names}
    ahead = still_to_go(descent)
    for col, name in enumerate(descent.optimize):
        values = descent.column(name)
        steps = np.abs(descent.step_size[:, col])
        final = fmt(values[-1], digits)
        # Where the remaining steps would take it (new = old - step, so they go against the
        # sign of the next step); the half-unit bound also covers steps that change sign.
        end = values[-1] - np.sign(descent.step_size[-1, col]) * ahead[name]
        if steps[-1] >= min_step_size and (
            ahead[name] >= display_unit(values[-1], digits) / 2 or fmt(end, digits) != final
        ):
            out[name] = None
            continue
        still = (steps < min_step_size) | np.array([fmt(v, digits) == final for v in values])
        # The first state of the run of settled states that lasts to the end.
        moving = np.flatnonzero(~still)
        out[name] = int(moving[-1] + 1) if moving.size else 0
    return MappingProxyType(out)


def step_schedule(updates: int, one_by_one: int = 3, shown: int = 24) -> tuple[int, ...]:
    """The descent states a video shows: ``0``, the first few one by one, then ever bigger
    jumps (a geometric progression) ending exactly at state ``updates``.

    At most ``shown`` states after the start are chosen, strictly increasing, so each jump of
    the animation moves to a new state; the first ``min(one_by_one, shown - 1)`` are one step
    apart. With ``updates <= shown`` every state is shown.

    Examples
    --------
    >>> step_schedule(1000, one_by_one=3, shown=12)
    (0, 1, 2, 3, 6, 11, 21, 40, 76, 144, 275, 524, 1000)
    >>> step_schedule(4)
    (0, 1, 2, 3, 4)
    >>> step_schedule(0)
    (0,)
    """
    if updates < 0 or one_by_one < 0 or shown < 1:
        raise ValueError("updates and one_by_one must be >= 0 and shown >= 1")
    if updates <= shown:
        return tuple(range(updates + 1))
    start = min(one_by_one, shown - 1)
    states = list(range(start + 1))
    rest = shown - start
    if rest > 0:
        ratio = (updates / max(start, 1)) ** (1 / rest)
        for i in range(1, rest + 1):
            states.append(max(int(round(max(start, 1) * ratio**i)), states[-1] + 1))
    states[-1] = updates
    return tuple(states)
