"""Where ``bp render``'s jobs run: local threads (each drives one manim process) or a Dask
cluster's executor, and how Ctrl-C or SIGTERM stops them.

Locally up to ``-j`` manim processes run at once; with ``--scheduler`` the same jobs
(:func:`bpcore.render.run.run_job`) go to a Dask cluster through ``client.get_executor()``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

from bpcore.render import run
from bpcore.render.failures import CommandError
from bpcore.render.jobs import RenderJob, RenderResult
from bpcore.render.report import RenderReport
from bpcore.render.scene import stop_renders


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


def run_all(pool: cf.Executor, todo: list[tuple[int, RenderJob]], report: RenderReport,
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
            args = (anywhere, report.watcher(job), report.say) if local else (anywhere,)
            futures[pool.submit(run.run_job, *args)] = (index, job)
        for future in as_completed(futures):
            index, job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker that died
                result = RenderResult(job.lesson_path, "failed",
                                      error=f"{type(exc).__name__}: {exc}")
            result = replace(result, lesson_path=job.lesson_path,  # as the user wrote them
                             output=job.output if result.output else None)
            report.finished(result)
            yield index, result
    except BaseException:
        for future in futures:
            future.cancel()
        stop_renders()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
