"""Numbers set from cached glyphs: Pango's own outlines and spacing, without a Pango run each.

A :class:`~manim.Text` costs a Pango layout, an SVG file and an SVG parse: 40 to 120 ms, and a
descent shows hundreds of different numbers (a table of values and a step counter at every
state). Numbers use two dozen *tokens* (digits, point, minus sign, and for scientific notation
`` × `` and superscript digits), so :func:`numeral` lays out, once per font, size and weight,
one short line with each token between two zeros (``0102...0``). From it come each token's
outline and its distance to a zero either side; the lesson font has no kerning between these
characters, so those distances give every pair's spacing (`` × `` is one token, spaces
included, since a space has no outline to measure). A number is then put together from copies
of those outlines, placed as Pango places them: the same shapes at the same places as
``Text(number)`` (tests/scenes/test_kit_numerals.py), for a few hundred microseconds instead of
40 ms or more.

Strings with other characters fall back to a plain Text.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from manim import NORMAL, ORIGIN, Text, VGroup, VMobject

from kit.screen import remember_size
from kit.style import FONT, INK, LABEL_SIZE
from kit.text import MINUS, TIMES, shown

SUPERSCRIPT_DIGITS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
#: What numbers are made of: the display rule's digits, point and minus sign, and for
#: scientific notation (``2.14 × 10⁻¹⁰``) the spaced times sign and superscripts.
TOKENS = (*"0123456789.", MINUS, f" {TIMES} ", *SUPERSCRIPT_DIGITS, "\u207b")


def tokens(text: str) -> list[str] | None:
    """``text`` cut into :data:`TOKENS`, or None when something else is in it.

    Examples
    --------
    >>> tokens("2.1 \u00d7 10\u207b\u2075")
    ['2', '.', '1', ' × ', '1', '0', '⁻', '⁵']
    >>> tokens("n/a") is None
    True
    """
    out, i = [], 0
    while i < len(text):
        token = next((t for t in TOKENS if text.startswith(t, i)), None)
        if token is None:
            return None
        out.append(token)
        i += len(token)
    return out or None


def reference_line(chosen=TOKENS) -> str:
    """Each token between zeros: every spacing a number needs, from one Pango layout.

    Examples
    --------
    >>> reference_line("01.")
    '00010.0'
    """
    return "0" + "".join(t + "0" for t in chosen)


class _Glyphs:
    """One font, size and weight: each token's outline (left edge at x = 0, on the shared
    baseline) and the distance from each token's left edge to the next one's."""

    # The spacing of a pair a, b is (a to 0) + (0 to b) - (0 to 0): no kerning in between.

    def __init__(self, font: str, size: float, weight: str) -> None:
        line = tokens(reference_line())
        # Text has one glyph per character but spaces; each token has one such character.
        text = Text("".join(line), font=font, font_size=size, weight=weight, color=INK)
        glyphs = text.submobjects
        if len(glyphs) != len(line):  # a font that merges characters: no shortcuts
            raise ValueError(f"{font}: {len(glyphs)} glyphs for {len(line)} tokens")
        lefts = [g.points[:, 0].min() for g in glyphs]
        self.outlines: dict[str, np.ndarray] = {}
        for char, glyph, left in zip(line, glyphs, lefts, strict=True):
            if char not in self.outlines:
                self.outlines[char] = glyph.points - np.array([left, 0.0, 0.0])
        to_zero, from_zero = {}, {}
        for i, (a, b) in enumerate(pairwise(line)):
            if b == "0":
                to_zero.setdefault(a, lefts[i + 1] - lefts[i])
            if a == "0":
                from_zero.setdefault(b, lefts[i + 1] - lefts[i])
        self.advance = {(a, b): to_zero[a] + from_zero[b] - to_zero["0"]
                        for a in TOKENS for b in TOKENS}
        self.style = {"stroke_width": glyphs[0].get_stroke_width(),
                      "fill_opacity": glyphs[0].get_fill_opacity()}


_FONTS: dict[tuple[str, float, str], _Glyphs] = {}


def _glyphs(font: str, size: float, weight: str) -> _Glyphs:
    key = (font, float(size), weight)
    if key not in _FONTS:
        _FONTS[key] = _Glyphs(font, size, weight)
    return _FONTS[key]


class Numeral(VGroup):
    """A number as Text would draw it, in one path; ``text`` is the string it shows."""

    text: str


def _number_glyphs(cut: list[str], glyphs: _Glyphs, first_left: float) -> list[np.ndarray]:
    """The outlines of the tokens ``cut``, the first one's left edge at ``first_left``."""
    parts, x = [], first_left
    for i, token in enumerate(cut):
        parts.append(glyphs.outlines[token] + np.array([x, 0.0, 0.0]))
        if i + 1 < len(cut):
            x += glyphs.advance[(token, cut[i + 1])]
    return parts


def _one_path(outlines: list[np.ndarray], color, style: dict) -> VMobject:
    """Every outline in one path: one cairo draw for the whole line instead of one per glyph
    (the glyphs never overlap, so the fill is the same; as kit.text.Words does)."""
    path = VMobject(fill_color=color, stroke_color=color, **style)
    path.points = np.concatenate(outlines)
    return path


def numeral(text: str, color=INK, size: float = LABEL_SIZE, weight: str = NORMAL,
            font: str = FONT) -> VGroup:
    """``text`` (made of :data:`TOKENS`) as ``Text(text, ...)`` would draw it, centred on the
    origin like a new Text, as one path. Other strings are set by a Text."""
    cut = tokens(text)
    if cut is None:
        return Text(text, font=font, font_size=size, weight=weight, color=color)
    glyphs = _glyphs(font, size, weight)
    group = Numeral(_one_path(_number_glyphs(cut, glyphs, 0.0), color, glyphs.style))
    group.move_to(ORIGIN)
    group.text = text
    return remember_size(group, size)


class _Line:
    """``before + "0" + after`` laid out once by Pango: the words' outlines, where the number
    starts, and where the words after it start."""

    def __init__(self, before: str, after: str, font: str, size: float, weight: str) -> None:
        text = Text(before + "0" + after, font=font, font_size=size, weight=weight, color=INK)
        skip = sum(not c.isspace() for c in before)
        self.before = [g.points.copy() for g in text.submobjects[:skip]]
        self.after = [g.points.copy() for g in text.submobjects[skip + 1:]]
        self.zero_left = text.submobjects[skip].points[:, 0].min()
        self.zero_bottom = text.submobjects[skip].points[:, 1].min()
        self.style = {"stroke_width": text.submobjects[skip].get_stroke_width(),
                      "fill_opacity": text.submobjects[skip].get_fill_opacity()}


_LINES: dict[tuple, _Line] = {}


def numeral_line(before: str, number: str, after: str = "", color=INK,
                 size: float = LABEL_SIZE, weight: str = NORMAL, font: str = FONT) -> VGroup:
    """``Text(before + number + after)``, for a number that changes often: the words come
    from one cached layout, the number from :func:`numeral`'s glyphs, each placed where Pango
    puts it (the words about the number must not kern with it: put spaces between).
    ``text`` is the whole line (without spaces, as Text has it)."""
    cut = tokens(number)
    if cut is None:
        return Text(before + number + after, font=font, font_size=size, weight=weight,
                    color=color)
    key = (before, after, font, float(size), weight)
    if key not in _LINES:
        _LINES[key] = _Line(before, after, font, size, weight)
    line, glyphs = _LINES[key], _glyphs(font, size, weight)
    adv = glyphs.advance
    # Pango starts the number where it started the reference's 0; each character's left
    # edge sits its side bearing past that point, and the words after it move by the
    # difference between the two numbers' advances.
    first = line.zero_left + adv[("0", cut[0])] - adv[("0", "0")]
    digits = _number_glyphs(cut, glyphs, first)
    lift = np.array([0.0, line.zero_bottom - glyphs.outlines["0"][:, 1].min(), 0.0])
    digits = [d + lift for d in digits]  # onto the line's baseline
    last_left = digits[-1][:, 0].min()
    moved = np.array([last_left + adv[(cut[-1], "0")] - line.zero_left - adv[("0", "0")],
                      0.0, 0.0])
    outlines = [*line.before, *digits, *(p + moved for p in line.after)]
    group = Numeral(_one_path(outlines, color, line.style))
    group.move_to(ORIGIN)
    group.text = "".join(c for c in before + number + after if not c.isspace())
    return remember_size(group, size)


def number(value: float, digits: int, color=INK, size: float = LABEL_SIZE,
           weight: str = NORMAL) -> VGroup:
    """A trace value by the display rule (:func:`kit.text.shown`), as a :func:`numeral`."""
    return numeral(shown(value, digits), color, size, weight)


__all__ = ["numeral", "numeral_line", "number", "Numeral", "reference_line", "tokens", "TOKENS"]
