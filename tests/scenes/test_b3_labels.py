"""The b3 scene's SSR plot keeps its labels clear of its curves, and its tangents inside its
axes, for the shipped lesson, the fixtures and random lessons.

Each lesson's scene is set up in this process (its lesson loaded and traced, nothing drawn),
then the SSR plot is built by the scene's own methods: its axes, and the points with their SSR
labels in the order the scene shows them (the start, then each probe). Every tangent the
descent beat draws comes from the kit's tangent_line on those axes. The pink curve is placed
from the trace's sweep samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.scene_requirements import suggested_range

REPO_ROOT = Path(__file__).resolve().parents[2]
B3_SCENE = REPO_ROOT / "scenes" / "b3.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PIXEL = 8 * 16 / 9 / 854  # one 480p pixel in screen units
RANDOM_LESSONS = 20


def random_lesson(seed: int) -> dict:
    """A b3-scene lesson a teacher might write: 3 to 7 points, 1 to 3 hidden nodes, the output
    bias from a random start, a learning rate that settles, a sweep with evenly spaced probes."""
    rng = np.random.default_rng(seed)
    k, n = int(rng.integers(1, 4)), int(rng.integers(3, 8))
    scale = float(10 ** rng.uniform(-1, 2))
    x = np.sort(rng.choice(np.arange(0, 40), n, replace=False)) * float(rng.uniform(0.05, 1))
    y = np.round(rng.normal(0, scale, n), 2)
    names = [f"w{i}" for i in range(1, 2 * k + 1)] + [f"b{i}" for i in range(1, k + 2)]
    params = {name: float(np.round(rng.normal(0, 2), 2)) for name in names}
    params[f"b{k + 1}"] = float(np.round(rng.normal(0, scale), 2))
    data = {"title": f"random {seed}", "scene": "b3",
            "data": {"x": x.round(3).tolist(), "y": y.tolist()},
            "network": {"activation": str(rng.choice(["softplus", "relu", "sigmoid"])),
                        "params": params},
            "optimize": [f"b{k + 1}"],
            "descent": {"learning_rate": float(rng.uniform(0.2, 0.9) / (2 * n))}}
    low, high = yaml.safe_load(suggested_range(Lesson.from_text(yaml.safe_dump(data))))
    data["sweep"] = {"param": f"b{k + 1}", "range": [low, high],
                     "probes": np.linspace(low, high, int(rng.integers(3, 6))).tolist()}
    return data


def lesson_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("label-lessons")
    paths = [LESSONS_DIR / "b3.yaml", FIXTURES / "hours.yaml"]
    for seed in range(RANDOM_LESSONS):
        path = folder / f"random{seed}.yaml"
        path.write_text(yaml.safe_dump(random_lesson(seed)), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def plots(tmp_path_factory, load_scene_module) -> list[tuple[str, object, list]]:
    """Per lesson: its name, the set-up scene, and the SSR dots (dot, label) it placed."""
    from manim import VGroup, tempconfig
    from manim.utils.module_ops import get_scene_classes_from_module

    (scene_class,) = get_scene_classes_from_module(load_scene_module(B3_SCENE))
    media = tmp_path_factory.mktemp("label-media")
    built = []
    for path in lesson_files(tmp_path_factory):
        with pytest.MonkeyPatch.context() as mp, \
                tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(media),
                            "output_file": None, "verbosity": "WARNING"}):
            mp.setenv("BP_LESSON", str(path))
            scene = scene_class()
            scene.setup()
            scene.prepare()
            scene.ssr_axes = scene.make_ssr_axes()
            scene.ssr_dots = VGroup()
            for value, ssr in scene.ssr_points():
                scene.ssr_dots.add(scene.ssr_dot(value, ssr))
            built.append((path.stem, scene, list(scene.ssr_dots)))
    return built


def box(mobject, pad: float = 0.0) -> np.ndarray:
    return np.array([mobject.get_corner([-1, -1, 0])[:2] - pad,
                     mobject.get_corner([1, 1, 0])[:2] + pad])


def pink(scene) -> np.ndarray:
    sweep = scene.trace.sweep
    return scene.ssr_axes.coords_to_point(np.column_stack([sweep.values, sweep.ssr]))


def crossing(corners: np.ndarray, mobject) -> bool:
    """Whether the polyline enters the mobject's box, by dense sampling (independent of the
    kit's clipping code)."""
    lo, hi = box(mobject)
    for a, b in zip(corners[:-1], corners[1:], strict=True):
        t = np.linspace(0, 1, 64)[:, None]
        pts = a[:2] + t * (b[:2] - a[:2])
        if np.any(np.all((pts > lo) & (pts < hi), axis=1)):
            return True
    return False


def test_probe_labels_are_clear_of_the_pink_curve_and_the_axes(plots):
    """No SSR label is crossed by the pink curve or an axis line."""
    bad = []
    for name, scene, dots in plots:
        axes = scene.ssr_axes
        lines = [pink(scene)] + [np.array([a.get_start(), a.get_end()])
                                 for a in (axes.x_axis, axes.y_axis)]
        for _, label in dots:
            if any(crossing(c, label) for c in lines):
                bad.append((name, label.text if hasattr(label, "text") else str(label)))
    assert not bad, bad


def test_probe_labels_do_not_cover_each_other_or_the_ticks(plots):
    """No two SSR labels overlap, and none covers a tick number or an axis title."""

    def overlap(one, other) -> bool:
        a, b = box(one), box(other)
        return bool(np.all(a[1] > b[0]) and np.all(b[1] > a[0]))

    bad = []
    for name, scene, dots in plots:
        axes = scene.ssr_axes
        fixed = [*axes.x_axis.numbers, *axes.y_axis.numbers, *axes.labels]
        labels = [label for _, label in dots]
        for i, label in enumerate(labels):
            others = labels[:i] + labels[i + 1:] + [d for d, _ in dots] + fixed
            if any(overlap(label, other) for other in others):
                bad.append((name, i))
    assert not bad, bad


def test_tangents_stay_inside_the_ssr_axes(plots):
    """Every tangent of the descent beat lies inside the SSR axes' plotting area (to a pixel),
    and still passes through its descent state."""
    from kit.plots import tangent_line

    bad = []
    for name, scene, _ in plots:
        axes = scene.ssr_axes
        lo = axes.c2p(axes.x_range[0], axes.y_range[0])[:2] - PIXEL
        hi = axes.c2p(axes.x_range[1], axes.y_range[1])[:2] + PIXEL
        descent = scene.trace.descent
        for i in range(len(descent)):
            state = descent[i]
            value, slope = state.params[scene.bias], state.gradient[scene.bias]
            line = tangent_line(axes, value, state.ssr, slope)
            ends = np.array([line.get_start()[:2], line.get_end()[:2]])
            if not np.all((ends >= lo) & (ends <= hi)):
                bad.append((name, i, ends.round(2).tolist()))
            centre = axes.c2p(value, state.ssr)[:2]
            (dx, dy), (cx, cy) = ends[1] - ends[0], centre - ends[0]
            assert abs(dx * cy - dy * cx) / np.hypot(dx, dy) < PIXEL, (name, i)
    assert not bad, bad[:5]


def test_the_random_lessons_are_varied(plots):
    """The random lessons cover 1 to 3 hidden nodes and all three activations."""
    lessons = [scene.lesson for _, scene, _ in plots]
    assert {lesson.network.hidden for lesson in lessons} >= {1, 2, 3}
    assert {lesson.network.activation.name for lesson in lessons} == {"softplus", "relu",
                                                                       "sigmoid"}
