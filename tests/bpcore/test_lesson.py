"""Lesson files: the shipped lessons load as written, and every bad input is refused clearly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml

from bpcore.errors import DivergenceError, LessonError
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import trace_lesson

B3_PARAMS = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}


def test_b3_lesson_loads_as_written():
    """The shipped b3 lesson holds the seed's data, parameters and descent settings."""
    lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    assert lesson.title == "Backpropagation main ideas: optimizing b3"
    assert lesson.scene == "b3"
    assert lesson.x.tolist() == [0.0, 0.5, 1.0]
    assert lesson.y.tolist() == [0.0, 1.0, 0.0]
    assert lesson.network.activation.name == "softplus"
    assert dict(lesson.network.params) == B3_PARAMS
    assert lesson.optimize == ("b3",)
    assert (lesson.descent.learning_rate, lesson.descent.min_step_size,
            lesson.descent.max_steps) == (0.1, 0.001, 1000)
    assert lesson.sweep is not None
    assert (lesson.sweep.param, lesson.sweep.range, lesson.sweep.probes) == (
        "b3", (0.0, 3.0), (0.0, 1.0, 2.0, 3.0))
    assert lesson.source == str(LESSONS_DIR / "b3.yaml")


@pytest.mark.parametrize("name", ["b3", "three_params", "all_params"])
def test_every_shipped_lesson_loads_and_names_its_scene(name):
    """Each shipped lesson validates, and its scene name is the file's name."""
    lesson = Lesson.from_file(LESSONS_DIR / f"{name}.yaml")
    assert lesson.scene == name
    assert lesson.network.hidden == 2
    assert set(lesson.optimize) <= set(lesson.network.names)


def test_from_text_and_from_file_agree():
    """Loading a lesson from its text gives the same lesson as loading the file."""
    path = LESSONS_DIR / "three_params.yaml"
    from_file = Lesson.from_file(path)
    from_text = Lesson.from_text(path.read_text(encoding="utf-8"), source=str(path))
    assert from_text.network.params == from_file.network.params
    assert from_text.digest == from_file.digest != ""
    assert np.array_equal(from_text.x, from_file.x)


def test_optimize_is_kept_in_canonical_order():
    """An optimize list in any order is stored in the canonical parameter order."""
    data = yaml.safe_load((LESSONS_DIR / "b3.yaml").read_text())
    data["optimize"] = ["b3", "w1", "w4"]
    assert Lesson.from_text(yaml.safe_dump(data)).optimize == ("w1", "w4", "b3")


def test_optional_keys_have_defaults():
    """A lesson without scene, sweep, labels or step settings gets the documented defaults."""
    text = """
title: Minimal
data: {x: [0, 1], y: [1, 0]}
network: {activation: relu, params: {w1: 1, w2: 1, b1: 0, b2: 0}}
optimize: b2
descent: {learning_rate: 0.1}
"""
    lesson = Lesson.from_text(text)
    assert lesson.network.hidden == 1
    assert lesson.optimize == ("b2",)
    assert lesson.sweep is None
    assert (lesson.descent.min_step_size, lesson.descent.max_steps) == (0.001, 1000)


@pytest.mark.parametrize("k", [1, 3, 4])
def test_any_number_of_hidden_nodes_is_accepted(k):
    """Parameters w1..w2k, b1..b(k+1) make a lesson with k hidden nodes."""
    params = {f"w{i}": 0.5 for i in range(1, 2 * k + 1)} | {f"b{i}": 0.0 for i in range(1, k + 2)}
    data = {"title": "k nodes", "data": {"x": [0, 1], "y": [0, 1]},
            "network": {"activation": "sigmoid", "params": params},
            "optimize": [f"b{k + 1}"], "descent": {"learning_rate": 0.1}}
    assert Lesson.from_text(yaml.safe_dump(data)).network.hidden == k


def test_lesson_is_immutable():
    """A lesson's fields cannot be reassigned and its arrays cannot be written."""
    lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson.title = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson.descent.learning_rate = 1.0  # type: ignore[misc]
    for array in (lesson.x, lesson.y, lesson.network.values):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 99.0
    with pytest.raises(TypeError):
        lesson.network.params["b3"] = 1.0  # type: ignore[index]


def test_bad_lesson_is_refused_with_file_key_and_expectation(bad_lesson):
    """Each bad input raises an error naming the file, the key path and what was expected."""
    case, path = bad_lesson
    if case.diverges or case.overflows:
        lesson = Lesson.from_file(path)  # valid as a file: the trace is what fails
        with pytest.raises(DivergenceError if case.diverges else LessonError) as info:
            trace_lesson(lesson)
    else:
        with pytest.raises(LessonError) as info:
            Lesson.from_file(path)
        assert info.value.source == str(path)
        assert info.value.key.startswith(case.key)
    message = str(info.value)
    assert message.startswith(f"{path}: {case.key}")
    for words in case.expect:
        assert words in message


def test_yaml_syntax_error_names_line_and_column():
    """A YAML syntax error names the line and column where parsing failed."""
    with pytest.raises(LessonError, match=r"lesson.yaml: line 2, column \d+: YAML syntax error"):
        Lesson.from_text("title: ok\ndata: x: 1\n", source="lesson.yaml")


def test_exponent_without_dot_gets_a_hint():
    """A number YAML 1.1 reads as text (1e-2) is refused with a hint on how to write it."""
    text = (LESSONS_DIR / "b3.yaml").read_text()
    text = text.replace("learning_rate: 0.1", "learning_rate: 1e-2")
    with pytest.raises(LessonError, match=r"learning_rate: expected a number.*plain decimal"):
        Lesson.from_text(text)


def test_integer_too_large_for_a_float_is_refused():
    """An integer with hundreds of digits is a lesson error, not an OverflowError."""
    text = (LESSONS_DIR / "b3.yaml").read_text().replace("b3: 0.0}", "b3: 1" + "0" * 400 + "}")
    with pytest.raises(LessonError, match="network.params.b3: expected a finite number"):
        Lesson.from_text(text)


def test_unreadable_path_is_a_lesson_error(tmp_path):
    """A directory given as a lesson file is refused with a LessonError naming it."""
    with pytest.raises(LessonError, match="is a directory"):
        Lesson.from_file(tmp_path)
