"""Which mobjects an animation really has to redraw on every frame.

Manim's cairo renderer paints the mobjects that do not move once, as a background, and redraws
the rest on every frame. Its rule for "the rest" is everything drawn after the first animated
mobject, because a static mobject on top of a moving one must be painted again over it. In a
lesson that rule redraws whole axes, tick numbers and equations that merely happen to have
been added after the squiggle: most of a frame's drawing time.

:func:`moving_mobjects` narrows that set without changing a pixel. Each animation gets a region
it stays inside from start to end (the boxes of its start and end states); a static mobject
drawn after an animated one is redrawn only if its box meets that region, or meets the box of
another mobject that is being redrawn. Where no region can be given (updaters, curved paths,
an animation this module does not know), it falls back to Manim's own rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from manim import (
    Animation,
    AnimationGroup,
    DrawBorderThenFill,
    Mobject,
    MoveAlongPath,
    ShowPartial,
    Succession,
    Transform,
    Wait,
)

#: Box margin in frame units: stroke widths and anti-aliasing reach a little past the points.
MARGIN = 0.12

Box = np.ndarray  # shape (2, 2): [[xmin, ymin], [xmax, ymax]]


def box_of(mobjects: Iterable[Mobject]) -> Box | None:
    """The 2D box around every point of the given mobjects and their families, or None."""
    lows, highs = [], []
    for mobject in mobjects:
        for member in mobject.get_family():
            points = member.points
            if len(points):
                lows.append(points[:, :2].min(axis=0))
                highs.append(points[:, :2].max(axis=0))
    if not lows:
        return None
    return np.array([np.min(lows, axis=0) - MARGIN, np.max(highs, axis=0) + MARGIN])


def _meets(box: Box, boxes: Sequence[Box]) -> bool:
    return any(np.all(box[0] <= other[1]) and np.all(other[0] <= box[1]) for other in boxes)


def animation_boxes(animation: Animation) -> list[Box] | None:
    """Boxes that hold everything ``animation`` draws while it plays; None when unknown.

    A straight Transform moves each point along a segment from its start to its end, so the
    boxes of the two states hold every frame in between; partial drawings (Create, Write) stay
    inside the finished mobject; a point riding a path stays within the path's box widened
    by its own size.
    """
    if isinstance(animation, Succession):
        return None  # its later animations have not begun: their states are unknown
    if isinstance(animation, AnimationGroup):
        boxes = []
        for inner in animation.animations:
            inner_boxes = animation_boxes(inner)
            if inner_boxes is None:
                return None
            boxes.extend(inner_boxes)
        return boxes
    if isinstance(animation, Wait):
        return []
    if isinstance(animation, Transform):
        if animation.path_arc != 0 or not _stays_between_ends(animation):
            return None
        states = [animation.mobject, getattr(animation, "target_copy", None),
                  animation.target_mobject, getattr(animation, "starting_mobject", None)]
        return [b for b in (box_of([s]) for s in states if s is not None) if b is not None]
    if isinstance(animation, MoveAlongPath):
        path, mover = box_of([animation.path]), box_of([animation.mobject])
        if path is None or mover is None:
            return None
        half = (mover[1] - mover[0]) / 2
        return [np.array([path[0] - half, path[1] + half])]
    if isinstance(animation, ShowPartial | DrawBorderThenFill) or getattr(
        animation, "stays_in_place", False
    ):
        box = box_of([animation.mobject])
        return [] if box is None else [box]
    return None


def _stays_between_ends(animation: Animation) -> bool:
    """Whether the rate function stays in [0, 1], so a straight path never overshoots."""
    values = [animation.rate_func(t) for t in np.linspace(0, 1, 33)]
    return min(values) >= -1e-9 and max(values) <= 1 + 1e-9


def moving_mobjects(
    candidates: Sequence[Mobject], animations: Sequence[Animation]
) -> list[Mobject] | None:
    """The mobjects among ``candidates`` (Manim's list, in drawing order) to redraw per frame.

    Returns None when some animation's region is unknown, so the caller keeps Manim's list.
    """
    boxes: list[Box] = []
    animated: set[int] = set()
    for animation in animations:
        anim_boxes = animation_boxes(animation)
        if anim_boxes is None:
            return None
        boxes.extend(anim_boxes)
        animated.update(id(m) for m in _animated_family(animation))
    moving: list[Mobject] = []
    # A mobject with points of its own is drawn together with its whole family (an axis line
    # with its ticks and numbers), so a family is either all static or all redrawn.
    settled: set[int] = set()
    for mobject in candidates:
        if id(mobject) in animated:
            moving.append(mobject)
            continue
        if mobject.get_family_updaters() or mobject.z_index:
            return None
        if id(mobject) in settled or not len(mobject.points):
            continue
        family = mobject.family_members_with_points()
        settled.update(id(m) for m in family)
        box = box_of([mobject])
        if _meets(box, boxes):
            moving.append(mobject)
            boxes.append(box)
    return moving


def _animated_family(animation: Animation) -> list[Mobject]:
    family = [] if animation.mobject is None else list(animation.mobject.get_family())
    if isinstance(animation, AnimationGroup):
        for inner in animation.animations:
            family.extend(_animated_family(inner))
    return family


class RedrawWhatMoves:
    """Scene mixin: each animation redraws only what :func:`moving_mobjects` finds.

    Put it before the Scene class: ``class MyScene(RedrawWhatMoves, Scene)``.
    """

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        candidates = super().get_moving_mobjects(*animations)
        if not candidates or self.foreground_mobjects:
            return candidates
        narrowed = moving_mobjects(candidates, animations)
        return candidates if narrowed is None else narrowed
