"""Where the project's own files are: scene files, lesson examples, the page template, manim.cfg.

This is the one place that knows. From a source checkout they are the checkout's folders
(``scenes/``, ``assets/`` and ``manim.cfg`` beside ``bpcore/``), so an edit shows at once; from
an installed wheel they are the copies packaged inside bpcore (``bpcore/_data/``, see
pyproject.toml). Caches (voice clips, LaTeX) live in the checkout's ``.cache/``, or for an
installed bpcore in the user's cache folder; ``$BP_CACHE`` names another.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _root() -> Path:
    """The checkout when bpcore runs from one, else the files packaged with bpcore."""
    if (_CHECKOUT / "scenes").is_dir() and (_CHECKOUT / "assets" / "lessons").is_dir():
        return _CHECKOUT
    return _PACKAGE / "_data"


#: The folder holding scenes/, assets/ and manim.cfg (the folder manim runs in).
ROOT = _root()
#: True when bpcore runs from a source checkout rather than an installed wheel.
FROM_CHECKOUT = ROOT == _CHECKOUT
SCENES_DIR = ROOT / "scenes"
ASSETS_DIR = ROOT / "assets"
LESSONS_DIR = ASSETS_DIR / "lessons"
PAGE_DIR = ASSETS_DIR / "page"


def cache_dir(kind: str) -> Path:
    """The folder for one kind of cache (``voice``, ``tex``): ``$BP_CACHE/<kind>``, else the
    checkout's ``.cache/<kind>``, else the user's cache folder.

    Examples
    --------
    >>> cache_dir("voice").name
    'voice'
    """
    from bpcore.settings import setting  # settings imports voice; keep this module light

    override = setting("cache")
    if override:
        base = Path(override)
    elif FROM_CHECKOUT:
        base = ROOT / ".cache"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bpcore"
    return base / kind
