"""``bp render`` under kill -9 and concurrency: nothing left that breaks a rerun, intact files.

The renders use the two-beat scene ``fixtures/scenes/tiny.py`` (BP_SCENES_DIR) at -ql; each is a
real ``bp`` process, because a SIGKILL cannot be simulated in-process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import av
import pytest

from bpcore.render import outputs

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


def env() -> dict[str, str]:
    return {**os.environ, "BP_SCENES_DIR": str(FIXTURES / "scenes"), "PYTHONPATH": str(ROOT)}


def lesson(tmp_path: Path, name: str, title: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(TINY.replace('title: "Tiny lesson"', f'title: "{title}"'))
    return path


def bp_render(*args: str, code: str = "") -> subprocess.Popen[str]:
    """``bp render ARGS -q l`` in a new process (session), after running ``code`` in it."""
    program = code + "\nfrom bpcore.cli import main\nmain(['render', *sys.argv[1:], '-q', 'l'])"
    return subprocess.Popen([sys.executable, "-c", "import sys\n" + program, *args], cwd=ROOT,
                            env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def frames(video: Path) -> int:
    """How many frames decode from ``video`` (every one of them is decoded)."""
    with av.open(str(video)) as container:
        return sum(1 for _ in container.decode(video=0))


def assert_intact(out: Path, name: str, title: str) -> None:
    """The video decodes whole, the captions are this lesson's, the sidecar vouches for both."""
    video, captions = out / f"{name}.mp4", out / f"{name}.srt"
    assert frames(video) > 10
    assert title in captions.read_text() and "b3 ends at 2.61." in captions.read_text()
    record = json.loads((out / f".{name}.render.json").read_text())
    assert record["lesson"].endswith(f"{name}.yaml") and record["captions"] is True


def hidden_leftovers(out: Path) -> list[str]:
    """Every hidden file or folder except the lock files and sidecars that renders keep."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".")
                  and not p.name.endswith((".render.lock", ".render.json")))


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        # Whatever the process started (manim) goes with it, even after a failed assertion.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return process.returncode, stdout, stderr


@pytest.mark.render
def test_kill_during_the_copy_then_a_rerun_succeeds(tmp_path: Path):
    """kill -9 halfway through copying the video leaves a .part; a rerun removes it and renders."""
    name, title = "killed", "Killed while copying"
    path, out = lesson(tmp_path, name, title), tmp_path / "out"
    # The kill comes from inside, at the worst moment: half the video copied into the folder.
    half_copy_then_die = textwrap.dedent("""
        import os, signal
        from bpcore.render import outputs
        def copy(source, target):
            target.write(source.read(2000))
            target.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        outputs.copy_stream = copy
    """)
    code, _, _ = finish(bp_render(str(path), "-o", str(out), code=half_copy_then_die))
    assert code == -signal.SIGKILL
    left = hidden_leftovers(out)
    assert any(n.startswith(f".{name}.mp4.") and n.endswith(".part") for n in left), left
    assert not (out / f"{name}.mp4").exists()

    code, stdout, stderr = finish(bp_render(str(path), "-o", str(out)))
    assert code == 0, stderr
    assert f"{name}.yaml" in stdout and "rendered" in stdout
    assert_intact(out, name, title)
    assert hidden_leftovers(out) == []


@pytest.mark.render
def test_kill_during_manim_then_a_rerun_succeeds(tmp_path: Path):
    """kill -9 of bp render while manim draws (manim orphaned) does not stop a rerun."""
    name, title = "orphaned", "Killed while drawing"
    path, out = lesson(tmp_path, name, title), tmp_path / "out"
    first = bp_render(str(path), "-o", str(out))
    try:
        deadline = time.monotonic() + 120
        # manim has started once its work folder holds a media folder.
        while not list(out.glob(f".{name}.render.*.work/media")):
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # bp only: its manim child lives on, orphaned
        first.wait()
        code, stdout, stderr = finish(bp_render(str(path), "-o", str(out)))
    finally:
        finish(first, timeout=5)
    assert code == 0, stderr
    assert_intact(out, name, title)
    assert hidden_leftovers(out) == []


@pytest.mark.render
def test_two_renders_into_one_folder_at_once(tmp_path: Path):
    """Two bp render runs of the same lessons into one folder both succeed with intact files."""
    lessons = [(lesson(tmp_path, "shared", "Shared by two"), "Shared by two"),
               (lesson(tmp_path, "other", "Only one"), "Only one")]
    out = tmp_path / "out"
    first = bp_render(str(lessons[0][0]), str(lessons[1][0]), "-o", str(out), "-j", "2")
    second = bp_render(str(lessons[0][0]), "-o", str(out))
    results = [finish(first), finish(second)]
    for code, _, stderr in results:
        assert code == 0, stderr
    for path, title in lessons:
        assert_intact(out, path.stem, title)
    assert hidden_leftovers(out) == []
    # The shared lesson was rendered once, or twice in turn, never into each other's files.
    shared = [line.split()[1] for _, stdout, _ in results for line in stdout.splitlines()
              if line.startswith(str(lessons[0][0]))]
    assert sorted(shared) in (["rendered", "rendered"], ["rendered", "skipped"])


def test_a_second_locker_waits_for_the_first(tmp_path: Path):
    """While another process holds an output's lock, output_lock waits, says so, then gets it."""
    output = tmp_path / "b3.mp4"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from bpcore.render.outputs import output_lock
            with output_lock(Path({str(output)!r})):
                print("locked", flush=True)
                time.sleep(1.5)
        """)], env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        messages: list[str] = []
        start = time.monotonic()
        with outputs.output_lock(output, messages.append) as waited:
            waited_for = time.monotonic() - start
        assert waited and waited_for > 1.0  # the holder kept it 1.5 s after saying "locked"
        assert messages == [f"{output}: another bp render is making it; waiting for it to "
                            "finish"]
    finally:
        holder.kill()
        holder.wait()
