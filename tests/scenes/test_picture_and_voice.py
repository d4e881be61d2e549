"""The picture and the voice together (issue 20): the screen is never blank while the voice
speaks, a lesson value the voice states is in the picture while it is said, and every text
reads on a phone.

The narrated renders are the session's shared ones (tests/scenes/conftest.py); the three_params
render is test_three_params.py's own, and its blank check sits there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bpcore.display import fmt
from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import trace_lesson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lessons import SCRIPT_LESSONS  # noqa: E402
from viewing import blank_while_speaking  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.screen import numbers_in  # noqa: E402


@pytest.mark.render
@pytest.mark.parametrize("name", ["b3_render", "all_params_render", "one_node_render",
                                  "four_nodes_render"])
def test_no_blank_frame_while_the_voice_speaks(name: str, request: pytest.FixtureRequest) -> None:
    """No blank stretch of 1 s or more lies inside a caption, and none anywhere lasts 1 s."""
    render = request.getfixturevalue(name).succeeded()
    assert blank_while_speaking(render.video()) == []


def lesson_results(lesson_file: Path) -> set[str]:
    """The lesson's results as the screen and the captions write them: every SSR of the
    descent and of the probes tried; the parameters, derivatives and step sizes of the first
    three descent states and of the last."""
    trace = trace_lesson(Lesson.from_file(lesson_file))
    digits, descent = trace.lesson.digits, trace.descent
    values = [*descent.ssr, *trace.sweep.probe_ssr] if trace.sweep else [*descent.ssr]
    for i in {0, 1, 2, len(descent) - 1} & set(range(len(descent))):
        state = descent[i]
        values += [*state.params.values(), *state.gradient.values(), *state.step_size.values()]
    # Whole numbers also count things ("3 points", "step 2"): only written decimals are results.
    # A result that reads the same as a data value or a starting prediction cannot be told
    # from it in a caption that lists those (the residuals' "observed minus predicted").
    data = {fmt(v, digits) for v in (*trace.lesson.x, *trace.lesson.y, *descent[0].predicted)}
    return {text for text in (fmt(v, digits) for v in values) if "." in text} - data


@pytest.mark.parametrize("lesson", SCRIPT_LESSONS, ids=lambda p: p.stem)
def test_values_said_are_on_screen(lesson: Path, lesson_scripts) -> None:
    """Every lesson result a caption states (an SSR, a parameter's value, a derivative, a step
    size) is among the texts on screen while that caption is shown."""
    results = lesson_results(lesson)
    unseen = []
    for beat in lesson_scripts[lesson.stem]["beats"]:
        for clip in beat["clips"]:
            for event, shown in zip(clip["events"], clip["on_screen"], strict=True):
                seen = set().union(*(numbers_in(text) for text in shown))
                missing = sorted((numbers_in(event) & results) - seen)
                if missing:
                    unseen.append(f"{clip['id']}: {missing} not on screen: {event}")
    assert unseen == []


#: At 1080p a digit at least this many pixels tall (a 24 px font; 8 px at 480p).
SMALLEST_DIGIT_PX = 17


@pytest.mark.parametrize("lesson", SCRIPT_LESSONS, ids=lambda p: p.stem)
def test_every_text_is_legible_and_inside_the_frame(lesson: Path, lesson_scripts) -> None:
    """In every beat, every text on screen has digits at least 17 px tall at 1080p and lies
    inside the frame (as the scene measured its texts after each play)."""
    legibility = lesson_scripts[lesson.stem]["legibility"]
    small = {beat: (seen["smallest_digit_px"], seen["smallest"])
             for beat, seen in legibility.items()
             if seen["smallest"] and seen["smallest_digit_px"] < SMALLEST_DIGIT_PX}
    outside = {beat: seen["outside"] for beat, seen in legibility.items() if seen["outside"]}
    assert (small, outside) == ({}, {})
