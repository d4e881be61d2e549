"""What the ``bp`` commands share: lesson arguments, the output option, reading a lesson and
writing an output.

Every error a user can fix (a bad lesson file, a diverging descent, a file that cannot be read
or written) ends the command with one line on stderr, ``error: <what to change>``, and exit
code 2, never a traceback (:mod:`bpcore.render.failures` says how).
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from bpcore.files import atomic_writer
from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.render.failures import CommandError

F = TypeVar("F", bound=Callable[..., Any])


def lesson_argument(*, multiple: bool = False) -> Callable[[F], F]:
    """The ``LESSON`` argument (``LESSON...`` with ``multiple``): lesson file paths.

    Existence is checked when the file is read, so a missing file gets the same
    ``error: <file>: ...`` line as any other bad lesson.

    Examples
    --------
    >>> @click.command()
    ... @lesson_argument(multiple=True)
    ... def show(lessons):
    ...     print(lessons)
    >>> [p.name for p in show.params], show.params[0].nargs
    (['lessons'], -1)
    """
    kind = click.Path(path_type=Path)
    if multiple:
        return click.argument("lessons", metavar="LESSON...", nargs=-1, required=True, type=kind)
    return click.argument("lesson", type=kind)


def output_option(help: str) -> Callable[[F], F]:
    """The ``-o/--output FILE`` option; write the file with :func:`write_output`.

    Examples
    --------
    >>> @click.command()
    ... @output_option("Write here.")
    ... def save(output):
    ...     print(output)
    >>> save.params[0].opts
    ['-o', '--output']
    """
    return click.option("-o", "--output", metavar="FILE", type=click.Path(path_type=Path),
                        default=None, help=help)


def strict_option(func: F) -> F:
    """The ``--strict`` flag: warnings about a lesson (:mod:`bpcore.lesson.diagnosis`) fail it too.

    Examples
    --------
    >>> @click.command()
    ... @strict_option
    ... def run(strict):
    ...     print(strict)
    >>> run.params[0].opts, run.params[0].default
    (['--strict'], False)
    """
    return click.option("--strict", is_flag=True, default=False,
                        help="Treat warnings (a descent that does not fall, oscillates, overshoots "
                             "or stops far from the end) as errors: exit code 2, for CI.")(func)


def load_trace(path: Path) -> LessonTrace:
    """Read, validate and trace a lesson file (:class:`BpError` or :class:`OSError` on failure).

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> load_trace(LESSONS_DIR / "b3.yaml").descent.status
    'converged'
    """
    return trace_lesson(Lesson.from_file(path))


def write_output(path: Path, write: Callable[[TextIO], None]) -> None:
    """Call ``write`` with a file that becomes ``path`` only if it returns: atomic, streamed.

    A failure (an error inside ``write`` or a file that cannot be written) leaves any existing
    file untouched and no temporary file behind.

    Raises
    ------
    CommandError
        Naming ``path`` and the reason, when the file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_output(folder / "b3.csv", lambda out: out.write("step,b3\\n"))
    >>> (folder / "b3.csv").read_text()
    'step,b3\\n'
    >>> try:
    ...     write_output(folder / "missing" / "b3.csv", lambda out: None)
    ... except CommandError as exc:
    ...     print(exc.format_message().split(": ", 1)[1])
    cannot write the output file (No such file or directory)
    >>> import shutil; shutil.rmtree(folder)
    """
    try:
        with atomic_writer(path) as out:
            write(out)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        reason = exc.strerror or str(exc)
        raise CommandError(f"{path}: cannot write the output file ({reason})") from None


class EchoStream:
    """A minimal text stream writing through :func:`click.echo` (stdout, also under CliRunner).

    Examples
    --------
    >>> _ = EchoStream().write("step,b3\\n")
    step,b3
    """

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)
