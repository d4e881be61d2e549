"""How much slower is a lesson render than just encoding a video of the same length?

This is a benchmark, not a test: it measures and prints, and never fails on a slow result.

It renders a lesson scene (``scenes/b3.py`` by default) with Manim's caching disabled, so every
animation is really drawn and encoded::

    manim -q<q> --disable_caching --media_dir <tempdir> --progress_bar none <scene>

It then reads the length of the video it produced (with PyAV, or ``ffprobe`` as a fallback) and,
in the same run, renders a generated one-dot scene of exactly that length: a single ``Dot`` on
the project's background and ``self.wait(duration)``. Manim draws that frame once and hands the
same image to the encoder for every frame, so its wall time is the *encoding floor*: Manim's
start-up plus writing that many frames at that resolution and frame rate, with no drawing at all.

The ratio ``lesson time / floor time`` is what the scene itself costs on top of the floor:
drawing with cairo, building Tex/MathTex/Text, interpolating animations, one partial movie per
``play`` and the section videos. 1.0 would mean the lesson is free; issue 3 targets <= 1.3 at
``-qm`` and ``-qh``.

Both renders run from the repository root, so both read its ``manim.cfg`` (background, sections,
encoder settings) and are encoded the same way. The environment is passed through unchanged,
so ``BP_LESSON=path`` (or ``--lesson path``) benchmarks another lesson with the same scene.
With ``--repeat N`` the two renders alternate N times, so a load that comes and goes on the
machine hits both; the ratio uses the fastest run of each, and the median is shown as well.
The CPU time of each render (user + system, manim and its LaTeX children) is printed too: on a
busy machine it moves much less than wall time. Temporary media folders and the generated
scene are removed when the run ends.

Each render starts from an empty media folder, so LaTeX runs for every Tex/MathTex string:
this is the cost of a first render from a fresh clone. A second ``manim`` run from the root
reuses ./media/Tex and skips those runs.

Each lesson render starts with an empty clip cache (``BP_VOICE_CACHE`` in the temporary
folder) unless ``--warm`` is given, and the scene's "Narration:" log line (synthesis beside the
drawing, the scene's wait for clips, the voice track at the end) is printed as it is. What
narration adds to a render, silent against narrated, is bench/narration.py's measurement.

The project's file writer logs a "Frames:" line (frames drawn and converted, frames repeated,
seconds drawing, waiting for the encoders, converting, encoding, and the frames of holds
written as copies of one P frame rather than encoded), printed as a breakdown.
``--warm`` keeps the usual voice clip cache; ``--reference`` renders the lesson again with
manim's own encoding and prints SSIM per beat (issue 23: >= 0.99) and both file sizes.

Usage::

    python bench/render.py [--scene scenes/b3.py] [--quality l|m|h] [--repeat N] [--warm]
                           [--reference]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3
NARRATION_LINE = re.compile(r"Narration: (\d+) clips, (\d+) synthesized in ([0-9.]+) s, the "
                            r"scene waited ([0-9.]+) s for them; voice track finished in "
                            r"([0-9.]+) s")
FRAMES_LINE = re.compile(r"Frames: (\d+) converted, (\d+) repeated; ([0-9.]+) s drawing, "
                         r"([0-9.]+) s waiting for encoders, ([0-9.]+) s converting, "
                         r"([0-9.]+) s encoding(?:; (\d+) frames not redrawn, (\d+) outlines "
                         r"reused, (\d+) traced)?(?:; (\d+) held frames copied)?")
QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60"}
#: issue 23: the project's encoding against manim's default settings, on every beat.
MIN_SSIM = 0.99
#: Runs manim with the project's writer encoding as manim does (the SSIM reference).
MANIMS_ENCODING = ("import sys; sys.path.insert(0, 'scenes'); import kit.writer; "
                   "kit.writer.LessonFileWriter.manims_encoding = True; "
                   "from manim.__main__ import main; sys.argv[0] = 'manim'; main()")

FLOOR_SCENE = '''\
"""The encoding floor: one dot, standing still for {duration!r} seconds."""

from manim import Dot, Scene


class EncodingFloor(Scene):
    def construct(self):
        self.add(Dot())
        self.wait({duration!r})
'''


@dataclass
class Render:
    """One timed manim run: wall time, CPU time (user + system), the video it wrote, and the
    seconds its narration took (synthesis, the scene's wait for it, voice track) when it was
    narrated."""

    seconds: float
    cpu: float
    video: Path
    narration: tuple[float, float, float] | None = None
    #: converted, repeated, drawing s, waiting-for-encoders s, converting s, encoding s,
    #: frames not redrawn, outlines reused, outlines traced, held frames copied (not encoded)
    frames: tuple[float, ...] | None = None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/render.py",
        description="Time a lesson scene's render against the encoding floor: a one-dot scene "
        "of the same duration, rendered the same way. Prints both wall times, the video "
        f"duration and their ratio (issue 3's target: <= {TARGET_RATIO} at -qm and -qh).",
        epilog="BP_LESSON=path in the environment (or --lesson) picks the lesson the scene "
        "renders. Run from anywhere; manim runs from the repository root so manim.cfg applies.",
    )
    parser.add_argument("--scene", default="scenes/b3.py", type=Path,
                        help="scene file to render (default: %(default)s)")
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="l",
                        help="manim quality flag: l=480p15, m=720p30, h=1080p60 "
                        "(default: %(default)s)")
    parser.add_argument("--repeat", "-n", type=int, default=1, metavar="N",
                        help="render each scene N times, alternating; the ratio uses the "
                        "fastest of each (default: %(default)s)")
    parser.add_argument("--lesson", type=Path, metavar="PATH",
                        help="lesson file to benchmark; sets BP_LESSON for the scene render")
    parser.add_argument("--warm", action="store_true",
                        help="use the usual voice clip cache (warm after one render) instead "
                        "of an empty one per run")
    parser.add_argument("--reference", action="store_true",
                        help="also render the lesson with manim's own encoding and report "
                        f"SSIM per beat (target >= {MIN_SSIM}) and file sizes")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line at the end")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    # A relative scene path is taken from the current directory, else from the repository root.
    if not args.scene.is_absolute() and not args.scene.is_file():
        args.scene = ROOT / args.scene
    args.scene = args.scene.resolve()
    if not args.scene.is_file():
        parser.error(f"no such scene file: {args.scene}")
    return args


def manim_command() -> list[str]:
    """This interpreter's manim, or the project's venv if this interpreter has none."""
    if importlib.util.find_spec("manim") is not None:
        return [sys.executable, "-m", "manim"]
    venv_python = ROOT / ".venv" / "bin" / "python"
    if venv_python.exists():
        return [str(venv_python), "-m", "manim"]
    raise SystemExit("error: manim is not installed here; run `make setup` or use .venv/bin/python")


def render_env(lesson: Path | None) -> dict[str, str]:
    """The caller's environment, with BP_LESSON made absolute (manim runs from the root)."""
    env = dict(os.environ)
    if lesson is not None:
        env["BP_LESSON"] = str(lesson)
    if env.get("BP_LESSON"):
        path = Path(env["BP_LESSON"]).resolve()
        if not path.is_file():
            raise SystemExit(f"error: BP_LESSON: no such lesson file: {path}")
        env["BP_LESSON"] = str(path)
    return env


def render(scene: Path, quality: str, media_dir: Path, env: dict[str, str],
           manims_encoding: bool = False) -> Render:
    """Render ``scene`` with caching disabled into ``media_dir`` and time it."""
    manim = manim_command()
    if manims_encoding:
        manim = [manim[0], "-c", MANIMS_ENCODING]
    command = [*manim, "render", f"-q{quality}", "--disable_caching",
               "--media_dir", str(media_dir), "--progress_bar", "none", str(scene)]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SystemExit(f"error: manim failed ({done.returncode}) on {scene.name}:\n{tail}")
    narration = NARRATION_LINE.search(done.stdout + done.stderr)
    spoken = tuple(float(narration[i]) for i in (3, 4, 5)) if narration else None
    frames = FRAMES_LINE.search(done.stdout + done.stderr)
    counts = tuple(float(x or 0) for x in frames.groups()) if frames else None
    return Render(seconds, cpu, find_video(media_dir, scene.stem, quality), spoken, counts)


def ssim(a: Path, b: Path) -> float:
    """ffmpeg's SSIM (all planes) of video ``a`` against ``b``, frame by frame."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", str(a), "-i", str(b), "-lavfi", "ssim",
                          "-f", "null", "-"], capture_output=True, text=True, check=False).stderr
    found = re.search(r"All:([0-9.]+)", out)
    return float(found[1]) if found else float("nan")


def compare(ours: Path, manims: Path) -> None:
    """Print SSIM per beat (the section videos) and the sizes of the two full videos."""
    worst = 1.0
    for section in sorted((ours.parent / "sections").glob("*.mp4")):
        other = manims.parent / "sections" / section.name
        if other.is_file():
            value = ssim(section, other)
            worst = min(worst, value)
            print(f"  ssim {value:.5f}  {section.name}")
    print(f"ssim worst beat: {worst:.5f} (target >= {MIN_SSIM}: "
          f"{'met' if worst >= MIN_SSIM else 'not met'}); whole video {ssim(ours, manims):.5f}")
    print(f"size           : ours {ours.stat().st_size / 1e6:.2f} MB, manim's encoding "
          f"{manims.stat().st_size / 1e6:.2f} MB")


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes (manim, LaTeX, dvisvgm)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def find_video(media_dir: Path, stem: str, quality: str) -> Path:
    """The scene's full video: not a section, not a partial movie file."""
    folder = media_dir / "videos" / stem / QUALITIES[quality]
    videos = sorted(folder.glob("*.mp4"))
    if len(videos) != 1:
        raise SystemExit(f"error: expected one video in {folder}, found {len(videos)}")
    return videos[0]


def video_duration(path: Path) -> tuple[float, int | None]:
    """Duration in seconds and frame count (if known) of the video stream."""
    try:
        import av
    except ImportError:
        return _ffprobe_duration(path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        else:
            seconds = container.duration / av.time_base
        return seconds, stream.frames or None


def _ffprobe_duration(path: Path) -> tuple[float, int | None]:
    if shutil.which("ffprobe") is None:
        raise SystemExit("error: need PyAV (`av`) or ffprobe to read the video's duration")
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=duration,nb_read_packets", "-of", "json", str(path)],
        capture_output=True, text=True, check=True).stdout
    stream = json.loads(out)["streams"][0]
    return float(stream["duration"]), int(stream["nb_read_packets"])


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = render_env(args.lesson)
    scene_name = args.scene.relative_to(ROOT) if args.scene.is_relative_to(ROOT) else args.scene
    lesson = env.get("BP_LESSON", "the scene's default lesson")
    print(f"bench: {scene_name} at -q{args.quality} ({QUALITIES[args.quality]}), "
          f"lesson: {lesson}, repeat {args.repeat}")
    print(f"bench: before: {load()}")

    lessons: list[Render] = []
    floors: list[Render] = []
    duration = frames = None
    with tempfile.TemporaryDirectory(prefix="bp-bench-") as tmp:
        tmp_path = Path(tmp)
        floor_scene = tmp_path / "encoding_floor.py"
        for run in range(1, args.repeat + 1):
            media = tmp_path / f"lesson-{run}"
            cold = {**env, "BP_VOICE_CACHE": str(tmp_path / f"voice-{run}"), "COLUMNS": "300"}
            if args.warm:
                cold = {**env, "COLUMNS": "300"}
            done = render(args.scene, args.quality, media, cold)
            lessons.append(done)
            if duration is None:
                duration, frames = video_duration(done.video)
                floor_scene.write_text(FLOOR_SCENE.format(duration=duration))
                if args.reference:
                    reference = render(args.scene, args.quality, tmp_path / "reference", cold,
                                       manims_encoding=True)
                    print(f"  manim's encoding: {reference.seconds:6.1f} s "
                          f"(cpu {reference.cpu:6.1f} s)")
                    compare(done.video, reference.video)
                    shutil.rmtree(tmp_path / "reference", ignore_errors=True)
            shutil.rmtree(media, ignore_errors=True)
            print(f"  run {run}: lesson {done.seconds:6.1f} s (cpu {done.cpu:6.1f} s)",
                  end="", flush=True)

            media = tmp_path / f"floor-{run}"
            floor = render(floor_scene, args.quality, media, env)
            floors.append(floor)
            floor_duration, _ = video_duration(floor.video)
            shutil.rmtree(media, ignore_errors=True)
            print(f"   floor {floor.seconds:6.1f} s (cpu {floor.cpu:6.1f} s)"
                  f"   ratio {done.seconds / floor.seconds:.2f}"
                  f"   (floor video {floor_duration:.2f} s)")

    best_lesson = min(r.seconds for r in lessons)
    best_floor = min(r.seconds for r in floors)
    ratio = best_lesson / best_floor
    cpu_ratio = min(r.cpu for r in lessons) / min(r.cpu for r in floors)
    frame_note = f", {frames} frames" if frames else ""
    print(f"bench: after: {load()}")
    print(f"video duration : {duration:.2f} s{frame_note}")
    for name, runs in (("lesson render ", lessons), ("encoding floor", floors)):
        walls = [r.seconds for r in runs]
        print(f"{name} : {min(walls):.1f} s wall (best of {args.repeat}; median "
              f"{statistics.median(walls):.1f} s), {min(r.cpu for r in runs):.1f} s cpu")
    print(f"ratio          : {ratio:.2f}  (lesson / floor, wall; target <= {TARGET_RATIO} at "
          f"-qm and -qh: {'met' if ratio <= TARGET_RATIO else 'not met'})")
    print(f"cpu ratio      : {cpu_ratio:.2f}  (lesson / floor, cpu time: less sensitive to "
          "other load on the machine)")
    print(f"per video sec  : lesson {best_lesson / duration:.2f} s, floor "
          f"{best_floor / duration:.2f} s of wall time")
    counted = [r for r in lessons if r.frames is not None]
    if counted:
        best = min(counted, key=lambda r: r.seconds)
        converted, repeated, drawing, waiting, converting, encoding, held, reused, traced, \
            copied = best.frames
        print(f"frames         : {converted:.0f} drawn and converted, {repeated:.0f} repeated "
              f"(converted once; {held:.0f} of them inside animations, not drawn again); "
              f"{drawing:.1f} s drawing, {waiting:.1f} s waiting for the encoders, "
              f"{converting:.1f} s converting and {encoding:.1f} s encoding (encoder threads, "
              f"beside the drawing); outlines: {reused:.0f} reused, {traced:.0f} traced; "
              f"{copied:.0f} frames of holds copied, not encoded")
    spoken = [r.narration for r in lessons if r.narration is not None]
    if spoken:
        synthesis, waited, track = min(spoken, key=lambda times: times[1] + times[2])
        print(f"narration      : {synthesis:.1f} s of synthesis beside the drawing, the scene "
              f"waited {waited:.1f} s for it, voice track {track:.1f} s at the end "
              f"({'warm' if args.warm else 'empty'} clip cache; what narration adds: "
              f"bench/narration.py)")
    if args.json:
        print(json.dumps({
            "scene": str(scene_name), "quality": args.quality, "repeat": args.repeat,
            "duration_s": round(duration, 3), "frames": frames,
            "lesson_s": [round(r.seconds, 2) for r in lessons],
            "floor_s": [round(r.seconds, 2) for r in floors],
            "lesson_cpu_s": [round(r.cpu, 2) for r in lessons],
            "floor_cpu_s": [round(r.cpu, 2) for r in floors],
            "ratio": round(ratio, 3), "cpu_ratio": round(cpu_ratio, 3),
            "narration_s": [r.narration for r in lessons],
            "frame_breakdown": [r.frames for r in lessons],
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
