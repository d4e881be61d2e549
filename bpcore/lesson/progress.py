"""Reading a long gradient descent: when each parameter settles, and which states to show.

A video cannot show a thousand steps one by one, and a parameter table should say when a value
has stopped moving. Both decisions are made here, from the descent's numbers, so every scene
(and caption) tells the same story.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from bpcore.display import display_unit, fmt
from bpcore.model.descent import Descent


def settled_at(
    descent: Descent, digits: int = 3, min_step_size: float = 0.0
) -> Mapping[str, int | None]:
    """For each parameter, the first descent state from which it has settled, or ``None``.

    A parameter has settled at state ``s`` when, at ``s`` and every later state, either its
    step size is below ``min_step_size`` (the lesson's stopping rule, per parameter) or its
    value shows (at ``digits`` significant digits) as its final value does. A parameter that is
    still visibly moving when descent ends, with a last step size of at least half a unit of
    its last shown digit, has not settled: ``None``. Parameters that are not optimized never
    move: they are settled from state 0.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> d = trace_lesson(Lesson.from_file(LESSONS_DIR / "three_params.yaml")).descent
    >>> dict(settled_at(d))["w4"], dict(settled_at(d))["w1"]
    (518, 0)
    """
    out: dict[str, int | None] = {name: 0 for name in descent.names}
    for col, name in enumerate(descent.optimize):
        values = descent.column(name)
        steps = np.abs(descent.step_size[:, col])
        final = fmt(values[-1], digits)
        if steps[-1] >= min_step_size and steps[-1] >= display_unit(values[-1], digits) / 2:
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
