"""Gradient descent: what each entry holds, the update and stop rules, caps and divergence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcore.errors import DivergenceError
from bpcore.model.chain import fit, gradient
from bpcore.model.descent import MAX_STEPS_CAP, descend
from bpcore.model.network import Network, param_names

X, Y = [0.0, 0.5, 1.0], [0.0, 1.0, 0.0]
B3_PARAMS = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}
# Reference table, lesson b3: the descent path of b3 at learning rate 0.1 (4 decimals).
B3_PATH = [0.0, 1.5655, 2.1917, 2.4422, 2.5424, 2.5825, 2.5985, 2.6049, 2.6075, 2.6085]


def b3_net() -> Network:
    return Network.from_params("softplus", B3_PARAMS)


def test_b3_path_matches_the_reference():
    """At learning rate 0.1, b3 follows 0, 1.5655, 2.1917, ... 2.6085 and then stops."""
    d = descend(b3_net(), X, Y, ["b3"], learning_rate=0.1, min_step_size=0.001)
    assert d.column("b3").tolist() == pytest.approx(B3_PATH, abs=0.00005)
    assert d.status == "converged" and d.updates == len(B3_PATH) - 1


def test_first_entry_is_the_start():
    """steps[0] holds the starting parameters, their fit and gradient, before any update."""
    net = b3_net()
    d = descend(net, X, Y, ["w3", "b3"], learning_rate=0.1)
    first, start = d[0], fit(net, X, Y)
    assert first.index == 0
    assert dict(first.params) == B3_PARAMS
    assert np.array_equal(first.predicted, start.predicted)
    assert np.array_equal(first.residuals, start.residuals)
    assert first.ssr == start.ssr
    full = gradient(net, X, Y)
    assert dict(first.gradient) == {"w3": full[net.index("w3")], "b3": full[net.index("b3")]}


def check_semantics(net, x, y, optimize, rate, min_step, max_steps):
    """Assert every documented rule of descend() on one run."""
    d = descend(net, x, y, optimize, rate, min_step, max_steps)
    rows = [net.index(n) for n in optimize]
    fixed = [i for i in range(len(net.names)) if i not in rows]
    assert len(d) == d.updates + 1 and d.updates <= max_steps
    assert np.array_equal(d.params[0], net.values)
    # Step size is gradient x learning rate; the gradient is the true one at that entry.
    assert np.allclose(d.step_size, d.gradient * rate, rtol=1e-15, atol=0)
    for i in range(len(d)):
        here = net.with_values(d.params[i])
        assert np.allclose(d.gradient[i], gradient(here, x, y)[rows], rtol=1e-9, atol=1e-12)
        assert np.allclose(d.predicted[i], here.forward(x).predicted, rtol=1e-12, atol=1e-12)
        assert d.ssr[i] == pytest.approx(fit(here, x, y).ssr, rel=1e-12, abs=1e-12)
    # new = old - step size for the optimized parameters; the others never move.
    for i in range(d.updates):
        assert np.array_equal(d.params[i + 1, rows], d.params[i, rows] - d.step_size[i])
        assert np.array_equal(d.params[i + 1, fixed], net.values[fixed])
    small = np.all(np.abs(d.step_size) < min_step, axis=1)
    assert not small[:-1].any(), "descent went on past an entry that met the stop rule"
    if d.status == "converged":
        assert small[-1]
    else:
        assert d.status == "max_steps" and d.updates == max_steps and not small[-1]
    return d


@pytest.mark.parametrize("optimize", [["b3"], ["w3", "w4", "b3"], list(param_names(2))])
def test_semantics_on_the_lesson_network(optimize):
    """On the lesson's network, updates, the stop rule and fixed parameters are as documented."""
    check_semantics(b3_net().replace(w3=0.36, w4=0.63), np.array(X), np.array(Y), optimize,
                    0.1, 0.001, 300)


@settings(max_examples=60)
@given(
    k=st.integers(1, 3),
    activation=st.sampled_from(["softplus", "relu", "sigmoid"]),
    seed=st.integers(0, 2**32 - 1),
    rate=st.floats(1e-3, 0.05),
    min_step=st.floats(0, 0.01),
    max_steps=st.integers(0, 40),
)
def test_semantics_on_random_problems(k, activation, seed, rate, min_step, max_steps):
    """On random networks, data and settings, every documented rule of descent holds."""
    rng = np.random.default_rng(seed)
    names = param_names(k)
    net = Network.from_params(activation, dict(zip(names, rng.normal(size=len(names)).tolist(),
                                                   strict=True)))
    x, y = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
    optimize = [n for n in names if rng.random() < 0.5] or [names[-1]]
    try:
        check_semantics(net, x, y, optimize, rate, min_step, max_steps)
    except DivergenceError:
        assume(False)


def test_stop_rule_needs_every_step_small():
    """With several parameters descent stops only once every |step size| is below the minimum."""
    d = descend(b3_net().replace(w3=0.36, w4=0.63), X, Y, ["w3", "w4", "b3"], 0.1, 0.001, 1000)
    last = np.abs(d.step_size[-1])
    before = np.abs(d.step_size[-2])
    assert np.all(last < 0.001) and np.any(before >= 0.001)
    assert np.any(last > 0.0009)  # one step was almost big enough: all three are checked


def test_stop_step_is_not_taken():
    """The last entry's step meets the stop rule and is not applied: it is the final state."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1, 0.001, 1000)
    assert abs(d.step_size[-1, 0]) < 0.001
    assert d.final.params["b3"] == d.column("b3")[-1]
    assert d.final.params["b3"] == pytest.approx(B3_PATH[-1], abs=0.00005)


def test_max_steps_caps_the_updates():
    """max_steps = 3 takes exactly three updates, keeps four entries and reports max_steps."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1, min_step_size=0.001, max_steps=3)
    assert d.updates == 3 and len(d) == 4 and d.status == "max_steps"
    assert d.column("b3").tolist() == pytest.approx(B3_PATH[:4], abs=0.00005)


def test_zero_max_steps_keeps_only_the_start():
    """max_steps = 0 evaluates the start and takes no step."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1, max_steps=0)
    assert len(d) == 1 and d.updates == 0 and d.status == "max_steps"


def test_zero_min_step_size_runs_all_steps():
    """min_step_size = 0 never stops early: descent runs to max_steps."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1, min_step_size=0.0, max_steps=50)
    assert d.updates == 50 and d.status == "max_steps"


def test_divergence_names_step_and_learning_rate():
    """A learning rate that blows up raises DivergenceError naming the step and the rate."""
    with pytest.raises(DivergenceError, match=r"diverged at step \d+ with learning rate 100"):
        descend(b3_net(), X, Y, ["b3"], learning_rate=100.0, max_steps=1000)


def test_divergence_does_not_warn():
    """Overflow during a diverging descent is reported only by the error, not by warnings."""
    with pytest.raises(DivergenceError):  # RuntimeWarnings are errors in this test suite
        descend(b3_net().replace(w3=0.36, w4=0.63), X, Y, list(param_names(2)), 50.0, 0, 1000)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"optimize": []}, "optimize names no parameter"),
    ({"learning_rate": 0.0}, "learning_rate must be > 0"),
    ({"learning_rate": -1.0}, "learning_rate must be > 0"),
    ({"max_steps": MAX_STEPS_CAP + 1}, "max_steps must be between 0 and 1000000"),
    ({"max_steps": -1}, "max_steps must be between"),
])
def test_bad_settings_are_refused(kwargs, message):
    """Empty optimize, a learning rate <= 0 and max_steps outside 0..1,000,000 are refused."""
    args = {"optimize": ["b3"], "learning_rate": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        descend(b3_net(), X, Y, **args)


def test_unknown_optimize_name_is_refused():
    """Optimizing a name that is not a parameter raises ValueError."""
    with pytest.raises(ValueError):
        descend(b3_net(), X, Y, ["b9"], 0.1)


def test_descent_is_immutable():
    """Descent records are frozen, their arrays read-only and step mappings unchangeable."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1)
    for array in (d.params, d.predicted, d.residuals, d.ssr, d.gradient, d.step_size):
        assert not array.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.status = "converged"  # type: ignore[misc]
    step = d[1]
    with pytest.raises(TypeError):
        step.params["b3"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        step.gradient["b3"] = 0.0  # type: ignore[index]


def test_network_is_unchanged_by_descent():
    """Descending from a network leaves that network's values as they were."""
    net = b3_net()
    descend(net, X, Y, ["b3"], 0.1)
    assert dict(net.params) == B3_PARAMS


def test_negative_indexing_and_steps():
    """d[-1] is the final state with its index; residuals are observed minus predicted."""
    d = descend(b3_net(), X, Y, ["b3"], 0.1)
    assert d[-1].index == d.final.index == d.updates
    assert d[-1].params == d.final.params and d[-1].ssr == d.final.ssr == d.ssr[-1]
    assert np.allclose(d.residuals, np.array(Y) - d.predicted)
    with pytest.raises(IndexError):
        d[len(d)]
