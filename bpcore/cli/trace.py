"""``bp trace``: a lesson's full trace as JSON, YAML or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from bpcore.cli.common import (
    EchoStream,
    lesson_argument,
    load_trace,
    output_option,
    strict_option,
    write_output,
)
from bpcore.outputs.export import FORMATS, write_trace
from bpcore.render.failures import CommandError, warn

SUFFIX_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


@click.command("trace")
@lesson_argument()
@click.option("-f", "--format", "format_", type=click.Choice(FORMATS), default=None,
              help="Output format. Default: from the -o file's extension, else json.")
@output_option("Write the trace to FILE (atomically) instead of printing it.")
@click.option("--every", metavar="N", type=click.IntRange(min=1), default=1, show_default=True,
              help="Keep every N-th descent step (and always the first and the last), for a "
                   "smaller file from a long descent; each step keeps its index.")
@strict_option
def command(lesson: Path, format_: str | None, output: Path | None, every: int,
            strict: bool) -> None:
    """Compute LESSON's trace and print it as JSON, YAML or CSV.

    JSON and YAML hold the whole trace: the lesson, every gradient-descent step
    (parameters, predicted values, residuals, SSR, gradient and step size),
    the final state, the SSR sweep, the forward pass, chain-rule factors and
    curves at the start. CSV has one row per step: step, every parameter,
    ssr, then gradient_<name> and step_size_<name> per optimized parameter.

    The output is written as it is made, so even a million-step descent needs
    little memory; --every N thins the steps of a long descent.

    Nothing is written if the lesson is bad or the descent diverges: the error
    goes to stderr and the exit code is 2. Warnings about the descent (see
    bp check --help) go to stderr; with --strict they too stop the command
    before anything is written.

    \b
    Examples:
      bp trace assets/lessons/b3.yaml
      bp trace assets/lessons/all_params.yaml -o all_params.csv
      bp trace assets/lessons/b3.yaml --format yaml -o b3.trace.yaml
      bp trace long_descent.yaml --every 100 -o long.csv
    """
    if format_ is None:
        suffix = output.suffix.lower() if output is not None else ""
        format_ = SUFFIX_FORMATS.get(suffix, "json")
    trace = load_trace(lesson)
    if warn(trace) and strict:
        raise CommandError(f"{lesson}: warnings stop the trace with --strict")
    if output is None:
        write_trace(trace, format_, EchoStream(), every)
    else:
        write_output(output, lambda out: write_trace(trace, format_, out, every))
