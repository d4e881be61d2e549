"""``bp check``: validate lesson files and report each one."""

from __future__ import annotations

from pathlib import Path

import click

from bpcore.cli.common import lesson_argument, strict_option
from bpcore.display import fmt
from bpcore.lesson.file import Lesson
from bpcore.lesson.scene_requirements import check_scene
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.render.failures import EXIT_ERROR, describe, is_user_error, warn
from bpcore.render.scene import scenes_dir


@click.command("check")
@lesson_argument(multiple=True)
@strict_option
def command(lessons: tuple[Path, ...], strict: bool) -> None:
    """Check lesson files without writing anything.

    Each file is loaded, validated, checked against what its scene needs
    (scenes/<scene>.py: which parameters it optimizes, its sweep, how many
    hidden nodes it draws) and its gradient descent run, so a lesson that
    checks is a lesson that renders. Prints "ok FILE: summary" for each good
    file and "error: ..." on stderr for each bad one; the exit code is 2 if
    any file is bad.

    A descent that runs but teaches badly (SSR does not fall, the steps
    oscillate or overshoot, or it stops at max_steps far from the end) gets a
    "warning: ..." line on stderr with the reason and a learning rate to try;
    with --strict a warning counts as an error.

    \b
    Examples:
      bp check assets/lessons/*.yaml
      bp check my_lesson.yaml --strict
    """
    bad = 0
    for path in lessons:
        try:
            lesson = Lesson.from_file(path)
            check_scene(lesson, scenes_dir())  # before the descent: a scene's needs come first
            trace = trace_lesson(lesson)
        except Exception as exc:
            if not is_user_error(exc):
                raise
            click.echo(f"error: {describe(exc)}", err=True)
            bad += 1
            continue
        click.echo(f"ok {path}: {summary(trace)}")
        if warn(trace) and strict:
            click.echo(f"error: {path}: warnings fail the check with --strict", err=True)
            bad += 1
    if bad:
        raise click.exceptions.Exit(EXIT_ERROR)


def summary(trace: LessonTrace) -> str:
    """One line about a traced lesson: what it optimizes and where descent ends.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> from bpcore.cli.common import load_trace
    >>> summary(load_trace(LESSONS_DIR / "b3.yaml")).split("; ")
    ['scene b3, softplus, 2 hidden nodes, optimizes b3',
     'converged after 9 updates, SSR 20.4 -> 6.42 × 10⁻⁵']
    """
    lesson, descent = trace.lesson, trace.descent
    k = lesson.network.hidden
    ending = "converged" if descent.status == "converged" else "reached max_steps"
    return (
        f"scene {lesson.scene}, {lesson.network.activation.name}, "
        f"{k} hidden node{'s' if k != 1 else ''}, optimizes {', '.join(lesson.optimize)}; "
        f"{ending} after {descent.updates} updates, "
        f"SSR {fmt(descent.ssr[0])} -> {fmt(descent.ssr[-1])}"
    )
