"""SSR by descent step: the plot that shows gradient descent making the fit better.

The curve is drawn through the trace's SSR at every step, once; a marker rides along it and a
trail grows behind the marker, one piece per animated jump. Nothing is recomputed per frame.
On a log scale (``log=True``, or automatically when SSR falls by more than a factor of 100)
the y axis is labelled in powers of ten (Pango superscripts: no LaTeX run per label).
"""

from __future__ import annotations

import numpy as np
from manim import LEFT, UR, Animation, Create, Dot, MarkupText, VGroup, VMobject

from bpcore.display import LOG_FLOOR, LOG_RATIO, wants_log
from kit.plots import make_axes, nice_range
from kit.style import FONT, INK, SMALL_SIZE, SSR_CURVE, TEXT_SCALE
from kit.text import MINUS, words

#: A piece of the curve keeps a state only this far (scene units, a pixel at 1080p) from the
#: last one kept: thousands of steps crowd into a few pixels, and every corner drawn costs a
#: cairo call on every frame the piece is animated.
MIN_GAP = 0.0075


def log_ticks(low: float, high: float, most: int = 7) -> tuple[float, float, float]:
    """A decade range ``(low, high, step)`` in log10 units, with at most ``most`` ticks.

    Examples
    --------
    >>> log_ticks(-9.7, 0.15)
    (-10.0, 2.0, 2.0)
    >>> log_ticks(-20.5, 1.0)
    (-24.0, 4.0, 4.0)
    >>> log_ticks(-1.2, 0.3)
    (-2.0, 1.0, 1.0)
    """
    lo, hi = np.floor(low), np.ceil(high)
    step = 1.0
    while (hi - lo) / step + 1 > most:
        step += 1.0
    lo = np.floor(lo / step) * step
    hi = np.ceil(hi / step) * step
    return float(lo), float(hi), float(step)


def thin(points: np.ndarray, gap: float) -> np.ndarray:
    """``points`` without those closer than ``gap`` to the previous one kept; the first and
    last always stay.

    Examples
    --------
    >>> thin(np.array([[0, 0, 0], [0.001, 0, 0], [0.5, 0, 0], [0.501, 0, 0]]), 0.01)[:, 0]
    array([0.   , 0.5  , 0.501])
    """
    if len(points) <= 2:
        return points
    kept, last = [0], points[0]
    for i in range(1, len(points) - 1):
        if np.hypot(*(points[i, :2] - last[:2])) >= gap:
            kept.append(i)
            last = points[i]
    kept.append(len(points) - 1)
    return points[kept]


class SSRByStep(VGroup):
    """SSR against the descent step, with a marker at the current step.

    Named parts: ``axes``, ``trail`` (the pink curve drawn so far), ``marker`` (a dot at the
    current step). ``current`` is the step the marker sits on.

    Parameters
    ----------
    ssr : SSR at every descent state (``trace.descent.ssr``); state ``i`` is step ``i``.
    width, height : the axes' size on screen.
    log : log scale for SSR; ``None`` picks it when SSR falls by more than ``LOG_RATIO``.
    start : the starting SSR as the scene writes it, labelled beside the first point (the
        value the narration compares the end with); none when empty.
    """

    def __init__(self, ssr, width: float = 5.0, height: float = 3.0,
                 log: bool | None = None, x_label: str = "Step", y_label: str = "SSR",
                 start: str = "") -> None:
        super().__init__()
        ssr = np.asarray(ssr, dtype=float)
        self.log = wants_log(ssr) if log is None else log
        steps = np.arange(ssr.size, dtype=float)
        last = max(ssr.size - 1, 1)
        x_range = nice_range([0.0, float(last)], ticks=4)
        if self.log:
            # Decades above the lowest tick, so the step axis sits at the bottom of the plot.
            logs = np.log10(np.maximum(ssr, ssr.max() * LOG_FLOOR))
            low, high, step = log_ticks(float(logs.min()), float(logs.max()))
            self.lowest_decade = low
            shown = logs - low
            y_range = (0.0, high - low, step)
        else:
            shown = ssr
            y_range = nice_range([0.0, float(ssr.max())], ticks=4)
        self.axes = make_axes(x_range, y_range, width, height, x_label, y_label)
        if self.log:
            self._label_decades(y_range)
        #: every state's (step, plotted SSR) in axis coordinates, computed once; placed on
        #: screen when used, so the plot can move
        self.coords = np.column_stack([steps, shown])
        self.current = 0
        self.trail = VGroup()
        self.marker = Dot(self.point(0), radius=0.08, color=INK).set_z_index(1)
        self.add(self.axes, self.trail, self.marker)
        if start:
            self.start_label = words(start, size=(SMALL_SIZE + 2) * TEXT_SCALE)
            # Above and right of the first point: clear of the y axis's tick there, and of
            # the curve, which runs right of it and falls.
            self.start_label.next_to(self.point(0), UR, buff=0.08)
            self.add(self.start_label)

    def _label_decades(self, y_range) -> None:
        """Replace the y axis's plain numbers by powers of ten."""
        numbers = getattr(self.axes.y_axis, "numbers", None)
        if numbers is not None:  # held by the axis line or by the axes (kit.plots)
            self.axes.y_axis.remove(numbers)
            self.axes.remove(numbers)
        _, top, step = y_range
        labels = VGroup()
        for above in np.arange(0.0, top + step / 2, step):
            power = int(round(self.lowest_decade + above))
            exponent = str(power).replace("-", MINUS)
            label = MarkupText(f"10<sup>{exponent}</sup>", font=FONT, color=INK,
                               font_size=(SMALL_SIZE + 2) * TEXT_SCALE)
            label.next_to(self.axes.c2p(0, above), LEFT, buff=0.15)
            labels.add(label)
        self.decades = labels
        self.axes.add(labels)

    def point(self, step: int) -> np.ndarray:
        """Where state ``step`` sits on the plot."""
        return self.axes.coords_to_point(*self.coords[step])

    def piece(self, start: int, end: int) -> VMobject:
        """The curve from state ``start`` to state ``end``, through every state between that
        lies at least ``MIN_GAP`` from the last one kept (and always through both ends)."""
        if end <= start:  # nothing to draw: a dot-sized piece keeps the trail's shape simple
            points = np.array([self.point(end), self.point(end)])
        else:
            points = thin(self.axes.coords_to_point(self.coords[start : end + 1]), MIN_GAP)
        return VMobject(stroke_color=SSR_CURVE, stroke_width=4).set_points_as_corners(points)

    def advance_to(self, step: int) -> list[Animation]:
        """Animations that draw the curve up to ``step`` and move the marker there."""
        start, self.current = self.current, step
        piece = self.piece(start, step)
        self.trail.add(piece)
        return [Create(piece), self.marker.animate.move_to(self.point(step))]

    def jump_to(self, step: int) -> None:
        """Draw up to ``step`` and move the marker there at once (no animation)."""
        self.trail.add(self.piece(self.current, step))
        self.current = step
        self.marker.move_to(self.point(step))


__all__ = ["SSRByStep", "wants_log", "log_ticks", "thin", "LOG_RATIO", "LOG_FLOOR", "MIN_GAP"]
