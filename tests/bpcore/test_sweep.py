"""The SSR sweep: the pink curve and the probe points of the b3 lesson."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpcore.model.network import Network
from bpcore.model.sweep import sweep

X, Y = [0.0, 0.5, 1.0], [0.0, 1.0, 0.0]
B3_PARAMS = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}
# Reference table, lesson b3: SSR at b3 = 0, 1, 2, 3 (stated 20.4, 7.8, 1.11, 0.46).
PROBE_SSR = [20.424, 7.768, 1.113, 0.458]
STATED_PROBE_SSR = [20.4, 7.8, 1.11, 0.46]
OPTIMUM_B3 = 2.6092


def ssr_by_hand(b3: float) -> float:
    p = B3_PARAMS
    total = 0.0
    for x, obs in zip(X, Y, strict=True):
        y1 = math.log1p(math.exp(p["w1"] * x + p["b1"]))
        y2 = math.log1p(math.exp(p["w2"] * x + p["b2"]))
        total += (obs - (p["w3"] * y1 + p["w4"] * y2 + b3)) ** 2
    return total


def b3_sweep(values=(0.0, 3.0), probes=(0.0, 1.0, 2.0, 3.0)):
    net = Network.from_params("softplus", B3_PARAMS)
    return sweep(net, X, Y, "b3", np.linspace(*values, 301), probes)


def test_probe_ssr_matches_the_reference():
    """SSR at b3 = 0, 1, 2, 3 is 20.424, 7.768, 1.113, 0.458 (stated 20.4, 7.8, 1.11, 0.46)."""
    s = b3_sweep()
    assert s.probe_values.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert s.probe_ssr.tolist() == pytest.approx(PROBE_SSR, abs=0.0005)
    stated = [round(v, 1) for v in s.probe_ssr[:2]] + [round(v, 2) for v in s.probe_ssr[2:]]
    assert stated == STATED_PROBE_SSR


def test_curve_matches_hand_computation():
    """Every point of the curve is the SSR with b3 set to that value, the rest fixed."""
    s = b3_sweep()
    assert s.param == "b3" and s.values.size == 301
    expected = [ssr_by_hand(v) for v in s.values.tolist()]
    assert s.ssr.tolist() == pytest.approx(expected, rel=1e-12)


def test_curve_minimum_is_the_optimum():
    """The lowest point of a fine curve sits at the exact optimum b3 = 2.6092."""
    s = b3_sweep(values=(2.5, 2.7))
    assert float(s.values[np.argmin(s.ssr)]) == pytest.approx(OPTIMUM_B3, abs=0.001)


def test_sweep_without_probes():
    """A sweep with no probes has empty probe arrays."""
    s = b3_sweep(probes=())
    assert s.probe_values.size == 0 and s.probe_ssr.size == 0


def test_sweep_is_read_only_and_leaves_the_network():
    """Sweep arrays are read-only and the swept network keeps its parameters."""
    net = Network.from_params("softplus", B3_PARAMS)
    s = sweep(net, X, Y, "w3", [-2.0, 0.0], [1.0])
    for array in (s.values, s.ssr, s.probe_values, s.probe_ssr):
        assert not array.flags.writeable
    assert dict(net.params) == B3_PARAMS
