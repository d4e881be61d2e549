"""``bp render``: parallel renders that isolate failures, skip what is up to date, write atomically.

The renders use the two-beat scene ``fixtures/scenes/tiny.py`` (found through BP_SCENES_DIR) at
-ql, a few seconds each, never the full b3 video.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.narration.mp4 import is_faststart
from bpcore.render import jobs, keys, outputs
from bpcore.render import run as run_module

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a tiny lesson named ``name`` (title ``title``) that renders with the tiny scene."""
    monkeypatch.setenv("BP_SCENES_DIR", str(FIXTURES / "scenes"))

    def write(name: str, title: str = "Tiny lesson", text: str | None = None) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text if text is not None else
                        TINY.replace('title: "Tiny lesson"', f'title: "{title}"'))
        return path

    return write


def run(*args: str):
    return CliRunner().invoke(bp, ["render", *args])


def rows(result) -> dict[str, list[str]]:
    """The summary table on stdout (of a CliRunner result, or a finished process's output),
    by lesson file name."""
    table = {}
    stdout = result if isinstance(result, str) else result.stdout
    for line in stdout.splitlines()[1:]:
        cells = line.split()
        table[Path(cells[0]).name] = cells[1:]
    return table


# ---- the command line ----------------------------------------------------------------------

def test_help_explains_the_options():
    """bp render --help shows every option and examples."""
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--quality", "--jobs", "--output", "--force", "--page", "--scheduler",
                   "Examples:"):
        assert option in result.stdout


@pytest.mark.parametrize("args", [[], ["x.yaml", "-j", "0"], ["x.yaml", "-q", "z"]],
                         ids=["no-lesson", "zero-jobs", "bad-quality"])
def test_bad_usage_exits_2(args):
    """Missing lessons, -j 0 or an unknown quality is a usage error (exit 2), not a traceback."""
    result = run(*args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bad_lessons_fail_before_rendering(tiny, tmp_path: Path):
    """A missing file and a diverging lesson are named with their errors; nothing renders."""
    missing = tmp_path / "missing.yaml"
    diverging = tiny("diverging", text=TINY.replace("learning_rate: 0.1", "learning_rate: 100"))
    out = tmp_path / "out"
    result = run(str(missing), str(diverging), "-o", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error: {missing}: no such file" in result.stderr
    assert f"error: {diverging}: descent.learning_rate" in result.stderr
    assert "error: 2 of 2 lessons failed" in result.stderr
    assert [r[0] for r in rows(result).values()] == ["failed", "failed"]
    assert list(out.iterdir()) == []


def test_unknown_scene_is_a_failed_lesson(tiny, tmp_path: Path):
    """A lesson whose scene file does not exist fails with the scenes that do."""
    lesson = tiny("nosuch", text=TINY.replace("scene: tiny", "scene: nosuch"))
    result = run(str(lesson), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no scene file nosuch.py" in result.stderr and "tiny" in result.stderr


def test_bad_scheduler_address_is_a_clean_error(tiny, tmp_path: Path):
    """--scheduler with an address Dask cannot parse gives one error line and exit 2."""
    result = run(str(tiny("a")), "--scheduler", "nonsense", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith("error: --scheduler nonsense: cannot connect")


def test_render_modules_do_not_import_manim():
    """Loading bp render and bp slides imports neither manim nor manim-slides."""
    code = ("import sys, bpcore.cli.render, bpcore.cli.slides; "
            "assert not {'manim', 'manim_slides'} & set(sys.modules), 'imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_lessons_with_the_same_file_name_do_not_share_a_video(tiny, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """Two lessons called lesson.yaml in different folders, rendered into one folder: the
    first renders to lesson.mp4, the second fails with an error naming both files and asks to
    rename one; the first's video is not overwritten."""
    first, second = tmp_path / "unit1" / "lesson.yaml", tmp_path / "unit2" / "lesson.yaml"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text(TINY)

    def fake_run_job(job, *callbacks, **named):  # no manim: what matters is which jobs run
        job.output.write_text(str(job.lesson_path))
        return jobs.RenderResult(job.lesson_path, "rendered", job.output, 1.0, 0.1)

    monkeypatch.setattr(run_module, "run_job", fake_run_job)
    out = tmp_path / "out"
    result = run(str(first), str(second), "-q", "l", "-o", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error: {second}: same output {out / 'lesson.mp4'} as {first}; rename one of " \
           "them" in result.stderr
    statuses = [line.split()[:2] for line in result.stdout.splitlines()[1:]]
    assert statuses == [[str(first), "rendered"], [str(second), "failed"]]
    assert (out / "lesson.mp4").read_text() == str(first.absolute())


# ---- rendering -----------------------------------------------------------------------------

@pytest.mark.render
def test_failures_are_isolated(tiny, tmp_path: Path):
    """Two good lessons render with -j 2 while a broken file and a failing scene are reported."""
    good = [tiny("first", "First tiny"), tiny("second", "Second tiny")]
    broken = tiny("broken", text="title: [unclosed\n")
    exploding = tiny("exploding", "This one will explode")
    out = tmp_path / "videos"
    result = run(*map(str, [good[0], broken, good[1], exploding]), "-q", "l", "-j", "2",
                 "-o", str(out), "--page")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for lesson, title in zip(good, ["First tiny", "Second tiny"], strict=True):
        video, captions = out / f"{lesson.stem}.mp4", out / f"{lesson.stem}.srt"
        assert video.stat().st_size > 1000 and is_faststart(video)
        assert title in captions.read_text() and "b3 ends at 2.61." in captions.read_text()
    assert f"error: {broken}: line 2, column 1: YAML syntax error" in result.stderr
    assert f"error: {exploding}: rendering failed: RuntimeError: the tiny scene exploded" \
        in result.stderr
    table = rows(result)
    assert [table[n][0] for n in ("first.yaml", "broken.yaml", "second.yaml",
                                  "exploding.yaml")] == ["rendered", "failed", "rendered",
                                                         "failed"]
    # Seconds of video: each caption held one second per 15 characters (both take longer to
    # read than their half-second animation), then rounded up to whole frames; the table
    # shows tenths of a second.
    expected = (len("First tiny") + len("b3 ends at 2.61.")) / 15
    assert expected - 0.05 <= float(table["first.yaml"][1]) <= expected + 2 / 15 + 0.05
    assert not (out / "broken.mp4").exists() and not (out / "exploding.mp4").exists()
    assert (out / "first.html").exists() and (out / "second.html").exists()  # --page
    assert not (out / "broken.html").exists() and not (out / "exploding.html").exists()
    assert not list(out.glob(".*.part"))
    assert "[4/4]" in result.stderr  # overall progress


@pytest.mark.render
def test_up_to_date_outputs_are_skipped(tiny, tmp_path: Path):
    """A rerun skips in seconds; --force renders again; a changed lesson renders again alone."""
    one, two = tiny("one", "One"), tiny("two", "Two")
    out = tmp_path / "out"
    assert run(str(one), str(two), "-q", "l", "-o", str(out)).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    start = time.monotonic()
    again = run(str(one), str(two), "-q", "l", "-o", str(out))
    assert again.exit_code == 0 and time.monotonic() - start < 5
    assert {n: r[0] for n, r in rows(again).items()} == {"one.yaml": "skipped",
                                                          "two.yaml": "skipped"}
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before

    forced = run(str(one), "-q", "l", "-o", str(out), "--force", "--page")
    assert rows(forced)["one.yaml"][0] == "rendered"
    assert "<title>One</title>" in (out / "one.html").read_text()  # the page beside the video
    assert not (out / "two.html").exists()
    assert (out / "one.mp4").stat().st_mtime_ns > before["one.mp4"]

    two.write_text(two.read_text().replace('"Two"', '"Two, changed"'))
    changed = run(str(one), str(two), "-q", "l", "-o", str(out))
    assert {n: r[0] for n, r in rows(changed).items()} == {"one.yaml": "skipped",
                                                           "two.yaml": "rendered"}
    assert "Two, changed" in (out / "two.srt").read_text()
    record = json.loads((out / ".two.render.json").read_text())
    assert record["quality"] == "l" and record["captions"] is True


def test_the_key_follows_lesson_code_and_quality(tiny, tmp_path: Path):
    """The render key changes with the lesson text, the scene code and the quality."""
    from bpcore.lesson.file import Lesson

    lesson = Lesson.from_file(tiny("k"))
    other = Lesson.from_file(tiny("k2", "Another title"))
    scene = FIXTURES / "scenes" / "tiny.py"
    key = keys.render_key(lesson, scene, "l", "code")
    assert key == keys.render_key(lesson, scene, "l", "code")
    assert key != keys.render_key(other, scene, "l", "code")
    assert key != keys.render_key(lesson, scene, "m", "code")
    assert key != keys.render_key(lesson, scene, "l", "changed code")
    copy = tmp_path / "scenes"
    copy.mkdir()
    (copy / "tiny.py").write_text(scene.read_text() + "\n# changed\n")
    assert keys.code_digest(copy / "tiny.py") != keys.code_digest(scene)


# ---- atomic writes -------------------------------------------------------------------------

def failing_copy(error: BaseException):
    """A copy that writes part of the file, then fails with ``error``."""
    def copy(source, target):
        target.write(source.read(1000))
        target.flush()
        raise error

    return copy


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   KeyboardInterrupt()], ids=["disk-full", "interrupted"])
def test_install_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        error: BaseException):
    """A copy that fails or is interrupted leaves the old file as it was and no temporary file."""
    source = tmp_path / "new.mp4"
    source.write_bytes(os.urandom(50_000))
    target = tmp_path / "out" / "b3.mp4"
    target.parent.mkdir()
    monkeypatch.setattr(outputs, "copy_stream", failing_copy(error))
    with pytest.raises(type(error)):
        outputs.install(source, target)
    assert list(target.parent.iterdir()) == []
    target.write_bytes(b"old video")
    with pytest.raises(type(error)):
        outputs.install(source, target)
    assert target.read_bytes() == b"old video"
    assert [p.name for p in target.parent.iterdir()] == ["b3.mp4"]


@pytest.mark.render
def test_failed_copy_leaves_no_video(tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """When the copy into the output folder fails mid-way, the lesson fails and no mp4 appears."""
    monkeypatch.setattr(outputs, "copy_stream",
                        failing_copy(OSError(errno.ENOSPC, "No space left on device")))
    out = tmp_path / "out"
    result = run(str(tiny("full")), "-q", "l", "-o", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "No space left on device" in result.stderr
    assert [p.name for p in out.iterdir()] == [".full.render.lock"]  # the lock file stays


@pytest.mark.render
def test_interrupted_copy_leaves_no_video(tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An interrupt during the copy aborts the command with no file at the output path."""
    monkeypatch.setattr(outputs, "copy_stream", failing_copy(KeyboardInterrupt()))
    out = tmp_path / "out"
    result = run(str(tiny("stopped")), "-q", "l", "-o", str(out))
    assert result.exit_code != 0
    assert [p.name for p in out.iterdir()] == [".stopped.render.lock"]  # the lock file stays


@pytest.mark.render
def test_failed_render_keeps_the_previous_video(tiny, tmp_path: Path):
    """A lesson whose new render fails keeps its previous video and captions untouched."""
    lesson = tiny("kept", "Kept")
    out = tmp_path / "out"
    assert run(str(lesson), "-q", "l", "-o", str(out)).exit_code == 0
    video, captions = (out / "kept.mp4").read_bytes(), (out / "kept.srt").read_text()
    lesson.write_text(lesson.read_text().replace('"Kept"', '"Kept until it would explode"'))
    result = run(str(lesson), "-q", "l", "-o", str(out))
    assert result.exit_code == 2 and "exploded on purpose" in result.stderr
    assert (out / "kept.mp4").read_bytes() == video and (out / "kept.srt").read_text() == captions
    assert not list(out.glob(".*.part"))


# ---- processes -----------------------------------------------------------------------------

def processes() -> dict[int, tuple[int, str]]:
    """Every running process: pid -> (parent pid, command line), read from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended meanwhile
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            found[int(entry.name)] = (int(ppid), cmdline)
    return found


def wait_for(what: Callable[[], object], timeout: float = 300.0, message: str = ""):
    """Poll ``what`` until it returns something true, and return that."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := what():
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting: {message}")


def manim_rendering(name: str, bp: subprocess.Popen | None = None) -> int | None:
    """The pid of the manim process rendering lesson ``name`` (its media folder, a hidden work
    folder in the output folder, names it); fails the test if ``bp`` ended meanwhile."""
    if bp is not None and bp.poll() is not None:
        pytest.fail(f"bp ended before its render started:\n{bp.communicate()}")
    for pid, (_, cmdline) in processes().items():
        if " manim render " in cmdline and f"/.{name}.render." in cmdline:
            return pid
    return None


def stop(pid: int | None) -> None:
    """Kill a process the test started, if it is still there."""
    if pid is not None and pid in processes():
        os.kill(pid, signal.SIGKILL)


@pytest.mark.render
@pytest.mark.parametrize(("signum", "finished"), [(signal.SIGTERM, True),
                                                  (signal.SIGINT, False)],
                         ids=["SIGTERM", "ctrl-c"])
def test_an_interrupt_stops_the_renders(tiny, tmp_path: Path, signum: int, finished: bool):
    """SIGTERM or Ctrl-C (SIGINT) while manim renders: the manim process stops, bp says it was
    interrupted and exits with 128 + the signal's number, and the output folder holds no
    partial file, only the video that had finished."""
    lessons = [tiny("stall", "This one will stall")]
    lessons += [tiny("quick", "Quick")] if finished else []
    out = tmp_path / "out"
    # bp as a terminal starts it, with Ctrl-C's default meaning: a suite run in the background
    # of a script has SIGINT ignored, and a program inherits that (and rightly keeps it).
    proc = subprocess.Popen([sys.executable, "-m", "bpcore", "render", *map(str, lessons),
                             "-q", "l", "-j", "2", "-o", str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    manim = None
    try:
        manim = wait_for(lambda: manim_rendering("stall", proc), message="manim for stall.yaml")
        assert processes()[manim][0] == proc.pid
        if finished:
            wait_for(lambda: (out / ".quick.render.json").exists(), message="quick.mp4")
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 128 + signum, stderr
        assert f"error: interrupted by {signal.Signals(signum).name}" in stderr
        assert "Traceback" not in stderr
        assert manim not in processes()
        # Nothing of the interrupted render, not even its work folder; its lock file (a
        # render's lock on its output, kept by design) may stay.
        names = sorted(p.name for p in out.iterdir() if not p.name.endswith(".render.lock"))
        assert [n for n in names if "stall" in n] == [], names
        if finished:
            assert {"quick.mp4", "quick.srt", ".quick.render.json"} <= set(names), names
        else:
            assert names == []
    finally:
        stop(proc.pid)
        stop(manim)


# ---- Dask, across real processes ----------------------------------------------------------

@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and a worker (under its nanny), each a process of its own on 127.0.0.1,
    as `dask scheduler` and `dask worker` start them; yields the scheduler's address.

    The scheduler gives up on a task at the first worker that dies with it (allowed-failures
    0), so that test does not wait for retries. The worker's shell leaks BP_SLIDES, which must
    not turn its videos into slides.
    """
    import distributed  # in the dev extra: no skip, a missing Dask is a failure

    work = tmp_path_factory.mktemp("dask")
    info = work / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
               str(REPO), os.environ.get("PYTHONPATH")])),
           "BP_SCENES_DIR": str(FIXTURES / "scenes"), "BP_SLIDES": "1",
           "BP_SLIDES_DIR": str(work / "leaked"),
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    started = [subprocess.Popen(
        [*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
         str(info)], env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)]
    try:
        wait_for(info.exists, 60, "the scheduler's address")
        address = json.loads(info.read_text())["address"]
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "2",
             "--host", "127.0.0.1", "--no-dashboard"], env=env, cwd=work,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=120)
        yield address
        assert not (work / "leaked").exists(), "BP_SLIDES leaked into a video render"
    finally:
        for proc in reversed(started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.render
def test_a_worker_that_dies_fails_its_lesson(tiny, tmp_path: Path, dask_cluster: str):
    """When the Dask worker rendering a lesson is killed mid-render, bp does not hang: the
    lesson is reported failed (the worker died), exit 2, and no file is left in the output."""
    lesson = tiny("stall", "This one will stall on the worker")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "bpcore", "render", str(lesson), "-q", "l",
                             "-o", str(out), "--scheduler", dask_cluster], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    manim = None
    try:
        manim = wait_for(lambda: manim_rendering("stall", proc), message="manim on the worker")
        worker = processes()[manim][0]
        assert worker != proc.pid  # rendered by another process: the worker
        os.kill(worker, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 2, stderr
        assert "Traceback" not in stderr
        assert f"error: {lesson}: KilledWorker" in stderr
        assert rows(stdout)["stall.yaml"][0] == "failed"
        # No video, captions or record; the dead worker's hidden work folder may remain (a
        # killed process cannot clean up after itself).
        assert [p.name for p in out.iterdir() if not p.name.startswith(".stall.render.")] == []
    finally:
        stop(proc.pid)
        stop(manim)  # orphaned by its worker


@pytest.mark.render
def test_renders_on_a_dask_cluster(tiny, tmp_path: Path, dask_cluster: str):
    """--scheduler runs the renders on a Dask scheduler and worker in other processes, with the
    same outputs and table as a local render; a bad lesson fails before reaching the cluster."""
    import distributed

    with distributed.Client(dask_cluster, timeout="30s") as client:
        client.wait_for_workers(1, timeout=120)  # a worker killed by another test is back
    lessons = [tiny("dask_one", "Dask one"), tiny("dask_two", "Dask two"),
               tiny("dask_bad", text="title: [unclosed\n")]
    out = tmp_path / "out"
    result = run(*map(str, lessons), "-q", "l", "-o", str(out), "--scheduler", dask_cluster)
    assert result.exit_code == 2, result.output
    assert f"on the Dask cluster at {dask_cluster}" in result.stderr
    assert {n: r[0] for n, r in rows(result).items()} == {
        "dask_one.yaml": "rendered", "dask_two.yaml": "rendered", "dask_bad.yaml": "failed"}
    for name in ("dask_one", "dask_two"):
        assert (out / f"{name}.mp4").stat().st_size > 1000
        assert "b3 ends at" in (out / f"{name}.srt").read_text()


def test_jobs_travel_to_other_processes(tiny):
    """A render job and its result survive pickling, as they must to reach a Dask worker."""
    import pickle

    from bpcore.lesson.file import Lesson

    path = tiny("pickled")
    job = jobs.RenderJob(path, Lesson.from_file(path), FIXTURES / "scenes" / "tiny.py", "l",
                           path.with_suffix(".mp4"), "key")
    copy = pickle.loads(pickle.dumps(job))
    assert copy.lesson.digest == job.lesson.digest and copy.output == job.output
    result = jobs.RenderResult(path, "failed", error="boom")
    assert pickle.loads(pickle.dumps(result)) == result
