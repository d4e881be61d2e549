"""What the b3 scene draws sits where the trace says, for the b3 lesson and another lesson.

The scene is built in this process under ``tempconfig({"dry_run": True, ...})`` with its
animations skipped (each ends at once in its final state, no frames are drawn), then its
mobjects are measured: the data axes and the squiggle, the SSR axes and the pink curve, and,
after every ``play`` of the gradient-descent beat, the dots on screen.

Tolerance: one pixel of a 480p frame (frame width / 854), in screen units or converted to the
axis's data units. Curves are polylines through bpcore's samples, so points the trace computed
exactly sit far closer than that; a squiggle drawn for the wrong b3 or a point off the curve
misses by many pixels.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from curves import polyline, squiggle_at_data  # noqa: E402

from bpcore.lesson.file import Lesson  # noqa: E402
from bpcore.lesson.trace import trace_lesson  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
B3_SCENE = REPO_ROOT / "scenes" / "b3.py"
HOURS = Path(__file__).resolve().parent / "fixtures" / "hours.yaml"
DESCENT_BEAT = "gradient-descent"
PIXELS_ACROSS = 854  # -ql


@dataclass
class SceneRun:
    """A scene built from one lesson, and what was on screen after each play of the descent."""

    scene: object
    trace: object
    pixel: float  # one 480p pixel in screen units
    #: per play in the descent beat: (centres of every Dot on screen, each descent state's
    #: (b3, SSR) placed with the SSR axes as they were then)
    shots: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    #: per play in the descent beat: the ends of every tangent on screen, and the SSR axes'
    #: plotting area then ([[left, bottom], [right, top]])
    tangents: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    #: every caption, in order
    captions: list[str] = field(default_factory=list)
    #: at each still while the network diagram shares the screen with the data axes: the
    #: beat, and both boxes ([[left, bottom], [right, top]])
    beside: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    #: at the first beat's still: the title's lines, and the boxes of the title and the diagram
    opening: tuple[int, np.ndarray, np.ndarray] | None = None
    #: every "Step n" heading of the descent's readouts, as shown
    step_headings: set[str] = field(default_factory=set)

    @property
    def bias(self) -> str:
        return self.trace.lesson.optimize[0]

    def descent_coords(self) -> np.ndarray:
        d = self.trace.descent
        return np.column_stack([d.column(self.bias), d.ssr])


def distance_to_polyline(point: np.ndarray, corners: np.ndarray) -> float:
    a, b = corners[:-1], corners[1:]
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", point - a, ab) / np.where(length2 > 0, length2, 1), 0, 1)
    nearest = a + t[:, None] * ab
    return float(np.min(np.linalg.norm(nearest - point, axis=1)))


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One media folder for both in-process builds: the second reuses the first's LaTeX."""
    return tmp_path_factory.mktemp("inprocess-media")


@pytest.fixture(scope="session")
def hours_lesson() -> SimpleNamespace:
    """A teacher's own lesson (tests/scenes/fixtures/hours.yaml): 5 ReLU points, scores against
    hours studied, its own axis titles and nouns."""
    return SimpleNamespace(name="hours", path=HOURS, trace=trace_lesson(Lesson.from_file(HOURS)))


@pytest.fixture(scope="module", params=["b3_lesson", "other_lesson", "hours_lesson"],
                ids=["b3", "other", "hours"])
def scene_run(request: pytest.FixtureRequest, load_scene_module, media_dir: Path) -> SceneRun:
    """The b3 scene built in-process from the b3 lesson, the other lesson or the hours lesson
    (via BP_LESSON)."""
    from manim import Dot, Line, config, tempconfig
    from manim.utils.module_ops import get_scene_classes_from_module

    from kit.plots import plot_box
    from kit.style import TANGENT
    from kit.text import Words

    case = request.getfixturevalue(request.param)
    (scene_class,) = get_scene_classes_from_module(load_scene_module(B3_SCENE))
    run = SceneRun(None, case.trace, 0.0)

    def corners(mobject) -> np.ndarray:
        return np.array([mobject.get_corner([-1, -1, 0])[:2], mobject.get_corner([1, 1, 0])[:2]])

    class Watched(scene_class):
        def still(self) -> None:
            super().still()
            shown = self.get_mobject_family_members()
            if self.beats[-1] == "network":
                run.opening = (len(self.title), corners(self.title), corners(self.diagram))
            if hasattr(self, "data_axes") and self.diagram in shown and self.data_axes in shown:
                run.beside.append((self.beats[-1], corners(self.diagram),
                                   corners(self.data_axes)))

        def say(self, text: str, **kwargs) -> None:
            run.captions.append(text)
            super().say(text, **kwargs)

        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            if getattr(self, "beats", None) and self.beats[-1] == DESCENT_BEAT:
                members = self.get_mobject_family_members()
                run.step_headings.update(m.text for m in members if isinstance(m, Words)
                                         and re.fullmatch(r"Step \d+", m.text))
                dots = [m.get_center() for m in members if isinstance(m, Dot)]
                run.shots.append((np.array(dots).reshape(-1, 3),
                                  self.ssr_axes.coords_to_point(run.descent_coords())))
                on_axes = {id(m) for axes in (self.ssr_axes, self.data_axes)
                           for m in axes.get_family()}
                ends = [np.array([m.get_start()[:2], m.get_end()[:2]]) for m in members
                        if type(m) is Line and m.get_color() == TANGENT
                        and id(m) not in on_axes]
                run.tangents.extend((e, plot_box(self.ssr_axes)) for e in ends)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BP_LESSON", str(case.path))
        mp.delenv("BP_STILLS_DIR", raising=False)
        with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(media_dir),
                         "output_file": None, "progress_bar": "none", "verbosity": "WARNING"}):
            run.pixel = config.frame_width / PIXELS_ACROSS
            scene = Watched(skip_animations=True)
            scene.render()
    run.scene = scene
    return run


def needed(scene, name: str):
    """A scene attribute these tests measure; its absence is a finding, not a crash."""
    if not hasattr(scene, name):
        pytest.fail(f"the b3 scene no longer exposes `{name}`, which this test measures")
    return getattr(scene, name)


def test_scene_tells_every_beat(scene_run: SceneRun) -> None:
    """The scene opens the 8 beats of the lesson, in order."""
    assert needed(scene_run.scene, "beats") == [
        "network", "hidden-curves", "squiggle", "residuals", "ssr-curve", "chain-rule",
        DESCENT_BEAT, "summary"]


def test_final_squiggle_sits_at_the_final_predictions(scene_run: SceneRun) -> None:
    """At each data x, the final squiggle is at the last descent state's prediction, in axis
    coordinates (and not at the starting prediction, when descent moved it)."""
    axes = needed(scene_run.scene, "data_axes")
    squiggle = needed(scene_run.scene, "squiggle")
    lesson, descent = scene_run.trace.lesson, scene_run.trace.descent
    drawn, y_tol = squiggle_at_data(axes, squiggle, lesson.x, descent.final.predicted,
                                    scene_run.pixel)
    moved = np.max(np.abs(descent.final.predicted - descent[0].predicted))
    if moved > 5 * y_tol:
        assert np.max(np.abs(drawn - descent[0].predicted)) > 5 * y_tol


def test_descent_states_lie_on_the_pink_curve(scene_run: SceneRun) -> None:
    """Every descent state's (b3, SSR), placed with the SSR axes, is on the pink curve."""
    ssr_axes = needed(scene_run.scene, "ssr_axes")
    corners = polyline(needed(scene_run.scene, "pink"))
    points = ssr_axes.coords_to_point(scene_run.descent_coords())
    misses = {i: distance_to_polyline(p, corners) for i, p in enumerate(points)}
    far = {i: round(d / scene_run.pixel, 1) for i, d in misses.items() if d > scene_run.pixel}
    assert not far, f"descent states off the pink curve (in pixels): {far}"


def test_descent_point_visits_every_state_in_order(scene_run: SceneRun) -> None:
    """During the gradient-descent beat a dot sits at each state's (b3, SSR) on the SSR axes,
    state after state."""
    assert scene_run.shots, f"no play in the {DESCENT_BEAT} beat"
    first_seen = []
    for i in range(len(scene_run.trace.descent)):
        seen = [k for k, (dots, targets) in enumerate(scene_run.shots)
                if len(dots) and np.min(np.linalg.norm(dots - targets[i], axis=1))
                <= scene_run.pixel]
        assert seen, f"no dot at descent state {i} ({scene_run.descent_coords()[i]})"
        first_seen.append(seen[0])
    assert first_seen == sorted(first_seen), first_seen


def test_tangents_stay_inside_the_ssr_axes(scene_run: SceneRun) -> None:
    """Every tangent drawn in the descent beat ends inside the SSR axes' plotting area (to a
    pixel): none runs below the axis into the tick numbers."""
    assert scene_run.tangents, f"no tangent seen in the {DESCENT_BEAT} beat"
    pixel = scene_run.pixel
    outside = [ends.round(2).tolist() for ends, box in scene_run.tangents
               if np.any(ends < box[0] - pixel) or np.any(ends > box[1] + pixel)]
    assert not outside, outside


def test_captions_read_with_the_lessons_own_words(scene_run: SceneRun) -> None:
    """Axis titles are never used as nouns in a caption ("Run every hours studied"), the nouns
    the lesson gives are, and no value is repeated as "X (about X)"."""
    lesson = scene_run.trace.lesson
    labels = lesson.labels
    text = " ".join(scene_run.captions).replace(lesson.title, "")
    for title in (labels.x, labels.y):
        if title.lower() != getattr(labels, "x_noun" if title == labels.x else "y_noun"):
            assert title.lower() not in text.lower(), title
    assert f"every {labels.x_noun} from" in text
    assert f"the {labels.y_noun} observed at each {labels.x_noun}" in text
    repeats = re.findall(r"= (\S+) \(about \1\)", text)
    assert not repeats, repeats


def test_title_sits_above_the_diagram_inside_the_frame(scene_run: SceneRun) -> None:
    """The lesson's title, on one line or two (the hours lesson's 84 characters are too many
    for one), is inside the frame, above the network diagram, and each line at least 24 pixels
    tall at 480p: a long title wraps. (A one-line title is 29 px; shrunk to one line, the
    hours title was 18.)"""
    from manim import config

    lines, title, diagram = scene_run.opening
    half = np.array([config.frame_width, config.frame_height]) / 2
    assert np.all(title[0] >= -half) and np.all(title[1] <= half), title.round(2).tolist()
    assert title[0][1] > diagram[1][1], (title.round(2).tolist(), diagram.round(2).tolist())
    line_height = (title[1][1] - title[0][1]) / lines
    assert line_height >= 24 * scene_run.pixel, f"{line_height / scene_run.pixel:.1f} px"
    if Path(scene_run.trace.lesson.source).stem == "hours":
        assert lines == 2


def test_descent_steps_are_counted_from_one(scene_run: SceneRun) -> None:
    """The readout of each update is headed by its number, the first update being step 1 (as
    in three_params and all_params), up to the last state's, the step descent no longer takes:
    one more than the updates made."""
    updates = scene_run.trace.descent.updates
    expected = {f"Step {n}" for n in range(1, updates + 2)}
    assert scene_run.step_headings == expected


def test_network_diagram_and_data_axes_do_not_overlap(scene_run: SceneRun) -> None:
    """While the shrunken network diagram and the data axes share the screen, their boxes
    (labels and tick numbers included) do not overlap, whatever the axis titles."""
    assert scene_run.beside, "no still with both the diagram and the data axes"
    for beat, diagram, axes in scene_run.beside:
        apart = np.any(diagram[1] <= axes[0]) or np.any(axes[1] <= diagram[0])
        assert apart, (beat, diagram.round(2).tolist(), axes.round(2).tolist())


def test_only_a_finished_descent_is_called_the_best(scene_run: SceneRun) -> None:
    """Each lesson here ends with its bias settled, so the narration calls its value the best
    and the network green (the cut-off case is the next test)."""
    text = " ".join(scene_run.captions)
    for claim in ("so we stop: the best b3 is", "follows it to the best value", "is now green"):
        assert claim in text, claim
    assert "stays red" not in text


def test_a_descent_cut_off_by_max_steps_is_not_called_the_best(script_captions,
                                                              tmp_path: Path) -> None:
    """The b3 lesson stopped after 3 updates, b3 still far from where it settles: the script
    says where descent stopped and that b3 stays red, never that it found the best value."""
    import yaml

    from bpcore.lesson.file import LESSONS_DIR

    data = yaml.safe_load((LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8"))
    data["descent"]["max_steps"] = 3
    text = " ".join(c for captions in script_captions(data, tmp_path).values() for c in captions)
    for claim in ("the best b3 is", "follows it to the best value", "is now green"):
        assert claim not in text, claim
    assert "so we stop: the last b3 is" in text and "stays red" in text
