"""Every ``BP_*`` environment variable, documented once and read in one place.

``bp`` hands a scene what to do through environment variables (manim runs the scene in a
subprocess); a few more pick folders. :data:`VARIABLES` lists each one: its name, what it means
and its default. :meth:`Settings.from_environ` reads them all into one frozen record, checking
each value; a bad one is a :class:`SettingsError` naming the variable, which ``bp`` and the
scenes report as one ``error:`` line with exit code 2. Nothing else in bpcore or the scenes
reads a ``BP_*`` variable (``tests/bpcore/test_settings.py`` holds that).

:func:`scene_environ` is the other direction: the variables a ``bp`` command sets for the one
scene render it starts. Those marked ``scene`` in :data:`VARIABLES` are never inherited from the
caller's shell (a ``BP_SLIDES`` left there must not turn a video render into slides).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from bpcore.errors import BpError
from bpcore.narration.voice import Voice


class SettingsError(BpError):
    """A ``BP_*`` variable whose value cannot be used; the message names it."""


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, the :class:`Settings` field it fills, what it means,
    its default, and whether ``bp`` sets it for each scene render (``scene``) rather than
    letting it through from the caller's shell."""

    name: str
    field: str
    meaning: str
    default: str
    scene: bool


#: Every BP_* variable bpcore and the scenes read, with its meaning and default.
VARIABLES: tuple[Variable, ...] = (
    Variable("BP_LESSON", "lesson", "the lesson file a scene renders",
             "the scene's own, assets/lessons/NAME.yaml", True),
    Variable("BP_VOICE", "voice", "who narrates, instead of the lesson's narration.voice (same "
             "names as bp render --voice, which also reads it)", "the lesson's narration.voice",
             True),
    Variable("BP_STILLS_DIR", "stills_dir", "save each beat's key frame into this folder "
             "(bp stills)", "no stills", True),
    Variable("BP_STILLS_FORMAT", "stills_format", "the stills' format: png or svg", "png", True),
    Variable("BP_SLIDES", "slides", "1: render manim-slides slides, one per beat (bp slides); "
             "0: a video", "0", True),
    Variable("BP_SLIDES_DIR", "slides_dir", "the folder the slides are written to",
             "slides/", True),
    Variable("BP_SCRIPT", "script", "write the narration script (JSON) to this file "
             "(bp script)", "not written", True),
    Variable("BP_BURN_CAPTIONS", "burn_captions", "1: also write NAME.captioned.mp4, the "
             "captions drawn into the picture (bp render --burn-captions); 0: not", "0", True),
    Variable("BP_CACHE", "cache", "the base folder of the caches (voice clips, LaTeX SVGs, "
             "slide builds, reveal.js); content-addressed, safe to share",
             ".cache/ in a checkout, else $XDG_CACHE_HOME/bpcore", False),
    Variable("BP_VOICE_CACHE", "voice_cache", "the folder of cached voice clips",
             "$BP_CACHE/voice", False),
    Variable("BP_SCENES_DIR", "scenes_dir", "the folder bp finds scene files in (the tests' "
             "tiny scene)", "scenes/", False),
    Variable("BP_REVEALJS_DIR", "revealjs_dir", "the reveal.js npm package an offline HTML "
             "deck copies", "$BP_CACHE/npm/node_modules/reveal.js (make setup fetches it)",
             False),
)

BY_NAME = {v.name: v for v in VARIABLES}
BY_FIELD = {v.field: v for v in VARIABLES}
#: The variables ``bp`` sets (or leaves unset) for each scene render, never inherited.
SCENE_VARIABLES = tuple(v.name for v in VARIABLES if v.scene)
STILLS_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Settings:
    """What the ``BP_*`` variables say; None (or the default) for each one unset or empty.

    Examples
    --------
    >>> s = Settings.from_environ({"BP_SLIDES": "1", "BP_VOICE": "none", "HOME": "/root"})
    >>> s.slides, str(s.voice), s.stills_format, s.lesson
    (True, 'none', 'png', None)
    >>> Settings.from_environ({"BP_SLIDES": "yes"})
    Traceback (most recent call last):
    ...
    bpcore.settings.SettingsError: BP_SLIDES: expected 1 or 0, not 'yes'
    """

    lesson: Path | None = None
    voice: Voice | None = None
    stills_dir: Path | None = None
    stills_format: str = "png"
    slides: bool = False
    slides_dir: Path | None = None
    script: Path | None = None
    burn_captions: bool = False
    cache: Path | None = None
    voice_cache: Path | None = None
    scenes_dir: Path | None = None
    revealjs_dir: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``BP_*`` variable of ``environ`` (default: this process's environment).

        Raises
        ------
        SettingsError
            For the first variable whose value cannot be used, naming it.
        """
        values = {f.name: setting(f.name, environ) for f in fields(cls)}
        return cls(**values)  # type: ignore[arg-type]


def setting(field: str, environ: Mapping[str, str] | None = None) -> object:
    """One :class:`Settings` field read from its variable alone, or its default when unset:
    for code that runs at import time, where a bad value of another variable must not stop it.

    Examples
    --------
    >>> setting("stills_format", {}), setting("scenes_dir", {"BP_SCENES_DIR": "~"}).name != "~"
    ('png', True)
    """
    environ = os.environ if environ is None else environ
    name = BY_FIELD[field].name
    text = environ.get(name, "").strip()
    return _parse(name, field, text) if text else _DEFAULTS[field]


_DEFAULTS = {f.name: f.default for f in fields(Settings)}


def _parse(name: str, field: str, text: str) -> object:
    """One variable's value, typed as its :class:`Settings` field."""
    if field in ("slides", "burn_captions"):
        if text not in ("0", "1"):
            raise SettingsError(f"{name}: expected 1 or 0, not {text!r}")
        return text == "1"
    if field == "voice":
        try:
            return Voice.parse(text)
        except BpError as exc:
            raise SettingsError(f"{name}: {exc}") from None
    if field == "stills_format":
        if text not in STILLS_FORMATS:
            raise SettingsError(f"{name}: expected one of {', '.join(STILLS_FORMATS)}, "
                                f"not {text!r}")
        return text
    return Path(text).expanduser()


def scene_environ(**values: object) -> dict[str, str]:
    """The variables for one scene render, from :class:`Settings` field names; None leaves a
    variable unset.

    Examples
    --------
    >>> scene_environ(voice=Voice("none"), burn_captions=False, stills_dir=None)
    {'BP_VOICE': 'none', 'BP_BURN_CAPTIONS': '0'}
    >>> scene_environ(colour="red")
    Traceback (most recent call last):
    ...
    ValueError: no BP_* variable for 'colour'
    """
    env = {}
    for field, value in values.items():
        if field not in BY_FIELD:
            raise ValueError(f"no BP_* variable for {field!r}")
        if value is None:
            continue
        env[BY_FIELD[field].name] = ("1" if value else "0") if isinstance(value, bool) \
            else str(value)
    return env


def reference() -> str:
    """The variables as a Markdown table, for docs/settings.md (a test keeps it in step).

    Examples
    --------
    >>> reference().splitlines()[0]
    '| variable | meaning | default | set by bp for each render |'
    """
    rows = ["| variable | meaning | default | set by bp for each render |", "|---|---|---|---|"]
    rows += [f"| `{v.name}` | {v.meaning} | {v.default} | {'yes' if v.scene else 'no'} |"
             for v in VARIABLES]
    return "\n".join(rows)
