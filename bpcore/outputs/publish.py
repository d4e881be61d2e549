"""Making a rendered lesson ready to upload: chapters, subtitle tracks, a captioned cut, a
thumbnail.

Each function takes plain data (a video path, chapter titles and times, a caption file, a
still) and drives ``ffmpeg`` (or Pillow, for the thumbnail); none knows about manim. Every file
is written under a temporary name beside its final path and renamed into place
(:func:`bpcore.files.replacing`), so a final path holds the old file or the new one, never half
of one. A video is changed in place the same way: the new streams go to a temporary copy that
then replaces it.

The render path (scenes/kit/writer.py's file writer) calls :func:`publish` once manim
has written the movie, with each beat's title and start as chapters: :func:`add_chapters`
(into the mp4 and ``<name>.chapters.txt``), :func:`add_subtitles` (the ``.srt`` as a soft
track, and ``.vtt``), :func:`burn_captions` on request (``<name>.captioned.mp4``) and
:func:`make_thumbnail` (``<name>.thumbnail.png``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bpcore.files import atomic_write, replacing
from bpcore.narration.ffmpeg import FASTSTART, MediaError, length, run
from bpcore.outputs.palette import FONT

#: The lesson font's bold face (FONT, from bpcore.outputs.palette), for the thumbnail's title.
BOLD_FONT_FILE = "DejaVuSans-Bold.ttf"
THUMBNAIL_SIZE = (1280, 720)
TITLE_MARGIN = 48
#: The captioned cut: the lesson's picture shrinks to leave this share of the frame's height
#: free at the bottom, and the captions are set there, so they cover nothing the lesson shows
#: (lessons use the whole frame). Four lines of the longest captions fit.
CAPTION_BAND = 0.24
#: Caption letters, in libass units: an SRT is laid out on a 288-line canvas, so 14 is 14/288
#: of the frame's height (23 px at 480p, 52 px at 1080p). Ink (#222222) on the lesson's white,
#: centred, from the bottom of the band up.
CAPTION_FONT_SIZE = 14
CAPTION_STYLE = (f"FontName={FONT},FontSize={CAPTION_FONT_SIZE},PrimaryColour=&H00222222,"
                 "BorderStyle=1,Outline=0,Shadow=0,Alignment=2,MarginV=5,MarginL=12,"
                 "MarginR=12,WrapStyle=0")
#: The streams a rewrite keeps: the picture and the sound, if any. (A chapter list that mp4
#: stores as a text track comes back as a data stream; chapters are carried as chapters.)
KEEP_STREAMS = ("-map", "0:v", "-map", "0:a?")


#: What publishing raises: a media failure (one line naming the file), or bad input.
PublishError = MediaError


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter of a video: its title and where it starts, in seconds."""

    title: str
    start: float


def clock(seconds: float) -> str:
    """A chapter time as video sites read it in a description: ``m:ss``, or ``h:mm:ss``.

    Examples
    --------
    >>> clock(0), clock(31.4), clock(4.5), clock(59.6), clock(754), clock(3725)
    ('0:00', '0:31', '0:05', '1:00', '12:34', '1:02:05')
    """
    total = int(seconds + 0.5)  # to the nearest second, halves up
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def chapter_list(chapters: Sequence[Chapter]) -> str:
    """The chapters as a video description lists them: one ``m:ss Title`` a line, the first
    at 0:00 (video sites require it; the first chapter is moved there if it starts later).

    Examples
    --------
    >>> print(chapter_list([Chapter("The network", 0.0), Chapter("The hidden nodes' curves",
    ...                                                           30.87)]), end="")
    0:00 The network
    0:31 The hidden nodes' curves
    """
    chapters = _checked(chapters)
    lines = [f"{clock(0 if i == 0 else c.start)} {c.title}" for i, c in enumerate(chapters)]
    return "\n".join(lines) + "\n"


def ffmetadata(chapters: Sequence[Chapter], length: float) -> str:
    """An ffmpeg metadata file holding ``chapters`` (in milliseconds), the last ending at
    ``length`` seconds.

    Examples
    --------
    >>> print(ffmetadata([Chapter("Start", 0), Chapter("A = b; c", 1.5)], 3.25), end="")
    ;FFMETADATA1
    [CHAPTER]
    TIMEBASE=1/1000
    START=0
    END=1500
    title=Start
    [CHAPTER]
    TIMEBASE=1/1000
    START=1500
    END=3250
    title=A \\= b\\; c
    """
    chapters = _checked(chapters)
    ends = [c.start for c in chapters[1:]] + [length]
    lines = [";FFMETADATA1"]
    for chapter, end in zip(chapters, ends, strict=True):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(chapter.start * 1000)}",
                  f"END={round(end * 1000)}", f"title={_escape_metadata(chapter.title)}"]
    return "\n".join(lines) + "\n"


def add_chapters(video: str | os.PathLike[str], chapters: Sequence[Chapter],
                 audio: str | os.PathLike[str] | None = None) -> Path:
    """Write ``chapters`` into ``video`` (players list them) and beside it as
    ``<name>.chapters.txt`` (:func:`chapter_list`); return the text file's path.

    The streams are copied, not re-encoded; other metadata and streams stay. With ``audio``
    (a sound file, e.g. the voice track's AAC), that is the video's sound instead, copied in
    the same rewrite: an AAC encoder's delay is kept in its edit list, so the sound lasts
    exactly as long as the track.
    """
    video = _existing(video)
    chapters = _checked(chapters)
    # The sound is the third input when one is given, the video's own otherwise.
    sound, streams = ((), KEEP_STREAMS) if audio is None else (
        ("-i", _existing(audio)), ("-map", "0:v", "-map", "2:a"))
    with tempfile.TemporaryDirectory(prefix="bp-chapters-") as work:
        meta = Path(work) / "chapters.ffmeta"
        meta.write_text(ffmetadata(chapters, length(video)), encoding="utf-8")
        with replacing(video) as out:
            _ffmpeg("-i", video, "-i", meta, *sound, *streams, "-map", "0:s?", "-map_metadata",
                    "1", "-map_chapters", "1", "-c", "copy", *FASTSTART, out, about=video)
    return atomic_write(video.with_suffix(".chapters.txt"), chapter_list(chapters))


def add_subtitles(video: str | os.PathLike[str], captions: str | os.PathLike[str],
                  language: str = "eng") -> Path:
    """Put the ``.srt`` ``captions`` into ``video`` as a soft subtitle track (mov_text, which
    mp4 players can switch on), and write ``<captions>.vtt`` (WebVTT, for web players) beside
    them; return the ``.vtt`` path.

    Video, audio and chapters are copied as they are; a subtitle track added earlier is
    replaced, not doubled.
    """
    video, captions = _existing(video), _existing(captions)
    with replacing(video) as out:
        _ffmpeg("-i", video, "-i", captions, *KEEP_STREAMS, "-map", "1:s", "-c", "copy",
                "-c:s", "mov_text", "-metadata:s:s:0", f"language={language}",
                "-metadata:s:s:0", "handler_name=Captions", *FASTSTART, out, about=video)
    vtt = captions.with_suffix(".vtt")
    with replacing(vtt) as out:
        _ffmpeg("-i", captions, "-f", "webvtt", out, about=vtt)
    return vtt


def burn_captions(video: str | os.PathLike[str], captions: str | os.PathLike[str],
                  background: str = "white") -> Path:
    """``<name>.captioned.mp4``: ``video`` with the ``.srt`` ``captions`` drawn in (libass,
    the lesson font, readable at 480p) in a band at the bottom: the picture shrinks by
    :data:`CAPTION_BAND` (centred, the sides filled with ``background``, the lesson's white)
    so that the captions cover none of it. Audio copied, same length. Returns its path.
    """
    video, captions = _existing(video), _existing(captions)
    width, height = frame_size(video)
    scale = 1 - CAPTION_BAND
    inner_w, inner_h = 2 * round(width * scale / 2), 2 * round(height * scale / 2)
    picture = (f"scale={inner_w}:{inner_h},pad={width}:{height}:{(width - inner_w) // 2}:0:"
               f"color={background}")
    target = video.with_name(video.stem + ".captioned.mp4")
    with tempfile.TemporaryDirectory(prefix="bp-burn-") as work:
        # The subtitles filter parses its argument: a plain name in the working folder spares
        # escaping any path (colons, quotes, backslashes).
        shutil.copyfile(captions, Path(work) / "captions.srt")
        subtitles = ("subtitles=captions.srt:charenc=UTF-8:force_style="
                     + CAPTION_STYLE.replace(",", "\\,"))
        with replacing(target) as out:
            _ffmpeg("-i", video.resolve(), *KEEP_STREAMS, "-vf", f"{picture},{subtitles}",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
                    "-pix_fmt", "yuv420p", "-c:a", "copy", *FASTSTART,
                    Path(out).resolve(), about=target, cwd=work)
    return target


def frame_size(video: str | os.PathLike[str]) -> tuple[int, int]:
    """A video's width and height in pixels."""
    out = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
               "stream=width,height", "-of", "csv=p=0", video], video).stdout
    try:
        width, height = (int(v) for v in out.strip().split(",")[:2])
    except ValueError:
        raise PublishError(f"{video}: ffprobe finds no picture") from None
    return width, height


def make_thumbnail(still, title: str, target: str | os.PathLike[str]) -> Path:
    """A 1280x720 PNG: the lesson's ``title`` in large bold white letters (dark outline) on a
    dark band across the top, over the ``still`` (a PNG's path or a PIL image; its white
    margins trimmed) fitted whole into the rest on the lesson's white; legible at 320x180.
    Returns ``target``.
    """
    from PIL import Image, ImageDraw

    width, height = THUMBNAIL_SIZE
    lines, font = _title_lines(title, width - 2 * TITLE_MARGIN, height * 2 // 5)
    canvas = Image.new("RGB", THUMBNAIL_SIZE, "white")
    draw = ImageDraw.Draw(canvas)
    spacing, stroke = font.size // 6, max(2, font.size // 16)
    text = "\n".join(lines)
    box = draw.multiline_textbbox((0, 0), text, font=font, spacing=spacing, stroke_width=stroke)
    band = box[3] - box[1] + 2 * TITLE_MARGIN // 2
    if isinstance(still, Image.Image):
        picture = _trimmed(still.convert("RGB"))
    else:
        with Image.open(_existing(still)) as opened:
            picture = _trimmed(opened.convert("RGB"))
    room = (width - TITLE_MARGIN, height - band - TITLE_MARGIN // 2)
    scale = min(room[0] / picture.width, room[1] / picture.height)
    picture = picture.resize((round(picture.width * scale), round(picture.height * scale)),
                             Image.Resampling.LANCZOS)
    canvas.paste(picture, ((width - picture.width) // 2,
                           band + (height - band - picture.height) // 2))
    draw.rectangle((0, 0, width, band), fill=(34, 34, 34))
    draw.multiline_text((width / 2, band / 2), text, font=font, anchor="mm", align="center",
                        spacing=spacing, fill=(255, 255, 255), stroke_width=stroke,
                        stroke_fill=(0, 0, 0))
    target = Path(target)
    with replacing(target) as out:
        canvas.save(out, format="PNG")
    return target


def publish(video: str | os.PathLike[str], chapters: Sequence[Chapter],
            captions: str | os.PathLike[str] | None = None, still=None, title: str = "",
            burn: bool = False, audio: str | os.PathLike[str] | None = None) -> list[Path]:
    """Everything above for one rendered lesson, in order; returns the files written.

    ``video`` gets ``chapters`` (and ``<name>.chapters.txt``) and, when given, ``audio`` as its
    sound (:func:`add_chapters`); when ``captions`` (the .srt) exists, the subtitle track and
    ``.vtt``, and with ``burn`` also ``<name>.captioned.mp4``; when a ``still`` (a path or a
    PIL image) is given, ``<name>.thumbnail.png`` with ``title``.
    """
    video = _existing(video)
    written = [add_chapters(video, chapters, audio)]
    if captions is not None and Path(captions).is_file():
        written.append(add_subtitles(video, captions))
        if burn:
            written.append(burn_captions(video, captions))
    if still is not None:
        written.append(make_thumbnail(still, title, video.with_name(f"{video.stem}"
                                                                    ".thumbnail.png")))
    return [video, *written]


# -- helpers -------------------------------------------------------------------------------

def _checked(chapters: Sequence[Chapter]) -> list[Chapter]:
    chapters = list(chapters)
    if not chapters:
        raise PublishError("no chapters: a video needs at least one")
    starts = [c.start for c in chapters]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)) or starts[0] < 0:
        raise PublishError(f"chapter starts must rise from 0: {starts}")
    return chapters


def _escape_metadata(text: str) -> str:
    for char in "\\=;#\n":
        text = text.replace(char, "\\" + char)
    return text


def _trimmed(picture):
    """``picture`` without its white margins (a still is mostly white round the lesson)."""
    from PIL import ImageChops, ImageOps

    ink = ImageOps.invert(picture.convert("L"))
    box = ImageChops.subtract(ink, ink.point(lambda _: 12)).getbbox()  # ignore near-white
    if box is None:
        return picture
    pad = 8
    return picture.crop((max(box[0] - pad, 0), max(box[1] - pad, 0),
                         min(box[2] + pad, picture.width), min(box[3] + pad, picture.height)))


def _title_lines(title: str, width: int, height: int):
    """The title in the fewest lines (at most three) at the largest bold size (120 down to
    72 px at 720p: 30 to 18 px at 320x180) that fits ``width`` x ``height``."""
    from PIL import ImageFont

    try:
        ImageFont.truetype(BOLD_FONT_FILE, 10)
    except OSError:
        raise PublishError(f"font {BOLD_FONT_FILE} not found: install fonts-dejavu-core") \
            from None
    for size in range(120, 71, -4):
        font = ImageFont.truetype(BOLD_FONT_FILE, size)
        for count in range(1, 4):
            lines = textwrap.wrap(title, -(-len(title) // count), break_long_words=False)
            if len(lines) <= 3 and all(font.getlength(line) <= width for line in lines) \
                    and len(lines) * size * 1.2 <= height:
                return lines, font
    return textwrap.wrap(title, 28)[:3], ImageFont.truetype(BOLD_FONT_FILE, 72)


def _existing(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.is_file():
        raise PublishError(f"{path}: no such file")
    return path


def _ffmpeg(*args, about: Path, cwd: str | os.PathLike[str] | None = None) -> None:
    """Run ffmpeg quietly, overwriting its output; a failure raises PublishError naming
    ``about`` (the file being made), with ffmpeg's last words."""
    run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], about, cwd)
