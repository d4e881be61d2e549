"""Words for the ear: how the narration says counts, lists of numbers and written sums.

A caption sits under its picture; the voice is heard once (issue 21). These pure functions make
the wording decisions every scene shares, so three scenes never word the same thing three ways:
a count agrees with its noun, a long list is said as its first, its last and its trend, and a
written sum whose shown digits do not give its result is written with ≈ (said "about").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bpcore.display import SMALLEST_FIXED

#: The most numbers the voice says in one run (bpcore.narration.listening checks it).
MOST_SAID = 4


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, agreeing: "1 curve", "2 curves".

    Examples
    --------
    >>> counted(1, "curve"), counted(2, "curve"), counted(3, "dose", "doses")
    ('1 curve', '2 curves', '3 doses')
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def joined(items: Sequence[str], last: str = "and") -> str:
    """Items as said: "a", "a and b", "a, b and c".

    Examples
    --------
    >>> joined(["2.6"]), joined(["2.6", "2.61"]), joined(["a", "b", "c"], "or")
    ('2.6', '2.6 and 2.61', 'a, b or c')
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def trend(values: Sequence[float], shown: Sequence[str]) -> str:
    """A list of numbers as the voice says it: all of them when there are at most
    :data:`MOST_SAID` and no two in a row read the same, else the first, the last and which
    way it went (a value said twice in a row sounds stuck).

    ``shown`` are the values as the screen writes them.

    Examples
    --------
    >>> trend([2.19, 2.44, 2.54], ["2.19", "2.44", "2.54"])
    'goes 2.19, 2.44 and 2.54'
    >>> trend([2.19, 2.44, 2.54, 2.58, 2.6, 2.61], ["2.19", "2.44", "2.54", "2.58", "2.6", "2.61"])
    'climbs from 2.19 to 2.61'
    >>> trend([1.9, 1.3, 1.0, 0.9, 0.8], ["1.9", "1.3", "1", "0.9", "0.8"])
    'falls from 1.9 to 0.8'
    >>> trend([1.63, 1.68, 1.689, 1.691], ["1.63", "1.68", "1.69", "1.69"])
    'climbs from 1.63 to 1.69'
    """
    if len(values) != len(shown):
        raise ValueError("values and shown must have the same length")
    repeats = any(a == b for a, b in zip(shown, shown[1:], strict=False))
    if len(values) <= MOST_SAID and not repeats:
        return f"goes {joined(list(shown))}"
    if all(b >= a for a, b in zip(values, values[1:], strict=False)):
        way = "climbs"
    elif all(b <= a for a, b in zip(values, values[1:], strict=False)):
        way = "falls"
    else:
        way = "goes"
    return f"{way} from {shown[0]} to {shown[-1]}"


def exact(a: str, op: str, b: str, c: str) -> bool:
    """Whether the written ``a op b = c`` comes out in the digits shown: ``a op b`` rounds to
    ``c`` at ``c``'s last digit. ``op`` is ``+``, ``-`` or ``×``.

    Examples
    --------
    >>> exact("1.57", "-", "-0.626", "2.19"), exact("0", "-", "-1.57", "1.57")
    (False, True)
    """
    x, y, z = (Decimal(s.replace("\u2212", "-")) for s in (a, b, c))
    result = {"+": x + y, "-": x - y}.get(op, x * y)
    return abs(result - z) <= Decimal(1).scaleb(z.as_tuple().exponent) / 2


def equals(a: str, op: str, b: str, c: str) -> str:
    """"=" when ``a op b = c`` holds in the shown digits, else "≈" (said "about").

    Examples
    --------
    >>> equals("1.57", "-", "-0.626", "2.19")
    '≈'
    """
    return "=" if exact(a, op, b, c) else "\u2248"


def practically_zero(value: float, shown: str) -> str:
    """A value as the voice says it: "practically zero" when it is tiny but not 0 (the display
    writes it with a power of ten, which a listener need not hear), else as ``shown``.

    Examples
    --------
    >>> practically_zero(2.14e-10, "2.14 × 10⁻¹⁰"), practically_zero(0.38, "0.38")
    ('practically zero', '0.38')
    """
    return "practically zero" if value != 0 and abs(value) < 10.0**SMALLEST_FIXED else shown


@dataclass(frozen=True)
class Ending:
    """How a descent ended, as every scene tells it: one meaning of "settled" (a parameter
    settles from the state after which its shown value no longer changes; bpcore.lesson.settling),
    and a Bam only when it is earned.

    ``settled`` holds (state, name) of each learned parameter that settled, in order of state;
    ``moving`` the learned parameters still moving at the end, in the order given.
    """

    updates: int
    converged: bool
    settled: tuple[tuple[int, str], ...]
    moving: tuple[str, ...]

    @property
    def cut_short(self) -> bool:
        """The run ended while a parameter still moved: its values are not fitted or best."""
        return bool(self.moving)

    @property
    def earned(self) -> bool:
        """Whether a Bam is earned: every learned parameter settled (even at max_steps)."""
        return not self.moving

    @property
    def last_settled(self) -> tuple[int, str] | None:
        """(state, name) of the parameter that settled last, if any did."""
        return self.settled[-1] if self.settled else None


def ending(status: str, updates: int, settled: Mapping[str, int | None],
           learning: Sequence[str]) -> Ending:
    """How the descent of ``status`` (``"converged"`` or not) and ``updates`` steps ended for
    the ``learning`` parameters, given when each settled (``None``: still moving).

    Examples
    --------
    >>> end = ending("max_steps", 600, {"w3": None, "w4": 518, "b3": None, "w1": 0},
    ...              ["w3", "w4", "b3"])
    >>> end.settled, end.moving, end.cut_short, end.earned
    (((518, 'w4'),), ('w3', 'b3'), True, False)
    >>> ending("converged", 9, {"b3": 7}, ["b3"]).earned
    True
    """
    done = tuple(sorted((settled[n], n) for n in learning if settled[n] is not None))
    return Ending(updates, status == "converged", done,
                  tuple(n for n in learning if settled[n] is None))


#: How a fit ends next to another lesson's values (all_params' landing beat).
LANDINGS = ("rediscovered", "kept", "stopped", "another fit", "unrelated")


def landing(comparable: bool, agrees: bool, started_there: bool, cut_short: bool) -> str:
    """Where a fit lands next to a reference lesson's values, as the landing tells it:
    "rediscovered" (on them, reached from other values), "kept" (on them, where it started),
    "stopped" (elsewhere, cut short while still moving), "another fit" (elsewhere, settled) or
    "unrelated" (the lessons cannot be compared).

    Examples
    --------
    >>> landing(True, True, False, False), landing(True, True, True, False)
    ('rediscovered', 'kept')
    >>> landing(True, False, False, True), landing(True, False, False, False)
    ('stopped', 'another fit')
    >>> landing(False, False, False, False)
    'unrelated'
    """
    if not comparable:
        return "unrelated"
    if agrees:
        return "kept" if started_there else "rediscovered"
    return "stopped" if cut_short else "another fit"
