"""Axes, curves, residuals and the SSR plot, placed from trace values.

Nothing here computes lesson math: every curve is drawn through samples that bpcore computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Axes,
    Dot,
    Line,
    Rectangle,
    VGroup,
    VMobject,
)

from kit.screen import anchored
from kit.style import HIGHLIGHT, INK, LABEL_SIZE, RESIDUAL, TANGENT, TEXT_SCALE
from kit.text import words

#: An x axis title wider than this (screen units; "Dosage" is about 0.8) goes under the axis.
SIDE_LABEL_WIDTH = 1.2


def nice_range(values: Sequence[float] | np.ndarray, pad: float = 0.0, ticks: int = 5):
    """An axis range ``(low, high, step)`` with round ticks that covers every value.

    ``pad`` widens the span by that fraction on each side before rounding out to ticks.

    Examples
    --------
    >>> nice_range([-2.6, 2.05])
    (-3.0, 3.0, 1.0)
    >>> nice_range([0.0, 1.0], ticks=4)
    (0.0, 1.0, 0.25)
    """
    values = np.asarray(values, dtype=float)
    low, high = float(values.min()), float(values.max())
    span = max(high - low, 1e-6)
    low, high = low - pad * span, high + pad * span
    magnitude = 10 ** np.floor(np.log10(span / ticks))
    best = None
    for step in (m * magnitude for m in (0.5, 1, 2, 2.5, 5, 10)):
        eps = 1e-9 * step
        lo, hi = np.floor((low + eps) / step) * step, np.ceil((high - eps) / step) * step
        # Closest to the wanted tick count; on a tie, the tighter range.
        score = (abs((hi - lo) / step - ticks), hi - lo)
        if best is None or score < best[0]:
            best = (score, (float(lo), float(hi), float(step)))
    return best[1]


def make_axes(
    x_range, y_range, width: float, height: float, x_label: str = "", y_label: str = "",
    number_size: int = LABEL_SIZE,
) -> Axes:
    """Plain StatQuest-style axes: thin ink lines, a few tick numbers, labels on the ends.

    Tick numbers and labels are Pango text (kit.text), and 0 is left unnumbered where the
    axes cross. Tick numbers stay outside the plotting area, where no curve runs: along its
    bottom and left edges when an axis crosses mid-plot. ``axes.x_axis.numbers``,
    ``axes.y_axis.numbers`` and ``axes.labels`` hold them.
    """
    axes = Axes(x_range=x_range, y_range=y_range, x_length=width, y_length=height, tips=False,
                axis_config={"color": INK, "stroke_width": 2})
    # When y goes below 0 the x axis crosses mid-plot: its numbers go to the bottom edge,
    # clear of the curves and residuals drawn around y = 0.
    bottom = axes.c2p(x_range[0], y_range[0])[1]
    for axis, (low, high, step), side in ((axes.x_axis, x_range, DOWN), (axes.y_axis, y_range,
                                                                           LEFT)):
        decimals = _decimals(step)
        numbers = VGroup()
        for value in np.arange(low, high + step / 2, step):
            if abs(value) < step / 2:
                continue
            number = words(f"{value:.{decimals}f}", size=number_size * TEXT_SCALE)
            # Tied to the axis side: grown back to a legible size (kit.screen.legible) after
            # the plot is scaled down, a number keeps its gap to the axis.
            anchored(number, -side)
            numbers.add(number.next_to(axis.number_to_point(value), side, buff=0.18))
        if axis is axes.x_axis and y_range[0] < 0:
            numbers.set_y(bottom - 0.25)
        if axis is axes.y_axis and x_range[0] < 0:
            # Likewise the y axis crosses mid-plot when x goes below 0: numbers to the left edge.
            for number, value in zip(numbers, (v for v in np.arange(low, high + step / 2, step)
                                               if abs(v) >= step / 2), strict=True):
                number.next_to(axes.c2p(x_range[0], value), LEFT, buff=0.18)
        # Held by the axes, not the axis line: a redraw of the line (a curve moving across
        # it, kit.redraw) then leaves the numbers that nothing touches in the background.
        axis.numbers = numbers
        axes.add(numbers)
    # Labels sit beyond the axes' ends, clear of the curves and tick numbers.
    labels = VGroup()
    if x_label:
        label = words(x_label, size=LABEL_SIZE * TEXT_SCALE)
        if label.width > SIDE_LABEL_WIDTH:
            # A long title ("Hours studied") beside the axis would widen the plot by its width
            # and push it into its neighbours: it goes under the tick numbers instead.
            label.next_to(axes.x_axis.numbers, DOWN, buff=0.15)
            label.align_to(axes.x_axis.get_end(), RIGHT)
            anchored(label, UR)
        elif y_range[0] < 0:
            anchored(label.next_to(axes.x_axis.numbers, RIGHT, buff=0.3), LEFT)
        else:
            anchored(label.next_to(axes.x_axis, RIGHT, buff=0.2), LEFT)
        labels.add(label)
    if y_label:
        labels.add(anchored(words(y_label, size=LABEL_SIZE * TEXT_SCALE).next_to(
            axes.y_axis, UP, buff=0.2), DOWN))
    axes.labels = labels
    axes.add(labels)
    return axes


def _decimals(step: float) -> int:
    """Decimal places that write every multiple of ``step`` exactly (0.25 -> 2)."""
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def curve(axes: Axes, xs, ys, color, width: float = 5) -> VMobject:
    """A curve through the samples ``(xs, ys)`` in axis coordinates."""
    points = axes.coords_to_point(np.column_stack([xs, ys]))
    return VMobject(stroke_color=color, stroke_width=width).set_points_as_corners(points)


def data_dots(axes: Axes, xs, ys, radius: float = 0.09) -> VGroup:
    return VGroup(*(Dot(axes.c2p(x, y), radius=radius, color=INK) for x, y in zip(xs, ys,
                                                                                  strict=True)))


def residual_lines(axes: Axes, xs, observed, predicted, dash: float = 0.08) -> VGroup:
    """Dashed lines from each observed point to the squiggle.

    Each line is one path whose dashes are its pieces (a DashedLine makes every dash a
    mobject of its own, each drawn and interpolated separately in every frame).
    """
    lines = VGroup()
    for x, o, p in zip(xs, observed, predicted, strict=True):
        start, end = axes.c2p(x, o), axes.c2p(x, p)
        count = max(1, int(np.linalg.norm(end - start) / (2 * dash)))
        line = VMobject(stroke_color=RESIDUAL, stroke_width=3)
        for t in np.linspace(0, 1, count, endpoint=False):
            line.start_new_path(start + (end - start) * t)
            line.add_line_to(start + (end - start) * (t + 0.5 / count))
        lines.add(line)
    return lines


def input_box(axes: Axes, low: float, high: float) -> Rectangle:
    """The red box on an activation's x axis holding the inputs that one node receives."""
    left, right = axes.c2p(min(low, high), 0), axes.c2p(max(low, high), 0)
    height = axes.y_length * 0.12
    return Rectangle(width=abs(right[0] - left[0]), height=height, color=HIGHLIGHT,
                     stroke_width=4).move_to((left + right) / 2)


def tangent_line(axes: Axes, x: float, y: float, slope: float, length: float = 2.2) -> Line:
    """A segment of on-screen ``length`` through ``(x, y)`` with data-space ``slope``, cut where
    it would leave the axes (into the tick numbers below a steep curve)."""
    centre = axes.c2p(x, y)
    direction = axes.c2p(x + 1, y + slope) - centre
    direction /= np.linalg.norm(direction)
    start, end = centre - direction * length / 2, centre + direction * length / 2
    inside = clip_segment(start, end, plot_box(axes))
    if inside is not None:
        start, end = inside
    return Line(start, end, color=TANGENT, stroke_width=4)


def plot_box(axes: Axes) -> np.ndarray:
    """The axes' plotting area on screen: ``[[left, bottom], [right, top]]``."""
    corners = np.array([axes.c2p(axes.x_range[0], axes.y_range[0]),
                        axes.c2p(axes.x_range[1], axes.y_range[1])])[:, :2]
    return np.array([corners.min(axis=0), corners.max(axis=0)])


def clip_segment(start, end, box: np.ndarray):
    """The part of segment ``start``-``end`` inside ``box`` (``[[x0, y0], [x1, y1]]``), or None.

    Liang-Barsky: the segment is ``start + t (end - start)`` for t in [0, 1], narrowed by each
    of the box's four sides.

    Examples
    --------
    >>> box = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> [p[:2].tolist() for p in clip_segment(np.array([-1.0, 0.5, 0]), np.array([2.0, 0.5, 0]),
    ...                                         box)]
    [[0.0, 0.5], [1.0, 0.5]]
    >>> clip_segment(np.array([2.0, 2, 0]), np.array([3.0, 3, 0]), box) is None
    True
    """
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    delta = end - start
    low, high = 0.0, 1.0
    for axis in (0, 1):
        for bound, sign in ((box[0][axis], -1.0), (box[1][axis], 1.0)):
            # Inside means sign * (point - bound) <= 0.
            step, gap = sign * delta[axis], sign * (bound - start[axis])
            if abs(step) < 1e-12:
                if gap < 0:
                    return None
                continue
            t = gap / step
            if step > 0:
                high = min(high, t)
            else:
                low = max(low, t)
    if low > high:
        return None
    return start + low * delta, start + high * delta


def crossed_by_curve(mobject, corners: np.ndarray, pad: float = 0.03) -> bool:
    """Whether the polyline through screen points ``corners`` enters ``mobject``'s box; the
    same argument order as :func:`kit.network.crossed_by_edge`.

    Examples
    --------
    >>> label = Rectangle(width=1, height=1)
    >>> crossed_by_curve(label, np.array([[-2.0, 0, 0], [2.0, 0, 0]]))
    True
    >>> crossed_by_curve(label, np.array([[-2.0, 2, 0], [2.0, 2, 0]]))
    False
    """
    box = np.array([mobject.get_corner(DOWN + LEFT)[:2] - pad,
                    mobject.get_corner(UP + RIGHT)[:2] + pad])
    return any(clip_segment(a, b, box) is not None for a, b in zip(corners[:-1], corners[1:],
                                                                     strict=True))


def overlaps(one, other, pad: float = 0.03) -> bool:
    """Whether two mobjects' boxes overlap (with ``pad`` to spare)."""
    return bool(np.all(one.get_corner(UP + RIGHT)[:2] + pad > other.get_corner(DOWN + LEFT)[:2])
                and np.all(other.get_corner(UP + RIGHT)[:2] + pad >
                           one.get_corner(DOWN + LEFT)[:2]))


#: Where a point's label may go, in order of preference.
LABEL_SIDES = (UR, UL, DR, DL, RIGHT, LEFT, UP, DOWN)


def place_label(label, point, lines=(), taken=(), buff: float = 0.08):
    """Put ``label`` beside ``point`` (a point or a mobject) on the first side where it
    crosses none of ``lines`` (polylines, as screen points) and overlaps none of ``taken``
    (mobjects); when every side is blocked, on the side with the fewest obstacles. Returns
    ``label``."""
    best = None
    # Close beside the point first; farther out (a label's height at a time) if need be.
    for away in (0.0, 1.0, 2.0):
        for side in LABEL_SIDES:
            gap = buff + away * label.height
            label.next_to(point, side, buff=gap)
            blocked = sum(crossed_by_curve(label, c) for c in lines) + \
                sum(overlaps(label, m) for m in taken)
            if blocked == 0:
                return label
            if best is None or blocked < best[0]:
                best = (blocked, side, gap)
    return label.next_to(point, best[1], buff=best[2])


def axis_lines(axes: Axes) -> list[np.ndarray]:
    """The two axis lines as polylines (screen points), for :func:`place_label`."""
    return [np.array([axis.get_start(), axis.get_end()]) for axis in (axes.x_axis, axes.y_axis)]


__all__ = ["nice_range", "make_axes", "curve", "data_dots", "residual_lines", "input_box",
           "tangent_line", "plot_box", "clip_segment", "crossed_by_curve", "overlaps",
           "place_label", "axis_lines", "LABEL_SIDES", "UP"]
