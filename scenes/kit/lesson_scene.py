"""The base of every lesson scene: loads the lesson's trace, and handles beats and narration.

A lesson scene reads ``assets/lessons/<lesson_name>.yaml`` unless the environment variable
``BP_LESSON`` names another lesson file; the video is then named for that file
(``media/videos/b3/480p15/my_lesson.mp4``), so two lessons never overwrite each other. Before
anything is drawn the lesson is checked against what the scene needs
(:mod:`bpcore.lesson.scene_requirements`, the same check as ``bp check``). When ``BP_STILLS_DIR`` is
set, the last frame of every beat is saved there as a PNG (``bp stills`` uses this).

Every caption is narrated by the lesson's voice (``narration:`` in the lesson file, or
``BP_VOICE``; ``none`` for a silent video): it is cut into subtitle events, each spoken as one
clip, and the picture holds until the voice has finished (kit/narration.py). The voice track
is set to published-video loudness clip by clip (kit/writer.py): as the clips are placed when
any had to be synthesized, else when the scene ends. When ``BP_SCRIPT`` names a file, the
narration script (each clip's id, caption and spoken words, by beat) is written there as JSON.

When ``BP_SLIDES=1`` (``bp slides`` sets it), lesson scenes are manim-slides ``Slide`` scenes
written to the folder ``BP_SLIDES_DIR`` (default ``slides/``): one slide per beat, each ending
on the beat's still, so a presentation pauses once per beat on its key frame (the rest of the
beat opens the next slide); the beat's captions become the slide's speaker notes, and no
reversed videos are made.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import sys
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn

import cairo
from manim import ManimColor, Scene, VMobject, config
from manim.constants import RendererType
from manim.utils.file_ops import write_to_movie
from PIL import Image
from threadpoolctl import threadpool_limits

from bpcore.display import fmt
from bpcore.errors import BpError
from bpcore.files import atomic_write
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.scene_requirements import check_scene
from bpcore.lesson.settling import settled_at
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.narration.story import Ending, ending, practically_zero
from bpcore.narration.subtitles import NARRATED_SPEED, READING_SPEED, event_text
from bpcore.narration.voice import NONE, Voice
from bpcore.settings import Settings, SettingsError
from kit import svg_cache, tex_cache
from kit.narration import Clip, Narrator
from kit.redraw import RedrawWhatMoves
from kit.renderer import LessonRenderer
from kit.screen import Clearing, Legibility, carry_texts, empties, on_screen, shown_during
from kit.writer import LessonFileWriter

svg_cache.install()  # Text and Tex outlines parsed once, kept across renders
tex_cache.install()  # each LaTeX string typeset once, by the first render needing it


def settings() -> Settings:
    """What the ``BP_*`` variables say (:mod:`bpcore.settings`); a bad value ends the render
    with a one-line error."""
    try:
        return Settings.from_environ()
    except SettingsError as exc:
        stop(str(exc))


def lesson_path(default_name: str) -> Path:
    """The lesson file a scene renders: ``$BP_LESSON`` or the scene's own lesson."""
    override = settings().lesson
    return override if override else LESSONS_DIR / f"{default_name}.yaml"


def load_trace(default_name: str, scene_file: Path | None = None) -> LessonTrace:
    """Load and trace the scene's lesson; a bad lesson, or one that ``scene_file`` cannot show,
    ends the render with a one-line error."""
    try:
        lesson = Lesson.from_file(lesson_path(default_name))
        if scene_file is not None:
            check_scene(lesson, scene_file.parent, scene_file.stem)
        return trace_lesson(lesson)
    except BpError as exc:
        stop(str(exc))


def stop(message: str) -> NoReturn:
    """End the render with ``error: <message>`` on stderr and exit code 2: a problem the user
    can fix, so no traceback."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def name_output_for_lesson() -> None:
    """With ``BP_LESSON``, name the video (and its partial files) for the lesson file's stem.

    manim names outputs for the scene class, so without this every lesson rendered through one
    scene file would replace the last one's video.
    """
    override = settings().lesson
    # manim -o NAME still wins; a dry run writes nothing (but its captions to the bare name).
    if not override or config.output_file or config.dry_run:
        return
    stem = override.stem
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


#: Seconds between one spoken event and the next: the breath between sentences.
PAUSE = 0.3


def lesson_voice(lesson: Lesson) -> Voice:
    """The voice that narrates: ``$BP_VOICE``, else the lesson's; slides are never narrated.

    A voice that cannot speak on this machine ends the render at once with a one-line error.
    """
    if slides_requested():
        return Voice(NONE)
    override = settings().voice
    try:
        voice = (override or lesson.narration.voice).require()
    except BpError as exc:
        where = "BP_VOICE" if override else f"{lesson.source}: narration.voice"
        stop(f"{where}: {exc}")
    return voice


def schedule(clip: Clip, start: float) -> list[tuple[float, float]]:
    """When each of a clip's events shows, as (start, end) seconds, the first at ``start``.

    A spoken event lasts as long as its speech and a breath (:data:`PAUSE`), and never less
    than its text needs at ``NARRATED_SPEED``; a recording's events share its length by
    their characters. A silent event lasts its reading time at ``READING_SPEED``.

    Examples
    --------
    >>> from kit.narration import Utterance
    >>> quiet = Clip("01-a-01", "Thirty characters of caption.", (
    ...     Utterance("Thirty characters of caption.", ""), Utterance("Fifteen of them.", "")))
    >>> [(round(a, 3), round(b, 3)) for a, b in schedule(quiet, 10.0)]
    [(10.0, 11.933), (11.933, 13.0)]
    >>> spoken = Clip("01-a-02", "", (Utterance("Short.", "", Path("a.wav"), 2.0),))
    >>> schedule(spoken, 1.0)
    [(1.0, 3.3)]
    """
    times, t = [], start
    if clip.recording is not None:
        chars = sum(len(u.text) for u in clip.utterances)
        for i, utterance in enumerate(clip.utterances):
            share = clip.recording_seconds * len(utterance.text) / chars
            end = t + share + (PAUSE if i == len(clip.utterances) - 1 else 0.0)
            times.append((t, end))
            t = end
        return times
    for utterance in clip.utterances:
        if utterance.audio is None:
            end = t + len(utterance.text) / READING_SPEED
        else:
            end = t + max(utterance.seconds + PAUSE, len(utterance.text) / NARRATED_SPEED)
        times.append((t, end))
        t = end
    return times


def slides_requested() -> bool:
    """Whether this render makes slides (``BP_SLIDES=1``) rather than a plain video."""
    return settings().slides


def scene_base() -> type:
    """The base class of lesson scenes: manim-slides' ``Slide`` when slides are requested."""
    if not slides_requested():
        return Scene
    try:
        from manim_slides import Slide
    except ImportError:
        stop("BP_SLIDES=1 needs manim-slides; install it with pip install -e '.[slides]'")
    return Slide


class LessonScene(RedrawWhatMoves, scene_base()):
    """A scene whose numbers all come from one lesson trace.

    Subclasses set ``lesson_name`` and write ``construct`` as a list of beats, each opened by
    :meth:`beat` (a section, a still) and narrated by :meth:`say` (a subcaption).
    """

    lesson_name = "b3"
    #: The beat whose still makes the video's thumbnail (None: the first beat's).
    thumbnail_beat: str | None = None
    #: manim-slides: no reversed copy of each slide's video (a slide deck only plays forward).
    skip_reversing = True

    def __init__(self, *args, **kwargs) -> None:
        #: What the BP_* variables say, read once per scene (bpcore.settings).
        self.settings = settings()
        slides_dir = self.settings.slides_dir
        if self.settings.slides and slides_dir:
            kwargs.setdefault("output_folder", slides_dir)
        if config.renderer == RendererType.CAIRO:
            kwargs.setdefault("renderer", LessonRenderer(
                file_writer_class=LessonFileWriter,
                camera_class=kwargs.get("camera_class"),
                skip_animations=kwargs.get("skip_animations", False)))
        name_output_for_lesson()
        if not has_screen():
            # manim -p would run xdg-open, which prints its complaints once per file.
            config.preview = config.show_in_file_browser = False
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        # The render runs its work side by side itself (the scene, its encoders, the voice's
        # process); a BLAS thread pool on the same cores only spins between calls: b3 -ql's
        # voice track took 4 s more CPU with OpenBLAS's pool than without.
        threadpool_limits(1)
        # The scene file is the one defining construct (a test may subclass the scene).
        scene = next(c for c in type(self).__mro__ if "construct" in vars(c))
        self.trace = load_trace(self.lesson_name, Path(inspect.getfile(scene)))
        self.lesson = self.trace.lesson
        #: The descent state from which each parameter has settled (bpcore.lesson.settling), or None
        #: for one still moving when descent ended: what turns green, and when.
        self.settled = settled_at(self.trace.descent, self.lesson.digits,
                                  self.lesson.descent.min_step_size)
        self.voice = lesson_voice(self.lesson)
        self.narrator = Narrator(self.voice, self.lesson.narration.rate)
        self.narrator.start()  # with an empty clip cache, the voice starts up beside the set-up
        # One worker keeps the clips in caption order (and the narrator on one thread).
        self._voice_worker = ThreadPoolExecutor(1, thread_name_prefix="voice")
        #: Seconds the scene stood waiting for its voice (synthesis not done by the hold).
        self.voice_wait = 0.0
        self.beats: list[str] = []
        #: (title, start in seconds) of each beat: the video's chapters.
        self.chapters: list[tuple[str, float]] = []
        #: The thumbnail beat's still, as a picture (kept when a movie is written).
        self.thumbnail: Image.Image | None = None
        #: Every clip narrated so far, with the beat it belongs to.
        self.clips: list[tuple[str, Clip]] = []
        #: Where each piece of speech starts (scene seconds): the voice track's recipe.
        self.voice_track: list[tuple[float, Path]] = []
        #: The caption being spoken: its beat, its clip (being made) and when it started.
        self._caption: tuple[str, Future[Clip], float] | None = None
        #: (scene seconds, the texts on screen) after each play: what a caption was said over.
        self.screens: list[tuple[float, frozenset[str]]] = [(0.0, frozenset())]
        #: Per clip id, per subtitle event: the texts on screen while it was shown.
        self.clip_screens: dict[str, list[list[str]]] = {}
        #: Per beat: how its texts read at 1080p (the smallest digit, texts past the frame).
        self.legibility: dict[str, Legibility] = {}
        #: A play that empties the screen, waiting to fade out under the next one that draws.
        self._clearing: Clearing | None = None
        self._stills_dir = self.settings.stills_dir

    def num(self, value: float) -> str:
        """A trace value as it is shown on screen and in captions."""
        return fmt(value, self.lesson.digits)

    def said_small(self, value: float) -> str:
        """A trace value as the voice says it: "practically zero" when tiny
        (bpcore.narration.story)."""
        return practically_zero(value, self.num(value))

    def ending(self, names: Iterable[str]) -> Ending:
        """How the descent ended for the parameters ``names`` (bpcore.narration.story.ending): which
        settled when, which still move, whether it converged and whether a Bam is earned."""
        descent = self.trace.descent
        return ending(descent.status, descent.updates, self.settled, list(names))

    def still_moving(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` still moving when descent ended, in the order given: they stay
        red."""
        return list(self.ending(names).moving)

    def trend(self, before: float, after: float) -> int:
        """-1, 0 or 1: a value going from ``before`` to ``after`` falls, stays as shown, or
        rises. A teacher's lesson may take a step that raises SSR, or one too small to show."""
        if self.num(before) == self.num(after):
            return 0
        return -1 if after < before else 1

    def ssr_change(self, before: float, after: float, one_step: bool = True) -> str:
        """SSR going from ``before`` to ``after``, in words that say what the shown numbers do.
        A rise in ``one_step`` of gradient descent says why: the step was too long."""
        was, now = self.num(before), self.num(after)
        trend = self.trend(before, after)
        if trend == 0:
            return f"SSR stays at {now} to the digits shown"
        if trend < 0:
            return f"SSR falls from {was} to {now}"
        return f"SSR rises from {was} to {now}" + (": the step went too far" if one_step else "")

    def moves(self, name: str, before: float, after: float) -> str:
        """Parameter ``name`` going from ``before`` to ``after``, as shown."""
        was, now = self.num(before), self.num(after)
        if self.trend(before, after) == 0:
            return f"{name} moves too little to show and still reads {now}"
        return f"{name} goes from {was} to {now}"

    def about(self, value: float) -> str:
        """A trace value with one digit fewer, for narration ("about 7.8")."""
        return fmt(value, max(self.lesson.digits - 1, 1))

    def beat(self, name: str, title: str | None = None) -> None:
        """Start a beat: close the previous one (caption, still) and open a section.

        ``name`` names the section and the still (``03-squiggle``); ``title`` is the beat's
        chapter title in the video (by default the name in words).
        """
        self._close_beat()
        self.beats.append(name)
        self.chapters.append((title or name.replace("-", " ").capitalize(), self.time))
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
        if first:
            # The beat's picture is complete here: the voice finishes over it, before
            # anything leaves the screen.
            self._flush_caption()
            if self.settings.slides:
                self.next_slide()
        picture = None
        if first and self.beats[-1] == (self.thumbnail_beat or self.beats[0]) \
                and write_to_movie() and not self.settings.slides:
            picture = self.thumbnail = self._frame()
        if self._stills_dir is None:
            return
        self._stills_dir.mkdir(parents=True, exist_ok=True)
        stem = self._stills_dir / f"{len(self.beats):02d}-{self.beats[-1]}"
        if self.settings.stills_format == "svg":
            save_svg(self, stem.with_suffix(".svg"))
            return
        (picture or self._frame()).save(stem.with_suffix(".png"))

    def _frame(self) -> Image.Image:
        """What the scene shows now, as an RGB picture.

        Drawn on the bare background: after a wait, the renderer still keeps that wait's
        picture as the background of the next frames, and every mobject drawn over it again
        would darken its anti-aliased edges (a still unlike the video's frame, and unlike a
        dry run's still, which has no such background)."""
        renderer = self.renderer
        background, renderer.static_image = renderer.static_image, None
        try:
            renderer.update_frame(self)
        finally:
            renderer.static_image = background
        return Image.fromarray(renderer.get_frame()).convert("RGB")

    def say(self, text: str, voice: str | None = None) -> None:
        """Narrate ``text`` from now: the voice speaks it while the animations that follow run.

        ``voice``, when given, is what the voice says: the caption ``text`` is written for the
        eye (formulas under the picture that shows them), ``voice`` for the ear (results, short
        sentences; bpcore.narration.story words them).

        The caption is cut into subtitle events, each spoken as one clip. Before the next
        caption (or the end of the beat) the picture holds until the voice has finished, or,
        in a silent video, until every event has been on screen long enough to read.

        The voice is made in the background while those animations are drawn: only the hold
        needs its length.
        """
        beat = self.beats[-1] if self.beats else "intro"
        # The caption being spoken counts too: it is in this beat (a beat's start flushes it).
        number = 1 + sum(1 for b, _ in self.clips if b == beat) + (self._caption is not None)
        # Asked for before the caption being spoken is held to its end, so the voice makes
        # this one while the scene writes that hold.
        clip = self._voice_worker.submit(
            self.narrator.clip, f"{len(self.beats):02d}-{beat}-{number:02d}", text, voice)
        self._flush_caption()
        self._caption = (beat, clip, self.time)

    def until_spoken(self) -> None:
        """Hold the picture until the voice has said the caption being spoken (if any)."""
        self._flush_caption()

    def play(self, *args, **kwargs) -> None:
        """Play animations, keeping the picture with the voice (kit/screen.py).

        A play that would empty the screen waits for the caption being spoken to end, and then
        fades out under the next play that draws, so no white frame stands between beats. The
        texts on screen after each play are recorded for :attr:`clip_screens`.
        """
        animations = self.compile_animations(*args, **kwargs)
        if self._clearing is not None:
            clearing, self._clearing = self._clearing, None
            if clearing.can_join(animations, kwargs):
                run_time = kwargs.get("run_time", max(a.run_time for a in animations))
                animations = [*animations, *clearing.joined(run_time)]
            else:
                self._play(clearing.animations, {})
        elif not self.settings.slides and empties(self.mobjects, animations):
            self._flush_caption()
            self._clearing = Clearing(tuple(animations))
            return
        self._play(animations, kwargs)

    def _play(self, animations, kwargs: dict) -> None:
        super().play(*animations, **kwargs)
        carry_texts(animations)
        self.screens.append((self.time, on_screen(self.mobjects)))
        beat = self.beats[-1] if self.beats else "intro"
        self.legibility[beat] = self.legibility.get(beat, Legibility()).seen(
            self.mobjects, config.frame_width, config.frame_height)

    def tear_down(self) -> None:
        self._close_beat()
        if self._clearing is not None:  # the video's last fade
            clearing, self._clearing = self._clearing, None
            self._play(clearing.animations, {})
        self._voice_worker.shutdown()
        self.narrator.close()
        writer = self.renderer.file_writer
        if isinstance(writer, LessonFileWriter) and not self.settings.slides:
            # What it needs to finish the video (voice, chapters, ...); the voice track is
            # built while the partial movies are joined.
            writer.start_voice_track(self)
        script = self.settings.script
        if script:
            atomic_write(script, json.dumps(self.script(), indent=2, ensure_ascii=False) + "\n")
        if self.narrator.missing:
            print(f"warning: {self.voice}: no recording for {len(self.narrator.missing)} "
                  f"clip(s), spoken by the default voice: {', '.join(self.narrator.missing)}",
                  file=sys.stderr)

    def script(self) -> dict:
        """The narration script: per beat, each clip's id, caption, events and spoken words."""
        beats: dict[str, list[dict]] = {}
        for beat, clip in self.clips:
            beats.setdefault(beat, []).append({
                "id": clip.id, "caption": clip.caption,
                "events": [u.text for u in clip.utterances],
                "spoken": " ".join(u.speech for u in clip.utterances),
                # What the voice says under each event: one clip of speech per event.
                "said": [u.speech for u in clip.utterances],
                "on_screen": self.clip_screens.get(clip.id, []),
            })
        return {"title": self.lesson.title, "lesson": self.lesson.source,
                "voice": str(self.voice), "rate": self.lesson.narration.rate,
                "beats": [{"beat": name, "clips": clips} for name, clips in beats.items()],
                "legibility": {beat: seen.as_dict() for beat, seen in self.legibility.items()}}

    def _flush_caption(self) -> None:
        if self._caption is None:
            return
        beat, pending, began = self._caption
        self._caption = None
        waiting = time.perf_counter()
        try:
            clip = pending.result()
        except BpError as exc:
            stop(str(exc))
        self.voice_wait += time.perf_counter() - waiting
        self.clips.append((beat, clip))
        times = schedule(clip, began)
        if clip.recording is not None:
            self.voice_track.append((began, clip.recording))
        self.voice_track.extend((start, u.audio) for u, (start, _) in
                                zip(clip.utterances, times, strict=True) if u.audio is not None)
        writer = self.renderer.file_writer
        if isinstance(writer, LessonFileWriter) and not self.settings.slides:
            writer.lay_voice(self)  # the track is laid down and encoded as the clips come
        self._hold_until(times[-1][1])
        if self.voice.silent:  # the last event stays up until the next caption
            times[-1] = (times[-1][0], self.time)
        for utterance, (shown, gone) in zip(clip.utterances, times, strict=True):
            self.add_subcaption(event_text(utterance.text), duration=gone - shown,
                                offset=shown - self.time)
        self.clip_screens[clip.id] = [sorted(shown_during(self.screens, a, b)) for a, b in times]
        if self.settings.slides:
            self._add_speaker_note(clip.caption)

    def _hold_until(self, end: float) -> None:
        """Hold the picture until the scene's time ``end``, rounded up to a whole frame, in one
        wait: one partial movie, where a wait for the seconds and then one of a frame to make
        up manim's rounding down made two (34 of a narrated b3's 181 plays)."""
        frames = math.ceil((end - self.time) * config.frame_rate - 1e-6)
        if frames <= 0:
            return
        # Manim's rule for a wait that must call updaters (Scene.should_update_mobjects), made
        # here so the length below matches: a still wait lasts int(duration x rate) frames, a
        # moving one ceil(duration x rate); half a frame over or under gives ``frames``.
        moving = bool(self.always_update_mobjects or self.updaters or any(
            m.has_time_based_updater() for m in self.get_mobject_family_members()))
        self.wait((frames + (-0.5 if moving else 0.5)) / config.frame_rate,
                  frozen_frame=not moving)

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
