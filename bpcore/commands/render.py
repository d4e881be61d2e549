"""``bp render``: many lessons to videos with captions, in parallel, skipping what is up to date.

Each lesson is one job: manim renders the lesson's scene in its own subprocess, with its own
media folder, and the video and captions are then copied into the output folder under a
temporary name and renamed into place (:func:`install`), so a final path never holds a
half-written file. A small sidecar file beside them (``.<stem>.render.json``) records the key
they were made from (:func:`render_key`); a lesson whose key has not changed is skipped.

Each output is rendered under its lock (``.<stem>.render.lock``, :func:`output_lock`): a second
``bp render`` of the same output waits for the first, then skips it if it is now up to date.
Whoever takes the lock first removes what a killed render left (``.part`` copies, its work
folder), so a ``kill -9`` never leaves anything that breaks or clutters the next run.

Locally up to ``-j`` manim processes run at once; with ``--scheduler`` the same jobs
(:func:`run_job`) go to a Dask cluster through ``client.get_executor()``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO

import click

from bpcore.commands.common import (
    EXIT_ERROR,
    CommandError,
    describe,
    is_user_error,
    lesson_argument,
    load_trace,
    strict_option,
    warn,
)
from bpcore.commands.page import write_page
from bpcore.commands.render_scene import (
    QUALITIES,
    allow_renders,
    quality_option,
    run_manim,
    scene_file,
    stop_renders,
)
from bpcore.errors import BpError
from bpcore.files import atomic_write, atomic_writer
from bpcore.lesson import Lesson
from bpcore.resources import ROOT, SCENES_DIR
from bpcore.trace import trace_lesson
from bpcore.voice import RECORDED, Voice

BPCORE_DIR = Path(__file__).resolve().parent.parent
#: What the scene writes beside its video to publish it (scenes/kit/lesson_scene.py).
PUBLISHED = (".vtt", ".chapters.txt", ".thumbnail.png")
#: How manim's log announces each finished animation.
ANIMATION = re.compile(r"Animation (\d+) ?:")


@dataclass(frozen=True)
class RenderJob:
    """One lesson to render: everything a worker needs, computed before it starts."""

    lesson_path: Path
    lesson: Lesson
    scene: Path
    quality: str
    output: Path
    key: str
    voice: Voice | None = None
    burn: bool = False

    @property
    def captions(self) -> Path:
        return self.output.with_suffix(".srt")

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.output)

    @property
    def extras(self) -> tuple[Path, ...]:
        """The files a render writes beside the video and captions, for publishing."""
        made = [self.output.with_suffix(s) for s in PUBLISHED]
        return (*made, self.output.with_suffix(".captioned.mp4")) if self.burn else tuple(made)


@dataclass(frozen=True)
class RenderResult:
    """How one lesson ended: ``rendered``, ``skipped`` (up to date) or ``failed``."""

    lesson_path: Path
    status: str
    output: Path | None = None
    video_seconds: float | None = None
    render_seconds: float | None = None
    error: str = ""


def sidecar_path(output: Path) -> Path:
    """The file beside a video that records what it was rendered from.

    Examples
    --------
    >>> sidecar_path(Path("renders/b3.mp4")).as_posix()
    'renders/.b3.render.json'
    """
    return output.with_name(f"{work_prefix(output)}json")


def code_digest(scene: Path) -> str:
    """A hash of the code that renders ``scene``: manim's version, manim.cfg, bpcore, the scene
    file and the packages beside it (``scenes/kit/``), but not the other scene files.

    Examples
    --------
    >>> digest = code_digest(SCENES_DIR / "b3.py")
    >>> len(digest), digest == code_digest(SCENES_DIR / "b3.py")
    (64, True)
    """
    files = {p.resolve() for p in BPCORE_DIR.rglob("*.py")}
    for folder in {SCENES_DIR, scene.resolve().parent}:
        files.update(p.resolve() for p in folder.glob("*/**/*.py"))
    files.update({scene.resolve(), (ROOT / "manim.cfg").resolve()})
    digest = hashlib.sha256()
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(f"manim {metadata.version('manim')}\n".encode())
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def render_key(lesson: Lesson, scene: Path, quality: str, code: str | None = None,
               voice: Voice | None = None, burn: bool = False) -> str:
    """What a video depends on: the lesson file's content, the code, the quality and the voice
    (for recordings, the recordings themselves).

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR
    >>> b3 = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> scene = SCENES_DIR / "b3.py"
    >>> render_key(b3, scene, "l") == render_key(b3, scene, "l")
    True
    >>> render_key(b3, scene, "l") == render_key(b3, scene, "h")
    False
    """
    code = code if code is not None else code_digest(scene)
    voice = voice or lesson.narration.voice
    text = (f"lesson {lesson.digest}\nscene {scene.name}\ncode {code}\nquality {quality}\n"
            f"voice {voice}\nburn {burn}\n")
    digest = hashlib.sha256(text.encode())
    if voice.name == RECORDED and voice.folder.is_dir():
        for take in sorted(voice.folder.glob("*.*")):
            if take.suffix in (".wav", ".txt"):
                digest.update(take.name.encode() + hashlib.sha256(take.read_bytes()).digest())
    return digest.hexdigest()


def recorded(output: Path) -> dict | None:
    """The sidecar record of ``output``, or None when there is none or it is unreadable."""
    try:
        data = json.loads(sidecar_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def up_to_date(job: RenderJob) -> RenderResult | None:
    """A ``skipped`` result when the outputs exist and were made from the same key."""
    record = recorded(job.output)
    if record is None or record.get("key") != job.key or not job.output.is_file():
        return None
    if record.get("captions") and not job.captions.is_file():
        return None
    if not all(extra.is_file() for extra in job.extras):
        return None
    return RenderResult(job.lesson_path, "skipped", job.output, record.get("video_seconds"),
                        record.get("render_seconds"))


def copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    """Copy one open file into another (a seam for the atomic-write tests)."""
    shutil.copyfileobj(source, target, 1 << 20)


def install(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically: a temporary file in the same folder, then rename.

    If the copy fails or is interrupted, the temporary file is removed and ``target`` keeps what
    it had (or stays absent). Only a hard kill can leave a hidden ``.<name>.*.part`` file behind,
    never a partial ``target``; the next render of that output removes it (:func:`leftovers`).

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "new.mp4").write_bytes(b"video")
    >>> install(folder / "new.mp4", folder / "b3.mp4")
    >>> (folder / "b3.mp4").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'video', ['b3.mp4', 'new.mp4'])
    >>> shutil.rmtree(folder)
    """
    with atomic_writer(target, binary=True, suffix=".part") as out, open(source, "rb") as src:
        copy_stream(src, out)


def lock_path(output: Path) -> Path:
    """The lock file of one output, beside it.

    Examples
    --------
    >>> lock_path(Path("renders/b3.mp4")).as_posix()
    'renders/.b3.render.lock'
    """
    return output.with_name(f"{work_prefix(output)}lock")


def work_prefix(output: Path) -> str:
    """The name start of the hidden files a render of ``output`` keeps beside it: its sidecar
    record, its lock and its work folders."""
    return f".{output.stem}.render."


def leftovers(output: Path) -> list[Path]:
    """What renders of ``output`` that were killed left beside it: ``.part`` copies, ``.tmp``
    sidecars and work folders. Only safe to remove while holding :func:`output_lock`.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in (".b3.mp4.x1.part", ".b3.srt.x2.part", "..b3.render.json.x3.tmp",
    ...              ".b3.v2.mp4.x4.part", "b3.mp4", ".b3.render.lock"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> (folder / ".b3.render.k5.work").mkdir()
    >>> sorted(p.name for p in leftovers(folder / "b3.mp4"))
    ['..b3.render.json.x3.tmp', '.b3.mp4.x1.part', '.b3.render.k5.work', '.b3.srt.x2.part']
    >>> shutil.rmtree(folder)
    """
    sidecar = sidecar_path(output)
    copies = [output, *(output.with_suffix(s) for s in (".srt", *PUBLISHED, ".captioned.mp4"))]
    # Exact names only: a lesson b3.v2 has outputs that start like b3's.
    patterns = [*(f".{glob_escape(copy.name)}.*.part" for copy in copies),
                f".{glob_escape(sidecar.name)}.*.tmp", f"{glob_escape(work_prefix(output))}*.work"]
    return sorted({p for pattern in patterns for p in output.parent.glob(pattern)})


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters made literal.

    Examples
    --------
    >>> glob_escape("lesson[1]*.mp4")
    'lesson[[]1[]][*].mp4'
    """
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


@contextlib.contextmanager
def output_lock(output: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Hold ``output``'s lock for a render; yields whether it had to wait for another one.

    The lock is an ``flock`` on a hidden file beside the output, so the kernel releases it when
    its holder ends in any way, ``kill -9`` included; the file itself stays (removing a lock
    file races with the next locker). On taking the lock, the :func:`leftovers` of killed
    renders are removed.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".b3.mp4.x1.part").write_bytes(b"half a video")
    >>> with output_lock(folder / "b3.mp4") as waited:
    ...     waited, sorted(p.name for p in folder.iterdir())
    (False, ['.b3.render.lock'])
    >>> shutil.rmtree(folder)
    """
    fd = os.open(lock_path(output), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"{output}: another bp render is making it; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        for path in leftovers(output):
            with contextlib.suppress(OSError):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        yield waited
    finally:
        os.close(fd)  # releases the lock


def video_seconds(video: Path) -> float | None:
    """A video's length in seconds (None if it cannot be read)."""
    try:
        import av  # comes with manim; read only the container's header

        with av.open(str(video)) as container:
            if container.duration is not None:
                return container.duration / av.time_base
    except Exception:  # noqa: BLE001 - a length is a nicety; never fail a render over it
        return None
    return None


def find_video(media_dir: Path, scene: Path, quality: str) -> Path:
    """The video manim wrote for ``scene`` into ``media_dir``."""
    folder = media_dir / "videos" / scene.stem / QUALITIES[quality]
    videos = sorted(p for p in folder.glob("*.mp4") if not p.name.endswith(".captioned.mp4"))
    if len(videos) != 1:
        found = ", ".join(p.name for p in videos) or "none"
        raise CommandError(f"{scene}: expected one video from manim in {folder}, found {found}")
    return videos[0]


def publish(job: RenderJob, video: Path, captions: Path | None, seconds: float | None,
            took: float) -> None:
    """Move a finished render into place: video, captions, then the sidecar that vouches."""
    job.sidecar.unlink(missing_ok=True)  # outputs being replaced are not up to date
    install(video, job.output)
    if captions is not None:
        install(captions, job.captions)
    else:
        job.captions.unlink(missing_ok=True)
    for extra in job.extras:
        made = video.with_name(video.stem + extra.name.removeprefix(job.output.stem))
        if made.is_file():
            install(made, extra)
        else:
            extra.unlink(missing_ok=True)
    record = {"key": job.key, "lesson": str(job.lesson_path), "scene": job.scene.name,
              "quality": job.quality, "video_seconds": seconds, "render_seconds": round(took, 1),
              "captions": captions is not None,
              "rendered_at": datetime.now(UTC).isoformat(timespec="seconds")}
    atomic_write(job.sidecar, json.dumps(record, indent=2) + "\n")


def run_job(job: RenderJob, on_line: Callable[[str], None] | None = None,
            on_wait: Callable[[str], None] | None = None) -> RenderResult:
    """Render one lesson and publish it; any failure comes back as a ``failed`` result.

    This is what runs on a worker: a local thread driving its manim process, or a Dask worker.
    It holds the output's lock throughout; when it had to wait for another render of the same
    output that left it up to date, it skips.
    """
    start = time.monotonic()
    try:
        with output_lock(job.output, on_wait) as waited:
            done = up_to_date(job) if waited else None
            if done is not None:
                return done
            # The work folder sits beside the output, so the next render can remove it after
            # a kill -9 (a folder in /tmp would stay until reboot).
            with tempfile.TemporaryDirectory(dir=job.output.parent, suffix=".work",
                                             prefix=work_prefix(job.output)) as work:
                media = Path(work) / "media"
                env = {"BP_VOICE": str(job.voice)} if job.voice is not None else {}
                env["BP_BURN_CAPTIONS"] = "1" if job.burn else "0"
                run_manim(job.lesson_path, job.lesson, job.quality, media, env,
                          scene=job.scene, on_line=on_line)
                video = find_video(media, job.scene, job.quality)
                captions = video.with_suffix(".srt")
                seconds = video_seconds(video)
                took = time.monotonic() - start
                publish(job, video, captions if captions.is_file() else None, seconds, took)
    except Exception as exc:  # noqa: BLE001 - one lesson's failure must not stop the others
        message = describe(exc) if is_user_error(exc) or isinstance(exc, CommandError) \
            else f"{type(exc).__name__}: {exc}"
        return RenderResult(job.lesson_path, "failed", render_seconds=time.monotonic() - start,
                            error=message.removeprefix(f"{job.lesson_path}: "))
    return RenderResult(job.lesson_path, "rendered", job.output, seconds, took)


class Progress:
    """Progress lines on stderr, one per event, safe to call from worker threads."""

    def __init__(self, total: int, every: float = 15.0) -> None:
        self.total, self.done, self.every = total, 0, every
        self.lock = threading.Lock()

    def say(self, text: str) -> None:
        with self.lock:
            click.echo(text, err=True)

    def finished(self, result: RenderResult) -> None:
        with self.lock:
            self.done += 1
            name = result.lesson_path.name
            if result.status == "failed":
                line = f"[{self.done}/{self.total}] error: {result.lesson_path}: {result.error}"
            elif result.status == "skipped":
                line = f"[{self.done}/{self.total}] {name}: up to date, skipped ({result.output})"
            else:
                line = (f"[{self.done}/{self.total}] {name}: rendered in "
                        f"{seconds(result.render_seconds)} ({seconds(result.video_seconds)} of "
                        f"video) -> {result.output}")
            click.echo(line, err=True)

    def watcher(self, job: RenderJob) -> Callable[[str], None]:
        """A callback for the lesson's manim log: how far its render is, now and then."""
        return animation_watcher(job.lesson_path.name, self.say, self.every)


def animation_watcher(name: str, say: Callable[[str], None],
                      every: float = 15.0) -> Callable[[str], None]:
    """A callback for manim's log lines that says, every ``every`` seconds, how far it got.

    Examples
    --------
    >>> watch = animation_watcher("b3.yaml", print, every=0)
    >>> watch("INFO     Animation 12 : Partial movie file written in ...")
    b3.yaml: animation 12 rendered, 0.0 s so far
    """
    start = last = time.monotonic()

    def on_line(line: str) -> None:
        nonlocal last
        match = ANIMATION.search(line)
        now = time.monotonic()
        if match and now - last >= every:
            last = now
            say(f"{name}: animation {match.group(1)} rendered, {seconds(now - start)} so far")

    return on_line


def seconds(value: float | None) -> str:
    """A duration for the progress lines and the summary.

    Examples
    --------
    >>> seconds(2.34), seconds(151.0), seconds(None)
    ('2.3 s', '2:31', '-')
    """
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes}:{rest:02d}"


def summary_table(results: list[RenderResult]) -> str:
    """The table printed at the end: one row per lesson, in the order given.

    Examples
    --------
    >>> print(summary_table([
    ...     RenderResult(Path("b3.yaml"), "rendered", Path("renders/b3.mp4"), 151.0, 95.2),
    ...     RenderResult(Path("bad.yaml"), "failed", error="data: missing")]))
    lesson    status    video  time    output
    b3.yaml   rendered  2:31   1:35    renders/b3.mp4
    bad.yaml  failed    -      -       data: missing
    """
    rows = [("lesson", "status", "video", "time", "output")]
    for r in results:
        rows.append((str(r.lesson_path), r.status, seconds(r.video_seconds),
                     seconds(r.render_seconds) if r.status != "failed" else "-",
                     r.error if r.status == "failed" else str(r.output)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)),
                                row[4]]).rstrip() for row in rows)


def plan(lessons: tuple[Path, ...], out_dir: Path, quality: str, force: bool,
         voice: Voice | None = None, burn: bool = False,
         strict: bool = False) -> Iterator[RenderJob | RenderResult]:
    """For each lesson, in order: a job to run, or the result it already has (bad, up to date).

    ``voice`` overrides each lesson's own; either way it is checked here, before any render.
    Warnings about a lesson's descent are printed here; with ``strict`` they fail the lesson.
    """
    codes: dict[Path, str] = {}
    claimed: dict[Path, Path] = {}
    for path in lessons:
        try:
            lesson = Lesson.from_file(path)
            scene = scene_file(lesson)  # what the scene needs, then the descent: before rendering
            trace = trace_lesson(lesson)
            speaker = voice or lesson.narration.voice
            try:
                speaker.require()
            except BpError as exc:
                where = "--voice" if voice else "narration.voice"
                raise CommandError(f"{path}: {where}: {exc}") from None
        except Exception as exc:
            if not (is_user_error(exc) or isinstance(exc, CommandError)):
                raise
            yield RenderResult(path, "failed", error=describe(exc).removeprefix(f"{path}: "))
            continue
        if warn(trace) and strict:
            yield RenderResult(path, "failed", error="warnings fail the render with --strict")
            continue
        output = out_dir / f"{path.stem}.mp4"
        if output in claimed:
            yield RenderResult(path, "failed", error=f"same output {output} as "
                                                     f"{claimed[output]}; rename one of them")
            continue
        claimed[output] = path
        folder = scene.resolve().parent
        if folder not in codes:
            codes[folder] = code_digest(scene)
        speaker = voice or lesson.narration.voice
        if speaker.folder is not None:  # a render runs in another folder
            speaker = Voice(speaker.name, speaker.folder.absolute())
        job = RenderJob(path, lesson, scene, quality, output,
                        render_key(lesson, scene, quality, codes[folder], speaker, burn),
                        speaker, burn)
        skipped = None if force else up_to_date(job)
        yield skipped or job


@contextlib.contextmanager
def executor_for(scheduler: str | None, jobs: int) -> Iterator[cf.Executor]:
    """Local threads (each drives one manim process), or a Dask cluster's executor."""
    if scheduler is None:
        with cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="bp-render") as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError:
        raise CommandError("--scheduler needs dask.distributed; install it with "
                           "pip install -e '.[cluster]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CommandError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler "
                           f"({exc})") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def as_completed(futures: Iterable[cf.Future]) -> Iterator[cf.Future]:
    """Yield each future as it ends, waking at least twice a second.

    A signal that Linux hands to a worker thread does not wake a main thread blocked on a
    lock, so a wait without a timeout could hold Ctrl-C or SIGTERM until a render ends.
    """
    pending = set(futures)
    while pending:
        done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_COMPLETED)
        yield from done


def run_all(pool: cf.Executor, todo: list[tuple[int, RenderJob]], progress: Progress,
            local: bool) -> Iterator[tuple[int, RenderResult]]:
    """Submit every job and yield ``(index, result)`` as each one ends.

    Ctrl-C or SIGTERM cancels the jobs not started and stops the running manim processes; the
    finished outputs stay, and no partial file is left at an output path.
    """
    previous = None
    if threading.current_thread() is threading.main_thread():
        def on_term(signum, frame):
            raise KeyboardInterrupt(signum)  # the command's exit code names the signal

        previous = signal.signal(signal.SIGTERM, on_term)
    futures: dict[cf.Future, tuple[int, RenderJob]] = {}
    try:
        for index, job in todo:
            # Absolute paths: a Dask worker runs in a folder of its own.
            anywhere = replace(job, lesson_path=job.lesson_path.absolute(),
                               output=job.output.absolute())
            args = (anywhere, progress.watcher(job), progress.say) if local else (anywhere,)
            futures[pool.submit(run_job, *args)] = (index, job)
        for future in as_completed(futures):
            index, job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker that died
                result = RenderResult(job.lesson_path, "failed",
                                      error=f"{type(exc).__name__}: {exc}")
            result = replace(result, lesson_path=job.lesson_path,  # as the user wrote them
                             output=job.output if result.output else None)
            progress.finished(result)
            yield index, result
    except BaseException:
        for future in futures:
            future.cancel()
        stop_renders()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _voice_option(value: str | None) -> Voice | None:
    """Parse ``--voice``; a name that is no voice stops the command before anything runs."""
    if value is None:
        return None
    try:
        return Voice.parse(value)
    except BpError as exc:
        raise CommandError(f"--voice: {exc}") from None


@click.command("render")
@lesson_argument(multiple=True)
@quality_option("h")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Lessons rendered at once, each by its own manim process. "
                   "Default: the number of CPUs.")
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=Path("renders"), show_default=True,
              help="Folder for the videos (<lesson name>.mp4) and captions (.srt).")
@click.option("--force", is_flag=True, help="Render even the lessons that are up to date.")
@click.option("--voice", metavar="VOICE", default=None, envvar="BP_VOICE", show_envvar=True,
              callback=lambda ctx, param, value: _voice_option(value),
              help="Who narrates, instead of each lesson's narration.voice: hibari (the "
                   "default), piper, piper:PATH/voice.onnx, festival, flite, none (silent), "
                   "recorded:DIR (your own WAV clips, see "
                   "bp script), or a manim-voiceover service: gtts, azure, openai, "
                   "elevenlabs, gemini.")
@click.option("--burn-captions", "burn", is_flag=True,
              help="Also write DIR/<lesson name>.captioned.mp4, with the captions drawn into "
                   "the picture (for players and sites without subtitles).")
@click.option("--page", is_flag=True,
              help="Also write each lesson's interactive page beside its video "
                   "(DIR/<lesson name>.html, as bp page does).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the renders on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of "
                   "here; -j is then up to the cluster. Needs the 'cluster' extra, and workers "
                   "that see this project and the output folder at the same paths.")
@strict_option
def command(lessons: tuple[Path, ...], quality: str, jobs: int | None, out_dir: Path,
            force: bool, voice: Voice | None, burn: bool, page: bool,
            scheduler: str | None, strict: bool) -> None:
    """Render narrated lesson videos with captions, several at once.

    Each LESSON is rendered by the scene its file names (scenes/<scene>.py)
    to DIR/<lesson name>.mp4, with the captions in DIR/<lesson name>.srt.
    The video speaks its captions in the lesson's voice (--voice to
    change it; --voice none for a silent video), carries its beats as
    chapters and its captions as a subtitle track, and comes with
    <lesson name>.vtt, .chapters.txt (for a video site's description) and
    .thumbnail.png (1280x720) beside it. A video that is up to date (same
    lesson file, same code, same quality) is skipped unless --force. A
    lesson that fails is reported with its error and the others still
    render; the exit code is then 2. Files appear in DIR only once
    complete. Warnings about a lesson's descent (see bp check --help) are
    printed first; --strict fails those lessons. Ctrl-C or SIGTERM stops
    the running renders and exits with 130 or 143; finished videos stay.

    \b
    Examples: (course/ stands for your own folder of lesson files)
      bp render assets/lessons/*.yaml
      bp render assets/lessons/b3.yaml -q l -o drafts
      bp render assets/lessons/b3.yaml --voice none
      bp render assets/lessons/*.yaml --page --burn-captions
      bp render course/*.yaml -j 4 --force --strict
      bp render course/*.yaml --scheduler tcp://scheduler:8786
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    planned = list(plan(lessons, out_dir, quality, force, voice, burn, strict))
    results: dict[int, RenderResult] = {}
    progress = Progress(len(planned))
    todo = []
    for index, item in enumerate(planned):
        if isinstance(item, RenderResult):
            results[index] = item
            progress.finished(item)
        else:
            todo.append((index, item))
    if todo:
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        where = f"on the Dask cluster at {scheduler}" if scheduler else f"{workers} at a time"
        progress.say(f"Rendering {len(todo)} lesson{'s' if len(todo) != 1 else ''} at "
                     f"{QUALITIES[quality]}, {where}...")
        try:
            with executor_for(scheduler, workers) as pool:
                for index, result in run_all(pool, todo, progress, local=scheduler is None):
                    results[index] = result
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see run_all)
            signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
            progress.say(f"error: interrupted by {signal.Signals(signum).name}: the running "
                         "renders were stopped; finished videos are kept, no partial file is "
                         "left")
            raise click.exceptions.Exit(128 + signum) from None  # as a shell reports a signal
        finally:
            allow_renders()  # after an interrupt, once every worker thread has ended
    ordered = [results[i] for i in range(len(planned))]
    if page:
        for result in ordered:
            if result.status != "failed":
                write_page(result.lesson_path, load_trace(result.lesson_path), out_dir)
    click.echo(summary_table(ordered))
    failed = sum(r.status == "failed" for r in ordered)
    if failed:
        click.echo(f"error: {failed} of {len(ordered)} lesson{'s' if len(ordered) != 1 else ''} "
                   "failed", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)
