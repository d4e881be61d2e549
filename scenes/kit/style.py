"""The StatQuest look, named once: colors, sizes and fonts used by every scene."""

from manim import BLACK, WHITE, ManimColor, MarkupText, Text

BACKGROUND = WHITE
INK = ManimColor("#222222")  # text, axes and data points
MUTED = ManimColor("#8a8a8a")  # secondary text and guides

# One color per hidden node, in order: blue (top), orange (bottom), then more for k > 2.
NODE_COLORS = (
    ManimColor("#1f78d1"),
    ManimColor("#f28e1c"),
    ManimColor("#8e44ad"),
    ManimColor("#8c564b"),
)
NODE_COLOR_NAMES = ("blue", "orange", "purple", "brown")
SQUIGGLE = ManimColor("#1e9e3e")  # green squiggle: the network's prediction
SSR_CURVE = ManimColor("#e0509b")  # pink SSR curve
FIXED = ManimColor("#1e9e3e")  # parameters already optimized (or held fixed)
LEARNING = ManimColor("#d62728")  # parameters being optimized
RESIDUAL = ManimColor("#555555")
HIGHLIGHT = ManimColor("#d62728")  # the red box of x-axis coordinates
TANGENT = ManimColor("#222222")
BAM = ManimColor("#d62728")

FONT = "DejaVu Sans"
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

# Pacing, in seconds (captions are paced by bpcore.subtitles and the voice).
BEAT_PAUSE = 1.0
SHORT = 0.8
MEDIUM = 1.5
LONG = 2.5

__all__ = [name for name in dir() if name.isupper()] + ["BLACK", "WHITE"]
