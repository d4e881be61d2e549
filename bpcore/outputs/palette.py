"""The StatQuest look's colours and font, named once for every output that draws a lesson.

The videos (``scenes/kit/style.py``) and the interactive page (:mod:`bpcore.outputs.page`) both read
these values, so a colour changed here changes everywhere. Colours are ``#rrggbb`` strings.

Examples
--------
>>> SQUIGGLE, NODE_COLOR_NAMES[:2]
('#1e9e3e', ('blue', 'orange'))
"""

from __future__ import annotations

BACKGROUND = "#ffffff"
INK = "#222222"  # text, axes and data points
MUTED = "#8a8a8a"  # secondary text and guides

# One color per hidden node, in order: blue (top), orange (bottom), then more for k > 2.
NODE_COLORS = ("#1f78d1", "#f28e1c", "#8e44ad", "#8c564b")
NODE_COLOR_NAMES = ("blue", "orange", "purple", "brown")
SQUIGGLE = "#1e9e3e"  # green squiggle: the network's prediction
SSR_CURVE = "#e0509b"  # pink SSR curve
FIXED = "#1e9e3e"  # parameters already optimized (or held fixed)
LEARNING = "#d62728"  # parameters being optimized
RESIDUAL = "#555555"
HIGHLIGHT = "#d62728"  # the red box of x-axis coordinates
TANGENT = "#222222"
BAM = "#d62728"

FONT = "DejaVu Sans"


def colors() -> dict[str, str]:
    """Every named colour, by lower-case name (node colours as ``node1``, ``node2``, ...).

    Examples
    --------
    >>> colors()["ssr_curve"], colors()["node2"]
    ('#e0509b', '#f28e1c')
    """
    named = {name.lower(): value for name, value in globals().items()
             if name.isupper() and isinstance(value, str) and value.startswith("#")}
    named.update({f"node{i + 1}": c for i, c in enumerate(NODE_COLORS)})
    return named
