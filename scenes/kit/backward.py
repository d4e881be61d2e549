"""The backward pass drawn on a :class:`~kit.network.NetworkDiagram`.

Every parameter gets a *tag*: a small pink box with the derivative of SSR with respect to that
parameter, placed where the parameter sits (on its edge, or beside its bias label). Pulses run
backwards along the edges, from the output to the input, stage by stage, and each stage's tags
appear as the pulse reaches them: the output bias first, then the output weights, the hidden
biases (through the activation) and last the input weights.

Nothing here computes: the scene hands in the trace's derivatives already formatted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    AnimationGroup,
    Circle,
    Circumscribe,
    Dot,
    FadeIn,
    Line,
    ManimColor,
    MoveAlongPath,
    ShowPassingFlash,
    SurroundingRectangle,
    Text,
    VGroup,
    VMobject,
)

from kit.network import (
    NetworkDiagram,
    along,
    along_arrow,
    edge_of,
    foreign_edges,
    name_groups,
    place,
)
from kit.screen import anchored
from kit.style import BACKGROUND, FONT, LABEL_SIZE
from kit.text import MINUS, math

#: The derivatives' colour: a dark pink, the slope of the pink SSR curve, dark enough to read.
GRADIENT = ManimColor("#c2185b")
TAG_SIZE = LABEL_SIZE
#: Tag sizes tried in turn until every tag finds a free spot.
TAG_SHRINK = (1.0, 0.88, 0.76)


class BackpropDiagram(NetworkDiagram):
    """The kit's network diagram, with room after each weight's label for a derivative tag.

    Weight labels sit near the start of their edges (output weights near their hidden node,
    away from the sum node where those edges converge), so a tag fits after each; the output's
    name starts where its arrow starts, clear of the sum node, and the output bias sits above
    the arrow's start.

    Extra named part: ``label_at``, each weight label's place along its edge (0 to 1).
    """

    def __init__(self, *args, **kwargs) -> None:
        self.label_at: dict[str, float] = {}
        super().__init__(*args, **kwargs)

    def _place_output_text(self) -> None:
        self.output_text.next_to(self.output_arrow, DOWN, buff=0.15)
        self.output_text.align_to(self.output_arrow, LEFT).shift(RIGHT * 0.1)
        # It starts right of the sum node: grown back to a legible size in a shrunk diagram
        # (kit.screen.legible), it grows rightwards and down, away from the node.
        anchored(self.output_text, UL)

    def _spots(self, name: str) -> list[np.ndarray]:
        if name != self.network.names[-1]:
            return super()._spots(name)
        first, *rest = along_arrow(self.labels[name], self.output_arrow, 0.12,
                                   (LEFT, ORIGIN, RIGHT))
        return [first + RIGHT * 0.1, *rest]

    def _weight_home(self, name: str) -> float:
        return 0.5 if name in name_groups(self)[0] else 0.3

    def _placed(self, name: str, chosen: int) -> None:
        if edge_of(self, name) is not None:
            self.label_at[name] = self._weight_spots(name)[chosen]


@dataclass
class Stage:
    """One step of the backward pass: where the pulses run and which tags appear after."""

    routes: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    nodes: list[VMobject] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def boxed(content: VMobject, color=GRADIENT) -> VGroup:
    """``content`` in a thin rounded box on a white backing."""
    box = SurroundingRectangle(content, color=color, buff=0.07, stroke_width=2,
                               corner_radius=0.06)
    box.set_fill(BACKGROUND, opacity=1)
    group = VGroup(box, content)
    group.box, group.content = box, content
    return group


def gradient_tag(text: str, color=GRADIENT, size: int = TAG_SIZE) -> VGroup:
    """A number (already formatted) in a thin box on a white backing: one derivative.

    A :class:`~manim.Text`, as in the parameter table: Pango lays it out at once, where each
    new MathTex string would be a LaTeX run.
    """
    return boxed(Text(text.replace("-", MINUS), font=FONT, font_size=size, color=color), color)


def gradient_legend(size: int = LABEL_SIZE + 4) -> VGroup:
    """What the pink boxes hold: d SSR / d parameter, in a box of its own."""
    return boxed(math(r"\frac{d\,\mathrm{SSR}}{d\,\text{parameter}}", color=GRADIENT,
                         font_size=size))


class BackwardPass(VGroup):
    """Derivative tags on a network diagram, and the pulses that bring them there.

    Named parts: ``diagram`` (not a submobject: the scene shows it already) and ``tags``, a
    dict from parameter name to its tag. Parameters missing from ``values`` get no tag.
    """

    def __init__(self, diagram: NetworkDiagram, values: Mapping[str, str],
                 color=GRADIENT, size: int = TAG_SIZE) -> None:
        super().__init__()
        self.diagram = diagram
        self.color = color
        self.size = size
        self.tags: dict[str, VGroup] = {}
        #: True when some tag found no free spot, even at the smallest size
        self.crowded = False
        # When some tag finds no free spot, all tags try again a size smaller.
        for shrink in TAG_SHRINK:
            self._place_tags(values, shrink)
            if not self.crowded:
                break
        self.add(*(self.tags[n] for n in self.diagram.network.names if n in self.tags))

    def _place_tags(self, values: Mapping[str, str], shrink: float) -> None:
        self.tags, self.crowded = {}, False
        obstacles = self._obstacles()
        w_in, w_out, b_in, b_out = self._names()
        # Biases first: beside their labels they have the fewest spots; a weight's tag can
        # slide along its edge.
        for name in [b_out, *b_in, *w_out, *w_in]:
            if name in values:
                tag = gradient_tag(values[name], self.color, self.size)
                # The tags scale with the diagram, so they stay in proportion when it shrinks.
                tag.scale(self._scale() * shrink)
                _, cost = place(tag, self._spots(name, tag), obstacles,
                                foreign_edges(self.diagram, name))
                self.crowded |= cost > 0
                obstacles.append(tag)
                self.tags[name] = tag

    # -- geometry ---------------------------------------------------------------------------

    def _scale(self) -> float:
        # The diagram's nodes are 0.72 wide at scale 1.
        return self.diagram.input_node[0].width / 0.72

    def _names(self) -> tuple[list[str], list[str], list[str], str]:
        return name_groups(self.diagram)

    def stages(self) -> list[Stage]:
        """The backward pass, from the output back to the input."""
        d = self.diagram
        w_in, w_out, b_in, b_out = self._names()
        arrow = d.output_arrow
        return [
            Stage([(arrow.get_end(), arrow.get_start())], [d.sum_node], [b_out]),
            Stage([(e.get_end(), e.get_start()) for e in d.edges_out], [], w_out),
            Stage([], list(d.hidden_nodes), b_in),
            Stage([(e.get_end(), e.get_start()) for e in d.edges_in], [d.input_node], w_in),
        ]

    def _obstacles(self) -> list[VMobject]:
        d = self.diagram
        return [*d.labels.values(), d.input_node, d.sum_node, *d.hidden_nodes, d.input_text,
                d.output_text]

    def _spots(self, name: str, tag: VMobject) -> list[np.ndarray]:
        """Where a tag may go, best first: right beside its parameter's label."""
        d = self.diagram
        edge = edge_of(d, name)
        if edge is not None:
            w_in = self._names()[0]
            home = getattr(d, "label_at", {}).get(name, 0.5 if name in w_in else 0.3)
            # After the label, in the direction of the forward pass; before it if need be.
            ahead = tuple(np.arange(0.1, 0.5, 0.025))
            shifts = [*ahead, *(-a for a in ahead)]
            spots = [along(edge, min(max(home + a, 0.1), 0.9)) for a in shifts]
            # Failing that, just above or below the label, off the edge.
            label = d.labels[name]
            for side in (UP, DOWN):
                spots.append(label.get_center()
                             + side * (label.height / 2 + tag.height / 2 + 0.08 * self._scale()))
            return spots
        label = d.labels[name]
        w_in, w_out, b_in, b_out = self._names()
        if name == b_out:
            sides = (RIGHT, UP, LEFT)
        else:
            j = b_in.index(name)
            outer = UP if label.get_center()[1] > d.hidden_nodes[j].get_center()[1] else DOWN
            sides = (RIGHT, LEFT, outer)
        gap = 0.1 * self._scale()
        spots = [label.get_center() + side * (self._extent(label, side) + gap
                                              + self._extent(tag, side)) for side in sides]
        if name != b_out:  # beside the label, a little higher or lower
            spots += [spot + outer * lift * self._scale() for lift in (-0.12, 0.12, -0.24, 0.24)
                      for spot in spots[:2]]
        return spots

    @staticmethod
    def _extent(mob: VMobject, side: np.ndarray) -> float:
        return mob.width / 2 if side[0] else mob.height / 2

    # -- animation --------------------------------------------------------------------------

    def flow(self, stage: Stage, run_time: float = 1.2) -> AnimationGroup:
        """Pulses run back along the stage's routes (and round its nodes), then its tags appear."""
        width = 10 * self._scale()
        pulses = []
        for start, end in stage.routes:
            line = Line(start, end, color=self.color, stroke_width=width)
            dot = Dot(start, radius=0.09 * self._scale(), color=self.color)
            pulses.append(ShowPassingFlash(line, time_width=0.6))
            pulses.append(MoveAlongPath(dot, Line(start, end), remover=True))
        for node in stage.nodes:
            pulses.append(Circumscribe(node[0], shape=Circle, color=self.color,
                                       stroke_width=width / 2, fade_out=True))
        tags = [FadeIn(self.tags[n], scale=1.4) for n in stage.names if n in self.tags]
        if tags:
            return AnimationGroup(AnimationGroup(*pulses), AnimationGroup(*tags), lag_ratio=0.6,
                                  run_time=run_time)
        return AnimationGroup(*pulses, run_time=run_time)

