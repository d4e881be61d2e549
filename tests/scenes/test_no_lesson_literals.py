"""Scenes place trace values: no number a shipped lesson displays is typed into scenes/.

Every scene file and kit module is read as Python: each string constant (f-string parts
included) is searched with a regex for every number the shipped lessons put on screen or in a
caption, so "2.61." or "-15.7," inside a sentence is caught as well as a bare 2.61; each numeric
constant is compared, as the display rule would show it, with the lessons' distinctive numbers.
Docstrings and comments are documentation, not values, and are not read.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from bpcore.display import fmt
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.settling import settled_at, step_schedule
from bpcore.lesson.trace import trace_lesson

SCENES = Path(__file__).resolve().parents[2] / "scenes"
SOURCES = sorted(SCENES.rglob("*.py"))
#: Keyword arguments whose numbers are layout, never lesson values (Indicate's 1.05, 1.15).
LAYOUT_KEYWORDS = {"scale_factor"}


@functools.cache
def shown_numbers() -> dict[str, str]:
    """Every number a shipped lesson displays, without its sign -> the lesson that shows it.

    Parameters, data fits, SSR, sweep probes, gradients and step sizes at the states a video
    shows, the chain-rule factors at the start, at the lesson's digits and at 2 (captions
    round some values to 2), plus step counts. Multiples of 0.5 are left out: scenes use them
    for sizes, and the data (0, 0.5, 1) is drawn from the lesson anyway.
    """
    numbers: dict[str, str] = {}
    for path in sorted(LESSONS_DIR.glob("*.yaml")):
        trace = trace_lesson(Lesson.from_file(path))
        lesson, d = trace.lesson, trace.descent
        values = [*lesson.network.values, *trace.start.predicted, trace.start.ssr]
        if trace.sweep is not None:
            values += [*trace.sweep.probe_values, *trace.sweep.probe_ssr]
        for i in sorted({*step_schedule(d.updates), 0, 1, 2, 3, d.updates}):
            values += [*d.params[i], d.ssr[i], *d.predicted[i]]
        for i in (0, 1, d.updates):
            values += [*d.gradient[i], *d.step_size[i]]
        for derivative in trace.chain_at(0).values():
            values += [derivative.total, *derivative.terms]
            values += [v for factor in derivative.factors for v in factor.values]
        for value in values:
            for digits in {lesson.digits, 2}:
                text = fmt(value, digits).lstrip("-")
                if not layout_value(text):
                    numbers.setdefault(text, path.stem)
        settled = settled_at(d, lesson.digits, lesson.descent.min_step_size).values()
        for count in (d.updates, lesson.descent.max_steps, *(s for s in settled if s)):
            if count >= 10:
                numbers.setdefault(str(count), path.stem)
    return numbers


@functools.cache
def patterns() -> list[tuple[str, re.Pattern[str]]]:
    """One regex per shown number: not part of a longer number on either side."""
    return [(n, re.compile(r"(?<![\d.])" + re.escape(n) + r"(?![\d])"))
            for n in sorted(shown_numbers())]


def layout_value(shown: str) -> bool:
    """A round number (a multiple of 0.5) that a scene may use for a size; a number in
    scientific notation (2.14 × 10⁻¹⁰) never is."""
    try:
        value = float(shown)
    except ValueError:
        return False
    return value * 2 == round(value * 2)


def distinctive(text: str) -> bool:
    """At least three significant digits (of the mantissa, in scientific notation): a number a
    layout constant would not hold by chance."""
    return len(re.sub(r"\D", "", text.split(" ")[0]).lstrip("0")) >= 3


def lesson_literals(source: str, name: str = "<scene>") -> list[str]:
    """Where ``source`` types a shipped lesson's number: ``name:line: what``."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))  # a docstring
        if isinstance(node, ast.keyword) and node.arg in LAYOUT_KEYWORDS:
            skipped.add(id(node.value))
    numbers = shown_numbers()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skipped:
            continue
        value = node.value
        if isinstance(value, str):
            for number, pattern in patterns():
                if pattern.search(value):
                    found.append(f"{name}:{node.lineno}: {number} ({numbers[number]}) in "
                                 f"{value!r}")
        elif isinstance(value, int | float) and not isinstance(value, bool) and value:
            text = fmt(abs(value))
            if text in numbers and distinctive(text):
                found.append(f"{name}:{node.lineno}: {value!r} shows as {text} "
                             f"({numbers[text]})")
    return found


def test_the_oracle_covers_every_shipped_lesson() -> None:
    """The numbers checked include each shipped lesson's stated results."""
    numbers = shown_numbers()
    assert {"20.4", "15.7", "1.57", "6.26", "2.19", "2.61", "3.34", "1.22"} <= set(numbers)
    assert {"1.4", "2.58", "1.26", "0.102", "0.504", "0.19"} <= set(numbers)  # three_params
    assert {"1.9", "0.761", "0.967", "7.14", "3.46", "9000"} <= set(numbers)  # all_params
    assert set(numbers.values()) == {p.stem for p in LESSONS_DIR.glob("*.yaml")}


@pytest.mark.parametrize("snippet", [
    'self.say("b3 ends at 2.61.")',
    'self.say(f"the slope is -15.7, so we step")',
    'label = Text("\u22121.57")',
    'self.say(f"{name} = 0.102 after one step")',
    "b3 = 2.6066",
    "steps = 9000",
])
def test_the_guard_catches_typed_numbers(snippet: str) -> None:
    """A lesson number typed into a caption, a label or a constant is reported."""
    assert lesson_literals(snippet), snippet


@pytest.mark.parametrize("snippet", [
    '"""Shows b3 = 2.61 at the end."""',
    'self.say(f"b3 ends at {self.num(final)}.")',
    "self.play(Indicate(table, scale_factor=1.15))",
    "buff = 0.25",
    'self.say("Step 12.5 of 3000")',  # not a shown number: 12.5 is round, 3000 not a count
])
def test_the_guard_lets_layout_and_trace_values_pass(snippet: str) -> None:
    """Docstrings, values taken from the trace and layout numbers are not reported."""
    assert lesson_literals(snippet) == []


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(SCENES)) for p in SOURCES])
def test_no_lesson_number_in_scene_code(path: Path) -> None:
    """No scene file or kit module types a number that a shipped lesson displays."""
    assert lesson_literals(path.read_text(encoding="utf-8"), path.name) == []
