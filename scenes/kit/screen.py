"""What a lesson scene shows, as a viewer sees it: the texts on screen, and when it goes blank.

Two rules keep the picture and the voice together (scenes/kit/lesson_scene.py applies them):

- a play that would leave the screen empty (every mobject fading out) never plays under the
  voice: the caption is spoken to its end first, and the fade is then kept for the next play
  that draws something, so the old picture fades out while the new one comes in
  (:class:`Clearing`); a beat change never shows a white frame;
- the texts on screen after every play are recorded (:func:`on_screen`), so a test can check
  that a number the voice says is in the picture while it is said (:func:`shown_during`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from manim import (
    Animation,
    AnimationGroup,
    MarkupText,
    Mobject,
    SingleStringMathTex,
    Text,
    Transform,
    config,
    smooth,
    squish_rate_func,
)

#: A family member this faint (fill or stroke alpha) is not seen.
FAINT = 0.05


def _seen(member: Mobject) -> bool:
    """Whether a family member with points of its own is drawn at all."""
    fill = getattr(member, "fill_rgbas", None)
    stroke = getattr(member, "stroke_rgbas", None)
    if fill is not None and len(fill) and fill[:, 3].max() > FAINT:
        return True
    width = getattr(member, "stroke_width", 0) or 0
    return stroke is not None and len(stroke) and width > 0 and stroke[:, 3].max() > FAINT


def visible(mobject: Mobject) -> bool:
    """Whether any part of ``mobject`` is drawn (points, and some opacity)."""
    return any(_seen(m) for m in mobject.family_members_with_points())


def text_of(mobject: Mobject) -> str | None:
    """The string a text mobject shows (Text, MarkupText, kit's Words and numerals, a
    MathTex's TeX), with real minus signs written as hyphens; None for other mobjects.

    A mobject that a Transform has reshaped into another text shows that text
    (:func:`carry_texts`).
    """
    if isinstance(getattr(mobject, SHOWS, None), str):
        text = getattr(mobject, SHOWS)
    elif isinstance(mobject, SingleStringMathTex) or type(mobject).__name__ == "MathTex":
        text = getattr(mobject, "tex_string", None)
    else:
        text = getattr(mobject, "original_text", None) or getattr(mobject, "text", None)
    return text.replace("\u2212", "-") if isinstance(text, str) else None


#: The attribute naming the text a reshaped mobject now shows.
SHOWS = "bp_shows"


def carry_texts(animations: Iterable[Animation]) -> None:
    """After a Transform that leaves its mobject on screen looking like its target, let each
    family member show the text of the target member it was reshaped into."""
    for animation in animations:
        if isinstance(animation, AnimationGroup):
            carry_texts(animation.animations)
            continue
        target = getattr(animation, "target_copy", None)
        if not isinstance(animation, Transform) or target is None or \
                animation.replace_mobject_with_target_in_scene:
            continue
        for member, goal in zip(animation.mobject.get_family(), target.get_family(),
                                strict=False):
            text = text_of(goal)
            if text is not None:
                setattr(member, SHOWS, text)
                size = digit_height(goal)
                if size is not None and goal.height > 0:
                    member.bp_digit_per_height = size / goal.height


#: Pixels a frame is tall at 1080p, where the legibility rule is set.
PIXELS_TALL = 1080
_DIGIT_HEIGHT: dict[str, float] = {}


def _digit_height(kind: str) -> float:
    """How tall a digit is, in frame units per unit of font size, set by Pango or by LaTeX."""
    if kind not in _DIGIT_HEIGHT:
        from manim import MathTex, Text

        sample = Text("0", font_size=100) if kind == "pango" else MathTex("0", font_size=100)
        _DIGIT_HEIGHT[kind] = sample.height / 100
    return _DIGIT_HEIGHT[kind]


def remember_size(mobject: Mobject, font_size: float) -> Mobject:
    """Note the font size a text made of joined outlines (kit's Words, numerals) was set at,
    so its digit height can be told however it is scaled later."""
    mobject.bp_digit_per_height = font_size * _digit_height("pango") / max(mobject.height, 1e-9)
    return mobject


def digit_height(mobject: Mobject) -> float | None:
    """How tall a digit of this text mobject is now, in frame units; None when unknown."""
    per_height = getattr(mobject, "bp_digit_per_height", None)
    if per_height is not None:
        return per_height * mobject.height
    if isinstance(mobject, SingleStringMathTex):
        return mobject.font_size * _digit_height("tex")
    if isinstance(mobject, Text | MarkupText):
        return mobject.font_size * _digit_height("pango")
    return None


#: The smallest digit a layout sets, in pixels at 1080p: a pixel above the legibility rule
#: (17 px, a 24 px font), so rounding and a Transform's in-between sizes stay above it.
SMALLEST_DIGIT_PX = 18.0
#: The attribute naming the side a text is tied to (the point it labels lies that way): a
#: text grown by :func:`legible` keeps that edge where it was.
ANCHOR = "bp_anchor"


def anchored(mobject: Mobject, side) -> Mobject:
    """Tie a text to ``side`` (UP for a tick number under its axis): :func:`legible` grows
    it away from that side."""
    setattr(mobject, ANCHOR, side)
    return mobject


def legible(mobject: Mobject) -> Mobject:
    """Grow every text in ``mobject`` whose digits are under :data:`SMALLEST_DIGIT_PX` at
    1080p back to that size, each about the side it is tied to (:func:`anchored`; its centre
    otherwise). Call it after scaling a group down: the picture shrinks, its words do not.
    Returns ``mobject``."""
    for text, growth in growths(mobject):
        text.scale(growth, about_point=anchor_point(text))
    return mobject


def growths(mobject: Mobject, factor: float = 1.0) -> list[tuple[Mobject, float]]:
    """The texts in ``mobject`` that :func:`legible` would grow once ``mobject`` is scaled by
    ``factor``, each with how much."""
    smallest = SMALLEST_DIGIT_PX * config.frame_height / PIXELS_TALL
    found = []
    for text in text_members(mobject):
        height = digit_height(text)
        if height is not None and 0 < height * factor < smallest:
            found.append((text, smallest / (height * factor)))
    return found


def anchor_point(text: Mobject, points=None):
    """The point of ``text`` (or of its family's ``points``, an array of every member's
    points) that stays put when it grows: the side it is tied to, or its centre."""
    side = getattr(text, ANCHOR, None)
    if points is None:
        return text.get_center() if side is None else text.get_critical_point(side)
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    return centre if side is None else centre + (high - low) / 2 * side


def text_members(mobject: Mobject) -> list[Mobject]:
    """The text mobjects in ``mobject``'s family, visible or not (a text inside another text
    is not listed apart)."""
    if text_of(mobject) is not None:
        return [mobject]
    return [t for sub in mobject.submobjects for t in text_members(sub)]


def on_screen(mobjects: Iterable[Mobject]) -> frozenset[str]:
    """The strings of every visible text mobject among ``mobjects`` (:func:`texts`)."""
    return frozenset(text_of(m) for m in texts(mobjects))


def texts(mobjects: Iterable[Mobject]) -> list[Mobject]:
    """Every visible text mobject among ``mobjects`` and their families (a text inside another
    text, such as a MathTex's parts, is not listed apart)."""
    found: list[Mobject] = []

    def walk(mobject: Mobject) -> None:
        if text_of(mobject) is not None:
            if visible(mobject):
                found.append(mobject)
            return
        for sub in mobject.submobjects:
            walk(sub)

    for mobject in mobjects:
        walk(mobject)
    return found


@dataclass(frozen=True)
class Legibility:
    """How a beat's texts read at 1080p: the smallest digit and the texts past the frame."""

    smallest_px: float = float("inf")
    smallest: str = ""
    outside: frozenset[str] = frozenset()

    def seen(self, mobjects: Iterable[Mobject], frame_width: float,
             frame_height: float) -> Legibility:
        """This record with the texts of one more picture taken into account."""
        smallest_px, smallest, outside = self.smallest_px, self.smallest, set(self.outside)
        scale = PIXELS_TALL / frame_height
        for mobject in texts(mobjects):
            height = digit_height(mobject)
            if height is not None and height * scale < smallest_px:
                smallest_px, smallest = height * scale, text_of(mobject)
            # One pass over the outline's anchors (get_left() and the others take one each).
            boundary = mobject.get_points_defining_boundary()
            if not len(boundary):
                continue
            (left, bottom), (right, top) = boundary[:, :2].min(0), boundary[:, :2].max(0)
            if left < -frame_width / 2 or right > frame_width / 2 or \
                    bottom < -frame_height / 2 or top > frame_height / 2:
                outside.add(text_of(mobject))
        return Legibility(smallest_px, smallest, frozenset(outside))

    def as_dict(self) -> dict:
        return {"smallest_digit_px": round(self.smallest_px, 1) if self.smallest else None,
                "smallest": self.smallest, "outside": sorted(self.outside)}


def shown_during(screens: Sequence[tuple[float, frozenset[str]]], start: float,
                 end: float) -> frozenset[str]:
    """Texts on screen at some moment from ``start`` to ``end``: those of the picture held at
    ``start`` and of every picture a play finished on up to ``end``.

    ``screens`` holds (time, texts) after each play, in time order.

    Examples
    --------
    >>> screens = [(0.0, frozenset()), (1.0, frozenset({"a"})), (3.0, frozenset({"b"})),
    ...            (5.0, frozenset({"c"}))]
    >>> sorted(shown_during(screens, 2.0, 4.0))
    ['a', 'b']
    """
    seen: set[str] = set()
    held = max((i for i, (t, _) in enumerate(screens) if t <= start + 1e-9), default=None)
    if held is not None:
        seen |= screens[held][1]
    for t, texts in screens:
        if start < t <= end + 1e-9:
            seen |= texts
    return frozenset(seen)


#: Numbers as the display rule writes them: 2.61, -15.7, 6.42 × 10⁻⁵ (a numeral line has no
#: spaces: 6.42×10⁻⁵).
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?: ?× ?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def numbers_in(text: str) -> set[str]:
    """The numbers written in ``text``, as strings (minus signs as hyphens, ``×`` spaced).

    Examples
    --------
    >>> sorted(numbers_in("SSR = 6.42 × 10⁻⁵ at b3 = \u22122.61; SSR=6.4×10⁻⁵"))
    ['-2.61', '3', '6.4 × 10⁻⁵', '6.42 × 10⁻⁵']
    """
    return {re.sub(r" ?× ?", " × ", n) for n in NUMBER.findall(text.replace("\u2212", "-"))}


def empties(mobjects: Sequence[Mobject], animations: Sequence[Animation]) -> bool:
    """Whether playing ``animations`` leaves none of ``mobjects`` on screen: every one of
    them is a remover, and between them they take every mobject that draws anything."""
    if not animations or not all(a.remover and a.mobject is not None for a in animations):
        return False
    gone = {id(m) for a in animations for m in a.mobject.get_family()}
    return all(id(m) in gone for top in mobjects for m in top.family_members_with_points())


@dataclass(frozen=True)
class Clearing:
    """A play that empties the screen, kept to fade out under the next play that draws."""

    animations: tuple[Animation, ...]

    @property
    def run_time(self) -> float:
        return max(a.run_time for a in self.animations)

    def mobjects(self) -> set[int]:
        return {id(m) for a in self.animations for m in a.mobject.get_family()}

    def can_join(self, animations: Sequence[Animation], play_kwargs: dict) -> bool:
        """Whether ``animations`` draw something new, apart from what is leaving, so the fade
        can run under them (a play that sets its own rate function keeps its own timing)."""
        if "rate_func" in play_kwargs or not animations:
            return False
        leaving = self.mobjects()
        draws = [a for a in animations if not a.remover and a.mobject is not None
                 and type(a).__name__ != "Wait"]
        return bool(draws) and not any(
            id(m) in leaving for a in animations if a.mobject is not None
            for m in a.mobject.get_family())

    def joined(self, run_time: float) -> list[Animation]:
        """The fade stretched over a play of ``run_time`` seconds, done within its own time."""
        part = min(1.0, self.run_time / run_time)
        for animation in self.animations:
            animation.rate_func = squish_rate_func(smooth, 0.0, part)
            animation.run_time = run_time
        return list(self.animations)


__all__ = ["Clearing", "Legibility", "SMALLEST_DIGIT_PX", "anchor_point", "anchored",
           "carry_texts", "digit_height", "empties", "growths", "legible", "numbers_in",
           "on_screen", "remember_size", "shown_during", "text_members", "text_of", "texts",
           "visible"]
