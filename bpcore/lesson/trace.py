"""A lesson's complete trace: what every video, caption, slide and export shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpcore.errors import DivergenceError, LessonError
from bpcore.lesson.curvature import curvature, rate_advice
from bpcore.lesson.file import VALUE_LIMIT, Lesson, too_large
from bpcore.model.activations import Array
from bpcore.model.chain import Derivative, Fit, chain_rule, fit
from bpcore.model.descent import Descent, descend
from bpcore.model.network import ForwardTrace, Network, readonly
from bpcore.model.sweep import Sweep, sweep

GRID_SAMPLES = 201


@dataclass(frozen=True, slots=True)
class LessonTrace:
    """Every number a lesson shows, computed once.

    Attributes
    ----------
    lesson : the validated lesson.
    descent : every gradient-descent state; ``descent[0]`` is the start.
    sweep : the SSR curve for the lesson's sweep parameter, if it has one.
    grid : dense inputs spanning the data, for drawing curves.
    """

    lesson: Lesson
    descent: Descent
    sweep: Sweep | None
    grid: Array

    def network_at(self, step: int) -> Network:
        """The network with the parameters of descent state ``step``."""
        return self.lesson.network.with_values(self.descent.params[step])

    def fit_at(self, step: int) -> Fit:
        """Forward pass, residuals and SSR at the data for descent state ``step``."""
        return self.fit_of(self.network_at(step))

    def curves_at(self, step: int) -> ForwardTrace:
        """Forward pass on :attr:`grid` (every curve of the picture) at descent state ``step``."""
        return self.curves_of(self.network_at(step))

    def fit_of(self, network: Network) -> Fit:
        """Forward pass, residuals and SSR of any variant of the lesson's network."""
        return fit(network, self.lesson.x, self.lesson.y)

    def curves_of(self, network: Network) -> ForwardTrace:
        """Forward pass on :attr:`grid` of any variant of the lesson's network."""
        return network.forward(self.grid)

    def activation_curve(self, low: float, high: float, samples: int = 121) -> tuple[Array, Array]:
        """The activation function sampled on ``[low, high]``, for drawing its graph."""
        xs = readonly(np.linspace(low, high, samples))
        return xs, readonly(self.lesson.network.activation(xs))

    def chain_at(self, step: int) -> Mapping[str, Derivative]:
        """Each parameter's chain-rule factors at descent state ``step``."""
        return chain_rule(self.network_at(step), self.lesson.x, self.lesson.y)

    @property
    def start(self) -> Fit:
        return self.fit_at(0)


def trace_lesson(lesson: Lesson) -> LessonTrace:
    """Compute a lesson's trace, every number in it within ``±VALUE_LIMIT``.

    Raises
    ------
    LessonError
        When the start (forward pass, SSR, chain rule, curves) or the sweep leaves
        ``±VALUE_LIMIT``: the message names the lesson number that makes it overflow.
    DivergenceError
        When gradient descent diverges; the message names the lesson file.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> trace = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))
    >>> round(trace.start.ssr, 1), round(trace.descent[0].gradient["b3"], 1)
    (20.4, -15.7)
    >>> trace.sweep.probe_ssr.round(2).tolist()
    [20.42, 7.77, 1.11, 0.46]
    >>> text = LESSONS_DIR.joinpath("b3.yaml").read_text().replace("0.5, 1.0]", "0.5, 1.0e+60]")
    >>> trace_lesson(Lesson.from_text(text, "big.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bpcore.errors.LessonError: big.yaml: data.x[2]: 1e+60 is too large: ...
    """
    grid = readonly(np.linspace(lesson.x.min(), lesson.x.max(), GRID_SAMPLES))
    with np.errstate(all="ignore"):  # overflow is found below and reported as such
        start = lesson.network
        chain = chain_rule(start, lesson.x, lesson.y)
        start_fit = fit(start, lesson.x, lesson.y)
        derived = [*_curves(start.forward(grid)), *_curves(start_fit.forward),
                   start_fit.residuals, start_fit.ssr,
                   *(f.values for d in chain.values() for f in d.factors),
                   *(d.terms for d in chain.values()), *(d.total for d in chain.values())]
    _check(lesson, derived, _network_inputs(lesson))
    settings = lesson.descent
    try:
        descent = descend(lesson.network, lesson.x, lesson.y, lesson.optimize,
                          settings.learning_rate, settings.min_step_size, settings.max_steps,
                          bound=VALUE_LIMIT)
    except DivergenceError as exc:
        lam = curvature(lesson, lesson.network.values)
        advice = f" ({rate_advice(lam)}, judging by SSR's curvature at the start)" \
            if lam > 0 else ""
        raise DivergenceError(f"{lesson.source}: descent.learning_rate: {exc}{advice}") \
            from None
    result = None
    if lesson.sweep is not None:
        # The curve must pass through every point the video puts on it: the probes, and the
        # whole path of the descent point that slides along it.
        low, high = lesson.sweep.range
        covered = list(lesson.sweep.probes)
        if lesson.sweep.param in lesson.optimize:
            covered += descent.column(lesson.sweep.param).tolist()
        if covered:
            low, high = min(low, min(covered)), max(high, max(covered))
        with np.errstate(all="ignore"):
            result = sweep(lesson.network, lesson.x, lesson.y, lesson.sweep.param,
                           np.linspace(low, high, lesson.sweep.samples), lesson.sweep.probes)
        probes = [(f"sweep.probes[{i}]", v) for i, v in enumerate(lesson.sweep.probes)]
        for (key, value), ssr in zip(probes, result.probe_ssr.tolist(), strict=True):
            _check(lesson, [ssr], [(key, value)])
        _check(lesson, [result.values, result.ssr],
               [(f"sweep.range[{i}]", v) for i, v in enumerate(lesson.sweep.range)])
    return LessonTrace(lesson, descent, result, grid)


def _network_inputs(lesson: Lesson) -> list[tuple[str, float]]:
    """The lesson numbers the network's values at the start are made of, with their keys."""
    return [*((f"data.x[{i}]", v) for i, v in enumerate(lesson.x.tolist())),
            *((f"data.y[{i}]", v) for i, v in enumerate(lesson.y.tolist())),
            *((f"network.params.{n}", v) for n, v in lesson.network.params.items())]


def _curves(forward: ForwardTrace) -> list[Array]:
    return [forward.hidden_x, forward.hidden_y, forward.scaled, forward.summed, forward.predicted]


def _check(lesson: Lesson, derived: list[Any], inputs: list[tuple[str, float]]) -> None:
    """Refuse ``derived`` values beyond ``±VALUE_LIMIT``, naming the largest of ``inputs``.

    When finite numbers overflow, the largest of them is the one to make smaller; the
    message names it by its key.
    """
    for value in derived:
        if not np.all(np.abs(value) <= VALUE_LIMIT):  # NaN fails too
            key, culprit = max(inputs, key=lambda item: abs(item[1]))
            raise LessonError(lesson.source, key, too_large(culprit))
