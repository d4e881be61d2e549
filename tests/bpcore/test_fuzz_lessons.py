"""No lesson file can crash bp: every document ends in success with finite numbers, or exit 2.

Hypothesis writes lesson documents: valid ones with numbers from tiny to enormous, and
corruptions of them (wrong types, missing and extra keys, NaN and infinity, huge lists, unicode,
deep nesting, anchors and aliases, alias bombs, broken YAML). Every command that reads lessons
must then either succeed with finite numbers everywhere or exit 2 with one ``error: FILE: ...``
line and no traceback; ``bp check`` must agree with ``bp trace``.

In-process runs (click's CliRunner) keep this fast; a handful of cases run real processes,
and one valid extreme lesson is rendered by the tiny fixture scene. ``make test`` runs a few
dozen documents per property (``BP_FUZZ_EXAMPLES``, default 50, derandomized so CI is
reproducible); ``make fuzz`` runs thousands with fresh random seeds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpcore.cli import bp
from bpcore.model.network import param_names

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("BP_FUZZ_EXAMPLES", "50"))
LONG = "BP_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(max_examples=EXAMPLES, derandomize=not LONG, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- lesson documents ----------------------------------------------------------------------

ORDINARY = st.floats(min_value=-10, max_value=10, allow_nan=False)
#: Any finite magnitude, spread evenly over the exponents: 5e-324 up to 9.99e307.
EXTREME = st.builds(lambda sign, mantissa, exponent: sign * float(f"{mantissa:.3f}e{exponent}"),
                    st.sampled_from([-1.0, 1.0]), st.floats(1, 9.99), st.integers(-323, 307))
#: Mostly ordinary numbers, one in five anywhere.
NUMBER = st.integers(0, 4).flatmap(lambda i: EXTREME if i == 0 else ORDINARY)
POSITIVE = st.one_of(st.floats(min_value=1e-4, max_value=1.0),
                     EXTREME.map(abs).filter(lambda v: v > 0))
#: A whole lesson's data at one scale: dosages in picograms or in tonnes.
SCALE = st.one_of(st.just(1.0), st.integers(-300, 300).map(lambda e: float(f"1e{e}")))
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
               max_size=40).filter(str.strip)


@st.composite
def lessons(draw: st.DrawFn, number: st.SearchStrategy[float] = NUMBER,
            scale: st.SearchStrategy[float] = SCALE) -> dict[str, Any]:
    """A lesson document as plain data; valid in form, its numbers anywhere from tiny to huge."""
    hidden = draw(st.integers(1, 3))
    names = param_names(hidden)
    points = draw(st.integers(2, 6))
    factor = draw(scale)
    x = [v * factor for v in draw(st.lists(number, min_size=points, max_size=points,
                                          unique=True))]
    lesson: dict[str, Any] = {
        "title": draw(TEXT),
        "scene": "tiny",
        "data": {"x": x, "y": [v * factor for v in draw(st.lists(number, min_size=points,
                                                                  max_size=points))]},
        "network": {"activation": draw(st.sampled_from(["softplus", "relu", "sigmoid"])),
                    "params": {name: draw(number) for name in names}},
        "optimize": draw(st.lists(st.sampled_from(names), min_size=1, unique=True)),
        "descent": {"learning_rate": draw(POSITIVE),
                    "min_step_size": draw(st.sampled_from([0.0, 0.001]) | POSITIVE),
                    "max_steps": draw(st.integers(1, 200))},
    }
    if draw(st.booleans()):
        low, high = sorted(draw(st.lists(number, min_size=2, max_size=2, unique=True)))
        probes = draw(st.lists(number, max_size=4))
        lesson["sweep"] = {"param": draw(st.sampled_from(names)), "range": [low, high],
                           "probes": probes, "samples": draw(st.integers(2, 50))}
        if draw(st.booleans()):
            lesson["sweep"]["probes"] = x  # the same list twice: YAML writes an anchor and alias
    if draw(st.booleans()):
        lesson["labels"] = {"x": draw(TEXT), "y": draw(TEXT)}
    if draw(st.booleans()):
        lesson["display"] = {"digits": draw(st.integers(1, 8))}
    return lesson


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every key path into a document: mapping keys and list indices."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300),
    st.floats(), st.sampled_from([math.nan, math.inf, -math.inf]), TEXT,
    st.sampled_from(["1e-2", "0x1F", ".nan", "~", "yes", "", " ", "b3", "w1", "relu",
                     "é", "日本語", "🙂", "a\u202eb", "tab\there"]),
    st.lists(NUMBER, max_size=4), st.dictionaries(TEXT, NUMBER, max_size=3),
    st.integers(101, 3000).map(lambda n: [0.5] * n),  # more than any list may hold
)


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    """A lesson document, then one or more corruptions of its data or of its YAML text."""
    lesson = draw(lessons())
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(paths(lesson))))
        *parents, last = where
        parent: Any = lesson
        for key in parents:
            parent = parent[key]
        action = draw(st.sampled_from(["set", "delete", "extra"]))
        if action == "set":
            parent[last] = draw(JUNK)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(TEXT)] = draw(JUNK)
        else:
            parent.append(draw(JUNK))
        if not isinstance(lesson, dict) or not list(paths(lesson)):
            break
    text = yaml.safe_dump(lesson, sort_keys=False, allow_unicode=draw(st.booleans()))
    return draw(st.one_of(st.just(text), text_corruptions(text)))


#: A billion laughs, in one flow list: nine levels of nine aliases, 9^9 leaves if expanded.
BOMB = "[&l0 [lol], " + ", ".join(f"&l{i} [{', '.join([f'*l{i - 1}'] * 9)}]"
                                  for i in range(1, 10)) + "]"


def text_corruptions(text: str) -> st.SearchStrategy[str]:
    """Damage done to the YAML text itself."""
    lines = text.splitlines(keepends=True)
    line = st.integers(0, len(lines))
    snippets = st.sampled_from([
        ": ", "- ", "&a ", "*a ", "*nowhere ", "{", "]", "\t", "\x00", '"', "'", "%YAML 1.1\n",
        "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!!set {a, b}",
        "? [a, b]\n: c\n", "<<: *a\n", "---\n", "...\n", '"\\ud800"', "\ufeff", "\r",
    ])
    return st.one_of(
        st.integers(0, len(text)).map(lambda n: text[:n]),
        st.tuples(st.integers(0, len(text)), snippets).map(lambda t: text[:t[0]] + t[1]
                                                           + text[t[0]:]),
        st.sampled_from(["title", "data", "x", "params", "optimize", "probes", "labels"]).map(
            lambda key: text.replace(f"{key}:", f"{key}: {BOMB}\nignored_{key}:", 1)),
        st.integers(10, 5000).map(lambda depth: text.replace(
            "title:", f"title: {'[' * depth}{']' * depth}\nold_title:", 1)),
        st.tuples(line, line).map(lambda t: "".join(lines[:t[0]] + lines[t[1]:])),
        st.just('title: "\\ud800 lone surrogate"\n' + text.split("\n", 1)[-1]),
        st.just('title: "bell \\a and escape \\e"\n' + text.split("\n", 1)[-1]),
    )


# ---- the two endings -----------------------------------------------------------------------

def invoke(*args: str) -> Result:
    return CliRunner().invoke(bp, list(args))


def finite_everywhere(value: Any) -> bool:
    """Whether every number in a nested structure of dicts and lists is finite."""
    if isinstance(value, dict):
        return all(finite_everywhere(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_everywhere(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def refuse_constant(name: str) -> float:
    raise AssertionError(f"{name} in the JSON output")


def assert_error_line(result: Result, path: Path, command: str) -> None:
    """Exit 2 with one short line, ``error: FILE: ...``, and no traceback."""
    assert result.exit_code == 2, (command, result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), (command, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), (command, lines)
    assert len(lines[0]) < 500 and "Traceback" not in result.output, (command, lines)


def assert_finite_output(result: Result, format_: str, text: str) -> None:
    assert result.exception is None, result.exception
    if format_ == "json":
        data = json.loads(text, parse_constant=refuse_constant)
    elif format_ == "yaml":
        data = yaml.safe_load(text)
    else:
        rows = list(csv.reader(io.StringIO(text)))
        data = [float(cell) for row in rows[1:] for cell in row]
        assert len(rows) >= 2
    assert finite_everywhere(data)


def hold_to_two_endings(text: str) -> None:
    """Every lesson-reading command ends in success with finite numbers, or in one error line."""
    with tempfile.TemporaryDirectory() as work, \
            mock.patch.dict(os.environ, {"BP_SCENES_DIR": str(FIXTURES / "scenes")}):
        path = Path(work) / "lesson.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        check = invoke("check", str(path))
        ok = check.exit_code == 0
        if not ok:
            assert_error_line(check, path, "check")
        for format_ in ("json", "yaml"):
            result = invoke("trace", str(path), "-f", format_)
            assert (result.exit_code == 0) == ok, (format_, check.output, result.output)
            if ok:
                assert_finite_output(result, format_, result.stdout)
            else:
                assert_error_line(result, path, f"trace -f {format_}")
        output = Path(work) / "trace.csv"
        result = invoke("trace", str(path), "-o", str(output), "--every", "7")
        assert (result.exit_code == 0) == ok
        if ok:
            assert_finite_output(result, "csv", output.read_text(encoding="utf-8"))
        else:
            assert_error_line(result, path, "trace -o")
            assert not output.exists()
        assert sorted(p.name for p in Path(work).iterdir()) == sorted(
            ["lesson.yaml"] + (["trace.csv"] if ok else []))
        if ok:
            return
        # The rendering commands refuse a bad lesson before they start manim.
        for command in (["stills", str(path), "-o", str(Path(work) / "stills")],
                        ["slides", str(path), "-o", str(Path(work) / "deck.html")]):
            assert_error_line(invoke(*command), path, command[0])
        render = invoke("render", str(path), "-o", str(Path(work) / "renders"))
        assert render.exit_code == 2 and isinstance(render.exception, SystemExit)
        assert f"error: {path}: " in render.stderr and "Traceback" not in render.output


@FUZZ
@given(lessons())
def test_valid_documents_end_in_one_of_two_ways(lesson):
    """Lessons of any magnitude trace with finite numbers or are refused in one line."""
    hold_to_two_endings(yaml.safe_dump(lesson, sort_keys=False))


@FUZZ
@given(corrupted())
def test_corrupted_documents_end_in_one_of_two_ways(text):
    """Corrupted lesson documents trace with finite numbers or are refused in one line."""
    hold_to_two_endings(text)


def test_ordinary_documents_mostly_succeed():
    """The generator is not all errors: most lessons of ordinary numbers trace."""
    outcomes = []

    @settings(max_examples=20, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(lessons(number=ORDINARY, scale=st.just(1.0)))
    def record(lesson):
        lesson["descent"]["learning_rate"] = 1e-3
        with tempfile.TemporaryDirectory() as work, \
                mock.patch.dict(os.environ, {"BP_SCENES_DIR": str(FIXTURES / "scenes")}):
            path = Path(work) / "lesson.yaml"
            path.write_text(yaml.safe_dump(lesson))
            outcomes.append(invoke("check", str(path)).exit_code)

    record()
    assert outcomes.count(0) >= len(outcomes) // 2, outcomes


# ---- real processes ------------------------------------------------------------------------

B3 = (ROOT / "assets" / "lessons" / "b3.yaml").read_text(encoding="utf-8")
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")

CASES = {
    "overflowing-dosage": (TINY.replace("x: [0.0, 0.5, 1.0]", "x: [0.0, 0.5, -1.0e+308]"),
                           "data.x[2]: -1e+308 is too large: the network's values overflow"),
    "overflowing-product": (TINY.replace("x: [0.0, 0.5, 1.0]", "x: [0.0, 0.5, 3.0e+60]"),
                            "data.x[2]: 3e+60 is too large: the network's values overflow"),
    "billion-laughs": (TINY.replace("x: [0.0, 0.5, 1.0]", f"x: [{BOMB}, 0.5, 1.0]"),
                       "data.x[0]: expected a number, got a list of 10"),
    "bomb-in-optimize": (TINY.replace("optimize: [b3]", f"optimize: [{BOMB}]"),
                         "optimize[0]: a list of 10 is not a parameter"),
    "deep-nesting": (TINY.replace("title:", f"title: {'[' * 100_000}{']' * 100_000}\nt:"),
                     "the YAML is nested too deeply"),
    "lone-surrogate": (TINY.replace('"Tiny lesson"', '"\\ud800"'),
                       "YAML syntax error: found invalid Unicode character escape code"),
    "too-many-points": (TINY.replace("x: [0.0, 0.5, 1.0]", f"x: {list(range(5000))}"),
                        "data.x: expected at most 100 numbers, got 5,000: a plot"),
    "huge-file": (TINY + "# " + "x" * 2_000_000 + "\n", "more than the limit of 1,000,000"),
}


def limited(megabytes: int):
    """A preexec_fn capping the child's address space, so an expanding bomb fails fast."""
    def limit() -> None:
        size = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return limit


@pytest.mark.parametrize("command", ["check", "trace"])
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_real_process_refuses_in_one_line(tmp_path: Path, case: str, command: str):
    """Run as a real process (1 GB address space at most), each hostile file gets one line."""
    text, expect = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "bpcore", command, str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "BP_SCENES_DIR": str(FIXTURES / "scenes")},
                          preexec_fn=limited(1024))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {path}: ") and expect in proc.stderr, proc.stderr


EXTREME_LESSON = TINY.replace('"Tiny lesson"', '"Tiny dosages, enormous effects"').replace(
    "x: [0.0, 0.5, 1.0]", "x: [1.0e-300, 5.0e-6, 1.0e-5]").replace(
    "y: [0.0, 1.0, 0.0]", "y: [0.0, 1.0e+40, 0.0]")


def test_manim_path_refuses_through_bp_lesson(tmp_path: Path):
    """manim on a lesson scene with BP_LESSON naming an overflowing lesson exits 2 in one line."""
    path = tmp_path / "overflow.yaml"
    path.write_text(CASES["overflowing-dosage"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "manim", "render", "-ql", "--dry_run", "--progress_bar", "none",
         str(FIXTURES / "scenes" / "tiny.py")], capture_output=True, text=True, cwd=ROOT,
        timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "BP_LESSON": str(path)})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {path}: data.x[2]: -1e+308 is too large: the network's values overflow; keep "
        "the lesson's numbers, and what the network makes of them, within ±1e+100"]


@pytest.mark.render
def test_extreme_but_valid_lesson_renders(tmp_path: Path):
    """A lesson of dosages from 1e-300 to 1e-5 and a 1e40 effect renders (tiny scene)."""
    path = tmp_path / "extreme.yaml"
    path.write_text(EXTREME_LESSON)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BP_SCENES_DIR": str(FIXTURES / "scenes")}
    out = tmp_path / "out"
    with contextlib.chdir(tmp_path):
        check = subprocess.run([sys.executable, "-m", "bpcore", "check", str(path)],
                               capture_output=True, text=True, env=env)
        assert check.returncode == 0, check.stderr
        render = subprocess.run([sys.executable, "-m", "bpcore", "render", str(path), "-q", "l",
                                 "-o", str(out)], capture_output=True, text=True, env=env,
                                timeout=300)
    assert render.returncode == 0, render.stderr
    assert "Tiny dosages, enormous effects" in (out / "extreme.srt").read_text()
    assert (out / "extreme.mp4").stat().st_size > 1000
