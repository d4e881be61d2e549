"""The bp command line: trace and check, their outputs, and clean failures."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import bpcore
from bpcore.cli import COMMANDS, bp
from bpcore.lesson.file import LESSONS_DIR

B3 = str(LESSONS_DIR / "b3.yaml")
REPO = Path(bpcore.__file__).resolve().parent.parent
CONTRACT = ["lesson", "steps", "final", "sweep", "start", "chain_rule", "curves"]


def run(*args: str):
    return CliRunner().invoke(bp, list(args))


def assert_clean_failure(result) -> None:
    """Exit code 2, an "error: " line on stderr, and no traceback anywhere."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


# ---- bp trace -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_trace_prints_each_format(fmt):
    """bp trace --format F prints the trace in that format on stdout, nothing on stderr."""
    result = run("trace", B3, "--format", fmt)
    assert result.exit_code == 0 and result.stderr == ""
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["step", "w1", "w2", "w3", "w4", "b1", "b2", "b3", "ssr",
                           "gradient_b3", "step_size_b3"]
        assert len(rows) == 1 + 10  # header, the start and 9 updates
        assert float(rows[2][rows[0].index("b3")]) == pytest.approx(1.5655, abs=0.00005)
    else:
        data = json.loads(result.stdout) if fmt == "json" else yaml.safe_load(result.stdout)
        assert list(data) == CONTRACT
        assert data["final"]["status"] == "converged" and data["final"]["steps"] == 9


def test_trace_json_contract_types():
    """The JSON on stdout has the contract's keys with the right types."""
    data = json.loads(run("trace", B3).stdout)  # json is the default
    assert isinstance(data["lesson"]["title"], str)
    step = data["steps"][0]
    assert step["index"] == 0 and isinstance(step["ssr"], float)
    assert all(isinstance(v, float) for v in step["params"].values())
    assert isinstance(step["predicted"], list) and isinstance(step["residuals"], list)
    assert set(step["gradient"]) == set(step["step_size"]) == {"b3"}
    assert isinstance(data["final"]["steps"], int) and data["final"]["status"] == "converged"
    assert all(set(p) == {"value", "ssr"} for p in data["sweep"]["probes"])
    assert isinstance(data["chain_rule"]["w1"]["total"], float)
    assert len(data["curves"]["x"]) == len(data["curves"]["squiggle"])


def test_yaml_output_equals_json_output():
    """bp trace in YAML reads back equal to the JSON output."""
    as_json = json.loads(run("trace", B3, "-f", "json").stdout)
    assert yaml.safe_load(run("trace", B3, "-f", "yaml").stdout) == as_json


@pytest.mark.parametrize(("name", "fmt", "check"), [
    ("out.json", None, json.loads),
    ("out.yaml", None, yaml.safe_load),
    ("out.yml", None, yaml.safe_load),
    ("out.csv", None, lambda text: text.startswith("step,")),
    ("out.txt", None, json.loads),
    ("out.csv", "json", json.loads),
])
def test_trace_writes_the_output_file(tmp_path, name, fmt, check):
    """-o FILE writes the trace there (format from --format, else the extension, else json)."""
    out = tmp_path / name
    args = ["trace", B3, "-o", str(out)] + (["--format", fmt] if fmt else [])
    result = run(*args)
    assert result.exit_code == 0 and result.stdout == ""
    assert check(out.read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_trace_replaces_an_existing_output_file(tmp_path):
    """A successful trace replaces an existing -o file with the full trace."""
    out = tmp_path / "trace.json"
    out.write_text("old")
    assert run("trace", B3, "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["final"]["steps"] == 9


def test_trace_long_lesson_completes():
    """The all_params lesson (9000 updates) traces and exports all 9001 rows as CSV."""
    result = run("trace", str(LESSONS_DIR / "all_params.yaml"), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1 + 9001


def test_unwritable_output_is_a_clean_error(tmp_path):
    """An -o path in a missing directory fails with exit 2 and a message naming the path."""
    out = tmp_path / "missing" / "trace.json"
    result = run("trace", B3, "-o", str(out))
    assert_clean_failure(result)
    assert str(out) in result.stderr and "cannot write" in result.stderr
    assert not out.parent.exists()


def test_unknown_format_is_a_usage_error():
    """An unknown --format is refused by click with exit 2 and the choices."""
    result = run("trace", B3, "--format", "xml")
    assert result.exit_code == 2 and "json" in result.stderr and "Traceback" not in result.output


# ---- bad lessons ----------------------------------------------------------------------------

def test_bad_lesson_fails_cleanly_and_keeps_the_output_file(bad_lesson, tmp_path):
    """Every bad lesson: exit 2, its message on stderr, no traceback, -o file untouched."""
    case, path = bad_lesson
    out = tmp_path / "out.json"
    out.write_text("precious")
    result = run("trace", str(path), "-o", str(out))
    assert_clean_failure(result)
    message = result.stderr
    assert message.startswith(f"error: {path}: {case.key}")
    for words in case.expect:
        assert words in message
    assert message.count("\n") == 1  # one line
    assert out.read_text() == "precious"
    assert {p.name for p in tmp_path.iterdir()} <= {"out.json", path.name}  # no temp files


def test_bad_lesson_creates_no_output_file(bad_lesson, tmp_path):
    """A failing trace never creates the -o file."""
    _, path = bad_lesson
    out = tmp_path / "new.csv"
    assert_clean_failure(run("trace", str(path), "-o", str(out)))
    assert not out.exists()


def test_bad_lesson_in_check(bad_lesson):
    """bp check reports a bad lesson on stderr with exit 2."""
    case, path = bad_lesson
    result = run("check", str(path))
    assert_clean_failure(result)
    assert all(words in result.stderr for words in case.expect)
    assert result.stdout == ""


@pytest.mark.parametrize(("edit", "expect"), [
    (("learning_rate: 0.1", "learning_rate: 100"), "diverged"),
    (("learning_rate: 0.1", "learning_rat: 0.1"), "did you mean 'learning_rate'"),
])
def test_real_process_fails_without_traceback(tmp_path, edit, expect):
    """Run as a real process, a bad lesson exits 2 with one error line and no traceback."""
    lesson = tmp_path / "bad.yaml"
    lesson.write_text(Path(B3).read_text().replace(*edit))
    out = tmp_path / "out.json"
    out.write_text("precious")
    proc = subprocess.run([sys.executable, "-m", "bpcore", "trace", str(lesson), "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and expect in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert out.read_text() == "precious"


# ---- bp check -------------------------------------------------------------------------------

def test_check_reports_ok_for_every_shipped_lesson():
    """bp check prints one ok line with a summary per good lesson and exits 0."""
    paths = sorted(str(p) for p in LESSONS_DIR.glob("*.yaml"))
    result = run("check", *paths)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths) >= 3
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"ok {path}: scene ")
    b3_line = next(line for line in lines if line.startswith(f"ok {B3}"))
    assert "optimizes b3" in b3_line and "converged after 9 updates" in b3_line
    assert "SSR 20.4 ->" in b3_line


def test_check_reports_every_bad_file(tmp_path):
    """With good and bad files, bp check reports each one and exits 2."""
    typo = tmp_path / "typo.yaml"
    typo.write_text(Path(B3).read_text().replace("max_steps:", "max_step:"))
    missing = tmp_path / "missing.yaml"
    result = run("check", str(typo), B3, str(missing))
    assert result.exit_code == 2 and "Traceback" not in result.output
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {typo}: descent.max_step: unknown key")
    assert errors[1].startswith(f"error: {missing}: no such file")
    assert result.stdout.startswith(f"ok {B3}: ")


def test_check_needs_a_file():
    """bp check without files is a usage error."""
    result = run("check")
    assert result.exit_code == 2 and "LESSON" in result.stderr


# ---- the group --------------------------------------------------------------------------------

def test_every_registered_command_exists_and_has_an_example():
    """Each COMMANDS entry's module defines a click command of that name with help and examples."""
    assert {"trace", "check"} <= set(COMMANDS)
    for name, module in COMMANDS.items():
        command = importlib.import_module(module).command
        assert isinstance(command, click.Command) and command.name == name
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout and f"bp {name} " in result.stdout


def test_group_help_lists_commands_with_examples():
    """bp --help lists every command and shows examples."""
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.stdout, re.MULTILINE)
    assert "Examples:" in result.stdout


def test_python_m_bpcore_help():
    """python -m bpcore --help works as a real process."""
    proc = subprocess.run([sys.executable, "-m", "bpcore", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    assert "trace" in proc.stdout and "check" in proc.stdout


def test_bpcore_imports_without_manim():
    """Importing bpcore's trace, CLI and export modules does not import manim."""
    code = ("import sys; import bpcore.lesson.trace, bpcore.cli, bpcore.outputs.export; "
            "assert 'manim' not in sys.modules, 'manim was imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


# ---- pipes and unreadable files -------------------------------------------------------------

def test_trace_into_a_closed_pipe_exits_quietly():
    """`bp trace ... | head -1`: when the reader stops early, bp stops without a traceback or an
    error line (the CSV of all_params, megabytes, cannot fit in the pipe's buffer)."""
    lesson = str(LESSONS_DIR / "all_params.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "bpcore", "trace", lesson, "--format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what head does after its line
    stderr = proc.stderr.read().decode()
    # click ends a command whose stdout closed with 1 (0 if it broke only at the final
    # flush); either way nothing is said: no "error:" line, no traceback.
    assert proc.wait(timeout=120) in (0, 1)
    assert first.startswith(b"step,w1,") and stderr == ""


def test_unreadable_lesson_file_is_a_clean_error(tmp_path, monkeypatch):
    """A lesson file the user may not read: exit 2 and one line naming it and the reason.

    The suite runs as root in CI, and chmod 000 does not stop root from reading, so the read
    fails here as the system would fail it for another user: with PermissionError.
    """
    locked = tmp_path / "locked.yaml"
    locked.write_text(Path(B3).read_text())
    read_text = Path.read_text

    def refuse(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    for command in ("trace", "check"):
        result = run(command, str(locked))
        assert_clean_failure(result)
        assert result.stderr == f"error: {locked}: cannot be read (Permission denied)\n"


def test_lesson_file_that_is_not_text_is_a_clean_error(tmp_path):
    """A lesson file whose bytes are not UTF-8 (an image saved as .yaml) is refused in one line,
    read for real in a separate process."""
    binary = tmp_path / "picture.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    proc = subprocess.run([sys.executable, "-m", "bpcore", "trace", str(binary)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {binary}: cannot be read (not UTF-8 text: byte 0x89 "
                                  "at 0)")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
