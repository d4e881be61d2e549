"""When parameters settle, and which descent states a video shows."""

from __future__ import annotations

import dataclasses
import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcore.display import display_unit, fmt
from bpcore.lesson import LESSONS_DIR, Lesson
from bpcore.progress import settled_at, step_schedule
from bpcore.trace import LessonTrace, trace_lesson


@functools.cache
def trace(name: str, **descent) -> LessonTrace:
    lesson = Lesson.from_file(LESSONS_DIR / f"{name}.yaml")
    if descent:
        lesson = dataclasses.replace(lesson, descent=dataclasses.replace(lesson.descent,
                                                                         **descent))
    return trace_lesson(lesson)


def test_three_params_settle_on_the_shown_final_values():
    """In the three_params lesson every optimized parameter settles before step 1000 and, from
    its settling state on, shows its final value; just before, it showed something else."""
    t = trace("three_params")
    d = t.descent
    settled = settled_at(d, t.lesson.digits, t.lesson.descent.min_step_size)
    for name in d.optimize:
        s = settled[name]
        assert s is not None and 0 < s < d.updates, name
        column = d.column(name)
        final = fmt(column[-1])
        assert all(fmt(v) == final for v in column[s:]), name
        assert fmt(column[s - 1]) != final, name
    assert {settled[n] for n in d.names if n not in d.optimize} == {0}


def test_settling_by_the_stopping_rule():
    """A parameter whose step size stays below min_step_size has settled, even while its shown
    value still changes: the b3 lesson converges, so b3 settles no later than its last state."""
    t = trace("b3")
    d = t.descent
    assert d.status == "converged"
    settled = settled_at(d, digits=6, min_step_size=t.lesson.descent.min_step_size)
    first_small = next(i for i, s in enumerate(d.step_size[:, 0]) if abs(s) < 0.001)
    assert settled["b3"] == first_small


def test_a_parameter_still_moving_at_the_end_has_not_settled():
    """Stopped after 20 steps, the three_params parameters still move by more than their last
    shown digit: none has settled."""
    t = trace("three_params", max_steps=20)
    settled = settled_at(t.descent, 3, 0.0)
    assert all(settled[n] is None for n in t.descent.optimize)


@pytest.mark.parametrize("value,unit", [(2.6066, 0.01), (-1.2159, 0.01), (0.102, 0.001),
                                         (15.7, 0.1), (1234.5, 1.0),
                                         (2.14e-10, 1e-12), (-6.4e-5, 1e-7),
                                         (3.2e12, 1e10)])
def test_display_unit(value, unit):
    """The unit of the last shown digit matches what fmt rounds to."""
    assert display_unit(value) == pytest.approx(unit)


@given(st.integers(0, 20000), st.integers(0, 10), st.integers(1, 60))
def test_schedule_is_increasing_and_ends_at_the_last_state(updates, one_by_one, shown):
    """The schedule starts at 0, rises strictly, ends at the last state, takes the first steps
    one by one and shows at most `shown` states after the start."""
    states = step_schedule(updates, one_by_one, shown)
    assert states[0] == 0 and states[-1] == updates
    assert all(b > a for a, b in zip(states, states[1:], strict=False))
    assert len(states) - 1 <= shown or states == tuple(range(updates + 1))
    first = min(one_by_one, shown - 1, updates)
    assert states[: first + 1] == tuple(range(first + 1))


def test_schedule_of_the_shipped_lesson():
    """1000 steps are shown as 24 states: 1, 2, 3 one by one, then geometric jumps."""
    states = step_schedule(1000)
    assert len(states) == 25 and states[:4] == (0, 1, 2, 3) and states[-1] == 1000
    ratios = [b / a for a, b in zip(states[8:], states[9:], strict=False)]
    assert max(ratios) / min(ratios) < 1.1
