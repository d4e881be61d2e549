"""A lesson trace as plain data: the JSON contract of ``bp trace``, and its CSV and YAML forms.

The dictionary from :func:`trace_to_dict` holds only dicts, lists, strings, ints and Python
floats at full precision, so ``json.dumps`` and ``yaml.safe_dump`` take it as it is. Its keys:

``lesson``
    ``title``, ``scene``, ``source`` (the file), ``digest`` (SHA-256 of its text),
    ``data`` {``x``, ``y``}, ``network`` {``activation``, ``hidden``, ``params``}, ``optimize``,
    ``descent`` {``learning_rate``, ``min_step_size``, ``max_steps``}, ``sweep``
    ({``param``, ``range``, ``probes``, ``samples``} or null), ``labels`` {``x``, ``y``,
    ``x_noun``, ``y_noun``} and ``display`` {``digits``}.
``steps``
    One entry per descent state, ``steps[0]`` the start: ``index``, ``params`` (every name),
    ``predicted``, ``residuals``, ``ssr``, ``gradient`` and ``step_size`` (optimized names).
``final``
    ``params``, ``ssr``, ``steps`` (updates taken) and ``status`` (``converged`` | ``max_steps``).
``sweep`` (only when the lesson has one)
    ``param``, ``values``, ``ssr`` and ``probes`` [{``value``, ``ssr``}].
``start``
    The forward pass at the data at the start: ``hidden_x``, ``hidden_y`` and ``scaled`` (one
    list per hidden node), ``predicted``, ``residuals``, ``ssr``.
``chain_rule``
    Per parameter at the start: ``factors`` [{``name``, ``numerator``, ``denominator``,
    ``values``}], ``terms`` (their product at each point) and ``total`` (d SSR / d parameter).
``curves``
    The curves at the start on a dense grid: ``x``, ``hidden_y``, ``scaled`` (per node) and
    ``squiggle``.

:func:`write_trace` writes any format as it is produced, a block of steps at a time, so a
descent of a million steps never exists whole as Python objects; ``every=N`` keeps every N-th
step and always the first and the last (their ``index`` says which they are).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

import numpy as np
import yaml

from bpcore.lesson.trace import LessonTrace

FORMATS = ("json", "yaml", "csv")


def trace_to_dict(trace: LessonTrace, every: int = 1) -> dict[str, Any]:
    """Return the trace as plain JSON-ready data (see the module docstring for the keys).

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> data = trace_to_dict(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> list(data)
    ['lesson', 'steps', 'final', 'sweep', 'start', 'chain_rule', 'curves']
    >>> step = data["steps"][1]
    >>> step["index"], round(step["params"]["b3"], 4), round(step["gradient"]["b3"], 2)
    (1, 1.5655, -6.26)
    >>> data["final"]["status"], data["final"]["steps"], round(data["final"]["params"]["b3"], 2)
    ('converged', 9, 2.61)
    >>> [f["name"] for f in data["chain_rule"]["b3"]["factors"]]
    ['dSSR/dpredicted', 'dpredicted/db3']
    """
    return {key: list(value) if key == "steps" else value
            for key, value in _sections(trace, every)}


def kept_steps(count: int, every: int) -> np.ndarray:
    """The step indices a thinned export keeps: every ``every``-th, the first and the last.

    Examples
    --------
    >>> kept_steps(10, 4).tolist(), kept_steps(9, 4).tolist(), kept_steps(3, 1).tolist()
    ([0, 4, 8, 9], [0, 4, 8], [0, 1, 2])
    """
    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    return np.unique(np.r_[np.arange(0, count, every), count - 1])


def write_trace(trace: LessonTrace, format: str, out: TextIO, every: int = 1) -> None:
    """Write the trace to ``out`` in ``format`` (``json``, ``yaml`` or ``csv``) as it is made.

    Steps are converted and written a block at a time, so memory stays small however long the
    descent; ``every`` keeps every N-th step (and the first and last).

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> out = io.StringIO()
    >>> write_trace(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")), "csv", out, every=4)
    >>> [line.split(",")[0] for line in out.getvalue().splitlines()]
    ['step', '0', '4', '8', '9']
    """
    writers = {"json": _write_json, "yaml": _write_yaml, "csv": _write_csv}
    try:
        writer = writers[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}") \
            from None
    writer(trace, out, every)


def trace_to_text(trace: LessonTrace, format: str, every: int = 1) -> str:
    """Return the trace as text in ``format``: one of ``json``, ``yaml``, ``csv``.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> trace_to_text(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")), "csv")[:4]
    'step'
    """
    out = io.StringIO()
    write_trace(trace, format, out, every)
    return out.getvalue()


def trace_to_json(trace: LessonTrace, every: int = 1) -> str:
    """Return :func:`trace_to_dict` as JSON text: one line per top-level key and per step.

    Examples
    --------
    >>> import json
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> text = trace_to_json(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> round(json.loads(text)["start"]["ssr"], 3)
    20.424
    >>> text.splitlines()[3][:30]
    '  {"index": 0, "params": {"w1"'
    """
    return trace_to_text(trace, "json", every)


def trace_to_yaml(trace: LessonTrace, every: int = 1) -> str:
    """Return :func:`trace_to_dict` as YAML that ``yaml.safe_load`` reads back equal.

    Everything but the steps goes through PyYAML's safe dumper; the steps are written one flow
    mapping per line with PyYAML's own float spelling, which is many times faster on the
    thousands of steps of a long descent.

    Examples
    --------
    >>> import yaml
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> text = trace_to_yaml(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> yaml.safe_load(text)["final"]["status"]
    'converged'
    >>> [line for line in text.splitlines() if line.startswith("- {index: 1,")][0][:36]
    '- {index: 1, params: {w1: 3.34, w2: '
    """
    return trace_to_text(trace, "yaml", every)


def trace_to_csv(trace: LessonTrace, every: int = 1) -> str:
    """Return one CSV row per descent state, parameters and SSR at full precision.

    Columns: ``step``, every parameter in canonical order, ``ssr``, then ``gradient_<name>``
    and ``step_size_<name>`` for each optimized parameter.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> lines = trace_to_csv(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))).splitlines()
    >>> lines[0]
    'step,w1,w2,w3,w4,b1,b2,b3,ssr,gradient_b3,step_size_b3'
    >>> len(lines)  # the header, the start and 9 updates
    11
    """
    return trace_to_text(trace, "csv", every)


#: Steps converted to Python objects at once: big enough for fast C loops, small in memory.
BLOCK = 4096


def _write_json(trace: LessonTrace, out: TextIO, every: int) -> None:
    # json.dumps with indent= runs in pure Python; encoding each step on its own line keeps the
    # C encoder (thousands of steps in a fraction of a second) and the file readable.
    encode = json.JSONEncoder(allow_nan=False).encode
    out.write("{")
    for n, (key, value) in enumerate(_sections(trace, every)):
        out.write(("," if n else "") + f"\n {encode(key)}: ")
        if key == "steps":
            out.write("[")
            for block in _blocks(value):
                out.write("".join(("," if i else "") + "\n  " + encode(step) for i, step in block))
            out.write("\n ]")
        else:
            out.write(encode(value))
    out.write("\n}\n")


def _write_yaml(trace: LessonTrace, out: TextIO, every: int) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the C emitter, when built
    for key, value in _sections(trace, every):
        if key == "steps":
            out.write("steps:\n")
            for block in _blocks(value):
                out.write("".join(f"- {_yaml_flow(step)}\n" for _, step in block))
        else:
            out.write(yaml.dump({key: value}, Dumper=dumper, sort_keys=False,
                                default_flow_style=None, allow_unicode=True, width=100))


def _write_csv(trace: LessonTrace, out: TextIO, every: int) -> None:
    descent = trace.descent
    header = ["step", *descent.names, "ssr"]
    header += [f"gradient_{n}" for n in descent.optimize]
    header += [f"step_size_{n}" for n in descent.optimize]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for rows in _step_blocks(trace, every):
        writer.writerows(
            [i, *params, ssr, *grad, *step]
            for i, params, _, ssr, grad, step in zip(*rows, strict=True)
        )


def _sections(trace: LessonTrace, every: int) -> Iterator[tuple[str, Any]]:
    """The export's top-level keys in order, the steps as a lazy iterator of step dicts."""
    descent = trace.descent
    yield "lesson", _lesson_dict(trace)
    yield "steps", _steps(trace, every)
    yield "final", {
        "params": _named(descent.names, descent.params[-1]),
        "ssr": float(descent.ssr[-1]),
        "steps": descent.updates,
        "status": descent.status,
    }
    if trace.sweep is not None:
        s = trace.sweep
        yield "sweep", {
            "param": s.param,
            "values": s.values.tolist(),
            "ssr": s.ssr.tolist(),
            "probes": [
                {"value": v, "ssr": e}
                for v, e in zip(s.probe_values.tolist(), s.probe_ssr.tolist(), strict=True)
            ],
        }
    start = trace.start
    yield "start", {
        "hidden_x": start.forward.hidden_x.tolist(),
        "hidden_y": start.forward.hidden_y.tolist(),
        "scaled": start.forward.scaled.tolist(),
        "predicted": start.predicted.tolist(),
        "residuals": start.residuals.tolist(),
        "ssr": float(start.ssr),
    }
    yield "chain_rule", {
        name: {
            "factors": [
                {
                    "name": f.name,
                    "numerator": f.numerator,
                    "denominator": f.denominator,
                    "values": f.values.tolist(),
                }
                for f in d.factors
            ],
            "terms": d.terms.tolist(),
            "total": float(d.total),
        }
        for name, d in trace.chain_at(0).items()
    }
    curves = trace.curves_at(0)
    yield "curves", {
        "x": curves.x.tolist(),
        "hidden_y": curves.hidden_y.tolist(),
        "scaled": curves.scaled.tolist(),
        "squiggle": curves.predicted.tolist(),
    }


def _lesson_dict(trace: LessonTrace) -> dict[str, Any]:
    lesson = trace.lesson
    settings = lesson.descent
    sweep = None
    if lesson.sweep is not None:
        sweep = {
            "param": lesson.sweep.param,
            "range": list(lesson.sweep.range),
            "probes": list(lesson.sweep.probes),
            "samples": lesson.sweep.samples,
        }
    return {
        "title": lesson.title,
        "scene": lesson.scene,
        "source": lesson.source,
        "digest": lesson.digest,
        "data": {"x": lesson.x.tolist(), "y": lesson.y.tolist()},
        "network": {
            "activation": lesson.network.activation.name,
            "hidden": lesson.network.hidden,
            "params": dict(lesson.network.params),
        },
        "optimize": list(lesson.optimize),
        "descent": {
            "learning_rate": settings.learning_rate,
            "min_step_size": settings.min_step_size,
            "max_steps": settings.max_steps,
        },
        "sweep": sweep,
        "labels": {"x": lesson.labels.x, "y": lesson.labels.y, "x_noun": lesson.labels.x_noun,
                   "y_noun": lesson.labels.y_noun},
        "display": {"digits": lesson.digits},
    }


def _step_blocks(trace: LessonTrace, every: int) -> Iterator[tuple[list, ...]]:
    """The kept steps a block at a time: indices, params, predicted, ssr, gradient, step size.

    One ``.tolist()`` per array and block, then plain Python: fast, and only one block of
    Python floats exists at a time.
    """
    d = trace.descent
    kept = kept_steps(len(d), every)
    for low in range(0, kept.size, BLOCK):
        index = kept[low : low + BLOCK]
        gradient = d.gradient[index]
        yield (index.tolist(), d.params[index].tolist(), d.predicted_at(index).tolist(),
               d.ssr[index].tolist(), gradient.tolist(),
               (gradient * d.learning_rate).tolist())


def _steps(trace: LessonTrace, every: int) -> Iterator[dict[str, Any]]:
    d = trace.descent
    names, optimize, y = d.names, d.optimize, d.y.tolist()
    for rows in _step_blocks(trace, every):
        for i, params, predicted, ssr, grad, step in zip(*rows, strict=True):
            yield {
                "index": i,
                "params": dict(zip(names, params, strict=True)),
                "predicted": predicted,
                "residuals": [o - p for o, p in zip(y, predicted, strict=True)],
                "ssr": ssr,
                "gradient": dict(zip(optimize, grad, strict=True)),
                "step_size": dict(zip(optimize, step, strict=True)),
            }


def _blocks(steps: Iterator[dict[str, Any]]) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Group the steps ``BLOCK`` at a time, numbered, so a writer makes one write per block."""
    block: list[tuple[int, dict[str, Any]]] = []
    for item in enumerate(steps):
        block.append(item)
        if len(block) == BLOCK:
            yield block
            block = []
    if block:
        yield block


def _named(names: tuple[str, ...], values: Any) -> dict[str, float]:
    return dict(zip(names, values.tolist(), strict=True))


def _yaml_flow(value: Any) -> str:
    """One step in YAML flow style. Keys are parameter names and fixed words, plain scalars."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_yaml_flow, value)) + "]"
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"unexpected {type(value).__name__} in a step")


def _yaml_float(value: float) -> str:
    """A float as PyYAML's SafeRepresenter spells it, so YAML 1.1 reads it back as a float."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)  # 1e-05 -> 1.0e-05: YAML 1.1 needs the dot
    return text
