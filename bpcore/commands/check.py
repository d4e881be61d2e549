"""``bp check``: validate lesson files and report each one."""

from __future__ import annotations

from pathlib import Path

import click

from bpcore.commands.common import EXIT_ERROR, describe, is_user_error, lesson_argument, load_trace
from bpcore.display import fmt
from bpcore.trace import LessonTrace


@click.command("check")
@lesson_argument(multiple=True)
def command(lessons: tuple[Path, ...]) -> None:
    """Check lesson files without writing anything.

    Each file is loaded, validated and its gradient descent run, so a bad key,
    a wrong type or a diverging learning rate is caught before rendering.
    Prints "ok FILE: summary" for each good file and "error: ..." on stderr
    for each bad one; the exit code is 2 if any file is bad.

    \b
    Examples:
      bp check assets/lessons/*.yaml
      bp check my_lesson.yaml
    """
    bad = 0
    for path in lessons:
        try:
            trace = load_trace(path)
        except Exception as exc:
            if not is_user_error(exc):
                raise
            click.echo(f"error: {describe(exc)}", err=True)
            bad += 1
            continue
        click.echo(f"ok {path}: {summary(trace)}")
    if bad:
        raise click.exceptions.Exit(EXIT_ERROR)


def summary(trace: LessonTrace) -> str:
    """One line about a traced lesson: what it optimizes and where descent ends.

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR
    >>> from bpcore.commands.common import load_trace
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
