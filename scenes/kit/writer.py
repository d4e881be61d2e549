"""The project's file writer: manim's, encoding with kit/encoding.py, then finishing a lesson
video for publishing.

:class:`LessonFileWriter` joins the partial movies at exact frame times, lays the voice track
down as the clips come, and writes chapters, captions, the thumbnail and the section videos.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import av
from manim import config, logger
from manim.scene.scene_file_writer import (
    SceneFileWriter,
    to_av_frame_rate,
)
from manim.utils.file_ops import write_to_movie

from bpcore.errors import BpError
from bpcore.narration import audio
from bpcore.narration.ffmpeg import faststart
from bpcore.narration.laying import Layer
from bpcore.outputs.publish import Chapter, publish
from bpcore.resources import cache_dir
from kit.encoding import (
    ENCODERS_AT_ONCE,
    HOLD_X264_OPTIONS,
    X264_DTS_DELAY,
    X264_OPTIONS,
    HeldFrameEncodeJob,
    backlog_slots,
)

if TYPE_CHECKING:
    from kit.lesson_scene import LessonScene



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
    #: Summed over the partial movies, for bench/render.py: frames converted, frames repeated,
    #: frames of holds written as copies (not encoded), seconds converting, seconds encoding
    #: (in the encoder threads).
    frame_counts: dict[str, float]

    def __init__(self, *args, **kwargs) -> None:
        self.frame_counts = {"converted": 0, "repeated": 0, "copied": 0, "convert_s": 0.0,
                             "encode_s": 0.0}
        #: The frames all partial movies may hold waiting for their encoders (FrameBacklog).
        self._backlog_slots = backlog_slots(config.pixel_width, config.pixel_height)
        #: Turns to encode (ENCODERS_AT_ONCE), taken in the order the partial movies came.
        self._encoder_turns = threading.Semaphore(ENCODERS_AT_ONCE)
        #: The voice track being laid down while the scene draws (:meth:`lay_voice`): its
        #: process, and the steps handed to the voice-track thread.
        self._laying: tuple[Layer, list[Future]] | None = None
        #: How many of the scene's placed clips have been handed to the track.
        self._laid = 0
        super().__init__(*args, **kwargs)

    #: True: encode as manim does (bench/render.py's reference for SSIM and sizes).
    manims_encoding = False

    def open_partial_movie_stream(self, file_path=None) -> None:
        """Manim's partial movie, encoded by :class:`HeldFrameEncodeJob` with
        :data:`X264_OPTIONS` (:data:`HOLD_X264_OPTIONS` for a wait); webm and transparent
        videos are left to manim."""
        if config.movie_file_extension != ".mp4" or config.transparent or self.manims_encoding:
            return super().open_partial_movie_stream(file_path)
        if file_path is None:
            file_path = self.partial_movie_files[self.renderer.num_plays]
        if str(file_path) in self._inflight_by_path:
            self._join_job_and_drain_on_failure(self._inflight_by_path[str(file_path)])
        self.partial_movie_file_path = file_path
        container = av.open(file_path, mode="w")
        stream = container.add_stream("libx264", rate=to_av_frame_rate(config.frame_rate),
                                      options=dict(HOLD_X264_OPTIONS if getattr(
                                          self.renderer, "holding", False) else X264_OPTIONS))
        stream.pix_fmt = "yuv420p"
        stream.width, stream.height = config.pixel_width, config.pixel_height
        self._current_encode_job = HeldFrameEncodeJob(
            path=file_path, animation_index=self.renderer.num_plays, container=container,
            stream=stream, hold=getattr(self.renderer, "holding", False),
            slots=self._backlog_slots, turns=self._encoder_turns)

    def close_partial_movie_stream(self) -> None:
        """Manim's, with only the drawn partial movies counted against
        ``max_inflight_encoders``: a wait showing one picture (:attr:`HeldFrameEncodeJob.holding`)
        encodes two frames when it ends and holds one frame till then, so it takes no place
        in flight; those that have ended are joined here. Counted as manim counts them, the
        waits between a narrated lesson's animations left room for fewer animations in
        flight: b3 -ql's scene waited 2.4-2.9 s for the encoders, 1.2-1.4 s with this. The
        time spent joining counts as waiting for the encoders."""
        started = time.perf_counter()
        job = self._current_encode_job
        if not isinstance(job, HeldFrameEncodeJob):  # webm, transparent: manim's own
            super().close_partial_movie_stream()
        else:
            job.seal()
            self._inflight_encode_jobs.append(job)
            self._inflight_by_path[str(job.path)] = job
            self._current_encode_job = None
            jobs = self._inflight_encode_jobs
            for held in [j for j in jobs if _holding(j) and not j.thread.is_alive()]:
                self._join_job_and_drain_on_failure(held)
            while len(drawn := [j for j in jobs if not _holding(j)]) >= \
                    config.max_inflight_encoders:
                self._join_job_and_drain_on_failure(drawn[0])
        if hasattr(self.renderer, "hand_seconds"):
            self.renderer.hand_seconds += time.perf_counter() - started

    def _join_job(self, job) -> None:
        super()._join_job(job)
        if isinstance(job, HeldFrameEncodeJob) and not getattr(job, "counted", False):
            job.counted = True
            counts = self.frame_counts
            counts["converted"] += job.converted
            counts["repeated"] += job.repeated
            counts["copied"] += job.copied
            counts["convert_s"] += job.convert_seconds
            counts["encode_s"] += job.encode_seconds

    def combine_to_movie(self) -> None:
        """Manim's, with the section videos joined at the same time in another thread: a join
        is mostly reading and writing packets in libav, which lets go of the GIL (b3 -qm,
        load 8: 1.0 s for the movie, 1.6 s for the sections, one after the other before)."""
        if config.save_sections:
            pool = ThreadPoolExecutor(1, thread_name_prefix="section-videos")
            self._sections_joined = pool.submit(super().combine_to_section_videos)
            pool.shutdown(wait=False)
        super().combine_to_movie()

    def combine_to_section_videos(self) -> None:
        """Waits for the section videos begun beside the movie (:meth:`combine_to_movie`)."""
        joined: Future | None = getattr(self, "_sections_joined", None)
        if joined is None:
            return super().combine_to_section_videos()
        self._sections_joined = None
        return joined.result()

    def combine_files(self, input_files, output_file, create_gif=False,
                      includes_sound=False) -> None:
        """The partial movies joined (PyAV, packets copied) at exact frame times, the index
        written first (faststart, so a browser plays the mp4
        while it downloads); used for the movie and each section video.

        Each partial movie starts where the frames before it end (frames x one frame's
        ticks). Manim's own join let libav guess the dts: narrated b3 came out 4 ms short of
        its 6407 frames (avg_frame_rate 32803840/2186901, not 15/1); ffmpeg's concat demuxer
        adds the partial movies' container durations instead, 0.2 s too long over b3.
        """
        output_file = Path(output_file)
        if create_gif or output_file.suffix != ".mp4" or includes_sound:
            super().combine_files(input_files, output_file, create_gif, includes_sound)
            if output_file.suffix == ".mp4":
                faststart(output_file)
            return
        try:
            self._join_at_frame_times(input_files, output_file)
        except av.error.FFmpegError as exc:  # e.g. a deeper B-frame delay: manim's join
            logger.warning(f"{output_file.name}: exact join failed ({exc}); manim's join")
            super().combine_files(input_files, output_file, create_gif, includes_sound)
            faststart(output_file)

    @staticmethod
    def _join_at_frame_times(input_files, output_file: Path) -> None:
        with av.open(str(input_files[0])) as first:
            template = first.streams.video[0]
            with av.open(str(output_file), mode="w",
                         options={"movflags": "+faststart"}) as target:
                out = target.add_stream_from_template(template=template)
                start = 0  # where this partial movie begins, in its time base
                count = 0  # packets written
                for path in input_files:
                    with av.open(str(path)) as source:
                        stream = source.streams.video[0]
                        tick = round(1 / (to_av_frame_rate(config.frame_rate)
                                          * stream.time_base))
                        frames = 0
                        for packet in source.demux(stream):
                            if packet.dts is None:  # demux's flushing packet
                                continue
                            packet.pts += start
                            # One frame apart throughout, two frames behind as x264's
                            # B-frames need (a one-frame movie has none: its dts is its pts).
                            packet.dts = (count - X264_DTS_DELAY) * tick
                            count += 1
                            packet.duration = tick
                            packet.stream = out
                            target.mux(packet)
                            frames += 1
                        start += frames * tick

    def lay_voice(self, scene: LessonScene) -> None:
        """Lay down the clips ``scene`` placed since the last call, and encode them, in the
        background while the scene goes on drawing (called as each caption is placed).

        Only a render that synthesized a clip does so: its track cannot be in the cache,
        while one whose clips were all cached most likely finds its track there too, and
        :meth:`start_voice_track` looks for it first. From the first synthesized clip on, the
        clips placed so far and each one after are set to the loudness target
        (bpcore.narration.audio.Track) and their samples, once final, go to one AAC encoder
        (audio.Encoder), both in a process of their own (bpcore.narration.laying), so the
        end of the render is left with the last clip, the mux and the copy into the cache.
        A thread hands the clips over, so the scene never waits on the pipe.
        """
        if self._laying is None:
            if not scene.narrator.synthesized or not write_to_movie():
                return
            self._voice_pool = ThreadPoolExecutor(1, thread_name_prefix="voice-track")
            self._laying = (_new_track(), [])
        layer, steps = self._laying
        placed, self._laid = scene.voice_track[self._laid:], len(scene.voice_track)
        if placed:
            steps.append(self._voice_pool.submit(_lay, layer, placed))

    def start_voice_track(self, scene: LessonScene) -> None:
        """Hand over ``scene`` and finish its voice track in the background.

        The track needs only the clips and their times, all known when the scene ends, and
        each clip's loudness, measured as it was made (bpcore.narration.audio.clip_levels):
        what is left of laying them down (all of it, when no clip was synthesized and the
        track is not in the cache) runs while the partial movies are joined into the movie
        and the section videos; :meth:`finish` copies the track in (with the chapters) when both
        are done.
        """
        self.scene = scene
        if not scene.voice_track or not write_to_movie():
            return
        if self._laying is None:
            self._voice_pool = ThreadPoolExecutor(1, thread_name_prefix="voice-track")
            self._voice_future = self._voice_pool.submit(
                self._build_voice_track, list(scene.voice_track), scene.time)
            return
        self.lay_voice(scene)
        layer, steps = self._laying
        self._voice_future = self._voice_pool.submit(
            _finish_laying, layer, steps, list(scene.voice_track), scene.time)

    @staticmethod
    def _build_voice_track(placements, seconds: float) -> tuple[Path, float, bool]:
        """The track (at the loudness target, AAC), the seconds it took, and whether it is a
        temporary file.

        A track is kept in the shared cache (``voicetrack``), named for what it is made of
        (:func:`_kept_track`). Re-rendering a lesson whose narration has not changed (a
        teacher adjusting the picture) reuses it instead of laying the clips down again.
        """
        started = time.perf_counter()
        kept = _kept_track(placements, seconds)
        if kept.is_file():
            return kept, time.perf_counter() - started, False
        layer = _new_track()
        _lay(layer, placements)
        return _finish_laying(layer, [], placements, seconds, started)

    def finish(self) -> None:
        super().finish()
        counts, renderer = self.frame_counts, self.renderer
        # One line bench/render.py reads: what drawing and writing the frames cost.
        logger.info(f"Frames: {counts['converted']} converted, {counts['repeated']} repeated; "
                    f"{getattr(renderer, 'draw_seconds', 0.0):.1f} s drawing, "
                    f"{getattr(renderer, 'hand_seconds', 0.0):.1f} s waiting for encoders, "
                    f"{counts['convert_s']:.1f} s converting, {counts['encode_s']:.1f} s "
                    f"encoding; {getattr(renderer, 'frames_not_redrawn', 0)} frames not "
                    f"redrawn, {getattr(renderer.camera, 'paths_reused', 0)} outlines reused, "
                    f"{getattr(renderer.camera, 'paths_traced', 0)} traced; "
                    f"{counts['copied']} held frames copied")
        scene = self.scene
        if scene is None or not write_to_movie() or not self.movie_file_path.is_file():
            return  # slides, a dry run, or a scene without animations
        video = self.movie_file_path
        voice, temporary = None, False
        if scene.voice_track:
            started = time.perf_counter()
            future: Future | None = getattr(self, "_voice_future", None)
            if future is None:  # not started at tear_down: build it now
                self.start_voice_track(scene)
                future = self._voice_future
            voice, built, temporary = future.result()
            self._voice_pool.shutdown()
            # One line bench/render.py reads: what narration cost this render. The track
            # was built beside the joining; what the render waited for is the rest. (It goes
            # into the video with the chapters, in the same copy.)
            narrator = scene.narrator
            logger.info(f"Narration: {len(scene.voice_track)} clips, {narrator.synthesized} "
                        f"synthesized in {narrator.synthesis_seconds:.1f} s, the scene waited "
                        f"{scene.voice_wait:.1f} s for them; voice track finished in "
                        f"{time.perf_counter() - started:.1f} s (built in {built:.1f} s "
                        f"beside the joining)")
        try:
            publish(video, [Chapter(title, start) for title, start in scene.chapters],
                    video.with_suffix(".srt"), scene.thumbnail, scene.lesson.title,
                    burn=scene.settings.burn_captions, audio=voice)
        except BpError as exc:
            from kit.lesson_scene import stop  # lesson_scene imports this module

            stop(str(exc))
        finally:
            if temporary:
                shutil.rmtree(voice.parent, ignore_errors=True)


def _holding(job) -> bool:
    return isinstance(job, HeldFrameEncodeJob) and job.holding


def _new_track() -> Layer:
    """An empty voice track, laid down and encoded into a scratch folder of its own."""
    return Layer(Path(tempfile.mkdtemp(prefix="bp-voice-")) / "voice.m4a")


def _lay(layer: Layer, placements) -> None:
    """Hand each clip of ``placements`` (start, clip) to the track."""
    for start, clip in placements:
        layer.place(start, clip)


def _kept_track(placements, seconds: float) -> Path:
    """Where the shared cache keeps the voice track of ``placements`` (start, clip) lasting
    ``seconds``: named for each clip's bytes and start, the length, and
    bpcore/narration/audio.py's source (its loudness targets and limiter)."""
    digest = hashlib.sha256(inspect.getsource(audio).encode())
    digest.update(repr(round(seconds, 6)).encode())
    for start, clip in placements:
        digest.update(repr(round(start, 6)).encode())
        digest.update(hashlib.sha256(Path(clip).read_bytes()).digest())
    return cache_dir("voicetrack") / f"{digest.hexdigest()}.m4a"


def _finish_laying(layer: Layer, steps: list[Future], placements, seconds: float,
                   started: float | None = None) -> tuple[Path, float, bool]:
    """End the track at ``seconds``, wait for its file and keep it in the shared cache: the
    track (AAC, temporary), the seconds this took (since ``started``, else since now), True.
    A step that failed on the way fails here, with its own error (the track's process, ended
    all the same, may fail too for want of that step)."""
    started = time.perf_counter() if started is None else started
    try:
        for step in steps:  # done already: one thread runs them in turn
            step.result()
    except BaseException:
        with contextlib.suppress(Exception):
            layer.finish(seconds)
        raise
    loud = layer.finish(seconds)
    kept = _kept_track(placements, seconds)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        part = kept.with_name(f"{kept.stem}.{os.getpid()}.part")
        shutil.copyfile(loud, part)
        os.replace(part, kept)
    except OSError:  # a read-only cache: the next render builds it again
        pass
    return loud, time.perf_counter() - started, True
