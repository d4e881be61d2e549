"""``bp slides``: a lesson as a slide deck (HTML, PowerPoint or PDF) through manim-slides.

The lesson's scene is rendered as manim-slides slides (``BP_SLIDES=1``: one slide per beat,
ending on the beat's still; see ``scenes/kit/lesson_scene.py``) into a build folder that is
reused while the lesson, the code and the quality stay the same, so converting one lesson to
several formats renders it once. ``manim-slides convert`` then makes the deck; the HTML deck
is offline: reveal.js comes from the copy ``make setup`` fetched from npm, and the deck's
``<name>_assets/`` folder holds it beside the videos.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from bpcore.cli.common import lesson_argument, output_option
from bpcore.files import atomic_write
from bpcore.lesson.file import Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.narration.ffmpeg import faststart
from bpcore.render.failures import CommandError
from bpcore.render.keys import code_digest, render_key
from bpcore.render.report import animation_watcher
from bpcore.render.scene import (
    QUALITIES,
    quality_option,
    run_manim,
    scene_file,
)
from bpcore.resources import cache_dir
from bpcore.settings import scene_environ, setting

FORMATS = ("html", "pptx", "pdf")
#: Slide builds, one folder per lesson and key; git-ignored.
BUILD_DIR = cache_dir("slides")
#: Where ``make setup`` puts the npm package reveal.js (``BP_REVEALJS_DIR`` overrides it).
REVEALJS_DIR = cache_dir("npm") / "node_modules" / "reveal.js"
INSTALL_HINT = "pip install -e '.[slides]'"


def revealjs_dir() -> Path:
    """The reveal.js package folder (with ``dist/`` and ``package.json``) for offline HTML."""
    override = setting("revealjs_dir")
    return Path(override) if override else REVEALJS_DIR


def manim_slides_dir() -> Path:
    """Where manim-slides is installed, found without importing it (it imports manim)."""
    spec = importlib.util.find_spec("manim_slides")
    if spec is None or not spec.submodule_search_locations:
        raise CommandError(f"bp slides needs manim-slides; install it with {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def template_assets(template: str, theme: str = "black") -> list[str]:
    """The reveal.js files an HTML template loads, as paths inside the reveal.js package.

    Examples
    --------
    >>> template_assets('<link href="{{ cdn_url }}/dist/theme/{{ reveal_theme }}.css">'
    ...                 '<script src="{{ cdn_url }}/dist/reveal.js"></script>')
    ['dist/theme/black.css', 'dist/reveal.js']
    """
    template = re.sub(r"\{\{\s*reveal_theme\s*\}\}", theme, template)
    return list(dict.fromkeys(re.findall(r"\{\{\s*cdn_url\s*\}\}/([^\"'\s>]+)", template)))


def revealjs_version() -> str:
    """The version of the reveal.js copy, or an error that says how to fetch it."""
    source = revealjs_dir()
    try:
        return json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        raise CommandError(f"{source}: reveal.js not found; the offline HTML deck needs it: "
                           "run make setup (it fetches the npm package reveal.js)") from None


def offline_cache(into: Path) -> tuple[str, Path]:
    """Fill a manim-slides reveal.js cache from the npm copy; return (version, cache home).

    manim-slides' offline mode copies the reveal.js files the template names from its cache
    (``$XDG_CACHE_HOME/manim-slides/revealjs<version>/``) into the deck's assets folder and
    downloads only what the cache lacks; with every file there, nothing is downloaded.
    """
    source = revealjs_dir()
    version = revealjs_version()
    template = (manim_slides_dir() / "templates" / "revealjs.html").read_text(encoding="utf-8")
    cache = into / "manim-slides" / f"revealjs{version}"
    cache.mkdir(parents=True)
    for asset in template_assets(template):
        try:
            shutil.copyfile(source / asset, cache / Path(asset).name)
        except OSError:
            raise CommandError(f"{source / asset}: missing from the reveal.js package; "
                               "run make setup again") from None
    return version, into


def build_slides(lesson_path: Path, lesson: Lesson, quality: str, force: bool) -> Path:
    """Render the lesson as slides, or reuse an up-to-date build; return its slides folder."""
    scene = scene_file(lesson)
    key = render_key(lesson, scene, quality, code_digest(scene) + _manim_slides_version())
    build = BUILD_DIR / f"{lesson_path.stem}-{key[:16]}"
    done = build / "done.json"
    slides_dir = build / "slides"
    with contextlib.suppress(OSError, ValueError):
        if not force and json.loads(done.read_text(encoding="utf-8"))["key"] == key:
            click.echo(f"Slides of {lesson_path} are up to date ({build}).", err=True)
            return slides_dir
    for old in BUILD_DIR.glob(f"{lesson_path.stem}-*"):
        shutil.rmtree(old, ignore_errors=True)
    build.mkdir(parents=True)
    click.echo(f"Rendering {lesson_path} as slides at {QUALITIES[quality]}...", err=True)
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    try:
        run_manim(lesson_path, lesson, quality, build / "media",
                  scene_environ(slides=True, slides_dir=slides_dir), scene=scene,
                  on_line=animation_watcher(lesson_path.name, say))
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    shutil.rmtree(build / "media", ignore_errors=True)  # the slides hold their own copies
    for video in sorted(slides_dir.rglob("*.mp4")):  # manim-slides writes moov last
        faststart(video)
    atomic_write(done, json.dumps({"key": key, "lesson": str(lesson_path)}) + "\n")
    return slides_dir


def _manim_slides_version() -> str:
    from importlib import metadata

    try:
        return f"manim-slides {metadata.version('manim-slides')}"
    except metadata.PackageNotFoundError:
        return ""


def presentation(slides_dir: Path) -> tuple[str, int]:
    """The scene name of a slides folder and its number of slides."""
    configs = sorted(slides_dir.glob("*.json"))
    if len(configs) != 1:
        raise CommandError(f"{slides_dir}: expected one presentation from manim-slides, "
                           f"found {len(configs)}")
    slides = json.loads(configs[0].read_text(encoding="utf-8")).get("slides", [])
    return configs[0].stem, len(slides)


def convert(slides_dir: Path, scene: str, to: str, dest: Path, title: str) -> None:
    """Run ``manim-slides convert`` into ``dest`` (a fresh folder's file); errors in one line."""
    dest = dest.resolve()
    args = [sys.executable, "-m", "manim_slides", "--silent", "convert", "--folder",
            str(slides_dir.resolve()), scene, str(dest), "--to", to]
    env = dict(os.environ)
    if to == "html":
        version, cache_home = offline_cache(dest.parent / "cache")
        # manim-slides splits each option at "=", and puts the title into the page as is.
        title = html.escape(title).replace("=", "&#61;")
        args += ["-coffline=true", f"-creveal_version={version}", f"-ctitle={title}",
                 "-crevealjs_assets_timeout=5"]
        env["XDG_CACHE_HOME"] = str(cache_home)
    done = subprocess.run(args, cwd=dest.parent, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not dest.is_file():
        lines = [ln.strip() for ln in (done.stderr + done.stdout).splitlines()
                 if ln.strip() and "it/s]" not in ln]  # not tqdm's progress bars
        tail = lines[-1] if lines else f"exit code {done.returncode}"
        raise CommandError(f"manim-slides convert --to {to} failed: {tail}")


def remote_links(page: str) -> list[str]:
    """The http(s) scripts, styles and videos an HTML page loads (none, for an offline deck).

    Examples
    --------
    >>> remote_links('<script src="https://cdn.example/reveal.js"></script>'
    ...              '<link href="deck_assets/reveal.css"><!-- <script src="http://x"> -->')
    ['https://cdn.example/reveal.js']
    """
    page = re.sub(r"<!--.*?-->", "", page, flags=re.DOTALL)
    return re.findall(r"(?:src|href|data-background-video)=[\"'](https?://[^\"']+)", page)


def place(staged: Path, output: Path, to: str) -> None:
    """Move a converted deck from its staging folder (same name) to ``output``.

    An HTML deck's assets folder is swapped in first, then the page; the old assets end up in
    the staging folder, which the caller removes.
    """
    if to == "html":
        page = staged.read_text(encoding="utf-8")
        if links := remote_links(page):
            raise CommandError(f"{output}: the HTML deck would load {links[0]} from the "
                               "network; its reveal.js files should have been copied")
        new_assets = staged.parent / f"{staged.stem}_assets"  # same name as beside output
        final_assets = output.parent / new_assets.name
        old = staged.parent / "old_assets"
        if final_assets.exists():
            os.replace(final_assets, old)
        os.replace(new_assets, final_assets)
    os.replace(staged, output)


@click.command("slides")
@lesson_argument()
@click.option("--to", "to", type=click.Choice(FORMATS), default=None,
              help="Deck format. Default: from the -o file's extension, else html.")
@output_option("Write the deck to FILE. Default: slides/<lesson name>.<format>; an HTML deck "
               "keeps its videos and reveal.js in <name>_assets/ beside it.")
@quality_option("m")
@click.option("--force", is_flag=True, help="Render the slides again even if up to date.")
def command(lesson: Path, to: str | None, output: Path | None, quality: str,
            force: bool) -> None:
    """Make a slide deck of LESSON (HTML, PowerPoint or PDF), a slide per beat.

    Slide k plays the lesson's video from beat k-1's key frame (its still)
    to beat k's, so the deck pauses once per beat, on its key frame; the
    captions are the speaker notes. HTML is a reveal.js deck that works
    opened from disk without a network; PowerPoint embeds the videos; PDF
    has one page per slide, its key frame. The render is reused for the
    other formats while the lesson and the code stay the same.

    \b
    Examples:
      bp slides assets/lessons/b3.yaml
      bp slides assets/lessons/b3.yaml --to pdf
      bp slides assets/lessons/b3.yaml -o talk/b3.pptx -q h
    """
    if to is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        to = suffix if suffix in FORMATS else "html"
    manim_slides_dir()  # installed?
    output = output or Path("slides") / f"{lesson.stem}.{to}"
    parsed = Lesson.from_file(lesson)
    trace_lesson(parsed)  # a diverging descent fails here, before any render
    if to == "html":
        revealjs_version()  # there, before a long render?
    output.parent.mkdir(parents=True, exist_ok=True)
    slides_dir = build_slides(lesson, parsed, quality, force)
    scene, count = presentation(slides_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        staged = staging / output.name
        convert(slides_dir, scene, to, staged, parsed.title)
        place(staged, output, to)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    click.echo(f"{count} slides in {output}", err=True)
    click.echo(output)
