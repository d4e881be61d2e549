"""``bp page``: each lesson as one self-contained interactive HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from bpcore.cli.common import lesson_argument, load_trace, write_output
from bpcore.lesson.trace import LessonTrace
from bpcore.outputs.page import render_page

DEFAULT_DIR = Path("pages")


def write_page(lesson: Path, trace: LessonTrace, out_dir: Path) -> Path:
    """Write ``trace``'s page to ``out_dir/<lesson file name>.html`` atomically.

    Examples
    --------
    >>> import tempfile
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> folder = Path(tempfile.mkdtemp())
    >>> b3 = LESSONS_DIR / "b3.yaml"
    >>> write_page(b3, load_trace(b3), folder).name
    'b3.html'
    >>> import shutil; shutil.rmtree(folder)
    """
    output = out_dir / f"{lesson.stem}.html"
    page = render_page(trace)
    write_output(output, lambda out: out.write(page))
    return output


@click.command("page")
@lesson_argument(multiple=True)
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=DEFAULT_DIR, show_default=True,
              help="Folder for the pages (<lesson name>.html).")
def command(lessons: tuple[Path, ...], out_dir: Path) -> None:
    """Write each LESSON as an interactive page: DIR/<lesson name>.html.

    One self-contained HTML file per lesson that works opened from disk,
    offline: drag a parameter and watch the squiggle, residuals, pink SSR
    curve, slopes and chain rule move; play the lesson's descent step by
    step; train from any state with a learning rate you type. Every lesson
    is checked before any page is written; a bad lesson or a diverging
    descent ends the command with one error line and exit code 2.

    \b
    Examples:
      bp page assets/lessons/*.yaml
      bp page assets/lessons/b3.yaml -o site/lessons
    """
    traces = [(lesson, load_trace(lesson)) for lesson in lessons]
    out_dir.mkdir(parents=True, exist_ok=True)
    for lesson, trace in traces:
        click.echo(write_page(lesson, trace, out_dir))
