"""``bp script``: a lesson's narration script, to read, to hand to a voice actor, or to record.

The script is what the video's voice says, clip by clip: each clip is one caption, with its id
(``03-squiggle-01``: beat number, beat, clip number in the beat), the caption as written and
the words the voice is given. Record clips as ``<id>.wav`` in a folder and render with
``--voice recorded:DIR``; a ``<id>.txt`` beside a recording replaces that caption's text.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from bpcore.cli.common import lesson_argument
from bpcore.files import atomic_write
from bpcore.lesson.file import Lesson
from bpcore.narration.voice import NONE, Voice
from bpcore.render.scene import run_manim
from bpcore.settings import scene_environ


def script_markdown(script: dict) -> str:
    """The narration script as Markdown: a section per beat, each clip's id, caption and words.

    Examples
    --------
    >>> print(script_markdown({"title": "Optimizing b3", "beats": [{"beat": "network",
    ...     "clips": [{"id": "01-network-01", "caption": "b3 = -1.5.",
    ...                "events": ["b3 = -1.5."], "spoken": "b 3 equals negative 1.5."}]}]}))
    # Narration script: Optimizing b3
    <BLANKLINE>
    1 clip. Record each as `<id>.wav` in one folder, then render with `--voice recorded:DIR`.
    <BLANKLINE>
    ## 1. network
    <BLANKLINE>
    **01-network-01**
    <BLANKLINE>
    - caption: b3 = -1.5.
    - spoken: b 3 equals negative 1.5.
    <BLANKLINE>
    """
    count = sum(len(beat["clips"]) for beat in script["beats"])
    out = [f"# Narration script: {script['title']}", "",
           f"{count} clip{'s' if count != 1 else ''}. Record each as `<id>.wav` in one folder, "
           "then render with `--voice recorded:DIR`.", ""]
    for number, beat in enumerate(script["beats"], start=1):
        out += [f"## {number}. {beat['beat']}", ""]
        for clip in beat["clips"]:
            out += [f"**{clip['id']}**", "", f"- caption: {clip['caption']}",
                    f"- spoken: {clip['spoken']}", ""]
    return "\n".join(out)


@click.command("script")
@lesson_argument(multiple=True)
@click.option("-o", "--output", "out_dir", metavar="DIR", type=click.Path(path_type=Path),
              default=Path("scripts"), show_default=True,
              help="Folder for <lesson name>.script.md and <lesson name>.script.json.")
def command(lessons: tuple[Path, ...], out_dir: Path) -> None:
    """Write each LESSON's narration script, as Markdown and JSON.

    For every clip the voice speaks: its id, its caption and the exact
    words the voice is given (numbers with their signs, "equals" for =).
    The scene is run without drawing a frame, so this takes seconds.

    To narrate a lesson in your own voice, record each clip as a WAV file
    named by its id (takes/01-network-01.wav, ...), then render with
    --voice recorded:takes.

    \b
    Examples:
      bp script assets/lessons/b3.yaml
      bp script assets/lessons/*.yaml -o scripts
      bp render assets/lessons/b3.yaml --voice recorded:takes
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for lesson_path in lessons:
        lesson = Lesson.from_file(lesson_path)
        with tempfile.TemporaryDirectory(prefix="bp-script-") as work:
            target = Path(work) / "script.json"
            run_manim(lesson_path, lesson, "l", Path(work) / "media",
                      scene_environ(script=target, voice=Voice(NONE)), flags=("--dry_run",))
            script = json.loads(target.read_text(encoding="utf-8"))
        for suffix, text in ((".script.json", json.dumps(script, indent=2, ensure_ascii=False)
                              + "\n"), (".script.md", script_markdown(script))):
            atomic_write(out_dir / f"{lesson_path.stem}{suffix}", text)
        click.echo(f"{lesson_path}: {sum(len(b['clips']) for b in script['beats'])} clips -> "
                   f"{out_dir / lesson_path.stem}.script.md, .script.json")
