"""The chain rule: every derivative against complex-step differences, factor by factor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcore.model.chain import FactorKind, chain_rule, dssr_dpredicted, fit, gradient, jacobian
from bpcore.model.network import Network, param_names

X, Y = [0.0, 0.5, 1.0], [0.0, 1.0, 0.0]
B3_PARAMS = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}
# Reference tables (../shared/reference-numbers.md), copied here as oracles.
B3_SLOPE_AT_0 = -15.655  # stated -15.7
B3_SLOPE_AT_STEP_1 = -6.26  # stated, at the unrounded b3 = 1.5655...
THREE_PARAMS_START = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": 0.36, "w4": 0.63,
                      "b3": 0.0}
THREE_PARAMS_GRADIENT = {"w3": 2.576, "w4": 1.257, "b3": 1.900}
ALL_PARAMS_START = {"w1": 2.74, "b1": 0.0, "w2": -1.13, "b2": 0.0, "w3": 0.36, "w4": 0.63,
                    "b3": 0.0}
ALL_PARAMS_GRADIENT = {"w1": 0.761, "b1": 0.967, "w2": 0.332, "b2": 0.732, "w3": 7.142,
                       "w4": 1.487, "b3": 3.460}

KINK_MARGIN = 1e-4  # relu: no hidden input this close to 0, where its slope is undefined

#: The complex step: f(p + ih) = f(p) + ih f'(p) - h^2 f''(p)/2 - ..., so Im f(p + ih) / h is
#: f'(p) to within h^2 |f'''| / 6 (about 1e-60 here), and no two nearby values are subtracted:
#: there is no cancellation, so h can be tiny.
COMPLEX_STEP = 1e-30
EPS = float(np.finfo(float).eps)
#: Rounding allowance in units of EPS x the scale of complex_step_derivative. A float chain-
#: rule term carries about 10 roundings (hidden input, activation, the product of up to four
#: factors, the sum), each at most EPS/2 of the magnitudes the scale adds up, in both methods.
#: Measured on 3000 random problems like those below: at most 0.7 units. 16 leaves a wide
#: margin and still fails a derivative off by a millionth (see the large-SSR test).
ROUNDING_UNITS = 16
#: Below the smallest normal float the imaginary parts lose digits (underflow): an absolute
#: allowance of that size over the step, about 1e-277, which only inputs near 1e-300 reach.
UNDERFLOW = 4 * float(np.finfo(float).tiny) / COMPLEX_STEP


@st.composite
def problems(draw, k: int, activation: str):
    """A random network with k hidden nodes and 1 to 5 random data points."""
    names = param_names(k)
    values = draw(st.lists(st.floats(-3, 3), min_size=len(names), max_size=len(names)))
    n = draw(st.integers(1, 5))
    x = draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n))
    y = draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n))
    net = Network.from_params(activation, dict(zip(names, values, strict=True)))
    return net, np.array(x), np.array(y)


def complex_log1p(u):
    """log(1 + u) for complex u, to the last digits when u is small (numpy's complex log1p
    computes log(1 + u), which drops u's digits that 1 + u cannot hold); Kahan's trick."""
    w = 1 + u
    one = w == 1
    return np.where(one, u, np.log(np.where(one, 2, w)) * u / np.where(one, 1, w - 1))


def complex_step_derivative(net: Network, x, y, index: int) -> tuple[float, float]:
    """d SSR / d parameter number ``index`` by the complex step, and the scale of its rounding.

    The forward pass is written again here in complex arithmetic (bpcore's is real), so this
    is a second method, not the code under test. Rounding: the derivative is a sum over the
    points of -2 x residual x d predicted/d parameter. A residual is off by a few EPS times the
    magnitudes summed into it (|observed|, |b out|, each |w out| x (|y_j| plus the hidden input
    terms |w_j x| + |b_j|, which reach it through a slope of at most 1)); a d predicted/d
    parameter is off by a few EPS of itself times (1 + the hidden inputs' terms), the error of
    a hidden input moving an activation or slope by at most as much, relatively. So the error
    is a few EPS x the scale sum_i 2 |d predicted_i/d parameter| (|residual_i| (1 + inputs_i)
    + magnitudes_i): it follows this
    derivative's own terms, not the size of SSR, so a small gradient next to a large SSR is
    checked as tightly as its terms allow.
    """
    k = net.hidden
    v = net.values.astype(complex)
    v[index] += 1j * COMPLEX_STEP
    w_in, w_out, b_in, b_out = v[:k, None], v[k:2 * k, None], v[2 * k:3 * k, None], v[3 * k]
    z = w_in * x + b_in
    if net.activation.name == "softplus":
        a = complex_log1p(np.exp(z))
    elif net.activation.name == "sigmoid":
        a = 1 / (1 + np.exp(-z))
    else:  # relu, away from its kink: the identity or zero, both analytic
        a = np.where(z.real > 0, z, 0)
    predicted = (w_out * a).sum(axis=0) + b_out
    ssr = ((y - predicted) ** 2).sum()
    dpredicted = predicted.imag / COMPLEX_STEP
    inputs = np.abs(w_in.real * x) + np.abs(b_in.real)  # what rounds in each hidden input
    magnitudes = np.abs(y) + abs(b_out.real) + (np.abs(w_out.real) * (np.abs(a.real) + inputs)
                                                ).sum(axis=0)
    residuals = np.abs(y - predicted.real)
    scale = float(np.sum(2 * np.abs(dpredicted) * (residuals * (1 + inputs.sum(axis=0))
                                                   + magnitudes)))
    return float(ssr.imag / COMPLEX_STEP), scale


COMBOS = [(k, a) for k in (1, 2, 3, 4) for a in ("softplus", "relu", "sigmoid")]


@pytest.mark.parametrize(("k", "activation"), COMBOS)
@settings(max_examples=40)
@given(data=st.data())
def test_every_derivative_matches_the_complex_step(k, activation, data):
    """For k = 1..4 and each activation, every chain-rule total equals the complex-step
    derivative to within the rounding of its own terms."""
    net, x, y = data.draw(problems(k, activation))
    if activation == "relu":
        assume(np.all(np.abs(net.forward(x).hidden_x) > KINK_MARGIN))
    derivatives = chain_rule(net, x, y)
    assert tuple(derivatives) == net.names
    for index, name in enumerate(net.names):
        numeric, scale = complex_step_derivative(net, x, y, index)
        total = derivatives[name].total
        assert abs(total - numeric) <= ROUNDING_UNITS * EPS * scale + UNDERFLOW, name


def test_a_small_gradient_next_to_a_large_ssr_is_checked_tightly():
    """With SSR above 10^6 and d SSR/d w1 tiny (its hidden node all but off), the check allows
    an error far below the gradient itself, where a tolerance growing with SSR (10^-6 x SSR)
    would have allowed more than 1; a gradient off by one part in a million is caught."""
    net = Network.from_params("softplus", {"w1": 1.0, "b1": -25.0, "w2": 1.0, "b2": 0.0,
                                           "w3": 1.0, "w4": 1.0, "b3": 0.0})
    x, y = np.array([0.0, 0.5, 1.0]), np.array([600.0, -500.0, 700.0])
    assert fit(net, x, y).ssr > 1e6
    numeric, scale = complex_step_derivative(net, x, y, net.index("w1"))
    total = chain_rule(net, x, y)["w1"].total
    allowed = ROUNDING_UNITS * EPS * scale
    assert allowed < 1e-6 * abs(total) < 1e-6
    assert abs(total - numeric) <= allowed
    assert abs(total * (1 + 1e-6) - numeric) > allowed


@pytest.mark.parametrize(("k", "activation"), COMBOS)
@settings(max_examples=25)
@given(data=st.data())
def test_named_factors_multiply_to_the_derivative(k, activation, data):
    """Each parameter's named factors are the lesson's quantities and their product sums to it."""
    net, x, y = data.draw(problems(k, activation))
    result = fit(net, x, y)
    fwd = result.forward
    derivatives = chain_rule(net, x, y)
    w = net.params
    for j in range(1, k + 1):
        yj, xj = f"y{j}", f"x{j}"
        slope = net.activation.derivative(fwd.hidden_x[j - 1])
        expected = {
            f"w{j}": [("SSR", "predicted", -2 * (y - fwd.predicted)),
                      ("predicted", yj, np.full(x.size, w[f"w{k + j}"])),
                      (yj, xj, slope), (xj, f"w{j}", x)],
            f"b{j}": [("SSR", "predicted", -2 * (y - fwd.predicted)),
                      ("predicted", yj, np.full(x.size, w[f"w{k + j}"])),
                      (yj, xj, slope), (xj, f"b{j}", np.ones(x.size))],
            f"w{k + j}": [("SSR", "predicted", -2 * (y - fwd.predicted)),
                          ("predicted", f"w{k + j}", fwd.hidden_y[j - 1])],
        }
        for name, factors in expected.items():
            d = derivatives[name]
            assert [(f.numerator, f.denominator) for f in d.factors] == [f[:2] for f in factors]
            for factor, (_, _, values) in zip(d.factors, factors, strict=True):
                assert np.allclose(factor.values, values, rtol=1e-12, atol=1e-12)
                assert factor.name == f"d{factor.numerator}/d{factor.denominator}"
    out = derivatives[f"b{k + 1}"]
    assert [f.name for f in out.factors] == ["dSSR/dpredicted", f"dpredicted/db{k + 1}"]
    assert np.array_equal(out.factors[1].values, np.ones(x.size))
    for d in derivatives.values():
        product = np.prod([f.values for f in d.factors], axis=0)
        assert np.allclose(d.terms, product, rtol=1e-12, atol=1e-12)
        assert math.isclose(d.total, float(np.sum(product)), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_each_factor_says_its_kind_and_node(k):
    """Every factor carries what it is and the hidden node it passes through, and the kinds
    are the values the module docstring names (an output bias's factor is not a hidden bias's)."""
    net = Network.from_params("sigmoid", {n: 0.5 for n in param_names(k)})
    derivatives = chain_rule(net, X, Y)
    residual = (FactorKind.RESIDUAL, None)
    for j in range(k):
        through = [residual, (FactorKind.OUTPUT_WEIGHT, j), (FactorKind.SLOPE, j)]
        kinds = {f"w{j + 1}": [*through, (FactorKind.INPUT, j)],
                 f"b{j + 1}": [*through, (FactorKind.HIDDEN_BIAS, j)],
                 f"w{k + j + 1}": [residual, (FactorKind.CURVE, j)]}
        for name, want in kinds.items():
            assert [(f.kind, f.node) for f in derivatives[name].factors] == want
    assert [(f.kind, f.node) for f in derivatives[f"b{k + 1}"].factors] == [
        residual, (FactorKind.OUTPUT_BIAS, None)]
    # The output weight's value is the weight that scales node j's curve.
    for j in range(k):
        factor = derivatives[f"w{j + 1}"].factors[1]
        assert np.all(factor.values == net.params[f"w{k + j + 1}"])


@pytest.mark.parametrize(("k", "activation"), COMBOS)
@settings(max_examples=25)
@given(data=st.data())
def test_gradient_equals_chain_rule_totals(k, activation, data):
    """gradient() returns the chain rule's totals, in canonical parameter order."""
    net, x, y = data.draw(problems(k, activation))
    totals = [d.total for d in chain_rule(net, x, y).values()]
    assert np.allclose(gradient(net, x, y), totals, rtol=1e-12, atol=1e-12)


def test_b3_slope_at_the_start_is_minus_15_7():
    """With b3 = 0 the slope d SSR/d b3 is -15.655 (stated -15.7)."""
    net = Network.from_params("softplus", B3_PARAMS)
    assert chain_rule(net, X, Y)["b3"].total == pytest.approx(B3_SLOPE_AT_0, abs=0.0005)


def test_b3_slope_after_one_step_needs_full_precision():
    """At the unrounded b3 = 1.5655... the slope is -6.26; at the rounded 1.57 it is -6.24."""
    net = Network.from_params("softplus", B3_PARAMS)
    b3 = -0.1 * chain_rule(net, X, Y)["b3"].total
    unrounded = chain_rule(net.replace(b3=b3), X, Y)["b3"].total
    assert round(unrounded, 2) == B3_SLOPE_AT_STEP_1
    rounded = chain_rule(net.replace(b3=1.57), X, Y)["b3"].total
    assert round(rounded, 2) == -6.24


def test_three_params_gradient_at_start():
    """At the three_params start, d SSR/d w3, w4, b3 are 2.576, 1.257, 1.900."""
    derivatives = chain_rule(Network.from_params("softplus", THREE_PARAMS_START), X, Y)
    for name, value in THREE_PARAMS_GRADIENT.items():
        assert derivatives[name].total == pytest.approx(value, abs=0.0005), name


def test_all_params_gradient_at_start():
    """At the all_params start, the seven derivatives match the reference table."""
    derivatives = chain_rule(Network.from_params("softplus", ALL_PARAMS_START), X, Y)
    for name, value in ALL_PARAMS_GRADIENT.items():
        # The table's b3 entry, 3.460, is 3.45945 rounded twice (3.4595, then 3.460), so allow
        # one unit in the last stated digit; an independent loop gives 3.459454...
        assert derivatives[name].total == pytest.approx(value, abs=0.001), name
    assert derivatives["b3"].total == pytest.approx(3.459454, abs=5e-7)


def test_reference_derivative_formulas():
    """On the b3 network, each derivative equals the reference's written-out formula."""
    p = B3_PARAMS
    softplus = lambda z: math.log1p(math.exp(z))  # noqa: E731
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    sums = dict.fromkeys(p, 0.0)
    for x, obs in zip(X, Y, strict=True):
        x1, x2 = p["w1"] * x + p["b1"], p["w2"] * x + p["b2"]
        y1, y2 = softplus(x1), softplus(x2)
        d = -2 * (obs - (p["w3"] * y1 + p["w4"] * y2 + p["b3"]))
        sums["b3"] += d
        sums["w3"] += d * y1
        sums["w4"] += d * y2
        sums["w1"] += d * p["w3"] * sig(x1) * x
        sums["b1"] += d * p["w3"] * sig(x1)
        sums["w2"] += d * p["w4"] * sig(x2) * x
        sums["b2"] += d * p["w4"] * sig(x2)
    derivatives = chain_rule(Network.from_params("softplus", p), X, Y)
    for name, value in sums.items():
        assert derivatives[name].total == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_jacobian_rows_and_dssr_dpredicted():
    """jacobian() has one row per parameter and dSSR/dpredicted is -2 x residual."""
    net = Network.from_params("softplus", B3_PARAMS)
    result = fit(net, X, Y)
    jac = jacobian(net, result.forward)
    assert jac.shape == (7, 3)
    assert np.array_equal(jac[-1], np.ones(3))  # d predicted / d b3
    assert np.allclose(dssr_dpredicted(result), -2 * (np.array(Y) - result.predicted))


def test_chain_rule_results_are_read_only():
    """The chain-rule mapping, factor values and terms cannot be changed."""
    derivatives = chain_rule(Network.from_params("softplus", B3_PARAMS), X, Y)
    with pytest.raises(TypeError):
        derivatives["b3"] = None  # type: ignore[index]
    d = derivatives["w1"]
    for array in (d.terms, *(f.values for f in d.factors)):
        assert not array.flags.writeable
