"""What one lesson's render is (:class:`RenderJob`) and how it ended (:class:`RenderResult`).

Both are plain frozen records that pickle, as they must to reach a Dask worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bpcore.lesson.file import Lesson
from bpcore.narration.voice import Voice
from bpcore.render.outputs import PUBLISHED, sidecar_path


@dataclass(frozen=True)
class RenderJob:
    """One lesson to render: everything a worker needs, computed before it starts."""

    lesson_path: Path
    lesson: Lesson
    scene: Path
    quality: str
    output: Path
    key: str
    voice: Voice | None = None
    burn: bool = False

    @property
    def captions(self) -> Path:
        return self.output.with_suffix(".srt")

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.output)

    @property
    def extras(self) -> tuple[Path, ...]:
        """The files a render writes beside the video and captions, for publishing."""
        made = [self.output.with_suffix(s) for s in PUBLISHED]
        return (*made, self.output.with_suffix(".captioned.mp4")) if self.burn else tuple(made)


@dataclass(frozen=True)
class RenderResult:
    """How one lesson ended: ``rendered``, ``skipped`` (up to date) or ``failed``."""

    lesson_path: Path
    status: str
    output: Path | None = None
    video_seconds: float | None = None
    render_seconds: float | None = None
    error: str = ""
