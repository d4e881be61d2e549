"""kit.text: a line of words and each equation part drawn as one path, looking the same."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from manim import BLUE, RED, Camera, MarkupText, MathTex, tempconfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.style import FONT  # noqa: E402
from kit.text import math, typeset, words  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def own_text_dirs(tmp_path_factory: pytest.TempPathFactory):
    with tempconfig({"tex_dir": str(tmp_path_factory.mktemp("text-tex")),
                     "text_dir": str(tmp_path_factory.mktemp("text-text")),
                     "pixel_width": 640, "pixel_height": 360,
                     "background_color": "#FFFFFF"}):
        yield


def pixels(*mobjects) -> np.ndarray:
    camera = Camera()
    camera.capture_mobjects(mobjects)
    return camera.pixel_array[..., :3].astype(int)


def assert_same_look(a: np.ndarray, b: np.ndarray) -> None:
    """Equal but for anti-aliasing where two glyphs' edges share a pixel."""
    differ = np.abs(a - b).max(axis=2)
    assert differ.max() <= 32
    assert (differ > 0).mean() < 0.002


def test_words_look_like_the_text_pango_lays_out():
    line = "Step size = -15.7 * 0.1 = -1.57 for b3"
    joined = words(line, size=30)
    glyphs = MarkupText(typeset(line), font=FONT, font_size=30, color=joined[0].get_fill_color())
    assert len(joined.family_members_with_points()) == 1
    assert len(glyphs.family_members_with_points()) > 20
    a, b = pixels(joined), pixels(glyphs)
    assert (a < 128).sum() > 500  # the text is there, in ink
    assert_same_look(a, b)


def test_equation_parts_keep_their_colours_and_look():
    tex = (r"\mathrm{Predicted}", "=", r"\mathrm{blue} + b_{3}")
    colours = {r"\mathrm{blue}": BLUE, "b_{3}": RED}
    joined = math(*tex, tex_to_color_map=colours)
    plain = MathTex(*tex, tex_to_color_map=colours)
    assert len(joined.family_members_with_points()) < len(plain.family_members_with_points())
    def colours(tex: MathTex) -> set[str]:
        return {m.get_fill_color().to_hex() for m in tex.family_members_with_points()}

    assert colours(joined) == colours(plain) >= {RED.to_hex(), BLUE.to_hex()}
    assert_same_look(pixels(joined), pixels(plain))
