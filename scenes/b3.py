"""Backpropagation's main ideas, told by optimizing the output bias b3.

Render with ``manim -pqh scenes/b3.py``. The numbers come from assets/lessons/b3.yaml, or
from the lesson file named by the environment variable ``BP_LESSON``.
"""

from __future__ import annotations

from manim import *

from bpcore.narration.story import counted, equals, joined, trend
from kit.beats import FadeAway, FadeInPlace, bam, sentence
from kit.lesson_scene import LessonScene
from kit.network import NetworkDiagram, symbol
from kit.plots import (
    axis_lines,
    curve,
    data_dots,
    input_box,
    make_axes,
    nice_range,
    place_label,
    residual_lines,
    tangent_line,
)
from kit.screen import legible
from kit.style import (
    FIXED,
    INK,
    LABEL_SIZE,
    LEARNING,
    LONG,
    MEDIUM,
    MUTED,
    NODE_COLOR_NAMES,
    NODE_COLORS,
    SHORT,
    SMALL_SIZE,
    SQUIGGLE,
    SSR_CURVE,
    TEXT_SCALE,
    TEXT_SIZE,
    TITLE_SIZE,
)
from kit.text import math, title_lines, words


class B3Scene(LessonScene):
    """Optimize the last bias with the chain rule and gradient descent, step by step."""

    lesson_name = "b3"
    #: The beat whose still makes the thumbnail: the point on the pink SSR curve.
    thumbnail_beat = "ssr-curve"

    def construct(self) -> None:
        self.prepare()
        self.show_network()
        self.show_hidden_curves()
        self.show_squiggle()
        self.show_residuals()
        self.show_ssr_curve()
        self.derive_chain_rule()
        self.descend()
        self.summarize()

    # -- set-up -----------------------------------------------------------------------------

    def prepare(self) -> None:
        # bpcore.lesson.scene_requirements has checked the lesson: it optimizes the output bias
        # alone and sweeps it.
        self.bias = self.lesson.network.names[-1]
        self.b = symbol(self.bias)
        #: Descent found the bias: its shown value had stopped changing when descent ended.
        self.found = self.ending([self.bias]).earned
        self.k = self.lesson.network.hidden
        self.start = self.trace.start
        self.curves = self.trace.curves_at(0)
        self.colors = [NODE_COLORS[j % len(NODE_COLORS)] for j in range(self.k)]
        self.color_names = [NODE_COLOR_NAMES[j % len(NODE_COLOR_NAMES)] for j in range(self.k)]

    # -- beat 1 -----------------------------------------------------------------------------

    def show_network(self) -> None:
        self.beat("network", "The network and its parameters")
        lesson = self.lesson
        self.title = title = title_lines(lesson.title, TITLE_SIZE - 8, config.frame_width - 1)
        title.to_edge(UP, buff=0.4)
        self.say(f"{sentence(lesson.title)} How does a neural network find good values for its "
                 "weights and biases? Backpropagation rests on two ideas: the chain rule "
                 "gives derivatives, and gradient descent uses them to improve each parameter.")
        self.play(Write(title), run_time=MEDIUM)
        self.diagram = NetworkDiagram(lesson.network, learning={self.bias},
                                      input_label=lesson.labels.x, output_label=lesson.labels.y)
        self.diagram.shift(DOWN * 0.4)
        self.play(FadeIn(self.diagram, lag_ratio=0.05), run_time=LONG)
        weights = ", ".join(n for n in lesson.network.names if n.startswith("w"))
        biases = ", ".join(n for n in lesson.network.names if n.startswith("b"))
        self.say(f"Every connection has a name: the weights {weights} and the biases {biases}. "
                 f"Green parameters keep the values they are given; {self.bias}, in red, "
                 "still has to be found.",
                 voice=f"Every connection has a name: a weight, w, or a bias, b. For now, assume "
                       f"the green ones already have their best values. Only {self.bias}, in "
                       "red, still has to be found.")
        self.play(*(Indicate(lbl, color=self.diagram.color_of(n), scale_factor=1.3)
                    for n, lbl in self.diagram.labels.items()), run_time=MEDIUM)
        self.wait(SHORT)
        values = NetworkDiagram(lesson.network, learning={self.bias}, digits=self.lesson.digits,
                                input_label=lesson.labels.x, output_label=lesson.labels.y)
        values.move_to(self.diagram)
        # The values are on the diagram; a caption listing them all ran past two lines.
        self.say("The green values are written on the diagram.")
        self.play(*(Transform(self.diagram.labels[n], values.labels[n]) for n in values.labels),
                  run_time=MEDIUM)
        self.wait(LONG)
        self.still()
        self.play(FadeOut(title), run_time=SHORT)
        # The diagram shrinks into the corner; its words stay legible (kit.screen.legible).
        corner = self.diagram.generate_target()
        legible(corner.scale_to_fit_width(6.5)).to_corner(UL, buff=0.25)
        self.play(MoveToTarget(self.diagram), run_time=MEDIUM)

    # -- beat 2 -----------------------------------------------------------------------------

    def show_hidden_curves(self) -> None:
        self.beat("hidden-curves", "The hidden nodes' curves")
        lesson, curves = self.lesson, self.curves
        every_x = curves.hidden_x
        ax_range = nice_range(every_x.ravel(), ticks=4)
        xs, ys = self.trace.activation_curve(ax_range[0], ax_range[1])
        act_range = nice_range([*ys, 0.0], ticks=3)
        self.act_axes = make_axes(ax_range, act_range, 5.2, 2.0).to_corner(DL, buff=0.6)
        act_name = Text(lesson.network.activation.name, font_size=LABEL_SIZE - 4, color=MUTED)
        act_name.next_to(self.act_axes, UP, buff=0.1).align_to(self.act_axes, LEFT)
        act_graph = curve(self.act_axes, xs, ys, MUTED, width=3)

        # The data axes cover every curve the lesson will draw, from start to finish.
        path = self.trace.descent.predicted
        y_values = [*lesson.y, *curves.hidden_y.ravel(), *curves.scaled.ravel(),
                    *curves.summed, *path.ravel()]
        for step in (0, len(self.trace.descent) - 1):
            y_values.extend(self.trace.curves_at(step).predicted)
        self.data_axes = make_axes(nice_range(lesson.x, ticks=4),
                                   nice_range(y_values, ticks=5), 4.7, 5.8,
                                   lesson.labels.x, lesson.labels.y).to_edge(RIGHT, buff=0.4)
        self.dots = data_dots(self.data_axes, lesson.x, lesson.y)
        self.say(f"The data: {len(lesson.x)} points, the {lesson.labels.y_noun} observed at "
                 f"each {lesson.labels.x_noun}. The network will fit a curve to them.")
        self.play(Create(self.data_axes), FadeIn(self.dots), run_time=MEDIUM)
        self.play(Create(self.act_axes), FadeIn(act_name), Create(act_graph), run_time=MEDIUM)

        self.scaled_curves = VGroup()
        names = lesson.network.names
        k = self.k
        for j in range(k):
            w_in, w_out, b_in = names[j], names[k + j], names[2 * k + j]
            lo, hi = curves.hidden_x[j][0], curves.hidden_x[j][-1]
            params = lesson.network.params
            self.say(
                f"Run every {lesson.labels.x_noun} from {self.num(lesson.x.min())} to "
                f"{self.num(lesson.x.max())} through the connection to hidden node {j + 1}: "
                f"times {w_in} = {self.num(params[w_in])}, plus {b_in} = "
                f"{self.num(params[b_in])}. They land between {self.num(lo)} and "
                f"{self.num(hi)} on the x axis of the {lesson.network.activation.name} "
                "function: the red box.",
                voice=f"Run every {lesson.labels.x_noun} from {self.num(lesson.x.min())} to "
                      f"{self.num(lesson.x.max())} through the connection to hidden node "
                      f"{j + 1}. Multiply by {w_in}, which is {self.num(params[w_in])}, then "
                      f"add {b_in}, which is {self.num(params[b_in])}. The results land between "
                      f"{self.num(lo)} and {self.num(hi)} on the x axis of the "
                      f"{lesson.network.activation.name} function, in the red box."
            )
            edge = self.diagram.edges_in[j]
            box = input_box(self.act_axes, lo, hi)
            self.play(edge.animate.set_stroke(self.colors[j], width=6), Create(box),
                      run_time=MEDIUM)
            piece = curve(self.act_axes, curves.hidden_x[j], curves.hidden_y[j], self.colors[j])
            raw = curve(self.data_axes, self.trace.grid, curves.hidden_y[j], self.colors[j])
            self.say(f"The activation function turns those inputs into outputs: the "
                     f"{self.color_names[j]} curve, drawn over the data.")
            self.play(Create(piece), run_time=MEDIUM)
            self.play(TransformFromCopy(piece, raw), run_time=MEDIUM)
            scaled = curve(self.data_axes, self.trace.grid, curves.scaled[j], self.colors[j])
            self.say(f"Multiply its outputs by {w_out} = {self.num(params[w_out])} and we get "
                     f"the final {self.color_names[j]} curve.",
                     voice=f"Multiply those outputs by {w_out}, which is "
                           f"{self.num(params[w_out])}, and we get the final "
                           f"{self.color_names[j]} curve. Bam!")
            self.play(Indicate(self.diagram.labels[w_out], color=self.colors[j]),
                      Transform(raw, scaled), run_time=LONG)
            bam(self)
            if j == k - 1:
                self.still()
            self.play(FadeOut(box), FadeOut(piece), edge.animate.set_stroke(INK, width=3),
                      run_time=SHORT)
            self.scaled_curves.add(raw)
        self.play(FadeOut(self.act_axes), FadeOut(act_name), FadeOut(act_graph), run_time=SHORT)

    # -- beat 3 -----------------------------------------------------------------------------

    def show_squiggle(self) -> None:
        self.beat("squiggle", "The green squiggle")
        curves, b0 = self.curves, self.lesson.network.params[self.bias]
        summed = curve(self.data_axes, self.trace.grid, curves.summed, SQUIGGLE)
        added = joined(self.color_names)
        self.say(f"Add the {added} curves together, point by point, and we get the green "
                 "squiggle." if self.k > 1 else
                 f"The {added} curve is the shape of the green squiggle.")
        self.play(*(Transform(c.copy(), summed, remover=True) for c in self.scaled_curves),
                  FadeIn(summed), run_time=LONG)
        self.play(self.scaled_curves.animate.set_stroke(opacity=0.25), run_time=SHORT)
        self.squiggle = curve(self.data_axes, self.trace.grid, curves.predicted, SQUIGGLE)
        shift = ("which leaves the squiggle where it is" if b0 == 0 else
                 f"which shifts the squiggle by {self.num(b0)}")
        start = (f"Biases usually start at 0, so {self.bias} starts at 0, {shift}." if b0 == 0
                 else f"This lesson starts it at {self.num(b0)}, {shift}.")
        self.say(f"The last step adds the bias {self.bias}. We do not know its best value "
                 f"yet. {start}")
        self.play(Indicate(self.diagram.labels[self.bias], color=LEARNING, scale_factor=1.5),
                  run_time=MEDIUM)
        self.play(Transform(summed, self.squiggle), run_time=MEDIUM)
        self.remove(summed)
        self.add(self.squiggle)
        self.wait(SHORT)

    # -- beat 4 -----------------------------------------------------------------------------

    def show_residuals(self) -> None:
        self.beat("residuals", "Residuals and SSR")
        lesson, start = self.lesson, self.start
        self.say("The squiggle misses the data. A residual is an observed value minus "
                 "the predicted one: here " + ", ".join(
                     f"{self.num(o)} - ({self.num(p)})"
                     for o, p in zip(lesson.y, start.predicted, strict=True)) + ".",
                 voice="The squiggle misses the data. A residual is an observed value minus "
                       "the predicted one: the distance from the squiggle up or down to a "
                       "point.")
        self.play(FadeAway(self.scaled_curves, self.diagram), run_time=SHORT)
        self.residuals = residual_lines(self.data_axes, lesson.x, lesson.y, start.predicted)
        self.play(LaggedStart(*(Create(r) for r in self.residuals), lag_ratio=0.4),
                  run_time=LONG)
        self.wait(SHORT)
        terms = " + ".join(f"({self.num(o)} - ({self.num(p)}))\u00b2"
                           for o, p in zip(lesson.y, start.predicted, strict=True))
        ssr = words(f"SSR = {terms} = {self.num(start.ssr)}", size=TEXT_SIZE * TEXT_SCALE)
        ssr.scale_to_fit_width(min(ssr.width, config.frame_width - 1)).to_edge(UP, buff=0.3)
        self.say(f"Square each residual and add them up: the sum of squared residuals, SSR, "
                 f"is {self.num(start.ssr)} when {self.bias} = "
                 f"{self.num(lesson.network.params[self.bias])}.")
        self.play(Write(ssr), run_time=LONG)
        self.wait(MEDIUM)

        # The data moves left to make room for SSR against the bias.
        self.fit_group = VGroup(self.data_axes, self.dots, self.squiggle, self.residuals)
        self.play(FadeOut(ssr), self.fit_group.animate.scale(0.8).to_edge(LEFT, buff=0.7),
                  run_time=MEDIUM)
        self.ssr_axes = self.make_ssr_axes()
        self.ssr_dots = VGroup()
        self.ssr_dots.add(self.ssr_dot(lesson.network.params[self.bias], start.ssr))
        self.say(f"That pair, {self.bias} = {self.num(lesson.network.params[self.bias])} and "
                 f"SSR = {self.num(start.ssr)}, is one point on a graph of SSR against "
                 f"{self.bias}.")
        self.play(Create(self.ssr_axes), run_time=MEDIUM)
        self.play(FadeIn(self.ssr_dots, scale=2), run_time=SHORT)
        self.wait(MEDIUM)

    def make_ssr_axes(self) -> Axes:
        """Axes for SSR against the bias, holding the sweep, its probes and every descent
        state, right of the shrunken data plot."""
        sweep = self.trace.sweep
        values = [*self.trace.descent.column(self.bias), *sweep.values, *sweep.probe_values]
        ssrs = [*self.trace.descent.ssr, *sweep.ssr, *sweep.probe_ssr]
        return make_axes(nice_range(values, ticks=4), nice_range([0.0, *ssrs], ticks=4), 5.4,
                         4.6, self.bias, "SSR").to_edge(RIGHT, buff=0.7).shift(DOWN * 0.3)

    def ssr_points(self) -> list[tuple[float, float]]:
        """The (bias, SSR) points the SSR plot shows one by one: the start, then each probe."""
        sweep, start = self.trace.sweep, self.lesson.network.params[self.bias]
        return [(start, self.start.ssr)] + [
            (value, ssr) for value, ssr in zip(sweep.probe_values, sweep.probe_ssr, strict=True)
            if value != start]

    def ssr_dot(self, value: float, ssr: float) -> VGroup:
        """A point on the SSR plot with its SSR beside it, clear of the pink curve (drawn
        later through the sweep's samples), the axes, every point and the labels placed."""
        axes, sweep = self.ssr_axes, self.trace.sweep
        dot = Dot(axes.c2p(value, ssr), radius=0.08, color=INK)
        pink = axes.coords_to_point(np.column_stack([sweep.values, sweep.ssr]))
        points = [Dot(axes.c2p(*point), radius=0.08) for point in self.ssr_points()
                  if point != (value, ssr)]
        label = place_label(words(self.num(ssr), size=SMALL_SIZE * TEXT_SCALE), dot,
                            lines=[pink, *axis_lines(axes)],
                            taken=[axes.x_axis.numbers, axes.y_axis.numbers, *axes.labels,
                                   *self.ssr_dots, *points])
        return VGroup(dot, label)

    # -- beat 5 -----------------------------------------------------------------------------

    def show_ssr_curve(self) -> None:
        self.beat("ssr-curve", f"SSR as {self.bias} changes")
        sweep = self.trace.sweep
        base = self.lesson.network
        tried = self.ssr_points()
        for (before, ssr_before), (value, ssr) in zip(tried, tried[1:], strict=False):
            fit = self.trace.fit_of(base.replace(**{self.bias: value}))
            curves = self.trace.curves_of(base.replace(**{self.bias: value}))
            # "about 7.8" rounds 7.77 for the ear; "0.38 (about 0.38)" would only repeat it.
            about = self.about(ssr)
            rounded = f" (about {about})" if about != self.num(ssr) else ""
            shift = "up" if value > before else "down"
            shorter = ("the residuals get shorter" if ssr < ssr_before else
                       "the residuals get longer")
            # The ear takes one number: the rounded one, said "about".
            heard = f"about {about}" if rounded else self.num(ssr)
            self.say(f"Try {self.bias} = {self.num(value)}: the squiggle shifts {shift}, "
                     f"{shorter}, and SSR = {self.num(ssr)}{rounded}.",
                     voice=f"Try {self.bias} = {self.num(value)}: the squiggle shifts {shift}, "
                           f"{shorter}, and SSR is {heard}.")
            self.move_fit(curves.predicted, fit.predicted, run_time=MEDIUM)
            dot = self.ssr_dot(value, ssr)
            self.play(FadeIn(dot, scale=2), run_time=SHORT)
            self.ssr_dots.add(dot)
            self.wait(SHORT)
        self.pink = curve(self.ssr_axes, sweep.values, sweep.ssr, SSR_CURVE)
        self.say(f"Trying every value of {self.bias} would trace this pink curve, and its "
                 "lowest point is the best value. Gradient descent finds that point without "
                 "trying them all, using the curve's slope: the derivative of SSR.")
        self.play(Create(self.pink), run_time=LONG)
        self.move_fit(self.curves.predicted, self.start.predicted, run_time=MEDIUM)
        self.wait(MEDIUM)

    def move_fit(self, squiggle_y, predicted, run_time: float) -> None:
        """Move the squiggle and residuals to new trace values."""
        axes = self.data_axes
        new_squiggle = curve(axes, self.trace.grid, squiggle_y, SQUIGGLE)
        new_residuals = residual_lines(axes, self.lesson.x, self.lesson.y, predicted)
        self.play(Transform(self.squiggle, new_squiggle),
                  Transform(self.residuals, new_residuals), run_time=run_time)

    # -- beat 6 -----------------------------------------------------------------------------

    def derive_chain_rule(self) -> None:
        self.beat("chain-rule", "The chain rule")
        b, n = self.b, len(self.lesson.x)
        graphs = VGroup(self.fit_group, self.ssr_axes, self.ssr_dots, self.pink)
        self.play(FadeAway(graphs), run_time=SHORT)
        red = {b: LEARNING}
        ssr = math(r"\mathrm{SSR}", "=", r"\sum_{i=1}^{" + str(n) + r"}",
                      r"(\mathrm{Observed}_i - \mathrm{Predicted}_i)^2", color=INK,
                      font_size=TEXT_SIZE + 6).to_edge(UP, buff=0.6)
        self.say(f"Write SSR as a sum over the {n} data points of (observed minus predicted) "
                 "squared.", voice=f"Write SSR as a sum over the {n} data points: each "
                 "residual, observed minus predicted, squared.")
        self.play(Write(ssr), run_time=LONG)
        parts = [rf"\mathrm{{{name}}}_i" for name in self.color_names]
        colors = {**red, r"\mathrm{green}_i": SQUIGGLE,
                  **{part: self.colors[j] for j, part in enumerate(parts)}}
        predicted = math(r"\mathrm{Predicted}_i", "=", r"\mathrm{green}_i", "=",
                         " + ".join(parts) + " + " + b, color=INK,
                         tex_to_color_map=colors, font_size=TEXT_SIZE + 6)
        predicted.next_to(ssr, DOWN, buff=0.5)
        self.say(f"Each prediction comes from the green squiggle: the sum of the "
                 f"{' and '.join(self.color_names)} curves plus {self.bias}." if self.k > 1 else
                 f"Each prediction comes from the green squiggle: the {self.color_names[0]} "
                 f"curve plus {self.bias}.")
        self.play(Write(predicted), run_time=LONG)
        frac = r"\frac{d\,\mathrm{SSR}}{d\," + b + "}"
        chain = math(frac, "=",
                        r"\frac{d\,\mathrm{SSR}}{d\,\mathrm{Predicted}}", r"\times",
                        r"\frac{d\,\mathrm{Predicted}}{d\," + b + "}", color=INK,
                        font_size=TEXT_SIZE + 8).next_to(predicted, DOWN, buff=0.6)
        self.say(f"SSR depends on {self.bias} only through the predictions, so the chain rule "
                 f"splits the derivative in two: d SSR / d Predicted times "
                 f"d Predicted / d {self.bias}.",
                 voice=f"SSR depends on {self.bias} only through the predictions, so the chain "
                       "rule splits its derivative in two: how much SSR changes when the "
                       "prediction changes, times how much the prediction changes when "
                       f"{self.bias} changes.")
        self.play(Write(chain), run_time=LONG)
        self.wait(MEDIUM)

        outer = math(r"\frac{d\,\mathrm{SSR}}{d\,\mathrm{Predicted}}", "=",
                        r"\sum_{i=1}^{" + str(n) + r"} 2(\mathrm{Observed}_i - "
                        r"\mathrm{Predicted}_i) \times (-1)", "=",
                        r"\sum_{i=1}^{" + str(n) + r"} -2(\mathrm{Observed}_i - "
                        r"\mathrm{Predicted}_i)", color=INK, font_size=TEXT_SIZE)
        outer.next_to(chain, DOWN, buff=0.5)
        self.say("First factor: bring the square down in front, then multiply by the "
                 "derivative of what is inside the parentheses, which is -1. That leaves "
                 "-2 times (observed minus predicted), summed.",
                 voice="First factor: bring the square down in front. Then multiply by how "
                       "much the residual, observed minus predicted, changes when the "
                       "prediction changes: -1. That leaves -2 times each residual, summed.")
        self.play(Write(outer), run_time=LONG)
        self.wait(MEDIUM)
        zeros = " + ".join("0" for _ in self.color_names)
        inner = math(r"\frac{d\,\mathrm{Predicted}}{d\," + b + "}", "=", zeros + " + 1",
                        "=", "1", color=INK, font_size=TEXT_SIZE).next_to(outer, DOWN, buff=0.4)
        made = (f"the {joined(self.color_names)} curves do not change with {self.bias}, so "
                "their derivatives are 0" if self.k > 1 else
                f"the {self.color_names[0]} curve does not change with {self.bias}, so its "
                "derivative is 0")
        self.say(f"Second factor: {made}; the derivative of {self.bias} with respect to itself "
                 "is 1.")
        self.play(Write(inner), run_time=LONG)
        self.wait(MEDIUM)
        self.still()
        self.derivative = math(frac, "=",
                                  r"\sum_{i=1}^{" + str(n) + r"} -2(\mathrm{Observed}_i - "
                                  r"\mathrm{Predicted}_i)", r"\times 1", color=INK,
                                  tex_to_color_map=red, font_size=TEXT_SIZE + 4)
        self.derivative.move_to(ORIGIN)
        self.say(f"Put together: d SSR / d {self.bias} is the sum of -2 times each residual, "
                 "times 1. The 1 changes nothing but shows both links of the chain.",
                 voice=f"Put together: the derivative of SSR with respect to {self.bias} is the "
                       "sum of -2 times each residual, times 1. The 1 changes nothing, but "
                       "shows both links of the chain. Bam!")
        self.play(FadeAway(ssr, predicted, outer, inner),
                  ReplacementTransform(chain, self.derivative), run_time=LONG)
        bam(self)

    # -- beat 7 -----------------------------------------------------------------------------

    def descend(self) -> None:
        self.beat("gradient-descent", "Gradient descent")
        descent, lesson = self.trace.descent, self.lesson
        rate = self.num(descent.learning_rate)
        self.play(self.derivative.animate.scale(0.7).to_corner(UL, buff=0.3), run_time=MEDIUM)
        first = descent[0]
        # Graphs in the lower band, the derivative and the step's arithmetic above them.
        graphs = VGroup(self.fit_group, self.ssr_axes, self.pink)
        legible(graphs.scale(0.85)).to_edge(DOWN, buff=0.3)
        self.play(FadeInPlace(graphs), run_time=MEDIUM)
        point = Dot(self.ssr_axes.c2p(first.params[self.bias], first.ssr), radius=0.1,
                    color=LEARNING)
        self.play(FadeIn(point, scale=2), run_time=SHORT)
        readout = VGroup()
        last = len(descent) - 1
        for i in range(last + 1):
            state = descent[i]
            value, slope = state.params[self.bias], state.gradient[self.bias]
            step = state.step_size[self.bias]
            detailed = i < 2
            tangent = tangent_line(self.ssr_axes, value, state.ssr, slope)
            new_readout = self.descent_readout(i, state, rate, detailed)
            if detailed:
                self.say(self.slope_caption(i, state), voice=self.slope_voice(state))
                self.play(FadeAway(readout), FadeInPlace(new_readout[0]), run_time=MEDIUM)
                self.play(Create(tangent), run_time=MEDIUM)
                self.wait(MEDIUM)
                sign = equals(self.num(slope), "×", rate, self.num(step))
                self.say(f"Step size = slope × learning rate = {self.num(slope)} × {rate} {sign} "
                         f"{self.num(step)}.", voice=f"The step size is the slope times the "
                         f"learning rate: {self.num(slope)} times {rate} is "
                         f"{'' if sign == '=' else 'about '}{self.num(step)}.")
                self.play(FadeInPlace(new_readout[1]), run_time=MEDIUM)
                self.wait(SHORT)
            else:
                self.play(FadeAway(readout), FadeInPlace(new_readout), Create(tangent),
                          run_time=SHORT)
            readout = new_readout
            if i == last:
                self.finish_descent(state, tangent, readout)
                return
            nxt = descent[i + 1]
            new_value = nxt.params[self.bias]
            if detailed:
                shift = "up" if new_value > value else "down"
                moved = (f"The squiggle shifts {shift} and the residuals get shorter."
                         if self.trend(state.ssr, nxt.ssr) < 0 else
                         f"The squiggle shifts {shift}, but {self.ssr_change(state.ssr, nxt.ssr)}.")
                sign = equals(self.num(value), "-", self.num(step), self.num(new_value))
                self.say(f"New {self.bias} = old {self.bias} - step size = {self.num(value)} - "
                         f"({self.num(step)}) {sign} {self.num(new_value)}. {moved}",
                         voice=f"The new {self.bias} is the old one minus the step size: "
                               f"{'' if sign == '=' else 'about '}{self.num(new_value)}. {moved}")
                self.play(FadeInPlace(readout[2]), run_time=MEDIUM)
                if i == 1:
                    self.still()
            elif i == 2:
                sizes = np.abs(descent.step_size[2:, descent.optimize.index(self.bias)])
                how = ("each new slope is flatter, so each step is smaller"
                       if np.all(np.diff(sizes) < 0) else "a new slope, a new step")
                later = descent.column(self.bias)[2:]
                self.say(f"Repeat: {how}. {self.bias} goes " + ", ".join(
                             self.num(v) for v in later) + ".",
                         voice=f"Repeat: {how}. {self.bias} "
                               f"{trend(list(later), [self.num(v) for v in later])}.")
            curves = self.trace.curves_at(i + 1)
            self.play(MoveAlongPath(point, self.pink_path(value, state.ssr, new_value, nxt.ssr)),
                      FadeOut(tangent),
                      Transform(self.squiggle, curve(self.data_axes, self.trace.grid,
                                                     curves.predicted, SQUIGGLE)),
                      Transform(self.residuals, residual_lines(
                          self.data_axes, lesson.x, lesson.y, nxt.predicted)),
                      run_time=MEDIUM if detailed else 0.7)
            if detailed:
                self.wait(MEDIUM)

    def slope_caption(self, i: int, state) -> str:
        value, slope = state.params[self.bias], state.gradient[self.bias]
        terms = ", ".join(f"-2({self.num(o)} - ({self.num(p)}))"
                          for o, p in zip(self.lesson.y, state.predicted, strict=True))
        return (f"Plug in the observed values and the squiggle's predictions at {self.bias} = "
                f"{self.num(value)}: {terms}. They add up to {self.num(slope)}, the slope of "
                f"the pink curve there.")

    def slope_voice(self, state) -> str:
        """The slope as the ear takes it: the residuals, then what is done with them."""
        residuals = [self.num(r) for r in state.residuals]
        said = (f"the residuals are {joined(residuals)}" if len(residuals) <= 4 else
                f"there are {counted(len(residuals), 'residual')}")
        return (f"At {self.bias} = {self.num(state.params[self.bias])}, {said}. Negative 2 "
                f"times their sum is {self.num(state.gradient[self.bias])}, the slope of the "
                "pink curve there.")

    def descent_readout(self, i: int, state, rate: str, detailed: bool) -> VGroup:
        value, slope = state.params[self.bias], state.gradient[self.bias]
        step = state.step_size[self.bias]
        b, size = self.bias, (SMALL_SIZE + 4) * TEXT_SCALE
        lines = VGroup(
            words(f"Slope at {b} = {self.num(value)}: {self.num(slope)}", size=size),
            words(f"Step size = {self.num(slope)} * {rate} "
                  f"{equals(self.num(slope), '×', rate, self.num(step))} {self.num(step)}",
                  size=size),
        )
        if i + 1 < len(self.trace.descent):
            new = self.trace.descent[i + 1].params[self.bias]
            sign = equals(self.num(value), "-", self.num(step), self.num(new))
            lines.add(words(f"New {b} = {self.num(value)} - ({self.num(step)}) {sign} "
                            f"{self.num(new)}", color=LEARNING, size=size))
        # The update this readout makes: the first is step 1, as in the other scenes. Once
        # steps go by quickly, the header also keeps where this run of steps started, which
        # the voice names with the values between.
        header = words(f"Step {i + 1}", color=MUTED, size=size)
        if not detailed:
            start = self.trace.descent[2].params[self.bias]
            run = (f"{b}: {self.num(start)} \u2192 {self.num(value)}" if i > 2 else
                   f"{b} = {self.num(start)}")
            header = VGroup(header, words(run, color=MUTED, size=size)).arrange(RIGHT,
                                                                                buff=0.4)
        group = VGroup(header, *lines).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        group.to_corner(UR, buff=0.3)
        return VGroup(VGroup(header, lines[0]), *lines[1:])

    def pink_path(self, x0: float, y0: float, x1: float, y1: float) -> VMobject:
        """The stretch of the pink curve between two descent states, for the point to ride."""
        sweep, axes = self.trace.sweep, self.ssr_axes
        lo, hi = min(x0, x1), max(x0, x1)
        inside = [(x, y) for x, y in zip(sweep.values, sweep.ssr, strict=True) if lo < x < hi]
        if x1 < x0:
            inside.reverse()
        points = [axes.c2p(x0, y0), *(axes.c2p(x, y) for x, y in inside), axes.c2p(x1, y1)]
        return VMobject().set_points_as_corners(points)

    def finish_descent(self, state, tangent, readout) -> None:
        descent = self.trace.descent
        value, step = state.params[self.bias], state.step_size[self.bias]
        if self.ending([self.bias]).converged:
            why = (f"the step size, {self.num(step)}, is smaller than "
                   f"{self.num(self.lesson.descent.min_step_size)}")
            heard = (f"the step is smaller than {self.num(self.lesson.descent.min_step_size)}")
        else:
            why = heard = "we reach the lesson's limit"
        found = "the best" if self.found else "the last"
        self.say(f"After {descent.updates} steps {why}, so we stop: {found} {self.bias} is "
                 f"{self.num(value)}, where SSR = {self.num(state.ssr)}.",
                 voice=f"After {descent.updates} steps {heard}, so we stop. {found.capitalize()} "
                       f"{self.bias} is {self.num(value)}, where SSR is "
                       f"{self.said_small(state.ssr)}." + (" Double bam!" if self.found else
                       " The run was cut short."))
        # Where descent ended, and the SSR there, which the voice states.
        final = VGroup(
            words(f"{self.bias} = {self.num(value)}", color=FIXED if self.found else LEARNING,
                  size=(TEXT_SIZE + 6) * TEXT_SCALE),
            words(f"SSR = {self.num(state.ssr)}", size=(TEXT_SIZE + 2) * TEXT_SCALE),
        ).arrange(RIGHT, buff=0.6)
        final.next_to(self.ssr_axes, UP, buff=0.1)
        self.play(FadeAway(readout), Write(final), run_time=MEDIUM)
        self.wait(MEDIUM)
        if self.found:
            bam(self, "Double bam!")
        self.play(FadeAway(*self.mobjects), run_time=MEDIUM)

    # -- beat 8 -----------------------------------------------------------------------------

    def summarize(self) -> None:
        self.beat("summary", "Summary")
        descent = self.trace.descent
        start, end = descent[0].params[self.bias], descent.final.params[self.bias]
        heading = Text("The main ideas of backpropagation", font_size=TITLE_SIZE - 6,
                       color=INK).to_edge(UP, buff=0.7)
        size = (TEXT_SIZE + 4) * TEXT_SCALE
        one = VGroup(words("1. Chain rule:", size=size),
                     math(r"\frac{d\,\mathrm{SSR}}{d\," + self.b + r"} = "
                             r"\frac{d\,\mathrm{SSR}}{d\,\mathrm{Predicted}} \times "
                             r"\frac{d\,\mathrm{Predicted}}{d\," + self.b + "}", color=INK,
                             font_size=TEXT_SIZE + 4)).arrange(RIGHT, buff=0.25)
        two = words(f"2. Gradient descent: {self.bias} = {self.num(start)} \u2192 "
                    f"{self.num(end)} in {descent.updates} steps", size=size)
        VGroup(one, two).arrange(DOWN, aligned_edge=LEFT, buff=0.5).next_to(heading, DOWN,
                                                                              buff=0.5)
        # A descent cut off while the bias still moves has not found it: it stays red.
        found = self.found
        fitted = NetworkDiagram(self.trace.network_at(len(descent) - 1), digits=self.lesson.digits,
                                learning=set() if found else {self.bias},
                                input_label=self.lesson.labels.x,
                                output_label=self.lesson.labels.y)
        fitted.scale_to_fit_width(7.5)
        # A tall (4-node) network shrinks to the room under the two ideas.
        room = VGroup(one, two).get_bottom()[1] - 0.3 + config.frame_height / 2 - 0.4
        if fitted.height > room:
            fitted.scale_to_fit_height(room)
        legible(fitted).to_edge(DOWN, buff=0.4)
        reach = (f"follows it to the best value, {self.num(end)}" if found else
                 f"follows it toward the best value and, stopped at the lesson's limit of "
                 f"{descent.updates} steps, ends at {self.num(end)}")
        self.say(f"Two ideas: the chain rule gives the derivative of SSR with respect to an "
                 f"unknown parameter such as {self.bias}, working back from SSR (hence "
                 f"backpropagation), and gradient descent, starting from {self.num(start)}, "
                 f"{reach}.",
                 voice=f"To recap, two ideas. The chain rule gives the derivative of SSR with "
                       f"respect to an unknown parameter such as {self.bias}. It starts at SSR, "
                       "the end of the network, and works back to the parameter: that is why "
                       f"it is called backpropagation. Gradient descent, starting from "
                       f"{self.num(start)}, " + (f"follows it to the best value, "
                       f"{self.num(end)}." if found else f"follows it toward the best value. "
                       f"The run was cut short at the lesson's limit of {descent.updates} "
                       f"steps, at {self.num(end)}."))
        self.play(Write(heading), run_time=MEDIUM)
        self.play(Write(one), run_time=LONG)
        self.play(Write(two), run_time=LONG)
        self.say(f"Every parameter of the network is now green: {self.bias} = {self.num(end)} "
                 "joins the fixed values." if found else
                 f"{self.bias} = {self.num(end)} stays red: more steps would still move it.",
                 voice=(f"Every parameter of the network is now green: {self.bias} joins the "
                        "fixed values. Triple bam!" if found else
                        f"{self.bias} stays red: more steps would still move it."))
        self.play(FadeIn(fitted), run_time=MEDIUM)
        self.wait(MEDIUM)
        if found:  # earned only when descent found the bias
            bam(self, "Triple bam!")
        # The preview comes after the bam, so the word lands with the voice's bam.
        self.say("Next: the same two ideas find three parameters at once.")
        self.wait(SHORT)
