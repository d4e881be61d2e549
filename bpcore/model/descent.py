"""Gradient descent over any subset of the parameters, every step kept compactly."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from bpcore.errors import DivergenceError
from bpcore.model.activations import Array
from bpcore.model.chain import jacobian_arrays
from bpcore.model.network import Network, forward_arrays, readonly

MAX_STEPS_CAP = 1_000_000


@dataclass(frozen=True, slots=True)
class DescentStep:
    """The state after ``index`` updates: ``steps[0]`` is the starting state."""

    index: int
    params: Mapping[str, float]
    predicted: Array
    residuals: Array
    ssr: float
    gradient: Mapping[str, float]
    step_size: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Descent:
    """Every state of a gradient descent, stored as arrays with one row per step.

    ``params[i]`` holds every parameter after ``i`` updates (canonical order);
    ``gradient[i]`` and ``step_size[i]`` hold the optimized parameters' values there
    (order of :attr:`optimize`). The last row is where descent stopped: its step was not taken.

    Only the parameters, SSR and gradient are stored, a few numbers per step, so a descent of a
    million steps fits in well under 100 MB; ``predicted``, ``residuals`` and ``step_size``
    are recomputed from them exactly (the same operations as during descent) when first asked
    for, and :meth:`predicted_at` gives any steps without the whole array.
    """

    names: tuple[str, ...]
    optimize: tuple[str, ...]
    learning_rate: float
    params: Array
    ssr: Array
    gradient: Array
    status: str
    network: Network
    x: Array
    y: Array
    _cache: dict[str, Array] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ssr)

    def __getitem__(self, i: int) -> DescentStep:
        i = range(len(self))[i]
        predicted = self.predicted_at([i])[0]
        return DescentStep(
            index=i,
            params=MappingProxyType(dict(zip(self.names, self.params[i].tolist(), strict=True))),
            predicted=predicted,
            residuals=readonly(self.y - predicted),
            ssr=float(self.ssr[i]),
            gradient=MappingProxyType(
                dict(zip(self.optimize, self.gradient[i].tolist(), strict=True))
            ),
            step_size=MappingProxyType(
                dict(zip(self.optimize, (self.gradient[i] * self.learning_rate).tolist(),
                         strict=True))
            ),
        )

    @property
    def updates(self) -> int:
        """How many updates were taken."""
        return len(self) - 1

    @property
    def final(self) -> DescentStep:
        return self[-1]

    @property
    def predicted(self) -> Array:
        """The network's output at the data, one row per step."""
        if "predicted" not in self._cache:
            self._cache["predicted"] = self.predicted_at(slice(None))
        return self._cache["predicted"]

    @property
    def residuals(self) -> Array:
        """Observed minus predicted, one row per step."""
        if "residuals" not in self._cache:
            self._cache["residuals"] = readonly(self.y - self.predicted)
        return self._cache["residuals"]

    @property
    def step_size(self) -> Array:
        """``learning_rate * gradient``: the change each update made (the last was not made)."""
        if "step_size" not in self._cache:
            self._cache["step_size"] = readonly(self.gradient * self.learning_rate)
        return self._cache["step_size"]

    def predicted_at(self, steps: slice | Sequence[int] | Array) -> Array:
        """The network's output at the data for the states ``steps`` (a slice or indices).

        Examples
        --------
        >>> net = Network.from_params("relu", {"w1": 1, "w2": 1, "b1": 0, "b2": 0})
        >>> d = descend(net, [0, 1], [0, 2], ["b2"], learning_rate=0.25)
        >>> d.predicted_at([0, 1]).tolist(), d.predicted_at(slice(-1, None)).tolist()
        ([[0.0, 1.0], [0.5, 1.5]], [[0.5, 1.5]])
        """
        params = self.params[steps]
        rows = np.empty((len(params), self.x.size))
        net = self.network
        # In blocks, so the (steps, hidden, points) intermediates stay small.
        for low in range(0, len(params), _BLOCK):
            rows[low : low + _BLOCK] = forward_arrays(
                params[low : low + _BLOCK], net.hidden, net.activation, self.x)[-1]
        rows.setflags(write=False)
        return rows

    def column(self, name: str) -> Array:
        """One parameter's value at every step."""
        return self.params[:, self.names.index(name)]


#: Steps per block when recomputing predictions: bounded temporaries, few numpy calls.
_BLOCK = 4096


def descend(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    optimize: Sequence[str],
    learning_rate: float,
    min_step_size: float = 0.001,
    max_steps: int = 1000,
    bound: float = sys.float_info.max,
) -> Descent:
    """Run gradient descent on the parameters in ``optimize``; the others stay fixed.

    Each update sets ``new = old - learning_rate * d SSR/d param``. Descent stops at the first
    state whose every ``|step size|`` is below ``min_step_size`` (status ``"converged"``; that
    step is not taken) or after ``max_steps`` updates (status ``"max_steps"``).

    A value beyond ``±bound`` (any parameter, gradient, step or the SSR) counts as
    divergence; by default that is any infinite or NaN value.

    Raises
    ------
    DivergenceError
        When a value leaves ``±bound``; the message names the step and learning rate.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> d = descend(net, [0, 0.5, 1], [0, 1, 0], ["b3"], learning_rate=0.1)
    >>> d.column("b3")[:3].round(4).tolist(), d.status
    ([0.0, 1.5655, 2.1917], 'converged')
    >>> round(d.final.params["b3"], 2)
    2.61
    """
    x, y = readonly(x), readonly(y)
    rows = np.array([network.index(name) for name in optimize], dtype=int)
    if rows.size == 0:
        raise ValueError("optimize names no parameter")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if not 0 <= max_steps <= MAX_STEPS_CAP:
        raise ValueError(f"max_steps must be between 0 and {MAX_STEPS_CAP}, got {max_steps}")

    values = network.values.copy()
    k, activation = network.hidden, network.activation
    # Preallocated for every possible step: the pages a short descent never touches are never
    # committed, and the rows are trimmed in place at the end, without a copy.
    capacity = max_steps + 1
    params = np.empty((capacity, values.size))
    ssrs = np.empty(capacity)
    grads = np.empty((capacity, rows.size))
    status = "max_steps"
    count = 0
    with np.errstate(all="ignore"):  # overflow is caught below as divergence, with context
        for i in range(capacity):
            hidden_x, hidden_y, _, _, pred = forward_arrays(values, k, activation, x)
            jac = jacobian_arrays(values, k, activation, x, hidden_x, hidden_y)
            grad = jac[rows] @ (-2.0 * (y - pred))
            step = grad * learning_rate
            ssr = float(np.sum((y - pred) ** 2))
            if not (ssr <= bound and np.all(np.abs(step) <= bound)
                    and np.all(np.abs(grad) <= bound) and np.all(np.abs(values) <= bound)):
                raise DivergenceError(
                    f"gradient descent diverged at step {i} with learning rate {learning_rate}: "
                    f"SSR is {ssr:g}; use a smaller learning_rate"
                )
            params[i] = values
            ssrs[i] = ssr
            grads[i] = grad
            count = i + 1
            if np.all(np.abs(step) < min_step_size):
                status = "converged"
                break
            if i < max_steps:
                values[rows] -= step
    for array in (params, ssrs, grads):
        array.resize((count, *array.shape[1:]), refcheck=False)
        array.setflags(write=False)
    return Descent(
        names=network.names,
        optimize=tuple(optimize),
        learning_rate=float(learning_rate),
        params=params,
        ssr=ssrs,
        gradient=grads,
        status=status,
        network=network,
        x=x,
        y=y,
    )
