"""A lesson as one self-contained interactive HTML page (``bp page``).

The page's template, style and script live in ``assets/page/``; this module fills them with the
lesson and its trace and inlines everything, so the file works opened from disk with no network.
The descent is embedded exactly: the optimized parameters' values at every step, as
little-endian float64 in base64 (8000 steps of seven parameters is about 600 kB). Everything
else the page shows (SSR, residuals, slopes, chain-rule factors) its script computes from those
values with a second implementation of :mod:`bpcore.model.network` and
:mod:`bpcore.model.chain`, which the browser tests hold to bpcore.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from bpcore.display import FIRST_SCIENTIFIC, LOG_FLOOR, LOG_RATIO, SMALLEST_FIXED
from bpcore.lesson.file import VALUE_LIMIT
from bpcore.lesson.settling import settled_at
from bpcore.lesson.trace import GRID_SAMPLES, LessonTrace
from bpcore.model.network import readonly
from bpcore.outputs import palette
from bpcore.resources import PAGE_DIR

#: Points on the pink SSR curve, across the selected parameter's slider range.
SSR_SAMPLES = 121


def slider_range(values: np.ndarray, low: float | None = None,
                 high: float | None = None) -> tuple[float, float, float]:
    """A slider's ``(min, max, step)`` covering ``values`` (and ``[low, high]``) with room to spare.

    The ends are whole multiples of the step, so round values such as 1, 2 and 3 can be set
    exactly; half the covered span (at least 1) is added on each side.

    Examples
    --------
    >>> slider_range(np.array([0.0, 2.61]), 0.0, 3.0)
    (-1.5, 4.5, 0.001)
    >>> slider_range(np.array([-1.22]))
    (-2.22, -0.22, 0.001)
    """
    low = min(float(values.min()), low if low is not None else math.inf)
    high = max(float(values.max()), high if high is not None else -math.inf)
    pad = max((high - low) / 2, 1.0)
    step = 10.0 ** (math.floor(math.log10(high - low + 2 * pad)) - 3)
    decimals = max(0, -round(math.log10(step)))
    # Snap quotients a rounding error away from a whole number (-0.22 / 0.001 is
    # -219.99999999999997) to it, so an end is not pushed a whole step inward.
    return (round(math.floor(round((low - pad) / step, 6)) * step, decimals),
            round(math.ceil(round((high + pad) / step, 6)) * step, decimals), step)


def float64_base64(values: np.ndarray) -> str:
    """``values`` as little-endian float64, base64: exact, and about 11 characters a number.

    Examples
    --------
    >>> float64_base64(np.array([1.5]))
    'AAAAAAAA+D8='
    """
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def page_data(trace: LessonTrace) -> dict[str, Any]:
    """Everything the page's script needs: the lesson, slider ranges and the exact descent.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> data = page_data(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> data["optimize"], data["steps"], data["ranges"]["b3"]
    (['b3'], 10, (-1.5, 4.5, 0.001))
    >>> len(base64.b64decode(data["path"])) == 8 * data["steps"] * len(data["optimize"])
    True
    """
    lesson, descent = trace.lesson, trace.descent
    network = lesson.network
    sweep = trace.sweep
    ranges = {}
    for name in network.names:
        column = descent.column(name)
        low = high = None
        if sweep is not None and sweep.param == name:
            # The video's pink curve: the lesson's range, stretched to its probes and path.
            low, high = float(sweep.values[0]), float(sweep.values[-1])
        ranges[name] = slider_range(column, low, high)
    rows = [network.index(name) for name in lesson.optimize]
    return {
        "title": lesson.title,
        "name": Path(lesson.source).stem,
        "activation": network.activation.name,
        "hidden": network.hidden,
        "names": list(network.names),
        "x": lesson.x.tolist(),
        "y": lesson.y.tolist(),
        "labels": {"x": lesson.labels.x, "y": lesson.labels.y},
        "digits": lesson.digits,
        "start": network.values.tolist(),
        "optimize": list(lesson.optimize),
        "learningRate": lesson.descent.learning_rate,
        "minStepSize": lesson.descent.min_step_size,
        "maxSteps": lesson.descent.max_steps,
        "status": descent.status,
        "sweep": sweep.param if sweep is not None else None,
        "ranges": ranges,
        "grid": GRID_SAMPLES,
        "ssrSamples": SSR_SAMPLES,
        "steps": len(descent),
        "path": float64_base64(readonly(descent.params[:, rows])),
        "colors": palette.colors(),
        "nodeColorNames": list(palette.NODE_COLOR_NAMES),
        # From each parameter's settling step on, the page shows it green, as the videos do.
        "settled": dict(settled_at(descent, lesson.digits, lesson.descent.min_step_size)),
        "rules": page_rules(),
    }


def page_rules() -> dict[str, float]:
    """The rules the page's script shares with bpcore, so they are written only here: where a
    descent counts as diverged (:data:`bpcore.lesson.file.VALUE_LIMIT`, as ``bp trace``), where
    numbers switch to powers of ten (:mod:`bpcore.display`), when SSR is plotted on a log scale.

    Examples
    --------
    >>> page_rules()["divergenceBound"], page_rules()["smallestFixed"]
    (1e+100, -4)
    """
    return {"divergenceBound": VALUE_LIMIT, "smallestFixed": SMALLEST_FIXED,
            "firstScientific": FIRST_SCIENTIFIC, "logRatio": LOG_RATIO, "logFloor": LOG_FLOOR}


def render_page(trace: LessonTrace) -> str:
    """The complete HTML page for ``trace``: template, style, script and data in one string.

    Examples
    --------
    >>> from bpcore.lesson.file import LESSONS_DIR, Lesson
    >>> from bpcore.lesson.trace import trace_lesson
    >>> text = render_page(trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml")))
    >>> text.startswith("<!DOCTYPE html>"), "optimizing b3</title>" in text
    (True, True)
    """
    data = json.dumps(page_data(trace), separators=(",", ":"), allow_nan=False)
    # Inside <script>, "</script" or "<!--" in a title would change how HTML reads the element;
    # "\u003c" is the same JSON string with no "<" at all.
    data = data.replace("<", "\\u003c")
    style = (PAGE_DIR / "page.css").read_text(encoding="utf-8")
    script = (PAGE_DIR / "page.js").read_text(encoding="utf-8")
    colors = "".join(f"--{name.replace('_', '-')}:{value};"
                     for name, value in palette.colors().items())
    parts = {
        "TITLE": html.escape(trace.lesson.title),
        "STYLE": f":root{{{colors}--font:'{palette.FONT}';}}\n{style}",
        "DATA": data,
        "SCRIPT": script,
    }
    template = (PAGE_DIR / "page.html").read_text(encoding="utf-8")
    # One pass, so a title that happens to contain "{{DATA}}" stays text.
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda m: parts[m[1]], template)
