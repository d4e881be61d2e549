"""LaTeX's SVGs shared across renders: each string is typeset once, by whichever render needs
it first, and every render (any scene, any media folder, running now or later) reuses it.

Manim writes each Tex/MathTex string's SVG into ``config.tex_dir`` (``<media>/Tex``), named for
its LaTeX source, and skips latex when the file is there. Renders running at once (``bp render
-j``, the test suite) must not share that folder: one would read an SVG another is still
writing. So each render keeps its own folder, and :func:`install` puts the shared cache
(:func:`bpcore.resources.cache_dir` ``("tex")``, ``$BP_CACHE`` overrides) between manim and
latex: a string missing from the render's folder is linked from the cache, and one missing from
the cache is typeset under a lock of its own, then moved into the cache whole
(``os.replace``). Renders started together on an empty cache (a fresh clone's test suite: a
dozen scenes sharing most of their strings) therefore run latex once per string, not once per
render; a render waiting on the lock gets the SVG the other one made.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from manim import config
from manim.mobject.text import tex_mobject
from manim.utils import tex_file_writing

from bpcore.resources import cache_dir

_typeset = tex_file_writing.tex_to_svg_file


def tex_to_svg_file(expression: str, environment: str | None = None,
                    tex_template=None) -> Path:
    """Manim's :func:`~manim.utils.tex_file_writing.tex_to_svg_file`, through the shared
    cache."""
    template = config["tex_template"] if tex_template is None else tex_template
    svg = tex_file_writing.generate_tex_file(expression, environment, template).with_suffix(
        ".svg")
    if svg.exists():
        return svg
    shared = cache_dir("tex")
    try:
        shared.mkdir(parents=True, exist_ok=True)
    except OSError:  # no cache to share (a read-only place): latex here, as manim does
        return _typeset(expression, environment, template)
    cached = shared / svg.name
    if not cached.exists():
        with _locked(shared / f"{svg.stem}.lock"):
            if not cached.exists():  # nobody typeset it while this render waited
                _publish(_typeset(expression, environment, template), cached)
    _link(cached, svg)
    return svg


def install() -> None:
    """Send every Tex and MathTex through :func:`tex_to_svg_file` (idempotent)."""
    tex_mobject.tex_to_svg_file = tex_to_svg_file


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path``; the system drops it if this process dies."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(made: Path, cached: Path) -> None:
    handle, scratch = tempfile.mkstemp(dir=cached.parent, suffix=".part")
    os.close(handle)
    shutil.copyfile(made, scratch)
    os.replace(scratch, cached)


def _link(cached: Path, svg: Path) -> None:
    if svg.exists():  # the render's own typesetting just wrote it
        return
    try:
        os.link(cached, svg)
    except FileExistsError:
        pass
    except OSError:  # another file system: a copy, moved in whole
        _publish(cached, svg)
