"""``bp slides``: decks of a lesson as offline HTML, PowerPoint and PDF, one slide per beat.

The deck tests render the two-beat scene ``fixtures/scenes/tiny.py`` (through BP_SCENES_DIR) at
-ql once, into a slide build folder of their own, and convert it to every format.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpcore.cli import bp, slides
from bpcore.narration.mp4 import is_faststart

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
    assert all(is_faststart(deck / v) for v in videos)  # web-ready: moov before mdat
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


# ---- failures and replacing a deck, without rendering --------------------------------------

@pytest.fixture
def built(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """bp slides with the render replaced by a finished two-slide build (and a stand-in for
    the reveal.js copy: the converts below are fakes too); returns the calls."""
    revealjs = tmp_path / "revealjs"
    revealjs.mkdir()
    (revealjs / "package.json").write_text('{"version": "6.0.1"}')
    monkeypatch.setenv("BP_REVEALJS_DIR", str(revealjs))
    slides_dir = tmp_path / "fake-build" / "slides"
    slides_dir.mkdir(parents=True)
    (slides_dir / "Tiny.json").write_text(json.dumps({"slides": [{}, {}]}))
    calls = []

    def build(lesson_path, lesson, quality, force):
        calls.append(lesson_path)
        return slides_dir

    monkeypatch.setattr(slides, "build_slides", build)
    return calls


def fake_convert(content: str):
    """A manim-slides convert that writes ``content`` (and, for HTML, an assets folder)."""
    def convert(slides_dir, scene, to, dest, title):
        dest.write_text(content)
        if to == "html":
            assets = dest.parent / f"{dest.stem}_assets"
            assets.mkdir()
            (assets / "reveal.js").write_text(content)

    return convert


def test_a_new_deck_replaces_the_old_one_and_its_assets(tiny, built, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """Made again, a deck and its assets folder hold only the new files; no staging folder
    is left beside them."""
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "tiny.html").write_text("old deck")
    (deck / "tiny_assets").mkdir()
    (deck / "tiny_assets" / "stale.mp4").write_text("old video")
    monkeypatch.setattr(slides, "convert", fake_convert("new deck"))
    result = run(str(tiny), "-o", str(deck / "tiny.html"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(deck / "tiny.html")
    assert "2 slides in" in result.stderr
    assert (deck / "tiny.html").read_text() == "new deck"
    assert sorted(p.name for p in (deck / "tiny_assets").iterdir()) == ["reveal.js"]
    assert sorted(p.name for p in deck.iterdir()) == ["tiny.html", "tiny_assets"]


def test_failed_convert_keeps_the_old_deck(tiny, built, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    """When manim-slides convert fails, exit 2 with its last line; the old PDF stays as it was
    and nothing else is left in the folder."""
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "tiny.pdf").write_text("old deck")

    def failing_run(args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "Traceback ...\nValueError: no frames\n")

    monkeypatch.setattr(slides.subprocess, "run", failing_run)
    result = run(str(tiny), "--to", "pdf", "-o", str(deck / "tiny.pdf"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr == "error: manim-slides convert --to pdf failed: ValueError: no " \
                            "frames\n"
    assert (deck / "tiny.pdf").read_text() == "old deck"
    assert [p.name for p in deck.iterdir()] == ["tiny.pdf"]


def test_convert_that_writes_nothing_is_a_failure(tiny, built, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    """A convert that exits 0 without writing the deck is reported, not taken for success."""
    monkeypatch.setattr(slides.subprocess, "run",
                        lambda args, **kw: subprocess.CompletedProcess(args, 0, "", ""))
    result = run(str(tiny), "--to", "pptx", "-o", str(tmp_path / "tiny.pptx"))
    assert result.exit_code == 2
    assert result.stderr == "error: manim-slides convert --to pptx failed: exit code 0\n"
    assert list(tmp_path.glob("*.pptx")) == [] and list(tmp_path.glob(".tiny.pptx.*")) == []


def test_a_deck_loading_from_the_network_is_refused(tiny, built, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    """An HTML deck that would fetch reveal.js from a CDN is not installed: exit 2 naming the
    link; the old deck and its assets stay."""
    deck = tmp_path / "deck"
    (deck / "tiny_assets").mkdir(parents=True)
    (deck / "tiny.html").write_text("old deck")
    monkeypatch.setattr(slides, "convert", fake_convert(
        '<script src="https://cdn.example/reveal.js"></script>'))
    result = run(str(tiny), "-o", str(deck / "tiny.html"))
    assert result.exit_code == 2
    assert "would load https://cdn.example/reveal.js from the network" in result.stderr
    assert (deck / "tiny.html").read_text() == "old deck"
    assert sorted(p.name for p in deck.iterdir()) == ["tiny.html", "tiny_assets"]


def test_without_manim_slides_the_install_is_explained(tiny, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    """Without manim-slides installed, bp slides says how to install it, before anything else."""
    find_spec = slides.importlib.util.find_spec
    monkeypatch.setattr(slides.importlib.util, "find_spec",
                        lambda name, *a: None if name == "manim_slides" else find_spec(name, *a))
    result = run(str(tiny), "-o", str(tmp_path / "deck.pdf"))
    assert result.exit_code == 2
    assert result.stderr == "error: bp slides needs manim-slides; install it with " \
                            "pip install -e '.[slides]'\n"
    assert not (tmp_path / "builds").exists()


def test_missing_revealjs_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A reveal.js copy lacking a file the template loads is named, with the fix."""
    copy = tmp_path / "reveal.js"
    copy.mkdir()
    (copy / "package.json").write_text('{"version": "6.0.1"}')
    monkeypatch.setenv("BP_REVEALJS_DIR", str(copy))
    with pytest.raises(slides.CommandError, match=r"dist/.*missing from the reveal.js package"):
        slides.offline_cache(tmp_path / "cache")


@pytest.mark.parametrize("count", [0, 2])
def test_a_build_without_exactly_one_presentation_is_an_error(tmp_path: Path, count: int):
    """A slides folder holding no presentation, or two, is reported with what it found."""
    for i in range(count):
        (tmp_path / f"Scene{i}.json").write_text('{"slides": []}')
    with pytest.raises(slides.CommandError, match=f"expected one presentation.*found {count}"):
        slides.presentation(tmp_path)


def test_output_folder_that_cannot_be_made_is_a_clean_error(tiny, tmp_path: Path):
    """An -o path under a file (not a folder) fails in one line naming it, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(str(tiny), "--to", "pdf", "-o", str(blocker / "deck.pdf"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {blocker}: ")
    assert not (tmp_path / "builds").exists()


@pytest.mark.parametrize("error", [RuntimeError("manim crashed"), KeyboardInterrupt()],
                         ids=["failed", "interrupted"])
def test_a_render_that_stops_leaves_no_build(tiny, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             error: BaseException):
    """A slide render that fails or is interrupted removes its half-made build folder, so the
    next run renders again instead of reusing it."""
    def stop(*args, **kwargs):
        (args[3] / "partial.mp4").parent.mkdir(parents=True, exist_ok=True)
        (args[3] / "partial.mp4").write_text("half")
        raise error

    monkeypatch.setattr(slides, "run_manim", stop)
    lesson = slides.Lesson.from_file(tiny)
    with pytest.raises(type(error)):
        slides.build_slides(tiny, lesson, "l", force=False)
    assert list((tmp_path / "builds").iterdir()) == []
