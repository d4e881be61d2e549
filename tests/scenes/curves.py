"""Reading curves back off the screen, for the scene geometry tests."""

from __future__ import annotations

import numpy as np
import pytest


def polyline(mobject) -> np.ndarray:
    """The corners of a curve drawn through samples (set_points_as_corners)."""
    points = mobject.points
    assert len(points) >= 8, "curve has no points"
    return np.vstack([points[::4], points[-1:]])


def squiggle_at_data(axes, squiggle, x, predicted, pixel: float) -> tuple[np.ndarray, float]:
    """Assert ``squiggle`` spans the data's x and passes ``predicted`` at each x, to a pixel.

    Returns the squiggle's heights at ``x`` (axis units) and the pixel in y axis units.
    """
    coords = np.asarray(axes.point_to_coords(polyline(squiggle)))
    xs, ys = coords[:, 0], coords[:, 1]
    assert np.all(np.diff(xs) > 0), "the squiggle should run left to right"
    x_tol = pixel / axes.x_axis.get_unit_size()
    y_tol = pixel / axes.y_axis.get_unit_size()
    assert xs[0] == pytest.approx(x.min(), abs=x_tol)
    assert xs[-1] == pytest.approx(x.max(), abs=x_tol)
    drawn = np.interp(x, xs, ys)
    np.testing.assert_allclose(drawn, predicted, rtol=0, atol=y_tol)
    return drawn, y_tol
