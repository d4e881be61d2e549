"""The all_params scene: it renders, its captions and sections carry the trace, the fit it draws
sits where the trace says, and a 3-ReLU-node lesson on 5 points is told as well.

A real -ql render of the shipped lesson (video, captions, sections, stills) runs in the
background from the first scene test on (tests/scenes/conftest.py). Meanwhile the geometry tests
build the scene in this process with animations skipped, for the shipped lesson, the relu3
fixture and a one-node sigmoid lesson; the tests that read the render come last.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
import srt

from bpcore.display import fmt
from bpcore.lesson.compare import compare_to_lesson
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from curves import squiggle_at_data  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spoken import unsigned_numbers  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENE = REPO_ROOT / "scenes" / "all_params.py"
LESSON = LESSONS_DIR / "all_params.yaml"
RELU3 = Path(__file__).resolve().parent / "fixtures" / "relu3.yaml"
BEATS = ["network", "chain-rule", "backward-pass", "first-step", "gradient-descent", "landing",
         "summary"]
MIN_DURATION = 60.0
PIXELS_ACROSS = 854  # -ql
#: Oracle from ../shared/reference-numbers.md: the first gradient, w1, b1, w2, b2, w3, w4, b3.
FIRST_GRADIENT = {"w1": 0.761, "b1": 0.967, "w2": 0.332, "b2": 0.732, "w3": 7.142,
                  "w4": 1.487, "b3": 3.460}


@pytest.fixture(scope="module", autouse=True)
def _start_renders_early(request: pytest.FixtureRequest) -> None:
    """In this module, in place of the scenes' session-wide start (tests/scenes/conftest.py):
    only this module's render starts as its tests begin, the b3 renders wait for the next
    module. Measured on two cores, all four at once cost the suite about 12 s."""
    if any("all_params_render" in getattr(item, "fixturenames", ())
           for item in request.session.items):
        request.getfixturevalue("all_params_render")


@pytest.fixture(scope="module")
def trace() -> LessonTrace:
    return trace_lesson(Lesson.from_file(LESSON))


@pytest.fixture(scope="module")
def relu3() -> LessonTrace:
    return trace_lesson(Lesson.from_file(RELU3))


def captions(video: Path) -> list[srt.Subtitle]:
    path = video.with_suffix(".srt")
    assert path.is_file(), f"no captions beside the video: {path}"
    return list(srt.parse(path.read_text(encoding="utf-8")))


# ---- the lessons ----------------------------------------------------------------------------

def test_first_gradient_matches_the_reference(trace) -> None:
    """The shipped lesson's first gradient is the reference table's (to its 3 decimals), and
    shows as the table does at 3 significant digits."""
    got = trace.descent[0].gradient
    for name, value in FIRST_GRADIENT.items():
        assert got[name] == pytest.approx(value, abs=1e-3), name
        assert fmt(got[name], trace.lesson.digits) == fmt(value), name


def test_relu3_fixture_is_sane(relu3) -> None:
    """The fixture: 3 ReLU hidden nodes, 5 points, all 10 parameters learning; descent stays
    finite, ends far below where it started, and does not land on the b3 lesson's values."""
    lesson, d = relu3.lesson, relu3.descent
    assert lesson.scene == "all_params"
    assert lesson.network.hidden == 3 and lesson.network.activation.name == "relu"
    assert lesson.x.size == 5 and set(lesson.optimize) == set(lesson.network.names)
    assert np.all(np.isfinite(d.params)) and np.all(np.isfinite(d.ssr))
    assert d.final.ssr < 0.05 * d[0].ssr
    # Every hidden node is alive at the start: some data point reaches its ReLU's slope.
    assert all((relu3.chain_at(0)[f"b{j}"].factors[2].values > 0).any() for j in (1, 2, 3))
    assert not compare_to_lesson(relu3, LESSONS_DIR / "b3.yaml").comparable


# ---- geometry, in process -------------------------------------------------------------------

@dataclass
class Built:
    scene: object
    trace: LessonTrace
    pixel: float
    said: list[str]
    #: per still: (beat, the box around everything on screen: left, right, bottom, top)
    stills: list[tuple[str, tuple[float, float, float, float]]]


#: One hidden sigmoid node, two of its four parameters learning, other axis names.
SIGMOID1 = {
    "title": "One sigmoid node", "scene": "all_params",
    "data": {"x": [0.0, 0.5, 1.0], "y": [0.0, 1.0, 0.2]},
    "labels": {"x": "Dose", "y": "Response"},
    "network": {"activation": "sigmoid", "params": {"w1": 2.0, "b1": -1.0, "w2": 1.5,
                                                    "b2": 0.0}},
    "optimize": ["w1", "b2"],
    "descent": {"learning_rate": 0.1, "max_steps": 300},
}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One media folder for the in-process builds, so LaTeX runs once per formula."""
    return tmp_path_factory.mktemp("inprocess-media")


@pytest.fixture(scope="module", params=["shipped", "relu3", "sigmoid1"])
def built(request: pytest.FixtureRequest, load_scene_module, media: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The scene built in this process (dry run, animations skipped) from the shipped lesson,
    the relu3 fixture or a one-node sigmoid lesson, with every caption it narrated."""
    import yaml
    from manim import Group, config, tempconfig
    from manim.utils.module_ops import get_scene_classes_from_module

    path = {"shipped": LESSON, "relu3": RELU3}.get(request.param)
    if path is None:
        path = tmp_path_factory.mktemp("sigmoid1") / "sigmoid1.yaml"
        path.write_text(yaml.safe_dump(SIGMOID1), encoding="utf-8")
    (scene_class,) = get_scene_classes_from_module(load_scene_module(SCENE))
    said: list[str] = []
    stills: list = []

    class Watched(scene_class):
        def say(self, text: str, **kwargs) -> None:
            said.append(text)
            super().say(text, **kwargs)

        def still(self) -> None:
            if self.mobjects:
                group = Group(*self.mobjects)
                stills.append((self.beats[-1], (group.get_left()[0], group.get_right()[0],
                                                group.get_bottom()[1], group.get_top()[1])))
            super().still()

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BP_LESSON", str(path))
        mp.delenv("BP_STILLS_DIR", raising=False)
        with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(media),
                         "output_file": None, "progress_bar": "none", "verbosity": "WARNING"}):
            pixel = config.frame_width / PIXELS_ACROSS
            scene = Watched(skip_animations=True)
            scene.render()
    return Built(scene, trace_lesson(Lesson.from_file(path)), pixel, said, stills)


def test_scene_tells_every_beat(built: Built) -> None:
    """The scene opens its 7 beats, in order, whatever the lesson."""
    assert built.scene.beats == BEATS


def test_every_still_fits_the_frame(built: Built) -> None:
    """At each beat's still, everything on screen lies inside the 16:9 frame: no cut-off
    text, whatever the number of nodes."""
    from manim import config

    assert [beat for beat, _ in built.stills] == BEATS
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    for beat, (left, right, bottom, top) in built.stills:
        assert -half_w <= left and right <= half_w, f"{beat}: {left:.2f}..{right:.2f} wide"
        assert -half_h <= bottom and top <= half_h, f"{beat}: {bottom:.2f}..{top:.2f} high"


def test_final_squiggle_sits_at_the_final_predictions(built: Built) -> None:
    """At each data x the last squiggle drawn is at the final descent state's prediction (to a
    480p pixel, in axis units), and away from the starting one where descent moved it."""
    axes, squiggle = built.scene.data_axes, built.scene.squiggle
    lesson, d = built.trace.lesson, built.trace.descent
    drawn, y_tol = squiggle_at_data(axes, squiggle, lesson.x, d.final.predicted, built.pixel)
    assert np.max(np.abs(drawn - d[0].predicted)) > 5 * y_tol


def test_landing_is_claimed_only_when_it_happens(built: Built) -> None:
    """The shipped lesson says it lands on the b3 lesson's values; the other lessons (another
    network, or fixed parameters that differ) never claim that."""
    text = " ".join(built.said)
    comparison = compare_to_lesson(built.trace, LESSONS_DIR / "b3.yaml")
    claims = "matches ours" in text or "found from scratch" in text
    assert claims == comparison.agrees


def shipped_data() -> dict:
    import yaml

    return yaml.safe_load(LESSON.read_text(encoding="utf-8"))


def test_a_short_run_is_not_called_another_fit(script_captions, tmp_path: Path) -> None:
    """The shipped lesson stopped at 100 steps ends away from the b3 lesson's values because it
    stopped early: the landing says parameters were still moving, and neither claims the
    landing nor calls the run another way to fit the data."""
    data = shipped_data()
    data["descent"]["max_steps"] = 100
    (landing,) = [c for c in script_captions(data, tmp_path)["landing"]
                  if "Compare the fit" in c]
    assert "still moving" in landing
    for claim in ("matches ours", "found from scratch", "more than one way"):
        assert claim not in landing, landing


def test_a_start_on_the_reference_values_is_not_called_a_rediscovery(script_captions,
                                                                      tmp_path: Path) -> None:
    """Started on the values the b3 lesson ends with, descent stays there: the fit matches, and
    the narration says it started there, never that it was found from other values."""
    data = shipped_data()
    reference = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")).descent.final.params
    data["network"]["params"] = {n: float(v) for n, v in reference.items()}
    data["descent"]["max_steps"] = 50
    captions = script_captions(data, tmp_path)
    text = " ".join(captions["landing"] + captions["summary"])
    assert "matches ours" in text and "started on them" in text
    for claim in ("found from scratch", "found them again"):
        assert claim not in text, claim


def test_captions_carry_this_lessons_first_gradients(built: Built) -> None:
    """Every learning parameter's first slope is narrated, from this lesson's trace."""
    text = " ".join(built.said)
    d, digits = built.trace.descent, built.trace.lesson.digits
    for name in d.optimize:
        assert f"{name} {fmt(d[0].gradient[name], digits)}" in text, name


# ---- the real render of the shipped lesson -------------------------------------------------

@pytest.mark.render
def test_video_is_long_enough(all_params_render) -> None:
    """`manim -ql scenes/all_params.py` writes one video of at least 60 s."""
    video = all_params_render.succeeded().video()
    with av.open(str(video)) as container:
        duration = container.duration / av.time_base
    assert duration >= MIN_DURATION, f"{duration:.1f} s"


@pytest.mark.render
def test_video_speaks_to_its_end(all_params_render) -> None:
    """The narrated video has an audio stream lasting as long as its picture (within a
    frame)."""
    with av.open(str(all_params_render.succeeded().video())) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        lengths = [float(s.duration * s.time_base) for s in (video, audio)]
        frame = 1 / float(video.average_rate)
    assert abs(lengths[0] - lengths[1]) <= frame, lengths


def test_narration_says_every_number_with_its_sign(built: Built) -> None:
    """Every subtitle event's spoken words carry the event's numbers with their signs."""
    assert len(built.scene.clips) > 10
    assert not unsigned_numbers(built.scene.clips)


@pytest.mark.render
def test_captions_carry_the_first_gradients(all_params_render, trace) -> None:
    """The captions list the 7 first-iteration slopes, formatted by the display rule, in the
    order w1, b1, w2, b2, w3, w4, b3, one after the other (a listing may run over several
    subtitle events)."""
    subs = captions(all_params_render.succeeded().video())
    told = " ".join(s.content.replace("\n", " ") for s in subs)
    d, digits = trace.descent, trace.lesson.digits
    wanted = [f"{n} {fmt(d[0].gradient[n], digits)}" for n in FIRST_GRADIENT]
    listings = []
    start = told.find(wanted[0])
    while start >= 0:
        positions = [told.find(w, start) for w in wanted]
        # One listing: every slope follows the last, close by (not words scattered apart).
        if -1 not in positions and positions == sorted(positions) \
                and positions[-1] - positions[0] < 150:
            listings.append(start)
        start = told.find(wanted[0], start + 1)
    assert listings, f"no caption lists {wanted}"


@pytest.mark.render
def test_captions_say_where_the_fit_lands(all_params_render, trace) -> None:
    """The captions give the first step (the new value of the parameter it moved most), the
    final SSR and the landing on the b3 lesson."""
    text = " ".join(s.content.replace("\n", " ")
                    for s in captions(all_params_render.succeeded().video()))
    d, digits = trace.descent, trace.lesson.digits
    most = max(d[0].step_size, key=lambda n: abs(d[0].step_size[n]))
    for value in (d[0].ssr, d[1].ssr, d.final.ssr, d[0].step_size["w1"], d[1].params[most]):
        assert fmt(value, digits) in text
    assert "b3 lesson" in text and "to 2 decimals" in text
    assert str(d.updates) in text


@pytest.mark.render
def test_one_section_and_one_still_per_beat(all_params_render) -> None:
    """The sections index lists the beats in order, each beat narrates, and each left a still."""
    run = all_params_render.succeeded()
    video = run.video()
    sections = json.loads((video.parent / "sections" / f"{video.stem}.json").read_text())
    names = [f"{i + 1:02d}-{b}" for i, b in enumerate(BEATS)]
    assert [s["name"] for s in sections] == names
    starts = [sub.start.total_seconds() for sub in captions(video)]
    t = 0.0
    for s in sections:
        length = float(s["duration"])
        assert any(t - 1e-3 <= x < t + length for x in starts), f"{s['name']} has no caption"
        t += length
    stills = sorted(p.stem for p in (run.workdir / "stills").glob("*.png"))
    assert stills == names
