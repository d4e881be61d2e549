"""Running a lesson's scene with manim in a subprocess (bpcore itself never imports manim)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bpcore.lesson.file import Lesson
from bpcore.lesson.scene_requirements import check_scene
from bpcore.render.failures import CommandError
from bpcore.resources import ROOT, SCENES_DIR
from bpcore.settings import SCENE_VARIABLES, scene_environ, setting

QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}

F = TypeVar("F", bound=Callable[..., Any])

#: manim processes running now, so that an interrupted command can stop them.
_RUNNING: set[subprocess.Popen[str]] = set()
_RUNNING_LOCK = threading.Lock()
_STOPPED = threading.Event()


def quality_option(default: str) -> Callable[[F], F]:
    """The ``-q/--quality`` option: one of :data:`QUALITIES`.

    Examples
    --------
    >>> @click.command()
    ... @quality_option("l")
    ... def show(quality):
    ...     print(quality)
    >>> show.params[0].opts, show.params[0].default
    (['-q', '--quality'], 'l')
    """
    return click.option("-q", "--quality", type=click.Choice(list(QUALITIES)), default=default,
                        show_default=True,
                        help="Render quality: l=480p15, m=720p30, h=1080p60, p=1440p60, k=4K.")


def scenes_dir() -> Path:
    """Where scene files are: ``scenes/``, or ``$BP_SCENES_DIR`` (the tests' tiny scenes)."""
    override = setting("scenes_dir")
    return Path(override).resolve() if override else SCENES_DIR


def scene_file(lesson: Lesson) -> Path:
    """The scene file that renders ``lesson``: ``scenes/<lesson.scene>.py``.

    Raises :class:`~bpcore.errors.LessonError` when there is no such file or the lesson lacks
    what the scene needs (:func:`bpcore.lesson.scene_requirements.check_scene`).

    Examples
    --------
    >>> from bpcore.resources import LESSONS_DIR
    >>> scene_file(Lesson.from_file(LESSONS_DIR / "b3.yaml")).name
    'b3.py'
    """
    folder = scenes_dir()
    check_scene(lesson, folder)
    return folder / f"{lesson.scene}.py"


def run_manim(lesson_path: Path, lesson: Lesson, quality: str, media_dir: Path,
              extra_env: dict[str, str] | None = None, *, scene: Path | None = None,
              on_line: Callable[[str], None] | None = None, flags: tuple[str, ...] = ()) -> None:
    """Render ``lesson`` with its scene into ``media_dir``; a failure raises CommandError.

    ``scene`` overrides the lesson's scene file; ``on_line`` is called with each line manim
    prints on stdout (its log), as it prints it; ``flags`` go to manim (``--dry_run``).
    """
    scene = scene or scene_file(lesson)
    # Only what this command asks for (bpcore.settings.SCENE_VARIABLES): a BP_SLIDES left in
    # the shell must not turn a video render into slides.
    inherited = {k: v for k, v in os.environ.items() if k not in SCENE_VARIABLES}
    env = {**inherited, **scene_environ(lesson=lesson_path.resolve()), "COLUMNS": "200",
           **(extra_env or {})}
    args = [sys.executable, "-m", "manim", "render", f"-q{quality}", "--disable_caching",
            "--progress_bar", "none", "--media_dir", str(Path(media_dir).resolve()), *flags,
            str(scene)]
    with _RUNNING_LOCK:
        if _STOPPED.is_set():
            raise CommandError(f"{lesson_path}: rendering interrupted")
        # From the project's folder, so its manim.cfg applies.
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, errors="replace")
        _RUNNING.add(process)
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    reader.start()
    output: deque[str] = deque(maxlen=200)
    try:
        for line in process.stdout:
            output.append(line)
            if on_line is not None:
                on_line(line)
        process.wait()
        reader.join()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        with _RUNNING_LOCK:
            _RUNNING.discard(process)
    for line in errors:  # the scene's advice (missing recordings, ...) reaches the user
        if line.startswith("warning: "):
            click.echo(f"warning: {lesson_path}: {line.removeprefix('warning: ').strip()}",
                       err=True)
    if process.returncode != 0:
        lines = [ln for ln in (errors or output) if ln.strip()]
        tail = lines[-1].strip() if lines else f"manim exited with code {process.returncode}"
        raise CommandError(f"{lesson_path}: rendering failed: {tail.removeprefix('error: ')}")


def stop_renders() -> None:
    """Stop every manim process still running, and start no new one (after an interrupt)."""
    with _RUNNING_LOCK:
        _STOPPED.set()
        running = list(_RUNNING)
    for process in running:
        if process.poll() is None:
            process.terminate()


def allow_renders() -> None:
    """Let :func:`run_manim` start processes again (a new command after :func:`stop_renders`)."""
    _STOPPED.clear()
