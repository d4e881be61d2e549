"""Narration of the b3 video: a voice track as long as the picture, speech under every caption
event and silence between them, loudness like published video, subtitles within the usual
limits; and the silent video (BP_VOICE=none) without any audio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import srt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spoken import missigned, written_numbers  # noqa: E402

from bpcore.narration.audio import SAMPLE_RATE  # noqa: E402

#: Samples per second the audio is read back at for the energy checks (speech lives below 4 kHz).
RATE = 8000
WINDOW = 0.05  # seconds per loudness window


def streams(video: Path) -> dict[str, dict]:
    """ffprobe's streams of ``video``, by type."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_type,codec_name,duration,sample_rate,nb_frames",
                          "-of", "json", str(video)], capture_output=True, text=True, check=True)
    return {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}


def window_levels(video: Path) -> np.ndarray:
    """The audio's RMS level in dBFS over consecutive 50 ms windows."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vn", "-ac", "1",
                          "-ar", str(RATE), "-f", "s16le", "-"], capture_output=True,
                         check=True).stdout
    samples = np.frombuffer(raw, dtype="<i2").astype(float) / 32768
    size = int(WINDOW * RATE)
    frames = samples[: len(samples) // size * size].reshape(-1, size)
    return 20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-10)


def subtitles(video: Path) -> list[srt.Subtitle]:
    return list(srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8")))


def seconds(delta) -> float:
    return delta.total_seconds()


@pytest.fixture(scope="module")
def narrated(b3_render) -> Path:
    b3_render.succeeded()
    return b3_render.video()


def test_voice_track_lasts_as_long_as_the_picture(narrated: Path) -> None:
    """The video carries one AAC track at the clip rate, ending with the picture (within a
    frame)."""
    found = streams(narrated)
    assert found["audio"]["codec_name"] == "aac"
    assert int(found["audio"]["sample_rate"]) == SAMPLE_RATE
    video, audio = float(found["video"]["duration"]), float(found["audio"]["duration"])
    assert abs(video - audio) <= 1 / 15, (video, audio)


def test_loudness_like_published_video(narrated: Path) -> None:
    """Integrated loudness -16 LUFS within 1 LU and true peak at most -1.5 dBTP, measured by
    ffmpeg's EBU R 128 meter on the finished file."""
    report = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(narrated), "-vn",
                             "-af", "ebur128=peak=true", "-f", "null", "-"],
                            capture_output=True, text=True, check=True).stderr
    summary = report[report.rfind("Summary:"):]
    integrated = float(summary.split("I:")[1].split()[0])
    peak = float(summary.split("Peak:")[1].split()[0])
    assert -17.0 <= integrated <= -15.0, summary
    assert peak <= -1.5, summary


def test_speech_under_every_event_and_silence_between(narrated: Path) -> None:
    """Every subtitle event has speech under it (a window well above the noise floor), and
    wherever no event is on screen (the picture animating after the voice finished) there is
    no sound at all."""
    levels = window_levels(narrated)
    events = subtitles(narrated)
    covered = np.zeros(len(levels), dtype=bool)
    for event in events:
        first = int(seconds(event.start) / WINDOW)
        last = int(np.ceil(seconds(event.end) / WINDOW))
        assert levels[first:last].max() > -35, f"no speech under {event.content!r}"
        covered[max(first - 2, 0):last + 2] = True  # a window of slack for AAC's smearing
    assert covered.sum() < len(levels), "no silent stretch at all: nothing to check"
    assert levels[~covered].max() < -60, "sound where no caption is shown"


def test_subtitle_events_follow_the_conventions(narrated: Path) -> None:
    """At most 2 lines of 42 characters an event, no faster than 20 characters a second, in
    order, never overlapping."""
    events = subtitles(narrated)
    assert len(events) > 30
    for before, event in zip([None, *events], events, strict=False):
        lines = event.content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), event.content
        shown = seconds(event.end - event.start)
        assert len(event.content.replace("\n", " ")) / shown <= 20 + 1e-3, event.content
        if before is not None:
            assert event.start >= before.end


def test_silent_video_has_no_audio_and_reading_holds(other_render) -> None:
    """BP_VOICE=none: no audio stream, and every event stays up at least one second per 15
    characters (the reading rule), within the same line limits."""
    other_render.succeeded()
    video = other_render.video()
    assert "audio" not in streams(video)
    for event in subtitles(video):
        text = event.content.replace("\n", " ")
        assert seconds(event.end - event.start) >= len(text) / 15 - 1e-3, event.content
        assert all(len(line) <= 42 for line in event.content.split("\n"))


def test_script_says_every_number_with_its_sign(dry_render) -> None:
    """The b3 narration script: every negative number the voice says is written negative in its
    caption (it may say fewer numbers: results, not bracketed formulas)."""
    dry_render.succeeded()
    script = json.loads((dry_render.workdir / "script.json").read_text(encoding="utf-8"))
    clips = [clip for beat in script["beats"] for clip in beat["clips"]]
    assert len(clips) > 20
    negative = 0
    for clip in clips:
        shown = written_numbers(clip["caption"])
        assert not missigned(clip["caption"], clip["spoken"]), (clip["caption"], clip["spoken"])
        negative += sum(v < 0 for v in shown)
    assert negative > 5  # the b3 lesson shows many negative numbers: the check has teeth
