"""bpcore.outputs.publish on a real short video (ffmpeg's test pattern and a tone), checked with
ffprobe and by decoding frames: chapters, soft subtitles, burned-in captions, thumbnail."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import srt
from PIL import Image, ImageDraw

from bpcore.narration.mp4 import is_faststart
from bpcore.outputs.publish import (
    CAPTION_BAND,
    THUMBNAIL_SIZE,
    Chapter,
    PublishError,
    add_chapters,
    add_subtitles,
    burn_captions,
    make_thumbnail,
    publish,
)

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

FPS = 15
SECONDS = 6
SIZE = (854, 480)
CAPTIONS = """1
00:00:00,000 --> 00:00:02,000
The network: SSR = 2.14 × 10⁻¹⁰, with a caption long enough to wrap at 480p.

2
00:00:02,000 --> 00:00:04,500
Step size = slope × learning rate = -0.0435.

3
00:00:04,500 --> 00:00:05,400
Triple bam!
"""
CHAPTERS = [Chapter("The network", 0.0), Chapter("The hidden nodes' curves", 2.0),
            Chapter("SSR = 2.14; a title with = and ;", 4.4)]


def ffprobe(path: Path, *entries: str) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", *entries, "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def frame(video: Path, seconds: float) -> np.ndarray:
    """The frame shown at ``seconds``, as RGB values."""
    done = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(video),
                           "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                          capture_output=True, check=True)
    return np.frombuffer(done.stdout, np.uint8).reshape(SIZE[1], SIZE[0], 3).astype(float)


@pytest.fixture()
def lesson(tmp_path: Path) -> tuple[Path, Path]:
    """A 6 s 854x480 15 fps video with a sine tone, and its .srt."""
    video = tmp_path / "lesson.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"testsrc=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration={SECONDS}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    str(video)], check=True)
    captions = tmp_path / "lesson.srt"
    captions.write_text(CAPTIONS, encoding="utf-8")
    return video, captions


def test_chapters_are_inside_the_mp4_and_listed_beside_it(lesson) -> None:
    """ffprobe finds one chapter per entry, with its title and start (to the millisecond),
    each ending where the next starts and the last at the video's end; the .chapters.txt
    lists them from 0:00, each time the start rounded to the second."""
    video, _ = lesson
    listing = add_chapters(video, CHAPTERS)
    found = ffprobe(video, "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in found] == [c.title for c in CHAPTERS]
    assert [float(c["start_time"]) for c in found] == pytest.approx(
        [c.start for c in CHAPTERS], abs=1e-3)
    ends = [float(c["end_time"]) for c in found]
    assert ends[:-1] == pytest.approx([c.start for c in CHAPTERS[1:]], abs=1e-3)
    assert ends[-1] == pytest.approx(SECONDS, abs=1 / FPS)
    assert listing == video.with_suffix(".chapters.txt")
    lines = listing.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "0:00 The network"
    for line, chapter in zip(lines, CHAPTERS, strict=True):
        time, title = line.split(" ", 1)
        minutes, seconds = time.split(":")
        assert title == chapter.title
        assert abs(int(minutes) * 60 + int(seconds) - chapter.start) <= 0.5


def test_soft_subtitles_hold_the_srt_and_the_vtt_matches(lesson) -> None:
    """The mp4 gains one mov_text stream whose events, read back by ffmpeg, are the .srt's
    (times and text); video and audio stay; the .vtt beside the .srt has the same cues; a
    second run replaces the track instead of adding one."""
    video, captions = lesson
    vtt = add_subtitles(video, captions)
    add_subtitles(video, captions)
    streams = ffprobe(video, "-show_streams")["streams"]
    kinds = [(s["codec_type"], s["codec_name"]) for s in streams]
    assert ("video", "h264") in kinds and ("audio", "aac") in kinds
    assert [k for k in kinds if k[0] == "subtitle"] == [("subtitle", "mov_text")]
    back = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:s:0", "-f",
                           "srt", "-"], capture_output=True, check=True).stdout.decode()
    expected = list(srt.parse(CAPTIONS))
    got = list(srt.parse(back))
    assert [(e.start, e.end, e.content) for e in got] == \
        [(e.start, e.end, e.content) for e in expected]
    assert vtt == captions.with_suffix(".vtt")
    text = vtt.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    cues = [line for line in text.splitlines() if "-->" in line]
    assert cues == [f"{_vtt(e.start)} --> {_vtt(e.end)}" for e in expected]
    for event in expected:
        assert event.content in text


def _vtt(delta) -> str:
    ms = round(delta.total_seconds() * 1000)
    minutes, ms = divmod(ms, 60000)
    return f"{minutes:02d}:{ms // 1000:02d}.{ms % 1000:03d}"


def test_chapters_and_subtitles_survive_each_other(lesson) -> None:
    """Adding chapters after the subtitle track keeps the track, and the other way round."""
    video, captions = lesson
    add_subtitles(video, captions)
    add_chapters(video, CHAPTERS)
    assert len(ffprobe(video, "-show_chapters")["chapters"]) == len(CHAPTERS)
    assert any(s["codec_type"] == "subtitle" for s in ffprobe(video, "-show_streams")["streams"])
    add_subtitles(video, captions)
    assert len(ffprobe(video, "-show_chapters")["chapters"]) == len(CHAPTERS)
    assert is_faststart(video)  # web-ready: moov before mdat


def test_chapters_can_bring_the_sound_in_the_same_copy(lesson, tmp_path) -> None:
    """With ``audio`` (an AAC track, as the voice track is made), the video's sound is that
    track, copied (not encoded again), as long as it; picture and chapters as without."""
    video, _ = lesson
    track = tmp_path / "voice.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=220:sample_rate=24000:duration={SECONDS}", "-ac", "1",
                    "-c:a", "aac", str(track)], check=True)
    before = ffprobe(video, "-show_streams")["streams"]
    add_chapters(video, CHAPTERS, audio=track)
    streams = ffprobe(video, "-show_streams")["streams"]
    sound = [s for s in streams if s["codec_type"] == "audio"]
    assert len(sound) == 1 and sound[0]["sample_rate"] == "24000" and sound[0]["channels"] == 1
    assert abs(float(sound[0]["duration"]) - SECONDS) < 0.01
    assert [s for s in streams if s["codec_type"] == "video"][0]["nb_frames"] == \
        [s for s in before if s["codec_type"] == "video"][0]["nb_frames"]
    assert len(ffprobe(video, "-show_chapters")["chapters"]) == len(CHAPTERS)
    assert is_faststart(video)


def test_published_videos_are_faststart(lesson) -> None:
    """Chapters, subtitles and the captioned cut each leave moov before mdat, even when the
    video handed over had it last (as manim writes it)."""
    video, captions = lesson
    assert not is_faststart(video)
    add_chapters(video, CHAPTERS)
    assert is_faststart(video)
    add_subtitles(video, captions)
    assert is_faststart(video)
    assert is_faststart(burn_captions(video, captions))


def test_burned_in_captions_sit_under_the_whole_picture_and_keep_the_length(lesson) -> None:
    """The captioned cut has as many frames as the original, and sound; its upper part is
    the whole original picture, shrunk (nothing covered); while a caption runs, dark letters
    fill part of the band below it, and where none runs (after 5.4 s) the band is blank."""
    video, captions = lesson
    cut = burn_captions(video, captions)
    assert cut == video.with_name("lesson.captioned.mp4")
    count = "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"
    frames = [int(ffprobe(v, *count)["streams"][0]["nb_read_frames"]) for v in (video, cut)]
    assert frames[0] == frames[1] == SECONDS * FPS
    duration = [float(ffprobe(v, "-show_format")["format"]["duration"]) for v in (video, cut)]
    assert duration[1] == pytest.approx(duration[0], abs=1 / FPS)
    assert any(s["codec_type"] == "audio" for s in ffprobe(cut, "-show_streams")["streams"])
    inner_w = 2 * round(SIZE[0] * (1 - CAPTION_BAND) / 2)
    inner_h = 2 * round(SIZE[1] * (1 - CAPTION_BAND) / 2)
    left = (SIZE[0] - inner_w) // 2
    for seconds in (1.0, 3.0, 5.0, 5.8):
        original = Image.fromarray(frame(video, seconds).astype(np.uint8))
        shrunk = np.asarray(original.resize((inner_w, inner_h), Image.Resampling.BILINEAR),
                            dtype=float)
        picture = frame(cut, seconds)[:inner_h, left:left + inner_w]
        assert changed(picture, shrunk) < 0.01, seconds
    band = slice(inner_h + 2, None)
    for seconds in (1.0, 3.0, 5.0):
        ink = frame(cut, seconds)[band].max(axis=2) < 100
        assert ink.mean() > 0.002, seconds  # "Triple bam!" is short
    assert (frame(cut, 5.8)[band].max(axis=2) < 100).mean() == 0


def changed(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels that differ by more than two scalers and re-encoding make sharp
    colour edges differ (100 of 255; a letter on the picture differs by about 200)."""
    return float((np.abs(a - b).max(axis=2) > 100).mean())


def test_thumbnail_is_720p_with_a_title_legible_at_180p(tmp_path: Path) -> None:
    """The thumbnail is 1280x720; shrunk to 320x180, its title band is dark with white
    letters tall enough to read (a line of text over 15 px), and the still's pink curve is
    still there below it."""
    still = Image.new("RGB", SIZE, "white")
    ImageDraw.Draw(still).line([(100, 400), (400, 300), (700, 80)], fill=(224, 80, 155),
                               width=6)
    still_path = tmp_path / "05-ssr-curve.png"
    still.save(still_path)
    target = make_thumbnail(still_path, "Backpropagation main ideas: optimizing b3",
                            tmp_path / "b3.thumbnail.png")
    with Image.open(target) as image:
        assert image.size == THUMBNAIL_SIZE
        small = np.asarray(image.convert("RGB").resize((320, 180), Image.Resampling.LANCZOS),
                           dtype=float)
    light = small.mean(axis=2)
    dark_rows = np.flatnonzero(np.median(light, axis=1) < 80)
    assert dark_rows.size and dark_rows[0] == 0, "a dark band from the top"
    band = light[: dark_rows[-1] + 1]
    text_rows = np.flatnonzero((band > 200).sum(axis=1) >= 3)
    runs = np.split(text_rows, np.flatnonzero(np.diff(text_rows) > 1) + 1)
    assert max(len(run) for run in runs) >= 15, "letters at least 15 px tall at 320x180"
    below = small[dark_rows[-1] + 1:]
    pink = (below[..., 0] > 180) & (below[..., 1] < 140) & (below[..., 2] > 110)
    assert pink.sum() > 20


def test_failures_leave_the_video_as_it_was(lesson, tmp_path: Path) -> None:
    """Bad input is a one-line PublishError naming the file; the video is untouched and no
    temporary file is left behind."""
    video, captions = lesson
    before = video.read_bytes()
    broken = tmp_path / "broken.srt"
    broken.write_bytes(b"\x00\x01 not subtitles")
    with pytest.raises(PublishError) as error:
        add_subtitles(video, broken)
    assert "\n" not in str(error.value) and str(video) in str(error.value)
    with pytest.raises(PublishError, match="no such file"):
        add_chapters(tmp_path / "missing.mp4", CHAPTERS)
    with pytest.raises(PublishError, match="rise from 0"):
        add_chapters(video, [Chapter("b", 2.0), Chapter("a", 1.0)])
    assert video.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.srt", "lesson.mp4",
                                                          "lesson.srt"]


def test_publish_writes_every_file_beside_the_video(lesson, tmp_path: Path) -> None:
    """One call gives the video its chapters and subtitle track and writes the chapter list,
    the .vtt, the captioned cut (only when asked) and the thumbnail from an image."""
    video, captions = lesson
    written = publish(video, CHAPTERS, captions, Image.new("RGB", SIZE, "white"), "A title")
    names = sorted(p.name for p in written)
    assert names == ["lesson.chapters.txt", "lesson.mp4", "lesson.thumbnail.png", "lesson.vtt"]
    kinds = {s["codec_type"] for s in ffprobe(video, "-show_streams")["streams"]}
    assert "subtitle" in kinds and len(ffprobe(video, "-show_chapters")["chapters"]) == 3
    assert not video.with_name("lesson.captioned.mp4").exists()
    assert video.with_name("lesson.captioned.mp4") in publish(video, CHAPTERS, captions,
                                                              burn=True)
