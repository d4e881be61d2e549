"""Animations that change a mobject in place, without the deep copies Manim's versions make.

``FadeIn(group, lag_ratio=...)`` and ``group.animate.scale(...).move_to(...)`` (or a Transform
to a moved copy) deep-copy the group, and its target, when they begin: for a network diagram or
a page of equations that is a large part of what a beat costs to render. These do the same on
the mobject itself:

- :class:`LaggedFadeIn`: :class:`kit.beats.FadeInPlace` with FadeIn's ``lag_ratio`` (family
  members fade in one after another);
- :class:`Reframe`: scale about the centre and shift, along straight paths as a Transform to a
  scaled and moved copy would (stroke widths stay, as :meth:`Mobject.scale` leaves them);
  a text that would end up too small to read stops at the legible size instead
  (:func:`kit.screen.legible`).
"""

from __future__ import annotations

import numpy as np
from manim import Animation, Mobject, Scene

from kit.beats import FadeInPlace
from kit.screen import anchor_point, growths


class LaggedFadeIn(FadeInPlace):
    """Fade in where it stands, family member after family member (``lag_ratio``)."""

    def interpolate_mobject(self, alpha: float) -> None:
        count = len(self.opacities)
        for i, (member, channels) in enumerate(self.opacities):
            shown = self.get_sub_alpha(alpha, i, count)
            for key, opacity in channels.items():
                getattr(member, key)[:, 3] = opacity * shown


class Reframe(Animation):
    """Scale ``mobject`` by ``scale`` about its centre and shift it by ``shift``, in place.

    Every point travels in a straight line to where ``mobject.copy().scale(scale)
    .shift(shift)`` has it, as a Transform would move it; nothing is copied but the points.
    A text that would end up under the legible size grows back to it about the side it is
    tied to (:func:`kit.screen.legible`).
    """

    def __init__(self, mobject: Mobject, scale: float = 1.0, shift=(0.0, 0.0, 0.0),
                 **kwargs) -> None:
        super().__init__(mobject, **kwargs)
        self.factor = float(scale)
        self.offset = np.asarray(shift, dtype=float)

    @classmethod
    def to(cls, mobject: Mobject, width: float | None = None, height: float | None = None,
           center=None, left: float | None = None, top: float | None = None,
           **kwargs) -> Reframe:
        """Reframe ``mobject`` to a ``width`` (or ``height``), with its centre at ``center`` or
        its left edge at ``left`` / top at ``top`` (coordinates left out stay as they are)."""
        factor = 1.0
        if width is not None:
            factor = width / mobject.width
        if height is not None:
            factor = min(factor, height / mobject.height) if width is not None else \
                height / mobject.height
        now = mobject.get_center()
        goal = now.copy() if center is None else np.asarray(center, dtype=float)
        if left is not None:
            goal[0] = left + mobject.width * factor / 2
        if top is not None:
            goal[1] = top - mobject.height * factor / 2
        return cls(mobject, scale=factor, shift=goal - now, **kwargs)

    def begin(self) -> None:
        members = self.mobject.family_members_with_points()
        center = self.mobject.get_center()
        ends = {id(m): (m.points - center) * self.factor + center + self.offset
                for m in members}
        # The picture shrinks, its words stop at a legible size (kit.screen.legible).
        for text, growth in growths(self.mobject, self.factor):
            own = [m for m in text.family_members_with_points() if id(m) in ends]
            if not own:
                continue
            point = anchor_point(text, np.vstack([ends[id(m)] for m in own]))
            for m in own:
                ends[id(m)] = (ends[id(m)] - point) * growth + point
        self.paths = [(m, m.points.copy(), ends[id(m)]) for m in members]
        self.interpolate(0)

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        for member, start, end in self.paths:
            member.points = start + (end - start) * t

    def clean_up_from_scene(self, scene: Scene) -> None:
        super().clean_up_from_scene(scene)
        for member, _, end in self.paths:
            member.points = end


__all__ = ["LaggedFadeIn", "Reframe"]
