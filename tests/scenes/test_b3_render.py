"""The b3 scene renders from the command line: video, captions and sections carry the trace.

The renders come from conftest.py: each runs once per session, in the background. They are
low quality (-ql, 480p15), the only quality CI can afford.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import pytest
import srt

from bpcore.display import fmt

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENE_FILES = sorted((REPO_ROOT / "scenes").glob("*.py"))
BEATS = ["01-network", "02-hidden-curves", "03-squiggle", "04-residuals", "05-ssr-curve",
         "06-chain-rule", "07-gradient-descent", "08-summary"]
#: The numbers the issue's "Done when" quotes from the source lesson.
REFERENCE_NUMBERS = ["20.4", "7.8", "1.11", "0.46", "-15.7", "-1.57", "1.57", "-6.26", "2.19",
                     "2.61"]
MIN_DURATION = 90.0

# A number as captions write it: not part of a name such as b3, nor of a longer number.
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")


def captions(srt_path: Path) -> list[srt.Subtitle]:
    assert srt_path.is_file(), f"no captions beside the video: {srt_path}"
    return list(srt.parse(srt_path.read_text(encoding="utf-8")))


def numbers_in(subtitles: list[srt.Subtitle]) -> list[list[str]]:
    """The numbers each caption shows, in order."""
    return [NUMBER.findall(sub.content) for sub in subtitles]


def first_caption_with(per_caption: list[list[str]], number: str) -> int:
    for i, numbers in enumerate(per_caption):
        if number in numbers:
            return i
    raise AssertionError(f"no caption shows {number}")


def video_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return container.duration / av.time_base


def sections_of(video: Path) -> list[dict]:
    index = video.parent / "sections" / f"{video.stem}.json"
    assert index.is_file(), f"no sections index {index} (manim.cfg sets save_sections)"
    return json.loads(index.read_text(encoding="utf-8"))


def expected_numbers(trace) -> dict[str, str]:
    """The b3 lesson's key numbers, formatted as the display rule formats them."""
    digits = trace.lesson.digits
    bias = trace.lesson.optimize[0]
    d = trace.descent
    return {
        "starting SSR": fmt(trace.start.ssr, digits),
        "first slope": fmt(d[0].gradient[bias], digits),
        "first step size": fmt(d[0].step_size[bias], digits),
        "b3 after one step": fmt(d[1].params[bias], digits),
        "second slope": fmt(d[1].gradient[bias], digits),
        "b3 after two steps": fmt(d[2].params[bias], digits),
        "final b3": fmt(d.final.params[bias], digits),
    }


# ---- the scene file -------------------------------------------------------------------------

@pytest.mark.parametrize("path", SCENE_FILES, ids=[p.name for p in SCENE_FILES])
def test_each_scene_file_has_exactly_one_scene(path: Path, load_scene_module) -> None:
    """Each scene file defines exactly one Scene class, so `manim FILE` renders without a name."""
    from manim.utils.module_ops import get_scene_classes_from_module

    classes = get_scene_classes_from_module(load_scene_module(path))
    assert len(classes) == 1, f"{path.name}: {[c.__name__ for c in classes]}"


def test_b3_is_a_scene_file() -> None:
    """scenes/b3.py is among the scene files checked above."""
    assert REPO_ROOT / "scenes" / "b3.py" in SCENE_FILES


@pytest.mark.render
def test_dry_run_renders(dry_render) -> None:
    """`manim -ql --dry_run scenes/b3.py` runs the whole scene, exits 0 and writes no video.

    Caching stays on, as manim.cfg sets it: this is the one render that hashes every play, the
    path a user's `manim -pqh scenes/b3.py` takes (the real renders here disable caching).
    """
    dry_render.succeeded()  # exit 0, no traceback
    assert not list(dry_render.media_dir.rglob("*.mp4"))


# ---- the real low-quality render ------------------------------------------------------------

@pytest.mark.render
def test_video_is_long_enough(b3_render) -> None:
    """`manim -ql scenes/b3.py` writes one video of at least 90 s."""
    b3_render.succeeded()
    duration = video_duration(b3_render.video())
    assert duration >= MIN_DURATION, f"{duration:.1f} s"


@pytest.mark.render
def test_captions_carry_the_trace_numbers(b3_render, b3_lesson) -> None:
    """The .srt beside the video shows the trace's key numbers, in the lesson's order."""
    b3_render.succeeded()
    per_caption = numbers_in(captions(b3_render.video().with_suffix(".srt")))
    expected = expected_numbers(b3_lesson.trace)
    missing = {k: v for k, v in expected.items() if not any(v in n for n in per_caption)}
    assert not missing, f"captions lack {missing}"
    order = [first_caption_with(per_caption, v) for v in expected.values()]
    assert order == sorted(order), dict(zip(expected, order, strict=True))


@pytest.mark.render
def test_captions_show_every_probe_ssr(b3_render, b3_lesson) -> None:
    """Each b3 value tried one by one has its SSR, from the sweep, in the captions."""
    b3_render.succeeded()
    shown = {n for ns in numbers_in(captions(b3_render.video().with_suffix(".srt"))) for n in ns}
    sweep, digits = b3_lesson.trace.sweep, b3_lesson.trace.lesson.digits
    wanted = [fmt(s, digits) for s in sweep.probe_ssr]
    assert set(wanted) <= shown, f"missing {set(wanted) - shown}"


@pytest.mark.render
def test_captions_hold_the_issues_reference_numbers(b3_render) -> None:
    """The .srt holds 20.4, 7.8, 1.11, 0.46, -15.7, -1.57, 1.57, -6.26, 2.19 and 2.61."""
    b3_render.succeeded()
    shown = {n for ns in numbers_in(captions(b3_render.video().with_suffix(".srt"))) for n in ns}
    assert not set(REFERENCE_NUMBERS) - shown, f"missing {set(REFERENCE_NUMBERS) - shown}"


@pytest.mark.render
def test_one_section_per_beat(b3_render) -> None:
    """The sections index lists the 8 beats in order, each with its video, adding up to the
    whole video, and every beat narrates (a caption starts inside it)."""
    b3_render.succeeded()
    video = b3_render.video()
    sections = sections_of(video)
    assert [s["name"] for s in sections] == BEATS
    for s in sections:
        assert (video.parent / "sections" / s["video"]).is_file(), s
    durations = [float(s["duration"]) for s in sections]
    assert sum(durations) == pytest.approx(video_duration(video), abs=0.5)
    starts = [sub.start.total_seconds() for sub in captions(video.with_suffix(".srt"))]
    t = 0.0
    for name, length in zip(BEATS, durations, strict=True):
        assert any(t - 1e-3 <= s < t + length for s in starts), f"beat {name} has no caption"
        t += length


# ---- another lesson, and bad ones -----------------------------------------------------------

@pytest.mark.render
def test_another_lesson_captions_its_own_numbers(other_render, other_lesson, b3_lesson) -> None:
    """With BP_LESSON naming a lesson (b3 from 0.5, learning rate 0.2), the captions carry that
    lesson's numbers and not the b3 lesson's first slope."""
    other_render.succeeded()
    shown = {n for ns in numbers_in(captions(other_render.video().with_suffix(".srt")))
             for n in ns}
    trace = other_lesson.trace
    digits, d = trace.lesson.digits, trace.descent
    wanted = {
        "starting b3": fmt(d[0].params["b3"], digits),
        "starting SSR": fmt(trace.start.ssr, digits),
        "first slope": fmt(d[0].gradient["b3"], digits),
        "first step size": fmt(d[0].step_size["b3"], digits),
        "final b3": fmt(d.final.params["b3"], digits),
    }
    missing = {k: v for k, v in wanted.items() if v not in shown}
    assert not missing, f"captions lack {missing}"
    b3_slope = expected_numbers(b3_lesson.trace)["first slope"]
    assert b3_slope != wanted["first slope"]  # else this test could not tell them apart
    assert b3_slope not in shown
    assert [s["name"] for s in sections_of(other_render.video())] == BEATS


BAD_LESSONS = [
    # (id, text edit, the key the one-line error must name)
    ("negative-learning-rate", ("learning_rate: 0.1", "learning_rate: -1"),
     "descent.learning_rate"),
    ("diverging-learning-rate", ("learning_rate: 0.1", "learning_rate: 100"),
     "descent.learning_rate"),
    ("several-parameters", ("optimize: [b3]", "optimize: [b3, w1]"), "optimize"),
]


@pytest.mark.parametrize("edit,key", [case[1:] for case in BAD_LESSONS],
                         ids=[case[0] for case in BAD_LESSONS])
def test_bad_lesson_stops_with_one_line(edit, key, tmp_path: Path, b3_lesson,
                                        run_b3_scene) -> None:
    """A BP_LESSON the scene cannot show ends the render non-zero with one 'error:' line
    naming the key, and no traceback."""
    lesson = tmp_path / "bad.yaml"
    old, new = edit
    text = b3_lesson.path.read_text(encoding="utf-8")
    assert old in text
    lesson.write_text(text.replace(old, new), encoding="utf-8")
    done = run_b3_scene(tmp_path / "render", {"BP_LESSON": str(lesson)})
    assert done.returncode != 0, done.explain()
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, done.explain()
    assert lines[0].startswith("error: ") and key in lines[0], lines[0]
    assert "Traceback" not in done.stdout + done.stderr
