"""``bp stills``: one PNG per beat of a lesson's video."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from bpcore.commands.common import lesson_argument
from bpcore.commands.render_scene import QUALITIES, quality_option, run_manim
from bpcore.lesson import Lesson


@click.command("stills")
@lesson_argument()
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=None, help="Folder for the images. Default: stills/<lesson name>/.")
@quality_option("l")
def command(lesson: Path, out_dir: Path | None, quality: str) -> None:
    """Render LESSON's scene and save one still (PNG) per beat.

    Each beat's still is its key frame, named by beat: 01-network.png,
    02-hidden-curves.png, and so on. Images appear in the folder only once
    the whole render succeeded.

    \b
    Examples:
      bp stills assets/lessons/b3.yaml
      bp stills assets/lessons/b3.yaml -q h -o docs/stills
    """
    parsed = Lesson.from_file(lesson)
    out_dir = out_dir or Path("stills") / lesson.stem
    click.echo(f"Rendering {lesson} at {QUALITIES[quality]} for stills...", err=True)
    with tempfile.TemporaryDirectory(prefix="bp-stills-") as work:
        frames = Path(work) / "stills"
        run_manim(lesson, parsed, quality, Path(work) / "media", {"BP_STILLS_DIR": str(frames)})
        out_dir.mkdir(parents=True, exist_ok=True)
        images = sorted(frames.glob("*.png"))
        for image in images:
            # Same file system as out_dir is not guaranteed: copy beside, then rename.
            staged = out_dir / f".{image.name}.part"
            staged.write_bytes(image.read_bytes())
            os.replace(staged, out_dir / image.name)
            click.echo(out_dir / image.name)
    click.echo(f"{len(images)} stills in {out_dir}", err=True)
