"""``bp slides``: decks of a lesson as offline HTML, PowerPoint and PDF, one slide per beat.

The deck tests render the two-beat scene ``fixtures/scenes/tiny.py`` (through BP_SCENES_DIR) at
-ql once, into a slide build folder of their own, and convert it to every format.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.commands import slides

FIXTURES = Path(__file__).parent / "fixtures"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(bp, ["slides", *args])


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny lesson rendered by the tiny scene, with slide builds kept under tmp_path."""
    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))
    monkeypatch.setattr(slides, "BUILD_DIR", tmp_path / "builds")
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


# ---- the command line ----------------------------------------------------------------------

def test_help_explains_the_options():
    """bp slides --help shows the formats, options and examples."""
    result = run("--help")
    assert result.exit_code == 0
    for text in ("--to", "html", "pptx", "pdf", "--output", "--quality", "Examples:"):
        assert text in result.stdout


def test_unknown_format_is_a_usage_error(tiny):
    """--to with an unknown format exits 2 and names the choices."""
    result = run(str(tiny), "--to", "odp")
    assert result.exit_code == 2 and "html" in result.stderr


def test_bad_lesson_fails_before_rendering(tiny, tmp_path: Path):
    """A diverging lesson stops with exit 2 and its key; no deck and no build appear."""
    tiny.write_text(TINY.replace("learning_rate: 0.1", "learning_rate: 100"))
    out = tmp_path / "deck" / "tiny.html"
    result = run(str(tiny), "-o", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {tiny}: descent.learning_rate")
    assert not out.parent.exists() and not (tmp_path / "builds").exists()


def test_missing_revealjs_is_explained_before_rendering(tiny, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """Without the reveal.js copy, an HTML deck fails at once and says to run make setup."""
    monkeypatch.setenv("BP_REVEALJS_DIR", str(tmp_path / "nowhere"))
    result = run(str(tiny), "-o", str(tmp_path / "deck.html"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "reveal.js not found" in result.stderr and "make setup" in result.stderr
    assert not (tmp_path / "builds").exists()


def test_offline_assets_are_the_templates_files():
    """Every reveal.js file the manim-slides template loads exists in the npm copy."""
    template = (slides.manim_slides_dir() / "templates" / "revealjs.html").read_text()
    assets = slides.template_assets(template)
    assert "dist/reveal.js" in assets and "dist/theme/black.css" in assets
    missing = [a for a in assets if not (slides.revealjs_dir() / a).is_file()]
    assert missing == [], "run make setup to fetch reveal.js"


# ---- decks ---------------------------------------------------------------------------------

@pytest.mark.render
def test_one_render_gives_every_format(tiny, tmp_path: Path):
    """HTML, PowerPoint and PDF decks have one slide per beat; the render happens once."""
    deck = tmp_path / "deck"
    html_run = run(str(tiny), "-q", "l", "-o", str(deck / "tiny.html"))
    assert html_run.exit_code == 0, html_run.output
    assert "Rendering" in html_run.stderr and "2 slides in" in html_run.stderr
    assert html_run.stdout.strip() == str(deck / "tiny.html")

    page = (deck / "tiny.html").read_text()
    videos = re.findall(r'data-background-video="([^"]+)"', page)
    assert len(videos) == 2
    assert all((deck / v).stat().st_size > 1000 for v in videos)
    assert slides.remote_links(page) == []
    live = re.sub(r"<!--.*?-->", "", page, flags=re.DOTALL)  # the template comments some out
    local = re.findall(r'\s(?:src|href)="([^"]+)"', live)
    assert len(local) >= 5  # reveal.js, its plugins and styles
    for ref in local:
        assert (deck / ref).is_file(), ref
    assert "<title>Tiny lesson</title>" in page
    assert "b3 ends at 2.61." in page  # the captions, as speaker notes

    for fmt in ("pptx", "pdf"):
        result = run(str(tiny), "-q", "l", "--to", fmt, "-o", str(deck / f"tiny.{fmt}"))
        assert result.exit_code == 0, result.output
        assert "up to date" in result.stderr and "Rendering" not in result.stderr
    with zipfile.ZipFile(deck / "tiny.pptx") as pptx:
        names = pptx.namelist()
        assert len([n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]) == 2
        assert len([n for n in names if n.startswith("ppt/media/") and n.endswith(".mp4")]) == 2
        notes = "".join(pptx.read(n).decode() for n in names if "notesSlides/notesSlide" in n)
        assert "Tiny lesson" in notes and "b3 ends at 2.61." in notes
    pdf = (deck / "tiny.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", pdf)) == 2
    assert sorted(p.name for p in deck.iterdir()) == ["tiny.html", "tiny.pdf", "tiny.pptx",
                                                       "tiny_assets"]


@pytest.mark.render
def test_slides_end_on_each_beats_still(tiny, tmp_path: Path):
    """The slide build holds one slide per beat, with that beat's captions as notes."""
    result = run(str(tiny), "-q", "l", "--to", "pdf", "-o", str(tmp_path / "tiny.pdf"))
    assert result.exit_code == 0, result.output
    (config,) = (tmp_path / "builds").glob("tiny-*/slides/*.json")
    deck = json.loads(config.read_text())
    assert [s["notes"] for s in deck["slides"]] == ["Tiny lesson", "b3 ends at 2.61."]
    assert all(s["file"] == s["rev_file"] for s in deck["slides"])  # no reversed videos
