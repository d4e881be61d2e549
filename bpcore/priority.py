"""How the render's background work gives way to the scene's drawing thread.

The scene's thread (manim's Python: interpolating, drawing, copying) is what a render waits
for, and it can use one core only. The encoders (threads of the render) and the narration's
helper processes have slack: they run a few nice steps lower and as batch work (Linux's
``SCHED_BATCH``), so a helper that wakes up waits for its turn instead of preempting the
drawing. Measured on b3 -ql (bench/README.md): batch scheduling cut the drawing thread's time
waiting for a CPU and the render's wall time, silent and narrated alike.
"""

from __future__ import annotations

import os
import sys
import threading


def lower_priority(steps: int) -> bool:
    """Lower the calling thread's priority by ``steps`` nice steps and make it batch work;
    the threads and processes it starts afterwards inherit both. Only on Linux, where a
    thread has its own nice value; False elsewhere or when refused.

    Examples
    --------
    >>> import threading
    >>> done = []
    >>> helper = threading.Thread(target=lambda: done.append(lower_priority(2)))
    >>> helper.start(); helper.join()
    >>> done == [sys.platform.startswith("linux")]
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + steps)
    except OSError:
        return False
    try:
        os.sched_setscheduler(thread, os.SCHED_BATCH, os.sched_param(0))
    except OSError:  # a refinement only: the nice steps are what matter most
        pass
    return True
