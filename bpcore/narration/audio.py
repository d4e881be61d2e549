"""Audio: clips in one format, loudness measured and set like published video.

A narrated lesson's voice track is built from many short clips. Each clip is in one format
(:data:`SAMPLE_RATE` Hz, mono, 16-bit) with the silence the synthesizer leaves before and after
the words trimmed away, so a clip's length is the length of its speech: a neural voice's
samples are written so in numpy (:func:`write_clip`), any other sound goes through ffmpeg
(:func:`prepare_clip`). The voice track is set to :data:`TARGET_LUFS` integrated loudness with
a true peak of at most :data:`MAX_TRUE_PEAK` (EBU R 128 as video platforms apply it): each
clip's loudness and true peak are measured once, as it is made (:func:`clip_levels`), so
laying the clips down (:class:`Track`) needs only a gain per clip, and a limiter for the peaks,
and the track is encoded (:class:`Encoder`) while the scene is still drawn; ffmpeg's
``ebur128`` (:func:`measure`) is the reference the tests hold it to.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpcore.errors import BpError, last_line
from bpcore.files import atomic_write, replacing
from bpcore.narration.children import ended
from bpcore.narration.ffmpeg import MediaError, run

#: The rate of every clip and of the voice track. The neural voices speak at 24 kHz (hibari;
#: Piper's voices at 16 to 22.05 kHz): a 48 kHz track held nothing above their 12 kHz, and
#: cost twice the samples to resample, measure, limit and encode (AAC at 24 kHz: half the
#: encoder's CPU). Speech needs no more; a teacher's recording keeps everything up to 12 kHz.
SAMPLE_RATE = 24_000
TARGET_LUFS = -16.0
MAX_TRUE_PEAK = -1.5
#: AAC encoding lifts true peaks a little (0.2 dB measured on Festival speech): the track is
#: limited this much below the ceiling so the encoded file stays under it.
CODEC_HEADROOM = 0.5
#: The true peak the voice track is held under (full scale 1): the published ceiling, less
#: the AAC encoder's lift.
CEILING = 10 ** ((MAX_TRUE_PEAK - CODEC_HEADROOM) / 20)
#: How close to the target (LU) a track must come: half the 1 LU published targets allow,
#: so that one pass through the limiter usually does.
LOUDNESS_TOLERANCE = 0.5
#: How far under the ceiling a limiter first holds the samples, as true peaks rise above them;
#: a peak that still stands over makes it aim lower (0.5 dB: few clips need a second pass).
INTERSAMPLE_MARGIN = 0.5
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


def prepare_clip(source: Path, target: Path) -> None:
    """Convert ``source`` (any sound ffmpeg reads) to the clip format in ``target``
    (atomically), trimming silence as :func:`write_clip` does."""
    trims = (f"silenceremove=start_periods=1:start_threshold={SILENCE_DB}dB:start_silence=0.05,"
             "areverse,"
             f"silenceremove=start_periods=1:start_threshold={SILENCE_DB}dB:start_silence=0.05,"
             "areverse")
    args = ["-y", "-i", str(source), "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le"]

    with replacing(target) as out:
        _ffmpeg(*args[:3], "-af", trims, *args[3:], out, about=target)
        if clip_seconds(out) < 0.05:
            _ffmpeg(*args, out, about=target)


#: Silence kept before the first sound and after the last (what ffmpeg's silenceremove keeps
#: with ``start_silence``), and the window whose RMS level decides what is sound.
KEPT_SILENCE, LEVEL_WINDOW = 0.05, 0.02


def trimmed(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` (floats, full scale 1) without the silence before and after the sound, as
    ffmpeg's ``silenceremove`` trims it: what lies under :data:`SILENCE_DB` (RMS over
    :data:`LEVEL_WINDOW`) at either end, but for :data:`KEPT_SILENCE`. Sound that is all
    silence is kept whole (a pause is still a pause).

    Examples
    --------
    >>> sound = np.concatenate([np.zeros(1000), np.full(500, 0.5), np.zeros(1000)])
    >>> len(trimmed(sound, 10_000))  # 500 of sound and 0.05 s (500 samples) before and after
    1500
    >>> len(trimmed(np.zeros(300), 10_000))
    300
    """
    window = max(round(LEVEL_WINDOW * rate), 1)
    # The mean square of the window ending at each sample (and at the windows running out
    # past the end), from running sums.
    sums = np.concatenate([np.zeros(window + 1), np.cumsum(np.square(samples, dtype=float)),
                           np.full(window - 1, 0.0)])
    sums[len(samples) + window + 1:] = sums[len(samples) + window]
    power = (sums[window + 1:] - sums[1:-window]) / window
    loud = np.flatnonzero(power > 10 ** (SILENCE_DB / 10))
    if len(loud) == 0:
        return samples
    kept = round(KEPT_SILENCE * rate)
    # power[i] is the window ending at sample i: sound starts at the first loud window's end
    # and ends at the last loud window's start.
    first, last = loud[0], loud[-1] - window + 1
    return samples[max(first - kept, 0):min(last + kept + 1, len(samples))]


def resampled(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` at ``rate`` Hz resampled to :data:`SAMPLE_RATE` (band-limited, by FFT).

    Examples
    --------
    >>> t = np.arange(1600) / 16_000
    >>> up = resampled(np.sin(2 * np.pi * 440 * t), 16_000)
    >>> exact = np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE // 10) / SAMPLE_RATE)
    >>> len(up) == SAMPLE_RATE // 10, bool(np.abs(up - exact)[400:-400].max() < 0.01)
    (True, True)
    """
    if rate == SAMPLE_RATE:
        return np.asarray(samples, dtype=float)
    # Zeros around the clip, so the FFT's wrap-around joins silence to silence, up to a length
    # whose FFT is fast and that the new rate divides exactly: q times a power of two.
    pad = 256
    q = rate // math.gcd(rate, SAMPLE_RATE)
    n = q << max(math.ceil(math.log2((len(samples) + 2 * pad) / q)), 0)
    padded = np.concatenate([np.zeros(pad), samples, np.zeros(n - pad - len(samples))])
    m = n * SAMPLE_RATE // rate
    spectrum = np.fft.rfft(padded)
    spectrum = spectrum[: m // 2 + 1] if m < n else np.concatenate(
        [spectrum, np.zeros(m // 2 + 1 - len(spectrum))])
    if m % 2 == 0 and m < n:
        spectrum[-1] = spectrum[-1].real  # the new Nyquist bin of a real signal
    out = np.fft.irfft(spectrum, m) * (m / n)
    cut = round(pad * SAMPLE_RATE / rate)
    return out[cut: cut + round(len(samples) * SAMPLE_RATE / rate)]


def write_clip(samples: np.ndarray, rate: int, target: Path) -> np.ndarray:
    """Write a voice's ``samples`` (floats at ``rate`` Hz, full scale 1) to ``target`` in the
    clip format, atomically: trimmed (:func:`trimmed`), resampled to :data:`SAMPLE_RATE`
    (:func:`resampled`), 16-bit. What :func:`prepare_clip` makes with ffmpeg, in-process.
    Returns the 16-bit samples written (what :func:`read_clip` would read back).

    Examples
    --------
    >>> import tempfile
    >>> clip = Path(tempfile.mkdtemp()) / "clip.wav"
    >>> t = np.arange(24_000) / 24_000
    >>> pcm = write_clip(np.concatenate([np.zeros(12_000), 0.3 * np.sin(2 * np.pi * 220 * t)]),
    ...                  24_000, clip)
    >>> round(clip_seconds(clip), 2)  # the second of sound and 0.05 s kept before it
    1.05
    >>> bool(np.array_equal(pcm, read_clip(clip)))
    True
    """
    sound = resampled(trimmed(np.asarray(samples, dtype=float), rate), rate)
    pcm = np.clip(np.round(sound * 32767), -32768, 32767).astype("<i2")
    write_pcm(target, pcm)
    return pcm


def write_pcm(target: Path, pcm: np.ndarray) -> None:
    """Write 16-bit mono ``pcm`` at the clip rate as a WAV file, atomically."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.astype("<i2", copy=False).tobytes())
    atomic_write(target, buffer.getvalue())


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


#: True peaks are found between samples by interpolating four times (ITU-R BS.1770-4) with a
#: Kaiser-windowed sinc of this many taps per position. At 24 kHz a limited voice has sound
#: close to half the rate, which a short sinc reads low: 12 taps read hibari's limited clips
#: 0.15 dB under 48 taps, 24 taps within 0.02 dB.
OVERSAMPLING, TAPS = 4, 24


@functools.cache
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
    peak = peak_of(np.frombuffer(decoded, dtype="<f4"))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def peak_of(samples: np.ndarray) -> float:
    """The true peak of ``samples`` (full scale 1) as a magnitude: the largest of the waveform
    at and between its samples (:func:`true_peak`).

    Examples
    --------
    >>> t = np.arange(4800)
    >>> crests_between = 0.5 * np.sin(2 * np.pi * t / 4 + np.pi / 4)  # samples at 0.354
    >>> round(float(np.abs(crests_between).max()), 3), round(peak_of(crests_between), 3)
    (0.354, 0.5)
    """
    samples = np.asarray(samples, dtype=float)
    magnitudes = np.abs(samples)
    peak = float(magnitudes.max(initial=0.0))
    if len(samples) <= 2 * TAPS:
        return peak
    # A value between samples is a weighted sum of the samples around it, so it is at most
    # their magnitudes weighted by the largest tap of any position (the envelope). Only
    # windows whose bound passes the largest sample are interpolated: near a sample close to
    # that peak (a few percent of speech), and of those the few whose neighbours are loud too.
    phases, envelope = _between_samples()
    loud = magnitudes >= peak / envelope.sum()
    counts = np.concatenate([[0], np.cumsum(loud)])
    width = len(envelope)
    near = np.flatnonzero(counts[width:] > counts[:-width])  # a loud sample in the window
    windows = np.lib.stride_tricks.sliding_window_view(samples, width)[near]
    windows = windows[np.abs(windows) @ envelope > peak]
    return max(peak, float(np.abs(windows @ phases).max(initial=0.0)))


@functools.cache
def _between_samples() -> tuple[np.ndarray, np.ndarray]:
    """The interpolators of the positions between samples (the first of
    :func:`_interpolators` is the samples themselves), as the columns of one matrix applied
    to windows of samples (each reversed, the shorter ones padded), and the envelope of their
    magnitudes."""
    between = [taps[::-1] for taps in _interpolators()[1:]]
    width = max(len(taps) for taps in between)
    phases = np.array([np.pad(taps, (0, width - len(taps))) for taps in between]).T
    return phases, np.abs(phases).max(axis=1)


def read_clip(path: Path) -> np.ndarray:
    """The samples of a clip written by :func:`prepare_clip` (mono, 16-bit, SAMPLE_RATE)."""
    with wave.open(str(path), "rb") as clip:
        if (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) != (1, 2, SAMPLE_RATE):
            raise BpError(f"{path}: expected a mono 16-bit {SAMPLE_RATE} Hz clip")
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2")


def k_weighting(rate: int) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """K-weighting (ITU-R BS.1770-4) at ``rate`` Hz: (b, a) of its two stages, a high shelf
    for the head, then a high pass. BS.1770 gives the coefficients at 48 kHz only; these are
    designed from the filters they sample (libebur128's design), so they hold at any rate.

    Examples
    --------
    >>> (shelf_b, shelf_a), (high_b, high_a) = k_weighting(48_000)
    >>> [round(c, 8) for c in shelf_b]  # BS.1770-4, table 1
    [1.53512486, -2.69169619, 1.19839281]
    >>> [round(c, 8) for c in high_a]  # table 2
    [1.0, -1.99004745, 0.99007225]
    """
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0)
    shelf_a = (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_a = (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    return (shelf, shelf_a), ((1.0, -2.0, 1.0), high_a)


K_WEIGHTING = k_weighting(SAMPLE_RATE)
#: Samples of the K-weighting's impulse response kept (85 ms): it has decayed under 1e-8 by
#: then (its high pass at 38 Hz rings longest).
K_TAIL = SAMPLE_RATE * 85 // 1000
#: A clip's loudness is kept as the K-weighted energy of each 10 ms; EBU R 128's blocks (400 ms
#: every 100 ms) are sums of these.
BIN = SAMPLE_RATE // 100
BLOCK, STEP = 40, 10
#: The limiter's look-ahead and release, in samples: 5 ms (as ffmpeg's alimiter was asked),
#: rounded up to the 2**k - 1 samples its running minimum reaches by doubling.
LIMITER_REACH = (1 << (SAMPLE_RATE * 5 // 1000).bit_length()) - 1


@functools.cache
def _k_impulse() -> np.ndarray:
    """The K-weighting filter's impulse response (:data:`K_TAIL` samples)."""
    signal = np.zeros(K_TAIL)
    signal[0] = 1.0
    for (b0, b1, b2), (_, a1, a2) in K_WEIGHTING:
        out = np.zeros(K_TAIL)
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(signal.tolist()):
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out[n], x1, x2, y1, y2 = y, x, x1, y, y1
        signal = out
    return signal


@functools.lru_cache(maxsize=4)
def _k_spectrum(size: int) -> np.ndarray:
    """The K-weighting's impulse response in an FFT of ``size`` points (a few sizes kept: a
    clip's size is its own, and each takes megabytes)."""
    return np.fft.rfft(_k_impulse(), size)


def fast_size(n: int) -> int:
    """The least length of at least ``n`` with no prime factor over 5: an FFT that fast, and
    on average a third shorter than the next power of two (about half the time measured).

    Examples
    --------
    >>> fast_size(1000), fast_size(1025), fast_size(262_145)
    (1000, 1080, 262440)
    """
    best = 1 << max(n - 1, 0).bit_length()
    fives = 1
    while fives < best:
        threes = fives
        while threes < best:
            size = threes << max((n - 1) // threes, 0).bit_length()  # times the least power of 2
            best = min(best, size)
            threes *= 3
        fives *= 5
    return best


@dataclass(frozen=True, eq=False)
class Levels:
    """What the voice track's loudness needs of one clip: the K-weighted energy of each 10 ms
    of it from its first sample (:data:`BIN`; the filter's ring-out included), and its true
    peak as a magnitude (full scale 1)."""

    energy: np.ndarray = field(repr=False)
    peak: float


def levels(samples: np.ndarray) -> Levels:
    """The :class:`Levels` of ``samples`` (floats, full scale 1, at :data:`SAMPLE_RATE`)."""
    samples = np.asarray(samples, dtype=float)
    n = len(samples) + K_TAIL - 1
    size = fast_size(n)
    weighted = np.fft.irfft(np.fft.rfft(samples, size) * _k_spectrum(size), size)[:n]
    energy = _per_bin(np.square(weighted))
    # The clip lies in silence: its edges are interpolated against zeros.
    quiet = np.zeros(TAPS)
    return Levels(energy, peak_of(np.concatenate([quiet, samples, quiet])))


def _per_bin(energy: np.ndarray) -> np.ndarray:
    """``energy`` per sample summed over each :data:`BIN` (the last one padded with zeros)."""
    return np.concatenate([energy, np.zeros(-len(energy) % BIN)]).reshape(-1, BIN).sum(axis=1)


_clip_levels: dict[tuple[str, int, int], Levels] = {}


def _levels_key(path: Path) -> tuple[str, int, int]:
    """A clip file as :data:`_clip_levels` knows it: a rewritten clip is another key."""
    stat = os.stat(path)
    return str(path), stat.st_mtime_ns, stat.st_size


def clip_levels(path: Path) -> Levels:
    """The :class:`Levels` of the clip at ``path``, measured once per process (a clip is
    measured as it is made, so laying down the voice track finds it done)."""
    key = _levels_key(path)
    found = _clip_levels.get(key)
    if found is None:
        found = _clip_levels[key] = levels(read_clip(path) / 32768)
    return found


def keep_levels(path: Path, known: Levels) -> None:
    """Remember ``known`` as the levels of the clip at ``path``, measured where it was made
    (bpcore.narration.synthesis)."""
    _clip_levels[_levels_key(path)] = known


def integrated(placed: list[tuple[int, Levels]], length: int, gains: list[float]) -> float:
    """Integrated loudness (LUFS, EBU R 128's gated mean of 400 ms blocks) of a track
    ``length`` samples long holding each clip's :class:`Levels` at its first sample, times its
    gain (a factor on its samples).

    Examples
    --------
    >>> t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    >>> sine = levels(0.1 * np.sin(2 * np.pi * 997 * t))  # 997 Hz, where K-weighting is flat
    >>> # Two seconds of a sine: ffmpeg's ebur128 reads -23.9 LUFS for this track too.
    >>> round(integrated([(0, sine), (3 * SAMPLE_RATE, sine)], 5 * SAMPLE_RATE, [1, 1]), 1)
    -23.9
    """
    bins = np.zeros(-(-length // BIN) + 2)
    for (start, level), gain in zip(placed, gains, strict=True):
        first, part = divmod(start, BIN)
        energy = level.energy[: max(len(bins) - first - 1, 0)] * gain**2
        # A clip starts inside a bin: its energy is shared between the two bins it straddles.
        bins[first:first + len(energy)] += energy * (1 - part / BIN)
        bins[first + 1:first + 1 + len(energy)] += energy * (part / BIN)
    bins = bins[: -(-length // BIN)]
    if len(bins) < BLOCK:
        return -math.inf
    sums = np.concatenate([[0.0], np.cumsum(bins)])
    starts = np.arange(0, len(bins) - BLOCK + 1, STEP)
    power = (sums[starts + BLOCK] - sums[starts]) / (BLOCK * BIN)
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(power)
    kept = power[loudness > -70]
    if len(kept) == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(kept.mean()) - 10
    kept = power[loudness > max(relative, -70)]
    return -0.691 + 10 * math.log10(kept.mean())


def limited(samples: np.ndarray, limit: float) -> np.ndarray:
    """``samples`` with every sample's magnitude held at ``limit`` or under: the gain dips
    smoothly over :data:`LIMITER_REACH` samples either side of a peak (a look-ahead limiter),
    and is 1 wherever no peak is near, so the rest of the sound is untouched.

    Examples
    --------
    >>> sound = np.full(2000, 0.1)
    >>> sound[1000] = 0.9
    >>> out = limited(sound, 0.5)
    >>> float(np.abs(out).max()) <= 0.5, bool(np.all(out[:400] == sound[:400]))
    (True, True)
    """
    need = np.minimum(1.0, limit / np.maximum(np.abs(samples), 1e-12))
    over = np.flatnonzero(need < 1.0)
    if len(over) == 0:
        return samples
    # The gain is 1 farther than 2 * reach from every sample over the limit: only the
    # stretches around those (a few percent of speech) are worked out, each on its own.
    reach = LIMITER_REACH
    apart = np.flatnonzero(np.diff(over) > 4 * reach)
    out = np.array(samples, dtype=float)
    for first, last in zip(over[np.r_[0, apart + 1]], over[np.r_[apart, len(over) - 1]],
                           strict=True):
        stretch = slice(max(first - 2 * reach, 0), last + 2 * reach + 1)
        out[stretch] *= _limiter_gain(need[stretch], reach)
    return out


def _limiter_gain(need: np.ndarray, reach: int) -> np.ndarray:
    """The limiter's gain for the least gains ``need`` each sample needs (1 where no peak is
    within ``2 * reach``, and so beyond both ends)."""
    # The least gain within reach samples either side (a running minimum, by doubling), then
    # its running mean over as many: the mean at a peak averages gains that all saw that
    # peak, so it holds it under the limit.
    hold, span = need.copy(), 1
    while span <= reach:
        hold[span:] = np.minimum(hold[span:], hold[:-span])
        hold[:-span] = np.minimum(hold[:-span], hold[span:])
        span *= 2
    window = 2 * reach + 1
    padded = np.concatenate([np.ones(reach), hold, np.ones(reach)])
    sums = np.concatenate([[0.0], np.cumsum(padded)])
    gain = (sums[window:] - sums[:-window]) / window
    return np.minimum(gain, need)  # need: what the mean's rounding missed


class Track:
    """The voice track, laid down as its clips come: :meth:`add` places a clip (in order of
    their starts) and returns the samples that are final now, :meth:`end` the rest, so the
    track can be encoded while the scene is still being drawn.

    Each clip is set to :data:`TARGET_LUFS` on its own, from the loudness measured as it was
    made (:func:`clip_levels`): a synthetic voice's clips are about as loud as each other, so
    this keeps the speech as it was, and a teacher's takes recorded at different levels come
    out even. A clip whose true peak that gain lifts over the ceiling (less
    :data:`CODEC_HEADROOM`, for the AAC encoder; most of hibari's) goes through
    :func:`limited`, and its gain is corrected (at most twice) for the loudness the limiter
    took, until it is within :data:`LOUDNESS_TOLERANCE` of the target. Clips that overlap add
    up, and are limited again together.

    Examples
    --------
    >>> import tempfile
    >>> track = Track()
    >>> len(track.end(0.5)) == SAMPLE_RATE // 2  # nothing placed: half a second of silence
    True
    """

    def __init__(self) -> None:
        #: Samples handed out so far; what lies past them is still open to the next clip.
        self._fed = 0
        self._open = np.zeros(0)
        self._gain = 1.0  # the last clip's: for one too short or too quiet to measure
        #: What the limiter took from the last limited clip (a factor on its gain): the next
        #: one starts from it, as one voice's clips lose about as much.
        self._lift = 1.0

    def add(self, start: float, clip: Path) -> np.ndarray:
        """Place ``clip`` at ``start`` seconds (not before an earlier clip's start); the
        track's samples (16-bit) up to that start, now final."""
        first = round(start * SAMPLE_RATE)
        if first < self._fed:
            raise ValueError(f"{clip}: placed at {start} s, before the track's last clip")
        out = self._take(first)
        sound = self._loud(read_clip(clip) / 32768, clip_levels(clip))
        if len(sound) > len(self._open):
            self._open = np.concatenate([self._open, np.zeros(len(sound) - len(self._open))])
        overlaps = bool(np.any(self._open[: len(sound)]))
        self._open[: len(sound)] += sound
        if overlaps:
            self._open = _under_ceiling(self._open)
        return out

    def end(self, seconds: float) -> np.ndarray:
        """The rest of the track, up to ``seconds`` (16-bit samples): a clip running past the
        end is cut there."""
        return self._take(round(seconds * SAMPLE_RATE))

    def _take(self, upto: int) -> np.ndarray:
        """The samples from where the last hand-out stopped up to ``upto``, as 16-bit."""
        count = max(upto - self._fed, 0)
        part = np.zeros(count)
        part[: min(count, len(self._open))] = self._open[:count]
        self._open, self._fed = self._open[count:], self._fed + count
        return np.clip(np.round(part * 32768), -32768, 32767).astype("<i2")

    def _loud(self, samples: np.ndarray, level: Levels) -> np.ndarray:
        """``samples`` at the loudness target, their true peaks under the ceiling."""
        loudness = _loudness(level, len(samples))
        if not math.isfinite(loudness):
            return samples * self._gain
        plain = 10 ** ((TARGET_LUFS - loudness) / 20)
        gain = plain * self._lift if level.peak * plain > CEILING else plain
        for _ in range(3):
            if level.peak * gain <= CEILING:
                sound, now = samples * gain, level
            else:
                sound, peak = _limited_peak(samples * gain)
                now = _limited_levels(level, samples * gain, sound, peak)
            short = TARGET_LUFS - _loudness(now, len(samples), gain)
            if abs(short) <= LOUDNESS_TOLERANCE:
                break
            gain *= 10 ** (short / 20)  # the limiter took some loudness with the peaks
        if level.peak * plain > CEILING:
            self._lift = gain * 10 ** (short / 20) / plain
        self._gain = gain
        return sound


def _loudness(level: Levels, length: int, gain: float = 1.0) -> float:
    """The integrated loudness (LUFS) of one clip ``length`` samples long with ``level``, times
    ``gain``; a clip shorter than one 400 ms block is measured over its own length."""
    loudness = integrated([(0, level)], length, [gain])
    if math.isfinite(loudness) or length >= BLOCK * BIN or length == 0:
        return loudness
    power = float(level.energy[: -(-length // BIN)].sum()) * gain**2 / length
    return -0.691 + 10 * math.log10(power) if power > 10 ** ((-70 + 0.691) / 10) else -math.inf


def _limited_peak(samples: np.ndarray) -> tuple[np.ndarray, float]:
    """``samples`` through :func:`limited`, their true peak held under :data:`CEILING`, and
    that peak. A limiter sees samples, not the peaks between them: it aims lower, and lower
    again if a true peak still stands over."""
    limit = CEILING * 10 ** (-INTERSAMPLE_MARGIN / 20)
    for _ in range(3):
        sound = limited(samples, limit)
        peak = peak_of(sound)
        if peak <= CEILING:
            break
        limit *= CEILING / peak
    return sound, peak


def _under_ceiling(samples: np.ndarray) -> np.ndarray:
    """``samples`` (clips that overlap, added up) with their true peak under the ceiling."""
    return samples if peak_of(samples) <= CEILING else _limited_peak(samples)[0]


def _limited_levels(level: Levels, before: np.ndarray, after: np.ndarray,
                    peak: float) -> Levels:
    """The levels of a clip whose samples ``before`` a limiter became ``after``, from its
    ``level`` (at the gain of ``before``'s samples, that is, with the gain counted outside):
    each 10 ms keeps its K-weighted energy times the share of its plain energy the limiter
    left (``peak`` is ``after``'s true peak, measured already). The limiter's gain moves over
    milliseconds, so within 10 ms it takes as much from every frequency, and no second
    K-weighting pass is needed."""
    kept, was = _per_bin(np.square(after)), _per_bin(np.square(before))
    share = np.ones(len(level.energy))
    share[: len(kept)] = np.divide(kept, was, out=np.ones_like(kept), where=was > 0)
    return Levels(level.energy * share, peak)


class Encoder:
    """The voice track as AAC in the audio file ``target`` (``.m4a``), encoded by one ffmpeg
    process as the track's samples come (:class:`Track`), so that encoding runs while the
    scene is drawn and only the last clip's is left for the end; publishing copies the result
    into the video (bpcore.outputs.publish.add_chapters).

    128 kbit/s is what video platforms ask of a mono upload; the encoder's fast search takes a
    quarter of the time of its default.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self._errors = tempfile.TemporaryFile()
        self._ffmpeg = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-v", "error", "-y", "-f", "s16le", "-ar",
             str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", "-c:a", "aac", "-aac_coder", "fast",
             "-b:a", "128k", str(target)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors)

    def write(self, pcm: np.ndarray) -> None:
        """Encode the track's next samples (16-bit)."""
        try:
            self._ffmpeg.stdin.write(pcm.astype("<i2", copy=False).tobytes())
        except BrokenPipeError:  # ffmpeg stopped: close() says why
            pass

    def close(self) -> None:
        """Finish the file; a failure is one line naming it."""
        code, said = ended(self._ffmpeg, self._errors)
        if code != 0:
            raise MediaError(f"{self.target}: ffmpeg failed: {last_line(said)}")
