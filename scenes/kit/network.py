"""The network diagram: input, k hidden nodes, the sum, with every parameter labelled."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    UR,
    Animation,
    AnimationGroup,
    Arrow,
    Circle,
    LaggedStart,
    MarkupText,
    VGroup,
    VMobject,
)

from bpcore.display import fmt
from bpcore.model.activations import Activation
from bpcore.model.network import Network
from kit.screen import anchored, remember_size
from kit.style import BACKGROUND, FIXED, INK, LABEL_SIZE, LEARNING, NODE_COLORS, TEXT_SCALE
from kit.text import words

#: Room kept free around each label (and derivative tag), in scene units.
PAD = 0.06
#: What a label lying on a foreign edge costs, against the area (scene units) it overlaps.
EDGE_COST = 0.05
#: Label sizes tried in turn until every label finds a free spot.
LABEL_SHRINK = (1.0, 0.9, 0.8, 0.7)
#: A weight label's spots, as shifts from its home along the edge.
WEIGHT_SHIFTS = (0.0, 0.06, -0.06, 0.12, -0.12, 0.18, -0.18, 0.24, 0.3)


def symbol(name: str) -> str:
    """LaTeX for a parameter name: ``w3`` -> ``w_{3}``."""
    return f"{name[0]}_{{{name[1:]}}}"


def activation_glyph(activation: Activation, color, size: float = 0.42) -> VMobject:
    """A tiny picture of the activation function, drawn inside a hidden node."""
    xs = np.linspace(-3, 3, 25)
    ys = activation(xs)
    ys = (ys - ys.min()) / max(np.ptp(ys), 1e-9) - 0.5
    points = [np.array([x / 6 * size, y * size, 0]) for x, y in zip(xs, ys, strict=True)]
    return VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(points)


class NetworkDiagram(VGroup):
    """A one-input, k-hidden-node, one-output network drawn from a bpcore :class:`Network`.

    Named parts: ``input_node``, ``hidden_nodes``, ``sum_node``, ``edges_in``, ``edges_out``
    and ``labels`` (a dict from parameter name to its label). Labels of parameters in
    ``learning`` are red, the rest green.
    """

    def __init__(
        self,
        network: Network,
        learning: Iterable[str] = (),
        digits: int | None = None,
        input_label: str = "Dosage",
        output_label: str = "Effectiveness",
        height: float = 5.4,
    ) -> None:
        super().__init__()
        self.network = network
        self.digits = digits
        self.learning = set(learning)
        k = network.hidden
        names = network.names
        spread = min(height, 1.8 * (k - 1))
        ys = np.linspace(spread / 2, -spread / 2, k)

        self.input_node = self._node(np.array([-4.6, 0, 0]), INK)
        self.sum_node = self._node(np.array([3.2, 0, 0]), INK, "\u03a3")
        self.hidden_nodes = VGroup(
            *(self._node(np.array([-0.2, y, 0]), NODE_COLORS[j % 4], glyph=True)
              for j, y in enumerate(ys))
        )
        self.edges_in = VGroup(*(self._edge(self.input_node, n) for n in self.hidden_nodes))
        self.edges_out = VGroup(*(self._edge(n, self.sum_node) for n in self.hidden_nodes))
        self.output_arrow = Arrow(self.sum_node.get_right(), self.sum_node.get_right() + RIGHT,
                                  buff=0.05, color=INK, stroke_width=3,
                                  max_tip_length_to_length_ratio=0.25)
        # Tied to what they name: grown back to a legible size after the diagram is scaled
        # down (kit.screen.legible), the input's name stays under its node, the output's
        # under the arrow's tip.
        self.input_text = anchored(words(input_label, size=LABEL_SIZE * TEXT_SCALE).next_to(
            self.input_node, DOWN, buff=0.15), UP)
        self.output_text = anchored(words(output_label, size=LABEL_SIZE * TEXT_SCALE), UR)

        self.labels: dict[str, MarkupText] = {name: self._label(name) for name in names}
        #: True when some label found no free spot even at the smallest size (long values on
        #: many nodes): show the values elsewhere then, in a table, with names on the diagram.
        self.crowded = False
        self._place_output_text()
        self._declutter()

        self.add(self.edges_in, self.edges_out, self.input_node, self.hidden_nodes,
                 self.sum_node, self.output_arrow, self.input_text, self.output_text,
                 *self.labels.values())

    def _place_output_text(self) -> None:
        # Under the arrow, ending at its tip, and low enough to clear the sum node with room
        # to spare: in a shrunk diagram the name grows back to a legible size (leftwards and
        # down, kit.screen.legible), under the node.
        self.output_text.next_to(self.output_arrow, DOWN, buff=0.6)
        self.output_text.align_to(self.output_arrow, RIGHT)

    # -- where the labels go ----------------------------------------------------------------

    def _declutter(self) -> None:
        """Each label takes the first of its spots (:meth:`_spots`) that touches no node, no
        text, no label placed before it and no edge but its own; when some label finds none,
        every label tries again a size smaller (:data:`LABEL_SHRINK`)."""
        for shrink in LABEL_SHRINK:
            self.crowded = False
            taken = [self.input_node, self.sum_node, *self.hidden_nodes, self.input_text,
                     self.output_text]
            w_in, w_out, b_in, b_out = name_groups(self)
            # The output bias and the hidden biases have the fewest spots: they go first.
            for name in [b_out, *b_in, *w_out, *w_in]:
                label = self.labels[name]
                label.scale(shrink * self._label_height(name) / label.height)
                chosen, cost = place(label, self._spots(name), taken, foreign_edges(self, name))
                self._placed(name, chosen)
                self.crowded |= cost > 0
                taken.append(label)
            if not self.crowded:
                return

    def _label_height(self, name: str) -> float:
        """A label's height at full size (labels are made once; shrinking scales them)."""
        if not hasattr(self, "_full_heights"):
            self._full_heights = {n: m.height for n, m in self.labels.items()}
        return self._full_heights[name]

    def _spots(self, name: str) -> list[np.ndarray]:
        """Where ``name``'s label may sit, best first: weights on their edges, a hidden
        bias beside its node (the outer side first), the output bias above the arrow."""
        w_in, w_out, b_in, b_out = name_groups(self)
        label = self.labels[name]
        if name == b_out:
            return along_arrow(label, self.output_arrow, 0.25, (ORIGIN, LEFT, RIGHT))
        if name in b_in:
            j = b_in.index(name)
            outer = UP if j < self.network.hidden / 2 else DOWN
            spots = [beside(label, self.hidden_nodes[j], side, 0.08) for side in (outer, -outer)]
            return spots + [spot + shift for spot in spots
                            for shift in (LEFT * 0.5, RIGHT * 0.5)]
        edge = edge_of(self, name)
        return [along(edge, p) for p in self._weight_spots(name)]

    def _weight_spots(self, name: str) -> list[float]:
        """A weight label's spots, as proportions of the way along its edge."""
        home = self._weight_home(name)
        return [min(max(home + d, 0.2), 0.8) for d in WEIGHT_SHIFTS]

    def _weight_home(self, name: str) -> float:
        """Where a weight's label sits on its edge when nothing is in the way (0 to 1): about
        the middle of an input edge, a little nearer the hidden node on an output edge."""
        edge = edge_of(self, name)
        point = edge.point_from_proportion(0.58 if name in name_groups(self)[0] else 0.45)
        start, end = edge.get_start(), edge.get_end()
        return float(np.dot(point - start, end - start) / np.dot(end - start, end - start))

    def _placed(self, name: str, chosen: int) -> None:
        """Hook: ``name``'s label went to spot number ``chosen``."""

    def _node(self, center, color, text: str | None = None, glyph: bool = False) -> VGroup:
        circle = Circle(radius=0.36, color=color, stroke_width=4).move_to(center)
        node = VGroup(circle)
        if text:
            node.add(words(text, size=36 * TEXT_SCALE).move_to(center))
        if glyph:
            node.add(activation_glyph(self.network.activation, color).move_to(center))
        return node

    def _edge(self, start: VGroup, end: VGroup) -> Arrow:
        return Arrow(start[0].get_center(), end[0].get_center(), buff=0.38, color=INK,
                     stroke_width=3, max_tip_length_to_length_ratio=0.08)

    def _label(self, name: str) -> MarkupText:
        value = self.network.params[name]
        text = ("\u00d7" if name.startswith("w") else "+") + name
        if self.digits is not None:
            text += " = " + fmt(value, self.digits)
        color = LEARNING if name in self.learning else FIXED
        size = (LABEL_SIZE + 12) * TEXT_SCALE
        label = words(text, color=color, size=size)
        # A white backing keeps the label readable where it meets an edge. The label is now
        # taller than its words: its size is noted again, so that the digits' height is told
        # from the words, not from the backing (kit.screen.legible, the legibility rule).
        label.add_background_rectangle(color=BACKGROUND, opacity=1, buff=0.04)
        return remember_size(label, size)

    def relabel(self, name: str, value: float | None = None, learning: bool | None = None):
        """A new label for ``name`` in place of the old one (to Transform into)."""
        if learning is not None:
            self.learning = (self.learning | {name}) if learning else (self.learning - {name})
        if value is not None:
            self.network = self.network.replace(**{name: value})
        new = self._label(name).move_to(self.labels[name])
        new.scale(self.labels[name].height / max(new.height, 1e-6))
        return new

    def color_of(self, name: str):
        return LEARNING if name in self.learning else FIXED


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


def light_path(diagram: NetworkDiagram, route: list[VMobject], color,
               width: float = 7) -> AnimationGroup:
    """The parts of ``route`` (edges, node rings, the output arrow) lit one after another in
    ``color`` and drawn ``width`` thick, their weights' labels staying readable over them.

    Manim adds the mobjects of a played animation group to the top of the scene, where they
    are drawn for as long as they are shown: lit alone, the thick edges would cross out the
    labels sitting on them. The labels of the route's edges go in the group after the edges,
    animated as they are, so their backing covers the edges as it covers the thin ones.
    """
    lit = LaggedStart(*(part.animate.set_color(color).set_stroke(width=width)
                        for part in route), lag_ratio=0.5)
    on_route = [name for name in diagram.labels
                if any(edge_of(diagram, name) is part for part in route)]
    return AnimationGroup(lit, *(Animation(diagram.labels[name]) for name in on_route))


def foreign_edges(diagram: NetworkDiagram, name: str) -> list[VMobject]:
    """Every edge (and the output arrow) but the one ``name`` sits on."""
    own = edge_of(diagram, name)
    if name == diagram.network.names[-1]:  # the output bias belongs to the output arrow
        own = diagram.output_arrow
    return [e for e in (*diagram.edges_in, *diagram.edges_out, diagram.output_arrow)
            if e is not own]


def along(edge: VMobject, proportion: float) -> np.ndarray:
    """The point ``proportion`` of the way along a straight edge, from its start to its end.

    (``point_from_proportion`` counts an arrow's tip outline as length too, which pulls every
    spot towards the arrow head.)
    """
    start, end = edge.get_start(), edge.get_end()
    return start + proportion * (end - start)


def beside(mob: VMobject, target: VMobject, side: np.ndarray, buff: float) -> np.ndarray:
    """Where ``mob.next_to(target, side, buff=buff)`` would put ``mob``'s centre (without
    moving it: copying a glyph path to try a spot costs more than the try)."""
    extent = mob.width / 2 if side[0] else mob.height / 2
    return target.get_critical_point(side) + side * (buff + extent)


def along_arrow(mob: VMobject, arrow: VMobject, buff: float, aligns) -> list[np.ndarray]:
    """Centres for ``mob`` just above ``arrow``: centred on it (``ORIGIN``), or flush with its
    left or right end, for each of ``aligns``."""
    above = beside(mob, arrow, UP, buff)
    spots = []
    for align in aligns:
        spot = above.copy()
        if align[0]:
            spot[0] = arrow.get_critical_point(align)[0] - align[0] * mob.width / 2
        spots.append(spot)
    return spots


def place(mob: VMobject, spots: list[np.ndarray], taken: list[VMobject],
          edges: list[VMobject]) -> tuple[int, float]:
    """Move ``mob`` to the first spot where it touches nothing in ``taken`` and crosses none of
    ``edges``; if every spot touches something, to the one that touches least. Returns the
    index of the spot chosen and what it still touches (0 when free)."""
    # Boxes are measured once: a glyph path's bounding box costs a pass over all its points.
    low, high = corners(mob)
    half = (high - low) / 2
    shapes = [_shape(other) for other in taken]
    lines = [(e.get_start()[:2], e.get_end()[:2]) for e in edges]
    best, best_cost = 0, float("inf")
    for i, spot in enumerate(spots):
        box = (spot[:2] - half - PAD, spot[:2] + half + PAD)
        cost = sum(_overlap(box, shape) for shape in shapes)
        cost += sum(EDGE_COST for line in lines if _crosses(box, line))
        if cost == 0:
            best, best_cost = i, 0.0
            break
        if cost < best_cost:
            best, best_cost = i, cost
    mob.move_to(spots[best])
    return best, best_cost


def corners(mob: VMobject) -> tuple[np.ndarray, np.ndarray]:
    """The lower left and upper right corners of ``mob``'s bounding box, in x and y."""
    return mob.get_corner(DOWN + LEFT)[:2], mob.get_corner(UP + RIGHT)[:2]


def crossed_by_edge(mob: VMobject, edge: VMobject) -> bool:
    """Whether the straight ``edge`` passes through ``mob``'s box (grown by PAD); the same
    argument order as :func:`kit.plots.crossed_by_curve`."""
    low, high = corners(mob)
    return _crosses((low - PAD, high + PAD), (edge.get_start()[:2], edge.get_end()[:2]))


def overlap(a: VMobject, b: VMobject) -> float:
    """The area where the two bounding boxes (``a`` grown by PAD) overlap; for a node (a
    circle), how far ``a``'s box reaches into the circle."""
    low, high = corners(a)
    return _overlap((low - PAD, high + PAD), _shape(b))


def _shape(mob: VMobject) -> tuple:
    """A node as ("circle", centre, radius), anything else as ("box", low, high)."""
    circle = mob[0] if isinstance(mob, VGroup) and len(mob) and isinstance(mob[0], Circle) \
        else None
    if circle is not None:
        return "circle", circle.get_center()[:2], circle.width / 2
    return ("box", *corners(mob))


def _overlap(box: tuple[np.ndarray, np.ndarray], shape: tuple) -> float:
    (al, ab), (ar, at) = box
    if shape[0] == "circle":  # half the room: a box's corner rarely meets a round node
        _, centre, radius = shape
        nearest = np.clip(centre, [al + PAD, ab + PAD], [ar - PAD, at - PAD])
        return float(max(radius + PAD / 2 - np.linalg.norm(nearest - centre), 0.0))
    _, (bl, bb), (br, bt) = shape
    w = min(ar, br) - max(al, bl)
    h = min(at, bt) - max(ab, bb)
    return float(w * h) if w > 0 and h > 0 else 0.0


def _crosses(box: tuple[np.ndarray, np.ndarray], line, samples: int = 60) -> bool:
    low, high = box
    t = np.linspace(0, 1, samples)[:, None]
    points = line[0] * (1 - t) + line[1] * t
    return bool(np.any(np.all((points >= low) & (points <= high), axis=1)))
