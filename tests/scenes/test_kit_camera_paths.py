"""kit/renderer.py's LessonCamera reuses an outline's traced path while its points stay put: every
frame is the same, pixel for pixel, as manim's own camera draws it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from manim import RED, RIGHT, UP, Camera, Dot, FadeIn, Scene, Square, Text, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.renderer import LessonCamera, LessonRenderer  # noqa: E402


class KeepsFrames:
    """A renderer mixin keeping a copy of every frame it hands to the writer."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[np.ndarray] = []

    def add_frame(self, frame, num_frames: int = 1) -> None:
        self.frames.extend([frame.copy()] * num_frames)
        super().add_frame(frame, num_frames)


class Recording(KeepsFrames, LessonRenderer):
    """The project's renderer and camera, keeping every frame."""


class Overlapping(Scene):
    """Text drawn after a moving dot (so redrawn on every frame, points unchanged), a square
    fading in (colours change, points do not), then the text moving (points change)."""

    def construct(self) -> None:
        dot = Dot()
        self.add(dot)
        words = Text("held words", font_size=40)
        self.add(words)
        self.play(dot.animate.shift(2 * RIGHT), run_time=1)
        self.play(FadeIn(Square()), run_time=1)
        self.play(words.animate.shift(UP), run_time=1)
        self.wait(0.4)


def frames(camera_class, tmp_path: Path) -> tuple[list[np.ndarray], Recording]:
    with tempconfig(in_memory(tmp_path)):
        renderer = Recording(camera_class=camera_class)
        Overlapping(renderer=renderer).render()
    return renderer.frames, renderer


def test_reused_paths_draw_the_same_frames(tmp_path):
    ours, renderer = frames(None, tmp_path / "ours")
    manims, _ = frames(Camera, tmp_path / "manim")
    assert isinstance(renderer.camera, LessonCamera)
    assert renderer.camera.paths_reused > 0, "no path was reused: the test shows nothing"
    assert len(ours) == len(manims) == 17
    for index, (a, b) in enumerate(zip(ours, manims, strict=True)):
        assert np.array_equal(a, b), f"frame {index} differs"


class KeepsHandedFrames(LessonRenderer):
    """The project's renderer keeping each frame it hands on, itself, beside a copy made then."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.handed: list[tuple[np.ndarray, np.ndarray]] = []

    def add_frame(self, frame, num_frames: int = 1) -> None:
        self.handed.append((frame, frame.copy()))
        super().add_frame(frame, num_frames)


def in_memory(folder) -> dict:
    """Settings of a small render whose frames stay in memory (no movie written)."""
    return {"media_dir": str(folder), "quality": "low_quality", "frame_rate": 5,
            "disable_caching": True, "progress_bar": "none", "write_to_movie": False,
            "verbosity": "WARNING"}


def test_a_frame_handed_on_is_never_drawn_over(tmp_path):
    """The renderer hands the camera's own array on (no copy); the next frame is drawn into a
    new one, so what the encoders hold stays what was drawn."""
    with tempconfig(in_memory(tmp_path)):
        renderer = KeepsHandedFrames()
        Overlapping(renderer=renderer).render()
    handed = renderer.handed
    assert len({id(frame) for frame, _ in handed}) > 10, "frames were not drawn anew"
    for index, (frame, then) in enumerate(handed):
        assert np.array_equal(frame, then), f"frame {index} was drawn over after it was handed on"


def test_frames_no_one_holds_any_more_are_drawn_into_again(tmp_path):
    """Frames that nothing holds any more (the renderer kept copies) are drawn into again
    instead of new arrays being made for every frame."""
    with tempconfig(in_memory(tmp_path)):
        renderer = Recording()  # keeps copies only: each frame is let go once handed on
        Overlapping(renderer=renderer).render()
    assert len(renderer.frames) == 17
    assert len(renderer.camera._spare) <= 4, "frames let go were not reused"


class ManimsRecording(KeepsFrames, CairoRenderer):
    """Manim's own renderer and camera, keeping every frame."""


def arrive_early(t: float) -> float:
    """Done at half time: the second half of the play holds its last picture."""
    return min(1.0, 2 * t)


class HeldInsideAnimations(Scene):
    """Plays whose picture stands still for part of their run: a rate function that arrives
    early, an updater that changes nothing, a square that turns red halfway (a colour change
    must be drawn)."""

    def construct(self) -> None:
        square = Square()
        words = Text("held", font_size=40).shift(2 * UP)
        self.add(words)
        self.play(square.animate(rate_func=arrive_early).shift(RIGHT), run_time=2)
        words.add_updater(lambda m: None)
        self.play(FadeIn(Dot(), rate_func=arrive_early), run_time=2)
        words.clear_updaters()
        self.play(square.animate(rate_func=lambda t: float(t >= 0.5)).set_color(RED),
                  run_time=2)


def test_frames_held_inside_animations_are_not_redrawn(tmp_path):
    """The frames of a play's still stretch are handed on again without drawing, and every
    frame is the one manim's own renderer draws."""
    with tempconfig(in_memory(tmp_path)):
        ours = Recording()
        HeldInsideAnimations(renderer=ours).render()
        manims = ManimsRecording()
        HeldInsideAnimations(renderer=manims).render()
    assert ours.frames_not_redrawn >= 8, "the held stretches were drawn again"
    assert len(ours.frames) == len(manims.frames) == 30
    for index, (a, b) in enumerate(zip(ours.frames, manims.frames, strict=True)):
        assert np.array_equal(a, b), f"frame {index} differs"
    # The colour change halfway through the last play was drawn, not held over.
    assert not np.array_equal(ours.frames[-1], ours.frames[-6])
