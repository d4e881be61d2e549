"""Running ffmpeg and ffprobe: one place that finds them, runs them quietly and turns a failure
into one line naming the file being made."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bpcore.errors import BpError, last_line


class MediaError(BpError):
    """ffmpeg or ffprobe is missing or failed, or a file cannot be used."""


def run(command: list, about: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        binary: bool = False) -> subprocess.CompletedProcess:
    """Run ``command`` (ffmpeg or ffprobe and its arguments) and return how it ended; its
    output is text, or bytes with ``binary`` (decoded samples).

    A missing program or a failure raises :class:`MediaError` naming ``about`` (the file being
    made or read) with the program's last words.
    """
    if shutil.which(command[0]) is None:
        raise MediaError(f"{command[0]} not found: install ffmpeg (apt-get install ffmpeg)")
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                          text=not binary, errors=None if binary else "replace", check=False)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace") if binary else done.stderr
        raise MediaError(f"{about}: {command[0]} failed: {last_line(said)}")
    return done


def length(path: str | os.PathLike[str]) -> float:
    """A media file's length in seconds, as ffprobe reads it from the container."""
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
               "default=noprint_wrappers=1:nokey=1", path], Path(path)).stdout
    try:
        return float(out.strip())
    except ValueError:
        raise MediaError(f"{path}: ffprobe reports no duration") from None


#: ffmpeg output options for every mp4 the project writes: the index (``moov``) before the
#: media data, so a browser plays the file while it downloads.
FASTSTART = ("-movflags", "+faststart")


def faststart(path: str | os.PathLike[str]) -> None:
    """Rewrite the mp4 at ``path`` in place with its index first (streams copied, not
    re-encoded); a file already laid out so is left alone."""
    from bpcore.narration.mp4 import is_faststart

    path = Path(path)
    if is_faststart(path):
        return
    scratch = path.with_name(f"{path.stem}.faststart{path.suffix}")
    try:
        run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", path, "-map", "0", "-c", "copy",
             "-map_metadata", "0", "-map_chapters", "0", *FASTSTART, scratch], path)
        scratch.replace(path)
    finally:
        scratch.unlink(missing_ok=True)
