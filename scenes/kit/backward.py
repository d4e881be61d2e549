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
    RIGHT,
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

from kit.network import NetworkDiagram
from kit.style import BACKGROUND, FONT, LABEL_SIZE
from kit.text import MINUS, math

#: The derivatives' colour: a dark pink, the slope of the pink SSR curve, dark enough to read.
GRADIENT = ManimColor("#c2185b")
TAG_SIZE = LABEL_SIZE
#: Tag sizes tried in turn until every tag finds a free spot.
TAG_SHRINK = (1.0, 0.88, 0.76)
#: Room kept free around each tag, in scene units.
PAD = 0.06
#: What a tag lying on a foreign edge costs, against the area (scene units) it overlaps.
EDGE_COST = 0.05


class BackpropDiagram(NetworkDiagram):
    """The kit's network diagram, with its labels moved apart so that none covers another.

    With three or more hidden nodes, or values written after the names, the kit's fixed label
    spots collide (a middle node's bias runs into an output weight, the output bias into the
    sum node). Here each label takes the first spot that touches no node, no other label and no
    edge but its own: biases beside their nodes first, then weights along their edges. The
    output's name starts where its arrow starts, clear of the sum node.

    Extra named parts: ``label_at``, each weight label's place along its edge (0 to 1), and
    ``crowded``, True when some label found no free spot (long values on many nodes): show the
    values elsewhere then, in a table, and draw the diagram with names only.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.output_text.next_to(self.output_arrow, DOWN, buff=0.15)
        self.output_text.align_to(self.output_arrow, LEFT).shift(RIGHT * 0.1)
        self.label_at: dict[str, float] = {}
        self.crowded = False
        self._declutter()

    def _declutter(self) -> None:
        w_in, w_out, b_in, b_out = name_groups(self)
        taken = [self.input_node, self.sum_node, *self.hidden_nodes, self.input_text,
                 self.output_text]
        arrow = self.output_arrow
        label = self.labels[b_out]
        above = label.copy().next_to(arrow, UP, buff=0.12)
        spots = [above.copy().align_to(arrow, LEFT).shift(RIGHT * 0.1), above.copy(),
                 above.copy().align_to(arrow, RIGHT)]
        self._put(label, [m.get_center() for m in spots], taken, foreign_edges(self, b_out))
        for j, name in enumerate(b_in):
            label, node = self.labels[name], self.hidden_nodes[j]
            outer = UP if j < self.network.hidden / 2 else DOWN
            spots = [label.copy().next_to(node, side, buff=0.08).get_center()
                     for side in (outer, -outer)]
            spots += [label.copy().next_to(node, side, buff=0.08).get_center() + shift
                      for side in (outer, -outer) for shift in (LEFT * 0.5, RIGHT * 0.5)]
            self._put(label, spots, taken, foreign_edges(self, name))
        # Output weights sit near their hidden node, away from the sum node where their edges
        # converge; that leaves room for a derivative tag after each label.
        for names, edges, home in ((w_out, self.edges_out, 0.3), (w_in, self.edges_in, 0.5)):
            for name, edge in zip(names, edges, strict=True):
                shifts = (0.0, 0.06, -0.06, 0.12, -0.12, 0.18, 0.24, 0.3)
                where = [min(max(home + d, 0.2), 0.8) for d in shifts]
                chosen = self._put(self.labels[name],
                                   [along(edge, p) for p in where], taken,
                                   foreign_edges(self, name))
                self.label_at[name] = where[chosen]

    def _put(self, label: VMobject, spots, taken: list[VMobject], edges) -> int:
        chosen, cost = place(label, spots, taken, edges)
        self.crowded |= cost > 0
        taken.append(label)
        return chosen


def along(edge: VMobject, proportion: float) -> np.ndarray:
    """The point ``proportion`` of the way along a straight edge, from its start to its end.

    (``point_from_proportion`` counts an arrow's tip outline as length too, which pulls every
    spot towards the arrow head.)
    """
    start, end = edge.get_start(), edge.get_end()
    return start + proportion * (end - start)


def name_groups(diagram: NetworkDiagram) -> tuple[list[str], list[str], list[str], str]:
    """Input weights, output weights, hidden biases and the output bias, by name."""
    names, k = diagram.network.names, diagram.network.hidden
    return list(names[:k]), list(names[k:2 * k]), list(names[2 * k:3 * k]), names[-1]


def edge_of(diagram: NetworkDiagram, name: str) -> VMobject | None:
    """The edge a weight sits on (None for a bias)."""
    w_in, w_out, _, _ = name_groups(diagram)
    if name in w_in:
        return diagram.edges_in[w_in.index(name)]
    if name in w_out:
        return diagram.edges_out[w_out.index(name)]
    return None


def foreign_edges(diagram: NetworkDiagram, name: str) -> list[VMobject]:
    """Every edge (and the output arrow) but the one ``name`` sits on."""
    own = edge_of(diagram, name)
    if name == diagram.network.names[-1]:  # the output bias belongs to the output arrow
        own = diagram.output_arrow
    return [e for e in (*diagram.edges_in, *diagram.edges_out, diagram.output_arrow)
            if e is not own]


def place(mob: VMobject, spots: list[np.ndarray], taken: list[VMobject],
          edges: list[VMobject]) -> tuple[int, float]:
    """Move ``mob`` to the first spot where it touches nothing in ``taken`` and crosses none of
    ``edges``; if every spot touches something, to the one that touches least. Returns the
    index of the spot chosen and what it still touches (0 when free)."""
    best, best_cost = 0, float("inf")
    for i, spot in enumerate(spots):
        mob.move_to(spot)
        cost = sum(_overlap(mob, other) for other in taken)
        cost += sum(EDGE_COST for e in edges if _crosses(mob, e))
        if cost == 0:
            return i, 0.0
        if cost < best_cost:
            best, best_cost = i, cost
    mob.move_to(spots[best])
    return best, best_cost


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


def _crosses(tag: VMobject, edge: VMobject, samples: int = 60) -> bool:
    """Whether the straight ``edge`` passes through ``tag``'s box (grown by PAD)."""
    low, high = tag.get_corner(DOWN + LEFT)[:2] - PAD, tag.get_corner(UP + RIGHT)[:2] + PAD
    t = np.linspace(0, 1, samples)[:, None]
    points = edge.get_start()[:2] * (1 - t) + edge.get_end()[:2] * t
    return bool(np.any(np.all((points >= low) & (points <= high), axis=1)))


def _overlap(a: VMobject, b: VMobject) -> float:
    """The area where the two bounding boxes (``a`` grown by PAD) overlap; for a node (a
    circle), how far ``a``'s box reaches into the circle."""
    (al, ab_), (ar, at) = a.get_corner(DOWN + LEFT)[:2] - PAD, a.get_corner(UP + RIGHT)[:2] + PAD
    circle = b[0] if isinstance(b, VGroup) and len(b) and isinstance(b[0], Circle) else None
    if circle is not None:  # half the room: a box's corner rarely meets a round node
        centre, radius = circle.get_center()[:2], circle.width / 2 + PAD / 2
        nearest = np.clip(centre, [al + PAD, ab_ + PAD], [ar - PAD, at - PAD])
        return float(max(radius - np.linalg.norm(nearest - centre), 0.0))
    (bl, bb), (br, bt) = b.get_corner(DOWN + LEFT)[:2], b.get_corner(UP + RIGHT)[:2]
    w = min(ar, br) - max(al, bl)
    h = min(at, bt) - max(ab_, bb)
    return float(w * h) if w > 0 and h > 0 else 0.0
