"""The BP_* settings record: every variable the code reads is documented in it, only it reads
them, bad values are one clear line, and docs/settings.md shows the same table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bpcore.narration.voice import Voice
from bpcore.settings import SCENE_VARIABLES, VARIABLES, Settings, SettingsError, scene_environ

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
#: Variables only the test suite reads (knobs for the tests themselves, not for users).
TEST_ONLY = {"BP_FUZZ_EXAMPLES", "BP_UPDATE_FRAMES"}


def sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (REPO / folder).rglob("*.py")
            if "__pycache__" not in p.parts]


def test_every_variable_the_code_names_is_in_the_record():
    """Each BP_ variable named anywhere in bpcore/, scenes/, bench/ or tests/ is one of
    VARIABLES (or a test's own knob)."""
    known = {v.name for v in VARIABLES} | TEST_ONLY
    named = {(name, path.relative_to(REPO).as_posix())
             for path in sources("bpcore", "scenes", "bench", "tests")
             for name in re.findall(r"\bBP_[A-Z][A-Z0-9_]*", path.read_text(encoding="utf-8"))}
    unknown = sorted(pair for pair in named if pair[0] not in known)
    assert not unknown, f"BP_ variables missing from bpcore.settings.VARIABLES: {unknown}"


def test_only_the_settings_module_reads_them():
    """No module of bpcore/ or scenes/ but bpcore/settings.py reads a BP_ variable from the
    environment itself."""
    reads = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]|getenv\s*\()\s*["']BP_""")
    readers = [p.relative_to(REPO).as_posix() for p in sources("bpcore", "scenes")
               if reads.search(p.read_text(encoding="utf-8"))]
    assert readers == []  # bpcore/settings.py reads them by name, from VARIABLES


def test_each_variable_fills_one_field_and_says_what_it_means():
    names = [v.name for v in VARIABLES]
    assert len(set(names)) == len(names)
    assert {v.field for v in VARIABLES} == set(Settings.__dataclass_fields__)
    assert all(v.meaning and v.default for v in VARIABLES)


def test_values_are_typed():
    s = Settings.from_environ({"BP_LESSON": "course/b3.yaml", "BP_VOICE": "recorded:takes",
                               "BP_STILLS_FORMAT": "svg", "BP_BURN_CAPTIONS": "1",
                               "BP_SLIDES": "0", "BP_CACHE": " ", "OTHER": "x"})
    assert s.lesson == Path("course/b3.yaml") and s.voice == Voice("recorded", Path("takes"))
    assert s.stills_format == "svg" and s.burn_captions and not s.slides
    assert s.cache is None  # empty is unset
    assert Settings.from_environ({}) == Settings()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BP_SLIDES", "yes", "BP_SLIDES: expected 1 or 0, not 'yes'"),
    ("BP_BURN_CAPTIONS", "true", "BP_BURN_CAPTIONS: expected 1 or 0, not 'true'"),
    ("BP_STILLS_FORMAT", "jpg", "BP_STILLS_FORMAT: expected one of png, svg, not 'jpg'"),
    ("BP_VOICE", "hibary", "BP_VOICE: unknown voice 'hibary'; did you mean hibari?"),
])
def test_a_bad_value_names_its_variable(name: str, value: str, message: str):
    with pytest.raises(SettingsError) as caught:
        Settings.from_environ({name: value})
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_scene_environ_round_trips():
    """What a command hands a scene reads back as the same settings."""
    env = scene_environ(lesson=Path("/l/b3.yaml"), voice=Voice("none"), slides=True,
                        slides_dir=Path("/s"), burn_captions=False, script=None)
    assert set(env) <= set(SCENE_VARIABLES) and "BP_SCRIPT" not in env
    s = Settings.from_environ(env)
    assert (s.lesson, str(s.voice), s.slides, s.slides_dir, s.burn_captions) == (
        Path("/l/b3.yaml"), "none", True, Path("/s"), False)


def test_the_docs_show_the_record():
    """docs/settings.md carries the table bpcore.settings.reference() makes, as it is now."""
    from bpcore.settings import reference

    assert reference() in (REPO / "docs" / "settings.md").read_text(encoding="utf-8")


def test_a_scene_stops_on_a_bad_value_in_one_line(tmp_path: Path):
    """manim on a lesson scene with BP_SLIDES=yes ends with exit 2 and one error line, before
    anything renders (the scene reads its settings when its file is imported)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BP_SLIDES": "yes",
           "BP_LESSON": str(FIXTURES / "tiny.yaml")}
    done = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--dry_run",
                           "--media_dir", str(tmp_path), str(FIXTURES / "scenes" / "tiny.py")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == \
        "error: BP_SLIDES: expected 1 or 0, not 'yes'"
    assert "Traceback" not in done.stderr
