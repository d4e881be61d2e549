"""kit.redraw: redrawing only what moves changes no pixel, and really redraws less."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    MoveAlongPath,
    NumberLine,
    Rotate,
    Scene,
    Square,
    Text,
    Transform,
    VGroup,
    VMobject,
    Write,
    tempconfig,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.beats import FadeAway, Swap  # noqa: E402
from kit.redraw import RedrawWhatMoves, animation_boxes, moving_mobjects  # noqa: E402


def wave(shift: float) -> VMobject:
    xs = np.linspace(-4, 0, 40)
    points = np.column_stack([xs, np.sin(xs) + shift, np.zeros_like(xs)])
    return VMobject(stroke_color="#1e9e3e", stroke_width=6).set_points_as_corners(points)


class Demo(Scene):
    """Static things added after moving ones, near them and far from them, and every kind of
    animation the lessons play."""

    def setup(self) -> None:
        self.frames: list[bytes] = []
        self.redrawn = 0
        add_frame = self.renderer.add_frame

        def keep(frame, num_frames=1):
            self.frames.append(frame.tobytes())
            add_frame(frame, num_frames)

        self.renderer.add_frame = keep

    def begin_animations(self) -> None:
        super().begin_animations()
        self.redrawn += len(self.moving_mobjects)

    def construct(self) -> None:
        squiggle = wave(0)
        axis = NumberLine(x_range=[-4, 4, 1], length=8, include_numbers=True).shift(DOWN * 1.5)
        near = Text("near", font_size=24).move_to([-2, 0.3, 0])
        far = VGroup(*(Text(f"far {i}", font_size=24) for i in range(4))).arrange(DOWN)
        far.to_corner(UP + RIGHT)
        point = Dot([-4, 2, 0])
        low = Line([-0.5, -1.2, 0], [0.5, -1.2, 0])
        self.add(squiggle, low, axis, near, far, point)
        self.play(Transform(squiggle, wave(1)), run_time=0.5)
        # Meets two of the axis' ticks, not its line: the whole axis is drawn with its ticks.
        self.play(Transform(low, low.copy().shift(RIGHT)), run_time=0.5)
        self.play(MoveAlongPath(point, Line([-4, 2, 0], [0, 2.5, 0])), run_time=0.5)
        self.play(Indicate(near), FadeIn(Square(0.5).move_to([-3, -2.5, 0]), scale=2),
                  run_time=0.5)
        self.play(LaggedStart(Create(Line(LEFT * 4, ORIGIN)), Write(Text("new").shift(UP))),
                  run_time=0.5)
        old, new = Text("1.57", font_size=24), Text("2.19", font_size=24)
        holder = VGroup(old).move_to([-1, -3, 0])
        new.move_to(old)
        self.add(holder)
        self.play(Swap(holder, old, new), run_time=0.5)
        self.play(Rotate(point, 1.0, about_point=ORIGIN), run_time=0.5)  # no region: Manim's rule
        self.play(FadeAway(near), FadeOut(point), squiggle.animate.shift(RIGHT * 0.3),
                  run_time=0.5)


class NarrowDemo(RedrawWhatMoves, Demo):
    pass


def render(scene_class: type[Demo]) -> Demo:
    settings = {"pixel_width": 256, "pixel_height": 144, "frame_rate": 10,
                "write_to_movie": False, "disable_caching": True, "progress_bar": "none",
                "background_color": "#FFFFFF"}
    with tempconfig(settings):
        scene = scene_class()
        scene.render()
    return scene


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Demo, Demo]:
    with tempconfig({"media_dir": str(tmp_path_factory.mktemp("redraw-media"))}):
        return render(Demo), render(NarrowDemo)


def test_every_frame_is_the_same_as_manims(demos):
    plain, narrow = demos
    assert len(plain.frames) == len(narrow.frames) > 30
    different = [i for i, (a, b) in enumerate(zip(plain.frames, narrow.frames, strict=True))
                 if a != b]
    assert different == []


def test_fewer_mobjects_are_redrawn(demos):
    plain, narrow = demos
    assert narrow.redrawn < 0.8 * plain.redrawn


def test_a_far_static_mobject_is_not_redrawn_and_a_near_one_is():
    squiggle, near, far = wave(0), Text("near").move_to([-2, 0.3, 0]), Text("far").shift(RIGHT * 5)
    animation = Transform(squiggle, wave(1))
    animation.begin()
    candidates = [squiggle, near, *near.submobjects, far, *far.submobjects]
    moving = moving_mobjects(candidates, [animation])
    assert squiggle in moving
    assert set(map(id, near.submobjects)) <= set(map(id, moving))
    assert not set(map(id, [far, *far.submobjects])) & set(map(id, moving))


def test_a_static_mobject_touching_a_redrawn_one_is_redrawn_too():
    squiggle = wave(0)
    bridge = Line([-2, 0, 0], [3, 0, 0])  # meets the squiggle
    beyond = Dot([3, 0, 0])  # meets only the bridge
    animation = Transform(squiggle, wave(0.5))
    animation.begin()
    assert moving_mobjects([squiggle, bridge, beyond], [animation]) == [squiggle, bridge, beyond]


def test_unknown_regions_fall_back_to_manims_rule():
    dot = Dot()
    rotate = Rotate(dot, 1.0, about_point=RIGHT)
    rotate.begin()
    assert animation_boxes(rotate) is None
    assert moving_mobjects([dot, Dot(UP * 3)], [rotate]) is None
