"""What a video depends on (its key), and whether the video in place was made from it.

The key of a render hashes the lesson file's content, the code that renders it
(:func:`code_digest`), the quality and the voice; the sidecar record beside a finished video
(``.<stem>.render.json``) keeps the key it was made from, so a lesson whose key has not changed
is skipped (:func:`up_to_date`). ``bp slides`` keys its builds the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from importlib import metadata
from pathlib import Path

from bpcore.lesson.file import Lesson
from bpcore.narration.voice import RECORDED, Voice
from bpcore.render.jobs import RenderJob, RenderResult
from bpcore.render.outputs import sidecar_path
from bpcore.resources import ROOT, SCENES_DIR

BPCORE_DIR = Path(__file__).resolve().parent.parent


def code_digest(scene: Path) -> str:
    """A hash of the code that renders ``scene``: manim's version, manim.cfg, bpcore, the scene
    file and the packages beside it (``scenes/kit/``), but not the other scene files.

    Examples
    --------
    >>> digest = code_digest(SCENES_DIR / "b3.py")
    >>> len(digest), digest == code_digest(SCENES_DIR / "b3.py")
    (64, True)
    """
    files = {p.resolve() for p in BPCORE_DIR.rglob("*.py")}
    for folder in {SCENES_DIR, scene.resolve().parent}:
        files.update(p.resolve() for p in folder.glob("*/**/*.py"))
    files.update({scene.resolve(), (ROOT / "manim.cfg").resolve()})
    digest = hashlib.sha256()
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(f"manim {metadata.version('manim')}\n".encode())
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def render_key(lesson: Lesson, scene: Path, quality: str, code: str | None = None,
               voice: Voice | None = None, burn: bool = False) -> str:
    """What a video depends on: the lesson file's content, the code, the quality and the voice
    (for recordings, the recordings themselves).

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR
    >>> b3 = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> scene = SCENES_DIR / "b3.py"
    >>> render_key(b3, scene, "l") == render_key(b3, scene, "l")
    True
    >>> render_key(b3, scene, "l") == render_key(b3, scene, "h")
    False
    """
    code = code if code is not None else code_digest(scene)
    voice = voice or lesson.narration.voice
    text = (f"lesson {lesson.digest}\nscene {scene.name}\ncode {code}\nquality {quality}\n"
            f"voice {voice}\nburn {burn}\n")
    digest = hashlib.sha256(text.encode())
    if voice.name == RECORDED and voice.folder.is_dir():
        for take in sorted(voice.folder.glob("*.*")):
            if take.suffix in (".wav", ".txt"):
                digest.update(take.name.encode() + hashlib.sha256(take.read_bytes()).digest())
    return digest.hexdigest()


def recorded(output: Path) -> dict | None:
    """The sidecar record of ``output``, or None when there is none or it is unreadable."""
    try:
        data = json.loads(sidecar_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def up_to_date(job: RenderJob) -> RenderResult | None:
    """A ``skipped`` result when the outputs exist and were made from the same key."""
    record = recorded(job.output)
    if record is None or record.get("key") != job.key or not job.output.is_file():
        return None
    if record.get("captions") and not job.captions.is_file():
        return None
    if not all(extra.is_file() for extra in job.extras):
        return None
    return RenderResult(job.lesson_path, "skipped", job.output, record.get("video_seconds"),
                        record.get("render_seconds"))
