"""The project's renderer and file writer: what manim draws and writes, minus its waste.

:class:`LessonRenderer` skips the drawing that a skipped animation throws away;
:class:`LessonFileWriter` finishes a lesson video for publishing (voice, chapters, captions).
"""

from __future__ import annotations

import hashlib
import inspect
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from queue import Queue
from typing import TYPE_CHECKING

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from manim import Camera, Scene, VMobject, Wait, config, logger
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import (
    SceneFileWriter,
    _PartialMovieEncodeJob,
    to_av_frame_rate,
)
from manim.utils.file_ops import write_to_movie

from bpcore.errors import BpError
from bpcore.narration import audio
from bpcore.narration.ffmpeg import faststart
from bpcore.outputs.publish import Chapter, publish
from bpcore.resources import cache_dir

if TYPE_CHECKING:
    from kit.lesson_scene import LessonScene


def _unheld_count() -> int:
    """What ``sys.getrefcount`` says of an array held only by a list, seen from a loop over
    that list (3 on CPython 3.11; the interpreter's own counting may differ elsewhere)."""
    probe = [np.empty(0)]
    for array in probe:
        return sys.getrefcount(array)
    raise AssertionError("unreachable")


_UNHELD = _unheld_count()


class LessonCamera(Camera):
    """Manim's cairo camera, tracing each outline once for as long as its points stay put.

    For every VMobject on every frame, manim walks its points in Python and hands cairo one
    ``curve_to`` per Bezier curve (a line of text is hundreds). Most outlines drawn in a frame
    are the same as in the frame before: the static mobjects an animation must redraw over
    a moving one, a text fading in (its colour changes, not its points). Here the traced
    path is kept (``copy_path``) with a copy of the points it came from and the context's
    matrix, and appended again (``append_path``, in C) while both are unchanged. The kept
    paths are dropped at every play (:meth:`forget_paths`), so nothing stays alive for long.
    """

    def __init__(self, *args, **kwargs) -> None:
        self._spare: list[np.ndarray] = []  #: frame arrays to reuse (before manim's reset)
        super().__init__(*args, **kwargs)
        #: id(vmobject) -> (vmobject, its points then, the context's matrix, the path)
        self._paths: dict[int, tuple] = {}
        self.paths_reused = 0
        self.paths_traced = 0

    def forget_paths(self) -> None:
        self._paths.clear()

    def set_pixel_array(self, pixel_array, convert_from_floats: bool = False) -> None:
        """Manim's, except that each frame is drawn into a new array (one copy of the
        background) instead of over the last one in place: :meth:`LessonRenderer.get_frame`
        hands the drawn array to the encoders as it is, where manim copied it once more."""
        pixel_array = np.asarray(pixel_array)
        if convert_from_floats or pixel_array.shape != getattr(self, "pixel_array",
                                                               pixel_array[:0]).shape:
            return super().set_pixel_array(pixel_array, convert_from_floats)
        array = self._free_array()
        np.copyto(array, pixel_array, casting="unsafe")
        self.pixel_array = array
        return None

    #: Frame arrays kept for reuse (:meth:`_free_array`); past this many, new ones are not kept.
    SPARE_ARRAYS = 256

    def _free_array(self) -> np.ndarray:
        """A frame array nothing else holds any more (not the frame being drawn, not a frame
        waiting for or compared by an encoder, not a kept background), or a new one.

        Reusing them saves the page faults of fresh memory: with the encoders' backlog alive,
        a new 720p array cost 1.7 ms of CPU to fill against 0.3 ms for a reused one."""
        spare = self._spare
        for array in spare:
            # Held only by the list and this loop (as _UNHELD's probe is): free.
            if sys.getrefcount(array) == _UNHELD:
                return array
        array = np.empty_like(self.pixel_array, dtype=self.pixel_array_dtype)
        if len(spare) < self.SPARE_ARRAYS:
            spare.append(array)
        return array

    def get_cached_cairo_context(self, pixel_array):
        # Manim keys its contexts by id(): with a new array per frame, ids are reused by
        # later arrays and the contexts (each holding its frame alive) would pile up. Only
        # the last array's context is kept, with the array itself.
        kept = getattr(self, "_context", None)
        return kept[1] if kept is not None and kept[0] is pixel_array else None

    def cache_cairo_context(self, pixel_array, ctx) -> None:
        self._context = (pixel_array, ctx)

    def set_cairo_context_path(self, ctx, vmobject):
        points = vmobject.points
        kept = self._paths.get(id(vmobject))
        matrix = tuple(ctx.get_matrix())
        if kept is not None and kept[0] is vmobject and kept[2] == matrix \
                and kept[1].shape == points.shape and np.array_equal(kept[1], points):
            ctx.new_path()
            ctx.append_path(kept[3])
            self.paths_reused += 1
            return self
        super().set_cairo_context_path(ctx, vmobject)
        self.paths_traced += 1
        if len(points):
            self._paths[id(vmobject)] = (vmobject, points.copy(), matrix, ctx.copy_path())
        return self


class LessonRenderer(CairoRenderer):
    """Manim's Cairo renderer, without the drawing that a skipped animation throws away.

    While animations are skipped (the plays before ``-n``), manim still draws each play's
    still background and its last frame, then writes neither; and a dry run (``--dry_run``,
    ``bp script``) does not skip animations (their updaters must run as in a render) but
    draws every frame of them for nothing. A lesson scene draws the frames it keeps (stills,
    the thumbnail) when it takes them, between plays, so no frame of a play is drawn in
    either case: that drawing was a third of a dry run's time.
    """

    #: Seconds spent drawing frames (cairo) and handing them to the encoders (a full queue
    #: makes the scene wait), for the "Frames:" line bench/render.py reads.
    draw_seconds = 0.0
    hand_seconds = 0.0

    def __init__(self, *args, camera_class=None, **kwargs) -> None:
        super().__init__(*args, camera_class=camera_class or LessonCamera, **kwargs)

    #: Frames of an animation not drawn again: nothing drawn had changed since the last.
    frames_not_redrawn = 0
    def _new_play(self) -> None:
        #: The animations' progress at the last frame (:func:`progress`).
        self._last_progress: list[float] | None = None
        #: (what the last frame was drawn from, that frame), when it was watched.
        self._last_drawn: tuple[list, np.ndarray] | None = None

    def play(self, scene: Scene, *args, **kwargs) -> None:
        forget = getattr(self.camera, "forget_paths", None)
        if forget is not None:
            forget()
        self._new_play()
        #: This play is a wait: its partial movie is encoded for repeats (the file writer).
        self.holding = bool(args) and all(isinstance(a, Wait) for a in args)
        self._playing = True
        try:
            super().play(scene, *args, **kwargs)
        finally:
            self._playing = False
        self._new_play()

    def render(self, scene: Scene, time: float, moving_mobjects=None) -> None:
        """Manim's: draw the moving mobjects over the play's still background and hand the
        frame on; but when nothing they draw has changed since the frame before (a stretch
        where the rate function holds, an updater that changes nothing), that frame is
        handed on again without drawing (and the encoder reuses its conversion).

        Taking the drawn state costs about a millisecond a frame on b3, whose plays change
        their picture on nearly every frame; so it is taken only while the animations'
        progress (:func:`progress`) stands still from one frame to the next, and the
        picture is then compared in full (:func:`drawn_state`), updaters included.
        """
        if self.skip_animations:
            return
        if config.dry_run:  # the frame is counted (the scene's clock runs on frames), not drawn
            self.add_frame(self.camera.pixel_array)
            return
        if not hasattr(self, "_last_progress"):
            self._new_play()
        now = progress(scene.animations or (), time)
        still = now == self._last_progress
        self._last_progress = now
        state = None
        # A moving camera (not this project's) changes the picture with no mobject changing.
        if still and type(self.camera) in (Camera, LessonCamera):
            state = drawn_state(self.static_image, moving_mobjects or
                                [*scene.mobjects, *scene.foreground_mobjects])
        last = self._last_drawn
        if state is not None and last is not None and same_state(state, last[0]):
            self.frames_not_redrawn += 1
            self.add_frame(last[1])
            return
        self.update_frame(scene, moving_mobjects)
        frame = self.get_frame()
        self.add_frame(frame)
        self._last_drawn = None if state is None else (state, frame)

    #: Inside a play (whose frames a dry run throws away), not taking a still.
    _playing = False

    def update_frame(self, *args, **kwargs) -> None:
        if self._playing and config.dry_run:  # a wait's picture, which nothing keeps
            return
        started = time.perf_counter()
        super().update_frame(*args, **kwargs)
        self.draw_seconds += time.perf_counter() - started

    def get_frame(self):
        """The frame just drawn, itself, not a copy (manim's copies it): the camera draws the
        next frame into a new array (:meth:`LessonCamera.set_pixel_array`)."""
        if isinstance(self.camera, LessonCamera):
            return self.camera.pixel_array
        return super().get_frame()

    def add_frame(self, frame, num_frames: int = 1) -> None:
        started = time.perf_counter()
        super().add_frame(frame, num_frames)
        self.hand_seconds += time.perf_counter() - started

    def save_static_frame_data(self, scene: Scene, static_mobjects) -> None:
        # No background for frames that are not drawn; a still taken later then draws its whole
        # picture (a background left from a wait would be a picture never drawn).
        if self.skip_animations or config.dry_run:
            self.static_image = None
            return None
        return super().save_static_frame_data(scene, static_mobjects)



#: What the cairo camera reads from a VMobject to draw it (besides its points).
_DRAWN = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")
_DRAWN_SCALARS = ("stroke_width", "background_stroke_width", "sheen_factor", "joint_type",
                  "cap_style", "z_index", "background_image", "shade_in_3d")


def drawn_state(background, mobjects) -> list | None:
    """Everything a frame is drawn from: the background image and, for each family member of
    ``mobjects`` in order, the member itself, its points, colours, widths and the rest the
    camera reads (copied). None when some member is not a plain VMobject (an image, a
    point cloud): such frames are always drawn."""
    state: list = [background]
    for mobject in mobjects:
        for member in mobject.get_family():
            if not isinstance(member, VMobject):
                if len(member.points) or type(member).__name__ not in ("Group", "Mobject"):
                    return None
                state.append(member)
                continue
            state.append(member)
            state.append(member.points.copy())
            state.extend(getattr(member, name).copy() for name in _DRAWN)
            state.append(tuple(getattr(member, name, None) for name in _DRAWN_SCALARS))
            state.append(tuple(np.asarray(member.sheen_direction).ravel()))
    return state


def progress(animations, time: float) -> list[float]:
    """How far each animation has come at ``time``: its rate function's value, which is all
    a plain animation's picture depends on. A wait counts as not moving; an animation with a
    ``lag_ratio`` (its parts start one after another) or a group, as moving on every frame.
    Two frames with the same progress may still differ (updaters): :func:`drawn_state`
    decides."""
    values = []
    for animation in animations:
        if isinstance(animation, Wait):
            continue
        alpha = min(1.0, max(0.0, time / animation.run_time)) if animation.run_time else 1.0
        if getattr(animation, "lag_ratio", 0) or hasattr(animation, "animations"):
            values.append(time)
        else:
            values.append(float(animation.rate_func(alpha)))
    return values


def same_state(a: list, b: list) -> bool:
    """Whether two :func:`drawn_state` lists describe the same picture."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, np.ndarray):
            if not isinstance(y, np.ndarray) or x.shape != y.shape or not np.array_equal(x, y):
                return False
        elif isinstance(x, tuple):
            try:
                if x != y:
                    return False
            except ValueError:  # an array among the scalars: count it as changed
                return False
        elif x is not y:
            return False
    return True


#: libx264 settings for a lesson's partial movies (flat colours, text, long stills). Three in
#: four frames of a narrated lesson repeat the one before, most of them in waits (the picture
#: holding while the voice speaks), and x264 spends most of its time on those. CPU per frame
#: of a 720p b3 frame held with a few changes: 4.1 ms with preset ``veryfast``,
#: 2.5 with ``ultrafast`` plus CABAC, 2.5 with :data:`HOLD_X264_OPTIONS`. ``ultrafast`` for
#: every play made b3 -ql 42 % larger (12.5 MB against 8.8 MB with manim's settings): its
#: animations cost the bits. So an animation is encoded with ``veryfast``, and a wait (nearly
#: all repeats, which cost next to no bits either way) with ``veryfast`` stripped of its
#: searches (:data:`HOLD_X264_OPTIONS`): only options that leave the SPS and PPS as they are,
#: since the partial movies are joined by copying packets under the first one's headers
#: (``ultrafast`` writes other headers: the joined video would not decode).
#: x264 keeps its own threads: with one thread per encoder (no less CPU per frame, measured)
#: the scene waited a minute for the encoders of b3 -qm behind a long wait's single thread.
#: A wait showing one picture (nearly all of them) no longer runs x264 per frame at all
#: (:func:`hold_packets`): these options now encode its two frames, and the waits whose
#: picture changes. bench/README.md has the SSIM against manim's settings per beat and the sizes.
X264_OPTIONS = {"an": "1", "crf": "23", "preset": "veryfast"}
HOLD_X264_OPTIONS = {**X264_OPTIONS, "x264-params": (
    "me=dia:subme=0:trellis=0:mbtree=0:rc-lookahead=0:sync-lookahead=0:partitions=none:"
    "aq-mode=0:b-adapt=0:scenecut=0")}


#: Frames of a hold between two IDR frames when its P frame is repeated (x264's default keyint):
#: a player seeking into a long hold decodes from the last IDR, as in x264's own stream.
HOLD_KEYINT = 250
#: How far x264's packets' dts run behind their pts, in frames, with these options' B-frames
#: (b-pyramid): the hold's packets are timed the same, so every partial movie concatenates
#: alike (manim-slides joins them with ffmpeg's concat demuxer).
X264_DTS_DELAY = 2
#: Marks the end of a job's frames in its queue (:meth:`HeldFrameEncodeJob.seal`).
_END = np.empty(0)

#: Bytes of drawn frames (RGBA) the scene may hand to the encoders ahead of them, over all
#: partial movies at once (:class:`FrameBacklog`): 138 frames at 720p, 61 at 1080p. Manim
#: bounds each partial movie's queue to ``encoder_queue_size`` frames (8), so the scene
#: waited for the encoders at every busy animation (b3 -qm: about 20 s of its thread's
#: time), while during the waits that followed (written as copies, nearly free) the
#: encoders had nothing to do.
FRAME_BACKLOG_BYTES = 512 << 20
#: Partial movies encoding at once; the others in flight wait their turn, in the order they
#: came, with their frames queued. Manim encodes up to ``max_inflight_encoders`` at once; with
#: the scene running ahead by a whole backlog, that many x264 encoders at once took the cores
#: from the scene. (Each encoder thread also keeps its own malloc arena: b3 -qm peaked at
#: 2.2 GB with 16 in flight, 1.4 GB with 8, against 0.83 GB before; manim.cfg has 4.) Two, not
#: one: the partial movie the scene is drawing into holds its turn while it waits for frames,
#: so one turn could leave the earlier ones (and the backlog's slots they hold) waiting on it.
ENCODERS_AT_ONCE = 2
#: How much lower (Linux nice steps) the encoder threads, and x264's and swscale's threads
#: they start, run than the scene's thread. The scene's thread (manim's Python: interpolating,
#: drawing, copying) is the render's critical path and can use one core only; the encoders
#: have plenty of slack (the backlog) and take whatever CPU the scene leaves.
ENCODER_NICENESS = 10


class FrameBacklog(Queue):
    """A partial movie's frame queue: unbounded itself, but each new frame put in takes one of
    the ``slots`` shared by all partial movies, given back when the encoder takes it out. A
    frame put again right after itself (a hold, a frame not redrawn) takes none: it is the
    same array."""

    def __init__(self, slots: threading.Semaphore) -> None:
        super().__init__()
        self.slots = slots
        self._last_in: np.ndarray | None = None
        self._last_out: np.ndarray | None = None

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        frame = item[1]
        if _takes_slot(frame, self._last_in):
            self.slots.acquire()
            self._last_in = frame
        super().put(item, block, timeout)

    def get(self, block: bool = True, timeout: float | None = None):
        item = super().get(block, timeout)
        # The same sequence of frames as put in, so the same frames give their slots back.
        if _takes_slot(item[1], self._last_out):
            self._last_out = item[1]
            self.slots.release()
        return item

    def let_go(self) -> None:
        """Forget the last frames put in and taken out (once no more will come)."""
        self._last_in = self._last_out = None


def _takes_slot(frame, last) -> bool:
    return isinstance(frame, np.ndarray) and frame.size > 0 and frame is not last


def backlog_slots(width: int, height: int) -> threading.Semaphore:
    """The slots of :data:`FRAME_BACKLOG_BYTES` for RGBA frames of this size (at least 8,
    manim's queue)."""
    return threading.Semaphore(max(8, FRAME_BACKLOG_BYTES // (4 * width * height)))


def lower_thread_priority(steps: int) -> bool:
    """Lower the calling thread's priority by ``steps`` nice steps (threads it starts after
    this inherit it). Only on Linux, where a thread has its own nice value; False elsewhere
    or when refused."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + steps)
    except OSError:
        return False
    return True


def same_picture(frame: np.ndarray, last: np.ndarray) -> bool:
    """Whether two RGBA frames are equal: one row in 16 first, which tells most different
    frames apart for a sixteenth of a full comparison."""
    return frame.shape == last.shape and np.array_equal(frame[::16], last[::16]) \
        and np.array_equal(frame, last)


def hold_packets(planes: np.ndarray, count: int, options: dict, rate, width: int,
                 height: int) -> tuple[bytes, list[av.Packet]] | None:
    """``count`` frames of one picture (yuv420p ``planes``), encoded by x264 as two frames.

    x264 encodes the picture as an IDR frame, then the IDR's decoded picture as a P frame:
    its source equals its reference, so every macroblock is skipped and decoding it over the
    same picture gives that picture again. The P frame is sent for every further frame with
    its ``frame_num`` and ``pic_order_cnt_lsb`` advanced (:func:`kit.h264.renumber`), and the
    IDR again every :data:`HOLD_KEYINT` frames. Returns the encoder's extradata (SPS, PPS) and
    the packets in decode order, timed in frames; None when the stream is not of the kind
    handled here, or when decoding its first frames does not give the picture back every time.
    """
    from fractions import Fraction

    from kit import h264

    def encode(pictures: list[np.ndarray]) -> tuple[av.CodecContext, list[av.Packet]]:
        context = av.CodecContext.create("libx264", "w")
        context.width, context.height, context.pix_fmt = width, height, "yuv420p"
        context.time_base, context.framerate = Fraction(1) / Fraction(rate), Fraction(rate)
        context.flags |= av.codec.context.Flags.global_header
        context.options = dict(options)
        packets = []
        for pts, picture in enumerate(pictures):
            frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
            frame.pts, frame.time_base = pts, context.time_base
            packets += context.encode(frame)
        packets += context.encode(None)
        return context, packets

    def decode(extradata: bytes, units: list[bytes]) -> list[av.VideoFrame]:
        decoder = av.CodecContext.create("h264", "r")
        decoder.extradata = extradata
        decoder.thread_count = 1
        frames = []
        for data in [*units, None]:
            frames += decoder.decode(None if data is None else av.Packet(data))
        return frames

    def picture(frame: av.VideoFrame) -> list[bytes]:
        return [bytes(plane) for plane in frame.planes]

    if count < 3:
        return None
    # x264 encodes the picture; its decoded picture is what the P frame is made from.
    first, packets = encode([planes])
    extradata = bytes(first.extradata)
    sps = h264.parse_sps(extradata)
    decoded = decode(extradata, [bytes(p) for p in packets])
    if sps is None or len(packets) != 1 or len(decoded) != 1:
        return None
    context, packets = encode([planes, decoded[0].to_ndarray(format="yuv420p")])
    if bytes(context.extradata) != extradata or len(packets) != 2 \
            or not packets[0].is_keyframe:
        return None
    slices = h264.nal_units(bytes(packets[1]))  # one per x264 slice thread
    if not all(u[0] & 0x1F == h264.NAL_SLICE and u[0] & 0x60 for u in slices):
        return None  # only reference P slices are renumbered here
    _, frame_num, poc = h264.slice_numbers(slices[0], sps)
    # frame_num and the picture order count wrap, so the renumbered slices repeat.
    lsb = 1 << sps.log2_max_poc_lsb
    period = math.lcm(1 << sps.log2_max_frame_num, lsb // math.gcd(poc, lsb))
    units = [bytes(packets[0])] + [
        h264.annex_b([h264.renumber(u, sps, frame_num + step - 1, poc * step) for u in slices])
        for step in range(1, min(HOLD_KEYINT, period + 1))]
    held = picture(decoded[0])
    check = decode(extradata, units[:3])
    if len(check) != 3 or any(picture(frame) != held for frame in check):
        return None
    rate = Fraction(rate)
    out = []
    for index in range(count):
        step = index % HOLD_KEYINT
        packet = av.Packet(units[0] if step == 0 else units[1 + (step - 1) % (len(units) - 1)])
        packet.pts, packet.dts = index, index - X264_DTS_DELAY
        packet.time_base = 1 / rate
        packet.is_keyframe = step == 0
        out.append(packet)
    return extradata, out


class HeldFrameEncodeJob(_PartialMovieEncodeJob):
    """Manim's partial-movie encoder, converting a frame to yuv420p once however often it shows,
    and encoding a hold (a wait showing one picture) as two frames (:func:`hold_packets`).

    Manim builds an RGBA frame and converts it again for every repeat of a held frame (a
    ``wait``: one frame written N times) and for every frame equal to the one before. Here the
    converted planes are kept and each repeat is only a copy of them; the frame counts below
    are what ``bench/render.py`` reports. With ``hold`` (a wait's partial movie) the frames are
    counted, not encoded, while they show one picture; at the end they are written by
    :func:`hold_packets`, or by x264 frame by frame when that declines (or a second picture
    came).
    """

    def __init__(self, path, animation_index: int, container, stream, *, hold: bool = False,
                 slots: threading.Semaphore, turns: threading.Semaphore) -> None:
        # Manim's __init__ with a FrameBacklog for its bounded queue: the thread it starts
        # reads the queue at once, so the queue cannot be swapped afterwards.
        self.path, self.animation_index = path, animation_index
        self.container, self.stream = container, stream
        self.queue = FrameBacklog(slots)
        self._turns = turns
        self._exception: BaseException | None = None
        self._last: np.ndarray | None = None
        self._planes: np.ndarray | None = None
        self._hold = hold
        self._pending = 0  #: frames of ``_planes`` not yet encoded, while holding
        self.converted = 0  #: frames converted RGBA -> yuv420p
        self.repeated = 0  #: frames written from the last conversion
        self.copied = 0  #: frames of holds written as a copy of one P frame
        self.convert_seconds = 0.0
        self.encode_seconds = 0.0
        self.native_id: int | None = None  #: the encoder thread's (for its priority)
        self._reformatter = VideoReformatter()
        self.thread = threading.Thread(target=self._listen_and_write,
                                       name=f"partial-movie-encoder-{animation_index}")
        self.thread.start()

    def _listen_and_write(self) -> None:
        self.native_id = threading.get_native_id()
        lower_thread_priority(ENCODER_NICENESS)
        with self._turns:
            super()._listen_and_write()
        # Let go of the frames now: the job lives on in a reference cycle (its thread's
        # target) until the garbage collector runs, and the camera reuses only frames
        # nothing holds (LessonCamera._free_array).
        self._last = self._planes = None
        self.queue.let_go()

    def seal(self) -> None:
        self.queue.put((0, _END))
        super().seal()

    def _encode_and_write_frame(self, frame: np.ndarray, num_frames: int) -> None:
        started = time.perf_counter()
        if frame is _END:
            self._write_hold()
            self.encode_seconds += time.perf_counter() - started
            return
        if self._planes is None or not (frame is self._last or same_picture(frame, self._last)):
            if self._pending:  # a second picture: this wait is not one hold
                self._hold = False
                self._encode(self._planes, self._pending)
                self._pending = 0
            rgba = av.VideoFrame.from_numpy_buffer(frame, format="rgba")  # not copied
            # One swscale context for the job, in this thread only: swscale's own threads
            # (its default) cost more CPU than they save beside the x264 threads.
            self._planes = self._reformatter.reformat(rgba, format="yuv420p",
                                                      threads=1).to_ndarray()
            self._last = frame
            self.converted += 1
            self.repeated += num_frames - 1
        else:
            self.repeated += num_frames
        converted = time.perf_counter()
        self.convert_seconds += converted - started
        if self._hold:
            self._pending += num_frames
        else:
            self._encode(self._planes, num_frames)
        self.encode_seconds += time.perf_counter() - converted

    def _encode(self, planes: np.ndarray, num_frames: int) -> None:
        for _ in range(num_frames):
            # A new frame each time: the encoder keeps frames for its look-ahead, so one
            # VideoFrame must not be sent twice (manim's note). Each wraps the planes without
            # copying them (from_ndarray copied 0.7 ms a 720p frame, holding the GIL the
            # scene's thread needs): x264 copies its input, and the planes are never written
            # to (a new picture gets new planes).
            for packet in self.stream.encode(av.VideoFrame.from_numpy_buffer(
                    planes, format="yuv420p")):
                self.container.mux(packet)

    def _write_hold(self) -> None:
        if not self._pending:
            return
        context = self.stream.codec_context
        made = hold_packets(self._planes, self._pending, context.options,
                            to_av_frame_rate(config.frame_rate), context.width,
                            context.height)
        if made is not None:
            context.open(strict=False)
            if bytes(context.extradata) != made[0]:  # not the stream's SPS and PPS
                made = None
        if made is None:
            self._encode(self._planes, self._pending)
        else:
            for packet in made[1]:
                packet.stream = self.stream
                self.container.mux(packet)
            self.copied += self._pending - 2
        self._pending = 0


class LessonFileWriter(SceneFileWriter):
    """Manim's file writer, then what makes a lesson video ready to publish.

    Once manim has written the movie and its captions: the narration clips are laid at their
    times, set to published-video loudness and muxed in as AAC; the beats become the mp4's
    chapters (and ``<name>.chapters.txt``); the captions a soft subtitle track (and
    ``<name>.vtt``); the thumbnail beat's still ``<name>.thumbnail.png``. With
    ``BP_BURN_CAPTIONS=1``, ``<name>.captioned.mp4`` has the captions drawn in.
    """

    #: The scene being written, handed over when it ends (none for slides).
    scene: LessonScene | None = None
    #: Summed over the partial movies, for bench/render.py: frames converted, frames repeated,
    #: frames of holds written as copies (not encoded), seconds converting, seconds encoding
    #: (in the encoder threads).
    frame_counts: dict[str, float]

    def __init__(self, *args, **kwargs) -> None:
        self.frame_counts = {"converted": 0, "repeated": 0, "copied": 0, "convert_s": 0.0,
                             "encode_s": 0.0}
        #: The frames all partial movies may hold waiting for their encoders (FrameBacklog).
        self._backlog_slots = backlog_slots(config.pixel_width, config.pixel_height)
        #: Turns to encode (ENCODERS_AT_ONCE), taken in the order the partial movies came.
        self._encoder_turns = threading.Semaphore(ENCODERS_AT_ONCE)
        #: The voice track being laid down while the scene draws (:meth:`lay_voice`): the
        #: track, its encoder, and the steps handed to the voice-track thread.
        self._laying: tuple[audio.Track, audio.Encoder, list[Future]] | None = None
        #: How many of the scene's placed clips have been handed to the track.
        self._laid = 0
        super().__init__(*args, **kwargs)

    #: True: encode as manim does (bench/render.py's reference for SSIM and sizes).
    manims_encoding = False

    def open_partial_movie_stream(self, file_path=None) -> None:
        """Manim's partial movie, encoded by :class:`HeldFrameEncodeJob` with
        :data:`X264_OPTIONS` (:data:`HOLD_X264_OPTIONS` for a wait); webm and transparent
        videos are left to manim."""
        if config.movie_file_extension != ".mp4" or config.transparent or self.manims_encoding:
            return super().open_partial_movie_stream(file_path)
        if file_path is None:
            file_path = self.partial_movie_files[self.renderer.num_plays]
        if str(file_path) in self._inflight_by_path:
            self._join_job_and_drain_on_failure(self._inflight_by_path[str(file_path)])
        self.partial_movie_file_path = file_path
        container = av.open(file_path, mode="w")
        stream = container.add_stream("libx264", rate=to_av_frame_rate(config.frame_rate),
                                      options=dict(HOLD_X264_OPTIONS if getattr(
                                          self.renderer, "holding", False) else X264_OPTIONS))
        stream.pix_fmt = "yuv420p"
        stream.width, stream.height = config.pixel_width, config.pixel_height
        self._current_encode_job = HeldFrameEncodeJob(
            path=file_path, animation_index=self.renderer.num_plays, container=container,
            stream=stream, hold=getattr(self.renderer, "holding", False),
            slots=self._backlog_slots, turns=self._encoder_turns)

    def close_partial_movie_stream(self) -> None:
        """Manim's; the time it waits for the oldest in-flight partial movie (more than
        ``max_inflight_encoders`` at once) counts as waiting for the encoders."""
        started = time.perf_counter()
        super().close_partial_movie_stream()
        if hasattr(self.renderer, "hand_seconds"):
            self.renderer.hand_seconds += time.perf_counter() - started

    def _join_job(self, job) -> None:
        super()._join_job(job)
        if isinstance(job, HeldFrameEncodeJob) and not getattr(job, "counted", False):
            job.counted = True
            counts = self.frame_counts
            counts["converted"] += job.converted
            counts["repeated"] += job.repeated
            counts["copied"] += job.copied
            counts["convert_s"] += job.convert_seconds
            counts["encode_s"] += job.encode_seconds

    def combine_to_movie(self) -> None:
        """Manim's, with the section videos joined at the same time in another thread: a join
        is mostly reading and writing packets in libav, which lets go of the GIL (b3 -qm,
        load 8: 1.0 s for the movie, 1.6 s for the sections, one after the other before)."""
        if config.save_sections:
            pool = ThreadPoolExecutor(1, thread_name_prefix="section-videos")
            self._sections_joined = pool.submit(super().combine_to_section_videos)
            pool.shutdown(wait=False)
        super().combine_to_movie()

    def combine_to_section_videos(self) -> None:
        """Waits for the section videos begun beside the movie (:meth:`combine_to_movie`)."""
        joined: Future | None = getattr(self, "_sections_joined", None)
        if joined is None:
            return super().combine_to_section_videos()
        self._sections_joined = None
        return joined.result()

    def combine_files(self, input_files, output_file, create_gif=False,
                      includes_sound=False) -> None:
        """The partial movies joined (PyAV, packets copied) at exact frame times, the index
        written first (faststart, so a browser plays the mp4
        while it downloads); used for the movie and each section video.

        Each partial movie starts where the frames before it end (frames x one frame's
        ticks). Manim's own join let libav guess the dts: narrated b3 came out 4 ms short of
        its 6407 frames (avg_frame_rate 32803840/2186901, not 15/1); ffmpeg's concat demuxer
        adds the partial movies' container durations instead, 0.2 s too long over b3.
        """
        output_file = Path(output_file)
        if create_gif or output_file.suffix != ".mp4" or includes_sound:
            super().combine_files(input_files, output_file, create_gif, includes_sound)
            if output_file.suffix == ".mp4":
                faststart(output_file)
            return
        try:
            self._join_at_frame_times(input_files, output_file)
        except av.error.FFmpegError as exc:  # e.g. a deeper B-frame delay: manim's join
            logger.warning(f"{output_file.name}: exact join failed ({exc}); manim's join")
            super().combine_files(input_files, output_file, create_gif, includes_sound)
            faststart(output_file)

    @staticmethod
    def _join_at_frame_times(input_files, output_file: Path) -> None:
        with av.open(str(input_files[0])) as first:
            template = first.streams.video[0]
            with av.open(str(output_file), mode="w",
                         options={"movflags": "+faststart"}) as target:
                out = target.add_stream_from_template(template=template)
                start = 0  # where this partial movie begins, in its time base
                count = 0  # packets written
                for path in input_files:
                    with av.open(str(path)) as source:
                        stream = source.streams.video[0]
                        tick = round(1 / (to_av_frame_rate(config.frame_rate)
                                          * stream.time_base))
                        frames = 0
                        for packet in source.demux(stream):
                            if packet.dts is None:  # demux's flushing packet
                                continue
                            packet.pts += start
                            # One frame apart throughout, two frames behind as x264's
                            # B-frames need (a one-frame movie has none: its dts is its pts).
                            packet.dts = (count - X264_DTS_DELAY) * tick
                            count += 1
                            packet.duration = tick
                            packet.stream = out
                            target.mux(packet)
                            frames += 1
                        start += frames * tick

    def lay_voice(self, scene: LessonScene) -> None:
        """Lay down the clips ``scene`` placed since the last call, and encode them, in the
        background while the scene goes on drawing (called as each caption is placed).

        Only a render that synthesized a clip does so: its track cannot be in the cache,
        while one whose clips were all cached most likely finds its track there too, and
        :meth:`start_voice_track` looks for it first. From the first synthesized clip on, the
        clips placed so far and each one after are set to the loudness target
        (bpcore.narration.audio.Track) and their samples, once final, go to one AAC encoder
        (audio.Encoder), so the end of the render is left with the last clip, the mux and
        the copy into the cache.
        """
        if self._laying is None:
            if not scene.narrator.synthesized or not write_to_movie():
                return
            scratch = Path(tempfile.mkdtemp(prefix="bp-voice-"))
            self._voice_pool = ThreadPoolExecutor(1, thread_name_prefix="voice-track")
            self._laying = (audio.Track(), audio.Encoder(scratch / "voice.m4a"), [])
        track, encoder, steps = self._laying
        placed, self._laid = scene.voice_track[self._laid:], len(scene.voice_track)
        if placed:
            steps.append(self._voice_pool.submit(_lay, track, encoder, placed))

    def start_voice_track(self, scene: LessonScene) -> None:
        """Hand over ``scene`` and finish its voice track in the background.

        The track needs only the clips and their times, all known when the scene ends, and
        each clip's loudness, measured as it was made (bpcore.narration.audio.clip_levels):
        what is left of laying them down (all of it, when no clip was synthesized and the
        track is not in the cache) runs while the partial movies are joined into the movie
        and the section videos; :meth:`finish` muxes the track in when both are done.
        """
        self.scene = scene
        if not scene.voice_track or not write_to_movie():
            return
        if self._laying is None:
            self._voice_pool = ThreadPoolExecutor(1, thread_name_prefix="voice-track")
            self._voice_future = self._voice_pool.submit(
                self._build_voice_track, list(scene.voice_track), scene.time)
            return
        self.lay_voice(scene)
        track, encoder, steps = self._laying
        self._voice_future = self._voice_pool.submit(
            _finish_laying, track, encoder, steps, list(scene.voice_track), scene.time)

    @staticmethod
    def _build_voice_track(placements, seconds: float) -> tuple[Path, float, bool]:
        """The track (at the loudness target, AAC), the seconds it took, and whether it is a
        temporary file.

        A track is kept in the shared cache (``voicetrack``), named for what it is made of
        (:func:`_kept_track`). Re-rendering a lesson whose narration has not changed (a
        teacher adjusting the picture) reuses it instead of laying the clips down again.
        """
        started = time.perf_counter()
        kept = _kept_track(placements, seconds)
        if kept.is_file():
            return kept, time.perf_counter() - started, False
        track = audio.Track()
        encoder = audio.Encoder(Path(tempfile.mkdtemp(prefix="bp-voice-")) / "voice.m4a")
        _lay(track, encoder, placements)
        return _finish_laying(track, encoder, [], placements, seconds, started)

    def finish(self) -> None:
        super().finish()
        counts, renderer = self.frame_counts, self.renderer
        # One line bench/render.py reads: what drawing and writing the frames cost.
        logger.info(f"Frames: {counts['converted']} converted, {counts['repeated']} repeated; "
                    f"{getattr(renderer, 'draw_seconds', 0.0):.1f} s drawing, "
                    f"{getattr(renderer, 'hand_seconds', 0.0):.1f} s waiting for encoders, "
                    f"{counts['convert_s']:.1f} s converting, {counts['encode_s']:.1f} s "
                    f"encoding; {getattr(renderer, 'frames_not_redrawn', 0)} frames not "
                    f"redrawn, {getattr(renderer.camera, 'paths_reused', 0)} outlines reused, "
                    f"{getattr(renderer.camera, 'paths_traced', 0)} traced; "
                    f"{counts['copied']} held frames copied")
        scene = self.scene
        if scene is None or not write_to_movie() or not self.movie_file_path.is_file():
            return  # slides, a dry run, or a scene without animations
        video = self.movie_file_path
        if scene.voice_track:
            started = time.perf_counter()
            future: Future | None = getattr(self, "_voice_future", None)
            if future is None:  # not started at tear_down: build it now
                self.start_voice_track(scene)
                future = self._voice_future
            loud, built, temporary = future.result()
            self._voice_pool.shutdown()
            try:
                audio.mux_voice(video, loud)
            finally:
                if temporary:
                    shutil.rmtree(loud.parent, ignore_errors=True)
            # One line bench/render.py reads: what narration cost this render. The track
            # was built beside the joining; what the render waited for is the rest.
            narrator = scene.narrator
            logger.info(f"Narration: {len(scene.voice_track)} clips, {narrator.synthesized} "
                        f"synthesized in {narrator.synthesis_seconds:.1f} s, the scene waited "
                        f"{scene.voice_wait:.1f} s for them; voice track finished in "
                        f"{time.perf_counter() - started:.1f} s (built in {built:.1f} s "
                        f"beside the joining)")
        try:
            publish(video, [Chapter(title, start) for title, start in scene.chapters],
                    video.with_suffix(".srt"), scene.thumbnail, scene.lesson.title,
                    burn=scene.settings.burn_captions)
        except BpError as exc:
            from kit.lesson_scene import stop  # lesson_scene imports this module

            stop(str(exc))


def _lay(track: audio.Track, encoder: audio.Encoder, placements) -> None:
    """Place each clip on ``track`` and encode the samples that are final now."""
    for start, clip in placements:
        encoder.write(track.add(start, clip))


def _kept_track(placements, seconds: float) -> Path:
    """Where the shared cache keeps the voice track of ``placements`` (start, clip) lasting
    ``seconds``: named for each clip's bytes and start, the length, and
    bpcore/narration/audio.py's source (its loudness targets and limiter)."""
    digest = hashlib.sha256(inspect.getsource(audio).encode())
    digest.update(repr(round(seconds, 6)).encode())
    for start, clip in placements:
        digest.update(repr(round(start, 6)).encode())
        digest.update(hashlib.sha256(Path(clip).read_bytes()).digest())
    return cache_dir("voicetrack") / f"{digest.hexdigest()}.m4a"


def _finish_laying(track: audio.Track, encoder: audio.Encoder, steps: list[Future],
                   placements, seconds: float,
                   started: float | None = None) -> tuple[Path, float, bool]:
    """End the track at ``seconds``, close its encoder and keep the result in the shared
    cache: the track (AAC, temporary), the seconds this took (since ``started``, else since
    now), True. A step that failed on the way fails here."""
    started = time.perf_counter() if started is None else started
    try:
        for step in steps:  # done already: one thread runs them in turn
            step.result()
        encoder.write(track.end(seconds))
    finally:
        encoder.close()
    loud = encoder.target
    kept = _kept_track(placements, seconds)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        part = kept.with_name(f"{kept.stem}.{os.getpid()}.part")
        shutil.copyfile(loud, part)
        os.replace(part, kept)
    except OSError:  # a read-only cache: the next render builds it again
        pass
    return loud, time.perf_counter() - started, True
