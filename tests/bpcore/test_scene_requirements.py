"""What each scene needs: bp check refuses, with the scene and the fix, what the scene could not
render, and the scenes run the same check."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.errors import LessonError
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.scene_requirements import REQUIREMENTS, SCENES_DIR, check_scene, suggested_range
from bpcore.lesson.trace import trace_lesson

B3 = yaml.safe_load((LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8"))
#: Three hidden nodes: the output bias is b4, and b3 is hidden node 3's bias.
THREE_NODES = {"w1": 1.6, "b1": 0.1, "w2": 2.1, "b2": -0.9, "w3": -1.3, "b3": 0.8,
               "w4": 0.7, "w5": -1.2, "w6": 0.5, "b4": 0.0}


def variant(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(B3))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def write(tmp_path, data: dict, name: str = "lesson.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def refusal(data: dict) -> LessonError:
    with pytest.raises(LessonError) as caught:
        check_scene(Lesson.from_text(yaml.safe_dump(data), source="mine.yaml"))
    return caught.value


def test_shipped_lessons_meet_their_scenes_needs():
    """Every shipped lesson passes its own scene's check."""
    for path in sorted(LESSONS_DIR.glob("*.yaml")):
        check_scene(Lesson.from_file(path))


def test_missing_sweep_names_the_scene_and_the_fix():
    """The b3 scene without a sweep: the message names scenes/b3.py, the output bias and a
    sweep to add, whose range holds the start and the best b3."""
    error = refusal(variant(sweep=None))
    assert error.key == "sweep"
    assert "scenes/b3.py needs a sweep of the output bias b3" in error.message
    assert "add sweep: {param: b3, range: [" in error.message
    low, high = yaml.safe_load(error.message.split("range: ")[1].rstrip("}"))
    # The best b3, found independently by the lesson's own converged descent.
    best = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")).descent.final.params["b3"]
    assert low <= 0.0 and low < best < high


def test_suggested_range_puts_the_best_value_inside_for_any_start():
    """For random starts of the output bias the suggested range holds the start and, strictly
    inside, the best value (where d SSR / d b3 = 0, found by bisection on the gradient)."""
    rng = np.random.default_rng(7)
    for _ in range(30):
        start = float(rng.uniform(-50, 50))
        lesson = Lesson.from_text(yaml.safe_dump(variant(
            network={"activation": "softplus", "params": {**B3["network"]["params"],
                                                         "b3": start}})))
        low, high = yaml.safe_load(suggested_range(lesson))
        lo, hi = -1e3, 1e3
        for _ in range(200):
            mid = (lo + hi) / 2
            residual = lesson.y - lesson.network.replace(b3=mid).forward(lesson.x).predicted
            lo, hi = (mid, hi) if residual.sum() > 0 else (lo, mid)
        assert low <= start <= high and low < lo < high


def test_unknown_scene_is_refused_by_check(tmp_path):
    """scene: foo has no scenes/foo.py: bp check fails naming the key and the scenes there."""
    result = CliRunner().invoke(bp, ["check", str(write(tmp_path, variant(scene="foo")))])
    assert result.exit_code == 2
    assert "scene: no scene file foo.py" in result.stderr and "three_params" in result.stderr


@pytest.mark.parametrize(("changes", "key", "words"), [
    ({"sweep": None}, "sweep", "needs a sweep of the output bias b3"),
    ({"optimize": ["w3"]}, "optimize", "optimizes the output bias b3 alone; got [w3]"),
    ({"optimize": ["w3", "b3"]}, "optimize", "Set optimize: [b3]"),
    ({"sweep": {"param": "w3", "range": [-2, 0]}}, "sweep.param",
     "draws SSR against the output bias b3"),
])
def test_check_refuses_what_the_b3_scene_cannot_show(tmp_path, changes, key, words):
    """bp check, which said ok to these, now fails with the key, the scene and the fix."""
    result = CliRunner().invoke(bp, ["check", str(write(tmp_path, variant(**changes)))])
    assert result.exit_code == 2, result.output
    assert f": {key}: " in result.stderr and "scenes/b3.py" in result.stderr
    assert words in result.stderr


def test_inner_bias_on_the_b3_scene_names_the_output_bias():
    """With 3 hidden nodes, optimize: [b3] is hidden node 3's bias: the message says the output
    bias is b4 here."""
    error = refusal(variant(network={"activation": "relu", "params": THREE_NODES},
                            optimize=["b3"], sweep={"param": "b3", "range": [0, 2]}))
    assert error.key == "optimize"
    assert "the output bias b4 (b(k+1) for k = 3 hidden nodes)" in error.message
    assert "got [b3], the bias of hidden node 3" in error.message
    assert "Set optimize: [b4]" in error.message


def test_too_many_hidden_nodes_for_a_scene():
    """Five hidden nodes: more than the scenes have colours for; the message says how many."""
    params = {f"w{i}": 1.0 for i in range(1, 11)} | {f"b{i}": 0.0 for i in range(1, 7)}
    data = variant(network={"activation": "relu", "params": params}, scene="three_params",
                   optimize=["b6"], sweep=None)
    error = refusal(data)
    assert error.key == "network.params" and "1 to 4 hidden nodes" in error.message


def test_every_requirement_names_a_scene_file():
    """Each declared scene exists as scenes/<name>.py."""
    for name in REQUIREMENTS:
        assert (SCENES_DIR / f"{name}.py").is_file(), name


def test_scenes_raise_no_requirement_errors_of_their_own():
    """No scene file ends a render with its own SystemExit: the shared check does it."""
    for path in SCENES_DIR.glob("*.py"):
        assert "SystemExit" not in path.read_text(encoding="utf-8"), path.name

