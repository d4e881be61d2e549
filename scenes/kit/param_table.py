"""The parameter table: each parameter's name and value, red while it learns, green when it is
fixed or has settled.

The table takes values from a bpcore trace (a descent state) and formats them with the one
display rule. It works for any number of hidden nodes and any subset of optimized parameters:
up to ``max_rows`` parameters stack in one column, more spread over several.

Names are Pango text (:func:`kit.text.words`) and values :func:`kit.numerals.number`, not
``MathTex``: a descent shows dozens of states, each new MathTex string would be a LaTeX run, and
even a Text costs a Pango layout, where a numeral is put together from cached glyphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, MarkupText, Text, Transform, VGroup, VMobject

from kit.beats import Swap
from kit.grid import Columns
from kit.numerals import numeral
from kit.style import FIXED, FONT, LABEL_SIZE, LEARNING, MUTED, TEXT_SCALE
from kit.text import joined, shown, typeset

#: The space between two columns, in scene units (it does not scale with the font).
COLUMN_GAP = 0.5


class ParamTable(VGroup):
    """Parameter names with their values, coloured by state.

    Named parts: ``rows`` (a dict from parameter name to its row), and in each row ``name``
    (``w3 =``, with a subscript) and ``value`` (the formatted number). ``title`` is the
    optional heading. A parameter is red (LEARNING) while it is in ``learning`` and not
    settled, green (FIXED) otherwise.

    Parameters
    ----------
    names : the parameters to list, in display order (e.g. ``network.names``).
    values : each parameter's value.
    learning : the parameters being optimized.
    digits : significant digits (the lesson's display rule).
    max_rows : at most this many rows per column; more parameters use more columns.
    title : a heading above the table, or ``""`` for none.
    """

    def __init__(
        self,
        names: Sequence[str],
        values: Mapping[str, float],
        learning: Iterable[str] = (),
        digits: int = 3,
        font_size: float = LABEL_SIZE + 4,
        max_rows: int = 7,
        title: str = "",
    ) -> None:
        super().__init__()
        self.names = tuple(names)
        self.digits = digits
        self.font_size = font_size
        self.learning = set(learning)
        self.settled: set[str] = set()
        self.values = {n: float(values[n]) for n in self.names}
        self.rows: dict[str, VGroup] = {}
        #: each row's colour once the animations handed out so far have played
        self._colors = {n: self.color_of(n) for n in self.names}

        widest = max(len(shown(v, digits)) for v in self.values.values())
        # Room for the widest value the table may show (sign, digits and point), so a row
        # never has to move when its value changes.
        value_width = numeral("0" * (max(widest, digits + 2) + 1), size=font_size).width
        for name in self.names:
            color = self.color_of(name)
            label = self._label(name, color)
            value = self._value_text(name, self.values[name], color)
            row = VGroup(label, value)
            row.name, row.value = label, value
            self.rows[name] = row

        columns = int(np.ceil(len(self.names) / max_rows))
        per_column = int(np.ceil(len(self.names) / columns))
        label_width = max(r.name.width for r in self.rows.values())
        row_height = max(max(r.name.height, r.value.height) for r in self.rows.values())
        # A column has room for the widest name, the 0.15 before a value and the widest value.
        grid = Columns.of([label_width + 0.15 + value_width] * columns, COLUMN_GAP)
        for i, name in enumerate(self.names):
            col, line = divmod(i, per_column)
            row = self.rows[name]
            y = -line * row_height * 1.55
            grid.place(row.name, col, y, "l")
            # Baselines on an even pitch (a b stands taller than a w).
            row.name.shift(UP * (y - row.name.get_bottom()[1] - row.name.rise))
            row.value.next_to(row.name, RIGHT, buff=0.15)
            self._place_value(row)
        self.body = VGroup(*self.rows.values())
        self.add(self.body)
        self.title = None
        if title:
            self.title = Text(title, font=FONT, font_size=font_size - 2, color=MUTED)
            self.title.next_to(self.body, UP, buff=0.25).align_to(self.body, LEFT)
            self.add(self.title)

    # -- state ------------------------------------------------------------------------------

    def color_of(self, name: str):
        """Red while ``name`` learns and has not settled, green otherwise."""
        return LEARNING if name in self.learning and name not in self.settled else FIXED

    def _label(self, name: str, color) -> VGroup:
        """``w3 =`` (Pango, subscript and all) as one path, knowing how far its baseline lies
        above its bottom (``rise``: the subscript hangs below it)."""
        laid = MarkupText(typeset(f"{name} ="), font=FONT, color=color,
                          font_size=(self.font_size + 8) * TEXT_SCALE)
        glyphs = laid.family_members_with_points()
        label = VGroup(joined(glyphs))
        label.rise = glyphs[0].get_bottom()[1] - laid.get_bottom()[1]  # w, b: on the baseline
        return label

    def _value_text(self, name: str, value: float, color) -> VMobject:
        return numeral(shown(value, self.digits), color, self.font_size)

    def _place_value(self, row: VGroup, value: VMobject | None = None) -> VMobject:
        """Left-align a value after its name, on the name's baseline."""
        value = value if value is not None else row.value
        value.next_to(row.name, RIGHT, buff=0.15)
        value.align_to(row.name, DOWN).shift(UP * row.name.rise)
        return value

    # -- updates ----------------------------------------------------------------------------

    def update_to(
        self, values: Mapping[str, float], settled: Iterable[str] = (), fast: bool = False,
        at_once: bool = False,
    ) -> list[Animation]:
        """Animations that show ``values`` and colour each parameter by its state.

        Only rows whose shown text or colour changes get an animation, so a step that changes
        nothing on screen costs nothing. ``settled`` names the parameters that have settled
        (they turn green); a parameter once settled stays green. With ``fast``, values are
        swapped half-way instead of morphed and names change colour at once: no deep copies,
        for many updates in quick succession. With ``at_once``, the new values and colours
        replace the old ones right away and no animation is returned: the table stays still
        while the animations that follow play, so it is drawn once, not on every frame.
        """
        self.settled |= set(settled)
        animations: list[Animation] = []
        for name in self.names:
            row = self.rows[name]
            new_value = float(values.get(name, self.values[name]))
            color = self.color_of(name)
            text_changed = shown(new_value, self.digits) != shown(self.values[name],
                                                                  self.digits)
            color_changed = self._colors[name] != color
            self._colors[name] = color
            self.values[name] = new_value
            if not (text_changed or color_changed):
                continue
            target = self._place_value(row, self._value_text(name, new_value, color))
            if at_once:
                row.remove(row.value)
                row.add(target)
                row.value = target
                if color_changed:
                    row.name.set_color(color)
                continue
            if fast:
                animations.append(Swap(row, row.value, target))
                row.value = target
                if color_changed:
                    row.name.set_color(color)
                continue
            animations.append(Transform(row.value, target))
            # Transform morphs the shapes; the text follows, so a row says what it shows.
            row.value.text = target.text
            if color_changed:
                animations.append(row.name.animate.set_color(color))
        return animations

    def step_animations(self, step, settled: Iterable[str] = (), fast: bool = False,
                        at_once: bool = False) -> list[Animation]:
        """:meth:`update_to` from a bpcore descent state (``DescentStep``: ``step.params``)."""
        return self.update_to(step.params, settled, fast, at_once)

    def highlight(self, names: Iterable[str]) -> VGroup:
        """The rows of ``names``, for Indicate or a surrounding box."""
        return VGroup(*(self.rows[n] for n in names if n in self.rows))

    @classmethod
    def fitting(cls, names: Sequence[str], values: Mapping[str, float], width: float,
                height: float, largest: float = LABEL_SIZE + 6, most_columns: int = 3,
                **kwargs) -> ParamTable:
        """The table in the largest font (at most ``largest``) that fits ``width`` x
        ``height``, in whichever number of columns (1 to ``most_columns``) allows the largest.

        A smaller font, not a scaled table: later updates draw new values at the table's font
        size. The gaps between columns do not shrink with the font: each column count is laid
        out once at ``largest``, the font that fits is worked out from it, and the table is
        made at that size (a little smaller again if rounding left it too wide).
        """
        count = len(names)
        best_size, best_rows = 0.0, count
        for columns in range(1, most_columns + 1):
            rows = -(-count // columns)
            if columns > 1 and rows == -(-count // (columns - 1)):
                continue  # the same layout as one column fewer
            probe = cls(names, values, font_size=largest, max_rows=rows, **kwargs)
            gaps = COLUMN_GAP * (columns - 1)
            size = largest * min(1.0, (width - gaps) / max(probe.width - gaps, 1e-6),
                                 height / max(probe.height, 1e-6))
            if size > best_size:
                best_size, best_rows = size, rows
        table = cls(names, values, font_size=best_size, max_rows=best_rows, **kwargs)
        for _ in range(3):
            if table.width <= width and table.height <= height:
                break
            best_size *= 0.98 * min(width / table.width, height / table.height)
            table = cls(names, values, font_size=best_size, max_rows=best_rows, **kwargs)
        return table

    @staticmethod
    def columns_needed(count: int, max_rows: int = 7) -> int:
        """How many columns a table of ``count`` parameters uses.

        Examples
        --------
        >>> ParamTable.columns_needed(3), ParamTable.columns_needed(13)
        (1, 2)
        """
        return int(np.ceil(count / max_rows))


__all__ = ["ParamTable"]
