"""Small pieces that lesson scenes repeat: the "bam" flourish, fitting a group into a box, a
list written the way narration says it, and animations that avoid Manim's deep copies.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from manim import BOLD, DR, Animation, FadeIn, FadeOut, Group, Mobject, Scene, Text

from kit.style import BACKGROUND, BAM, TITLE_SIZE

#: The colour arrays of a VMobject, each with one RGBA row per colour stop.
RGBA_KEYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


def listing(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> listing(["w3"]), listing(["w3", "w4"]), listing(["w3", "w4", "b3"])
    ('w3', 'w3 and w4', 'w3, w4 and b3')
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sentence(text: str) -> str:
    """``text`` closed as a sentence: a full stop, unless it already ends in one of its own.

    A lesson's title opens the narration, and a teacher's title may ask a question.

    Examples
    --------
    >>> sentence("Optimizing b3"), sentence("How does a network learn?"), sentence("Bam!")
    ('Optimizing b3.', 'How does a network learn?', 'Bam!')
    """
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "\u2026")) else text + "."


def fit_into(mobject: Mobject, width: float, height: float) -> Mobject:
    """Shrink ``mobject`` (never grow it) to fit a ``width`` x ``height`` box; return it."""
    factor = min(1.0, width / max(mobject.width, 1e-6), height / max(mobject.height, 1e-6))
    return mobject.scale(factor)


def bam(scene: Scene, text: str = "Bam!", buff: float = 0.4) -> None:
    """The word (Bam!, Double bam!, ...) pops up in the lower right corner and goes.

    It sits on a patch of the background, as it lands over whatever the corner holds (a
    plot's axis, a diagram), and grows into place from smaller, so no frame of its entrance
    reaches past the frame's edge.
    """
    # The word lands as the voice says it: a lesson scene's voice ends its clip with the bam,
    # so the word waits for the clip to end (it would otherwise pop up as the clip begins).
    until_spoken = getattr(scene, "until_spoken", None)
    if until_spoken is not None:
        until_spoken()
    word = Text(text, font_size=TITLE_SIZE, color=BAM, weight=BOLD)
    word.add_background_rectangle(color=BACKGROUND, opacity=0.9, buff=0.12)
    word.to_corner(DR, buff=buff)
    scene.play(FadeIn(word, scale=0.6), run_time=0.5)
    scene.wait(0.6)
    scene.play(FadeOut(word), run_time=0.3)


def own_opacities(mobject: Mobject) -> list[tuple[Mobject, dict[str, np.ndarray]]]:
    """Every family member's alpha channels (fill, stroke, background stroke), copied."""
    return [
        (m, {key: getattr(m, key)[:, 3].copy() for key in RGBA_KEYS
             if getattr(m, key, None) is not None and len(getattr(m, key))})
        for m in mobject.get_family()
    ]


def scale_opacities(saved, factor: float) -> None:
    """Set every saved alpha channel to ``factor`` times its saved value, in place."""
    for m, channels in saved:
        for key, opacity in channels.items():
            getattr(m, key)[:, 3] = opacity * factor


class _OpacityFade(Animation):
    """Scale every family member's own opacities in place: a fade without deep copies.

    ``FadeIn`` and ``FadeOut`` deep-copy what they fade; for a full screen (hundreds of
    mobjects) that costs seconds of render time. The opacities each mobject had are restored
    when the animation ends.
    """

    fade_in = False
    stays_in_place = True  # kit.redraw: it only changes opacities

    def __init__(self, *mobjects: Mobject, **kwargs) -> None:
        group = Group(*mobjects)
        super().__init__(group, remover=not self.fade_in, introducer=self.fade_in, **kwargs)
        self.opacities = own_opacities(group)

    def begin(self) -> None:
        self.interpolate(0)

    def interpolate_mobject(self, alpha: float) -> None:
        shown = self.rate_func(alpha)
        scale_opacities(self.opacities, shown if self.fade_in else 1.0 - shown)

    def clean_up_from_scene(self, scene: Scene) -> None:
        super().clean_up_from_scene(scene)
        scale_opacities(self.opacities, 1.0)


class FadeAway(_OpacityFade):
    """Fade mobjects out and remove them, without copying them."""


class FadeInPlace(_OpacityFade):
    """Fade mobjects in where they are, without copying them."""

    fade_in = True


class Swap(Animation):
    """Show ``new`` in place of ``old`` from half-way through, without copying either.

    For numbers that change many times in quick succession (a step counter, a table's values),
    where a morph would cost two deep copies per number per change. ``new`` joins ``parent``
    (a group on screen) hidden, the two trade visibility half-way, and ``old`` leaves
    ``parent`` at the end. Both are in ``parent`` while the animation plays, so Manim draws
    both every frame.
    """

    stays_in_place = True  # kit.redraw: nothing moves

    def __init__(self, parent: Mobject, old: Mobject, new: Mobject, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.old, self.new = old, new

    def begin(self) -> None:
        self.mobject.add(self.new)
        self.old_opacities = own_opacities(self.old)
        self.new_opacities = own_opacities(self.new)
        self.interpolate(0)

    def interpolate_mobject(self, alpha: float) -> None:
        late = alpha >= 0.5
        scale_opacities(self.old_opacities, 0.0 if late else 1.0)
        scale_opacities(self.new_opacities, 1.0 if late else 0.0)

    def clean_up_from_scene(self, scene: Scene) -> None:
        super().clean_up_from_scene(scene)
        self.mobject.remove(self.old)
        scale_opacities(self.old_opacities, 1.0)
        scale_opacities(self.new_opacities, 1.0)
