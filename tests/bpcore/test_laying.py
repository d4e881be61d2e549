"""The voice track laid down by a process of its own (bpcore.narration.laying)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bpcore.narration.audio import SAMPLE_RATE, write_pcm
from bpcore.narration.ffmpeg import MediaError, length
from bpcore.narration.laying import Layer


def tone(seconds: float, level: float) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")


def decoded(track: Path) -> np.ndarray:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(track), "-f", "s16le", "-ac", "1",
                          "-ar", str(SAMPLE_RATE), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<i2").astype(float)


def test_the_clips_sound_where_they_were_placed(tmp_path: Path) -> None:
    """Two clips, one quiet and one loud, placed at 0.5 s and 2 s of a 3.5 s track: the file
    lasts 3.5 s, is silent before, between and after them, and both come out about as loud."""
    write_pcm(tmp_path / "quiet.wav", tone(1.0, 0.05))
    write_pcm(tmp_path / "loud.wav", tone(1.0, 0.5))
    layer = Layer(tmp_path / "voice.m4a")
    layer.place(0.5, tmp_path / "quiet.wav")
    layer.place(2.0, tmp_path / "loud.wav")
    track = layer.finish(3.5)
    assert length(track) == pytest.approx(3.5, abs=0.03)
    sound = decoded(track)

    def rms(start: float, end: float) -> float:
        part = sound[round(start * SAMPLE_RATE):round(end * SAMPLE_RATE)]
        return float(np.sqrt(np.mean(part**2)))

    assert rms(0.0, 0.4) < 30 and rms(1.6, 1.9) < 30 and rms(3.1, 3.5) < 30
    assert rms(0.6, 1.4) == pytest.approx(rms(2.1, 2.9), rel=0.1)
    assert rms(0.6, 1.4) > 3000


def test_a_failure_in_the_process_is_one_line(tmp_path: Path) -> None:
    """A clip placed before the one already laid stops the process; finish() says so in one
    line naming the track."""
    write_pcm(tmp_path / "clip.wav", tone(0.5, 0.3))
    layer = Layer(tmp_path / "voice.m4a")
    layer.place(2.0, tmp_path / "clip.wav")
    layer.place(1.0, tmp_path / "clip.wav")
    with pytest.raises(MediaError) as failed:
        layer.finish(3.0)
    message = str(failed.value)
    assert "\n" not in message
    assert "voice.m4a" in message and "before the track's last clip" in message
