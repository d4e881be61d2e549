"""The narration's helper processes: the voice, the voice track's laying, its AAC encoder.

Each reads its work from a pipe on stdin and ends when that pipe closes; what it says on
stderr goes to a temporary file, whose last line is the one-line reason when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

from bpcore.priority import lower_priority

#: How much lower the helpers' priority is than the render's (``nice``): they should not slow
#: the drawing, which is what the render waits for, nor starve when other programs keep the
#: machine busy and the scene needs a clip. Measured on b3 -ql with an empty cache under a
#: load of 7 to 10 on 2 CPUs (bench/README.md): at 10 the scene waited 4.6-5.3 s for its
#: clips; 5 rendered faster than 0 in three pairs of four, the scene waiting 2.3-2.7 s
#: against 0.6-1.2 s. On an idle machine 0, 5 and 10 render alike (within 0.3 s).
NICENESS = 5


def child(module: str, *args: str, **popen) -> subprocess.Popen:
    """``python -m module args`` with bpcore importable as this process finds it (a checkout
    or a wheel), its stdin a text pipe; ``popen`` as for :class:`subprocess.Popen`."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen([sys.executable, "-m", module, *args], stdin=subprocess.PIPE,
                            text=True, encoding="utf-8", env=env, **popen)


def settle() -> None:
    """Run as a helper beside the render (called first by each python helper): at
    :data:`NICENESS`, as batch work (bpcore.priority), and with one BLAS thread, since the
    render and its helpers already work side by side and a BLAS pool would only spin on the
    same cores."""
    if not lower_priority(NICENESS):  # not Linux: the whole process's nice value
        os.nice(NICENESS)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def ended(process: subprocess.Popen, errors: IO) -> tuple[int, str]:
    """Close ``process``'s stdin (its loop ends), wait for it, and return its exit code and
    what it wrote to ``errors`` (a temporary file, closed here).

    Examples
    --------
    >>> import tempfile
    >>> errors = tempfile.TemporaryFile()
    >>> cat = subprocess.Popen(["sh", "-c", "cat >/dev/null; echo done >&2; exit 3"],
    ...                        stdin=subprocess.PIPE, stderr=errors)
    >>> ended(cat, errors)
    (3, 'done\\n')
    """
    try:
        process.stdin.close()
    except BrokenPipeError:  # it had stopped already
        pass
    code = process.wait()
    errors.seek(0)
    said = errors.read()
    errors.close()
    return code, said.decode(errors="replace") if isinstance(said, bytes) else said
