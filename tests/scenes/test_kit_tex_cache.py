"""kit/tex_cache.py: each render has its own tex folder, filled from the shared cache and
handing its new SVGs back."""

from __future__ import annotations

import sys
from pathlib import Path

from manim import tempconfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit import tex_cache  # noqa: E402


def test_svgs_travel_between_renders_through_the_cache(tmp_path: Path, monkeypatch):
    """A render's new SVG reaches the shared cache, and a later render in another media
    folder finds it in its own tex folder; nothing half-written is left in the cache."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    with tempconfig({"media_dir": str(tmp_path / "first")}):
        tex_cache.fill()  # empty cache: nothing to do
        own = Path(tex_cache.config.get_dir("tex_dir"))
        own.mkdir(parents=True, exist_ok=True)
        (own / "abc.svg").write_text("<svg/>")
        (own / "abc.tex").write_text("latex source stays private")
        tex_cache.keep()
    assert sorted(p.name for p in (tmp_path / "cache" / "tex").iterdir()) == ["abc.svg"]
    with tempconfig({"media_dir": str(tmp_path / "second")}):
        tex_cache.fill()
        assert (Path(tex_cache.config.get_dir("tex_dir")) / "abc.svg").read_text() == "<svg/>"
