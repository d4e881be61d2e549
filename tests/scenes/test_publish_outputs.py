"""What `manim -ql scenes/b3.py` writes beside the video to publish it, with no flags: the
beats as chapters in the mp4 and in a list for a video site, the captions as a soft subtitle
track and as WebVTT, and a thumbnail."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import pytest
import srt
from PIL import Image

BEATS = 8  # scenes/b3.py's beats


def probe(video: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-show_streams",
                          "-of", "json", str(video)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def video(b3_render) -> Path:
    b3_render.succeeded()
    return b3_render.video()


def section_starts(video: Path) -> list[tuple[str, float]]:
    """Each section's name and start: the frames of the section videos before it, counted by
    decoding them (manim cuts a section per beat), over the frame rate."""
    (index,) = (video.parent / "sections").glob("*.json")
    with av.open(str(video)) as container:
        rate = float(container.streams.video[0].average_rate)
    starts, frames = [], 0
    for entry in json.loads(index.read_text()):
        starts.append((entry["name"], frames / rate))
        with av.open(str(index.parent / entry["video"])) as part:
            frames += sum(1 for _ in part.decode(video=0))
    return starts


def test_chapters_are_the_beats(video: Path) -> None:
    """The mp4 holds one chapter per beat, each starting where manim's section for that beat
    starts (within one frame), titled in words."""
    chapters = probe(video)["chapters"]
    sections = section_starts(video)
    assert len(chapters) == len(sections) == BEATS
    for chapter, (name, start) in zip(chapters, sections, strict=True):
        assert abs(float(chapter["start_time"]) - start) <= 1 / 15, (chapter, name)
        assert chapter["tags"]["title"][0].isupper() and "-" not in chapter["tags"]["title"]
    assert chapters[1]["tags"]["title"] == "The hidden nodes' curves"


def test_chapter_list_for_a_video_site(video: Path) -> None:
    """<name>.chapters.txt: one "m:ss Title" a line, the first at 0:00, the times those of the
    mp4's chapters rounded to the second."""
    lines = video.with_suffix(".chapters.txt").read_text().splitlines()
    chapters = probe(video)["chapters"]
    assert len(lines) == len(chapters) and lines[0].startswith("0:00 ")
    for line, chapter in zip(lines, chapters, strict=True):
        clock, title = line.split(" ", 1)
        minutes, seconds = clock.split(":")
        assert abs(int(minutes) * 60 + int(seconds) - float(chapter["start_time"])) <= 0.5
        assert title == chapter["tags"]["title"]


def test_subtitle_track_holds_the_captions(video: Path) -> None:
    """The mp4 carries a mov_text subtitle stream whose events are the .srt's, and a .vtt
    beside it holds the same events."""
    (track,) = [s for s in probe(video)["streams"] if s["codec_type"] == "subtitle"]
    assert track["codec_name"] == "mov_text"
    inside = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:s:0",
                             "-f", "srt", "-"], capture_output=True, text=True, check=True).stdout
    sidecar = list(srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8")))
    muxed = list(srt.parse(inside))
    assert [e.content for e in muxed] == [e.content for e in sidecar]
    for a, b in zip(muxed, sidecar, strict=True):
        assert abs((a.start - b.start).total_seconds()) <= 0.002
    vtt = video.with_suffix(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and vtt.count("-->") == len(sidecar)


def test_thumbnail(video: Path) -> None:
    """<name>.thumbnail.png is 1280x720."""
    with Image.open(video.with_suffix(".thumbnail.png")) as image:
        assert image.size == (1280, 720)
