"""The network diagram: input, k hidden nodes, the sum, with every parameter labelled."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Arrow,
    Circle,
    MarkupText,
    VGroup,
    VMobject,
)

from bpcore.activations import Activation
from bpcore.display import fmt
from bpcore.network import Network
from kit.style import BACKGROUND, FIXED, INK, LABEL_SIZE, LEARNING, NODE_COLORS, TEXT_SCALE
from kit.text import words


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
        self.input_text = words(input_label, size=LABEL_SIZE * TEXT_SCALE).next_to(
            self.input_node, DOWN, buff=0.15)
        # Under the arrow, ending at its tip, and low enough to clear the sum node.
        self.output_text = words(output_label, size=LABEL_SIZE * TEXT_SCALE).next_to(
            self.output_arrow, DOWN, buff=0.42).align_to(self.output_arrow, RIGHT)

        self.labels: dict[str, MarkupText] = {}
        # Weights sit on their edges where the edges are far apart; each hidden bias sits on
        # the outer side of its node, so nothing collides for any k.
        for j in range(k):
            self.labels[names[j]] = self._label(names[j]).move_to(
                self.edges_in[j].point_from_proportion(0.58))
            self.labels[names[k + j]] = self._label(names[k + j]).move_to(
                self.edges_out[j].point_from_proportion(0.45))
            side = UP if j < k / 2 else DOWN
            self.labels[names[2 * k + j]] = self._label(names[2 * k + j]).next_to(
                self.hidden_nodes[j], side, buff=0.08)
        b_out = names[-1]
        self.labels[b_out] = self._label(b_out).next_to(self.output_arrow, UP, buff=0.25)

        self.add(self.edges_in, self.edges_out, self.input_node, self.hidden_nodes,
                 self.sum_node, self.output_arrow, self.input_text, self.output_text,
                 *self.labels.values())

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
        label = words(text, color=color, size=(LABEL_SIZE + 12) * TEXT_SCALE)
        # A white backing keeps the label readable where it meets an edge.
        label.add_background_rectangle(color=BACKGROUND, opacity=1, buff=0.04)
        return label

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
