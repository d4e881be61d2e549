"""Lesson files: YAML that a teacher edits, validated into an immutable :class:`Lesson`.

Every problem is reported as a :class:`~bpcore.errors.LessonError` naming the file, the key
path (``descent.learning_rate``) and what was expected.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bpcore.errors import BpError, LessonError
from bpcore.model.activations import ACTIVATIONS, Array
from bpcore.model.descent import MAX_STEPS_CAP
from bpcore.model.network import Network, param_names, readonly
from bpcore.narration.voice import DEFAULT_VOICE, RATE_RANGE, Voice
from bpcore.resources import LESSONS_DIR as LESSONS_DIR  # the shipped lessons

# Limits, each with the reason a message gives. A lesson is a page of YAML that a video shows
# whole: these bound the work and memory any file can ask for, whoever wrote it.
#: Bytes in a lesson file; the shipped ones are under 2 kB.
MAX_FILE_BYTES = 1_000_000
#: libyaml's safe loader where PyYAML has it (its wheels do): it parses in C, tens of times faster
#: than the Python one, and refuses nesting deeper than 1000 in a moment where the Python parser
#: takes a second to run out of stack.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOO_DEEP = "the YAML is nested too deeply; a lesson is a mapping of plain lists and numbers"
#: Data points (and sweep probes): more dots than a plot in a video can show apart.
MAX_POINTS = 100
#: Hidden nodes: more curves than a network diagram in a video can show.
MAX_HIDDEN = 8
#: Numbers a descent's trace may keep over all its steps: what memory allows (8 bytes each).
MAX_TRACE_NUMBERS = 25_000_000
#: Smallest span of the data's x values: the finest axis the scenes draw (kit.plots).
MIN_SPAN = 1e-6
#: Characters in a title or an axis label: what fits across the screen.
MAX_TEXT = 200
#: Largest magnitude of any number a lesson shows (inputs, curves, SSR, steps): beyond it the
#: network's values, and the arithmetic that draws them, overflow.
VALUE_LIMIT = 1e100


@dataclass(frozen=True, slots=True)
class DescentSettings:
    learning_rate: float
    min_step_size: float = 0.001
    max_steps: int = 1000


@dataclass(frozen=True, slots=True)
class SweepSettings:
    """SSR as one parameter varies: the pink curve, and the probe points shown one by one."""

    param: str
    range: tuple[float, float]
    probes: tuple[float, ...] = ()
    samples: int = 121


@dataclass(frozen=True, slots=True)
class Labels:
    """The words for the data: axis titles, and nouns that name one value inside a sentence.

    ``x`` and ``y`` title the axes ("Hours studied"); ``x_noun`` and ``y_noun`` name one value
    in a caption ("every study time from 0 to 6", "the score observed at each study time").
    Without nouns a lesson reads "x value" and "y value", which suit any axis title.
    """

    x: str = "Dosage"
    y: str = "Effectiveness"
    x_noun: str = "dose"
    y_noun: str = "effectiveness"


@dataclass(frozen=True, slots=True)
class NarrationSettings:
    """Who speaks the captions and how fast (``rate`` times the voice's natural pace)."""

    voice: Voice = Voice(DEFAULT_VOICE)
    rate: float = 1.0


@dataclass(frozen=True, slots=True)
class Lesson:
    """A validated lesson: data, network, what to optimize and how.

    Examples
    --------
    >>> lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    >>> lesson.optimize, lesson.network.params["w3"], lesson.descent.learning_rate
    (('b3',), -1.22, 0.1)
    """

    title: str
    scene: str
    x: Array
    y: Array
    network: Network
    optimize: tuple[str, ...]
    descent: DescentSettings
    sweep: SweepSettings | None = None
    labels: Labels = Labels()
    digits: int = 3
    source: str = "<lesson>"
    digest: str = ""
    narration: NarrationSettings = NarrationSettings()

    @classmethod
    def from_file(cls, path: str | Path) -> Lesson:
        """Read and validate a lesson file; errors name the file and the key."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise LessonError(path, "", f"the file has {size:,} bytes, more than the limit "
                                  f"of {MAX_FILE_BYTES:,}: a lesson is a page of YAML that a "
                                  f"video shows whole")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise LessonError(path, "", "no such file; expected a lesson .yaml file") from None
        except IsADirectoryError:
            raise LessonError(path, "", "is a directory; expected a lesson .yaml file") from None
        except OSError as exc:  # the path is already named: only the reason
            raise LessonError(path, "", f"cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise LessonError(path, "", f"cannot be read (not UTF-8 text: byte "
                              f"{exc.object[exc.start]:#04x} at {exc.start}); expected a "
                              "lesson .yaml file") from None
        return cls.from_text(text, source=str(path))

    @classmethod
    def from_text(cls, text: str, source: str = "<lesson>") -> Lesson:
        """Validate lesson YAML given as text.

        Examples
        --------
        >>> Lesson.from_text("title: t")
        Traceback (most recent call last):
        bpcore.errors.LessonError: <lesson>: data: missing; expected a mapping with keys x, y
        """
        try:
            raw = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
        except RecursionError:  # the pure-Python parser, on deeply nested flow lists
            raise LessonError(source, "", TOO_DEEP) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            if "nesting depth" in problem:  # libyaml's limit: the same words as Python's
                raise LessonError(source, where, TOO_DEEP) from None
            raise LessonError(source, where, f"YAML syntax error: {problem}") from None
        if raw is None:
            raise LessonError(source, "", "the file is empty; expected a lesson mapping")
        digest = hashlib.sha256(text.encode()).hexdigest()
        return _Reader(source).lesson(raw, digest)


#: Every mapping of a lesson file (``""`` is the top level) -> its (required, optional) keys.
#: The reader checks each mapping against this table; docs/lesson-reference.md documents every
#: key in it, and a test holds the two together.
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "": (("title", "data", "network", "optimize", "descent"),
         ("scene", "sweep", "labels", "display", "narration")),
    "data": (("x", "y"), ()),
    "network": (("activation", "params"), ()),
    "descent": (("learning_rate",), ("min_step_size", "max_steps")),
    "sweep": (("param", "range"), ("probes", "samples")),
    "labels": ((), ("x", "y", "x_noun", "y_noun")),
    "display": ((), ("digits",)),
    "narration": ((), ("voice", "rate")),
}


# The reader walks the YAML once, checking each key where it is read, so every message can
# name its key path.
class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> LessonError:
        return LessonError(self.source, key, message)

    def mapping(self, value: Any, key: str, required: tuple[str, ...], optional: tuple[str, ...]):
        expected = ", ".join(required + optional)
        if not isinstance(value, Mapping):
            raise self.fail(key or "(top level)", f"expected a mapping with keys {expected}, "
                            f"got {_kind(value)}")
        for name in value:
            if name not in required + optional:
                guess = difflib.get_close_matches(str(name), required + optional, n=1)
                hint = f"; did you mean {guess[0]!r}?" if guess else f"; expected one of {expected}"
                raise self.fail(_join(key, name), f"unknown key{hint}")
        for name in required:
            if name not in value:
                raise self.fail(_join(key, name), "missing; " + _EXPECT.get(name, "required"))
        return value

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str) and re.fullmatch(_EXPONENT, value.strip()):
                # YAML 1.1 reads 1e-2 (no dot, or no exponent sign) as text, not as a number.
                hint = "; YAML reads that as text: write a plain decimal, or 1.0e-2 style"
            raise self.fail(key, f"expected a number, got {_kind(value)}{hint}")
        try:
            number = float(value)
        except OverflowError:  # an integer with hundreds of digits
            raise self.fail(key, "expected a finite number, got an integer too large for a "
                            "float") from None
        if not math.isfinite(number):
            raise self.fail(key, f"expected a finite number, got {value}")
        if abs(number) > VALUE_LIMIT:
            raise self.fail(key, too_large(number))
        return number

    def positive(self, value: Any, key: str) -> float:
        number = self.number(value, key)
        if number <= 0:
            raise self.fail(key, f"expected a number > 0, got {number:g}")
        return number

    def integer(self, value: Any, key: str, low: int, high: int, why: str = "") -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(key, f"expected a whole number from {low} to {high:,}, got "
                            f"{value:,}{why if value > high else ''}")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {_kind(value)}")
        if len(value) > MAX_TEXT:
            raise self.fail(key, f"expected at most {MAX_TEXT} characters, got {len(value):,}: "
                            "the text must fit across the screen")
        if any(unicodedata.category(c) in _UNPRINTABLE for c in value):
            raise self.fail(key, "expected text on one line, got control characters, line "
                            "breaks or unpaired surrogates")
        return value

    def numbers(self, value: Any, key: str, min_len: int = 1,
                max_len: int = MAX_POINTS, why: str = "") -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) < min_len:
            what = f"a list of at least {min_len} number(s)" if min_len else "a list of numbers"
            raise self.fail(key, f"expected {what}, got {_kind(value)}")
        if len(value) > max_len:
            raise self.fail(key, f"expected at most {max_len} numbers, got {len(value):,}{why}")
        return tuple(self.number(v, f"{key}[{i}]") for i, v in enumerate(value))

    def lesson(self, raw: Any, digest: str) -> Lesson:
        top = self.mapping(raw, "", *KEYS[""])
        title = self.text(top["title"], "title")
        scene = self.text(top.get("scene", "b3"), "scene")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", scene):
            raise self.fail("scene", f"expected a scene name like b3 (scenes/<name>.py), "
                            f"got {scene!r}")
        x, y = self.data(top["data"])
        network = self.network(top["network"])
        names = network.names
        optimize = self.optimize(top["optimize"], names)
        descent = self.descent(top["descent"])
        # Each step keeps every parameter and each optimized one's gradient; a scene that draws
        # the path also asks for the predictions at every point.
        per_step = len(names) + len(optimize) + len(x)
        if descent.max_steps * per_step > MAX_TRACE_NUMBERS:
            raise self.fail("descent.max_steps", f"{descent.max_steps:,} steps of {per_step} "
                            f"numbers each ({len(names)} parameters, {len(optimize)} optimized, "
                            f"{len(x)} data points) exceed the {MAX_TRACE_NUMBERS:,} numbers a "
                            f"trace may keep ({MAX_TRACE_NUMBERS * 8 // 10**6} MB of memory); "
                            f"expected at most {MAX_TRACE_NUMBERS // per_step:,} steps")
        sweep = self.sweep(top["sweep"], names) if top.get("sweep") is not None else None
        labels = self.labels(top.get("labels", {}))
        digits = 3
        if "display" in top:
            display = self.mapping(top["display"], "display", *KEYS["display"])
            digits = self.integer(display.get("digits", 3), "display.digits", 1, 8)
        narration = self.narration(top.get("narration", {}))
        return Lesson(title, scene, x, y, network, optimize, descent, sweep, labels, digits,
                      self.source, digest, narration)

    def data(self, raw: Any) -> tuple[Array, Array]:
        data = self.mapping(raw, "data", *KEYS["data"])
        why = ": a plot in a video cannot show more points apart"
        x = self.numbers(data["x"], "data.x", why=why)
        y = self.numbers(data["y"], "data.y", why=why)
        if len(x) != len(y):
            raise self.fail("data.y", f"expected as many values as data.x ({len(x)}), "
                            f"got {len(y)}")
        if len(set(x)) < 2:
            raise self.fail("data.x", "expected at least two different x values")
        if max(x) - min(x) < MIN_SPAN:
            raise self.fail("data.x", f"the values span only {max(x) - min(x):g}; expected a "
                            f"span of at least {MIN_SPAN:g}, the finest x axis a video draws "
                            f"(use larger units)")
        return readonly(x), readonly(y)

    def network(self, raw: Any) -> Network:
        net = self.mapping(raw, "network", *KEYS["network"])
        activation = self.text(net["activation"], "network.activation")
        if activation not in ACTIVATIONS:
            raise self.fail("network.activation", f"expected one of {', '.join(ACTIVATIONS)}, "
                            f"got {activation!r}")
        params = net["params"]
        if not isinstance(params, Mapping) or not params:
            raise self.fail("network.params", f"expected a mapping of parameter names to "
                            f"numbers, got {_kind(params)}")
        hidden = _hidden_nodes(params)
        if not 1 <= hidden <= MAX_HIDDEN:
            raise self.fail("network.params", f"expected biases b1..b(k+1) for k = 1 to "
                            f"{MAX_HIDDEN} hidden nodes, e.g. b1, b2, b3 for two (a network "
                            f"diagram in a video cannot show more)")
        expected = param_names(hidden)
        for name in params:
            if name not in expected:
                raise self.fail(f"network.params.{name}", f"unknown parameter; with {hidden} "
                                f"hidden node(s) expected {', '.join(expected)}")
        for name in expected:
            if name not in params:
                raise self.fail(f"network.params.{name}", f"missing; with {hidden} hidden "
                                f"node(s) expected {', '.join(expected)}")
        values = {n: self.number(params[n], f"network.params.{n}") for n in expected}
        return Network.from_params(activation, values)

    def optimize(self, raw: Any, names: tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise self.fail("optimize", f"expected a list of parameter names from "
                            f"{', '.join(names)}, got {_kind(raw)}")
        for i, name in enumerate(raw):
            if name not in names:
                raise self.fail(f"optimize[{i}]", f"{_name(name)} is not a parameter; expected "
                                f"one of {', '.join(names)}")
        if len(set(raw)) != len(raw):
            raise self.fail("optimize", "expected each parameter at most once")
        # Canonical order, so traces and tables list parameters the same way everywhere.
        return tuple(n for n in names if n in raw)

    def descent(self, raw: Any) -> DescentSettings:
        d = self.mapping(raw, "descent", *KEYS["descent"])
        rate = self.positive(d["learning_rate"], "descent.learning_rate")
        min_step = self.number(d.get("min_step_size", 0.001), "descent.min_step_size")
        if min_step < 0:
            raise self.fail("descent.min_step_size", f"expected a number >= 0, got {min_step:g}")
        steps = self.integer(d.get("max_steps", 1000), "descent.max_steps", 1, MAX_STEPS_CAP,
                             why=": a longer descent takes minutes and hundreds of MB to trace, "
                                 "and no video shows more steps")
        return DescentSettings(rate, min_step, steps)

    def sweep(self, raw: Any, names: tuple[str, ...]) -> SweepSettings:
        s = self.mapping(raw, "sweep", *KEYS["sweep"])
        param = self.text(s["param"], "sweep.param")
        if param not in names:
            raise self.fail("sweep.param", f"{param!r} is not a parameter; expected one of "
                            f"{', '.join(names)}")
        bounds = self.numbers(s["range"], "sweep.range", 2)
        if len(bounds) != 2 or bounds[0] >= bounds[1]:
            raise self.fail("sweep.range", f"expected [low, high] with low < high, got "
                            f"{list(bounds)}")
        probes = (self.numbers(s["probes"], "sweep.probes", min_len=0,
                               why=": each probe is a point the video shows")
                  if "probes" in s else ())
        samples = self.integer(s.get("samples", 121), "sweep.samples", 2, 10_000,
                               why=": a curve on screen needs no more")
        return SweepSettings(param, (bounds[0], bounds[1]), probes, samples)

    def narration(self, raw: Any) -> NarrationSettings:
        narration = self.mapping(raw, "narration", *KEYS["narration"])
        voice = self.text(narration.get("voice", DEFAULT_VOICE), "narration.voice")
        try:
            # A recordings folder is found beside the lesson file, wherever it is run from.
            parsed = Voice.parse(voice, base=Path(self.source).parent)
        except BpError as exc:
            raise self.fail("narration.voice", str(exc)) from None
        rate = self.number(narration.get("rate", 1.0), "narration.rate")
        low, high = RATE_RANGE
        if not low <= rate <= high:
            raise self.fail("narration.rate", f"expected a speaking rate from {low} to {high} "
                            f"(1 is the voice's own pace), got {rate:g}")
        return NarrationSettings(parsed, rate)

    def labels(self, raw: Any) -> Labels:
        labels = self.mapping(raw, "labels", *KEYS["labels"])
        default = Labels()
        words = {}
        for axis in ("x", "y"):
            words[axis] = self.text(labels.get(axis, getattr(default, axis)), f"labels.{axis}")
            # The default nouns belong to the default titles; another title reads "x value".
            noun = getattr(default, f"{axis}_noun") if axis not in labels else f"{axis} value"
            words[f"{axis}_noun"] = self.text(labels.get(f"{axis}_noun", noun),
                                              f"labels.{axis}_noun")
        return Labels(**words)


#: Unicode categories a title or label may not hold: control characters (tabs, line breaks,
#: escapes), line and paragraph separators, and the lone surrogates a YAML escape can make,
#: which no file or screen can encode.
_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})

_EXPONENT = r"[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+"

_EXPECT = {
    "title": "expected a title string",
    "data": "expected a mapping with keys x, y",
    "x": "expected a list of numbers",
    "y": "expected a list of numbers",
    "network": "expected a mapping with keys activation, params",
    "activation": f"expected one of {', '.join(ACTIVATIONS)}",
    "params": "expected a mapping of parameter names (w1, b1, ...) to numbers",
    "optimize": "expected a list of parameter names to optimize",
    "descent": "expected a mapping with key learning_rate",
    "learning_rate": "expected a number > 0",
    "param": "expected a parameter name",
    "range": "expected [low, high]",
}


def too_large(value: float) -> str:
    """The message for a lesson number whose size makes the network's values overflow.

    Examples
    --------
    >>> too_large(-1e308)
    "-1e+308 is too large: the network's values overflow; keep the lesson's numbers, and what \
the network makes of them, within ±1e+100"
    """
    return (f"{value:g} is too large: the network's values overflow; keep the lesson's numbers, "
            f"and what the network makes of them, within ±{VALUE_LIMIT:g}")


def _hidden_nodes(params: Mapping[Any, Any]) -> int:
    """Guess the number of hidden nodes from the parameter names, for the clearest message.

    The biases say k = (number of b's) - 1 and the weights say k = (number of w's) / 2; of the
    two, take the one whose expected names differ least from the given ones, so a missing b3
    is reported as missing rather than as w3 and w4 being unknown.
    """
    names = {str(name) for name in params}
    biases = sum(1 for name in names if re.fullmatch(r"b[1-9][0-9]*", name))
    weights = sum(1 for name in names if re.fullmatch(r"w[1-9][0-9]*", name))
    candidates = [biases - 1] + ([weights // 2] if weights % 2 == 0 else [])
    candidates = [k for k in candidates if 1 <= k <= 8]
    if not candidates:
        return biases - 1
    return min(candidates, key=lambda k: len(names.symmetric_difference(param_names(k))))


def _name(value: Any) -> str:
    """A would-be name for a message, never expanding a nested value (a YAML alias bomb)."""
    return repr(value) if isinstance(value, str) else _kind(value)


def _join(key: str, name: Any) -> str:
    return f"{key}.{name}" if key else str(name)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"{value!r} ({type(value).__name__})"
