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

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from curves import polyline, squiggle_at_data  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
B3_SCENE = REPO_ROOT / "scenes" / "b3.py"
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


@pytest.fixture(scope="module", params=["b3_lesson", "other_lesson"], ids=["b3", "other"])
def scene_run(request: pytest.FixtureRequest, load_scene_module, media_dir: Path) -> SceneRun:
    """The b3 scene built in-process from the b3 lesson or the other lesson (via BP_LESSON)."""
    from manim import Dot, config, tempconfig
    from manim.utils.module_ops import get_scene_classes_from_module

    case = request.getfixturevalue(request.param)
    (scene_class,) = get_scene_classes_from_module(load_scene_module(B3_SCENE))
    run = SceneRun(None, case.trace, 0.0)

    class Watched(scene_class):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            if getattr(self, "beats", None) and self.beats[-1] == DESCENT_BEAT:
                dots = [m.get_center() for m in self.get_mobject_family_members()
                        if isinstance(m, Dot)]
                run.shots.append((np.array(dots).reshape(-1, 3),
                                  self.ssr_axes.coords_to_point(run.descent_coords())))

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
