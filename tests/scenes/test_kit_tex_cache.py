"""kit/tex_cache.py: each render has its own tex folder; a string is typeset once, by the first
render needing it, and reaches every other render through the shared cache."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from manim import MathTex, tempconfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit import tex_cache  # noqa: E402


def fake_latex(calls: list[str], delay: float = 0.0):
    """A stand-in for manim's typesetting: writes the SVG where manim would, counting runs."""

    def typeset(expression, environment=None, tex_template=None) -> Path:
        calls.append(expression)
        time.sleep(delay)  # long enough for a second render to ask meanwhile
        svg = tex_cache.tex_file_writing.generate_tex_file(
            expression, environment, tex_template).with_suffix(".svg")
        svg.write_text(f"<svg>{expression}</svg>")
        return svg

    return typeset


def test_a_string_is_typeset_once_and_shared(tmp_path: Path, monkeypatch):
    """A second render in another media folder gets the first one's SVG without typesetting;
    nothing half-written is left in the cache."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []
    monkeypatch.setattr(tex_cache, "_typeset", fake_latex(calls))
    made = []
    for media in ("first", "second"):
        with tempconfig({"media_dir": str(tmp_path / media)}):
            made.append(tex_cache.tex_to_svg_file("x^2"))
    assert calls == ["x^2"]
    assert made[0] != made[1] and made[1].read_text() == "<svg>x^2</svg>"
    assert tmp_path / "second" in made[1].parents
    cached = sorted(p.suffix for p in (tmp_path / "cache" / "tex").iterdir())
    assert cached == [".lock", ".svg"]


def test_renders_asking_at_once_wait_for_one_typesetting(tmp_path: Path, monkeypatch):
    """Two renders asking for the same new string at the same moment run latex once: the
    second waits on the string's lock and links the first one's SVG."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []
    monkeypatch.setattr(tex_cache, "_typeset", fake_latex(calls, delay=0.3))
    # Each render (a thread here) has its own tex folder, as each render process does.
    own = threading.local()
    monkeypatch.setattr(tex_cache.tex_file_writing, "config",
                        SimpleNamespace(get_dir=lambda key: own.folder))
    svgs: dict[str, Path] = {}

    def render(media: str) -> None:
        own.folder = tmp_path / media
        own.folder.mkdir()
        svgs[media] = tex_cache.tex_to_svg_file("a+b")

    threads = [threading.Thread(target=render, args=(media,)) for media in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["a+b"]
    assert {p.read_text() for p in svgs.values()} == {"<svg>a+b</svg>"}
    assert svgs["one"].parent != svgs["two"].parent


def test_mathtex_goes_through_the_cache(tmp_path: Path, monkeypatch):
    """Once installed, manim's MathTex asks the cache: a string another render typeset (with
    real latex) is not typeset again."""
    monkeypatch.setenv("BP_CACHE", str(tmp_path / "cache"))
    tex_cache.install()
    with tempconfig({"media_dir": str(tmp_path / "first")}):
        first = MathTex("w_{1} + 0.25")
    calls: list[str] = []
    monkeypatch.setattr(tex_cache, "_typeset", fake_latex(calls))
    with tempconfig({"media_dir": str(tmp_path / "second")}):
        second = MathTex("w_{1} + 0.25")
    assert calls == []
    assert second.get_all_points().shape == first.get_all_points().shape != (0, 3)
