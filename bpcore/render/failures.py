"""How bp tells a user about a failure or a warning: one line on stderr (``error: ...``,
exit code 2, never a traceback; ``warning: ...``). The commands (bpcore.cli) and the render
machinery under them (bpcore.render) report through it.
"""

from __future__ import annotations

import errno
from typing import IO, Any

import click

from bpcore.errors import BpError
from bpcore.lesson.diagnosis import LessonWarning, diagnose
from bpcore.lesson.trace import LessonTrace

EXIT_ERROR = 2


class CommandError(click.ClickException):
    """A failure reported as ``error: <message>`` on stderr, with exit code 2.

    Examples
    --------
    >>> CommandError("b3.yaml: descent.learning_rate: expected a number > 0").exit_code
    2
    """

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=file is None, file=file)


def describe(exc: BaseException) -> str:
    """One line for an error a user can fix: the file, then what went wrong.

    Examples
    --------
    >>> describe(FileNotFoundError(2, "No such file or directory", "out/trace.json"))
    'out/trace.json: No such file or directory'
    """
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def is_user_error(exc: BaseException) -> bool:
    """Whether ``exc`` is reported as ``error: ...`` (a closed pipe is left to click).

    Examples
    --------
    >>> is_user_error(PermissionError(13, "Permission denied")), is_user_error(KeyError("x"))
    (True, False)
    """
    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        return False
    return isinstance(exc, BpError | OSError)


def warn(trace: LessonTrace) -> tuple[LessonWarning, ...]:
    """Print each warning about ``trace`` as ``warning: ...`` on stderr, and return them.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> warn(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    ()
    """
    warnings = diagnose(trace)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    return warnings
