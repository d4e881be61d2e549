"""Text on screen in the StatQuest look: plain sans-serif words and numbers, laid out by Pango.

Labels, readouts and numbers are :class:`~manim.MarkupText`, not ``MathTex``: Pango lays a
string out in milliseconds, where every new MathTex string is a LaTeX and dvisvgm run (about
0.3 s each), and a lesson shows dozens of numbers that change with every edit of its file.
MathTex stays for real equations (sums, fractions, the chain rule).
"""

from __future__ import annotations

import re
from html import escape

from manim import MarkupText

from bpcore.display import fmt
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


def words(text: str, color=INK, size: float = LABEL_SIZE, **kwargs) -> MarkupText:
    """``text`` set in the lesson font, with :func:`typeset`'s subscripts and minus signs."""
    return MarkupText(typeset(text), font=FONT, font_size=size, color=color, **kwargs)
