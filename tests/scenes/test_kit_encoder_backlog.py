"""kit/encoding.py lets the scene run ahead of the encoders: one limit on the frames waiting over
all partial movies (FrameBacklog), encoder threads below the scene's priority, two partial
movies encoding at once (a wait showing one picture needs no turn), and a frame comparison
that rejects most different frames early."""

from __future__ import annotations

import os
import sys
import threading
import weakref
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from manim import config
from manim.scene.scene_file_writer import to_av_frame_rate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.encoding import (  # noqa: E402
    FrameBacklog,
    HeldFrameEncodeJob,
    backlog_slots,
    same_picture,
)


def frame(value: int) -> np.ndarray:
    return np.full((32, 48, 4), value, np.uint8)


def test_a_new_frame_takes_a_slot_until_the_encoder_takes_it_out():
    slots = threading.Semaphore(2)
    queue = FrameBacklog(slots)
    first, second = frame(1), frame(2)
    queue.put((1, first))
    queue.put((5, first))  # the same array again (a hold): no second slot
    queue.put((1, second))
    assert not slots.acquire(blocking=False), "two frames should have taken both slots"
    assert queue.get()[1] is first
    assert slots.acquire(blocking=False), "taking the frame out should give its slot back"
    assert queue.get()[1] is first  # its repeat: gives nothing back
    assert not slots.acquire(blocking=False), "the second frame should still hold its slot"
    assert queue.get()[1] is second
    assert slots.acquire(blocking=False)


def test_end_markers_take_no_slot():
    slots = threading.Semaphore(1)
    queue = FrameBacklog(slots)
    queue.put((0, np.empty(0)))
    queue.put((-1, None))
    assert slots.acquire(blocking=False)


def test_the_backlog_holds_at_least_manims_queue():
    slots = backlog_slots(100_000, 100_000)
    assert all(slots.acquire(blocking=False) for _ in range(8))


def test_same_picture_sees_a_change_outside_the_sampled_rows():
    a = np.zeros((64, 48, 4), np.uint8)
    b = a.copy()
    b[1, 5, 2] = 9  # row 1: not among the rows compared first
    assert same_picture(a, a.copy())
    assert not same_picture(a, b)
    assert not same_picture(a, np.zeros((32, 48, 4), np.uint8))


def job(path: Path, slots, turns, hold: bool = False) -> HeldFrameEncodeJob:
    container = av.open(str(path), mode="w")
    # A hold's two frames are encoded at the configured frame rate (its headers must match).
    rate = to_av_frame_rate(config.frame_rate) if hold else Fraction(5)
    stream = container.add_stream("libx264", rate=rate, options={"crf": "23"})
    stream.pix_fmt, stream.width, stream.height = "yuv420p", 48, 32
    return HeldFrameEncodeJob(path=path, animation_index=0, container=container, stream=stream,
                              hold=hold, slots=slots, turns=turns)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_an_encoder_runs_below_the_scene_and_waits_for_its_turn(tmp_path):
    turns = threading.Semaphore(1)
    turns.acquire()  # another partial movie is encoding
    slots = threading.Semaphore(8)
    waiting = job(tmp_path / "a.mp4", slots, turns)
    kept = []
    for value in range(3):
        drawn = frame(value * 80)
        kept.append(weakref.ref(drawn))
        waiting.put(1, drawn)
    del drawn
    waiting.seal()
    waiting.thread.join(timeout=0.5)
    assert waiting.thread.is_alive() and waiting.converted == 0, "it encoded out of turn"
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert os.getpriority(os.PRIO_PROCESS, waiting.native_id) > main
    turns.release()
    waiting.join()
    assert waiting.converted == 3
    assert all(slots.acquire(blocking=False) for _ in range(8)), "a slot was not given back"
    # The camera draws again only into frames nothing holds: a finished job holds none.
    assert all(ref() is None for ref in kept), "the finished job still holds a frame"
    with av.open(str(tmp_path / "a.mp4")) as written:
        assert sum(1 for _ in written.decode(video=0)) == 3


def test_a_wait_showing_one_picture_takes_no_turn_but_a_changing_one_does(tmp_path):
    turns = threading.Semaphore(1)
    turns.acquire()  # another partial movie is encoding
    slots = threading.Semaphore(8)
    held = job(tmp_path / "held.mp4", slots, turns, hold=True)
    still = frame(40)
    held.put(1, still)
    held.put(20, still)
    held.seal()
    held.thread.join(timeout=5)
    assert not held.thread.is_alive(), "a one-picture wait waited for an encoder's turn"
    held.join()
    assert held.holding and held.copied == 19
    changing = job(tmp_path / "changing.mp4", slots, turns, hold=True)
    changing.put(3, frame(40))
    changing.put(3, frame(90))  # a second picture: x264 frame by frame, in turn
    changing.seal()
    changing.thread.join(timeout=0.5)
    assert changing.thread.is_alive() and not changing.holding
    turns.release()
    changing.join()
    for path, count in (("held.mp4", 21), ("changing.mp4", 6)):
        with av.open(str(tmp_path / path)) as written:
            assert sum(1 for _ in written.decode(video=0)) == count
