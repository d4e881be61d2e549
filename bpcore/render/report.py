"""What ``bp render`` says while it works: progress lines on stderr, one per event, and the
summary table at the end."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path  # noqa: F401 - the doctests use it

import click

from bpcore.render.jobs import RenderJob, RenderResult

#: How manim's log announces each finished animation.
ANIMATION = re.compile(r"Animation (\d+) ?:")


class RenderReport:
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
