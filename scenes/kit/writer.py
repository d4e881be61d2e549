"""The project's renderer and file writer: what manim draws and writes, minus its waste.

:class:`LessonRenderer` skips the drawing that a skipped animation throws away;
:class:`LessonFileWriter` finishes a lesson video for publishing (voice, chapters, captions).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from manim import Scene, logger
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.utils.file_ops import write_to_movie

from bpcore.audio import assemble, normalize
from bpcore.errors import BpError
from bpcore.publish import Chapter, publish

if TYPE_CHECKING:
    from kit.lesson_scene import LessonScene


class LessonRenderer(CairoRenderer):
    """Manim's Cairo renderer, without the drawing that a skipped animation throws away.

    While animations are skipped (``--dry_run``, ``bp script``, the plays before ``-n``),
    manim still draws each play's still background and its last frame, then writes neither.
    A lesson scene draws the frames it keeps (stills, the thumbnail) when it takes them, so
    those drawings were only lost time: about a fifth of a dry run.
    """

    def save_static_frame_data(self, scene: Scene, static_mobjects) -> None:
        if self.skip_animations:
            self.static_image = None
            return None
        return super().save_static_frame_data(scene, static_mobjects)

    def render(self, scene: Scene, time: float, moving_mobjects=None) -> None:
        if not self.skip_animations:
            super().render(scene, time, moving_mobjects)


class LessonFileWriter(SceneFileWriter):
    """Manim's file writer, then what makes a lesson video ready to publish.

    Once manim has written the movie and its captions: the narration clips are laid at their
    times, set to published-video loudness and muxed in as AAC; the beats become the mp4's
    chapters (and ``<name>.chapters.txt``); the captions a soft subtitle track (and
    ``<name>.vtt``); the thumbnail beat's still ``<name>.thumbnail.png``. With
    ``BP_BURN_CAPTIONS=1``, ``<name>.captioned.mp4`` has the captions drawn in.
    """

    #: The scene being written, handed over when it ends (none for slides).
    scene: LessonScene | None = None

    def finish(self) -> None:
        super().finish()
        scene = self.scene
        if scene is None or not write_to_movie() or not self.movie_file_path.is_file():
            return  # slides, a dry run, or a scene without animations
        video = self.movie_file_path
        if scene.voice_track:
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as scratch:
                raw, loud = Path(scratch) / "voice.wav", Path(scratch) / "loud.wav"
                assemble(scene.voice_track, scene.time, raw)
                normalize(raw, loud, video)
            # One line bench/render.py reads: what narration cost this render.
            narrator = scene.narrator
            logger.info(f"Narration: {len(scene.voice_track)} clips, {narrator.synthesized} "
                        f"synthesized in {narrator.synthesis_seconds:.1f} s, the scene waited "
                        f"{scene.voice_wait:.1f} s for them; voice track finished in "
                        f"{time.perf_counter() - started:.1f} s")
        try:
            publish(video, [Chapter(title, start) for title, start in scene.chapters],
                    video.with_suffix(".srt"), scene.thumbnail, scene.lesson.title,
                    burn=os.environ.get("BP_BURN_CAPTIONS") == "1")
        except BpError as exc:
            from kit.lesson_scene import stop  # lesson_scene imports this module

            stop(str(exc))
