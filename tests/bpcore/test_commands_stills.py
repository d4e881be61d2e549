"""``bp stills``: one PNG per beat, and clear errors before any render starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.lesson import LESSONS_DIR


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
def test_stills_of_the_b3_lesson(tmp_path: Path) -> None:
    """The b3 lesson gives at least 8 non-blank PNG stills, one per beat, in beat order."""
    from PIL import Image

    out = tmp_path / "stills"
    result = CliRunner().invoke(bp, ["stills", str(LESSONS_DIR / "b3.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    images = sorted(out.glob("*.png"))
    assert len(images) >= 8
    assert [p.name[:2] for p in images] == [f"{i:02d}" for i in range(1, len(images) + 1)]
    for path in images:
        with Image.open(path) as image:
            lo, hi = image.convert("L").getextrema()
            assert hi - lo > 100, f"{path.name} looks blank"
    assert not list(out.glob(".*.part"))
