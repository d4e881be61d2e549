"""Planning ``bp render``: each lesson given becomes a job to run, or the result it already has
(a bad lesson, a clash of outputs, a video that is up to date). Everything that can fail
without rendering fails here, before any manim process starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bpcore.errors import BpError
from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.narration.voice import Voice
from bpcore.render.failures import CommandError, describe, is_user_error, warn
from bpcore.render.jobs import RenderJob, RenderResult
from bpcore.render.keys import code_digest, render_key, up_to_date
from bpcore.render.scene import scene_file


def plan(lessons: tuple[Path, ...], out_dir: Path, quality: str, force: bool,
         voice: Voice | None = None, burn: bool = False,
         strict: bool = False) -> Iterator[RenderJob | RenderResult]:
    """For each lesson, in order: a job to run, or the result it already has (bad, up to date).

    ``voice`` overrides each lesson's own; either way it is checked here, before any render.
    Warnings about a lesson's descent are printed here; with ``strict`` they fail the lesson.
    """
    codes: dict[Path, str] = {}
    claimed: dict[Path, Path] = {}
    for path in lessons:
        try:
            lesson = Lesson.from_file(path)
            scene = scene_file(lesson)  # what the scene needs, then the descent: before rendering
            trace = trace_lesson(lesson)
            speaker = voice or lesson.narration.voice
            try:
                speaker.require()
            except BpError as exc:
                where = "--voice" if voice else "narration.voice"
                raise CommandError(f"{path}: {where}: {exc}") from None
        except Exception as exc:
            if not (is_user_error(exc) or isinstance(exc, CommandError)):
                raise
            yield RenderResult(path, "failed", error=describe(exc).removeprefix(f"{path}: "))
            continue
        if warn(trace) and strict:
            yield RenderResult(path, "failed", error="warnings fail the render with --strict")
            continue
        output = out_dir / f"{path.stem}.mp4"
        if output in claimed:
            yield RenderResult(path, "failed", error=f"same output {output} as "
                                                     f"{claimed[output]}; rename one of them")
            continue
        claimed[output] = path
        folder = scene.resolve().parent
        if folder not in codes:
            codes[folder] = code_digest(scene)
        speaker = voice or lesson.narration.voice
        if speaker.folder is not None:  # a render runs in another folder
            speaker = Voice(speaker.name, speaker.folder.absolute())
        job = RenderJob(path, lesson, scene, quality, output,
                        render_key(lesson, scene, quality, codes[folder], speaker, burn),
                        speaker, burn)
        skipped = None if force else up_to_date(job)
        yield skipped or job
