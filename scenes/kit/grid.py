"""Columns side by side: the one table layout the kit's tables and the scenes' grids share.

A column is as wide as its widest cell; columns stand ``gap`` apart, the first at ``left``.
A cell sits in its column on the left, in the middle or on the right (numbers line up on
their right edges, like a printed table). Rows are the caller's: it gives each cell's y, so a
table can put headers, notes and sums where it likes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from manim import LEFT, RIGHT, Mobject


def column_widths(rows: Iterable[Sequence[Mobject]]) -> list[float]:
    """The width of each column: its widest cell in ``rows``.

    Examples
    --------
    >>> from manim import Square
    >>> column_widths([[Square(1), Square(2)], [Square(3), Square(0.5)]])
    [3.0, 2.0]
    """
    widths: list[float] = []
    for row in rows:
        for c, cell in enumerate(row):
            if c == len(widths):
                widths.append(float(cell.width))
            else:
                widths[c] = max(widths[c], float(cell.width))
    return widths


@dataclass(frozen=True)
class Columns:
    """Where each column of a table stands: ``lefts`` and ``widths``, in scene units.

    Examples
    --------
    >>> from manim import Square
    >>> columns = Columns.of([1.0, 2.0], gap=0.5, left=-1.0)
    >>> columns.lefts, columns.right
    ((-1.0, 0.5), 2.5)
    >>> float(columns.place(Square(1), 1, y=0.0, align="r").get_right()[0])
    2.5
    """

    lefts: tuple[float, ...]
    widths: tuple[float, ...]

    @classmethod
    def of(cls, widths: Sequence[float], gap: float, left: float = 0.0) -> Columns:
        """Columns of ``widths``, ``gap`` apart, the first with its left edge at ``left``."""
        lefts = []
        x = left
        for width in widths:
            lefts.append(x)
            x = x + width + gap
        return cls(tuple(lefts), tuple(widths))

    @property
    def right(self) -> float:
        """The right edge of the last column."""
        return self.lefts[-1] + self.widths[-1]

    def centre(self, column: int) -> float:
        return self.lefts[column] + self.widths[column] / 2

    def place(self, cell: Mobject, column: int, y: float, align: str = "r") -> Mobject:
        """Move ``cell`` into ``column`` at height ``y``: ``align`` ``"l"`` (left edge on
        the column's), ``"c"`` (centred) or ``"r"`` (right edge on the column's)."""
        if align == "l":
            cell.move_to([self.lefts[column], y, 0], aligned_edge=LEFT)
        elif align == "c":
            cell.move_to([self.centre(column), y, 0])
        elif align == "r":
            cell.move_to([self.lefts[column] + self.widths[column], y, 0], aligned_edge=RIGHT)
        else:
            raise ValueError(f"align is 'l', 'c' or 'r', not {align!r}")
        return cell


__all__ = ["Columns", "column_widths"]
