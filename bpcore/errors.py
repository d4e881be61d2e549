"""Errors that the command line reports in one line, without a traceback."""

from __future__ import annotations


class BpError(Exception):
    """Base class of the errors a user can fix: the message says what to change."""


class LessonError(BpError, ValueError):
    """A lesson file that cannot be used, with the file, the key path and what was expected."""

    def __init__(self, source: object, key: str, message: str) -> None:
        self.source = str(source)
        self.key = key
        self.message = message
        where = f"{self.source}: {key}" if key else self.source
        super().__init__(f"{where}: {message}")


class DivergenceError(BpError, ArithmeticError):
    """Gradient descent produced a non-finite value."""


def last_line(report: str, empty: str = "no message") -> str:
    r"""The last line a program wrote (where it says what went wrong), for a one-line error;
    ``empty`` when it wrote nothing.

    Examples
    --------
    >>> last_line("reading input\nerror: no such file\n"), last_line("  ")
    ('error: no such file', 'no message')
    >>> last_line(str(KeyError()), empty="KeyError")
    'KeyError'
    """
    return (report.strip().splitlines() or [empty])[-1]
