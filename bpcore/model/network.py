"""The lesson's network: one input, ``k`` hidden nodes, one output.

Parameters follow the lesson's names: ``w1..wk`` feed the hidden nodes, ``w(k+1)..w(2k)``
scale their outputs, ``b1..bk`` are the hidden biases and ``b(k+1)`` the output bias.
For ``k = 2`` these are the lesson's w1, w2, w3, w4, b1, b2, b3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from bpcore.model.activations import Activation, Array, get_activation


def readonly(values: ArrayLike) -> Array:
    """Return a float copy of ``values`` that cannot be written to.

    Examples
    --------
    >>> a = readonly([1, 2])
    >>> a.flags.writeable
    False
    """
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


def param_names(hidden: int) -> tuple[str, ...]:
    """Return the parameter names of a network with ``hidden`` nodes, in canonical order.

    Examples
    --------
    >>> param_names(2)
    ('w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3')
    """
    if hidden < 1:
        raise ValueError(f"a network needs at least one hidden node, got {hidden}")
    weights = tuple(f"w{i}" for i in range(1, 2 * hidden + 1))
    biases = tuple(f"b{i}" for i in range(1, hidden + 2))
    return weights + biases


@dataclass(frozen=True, slots=True)
class ForwardTrace:
    """Every intermediate value of the forward pass at the inputs ``x``.

    Attributes
    ----------
    x : (n,) inputs (dosages).
    hidden_x : (k, n) x-axis coordinate fed to each hidden node's activation.
    hidden_y : (k, n) each activation's output: the curve before scaling.
    scaled : (k, n) each curve scaled by its output weight.
    summed : (n,) the scaled curves added together, before the output bias.
    predicted : (n,) the squiggle: the scaled curves summed, plus the output bias.
    """

    x: Array
    hidden_x: Array
    hidden_y: Array
    scaled: Array
    summed: Array
    predicted: Array


@dataclass(frozen=True, slots=True)
class Network:
    """A one-input, ``hidden``-node, one-output network with fixed parameter values.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> net.hidden, net.names[-1]
    (2, 'b3')
    >>> net.forward([0.0, 0.5, 1.0]).predicted.round(3).tolist()
    [-2.604, -1.609, -2.615]
    """

    hidden: int
    activation: Activation
    values: Array

    @classmethod
    def from_params(cls, activation: str, params: Mapping[str, float]) -> Network:
        """Build a network from named parameters; the names fix the number of hidden nodes."""
        hidden = sum(1 for name in params if name.startswith("b")) - 1
        names = param_names(max(hidden, 1))
        if set(params) != set(names):
            raise ValueError(f"parameters must be exactly {', '.join(names)}")
        return cls(hidden, get_activation(activation), readonly([params[n] for n in names]))

    @property
    def names(self) -> tuple[str, ...]:
        return param_names(self.hidden)

    @property
    def params(self) -> Mapping[str, float]:
        """The parameter values by name, read-only."""
        return MappingProxyType(dict(zip(self.names, self.values.tolist(), strict=True)))

    def index(self, name: str) -> int:
        """Position of parameter ``name`` in :attr:`values`."""
        return self.names.index(name)

    def with_values(self, values: ArrayLike) -> Network:
        """The same network with every parameter replaced, in canonical order."""
        return Network(self.hidden, self.activation, readonly(values))

    def replace(self, **params: float) -> Network:
        """The same network with some parameters changed by name.

        Examples
        --------
        >>> net = Network.from_params("relu", {"w1": 1, "w2": 2, "b1": 0, "b2": 0})
        >>> net.replace(b2=5).params["b2"], net.params["b2"]
        (5.0, 0.0)
        """
        values = self.values.copy()
        for name, value in params.items():
            values[self.index(name)] = value
        return self.with_values(values)

    def forward(self, x: ArrayLike) -> ForwardTrace:
        """Run inputs ``x`` through the network, keeping every intermediate value."""
        x = readonly(x)
        arrays = forward_arrays(self.values, self.hidden, self.activation, x)
        return ForwardTrace(x, *map(readonly, arrays))

    def __post_init__(self) -> None:
        # A trace must not change under a scene's feet: freeze the values even when a caller
        # passed a writable array.
        if self.values.flags.writeable:
            object.__setattr__(self, "values", readonly(self.values))


def forward_arrays(
    values: Array, hidden: int, activation: Activation, x: Array
) -> tuple[Array, Array, Array, Array, Array]:
    """The forward pass on raw arrays: ``hidden_x, hidden_y, scaled, summed, predicted``.

    This is the one implementation of the network's math; :meth:`Network.forward` wraps it in a
    trace and gradient descent calls it directly to stay fast over thousands of steps.
    ``values`` may also hold one parameter vector per row (shape ``(steps, params)``): every
    result then gains that leading axis, with the same numbers as row by row.

    Examples
    --------
    >>> values = np.array([[1.0, 2.0, 0.0, 0.5], [1.0, 3.0, 0.0, 0.5]])  # w1, w2, b1, b2
    >>> relu = get_activation("relu")
    >>> forward_arrays(values, 1, relu, np.array([1.0, 2.0]))[-1].tolist()
    [[2.5, 4.5], [3.5, 6.5]]
    >>> forward_arrays(values[1], 1, relu, np.array([1.0, 2.0]))[-1].tolist()
    [3.5, 6.5]
    """
    k = hidden
    w_in, w_out = values[..., :k, None], values[..., k : 2 * k, None]
    b_in, b_out = values[..., 2 * k : 3 * k, None], values[..., 3 * k, None]
    hidden_x = w_in * x + b_in
    hidden_y = activation(hidden_x)
    scaled = w_out * hidden_y
    summed = scaled.sum(axis=-2)
    return hidden_x, hidden_y, scaled, summed, summed + b_out
