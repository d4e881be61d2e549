"""When parameters settle, and which descent states a video shows."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcore.display import display_unit, fmt
from bpcore.lesson.settling import settled_at, step_schedule
from bpcore.model.descent import Descent
from bpcore.model.network import Network

sys.path.insert(0, str(Path(__file__).resolve().parent))
from traces import traced  # noqa: E402


def test_three_params_settle_on_the_shown_final_values():
    """In the three_params lesson every optimized parameter settles before step 1000 and, from
    its settling state on, shows its final value; just before, it showed something else."""
    t = traced("three_params")
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


def hand_made_descent() -> Descent:
    """Eight states of a made-up descent, chosen so that each settling rule decides something.

    ``a`` creeps up by 0.0009 a step: every step is below 0.001, yet it shows 1 until state 5
    and 1.01 from state 6 (1.0054 rounds up). ``b`` falls 4, 2, 1, then creeps down by 0.0008 a
    step, showing 0.999, 0.998, 0.998, 0.997, 0.996. ``c`` falls by 1 a step to the end: still
    moving. ``d`` is not optimized.
    """
    a = [1.0 + 0.0009 * i for i in range(8)]
    b = [4.0, 2.0, 1.0] + [1.0 - 0.0008 * i for i in range(1, 6)]
    c = [10.0 - i for i in range(8)]
    d = [0.5] * 8
    values = np.array([a, b, c, d]).T
    optimized = values[:, :3]
    # new = old - step; the last row's step (not taken) continues each parameter's pattern.
    steps = np.vstack([optimized[:-1] - optimized[1:], [[-0.0009, 0.0008, 1.0]]])
    return made_up_descent(("a", "b", "c", "d"), ("a", "b", "c"), values, steps)


def made_up_descent(names, optimize, values, steps) -> Descent:
    """A descent with the given values and step sizes (learning rate 1, so the step sizes are
    the gradients as given); its network and data are placeholders, never evaluated here."""
    placeholder = Network.from_params("relu", {"w1": 0.0, "w2": 0.0, "b1": 0.0, "b2": 0.0})
    return Descent(names=names, optimize=optimize, learning_rate=1.0, params=np.array(values),
                   ssr=np.zeros(len(values)), gradient=np.array(steps), status="max_steps",
                   network=placeholder, x=np.zeros(1), y=np.zeros(1))


@pytest.mark.parametrize(("digits", "min_step", "expected"), [
    # By the stopping rule (0.001): a's steps are all small, so a has settled from state 0 even
    # though its shown value changes at state 6; b's steps are small from state 2 on; c never
    # stops moving by 1 a step; d is fixed.
    (3, 0.001, {"a": 0, "b": 2, "c": None, "d": 0}),
    # Without a stopping rule the still-moving check decides. Over the last seven steps the step
    # vector shrank from about 2.2 (b's first step) to about 1 (c's): a rate of about 0.89, so a
    # would still move about 0.0009 / 0.11 = 0.008 and b about 0.007, at least half of 0.01 (the
    # last digit of 1.01) and of 0.001 (of 0.996): neither has settled, although a shows its final
    # 1.01 from state 6.
    (3, 0.0, {"a": None, "b": None, "c": None, "d": 0}),
    # At 2 digits a shows 1 throughout: its last value, 1.0063, has a last shown digit worth 0.1,
    # and 0.008 more is far below half of it. b shows 1 from state 2 on, but its last value,
    # 0.996, has a last digit worth 0.01 and 0.007 more would show: not settled. c has 9 to go.
    (2, 0.0, {"a": 0, "b": None, "c": None, "d": 0}),
    # A stopping rule of 2 settles c (steps of 1) from state 0, and b from state 1: its first
    # step, 2, is not below 2.
    (3, 2.0, {"a": 0, "b": 1, "c": 0, "d": 0}),
])
def test_settling_on_a_hand_made_descent(digits, min_step, expected):
    """On a descent written out by hand, each parameter settles at the state worked out by hand
    from the two rules (small steps, or the final shown value) and the still-moving check."""
    d = hand_made_descent()
    assert [fmt(v) for v in d.column("a")].index("1.01") == 6  # the premise of the comments
    assert dict(settled_at(d, digits, min_step)) == expected


def one_parameter_descent(start: float, first_step: float, rate: float, updates: int) -> Descent:
    """A descent of one parameter ``p`` whose steps shrink by ``rate`` each step."""
    steps = first_step * rate ** np.arange(updates + 1)
    values = start - np.concatenate([[0.0], np.cumsum(steps[:-1])])
    return made_up_descent(("p",), ("p",), values[:, None], steps[:, None])


def test_a_run_that_has_stopped_creeping_settles_where_its_digits_stop_changing():
    """Steps halving from 0.008: 2.016, 2.008, 2.004, 2.002, ... show 2.02, 2.01, then 2.00 for
    good (all later steps add up to less than 0.001): settled at state 2."""
    d = one_parameter_descent(2.016, 0.008, 0.5, updates=12)
    assert [fmt(v) for v in d.column("p")[:4]] == ["2.02", "2.01", "2", "2"]
    assert settled_at(d, 3)["p"] == 2


@pytest.mark.parametrize("updates", [50, 120, 200])
def test_where_a_slow_run_is_cut_off_does_not_settle_it(updates):
    """Steps of 0.001 shrinking by 1% a step have 0.1 to go, 0.013 still after 200 steps: cut
    off there or sooner, p has not settled, even where its last states show the same digits."""
    d = one_parameter_descent(2.0, 0.001, 0.99, updates)
    column = [fmt(v) for v in d.column("p")]
    assert column[-1] == column[-2]  # the premise: the last states look settled
    assert settled_at(d, 3)["p"] is None
    # Run long enough, the same descent does settle, at the same state wherever it stops.
    long_runs = {settled_at(one_parameter_descent(2.0, 0.001, 0.99, n), 3)["p"]
                 for n in (1200, 1500, 2000)}
    assert len(long_runs) == 1 and None not in long_runs


def settled_by_definition(values, steps, digits: int, min_step: float) -> int | None:
    """The settling state read straight off settled_at's docstring, by brute force."""
    final = fmt(values[-1], digits)
    unit = 10.0 ** (-digits) if values[-1] == 0 else 10.0 ** -max(
        digits - 1 - int(np.floor(np.log10(abs(values[-1])))), 0)
    window = min(10, len(steps) - 1)
    last, earlier = abs(steps[-1]), abs(steps[-1 - window])
    if last == 0:
        to_go = 0.0
    elif window == 0:
        to_go = last  # nothing to measure a rate on: only the next step
    elif earlier == 0 or last >= earlier:
        to_go = np.inf
    else:
        to_go = last / (1 - (last / earlier) ** (1 / window))
    end = values[-1] - np.sign(steps[-1]) * to_go
    if last >= min_step and (to_go >= unit / 2 or fmt(end, digits) != final):
        return None
    for s in range(len(values)):
        if all(abs(steps[t]) < min_step or fmt(values[t], digits) == final
               for t in range(s, len(values))):
            return s
    raise AssertionError("the last state always qualifies")


@settings(max_examples=200)
@given(st.lists(st.sampled_from([0.0, 0.0004, -0.0004, 0.003, -0.003, 0.02, -0.2, 1.0]),
                min_size=1, max_size=25),
       st.sampled_from([1.0, -0.0995, 2.345, 99.95]), st.integers(1, 4),
       st.sampled_from([0.0, 0.001, 0.01]))
def test_settling_agrees_with_the_definition(steps, start, digits, min_step):
    """On random one-parameter descents, settled_at gives the brute-force definition's state."""
    steps = np.array(steps)
    values = start - np.concatenate([[0.0], np.cumsum(steps[:-1])])
    d = made_up_descent(("p",), ("p",), values[:, None], steps[:, None])
    assert settled_at(d, digits, min_step)["p"] == settled_by_definition(values, steps, digits,
                                                                         min_step)


def test_a_parameter_still_moving_at_the_end_has_not_settled():
    """Stopped after 20 steps, the three_params parameters still move by more than their last
    shown digit: none has settled."""
    t = traced("three_params", max_steps=20)
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
