"""A neural voice speaking in a process of its own, beside the render that asked for its clips.

hibari and Piper run their text-to-phoneme rules in Python and their models through
onnxruntime: in the render's own process they would hold the interpreter lock against the
scene's drawing thread for every clip. A :class:`Synthesizer` starts one child process
(``python -m bpcore.narration.synthesis``) the first time a clip is missing from the cache
(or, with :meth:`Synthesizer.start`, as the render begins, when its clips will all be
missing), and asks it for clips one line at a time: the child loads the voice once, speaks
the text, writes the clip in the clip format itself (:func:`bpcore.narration.audio.write_clip`:
no ffmpeg) and measures its loudness (:func:`bpcore.narration.audio.levels`), which it sends
back for the voice track. The child runs at a lower priority
(:data:`bpcore.narration.children.NICENESS`): it speaks in the time the drawing leaves idle,
and when the scene has to wait for a clip, the scene's own core is the one left for it.
Nothing is downloaded: the voices' models are files of installed packages (or the Piper voice
file the user named).

The protocol is one JSON object per line each way: ``{"voice", "rate", "model", "speech",
"target"}`` asked, ``{"peak", "energy"}`` or ``{"error"}`` answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bpcore.errors import BpError, last_line
from bpcore.narration import audio
from bpcore.narration.children import child, ended, settle


class Synthesizer:
    """Clips of one neural voice (``hibari`` or ``piper``), spoken by a child process.

    Examples
    --------
    >>> import tempfile, importlib.util
    >>> clip = Path(tempfile.mkdtemp()) / "clip.wav"
    >>> if importlib.util.find_spec("hibari"):
    ...     voice = Synthesizer("hibari", 1.0)
    ...     made = voice.clip("Hello there.", clip)
    ...     voice.close()
    ...     print(0.3 < audio.clip_seconds(clip) < 2.0, made.peak > 0.01)
    ... else:
    ...     print(True, True)
    True True
    """

    def __init__(self, voice: str, rate: float, model: Path | None = None) -> None:
        self.voice, self.rate, self.model = voice, rate, model
        self._child: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the child now, and have it load the voice before any clip is asked for: a
        render whose clips will all be missing starts it as it begins, so that the start-up
        (the voice's libraries, its model, its pronunciation tables) runs beside the scene's
        set-up instead of holding the first clip back."""
        if self._child is None:
            self._start()

    def clip(self, speech: str, target: Path) -> audio.Levels:
        """Have the voice say ``speech`` into the clip ``target`` (written atomically); its
        levels are remembered for the voice track (:func:`bpcore.narration.audio.keep_levels`)
        and returned. A failure is one line naming the voice and the words."""
        if self._child is None:
            self._start()
        ask = {"voice": self.voice, "rate": self.rate, "speech": speech, "target": str(target),
               "model": None if self.model is None else str(self.model)}
        try:
            self._child.stdin.write(json.dumps(ask) + "\n")
            self._child.stdin.flush()
            answer = self._child.stdout.readline()
        except (BrokenPipeError, OSError):
            answer = ""
        if not answer:
            complaint = self._complaint()
            self.close()
            raise BpError(f"voice {self.voice}: its synthesis process stopped: {complaint}")
        said = json.loads(answer)
        if "error" in said:
            raise BpError(f"voice {self.voice} failed on {speech[:40]!r}: {said['error']}")
        made = audio.Levels(np.asarray(said["energy"], dtype=float), said["peak"])
        audio.keep_levels(target, made)
        return made

    def close(self) -> None:
        """End the child process (it ends by itself, too, when its parent does)."""
        if self._child is not None:
            ended(self._child, self._errors)
            self._child = None

    def _start(self) -> None:
        self._errors = tempfile.TemporaryFile("a+", encoding="utf-8", errors="replace")
        voice = [self.voice, *([] if self.model is None else [str(self.model)])]
        self._child = child("bpcore.narration.synthesis", *voice, stdout=subprocess.PIPE,
                            stderr=self._errors)

    def _complaint(self) -> str:
        self._errors.seek(0)
        return last_line(self._errors.read())


def load(voice: str, model: str | None) -> object:
    """``voice``'s synthesizer (its model ``model`` for piper), loaded once per process."""
    key = voice if voice == "hibari" else model
    if key in _loaded:
        return _loaded[key]
    if voice == "hibari":
        from hibari import Hibari

        tts = Hibari()
        tts.g2p  # noqa: B018 - its pronunciation tables load on first use: now
    elif voice == "piper":
        from piper import PiperVoice

        tts = PiperVoice.load(model)
    else:
        raise BpError(f"no neural voice {voice!r}")
    _loaded[key] = tts
    return tts


def speak(voice: str, rate: float, model: str | None, speech: str) -> tuple[np.ndarray, int]:
    """``speech`` said by ``voice``: its samples (floats, full scale 1) and their rate."""
    tts = load(voice, model)
    if voice == "hibari":  # load() knows no other voices
        # A fixed seed: the same text gives the same clip, render after render.
        return tts(speech, speed=rate, seed=0), tts.sample_rate
    from piper import SynthesisConfig

    chunks = list(tts.synthesize(speech, SynthesisConfig(length_scale=1 / rate)))
    if not chunks:
        return np.zeros(0), audio.SAMPLE_RATE
    return (np.concatenate([chunk.audio_float_array for chunk in chunks]),
            chunks[0].sample_rate)


_loaded: dict[str | None, object] = {}


def serve(asked=sys.stdin, answers=sys.stdout) -> None:
    """The child's loop: a clip for each request line, until the parent closes the pipe."""
    for line in asked:
        ask = json.loads(line)
        try:
            samples, rate = speak(ask["voice"], ask["rate"], ask["model"], ask["speech"])
            target = Path(ask["target"])
            made = audio.levels(audio.write_clip(samples, rate, target) / 32768)
            answer = {"peak": made.peak, "energy": made.energy.tolist()}
        except Exception as exc:  # noqa: BLE001 - every failure is told to the parent in one line
            answer = {"error": last_line(str(exc), empty=type(exc).__name__)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    # The answers get stdout's pipe to themselves: whatever a voice's libraries print goes to
    # stderr, where the parent looks for a failure's last words.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    settle()
    if len(sys.argv) > 1:  # the voice (and model) to load before the first request
        try:
            load(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
        except Exception:  # noqa: BLE001, S110 - the first request tells the failure in one line
            pass
    serve(sys.stdin, answers)
