"""``bp render``: many lessons to videos with captions, in parallel, skipping what is up to date.

This module is the click command only; the machinery is in :mod:`bpcore.render`: each lesson
is planned into a job (:mod:`~bpcore.render.plan`) keyed by what its video depends on
(:mod:`~bpcore.render.keys`), run by manim in a work folder beside its output under the
output's lock, its files copied into place atomically (:mod:`~bpcore.render.run`,
:mod:`~bpcore.render.outputs`), on local threads or a Dask cluster
(:mod:`~bpcore.render.pool`), with progress lines and a summary
(:mod:`~bpcore.render.report`).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import click

from bpcore.cli.common import lesson_argument, load_trace, strict_option
from bpcore.cli.page import write_page
from bpcore.errors import BpError
from bpcore.narration.voice import Voice
from bpcore.render.failures import EXIT_ERROR, CommandError
from bpcore.render.jobs import RenderResult
from bpcore.render.plan import plan
from bpcore.render.pool import executor_for, run_all
from bpcore.render.report import RenderReport, summary_table
from bpcore.render.scene import QUALITIES, allow_renders, quality_option


def _voice_option(value: str | None) -> Voice | None:
    """Parse ``--voice``; a name that is no voice stops the command before anything runs."""
    if value is None:
        return None
    try:
        return Voice.parse(value)
    except BpError as exc:
        raise CommandError(f"--voice: {exc}") from None


@click.command("render")
@lesson_argument(multiple=True)
@quality_option("h")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Lessons rendered at once, each by its own manim process. "
                   "Default: the number of CPUs.")
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=Path("renders"), show_default=True,
              help="Folder for the videos (<lesson name>.mp4) and captions (.srt).")
@click.option("--force", is_flag=True, help="Render even the lessons that are up to date.")
@click.option("--voice", metavar="VOICE", default=None, envvar="BP_VOICE", show_envvar=True,
              callback=lambda ctx, param, value: _voice_option(value),
              help="Who narrates, instead of each lesson's narration.voice: hibari (the "
                   "default), piper, piper:PATH/voice.onnx, festival, flite, none (silent), "
                   "recorded:DIR (your own WAV clips, see "
                   "bp script), or a manim-voiceover service: gtts, azure, openai, "
                   "elevenlabs, gemini.")
@click.option("--burn-captions", "burn", is_flag=True,
              help="Also write DIR/<lesson name>.captioned.mp4, with the captions drawn into "
                   "the picture (for players and sites without subtitles).")
@click.option("--page", is_flag=True,
              help="Also write each lesson's interactive page beside its video "
                   "(DIR/<lesson name>.html, as bp page does).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the renders on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of "
                   "here; -j is then up to the cluster. Needs the 'cluster' extra, and workers "
                   "that see this project and the output folder at the same paths.")
@strict_option
def command(lessons: tuple[Path, ...], quality: str, jobs: int | None, out_dir: Path,
            force: bool, voice: Voice | None, burn: bool, page: bool,
            scheduler: str | None, strict: bool) -> None:
    """Render narrated lesson videos with captions, several at once.

    Each LESSON is rendered by the scene its file names (scenes/<scene>.py)
    to DIR/<lesson name>.mp4, with the captions in DIR/<lesson name>.srt.
    The video speaks its captions in the lesson's voice (--voice to
    change it; --voice none for a silent video), carries its beats as
    chapters and its captions as a subtitle track, and comes with
    <lesson name>.vtt, .chapters.txt (for a video site's description) and
    .thumbnail.png (1280x720) beside it. A video that is up to date (same
    lesson file, same code, same quality) is skipped unless --force. A
    lesson that fails is reported with its error and the others still
    render; the exit code is then 2. Files appear in DIR only once
    complete. Warnings about a lesson's descent (see bp check --help) are
    printed first; --strict fails those lessons. Ctrl-C or SIGTERM stops
    the running renders and exits with 130 or 143; finished videos stay.

    \b
    Examples: (course/ stands for your own folder of lesson files)
      bp render assets/lessons/*.yaml
      bp render assets/lessons/b3.yaml -q l -o drafts
      bp render assets/lessons/b3.yaml --voice none
      bp render assets/lessons/*.yaml --page --burn-captions
      bp render course/*.yaml -j 4 --force --strict
      bp render course/*.yaml --scheduler tcp://scheduler:8786
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    planned = list(plan(lessons, out_dir, quality, force, voice, burn, strict))
    results: dict[int, RenderResult] = {}
    progress = RenderReport(len(planned))
    todo = []
    for index, item in enumerate(planned):
        if isinstance(item, RenderResult):
            results[index] = item
            progress.finished(item)
        else:
            todo.append((index, item))
    if todo:
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        where = f"on the Dask cluster at {scheduler}" if scheduler else f"{workers} at a time"
        progress.say(f"Rendering {len(todo)} lesson{'s' if len(todo) != 1 else ''} at "
                     f"{QUALITIES[quality]}, {where}...")
        try:
            with executor_for(scheduler, workers) as pool:
                for index, result in run_all(pool, todo, progress, local=scheduler is None):
                    results[index] = result
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see run_all)
            signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
            progress.say(f"error: interrupted by {signal.Signals(signum).name}: the running "
                         "renders were stopped; finished videos are kept, no partial file is "
                         "left")
            raise click.exceptions.Exit(128 + signum) from None  # as a shell reports a signal
        finally:
            allow_renders()  # after an interrupt, once every worker thread has ended
    ordered = [results[i] for i in range(len(planned))]
    if page:
        for result in ordered:
            if result.status != "failed":
                write_page(result.lesson_path, load_trace(result.lesson_path), out_dir)
    click.echo(summary_table(ordered))
    failed = sum(r.status == "failed" for r in ordered)
    if failed:
        click.echo(f"error: {failed} of {len(ordered)} lesson{'s' if len(ordered) != 1 else ''} "
                   "failed", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)
