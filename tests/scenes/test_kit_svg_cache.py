"""kit/svg_cache.py: a Text or MathTex built from the cache (this render's, or a file a
previous render left) is the same mobject as manim's own parse of its SVG."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from manim import BLUE, MarkupText, MathTex, SVGMobject, Text, tempconfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit import svg_cache  # noqa: E402


def shape(mobject) -> list[tuple]:
    """Every family member's class, points, colours and opacities, in order."""
    return [(type(m).__name__, m.points.round(9).tolist(), m.fill_rgbas.round(9).tolist(),
             m.stroke_rgbas.round(9).tolist(), float(m.stroke_width))
            for m in mobject.get_family()]


BUILDERS = {
    "text": lambda: Text("Step size 0.1", font_size=30, color=BLUE),
    "markup": lambda: MarkupText("w<sub>3</sub> = \u22121.57", font_size=26),
    "math": lambda: MathTex(r"\frac{d\,SSR}{d\,b_3}", "=", r"-2 \times 1.5"),
}


@pytest.fixture
def patched(tmp_path, monkeypatch):
    """svg_cache installed over an empty shared cache; manim's own method put back after."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(SVGMobject, "init_svg_mobject", SVGMobject.init_svg_mobject)
    monkeypatch.setattr(svg_cache, "_memory", {})
    with tempconfig({"media_dir": str(tmp_path / "media")}):
        yield tmp_path / "cache" / "svg"


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_cached_build_is_manims_parse(patched, kind):
    """First build (parsed, stored), second (this render's memory), third (a later render:
    only the file): all equal to what manim builds without the cache."""
    build = BUILDERS[kind]
    plain = shape(build())
    svg_cache.install()
    first = shape(build())
    assert list(patched.glob("*.pickle.z")), "nothing stored in the shared cache"
    second = shape(build())
    svg_cache._memory.clear()  # a new render: only the files remain
    third = shape(build())
    assert first == plain
    assert second == plain
    assert third == plain


def test_built_mobjects_are_independent(patched):
    """Two texts from one cache entry share no points: moving one leaves the other."""
    svg_cache.install()
    one, two = Text("same"), Text("same")
    before = two.get_center().copy()
    one.shift([1.0, 0.0, 0.0])
    assert np.allclose(two.get_center(), before)


def test_a_damaged_entry_is_parsed_again(patched):
    """A cache file that does not unpickle is ignored: the text is parsed as manim would."""
    plain = shape(Text("damaged"))
    svg_cache.install()
    Text("damaged")
    for entry in patched.glob("*.pickle.z"):
        entry.write_bytes(b"not a pickle")
    svg_cache._memory.clear()
    assert shape(Text("damaged")) == plain
