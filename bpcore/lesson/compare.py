"""Does one lesson's fit land on another lesson's values? The series' punchline, as a record.

The all_params lesson fits every parameter from a random start; run long enough at a small
learning rate it ends on the values the b3 lesson works with (its six fixed parameters and the
b3 that its own descent finds). A scene says so only when :attr:`Comparison.agrees`, so another
lesson never claims a landing it did not make; and it compares only fits of the same data with
the same activation, since values fitted to other data say nothing about these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.model.activations import Array
from bpcore.model.network import readonly


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two sets of parameter values, side by side.

    Attributes
    ----------
    names : the parameter names, canonical order; empty when there is nothing to compare: the
        two networks differ in shape (other names), or fit other data.
    values : this lesson's values, one per name.
    reference : the other lesson's values, one per name.
    decimals : the values agree when each pair differs by at most half a unit in this decimal
        place (``decimals=2``: 0.005), "the same to 2 decimals".
    reference_title : what the other lesson is called, for captions.
    """

    names: tuple[str, ...]
    values: Array
    reference: Array
    decimals: int
    reference_title: str = ""

    @property
    def comparable(self) -> bool:
        """Both networks have the same parameters."""
        return bool(self.names)

    @property
    def tolerance(self) -> float:
        return 0.5 * 10.0 ** -self.decimals

    @property
    def differences(self) -> Array:
        """``values - reference``, one per name."""
        return readonly(self.values - self.reference)

    @property
    def largest_difference(self) -> float:
        """The largest ``|values - reference|``; infinite when not comparable."""
        return float(np.max(np.abs(self.differences))) if self.comparable else float("inf")

    @property
    def agrees(self) -> bool:
        """Every value is within :attr:`tolerance` of the reference."""
        # A hair of slack so that a difference of exactly half a unit, written in binary,
        # still counts.
        return self.comparable and self.largest_difference <= self.tolerance * (1 + 1e-9)


def compare_params(
    values: Mapping[str, float], reference: Mapping[str, float], decimals: int = 2,
    reference_title: str = "",
) -> Comparison:
    """Compare two parameter sets by name.

    Examples
    --------
    >>> c = compare_params({"w1": 3.338, "b1": -1.426}, {"w1": 3.34, "b1": -1.43})
    >>> c.agrees, round(c.largest_difference, 3)
    (True, 0.004)
    >>> compare_params({"w1": 3.338}, {"w1": 3.35}).agrees
    False
    >>> compare_params({"w1": 1.0}, {"w2": 1.0}).comparable
    False
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if set(values) != set(reference):
        empty = readonly(np.zeros(0))
        return Comparison((), empty, empty, decimals, reference_title)
    names = tuple(values)
    return Comparison(names, readonly([values[n] for n in names]),
                      readonly([reference[n] for n in names]), decimals, reference_title)


def final_values(trace: LessonTrace) -> Mapping[str, float]:
    """The values a lesson ends with: its fixed parameters and what descent found for the rest."""
    return trace.descent.final.params


def compare_to_lesson(trace: LessonTrace, other: str | Path, decimals: int = 2) -> Comparison:
    """Compare where ``trace``'s descent ends with the values lesson file ``other`` ends with.

    The two are comparable only when both fit the same data (x and y) with the same activation
    and the same parameters.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> ours = trace_lesson(Lesson.from_file(LESSONS_DIR / "all_params.yaml"))
    >>> c = compare_to_lesson(ours, LESSONS_DIR / "b3.yaml")
    >>> c.agrees, c.names
    (True, ('w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3'))
    >>> c.reference.round(2).tolist()
    [3.34, -3.53, -1.22, -2.3, -1.43, 0.57, 2.61]
    """
    reference = trace_lesson(Lesson.from_file(other))
    ours, theirs = trace.lesson, reference.lesson
    same_problem = (ours.network.activation.name == theirs.network.activation.name
                    and np.array_equal(ours.x, theirs.x) and np.array_equal(ours.y, theirs.y))
    # With nothing on the reference side, the names differ: not comparable.
    theirs_values = final_values(reference) if same_problem else {}
    return compare_params(final_values(trace), theirs_values, decimals, reference.lesson.title)
