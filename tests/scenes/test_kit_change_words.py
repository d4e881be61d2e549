"""What the narration says a step did: its words follow the numbers as shown, whatever the
lesson (a teacher's step may raise SSR, or be too small to show)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bpcore.display import fmt

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.lesson_scene import LessonScene  # noqa: E402


@pytest.fixture
def scene() -> SimpleNamespace:
    """The three methods on a stand-in showing 3 significant digits, as a lesson does."""
    stub = SimpleNamespace(num=lambda value: fmt(value, 3))
    for name in ("trend", "ssr_change", "moves"):
        setattr(stub, name, getattr(LessonScene, name).__get__(stub))
    return stub


@pytest.mark.parametrize("before, after, trend", [
    (20.4, 7.77, -1), (7.77, 20.4, 1),
    (3844.2, 3843.9, 0),  # both show as 3844
    (3844.2, 3844.9, 1),  # 3844 -> 3845: a rise that shows
    (1.0, 1.0 - 1e-12, 0),  # lower in floating point, not on screen
])
def test_the_trend_is_that_of_the_shown_numbers(scene, before, after, trend) -> None:
    assert scene.trend(before, after) == trend


def test_ssr_words_match_the_direction(scene) -> None:
    """Falling SSR is said to fall; a rise in one step is called too long a step; a change
    too small to show is said to be one."""
    assert scene.ssr_change(20.4, 7.77) == "SSR falls from 20.4 to 7.77"
    rise = scene.ssr_change(7.77, 20.4)
    assert rise.startswith("SSR rises from 7.77 to 20.4") and "too far" in rise
    assert "too far" not in scene.ssr_change(7.77, 20.4, one_step=False)
    assert scene.ssr_change(3844.2, 3843.9) == "SSR stays at 3844 to the digits shown"


def test_a_parameter_that_moves_too_little_is_not_said_to_go_anywhere(scene) -> None:
    assert scene.moves("w1", 1.57, 2.19) == "w1 goes from 1.57 to 2.19"
    assert "goes from" not in scene.moves("w1", 2.74, 2.7400003)
    assert scene.moves("w1", 2.74, 2.7400003).endswith("still reads 2.74")
