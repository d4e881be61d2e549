"""LaTeX's SVGs shared across renders: any scene, any media folder, run after run.

Manim writes each Tex/MathTex string's SVG into ``config.tex_dir`` (``<media>/Tex``), named for
its source, and skips latex when the file is there. Renders running at once (``bp render -j``,
the test suite) must not share that folder: one would read an SVG another is still writing.
So each render keeps its own folder, filled from the shared cache
(:func:`bpcore.resources.cache_dir` ``("tex")``, ``$BP_CACHE`` overrides) before it starts,
and hands its new SVGs back when it ends, each one moved in whole (``os.replace``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from manim import config

from bpcore.resources import cache_dir


def fill() -> None:
    """Link (or copy) the cached SVGs into this render's tex folder."""
    shared, own = cache_dir("tex"), Path(config.get_dir("tex_dir"))
    if not shared.is_dir():
        return
    own.mkdir(parents=True, exist_ok=True)
    for svg in shared.glob("*.svg"):
        target = own / svg.name
        if not target.exists():
            try:
                os.link(svg, target)
            except OSError:
                shutil.copyfile(svg, target)


def keep() -> None:
    """Move copies of this render's new SVGs into the shared cache, each atomically."""
    shared, own = cache_dir("tex"), Path(config.get_dir("tex_dir"))
    if not own.is_dir():
        return
    shared.mkdir(parents=True, exist_ok=True)
    for svg in own.glob("*.svg"):
        if (shared / svg.name).exists():
            continue
        handle, scratch = tempfile.mkstemp(dir=shared, suffix=".part")
        os.close(handle)
        shutil.copyfile(svg, scratch)
        os.replace(scratch, shared / svg.name)
