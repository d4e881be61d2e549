"""Audio through ffmpeg: clips in one format, loudness measured and set like published video.

A narrated lesson's voice track is built from many short clips. Each clip is converted to one
format (:data:`SAMPLE_RATE` Hz, mono, 16-bit) with the silence the synthesizer leaves before
and after the words trimmed away, so a clip's length is the length of its speech. The whole
track is then set to :data:`TARGET_LUFS` integrated loudness with a true peak of at most
:data:`MAX_TRUE_PEAK` (EBU R 128 as video platforms apply it): measured with ffmpeg's
``ebur128``, then one gain for the whole track, with a limiter for the rare peak.
"""

from __future__ import annotations

import io
import math
import re
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bpcore.errors import BpError
from bpcore.files import atomic_write, replacing
from bpcore.narration.media import FASTSTART, run

SAMPLE_RATE = 48_000
TARGET_LUFS = -16.0
MAX_TRUE_PEAK = -1.5
#: AAC encoding lifts true peaks a little (0.2 dB measured on Festival speech): the track is
#: limited this much below the ceiling so the encoded file stays under it.
CODEC_HEADROOM = 0.5
#: How close to the target (LU) a track must come: half the 1 LU published targets allow,
#: so that one pass through the limiter usually does.
LOUDNESS_TOLERANCE = 0.5
#: How far true peaks rise above the sample peaks a limiter holds (1.4 dB measured on speech).
INTERSAMPLE_MARGIN = 1.5
#: Below this level (dBFS) a synthesizer's output counts as the silence around its words.
SILENCE_DB = -50


@dataclass(frozen=True, slots=True)
class Loudness:
    """EBU R 128 figures of a file: integrated loudness (LUFS), true peak (dBTP), range (LU)."""

    integrated: float
    true_peak: float
    loudness_range: float


def _ffmpeg(*args: str | Path, about: Path) -> str:
    """Run ffmpeg; return what it printed on stderr (where its filters report)."""
    return run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", *args], about).stderr


def clip_seconds(path: Path) -> float:
    """Seconds of sound in a PCM WAV file (every clip :func:`prepare_clip` writes is one)."""
    with wave.open(str(path), "rb") as clip:
        return clip.getnframes() / clip.getframerate()


def prepare_clip(source: Path, target: Path, trim: bool = True) -> None:
    """Convert ``source`` to the clip format in ``target`` (atomically), trimming silence.

    The trim cuts what lies below :data:`SILENCE_DB` at both ends; a clip that is all silence
    is kept whole (a recording of a pause is still a pause).
    """
    trims = (f"silenceremove=start_periods=1:start_threshold={SILENCE_DB}dB:start_silence=0.05,"
             "areverse,"
             f"silenceremove=start_periods=1:start_threshold={SILENCE_DB}dB:start_silence=0.05,"
             "areverse")
    args = ["-y", "-i", str(source), "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le"]

    with replacing(target) as out:
        _ffmpeg(*args[:3], *(["-af", trims] if trim else []), *args[3:], out, about=target)
        if trim and clip_seconds(out) < 0.05:
            _ffmpeg(*args, out, about=target)


def measure(path: Path, peaks: bool = True) -> Loudness:
    """Integrated loudness and loudness range of ``path`` by ffmpeg's ebur128, and its true
    peak (:func:`true_peak`); with ``peaks=False`` the peak is not measured (NaN).
    """
    report = _ffmpeg("-i", path, "-af", "ebur128=peak=none", "-f", "null", "-", about=path)
    summary = report[report.rfind("Summary:"):]

    def value(name: str) -> float:
        found = re.search(rf"{name}:\s+(-?[0-9.]+|-inf)", summary)
        if found is None:
            raise BpError(f"{path}: ffmpeg's ebur128 gave no {name}")
        return float(found[1])

    return Loudness(value("I"), true_peak(path) if peaks else math.nan, value("LRA"))


#: True peaks are found between samples by interpolating four times (ITU-R BS.1770-4 at 48
#: kHz) with a Kaiser-windowed sinc of this many taps per phase.
OVERSAMPLING, TAPS = 4, 12


def _interpolators() -> list[np.ndarray]:
    """One FIR filter per sub-sample position, each with unit gain at DC."""
    # Odd length, centred on a sample: the positions are the samples and the quarters
    # between them (an even length would look an eighth of a sample off each).
    n = np.arange(OVERSAMPLING * TAPS + 1) - OVERSAMPLING * TAPS / 2
    kernel = np.sinc(n / OVERSAMPLING) * np.kaiser(len(n), 8.0)
    return [kernel[p::OVERSAMPLING] / kernel[p::OVERSAMPLING].sum()
            for p in range(OVERSAMPLING)]


def true_peak(path: Path) -> float:
    """The true peak of ``path`` in dBTP: the largest magnitude of the waveform between its
    samples as well as at them (``-inf`` for silence).

    ffmpeg's ebur128 finds it by resampling to four times the rate, which took 7.6 s of CPU
    for a 7-minute voice track, more than all the rest of its finishing; four short filters
    over the samples in numpy take under a second and agree with it within 0.1 dB on speech.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    >>> # A sine at a quarter of the rate, sampled 45 degrees off its crests: every sample
    >>> # is 3 dB under the true peak, which lies between them.
    >>> wave_ = (0.5 * np.sin(2 * np.pi * SAMPLE_RATE / 4 * t + np.pi / 4) * 32767).astype("<i2")
    >>> with wave.open(str(folder / "sine.wav"), "wb") as out:
    ...     out.setnchannels(1); out.setsampwidth(2); out.setframerate(SAMPLE_RATE)
    ...     out.writeframes(wave_.tobytes())
    >>> peak = round(20 * math.log10(np.abs(wave_).max() / 32768), 1)
    >>> peak, round(true_peak(folder / "sine.wav"), 1)
    (-9.0, -6.0)
    """
    decoded = run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
                   "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"], path,
                  binary=True).stdout
    samples = np.frombuffer(decoded, dtype="<f4")
    peak = float(np.abs(samples).max(initial=0.0))
    block = 1 << 20  # a few MB at a time
    for taps in _interpolators():
        for start in range(0, len(samples), block):
            part = samples[max(start - TAPS, 0):start + block + TAPS]
            if len(part) >= TAPS:
                peak = max(peak, float(np.abs(np.convolve(part, taps, "valid")).max()))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def normalize(source: Path, target: Path, video: Path | None = None) -> None:
    """Write ``source`` to ``target`` at :data:`TARGET_LUFS` with peaks under the ceiling;
    with ``video``, mux ``target`` into it as well (:func:`mux_voice`).

    One gain for the whole track, so speech keeps its natural dynamics: measure (EBU R 128),
    apply the gain that reaches the target, and let a limiter hold down the few peaks that
    gain lifts over the ceiling. A limiter sees samples, not the peaks between them, so it
    aims :data:`INTERSAMPLE_MARGIN` lower; the result is measured again and the gain
    corrected (at most twice) until loudness is within :data:`LOUDNESS_TOLERANCE` of the
    target and no true peak stands over. The video is muxed while that last measurement runs
    (both only read the track), and again after a correction.
    """
    before = measure(source, peaks=False)
    if not math.isfinite(before.integrated):  # nothing to hear: leave the silence as it is
        prepare_clip(source, target, trim=False)
        if video is not None:
            mux_voice(video, target)
        return
    ceiling = MAX_TRUE_PEAK - CODEC_HEADROOM
    limit = 10 ** ((ceiling - INTERSAMPLE_MARGIN) / 20)
    gain = TARGET_LUFS - before.integrated
    for _ in range(3):
        # The limiter leaves samples under its limit as they are, and its look-ahead delay
        # is compensated (latency), so speech stays where the scene placed it.
        filters = (f"volume={gain:.2f}dB,"
                   f"alimiter=limit={limit:.4f}:level=disabled:attack=5:release=50:latency=1")
        with replacing(target) as out:
            _ffmpeg("-y", "-i", str(source), "-af", filters, "-ar", str(SAMPLE_RATE),
                    "-ac", "1", "-c:a", "pcm_s16le", out, about=target)
        with ThreadPoolExecutor(1) as muxer:
            muxed = muxer.submit(mux_voice, video, target) if video is not None else None
            after = measure(target)
            if muxed is not None:
                muxed.result()
        over, short = after.true_peak - ceiling, TARGET_LUFS - after.integrated
        if over <= 0 and abs(short) <= LOUDNESS_TOLERANCE:
            return
        # The limiter took some loudness with the peaks (give it back), or a peak stands over.
        gain += short if over <= 0 else -over


def read_clip(path: Path) -> np.ndarray:
    """The samples of a clip written by :func:`prepare_clip` (mono, 16-bit, SAMPLE_RATE)."""
    with wave.open(str(path), "rb") as clip:
        if (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) != (1, 2, SAMPLE_RATE):
            raise BpError(f"{path}: expected a mono 16-bit {SAMPLE_RATE} Hz clip")
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2")


def assemble(placements: list[tuple[float, Path]], seconds: float, target: Path) -> None:
    """Write a track ``seconds`` long with each clip starting at its time (seconds), atomically.

    The track has exactly ``round(seconds * SAMPLE_RATE)`` samples, so it ends with the video;
    clips that overlap add up, and a clip running past the end is cut there.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> assemble([], 0.5, folder / "quiet.wav")
    >>> len(read_clip(folder / "quiet.wav")) == SAMPLE_RATE // 2
    True
    """
    track = np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int32)
    for start, path in placements:
        samples = read_clip(path)
        first = round(start * SAMPLE_RATE)
        part = samples[: max(len(track) - first, 0)]
        track[first:first + len(part)] += part
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.clip(track, -32768, 32767).astype("<i2").tobytes())
    atomic_write(target, buffer.getvalue())


def mux_voice(video: Path, track: Path) -> None:
    """Replace ``video``'s audio with ``track`` (AAC), keeping its picture as it is, atomically.

    ffmpeg's mp4 muxer records the AAC encoder's delay in an edit list, so the audio stream
    lasts exactly as long as the track, and so as the video. 128 kbit/s is what video platforms
    ask of a mono upload; the encoder's fast search takes a quarter of the time of its default
    (which spent more on a lesson's voice track than anything else in finishing it).
    """
    with replacing(video) as out:
        _ffmpeg("-y", "-i", str(video), "-i", str(track), "-map", "0:v", "-map", "1:a",
                "-c:v", "copy", "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k",
                *FASTSTART, out, about=video)
