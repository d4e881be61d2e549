"""Subtitle events: within the line limits, nothing lost, sentences kept whole where they fit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bpcore.narration.subtitles import MAX_LINE, MAX_LINES, event_text, events, lines

words = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.floats(min_value=-100, max_value=100, allow_nan=False).map(lambda v: f"{v:.3g}"),
    st.sampled_from(["=", "-", "+", "×", "b3", "SSR", "(-2.32),", "points.", "curve:", "so;"]),
)
captions = st.lists(words, min_size=1, max_size=60).map(" ".join)


@given(captions)
def test_events_keep_every_word_in_order(caption: str) -> None:
    """Cutting a caption into events loses, adds and reorders nothing."""
    assert " ".join(events(caption)).split() == caption.split()


@given(captions)
def test_every_event_fits_two_lines_of_42(caption: str) -> None:
    """Each event is at most two lines of at most 42 characters."""
    for event in events(caption):
        shown = event_text(event).split("\n")
        assert len(shown) <= MAX_LINES
        assert all(len(line) <= MAX_LINE for line in shown)


def test_a_sentence_that_fits_stays_whole() -> None:
    """Two short sentences make two events, each a whole sentence."""
    caption = "Square each residual. Then add them up to get SSR = 7.8."
    assert events(caption) == ["Square each residual.", "Then add them up to get SSR = 7.8."]


def test_a_long_sentence_is_cut_at_its_commas() -> None:
    """A sentence too long for one event is cut at clause marks, never mid-clause, when the
    clauses fit."""
    caption = ("Plug in the observed values and the predictions at b3 = 0: -2(0 - (-2.32)), "
               "-2(1 - (-1.61)), -2(0 - (-2.32)). They add up to -15.7, the slope there.")
    cut = events(caption)
    assert len(cut) > 2
    assert all(event.endswith((",", ":", ".")) for event in cut)
    assert cut[-1] == "They add up to -15.7, the slope there."


def test_lines_are_balanced() -> None:
    """Two lines are about as long as each other, not one full line and a scrap."""
    first, second = lines("one two three four five six seven eight nine ten eleven twelve")
    assert abs(len(first) - len(second)) <= 6
