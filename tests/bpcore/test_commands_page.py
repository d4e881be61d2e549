"""``bp page``: one self-contained HTML file per lesson, holding the lesson's exact descent."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.outputs.page import slider_range

LESSONS = sorted(LESSONS_DIR.glob("*.yaml"))
MAX_BYTES = 1_500_000


def run(*args: str):
    return CliRunner().invoke(bp, ["page", *args])


def embedded(page: str) -> dict:
    """The lesson data the page's script reads."""
    match = re.search(r'<script type="application/json" id="lesson-data">(.*?)</script>', page,
                      re.S)
    return json.loads(match[1])


def test_writes_one_page_per_lesson_in_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Without -o the pages go to ./pages/<lesson name>.html, each path printed."""
    monkeypatch.chdir(tmp_path)
    result = run(*map(str, LESSONS))
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "pages").iterdir())
    assert [p.name for p in written] == [f"{p.stem}.html" for p in LESSONS]
    assert result.stdout.split() == [str(Path("pages") / f"{p.stem}.html") for p in LESSONS]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_page_is_self_contained_and_holds_the_exact_descent(tmp_path: Path, lesson: Path):
    """The page links to nothing outside itself and embeds every optimized value bit for bit."""
    assert run(str(lesson), "-o", str(tmp_path)).exit_code == 0
    page = (tmp_path / f"{lesson.stem}.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    data = embedded(page)
    trace = trace_lesson(Lesson.from_file(lesson))
    rows = [trace.lesson.network.index(n) for n in data["optimize"]]
    path = np.frombuffer(base64.b64decode(data["path"]), dtype="<f8")
    np.testing.assert_array_equal(path.reshape(len(trace.descent), len(rows)),
                                  trace.descent.params[:, rows])
    assert data["start"] == trace.lesson.network.values.tolist()
    assert data["digits"] == trace.lesson.digits


def test_a_9000_step_page_stays_small(tmp_path: Path):
    """The all_params page, 9000 steps of seven parameters, is under 1.5 MB."""
    assert run(str(LESSONS_DIR / "all_params.yaml"), "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / "all_params.html").stat().st_size < MAX_BYTES


def test_a_bad_lesson_writes_no_page(tmp_path: Path):
    """One bad lesson stops the command with exit 2 before any page is written."""
    bad = tmp_path / "bad.yaml"
    bad.write_text((LESSONS_DIR / "b3.yaml").read_text().replace("learning_rate: 0.1",
                                                                 "learning_rate: 100"))
    out = tmp_path / "out"
    result = run(str(LESSONS_DIR / "b3.yaml"), str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: descent.learning_rate: ")
    assert "Traceback" not in result.output
    assert not out.exists() or not list(out.iterdir())


def test_title_stays_text(tmp_path: Path):
    """A title with markup and template markers is shown as text, and the data still parses."""
    title = "</script><b>x</b> {{DATA}} & co"
    lesson = tmp_path / "odd.yaml"
    lesson.write_text((LESSONS_DIR / "b3.yaml").read_text().replace(
        'title: "Backpropagation main ideas: optimizing b3"', f"title: {json.dumps(title)}"))
    assert run(str(lesson), "-o", str(tmp_path)).exit_code == 0
    page = (tmp_path / "odd.html").read_text(encoding="utf-8")
    assert page.count("</script>") == 2 and "<b>" not in page
    assert embedded(page)["title"] == title


def test_help_has_examples():
    """bp page --help says where pages go and shows examples."""
    result = run("--help")
    assert result.exit_code == 0
    assert "--output" in result.stdout and "pages" in result.stdout
    assert "Examples:" in result.stdout


@pytest.mark.parametrize("values", [[0.0, 2.61], [-1.22], [1e-4, 2e-4], [-300.0, 250.0]])
def test_slider_range_covers_values_on_whole_steps(values):
    """A slider's ends cover the values with room and are whole multiples of its step."""
    low, high, step = slider_range(np.array(values))
    assert low < min(values) and high > max(values)
    for end in (low, high):
        assert abs(end / step - round(end / step)) < 1e-6
    assert (high - low) / step <= 20_000  # fine enough to drag, coarse enough to type
