"""One render job, start to end: manim in a work folder beside the output, then the video, its
captions and extras copied into place, then the sidecar record that vouches for them.

:func:`run_job` is what runs on a worker: a local thread driving its manim process, or a Dask
worker. Any failure comes back as a ``failed`` :class:`~bpcore.render.jobs.RenderResult`.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bpcore.files import atomic_write
from bpcore.render.failures import CommandError, describe, is_user_error
from bpcore.render.jobs import RenderJob, RenderResult
from bpcore.render.keys import up_to_date
from bpcore.render.outputs import install, output_lock, work_prefix
from bpcore.render.scene import QUALITIES, run_manim
from bpcore.settings import scene_environ


def video_seconds(video: Path) -> float | None:
    """A video's length in seconds (None if it cannot be read)."""
    try:
        import av  # comes with manim; read only the container's header

        with av.open(str(video)) as container:
            if container.duration is not None:
                return container.duration / av.time_base
    except Exception:  # noqa: BLE001 - a length is a nicety; never fail a render over it
        return None
    return None


def find_video(media_dir: Path, scene: Path, quality: str) -> Path:
    """The video manim wrote for ``scene`` into ``media_dir``."""
    folder = media_dir / "videos" / scene.stem / QUALITIES[quality]
    videos = sorted(p for p in folder.glob("*.mp4") if not p.name.endswith(".captioned.mp4"))
    if len(videos) != 1:
        found = ", ".join(p.name for p in videos) or "none"
        raise CommandError(f"{scene}: expected one video from manim in {folder}, found {found}")
    return videos[0]


def install_outputs(job: RenderJob, video: Path, captions: Path | None, seconds: float | None,
                    took: float) -> None:
    """Move a finished render into place: video, captions, extras, then the sidecar that vouches.

    (Not to be confused with :func:`bpcore.outputs.publish.publish`, which muxes a video's audio,
    chapters and subtitles.)
    """
    job.sidecar.unlink(missing_ok=True)  # outputs being replaced are not up to date
    install(video, job.output)
    if captions is not None:
        install(captions, job.captions)
    else:
        job.captions.unlink(missing_ok=True)
    for extra in job.extras:
        made = video.with_name(video.stem + extra.name.removeprefix(job.output.stem))
        if made.is_file():
            install(made, extra)
        else:
            extra.unlink(missing_ok=True)
    record = {"key": job.key, "lesson": str(job.lesson_path), "scene": job.scene.name,
              "quality": job.quality, "video_seconds": seconds, "render_seconds": round(took, 1),
              "captions": captions is not None,
              "rendered_at": datetime.now(UTC).isoformat(timespec="seconds")}
    atomic_write(job.sidecar, json.dumps(record, indent=2) + "\n")


def run_job(job: RenderJob, on_line: Callable[[str], None] | None = None,
            on_wait: Callable[[str], None] | None = None) -> RenderResult:
    """Render one lesson and install it; any failure comes back as a ``failed`` result.

    It holds the output's lock throughout; when it had to wait for another render of the same
    output that left it up to date, it skips.
    """
    start = time.monotonic()
    try:
        with output_lock(job.output, on_wait) as waited:
            done = up_to_date(job) if waited else None
            if done is not None:
                return done
            # The work folder sits beside the output, so the next render can remove it after
            # a kill -9 (a folder in /tmp would stay until reboot).
            with tempfile.TemporaryDirectory(dir=job.output.parent, suffix=".work",
                                             prefix=work_prefix(job.output)) as work:
                media = Path(work) / "media"
                env = scene_environ(voice=job.voice, burn_captions=job.burn)
                run_manim(job.lesson_path, job.lesson, job.quality, media, env,
                          scene=job.scene, on_line=on_line)
                video = find_video(media, job.scene, job.quality)
                captions = video.with_suffix(".srt")
                seconds = video_seconds(video)
                took = time.monotonic() - start
                install_outputs(job, video, captions if captions.is_file() else None, seconds,
                                took)
    except Exception as exc:  # noqa: BLE001 - one lesson's failure must not stop the others
        message = describe(exc) if is_user_error(exc) or isinstance(exc, CommandError) \
            else f"{type(exc).__name__}: {exc}"
        return RenderResult(job.lesson_path, "failed", render_seconds=time.monotonic() - start,
                            error=message.removeprefix(f"{job.lesson_path}: "))
    return RenderResult(job.lesson_path, "rendered", job.output, seconds, took)
