"""The base of every lesson scene: loads the lesson's trace, and handles beats and captions.

A lesson scene reads ``assets/lessons/<lesson_name>.yaml`` unless the environment variable
``BP_LESSON`` names another lesson file; the video is then named for that file
(``media/videos/b3/480p15/my_lesson.mp4``), so two lessons never overwrite each other. Before
anything is drawn the lesson is checked against what the scene needs
(:mod:`bpcore.scene_requirements`, the same check as ``bp check``). When ``BP_STILLS_DIR`` is
set, the last frame of every beat is saved there as a PNG (``bp stills`` uses this).

When ``BP_SLIDES=1`` (``bp slides`` sets it), lesson scenes are manim-slides ``Slide`` scenes
written to the folder ``BP_SLIDES_DIR`` (default ``slides/``): one slide per beat, each ending
on the beat's still, so a presentation pauses once per beat on its key frame (the rest of the
beat opens the next slide); the beat's captions become the slide's speaker notes, and no
reversed videos are made.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

import cairo
from manim import ManimColor, Scene, VMobject, config
from PIL import Image

from bpcore.display import fmt
from bpcore.errors import BpError
from bpcore.lesson import LESSONS_DIR, Lesson
from bpcore.scene_requirements import check_scene
from bpcore.trace import LessonTrace, trace_lesson
from kit.redraw import RedrawWhatMoves
from kit.style import READING_SPEED


def lesson_path(default_name: str) -> Path:
    """The lesson file a scene renders: ``$BP_LESSON`` or the scene's own lesson."""
    override = os.environ.get("BP_LESSON")
    return Path(override) if override else LESSONS_DIR / f"{default_name}.yaml"


def load_trace(default_name: str, scene_file: Path | None = None) -> LessonTrace:
    """Load and trace the scene's lesson; a bad lesson, or one that ``scene_file`` cannot show,
    ends the render with a one-line error."""
    try:
        lesson = Lesson.from_file(lesson_path(default_name))
        if scene_file is not None:
            check_scene(lesson, scene_file.parent, scene_file.stem)
        return trace_lesson(lesson)
    except BpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def name_output_for_lesson() -> None:
    """With ``BP_LESSON``, name the video (and its partial files) for the lesson file's stem.

    manim names outputs for the scene class, so without this every lesson rendered through one
    scene file would replace the last one's video.
    """
    override = os.environ.get("BP_LESSON")
    # manim -o NAME still wins; a dry run writes nothing (but its captions to the bare name).
    if not override or config.output_file or config.dry_run:
        return
    stem = Path(override).stem
    config.output_file = stem
    config.partial_movie_dir = "{video_dir}/partial_movie_files/" + stem.replace(
        "{", "{{").replace("}", "}}")


def has_screen() -> bool:
    """Whether a video viewer can open here: any system but Linux, or Linux with a display.

    Examples
    --------
    >>> isinstance(has_screen(), bool)
    True
    """
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def reading_time(text: str) -> float:
    """Seconds a caption needs on screen to be read at ``READING_SPEED``.

    Examples
    --------
    >>> reading_time("A caption of forty-five characters, all told.")
    3.0
    """
    return round(len(text) / READING_SPEED, 1)


def slides_requested() -> bool:
    """Whether this render makes slides (``BP_SLIDES=1``) rather than a plain video."""
    return os.environ.get("BP_SLIDES") == "1"


def scene_base() -> type:
    """The base class of lesson scenes: manim-slides' ``Slide`` when slides are requested."""
    if not slides_requested():
        return Scene
    try:
        from manim_slides import Slide
    except ImportError:
        print("error: BP_SLIDES=1 needs manim-slides; install it with "
              "pip install -e '.[slides]'", file=sys.stderr)
        raise SystemExit(2) from None
    return Slide


class LessonScene(RedrawWhatMoves, scene_base()):
    """A scene whose numbers all come from one lesson trace.

    Subclasses set ``lesson_name`` and write ``construct`` as a list of beats, each opened by
    :meth:`beat` (a section, a still) and narrated by :meth:`say` (a subcaption).
    """

    lesson_name = "b3"
    #: manim-slides: no reversed copy of each slide's video (a slide deck only plays forward).
    skip_reversing = True

    def __init__(self, *args, **kwargs) -> None:
        slides_dir = os.environ.get("BP_SLIDES_DIR")
        if slides_requested() and slides_dir:
            kwargs.setdefault("output_folder", Path(slides_dir))
        name_output_for_lesson()
        if not has_screen():
            # manim -p would run xdg-open, which prints its complaints once per file.
            config.preview = config.show_in_file_browser = False
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        # The scene file is the one defining construct (a test may subclass the scene).
        scene = next(c for c in type(self).__mro__ if "construct" in vars(c))
        self.trace = load_trace(self.lesson_name, Path(inspect.getfile(scene)))
        self.lesson = self.trace.lesson
        self.beats: list[str] = []
        self._caption: tuple[str, float] | None = None
        stills = os.environ.get("BP_STILLS_DIR")
        self._stills_dir = Path(stills) if stills else None

    def num(self, value: float) -> str:
        """A trace value as it is shown on screen and in captions."""
        return fmt(value, self.lesson.digits)

    def about(self, value: float) -> str:
        """A trace value with one digit fewer, for narration ("about 7.8")."""
        return fmt(value, max(self.lesson.digits - 1, 1))

    def beat(self, name: str) -> None:
        """Start a beat: close the previous one (caption, still) and open a section."""
        self._close_beat()
        self.beats.append(name)
        self._still_taken = False
        # manim-slides makes next_section start a slide; slides start at stills instead.
        Scene.next_section(self, f"{len(self.beats):02d}-{name}")

    def still(self) -> None:
        """Mark the current frame as this beat's still (by default, its last frame).

        When rendering slides, the beat's first still ends a slide: the deck pauses here.
        """
        first = not self._still_taken
        self._still_taken = True
        if not self.beats:
            return
        if first and slides_requested():
            self._flush_caption()
            self.next_slide()
        if self._stills_dir is None:
            return
        self._stills_dir.mkdir(parents=True, exist_ok=True)
        stem = self._stills_dir / f"{len(self.beats):02d}-{self.beats[-1]}"
        if os.environ.get("BP_STILLS_FORMAT") == "svg":
            save_svg(self, stem.with_suffix(".svg"))
            return
        self.renderer.update_frame(self)
        Image.fromarray(self.renderer.get_frame()).convert("RGB").save(stem.with_suffix(".png"))

    def say(self, text: str) -> None:
        """Narrate: the caption runs from now until the next caption or the end of the beat.

        A caption stays up at least as long as it takes to read (``READING_SPEED``): when the
        animations under it are shorter, the picture holds before the next caption begins.
        """
        self._flush_caption()
        self._caption = (text, self.time)

    def tear_down(self) -> None:
        self._close_beat()

    def _flush_caption(self) -> None:
        if self._caption is None:
            return
        text, start = self._caption
        self._caption = None
        hold = start + reading_time(text) - self.time
        if hold > 1 / config.frame_rate:
            self.wait(hold)
        if self.time > start:
            self.add_subcaption(text, duration=self.time - start, offset=start - self.time)
        if slides_requested():
            self._add_speaker_note(text)

    def _add_speaker_note(self, text: str) -> None:
        """Slides: a caption joins the speaker notes of the slide being recorded."""
        slide = getattr(self, "_base_slide_config", None)  # manim-slides' current slide
        if slide is not None:
            slide.notes = f"{slide.notes}\n\n{text}" if slide.notes else text

    def _close_beat(self) -> None:
        self._flush_caption()
        if self.beats and not self._still_taken:
            self.still()


class _RGBContext(cairo.Context):
    """Manim hands cairo colors in BGR order, for its pixel buffer; an SVG wants RGB."""

    def set_source_rgba(self, blue: float, green: float, red: float, alpha: float = 1.0):
        super().set_source_rgba(red, green, blue, alpha)


def save_svg(scene: Scene, path: Path) -> None:
    """Draw what ``scene`` shows now into a vector SVG file, through the camera's own cairo code.

    The camera normally paints into a pixel array; here the same drawing calls go to a cairo
    SVG surface with the camera's frame-to-page transform, so text and curves stay vectors.
    """
    camera = scene.renderer.camera
    pw, ph = camera.pixel_width, camera.pixel_height
    fw, fh, fc = camera.frame_width, camera.frame_height, camera.frame_center
    surface = cairo.SVGSurface(str(path), pw, ph)
    ctx = _RGBContext(surface)
    ctx.set_source_rgb(*ManimColor(camera.background_color).to_rgb())
    ctx.paint()
    ctx.set_matrix(cairo.Matrix(pw / fw, 0, 0, -(ph / fh), pw / 2 - fc[0] * pw / fw,
                                ph / 2 + fc[1] * ph / fh))
    for mobject in camera.get_mobjects_to_display(scene.mobjects):
        if isinstance(mobject, VMobject) and mobject.has_points():
            camera.display_vectorized(mobject, ctx)
    surface.finish()
