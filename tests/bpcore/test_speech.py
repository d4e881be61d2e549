"""The spoken form of captions: every number keeps its sign, symbols become words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcore.display import fmt
from bpcore.speech import spoken

#: A number as the spoken form says it: an optional "negative", the digits, and an optional
#: power of ten.
SAID = re.compile(r"(negative )?([0-9]+(?:\.[0-9]+)?)"
                  r"(?: times 10 to the power of (negative )?([0-9]+))?")


def said_numbers(text: str) -> list[float]:
    """The numbers in spoken text, with the signs the words give them."""
    values = []
    for match in SAID.finditer(text):
        value = float(match[2])
        if match[4] is not None:
            value *= 10.0 ** (-int(match[4]) if match[3] else int(match[4]))
        values.append(-value if match[1] else value)
    return values


@pytest.mark.parametrize(("caption", "expected"), [
    ("SSR = 20.4", "SSR equals 20.4"),
    ("The slope is -15.7.", "The slope is negative 15.7."),
    ("0 - (-2.32)", "0 minus negative 2.32"),
    ("1 + 2 = 3", "1 plus 2 equals 3"),
    ("-15.7 × 0.1 = -1.57", "negative 15.7 times 0.1 equals negative 1.57"),
    ("d SSR / d b3", "the derivative of SSR with respect to b 3"),
    ("(observed - predicted)²", "observed minus predicted squared"),
    ("b3: 0 → 2.61", "b 3: 0 goes to 2.61"),
    ("w12 and b5", "w 12 and b 5"),
    ("SSR = 0.000000000214", "SSR equals 2.14 times 10 to the power of negative 10"),
    ("SSR = 2.14 × 10⁻¹⁰", "SSR equals 2.14 times 10 to the power of negative 10"),
    ("a step of -3.5e-7", "a step of negative 3.5 times 10 to the power of negative 7"),
    ("-2(1 - 0.5)", "negative 2 times 1 minus 0.5"),
    ("a well-known hand-written note", "a well-known hand-written note"),
])
def test_hand_written_examples(caption: str, expected: str) -> None:
    """Each caption is said as a person reading it aloud would say it."""
    assert spoken(caption) == expected


def test_nothing_unspeakable_is_left() -> None:
    """No symbol a synthesizer skips or misreads survives in the spoken form."""
    caption = "d SSR / d b3 = -2(0 - (-2.32)) × 1 → 4.64 ≈ 4.6, (a + b)² / 2 * 3"
    assert not set(spoken(caption)) & set("=×*→≈²()/-+")


numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(
    lambda v: v == 0 or abs(v) > 1e-12)


@given(st.lists(numbers, min_size=1, max_size=6),
       st.lists(st.sampled_from([" = ", " - ", " + ", " × ", ", ", " and ", ": "]),
                min_size=6, max_size=6),
       st.integers(min_value=1, max_value=6))
def test_every_number_is_said_with_its_sign(values, joins, digits) -> None:
    """Any caption of displayed numbers and operators is said number for number, sign for
    sign, whatever the operators between them (a spaced minus is subtraction, not a sign)."""
    shown = [fmt(v, digits) for v in values]
    caption = "".join(text + join for text, join in zip(shown, joins, strict=False)).strip()
    said = said_numbers(spoken(caption))
    assert len(said) == len(shown), (caption, spoken(caption))
    for text, value in zip(shown, said, strict=True):
        written = float(text)
        assert value == pytest.approx(written, rel=1e-9), (caption, spoken(caption))
