"""Text on screen in the StatQuest look: plain sans-serif words and numbers, laid out by Pango.

Labels, readouts and numbers are :class:`~manim.MarkupText`, not ``MathTex``: Pango lays a
string out in milliseconds, where every new MathTex string is a LaTeX and dvisvgm run (about
0.3 s each), and a lesson shows dozens of numbers that change with every edit of its file.
MathTex stays for real equations (sums, fractions, the chain rule).
"""

from __future__ import annotations

import re
from html import escape
from math import ceil

from manim import DOWN, MarkupText, MathTex, Text, VGroup, VMobject

from bpcore.display import fmt
from bpcore.narration.subtitles import lines
from kit.screen import remember_size
from kit.style import FONT, INK, LABEL_SIZE

MINUS = "\u2212"  # a real minus sign on screen; captions keep the ASCII hyphen
TIMES = "\u00d7"


def shown(value: float, digits: int) -> str:
    """A value as the screen writes it: the display rule, with a typographic minus sign.

    Examples
    --------
    >>> shown(-1.5678, 3) == MINUS + "1.57"
    True
    """
    return fmt(value, digits).replace("-", MINUS)


def typeset(text: str) -> str:
    """Pango markup for a line of lesson text.

    Parameter names get subscripts (``w3`` -> ``w<sub>3</sub>``); a hyphen used as a minus sign
    (before a number, or between spaces) becomes a real minus sign; ``*`` becomes a times sign.

    Examples
    --------
    >>> typeset("b3 = 0 - (-1.57) * 2") == (
    ...     f"b<sub>3</sub> = 0 {MINUS} ({MINUS}1.57) {TIMES} 2")
    True
    >>> typeset("Step size & slope")
    'Step size &amp; slope'
    """
    markup = escape(text, quote=False)
    markup = re.sub(r"\b([wb])(\d+)\b", r"\1<sub>\2</sub>", markup)
    markup = re.sub(r"(?<![\w)])-(?=[\d.(])|(?<= )-(?= )", MINUS, markup)
    return markup.replace(" * ", f" {TIMES} ")


class Words(VGroup):
    """A line of text laid out by Pango and drawn as one path.

    Pango gives one outline per glyph, and Manim draws each outline with its own cairo calls,
    every frame the text is on screen and moving or fading. Here all outlines of the line
    join one :class:`~manim.VMobject` (the glyphs never overlap, so the fill is the same): a
    line costs one draw instead of one per character. ``text`` is the line as given.
    """

    def __init__(self, text: str, color=INK, size: float = LABEL_SIZE, **kwargs) -> None:
        laid_out = MarkupText(typeset(text), font=FONT, font_size=size, color=color, **kwargs)
        super().__init__(joined(laid_out.family_members_with_points()))
        self.text = text
        remember_size(self, size)


def joined(glyphs: list[VMobject]) -> VMobject:
    """One path holding every outline of ``glyphs``, filled like the first of them."""
    outline = VMobject(stroke_width=0)
    for glyph in glyphs:
        outline.append_points(glyph.points)
    if glyphs:
        outline.set_fill(glyphs[0].get_fill_color(), glyphs[0].get_fill_opacity())
    return outline


#: LaTeX's special characters in text mode, and what writes each one literally.
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}


def tex_text(text: str) -> str:
    r"""A lesson's words (an axis title) as LaTeX that prints them as written, spaces included.

    Examples
    --------
    >>> print(tex_text("Hours studied (%)"))
    \text{Hours studied (\%)}
    """
    return r"\text{" + "".join(_TEX_SPECIAL.get(c, c) for c in text) + "}"


def math(*tex: str, **kwargs) -> MathTex:
    """A MathTex drawn with one path per part and colour (see :class:`Words`).

    The parts (one per string in ``tex``, and per ``tex_to_color_map`` key) stay separate, so
    colouring by part and Transforms work as with MathTex; colour with ``tex_to_color_map``,
    since the glyphs inside a part are joined.
    """
    equation = MathTex(*tex, **kwargs)
    for part in equation.submobjects:
        runs: list[list[VMobject]] = []
        for glyph in part.family_members_with_points():
            if runs and runs[-1][0].get_fill_color() == glyph.get_fill_color():
                runs[-1].append(glyph)
            else:
                runs.append([glyph])
        part.submobjects = [joined(run) for run in runs]
    return equation


def words(text: str, color=INK, size: float = LABEL_SIZE, **kwargs) -> Words:
    """``text`` set in the lesson font, with :func:`typeset`'s subscripts and minus signs."""
    return Words(text, color=color, size=size, **kwargs)


def title_lines(text: str, size: float, width: float) -> VGroup:
    """A lesson's title, one :class:`~manim.Text` per line, centred, at most ``width`` wide.

    A title that fits stays on one line. A longer one is broken into two balanced lines, so a
    teacher's long title reads at a usable size instead of shrinking to one thin line; only if
    those still overflow is the block shrunk.

    Examples
    --------
    >>> len(title_lines("Backprop", 36, 13.0)), len(title_lines("Backprop " * 12, 36, 13.0))
    (1, 2)
    """
    one = Text(text, font_size=size, color=INK)
    if one.width <= width:
        return VGroup(one)
    halves = lines(text, ceil(len(text) / 2) + 6)
    block = VGroup(*(Text(line, font_size=size, color=INK) for line in halves))
    block.arrange(DOWN, buff=0.15)
    return block.scale(min(1.0, width / block.width))
