"""Residuals, SSR and the chain rule, factor by factor.

For every parameter, ``d SSR / d parameter`` is written as a product of named factors, each
kept per data point, so a scene can show the chain rule one factor at a time:

* output bias: d SSR/d predicted x d predicted/d b(k+1)  (= 1)
* output weight w(k+j): d SSR/d predicted x d predicted/d w(k+j)  (= y_j, the curve before scaling)
* input weight wj: d SSR/d predicted x d predicted/d y_j x d y_j/d x_j x d x_j/d wj  (= input)
* hidden bias bj: the same with d x_j/d bj  (= 1)

Each factor carries its :class:`FactorKind` and the hidden node it passes through, so what a
factor is never has to be read back from its names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from bpcore.model.activations import Activation, Array
from bpcore.model.network import ForwardTrace, Network, readonly


@dataclass(frozen=True, slots=True)
class Fit:
    """The forward pass at the data, with residuals and their sum of squares."""

    forward: ForwardTrace
    observed: Array
    residuals: Array
    ssr: float

    @property
    def predicted(self) -> Array:
        return self.forward.predicted


def fit(network: Network, x: ArrayLike, y: ArrayLike) -> Fit:
    """Evaluate ``network`` on data ``(x, y)``.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> round(fit(net, [0, 0.5, 1], [0, 1, 0]).ssr, 3)
    20.424
    """
    forward = network.forward(x)
    observed = readonly(y)
    residuals = readonly(observed - forward.predicted)
    return Fit(forward, observed, residuals, float(np.sum(residuals**2)))


class FactorKind(StrEnum):
    """What a chain-rule factor is (k hidden nodes; j is the node the factor passes through)."""

    RESIDUAL = "residual"  #: d SSR / d predicted = -2 (observed - predicted)
    CURVE = "curve"  #: d predicted / d w(k+j) = y_j, node j's curve before it is scaled
    OUTPUT_BIAS = "output bias"  #: d predicted / d b(k+1) = 1
    OUTPUT_WEIGHT = "output weight"  #: d predicted / d y_j = w(k+j), the weight scaling curve j
    SLOPE = "slope"  #: d y_j / d x_j = the activation's slope at node j's input
    INPUT = "input"  #: d x_j / d wj = the input itself
    HIDDEN_BIAS = "hidden bias"  #: d x_j / d bj = 1


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of a chain-rule product, valued at every data point.

    ``numerator`` and ``denominator`` name the derivative d numerator / d denominator, in the
    lesson's words (``SSR``, ``predicted``, ``y1``, ``x1``, ``w1``). ``kind`` says what the
    factor is and ``node`` which hidden node (0-based) it passes through, ``None`` for the
    two that pass through none (:attr:`FactorKind.RESIDUAL`, :attr:`FactorKind.OUTPUT_BIAS`).

    Examples
    --------
    >>> net = Network.from_params("relu", {"w1": 1, "w2": 2, "b1": 0, "b2": 0})
    >>> [(f.kind.value, f.node) for f in chain_rule(net, [1.0], [0.0])["w1"].factors]
    [('residual', None), ('output weight', 0), ('slope', 0), ('input', 0)]
    """

    numerator: str
    denominator: str
    values: Array
    kind: FactorKind
    node: int | None = None

    @property
    def name(self) -> str:
        return f"d{self.numerator}/d{self.denominator}"


@dataclass(frozen=True, slots=True)
class Derivative:
    """``d SSR / d param`` as a product of factors, per data point and summed."""

    param: str
    factors: tuple[Factor, ...]
    terms: Array
    total: float


def jacobian(network: Network, forward: ForwardTrace) -> Array:
    """Return ``d predicted / d param`` for every parameter (rows, canonical order) and point.

    Examples
    --------
    >>> net = Network.from_params("relu", {"w1": 1, "w2": 2, "b1": 0, "b2": 0})
    >>> jacobian(net, net.forward([1.0])).tolist()
    [[2.0], [1.0], [2.0], [1.0]]
    """
    return jacobian_arrays(network.values, network.hidden, network.activation, forward.x,
                           forward.hidden_x, forward.hidden_y)


def jacobian_arrays(
    values: Array, hidden: int, activation: Activation, x: Array, hidden_x: Array, hidden_y: Array
) -> Array:
    """:func:`jacobian` on raw arrays, for gradient descent's inner loop."""
    w_out = values[hidden : 2 * hidden, None]
    through_hidden = w_out * activation.derivative(hidden_x)
    return np.vstack([through_hidden * x, hidden_y, through_hidden, np.ones((1, x.size))])


def dssr_dpredicted(result: Fit) -> Array:
    """``d SSR / d predicted`` at each point: ``-2 (observed - predicted)``."""
    return -2.0 * result.residuals


def gradient(network: Network, x: ArrayLike, y: ArrayLike) -> Array:
    """Return ``d SSR / d param`` for every parameter, in canonical order.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> round(float(gradient(net, [0, 0.5, 1], [0, 1, 0])[-1]), 3)
    -15.655
    """
    result = fit(network, x, y)
    return jacobian(network, result.forward) @ dssr_dpredicted(result)


def chain_rule(network: Network, x: ArrayLike, y: ArrayLike) -> Mapping[str, Derivative]:
    """Return every parameter's derivative of SSR as its named chain-rule factors.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> d = chain_rule(net, [0, 0.5, 1], [0, 1, 0])["w1"]
    >>> [f.name for f in d.factors]
    ['dSSR/dpredicted', 'dpredicted/dy1', 'dy1/dx1', 'dx1/dw1']
    >>> round(d.total, 4) == round(float(gradient(net, [0, 0.5, 1], [0, 1, 0])[0]), 4)
    True
    """
    result = fit(network, x, y)
    forward = result.forward
    k, n = network.hidden, forward.x.size
    names = network.names
    outer = Factor("SSR", "predicted", readonly(dssr_dpredicted(result)), FactorKind.RESIDUAL)
    ones = np.ones(n)

    def derivative(param: str, *factors: Factor) -> Derivative:
        chain = (outer, *factors)
        terms = readonly(np.prod([f.values for f in chain], axis=0))
        return Derivative(param, chain, terms, float(terms.sum()))

    out: dict[str, Derivative] = {}
    for j in range(k):
        w_in, w_out, b_in = names[j], names[k + j], names[2 * k + j]
        yj, xj = f"y{j + 1}", f"x{j + 1}"
        to_hidden = (
            Factor("predicted", yj, readonly(np.full(n, network.values[k + j])),
                   FactorKind.OUTPUT_WEIGHT, j),
            Factor(yj, xj, readonly(network.activation.derivative(forward.hidden_x[j])),
                   FactorKind.SLOPE, j),
        )
        out[w_in] = derivative(w_in, *to_hidden, Factor(xj, w_in, forward.x, FactorKind.INPUT, j))
        out[b_in] = derivative(b_in, *to_hidden,
                               Factor(xj, b_in, readonly(ones), FactorKind.HIDDEN_BIAS, j))
        out[w_out] = derivative(w_out, Factor("predicted", w_out, forward.hidden_y[j],
                                              FactorKind.CURVE, j))
    b_out = names[-1]
    out[b_out] = derivative(b_out, Factor("predicted", b_out, readonly(ones),
                                          FactorKind.OUTPUT_BIAS))
    return MappingProxyType({name: out[name] for name in names})
