"""Neural voices speak in a child process: clips in the clip format with their levels, and a
failure told in one line."""

from __future__ import annotations

import os
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from bpcore.errors import BpError
from bpcore.narration import audio
from bpcore.narration.children import NICENESS
from bpcore.narration.synthesis import Synthesizer


def test_the_child_writes_a_clip_and_its_levels(tmp_path: Path) -> None:
    """hibari's clip comes back mono 16-bit at the clip rate, as long as its words, with the
    levels the parent would have measured (kept for the voice track)."""
    pytest.importorskip("hibari")
    voice = Synthesizer("hibari", 1.0)
    try:
        made = voice.clip("Gradient descent takes a step.", tmp_path / "a.wav")
        faster = voice.clip("Gradient descent takes a step.", tmp_path / "b.wav")
    finally:
        voice.close()
    with wave.open(str(tmp_path / "a.wav")) as clip:
        assert (clip.getframerate(), clip.getnchannels(), clip.getsampwidth()) == (
            audio.SAMPLE_RATE, 1, 2)
    assert 1.0 < audio.clip_seconds(tmp_path / "a.wav") < 4.0
    measured = audio.levels(audio.read_clip(tmp_path / "a.wav") / 32768)
    assert made.peak == pytest.approx(measured.peak)
    assert np.allclose(made.energy, measured.energy)
    assert audio.clip_levels(tmp_path / "a.wav") is made
    # The same text with the same seed: the same clip.
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert faster.peak == made.peak


def test_a_failure_in_the_child_is_one_line(tmp_path: Path) -> None:
    voice = Synthesizer("nonsense", 1.0)
    try:
        with pytest.raises(BpError) as error:
            voice.clip("Hello there.", tmp_path / "a.wav")
    finally:
        voice.close()
    assert str(error.value) == "voice nonsense failed on 'Hello there.': no neural voice 'nonsense'"
    assert not (tmp_path / "a.wav").exists()


def test_a_child_that_stops_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that cannot start (here: no Python) ends the render with one line."""
    monkeypatch.setattr(sys, "executable", "/bin/false")
    voice = Synthesizer("hibari", 1.0)
    with pytest.raises(BpError) as error:
        voice.clip("Hello there.", tmp_path / "a.wav")
    assert str(error.value).startswith("voice hibari: its synthesis process stopped: ")
    assert "\n" not in str(error.value)


def test_the_child_speaks_at_a_lower_priority(tmp_path: Path) -> None:
    """Started ahead, the child loads its voice before the first request, at a priority
    NICENESS below the render's and as batch work, so synthesis does not slow the drawing."""
    pytest.importorskip("hibari")
    voice = Synthesizer("hibari", 1.0)
    try:
        voice.start()
        child = voice._child.pid
        voice.clip("Hello there.", tmp_path / "a.wav")
        assert os.getpriority(os.PRIO_PROCESS, child) == min(
            os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19)
        if sys.platform.startswith("linux"):
            assert os.sched_getscheduler(child) == os.SCHED_BATCH
    finally:
        voice.close()
