"""kit.numerals: numbers put together from cached glyphs are the shapes, at the places, that a
Text of the same string has."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

SCENES_DIR = Path(__file__).resolve().parents[2] / "scenes"
if str(SCENES_DIR) not in sys.path:
    sys.path.insert(0, str(SCENES_DIR))

from kit.numerals import numeral, numeral_line  # noqa: E402
from kit.style import FONT, INK, LEARNING  # noqa: E402
from kit.text import MINUS, shown  # noqa: E402

#: The display rule's own texts, scientific notation included (every superscript digit, the
#: superscript minus, the times sign), with a typographic minus sign.
NUMBERS = ["0", "1", "17", "8000", f"{MINUS}1.57", "0.000123", f"{MINUS}12.34", "20.4",
           shown(2.1403e-10, 3), shown(-6.4187e-5, 3), shown(3.2e12, 3),
           shown(-1.2345678e86, 4), shown(7.0e-79, 3), shown(9.1e-6, 2),
           shown(4.5e-34, 3)]
#: A pixel at 1080p is 0.0074 scene units; the glyphs must agree far closer than that.
TOLERANCE = 1e-5


@pytest.fixture(scope="module", autouse=True)
def own_text_dir(tmp_path_factory: pytest.TempPathFactory):
    """Pango output in a folder of this module's own, clear of any render running beside."""
    from manim import tempconfig

    with tempconfig({"text_dir": str(tmp_path_factory.mktemp("numerals-texts")),
                     "verbosity": "WARNING"}):
        yield


def same_glyphs(text, composed) -> None:
    """The composed path holds the Text's glyph outlines, in order, where the Text has them."""
    (path,) = composed.submobjects
    np.testing.assert_allclose(path.points, np.concatenate([g.points for g in text]),
                               atol=TOLERANCE)
    assert path.get_fill_color() == text[0].get_fill_color()
    assert path.get_fill_opacity() == text[0].get_fill_opacity()
    assert path.get_stroke_width() == text[0].get_stroke_width()


@pytest.mark.parametrize("size, weight", [(24, "NORMAL"), (28.5, "BOLD"), (17.3, "NORMAL")])
def test_numeral_is_the_text(size: float, weight: str) -> None:
    """Every number, at several sizes and weights, as Text(number) draws it."""
    from manim import Text

    for number in NUMBERS:
        text = Text(number, font=FONT, font_size=size, weight=weight, color=LEARNING)
        composed = numeral(number, LEARNING, size, weight)
        same_glyphs(text, composed)
        assert composed.text == number


@pytest.mark.parametrize("before, after", [("Step ", " of 8000"), ("SSR = ", ""),
                                           ("", " steps")])
def test_numeral_line_is_the_text(before: str, after: str) -> None:
    """Words around a changing number: the whole line as Text(line) draws it."""
    from manim import Text

    for number in NUMBERS:
        text = Text(before + number + after, font=FONT, font_size=26, color=INK)
        composed = numeral_line(before, number, after, INK, 26)
        same_glyphs(text, composed)
        assert composed.text == text.text


def test_other_strings_fall_back_to_text() -> None:
    """Anything but the display rule's characters is set by Pango itself."""
    from manim import Text

    assert isinstance(numeral("0.36 - (0.258) = 0.102"), Text)
    assert isinstance(numeral_line("Step ", "n/a"), Text)
    assert isinstance(numeral("2e-10"), Text)
