"""The chain rule as a table: each factor a column of per-data-point values from the trace.

Rows are the data points. On the left, shared by every parameter, the inputs and the first
factor, d SSR / d Predicted = -2 (observed - predicted). Then one block per parameter: its
remaining factors, one column each, and the product of the factors; under the product, the
sum over the data points, which is d SSR / d parameter. Blocks that do not fit beside each
other go on further pages (:meth:`ChainTable.pages`).

Every number is a trace value (``bpcore.model.chain.Derivative``) formatted by the display rule and
set by :func:`kit.numerals.numeral` (cached glyphs, no Pango run per cell); nothing is
multiplied or summed here. The note under a factor comes from its kind
(``bpcore.model.chain.FactorKind``), and the columns are laid out by :mod:`kit.grid`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from manim import RIGHT, Line, MathTex, Text, VGroup

from bpcore.model.chain import Derivative, Factor, FactorKind
from bpcore.model.network import Network
from kit.grid import Columns
from kit.network import symbol
from kit.numerals import numeral
from kit.style import (
    FIXED,
    FONT,
    INK,
    LABEL_SIZE,
    LEARNING,
    MUTED,
    NODE_COLOR_NAMES,
    SMALL_SIZE,
)
from kit.text import math, shown

HEADER_SIZE = LABEL_SIZE + 4
CELL_SIZE = LABEL_SIZE
NOTE_SIZE = SMALL_SIZE - 4
ROW_PITCH = 0.45
COLUMN_GAP = 0.35
BLOCK_GAP = 0.6
PAD = 0.15  # between a table's bands (heading, headers, notes, rows)
ONE_PAGE_SCALE = 0.8  # shrink the table this much, at most, to fit every block on one page


def tex_name(name: str) -> str:
    """LaTeX for a name in a chain-rule factor: ``predicted`` -> Predicted, ``y1`` -> y_{1}."""
    if name == "SSR":
        return r"\mathrm{SSR}"
    if name == "predicted":
        return r"\mathrm{Predicted}"
    return symbol(name)


def factor_tex(factor: Factor) -> str:
    """``d numerator / d denominator`` as a LaTeX fraction."""
    return (rf"\frac{{d\,{tex_name(factor.numerator)}}}"
            rf"{{d\,{tex_name(factor.denominator)}}}")


class ChainColumn(VGroup):
    """One column: ``header`` (a fraction or a word), ``note`` (what it means), ``cells``."""

    def __init__(self, header, note: str, cells: Sequence[str], scale: float = 1.0,
                 color=INK) -> None:
        super().__init__()
        self.header = header
        self.note = Text(note, font=FONT, font_size=NOTE_SIZE * scale, color=MUTED) if note \
            else VGroup()
        self.cells = VGroup(*(numeral(c, color, CELL_SIZE * scale) for c in cells))
        self.add(self.header, self.note, self.cells)

    @property
    def inner_width(self) -> float:
        parts = [self.header.width, self.note.width if len(self.note) else 0.0,
                 *(c.width for c in self.cells)]
        return max(parts)


class ChainBlock(VGroup):
    """One parameter's derivative: ``heading``, ``columns`` (its factors after the shared one),
    ``product`` (the factors multiplied, per point) and ``total`` (their sum)."""

    def __init__(self, heading, columns: list[ChainColumn], product: ChainColumn,
                 total: VGroup) -> None:
        super().__init__()
        self.heading = heading
        self.columns = columns
        self.product = product
        self.total = total
        self.rule = VGroup()
        self.add(heading, *columns, product, total)


class ChainTable:
    """Builds the shared columns and one block per parameter from ``chain_at(step)``.

    Parameters
    ----------
    chain : each parameter's :class:`~bpcore.model.chain.Derivative` (``trace.chain_at(step)``).
    params : the parameters to show, in order.
    network : the network (for the node colours, the output weights' names and the
        activation's name in the notes).
    x : the inputs, one row each.
    digits : significant digits (the display rule).
    x_label : the input's name (``Dosage``).
    learning : parameters drawn in red; the rest green.
    scale : every font size and gap times this (see :meth:`fitted`).
    """

    def __init__(self, chain: Mapping[str, Derivative], params: Sequence[str],
                 network: Network, x, digits: int, x_label: str = "Dosage",
                 learning: Sequence[str] = (), scale: float = 1.0) -> None:
        self.scale = scale
        self.row_pitch, self.column_gap = ROW_PITCH * scale, COLUMN_GAP * scale
        self.block_gap, self.pad = BLOCK_GAP * scale, PAD * scale
        self.network = network
        self.digits = digits
        self.params = tuple(params)
        self.rows = len(x)
        self.learning = set(learning)
        outer = chain[self.params[0]].factors[0]
        self.outer_factor = outer
        self.inputs = ChainColumn(self._word(x_label, INK), "", [shown(v, digits) for v in x],
                                  scale)
        self.outer = ChainColumn(self._tex(factor_tex(outer)), self.note_of(outer),
                                 [shown(v, digits) for v in outer.values], scale)
        self.shared = VGroup(self.inputs, self.outer)
        self.blocks = {p: self._block(chain[p]) for p in self.params}
        every = [self.inputs, self.outer] + [c for b in self.blocks.values()
                                             for c in (*b.columns, b.product)]
        self.header_height = max(c.header.height for c in every)
        self.note_height = max((c.note.height for c in every if len(c.note)), default=0.0)
        self.heading_height = max(b.heading.height for b in self.blocks.values())

    @classmethod
    def fitted(cls, width: float, height: float, *args, **kwargs) -> ChainTable:
        """The table at the largest scale (at most 1) whose every page fits ``width`` x
        ``height``."""
        table = cls(*args, **kwargs)
        pages = table.pages(width)
        tallest = max(table.layout(page, 0.0, 0.0).height for page in pages)
        widest = max(table.layout(page, 0.0, 0.0).width for page in pages)
        scale = min(1.0, height / tallest, width / widest)
        if len(pages) > 1:
            # One page is easier to follow: take it if the text shrinks by at most a fifth.
            whole = width / table.layout(table.params, 0.0, 0.0).width
            if whole >= ONE_PAGE_SCALE:
                scale = min(scale, whole)
        if scale < 1.0:
            table = cls(*args, **kwargs, scale=scale * 0.98)
        return table

    # -- building ---------------------------------------------------------------------------

    def _word(self, text: str, color=MUTED) -> Text:
        return Text(text, font=FONT, font_size=CELL_SIZE * self.scale, color=color)

    def _tex(self, tex: str, color=INK, bigger: float = 0) -> MathTex:
        return math(tex, color=color, font_size=(HEADER_SIZE + bigger) * self.scale)

    def color_of(self, param: str):
        return LEARNING if param in self.learning else FIXED

    def note_of(self, factor: Factor) -> str:
        """What a factor is, in words, from its kind."""
        kind = factor.kind
        if kind is FactorKind.CURVE:
            return f"{NODE_COLOR_NAMES[factor.node % len(NODE_COLOR_NAMES)]} curve"
        if kind is FactorKind.OUTPUT_WEIGHT:
            return f"= {self.network.names[self.network.hidden + factor.node]}"
        if kind is FactorKind.SLOPE:
            return f"{self.network.activation.name} slope"
        if kind is FactorKind.INPUT:
            return "the input"
        if kind is FactorKind.RESIDUAL:
            return "\u22122 \u00d7 residual"
        return "always 1"  # a bias's factor: it is added as it is

    def _block(self, derivative: Derivative) -> ChainBlock:
        p = derivative.param
        color = self.color_of(p)
        heading = self._tex(r"\frac{d\,\mathrm{SSR}}{d\," + symbol(p) + "}", color, bigger=6)
        columns = [
            ChainColumn(self._tex(factor_tex(f)), self.note_of(f),
                        [shown(v, self.digits) for v in f.values], self.scale)
            for f in derivative.factors[1:]
        ]
        product = ChainColumn(self._word("product"), "",
                              [shown(v, self.digits) for v in derivative.terms], self.scale)
        total = VGroup(self._word("sum"),
                       numeral(shown(derivative.total, self.digits), color,
                               (CELL_SIZE + 4) * self.scale, weight="BOLD"))
        total.arrange(RIGHT, buff=self.pad)
        return ChainBlock(heading, columns, product, total)

    # -- layout -----------------------------------------------------------------------------

    def _place_columns(self, columns: Sequence[ChainColumn], left: float, top: float) -> Columns:
        """Put ``columns`` side by side from ``left``: headers and notes centred, numbers on
        their right edges."""
        grid = Columns.of([c.inner_width for c in columns], self.column_gap, left)
        header_y = top - self.heading_height - self.pad - self.header_height / 2
        note_y = top - self.heading_height - self.pad - self.header_height - self.pad - \
            self.note_height / 2
        for c, column in enumerate(columns):
            grid.place(column.header, c, header_y, "c")
            if len(column.note):
                grid.place(column.note, c, note_y, "c")
            for i, cell in enumerate(column.cells):
                grid.place(cell, c, self.row_y(top, i), "r")
        return grid

    def row_y(self, top: float, i: int) -> float:
        """The y of row ``i`` (row ``rows`` is the sums' row) of a table placed at ``top``."""
        below_notes = top - self.heading_height - 2 * self.pad - self.header_height - \
            self.note_height
        return below_notes - self.pad - self.row_pitch * (i + 0.5)

    def block_width(self, param: str) -> float:
        block = self.blocks[param]
        widths = [c.inner_width for c in (*block.columns, block.product)]
        return max(sum(widths) + self.column_gap * (len(widths) - 1), block.heading.width,
                   block.total.width)

    def shared_width(self) -> float:
        return self.inputs.inner_width + self.column_gap + self.outer.inner_width

    def pages(self, width: float) -> list[list[str]]:
        """The parameters grouped into pages whose blocks fit ``width`` beside the shared
        columns (a block too wide for any page gets a page of its own)."""
        room = width - self.shared_width() - self.block_gap
        pages: list[list[str]] = [[]]
        used = 0.0
        for p in self.params:
            need = self.block_width(p) + (self.block_gap if pages[-1] else 0.0)
            if pages[-1] and used + need > room:
                pages.append([])
                used, need = 0.0, self.block_width(p)
            pages[-1].append(p)
            used += need
        return pages

    def layout(self, page: Sequence[str], left: float, top: float) -> VGroup:
        """Place the shared columns and the blocks of ``page`` from (``left``, ``top``);
        return them as one group (shared columns first)."""
        x = self._place_columns([self.inputs, self.outer], left, top).right
        groups = VGroup(self.shared)
        for p in page:
            block = self.blocks[p]
            start = x + self.block_gap
            columns = self._place_columns([*block.columns, block.product], start, top)
            width = max(columns.right - start, block.heading.width)
            x = start + width
            block.heading.move_to([start + width / 2, top - self.heading_height / 2, 0])
            total_y = self.row_y(top, self.rows) - self.pad / 2
            block.total.move_to([start + width, total_y, 0], aligned_edge=RIGHT)
            line_y = (self.row_y(top, self.rows - 1) + total_y) / 2
            block.rule = Line([start, line_y, 0], [start + width, line_y, 0], color=MUTED,
                              stroke_width=2)
            groups.add(block, block.rule)
        return groups


__all__ = ["ChainTable", "ChainBlock", "ChainColumn", "factor_tex", "tex_name"]
