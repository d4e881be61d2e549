"""Scenes place trace values: no lesson number is typed into scenes/ as a literal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bpcore.display import fmt
from bpcore.lesson import LESSONS_DIR, Lesson
from bpcore.trace import trace_lesson

SCENES = Path(__file__).resolve().parents[2] / "scenes"


def distinctive_numbers() -> set[str]:
    """Numbers a scene could only know from a lesson: parameters and b3's trace results.

    Round layout values (0, 0.5, 1, 2, ...) are left out: scenes use them for sizes.
    """
    trace = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))
    values = [*trace.lesson.network.values, trace.start.ssr, *trace.start.predicted,
              *trace.sweep.probe_ssr, *trace.descent.gradient[:2, 0],
              *trace.descent.step_size[:2, 0], *trace.descent.column("b3")[1:],
              trace.descent.final.ssr]
    # The narration also rounds the probes' SSR to two digits ("about 7.8").
    shown = {fmt(v) for v in values} | {fmt(v, 2) for v in trace.sweep.probe_ssr}
    return {s for s in shown if not layout_value(s)}


def layout_value(shown: str) -> bool:
    """A round number (a multiple of 0.5) that a scene may use for a size; a number in
    scientific notation (2.14 × 10⁻¹⁰) never is."""
    try:
        value = float(shown)
    except ValueError:
        return False
    return value * 2 == round(value * 2)


def scene_literals() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(SCENES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
                if not isinstance(node.value, bool):
                    found.append((path.name, node.lineno, str(node.value)))
    return found


def test_the_oracle_is_not_empty() -> None:
    """The set of lesson numbers checked below includes the lesson's stated results."""
    numbers = distinctive_numbers()
    assert {"20.4", "-15.7", "-1.57", "1.57", "-6.26", "2.19", "2.61", "3.34"} <= numbers


@pytest.mark.parametrize("number", sorted(distinctive_numbers()))
def test_no_lesson_number_in_scene_code(number: str) -> None:
    """No numeric constant equals, and no string constant contains, a lesson number."""
    for name, line, literal in scene_literals():
        as_number = literal.lstrip("-").replace(".", "", 1).isdecimal()  # not ⁰¹²
        if as_number:
            assert fmt(float(literal)) != number, f"{name}:{line} holds {literal}"
        else:
            assert number not in literal.split(), f"{name}:{line} mentions {number}"
