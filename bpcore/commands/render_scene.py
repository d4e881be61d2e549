"""Running a lesson's scene with manim in a subprocess (bpcore itself never imports manim)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bpcore.commands.common import CommandError
from bpcore.lesson import LESSONS_DIR, Lesson

REPO_ROOT = LESSONS_DIR.parent.parent
SCENES_DIR = REPO_ROOT / "scenes"
QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}


def scene_file(lesson: Lesson) -> Path:
    """The scene file that renders ``lesson``: ``scenes/<lesson.scene>.py``.

    Examples
    --------
    >>> scene_file(Lesson.from_file(LESSONS_DIR / "b3.yaml")).name
    'b3.py'
    """
    path = SCENES_DIR / f"{lesson.scene}.py"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENES_DIR.glob("[!_]*.py")))
        raise CommandError(f"{lesson.source}: scene: no scene file {path.name} in "
                           f"{SCENES_DIR}; expected one of {known}")
    return path


def run_manim(lesson_path: Path, lesson: Lesson, quality: str, media_dir: Path,
              extra_env: dict[str, str] | None = None) -> None:
    """Render ``lesson`` with its scene into ``media_dir``; a failure raises CommandError."""
    env = {**os.environ, "BP_LESSON": str(lesson_path.resolve()), **(extra_env or {})}
    args = [sys.executable, "-m", "manim", "render", f"-q{quality}", "--disable_caching",
            "--progress_bar", "none", "--media_dir", str(media_dir), str(scene_file(lesson))]
    # From the repo root, so the project's manim.cfg applies.
    done = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        tail = lines[-1] if lines else f"manim exited with code {done.returncode}"
        raise CommandError(f"{lesson_path}: rendering failed: {tail.removeprefix('error: ')}")
