"""The videos a render writes are web-ready and look as manim's own writer would make them:
constant frame rate with the expected frame count, decoding without an error, the index
(``moov``) before the media data, and held frames the same picture as before issue 23."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from manim import RIGHT, Circle, Create, Dot, Scene, tempconfig

from bpcore.narration.mp4 import is_faststart

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.renderer import LessonRenderer  # noqa: E402
from kit.writer import LessonFileWriter  # noqa: E402

FPS = 5
#: issue 23's bound on the new encoding against manim's default settings.
MIN_SSIM = 0.99


class Held(Scene):
    """Two short animations around long holds: mostly repeated frames, like a narrated lesson."""

    def construct(self) -> None:
        self.play(Create(Circle()), run_time=1)
        self.wait(2)
        self.play(Dot().animate.shift(RIGHT), run_time=1)
        self.wait(1)


SECONDS = 5
#: The project's writer's frame counts for Held (LessonFileWriter.frame_counts).
COUNTS: dict[str, float] = {}


def render_held(media: Path, ours: bool) -> Path:
    settings = {"media_dir": str(media), "quality": "low_quality", "frame_rate": FPS,
                "disable_caching": True, "progress_bar": "none", "save_sections": True,
                "verbosity": "WARNING"}
    with tempconfig(settings):
        renderer = {"renderer": LessonRenderer(file_writer_class=LessonFileWriter)} if ours else {}
        scene = Held(**renderer)
        scene.render()
        if ours:
            COUNTS.update(scene.renderer.file_writer.frame_counts)
        return Path(scene.renderer.file_writer.movie_file_path)


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same small scene written by the project's writer and by manim's own."""
    return (render_held(tmp_path_factory.mktemp("ours"), True),
            render_held(tmp_path_factory.mktemp("manim"), False))


def video_stream(video: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=codec_name,pix_fmt,r_frame_rate,"
                          "avg_frame_rate,nb_read_frames,duration", "-of", "json", str(video)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"][0]


def assert_web_ready(video: Path, fps: int) -> None:
    """H.264 yuv420p, constant frame rate, frame count = duration x fps, decodes cleanly,
    moov before mdat."""
    stream = video_stream(video)
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    assert stream["r_frame_rate"] == stream["avg_frame_rate"] == f"{fps}/1"
    assert int(stream["nb_read_frames"]) == round(float(stream["duration"]) * fps)
    errors = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(video), "-f", "null",
                             "-"], capture_output=True, text=True, check=True).stderr
    assert errors == ""
    assert is_faststart(video), f"{video.name}: moov comes after mdat"


def ssim(a: Path, b: Path) -> float:
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", str(a), "-i", str(b), "-lavfi", "ssim",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    return float(re.search(r"All:([0-9.]+)", out).group(1))


def test_the_written_video_is_web_ready(held):
    """The project's writer writes a CFR, cleanly decoding, faststart mp4 of the scene's length."""
    ours, _ = held
    assert_web_ready(ours, FPS)
    assert int(video_stream(ours)["nb_read_frames"]) == SECONDS * FPS


def test_section_videos_are_web_ready(held):
    """Each section video is web-ready too (the slides are made from them)."""
    ours, _ = held
    sections = sorted((ours.parent / "sections").glob("*.mp4"))
    assert sections
    for section in sections:
        assert_web_ready(section, FPS)


def test_held_frames_show_what_manims_writer_shows(held):
    """Converting a held frame once and the faster x264 preset change the picture by less than
    the SSIM bound: every frame of the two videos compared."""
    ours, manims = held
    assert video_stream(ours)["nb_read_frames"] == video_stream(manims)["nb_read_frames"]
    assert ssim(ours, manims) >= MIN_SSIM


def test_waits_are_written_as_copies_of_one_p_frame(held):
    """Both waits of Held show one picture: x264 encodes two frames of each (IDR, skipped P),
    the other frames are that P frame again (kit/encoding.py's hold_packets)."""
    assert COUNTS["copied"] == (2 * FPS - 2) + (1 * FPS - 2)


def test_partial_movies_concatenate_at_a_constant_frame_rate(held, tmp_path):
    """manim-slides joins the partial movies with ffmpeg's concat demuxer, trusting their
    timestamps: a hold written as copies is timed as x264 times its own packets."""
    from manim_slides.utils import concatenate_video_files

    ours, _ = held
    parts = sorted((ours.parent / "partial_movie_files" / "Held").glob("*.mp4"))
    assert len(parts) == 4
    joined = tmp_path / "slides.mp4"
    concatenate_video_files(parts, joined)
    stream = video_stream(joined)
    assert stream["r_frame_rate"] == stream["avg_frame_rate"] == f"{FPS}/1"
    assert int(stream["nb_read_frames"]) == SECONDS * FPS


def test_b3_video_is_web_ready(b3_render):
    """The narrated b3 render (video, audio, chapters, subtitles) is CFR and faststart."""
    b3_render.succeeded()
    video = b3_render.video()
    rate = video_stream(video)["avg_frame_rate"]
    assert_web_ready(video, int(rate.split("/")[0]))


def test_waits_and_animations_are_encoded_under_the_same_headers():
    """A wait's partial movie is encoded with cheaper searches than an animation's, and the
    two are joined by copying packets under the first movie's SPS and PPS: both settings must
    write the same ones."""
    import av
    import numpy as np

    from kit.encoding import HOLD_X264_OPTIONS, X264_OPTIONS

    def headers(options: dict) -> bytes:
        container = av.open(str(Path("/dev/null")), mode="w", format="mp4")
        stream = container.add_stream("libx264", rate=FPS, options=dict(options))
        stream.pix_fmt, stream.width, stream.height = "yuv420p", 64, 48
        frame = av.VideoFrame.from_ndarray(np.full((48, 64, 4), 200, np.uint8), format="rgba")
        for packet in stream.encode(frame.reformat(format="yuv420p")):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        extradata = bytes(stream.codec_context.extradata)
        container.close()
        return extradata

    assert HOLD_X264_OPTIONS != X264_OPTIONS
    assert headers(HOLD_X264_OPTIONS) == headers(X264_OPTIONS)
