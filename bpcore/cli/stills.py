"""``bp stills``: one image (PNG or SVG) per beat of a lesson's video."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from bpcore.cli.common import lesson_argument
from bpcore.files import atomic_write
from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.narration.voice import NONE, Voice
from bpcore.render.scene import QUALITIES, quality_option, run_manim
from bpcore.settings import scene_environ


@click.command("stills")
@lesson_argument()
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=None, help="Folder for the images. Default: stills/<lesson name>/.")
@quality_option("l")
@click.option("-f", "--format", "format_", type=click.Choice(["png", "svg"]), default="png",
              show_default=True, help="png: pixels at the render quality; svg: vector drawing.")
def command(lesson: Path, out_dir: Path | None, quality: str, format_: str) -> None:
    """Render LESSON's scene and save one still per beat, as PNG or SVG.

    Each beat's still is its key frame, named by beat: 01-network.png,
    02-hidden-curves.png, and so on. Images appear in the folder only once
    the whole render succeeded. SVG stills keep text and curves as vectors,
    for print and slides at any size.

    \b
    Examples:
      bp stills assets/lessons/b3.yaml
      bp stills assets/lessons/b3.yaml -q h -o docs/stills
      bp stills assets/lessons/b3.yaml --format svg
    """
    parsed = Lesson.from_file(lesson)
    trace_lesson(parsed)  # a diverging or overflowing lesson fails here, before any render
    out_dir = out_dir or Path("stills") / lesson.stem
    click.echo(f"Rendering {lesson} at {QUALITIES[quality]} for stills...", err=True)
    with tempfile.TemporaryDirectory(prefix="bp-stills-") as work:
        frames = Path(work) / "stills"
        # A dry run: the scene draws each still when it takes it, and no frame of a play
        # (kit/renderer.py's LessonRenderer), so no video is drawn or encoded for nothing.
        run_manim(lesson, parsed, quality, Path(work) / "media",
                  scene_environ(stills_dir=frames, stills_format=format_,
                                voice=Voice(NONE)),  # a still needs no voice
                  flags=("--dry_run",))
        out_dir.mkdir(parents=True, exist_ok=True)
        images = sorted(frames.glob(f"*.{format_}"))
        for image in images:
            # Copied beside the target under a unique temporary name, then renamed: two runs
            # into one folder never write the same temporary file.
            atomic_write(out_dir / image.name, image.read_bytes())
            click.echo(out_dir / image.name)
    click.echo(f"{len(images)} stills in {out_dir}", err=True)
