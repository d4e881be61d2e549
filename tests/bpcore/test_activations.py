"""Activations: the right values and derivatives, and no overflow or warnings on huge inputs."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bpcore.model.activations import ACTIVATIONS, get_activation, relu, sigmoid, softplus

HUGE = [-1e308, -1e5, -1000.0, -745.0, -710.0, 709.0, 710.0, 1000.0, 1e5, 1e308]
moderate = st.floats(min_value=-30, max_value=30, allow_nan=False)


@given(moderate)
def test_softplus_is_log_one_plus_exp(z):
    """softplus(z) equals log(1 + e^z) computed directly where that does not overflow."""
    assert math.isclose(float(softplus(z)), math.log1p(math.exp(z)), rel_tol=1e-12, abs_tol=1e-300)


@given(moderate)
def test_sigmoid_is_logistic(z):
    """sigmoid(z) equals 1 / (1 + e^-z) computed directly where that does not overflow."""
    assert math.isclose(float(sigmoid(z)), 1.0 / (1.0 + math.exp(-z)), rel_tol=1e-12,
                        abs_tol=1e-15)


def test_relu_values():
    """relu clips negatives to 0 and passes positives through."""
    assert relu([-2.0, -0.0, 0.0, 0.5, 3.0]).tolist() == [0.0, 0.0, 0.0, 0.5, 3.0]


@pytest.mark.parametrize("name", ["softplus", "sigmoid"])
def test_huge_inputs_are_finite_without_warnings(name):
    """softplus and sigmoid (and their derivatives) stay finite and silent for huge inputs."""
    activation = get_activation(name)
    z = np.array(HUGE)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        values = activation(z)
        slopes = activation.derivative(z)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))
    assert np.all(slopes >= 0)


def test_softplus_limits_for_huge_inputs():
    """softplus(z) is z for large z and 0 (never negative) for very negative z."""
    z = np.array(HUGE)
    values = softplus(z)
    large = z > 0
    assert np.array_equal(values[large], z[large])
    assert np.all(values[~large] >= 0) and np.all(values[~large] < 1e-300)


def test_sigmoid_limits_for_huge_inputs():
    """sigmoid is 1 for large inputs and 0 for very negative inputs, and stays in [0, 1]."""
    values = sigmoid(np.array(HUGE))
    assert np.all((values >= 0) & (values <= 1))
    assert sigmoid(1e308) == 1.0 and sigmoid(-1e308) == 0.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(z=st.floats(min_value=-20, max_value=20, allow_nan=False))
def test_derivative_matches_central_difference(name, z):
    """Each activation's derivative equals its central finite difference (away from relu's kink)."""
    if name == "relu":
        assume(abs(z) > 1e-3)
    activation, h = get_activation(name), 1e-6
    numeric = (float(activation(z + h)) - float(activation(z - h))) / (2 * h)
    assert math.isclose(float(activation.derivative(z)), numeric, rel_tol=1e-6, abs_tol=1e-8)


def test_known_derivative_values():
    """softplus' is the sigmoid (1/2 at 0), sigmoid'(0) = 1/4, relu' is 0 at the kink, 1 above."""
    assert float(get_activation("softplus").derivative(0.0)) == 0.5
    assert float(get_activation("sigmoid").derivative(0.0)) == 0.25
    assert get_activation("relu").derivative([-1.0, 0.0, 1.0]).tolist() == [0.0, 0.0, 1.0]


def test_unknown_activation_names_the_choices():
    """Asking for an unknown activation raises ValueError listing the known ones."""
    with pytest.raises(ValueError, match="unknown activation 'tanh'; expected one of softplus, "
                                         "relu, sigmoid"):
        get_activation("tanh")


def test_activation_records_are_frozen():
    """An activation record cannot be changed."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_activation("relu").name = "other"  # type: ignore[misc]
