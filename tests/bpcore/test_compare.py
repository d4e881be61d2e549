"""Comparing where one lesson's descent ends with another lesson's values."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from bpcore.lesson.compare import compare_params, compare_to_lesson, final_values
from bpcore.lesson.file import LESSONS_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))
from traces import traced  # noqa: E402

# Oracle from ../shared/reference-numbers.md: the b3 lesson's seven values (its six fixed ones
# and the b3 its descent finds), which the all_params lesson reaches to 2 decimals.
B3_LESSON_VALUES = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30,
                    "b3": 2.61}


def test_all_params_lands_on_the_b3_lessons_values():
    """After 9000 steps at learning rate 0.01 the seven values agree with the b3 lesson's to 2
    decimals, and the reference side holds exactly those values."""
    c = compare_to_lesson(traced("all_params"), LESSONS_DIR / "b3.yaml")
    assert c.comparable and c.agrees
    assert dict(zip(c.names, c.reference.round(2).tolist(), strict=True)) == B3_LESSON_VALUES
    assert c.largest_difference < 0.005
    assert c.reference_title == traced("b3").lesson.title


def test_the_reference_is_where_the_b3_lesson_ends_not_where_it_starts():
    """The b3 lesson's b3 is the value its descent finds (about 2.61), not its start (0)."""
    c = compare_to_lesson(traced("all_params"), LESSONS_DIR / "b3.yaml")
    b3 = c.reference[c.names.index("b3")]
    assert b3 == pytest.approx(traced("b3").descent.final.params["b3"])
    assert b3 != traced("b3").lesson.network.params["b3"]


def test_a_short_run_does_not_claim_the_landing():
    """Stopped after 100 steps, the all_params fit is far from the b3 lesson's values."""
    c = compare_to_lesson(traced("all_params", max_steps=100), LESSONS_DIR / "b3.yaml")
    assert c.comparable and not c.agrees
    assert c.largest_difference > 1


def test_the_larger_learning_rate_finds_another_fit():
    """At learning rate 0.1 descent reaches a different zero-SSR fit: no landing."""
    c = compare_to_lesson(traced("all_params", learning_rate=0.1, max_steps=8000),
                          LESSONS_DIR / "b3.yaml")
    assert not c.agrees


def test_networks_of_another_shape_are_not_comparable():
    """Parameter sets with different names never agree, whatever the values."""
    c = compare_params({"w1": 1.0, "b1": 0.0, "b2": 0.0, "w2": 1.0}, B3_LESSON_VALUES)
    assert not c.comparable and not c.agrees
    assert c.largest_difference == np.inf


@pytest.mark.parametrize("change", ["y", "x", "activation"])
def test_fits_of_other_data_are_not_comparable(change):
    """A lesson fitting other data (or with another activation) is never compared with the b3
    lesson's values, even when it starts and ends exactly where all_params does."""
    ours = traced("all_params")
    lesson = ours.lesson
    if change == "activation":
        from bpcore.model.activations import ACTIVATIONS
        other = next(a for a in ACTIVATIONS.values() if a.name != lesson.network.activation.name)
        network = dataclasses.replace(lesson.network, activation=other)
        lesson = dataclasses.replace(lesson, network=network)
    else:
        moved = getattr(lesson, change).copy()
        moved[-1] += 0.5
        lesson = dataclasses.replace(lesson, **{change: moved})
    # The descent is all_params' own: only the problem differs.
    c = compare_to_lesson(dataclasses.replace(ours, lesson=lesson), LESSONS_DIR / "b3.yaml")
    assert not c.comparable and not c.agrees


@pytest.mark.parametrize("decimals,gap,agrees", [(2, 0.0049, True), (2, 0.0051, False),
                                                 (1, 0.049, True), (3, 0.0006, False),
                                                 (2, 0.005, True)])
def test_tolerance_is_half_a_unit_of_the_last_decimal(decimals, gap, agrees):
    """Values agree to d decimals when each differs by at most 0.5 * 10^-d."""
    ref = {"w1": 1.0, "b1": -2.0}
    c = compare_params({"w1": 1.0 + gap, "b1": -2.0}, ref, decimals)
    assert c.agrees is agrees


def test_final_values_keep_the_fixed_parameters():
    """A lesson's final values hold its fixed parameters unchanged and the fitted ones moved."""
    t = traced("b3")
    values = final_values(t)
    for name in ("w1", "b1", "w2", "b2", "w3", "w4"):
        assert values[name] == t.lesson.network.params[name]
    assert values["b3"] == t.descent.final.params["b3"]


def test_negative_decimals_are_refused():
    """A negative number of decimals is a programming error."""
    with pytest.raises(ValueError, match="decimals"):
        compare_params({"w1": 1.0}, {"w1": 1.0}, decimals=-1)
