"""How a partial movie is encoded: x264's settings, holds written as copies, the frame backlog.

:class:`HeldFrameEncodeJob` converts a frame to yuv420p once however often it shows and writes
a wait showing one picture as two encoded frames (:func:`hold_packets`); the scene runs ahead
of the encoders by a backlog shared by all partial movies (:class:`FrameBacklog`), which
encode two at a time below the scene's priority.
"""

from __future__ import annotations

import math
import threading
import time
from queue import Queue

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from manim import config
from manim.scene.scene_file_writer import (
    _PartialMovieEncodeJob,
    to_av_frame_rate,
)

from bpcore.priority import lower_priority

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
#: A wait showing one picture runs no x264 until its end, two frames then (:func:`hold_packets`):
#: it takes a turn only if it comes to encode frame by frame.
ENCODERS_AT_ONCE = 2
#: How much lower (Linux nice steps, as batch work: bpcore.priority) the encoder threads, and
#: x264's and swscale's threads they start, run than the scene's thread. The scene's thread
#: (manim's Python: interpolating, drawing, copying) is the render's critical path and can use
#: one core only; the encoders have plenty of slack (the backlog) and take whatever CPU the
#: scene leaves.
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
        self._has_turn = False  #: whether it holds one of the encoders' turns
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
        lower_priority(ENCODER_NICENESS)
        try:
            if not self._hold:
                self._take_turn()
            super()._listen_and_write()
        finally:
            if self._has_turn:
                self._turns.release()
        # Let go of the frames now: the job lives on in a reference cycle (its thread's
        # target) until the garbage collector runs, and the camera reuses only frames
        # nothing holds (LessonCamera._free_array).
        self._last = self._planes = None
        self.queue.let_go()

    @property
    def holding(self) -> bool:
        """Whether this partial movie is a wait that has shown one picture so far: it takes
        no encoder's turn and little memory, and ends soon after it is sealed."""
        return self._hold

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

    def _take_turn(self) -> None:
        if not self._has_turn:
            self._turns.acquire()
            self._has_turn = True

    def _encode(self, planes: np.ndarray, num_frames: int) -> None:
        self._take_turn()
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
