"""Activation functions and their derivatives, computed without overflow.

Each activation is a small frozen record holding the function, its derivative and
the LaTeX a scene writes for it, so the math and its name travel together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def softplus(z: ArrayLike) -> Array:
    """Return ``log(1 + e^z)`` without overflow for large ``|z|``.

    Examples
    --------
    >>> softplus([0.0, 1000.0, -1000.0]).round(4).tolist()
    [0.6931, 1000.0, 0.0]
    """
    return np.logaddexp(0.0, np.asarray(z, dtype=float))


def sigmoid(z: ArrayLike) -> Array:
    """Return ``1 / (1 + e^-z)``, accurate to the last digits in both tails, never overflowing.

    ``e^-|z|`` never overflows, and no two nearly equal numbers are subtracted, so a tiny
    value keeps its digits (``1 + tanh(z/2)``, the usual overflow-free form, loses them:
    it gives sigmoid(-25) a relative error near 1e-5, and 0 from about z = -37 on).

    Examples
    --------
    >>> sigmoid([0.0, 800.0, -800.0]).tolist()
    [0.5, 1.0, 0.0]
    >>> float(sigmoid(-40.0))
    4.248354255291589e-18
    """
    z = np.asarray(z, dtype=float)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _sigmoid_prime(z: ArrayLike) -> Array:
    # s(z) s(-z) = s(z) (1 - s(z)) without the cancellation in 1 - s(z) for large z.
    z = np.asarray(z, dtype=float)
    return sigmoid(z) * sigmoid(-z)


def relu(z: ArrayLike) -> Array:
    """Return ``max(0, z)``.

    Examples
    --------
    >>> relu([-1.0, 0.0, 2.5]).tolist()
    [0.0, 0.0, 2.5]
    """
    return np.maximum(0.0, np.asarray(z, dtype=float))


def _relu_prime(z: ArrayLike) -> Array:
    # The kink at 0 gets slope 0, the usual convention.
    return (np.asarray(z, dtype=float) > 0.0).astype(float)


@dataclass(frozen=True, slots=True)
class Activation:
    """An activation function with its derivative and display names."""

    name: str
    fn: Callable[[ArrayLike], Array]
    derivative: Callable[[ArrayLike], Array]
    latex: str
    derivative_latex: str

    def __call__(self, z: ArrayLike) -> Array:
        return self.fn(z)


ACTIVATIONS: dict[str, Activation] = {
    "softplus": Activation(
        "softplus", softplus, sigmoid, r"\log(1 + e^{x})", r"\frac{e^{x}}{1 + e^{x}}"
    ),
    "relu": Activation("relu", relu, _relu_prime, r"\max(0, x)", r"[x > 0]"),
    "sigmoid": Activation(
        "sigmoid", sigmoid, _sigmoid_prime, r"\frac{1}{1 + e^{-x}}", r"\sigma(x)(1 - \sigma(x))"
    ),
}


def get_activation(name: str) -> Activation:
    """Return the activation called ``name`` (softplus, relu or sigmoid).

    Examples
    --------
    >>> float(get_activation("softplus").derivative(0.0))
    0.5
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None
