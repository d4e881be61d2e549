"""The voice track's audio: clips trimmed and laid at their times, loudness set like video."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from bpcore.narration.audio import (
    MAX_TRUE_PEAK,
    SAMPLE_RATE,
    TARGET_LUFS,
    assemble,
    clip_seconds,
    measure,
    normalize,
    prepare_clip,
    read_clip,
)


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def tone(seconds: float, level: float, rate: int = SAMPLE_RATE, hz: float = 440.0) -> np.ndarray:
    """A sine at ``level`` of full scale (a stand-in for speech with a known loudness)."""
    t = np.arange(round(seconds * rate)) / rate
    return (level * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def test_prepare_clip_trims_silence_and_resamples(tmp_path: Path) -> None:
    """A 16 kHz clip with half a second of silence on each side becomes a 48 kHz clip about as
    long as its sound."""
    quiet = np.zeros(8000, dtype=np.int16)
    source = write_wav(tmp_path / "raw.wav", np.concatenate([quiet, tone(1.0, 0.3, 16000),
                                                             quiet]), rate=16000)
    prepare_clip(source, tmp_path / "clip.wav")
    assert clip_seconds(source) == pytest.approx(2.0, abs=0.01)
    assert clip_seconds(tmp_path / "clip.wav") == pytest.approx(1.0, abs=0.15)
    with wave.open(str(tmp_path / "clip.wav")) as clip:
        assert clip.getframerate() == SAMPLE_RATE and clip.getnchannels() == 1


def test_assemble_places_each_clip_at_its_time(tmp_path: Path) -> None:
    """The track is exactly as long as asked, silent except where each clip was placed."""
    clip = write_wav(tmp_path / "clip.wav", tone(0.25, 0.5))
    assemble([(0.5, clip), (1.5, clip)], 2.2, tmp_path / "track.wav")
    track = read_clip(tmp_path / "track.wav").astype(float)
    assert len(track) == round(2.2 * SAMPLE_RATE)
    loud = np.flatnonzero(np.abs(track) > 1000) / SAMPLE_RATE
    assert loud.min() == pytest.approx(0.5, abs=0.01)
    assert loud.max() == pytest.approx(1.75, abs=0.01)
    assert not np.any(np.abs(track[round(0.8 * SAMPLE_RATE):round(1.45 * SAMPLE_RATE)]))


def test_normalize_reaches_the_loudness_target(tmp_path: Path) -> None:
    """A quiet track (about -33 LUFS) comes out at -16 LUFS within 1 LU, with true peaks
    under the ceiling, and as long as it went in."""
    source = write_wav(tmp_path / "quiet.wav", np.concatenate(
        [tone(3.0, 0.03), np.zeros(SAMPLE_RATE, dtype=np.int16), tone(2.0, 0.05, hz=220)]))
    before = measure(source)
    normalize(source, tmp_path / "loud.wav")
    after = measure(tmp_path / "loud.wav")
    assert before.integrated < TARGET_LUFS - 10
    assert after.integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    assert after.true_peak <= MAX_TRUE_PEAK
    assert clip_seconds(tmp_path / "loud.wav") == pytest.approx(clip_seconds(source), abs=0.01)


def test_limiting_keeps_speech_where_it_was_placed(tmp_path: Path) -> None:
    """A quiet track with one loud burst: the gain lifts the burst into the limiter, and the
    limiter's look-ahead does not shift anything (a clip starts on the sample it was laid at),
    while the burst's peak is held under the ceiling."""
    start = round(0.5 * SAMPLE_RATE)
    quiet = tone(3.0, 0.02)
    quiet[SAMPLE_RATE: SAMPLE_RATE + 960] = tone(0.02, 0.6)  # 20 ms, 30 times louder
    source = write_wav(tmp_path / "burst.wav",
                       np.concatenate([np.zeros(start, dtype=np.int16), quiet]))
    normalize(source, tmp_path / "loud.wav")
    before, after = read_clip(source).astype(float), read_clip(tmp_path / "loud.wav").astype(float)
    assert np.flatnonzero(after)[0] == np.flatnonzero(before)[0] == start + 1
    # The quiet tone after the burst is the source times one gain, sample for sample.
    tail = slice(start + 2 * SAMPLE_RATE, start + 3 * SAMPLE_RATE - 100)
    gain = np.dot(after[tail], before[tail]) / np.dot(before[tail], before[tail])
    assert gain > 5
    assert np.max(np.abs(after[tail] - gain * before[tail])) < 2
    assert measure(tmp_path / "loud.wav").true_peak <= MAX_TRUE_PEAK
