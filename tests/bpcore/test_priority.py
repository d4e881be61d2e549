"""bpcore.priority: the render's background work runs below the scene's thread, as batch work."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from bpcore.priority import lower_priority


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_lowering_a_threads_priority_leaves_the_others_alone():
    seen = {}

    def lower() -> None:
        me = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, me)
        seen["lowered"] = lower_priority(3)
        seen["steps"] = os.getpriority(os.PRIO_PROCESS, me) - before
        seen["policy"] = os.sched_getscheduler(me)

    main = threading.get_native_id()
    nice, policy = os.getpriority(os.PRIO_PROCESS, main), os.sched_getscheduler(main)
    worker = threading.Thread(target=lower)
    worker.start()
    worker.join()
    assert seen["lowered"] and seen["steps"] == min(3, 19 - nice)
    assert seen["policy"] == os.SCHED_BATCH
    assert os.getpriority(os.PRIO_PROCESS, main) == nice
    assert os.sched_getscheduler(main) == policy
