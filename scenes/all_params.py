"""Backpropagation with every parameter: the chain rule through the hidden layer, the backward
pass on the network, and thousands of gradient-descent steps.

Render with ``manim -pqh scenes/all_params.py``. The numbers come from
assets/lessons/all_params.yaml, or from the lesson file named by ``BP_LESSON``.
"""

from __future__ import annotations

from manim import *

from bpcore.lesson.compare import compare_to_lesson
from bpcore.lesson.file import LESSONS_DIR
from bpcore.lesson.settling import step_schedule
from bpcore.model.chain import Factor, FactorKind
from bpcore.narration.story import MOST_SAID, counted, equals, joined, landing, trend
from kit.backward import GRADIENT, BackpropDiagram, BackwardPass, boxed, gradient_legend
from kit.beats import FadeAway, FadeInPlace, bam, fit_into, sentence
from kit.chain_table import ChainTable, factor_tex
from kit.descent_plots import SSRByStep
from kit.grid import Columns, column_widths
from kit.inplace import LaggedFadeIn, Reframe
from kit.lesson_scene import LessonScene
from kit.network import edge_of, light_path, symbol
from kit.numerals import numeral, numeral_line
from kit.param_table import ParamTable
from kit.plots import curve, data_dots, make_axes, nice_range, residual_lines
from kit.screen import legible
from kit.style import (
    FIXED,
    FONT,
    INK,
    LABEL_SIZE,
    LEARNING,
    LONG,
    MEDIUM,
    MUTED,
    NODE_COLOR_NAMES,
    NODE_COLORS,
    SHORT,
    SQUIGGLE,
    TEXT_SCALE,
    TEXT_SIZE,
    TITLE_SIZE,
)
from kit.text import MINUS, math, tex_text, title_lines, words

#: The lesson whose values the fit is compared with at the end.
REFERENCE_LESSON = LESSONS_DIR / "b3.yaml"
#: Descent states shown one by one before the video starts skipping ahead.
ONE_BY_ONE = 5
#: Descent states shown in all (the geometric schedule's length).
SHOWN_STATES = 64
#: Seconds per shown state once the video skips ahead.
FAST = 0.3


class AllParamsScene(LessonScene):
    """Fit every weight and bias at once: the chain rule through the hidden layer, the backward
    pass drawn on the network, and gradient descent over thousands of steps."""

    lesson_name = "all_params"
    #: The beat whose still makes the thumbnail: the derivatives on the network.
    thumbnail_beat = "backward-pass"

    def construct(self) -> None:
        self.read_lesson()
        self.show_network()
        self.derive_chain_rule()
        self.show_backward_pass()
        self.take_first_step()
        self.descend()
        self.show_landing()
        self.summarize()

    # -- set-up -----------------------------------------------------------------------------

    def read_lesson(self) -> None:
        lesson, descent = self.lesson, self.trace.descent
        net = lesson.network
        self.k = net.hidden
        names = net.names
        k = self.k
        self.w_in, self.w_out = names[:k], names[k:2 * k]
        self.b_in, self.b_out = names[2 * k:3 * k], names[-1]
        # Node by node, as a teacher reads the network: w1, b1, w2, b2, ..., then the output.
        self.order = [n for j in range(k) for n in (self.w_in[j], self.b_in[j])]
        self.order += [*self.w_out, self.b_out]
        self.learning = [n for n in self.order if n in lesson.optimize]
        self.colors = [NODE_COLORS[j % len(NODE_COLORS)] for j in range(k)]
        self.color_names = [NODE_COLOR_NAMES[j % len(NODE_COLOR_NAMES)] for j in range(k)]
        self.act = net.activation.name
        self.chain = self.trace.chain_at(0)
        self.rate = self.num(descent.learning_rate)
        # The geometric schedule, plus each state where a parameter settles (turns green).
        settling = {s for s in self.settled.values() if s}
        self.states = tuple(sorted(set(step_schedule(descent.updates, ONE_BY_ONE,
                                                     SHOWN_STATES)) | settling))
        self.comparison = c = compare_to_lesson(self.trace, REFERENCE_LESSON)
        #: How the fit ends next to the reference lesson's values, as the landing tells it:
        #: "rediscovered" (reached from other values), "kept" (it started on them), "stopped"
        #: (elsewhere, still moving), "another fit" (elsewhere, settled) or "unrelated".
        start = lesson.network.params
        started_there = c.comparable and all(
            self.num(start[n]) == self.num(r) for n, r in zip(c.names, c.reference, strict=True))
        self.landing = landing(c.comparable, c.agrees, started_there,
                               self.ending(self.learning).cut_short)

    def listing(self, names, values) -> str:
        """``w1 = 2.74, b1 = 0, ...`` for captions."""
        return ", ".join(f"{n} = {self.num(values[n])}" for n in names)

    def shown(self, value: float) -> str:
        """A value for the screen: the display rule, with a real minus sign."""
        return self.num(value).replace("-", MINUS)

    def cell(self, value: float, color=INK, size: int = LABEL_SIZE) -> VMobject:
        """A number as Text sets it, from cached glyphs (kit.numerals)."""
        return numeral(self.shown(value), color, size)

    def name(self, name: str, color, size: float) -> VMobject:
        """A parameter's name (w1 with a subscript), as large as MathTex at ``size``."""
        return words(name, color, size * TEXT_SCALE)

    def bam(self, text: str = "Bam!") -> None:
        bam(self, text)

    def clear(self, run_time: float = SHORT) -> None:
        if self.mobjects:
            self.play(FadeAway(*self.mobjects), run_time=run_time)

    # -- beat 1: the network, every parameter red ---------------------------------------------

    def show_network(self) -> None:
        self.beat("network", "The network, every parameter unknown")
        lesson, start = self.lesson, self.trace.start
        title = title_lines(lesson.title, TITLE_SIZE - 10, config.frame_width - 1)
        title.to_edge(UP, buff=0.35)
        self.play(Write(title), run_time=MEDIUM)
        # A title on two lines takes its second line's height from the diagram.
        diagram = self.valued_diagram(lesson.network, lesson.optimize,
                                      height=6.0 - (title.height - title[0].height))
        diagram.next_to(title, DOWN, buff=0.3)
        red = [n for n in self.order if n in lesson.optimize]
        if len(red) == len(self.order):
            self.say(f"{sentence(lesson.title)} This time no parameter is known in advance: all "
                     f"{len(red)} of them, {', '.join(red)}, start from guesses, so all are "
                     "red.", voice=f"{sentence(lesson.title)} Can a network find every weight "
                     f"and bias at once? This time no parameter is known in advance. All "
                     f"{len(red)} start from guesses, so all are red.")
        else:
            fixed = [n for n in self.order if n not in lesson.optimize]
            self.say(f"{sentence(lesson.title)} The red parameters, {', '.join(red)}, start from "
                     f"guesses; the green ones, {', '.join(fixed)}, stay as they are.")
        self.play(LaggedFadeIn(diagram.diagram, lag_ratio=0.05), run_time=LONG)
        biases = [n for n in red if n.startswith("b")]
        zero = bool(biases) and all(lesson.network.params[n] == 0 for n in biases)
        self.say("The starting values: " + self.listing(self.order, lesson.network.params)
                 + ".", voice=("Biases usually start at 0, and so do these. The weights start "
                               "from the guesses written on the diagram." if zero else
                               "The starting values are written on the diagram."))
        self.play(*(Indicate(diagram.labels[n], color=LEARNING, scale_factor=1.25)
                    for n in red), run_time=MEDIUM)
        if diagram.table is not None:
            self.play(FadeInPlace(diagram.table), run_time=MEDIUM)
        self.wait(LONG)

        # The network moves left to make room for the data; a table of values stays behind.
        self.data_axes = self.make_data_axes().scale(0.8)
        self.data_axes.to_edge(RIGHT, buff=0.3).shift(DOWN * 0.35)
        shrink = Reframe.to(diagram.diagram, width=7.4, height=6.2,
                            left=-config.frame_width / 2 + 0.25, center=[0, -0.35, 0])
        gone = [FadeAway(diagram.table)] if diagram.table is not None else []
        self.play(shrink, *gone, run_time=MEDIUM)
        self.dots = data_dots(self.data_axes, lesson.x, lesson.y)
        self.squiggle = self.squiggle_at(0)
        self.residuals = residual_lines(self.data_axes, lesson.x, lesson.y, start.predicted)
        self.say(f"With these values the green squiggle misses the data, and the sum of the "
                 f"squared residuals, SSR, is {self.num(start.ssr)}.")
        self.play(Create(self.data_axes), FadeInPlace(self.dots), run_time=MEDIUM)
        self.play(Create(self.squiggle), run_time=MEDIUM)
        self.play(LaggedStart(*(Create(r) for r in self.residuals), lag_ratio=0.3),
                  run_time=MEDIUM)
        ssr = words("SSR = " + self.num(start.ssr), size=TEXT_SIZE * TEXT_SCALE)
        ssr.next_to(self.data_axes, UP, buff=0.1).align_to(self.data_axes, RIGHT)
        self.play(FadeInPlace(ssr), run_time=SHORT)
        self.wait(LONG)
        self.still()
        self.clear()

    def valued_diagram(self, network, learning, width: float = 12.6,
                       height: float = 6.0) -> VGroup:
        """The network with its values, as large as fits ``width`` x ``height``: on the
        diagram when they fit there, else names on the diagram and values in a table beside
        it. Parts: ``diagram``, ``table`` (or None), ``labels``."""
        lesson = self.lesson
        labels = {"input_label": lesson.labels.x, "output_label": lesson.labels.y}
        diagram = BackpropDiagram(network, learning=learning, digits=lesson.digits, **labels)
        group = VGroup(diagram)
        table = None
        if diagram.crowded:
            diagram = BackpropDiagram(network, learning=learning, **labels)
            n = len(self.order)
            table = ParamTable(self.order, network.params, learning=learning,
                               digits=lesson.digits, max_rows=-(-n // 2),
                               font_size=LABEL_SIZE + 2)
            diagram.scale_to_fit_height(height)
            group = VGroup(diagram, table).arrange(RIGHT, buff=0.6)
        group.scale_to_fit_width(min(width, group.width))
        if group.height > height:
            group.scale_to_fit_height(height)
        # A tall (4-node) diagram shrinks to the room; its words stay legible.
        legible(group)
        group.diagram, group.table, group.labels = diagram, table, diagram.labels
        return group

    def make_data_axes(self) -> Axes:
        """Axes covering the data and every squiggle the lesson draws."""
        lesson, descent = self.lesson, self.trace.descent
        ys = [*lesson.y, *descent.predicted.ravel()]
        for i in self.states:
            ys.extend(self.trace.curves_at(i).predicted)
        return make_axes(nice_range(lesson.x, ticks=4), nice_range(ys, ticks=5), 4.6, 4.6,
                         lesson.labels.x, lesson.labels.y)

    def squiggle_at(self, state: int) -> VMobject:
        return curve(self.data_axes, self.trace.grid, self.trace.curves_at(state).predicted,
                     SQUIGGLE)

    # -- beat 2: the chain rule through the hidden layer --------------------------------------

    def factor_meaning(self, factor: Factor) -> str:
        """What a factor equals, in symbols, at data point i."""
        kind, node = factor.kind, factor.node
        if kind is FactorKind.RESIDUAL:
            return r"-2(\mathrm{Observed}_i - \mathrm{Predicted}_i)"
        if kind is FactorKind.CURVE:
            return rf"y_{{{node + 1},i}}"
        if kind is FactorKind.OUTPUT_WEIGHT:
            return symbol(self.w_out[node])
        if kind is FactorKind.SLOPE:
            return rf"\mathrm{{{self.act}}}'(x_{{{node + 1},i}})"
        if kind is FactorKind.INPUT:
            return tex_text(self.lesson.labels.x) + "_i"
        return "1"  # a bias's factor

    def derivative_lines(self, name: str, size: int) -> tuple[MathTex, MathTex]:
        """``d SSR/d name`` as a product of fractions, and as the sum it stands for."""
        factors = self.chain[name].factors
        color = {symbol(n): LEARNING for n in self.learning}
        left = r"\frac{d\,\mathrm{SSR}}{d\," + symbol(name) + "}"
        fractions = math(left, "=", r" \times ".join(factor_tex(f) for f in factors),
                            color=INK, font_size=size)
        meanings = [self.factor_meaning(f) for f in factors]
        n = len(self.lesson.x)
        total = math(left, "=", rf"\sum_{{i=1}}^{{{n}}}", r" \times ".join(meanings), "=",
                        self.num(self.chain[name].total), color=INK, font_size=size,
                        tex_to_color_map=color)
        return fractions, total

    def derive_chain_rule(self) -> None:
        self.beat("chain-rule", "The chain rule through the hidden layer")
        w1, b1 = self.w_in[0], self.b_in[0]
        top_out = self.w_out[0]
        fractions, total = self.derivative_lines(w1, TEXT_SIZE + 2)
        fractions.to_edge(UP, buff=0.5)
        # The path the voice walks, drawn while it is said: w1's edge, hidden node 1, its
        # output weight's edge and the sum, lit from the output back, as the chain rule goes.
        lesson = self.lesson
        path = BackpropDiagram(lesson.network, learning=lesson.optimize,
                               input_label=lesson.labels.x, output_label=lesson.labels.y)
        path.scale_to_fit_width(min(path.width, config.frame_width - 2.0))
        if path.height > 5.6:
            path.scale_to_fit_height(5.6)
        legible(path)
        path.move_to(DOWN * 0.3)
        # Rings only (index 0): the sum sign and the activation glyph keep their colours.
        route = [path.output_arrow, path.sum_node[0], edge_of(path, top_out),
                 path.hidden_nodes[0][0], edge_of(path, w1)]
        self.say(f"To change {w1} we need d SSR / d {w1}. {w1} is far from SSR: it feeds hidden "
                 f"node 1, whose output is scaled by {top_out} on its way to the prediction. The "
                 "chain rule follows that path back, one link per factor.")
        self.play(FadeInPlace(path), run_time=MEDIUM)
        self.play(light_path(path, route, GRADIENT), run_time=LONG)
        self.until_spoken()
        self.play(FadeAway(path), run_time=SHORT)
        self.play(Write(fractions), run_time=LONG)
        self.wait(MEDIUM)
        meanings = VGroup(*(self.factor_note(f) for f in self.chain[w1].factors))
        meanings.arrange(DOWN, aligned_edge=LEFT, buff=0.16).next_to(fractions, DOWN, buff=0.4)
        meanings.set_x(0)
        self.say(f"Link by link: SSR changes with the prediction by -2 times the residual; the "
                 f"prediction changes with node 1's output y1 by its weight {top_out}; y1 "
                 f"changes with its input x1 by the slope of {self.act}; and x1 changes with "
                 f"{w1} by the {self.lesson.labels.x_noun}.",
                 voice=f"Link by link. SSR changes with the prediction by negative 2 times the "
                       f"residual. The prediction changes with node 1's output, y1, by its "
                       f"weight, {top_out}. y1 changes with its input, x1, by the slope of "
                       f"{self.act}. And x1 changes with {w1} by the "
                       f"{self.lesson.labels.x_noun}.")
        self.play(LaggedStart(*(FadeIn(m, shift=RIGHT * 0.2) for m in meanings),
                              lag_ratio=0.4), run_time=LONG)
        self.wait(LONG)
        total.next_to(meanings, DOWN, buff=0.45)
        if total.width > config.frame_width - 0.8:
            total.scale_to_fit_width(config.frame_width - 0.8)
        self.say(f"Multiply the links at each data point and add them up. At the starting "
                 f"values that gives d SSR / d {w1} = {self.num(self.chain[w1].total)}.",
                 voice=f"Multiply the links at each data point and add them up. At the "
                       f"starting values, the derivative of SSR with respect to {w1} is "
                       f"{self.num(self.chain[w1].total)}.")
        self.play(Write(total), run_time=LONG)
        self.wait(LONG)
        self.still()

        self.play(FadeAway(fractions, meanings),
                  Reframe.to(total, width=total.width * 0.85, top=config.frame_height / 2 - 0.4),
                  run_time=MEDIUM)
        self.show_chain_numbers(w1, total.get_bottom()[1] - 0.4)
        others = [b1, top_out, self.b_out]
        rows = VGroup(*(self.derivative_lines(n, TEXT_SIZE - 2)[1] for n in others))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.35).next_to(total, DOWN, buff=0.5)
        for row in rows:
            if row.width > config.frame_width - 0.8:
                row.scale_to_fit_width(config.frame_width - 0.8)
        rows.set_x(0)
        # "paths" is heard "pads" (hibari, Whisper): "chain" is the word the voice has used.
        self.say(f"The other parameters use the same chain, or part of it. {b1} is like {w1} "
                 f"with 1 in place of "
                 f"the {self.lesson.labels.x_noun}: {self.num(self.chain[b1].total)}. "
                 f"{top_out} needs only node 1's output y1: "
                 f"{self.num(self.chain[top_out].total)}. {self.b_out} needs just the "
                 f"residuals: {self.num(self.chain[self.b_out].total)}.")
        self.play(LaggedStart(*(Write(r) for r in rows), lag_ratio=0.5), run_time=LONG * 2)
        if self.k > 1:
            rest = [n for j in range(1, self.k)
                    for n in (self.w_in[j], self.b_in[j], self.w_out[j])]
            note = Text(f"{', '.join(rest)}: the same paths through the other hidden "
                        f"node{'s' if self.k > 2 else ''}", font=FONT, font_size=LABEL_SIZE,
                        color=MUTED).next_to(rows, DOWN, buff=0.45)
            self.say(f"{', '.join(rest)} follow the same paths through the other hidden "
                     f"node{'s' if self.k > 2 else ''}.",
                     voice=f"{joined(rest)} work the same way, through the other hidden "
                           "node." if len(rest) <= 3 else
                     "The others work the same way, through the other hidden nodes.")
            self.play(FadeInPlace(note), run_time=MEDIUM)
        self.wait(LONG)
        self.clear()

    def show_chain_numbers(self, name: str, top: float) -> None:
        """The chain table of ``name``: each link's value at every data point, the products
        and their sum."""
        lesson, derivative = self.lesson, self.chain[name]
        room_w, room_h = config.frame_width - 0.8, top + config.frame_height / 2 - 0.3
        table = ChainTable.fitted(room_w, room_h, self.chain, [name], lesson.network, lesson.x,
                                  lesson.digits, lesson.labels.x, learning=self.learning)
        width = table.layout([name], 0.0, top).width
        group = table.layout([name], -width / 2, top)
        block = table.blocks[name]
        self.say(f"In numbers: one row per data point ({lesson.labels.x_noun} "
                 + ", ".join(self.num(v) for v in lesson.x) + "). The products of the links "
                 "are " + ", ".join(self.num(v) for v in derivative.terms) + ", and their sum "
                 f"is {self.num(derivative.total)}.",
                 voice="In numbers: one row per data point. Multiply across each row and add "
                       f"the products: the sum is {self.num(derivative.total)}.")
        self.play(FadeInPlace(table.shared, block.heading), run_time=MEDIUM)
        self.play(LaggedStart(*(FadeInPlace(c) for c in block.columns), lag_ratio=0.3),
                  run_time=LONG)
        self.play(FadeInPlace(block.product), Create(block.rule), FadeInPlace(block.total),
                  run_time=MEDIUM)
        self.wait(LONG)
        self.play(FadeAway(group, block.rule), run_time=SHORT)

    def factor_note(self, factor: Factor) -> MathTex:
        """One chain-rule link: its fraction, what it equals, in words."""
        say = {FactorKind.RESIDUAL: "the residual term",
               FactorKind.CURVE: "the hidden node's curve",
               FactorKind.OUTPUT_WEIGHT: "the output weight",
               FactorKind.SLOPE: f"the slope of {self.act}",
               FactorKind.INPUT: f"the {self.lesson.labels.x_noun}"}.get(
            factor.kind, "a bias, added as it is")
        parts = [factor_tex(factor), "=", self.factor_meaning(factor), r"\quad" + tex_text(say)]
        color = {symbol(n): LEARNING for n in self.learning}
        return math(*parts, color=INK, font_size=TEXT_SIZE - 4, tex_to_color_map=color)

    # -- beat 3: the backward pass on the network --------------------------------------------

    def show_backward_pass(self) -> None:
        self.beat("backward-pass", "The backward pass")
        lesson = self.lesson
        heading = Text("The backward pass", font_size=TITLE_SIZE - 12, color=INK)
        heading.to_edge(UP, buff=0.3)
        legend = gradient_legend().to_corner(UR, buff=0.3)
        diagram = BackpropDiagram(lesson.network, learning=lesson.optimize,
                                  input_label=lesson.labels.x, output_label=lesson.labels.y)
        diagram.scale_to_fit_width(min(diagram.width, config.frame_width - 1.2))
        if diagram.height > 6.4:
            diagram.scale_to_fit_height(6.4)
        diagram.move_to(DOWN * 0.4)
        values = {n: self.num(self.chain[n].total) for n in self.learning}
        backward = BackwardPass(diagram, values)
        self.say("The same products, read off the network: start at the output and walk back "
                 "along the edges, multiplying as we go. Each pink box is d SSR / d parameter.",
                 voice="The same products, read off the network: start at the output and walk "
                       "back along the edges, multiplying as we go. Each pink box holds the "
                       "derivative of SSR with respect to its parameter.")
        self.play(Write(heading), FadeInPlace(diagram, legend), run_time=MEDIUM)
        self.wait(SHORT)
        stages = backward.stages()
        k = self.k
        ins = self.w_in
        # One hidden node: "the", not "each".
        each, every = ("each", "each output weight") if k > 1 else ("the", "the output weight")
        captions = [
            f"At the output: d SSR / d {self.b_out} is the sum of -2 times each residual, "
            f"{self.num(self.chain[self.b_out].total)}.",
            f"Back along the edges into the sum: {every} multiplies that by its "
            f"node's curve: {self.gradient_list(self.w_out)}.",
            f"Through {each} hidden node: times its output weight and the slope of {self.act} "
            f"there: {self.gradient_list(self.b_in)}.",
            f"And back along the first edges: times the {lesson.labels.x_noun} as well: "
            f"{self.gradient_list(ins)}. One sweep backwards gives all "
            f"{len(self.learning)} derivatives.",
        ]
        voices = [
            f"At the output, the derivative of SSR with respect to {self.b_out} is the sum of "
            f"negative 2 times each residual: {self.num(self.chain[self.b_out].total)}.",
            f"Back along the edges into the sum, {every} multiplies that by its "
            f"node's curve. {self.gradients_said(self.w_out)}",
            # No short opening clause: "Through each hidden node," alone is heard "through
            # each head and node".
            f"Then multiply by {each} hidden node's output weight and the slope of "
            f"{self.act} there. {self.gradients_said(self.b_in)}",
            "And back along the first edges, multiply by the input as well. "
            f"{self.gradients_said(ins)} One sweep backwards gives all {len(self.learning)} "
            "derivatives. That is why the method is called backpropagation: the derivatives "
            "flow back from SSR toward the input.",
        ]
        for stage, caption, voice in zip(stages, captions, voices, strict=True):
            if not any(n in backward.tags for n in stage.names) and not stage.routes:
                continue
            self.say(caption, voice=voice)
            self.play(backward.flow(stage, run_time=LONG if k < 3 else MEDIUM))
            self.wait(MEDIUM)
        self.wait(MEDIUM)
        self.still()
        self.clear()

    def gradients_said(self, names) -> str:
        """The derivatives of ``names`` as the voice says them: "w3 gets 7.14 and w4 gets
        1.49", or, past 4 numbers, where they are."""
        shown = [n for n in names if n in self.learning]
        if not shown:
            return "These are fixed here."
        if len(shown) > 4:
            return "Their derivatives appear in the pink boxes."
        return joined([f"{n} gets {self.num(self.chain[n].total)}" for n in shown]) + "."

    def gradient_list(self, names) -> str:
        shown = [n for n in names if n in self.learning]
        return ", ".join(f"{n} {self.num(self.chain[n].total)}" for n in shown) or "fixed here"

    # -- beat 4: the first step --------------------------------------------------------------

    def take_first_step(self) -> None:
        self.beat("first-step", "The first step")
        d = self.trace.descent
        first, second = d[0], d[1] if len(d) > 1 else d[0]
        table = self.step_table(first, second)
        heading = Text(f"Step 1: every red parameter moves at once (learning rate {self.rate})",
                       font_size=TEXT_SIZE - 2, color=INK).to_edge(UP, buff=0.35)
        if heading.width > config.frame_width - 0.8:
            heading.scale_to_fit_width(config.frame_width - 0.8)
        table.next_to(heading, DOWN, buff=0.35)
        # What the step did to SSR, which the last caption states, under the table.
        ssr = words(f"SSR: {self.num(first.ssr)} \u2192 {self.num(second.ssr)}",
                    size=(TEXT_SIZE + 2) * TEXT_SCALE)
        below = VGroup(table, ssr).arrange(DOWN, buff=0.3)
        fit_into(below, config.frame_width - 0.8,
                 heading.get_bottom()[1] - 0.35 + config.frame_height / 2 - 0.3)
        below.next_to(heading, DOWN, buff=0.35)
        p = self.learning[0]
        # The parameter the first step moved most: the one to name beside SSR's change.
        sign = equals(self.num(first.gradient[p]), "×", self.rate,
                      self.num(first.step_size[p]))
        most = max(self.learning, key=lambda n: abs(first.step_size[n]))
        voices = [
            f"Gradient descent uses all {len(self.learning)} slopes at once. They are in the "
            "table.",
            f"Each step size is the slope times the learning rate, {self.rate}. For {p}, "
            f"{self.num(first.gradient[p])} times {self.rate} is "
            f"{'' if sign == '=' else 'about '}{self.num(first.step_size[p])}.",
            f"Each new value is the old value minus its step size. {most} moves most: "
            f"{self.moves(most, first.params[most], second.params[most])}. After this one "
            f"step {self.ssr_change(first.ssr, second.ssr)}.",
        ]
        steps = [
            ("Gradient descent uses all of these slopes at once: "
             + ", ".join(f"{n} {self.num(first.gradient[n])}" for n in self.learning) + ".",
             (0, 1, 2)),
            (f"Each step size is the slope times the learning rate, {self.rate}: for {p}, "
             f"{self.num(first.gradient[p])} × {self.rate} {sign} "
             f"{self.num(first.step_size[p])}.",
             (3,)),
            (f"New value = old value - step size: "
             f"{self.moves(most, first.params[most], second.params[most])}. After this one step "
             f"{self.ssr_change(first.ssr, second.ssr)}.", (4,)),
        ]
        self.play(Write(heading), FadeInPlace(table.header), run_time=MEDIUM)
        for (caption, columns), voice in zip(steps, voices, strict=True):
            # the table fills in column by column
            self.say(caption, voice=voice)
            self.play(LaggedStart(*(FadeInPlace(*(r[c] for c in columns))
                                    for r in table.rows), lag_ratio=0.15), run_time=LONG)
            if columns[-1] == 4:
                self.play(FadeInPlace(ssr), run_time=SHORT)
            self.wait(MEDIUM)
        self.wait(LONG)
        self.still()
        self.clear()

    def step_table(self, state, after) -> VGroup:
        """Name, value, slope, step size and new value of every learning parameter."""
        header_parts = [
            Text("parameter", font=FONT, font_size=LABEL_SIZE - 2, color=MUTED),
            Text("value", font=FONT, font_size=LABEL_SIZE - 2, color=MUTED),
            math(r"\text{slope } \tfrac{d\,\mathrm{SSR}}{d\,\text{parameter}}",
                    color=GRADIENT, font_size=LABEL_SIZE + 2),
            words(f"step size = slope * {self.rate}", size=(LABEL_SIZE + 2) * TEXT_SCALE),
            Text("new value", font=FONT, font_size=LABEL_SIZE - 2, color=MUTED),
        ]
        rows = []
        for n in self.learning:
            rows.append([
                self.name(n, LEARNING, LABEL_SIZE + 8),
                self.cell(state.params[n]),
                self.cell(state.gradient[n], GRADIENT),
                self.cell(state.step_size[n]),
                self.cell(after.params[n], LEARNING),
            ])
        count = len(rows) + 1
        pitch = min(0.62, 6.2 / count)
        grid = Columns.of(column_widths([header_parts, *rows]), gap=0.55)
        for c, part in enumerate(header_parts):
            grid.place(part, c, 0, "c")
        for i, row in enumerate(rows):
            for c, cell in enumerate(row):
                grid.place(cell, c, -(i + 1) * pitch - 0.15, "c" if c == 0 else "r")
        header = VGroup(*header_parts)
        rule = Line([grid.lefts[0], -pitch / 2 - 0.05, 0], [grid.right, -pitch / 2 - 0.05, 0],
                    color=MUTED, stroke_width=2)
        header.add(rule)
        table = VGroup(header, *(VGroup(*r) for r in rows))
        table.header, table.rows = header, table[1:]
        table.set_x(0)
        if table.height > 6.6:
            table.scale_to_fit_height(6.6)
        return table

    # -- beat 5: thousands of steps ------------------------------------------------------------

    def descend(self) -> None:
        self.beat("gradient-descent", "Gradient descent")
        lesson, descent = self.lesson, self.trace.descent
        self.data_axes = self.make_data_axes()
        self.data_axes.scale(0.95).to_corner(DL, buff=0.35)
        self.dots = data_dots(self.data_axes, lesson.x, lesson.y)
        self.squiggle = self.squiggle_at(0)
        self.residuals = residual_lines(self.data_axes, lesson.x, lesson.y, descent.predicted[0])
        self.ssr_plot = SSRByStep(descent.ssr, width=5.0, height=2.3,
                                  start=self.shown(descent.ssr[0]))
        self.ssr_plot.to_corner(UR, buff=0.45).shift(LEFT * 0.3)
        self.table = self.descent_table(
            config.frame_width / 2 - 0.3 - self.ssr_plot.get_left()[0],
            self.ssr_plot.get_bottom()[1] - 0.55 + config.frame_height / 2 - 0.35)
        self.table.next_to(self.ssr_plot, DOWN, buff=0.55).align_to(self.ssr_plot, LEFT)
        self.counter = self.step_counter(0)
        self.counter.to_corner(UL, buff=0.4)
        scale_note = (" The SSR axis counts powers of ten, so the tiny values near the end "
                      "still show." if self.ssr_plot.log else "")
        self.say(f"Now repeat: backward pass, step, backward pass, step. The plot tracks SSR "
                 f"after each step.{scale_note}")
        # What stays still during the descent comes first, what moves last: Manim redraws on
        # every frame whatever lies above a moving mobject.
        self.play(FadeInPlace(self.data_axes, self.dots, self.ssr_plot, self.table,
                              self.counter, self.squiggle, self.residuals), run_time=MEDIUM)
        self.wait(MEDIUM)
        shown_one_by_one = [i for i in self.states[1:] if i <= ONE_BY_ONE]
        if shown_one_by_one:
            first = [descent.ssr[i] for i in [0, *shown_one_by_one]]
            self.say("The first steps one at a time: SSR goes " + ", ".join(
                self.num(v) for v in first) + ".",
                voice="The first steps one at a time: SSR "
                      + trend(first, [self.num(v) for v in first]) + ".")
        fast_caption = False
        for i in self.states[1:]:
            slow = i <= ONE_BY_ONE
            if not slow and not fast_caption:
                fast_caption = True
                self.say(self.fast_caption(), voice=self.fast_voice())
            self.show_state(i, MEDIUM if slow else FAST)
            if slow:
                self.wait(SHORT)
        self.say(self.end_caption(), voice=self.end_voice())
        self.wait(LONG)
        self.still()

    def descent_table(self, room: float, height: float) -> ParamTable:
        """The parameter table at state 0, with room for every value it will show, as large
        as fits ``room`` x ``height``."""
        lesson, descent = self.lesson, self.trace.descent
        # The table sizes its value column from the values it starts with; start it on each
        # parameter's widest shown value, then switch to state 0 at once.
        widest = {}
        for name in self.order:
            column = descent.column(name)[list(self.states)]
            widest[name] = max(column, key=lambda v: len(self.shown(v)))
        table = ParamTable.fitting(self.order, widest, room, height, largest=LABEL_SIZE + 4,
                                   learning=lesson.optimize, digits=lesson.digits)
        for animation in table.update_to(descent[0].params):
            animation.begin()
            animation.finish()
        return table

    def fast_caption(self) -> str:
        descent = self.trace.descent
        later = [i for i in self.states if i > ONE_BY_ONE]
        return (f"Then faster, more steps at a time: step {later[0]} and on up to step "
                f"{descent.updates}. A parameter turns green once its shown value stops "
                "changing.")

    def fast_voice(self) -> str:
        return (f"Then faster, many steps at a time, up to step {self.trace.descent.updates}. "
                "A parameter turns green once its shown value stops changing.")

    def end_caption(self) -> str:
        descent = self.trace.descent
        end = self.ending(self.learning)
        # Those that moved before settling (one settled from the start never visibly moved).
        greens, moving = [(s, n) for s, n in end.settled if s], end.moving
        change = self.ssr_change(descent[0].ssr, descent.final.ssr, one_step=False)
        text = f"After {descent.updates} steps {change}."
        if end.converged:
            text += (" Descent stopped there because every step size had fallen below "
                     f"{self.num(self.lesson.descent.min_step_size)}.")
        if greens:
            text += " Settled: " + ", ".join(f"{n} at step {s}" for s, n in greens) + "."
        if moving:
            text += f" Still moving when descent stopped: {', '.join(moving)}."
        return text

    def end_voice(self) -> str:
        """How the descent ended, for the ear: SSR's change, why it stopped, when the last
        parameter settled, and whether the run was cut short."""
        descent = self.trace.descent
        ended = self.ending(self.learning)
        greens, moving = [(s, n) for s, n in ended.settled if s], ended.moving
        start, end = descent[0].ssr, descent.final.ssr
        change = (f"SSR falls from {self.num(start)} to {self.said_small(end)}"
                  if self.trend(start, end) < 0 else
                  self.ssr_change(start, end, one_step=False))
        text = f"After {descent.updates} steps {change}."
        if ended.converged:
            # "the run", as three_params says it: "descent" opening a sentence is misheard.
            text += (" The run stopped because every step size had fallen below "
                     f"{self.num(self.lesson.descent.min_step_size)}.")
        if greens and not moving:
            text += (" Each parameter turned green as it settled; the last, "
                     f"{greens[-1][1]}, at step {greens[-1][0]}.")
        elif greens:  # a list of names is said only while it is short enough to hold
            text += (f" Settled: {joined([n for _, n in greens])}." if len(greens) <= MOST_SAID
                     else f" {counted(len(greens), 'parameter')} have settled, in green.")
        if moving:
            text += (f" Still moving: {joined(moving)}." if len(moving) <= MOST_SAID else
                     f" {counted(len(moving), 'parameter')} are still moving, in red.")
            text += " The run was cut short."
        return text

    def step_counter(self, state: int) -> VGroup:
        descent = self.trace.descent
        # As Text would set them; the words come from one cached layout (kit.numerals).
        text = numeral_line("Step ", str(state), f" of {descent.updates}", INK, LABEL_SIZE + 2)
        ssr = numeral_line("SSR = ", self.shown(descent.ssr[state]), "", INK, LABEL_SIZE + 2)
        group = VGroup(text, ssr).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if hasattr(self, "counter"):
            group.move_to(self.counter, aligned_edge=UL)
        return group

    def show_state(self, i: int, run_time: float) -> None:
        lesson, descent = self.lesson, self.trace.descent
        settled = [n for n, s in self.settled.items() if s is not None and s <= i]
        moves = [
            Transform(self.squiggle, self.squiggle_at(i)),
            Transform(self.residuals, residual_lines(self.data_axes, lesson.x, lesson.y,
                                                     descent.predicted[i])),
            *self.ssr_plot.advance_to(i),
        ]
        slow = run_time > FAST
        for move in moves:
            move.rate_func = smooth if slow else linear
        # The values change half way through the slow steps, swapped in place (no morph, no
        # copies); in the fast ones, where a step lasts a blink, at its start, like the counter.
        numbers = self.table.step_animations(descent[i], settled, fast=True, at_once=not slow)
        # The counter names the state being reached; swapped, not morphed (a Transform of
        # Text copies every glyph, twice, for nothing to see).
        counter = self.step_counter(i)
        self.remove(self.counter)
        self.counter = counter
        self.add(counter)
        self.play(*moves, *numbers, run_time=run_time)

    # -- beat 6: where the fit lands ---------------------------------------------------------

    def show_landing(self) -> None:
        self.beat("landing", "Where the fit lands")
        descent, c = self.trace.descent, self.comparison
        final = descent.final.params
        self.play(FadeAway(self.ssr_plot, self.table, self.counter), run_time=SHORT)
        name = self.comparison_name()
        words = {"rediscovered": f"The {name} lesson's values, found again",
                 "kept": f"The {name} lesson's values, kept from the start",
                 "stopped": f"Not the {name} lesson's values yet: descent stopped early",
                 "another fit": f"Not the {name} lesson's values: another fit",
                 "unrelated": f"The values after {descent.updates} steps"}[self.landing]
        heading = Text(words, font_size=TITLE_SIZE - 12, color=FIXED if c.agrees else INK)
        heading.to_edge(UP, buff=0.4)
        if heading.width > config.frame_width - 0.8:
            heading.scale_to_fit_width(config.frame_width - 0.8)
        self.play(Write(heading), run_time=MEDIUM)
        if c.comparable:
            table = self.comparison_table()
            table.to_edge(RIGHT, buff=0.6).set_y(-0.4)
            theirs = self.listing(self.order, dict(zip(c.names, c.reference, strict=True)))
            other = f"the {self.comparison_name()} lesson"
            if c.agrees:
                how = ("gradient descent found them again, starting from other values"
                       if self.landing == "rediscovered" else "descent started on them and stayed")
                # Said after a colon, "gradient descent" opens a clip of a few words, too short
                # to be heard ("gradient to sent"): the voice says it without the name.
                heard_how = ("they were found again, from other starting values"
                             if self.landing == "rediscovered" else
                             "the run started on them and stayed there")
                self.say(f"Compare the fit with {other}: its fixed values plus the "
                         f"{self.b_out} it found are {theirs}. Every one matches ours to "
                         f"{c.decimals} decimals: {how}.",
                         voice=f"Compare the fit with {other}, where only {self.b_out} was "
                               f"found. Each of our {len(c.names)} values matches that "
                               f"lesson's to {c.decimals} decimals: {heard_how}.")
            else:
                moving = self.still_moving(self.learning)
                why = (f"descent stopped while {', '.join(moving)} "
                       f"{'was' if len(moving) == 1 else 'were'} still moving"
                       if self.landing == "stopped" else
                       "a network can fit the same data in more than one way")
                self.say(f"Compare the fit with {other}, whose values are {theirs}. This run "
                         f"ends elsewhere, some values up to {self.num(c.largest_difference)} "
                         f"away: {why}.",
                         voice=f"Compare the fit with {other}, whose values are on screen. "
                               f"This run ends elsewhere, some values up to "
                               f"{self.num(c.largest_difference)} away. The reason: {why}.")
            self.play(FadeInPlace(table.header), run_time=SHORT)
            self.play(LaggedStart(*(FadeInPlace(r) for r in table.rows), lag_ratio=0.15),
                      run_time=LONG)
            self.play(FadeIn(table.verdict, scale=1.2), run_time=MEDIUM)
            self.wait(LONG)
        else:
            self.say(f"The values after {descent.updates} steps: "
                     f"{self.listing(self.order, final)}.",
                     voice=f"The values after {descent.updates} steps are on screen.")
            table = ParamTable(self.order, final, learning=self.still_moving(self.learning),
                               digits=self.lesson.digits, max_rows=7, font_size=LABEL_SIZE + 2)
            table.to_edge(RIGHT, buff=0.8).set_y(-0.4)
            self.play(FadeInPlace(table), run_time=MEDIUM)
            self.wait(LONG)
        self.still()
        self.clear()

    def comparison_table(self) -> VGroup:
        c = self.comparison
        reference = dict(zip(c.names, c.reference, strict=True))
        final = self.trace.descent.final.params
        size = LABEL_SIZE
        header_parts = [
            Text("", font=FONT, font_size=size),
            Text(f"after {self.trace.descent.updates} steps", font=FONT, font_size=size - 2,
                 color=MUTED),
            Text(f"{self.comparison_name()} lesson", font=FONT, font_size=size - 2,
                 color=MUTED),
        ]
        rows = []
        color = FIXED if c.agrees else LEARNING
        for n in self.order:
            rows.append([self.name(n, color, size + 8),
                         self.cell(final[n], color, size), self.cell(reference[n], INK, size)])
        pitch = min(0.48, 5.6 / (len(rows) + 1))
        grid = Columns.of(column_widths([header_parts, *rows]), gap=0.6)
        for col, part in enumerate(header_parts):
            grid.place(part, col, 0, "r")
        for i, row in enumerate(rows):
            for col, cell in enumerate(row):
                grid.place(cell, col, -(i + 1) * pitch - 0.1, "r")
        header = VGroup(*header_parts)
        body = VGroup(*(VGroup(*r) for r in rows))
        if c.agrees:
            words = f"the same to {c.decimals} decimals"
        else:
            words = f"off by up to {self.shown(c.largest_difference)}"
        verdict = boxed(Text(words, font=FONT, font_size=size, color=color), color)
        verdict.next_to(body, DOWN, buff=0.35)
        table = VGroup(header, body, verdict)
        table.header, table.rows, table.verdict = header, list(body), verdict
        if table.height > 7.0:
            table.scale_to_fit_height(7.0)
        return table

    def comparison_name(self) -> str:
        return REFERENCE_LESSON.stem

    # -- beat 7: summary -----------------------------------------------------------------------

    def summarize(self) -> None:
        self.beat("summary", "Summary")
        descent = self.trace.descent
        heading = Text("Backpropagation, all the way back", font_size=TITLE_SIZE - 8,
                       color=INK).to_edge(UP, buff=0.5)
        points = VGroup(
            Text("1. The chain rule reaches every parameter, one link per edge or node.",
                 font=FONT, font_size=LABEL_SIZE + 2, color=INK),
            Text("2. One backward sweep gives every derivative at once.", font=FONT,
                 font_size=LABEL_SIZE + 2, color=INK),
            Text(f"3. Gradient descent: {descent.updates} steps, SSR "
                 f"{self.shown(descent[0].ssr)} \u2192 {self.shown(descent.final.ssr)}.",
                 font=FONT, font_size=LABEL_SIZE + 2, color=INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3).next_to(heading, DOWN, buff=0.4)
        fitted = self.valued_diagram(self.trace.network_at(len(descent) - 1),
                                     self.still_moving(self.learning), height=4.2)
        fitted.to_edge(DOWN, buff=0.3)
        name = self.comparison_name()
        where = {"rediscovered": f" The values it lands on are the {name} lesson's, found "
                                 "again from other starting values.",
                 "kept": f" The values it lands on are the {name} lesson's, where descent "
                         "started."
                 }.get(self.landing, "")
        self.say(f"The chain rule carries the derivative of SSR back through the hidden layer "
                 f"to every weight and bias, the backward pass computes them all in one sweep, "
                 f"and {descent.updates} steps of gradient descent bring SSR from "
                 f"{self.num(descent[0].ssr)} to {self.num(descent.final.ssr)}.{where}",
                 voice=f"To recap. The chain rule carries the derivative of SSR back through "
                       f"the hidden layer to every weight and bias. The backward pass computes "
                       f"them all in one sweep. Then {descent.updates} steps of gradient "
                       f"descent bring SSR from {self.num(descent[0].ssr)} to "
                       f"{self.said_small(descent.final.ssr)}.{where}"
                       + (" Bam!" if self.ending(self.learning).earned
                          else " The run was cut short."))
        self.play(Write(heading), run_time=MEDIUM)
        self.play(LaggedStart(*(FadeIn(p, shift=RIGHT * 0.2) for p in points), lag_ratio=0.5),
                  run_time=LONG)
        self.play(FadeInPlace(fitted), run_time=MEDIUM)
        self.wait(MEDIUM)
        self.still()
        if self.ending(self.learning).earned:
            self.bam("Bam!")
        self.wait(SHORT)
