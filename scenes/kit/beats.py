"""Small pieces that lesson scenes repeat: the "bam" flourish, fitting a group into a box, and
a list written the way narration says it.
"""

from __future__ import annotations

from collections.abc import Iterable

from manim import BOLD, DR, FadeIn, FadeOut, Mobject, Scene, Text

from kit.style import BAM, TITLE_SIZE


def listing(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> listing(["w3"]), listing(["w3", "w4"]), listing(["w3", "w4", "b3"])
    ('w3', 'w3 and w4', 'w3, w4 and b3')
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fit_into(mobject: Mobject, width: float, height: float) -> Mobject:
    """Shrink ``mobject`` (never grow it) to fit a ``width`` x ``height`` box; return it."""
    factor = min(1.0, width / max(mobject.width, 1e-6), height / max(mobject.height, 1e-6))
    return mobject.scale(factor)


def bam(scene: Scene, text: str = "Bam!", buff: float = 0.4) -> None:
    """The word (Bam!, Double bam!, ...) pops up in the lower right corner and goes."""
    word = Text(text, font_size=TITLE_SIZE, color=BAM, weight=BOLD).to_corner(DR, buff=buff)
    scene.play(FadeIn(word, scale=1.6), run_time=0.5)
    scene.wait(0.6)
    scene.play(FadeOut(word), run_time=0.3)
