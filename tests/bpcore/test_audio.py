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
    Encoder,
    Track,
    clip_levels,
    clip_seconds,
    integrated,
    levels,
    limited,
    measure,
    prepare_clip,
    read_clip,
    write_clip,
)
from bpcore.narration.ffmpeg import length


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


def laid(placements: list[tuple[float, Path]], seconds: float, target: Path) -> Path:
    """The voice track of ``placements`` (start, clip), ``seconds`` long, as a WAV file."""
    track = Track()
    parts = [track.add(start, clip) for start, clip in placements]
    return write_wav(target, np.concatenate([*parts, track.end(seconds)]))


def test_prepare_clip_trims_silence_and_resamples(tmp_path: Path) -> None:
    """A 16 kHz clip with half a second of silence on each side becomes a clip at the clip rate,
    about as long as its sound."""
    quiet = np.zeros(8000, dtype=np.int16)
    source = write_wav(tmp_path / "raw.wav", np.concatenate([quiet, tone(1.0, 0.3, 16000),
                                                             quiet]), rate=16000)
    prepare_clip(source, tmp_path / "clip.wav")
    assert clip_seconds(source) == pytest.approx(2.0, abs=0.01)
    assert clip_seconds(tmp_path / "clip.wav") == pytest.approx(1.0, abs=0.15)
    with wave.open(str(tmp_path / "clip.wav")) as clip:
        assert clip.getframerate() == SAMPLE_RATE and clip.getnchannels() == 1


def test_track_places_each_clip_at_its_time(tmp_path: Path) -> None:
    """The track is exactly as long as asked, silent except where each clip was placed."""
    clip = write_wav(tmp_path / "clip.wav", tone(0.25, 0.5))
    laid([(0.5, clip), (1.5, clip)], 2.2, tmp_path / "track.wav")
    track = read_clip(tmp_path / "track.wav").astype(float)
    assert len(track) == round(2.2 * SAMPLE_RATE)
    loud = np.flatnonzero(np.abs(track) > 1000) / SAMPLE_RATE
    assert loud.min() == pytest.approx(0.5, abs=0.01)
    assert loud.max() == pytest.approx(1.75, abs=0.01)
    assert not np.any(np.abs(track[round(0.8 * SAMPLE_RATE):round(1.45 * SAMPLE_RATE)]))


def test_track_reaches_the_loudness_target(tmp_path: Path) -> None:
    """Quiet clips (about -33 LUFS) make a track at -16 LUFS within 1 LU as ffmpeg's ebur128
    reads it, with true peaks under the ceiling; overlapping clips and one cut at the end are
    measured as they sound."""
    first = write_wav(tmp_path / "a.wav", tone(3.0, 0.03))
    second = write_wav(tmp_path / "b.wav", tone(2.0, 0.05, hz=220))
    laid([(0.0, first), (4.0, second), (5.0, first)], 7.0, tmp_path / "loud.wav")
    after = measure(tmp_path / "loud.wav")
    assert after.integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    assert after.true_peak <= MAX_TRUE_PEAK
    assert clip_seconds(tmp_path / "loud.wav") == pytest.approx(7.0, abs=1e-4)


def test_loudness_from_clip_levels_matches_ffmpeg(tmp_path: Path) -> None:
    """The integrated loudness of a track, from its clips' levels placed at their times
    (at any sample, not only on the 10 ms grid), is ffmpeg's ebur128's within 0.1 LU."""
    rng = np.random.default_rng(3)
    clips, track, start = [], np.zeros(9 * SAMPLE_RATE), 0.3
    for level in (0.05, 0.2, 0.1):
        # Noise shaped like speech: loud and quiet stretches, more low than high.
        noise = np.convolve(rng.standard_normal(2 * SAMPLE_RATE), np.ones(8) / 8, "same")
        sound = level * noise * (0.55 + 0.45 * np.sin(np.arange(len(noise)) / 2400))
        samples = np.round(sound * 32768).astype(np.int16)
        path = write_wav(tmp_path / f"c{level}.wav", samples)
        first = round(start * SAMPLE_RATE) + 7
        clips.append((first, clip_levels(path)))
        track[first:first + len(samples)] = samples
        start += 2.9
    reference = measure(write_wav(tmp_path / "track.wav", track)).integrated
    assert integrated(clips, len(track), [1.0] * 3) == pytest.approx(reference, abs=0.1)
    assert clips[1][1].peak == pytest.approx(10 ** (measure(tmp_path / "c0.2.wav").true_peak
                                                    / 20), rel=0.01)


def test_limiting_keeps_speech_where_it_was_placed(tmp_path: Path) -> None:
    """A quiet clip with one loud burst: the gain lifts the burst into the limiter, and the
    limiter's look-ahead does not shift anything (the clip starts on the sample it was laid
    at), while the burst's peak is held under the ceiling."""
    quiet = tone(3.0, 0.02)
    quiet[SAMPLE_RATE: SAMPLE_RATE + SAMPLE_RATE // 50] = tone(0.02, 0.6)  # 20 ms, 30 times louder
    clip = write_wav(tmp_path / "burst.wav", quiet)
    laid([(0.5, clip)], 4.0, tmp_path / "loud.wav")
    after = read_clip(tmp_path / "loud.wav").astype(float)
    start = round(0.5 * SAMPLE_RATE)
    assert np.flatnonzero(after)[0] == start + np.flatnonzero(quiet)[0]
    # The quiet tone after the burst is the clip times one gain, sample for sample.
    tail = slice(2 * SAMPLE_RATE, 3 * SAMPLE_RATE - 100)
    before, later = quiet[tail].astype(float), after[start:][tail]
    gain = np.dot(later, before) / np.dot(before, before)
    assert gain > 5
    assert np.max(np.abs(later - gain * before)) < 2
    assert measure(tmp_path / "loud.wav").true_peak <= MAX_TRUE_PEAK


def test_track_hands_out_what_is_final_as_clips_come(tmp_path: Path) -> None:
    """Each placed clip releases the track up to its start, and no further (a later clip may
    still overlap what lies past it); a clip placed before the last one's start is refused."""
    clip = write_wav(tmp_path / "clip.wav", tone(1.0, 0.1))
    track = Track()
    assert len(track.add(0.5, clip)) == SAMPLE_RATE // 2
    before = track.add(2.0, clip)
    assert len(before) == round(1.5 * SAMPLE_RATE)
    # The first clip, at the loudness target: loud for its second, silent after it.
    assert np.abs(before[: SAMPLE_RATE - 100]).min(initial=0) == 0  # a sine crosses zero
    assert np.abs(before[: SAMPLE_RATE]).max() > 3000
    assert not np.any(before[SAMPLE_RATE + 10:])
    with pytest.raises(ValueError, match="before the track's last clip"):
        track.add(1.0, clip)
    assert len(track.end(4.0)) == 2 * SAMPLE_RATE


def test_each_clip_is_set_to_the_target_on_its_own(tmp_path: Path) -> None:
    """A clip recorded 20 dB quieter than another comes out as loud as it: each clip gets the
    gain that brings it to the target (a teacher's takes at different levels come out even)."""
    quiet = write_wav(tmp_path / "quiet.wav", tone(2.0, 0.01))
    loud = write_wav(tmp_path / "loud.wav", tone(2.0, 0.1))
    laid([(0.0, quiet)], 2.0, tmp_path / "a.wav")
    laid([(0.0, loud)], 2.0, tmp_path / "b.wav")
    for track in ("a.wav", "b.wav"):
        assert measure(tmp_path / track).integrated == pytest.approx(TARGET_LUFS, abs=0.5)


def test_a_clip_shorter_than_a_block_is_measured_over_its_length(tmp_path: Path) -> None:
    """A 0.3 s clip has no 400 ms block to measure: its mean loudness over its own length is
    set to the target (a 997 Hz sine reads 3.01 LU under its peak level in dBFS: amplitude
    0.224 at -16 LUFS)."""
    short = write_wav(tmp_path / "short.wav", tone(0.3, 0.01, hz=997))
    track = read_clip(laid([(0.0, short)], 0.3, tmp_path / "track.wav")) / 32768
    assert np.abs(track).max() == pytest.approx(10 ** ((TARGET_LUFS + 3.01) / 20), rel=0.02)


def test_the_limiter_works_only_near_peaks() -> None:
    """The limiter's gain dips only within reach of a sample over the limit: two bursts far
    apart are limited as each would be alone, the samples between and around them are left
    exactly as they were, and no sample stays over the limit."""
    rng = np.random.default_rng(5)
    sound = 0.1 * rng.standard_normal(20_000)
    sound[3000:3050] *= 8
    sound[15_000:15_100] *= 9
    out = limited(sound, 0.5)
    assert np.abs(out).max() <= 0.5 + 1e-12
    far = np.r_[0:2000, 4100:14_000, 16_200:20_000]
    assert np.array_equal(out[far], sound[far])
    alone = np.concatenate([limited(sound[:9000], 0.5), limited(sound[9000:], 0.5)])
    assert np.allclose(out, alone, rtol=0, atol=1e-12)


def test_encoder_streams_the_track_into_aac(tmp_path: Path) -> None:
    """Samples written to the encoder in pieces make an AAC file as long as the track, at
    its loudness, with true peaks under the ceiling."""
    clip = write_wav(tmp_path / "clip.wav", tone(1.5, 0.05, hz=220))
    track, encoder = Track(), Encoder(tmp_path / "voice.m4a")
    encoder.write(track.add(0.3, clip))
    encoder.write(track.add(2.5, clip))
    encoder.write(track.end(5.0))
    encoder.close()
    after = measure(tmp_path / "voice.m4a")
    assert after.integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    assert after.true_peak <= MAX_TRUE_PEAK
    assert length(tmp_path / "voice.m4a") == pytest.approx(5.0, abs=0.03)


def test_write_clip_matches_the_ffmpeg_path(tmp_path: Path) -> None:
    """A voice's samples at 24 kHz (hibari's rate) and 22.05 kHz (Piper's), written in-process,
    make the clip ffmpeg makes of the same sound: mono 16-bit at the clip rate, trimmed alike
    (within 10 ms), the same samples within a small error, and the same loudness."""
    for rate in (24_000, 22_050):
        t = np.arange(round(1.2 * rate)) / rate
        voiced = 0.4 * np.sin(2 * np.pi * 180 * t) * np.sin(np.pi * t / 1.2) ** 2
        sound = np.concatenate([np.zeros(rate // 3), voiced, np.zeros(rate // 2)])
        source = write_wav(tmp_path / f"raw{rate}.wav", np.round(sound * 32767), rate)
        prepare_clip(source, tmp_path / f"ffmpeg{rate}.wav")
        write_clip(sound, rate, tmp_path / f"numpy{rate}.wav")
        ours, theirs = (read_clip(tmp_path / f"{way}{rate}.wav").astype(float)
                        for way in ("numpy", "ffmpeg"))
        with wave.open(str(tmp_path / f"numpy{rate}.wav")) as clip:
            assert (clip.getframerate(), clip.getnchannels(), clip.getsampwidth()) == (
                SAMPLE_RATE, 1, 2)
        assert abs(len(ours) - len(theirs)) <= 0.01 * SAMPLE_RATE
        assert 1.2 < len(ours) / SAMPLE_RATE < 1.35
        # Where their trims start differs by a few ms; aligned, they agree to 1% of full scale.
        assert min(gap(ours, theirs, shift) for shift in range(-480, 481)) < 0.01 * 32768
        assert levels(ours / 32768).peak == pytest.approx(levels(theirs / 32768).peak, rel=0.01)


def gap(ours: np.ndarray, theirs: np.ndarray, shift: int) -> float:
    """The largest difference of two clips, ``ours`` shifted by ``shift`` samples."""
    a, b = ours[max(shift, 0):], theirs[max(-shift, 0):]
    n = min(len(a), len(b))
    return float(np.max(np.abs(a[:n] - b[:n])))
