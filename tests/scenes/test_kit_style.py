"""kit.style takes its colours and font from bpcore.outputs.palette, the one place they are
named."""

from __future__ import annotations

import sys
from pathlib import Path

from manim import ManimColor

from bpcore.outputs import palette

SCENES_DIR = Path(__file__).resolve().parents[2] / "scenes"
if str(SCENES_DIR) not in sys.path:
    sys.path.insert(0, str(SCENES_DIR))

from kit import style  # noqa: E402


def test_style_colours_are_the_palettes():
    """Every colour kit.style names is bpcore.outputs.palette's colour of the same name."""
    for name, value in palette.colors().items():
        if name.startswith("node"):
            continue
        assert getattr(style, name.upper()) == ManimColor(value)
    assert [c.to_hex().lower() for c in style.NODE_COLORS] == list(palette.NODE_COLORS)
    assert style.NODE_COLOR_NAMES == palette.NODE_COLOR_NAMES and style.FONT == palette.FONT
