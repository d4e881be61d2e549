"""kit/writer.py builds a lesson's voice track once per narration: a render whose clips and
times are those of an earlier one reuses its loudness-normalized track from the shared cache."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from bpcore.narration.audio import SAMPLE_RATE  # noqa: E402
from kit.writer import LessonFileWriter  # noqa: E402


def tone(path: Path, seconds: float, pitch: float) -> Path:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    samples = (8000 * np.sin(2 * np.pi * pitch * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return path


def test_an_unchanged_narration_reuses_its_track(tmp_path, monkeypatch):
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    clips = [(0.5, tone(tmp_path / "a.wav", 1.0, 220)), (2.0, tone(tmp_path / "b.wav", 0.8, 330))]
    first, _, temporary = LessonFileWriter._build_voice_track(clips, 3.0)
    assert temporary
    second, _, temporary = LessonFileWriter._build_voice_track(clips, 3.0)
    assert not temporary
    assert second.parent == tmp_path / "cache" / "voicetrack"
    assert second.read_bytes() == first.read_bytes()
    # Another time for a clip is another track.
    moved, _, temporary = LessonFileWriter._build_voice_track([clips[0], (2.1, clips[1][1])], 3.0)
    assert temporary
    assert moved.read_bytes() != first.read_bytes()
