"""The spoken form of captions: every number keeps its sign, symbols become words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcore.display import fmt
from bpcore.narration.speech import spoken

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spoken import said_numbers, written_numbers  # noqa: E402


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
    # Neural voices read "7513" as a year ("seventy-five thirteen"; Whisper hears "75-13").
    ("b1 settles at step 7513 of 8000.", "b 1 settles at step 7,513 of 8,000."),
    ("-1234.5 and 999", "negative 1,234.5 and 999"),
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
    written = written_numbers(caption)
    # Read back, the caption holds the values to the digits shown (one number each).
    assert written == pytest.approx(values[:len(written)], rel=10.0 ** (1 - digits))
    assert len(written) == len(shown)
    said = said_numbers(spoken(caption))
    assert said == pytest.approx(written, rel=1e-9), (caption, spoken(caption))


def test_thousands_are_one_number_to_the_listener() -> None:
    """A whole number said with thousands separators is one number to the narration tests and
    to the listening lint, not a run of two."""
    from bpcore.narration.listening import number_runs

    assert said_numbers(spoken("from step 6751 to step -7513, then 0.5")) == [6751, -7513, 0.5]
    assert number_runs(spoken("steps 6751, 6934 and 7513")) == []
    assert number_runs(spoken("steps 1000, 2000, 3000, 4000 and 5000")) != []
