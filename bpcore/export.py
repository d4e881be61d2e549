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
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import yaml

from bpcore.trace import LessonTrace

FORMATS = ("json", "yaml", "csv")


def trace_to_dict(trace: LessonTrace) -> dict[str, Any]:
    """Return the trace as plain JSON-ready data (see the module docstring for the keys).

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
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
    descent = trace.descent
    out: dict[str, Any] = {
        "lesson": _lesson_dict(trace),
        "steps": _steps(trace),
        "final": {
            "params": _named(descent.names, descent.params[-1]),
            "ssr": float(descent.ssr[-1]),
            "steps": descent.updates,
            "status": descent.status,
        },
    }
    if trace.sweep is not None:
        s = trace.sweep
        out["sweep"] = {
            "param": s.param,
            "values": s.values.tolist(),
            "ssr": s.ssr.tolist(),
            "probes": [
                {"value": v, "ssr": e}
                for v, e in zip(s.probe_values.tolist(), s.probe_ssr.tolist(), strict=True)
            ],
        }
    start = trace.start
    out["start"] = {
        "hidden_x": start.forward.hidden_x.tolist(),
        "hidden_y": start.forward.hidden_y.tolist(),
        "scaled": start.forward.scaled.tolist(),
        "predicted": start.predicted.tolist(),
        "residuals": start.residuals.tolist(),
        "ssr": float(start.ssr),
    }
    out["chain_rule"] = {
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
    out["curves"] = {
        "x": curves.x.tolist(),
        "hidden_y": curves.hidden_y.tolist(),
        "scaled": curves.scaled.tolist(),
        "squiggle": curves.predicted.tolist(),
    }
    return out


def trace_to_json(trace: LessonTrace) -> str:
    """Return :func:`trace_to_dict` as JSON text: one line per top-level key and per step.

    Examples
    --------
    >>> import json
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> text = trace_to_json(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> round(json.loads(text)["start"]["ssr"], 3)
    20.424
    >>> text.splitlines()[3][:30]
    '  {"index": 0, "params": {"w1"'
    """
    # json.dumps with indent= runs in pure Python; encoding each step on its own line keeps the
    # C encoder (thousands of steps in a fraction of a second) and the file readable.
    encode = json.JSONEncoder(allow_nan=False).encode
    parts = []
    for key, value in trace_to_dict(trace).items():
        if key == "steps":
            body = "[\n" + ",\n".join("  " + encode(step) for step in value) + "\n ]"
        else:
            body = encode(value)
        parts.append(f" {encode(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def trace_to_yaml(trace: LessonTrace) -> str:
    """Return :func:`trace_to_dict` as YAML that ``yaml.safe_load`` reads back equal.

    Everything but the steps goes through PyYAML's safe dumper; the steps are written one flow
    mapping per line with PyYAML's own float spelling, which is many times faster on the
    thousands of steps of a long descent.

    Examples
    --------
    >>> import yaml
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> text = trace_to_yaml(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> yaml.safe_load(text)["final"]["status"]
    'converged'
    >>> [line for line in text.splitlines() if line.startswith("- {index: 1,")][0][:36]
    '- {index: 1, params: {w1: 3.34, w2: '
    """
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the C emitter, when built
    parts = []
    for key, value in trace_to_dict(trace).items():
        if key == "steps":
            parts.append("steps:\n" + "".join(f"- {_yaml_flow(step)}\n" for step in value))
        else:
            parts.append(yaml.dump({key: value}, Dumper=dumper, sort_keys=False,
                                   default_flow_style=None, allow_unicode=True, width=100))
    return "".join(parts)


def trace_to_csv(trace: LessonTrace) -> str:
    """Return one CSV row per descent state, parameters and SSR at full precision.

    Columns: ``step``, every parameter in canonical order, ``ssr``, then ``gradient_<name>``
    and ``step_size_<name>`` for each optimized parameter.

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> lines = trace_to_csv(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))).splitlines()
    >>> lines[0]
    'step,w1,w2,w3,w4,b1,b2,b3,ssr,gradient_b3,step_size_b3'
    >>> len(lines)  # the header, the start and 9 updates
    11
    """
    descent = trace.descent
    header = ["step", *descent.names, "ssr"]
    header += [f"gradient_{n}" for n in descent.optimize]
    header += [f"step_size_{n}" for n in descent.optimize]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(
        [i, *params, ssr, *grad, *step]
        for i, (params, ssr, grad, step) in enumerate(
            zip(descent.params.tolist(), descent.ssr.tolist(), descent.gradient.tolist(),
                descent.step_size.tolist(), strict=True)
        )
    )
    return buffer.getvalue()


def trace_to_text(trace: LessonTrace, format: str) -> str:
    """Return the trace as text in ``format``: one of ``json``, ``yaml``, ``csv``.

    Examples
    --------
    >>> from bpcore.lesson import LESSONS_DIR, Lesson
    >>> from bpcore.trace import trace_lesson
    >>> trace_to_text(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")), "csv")[:4]
    'step'
    """
    writers = {"json": trace_to_json, "yaml": trace_to_yaml, "csv": trace_to_csv}
    try:
        return writers[format](trace)
    except KeyError:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}") \
            from None


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


def _steps(trace: LessonTrace) -> list[dict[str, Any]]:
    # One .tolist() per array, then plain Python: thousands of steps export in milliseconds.
    d = trace.descent
    names, optimize = d.names, d.optimize
    return [
        {
            "index": i,
            "params": dict(zip(names, params, strict=True)),
            "predicted": predicted,
            "residuals": residuals,
            "ssr": ssr,
            "gradient": dict(zip(optimize, grad, strict=True)),
            "step_size": dict(zip(optimize, step, strict=True)),
        }
        for i, (params, predicted, residuals, ssr, grad, step) in enumerate(
            zip(d.params.tolist(), d.predicted.tolist(), d.residuals.tolist(), d.ssr.tolist(),
                d.gradient.tolist(), d.step_size.tolist(), strict=True)
        )
    ]


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
