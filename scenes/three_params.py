"""Several parameters at once: the chain rule and gradient descent for w3, w4 and b3 together.

Render with ``manim -pqh scenes/three_params.py``. The numbers come from
assets/lessons/three_params.yaml, or from the lesson file named by ``BP_LESSON``. Any network
(1 to 4 hidden nodes, any activation) and any set of optimized parameters renders.
"""

from __future__ import annotations

from manim import *

from bpcore.lesson.compare import compare_to_lesson
from bpcore.lesson.file import LESSONS_DIR
from bpcore.lesson.settling import step_schedule
from bpcore.model.chain import Factor, FactorKind
from bpcore.narration.story import MOST_SAID, counted
from kit.beats import FadeAway, FadeInPlace, Swap, bam, fit_into, listing, sentence
from kit.chain_table import ChainTable, factor_tex
from kit.descent_plots import SSRByStep
from kit.grid import Columns, column_widths
from kit.inplace import LaggedFadeIn, Reframe
from kit.lesson_scene import LessonScene
from kit.network import NetworkDiagram, symbol
from kit.numerals import numeral, numeral_line
from kit.param_table import ParamTable
from kit.plots import curve, data_dots, make_axes, nice_range, residual_lines
from kit.screen import legible, text_of
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
from kit.text import math, shown, title_lines, words

#: The right-hand panel of the fit beats: tables, the SSR plot (screen units).
PANEL_LEFT, PANEL_RIGHT = 1.0, 6.8
#: How long one fast jump of the descent takes.
FAST = 0.5
#: The first step's table writes out "old - (step size) = new" for at most this many rows.
FULL_ARITHMETIC = 4
#: The first descent states, shown one by one and narrated; then geometric jumps.
ONE_BY_ONE = 3


#: What each kind of chain-rule factor is, as the caption under the table writes it.
FACTOR_CAPTIONS = {
    FactorKind.CURVE: "{name} is the {colour} curve's value before it is scaled by {den}: "
                      "{values}.",
    FactorKind.OUTPUT_BIAS: "{name} is 1 at every point: {den} is added to the squiggle as it is.",
    FactorKind.OUTPUT_WEIGHT: "{name} is the weight {weight} that scales that curve: {values}.",
    FactorKind.SLOPE: "{name} is the slope of the {activation} function at each input: {values}.",
    FactorKind.INPUT: "{name} is the input itself, the {noun}: {values}.",
    FactorKind.HIDDEN_BIAS: "{name} is 1 at every point: {den} is added before the activation.",
}
#: The same, as the voice says it ({values} holds its own punctuation: the values or where
#: they are). "Is 1 at every point" is heard "is won at every point": the voice says "always 1".
FACTOR_VOICES = {
    FactorKind.CURVE: "{how} the {colour} curve's value before {den} scales it{values}",
    FactorKind.OUTPUT_BIAS: "{how} always 1, since {den} is simply added to the squiggle.",
    FactorKind.OUTPUT_WEIGHT: "{how} that node's weight, {weight}{values}",
    FactorKind.SLOPE: "{how} the slope of the {activation} function there{values}",
    FactorKind.INPUT: "{how} the {noun} itself{values}",
    FactorKind.HIDDEN_BIAS: "{how} always 1, since {den} is added before the activation.",
}


class ThreeParamsScene(LessonScene):
    """The chain rule for each unknown parameter, then gradient descent on all of them."""

    lesson_name = "three_params"
    #: The beat whose still makes the thumbnail: the fit, the SSR falling, the table.
    thumbnail_beat = "gradient-descent"

    def construct(self) -> None:
        self.prepare()
        self.show_network()
        self.show_starting_fit()
        self.derive_chain_rule()
        self.take_first_step()
        self.descend()
        self.summarize()

    # -- set-up -----------------------------------------------------------------------------

    def prepare(self) -> None:
        lesson, trace = self.lesson, self.trace
        self.net = lesson.network
        self.k = self.net.hidden
        self.names = self.net.names
        self.optimize = lesson.optimize
        self.fixed = [n for n in self.names if n not in self.optimize]
        self.descent = trace.descent
        self.colors = [NODE_COLORS[j % len(NODE_COLORS)] for j in range(self.k)]
        self.color_names = [NODE_COLOR_NAMES[j % len(NODE_COLOR_NAMES)] for j in range(self.k)]
        self.out_weights = self.names[self.k : 2 * self.k]
        self.bias = self.names[-1]
        self.schedule = step_schedule(self.descent.updates, one_by_one=ONE_BY_ONE)
        # Every curve the video draws, computed once by bpcore: the start and each shown state.
        self.curves = {i: trace.curves_at(i) for i in self.schedule}

    def values_of(self, names, state: int = 0) -> str:
        """``w3 = 0.36, w4 = 0.63 and b3 = 0`` at descent state ``state``."""
        params = self.descent[state].params
        return listing([f"{n} = {self.num(params[n])}" for n in names])

    def label_ink(self, name: str) -> VGroup:
        """A diagram label without its white backing, to flash it (the backing stays white)."""
        label = self.diagram.labels[name]
        backing = getattr(label, "background_rectangle", None)
        ink = VGroup(*(m for m in label.submobjects if m is not backing))
        # Once played, the glyphs belong to this group: it shows the label's text.
        ink.text = text_of(label)
        return ink

    def bam(self, text: str = "Bam!") -> None:
        bam(self, text)

    # -- beat 1: the network ----------------------------------------------------------------

    def show_network(self) -> None:
        self.beat("network", "The network and what to optimize")
        lesson = self.lesson
        title = title_lines(lesson.title, TITLE_SIZE - 10, config.frame_width - 1)
        title.to_edge(UP, buff=0.4)
        self.say(f"{sentence(lesson.title)} This time {listing(self.optimize)} are unknown "
                 "together, and the chain rule and gradient descent find them all at once.",
                 voice=f"{sentence(lesson.title)} What changes when more than one parameter is "
                       f"unknown? This time {listing(self.optimize)} are found together, by "
                       "the same chain rule and gradient descent.")
        self.play(Write(title), run_time=MEDIUM)
        self.diagram = NetworkDiagram(self.net, learning=set(self.optimize),
                                      digits=lesson.digits, input_label=lesson.labels.x,
                                      output_label=lesson.labels.y)
        self.diagram.scale_to_fit_width(config.frame_width - 2)
        # A 4-node diagram is tall: it may use the height between the title and the legend.
        fit_into(self.diagram, config.frame_width - 2,
                 config.frame_height - 2.5 - (title.height - title[0].height))
        self.diagram.next_to(title, DOWN, buff=0.35)
        legend = VGroup(
            Text("red: to be optimized", font=FONT, font_size=LABEL_SIZE, color=LEARNING),
            Text("green: fixed", font=FONT, font_size=LABEL_SIZE, color=FIXED),
        ).arrange(RIGHT, buff=1.0).to_edge(DOWN, buff=0.4)
        self.play(FadeInPlace(self.diagram), run_time=LONG)
        self.play(FadeInPlace(legend), run_time=SHORT)
        self.say(f"The red parameters are the ones to optimize. They start at "
                 f"{self.values_of(self.optimize)}.",
                 voice=None if len(self.optimize) <= 3 else
                 "The red parameters are the ones to optimize. Their starting values are on "
                 "the diagram.")
        self.play(*(Indicate(self.label_ink(n), color=LEARNING, scale_factor=1.3)
                    for n in self.optimize), run_time=MEDIUM)
        self.wait(SHORT)
        if self.fixed:
            self.say(f"The green ones keep their values: {self.values_of(self.fixed)}.",
                     voice="The green ones keep the values written beside them. As before, "
                           "assume they are already optimal.")
            self.play(*(Indicate(self.label_ink(n), color=FIXED, scale_factor=1.2)
                        for n in self.fixed), run_time=MEDIUM)
        self.wait(MEDIUM)
        self.still()
        self.play(FadeAway(title, legend), run_time=SHORT)
        self.play(Reframe.to(self.diagram, width=6.2, left=-config.frame_width / 2 + 0.3,
                             top=config.frame_height / 2 - 0.3), run_time=MEDIUM)

    # -- beat 2: the starting squiggle ------------------------------------------------------

    def data_ranges(self):
        """Axis ranges that hold the data and every curve the video will draw."""
        ys = [*self.lesson.y]
        for c in self.curves.values():
            ys += [*c.hidden_y.ravel(), *c.scaled.ravel(), *c.predicted]
        return nice_range(self.lesson.x, ticks=4), nice_range(ys, ticks=5)

    def fit_panel(self, state: int, width: float, height: float) -> VGroup:
        """Data axes with the dots, scaled curves, squiggle and residuals at ``state``."""
        x_range, y_range = self.data_ranges()
        axes = make_axes(x_range, y_range, width, height, self.lesson.labels.x,
                         self.lesson.labels.y)
        dots = data_dots(axes, self.lesson.x, self.lesson.y)
        scaled = self.scaled_curves(axes, state)
        squiggle = curve(axes, self.trace.grid, self.curves[state].predicted, SQUIGGLE)
        residuals = residual_lines(axes, self.lesson.x, self.lesson.y,
                                   self.descent.predicted[state])
        # Every part belongs to the group, so the panel moves as one.
        panel = VGroup(axes, scaled, residuals, squiggle, dots)
        panel.axes, panel.dots, panel.scaled = axes, dots, scaled
        panel.squiggle, panel.residuals = squiggle, residuals
        return panel

    def scaled_curves(self, axes, state: int, opacity: float = 0.45) -> VGroup:
        c = self.curves[state]
        return VGroup(*(curve(axes, self.trace.grid, c.scaled[j], self.colors[j], width=3)
                        .set_stroke(opacity=opacity) for j in range(self.k)))

    def show_starting_fit(self) -> None:
        self.beat("starting-fit", "The starting fit")
        lesson, start = self.lesson, self.curves[0]
        panel = self.fit_panel(0, 5.0, 5.0)
        panel.to_corner(DR, buff=0.4)
        axes = panel.axes
        self.say(f"The data: {len(lesson.x)} points. As before, each hidden node turns the "
                 f"{lesson.labels.x_noun} values into a curve: "
                 f"{counted(self.k, 'curve')} in all." if self.k > 1 else
                 f"The data: {len(lesson.x)} points. As before, the hidden node turns the "
                 f"{lesson.labels.x_noun} values into a curve.")
        self.play(Create(axes), FadeInPlace(panel.dots), run_time=MEDIUM)
        params = self.net.params
        for j in range(self.k):
            w = self.out_weights[j]
            raw = curve(axes, self.trace.grid, start.hidden_y[j], self.colors[j], width=3)
            self.say(f"Hidden node {j + 1} gives the {self.color_names[j]} curve. Scaling it "
                     f"by {w} = {self.num(params[w])} gives its part of the squiggle.",
                     # "Hidden node 2 gives" opening a clip is heard "hit a node to gives".
                     voice=f"The {self.color_names[j]} curve comes from hidden node {j + 1}. "
                           f"Scaling it by {w}, which is {self.num(params[w])}, gives its part "
                           "of the squiggle.")
            self.play(Create(raw), run_time=MEDIUM)
            self.play(Indicate(self.label_ink(w), color=self.diagram.color_of(w)),
                      Transform(raw, panel.scaled[j]), run_time=MEDIUM)
            self.remove(raw)
            self.add(panel.scaled[j])
        self.say(f"Add the scaled {'curves' if self.k > 1 else 'curve'} and {self.bias} = "
                 f"{self.num(params[self.bias])}: the starting green squiggle.",
                 voice=f"Adding the scaled {'curves' if self.k > 1 else 'curve'} and "
                       f"{self.bias}, which is {self.num(params[self.bias])}, gives the "
                       "starting green squiggle.")
        self.play(*(Transform(c.copy(), panel.squiggle, remover=True) for c in panel.scaled),
                  FadeIn(panel.squiggle), run_time=LONG)
        fit = self.trace.start
        self.say("Its predictions at the data are " + listing(
            [self.num(p) for p in fit.predicted]) + f", so the sum of squared residuals is "
            f"SSR = {self.num(fit.ssr)}.",
            voice=(f"Its predictions at the data are "
                   f"{listing([self.num(p) for p in fit.predicted])}. The sum of squared "
                   f"residuals, SSR, is {self.num(fit.ssr)}." if len(fit.predicted) <= 4 else
                   f"From its predictions at the data, the sum of squared residuals, SSR, is "
                   f"{self.num(fit.ssr)}."))
        self.play(LaggedStart(*(Create(r) for r in panel.residuals), lag_ratio=0.3),
                  run_time=MEDIUM)
        ssr = math(r"\mathrm{SSR} = \sum_i (\mathrm{Observed}_i - \mathrm{Predicted}_i)^2 = "
                      + self.num(fit.ssr), color=INK, font_size=TEXT_SIZE)
        fit_into(ssr, 6.2, 1).next_to(self.diagram, DOWN, buff=0.5).align_to(self.diagram, LEFT)
        self.play(Write(ssr), run_time=MEDIUM)
        self.wait(LONG)
        self.still()
        self.play(FadeAway(*self.mobjects), run_time=MEDIUM)

    # -- beat 3: the chain rule -------------------------------------------------------------

    def predicted_tex(self) -> MathTex:
        """Predicted_i = w3 x blue_i + w4 x orange_i + b3, parameters coloured by state."""
        parts = [r"\mathrm{Predicted}_i", "="]
        for j, w in enumerate(self.out_weights):
            if j:
                parts.append("+")
            parts += [symbol(w), r"\times", rf"\mathrm{{{self.color_names[j]}}}_i"]
        parts += ["+", symbol(self.bias)]
        tex = math(*parts, color=INK, font_size=TEXT_SIZE)
        for part in tex.submobjects:
            for j, name in enumerate(self.color_names):
                if part.tex_string == rf"\mathrm{{{name}}}_i":
                    part.set_color(self.colors[j])
            for n in (*self.out_weights, self.bias):
                if part.tex_string == symbol(n):
                    part.set_color(self.diagram.color_of(n))
        return tex

    def derive_chain_rule(self) -> None:
        self.beat("chain-rule", "The chain rule for each parameter")
        n = len(self.lesson.x)
        ssr = math(r"\mathrm{SSR} = \sum_{i=1}^{" + str(n) + r"} (\mathrm{Observed}_i - "
                      r"\mathrm{Predicted}_i)^2", color=INK, font_size=TEXT_SIZE)
        predicted = self.predicted_tex()
        top = VGroup(ssr, predicted).arrange(RIGHT, buff=0.8)
        if top.width > config.frame_width - 0.8:
            top.arrange(DOWN, buff=0.2)
        fit_into(top, config.frame_width - 0.8, 1.6).to_edge(UP, buff=0.3)
        self.say(f"SSR adds up the squared residuals at the {n} data points, and each "
                 f"prediction is the {'sum of the scaled curves' if self.k > 1 else 'scaled curve'}"
                 f" plus {self.bias}.")
        self.play(Write(top), run_time=LONG)
        chain = self.trace.chain_at(0)
        general = math(r"\frac{d\,\mathrm{SSR}}{d\,p} = \sum_{i=1}^{" + str(n) + "}",
                          factor_tex(chain[self.optimize[0]].factors[0]), r"\times \cdots",
                          color=INK, font_size=TEXT_SIZE)
        general.next_to(top, DOWN, buff=0.3)
        self.say(f"Each of {listing(self.optimize)} changes SSR only through the predictions, "
                 "so the chain rule starts every derivative with the same factor, "
                 "d SSR / d Predicted, and then follows the path to that parameter.",
                 voice=f"Each of {listing(self.optimize)} changes SSR only through the "
                       "predictions. So every derivative starts with the same factor: the "
                       "derivative of SSR with respect to the prediction. Then the chain rule "
                       "follows the path to that parameter.")
        self.play(Write(general), run_time=MEDIUM)
        self.wait(SHORT)

        table_top = general.get_bottom()[1] - 0.25
        room_w, room_h = config.frame_width - 0.6, table_top + config.frame_height / 2 - 0.3
        table = ChainTable.fitted(room_w, room_h, chain, self.optimize, self.net,
                                  self.lesson.x, self.lesson.digits, self.lesson.labels.x,
                                  learning=self.optimize)
        self.chain_table = table
        left = -config.frame_width / 2 + 0.3
        # Centre the tallest page in the room below the formulas.
        tallest = max(table.layout(page, 0.0, 0.0).height for page in table.pages(room_w))
        table_top -= max(0.0, (room_h - tallest) / 2)
        shown_blocks = VGroup()
        for number, page in enumerate(table.pages(room_w)):
            table.layout(page, left, table_top)
            if number == 0:
                self.show_shared_columns(table)
            else:
                self.play(FadeAway(shown_blocks), run_time=SHORT)
                shown_blocks = VGroup()
            for param in page:
                self.show_block(table, param, chain[param])
                shown_blocks.add(table.blocks[param], table.blocks[param].rule)
            if number == 0:
                self.still()
        self.bam()
        self.play(FadeAway(*self.mobjects), run_time=MEDIUM)

    def show_shared_columns(self, table: ChainTable) -> None:
        x_label = self.lesson.labels.x_noun
        outer = [self.num(v) for v in table.outer_factor.values]
        self.say(f"One row per data point ({x_label} " + listing(
            [self.num(v) for v in self.lesson.x]) + "). The shared first factor is -2 times "
            "(observed - predicted): " + listing(outer) + ".",
            voice="One row per data point. The shared first factor is negative 2 times each "
                  "residual" + (": " + listing(outer) + "." if len(outer) <= 4 else
                                ", in the first column."))
        self.play(FadeInPlace(table.inputs), run_time=SHORT)
        self.play(Write(table.outer.header), FadeInPlace(table.outer.note), run_time=MEDIUM)
        self.play(LaggedStart(*(FadeInPlace(c) for c in table.outer.cells), lag_ratio=0.2),
                  run_time=MEDIUM)
        self.wait(SHORT)

    def show_block(self, table: ChainTable, param: str, derivative) -> None:
        block = table.blocks[param]
        self.play(Write(block.heading), run_time=SHORT)
        for column, factor in zip(block.columns, derivative.factors[1:], strict=True):
            self.say(self.factor_caption(factor), voice=self.factor_voice(factor))
            self.play(Write(column.header), FadeInPlace(column.note), run_time=MEDIUM)
            self.play(LaggedStart(*(FadeInPlace(c) for c in column.cells), lag_ratio=0.2),
                      run_time=SHORT)
            self.wait(SHORT)
        self.say(f"Multiply across each row ({listing([self.num(t) for t in derivative.terms])})"
                 f" and add: d SSR / d {param} = {self.num(derivative.total)}.",
                 voice=f"Multiply across each row and add. The derivative of SSR with respect "
                       f"to {param} is {self.num(derivative.total)}.")
        self.play(FadeInPlace(block.product.header),
                  *(TransformFromCopy(VGroup(table.outer.cells[i],
                                             *(c.cells[i] for c in block.columns)),
                                      block.product.cells[i])
                    for i in range(table.rows)), run_time=MEDIUM)
        self.play(Create(block.rule), FadeInPlace(block.total), run_time=SHORT)
        self.play(Indicate(block.total[1], color=LEARNING), run_time=SHORT)
        self.wait(SHORT)

    def factor_words(self, factor: Factor) -> dict[str, str]:
        """What the captions and the voice may say of one factor: its column header
        ("d Predicted / d w3"), what it differentiates, the curve and weight it passes through,
        and its values at the data."""
        num, den, j = factor.numerator, factor.denominator, factor.node
        node = {"y": "node {}'s output", "x": "node {}'s input"}
        return {
            "name": f"d {num} / d {den}".replace("predicted", "Predicted"), "den": den,
            "changes": "the prediction" if num == "predicted" else node[num[0]].format(num[1:]),
            "what": (node[den[0]].format(den[1:]) if den[0] in node and num == "predicted" else
                     "its input" if den[0] in node else den),
            "colour": self.color_names[j] if j is not None else "",
            "weight": self.out_weights[j] if j is not None else "",
            "activation": self.net.activation.name, "noun": self.lesson.labels.x_noun,
            "values": listing([self.num(v) for v in factor.values]),
        }

    def factor_caption(self, factor: Factor) -> str:
        """What one factor of d SSR / d param is, with its values at the data, as written
        under the table (its column header, "d Predicted / d w3", names it)."""
        return FACTOR_CAPTIONS[factor.kind].format(**self.factor_words(factor))

    def factor_voice(self, factor: Factor) -> str:
        """The same factor as a listener hears it: a sentence in plain words ("How much the
        prediction changes when w3 changes is ...") instead of the column header, and the
        values only when there are few enough to hold (else the table has them)."""
        words = self.factor_words(factor)
        words["values"] = (f": {words['values']}." if len(factor.values) <= MOST_SAID else
                           ". The table shows its values.")
        words["how"] = "How much {changes} changes when {what} changes is".format(**words)
        return FACTOR_VOICES[factor.kind].format(**words)

    # -- beat 4: the first step -------------------------------------------------------------

    def step_table(self, state: int) -> VGroup:
        """Parameter, slope, step size and new value for every optimized parameter."""
        d = self.descent
        now, nxt = d[state], d[min(state + 1, len(d) - 1)]
        size = LABEL_SIZE + 4
        head = [Text(t, font=FONT, font_size=size - 4, color=MUTED)
                for t in ("", "slope", "step size", "new value")]  # one Pango run each
        rows = [head]
        digits = self.lesson.digits
        for p in self.optimize:
            new = shown(nxt.params[p], digits)
            if len(self.optimize) <= FULL_ARITHMETIC:
                new = (f"{shown(now.params[p], digits)} {chr(0x2212)} "
                       f"({shown(now.step_size[p], digits)}) = {new}")
            rows.append([
                words(p, LEARNING, (size + 12) * TEXT_SCALE),
                numeral(shown(now.gradient[p], digits), INK, size),
                numeral(shown(now.step_size[p], digits), INK, size),
                numeral(new, INK, size),  # a Text when it holds the arithmetic
            ])
        columns = Columns.of(column_widths(rows), gap=0.45)
        y = 0.0
        for row in rows:
            height = max(m.height for m in row)
            for c, cell in enumerate(row):
                columns.place(cell, c, y - height / 2, "l" if c == 0 else "r")
            y -= height + 0.22
        grid = VGroup(*(m for row in rows for m in row))
        grid.columns = [VGroup(*(row[c] for row in rows)) for c in range(4)]
        return grid

    def take_first_step(self) -> None:
        self.beat("first-step", "The first step")
        d, lr = self.descent, self.num(self.descent.learning_rate)
        self.panel = self.fit_panel(0, 4.9, 5.8)
        self.panel.to_corner(DL, buff=0.4)
        panel = self.panel
        if d.updates == 0:
            self.say("Descent stops before its first step: every step size is already below "
                     f"{self.num(self.lesson.descent.min_step_size)}.")
            self.play(FadeInPlace(panel), run_time=MEDIUM)
            self.wait(LONG)
            return
        rules = VGroup(  # equations in words: Pango, not LaTeX
            words("Step size = slope * learning rate", size=TEXT_SIZE * TEXT_SCALE),
            words("New value = old value - step size", size=TEXT_SIZE * TEXT_SCALE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        rules.move_to([(PANEL_LEFT + PANEL_RIGHT) / 2, 0, 0]).to_edge(UP, buff=0.35)
        table = self.step_table(0)
        # Room below the rules for the table and, under it, the SSR line.
        fit_into(table, PANEL_RIGHT - PANEL_LEFT,
                 rules.get_bottom()[1] + config.frame_height / 2 - 0.45 - 1.6)
        table.next_to(rules, DOWN, buff=0.45)
        slopes = listing([f"{self.num(d[0].gradient[p])} for {p}" for p in self.optimize])
        many = len(self.optimize) > 3
        self.say(f"Gradient descent uses all the derivatives at once. The slopes at the start "
                 f"are {slopes}.", voice=None if not many else
                 "Gradient descent uses all the derivatives at once. The slopes at the start "
                 "are in the table.")
        self.play(FadeInPlace(panel), Write(rules), run_time=MEDIUM)
        self.play(FadeInPlace(table.columns[0], table.columns[1]), run_time=MEDIUM)
        self.wait(SHORT)
        sizes = listing([self.num(d[0].step_size[p]) for p in self.optimize])
        self.say(f"Each step size is its slope times the learning rate, {lr}: {sizes}.",
                 voice=None if not many else
                 f"Each step size is its slope times the learning rate, {lr}.")
        self.play(FadeInPlace(table.columns[2]), run_time=MEDIUM)
        self.wait(SHORT)
        self.say(f"Each new value is the old value minus its step size: "
                 f"{self.values_of(self.optimize, 1)}.", voice=None if not many else
                 "Each new value is the old value minus its step size, in the last column.")
        self.play(FadeInPlace(table.columns[3]), run_time=MEDIUM)
        self.wait(MEDIUM)
        self.still()
        trend = self.trend(d[0].ssr, d[1].ssr)
        where = {-1: " closer to the data", 0: "", 1: " away from the data"}[trend]
        self.say(f"With the new values the squiggle moves{where}: "
                 f"{self.ssr_change(d[0].ssr, d[1].ssr)}.")
        ssr = Text(f"SSR: {shown(d[0].ssr, self.lesson.digits)} \u2192 "
                   f"{shown(d[1].ssr, self.lesson.digits)}", font=FONT,
                   font_size=LABEL_SIZE + 6, color=INK)
        fit_into(ssr, PANEL_RIGHT - PANEL_LEFT, 1).next_to(table, DOWN, buff=0.6)
        self.play(*self.fit_animations(1), FadeInPlace(ssr), run_time=LONG)
        self.wait(MEDIUM)
        self.play(FadeAway(table, rules, ssr), run_time=SHORT)

    def fit_animations(self, state: int) -> list[Animation]:
        """Reshape the scaled curves, squiggle and residuals to descent state ``state``."""
        panel = self.panel
        axes = panel.axes
        return [
            Transform(panel.squiggle, curve(axes, self.trace.grid,
                                            self.curves[state].predicted, SQUIGGLE)),
            Transform(panel.scaled, self.scaled_curves(axes, state)),
            Transform(panel.residuals, residual_lines(axes, self.lesson.x, self.lesson.y,
                                                      self.descent.predicted[state])),
        ]

    # -- beat 5: gradient descent -----------------------------------------------------------

    def descend(self) -> None:
        self.beat("gradient-descent", "Gradient descent")
        d = self.descent
        width = PANEL_RIGHT - PANEL_LEFT
        self.ssr_plot = SSRByStep(d.ssr, width=4.2, height=2.5,
                                  start=shown(d.ssr[0], self.lesson.digits))
        fit_into(self.ssr_plot, width, 3.4).to_edge(UP, buff=0.4)
        self.ssr_plot.align_to([PANEL_LEFT, 0, 0], LEFT)
        self.table = ParamTable(self.optimize, d[0].params, self.optimize, self.lesson.digits,
                                font_size=LABEL_SIZE + 6)
        self.counter = self.counter_text(0)
        right = VGroup(self.counter, self.table).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        # Below the plot, down to a margin above the frame's bottom edge.
        fit_into(right, width, self.ssr_plot.get_bottom()[1] - 0.4 + config.frame_height / 2
                 - 0.3)
        right.next_to(self.ssr_plot, DOWN, buff=0.4).align_to([PANEL_LEFT + 0.2, 0, 0], LEFT)
        scale = "on a log scale, " if self.ssr_plot.log else ""
        self.say(f"Now repeat: new derivatives, new steps, {d.updates} times. The plot shows SSR "
                 f"at each step ({scale}starting at {self.num(d[0].ssr)}), the table the "
                 "current values.",
                 voice=f"Now repeat: new derivatives, new steps, {d.updates} times. The plot "
                       f"shows SSR at each step, starting at {self.num(d[0].ssr)}. The table "
                       "shows the current values.")
        self.play(FadeInPlace(self.ssr_plot, right), run_time=MEDIUM)
        self.wait(MEDIUM)
        for number, i in enumerate(self.schedule[1:]):
            if number < ONE_BY_ONE:
                # The slopes were shown in the first step's table; here the table shows the
                # new values, and the counter the SSR, that the caption states.
                self.say(f"Step {i}: new slopes, new steps, new values "
                         f"{self.values_of(self.optimize, i)}; SSR = {self.num(d[i].ssr)}.",
                         voice=f"Step {i}: new slopes, new values in the table, and SSR is "
                               f"{self.said_small(d[i].ssr)}.")
                self.jump(i, MEDIUM)
                self.wait(SHORT)
                continue
            if number == ONE_BY_ONE:
                self.say("From here on, many steps at a time. Each parameter turns green once "
                         "it has settled on its final value.")
            before = self.schedule[number]
            newly = [p for p in self.optimize if self.settled[p] is not None
                     and before < self.settled[p] <= i]
            if newly:
                self.say(listing([f"{p} settles at {self.num(d[i].params[p])}"
                                  for p in newly]) + " (from step "
                         + listing([str(self.settled[p]) for p in newly]) + ").",
                         voice=self.settled_voice(newly))
            self.jump(i, FAST)
            if newly:
                self.play(Indicate(self.table.highlight(newly), color=FIXED, scale_factor=1.15),
                          run_time=MEDIUM)
                self.wait(SHORT)
        self.finish_descent()

    def settled_voice(self, newly: list[str]) -> str:
        """Which parameters settled, for the ear: the step after which each one's shown value
        no longer changes, in the order they settled."""
        first, *rest = sorted(newly, key=lambda p: self.settled[p])
        said = f"{first} stops changing at step {self.settled[first]}"
        if rest:
            said += ", " + listing([f"{p} at step {self.settled[p]}" for p in rest])
        return said + "."

    def moves_voice(self) -> str:
        """Where each optimized parameter went, said when there are few enough to hold."""
        d = self.descent
        if len(self.optimize) > MOST_SAID:
            return (f"In {d.updates} steps, all {len(self.optimize)} red parameters moved from "
                    "their starting values to the ones on screen.")
        if len(self.optimize) > 3:
            return (f"In {d.updates} steps, {listing(self.optimize)} moved from their starting "
                    "values to the ones on screen.")
        moves = [f"{p} from {self.num(d[0].params[p])} to {self.num(d.final.params[p])}"
                 for p in self.optimize]
        first, *rest = moves
        went = first.replace(" from ", " went from ", 1)
        return f"In {d.updates} steps, {listing([went, *rest])}."

    def counter_text(self, state: int) -> VGroup:
        # As Text sets them, from cached glyphs and one layout of the words (kit.numerals).
        step = numeral_line("Step ", str(state), "", INK, LABEL_SIZE + 4)
        ssr = numeral_line("SSR = ", shown(self.descent.ssr[state], self.lesson.digits), "",
                           MUTED, LABEL_SIZE)
        return VGroup(step, ssr).arrange(DOWN, aligned_edge=LEFT, buff=0.15)

    def update_counter(self, state: int) -> list[Animation]:
        """Swap the step counter and SSR readout for ``state``'s (no morph: they change often)."""
        new = self.counter_text(state).move_to(self.counter, aligned_edge=LEFT)
        return [Swap(self.counter, old, fresh)
                for old, fresh in zip(self.counter.submobjects, new.submobjects, strict=True)]

    def jump(self, state: int, run_time: float) -> None:
        settled = [p for p in self.optimize
                   if self.settled[p] is not None and self.settled[p] <= state]
        fast = run_time < MEDIUM
        self.play(*self.fit_animations(state), *self.ssr_plot.advance_to(state),
                  *self.table.step_animations(self.descent[state], settled, fast=fast),
                  *self.update_counter(state), run_time=run_time)

    def finish_descent(self) -> None:
        d = self.descent
        final = d.final
        ended = self.ending(self.optimize)
        moving = list(ended.moving)
        if ended.converged:
            why = (f"every step size is below {self.num(self.lesson.descent.min_step_size)}, "
                   "so descent stops")
        else:
            why = "the most this lesson allows, descent ends"
        end = f"After {d.updates} steps, {why}: {self.values_of(self.optimize, len(d) - 1)}, "
        end += f"and SSR = {self.num(final.ssr)}."
        # "descent ends" runs together when heard ("to send ends"): the voice says "the run".
        heard = (f"After {d.updates} steps, {why.replace('descent', 'the run')}. SSR is "
                 f"{self.said_small(final.ssr)}.")
        if moving:
            still = f" {listing(moving)} {'is' if len(moving) == 1 else 'are'} still moving."
            end += still
            heard += still + " The run was cut short."
        else:
            # Where it lands next to the b3 lesson, whose fixed values these lessons share.
            same = compare_to_lesson(self.trace, LESSONS_DIR / "b3.yaml")
            heard += (f" The values it found are the b3 lesson's, to {same.decimals} decimals. "
                      "Double bam!" if same.comparable and same.agrees else
                      " The values are in the table. Double bam!")
        self.say(end, voice=heard)
        self.play(Indicate(self.table, color=FIXED, scale_factor=1.05), run_time=MEDIUM)
        self.wait(LONG)
        self.still()
        if ended.earned:
            self.bam("Double bam!")
        self.play(FadeAway(*self.mobjects), run_time=MEDIUM)

    # -- beat 6: summary --------------------------------------------------------------------

    def summarize(self) -> None:
        self.beat("summary", "Summary")
        d = self.descent
        heading = Text("Several parameters, the same two ideas", font_size=TITLE_SIZE - 8,
                       color=INK).to_edge(UP, buff=0.4)
        ideas = VGroup(
            Text("1. Chain rule: one derivative per parameter, all sharing d SSR / d Predicted",
                 font=FONT, font_size=LABEL_SIZE, color=INK),
            Text("2. Gradient descent: every parameter steps at once, by its own slope",
                 font=FONT, font_size=LABEL_SIZE, color=INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        fit_into(ideas, config.frame_width - 1, 2).next_to(heading, DOWN, buff=0.4)
        moving = self.still_moving(self.optimize)
        moves = VGroup(*(
            VGroup(words(p, LEARNING if p in moving else FIXED, (LABEL_SIZE + 8) * TEXT_SCALE),
                   Text(f"{shown(d[0].params[p], self.lesson.digits)} \u2192 "
                        f"{shown(d.final.params[p], self.lesson.digits)}", font=FONT,
                        font_size=LABEL_SIZE, color=INK)).arrange(RIGHT, buff=0.2)
            for p in self.optimize))
        # At most five to a column, filled top to bottom, then left to right.
        rows = min(len(moves), 5)
        table = [list(moves)[r::rows] for r in range(rows)]
        columns = Columns.of(column_widths(table), gap=0.5)
        y = 0.0
        for row in table:
            height = max(m.height for m in row)
            for c, cell in enumerate(row):
                columns.place(cell, c, y - height / 2, "l")
            y -= height + 0.2
        fitted = NetworkDiagram(self.trace.network_at(len(d) - 1), digits=self.lesson.digits,
                                learning=set(moving), input_label=self.lesson.labels.x,
                                output_label=self.lesson.labels.y)
        bottom = VGroup(moves, fitted).arrange(RIGHT, buff=0.6)
        bottom.scale_to_fit_width(config.frame_width - 0.8)
        fit_into(bottom, config.frame_width - 0.8, ideas.get_bottom()[1] + 3.25)
        # A tall (4-node) diagram shrinks to the room; its words stay legible.
        legible(bottom).next_to(ideas, DOWN, buff=0.4)
        self.say("The same two ideas work for any number of parameters: the chain rule gives "
                 "each one its derivative, and gradient descent moves them all together.")
        self.play(Write(heading), run_time=MEDIUM)
        self.play(LaggedFadeIn(ideas, lag_ratio=0.3), run_time=LONG)
        self.say("From " + self.values_of(self.optimize, 0) + " to "
                 + self.values_of(self.optimize, len(d) - 1)
                 + f" in {d.updates} steps; "
                 + (f"{listing(moving)} {'is' if len(moving) == 1 else 'are'} still moving, so "
                    f"{'it stays' if len(moving) == 1 else 'they stay'} red." if moving else
                    "every parameter is now green."),
                 voice=f"To recap. {self.moves_voice()} "
                       + (f"The run was cut short: {listing(moving)} "
                          f"{'is' if len(moving) == 1 else 'are'} still moving, so "
                          f"{'it stays' if len(moving) == 1 else 'they stay'} red." if moving
                          else "Every parameter is now green. Triple bam!"))
        self.play(LaggedFadeIn(moves, lag_ratio=0.2), FadeInPlace(fitted), run_time=LONG)
        self.wait(MEDIUM)
        if not moving:
            self.bam("Triple bam!")
        # The preview comes after the bam, so the word lands with the voice's bam.
        self.say("Next: every parameter of the network starts unknown.")
        self.wait(SHORT)
