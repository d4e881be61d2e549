"""bpcore installs: the wheel holds the scenes, lessons and page template, and `bp` works from
it in a folder far from any checkout (issue 24)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed (without its dependencies, which the
    test's environment has) into a folder of its own."""
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            str(REPO_ROOT), "-w", str(wheels)], capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    shutil.rmtree(REPO_ROOT / "build", ignore_errors=True)  # setuptools' scratch folder
    wheel = next(wheels.glob("bpcore-*.whl"))
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                              "--target", str(target), str(wheel)], capture_output=True,
                             text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    return target


def bp(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`bp ARGS` from the installed wheel, run in ``cwd``, with no BP_* setting inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BP_")}
    env["PYTHONPATH"] = str(installed)
    return subprocess.run([sys.executable, "-m", "bpcore", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_wheel_carries_what_bp_needs(installed: Path) -> None:
    """Scene files and their kit, the lesson examples, the page template and manim.cfg are in
    the wheel, and the `bp` entry point is installed."""
    data = installed / "bpcore" / "_data"
    for part in ("scenes/b3.py", "scenes/kit/lesson_scene.py", "assets/lessons/b3.yaml",
                 "assets/page/page.js", "manim.cfg"):
        assert (data / part).is_file(), part
    assert (installed / "bin" / "bp").is_file()


@pytest.mark.render
def test_bp_works_from_the_wheel_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    """From a folder outside the checkout, with bpcore imported from the wheel: --help, check,
    trace, page and a low-quality render of a copied lesson all work."""
    lesson = tmp_path / "mine.yaml"
    shutil.copy(installed / "bpcore" / "_data" / "assets" / "lessons" / "b3.yaml", lesson)
    where = subprocess.run([sys.executable, "-c", "import bpcore; print(bpcore.__file__)"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)},
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(installed)), where.stdout
    for args in (("--help",), ("check", "mine.yaml"), ("trace", "mine.yaml", "-o", "t.json"),
                 ("page", "mine.yaml", "-o", "pages"),
                 ("render", "mine.yaml", "-q", "l", "--voice", "none", "-o", "videos")):
        done = bp(installed, tmp_path, *args)
        assert done.returncode == 0, f"bp {' '.join(args)}: {done.stderr[-2000:]}"
    assert (tmp_path / "t.json").is_file() and (tmp_path / "pages" / "mine.html").is_file()
    assert (tmp_path / "videos" / "mine.mp4").stat().st_size > 0
