"""What each lesson scene needs from a lesson, declared once for ``bp check`` and the scene.

``bp check``, ``bp render`` and every scene (scenes/kit/lesson_scene.py) call
:func:`check_scene`, so a lesson that checks is a lesson its scene can render. A scene with no
entry in :data:`REQUIREMENTS` (a test's scene, a teacher's own) only needs its file to exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from bpcore.display import fmt
from bpcore.errors import LessonError
from bpcore.lesson.file import Lesson
from bpcore.resources import SCENES_DIR


@dataclass(frozen=True, slots=True)
class SceneRequirements:
    """What one scene needs.

    Attributes
    ----------
    about : what the scene shows, for messages.
    max_hidden : the most hidden nodes it lays out (one colour and colour name per node).
    output_bias_alone : it optimizes the output bias b(k+1) and nothing else.
    sweep_of_output_bias : it draws SSR against the output bias, so needs ``sweep`` of it.
    """

    about: str
    max_hidden: int = 4
    output_bias_alone: bool = False
    sweep_of_output_bias: bool = False


#: Scene name (``scenes/<name>.py``) -> what it needs. The one place these rules live.
REQUIREMENTS: dict[str, SceneRequirements] = {
    "b3": SceneRequirements("the output bias optimized alone, with SSR drawn against it",
                            output_bias_alone=True, sweep_of_output_bias=True),
    "three_params": SceneRequirements("any set of parameters optimized together"),
    "all_params": SceneRequirements("any set of parameters, through the hidden layer"),
}


def output_bias(lesson: Lesson) -> str:
    """The name of the lesson network's output bias: b3 with 2 hidden nodes, b4 with 3.

    Examples
    --------
    >>> from bpcore.resources import LESSONS_DIR
    >>> output_bias(Lesson.from_file(LESSONS_DIR / "b3.yaml"))
    'b3'
    """
    return lesson.network.names[-1]


def check_scene(lesson: Lesson, scenes_dir: Path | None = None, scene: str | None = None) -> None:
    r"""Raise :class:`LessonError` unless ``scene`` (default: the lesson's) can render ``lesson``.

    The message names the scene file and says what to change.

    Examples
    --------
    >>> lesson = Lesson.from_text(
    ...     "title: t\ndata: {x: [0, 1], y: [0, 1]}\nnetwork: {activation: relu, params: "
    ...     "{w1: 1, w2: 1, b1: 0, b2: 0}}\noptimize: [b2]\ndescent: {learning_rate: 0.1}")
    >>> try:
    ...     check_scene(lesson)
    ... except LessonError as exc:
    ...     print(exc.key, "|", exc.message.replace("; ", "\n"))
    sweep | missing
    scenes/b3.py needs a sweep of the output bias b2 (b(k+1) for k = 1 hidden node)
    add sweep: {param: b2, range: [-1, 1]}
    """
    scene = scene or lesson.scene
    folder = scenes_dir or SCENES_DIR
    if not (folder / f"{scene}.py").is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("[!_]*.py")))
        raise LessonError(lesson.source, "scene", f"no scene file {scene}.py in {folder}; "
                          f"expected one of {known}")
    needs = REQUIREMENTS.get(scene)
    if needs is None:
        return
    file, k = f"scenes/{scene}.py", lesson.network.hidden
    if k > needs.max_hidden:
        raise LessonError(lesson.source, "network.params", f"{file} lays out 1 to "
                          f"{needs.max_hidden} hidden nodes; this network has {k}")
    bias = output_bias(lesson)
    # The scene is named for the lesson's b3; with k hidden nodes the output bias is b(k+1).
    which = f"the output bias {bias}" + ("" if k == 2 else f" (b(k+1) for k = {k} hidden node"
                                                  f"{'s' if k != 1 else ''})")
    if needs.output_bias_alone and lesson.optimize != (bias,):
        inner = [n for n in lesson.optimize if n.startswith("b") and n != bias]
        got = ", ".join(lesson.optimize)
        hint = f", the bias of hidden node {inner[0][1:]}" if len(lesson.optimize) == 1 and inner \
            else ""
        raise LessonError(lesson.source, "optimize", f"{file} optimizes {which} alone; got "
                          f"[{got}]{hint}. Set optimize: [{bias}], or use scene: three_params "
                          "or all_params for other parameters")
    if needs.sweep_of_output_bias:
        if lesson.sweep is None:
            raise LessonError(lesson.source, "sweep", f"missing; {file} needs a sweep of "
                              f"{which}; add sweep: {{param: {bias}, range: "
                              f"{suggested_range(lesson)}}}")
        if lesson.sweep.param != bias:
            raise LessonError(lesson.source, "sweep.param", f"{file} draws SSR against "
                              f"{which}, with its descent on the same curve; got "
                              f"{lesson.sweep.param!r}. Set sweep.param: {bias}")


def suggested_range(lesson: Lesson) -> str:
    """A round ``[low, high]`` holding the output bias's start and best value, as YAML.

    SSR is a parabola in the output bias, lowest where it shifts the predictions by the mean
    residual, so its best value is known without a descent.

    Examples
    --------
    >>> from bpcore.resources import LESSONS_DIR
    >>> lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> suggested_range(lesson)
    '[0, 3]'
    """
    net = lesson.network
    start = net.params[output_bias(lesson)]
    best = start + float((lesson.y - net.forward(lesson.x).predicted).mean())
    low, high = min(start, best), max(start, best)
    unit = 10.0 ** math.floor(math.log10(high - low)) if high - low > 1e-6 else 1.0
    low, high = math.floor(low / unit) * unit, math.ceil(high / unit) * unit
    # The lowest point of the curve inside the plot, not on its edge.
    if high <= best + 1e-9 * unit:
        high += unit
    if low >= best - 1e-9 * unit:
        low -= unit
    return f"[{fmt(low, 6)}, {fmt(high, 6)}]"
