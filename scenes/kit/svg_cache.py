"""Text and Tex outlines built once: the mobjects parsed from an SVG, kept across renders.

Every Text, MarkupText and MathTex is an SVG (Pango's or LaTeX's) that manim parses into
mobjects (svgelements, then one VMobject per glyph): about 0.15 s per string, and manim keeps
the result only for the rest of one render, handing out deep copies (tens of ms each). A
lesson shows a hundred strings, nearly all the same from one render to the next: on a warm
-ql render of b3 that parsing and copying was the scene's largest cost after drawing.

:func:`install` replaces :meth:`SVGMobject.init_svg_mobject` with one that keeps the parsed
mobjects pickled, keyed by the SVG file's bytes and everything else the parse reads (the
class, its style defaults, manim's version): in memory for the render, and in the shared
cache (:func:`bpcore.resources.cache_dir` ``("svg")``) for the next one, each file written
whole (``os.replace``) and compressed (zlib: about 15 kB a line of text instead of 90).
Unpickling is a few times faster than manim's deep copy and gives the same points, colours
and structure as a fresh parse.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from pathlib import Path

import manim
from manim import SVGMobject, config

from bpcore.resources import cache_dir

#: Bumped when what is stored changes (2: the files are zlib-compressed pickles).
FORMAT = 2

_memory: dict[str, bytes] = {}
_original = SVGMobject.init_svg_mobject


def _key(mobject: SVGMobject) -> str | None:
    """What the parse of ``mobject``'s SVG depends on, hashed; None when there is no file."""
    try:
        svg = mobject.get_file_path().read_bytes()
    except (OSError, ValueError):
        return None
    seed = (FORMAT, manim.__version__, type(mobject).__name__, repr(mobject.svg_default),
            repr(mobject.path_string_config), str(config.renderer))
    return hashlib.sha256(repr(seed).encode() + b"\0" + svg).hexdigest()


def _load(key: str) -> bytes | None:
    data = _memory.get(key)
    if data is None:
        try:
            data = zlib.decompress((cache_dir("svg") / f"{key}.pickle.z").read_bytes())
        except (OSError, zlib.error):
            return None
        _memory[key] = data
    return data


def _store(key: str, data: bytes) -> None:
    _memory[key] = data
    folder = cache_dir("svg")
    target = folder / f"{key}.pickle.z"
    if target.exists():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=folder, suffix=".part")
    except OSError:  # a read-only cache: this render still has it in memory
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(zlib.compress(data, 1))  # a sixth of the size, ~2 ms for a long line
        os.replace(scratch, target)
    except OSError:
        Path(scratch).unlink(missing_ok=True)


def init_svg_mobject(self: SVGMobject, use_svg_cache: bool) -> SVGMobject:
    """Manim's :meth:`SVGMobject.init_svg_mobject`, with the parse kept across renders.

    Used whatever ``use_svg_cache`` says: manim turns its own cache off for Text and
    MarkupText (its copies would be shared), while each build here unpickles new mobjects.
    """
    key = _key(self)
    if key is None:
        return _original(self, use_svg_cache)
    data = _load(key)
    if data is not None:
        try:
            mobjects, ids = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a damaged or foreign cache entry: parse again
            _memory.pop(key, None)
        else:
            self.add(*mobjects)
            self.id_to_vgroup_dict = ids
            return self
    self.generate_mobject()
    _store(key, pickle.dumps((list(self.submobjects), self.id_to_vgroup_dict),
                             pickle.HIGHEST_PROTOCOL))
    return self


def install() -> None:
    """Make every SVGMobject (Text, MarkupText, MathTex, SVG files) use this cache."""
    SVGMobject.init_svg_mobject = init_svg_mobject
