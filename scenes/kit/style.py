"""The StatQuest look for scenes: bpcore.outputs.palette's colors as Manim colors, sizes, pacing."""

from manim import BLACK, WHITE, ManimColor, MarkupText, Text

from bpcore.outputs import palette

BACKGROUND = ManimColor(palette.BACKGROUND)
INK = ManimColor(palette.INK)  # text, axes and data points
MUTED = ManimColor(palette.MUTED)  # secondary text and guides

# One color per hidden node, in order: blue (top), orange (bottom), then more for k > 2.
NODE_COLORS = tuple(ManimColor(c) for c in palette.NODE_COLORS)
NODE_COLOR_NAMES = palette.NODE_COLOR_NAMES
SQUIGGLE = ManimColor(palette.SQUIGGLE)  # green squiggle: the network's prediction
SSR_CURVE = ManimColor(palette.SSR_CURVE)  # pink SSR curve
FIXED = ManimColor(palette.FIXED)  # parameters already optimized (or held fixed)
LEARNING = ManimColor(palette.LEARNING)  # parameters being optimized
RESIDUAL = ManimColor(palette.RESIDUAL)
HIGHLIGHT = ManimColor(palette.HIGHLIGHT)  # the red box of x-axis coordinates
TANGENT = ManimColor(palette.TANGENT)
BAM = ManimColor(palette.BAM)

FONT = palette.FONT
# Titles, labels and numbers alike: every Text is set in the lesson font unless it says otherwise.
Text.set_default(font=FONT)
MarkupText.set_default(font=FONT)
TITLE_SIZE = 44
TEXT_SIZE = 30
LABEL_SIZE = 24
SMALL_SIZE = 22
#: Pango text looks about 1.5 times as big as MathTex at the same font_size: sizes above are
#: MathTex sizes, and Text set at ``size * TEXT_SCALE`` matches them.
TEXT_SCALE = 0.66

# Pacing, in seconds (captions are paced by bpcore.narration.subtitles and the voice).
BEAT_PAUSE = 1.0
SHORT = 0.8
MEDIUM = 1.5
LONG = 2.5

__all__ = [name for name in dir() if name.isupper()] + ["BLACK", "WHITE"]
