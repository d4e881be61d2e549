"""kit/writer.py's LessonCamera reuses an outline's traced path while its points stay put: every
frame is the same, pixel for pixel, as manim's own camera draws it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from manim import RIGHT, UP, Camera, Dot, FadeIn, Scene, Square, Text, tempconfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.writer import LessonCamera, LessonRenderer  # noqa: E402


class Recording(LessonRenderer):
    """The project's renderer, keeping a copy of every frame it hands to the writer."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[np.ndarray] = []

    def add_frame(self, frame, num_frames: int = 1) -> None:
        self.frames.extend([frame.copy()] * num_frames)
        super().add_frame(frame, num_frames)


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
    settings = {"media_dir": str(tmp_path), "quality": "low_quality", "frame_rate": 5,
                "disable_caching": True, "progress_bar": "none", "write_to_movie": False,
                "verbosity": "WARNING"}
    with tempconfig(settings):
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
