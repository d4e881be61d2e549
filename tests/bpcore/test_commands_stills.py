"""``bp stills``: one PNG per beat, and clear errors before any render starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.lesson.file import LESSONS_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_bad_lesson_fails_before_rendering(tmp_path: Path) -> None:
    """A lesson with a bad value stops with exit 2, names the key, and writes no folder."""
    lesson = tmp_path / "bad.yaml"
    text = (LESSONS_DIR / "b3.yaml").read_text().replace("learning_rate: 0.1",
                                                         "learning_rate: -1")
    lesson.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(bp, ["stills", str(lesson), "-o", str(out)])
    assert result.exit_code == 2
    assert "descent.learning_rate" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_scene_is_named(tmp_path: Path) -> None:
    """A lesson whose scene has no file says which scenes exist."""
    lesson = tmp_path / "nosuch.yaml"
    lesson.write_text((LESSONS_DIR / "b3.yaml").read_text().replace("scene: b3",
                                                                     "scene: nosuch"))
    result = CliRunner().invoke(bp, ["stills", str(lesson), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "nosuch.py" in result.output and "b3" in result.output


@pytest.mark.render
def test_stills_one_per_beat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each beat of the rendered scene gives one non-blank PNG, in beat order, and no leftovers.

    The two-beat test scene keeps this fast; the b3 scene's own stills are checked in
    tests/scenes/test_b3_frames.py.
    """
    from PIL import Image

    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))
    out = tmp_path / "stills"
    result = CliRunner().invoke(bp, ["stills", str(FIXTURES / "tiny.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    images = sorted(out.glob("*.png"))
    assert [p.name for p in images] == ["01-title.png", "02-result.png"]
    for path in images:
        with Image.open(path) as image:
            assert image.size == (854, 480)
            lo, hi = image.convert("L").getextrema()
            assert hi - lo > 100, f"{path.name} looks blank"
    assert not list(out.glob(".*.part"))


@pytest.mark.render
def test_svg_stills_are_vector_drawings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --format svg each beat gives an SVG document with drawn paths and no PNG."""
    import xml.etree.ElementTree as ET

    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))
    out = tmp_path / "svg"
    result = CliRunner().invoke(bp, ["stills", str(FIXTURES / "tiny.yaml"), "-o", str(out),
                                     "--format", "svg"])
    assert result.exit_code == 0, result.output
    images = sorted(out.iterdir())
    assert [p.name for p in images] == ["01-title.svg", "02-result.svg"]
    for path in images:
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
        paths = [el for el in root.iter() if el.tag.endswith("path")]
        assert paths, f"{path.name} draws nothing"
    # The test scene's second beat shows a #cc0000 dot: colours must come out in RGB order.
    assert "rgb(80%,0%,0%)" in images[1].read_text()


def test_diverging_lesson_fails_before_rendering(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A lesson whose descent diverges is named with its key and learning rate, exit 2, before
    manim starts; no stills folder appears."""
    from bpcore.cli import stills

    def no_render(*args, **kwargs):
        raise AssertionError("manim was started for a diverging lesson")

    monkeypatch.setattr(stills, "run_manim", no_render)
    lesson = tmp_path / "diverging.yaml"
    lesson.write_text((FIXTURES / "tiny.yaml").read_text().replace("learning_rate: 0.1",
                                                                    "learning_rate: 100"))
    out = tmp_path / "out"
    result = CliRunner().invoke(bp, ["stills", str(lesson), "-o", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {lesson}: descent.learning_rate: ")
    assert "diverged" in result.stderr and "learning rate 100" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not out.exists()


@pytest.mark.render
def test_stills_are_the_pictures_a_render_takes(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``bp stills`` runs the scene dry (no frame of a play drawn, no video encoded) and still
    gives, pixel for pixel, the stills that a full render of the scene saves."""
    import numpy as np
    from PIL import Image

    from bpcore.lesson.file import Lesson
    from bpcore.narration.voice import NONE, Voice
    from bpcore.render.scene import run_manim
    from bpcore.settings import scene_environ

    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))
    lesson = FIXTURES / "tiny.yaml"
    rendered = tmp_path / "rendered"
    run_manim(lesson, Lesson.from_file(lesson), "l", tmp_path / "media",
              scene_environ(stills_dir=rendered, voice=Voice(NONE)))
    out = tmp_path / "stills"
    result = CliRunner().invoke(bp, ["stills", str(lesson), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in rendered.glob("*.png"))
    assert names and names == sorted(p.name for p in out.glob("*.png"))
    assert list((tmp_path / "media").rglob("*.mp4"))  # the render did write a video
    for name in names:
        with Image.open(rendered / name) as a, Image.open(out / name) as b:
            assert np.array_equal(np.asarray(a), np.asarray(b)), name
