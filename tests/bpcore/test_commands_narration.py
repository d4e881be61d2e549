"""Narration through the commands: bp render --voice, the clip cache, a teacher's own
recordings, and bp script. Renders use the two-beat tiny scene (fixtures/scenes/tiny.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
import srt
from click.testing import CliRunner

from bpcore.cli import bp

FIXTURES = Path(__file__).parent / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lesson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny lesson, rendered by the tiny scene, with its own clip cache."""
    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))
    monkeypatch.setenv("BP_VOICE_CACHE", str(tmp_path / "voice-cache"))
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(bp, list(args))


def audio_streams(video: Path) -> list[dict]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
                          "stream=codec_name,duration", "-of", "json", str(video)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"]


def events(video: Path) -> list[srt.Subtitle]:
    return list(srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8")))


def test_unknown_voice_fails_at_once_in_one_line(lesson: Path, tmp_path: Path) -> None:
    """--voice with a name that is no voice: exit 2, one line naming the choices, no render."""
    result = invoke("render", str(lesson), "--voice", "robot", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "unknown voice 'robot'" in result.stderr and "festival" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_voice_whose_program_is_missing_fails_before_rendering(lesson: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    """A voice whose synthesizer is not installed is reported per lesson before any render,
    with the package to install."""
    monkeypatch.setenv("PATH", "/nonexistent")
    result = invoke("render", str(lesson), "--voice", "flite", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "apt-get install flite" in result.stderr
    assert not list((tmp_path / "out").glob("*.mp4"))


def scene_render(lesson: Path, media: Path, voice: str) -> subprocess.CompletedProcess:
    """``manim -ql`` of the tiny scene on ``lesson`` with ``voice``, as a user types it."""
    env = {**os.environ, "BP_LESSON": str(lesson), "BP_VOICE": voice}
    return subprocess.run(
        [sys.executable, "-m", "manim", "render", "-ql", "--progress_bar", "none", "--silent",
         "--media_dir", str(media), str(FIXTURES / "scenes" / "tiny.py")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.render
def test_second_render_synthesizes_nothing(lesson: Path, tmp_path: Path) -> None:
    """The first narrated render fills the clip cache; the second finds every clip there and
    writes nothing to it, and its video speaks all the same."""
    cache = tmp_path / "voice-cache"
    first = scene_render(lesson, tmp_path / "one", "festival")
    assert first.returncode == 0, first.stderr[-2000:]
    made = {p: p.stat().st_mtime_ns for p in cache.rglob("*.wav")}
    assert len(made) >= 2  # one clip per subtitle event at least
    second = scene_render(lesson, tmp_path / "two", "festival")
    assert second.returncode == 0, second.stderr[-2000:]
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*.wav")} == made
    (video,) = [v for v in (tmp_path / "two").rglob("*.mp4")
                if "partial_movie_files" not in v.parts and "sections" not in v.parts]
    assert audio_streams(video)


@pytest.mark.render
def test_voice_none_gives_no_audio_stream(lesson: Path, tmp_path: Path) -> None:
    """bp render --voice none: the video has no audio stream, and its captions are there."""
    out = tmp_path / "out"
    result = invoke("render", str(lesson), "-q", "l", "--voice", "none", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert audio_streams(out / "tiny.mp4") == []
    assert "b3 ends at 2.61." in (out / "tiny.srt").read_text(encoding="utf-8")


def write_tone(path: Path, seconds: float, hz: float, rate: int = 22050) -> None:
    t = np.arange(int(seconds * rate)) / rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((0.3 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes())


def dominant_frequency(video: Path, start: float, end: float) -> float:
    rate = 8000
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(start), "-to", str(end), "-i",
                          str(video), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    samples = np.frombuffer(raw, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.render
def test_recorded_clip_replaces_the_voice_and_sets_the_hold(lesson: Path,
                                                            tmp_path: Path) -> None:
    """recorded:DIR: the teacher's WAV for clip 02-result-01 is what the video plays while
    that caption shows, its length (4 s, far longer than the 0.5 s animation) sets how long
    the picture holds, and its .txt replaces the caption; the clip with no recording is
    spoken by the default voice and named in a warning."""
    takes = tmp_path / "takes"
    takes.mkdir()
    write_tone(takes / "02-result-01.wav", 4.0, 440.0)
    (takes / "02-result-01.txt").write_text("In my words: b3 settles.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("render", str(lesson), "-q", "l", "--voice", f"recorded:{takes}",
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "01-title-01" in result.stderr and "warning" in result.stderr
    video = out / "tiny.mp4"
    mine = [e for e in events(video) if "In my words" in e.content]
    assert len(mine) == 1 and "b3 ends at" not in (out / "tiny.srt").read_text()
    start, end = mine[0].start.total_seconds(), mine[0].end.total_seconds()
    assert end - start >= 4.0
    assert dominant_frequency(video, start + 0.5, start + 3.5) == pytest.approx(440, abs=5)
    first = events(video)[0]  # the title, spoken by Festival: speech, not a tone
    assert dominant_frequency(video, 0.0, first.end.total_seconds()) != pytest.approx(440,
                                                                                      abs=5)


@pytest.mark.render
def test_a_broken_recording_stops_the_render_in_one_line(lesson: Path, tmp_path: Path) -> None:
    """A take that is not audio fails while the scene draws (clips are made beside the
    drawing): the render still ends with one line naming the file, and leaves no video."""
    takes = tmp_path / "takes"
    takes.mkdir()
    (takes / "02-result-01.wav").write_text("not a recording", encoding="utf-8")
    done = scene_render(lesson, tmp_path / "media", f"recorded:{takes}")
    assert done.returncode == 2, done.stderr[-2000:]
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("error:")]
    assert "02-result-01.wav" in line and "Traceback" not in done.stderr
    assert not [v for v in (tmp_path / "media").rglob("*.mp4")
                if "partial_movie_files" not in v.parts]


def test_script_lists_each_clip_with_its_spoken_form(lesson: Path, tmp_path: Path) -> None:
    """bp script writes Markdown and JSON: every clip's id, caption and spoken words."""
    result = invoke("script", str(lesson), "-o", str(tmp_path / "scripts"))
    assert result.exit_code == 0, result.output
    script = json.loads((tmp_path / "scripts" / "tiny.script.json").read_text())
    clips = [c for beat in script["beats"] for c in beat["clips"]]
    assert [c["id"] for c in clips] == ["01-title-01", "02-result-01"]
    assert clips[1]["caption"] == "b3 ends at 2.61." and clips[1]["spoken"] == "b 3 ends at 2.61."
    markdown = (tmp_path / "scripts" / "tiny.script.md").read_text()
    assert "**02-result-01**" in markdown and "b 3 ends at 2.61." in markdown


@pytest.mark.render
def test_render_publishes_beside_the_video(lesson: Path, tmp_path: Path) -> None:
    """bp render --burn-captions: beside the narrated video, its .vtt, chapter list and
    thumbnail, and a captioned cut as long as the video; the mp4 holds chapters and a
    subtitle track."""
    out = tmp_path / "out"
    result = invoke("render", str(lesson), "-q", "l", "--voice", "none", "--burn-captions",
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    for suffix in (".vtt", ".chapters.txt", ".thumbnail.png", ".captioned.mp4"):
        assert (out / f"tiny{suffix}").is_file(), suffix
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_streams", "-show_format",
         "-of", "json", str(out / "tiny.mp4")], capture_output=True, text=True,
        check=True).stdout)
    assert [c["tags"]["title"] for c in probe["chapters"]] == ["Title", "Result"]
    assert any(s["codec_name"] == "mov_text" for s in probe["streams"])
    cut = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(out / "tiny.captioned.mp4")],
        capture_output=True, text=True, check=True).stdout)
    assert abs(float(cut["format"]["duration"]) - float(probe["format"]["duration"])) <= 1 / 15
