"""Shared fixtures for the scene tests: manim renders run once per session, in the background.

Every render that the selected tests need starts as soon as the first scene test runs (the
session's first test), so the slow ones (the real low-quality render, the other lesson's
render, the dry run) overlap each other and every in-process test. A test waits only for the
render it reads.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.settings import SCENE_VARIABLES

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lessons import FIXTURES, SCRIPT_LESSONS  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENES_DIR = REPO_ROOT / "scenes"
B3_SCENE = SCENES_DIR / "b3.py"
ALL_PARAMS_SCENE = SCENES_DIR / "all_params.py"
THREE_PARAMS_SCENE = SCENES_DIR / "three_params.py"
B3_LESSON = LESSONS_DIR / "b3.yaml"
#: Environment variables the scenes read (bpcore.settings); a developer's shell (or the suite's
#: silent default, tests/conftest.py) must not leak them into a render: each render says what
#: it wants.
SCENE_ENV = SCENE_VARIABLES
#: Generous: a -ql render takes about a minute and a half on two busy cores.
RENDER_TIMEOUT = 900


@dataclass(frozen=True)
class Finished:
    """How a manim run ended."""

    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        """The end of both streams, for assertion messages."""
        return f"exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n" \
               f"--- stderr\n{self.stderr[-3000:]}"


@dataclass
class Render:
    """``manim render -ql ... scenes/<scene>.py`` in its own folder, started in the
    background."""

    workdir: Path
    flags: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    scene: Path = B3_SCENE
    proc: subprocess.Popen | None = None
    _finished: Finished | None = None

    @property
    def media_dir(self) -> Path:
        return self.workdir / "media"

    @property
    def stills_dir(self) -> Path:
        return self.workdir / "stills"

    def command(self) -> list[str]:
        # --silent: no check of PyPI for a newer manim (no network in CI).
        return [sys.executable, "-m", "manim", "render", "-ql", "--progress_bar", "none",
                "--silent", *self.flags, "--media_dir", str(self.media_dir),
                str(self.scene.relative_to(REPO_ROOT))]

    def start(self) -> Render:
        if self.proc is None:
            self.workdir.mkdir(parents=True, exist_ok=True)
            env = {k: v for k, v in os.environ.items() if k not in SCENE_ENV}
            env.update(self.env)
            # Output goes to files: a pipe nobody reads until the end could fill and block.
            with (self.workdir / "stdout.txt").open("wb") as out, \
                    (self.workdir / "stderr.txt").open("wb") as err:
                # From the repo root, as a user types it, so the project's manim.cfg applies.
                self.proc = subprocess.Popen(self.command(), cwd=REPO_ROOT, env=env,
                                             stdout=out, stderr=err, start_new_session=True)
        return self

    def result(self) -> Finished:
        """Wait for the render and return how it ended."""
        if self._finished is None:
            self.start()
            try:
                code = self.proc.wait(timeout=RENDER_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.stop()
                pytest.fail(f"manim did not finish in {RENDER_TIMEOUT} s: {self.command()}")
            self._finished = Finished(
                code,
                (self.workdir / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
                (self.workdir / "stderr.txt").read_text(encoding="utf-8", errors="replace"),
            )
        return self._finished

    def succeeded(self) -> Render:
        """Wait for the render and fail the test unless it exited 0 without a traceback."""
        done = self.result()
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.explain()
        return self

    def stop(self) -> None:
        """End this render (and the LaTeX runs it started) if it is still running."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def video_dir(self) -> Path:
        """The folder holding the scene's video: media/videos/<scene>/<quality>/."""
        dirs = sorted((self.media_dir / "videos" / self.scene.stem).glob("*"))
        assert len(dirs) == 1, f"expected one quality folder, got {dirs}"
        return dirs[0]

    def video(self) -> Path:
        """The scene's one video file."""
        videos = sorted(self.video_dir().glob("*.mp4"))
        assert len(videos) == 1, f"expected one video, got {videos}"
        return videos[0]


def lesson_variant(path: Path, b3: float, learning_rate: float) -> str:
    """The b3 lesson as YAML text, with another starting b3 and learning rate."""
    data = yaml.safe_load(B3_LESSON.read_text(encoding="utf-8"))
    data["network"]["params"]["b3"] = b3
    data["descent"]["learning_rate"] = learning_rate
    text = yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return text


@dataclass(frozen=True)
class LessonCase:
    """A lesson file and bpcore's trace of it: what a render of it must show."""

    name: str
    path: Path
    trace: LessonTrace


@pytest.fixture(scope="session")
def b3_lesson() -> LessonCase:
    """The shipped b3 lesson."""
    return LessonCase("b3", B3_LESSON, trace_lesson(Lesson.from_file(B3_LESSON)))


@pytest.fixture(scope="session")
def other_lesson(tmp_path_factory: pytest.TempPathFactory) -> LessonCase:
    """The b3 lesson with b3 starting at 0.5 and learning rate 0.2 (its first step overshoots
    the sweep's range, so the pink curve must stretch to the path)."""
    path = tmp_path_factory.mktemp("other-lesson") / "b3_other.yaml"
    lesson_variant(path, b3=0.5, learning_rate=0.2)
    return LessonCase("other", path, trace_lesson(Lesson.from_file(path)))


# ---- background renders --------------------------------------------------------------------

RENDER_FIXTURES = ("b3_render", "all_params_render", "other_render", "dry_render",
                   "one_node_render", "four_nodes_render", "lesson_scripts")


@pytest.fixture(scope="session")
def _renders() -> Iterator[list[Render]]:
    """Every render started in this session; those still running at the end are stopped."""
    started: list[Render] = []
    yield started
    for render in started:
        render.stop()


@pytest.fixture(scope="session")
def b3_render(tmp_path_factory: pytest.TempPathFactory, _renders: list[Render]) -> Render:
    """A real -ql render of the b3 lesson, caching off, one still per beat in stills_dir,
    narrated by the lesson's own voice (the default: no BP_VOICE)."""
    workdir = tmp_path_factory.mktemp("b3-render")
    render = Render(workdir, ("--disable_caching",),
                    {"BP_STILLS_DIR": str(workdir / "stills")})
    _renders.append(render.start())
    return render


@pytest.fixture(scope="session")
def all_params_render(tmp_path_factory: pytest.TempPathFactory,
                      _renders: list[Render]) -> Render:
    """A real -ql render of the shipped all_params lesson, stills on, narrated in the lesson's
    voice, at 5 frames a second: its tests read captions, sound, stills and sections, which do
    not depend on the rate, and a third of -ql's frames costs a third of the drawing."""
    workdir = tmp_path_factory.mktemp("all-params-render")
    render = Render(workdir, ("--disable_caching", "--fps", "5"),
                    {"BP_STILLS_DIR": str(workdir / "stills")}, scene=ALL_PARAMS_SCENE)
    _renders.append(render.start())
    return render


@pytest.fixture(scope="session")
def other_render(tmp_path_factory: pytest.TempPathFactory, other_lesson: LessonCase,
                 _renders: list[Render]) -> Render:
    """A real -ql render of the other lesson, picked by BP_LESSON, silent (BP_VOICE=none), at
    5 frames a second: its tests read captions, sections and streams, not motion, and a third
    of the frames costs a third of the drawing."""
    render = Render(tmp_path_factory.mktemp("other-render"), ("--disable_caching", "--fps", "5"),
                    {"BP_LESSON": str(other_lesson.path), "BP_VOICE": "none"})
    _renders.append(render.start())
    return render


def narrated_fixture_render(workdir: Path, lesson: Path, scene: Path) -> Render:
    """A -ql render of a fixture lesson, narrated by its own voice, at 5 frames a second:
    what its tests read (when the picture is blank, when the voice speaks) needs no motion."""
    return Render(workdir, ("--disable_caching", "--fps", "5"), {"BP_LESSON": str(lesson)},
                  scene=scene)


@pytest.fixture(scope="session")
def one_node_render(tmp_path_factory: pytest.TempPathFactory, _renders: list[Render]) -> Render:
    """The b3 scene on a lesson with one hidden node (a sigmoid), narrated."""
    render = narrated_fixture_render(tmp_path_factory.mktemp("one-node-render"),
                                     FIXTURES / "one_node.yaml", B3_SCENE)
    _renders.append(render.start())
    return render


@pytest.fixture(scope="session")
def four_nodes_render(tmp_path_factory: pytest.TempPathFactory,
                      _renders: list[Render]) -> Render:
    """The three_params scene on a lesson with four hidden nodes, cut off by max_steps,
    narrated."""
    render = narrated_fixture_render(tmp_path_factory.mktemp("four-nodes-render"),
                                     FIXTURES / "four_nodes.yaml", THREE_PARAMS_SCENE)
    _renders.append(render.start())
    return render


@pytest.fixture(scope="session")
def dry_render(tmp_path_factory: pytest.TempPathFactory, _renders: list[Render]) -> Render:
    """``manim -ql --dry_run scenes/b3.py``: the whole scene runs, nothing is written but the
    narration script (BP_SCRIPT, in the workdir as script.json)."""
    workdir = tmp_path_factory.mktemp("dry-render")
    render = Render(workdir, ("--dry_run",),
                    {"BP_VOICE": "none", "BP_SCRIPT": str(workdir / "script.json")})
    _renders.append(render.start())
    return render


@dataclass
class Scripts:
    """``bp script`` of each of :data:`SCRIPT_LESSONS`, started in the background, one process
    per lesson; ``[stem]`` waits for that lesson's and returns its script as a dict."""

    out_dir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self) -> Scripts:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in SCENE_ENV}
        for lesson in SCRIPT_LESSONS:
            self.procs[lesson.stem] = subprocess.Popen(
                [sys.executable, "-m", "bpcore", "script", str(lesson), "-o", str(self.out_dir)],
                cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, start_new_session=True)
        return self

    def __getitem__(self, stem: str) -> dict:
        proc = self.procs[stem]
        _, err = proc.communicate(timeout=RENDER_TIMEOUT)
        assert proc.returncode == 0, f"bp script {stem}: {err[-2000:]}"
        return json.loads((self.out_dir / f"{stem}.script.json").read_text(encoding="utf-8"))

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="session")
def lesson_scripts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scripts]:
    """The narration scripts of :data:`SCRIPT_LESSONS` (``bp script``: no render)."""
    scripts = Scripts(tmp_path_factory.mktemp("scripts")).start()
    yield scripts
    scripts.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_renders_early(request: pytest.FixtureRequest) -> None:
    """Start, at once, every render that some selected test will read, so they overlap."""
    wanted = {name for item in request.session.items
              for name in getattr(item, "fixturenames", ()) if name in RENDER_FIXTURES}
    for name in RENDER_FIXTURES:
        if name in wanted:
            request.getfixturevalue(name)


# ---- scenes imported in-process -------------------------------------------------------------

@pytest.fixture(scope="session")
def load_scene_module() -> Iterator:
    """A function importing ``scenes/<name>.py`` as manim does (with scenes/ on sys.path)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(SCENES_DIR))
        loaded: dict[Path, types.ModuleType] = {}

        def load(path: Path) -> types.ModuleType:
            if path not in loaded:
                name = f"bp_test_scene_{path.stem}"
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
                loaded[path] = module
            return loaded[path]

        yield load


@pytest.fixture(scope="session")
def run_b3_scene():
    """A function rendering scenes/b3.py at -ql in ``workdir`` with extra environment variables
    and waiting for it: ``run_b3_scene(workdir, env, flags=())`` returns how it ended."""

    def run(workdir: Path, env: dict[str, str], flags: tuple[str, ...] = ()) -> Finished:
        return Render(workdir, flags, env).result()

    return run


@pytest.fixture(scope="session")
def script_captions():
    """A function running ``bp script`` on the lesson ``data`` (a dict, written as YAML in
    ``folder``): ``script_captions(data, folder)`` returns each beat's captions by beat name.
    What a scene says about a lesson, in a few seconds and without a render."""

    def run(data: dict, folder: Path) -> dict[str, list[str]]:
        path = folder / "variant.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "bpcore", "script", str(path), "-o",
                               str(folder)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        script = json.loads((folder / "variant.script.json").read_text(encoding="utf-8"))
        return {beat["beat"]: [c["caption"] for c in beat["clips"]]
                for beat in script["beats"]}

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the scene tests that wait for a background render last, so the in-process ones work
    while the renders run, and one scene test first of the whole session, which starts the
    renders. Other tests keep their places."""
    here = Path(__file__).parent
    slots = [i for i, item in enumerate(items) if here in Path(item.path).parents]

    def waits(item: pytest.Item) -> bool:
        return any(name in RENDER_FIXTURES for name in getattr(item, "fixturenames", ()))

    ordered = sorted((items[i] for i in slots), key=waits)  # stable: False first
    for i, item in zip(slots, ordered, strict=True):
        items[i] = item
    # The renders start with the first scene test (_start_renders_early is this folder's); run
    # one of those first of all, so they overlap the rest of the suite too (tests/bpcore works
    # in this process, mostly on one core), not only the scene tests after it.
    if slots and not waits(items[slots[0]]):
        items.insert(0, items.pop(slots[0]))
