"""kit/writer.py builds a lesson's voice track once per narration: a render whose clips and
times are those of an earlier one reuses its loudness-normalized track from the shared cache."""

from __future__ import annotations

import sys
import wave
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from bpcore.narration.audio import SAMPLE_RATE  # noqa: E402
from bpcore.narration.ffmpeg import MediaError  # noqa: E402
from kit.writer import LessonFileWriter, _finish_laying  # noqa: E402


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


def test_a_track_laid_while_the_scene_draws_is_the_track_built_at_the_end(tmp_path,
                                                                           monkeypatch):
    """Once a clip has been synthesized, each caption's clips are laid down and encoded as
    they are placed; the track that comes out at the end is the one built from all the
    clips at once, and it is kept in the cache for the next render. A render that
    synthesized nothing lays nothing down while it draws."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("kit.writer.write_to_movie", lambda: True)
    clips = [(0.5, tone(tmp_path / "a.wav", 1.0, 220)), (2.0, tone(tmp_path / "b.wav", 0.8, 330))]
    scene = SimpleNamespace(narrator=SimpleNamespace(synthesized=0), voice_track=[], time=3.0)
    writer = LessonFileWriter.__new__(LessonFileWriter)  # no manim scene behind it
    writer._laying, writer._laid = None, 0
    scene.voice_track.append(clips[0])
    writer.lay_voice(scene)
    assert writer._laying is None  # everything cached so far: nothing laid down
    scene.narrator.synthesized = 1
    writer.lay_voice(scene)
    scene.voice_track.append(clips[1])
    writer.lay_voice(scene)
    writer.start_voice_track(scene)
    live, _, temporary = writer._voice_future.result()
    writer._voice_pool.shutdown()
    assert temporary
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "other-cache"))
    built, _, _ = LessonFileWriter._build_voice_track(clips, 3.0)
    assert live.read_bytes() == built.read_bytes()
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    kept, _, temporary = LessonFileWriter._build_voice_track(clips, 3.0)
    assert not temporary and kept.read_bytes() == built.read_bytes()


def test_a_failed_step_is_the_error_told_even_when_the_track_fails_too():
    """A clip that could not be handed over is what the render reports, not the track's
    process failing afterwards for want of it; the process is ended all the same."""
    ended = []

    class Layer:
        def finish(self, seconds: float) -> Path:
            ended.append(seconds)
            raise MediaError("voice.m4a: laying the voice track failed: exit 1")

    step = Future()
    step.set_exception(FileNotFoundError("clip.wav: no such file"))
    with pytest.raises(FileNotFoundError, match="clip.wav"):
        _finish_laying(Layer(), [step], [], 3.0)
    assert ended == [3.0]
