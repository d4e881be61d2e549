"""Shared fixtures for the bpcore tests: the shipped lessons and a catalogue of bad lesson files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bpcore.lesson.file import LESSONS_DIR

B3_PATH = LESSONS_DIR / "b3.yaml"


def b3_dict() -> dict[str, Any]:
    """The shipped b3 lesson as plain data, to be edited into bad variants."""
    return yaml.safe_load(B3_PATH.read_text(encoding="utf-8"))


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def edited(edit: Callable[[dict[str, Any]], Any]) -> str:
    """The b3 lesson as YAML text after ``edit`` changed its data in place."""
    data = b3_dict()
    edit(data)
    return dump(data)


@dataclass(frozen=True)
class BadLesson:
    """A lesson file that must be refused, and what the message must say.

    ``text`` is None for a file that does not exist. ``key`` is the key path the message must
    name ("" when the problem is the whole file) and ``expect`` words it must contain.
    """

    id: str
    text: str | None
    key: str
    expect: tuple[str, ...]
    diverges: bool = False  # refused by the trace (descent), not by loading
    overflows: bool = False  # refused by the trace (derived values overflow), not by loading


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            data = data[p]
        data[last] = value

    return edit


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            data = data[p]
        del data[last]

    return edit


def _rename(path: str, new: str) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            data = data[p]
        data[new] = data.pop(last)

    return edit


def _all(*edits: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        for one in edits:
            one(data)

    return edit


BAD_LESSONS = [
    BadLesson("unknown-top-level-key", edited(_set("colour", "pink")), "colour",
              ("unknown key",)),
    BadLesson("typo-in-descent", edited(_rename("descent.learning_rate", "learning_rat")),
              "descent.learning_rat", ("unknown key", "did you mean 'learning_rate'")),
    BadLesson("string-for-number", edited(_set("network.params.w1", "3.34")),
              "network.params.w1", ("expected a number", "'3.34' (a string)")),
    BadLesson("boolean-for-number", edited(_set("descent.learning_rate", True)),
              "descent.learning_rate", ("expected a number", "boolean")),
    BadLesson("nan", edited(_set("data.y", [0.0, float("nan"), 0.0])), "data.y[1]",
              ("expected a finite number",)),
    BadLesson("inf", edited(_set("network.params.b3", float("inf"))), "network.params.b3",
              ("expected a finite number",)),
    BadLesson("x-y-lengths", edited(_set("data.y", [0.0, 1.0])), "data.y",
              ("expected as many values as data.x (3)", "got 2")),
    BadLesson("missing-parameter", edited(_delete("network.params.w4")), "network.params.w4",
              ("missing", "w1, w2, w3, w4, b1, b2, b3")),
    BadLesson("missing-output-bias", edited(_delete("network.params.b3")), "network.params.b3",
              ("missing",)),
    BadLesson("unknown-parameter", edited(_set("network.params.w9", 1.0)), "network.params.w9",
              ("unknown parameter", "w1, w2, w3, w4, b1, b2, b3")),
    BadLesson("optimize-not-a-parameter", edited(_set("optimize", ["b3", "b4"])), "optimize[1]",
              ("'b4' is not a parameter",)),
    BadLesson("unknown-activation", edited(_set("network.activation", "tanh")),
              "network.activation", ("expected one of softplus, relu, sigmoid", "'tanh'")),
    BadLesson("learning-rate-zero", edited(_set("descent.learning_rate", 0)),
              "descent.learning_rate", ("expected a number > 0", "got 0")),
    BadLesson("learning-rate-negative", edited(_set("descent.learning_rate", -0.1)),
              "descent.learning_rate", ("expected a number > 0", "got -0.1")),
    BadLesson("absurd-max-steps", edited(_set("descent.max_steps", 5_000_000)),
              "descent.max_steps", ("expected a whole number from 1 to 1,000,000",)),
    BadLesson("fractional-max-steps", edited(_set("descent.max_steps", 10.5)),
              "descent.max_steps", ("expected a whole number",)),
    BadLesson("negative-min-step-size", edited(_set("descent.min_step_size", -1.0)),
              "descent.min_step_size", ("expected a number >= 0",)),
    BadLesson("sweep-not-a-parameter", edited(_set("sweep.param", "b7")), "sweep.param",
              ("'b7' is not a parameter",)),
    BadLesson("top-level-list", "- title\n- data\n", "(top level)", ("expected a mapping",)),
    BadLesson("missing-key", edited(_delete("descent")), "descent",
              ("missing", "learning_rate")),
    BadLesson("empty-file", "", "", ("empty", "expected a lesson mapping")),
    BadLesson("yaml-syntax-error", "title: [unclosed\ndata: {x: [0, 1]\n", "line",
              ("YAML syntax error",)),
    BadLesson("missing-file", None, "", ("no such file",)),
    BadLesson("sweep-range-reversed", edited(_set("sweep.range", [3.0, 0.0])), "sweep.range",
              ("expected [low, high] with low < high", "[3.0, 0.0]")),
    BadLesson("sweep-range-empty", edited(_set("sweep.range", [1.0, 1.0])), "sweep.range",
              ("expected [low, high] with low < high",)),
    BadLesson("one-distinct-x", edited(_set("data.x", [0.5, 0.5, 0.5])), "data.x",
              ("expected at least two different x values",)),
    BadLesson("optimize-twice", edited(_set("optimize", ["b3", "w3", "b3"])), "optimize",
              ("expected each parameter at most once",)),
    BadLesson("digits-zero", edited(_set("display", {"digits": 0})), "display.digits",
              ("expected a whole number from 1 to 8", "got 0")),
    BadLesson("digits-too-many", edited(_set("display", {"digits": 9})), "display.digits",
              ("expected a whole number from 1 to 8", "got 9")),
    BadLesson("too-many-points", edited(_set("data", {"x": [i / 200 for i in range(101)],
                                                      "y": [0.0] * 101})),
              "data.x", ("expected at most 100 numbers, got 101", "a plot")),
    BadLesson("too-many-probes", edited(_set("sweep.probes", [1.0] * 150)), "sweep.probes",
              ("expected at most 100 numbers, got 150", "each probe is a point")),
    BadLesson("too-many-hidden-nodes", edited(_set("network.params", {
        **{f"w{i}": 1.0 for i in range(1, 19)}, **{f"b{i}": 0.0 for i in range(1, 11)}})),
              "network.params", ("1 to 8 hidden nodes", "cannot show more")),
    BadLesson("trace-too-big", edited(_all(_set("data", {"x": [i / 60 for i in range(60)],
                                                         "y": [0.0] * 60}),
                                           _set("descent.max_steps", 1_000_000))),
              "descent.max_steps", ("numbers a trace may keep", "expected at most")),
    BadLesson("x-span-too-narrow", edited(_set("data.x", [0.0, 1e-9, 2e-9])), "data.x",
              ("span only 2e-09", "at least 1e-06")),
    BadLesson("control-character-title", edited(_set("title", "two\nlines")), "title",
              ("expected text on one line",)),
    BadLesson("huge-number", edited(_set("data.x", [0.0, 0.5, -1e308])), "data.x[2]",
              ("-1e+308 is too large", "the network's values overflow")),
    BadLesson("overflowing-product", edited(_set("data.x", [0.0, 0.5, 3e60])), "data.x[2]",
              ("3e+60 is too large", "the network's values overflow"), overflows=True),
    BadLesson("overflowing-sweep", edited(_set("sweep.range", [0.0, 1e60])), "sweep.range[1]",
              ("1e+60 is too large", "the network's values overflow"), overflows=True),
    BadLesson("diverging-learning-rate", edited(_set("descent.learning_rate", 100)),
              "descent.learning_rate", ("diverged", "learning rate 100"), diverges=True),
]


@pytest.fixture(params=BAD_LESSONS, ids=[case.id for case in BAD_LESSONS])
def bad_lesson(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[BadLesson, Path]:
    """Each bad lesson in turn, written to ``tmp_path`` (or a path that does not exist)."""
    case: BadLesson = request.param
    path = tmp_path / f"{case.id}.yaml"
    if case.text is not None:
        path.write_text(case.text, encoding="utf-8")
    return case, path


@pytest.fixture
def lesson_path() -> Callable[[str], Path]:
    """The path of a shipped lesson by name (b3, three_params, all_params)."""
    return lambda name: LESSONS_DIR / f"{name}.yaml"
