"""Gradient descent over any subset of the parameters, every step kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from bpcore.activations import Array
from bpcore.chain import jacobian_arrays
from bpcore.errors import DivergenceError
from bpcore.network import Network, forward_arrays, readonly

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
    """

    names: tuple[str, ...]
    optimize: tuple[str, ...]
    learning_rate: float
    params: Array
    predicted: Array
    residuals: Array
    ssr: Array
    gradient: Array
    step_size: Array
    status: str

    def __len__(self) -> int:
        return len(self.ssr)

    def __getitem__(self, i: int) -> DescentStep:
        i = range(len(self))[i]
        return DescentStep(
            index=i,
            params=MappingProxyType(dict(zip(self.names, self.params[i].tolist(), strict=True))),
            predicted=self.predicted[i],
            residuals=self.residuals[i],
            ssr=float(self.ssr[i]),
            gradient=MappingProxyType(
                dict(zip(self.optimize, self.gradient[i].tolist(), strict=True))
            ),
            step_size=MappingProxyType(
                dict(zip(self.optimize, self.step_size[i].tolist(), strict=True))
            ),
        )

    @property
    def updates(self) -> int:
        """How many updates were taken."""
        return len(self) - 1

    @property
    def final(self) -> DescentStep:
        return self[-1]

    def column(self, name: str) -> Array:
        """One parameter's value at every step."""
        return self.params[:, self.names.index(name)]


def descend(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    optimize: Sequence[str],
    learning_rate: float,
    min_step_size: float = 0.001,
    max_steps: int = 1000,
) -> Descent:
    """Run gradient descent on the parameters in ``optimize``; the others stay fixed.

    Each update sets ``new = old - learning_rate * d SSR/d param``. Descent stops at the first
    state whose every ``|step size|`` is below ``min_step_size`` (status ``"converged"``; that
    step is not taken) or after ``max_steps`` updates (status ``"max_steps"``).

    Raises
    ------
    DivergenceError
        When a value becomes infinite or NaN; the message names the step and learning rate.

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
    params, predicted, ssrs, grads, steps = [], [], [], [], []
    status = "max_steps"
    with np.errstate(all="ignore"):  # overflow is caught below as divergence, with context
        for i in range(max_steps + 1):
            hidden_x, hidden_y, _, _, pred = forward_arrays(values, k, activation, x)
            jac = jacobian_arrays(values, k, activation, x, hidden_x, hidden_y)
            grad = jac[rows] @ (-2.0 * (y - pred))
            step = grad * learning_rate
            ssr = float(np.sum((y - pred) ** 2))
            if not (np.isfinite(ssr) and np.all(np.isfinite(step)) and np.all(np.isfinite(values))):
                raise DivergenceError(
                    f"gradient descent diverged at step {i} with learning rate {learning_rate}: "
                    f"SSR is {ssr:g}; use a smaller learning_rate"
                )
            params.append(values.copy())
            predicted.append(pred)
            ssrs.append(ssr)
            grads.append(grad)
            steps.append(step)
            if np.all(np.abs(step) < min_step_size):
                status = "converged"
                break
            if i < max_steps:
                values[rows] -= step
    predicted_arr = np.array(predicted)
    return Descent(
        names=network.names,
        optimize=tuple(optimize),
        learning_rate=float(learning_rate),
        params=readonly(params),
        predicted=readonly(predicted_arr),
        residuals=readonly(y - predicted_arr),
        ssr=readonly(ssrs),
        gradient=readonly(grads),
        step_size=readonly(steps),
        status=status,
    )
