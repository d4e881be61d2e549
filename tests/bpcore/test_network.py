"""The network: parameter names, the forward pass against hand computation, immutability."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcore.model.network import Network, param_names, readonly

B3_PARAMS = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}
# Reference table, lesson b3: predicted at x = 0, 0.5, 1 when b3 = 0 (exact to 3 decimals).
B3_PREDICTED = [-2.604, -1.609, -2.615]


def softplus(z: float) -> float:
    return math.log1p(math.exp(z))


@pytest.mark.parametrize(("k", "names"), [
    (1, ("w1", "w2", "b1", "b2")),
    (2, ("w1", "w2", "w3", "w4", "b1", "b2", "b3")),
    (3, ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3", "b4")),
])
def test_param_names(k, names):
    """k hidden nodes have weights w1..w2k then biases b1..b(k+1), in that order."""
    assert param_names(k) == names


def test_param_names_needs_a_hidden_node():
    """A network without hidden nodes is refused."""
    with pytest.raises(ValueError, match="at least one hidden node"):
        param_names(0)


def test_b3_forward_matches_the_reference_table():
    """The b3 network predicts -2.604, -1.609, -2.615 at dosages 0, 0.5, 1."""
    predicted = Network.from_params("softplus", B3_PARAMS).forward([0.0, 0.5, 1.0]).predicted
    assert predicted.tolist() == pytest.approx(B3_PREDICTED, abs=0.0005)


def test_b3_forward_intermediates_match_hand_computation():
    """Each hidden node's input, curve and scaled curve follow the lesson's formulas."""
    p = B3_PARAMS
    trace = Network.from_params("softplus", p).forward([0.0, 0.5, 1.0])
    for i, x in enumerate([0.0, 0.5, 1.0]):
        x1, x2 = p["w1"] * x + p["b1"], p["w2"] * x + p["b2"]
        y1, y2 = softplus(x1), softplus(x2)
        assert trace.hidden_x[:, i].tolist() == pytest.approx([x1, x2], rel=1e-12)
        assert trace.hidden_y[:, i].tolist() == pytest.approx([y1, y2], rel=1e-12)
        assert trace.scaled[:, i].tolist() == pytest.approx([p["w3"] * y1, p["w4"] * y2],
                                                            rel=1e-12)
        assert trace.predicted[i] == pytest.approx(p["w3"] * y1 + p["w4"] * y2 + p["b3"],
                                                   rel=1e-12)


@given(
    k=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    activation=st.sampled_from(["softplus", "relu", "sigmoid"]),
)
def test_forward_matches_a_plain_loop(k, seed, activation):
    """For any k, the vectorized forward pass equals a per-point, per-node Python loop."""
    rng = np.random.default_rng(seed)
    names = param_names(k)
    params = dict(zip(names, rng.normal(size=len(names)).tolist(), strict=True))
    xs = rng.uniform(-2, 2, size=5).tolist()
    act = {"softplus": softplus, "relu": lambda z: max(0.0, z),
           "sigmoid": lambda z: 1 / (1 + math.exp(-z))}[activation]
    predicted = Network.from_params(activation, params).forward(xs).predicted
    for i, x in enumerate(xs):
        total = params[f"b{k + 1}"]
        for j in range(1, k + 1):
            total += params[f"w{k + j}"] * act(params[f"w{j}"] * x + params[f"b{j}"])
        assert predicted[i] == pytest.approx(total, rel=1e-12, abs=1e-12)


def test_from_params_refuses_wrong_names():
    """Parameters that do not match w1..w2k, b1..b(k+1) are refused."""
    with pytest.raises(ValueError, match="parameters must be exactly"):
        Network.from_params("relu", {"w1": 1, "w2": 1, "w3": 1, "b1": 0, "b2": 0})


def test_network_and_forward_trace_are_immutable():
    """A network's values and every forward-trace array are read-only; records are frozen."""
    net = Network.from_params("softplus", B3_PARAMS)
    trace = net.forward([0.0, 1.0])
    for array in (net.values, trace.x, trace.hidden_x, trace.hidden_y, trace.scaled,
                  trace.predicted):
        assert not array.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.hidden = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        net.params["w1"] = 0.0  # type: ignore[index]


def test_writable_values_are_copied_and_frozen():
    """A network built from a writable array is unaffected when that array changes later."""
    values = np.array([1.0, 2.0, 0.0, 0.0])
    net = Network(1, Network.from_params("relu", {"w1": 1, "w2": 1, "b1": 0, "b2": 0}).activation,
                  values)
    values[0] = 99.0
    assert net.values.tolist() == [1.0, 2.0, 0.0, 0.0]
    assert not net.values.flags.writeable


def test_replace_returns_a_new_network():
    """replace() changes the named parameters in a copy and leaves the original as it was."""
    net = Network.from_params("softplus", B3_PARAMS)
    moved = net.replace(b3=2.61, w1=1.0)
    assert moved.params["b3"] == 2.61 and moved.params["w1"] == 1.0
    assert dict(net.params) == B3_PARAMS


def test_readonly_copies():
    """readonly() returns a float copy that cannot be written, leaving its input writable."""
    source = [1, 2, 3]
    array = readonly(source)
    assert array.dtype == np.float64 and not array.flags.writeable
    original = np.array([1.0])
    readonly(original)
    assert original.flags.writeable
