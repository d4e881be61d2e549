"""kit/screen.py: what a lesson scene shows, measured as a viewer would see it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from manim import WHITE, Camera, FadeOut, Indicate, MathTex, Square, Text, Write, tempconfig

from bpcore.lesson.file import LESSONS_DIR, Lesson

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.beats import FadeAway  # noqa: E402
from kit.inplace import Reframe  # noqa: E402
from kit.network import NetworkDiagram  # noqa: E402
from kit.numerals import numeral  # noqa: E402
from kit.plots import make_axes  # noqa: E402
from kit.screen import (  # noqa: E402
    SMALLEST_DIGIT_PX,
    Clearing,
    Legibility,
    carry_texts,
    digit_height,
    empties,
    legible,
    on_screen,
    text_members,
)
from kit.text import words  # noqa: E402

INK = "#000000"


def drawn_height_px(mobject) -> int:
    """How many pixel rows of a 1080p frame the mobject inks."""
    camera = Camera()
    camera.capture_mobject(mobject)
    rows = np.where((np.array(camera.get_image().convert("L")) < 128).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize("make", [
    lambda: Text("0", font_size=20, color=INK),
    lambda: MathTex("0", font_size=30, color=INK),
    lambda: words("0", INK, size=20),
    lambda: numeral("0", INK, size=20),
], ids=["Text", "MathTex", "words", "numeral"])
def test_digit_height_is_what_the_frame_shows(make) -> None:
    """A digit's measured height, after the text is scaled, is the height it is drawn at in a
    1080p frame (within 2 px)."""
    with tempconfig({"pixel_height": 1080, "pixel_width": 1920, "background_color": WHITE}):
        digit = make().scale(0.7)
        assert abs(digit_height(digit) * 1080 / 8 - drawn_height_px(digit)) <= 2


def test_legibility_finds_the_smallest_text_and_what_leaves_the_frame() -> None:
    """The record names the smallest text and every text reaching past the frame's edge."""
    big, small = Text("big 12", font_size=40), Text("small 3", font_size=10)
    gone = Text("off 4", font_size=30).move_to([7.5, 0, 0])
    seen = Legibility().seen([big, small, gone], 14.222, 8.0)
    assert seen.smallest == "small 3" and seen.outside == frozenset({"off 4"})


def test_a_transformed_text_shows_its_target() -> None:
    """After Transform(a, b) leaves a on screen, a shows b's text, at b's size."""
    from manim import Transform

    old, new = Text("1.5", font_size=20), Text("2.61", font_size=40)
    animation = Transform(old, new)
    animation.begin()
    animation.finish()
    carry_texts([animation])
    assert on_screen([old]) == {"2.61"}
    assert digit_height(old) == pytest.approx(digit_height(new), rel=0.01)


def test_a_fade_of_everything_empties_the_screen_and_waits_to_join_the_next_play() -> None:
    """Fading out every mobject empties the screen; the fade then joins a play that draws
    something new, done within its own time, but not one that touches what is leaving."""
    a, b, c = Square(), Square(), Square()
    assert empties([a, b], [FadeAway(a, b)])
    assert not empties([a, b], [FadeOut(a)])
    assert not empties([a, b], [FadeAway(a, b), Write(c)])
    clearing = Clearing((FadeAway(a, b, run_time=1.0),))
    assert clearing.can_join([Write(c)], {})
    assert not clearing.can_join([Indicate(a)], {})
    joined = clearing.joined(4.0)
    assert joined[0].run_time == 4.0 and joined[0].rate_func(0.25) == pytest.approx(1.0)


def test_a_scaled_down_plot_keeps_its_words_legible() -> None:
    """legible(): after a plot shrinks, every tick number and axis title reads at
    SMALLEST_DIGIT_PX again, and a tick number keeps its edge towards the axis."""
    axes = make_axes((0.0, 1.0, 0.25), (-3.0, 3.0, 1.0), 4.7, 5.8, "Dosage", "Effectiveness")
    axes.scale(0.6)
    px = 1080 / 8.0
    assert min(digit_height(t) * px for t in text_members(axes)) < 17
    number = axes.x_axis.numbers[0]
    top = number.get_top()[1]
    legible(axes)
    sizes = [digit_height(t) * px for t in text_members(axes)]
    assert min(sizes) == pytest.approx(SMALLEST_DIGIT_PX)
    assert number.get_top()[1] == pytest.approx(top)


def test_reframe_stops_words_at_the_legible_size() -> None:
    """Reframe: a diagram shrunk into a corner keeps its input and output names legible,
    and the name under the input node stays under it."""
    diagram = NetworkDiagram(Lesson.from_file(LESSONS_DIR / "b3.yaml").network)
    animation = Reframe.to(diagram, width=diagram.width * 0.5)
    animation.begin()
    animation.interpolate(1.0)
    for text in (diagram.input_text, diagram.output_text):
        assert digit_height(text) * 1080 / 8.0 == pytest.approx(SMALLEST_DIGIT_PX)
    node = diagram.input_node
    assert diagram.input_text.get_top()[1] < node.get_bottom()[1]
    assert abs(diagram.input_text.get_x() - node.get_x()) < 1e-6
