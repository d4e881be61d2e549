"""The voice track laid down and encoded in a process of its own, beside the render.

Laying the clips down (:class:`bpcore.narration.audio.Track`: a gain per clip, the limiter,
its true peaks) is numpy work in short steps, which in the render's own process held the
interpreter lock against the scene's drawing thread: b3 -ql with an empty clip cache rendered
0.65 s faster (three alternating pairs) with the same work in a child process. A
:class:`Layer` starts ``python -m bpcore.narration.laying TARGET`` and hands it each clip's
start, file and levels (measured where the clip was made, :func:`audio.clip_levels`), one JSON
line each; the child places them and streams the final samples into its AAC encoder
(:class:`audio.Encoder`, a child of its own), at the voice process's lower priority
(:data:`bpcore.narration.children.NICENESS`). ``{"end": seconds}`` ends the track.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from bpcore.errors import last_line
from bpcore.narration import audio
from bpcore.narration.children import child, ended, settle
from bpcore.narration.ffmpeg import MediaError


class Layer:
    """The voice track in the AAC file ``target``, laid down by a child process.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> t = np.arange(3 * audio.SAMPLE_RATE) / audio.SAMPLE_RATE
    >>> audio.write_pcm(folder / "clip.wav", (8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2"))
    >>> layer = Layer(folder / "voice.m4a")
    >>> layer.place(0.5, folder / "clip.wav")
    >>> track = layer.finish(4.0)
    >>> round(audio.measure(track, peaks=False).integrated)  # the loudness target
    -16
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self._errors = tempfile.TemporaryFile("a+", encoding="utf-8", errors="replace")
        self._child = child("bpcore.narration.laying", str(target), stderr=self._errors)

    def place(self, start: float, clip: Path) -> None:
        """Place ``clip`` at ``start`` seconds (in order of starts). A failure shows at
        :meth:`finish`."""
        level = audio.clip_levels(clip)
        self._send({"start": start, "clip": str(clip), "energy": level.energy.tolist(),
                    "peak": level.peak})

    def finish(self, seconds: float) -> Path:
        """End the track at ``seconds`` and wait for its file; a failure is one line."""
        self._send({"end": seconds})
        code, said = ended(self._child, self._errors)
        if code != 0 or not self.target.is_file():
            raise MediaError(f"{self.target}: laying the voice track failed: "
                             f"{last_line(said) or f'exit {code}'}")
        return self.target

    def _send(self, message: dict) -> None:
        try:
            self._child.stdin.write(json.dumps(message) + "\n")
            self._child.stdin.flush()
        except BrokenPipeError:  # the child stopped: finish() says why
            pass


def lay(lines, target: Path) -> None:
    """The child's loop: place each clip of ``lines`` and encode, until ``{"end": ...}``."""
    track, encoder = audio.Track(), audio.Encoder(target)
    try:
        for line in lines:
            asked = json.loads(line)
            if "end" in asked:
                encoder.write(track.end(asked["end"]))
                break
            clip = Path(asked["clip"])
            audio.keep_levels(clip, audio.Levels(np.asarray(asked["energy"], dtype=float),
                                                 asked["peak"]))
            encoder.write(track.add(asked["start"], clip))
    finally:
        encoder.close()


if __name__ == "__main__":
    settle()
    try:
        lay(sys.stdin, Path(sys.argv[1]))
    except Exception as exc:  # noqa: BLE001 - the parent reports the last line
        print(last_line(str(exc), empty=type(exc).__name__), file=sys.stderr)
        raise SystemExit(1) from None
