"""The ``bp`` command line: one click group, one module per command in :mod:`bpcore.cli`.

To add a command, write ``bpcore/cli/<name>.py`` defining a click command called
``command`` and add one line to :data:`COMMANDS`. Modules are imported only when their command
runs (or ``bp --help`` lists them), so ``bp trace`` never loads what ``bp render`` needs; keep
heavy imports such as manim inside the command module, never in bpcore's math modules.
What the commands share (their options, loading a lesson, writing an output, error lines) is
in :mod:`bpcore.cli.common`.

Errors a user can fix (:class:`~bpcore.errors.BpError`, :class:`OSError`) raised by any command
end it with ``error: <message>`` on stderr and exit code 2, without a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import click

from bpcore.render.failures import CommandError, describe, is_user_error

#: Command name -> module defining ``command``. One line per command.
COMMANDS: dict[str, str] = {
    "check": "bpcore.cli.check",
    "page": "bpcore.cli.page",
    "render": "bpcore.cli.render",
    "script": "bpcore.cli.script",
    "slides": "bpcore.cli.slides",
    "stills": "bpcore.cli.stills",
    "trace": "bpcore.cli.trace",
}


class LazyGroup(click.Group):
    """A click group that imports each command's module on first use."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module = importlib.import_module(self.lazy_commands[cmd_name])
            self.add_command(module.command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not is_user_error(exc):
                raise
            raise CommandError(describe(exc)) from None


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bpcore", prog_name="bp")
def bp() -> None:
    """Backpropagation lessons, computed exactly: check, trace and picture lesson files.

    A lesson file (YAML, see assets/lessons/) holds the data, the network, which
    parameters to optimize and the gradient-descent settings. Every number a
    video shows comes from its trace.

    \b
    Examples:
      bp check assets/lessons/*.yaml
      bp trace assets/lessons/b3.yaml -o b3.json
      bp stills assets/lessons/b3.yaml
      bp render assets/lessons/*.yaml -q l
      bp script assets/lessons/b3.yaml
      bp slides assets/lessons/b3.yaml --to pdf
      bp page assets/lessons/*.yaml
      bp trace --help
    """


def main(args: Sequence[str] | None = None) -> None:
    """Run the ``bp`` command line (the ``bp`` script and ``python -m bpcore``).

    Examples
    --------
    Like every click command it ends by raising :class:`SystemExit` with the exit code; the
    tests call the group :func:`bp` through :class:`click.testing.CliRunner` instead:

    >>> from click.testing import CliRunner
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> result = CliRunner().invoke(bp, ["check", str(LESSONS_DIR / "b3.yaml")])
    >>> result.exit_code, result.output.startswith("ok ")
    (0, True)
    """
    bp.main(args=list(args) if args is not None else None, prog_name="bp")
