"""The project's camera and renderer: what manim draws, minus its waste.

:class:`LessonCamera` traces each outline once while its points stay put and draws each frame
into an array nothing else holds; :class:`LessonRenderer` skips the drawing that nothing keeps
(a skipped animation's, a dry run's) and hands on again, without drawing, a frame whose
picture has not changed (:func:`drawn_state`).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from manim import Camera, Scene, VMobject, Wait, config
from manim.renderer.cairo_renderer import CairoRenderer


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
        if self.skip_animations:
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
